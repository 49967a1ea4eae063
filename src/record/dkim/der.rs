//! The little DER a DKIM key record needs: read an RSA modulus size from a
//! `SubjectPublicKeyInfo` or a bare `RSAPublicKey`. Pure; bounds-checked, never panics.

/// One DER element: its tag, its contents and what follows it.
fn der_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        // Long form; indefinite (0x80) is not DER, and keys never need more than 4 length bytes.
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (len_bytes, after) = rest.split_at(count);
        rest = after;
        len_bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    if len > rest.len() {
        return None;
    }
    let (contents, after) = rest.split_at(len);
    Some((tag, contents, after))
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OID: u8 = 0x06;
/// 1.2.840.113549.1.1.1, rsaEncryption.
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// Modulus size of a `SubjectPublicKeyInfo` (what DKIM publishes) or a bare `RSAPublicKey`.
pub(super) fn rsa_modulus_bits(der: &[u8]) -> Option<u32> {
    let (SEQUENCE, outer, _) = der_element(der)? else { return None };
    let (tag, first, rest) = der_element(outer)?;
    match tag {
        INTEGER => Some(integer_bits(first)),
        SEQUENCE => {
            let (OID, oid, _) = der_element(first)? else { return None };
            let (BIT_STRING, bits, _) = der_element(rest)? else { return None };
            let (&0, inner) = bits.split_first()? else { return None };
            if oid != RSA_ENCRYPTION {
                return None;
            }
            let (SEQUENCE, rsa, _) = der_element(inner)? else { return None };
            let (INTEGER, modulus, _) = der_element(rsa)? else { return None };
            Some(integer_bits(modulus))
        }
        _ => None,
    }
}

/// Bit length of an unsigned big-endian DER integer.
fn integer_bits(bytes: &[u8]) -> u32 {
    let Some(start) = bytes.iter().position(|&b| b != 0) else { return 0 };
    let significant = &bytes[start..];
    let whole = u32::try_from(significant.len() - 1).unwrap_or(u32::MAX / 16).saturating_mul(8);
    whole.saturating_add(8 - significant[0].leading_zeros())
}
