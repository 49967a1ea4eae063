//! SPF readiness: exactly one record at the domain, its own syntax, the walk's lookup and void
//! lookup counts with the include tree, and the includes the plan's senders need. Pure.

use serde::Serialize;

use crate::answers::{DomainDns, LookupState};
use crate::name::DnsName;
use crate::plan::Domain;
use crate::record::Finding;
use crate::record::spf::{SpfReport, missing_includes, parse_spf, render_tree, select_spf};

/// The SPF part of readiness.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SpfReadiness {
    /// No error finding, and nothing left unverified.
    pub ok: bool,
    /// The one SPF record at the domain, when there is exactly one.
    pub record: Option<String>,
    /// DNS-querying terms in the whole include tree (limit 10).
    pub lookups: u32,
    /// Lookups that found nothing (limit 2).
    pub void_lookups: u32,
    /// The include/redirect tree, one line per node ([`render_tree`]).
    pub tree: Vec<String>,
    pub findings: Vec<Finding>,
}

pub(super) fn assess(domain: &Domain, dns: &DomainDns, walk: Option<&SpfReport>) -> SpfReadiness {
    let mut findings = Vec::new();
    let answer = &dns.apex_txt;
    if answer.state == LookupState::OutsideZone {
        let why = format!("{} is outside the zone file, so its SPF was not checked", dns.domain);
        findings.push(Finding::warning("spf.unverified", 0..0, why));
        return finish(None, walk, findings);
    }
    if answer.state.is_failure() {
        findings.push(Finding::error(
            "spf.lookup_failed",
            0..0,
            format!(
                "the TXT lookup of {} ended with {} (server {}): SPF cannot be checked, which is \
                 not the same as missing",
                dns.domain,
                answer.state.label(),
                answer.server
            ),
        ));
        return finish(None, walk, findings);
    }
    let selection = select_spf(&answer.txt());
    let declared: Vec<&str> =
        domain.senders.iter().flat_map(|s| &s.spf_includes).map(String::as_str).collect();
    if selection.count == 0 && !declared.is_empty() {
        findings.push(no_record_for_senders(&dns.domain, &declared));
        findings.extend(selection.findings.iter().filter(|f| f.id != "spf.no_record").cloned());
        return finish(None, walk, findings);
    }
    findings.extend(selection.findings.iter().cloned());
    let parsed = selection.record.as_deref().map(parse_spf);
    if let Some(parsed) = &parsed {
        findings.extend(parsed.findings.iter().cloned());
    }
    if let Some(walk) = walk {
        findings.extend(walk.findings.iter().cloned());
    }
    if selection.count <= 1 {
        sender_includes(domain, parsed.as_ref(), &mut findings);
    }
    finish(selection.record, walk, findings)
}

/// No SPF record although the plan declares senders that send through SPF: their mail fails
/// SPF, and the big mailbox providers refuse bulk mail without it.
fn no_record_for_senders(domain: &str, includes: &[&str]) -> Finding {
    let record = includes.iter().map(|i| format!("include:{i}")).collect::<Vec<_>>().join(" ");
    Finding::error(
        "spf.no_record",
        0..0,
        format!(
            "{domain} publishes no SPF record, but the plan's senders need one: publish \
             'v=spf1 {record} -all'. Without it their mail passes DMARC only by DKIM, and Gmail \
             and Yahoo (February 2024) and Outlook.com (May 2025) require bulk senders to \
             publish both SPF and DKIM"
        ),
    )
}

fn finish(
    record: Option<String>,
    walk: Option<&SpfReport>,
    findings: Vec<Finding>,
) -> SpfReadiness {
    SpfReadiness {
        ok: super::Outcome::worst(&findings) == super::Outcome::Ready,
        record,
        lookups: walk.map_or(0, |w| w.lookups),
        void_lookups: walk.map_or(0, |w| w.void_lookups),
        tree: walk.map(|w| render_tree(&w.tree)).unwrap_or_default(),
        findings,
    }
}

