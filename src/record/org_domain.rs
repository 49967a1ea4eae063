//! Which names an inheriting domain's DMARC record is looked for at: RFC 9989's DNS Tree Walk
//! (draft-ietf-dmarc-dmarcbis-41 §4.10) and RFC 7489's PSL Organizational Domain (§3.2), and
//! the walk's decisions: where it stops and which owner is the Organizational Domain. Pure: the
//! DNS edge asks the names, `answers::TreeWalk` holds what it found.

use crate::name::DnsName;

/// The tree walk's query budget, the Author Domain's own query included (§4.10).
const MAX_QUERIES: usize = 8;

/// The ancestors of `domain` whose `_dmarc` the tree walk asks, nearest first, after the
/// domain's own (which the caller has already asked). With more than 8 labels the walk jumps
/// straight to the last 7, so at most 8 queries are made in all.
///
/// `a.b.c.d.e.f.g.h.i.j.mail.example.com` → `g.h.i.j.mail.example.com`, `h.i.j.mail.example.com`,
/// …, `example.com`, `com`.
pub fn tree_walk_names(domain: &str) -> Vec<String> {
    let domain = DnsName::lenient(domain);
    let labels: Vec<&str> = domain.split('.').collect();
    let first = labels.len().saturating_sub(MAX_QUERIES - 1).max(1);
    (first..labels.len()).map(|i| labels[i..].join(".")).collect()
}

/// The `psd` flag of a DMARC record, when it is `y` or `n`: the only tag the walk needs to
/// know when to stop (§4.10). Full parsing lives in `record::dmarc`.
pub fn psd_flag(record: &str) -> Option<bool> {
    record.split(';').find_map(|part| {
        let (tag, value) = part.split_once('=')?;
        if !tag.trim().eq_ignore_ascii_case("psd") {
            return None;
        }
        match value.trim() {
            "y" => Some(true),
            "n" => Some(false),
            _ => None,
        }
    })
}

/// The Organizational Domain by RFC 9989 §4.10.2, from the single DMARC records found on the
/// walk (owner name and record, longest name first, the Author Domain included):
/// a `psd=n` record's owner; else one label below a `psd=y` owner (unless that owner is the
/// Author Domain itself); else the owner with the fewest labels; else the Author Domain.
pub fn walk_org_domain(domain: &str, found: &[(String, String)]) -> String {
    for (owner, record) in found {
        match psd_flag(record) {
            Some(false) => return owner.clone(),
            Some(true) if owner != domain => return one_label_below(domain, owner),
            _ => {}
        }
    }
    found
        .iter()
        .min_by_key(|(owner, _)| owner.split('.').count())
        .map_or_else(|| domain.to_owned(), |(owner, _)| owner.clone())
}

/// `one_label_below("a.b.example.com", "com") == "example.com"`.
fn one_label_below(domain: &str, ancestor: &str) -> String {
    let labels: Vec<&str> = domain.split('.').collect();
    let keep = ancestor.split('.').count() + 1;
    labels[labels.len().saturating_sub(keep)..].join(".")
}

/// RFC 7489's Organizational Domain from the Public Suffix List, when it differs from `domain`.
pub fn psl_org_domain(domain: &str) -> Option<String> {
    let domain = DnsName::lenient(domain);
    let org = domain.organizational();
    (org != domain).then(|| org.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_name_walks_every_ancestor() {
        assert_eq!(tree_walk_names("a.b.example.com"), ["b.example.com", "example.com", "com"]);
    }

    #[test]
    fn a_long_name_jumps_to_its_last_seven_labels() {
        let names = tree_walk_names("a.b.c.d.e.f.g.h.i.j.mail.example.com");
        assert_eq!(names.first().map(String::as_str), Some("g.h.i.j.mail.example.com"));
        assert_eq!(names.len(), 7);
        assert_eq!(names.last().map(String::as_str), Some("com"));
    }

    #[test]
    fn a_top_level_domain_has_nothing_above_it() {
        assert!(tree_walk_names("com").is_empty());
    }

    #[test]
    fn psd_is_read_from_the_record() {
        let cases = [
            ("v=DMARC1; p=none; psd=y", Some(true)),
            ("v=DMARC1;p=none;PSD = n", Some(false)),
            ("v=DMARC1; p=none; psd=u", None),
            ("v=DMARC1; p=none", None),
        ];
        for (record, want) in cases {
            assert_eq!(psd_flag(record), want, "{record}");
        }
    }

    #[test]
    fn the_org_domain_follows_psd_flags_then_the_shortest_owner() {
        let found = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
        };
        let d = "a.b.example.com";
        let plain = found(&[("b.example.com", "v=DMARC1"), ("example.com", "v=DMARC1")]);
        assert_eq!(walk_org_domain(d, &plain), "example.com");
        let psd_n = found(&[("b.example.com", "v=DMARC1; psd=n"), ("example.com", "v=DMARC1")]);
        assert_eq!(walk_org_domain(d, &psd_n), "b.example.com");
        let psd_y = found(&[("com", "v=DMARC1; psd=y")]);
        assert_eq!(walk_org_domain(d, &psd_y), "example.com");
        assert_eq!(walk_org_domain(d, &[]), d);
    }

    #[test]
    fn the_psl_org_domain_is_none_for_an_org_domain_itself() {
        assert_eq!(psl_org_domain("mail.example.co.uk").as_deref(), Some("example.co.uk"));
        assert_eq!(psl_org_domain("example.co.uk"), None);
    }
}
