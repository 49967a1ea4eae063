//! Where each domain stands: the plan beside what DNS answered. The phase that is live (matched
//! on meaning), not started, drift with a tag-by-tag diff, broken, or unknown because DNS did
//! not answer; the step to publish next and when it is due. Pure: DNS answers and "today" are
//! parameters.

mod findings;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::dns::{DomainDns, Existence, LookupState};
use crate::plan::Domain;
use crate::readiness::Readiness;
use crate::record::finding::has_errors;
use crate::record::{Finding, Policy, Receiver, Tag, parse};
use crate::report::{Corpus, GateState, gate_for};
use crate::rollout::{self, NextStep};

/// Where a domain is on its ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Position {
    /// No DMARC record of its own (it may inherit one).
    NotStarted,
    /// The live record means the same as this phase (0-based).
    Live { phase: usize },
    /// A valid record that matches no phase; `phase` is the closest one.
    Drift { phase: usize, diff: Vec<TagDiff> },
    /// A record receivers ignore or misread (error findings, or several records).
    Broken,
    /// DNS did not answer, so nothing can be said.
    Unknown,
}

/// One tag whose meaning differs between the live record and the plan (defaults written out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagDiff {
    pub tag: String,
    pub live: String,
    pub planned: String,
}

/// The `_dmarc` lookup as scripts and screens need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DmarcState {
    /// One of `found nxdomain nodata servfail refused timeout error`.
    pub state: String,
    /// Every `v=DMARC1` record at `_dmarc.<domain>`, joined, as published.
    pub records: Vec<String>,
    /// Owner name of the record that applies (the domain, or the ancestor it inherits from) at
    /// an RFC 9989 receiver (DNS tree walk).
    pub source: Option<String>,
    /// The same at an RFC 7489 receiver (organizational domain from the Public Suffix List).
    pub source_rfc7489: Option<String>,
    pub inherited: bool,
    /// The policy that applies to this domain's own mail at an RFC 9989 receiver: its record's
    /// `p`, or, inherited, the ancestor's `sp` (or `np` when the domain does not exist).
    pub policy: Option<Policy>,
    pub ttl: Option<u32>,
    pub server: String,
    /// When the answer arrived.
    pub at: DateTime<Utc>,
    /// CNAME targets followed from `_dmarc.<domain>` (a vendor managing the record).
    pub cname_chain: Vec<String>,
}

/// When the next step may go live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Due {
    pub date: NaiveDate,
    /// Negative when the step is overdue.
    pub in_days: i64,
}

/// Everything known about one domain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    pub name: String,
    pub dmarc: DmarcState,
    pub position: Position,
    /// Name of the live phase, when one is live.
    pub phase_name: Option<String>,
    /// Next step to publish; when DNS did not answer it follows the recorded history.
    pub next: NextStep,
    pub due: Option<Due>,
    pub findings: Vec<Finding>,
    /// Whether senders can pass once enforcing; `None` until the readiness lookups are in
    /// (see [`crate::readiness::assess`]).
    pub readiness: Option<Readiness>,
    /// The evidence gate in front of the next step (aggregate reports), when its phase has one.
    pub evidence: Option<GateState>,
}

impl Standing {
    /// The live phase, 1-based, as scripts see it.
    pub fn phase(&self) -> Option<usize> {
        match self.position {
            Position::Live { phase } => Some(phase + 1),
            _ => None,
        }
    }

    pub fn is_drift(&self) -> bool {
        matches!(self.position, Position::Drift { .. })
    }

    pub fn dns_failed(&self) -> bool {
        self.position == Position::Unknown
    }

    /// Any lookup failed: the `_dmarc` one, or one readiness needed.
    pub fn lookups_failed(&self) -> bool {
        self.dns_failed() || self.readiness.as_ref().is_some_and(Readiness::lookup_failed)
    }
}

/// Puts a domain's plan beside its DNS answers.
pub fn standing(domain: &Domain, dns: &DomainDns, today: NaiveDate) -> Standing {
    let dmarc = dmarc_state(dns);
    let mut findings = findings::dns_findings(dns);
    let position = position(domain, dns, &mut findings);
    let recorded = rollout::recorded_phase(domain);
    let (next, current) = match &position {
        Position::Live { phase } => (rollout::next_step(domain, Some(*phase)), Some(*phase)),
        Position::NotStarted => (rollout::next_step(domain, None), None),
        Position::Unknown => (rollout::next_step(domain, recorded), recorded),
        // Off the ladder: the way back is the recorded phase, else the closest one.
        Position::Drift { phase, .. } => (rollout::step(domain, recorded.unwrap_or(*phase)), None),
        Position::Broken => (rollout::step(domain, recorded.unwrap_or(0)), None),
    };
    let due = current.and_then(|c| due(domain, c, today));
    let phase_name = match position {
        Position::Live { phase } => domain.phases.get(phase).map(|p| p.name.clone()),
        _ => None,
    };
    Standing {
        name: domain.name.clone(),
        dmarc,
        position,
        phase_name,
        next,
        due,
        findings,
        readiness: None,
        evidence: None,
    }
}

