//! Fixes at the `_dmarc` name and for report destinations: several records (keep the plan's,
//! delete the rest), a CNAME where the plan wants a TXT (delete it, or say the change belongs at
//! the vendor that manages it), a broken record (the corrected value), and the authorization
//! record an external report host must publish. A `_dmarc` value is always the decision's own
//! step, given only when the decision clears it. Pure.

use super::{Action, DEFAULT_TTL, DnsChange, DnsOp, RecordType};
use crate::advice::{Advice, Overrides, Position};
use crate::answers::DomainDns;
use crate::name::DnsName;
use crate::plan::Domain;
use crate::readiness::report_destinations;
use crate::record::finding::has_errors;
use crate::record::{Finding, Severity, parse};
use crate::rollout::NextStep;

/// The ids of the errors that make receivers ignore the `_dmarc` record (several records, the
/// record's own errors), from the domain's findings.
fn error_ids(findings: &[Finding]) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.id.starts_with("dmarc."))
        .map(|f| f.id)
        .collect();
    ids.dedup();
    ids
}

/// The `_dmarc` actions. Nothing when the lookup failed: an unknown record is not fixed.
pub(super) fn actions(
    domain: &Domain,
    dns: &DomainDns,
    findings: &[Finding],
    advice: &Advice,
) -> Vec<Action> {
    let at = &dns.dmarc;
    if at.answer.state.is_failure() || advice.position == Position::Unknown {
        return Vec::new();
    }
    let owner = domain.dmarc_host();
    let step = advice.step.as_ref().filter(|_| advice.may_publish(Overrides::default()));
    if let Some(target) = at.answer.cname_chain.first() {
        let useless = at.records.is_empty() || advice.position == Position::Broken;
        return if useless {
            cname(domain, dns, (target, findings), advice, step)
        } else {
            Vec::new()
        };
    }
    match at.records.as_slice() {
        [one] if advice.position == Position::Broken && has_errors(&parse(one).findings) => {
            let ids = error_ids(findings);
            match step {
                Some(step) => vec![Action::dns(
                    txt(DnsOp::Replace, &owner, &step.value, Some(one), step.ttl),
                    ids,
                    format!(
                        "Receivers ignore or misread the live record; this is phase {} ({}), the \
                         phase the decision repairs it with.",
                        step.phase, step.phase_name
                    ),
                )],
                None => vec![waiting(&owner, ids, advice)],
            }
        }
        many @ [_, _, ..] => several(&owner, (many, at.answer.ttl()), domain, advice, step),
        _ => Vec::new(),
    }
}

/// Several records: keep the one that means the decision's step, delete the others; when none
/// does, the first becomes the step.
fn several(
    owner: &str,
    (records, live_ttl): (&[String], Option<u32>),
    domain: &Domain,
    advice: &Advice,
    step: Option<&NextStep>,
) -> Vec<Action> {
    let ids = vec!["dmarc.multiple_records"];
    let Some(step) = step else { return vec![waiting(owner, ids, advice)] };
    let planned = &domain.phases[step.phase - 1].record;
    let keep = records.iter().position(|r| {
        let parsed = parse(r);
        !has_errors(&parsed.findings) && parsed.record.is_some_and(|rec| rec.same_meaning(planned))
    });
    let mut out = Vec::new();
    if keep.is_none() {
        out.push(Action::dns(
            txt(DnsOp::Replace, owner, &step.value, Some(&records[0]), step.ttl),
            ids.clone(),
            format!(
                "With {} records receivers apply none; none of them is the plan's, so this one \
                 becomes phase {} ({}), the phase the decision repairs it with.",
                records.len(),
                step.phase,
                step.phase_name
            ),
        ));
    }
    let kept = keep.unwrap_or(0);
    let live_ttl = live_ttl.unwrap_or(step.ttl);
    for record in records.iter().enumerate().filter(|(i, _)| *i != kept).map(|(_, r)| r) {
        let why = match keep {
            Some(k) => format!(
                "With {} records receivers apply none. Keep the plan's (phase {}: '{}'), delete \
                 this one.",
                records.len(),
                step.phase,
                records[k]
            ),
            None => "Receivers apply none of several records: delete this one.".to_owned(),
        };
        out.push(Action::dns(txt(DnsOp::Delete, owner, record, None, live_ttl), ids.clone(), why));
    }
    out
}

