//! Findings from the DNS answers themselves, apart from the record's own text: several
//! records, unrelated TXT, servers that disagree, delegation, inheritance. Pure.

use crate::answers::{Answer, DomainDns, LookupState};
use crate::record::Finding;

/// What the DNS answers themselves say, apart from the record's own text.
pub(super) fn dns_findings(dns: &DomainDns) -> Vec<Finding> {
    let at = &dns.dmarc;
    let mut findings = Vec::new();
    if let Some(f) = lookup_failure(&at.answer) {
        findings.push(f);
    }
    let meant = at.meant().count();
    if meant > 1 {
        findings.push(Finding::error(
            "dmarc.multiple_records",
            0..0,
            format!(
                "_dmarc.{} has {meant} DMARC records, so receivers apply none of them: keep exactly one",
                dns.domain,
            ),
        ));
    }
    if !at.other_txt.is_empty() {
        findings.push(Finding::warning(
            "dmarc.unrelated_txt",
            0..0,
            format!(
                "_dmarc.{} also holds {} TXT record(s) that are not DMARC; receivers skip them, but some mishandle them: remove them",
                dns.domain,
                at.other_txt.len()
            ),
        ));
    }
    if !at.answer.disagreeing.is_empty() {
        let others: Vec<String> = at
            .answer
            .disagreeing
            .iter()
            .map(|a| format!("{} answers {}", a.server, summary(a)))
            .collect();
        findings.push(Finding::warning(
            "dns.propagating",
            0..0,
            format!(
                "the authoritative servers disagree on _dmarc.{}: {} answers {}, {}; a change is \
                 still propagating",
                dns.domain,
                at.answer.server,
                summary(&at.answer),
                others.join(", ")
            ),
        ));
    }
    if let Some(vendor) = at.answer.cname_chain.last() {
        // A TXT cannot sit beside a CNAME (RFC 1034 §3.6.2): publishing the plan's record here
        // fails, or silently shadows the vendor's, until the CNAME goes.
        findings.push(Finding::warning(
            "dmarc.delegated",
            0..0,
            format!(
                "_dmarc.{} is a CNAME to {vendor}: the record is managed there, and a TXT \
                 published at _dmarc.{} conflicts with the CNAME: change the record at the \
                 vendor, or remove the CNAME first",
                dns.domain, dns.domain
            ),
        ));
    }
    if dns.apex_txt.state == LookupState::NxDomain {
        findings.push(Finding::error(
            "dns.domain_missing",
            0..0,
            format!(
                "{} does not exist in DNS (NXDOMAIN): a typo in the plan, or a domain not \
                 registered or not delegated yet",
                dns.domain
            ),
        ));
    }
    findings.extend(inheritance_findings(dns));
    findings
}

/// What one server answered, briefly: its DMARC record, or the state.
fn summary(answer: &Answer) -> String {
    match answer.txt().iter().find(|t| t.starts_with("v=DMARC1")) {
        Some(record) => format!("'{record}'"),
        None => answer.state.label().to_owned(),
    }
}

fn lookup_failure(answer: &Answer) -> Option<Finding> {
    let what = match &answer.state {
        LookupState::Timeout => "timed out".to_owned(),
        LookupState::ServerError(code) => format!("was answered with {code}"),
        LookupState::Error(e) => format!("failed: {e}"),
        LookupState::OutsideZone => match answer.cname_chain.last() {
            Some(target) => format!("leads by CNAME to {target}, outside the zone file"),
            None => "is outside the zone file".to_owned(),
        },
        _ => return None,
    };
    Some(Finding::error(
        "dns.lookup_failed",
        0..0,
        format!(
            "the lookup of {} TXT {what} (server {}): the live state is unknown, not missing",
            answer.name, answer.server
        ),
    ))
}

/// What the walk above a domain without its own record says: who applies, whether the two
/// generations of receivers agree, and whether a failed step leaves that unknown.
fn inheritance_findings(dns: &DomainDns) -> Vec<Finding> {
    let at = &dns.dmarc;
    let mut findings = Vec::new();
    let walk_certain = dns.inherited.as_ref().is_some_and(|i| i.tree_walk.is_certain());
    if at.records.is_empty() && walk_certain && dns.applies_from() != dns.applies_from_psl() {
        let name = |o: Option<&str>| o.map_or_else(|| "none".to_owned(), |o| format!("_dmarc.{o}"));
        findings.push(Finding::warning(
            "dmarc.generations_disagree",
            0..0,
            format!(
                "{} has no record of its own, and the receivers disagree on which applies: RFC 9989 \
                 receivers (tree walk) use {}, RFC 7489 receivers (Public Suffix List) use {}; \
                 publish a record for {} itself",
                dns.domain,
                name(dns.applies_from()),
                name(dns.applies_from_psl()),
                dns.domain
            ),
        ));
    }
    if let Some(failed) = dns.inherited.as_ref().and_then(|i| {
        let walk = &i.tree_walk;
        walk.steps
            .iter()
            .take_while(|s| s.single().is_none())
            .find(|s| s.answer.state.is_unanswered())
    }) {
        findings.push(Finding::warning(
            "dmarc.inheritance_unknown",
            0..0,
            format!(
                "the lookup of _dmarc.{} ended with {}, so whether a parent domain's policy applies \
                 to {} is unknown; look again before publishing a weaker record",
                failed.owner,
                failed.answer.state.label(),
                dns.domain
            ),
        ));
    }
    if at.records.is_empty()
        && !at.answer.state.is_failure()
        && let Some(owner) = dns.applies_from()
    {
        findings.push(Finding::info(
            "dmarc.inherited",
            0..0,
            format!(
                "{} has no record of its own; the record at _dmarc.{owner} applies to it",
                dns.domain
            ),
        ));
    }
    findings
}
