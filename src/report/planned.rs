//! The plan's side of the evidence: which senders a domain's plan declares, as hints to name
//! report sources by, and the evidence gate a phase asks for. Pure.

use super::judge::{EvidenceGate, GateState, SenderHint};
use super::model::DomainSummary;
use crate::name::DnsName;
use crate::plan::{Domain, Gate, Phase};
use crate::record::dkim::signing_domain;

impl EvidenceGate {
    /// The plan's gate in the reader's terms (the plan writes the pass rate as a share, 0.0–1.0,
    /// the reader compares percent); `None` when the phase asks for no evidence.
    pub fn from_plan(gate: &Gate) -> Option<Self> {
        if gate.min_report_days.is_none() && gate.min_pass_rate.is_none() {
            return None;
        }
        // Rounded to a millionth of a percent so that a share like 0.57 reads as 57%, not
        // 56.99999999999999%.
        let percent = |share: f64| (share * 1e8).round() / 1e6;
        Some(Self {
            min_report_days: gate.min_report_days,
            min_pass_rate: gate.min_pass_rate.map(percent),
            senders: gate.senders,
        })
    }
}

/// The state of the evidence gate in front of `domain`'s `phase`, or `None` when the phase has
/// no gate. `summary` is the domain's evidence (`None`: no reports at all).
pub fn gate_for(
    domain: &Domain,
    phase: &Phase,
    summary: Option<&DomainSummary>,
) -> Option<GateState> {
    let gate = EvidenceGate::from_plan(&phase.gate)?;
    Some(gate.check(summary, &sender_hints(domain)))
}

/// Hints to name the sources of `domain`'s reports by, most telling first.
///
/// A sender is known by the domains it authenticates as when it is not using the plan domain:
/// the organizational domain of each SPF include (`_spf.salesforce.com` bounces from
/// `*.salesforce.com`) and the domain a delegated DKIM selector points into
/// (`insight24.onmicrosoft.com`, which Exchange Online signs with before custom DKIM is on).
/// Mail that passes only as the plan domain itself is named after the senders that sign as it
/// (those with DKIM selectors), joined with " or " when there are several: the report does not
/// say which of them sent it.
pub fn sender_hints(domain: &Domain) -> Vec<SenderHint> {
    let own = domain.name.as_str();
    let mut hints: Vec<SenderHint> = domain
        .senders
        .iter()
        .map(|s| {
            let spf =
                s.spf_includes.iter().map(|i| String::from(DnsName::lenient(i).organizational()));
            let dkim =
                s.dkim.iter().filter_map(|sel| sel.cname.as_deref()).filter_map(signing_domain);
            let mut domains: Vec<String> = spf.chain(dkim).filter(|d| !is_within(d, own)).collect();
            domains.sort();
            domains.dedup();
            SenderHint { name: s.name.clone(), domains }
        })
        .filter(|h| !h.domains.is_empty())
        .collect();
    let signers: Vec<&str> =
        domain.senders.iter().filter(|s| !s.dkim.is_empty()).map(|s| s.name.as_str()).collect();
    if !signers.is_empty() {
        hints.push(SenderHint { name: signers.join(" or "), domains: vec![own.to_owned()] });
    }
    hints
}

fn is_within(name: &str, domain: &str) -> bool {
    name == domain || name.strip_suffix(domain).is_some_and(|head| head.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Selector, Sender};

    fn sender(name: &str, spf: &[&str], dkim: &[(&str, Option<&str>)]) -> Sender {
        Sender {
            name: name.into(),
            spf_includes: spf.iter().map(|s| (*s).to_owned()).collect(),
            dkim: dkim
                .iter()
                .map(|(n, c)| Selector { name: (*n).into(), cname: c.map(str::to_owned) })
                .collect(),
        }
    }

    fn domain(senders: Vec<Sender>) -> Domain {
        Domain {
            name: DnsName::lenient("insight24.nl"),
            ttl: 3600,
            phases: std::sync::Arc::default(),
            senders,
            history: Vec::new(),
        }
    }

    #[test]
    fn senders_are_known_by_their_include_and_key_domains_then_by_the_plan_domain() {
        let exo = sender(
            "Exchange Online",
            &["spf.protection.outlook.com"],
            &[("selector1", Some("selector1-insight24-nl._domainkey.insight24.onmicrosoft.com."))],
        );
        let sf = sender("Salesforce", &["_spf.salesforce.com"], &[]);
        let own = sender("Own server", &["_spf.insight24.nl"], &[("mail", None)]);
        let hints = sender_hints(&domain(vec![exo, sf, own]));
        let got: Vec<(&str, Vec<&str>)> = hints
            .iter()
            .map(|h| (h.name.as_str(), h.domains.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            got,
            [
                ("Exchange Online", vec!["insight24.onmicrosoft.com", "outlook.com"]),
                ("Salesforce", vec!["salesforce.com"]),
                ("Exchange Online or Own server", vec!["insight24.nl"]),
            ]
        );
    }

    #[test]
    fn a_plan_share_becomes_a_percent_and_no_bars_is_no_gate() {
        let gate = Gate { min_report_days: Some(14), min_pass_rate: Some(0.57), ..Gate::default() };
        let evidence = EvidenceGate::from_plan(&gate).expect("a gate");
        assert_eq!(evidence.min_pass_rate, Some(57.0));
        assert_eq!(evidence.min_report_days, Some(14));
        assert_eq!(EvidenceGate::from_plan(&Gate::default()), None);
    }

    #[test]
    fn a_phase_without_a_gate_has_no_gate_state() {
        let phase = Phase {
            name: "monitor".into(),
            record: crate::record::DmarcRecord::default(),
            soak_days: 0,
            allow_loosen: false,
            gate: Gate::default(),
        };
        let domain = Domain {
            name: DnsName::lenient("example.com"),
            ttl: 3600,
            phases: std::sync::Arc::default(),
            senders: Vec::new(),
            history: Vec::new(),
        };
        assert_eq!(gate_for(&domain, &phase, None), None);
        let gate = Gate { min_report_days: Some(3), ..Gate::default() };
        let gated = Phase { gate, ..phase };
        let state = gate_for(&domain, &gated, None).expect("a gate");
        assert_eq!(
            (state.open, state.what_is_missing),
            (false, vec!["3 more days of reports".into()])
        );
    }
}