/// When the phase after `current` (0-based) is due, from the date `current` was recorded.
pub fn due(domain: &Domain, current: usize, today: NaiveDate) -> Option<Due> {
    if current + 1 >= domain.phases.len() {
        return None;
    }
    let published = rollout::published_on(domain, current)?;
    let date = rollout::due_date(domain, current, published)?;
    Some(Due { date, in_days: (date - today).num_days() })
}

fn position(domain: &Domain, dns: &DomainDns, findings: &mut Vec<Finding>) -> Position {
    if dns.dmarc.answer.state.is_failure() {
        return Position::Unknown;
    }
    let record = match dns.dmarc.records.as_slice() {
        [] => return Position::NotStarted,
        [one] => one,
        _ => return Position::Broken,
    };
    let parsed = parse(record);
    findings.extend(parsed.findings.iter().cloned());
    let Some(live) = parsed.record.as_ref().filter(|_| !has_errors(&parsed.findings)) else {
        return Position::Broken;
    };
    if let Some(phase) = rollout::matching_phase(domain, live) {
        return Position::Live { phase };
    }
    let (phase, diff) = rollout::closest_phase(domain, live);
    let diff = diff.into_iter().map(|(tag, live, planned)| tag_diff(tag, live, planned)).collect();
    Position::Drift { phase, diff }
}

fn tag_diff(tag: Tag, live: String, planned: String) -> TagDiff {
    TagDiff { tag: tag.name().to_owned(), live, planned }
}

fn dmarc_state(dns: &DomainDns) -> DmarcState {
    let answer = &dns.dmarc.answer;
    DmarcState {
        state: state_name(&answer.state),
        records: dns.dmarc.records.clone(),
        source: dns.applies_from().map(str::to_owned),
        source_rfc7489: dns.applies_from_psl().map(str::to_owned),
        inherited: dns.dmarc.single().is_none() && dns.applies_from().is_some(),
        policy: applied_policy(dns),
        ttl: answer.ttl(),
        server: answer.server.clone(),
        at: answer.at,
        cname_chain: answer.cname_chain.clone(),
    }
}

/// RFC 9989 §4.10.1: own `p`; inherited, `sp` for an existing subdomain and `np` for one that
/// does not exist, each falling back to `p`.
fn applied_policy(dns: &DomainDns) -> Option<Policy> {
    if let Some(own) = dns.dmarc.single() {
        return parse(own).effective(Receiver::Rfc9989).p;
    }
    let inherited = dns.inherited.as_ref()?;
    let owner = dns.applies_from()?;
    let at = inherited.tree_walk.steps.iter().find(|s| s.owner == owner)?;
    let effective = parse(at.single()?).effective(Receiver::Rfc9989);
    match inherited.domain_exists {
        Existence::DoesNotExist => effective.np,
        Existence::Exists | Existence::Unknown => effective.sp,
    }
}

/// The JSON name of a lookup state.
pub fn state_name(state: &LookupState) -> String {
    match state {
        LookupState::Found { .. } => "found".into(),
        LookupState::NxDomain => "nxdomain".into(),
        LookupState::NoData => "nodata".into(),
        LookupState::ServerError(code) => match code.to_ascii_lowercase().as_str() {
            "servfail" => "servfail".into(),
            "refused" => "refused".into(),
            _ => "error".into(),
        },
        LookupState::Timeout => "timeout".into(),
        // What the zone's authoritative server would answer.
        LookupState::OutsideZone => "refused".into(),
        LookupState::Error(_) => "error".into(),
    }
}

/// The evidence gate in front of `next`, judged on the domain's aggregate reports (`None`: no
/// reports were read, which leaves a gate closed). `None` when the phase asks for no evidence
/// or the rollout is complete.
pub fn evidence_gate(
    domain: &Domain,
    next: &NextStep,
    corpus: Option<&Corpus>,
) -> Option<GateState> {
    if next.complete {
        return None;
    }
    let phase = domain.phases.get(next.phase.checked_sub(1)?)?;
    gate_for(phase, corpus.and_then(|c| c.domains.get(&domain.name)))
}
