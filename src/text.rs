//! Text from DNS or from plan files made safe for a terminal: control characters, escape
//! sequences and bidi controls are shown escaped, as `dig` does (`\027`). Pure.

use std::borrow::Cow;
use std::io;

/// Escapes everything that could move the cursor, change colours, reorder text or hide
/// characters. Each byte of such a character is written as `\DDD` (decimal, like `dig`);
/// a backslash is doubled so the escaping cannot be forged.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c == '\\' {
            out.push_str("\\\\");
        } else if needs_escape(c) {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                push_decimal_escape(&mut out, b);
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A character named for a message: `'x'` when it prints, `U+001B` when it does not, so the
/// message itself stays plain text.
pub fn describe_char(c: char) -> String {
    if needs_escape(c) || (c.is_whitespace() && c != ' ') {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("'{c}'")
    }
}

/// Escapes raw bytes from the wire: invalid UTF-8 bytes are escaped like control characters.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&escape(chunk.valid()));
        for &b in chunk.invalid() {
            push_decimal_escape(&mut out, b);
        }
    }
    out
}

/// Writes `value` as pretty JSON whose strings a terminal can show: every character
/// [`escape`] would escape is written as `\uXXXX`. `serde_json` escapes C0 controls, quotes and
/// backslashes itself but writes DEL, C1 controls and bidi controls raw; this keeps the value a
/// JSON parser reads while nothing raw reaches a terminal. Streams into `out` as it goes, so a
/// report of thousands of domains is never held as one text.
pub fn write_json<W: io::Write>(out: W, value: &impl serde::Serialize) -> serde_json::Result<()> {
    write_json_at(out, value, 0)
}

/// [`write_json`] for a value that sits `depth` arrays or objects deep in a larger document:
/// its lines are indented as they are there.
pub fn write_json_at<W: io::Write>(
    out: W,
    value: &impl serde::Serialize,
    depth: usize,
) -> serde_json::Result<()> {
    let mut formatter = TerminalSafe(serde_json::ser::PrettyFormatter::new());
    for _ in 0..depth {
        // Opening an array is what moves the pretty printer's indent one level in.
        serde_json::ser::Formatter::begin_array(&mut formatter, &mut io::sink())
            .map_err(serde_json::Error::io)?;
    }
    value.serialize(&mut serde_json::Serializer::with_formatter(out, formatter))
}

/// `serde_json`'s pretty layout, with the unsafe characters of strings escaped.
struct TerminalSafe(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for TerminalSafe {
    /// A run of characters `serde_json` writes raw; every other character of a string has
    /// already gone through its own escapes.
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        out: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| is_unsafe(c)) {
            out.write_all(&rest.as_bytes()[..at])?;
            // Every unsafe character is in the Basic Multilingual Plane: one `\uXXXX`.
            write!(out, "\\u{:04x}", u32::from(c))?;
            rest = &rest[at + c.len_utf8()..];
        }
        out.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.0.begin_array(out)
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.0.end_array(out)
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(out, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.0.end_array_value(out)
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.0.begin_object(out)
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.0.end_object(out)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(out, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.0.begin_object_value(out)
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.0.end_object_value(out)
    }
}

/// `\DDD`, the byte in three decimal digits, as `dig` writes it.
pub(crate) fn push_decimal_escape(out: &mut String, b: u8) {
    out.push('\\');
    for digit in [b / 100, b / 10 % 10, b % 10] {
        out.push(char::from(b'0' + digit));
    }
}

fn needs_escape(c: char) -> bool {
    c == '\\' || is_unsafe(c)
}

/// A character that must never reach a terminal raw: a control character (C0, DEL, C1), a bidi
/// control or an invisible one. Writers for other syntaxes (the DNS-as-code exports) escape
/// exactly these in their own way.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c)
}

/// Unicode bidirectional formatting characters (Trojan Source, CVE-2021-42574).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Zero-width and similar characters that make two different values look identical.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// `1 lookup`, `3 lookups`: a count with its noun.
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// `part` of `whole` in percent; `None` when there is no whole.
pub fn share(part: u64, whole: u64) -> Option<f64> {
    #[expect(clippy::cast_precision_loss, reason = "a rate; message counts stay far below 2^52")]
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// A percentage floored to a tenth, so that 99.96 % of passing mail never reads as 100.0 %;
/// `-` when there is none.
pub fn floored_percent(percent: Option<f64>) -> String {
    percent.map_or("-".to_owned(), |r| format!("{:.1}%", (r * 10.0).floor() / 10.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(escape("v=DMARC1; p=none"), Cow::Borrowed("v=DMARC1; p=none")));
    }

    #[test]
    fn escape_sequences_and_bidi_controls_are_shown_as_decimal_bytes() {
        assert_eq!(escape("a\u{1b}[31mb"), "a\\027[31mb");
        assert_eq!(escape("x\u{202E}y"), "x\\226\\128\\174y");
        assert_eq!(escape("del\u{7f}c1\u{85}"), "del\\127c1\\194\\133");
        assert_eq!(escape("back\\slash"), "back\\\\slash");
    }

    #[test]
    fn json_keeps_its_value_with_del_c1_and_bidi_as_unicode_escapes() {
        let value = ["a\u{7f}\u{9b}31m\u{202E}b\\", "\u{1b}", "\u{200B}x\u{2066}"];
        let mut json = Vec::new();
        write_json(&mut json, &value).expect("json");
        let safe = String::from_utf8(json).expect("UTF-8");
        let expected =
            "[\n  \"a\\u007f\\u009b31m\\u202eb\\\\\",\n  \"\\u001b\",\n  \"\\u200bx\\u2066\"\n]";
        assert_eq!(safe, expected);
        let back: Vec<String> = serde_json::from_str(&safe).expect("parses");
        assert_eq!(back, value);
    }

    #[test]
    fn invalid_utf8_bytes_are_escaped() {
        assert_eq!(escape_bytes(b"ok\xff\x1b"), "ok\\255\\027");
    }
}
