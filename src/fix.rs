//! Fix-it: the concrete actions that make a domain ready. From the plan, the DNS answers,
//! readiness and the one decision ([`crate::advice`]) comes an ordered list of actions: DNS
//! records to create, replace or delete, the Exchange Online commands, and what only a sender's
//! console or another organization can do. Pure: the DNS answers, and the walk of the SPF record
//! this module proposes, are parameters.
//!
//! Nothing here decides which DMARC record to publish: a `_dmarc` fix carries the decision's
//! own step, and only when the decision clears it. What DNS did not answer gets no fix at all.

mod dkim;
mod dmarc;
pub mod render;
mod spf;

use serde::Serialize;

pub use spf::{SpfProposal, spf_proposal};

use crate::advice::Advice;
use crate::answers::{Answer, DomainDns};
use crate::name::DnsName;
use crate::plan::Domain;
use crate::readiness::{Outcome, Readiness};
use crate::record::spf::SpfReport;
use crate::record::{Finding, Severity};

/// TTL of the records a fix creates where neither DNS nor the plan gives one: an hour, which
/// Microsoft asks for on its DKIM CNAMEs.
pub const DEFAULT_TTL: u32 = 3600;

/// What a DNS change does to the record set at its owner name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DnsOp {
    Create,
    /// Replace one record (`replaces`) by another at the same owner and type.
    Replace,
    Delete,
}

/// The record types a fix touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RecordType {
    #[serde(rename = "TXT")]
    Txt,
    #[serde(rename = "CNAME")]
    Cname,
}

impl RecordType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Txt => "TXT",
            Self::Cname => "CNAME",
        }
    }
}

/// One exact change to DNS, as exporters (zone lines, provider formats) consume it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsChange {
    pub op: DnsOp,
    /// Owner name, without the trailing dot.
    pub owner: String,
    #[serde(rename = "type")]
    pub rtype: RecordType,
    /// Create and replace: the new data; delete: the data of the record to delete. TXT data is
    /// the whole text (its character-strings joined); a CNAME target has no trailing dot.
    pub value: String,
    /// Replace: the data of the live record it replaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
    pub ttl: u32,
    /// The other records of this type DNS showed at the owner, which no action touches and
    /// which stay: a format that describes the whole record set must write them too, or
    /// applying it would delete them (the `MS=` verification beside SPF at the apex).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keeps: Vec<String>,
}

/// What an action is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ActionKind {
    /// A record to create, replace or delete.
    Dns(DnsChange),
    /// Exchange Online PowerShell commands, to run in this order.
    ExchangeOnline { commands: Vec<String> },
    /// What the tool cannot write down exactly: a key from a sender's console, a target only
    /// Microsoft can print, a record a vendor manages, a step that waits for the others.
    /// `at` says where it is done; `why` says what to do.
    Manual { at: String },
}

/// One step towards a ready domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    /// 1-based: the order to do the domain's actions in.
    pub order: usize,
    #[serde(flatten)]
    pub kind: ActionKind,
    /// Who has to do it, when not the domain's own admin (the owner of a report host).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The finding ids it fixes.
    pub fixes: Vec<&'static str>,
    /// What it does and why, in a sentence or two.
    pub why: String,
}

impl Action {
    fn new(kind: ActionKind, fixes: Vec<&'static str>, why: impl Into<String>) -> Self {
        Self { order: 0, kind, by: None, fixes, why: why.into() }
    }

    fn dns(change: DnsChange, fixes: Vec<&'static str>, why: impl Into<String>) -> Self {
        Self::new(ActionKind::Dns(change), fixes, why)
    }

    fn manual(at: impl Into<String>, fixes: Vec<&'static str>, why: impl Into<String>) -> Self {
        Self::new(ActionKind::Manual { at: at.into() }, fixes, why)
    }

    /// The DNS change, when the action is one.
    pub fn dns_change(&self) -> Option<&DnsChange> {
        match &self.kind {
            ActionKind::Dns(change) => Some(change),
            _ => None,
        }
    }
}

/// A problem no action here fixes: the finding, to be fixed by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unfixed {
    pub id: &'static str,
    pub message: String,
}

/// Everything that makes one domain ready, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Fixes {
    pub actions: Vec<Action>,
    /// Errors that stand and that no action fixes.
    pub unfixed: Vec<Unfixed>,
    /// Lookups that failed: nothing is suggested for what they hide.
    pub unknown: Vec<String>,
    /// What was not checked (names outside a zone file): it may still need fixing.
    pub unverified: Vec<String>,
}

impl Fixes {
    /// Nothing to do, nothing left standing.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty() && self.unfixed.is_empty()
    }
}

