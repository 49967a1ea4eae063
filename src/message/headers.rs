//! The header section of a raw message (RFC 5322 §2.2), or of headers pasted from a mail
//! client: fields unfolded, in order, top first. Bounded: at most [`MAX_HEADER_BYTES`] are
//! read and [`MAX_FIELDS`] fields kept, so a hostile message cannot grow the work. Pure.

/// The header section is read up to this many bytes; the rest (and any body) is ignored.
pub const MAX_HEADER_BYTES: usize = 1 << 20;
/// Fields kept; a real message has a few hundred at most.
pub const MAX_FIELDS: usize = 2000;

/// One header field: its name as written, and its value unfolded (line breaks removed, the
/// folding white space kept), as lossy UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub value: String,
}

/// The fields of the header section, top first. A leading mbox `From ` line is skipped; lines
/// that are neither a field nor a continuation (pasted noise) are dropped.
pub fn fields(raw: &[u8]) -> Vec<Field> {
    let head = &raw[..raw.len().min(MAX_HEADER_BYTES)];
    let mut out: Vec<Field> = Vec::new();
    for (i, line) in head.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() && !out.is_empty() {
            break;
        }
        if i == 0 && line.starts_with(b"From ") {
            continue;
        }
        let text = String::from_utf8_lossy(line);
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            if let Some(last) = out.last_mut() {
                last.value.push_str(&text);
            }
            continue;
        }
        let Some((name, value)) = text.split_once(':') else { continue };
        if out.len() == MAX_FIELDS {
            break;
        }
        if is_field_name(name) {
            out.push(Field { name: name.to_owned(), value: value.to_owned() });
        }
    }
    out
}

/// RFC 5322 §3.6.8: printable ASCII but the colon, no space.
fn is_field_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| (33..=126).contains(&b) && b != b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_unfolded_in_order_and_stop_at_the_body() {
        let raw = b"From alice Mon Jan 1 00:00:00 2026\r\nFrom: Alice <a@x.test>\r\n\
            Authentication-Results: mx.test;\r\n\tspf=pass\r\nnoise without a colon\r\n\
            Subject: hi\r\n\r\nBody: not a header\r\n";
        let got: Vec<(String, String)> =
            fields(raw).into_iter().map(|f| (f.name, f.value)).collect();
        assert_eq!(
            got,
            [
                ("From".to_owned(), " Alice <a@x.test>".to_owned()),
                ("Authentication-Results".to_owned(), " mx.test;\tspf=pass".to_owned()),
                ("Subject".to_owned(), " hi".to_owned()),
            ]
        );
    }

    #[test]
    fn leading_blank_lines_of_a_paste_do_not_end_the_headers() {
        let got = fields(b"\n\nFrom: a@x.test\n");
        assert_eq!(got.len(), 1);
    }
}
