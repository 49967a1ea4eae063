//! String literals for each export syntax. Every writer escapes what its syntax needs, and
//! writes characters that must not reach a terminal raw ([`crate::text::is_unsafe`]) as that
//! syntax's own escape, so the literal keeps its value and the output stays plain text. Pure.

use std::fmt::Write as _;

use crate::text::is_unsafe;

/// A JavaScript string literal in double quotes (dnscontrol's `dnsconfig.js`).
pub fn js(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            // JavaScript source ends a line at these two as well.
            c if is_unsafe(c) || matches!(c, '\u{2028}' | '\u{2029}') => {
                push_u16_escapes(&mut out, c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An HCL (Terraform) string literal: quotes and backslashes escaped, and the template
/// sequences `${` and `%{` doubled so Terraform takes them as text.
pub fn hcl(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if is_unsafe(c) => push_u16_escapes(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A YAML scalar: single-quoted (only `'` is special there, so backslashes stay as written),
/// or double-quoted with escapes when the value holds a character that must be escaped.
pub fn yaml(value: &str) -> String {
    if !value.chars().any(is_unsafe) {
        return format!("'{}'", value.replace('\'', "''"));
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_unsafe(c) => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A POSIX shell word: single-quoted, or bash's `$'…'` when the value holds a character that
/// must be escaped (single quotes cannot escape anything).
pub fn shell(value: &str) -> String {
    if !value.chars().any(is_unsafe) {
        return format!("'{}'", value.replace('\'', r"'\''"));
    }
    let mut out = String::from("$'");
    for c in value.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A PowerShell string: single-quoted (PowerShell also reads the typographic single quotes as
/// quotes, so they are doubled too), or double-quoted with each character that must be
/// escaped written as `$([char]0x…)`.
pub fn powershell(value: &str) -> String {
    let single_quotes = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];
    if !value.chars().any(is_unsafe) {
        let mut out = String::from("'");
        for c in value.chars() {
            if single_quotes.contains(&c) {
                out.push(c);
            }
            out.push(c);
        }
        out.push('\'');
        return out;
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' | '`' | '$' | '\u{201C}' | '\u{201D}' | '\u{201E}' => {
                out.push('`');
                out.push(c);
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "$([char]0x{:04X})", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One DNS character-string in zone-file (and `nsupdate`) syntax: quoted, `"` and `\`
/// escaped, and every byte outside printable ASCII written as `\DDD` (RFC 1035 §5.1).
pub fn character_string(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => crate::text::push_decimal_escape(&mut out, b),
        }
    }
    out.push('"');
    out
}

/// A TXT record's character-strings in zone-file syntax, separated by spaces.
pub fn txt_rdata<S: AsRef<[u8]>>(strings: &[S]) -> String {
    strings.iter().map(|s| character_string(s.as_ref())).collect::<Vec<_>>().join(" ")
}

/// Text for a comment line: nothing that could end the comment or reach a terminal raw.
pub fn comment(text: &str) -> String {
    crate::text::escape(text).into_owned()
}

/// `\uXXXX` for each UTF-16 unit of `c` (JavaScript and HCL read surrogate pairs).
fn push_u16_escapes(out: &mut String, c: char) {
    let mut units = [0u16; 2];
    for unit in c.encode_utf16(&mut units) {
        let _ = write!(out, "\\u{unit:04X}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_syntax_escapes_its_own_quotes_and_backslashes() {
        let value = r#"a"b\c'd"#;
        assert_eq!(js(value), r#""a\"b\\c'd""#);
        assert_eq!(hcl(value), r#""a\"b\\c'd""#);
        assert_eq!(yaml(value), r#"'a"b\c''d'"#);
        assert_eq!(shell(value), r#"'a"b\c'\''d'"#);
        assert_eq!(powershell(value), r#"'a"b\c''d'"#);
        assert_eq!(character_string(value.as_bytes()), r#""a\"b\\c'd""#);
    }

    #[test]
    fn terraform_templates_in_a_value_stay_text() {
        assert_eq!(hcl("x${var.y}%{if}$z"), r#""x$${var.y}%%{if}$z""#);
    }

    #[test]
    fn characters_that_must_not_reach_a_terminal_are_escaped_in_every_syntax() {
        let value = "a\u{1b}[2J\u{202E}b";
        for literal in [js(value), hcl(value), yaml(value), shell(value), powershell(value)] {
            assert!(!literal.chars().any(is_unsafe), "{literal}");
        }
        assert_eq!(js(value), r#""a\u001B[2J\u202Eb""#);
        assert_eq!(yaml(value), r#""a\u001B[2J\u202Eb""#);
        assert_eq!(shell(value), r"$'a\u001B[2J\u202Eb'");
        assert_eq!(powershell(value), r#""a$([char]0x001B)[2J$([char]0x202E)b""#);
        assert_eq!(character_string("é\u{1b}".as_bytes()), r#""\195\169\027""#);
    }

    #[test]
    fn powershell_doubles_typographic_single_quotes() {
        assert_eq!(powershell("it\u{2019}s"), "'it\u{2019}\u{2019}s'");
    }
}
