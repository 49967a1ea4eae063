//! DNS names as the tool compares and asks for them: lower case, without the trailing dot.
//! Names the admin writes (plans, command lines) are validated once, here; names from the wire,
//! reports and messages are only normalised, because they are evidence, not input to correct.
//! Pure.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::Serialize;

/// A normalised DNS name: ASCII lower case, no trailing dot. Derefs to `str`, so it reads like
/// the text it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct DnsName(String);

impl DnsName {
    /// A name as the admin writes it: ASCII (IDNs as A-labels), labels of letters, digits, `-`
    /// and `_` of at most 63 bytes each, 253 in all, and at least two labels.
    pub fn parse(text: &str) -> Result<DnsName, String> {
        let name = text.strip_suffix('.').unwrap_or(text);
        if name.is_empty() {
            return Err("it is empty".into());
        }
        if !name.is_ascii() {
            return Err("write internationalized names as A-labels (xn--…)".into());
        }
        if name.len() > 253 {
            return Err(format!("it is {} bytes long; DNS allows 253", name.len()));
        }
        name.split('.').try_for_each(check_label)?;
        if !name.contains('.') {
            return Err("it has a single label; write the full domain, e.g. example.com".into());
        }
        Ok(DnsName(name.to_ascii_lowercase()))
    }

    /// A name read from DNS, a report or a message: trimmed and normalised, never refused.
    pub fn lenient(text: &str) -> DnsName {
        DnsName(text.trim().trim_end_matches('.').to_ascii_lowercase())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The organizational domain by the Public Suffix List (RFC 7489 §3.2): `example.co.uk`
    /// for `mail.example.co.uk`; a name the list cannot place stays whole.
    pub fn organizational(&self) -> DnsName {
        psl::domain_str(&self.0).map_or_else(|| self.clone(), |org| DnsName(org.to_owned()))
    }

    /// Whether this name is `zone` or lies below it; nothing lies within the empty name.
    pub fn is_within(&self, zone: &str) -> bool {
        let zone = zone.trim_end_matches('.').as_bytes();
        if zone.is_empty() {
            return false;
        }
        let name = self.0.as_bytes();
        let Some(head) = name.len().checked_sub(zone.len()) else { return false };
        name[head..].eq_ignore_ascii_case(zone) && (head == 0 || name[head - 1] == b'.')
    }
}

/// One label as RFC 1035 and its underscore-prefixed service names allow it: 1 to 63 bytes of
/// letters, digits, `-` and `_`, not starting or ending with `-`.
pub fn check_label(label: &str) -> Result<(), String> {
    if label.is_empty() {
        return Err("it has an empty label (two dots in a row, or a leading dot)".into());
    }
    if label.len() > 63 {
        let shown = crate::text::escape(label);
        return Err(format!("label '{shown}' is {} bytes long; DNS allows 63", label.len()));
    }
    if let Some(c) = label.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "{} is not allowed in a name (letters, digits, '-' and '_' are)",
            crate::text::describe_char(c)
        ));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(format!("label '{label}' starts or ends with '-'"));
    }
    Ok(())
}

impl Deref for DnsName {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for DnsName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for DnsName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DnsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for DnsName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for DnsName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for DnsName {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<DnsName> for &str {
    fn eq(&self, other: &DnsName) -> bool {
        *self == other.0
    }
}

impl From<DnsName> for String {
    fn from(name: DnsName) -> String {
        name.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_name_is_lowercased_and_loses_its_trailing_dot() {
        assert_eq!(DnsName::parse("Mail.Example.COM.").as_deref(), Ok("mail.example.com"));
    }

    #[test]
    fn a_written_name_is_refused_with_the_reason() {
        let refused = |t: &str| DnsName::parse(t).expect_err(t);
        assert_eq!(refused(""), "it is empty");
        assert!(refused("localhost").contains("single label"));
        assert!(refused("a..example").contains("empty label"));
        assert!(refused("-a.example").contains("starts or ends with '-'"));
        assert!(refused("bücher.example").contains("A-labels"));
        assert!(refused(&format!("{}.example", "a".repeat(64))).contains("DNS allows 63"));
        assert!(refused(&format!("{}example", "abcdefgh.".repeat(29))).contains("DNS allows 253"));
        assert!(refused("a b.example").contains("' ' is not allowed"));
    }

    #[test]
    fn a_name_from_the_wire_is_only_normalised() {
        assert_eq!(DnsName::lenient(" Bounce.Salesforce.com. ").as_str(), "bounce.salesforce.com");
    }

    #[test]
    fn within_means_the_zone_itself_or_below_a_label_boundary() {
        let name = DnsName::lenient("a.b.example.com");
        assert!(name.is_within("example.com"));
        assert!(name.is_within("A.B.Example.COM."));
        assert!(!name.is_within("ample.com"));
        assert!(!DnsName::lenient("example.com").is_within("a.example.com"));
    }
}
