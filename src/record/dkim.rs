//! DKIM key records (RFC 6376 §3.6.1, RFC 8301, RFC 8463) judged from their TXT text, and the
//! Microsoft 365 selector CNAME target forms. Pure: no I/O; hostile input never panics.

mod der;

use std::collections::HashSet;
use std::ops::Range;

use serde::Serialize;

use super::finding::Finding;
use crate::codec::base64_strict;
use crate::name::{DnsName, check_label};
use der::rsa_modulus_bits;

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
    let key_type = read_key_type(find(&tags, "k"), &mut findings);
    let testing = check_flags(&tags, &mut findings);
    let mut key = DkimKey {
        version: find(&tags, "v").map(|t| t.value.to_string()),
        key_type,
        public_key_bits: None,
        testing,
        revoked: false,
        findings: Vec::new(),
    };
    match find(&tags, "p") {
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

fn find<'t, 'a>(tags: &'t [TagSpec<'a>], name: &str) -> Option<&'t TagSpec<'a>> {
    tags.iter().find(|t| t.name == name)
}

/// `k=`, RSA when absent; anything but rsa or ed25519 cannot be verified.
fn read_key_type(k: Option<&TagSpec<'_>>, findings: &mut Vec<Finding>) -> KeyType {
    match k {
        None => KeyType::Rsa,
        Some(k) if k.value == "rsa" => KeyType::Rsa,
        Some(k) if k.value == "ed25519" => KeyType::Ed25519,
        Some(k) => {
            findings.push(Finding::error(
                "dkim.unknown_key_type",
                k.span.clone(),
                format!(
                    "key type '{}' is unusable: receivers verify only rsa (RFC 6376) and ed25519 \
                     (RFC 8463), so every signature with this selector fails; publish one of those",
                    k.value
                ),
            ));
            KeyType::Other(k.value.to_string())
        }
    }
}

/// The `t=`, `h=` and `s=` flags; returns whether `t=y` (testing) is set.
fn check_flags(tags: &[TagSpec<'_>], findings: &mut Vec<Finding>) -> bool {
    let testing = find(tags, "t").filter(|t| flags(t.value).any(|f| f == "y"));
    if let Some(t) = testing {
        findings.push(Finding::warning(
            "dkim.testing",
            t.span.clone(),
            "t=y marks the key as testing: receivers may treat its signatures as unsigned; remove it once signing works",
        ));
    }
    if let Some(h) = find(tags, "h") {
        check_hashes(h, findings);
    }
    if let Some(s) = find(tags, "s")
        && !flags(s.value).any(|f| f == "*" || f == "email")
    {
        findings.push(Finding::error(
            "dkim.not_for_email",
            s.span.clone(),
            "s= does not list 'email' or '*', so the key may not be used for mail",
        ));
    }
    testing.is_some()
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
    let Some(bytes) = base64_strict(p.value) else {
        findings.push(bad(if p.value.contains('"') {
            "not base64; it holds quotes, so publish the key without the zone-file quoting"
        } else {
            "not base64"
        }));
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

/// Which Microsoft 365 DKIM CNAME target format a selector points at (Microsoft Learn, "Set up
/// DKIM to sign mail from your Microsoft 365 domain": the new form since May 2025).
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
        let domain = DnsName::lenient(domain).replace('.', "-");
        domain == self.domain_dashes
    }
}

/// `selector1-x._domainkey.x.onmicrosoft.com` -> `x.onmicrosoft.com`: the domain that signs
/// with the key a selector CNAME points at.
pub fn signing_domain(target: &str) -> Option<String> {
    let target = DnsName::lenient(target);
    let (_, after) = target.split_once("._domainkey.")?;
    (!after.is_empty()).then(|| after.to_owned())
}

/// Recognises a Microsoft 365 DKIM CNAME target, legacy or modern; `None` for anything else.
pub fn classify_m365_target(target: &str) -> Option<M365Target> {
    let target = DnsName::lenient(target);
    let (left, right) = target.split_once("._domainkey.")?;
    let (selector, domain_dashes) = left.split_once('-')?;
    if !matches!(selector, "selector1" | "selector2") || check_label(domain_dashes).is_err() {
        return None;
    }
    let (form, tenant, partition) = if let Some(tenant) = right.strip_suffix(".onmicrosoft.com") {
        (M365Form::Legacy, tenant, None)
    } else {
        let (tenant, partition) = right.strip_suffix(".dkim.mail.microsoft")?.split_once('.')?;
        let prefix = partition.strip_suffix("-v1")?;
        if check_label(prefix).is_err() {
            return None;
        }
        (M365Form::Modern, tenant, Some(partition.to_string()))
    };
    check_label(tenant).is_ok().then(|| M365Target {
        form,
        selector: selector.to_string(),
        domain_dashes: domain_dashes.to_string(),
        tenant: tenant.to_string(),
        partition,
    })
}