/// Everything the fixes are made from.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub domain: &'a Domain,
    pub dns: &'a DomainDns,
    pub readiness: &'a Readiness,
    /// The domain's findings about its `_dmarc` answers and record ([`crate::standing`]).
    pub findings: &'a [Finding],
    pub advice: &'a Advice,
    /// The walk of the live SPF record (what each include costs).
    pub spf_walk: Option<&'a SpfReport>,
    /// The walk of the record [`spf_proposal`] proposes; `None` when it was not walked.
    pub proposed_spf: Option<&'a SpfReport>,
}

/// The actions for one domain, in the order to do them: DKIM (Exchange Online first, since it
/// prints the targets the CNAMEs need), then SPF, the report authorizations, and `_dmarc` last,
/// since what it may hold depends on the rest being ready.
pub fn fixes(inputs: &Inputs<'_>) -> Fixes {
    let mut actions = dkim::actions(inputs.domain, &inputs.readiness.dkim);
    actions.extend(spf::actions(inputs));
    actions.extend(dmarc::report_actions(inputs.domain, inputs.dns));
    actions.extend(dmarc::actions(inputs.domain, inputs.dns, inputs.findings, inputs.advice));
    for (i, action) in actions.iter_mut().enumerate() {
        action.order = i + 1;
    }
    fill_keeps(&mut actions, inputs.dns);
    let standing = standing_errors(inputs);
    let unfixed = standing
        .into_iter()
        .filter(|f| !actions.iter().any(|a| a.fixes.contains(&f.id)))
        .map(|f| Unfixed { id: f.id, message: f.message })
        .collect();
    let unverified = inputs
        .readiness
        .findings()
        .filter(|f| Outcome::of_finding(f) == Outcome::Unverified)
        .map(|f| f.message.clone())
        .collect();
    Fixes { actions, unfixed, unknown: unknown(inputs), unverified }
}

/// Each TXT change learns the values DNS showed at its owner that no action replaces or
/// deletes. Only a successful answer counts: a failed lookup gave no fix in the first place.
fn fill_keeps(actions: &mut [Action], dns: &DomainDns) {
    let touched: Vec<(String, String)> = actions
        .iter()
        .filter_map(Action::dns_change)
        .filter(|c| c.rtype == RecordType::Txt)
        .flat_map(|c| {
            let old = match c.op {
                DnsOp::Delete => Some(&c.value),
                DnsOp::Create | DnsOp::Replace => c.replaces.as_ref(),
            };
            let owner = DnsName::lenient(&c.owner);
            old.into_iter().chain([&c.value]).map(move |v| (owner.to_string(), v.clone()))
        })
        .collect();
    for action in actions {
        let ActionKind::Dns(change) = &mut action.kind else { continue };
        let owner = DnsName::lenient(&change.owner);
        let Some(answer) = txt_at(dns, &owner).filter(|_| change.rtype == RecordType::Txt) else {
            continue;
        };
        change.keeps = answer
            .txt()
            .into_iter()
            .filter(|v| !touched.iter().any(|(o, t)| *o == *owner && t == v))
            .collect();
    }
}

/// The TXT answer the domain's lookups hold for `owner` (the apex, `_dmarc`, or a report
/// host's authorization name), when it is known to be the set published there.
fn txt_at<'a>(dns: &'a DomainDns, owner: &DnsName) -> Option<&'a Answer> {
    let dmarc = std::iter::once(&dns.dmarc).chain(dns.reports.iter().map(|r| &r.exact));
    let answer = if *owner == DnsName::lenient(&dns.domain) {
        &dns.apex_txt
    } else {
        &dmarc.map(|at| (at, DnsName::lenient(&at.answer.name))).find(|(_, n)| n == owner)?.0.answer
    };
    // Behind a CNAME, the values live at the target, not at `owner`.
    (!answer.state.is_failure() && answer.cname_chain.is_empty()).then_some(answer)
}

/// The errors that keep the domain from being ready: readiness errors and a `_dmarc` name that
/// receivers ignore (several records, a broken one).
fn standing_errors(inputs: &Inputs<'_>) -> Vec<Finding> {
    let readiness =
        inputs.readiness.findings().filter(|f| Outcome::of_finding(f) == Outcome::NotReady);
    let mut errors: Vec<Finding> = readiness.cloned().collect();
    let dmarc = inputs
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.id.starts_with("dmarc."));
    errors.extend(dmarc.cloned());
    errors
}

/// What could not be judged: failed readiness lookups, and a `_dmarc` lookup that failed.
fn unknown(inputs: &Inputs<'_>) -> Vec<String> {
    let mut unknown: Vec<String> = inputs
        .readiness
        .findings()
        .filter(|f| Outcome::of_finding(f) == Outcome::Unknown)
        .map(|f| f.message.clone())
        .collect();
    if inputs.dns.dmarc.answer.state.is_failure() {
        unknown.push(format!(
            "the lookup of _dmarc.{} failed ({}): its record cannot be fixed from here",
            inputs.dns.domain,
            inputs.dns.dmarc.answer.state.label()
        ));
    }
    unknown
}
