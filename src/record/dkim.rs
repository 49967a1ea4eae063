//! DKIM key records (RFC 6376 §3.6.1, RFC 8301, RFC 8463) judged from their TXT text, and the
//! Microsoft 365 selector CNAME target forms. Pure: no I/O; hostile input never panics.

use std::collections::HashSet;
use std::ops::Range;

use serde::Serialize;

use super::finding::Finding;

/// The `k=` key type; RSA when the tag is absent (RFC 6376 §3.6.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    Rsa,
    Ed25519,
    Other(String),
}

/// A DKIM key record as published at `<selector>._domainkey.<domain>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DkimKey {
    /// The `v=` value when written.
    pub version: Option<String>,
    pub key_type: KeyType,
    /// RSA modulus size, or 256 for a well-formed Ed25519 key; `None` when unreadable or revoked.
    pub public_key_bits: Option<u32>,
    /// `t=y`: receivers must not treat this key's signatures differently from unsigned mail.
    pub testing: bool,
    /// `p=` is present and empty.
    pub revoked: bool,
    pub findings: Vec<Finding>,
}

/// One `name=value` of a tag-list, with the value's span in the record text.
struct TagSpec<'a> {
    name: &'a str,
    value: &'a str,
    span: Range<usize>,
}

/// Parses and judges a DKIM key TXT record.
pub fn parse_dkim_key(text: &str) -> DkimKey {
    let mut findings = Vec::new();
    let tags = split_tag_list(text, &mut findings);
    check_version(&tags, &mut findings);
    let find = |name: &str| tags.iter().find(|t| t.name == name);

    let key_type = match find("k").map(|t| t.value) {
        None | Some("rsa") => KeyType::Rsa,
        Some("ed25519") => KeyType::Ed25519,
        Some(other) => {
            let span = find("k").map_or(0..0, |t| t.span.clone());
            findings.push(Finding::warning(
                "dkim.unknown_key_type",
                span,
                format!("key type '{other}' is unknown; receivers cannot verify with it (use 'rsa' or 'ed25519')"),
            ));
            KeyType::Other(other.to_string())
        }
    };
    let testing = find("t").is_some_and(|t| flags(t.value).any(|f| f == "y"));
    if testing {
        let span = find("t").map_or(0..0, |t| t.span.clone());
        findings.push(Finding::warning(
            "dkim.testing",
            span,
            "t=y marks the key as testing: receivers may treat its signatures as unsigned; remove it once signing works",
        ));
    }
    if let Some(h) = find("h") {
        check_hashes(h, &mut findings);
    }
    if let Some(s) = find("s")
        && !flags(s.value).any(|f| f == "*" || f == "email")
    {
        findings.push(Finding::error(
            "dkim.not_for_email",
            s.span.clone(),
            "s= does not list 'email' or '*', so the key may not be used for mail",
        ));
    }

    let mut key = DkimKey {
        version: find("v").map(|t| t.value.to_string()),
        key_type,
        public_key_bits: None,
        testing,
        revoked: false,
        findings: Vec::new(),
    };
    match find("p") {
        None => findings.push(Finding::error(
            "dkim.missing_key",
            text.len()..text.len(),
            "the record has no p= tag, so it is not a usable DKIM key",
        )),
        Some(p) if p.value.is_empty() => {
            key.revoked = true;
            findings.push(Finding::error(
                "dkim.revoked",
                p.span.clone(),
                "p= is empty: the key is revoked and every signature with this selector fails",
            ));
        }
        Some(p) => key.public_key_bits = judge_key(&key.key_type, p, &mut findings),
    }
    key.findings = findings;
    key
}

/// Splits `tag=value; …` per RFC 6376 §3.2, reporting malformed and duplicate tags.
fn split_tag_list<'a>(text: &'a str, findings: &mut Vec<Finding>) -> Vec<TagSpec<'a>> {
    let mut tags: Vec<TagSpec<'a>> = Vec::new();
    let mut seen = HashSet::new();
    let mut start = 0;
    for part in text.split(';') {
        let span = start..start + part.len();
        start = span.end + 1;
        if part.trim().is_empty() {
            continue;
        }
        let Some((name, value)) = part.split_once('=') else {
            findings.push(Finding::error(
                "dkim.syntax",
                span,
                "tag without '=' (tags are name=value, separated by ';')",
            ));
            continue;
        };
        let name = name.trim();
        let lead = value.len() - value.trim_start().len();
        let value_start = span.start + part.len() - value.len() + lead;
        let value = value.trim();
        let value_span = value_start..value_start + value.len();
        if !valid_tag_name(name) || value.bytes().any(|b| !valid_value_byte(b)) {
            findings.push(Finding::error(
                "dkim.syntax",
                span,
                format!("tag '{name}' is malformed"),
            ));
            continue;
        }
        if !seen.insert(name) {
            findings.push(Finding::error(
                "dkim.duplicate_tag",
                span,
                format!("tag '{name}' appears more than once, which makes the record invalid"),
            ));
            continue;
        }
        tags.push(TagSpec { name, value, span: value_span });
    }
    tags
}

fn valid_tag_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// VALCHAR plus the folding whitespace allowed between value chunks (RFC 6376 §3.2).
fn valid_value_byte(b: u8) -> bool {
    matches!(b, 0x21..=0x3a | 0x3c..=0x7e | b' ' | b'\t' | b'\r' | b'\n')
}

/// Colon-separated flag lists (`t=`, `h=`, `s=`), trimmed.
fn flags(value: &str) -> impl Iterator<Item = &str> {
    value.split(':').map(str::trim)
}