/// Each sender's includes: missing is an error for a sender without DKIM (its mail then has no
/// way to pass), a warning for one that signs (aligned DKIM can still pass DMARC).
fn sender_includes(
    domain: &Domain,
    parsed: Option<&crate::record::spf::SpfParsed>,
    findings: &mut Vec<Finding>,
) {
    for sender in &domain.senders {
        let expected: Vec<&str> = sender.spf_includes.iter().map(String::as_str).collect();
        let missing = match parsed {
            Some(p) => missing_includes(p, &expected),
            None => sender.spf_includes.iter().map(|i| DnsName::lenient(i).into()).collect(),
        };
        for include in missing {
            let text =
                format!("the SPF record lacks 'include:{include}' for sender '{}'", sender.name);
            findings.push(if sender.dkim.is_empty() {
                Finding::error(
                    "spf.missing_include",
                    0..0,
                    format!("{text}, which declares no DKIM selector: its mail cannot pass; add the include"),
                )
            } else {
                Finding::warning(
                    "spf.missing_include",
                    0..0,
                    format!("{text}; its mail can pass only by DKIM; add the include"),
                )
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{Answer, LookupState, Rdata, RecordKind, TxtData};
    use crate::plan::{Selector, Sender};

    fn dns_with(state: &LookupState) -> DomainDns {
        let answer = |kind| Answer::now("example.test", kind, state.clone(), "test".into());
        let dmarc = crate::answers::DmarcAt::new("example.test", answer(RecordKind::Txt));
        DomainDns {
            domain: "example.test".into(),
            source: "test".into(),
            dmarc,
            inherited: None,
            apex_txt: answer(RecordKind::Txt),
            mx: answer(RecordKind::Mx),
            dkim: Vec::new(),
            reports: Vec::new(),
        }
    }

    fn txt(texts: &[&str]) -> LookupState {
        let records = texts.iter().map(|t| Rdata::Txt(TxtData(t.as_bytes().to_vec()))).collect();
        LookupState::Found { records, ttl: 60 }
    }

    fn domain(senders: Vec<Sender>) -> Domain {
        Domain {
            name: DnsName::lenient("example.test"),
            ttl: 3600,
            phases: std::sync::Arc::default(),
            senders,
            history: Vec::new(),
        }
    }

    fn sender(include: &str, dkim: bool) -> Sender {
        let dkim =
            if dkim { vec![Selector { name: "s1".into(), cname: None }] } else { Vec::new() };
        Sender { name: "Vendor".into(), spf_includes: vec![include.into()], dkim }
    }

    fn ids(r: &SpfReadiness) -> Vec<(&str, String)> {
        r.findings.iter().map(|f| (f.id, f.severity.to_string())).collect()
    }

    /// (the apex TXT answer, ok, (finding id, severity) in order)
    type Case = (LookupState, bool, &'static [(&'static str, &'static str)]);

    #[test]
    fn the_apex_txt_set_is_judged_without_a_walk() {
        #[rustfmt::skip]
        let cases: &[Case] = &[
            (txt(&["v=spf1 -all"]), true, &[]),
            (txt(&["v=spf1 -all", "v=spf1 ~all"]), false, &[("spf.multiple_records", "error")]),
            (txt(&["v=spf1 +all"]), false, &[("spf.pass_all", "error")]),
            (txt(&["v=spf1 ?all"]), true, &[("spf.neutral_all", "warning")]),
            (txt(&["v=spf1 ip4:192.0.2.1"]), true, &[("spf.no_all", "warning")]),
            (txt(&["hello"]), true, &[("spf.no_record", "warning")]),
            (LookupState::NoData, true, &[("spf.no_record", "warning")]),
            (LookupState::Timeout, false, &[("spf.lookup_failed", "error")]),
        ];
        for (state, ok, want) in cases {
            let r = assess(&domain(Vec::new()), &dns_with(state), None);
            let want: Vec<(&str, String)> =
                want.iter().map(|(i, s)| (*i, (*s).to_string())).collect();
            assert_eq!((r.ok, ids(&r)), (*ok, want), "{state:?}");
        }
    }

    #[test]
    fn a_missing_include_blocks_only_a_sender_without_dkim() {
        let dns = dns_with(&txt(&["v=spf1 include:a.test -all"]));
        for (has_dkim, severity) in [(false, "error"), (true, "warning")] {
            let r = assess(&domain(vec![sender("b.test", has_dkim)]), &dns, None);
            assert_eq!(ids(&r), [("spf.missing_include", severity.to_string())], "{has_dkim}");
        }
        let r = assess(&domain(vec![sender("A.test.", false)]), &dns, None);
        assert!(r.findings.is_empty(), "case and trailing dot do not matter");
    }

    #[test]
    fn no_spf_record_is_not_ready_when_the_plan_declares_spf_senders() {
        for answer in [LookupState::NoData, txt(&["hello"])] {
            let r = assess(&domain(vec![sender("b.test", true)]), &dns_with(&answer), None);
            assert_eq!(ids(&r), [("spf.no_record", "error".to_owned())], "{answer:?}");
            assert!(!r.ok && r.findings[0].message.contains("v=spf1 include:b.test -all"));
            assert!(r.findings[0].message.contains("Outlook.com (May 2025)"));
        }
    }
}
