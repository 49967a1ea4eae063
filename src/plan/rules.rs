//! Checks on plan values that are not DMARC tags: names and the shape of the ladder. Pure.

use crate::name::{DnsName, check_label};
use crate::record::strength::{Change, Strength};
use crate::record::{DmarcRecord, Tag, edit_distance};

/// A domain a plan rolls DMARC out for: a valid name whose `_dmarc.` owner name still fits
/// DNS's 253 bytes.
pub fn policy_domain(name: &str) -> Result<DnsName, String> {
    let name = DnsName::parse(name)?;
    let max = 253 - "_dmarc.".len();
    if name.len() > max {
        return Err(format!(
            "it is {} bytes long; with `_dmarc.` in front it must fit DNS's 253, so at most {max}",
            name.len()
        ));
    }
    Ok(name)
}

/// A DKIM selector: one or more labels, placed before `._domainkey.` (RFC 6376 §3.1).
pub fn selector_name(name: &str) -> Result<String, String> {
    if name.is_empty() || !name.is_ascii() {
        return Err("a selector is one or more ASCII labels such as selector1".into());
    }
    name.split('.').try_for_each(check_label)?;
    Ok(name.to_ascii_lowercase())
}

/// The nearest allowed word within two edits, for "did you mean" hints.
pub fn closest<'a>(word: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (edit_distance(word, a), *a))
        .filter(|(d, _)| *d <= 2 && *d < word.len().max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

/// How a phase weakens the one before it, and which tags did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loosening {
    pub tags: Vec<Tag>,
    pub what: String,
}

/// `Some` when `next` protects less than `prev` for either receiver generation, by the same
/// comparison the next-step decision uses ([`Strength`]): a weaker `p`, `sp` or `np`, a smaller
/// applied `pct`, test mode (`t=y` lowers `p`, `sp` and `np` alike, RFC 9989 §4.7), or relaxed
/// alignment.
pub fn loosening(prev: &DmarcRecord, next: &DmarcRecord) -> Option<Loosening> {
    let changes = Strength::of(prev).weakenings(&Strength::of(next));
    if changes.is_empty() {
        return None;
    }
    let tags = changes.iter().filter_map(|c| cause(prev, next, c.tag)).collect();
    let words: Vec<String> = changes.iter().map(Change::describe).collect();
    Some(Loosening { tags, what: words.join("; ") })
}

/// The tag a weakening of `tag` comes from, for pointing at it: the policy tag itself when
/// its value dropped, else `pct` or `t` (the same policy applied to less mail, or tested).
fn cause(prev: &DmarcRecord, next: &DmarcRecord, tag: &str) -> Option<Tag> {
    let (a, b) = (prev.with_defaults(), next.with_defaults());
    let tag = Tag::from_name(tag)?;
    if a.get(tag) != b.get(tag) {
        return Some(tag);
    }
    [Tag::Pct, Tag::T].into_iter().find(|t| a.get(*t) != b.get(*t)).or(Some(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_of_tags_find_the_tag() {
        let tags = ["p", "rua", "ruf", "pct", "soak_days"];
        assert_eq!(closest("rau", &tags), Some("rua"));
        assert_eq!(closest("soak_day", &tags), Some("soak_days"));
        assert_eq!(closest("zzzzzz", &tags), None);
    }
}