fn check_version(tags: &[TagSpec<'_>], findings: &mut Vec<Finding>) {
    let Some((index, v)) = tags.iter().enumerate().find(|(_, t)| t.name == "v") else {
        return;
    };
    if v.value != "DKIM1" {
        findings.push(Finding::error(
            "dkim.bad_version",
            v.span.clone(),
            format!("v='{}' is not 'DKIM1', so receivers discard the key", v.value),
        ));
    } else if index != 0 {
        findings.push(Finding::error(
            "dkim.version_not_first",
            v.span.clone(),
            "v=DKIM1 must be the first tag when present",
        ));
    }
}

fn check_hashes(h: &TagSpec<'_>, findings: &mut Vec<Finding>) {
    if flags(h.value).any(|f| f == "sha256") {
        return;
    }
    let (id, message) = if flags(h.value).all(|f| f == "sha1") {
        (
            "dkim.sha1_only",
            "h=sha1 allows only rsa-sha1, which RFC 8301 forbids; add sha256 or drop h=",
        )
    } else {
        ("dkim.no_sha256", "h= does not allow sha256, so current signers cannot use this key")
    };
    findings.push(Finding::warning(id, h.span.clone(), message));
}

/// Decodes `p=` and returns the key size, reporting unreadable, small or weak keys.
fn judge_key(key_type: &KeyType, p: &TagSpec<'_>, findings: &mut Vec<Finding>) -> Option<u32> {
    let bad = |why: &str| {
        Finding::error("dkim.bad_key", p.span.clone(), format!("p= is not a valid key: {why}"))
    };
    let Some(bytes) = decode_base64(p.value) else {
        findings.push(bad("not base64"));
        return None;
    };
    match key_type {
        KeyType::Rsa => {
            let Some(bits) = rsa_modulus_bits(&bytes).filter(|&b| b > 0) else {
                findings.push(bad("not a DER RSA public key"));
                return None;
            };
            if bits < 1024 {
                findings.push(Finding::error(
                    "dkim.key_too_small",
                    p.span.clone(),
                    format!("{bits}-bit RSA key: receivers must reject keys under 1024 bits (RFC 8301); publish 2048"),
                ));
            } else if bits < 2048 {
                findings.push(Finding::warning(
                    "dkim.weak_key",
                    p.span.clone(),
                    format!("{bits}-bit RSA key is weak; rotate to 2048 bits (RFC 8301)"),
                ));
            }
            Some(bits)
        }
        KeyType::Ed25519 if bytes.len() == 32 => Some(256),
        KeyType::Ed25519 => {
            findings.push(bad(&format!("an Ed25519 key is 32 bytes, this is {}", bytes.len())));
            None
        }
        KeyType::Other(_) => None,
    }
}

/// Standard base64 with whitespace allowed anywhere and optional `=` padding at the end.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut nbits, mut pad) = (0u32, 0u32, 0usize);
    for b in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let value = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                pad += 1;
                continue;
            }
            _ => return None,
        };
        if pad > 0 {
            return None;
        }
        acc = (acc << 6) | u32::from(value);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push(u8::try_from((acc >> nbits) & 0xff).ok()?);
        }
    }
    (pad <= 2 && nbits < 6).then_some(out)
}

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
fn rsa_modulus_bits(der: &[u8]) -> Option<u32> {
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

/// Which Microsoft 365 DKIM CNAME target format a selector points at (digest §0.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum M365Form {
    /// `selector1-contoso-com._domainkey.contoso.onmicrosoft.com`.
    Legacy,
    /// `selector1-contoso-com._domainkey.contoso.n-v1.dkim.mail.microsoft` (since May 2025).
    Modern,
}

/// The parts of a Microsoft 365 DKIM CNAME target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct M365Target {
    pub form: M365Form,
    /// `selector1` or `selector2`.
    pub selector: String,
    /// The custom domain with dots turned into dashes, e.g. `contoso-com`.
    pub domain_dashes: String,
    /// The tenant prefix, e.g. `contoso`.
    pub tenant: String,
    /// The Microsoft-assigned partition label of the modern form, e.g. `n-v1`.
    pub partition: Option<String>,
}

impl M365Target {
    /// True when the target was issued for `domain` (its dots as dashes), case-insensitively.
    pub fn is_for_domain(&self, domain: &str) -> bool {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase().replace('.', "-");
        domain == self.domain_dashes
    }
}

/// Recognises a Microsoft 365 DKIM CNAME target, legacy or modern; `None` for anything else.
pub fn classify_m365_target(target: &str) -> Option<M365Target> {
    let target = target.trim().trim_end_matches('.').to_ascii_lowercase();
    let (left, right) = target.split_once("._domainkey.")?;
    let (selector, domain_dashes) = left.split_once('-')?;
    if !matches!(selector, "selector1" | "selector2") || !is_label(domain_dashes) {
        return None;
    }
    let (form, tenant, partition) = if let Some(tenant) = right.strip_suffix(".onmicrosoft.com") {
        (M365Form::Legacy, tenant, None)
    } else {
        let (tenant, partition) = right.strip_suffix(".dkim.mail.microsoft")?.split_once('.')?;
        let prefix = partition.strip_suffix("-v1")?;
        if !is_label(prefix) {
            return None;
        }
        (M365Form::Modern, tenant, Some(partition.to_string()))
    };
    is_label(tenant).then(|| M365Target {
        form,
        selector: selector.to_string(),
        domain_dashes: domain_dashes.to_string(),
        tenant: tenant.to_string(),
        partition,
    })
}

fn is_label(s: &str) -> bool {
    !s.is_empty() && s.len() <= 63 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}
