//! Where each domain stands: the plan beside what DNS answered, readiness and reports, with the
//! one decision ([`crate::advice`]) on what to publish next. Pure: DNS answers and "today" are
//! parameters.

mod findings;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::advice::{self, Inputs, LiveDmarc};
pub use crate::advice::{Advice, Due, Position, TagDiff, Verdict};
use crate::answers::{DomainDns, Existence, LookupState};
use crate::fix::Fixes;
use crate::plan::Domain;
use crate::readiness::Readiness;
use crate::record::{Finding, Policy, Receiver, parse};
use crate::report::Corpus;

/// How the `_dmarc` lookup ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lookup {
    Found,
    Nxdomain,
    Nodata,
    Servfail,
    Refused,
    Timeout,
    Error,
}

impl Lookup {
    pub fn of(state: &LookupState) -> Self {
        match state {
            LookupState::Found { .. } => Self::Found,
            LookupState::NxDomain => Self::Nxdomain,
            LookupState::NoData => Self::Nodata,
            LookupState::ServerError(code) if code.eq_ignore_ascii_case("servfail") => {
                Self::Servfail
            }
            // A name outside a zone file: what the zone's authoritative server would answer.
            LookupState::ServerError(code) if code.eq_ignore_ascii_case("refused") => Self::Refused,
            LookupState::OutsideZone => Self::Refused,
            LookupState::ServerError(_) | LookupState::Error(_) => Self::Error,
            LookupState::Timeout => Self::Timeout,
        }
    }

    /// The name scripts see: `found nxdomain nodata servfail refused timeout error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Found => "found",
            Self::Nxdomain => "nxdomain",
            Self::Nodata => "nodata",
            Self::Servfail => "servfail",
            Self::Refused => "refused",
            Self::Timeout => "timeout",
            Self::Error => "error",
        }
    }

    /// True when DNS answered: a record, or a definite "nothing here".
    pub fn answered(self) -> bool {
        matches!(self, Self::Found | Self::Nxdomain | Self::Nodata)
    }
}

/// The `_dmarc` lookup as scripts and screens need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DmarcState {
    pub state: Lookup,
    /// Every `v=DMARC1` record at `_dmarc.<domain>`, joined, as published.
    pub records: Vec<String>,
    /// Records meant as DMARC that receivers discard (`v=dmarc1`, a leading space, …).
    pub botched: Vec<String>,
    /// Owner name of the record that applies (the domain, or the ancestor it inherits from) at
    /// an RFC 9989 receiver (DNS tree walk).
    pub source: Option<String>,
    /// The same at an RFC 7489 receiver (organizational domain from the Public Suffix List).
    pub source_rfc7489: Option<String>,
    pub inherited: bool,
    /// The policy that applies to this domain's own mail at an RFC 9989 receiver: its record's
    /// `p`, or, inherited, the ancestor's `sp` (or `np` when the domain does not exist).
    pub policy: Option<Policy>,
    /// The same at an RFC 7489 receiver: its record's `p`, or, inherited from the PSL
    /// organizational domain, that record's `sp` (RFC 7489 knows no `np`).
    pub policy_rfc7489: Option<Policy>,
    /// The TTL as the server sent it.
    pub ttl: Option<u32>,
    /// The TTL resolvers use: 0 for a value with the top bit set (RFC 2181 §8).
    pub ttl_used: Option<u32>,
    pub server: String,
    /// When the answer arrived.
    pub at: DateTime<Utc>,
    /// CNAME targets followed from `_dmarc.<domain>` (a vendor managing the record).
    pub cname_chain: Vec<String>,
}

/// Everything known about one domain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    pub name: String,
    pub dmarc: DmarcState,
    /// Name of the live phase, when one is live.
    pub phase_name: Option<String>,
    pub findings: Vec<Finding>,
    /// Whether senders can pass once enforcing; `None` when it was not checked.
    pub readiness: Option<Readiness>,
    /// Where the domain stands and what to publish next, with the verdict.
    pub advice: Advice,
    /// What makes the domain ready ([`crate::fix`]); empty until the pipeline fills it in.
    pub fixes: Fixes,
}

impl Standing {
    pub fn position(&self) -> &Position {
        &self.advice.position
    }

