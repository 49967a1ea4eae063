//! A record as text: the TXT value to publish, and the same value as zone-file text split into
//! character-strings of at most 255 bytes (RFC 1035 §3.3). Pure.

use super::dmarc::DmarcRecord;

/// The exact TXT value: `v=DMARC1` first, `p` second, then [`super::Tag::ALL`] order, joined
/// with `"; "` and no trailing separator.
pub fn render(record: &DmarcRecord) -> String {
    let mut out = String::from("v=DMARC1");
    for (tag, value) in record.tags() {
        out.push_str("; ");
        out.push_str(tag.name());
        out.push('=');
        out.push_str(&value);
    }
    out
}

/// The longest character-string DNS can carry.
pub const MAX_CHARACTER_STRING: usize = 255;

/// Splits a TXT value into character-strings of at most 255 bytes. Receivers join them with no
/// separator (RFC 7489 §6.1), so a split may fall anywhere; it prefers the byte after a `;` or
/// a space so each piece reads on its own, and never splits inside a UTF-8 sequence.
pub fn split_character_strings(value: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = value;
    while rest.len() > MAX_CHARACTER_STRING {
        let limit = floor_char_boundary(rest, MAX_CHARACTER_STRING);
        let cut =
            rest[..limit].rfind([' ', ';']).map(|i| i + 1).filter(|&i| i > 0).unwrap_or(limit);
        let (head, tail) = rest.split_at(cut);
        pieces.push(head);
        rest = tail;
    }
    pieces.push(rest);
    pieces
}

/// The value as zone-file text: one or more quoted character-strings with `"` and `\` escaped,
/// separated by a space, as BIND, Knot and NSD read them.
pub fn zone_text(value: &str) -> String {
    split_character_strings(value)
        .into_iter()
        .map(|piece| format!("\"{}\"", piece.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The largest character boundary at or before `index` (or the end of `s`): where a byte
/// limit can cut text without splitting a character. `str::floor_char_boundary` needs 1.91.
pub(crate) fn floor_char_boundary(s: &str, index: usize) -> usize {
    let mut index = index.min(s.len());
    while !s.is_char_boundary(index) {
        index -= 1;
    }
    index
}
