//! The view model the screen is drawn from: plain data per domain, built from the plan and then
//! replaced by whatever the loader finds in DNS. Pure.

use chrono::NaiveDate;

use crate::plan::Domain;
use crate::record::{DmarcRecord, Finding, Policy, Severity, Tag};
use crate::rollout::{NextStep, next_step, published_on, recorded_phase};

/// What DNS said about a domain's `_dmarc` record. A timeout is a failure, never "no record".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Live {
    /// The lookup has not answered yet.
    Pending,
    Found {
        value: String,
        ttl: u32,
        /// The server that answered, e.g. `127.0.0.1:53`.
        server: String,
        /// The owner name the record came from.
        source: String,
        /// True when the record came from the organizational domain, not the domain itself.
        inherited: bool,
    },
    /// The name has no DMARC record: `NXDOMAIN` or `NODATA`.
    Missing { state: String },
    /// The lookup failed: `timeout`, `SERVFAIL`, `REFUSED`, …
    Failed { state: String },
}

/// Where the live record puts the domain on its ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    NotStarted,
    /// The live record means the same as this phase (0-based).
    Live(usize),
    /// The live record matches no phase; `closest` (0-based) differs by `diff`:
    /// `(tag, live value, planned value)`.
    Drift {
        closest: usize,
        diff: Vec<(Tag, String, String)>,
    },
    /// A record is published but receivers cannot use it.
    Broken,
    /// Not known yet (lookup pending or failed).
    Unknown,
}

/// One step of the ladder as the table shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LadderRow {
    /// 1-based, as the plan numbers phases.
    pub number: usize,
    pub name: String,
    pub policy: String,
    /// `pct` and `t`, e.g. `50 / n`.
    pub pct_t: String,
    /// What an RFC 7489 receiver applies, e.g. `quarantine 50%, rest none`.
    pub rfc7489: String,
    /// What an RFC 9989 receiver applies, e.g. `quarantine 100%`.
    pub rfc9989: String,
    pub soak_days: u32,
    pub published: Option<NaiveDate>,
    /// The phase's full TXT value, for the details overlay.
    pub value: String,
}

/// A readiness check shown as-is: `(label, severity, text)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    pub label: String,
    pub severity: Severity,
    pub text: String,
}

/// Everything shown about one domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainView {
    pub name: String,
    pub live: Live,
    pub position: Position,
    pub ladder: Vec<LadderRow>,
    pub next: NextStep,
    /// What publishing `next` changes versus live: `(tag, from, to)`.
    pub changes: Vec<(Tag, String, String)>,
    pub findings: Vec<Finding>,
    /// E.g. `due in 5 days`, `due since 2026-11-20`.
    pub due: Option<String>,
    pub readiness: Vec<Readiness>,
}

/// The bottom line: where lookups go and how fresh the screen is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatusLine {
    /// E.g. `system resolver`, `nameservers 127.0.0.1:5353`, `zone file plans/x.zone`.
    pub target: String,
    /// Wall-clock time of the last refresh, already formatted.
    pub last_refresh: Option<String>,
}

/// How a ladder step relates to what is live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    Done,
    LiveNow,
    /// The live record is near this step but differs.
    Drifted,
    Next,
    Later,
}

impl StepState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::LiveNow => "live now",
            Self::Drifted => "drift",
            Self::Next => "next",
            Self::Later => "later",
        }
    }
}

/// The plan-only view of a domain: ladder and next step from the recorded history, live
/// state pending.
pub fn initial_view(domain: &Domain) -> DomainView {
    let current = recorded_phase(domain);
    let ladder = domain
        .phases
        .iter()
        .enumerate()
        .map(|(i, phase)| LadderRow {
            number: i + 1,
            name: phase.name.clone(),
            policy: phase.record.p.unwrap_or(Policy::None).to_string(),
            pct_t: pct_t(&phase.record),
            rfc7489: rfc7489_effect(&phase.record),
            rfc9989: rfc9989_effect(&phase.record),
            soak_days: phase.soak_days,
            published: published_on(domain, i),
            value: crate::record::render::render(&phase.record),
        })
        .collect();
    DomainView {
        name: domain.name.clone(),
        live: Live::Pending,
        position: Position::Unknown,
        ladder,
        next: next_step(domain, current),
        changes: Vec::new(),
        findings: Vec::new(),
        due: None,
        readiness: Vec::new(),
    }
}

