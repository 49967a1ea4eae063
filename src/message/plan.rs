//! A verified message beside the plan: which plan domain its From domain falls under, the
//! plan's sender it came through (by the DKIM selector it signed with, the domain its selector
//! points into, or the include its bounce domain is covered by), and whether it passes at the
//! next phase, whose alignment modes may be stricter. The next phase is the decision's own step
//! ([`crate::advice::decide`]), from the plan's history as `next --offline` finds it. Pure.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Method, Verdict, Verification};
use crate::advice::{self, Inputs, LiveDmarc};
use crate::name::DnsName;
use crate::plan::{Domain, Plan};
use crate::record::dkim::signing_domain;
use crate::record::{Alignment, Policy, Receiver, effective};

/// The message as the plan sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanView {
    /// The plan domain the From domain is, or falls under.
    pub domain: String,
    pub sender: Option<Attribution>,
    pub next: Option<NextPhase>,
}

/// The plan's sender a message came through, and how that shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribution {
    pub name: String,
    pub by: String,
}

/// Whether the message passes at the next phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextPhase {
    /// 1-based.
    pub phase: usize,
    pub name: String,
    pub record: String,
    pub adkim: Alignment,
    pub aspf: Alignment,
    /// `DKIM` or `SPF`: the identifier that passes aligned in that phase's modes.
    pub passes_with: Option<&'static str>,
    pub passes: bool,
    /// What RFC 9989 receivers apply to this message's domain when it fails at that phase.
    pub policy: Option<Policy>,
}

/// The message beside `plan`; `None` when its From domain is not in the plan.
pub fn judge(v: &Verification, plan: &Plan, today: NaiveDate) -> Option<PlanView> {
    let from = v.from.as_deref()?;
    let domain = plan
        .domains
        .iter()
        .filter(|d| from == d.name || from.ends_with(&format!(".{}", d.name)))
        .max_by_key(|d| d.name.len())?;
    // A forwarded message may fail at its receiver; the first hop still saw who sent it.
    let sender = v
        .receiver
        .iter()
        .chain(v.arc.first())
        .find_map(|r| attribute(domain, &r.dkim, r.spf.as_ref()));
    let next =
        (v.verdict != Verdict::NoResults).then(|| next_phase(v, domain, from, today)).flatten();
    Some(PlanView { domain: domain.name.to_string(), sender, next })
}

fn next_phase(
    v: &Verification,
    domain: &Domain,
    from: &str,
    today: NaiveDate,
) -> Option<NextPhase> {
    let inputs =
        Inputs { domain, live: &LiveDmarc::NotAsked, readiness: None, reports: None, today };
    let step = advice::decide(&inputs).step?;
    let record = &domain.phases[step.phase - 1].record;
    let adkim = record.adkim.unwrap_or(Alignment::Relaxed);
    let aspf = record.aspf.unwrap_or(Alignment::Relaxed);
    let passes_with = v
        .receiver
        .as_ref()
        .and_then(|r| r.aligned_pass(adkim == Alignment::Strict, aspf == Alignment::Strict));
    let effective = effective(record, Receiver::Rfc9989);
    let policy = if from == domain.name { effective.p } else { effective.sp };
    Some(NextPhase {
        phase: step.phase,
        name: step.phase_name,
        record: step.value,
        adkim,
        aspf,
        passes_with,
        passes: passes_with.is_some(),
        policy,
    })
}

/// The first sender a passing identifier points to: a DKIM selector the plan declares (at the
/// domain, or at the domain its delegated selector points into), then the include covering the
/// SPF bounce domain when that is another organization's.
fn attribute(domain: &Domain, dkim: &[Method], spf: Option<&Method>) -> Option<Attribution> {
    for signature in dkim.iter().filter(|m| m.passes()) {
        let (Some(d), Some(s)) = (signature.domain.as_deref(), signature.selector.as_deref())
        else {
            continue;
        };
        for sender in &domain.senders {
            for selector in &sender.dkim {
                let own = selector.name.eq_ignore_ascii_case(s) && signature.aligned.relaxed;
                let delegated =
                    selector.cname.as_deref().and_then(signing_domain).is_some_and(|k| k == d);
                if own || delegated {
                    let by = if own {
                        format!("its DKIM selector {s} signed as {d}")
                    } else {
                        format!("it signed as {d}, where its selector {} points", selector.name)
                    };
                    return Some(Attribution { name: sender.name.clone(), by });
                }
            }
        }
    }
    let bounce = spf.filter(|m| m.passes())?.domain.as_deref()?;
    let org = |n: &str| DnsName::lenient(n).organizational();
    if org(bounce) == domain.name.organizational() {
        return None;
    }
    domain.senders.iter().find_map(|sender| {
        let include = sender.spf_includes.iter().find(|i| org(i) == org(bounce))?;
        Some(Attribution {
            name: sender.name.clone(),
            by: format!("its mail bounces to {bounce}, which include:{include} covers"),
        })
    })
}
