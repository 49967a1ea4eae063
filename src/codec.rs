//! Base64 as mail and DNS records carry it: one engine, read two ways. Pure.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// The standard alphabet with `=` padding optional, and leftover bits of a last character
/// ignored (writers that pad by hand get them wrong; the bits carry nothing).
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A mail body part: skips line breaks and anything outside the alphabet and stops at padding,
/// as mail clients do with what senders actually write. Garbage decodes to nothing.
pub(crate) fn base64_lenient(text: &[u8]) -> Vec<u8> {
    let mut body: Vec<u8> = text
        .iter()
        .copied()
        .take_while(|&c| c != b'=')
        .filter(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
        .collect();
    // A dangling sixth of a byte carries nothing; drop it rather than fail.
    if body.len() % 4 == 1 {
        body.pop();
    }
    ENGINE.decode(body).unwrap_or_default()
}

/// A key in a DNS record: whitespace allowed anywhere (RFC 6376 §3.6.1 lets `p=` be folded),
/// anything else outside the alphabet is an error.
pub(crate) fn base64_strict(text: &str) -> Option<Vec<u8>> {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    ENGINE.decode(compact).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_base64_ignores_line_breaks_and_stops_at_padding() {
        assert_eq!(base64_lenient(b"aGVs\r\nbG8=\r\n"), b"hello");
        assert_eq!(base64_lenient(b"aGVsbG8gd29ybGQ="), b"hello world");
    }

    #[test]
    fn a_key_may_be_folded_but_not_carry_foreign_characters() {
        assert_eq!(base64_strict("aGVs bG8=\n").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64_strict("aGVsbG8"), Some(b"hello".to_vec()));
        assert_eq!(base64_strict("aGVs*bG8="), None);
    }
}