fn pct_t(record: &DmarcRecord) -> String {
    let pct = record.pct.map_or_else(|| "-".to_owned(), |p| p.to_string());
    let t = record.t.map_or("-", |t| if t { "y" } else { "n" });
    format!("{pct} / {t}")
}

/// RFC 7489 §6.6.4: `pct` samples the share the policy applies to; the rest gets one level
/// below.
pub fn rfc7489_effect(record: &DmarcRecord) -> String {
    let p = record.p.unwrap_or(Policy::None);
    match record.pct.unwrap_or(100) {
        100 => format!("{p} 100%"),
        _ if p == Policy::None => format!("{p} 100%"),
        pct => format!("{p} {pct}%, rest {}", p.one_below()),
    }
}

/// RFC 9989 §4.7: `pct` is gone; `t=y` asks for one level below the stated policy.
pub fn rfc9989_effect(record: &DmarcRecord) -> String {
    let p = record.p.unwrap_or(Policy::None);
    let applied = if record.t == Some(true) { p.one_below() } else { p };
    format!("{applied} 100%")
}

/// Each ladder step's state given where the live record stands and what is next.
pub fn step_state(view: &DomainView, row: usize) -> StepState {
    let next = (!view.next.complete).then(|| view.next.phase - 1);
    let current = match &view.position {
        Position::Live(i) => Some((*i, StepState::LiveNow)),
        Position::Drift { closest, .. } => Some((*closest, StepState::Drifted)),
        Position::NotStarted | Position::Broken | Position::Unknown => None,
    };
    match current {
        Some((i, state)) if row == i => state,
        _ if next == Some(row) => StepState::Next,
        Some((i, _)) if row < i => StepState::Done,
        None if view.ladder.get(row).is_some_and(|r| r.published.is_some()) => StepState::Done,
        _ => StepState::Later,
    }
}

/// The one-line summary of a domain in the list: where it stands, DNS trouble, when due.
pub fn summary(view: &DomainView) -> String {
    let phases = view.ladder.len();
    let mut parts = vec![match &view.live {
        Live::Pending => "looking up…".to_owned(),
        Live::Failed { state } => format!("DNS {state}"),
        Live::Missing { state } => format!("no record ({state})"),
        Live::Found { .. } => live_policy(view),
    }];
    match &view.position {
        Position::NotStarted => parts.push("not started".to_owned()),
        Position::Live(i) => parts.push(format!("phase {}/{phases}", i + 1)),
        Position::Drift { closest, diff } => {
            let tags = if diff.len() == 1 { "tag" } else { "tags" };
            parts.push(format!("DRIFT near {} ({} {tags})", closest + 1, diff.len()));
        }
        Position::Broken => parts.push("BROKEN".to_owned()),
        Position::Unknown => {}
    }
    parts.extend(view.due.clone());
    parts.join(" · ")
}

fn live_policy(view: &DomainView) -> String {
    match &view.position {
        Position::Drift { diff, .. } if diff.iter().any(|(t, ..)| *t == Tag::P) => diff
            .iter()
            .find(|(t, ..)| *t == Tag::P)
            .map(|(_, live, _)| live.clone())
            .unwrap_or_default(),
        Position::Live(i) | Position::Drift { closest: i, .. } => {
            view.ladder.get(*i).map_or_else(String::new, |r| r.policy.clone())
        }
        _ => "published".to_owned(),
    }
}