    /// The live phase, 1-based, as scripts see it.
    pub fn phase(&self) -> Option<usize> {
        match self.advice.position {
            Position::Live { phase, .. } => Some(phase + 1),
            _ => None,
        }
    }

    pub fn is_drift(&self) -> bool {
        matches!(self.advice.position, Position::Drift { .. })
    }

    pub fn dns_failed(&self) -> bool {
        self.advice.position == Position::Unknown
    }

    /// Any lookup the verdict needs failed: the `_dmarc` one, or one readiness needed.
    pub fn lookups_failed(&self) -> bool {
        self.dns_failed() || self.readiness.as_ref().is_some_and(Readiness::lookup_failed)
    }
}

/// Puts a domain's plan beside its DNS answers, readiness (`None`: not checked) and reports.
pub fn standing(
    domain: &Domain,
    dns: &DomainDns,
    readiness: Option<Readiness>,
    reports: Option<&Corpus>,
    today: NaiveDate,
) -> Standing {
    let mut findings = findings::dns_findings(dns);
    let meant: Vec<&String> = dns.dmarc.meant().collect();
    if let [one] = meant.as_slice() {
        findings.extend(parse(one).findings);
    }
    let live = live_dmarc(dns);
    let advice = advice::decide(&Inputs {
        domain,
        live: &live,
        readiness: readiness.as_ref(),
        reports,
        today,
    });
    let phase_name = match advice.position {
        Position::Live { phase, .. } => domain.phases.get(phase).map(|p| p.name.clone()),
        _ => None,
    };
    Standing {
        name: domain.name.to_string(),
        dmarc: dmarc_state(dns),
        phase_name,
        findings,
        readiness,
        advice,
        fixes: Fixes::default(),
    }
}

/// The decision's view of the `_dmarc` answers.
pub fn live_dmarc(dns: &DomainDns) -> LiveDmarc {
    let answer = &dns.dmarc.answer;
    if answer.state.is_failure() {
        return LiveDmarc::Unknown {
            why: format!("the _dmarc lookup ended with {}", Lookup::of(&answer.state).as_str()),
        };
    }
    // A botched record counts as the domain's record: receivers discard it, so it is broken,
    // and the step repairs it.
    match dns.dmarc.meant().collect::<Vec<_>>().as_slice() {
        [] => {}
        [one] => return LiveDmarc::One((*one).clone()),
        many => return LiveDmarc::Several(many.len()),
    }
    let Some(inherited) = &dns.inherited else {
        return LiveDmarc::Unknown {
            why: "what the domain inherits from its parents could not be looked up".to_owned(),
        };
    };
    if !inherited.tree_walk.is_certain() {
        return LiveDmarc::Unknown {
            why: "a lookup on the way to the record the domain inherits failed".to_owned(),
        };
    }
    let text =
        |at: Option<&crate::answers::DmarcAt>| at.and_then(|a| a.single()).map(str::to_owned);
    LiveDmarc::Absent {
        rfc7489: text(inherited.psl.as_ref()),
        rfc9989: text(inherited.tree_walk.applies()),
    }
}

fn dmarc_state(dns: &DomainDns) -> DmarcState {
    let answer = &dns.dmarc.answer;
    DmarcState {
        state: Lookup::of(&answer.state),
        records: dns.dmarc.records.clone(),
        botched: dns.dmarc.botched.clone(),
        source: dns.applies_from().map(str::to_owned),
        source_rfc7489: dns.applies_from_psl().map(str::to_owned),
        inherited: dns.dmarc.single().is_none() && dns.applies_from().is_some(),
        policy: applied_policy(dns),
        policy_rfc7489: applied_policy_rfc7489(dns),
        ttl: answer.ttl(),
        ttl_used: answer.ttl().map(crate::answers::ttl_used),
        server: answer.server.clone(),
        at: answer.at,
        cname_chain: answer.cname_chain.clone(),
    }
}

/// RFC 7489 §6.6.3: own `p`; inherited from the PSL organizational domain, its `sp`.
fn applied_policy_rfc7489(dns: &DomainDns) -> Option<Policy> {
    if let Some(own) = dns.dmarc.single() {
        return parse(own).effective(Receiver::Rfc7489).p;
    }
    let psl = dns.inherited.as_ref()?.psl.as_ref()?;
    parse(psl.single()?).effective(Receiver::Rfc7489).sp
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