/// A CNAME at `_dmarc` that leads to no usable record. At another organization a vendor manages
/// the record, so the change belongs there; inside the domain's own organization the CNAME goes
/// and the TXT takes its place.
fn cname(
    domain: &Domain,
    dns: &DomainDns,
    (target, findings): (&str, &[Finding]),
    advice: &Advice,
    step: Option<&NextStep>,
) -> Vec<Action> {
    let owner = domain.dmarc_host();
    let target = DnsName::lenient(target);
    let mut ids = vec!["dmarc.delegated"];
    ids.extend(error_ids(findings));
    let shows = match dns.dmarc.records.len() {
        0 => "no DMARC record".to_owned(),
        1 => "a record receivers ignore".to_owned(),
        n => format!("{n} DMARC records"),
    };
    if target.organizational() != domain.name.organizational() {
        return vec![at_vendor(&owner, &target, &shows, ids, step)];
    }
    let mut out = vec![Action::dns(
        DnsChange {
            op: DnsOp::Delete,
            owner: owner.clone(),
            rtype: RecordType::Cname,
            value: target.to_string(),
            replaces: None,
            ttl: DEFAULT_TTL,
            keeps: Vec::new(),
        },
        ids.clone(),
        format!(
            "{owner} is a CNAME to {target}, which shows {shows}; the plan wants a TXT record \
             there, and a name with a CNAME can hold nothing else."
        ),
    )];
    out.push(match step {
        Some(step) => Action::dns(
            txt(DnsOp::Create, &owner, &step.value, None, step.ttl),
            ids,
            format!(
                "Phase {} ({}), the step the decision gives, in place of the CNAME.",
                step.phase, step.phase_name
            ),
        ),
        None => waiting(&owner, ids, advice),
    });
    out
}

/// The record is managed at a vendor: the change belongs there (or the CNAME goes).
fn at_vendor(
    owner: &str,
    target: &str,
    shows: &str,
    ids: Vec<&'static str>,
    step: Option<&NextStep>,
) -> Action {
    let publish = step.map_or_else(
        || "the record the plan's next step names, once `dmarc-rollout next` clears it".to_owned(),
        |s| format!("'{}' (phase {}, {})", s.value, s.phase, s.phase_name),
    );
    Action::manual(
        format!("the vendor behind {target}"),
        ids,
        format!(
            "{owner} is a CNAME to {target}, which shows {shows}: the record is managed there, \
             so have the vendor publish {publish}; or delete the CNAME and publish the TXT \
             record yourself."
        ),
    )
}

/// The `_dmarc` fix when the decision does not clear its step yet: no value, the reasons.
fn waiting(owner: &str, ids: Vec<&'static str>, advice: &Advice) -> Action {
    let reasons: Vec<&str> = advice.why.iter().map(|b| b.message.as_str()).collect();
    let phase = advice
        .step
        .as_ref()
        .map_or_else(String::new, |s| format!(" (phase {}, {})", s.phase, s.phase_name));
    Action::manual(
        owner,
        ids,
        format!(
            "The record to publish here{phase} waits for the decision: {}. Do the actions above, \
             then run fix again for its value.",
            if reasons.is_empty() { "it is not cleared".to_owned() } else { reasons.join("; ") }
        ),
    )
}

fn txt(op: DnsOp, owner: &str, value: &str, replaces: Option<&String>, ttl: u32) -> DnsChange {
    DnsChange {
        op,
        owner: owner.to_owned(),
        rtype: RecordType::Txt,
        value: value.to_owned(),
        replaces: replaces.cloned(),
        ttl,
        keeps: Vec::new(),
    }
}

/// Each report host at another organization that has not authorized the domain: the record
/// its owner must publish (RFC 7489 §7.1, RFC 9990).
pub(super) fn report_actions(domain: &Domain, dns: &DomainDns) -> Vec<Action> {
    let mut out: Vec<Action> = Vec::new();
    for dest in report_destinations(domain).iter().filter(|d| d.external) {
        let Some(auth) = dns.reports.iter().find(|r| r.host == dest.host) else { continue };
        let owner = format!("{}._report._dmarc.{}", domain.name, dest.host);
        if auth.authorized() != Some(false)
            || out.iter().any(|a| a.dns_change().is_some_and(|c| c.owner == owner))
        {
            continue;
        }
        let mut action = Action::dns(
            txt(DnsOp::Create, &owner, "v=DMARC1", None, DEFAULT_TTL),
            vec!["reports.unauthorized"],
            format!(
                "{} {} sends reports to another organization; receivers deliver them only when \
                 {} agrees by publishing this record in its own zone (or *._report._dmarc.{} \
                 for every domain).",
                dest.tag, dest.uri, dest.host, dest.host
            ),
        );
        action.by = Some(format!("the owner of {}", dest.host));
        out.push(action);
    }
    out
}
