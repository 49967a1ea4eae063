//! The view model the screen is drawn from: plain data per domain, built from the plan and then
//! replaced by whatever the loader finds in DNS. Pure.

mod reports;

pub use reports::report_rows;

use std::sync::Arc;

use chrono::NaiveDate;

use crate::advice::{self, Due};
pub use crate::advice::{Advice, Position, Verdict};
use crate::fix::Action;
use crate::plan::{Domain, Phase};
use crate::readiness::Outcome;
use crate::record::{DmarcRecord, Finding, Policy, Receiver, Severity, Tag, effective, parse};
use crate::rollout::{NextStep, published_on};
use crate::standing::{Lookup, Standing};

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
    /// More than one record meant as DMARC: receivers apply none of them.
    Several { values: Vec<String> },
}

/// One step of the ladder as the table shows it. The texts are shared (`Arc<str>`): the
/// domains of a shared ladder all show the same ones, and 10,000 domains copy them without
/// writing them out 10,000 times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LadderRow {
    /// 1-based, as the plan numbers phases.
    pub number: usize,
    pub name: Arc<str>,
    pub policy: Arc<str>,
    /// `pct` and `t`, e.g. `50 / n`.
    pub pct_t: Arc<str>,
    /// What an RFC 7489 receiver applies, e.g. `quarantine 50%, rest none`.
    pub rfc7489: Arc<str>,
    /// What an RFC 9989 receiver applies, e.g. `quarantine 100%`.
    pub rfc9989: Arc<str>,
    pub soak_days: u32,
    pub published: Option<NaiveDate>,
    /// The phase's full TXT value, for the details overlay.
    pub value: Arc<str>,
}

/// A readiness check shown as-is: `(label, severity, text)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    pub label: String,
    pub severity: Severity,
    pub text: String,
}

/// The SPF include/redirect tree, drawn collapsed to one line until expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpfTree {
    /// DNS-querying terms in the whole tree (limit 10).
    pub lookups: u32,
    /// One line per node, indented by depth.
    pub lines: Vec<String>,
}

/// One dated step of a domain's timeline: `(phase, when)`, e.g. `(2, "2026-10-15")` or
/// `(3, "due in 5 days")`.
pub type Milestone = (usize, String);

/// Everything shown about one domain.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainView {
    pub name: String,
    pub live: Live,
    /// The one decision on this domain; `None` until its lookups are in. Boxed: it is most of
    /// a view's size, and every view of a 10,000-domain first frame has none yet.
    pub advice: Option<Box<Advice>>,
    pub ladder: Vec<LadderRow>,
    /// What publishing the next step changes versus live: `(tag, from, to)`.
    pub changes: Vec<(Tag, String, String)>,
    pub findings: Vec<Finding>,
    pub readiness: Vec<Readiness>,
    /// `None` until the readiness lookups are in, or when the domain has no single SPF record.
    pub spf_tree: Option<SpfTree>,
    /// What makes the domain ready, in order ([`crate::fix`]); empty until the lookups are in.
    pub fixes: Vec<Action>,
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

impl DomainView {
    /// Where the domain stands; unknown until the lookups are in.
    pub fn position(&self) -> &Position {
        self.advice.as_ref().map_or(&Position::Unknown, |a| &a.position)
    }

    /// The step to publish next, when one can be advised.
    pub fn next(&self) -> Option<&NextStep> {
        self.advice.as_ref()?.step.as_ref()
    }

    /// `None` while the lookups are pending.
    pub fn verdict(&self) -> Option<Verdict> {
        self.advice.as_ref().map(|a| a.verdict)
    }

    /// E.g. `due in 5 days`, `due since 2026-11-20`.
    pub fn due(&self) -> Option<String> {
        self.advice.as_ref()?.due.map(due_text)
    }
}

/// The plan-only view of a domain: the ladder with its recorded dates, live state and the
/// decision pending.
pub fn initial_view(domain: &Domain) -> DomainView {
    plan_only(domain, ladder_rows(domain))
}

/// [`initial_view`] of every domain of a plan. Domains that share a ladder, as most of a plan
/// does, share the work of describing it: each step's text is written once and then copied,
/// with each domain's own publication dates.
pub fn initial_views(domains: &[Domain]) -> Vec<DomainView> {
    let mut described: Option<(&Arc<[Phase]>, Vec<LadderRow>)> = None;
    domains
        .iter()
        .map(|domain| {
            let ladder = match &described {
                Some((phases, rows))
                    if Arc::ptr_eq(phases, &domain.phases) || phases[..] == domain.phases[..] =>
                {
                    rows.iter()
                        .enumerate()
                        .map(|(i, row)| LadderRow {
                            published: published_on(domain, i),
                            ..row.clone()
                        })
                        .collect()
                }
                _ => {
                    let rows = ladder_rows(domain);
                    described = Some((&domain.phases, rows.clone()));
                    rows
                }
            };
            plan_only(domain, ladder)
        })
        .collect()
}

fn ladder_rows(domain: &Domain) -> Vec<LadderRow> {
    domain
        .phases
        .iter()
        .enumerate()
        .map(|(i, phase)| LadderRow {
            number: i + 1,
            name: phase.name.as_str().into(),
            policy: phase.record.p.unwrap_or(Policy::None).to_string().into(),
            pct_t: pct_t(&phase.record).into(),
            rfc7489: effective(&phase.record, Receiver::Rfc7489).summary().into(),
            rfc9989: effective(&phase.record, Receiver::Rfc9989).summary().into(),
            soak_days: phase.soak_days,
            published: published_on(domain, i),
            value: crate::record::render::render(&phase.record).into(),
        })
        .collect()
}

/// A domain as the plan alone describes it, before any lookup.
fn plan_only(domain: &Domain, ladder: Vec<LadderRow>) -> DomainView {
    DomainView {
        name: domain.name.as_str().to_owned(),
        live: Live::Pending,
        advice: None,
        ladder,
        changes: Vec::new(),
        findings: Vec::new(),
        readiness: Vec::new(),
        spf_tree: None,
        fixes: Vec::new(),
    }
}

fn pct_t(record: &DmarcRecord) -> String {
    let pct = record.pct.map_or_else(|| "-".to_owned(), |p| p.to_string());
    let t = record.t.map_or("-", |t| if t { "y" } else { "n" });
    format!("{pct} / {t}")
}

/// Each ladder step's state given where the live record stands and what is next.
pub fn step_state(view: &DomainView, row: usize) -> StepState {
    let next = view.next().filter(|n| !n.complete).map(|n| n.phase - 1);
    let current = match view.position() {
        Position::Live { phase, .. } => Some((*phase, StepState::LiveNow)),
        Position::Drift { phase: Some(placed), .. } => Some((*placed, StepState::Drifted)),
        Position::Drift { phase: None, .. }
        | Position::NotStarted
        | Position::Broken
        | Position::Unknown => None,
    };
    match current {
        Some((i, state)) if row == i => state,
        _ if next == Some(row) => StepState::Next,
        Some((i, _)) if row < i => StepState::Done,
        None if view.ladder.get(row).is_some_and(|r| r.published.is_some()) => StepState::Done,
        _ => StepState::Later,
    }
}

/// The one-line summary of a domain in the list: where it stands and DNS trouble (the list
/// shows the due date in a column of its own).
pub fn summary(view: &DomainView) -> String {
    let phases = view.ladder.len();
    let mut parts = vec![match &view.live {
        Live::Pending => "looking up…".to_owned(),
        Live::Failed { state } => format!("DNS {state}"),
        Live::Several { values } => format!("{} DMARC records", values.len()),
        Live::Missing { state } => format!("no record ({state})"),
        Live::Found { .. } => live_policy(view),
    }];
    match view.position() {
        Position::NotStarted => parts.push("not started".to_owned()),
        Position::Live { phase, .. } => parts.push(format!("phase {}/{phases}", phase + 1)),
        Position::Drift { phase, diff } => {
            let tags = if diff.len() == 1 { "tag" } else { "tags" };
            let at = phase.map_or_else(|| "below 1".to_owned(), |p| format!("at {}", p + 1));
            parts.push(format!("DRIFT {at} ({} {tags})", diff.len()));
        }
        Position::Broken => parts.push("BROKEN".to_owned()),
        Position::Unknown => {}
    }
    parts.join(" · ")
}

fn live_policy(view: &DomainView) -> String {
    match view.position() {
        Position::Drift { diff, .. } if diff.iter().any(|d| d.tag == Tag::P) => {
            diff.iter().find(|d| d.tag == Tag::P).map(|d| d.live.clone()).unwrap_or_default()
        }
        Position::Live { phase: i, .. } | Position::Drift { phase: Some(i), .. } => {
            view.ladder.get(*i).map_or_else(String::new, |r| r.policy.to_string())
        }
        _ => "published".to_owned(),
    }
}

/// The full view of a domain once its lookups are in: the plan-only view with the live record,
/// its position, what publishing the next step changes, findings, due date and readiness.
pub fn from_standing(domain: &Domain, s: &Standing) -> DomainView {
    DomainView {
        live: live(s),
        changes: changes(s),
        advice: Some(Box::new(s.advice.clone())),
        findings: s.findings.clone(),
        readiness: s
            .readiness
            .as_ref()
            .map(readiness_rows)
            .unwrap_or_default()
            .into_iter()
            .chain(evidence_row(&s.advice))
            .collect(),
        spf_tree: s.readiness.as_ref().and_then(spf_tree),
        fixes: s.fixes.actions.clone(),
        ..initial_view(domain)
    }
}

fn due_text(d: Due) -> String {
    match d.in_days {
        n if n > 0 => format!("due in {}", crate::text::count(n.unsigned_abs(), "day")),
        0 => "due today".to_owned(),
        _ => format!("due since {}", d.date),
    }
}

/// The view after `domain`'s history changed (a step was recorded): each step's date and the
/// due date of the next one follow the new history; live state stays as it was.
pub fn with_history(view: &mut DomainView, domain: &Domain, today: NaiveDate) {
    for (i, row) in view.ladder.iter_mut().enumerate() {
        row.published = published_on(domain, i);
    }
    if let Some(advice) = &mut view.advice
        && let Position::Live { phase, .. } = advice.position
    {
        advice.due = advice::due(domain, phase, today);
    }
}

/// The domain's history in date order (a phase recorded twice counts at its latest date), the
/// live phase if it is not recorded (`m` records it), then the next step with its due date (`next` when none is known), unless the ladder is done.
pub fn timeline(view: &DomainView) -> Vec<Milestone> {
    let mut done: Vec<(NaiveDate, usize)> =
        view.ladder.iter().filter_map(|r| Some((r.published?, r.number))).collect();
    done.sort_unstable();
    let mut steps: Vec<Milestone> =
        done.into_iter().map(|(date, phase)| (phase, date.to_string())).collect();
    if let Position::Live { phase, .. } = view.position()
        && view.ladder.get(*phase).is_some_and(|r| r.published.is_none())
    {
        steps.push((phase + 1, "live, not recorded".to_owned()));
    }
    if let Some(next) = view.next().filter(|n| !n.complete) {
        steps.push((next.phase, view.due().unwrap_or_else(|| "next".to_owned())));
    }
    steps
}

fn live(s: &Standing) -> Live {
    let dmarc = &s.dmarc;
    let meant: Vec<String> = dmarc.records.iter().chain(&dmarc.botched).cloned().collect();
    match (dmarc.state, meant.as_slice()) {
        (Lookup::Found, [value]) => Live::Found {
            value: value.clone(),
            ttl: dmarc.ttl.unwrap_or_default(),
            server: dmarc.server.clone(),
            source: dmarc.source.clone().unwrap_or_default(),
            inherited: false,
        },
        (Lookup::Found, records) if records.len() > 1 => Live::Several { values: records.to_vec() },
        (Lookup::Found | Lookup::Nxdomain | Lookup::Nodata, _) => match &dmarc.source {
            Some(owner) if dmarc.inherited => Live::Found {
                value: inherited_text(owner, dmarc.policy, dmarc.policy_rfc7489),
                ttl: dmarc.ttl.unwrap_or_default(),
                server: dmarc.server.clone(),
                source: owner.clone(),
                inherited: true,
            },
            // TXT records were found, but none of them is DMARC.
            _ if dmarc.state == Lookup::Found => {
                Live::Missing { state: "no DMARC record".to_owned() }
            }
            _ => Live::Missing { state: dmarc.state.as_str().to_ascii_uppercase() },
        },
        (state, _) => Live::Failed { state: state.as_str().to_owned() },
    }
}

/// `(inherited from _dmarc.example.com: quarantine)`, with the RFC 7489 policy beside it
/// when the two generations apply different ones.
fn inherited_text(owner: &str, rfc9989: Option<Policy>, rfc7489: Option<Policy>) -> String {
    match (rfc9989, rfc7489) {
        (Some(p), Some(old)) if old != p => {
            format!("(inherited from _dmarc.{owner}: {p}; RFC 7489 receivers: {old})")
        }
        (Some(p), _) => format!("(inherited from _dmarc.{owner}: {p})"),
        (None, _) => format!("(inherited from _dmarc.{owner})"),
    }
}

/// What publishing the next step changes against the live record, tag by tag.
/// Nothing when DNS did not answer or holds several records: a diff against a record nobody
/// has seen, or against one of many, would mislead.
fn changes(s: &Standing) -> Vec<(Tag, String, String)> {
    let Some(step) = s.advice.step.as_ref() else { return Vec::new() };
    let live = match s.dmarc.records.as_slice() {
        [one] => parse(one).record.unwrap_or_default(),
        [] => DmarcRecord::default(),
        _ => return Vec::new(),
    };
    let next = parse(&step.value).record.unwrap_or_default();
    live.diff(&next)
}

fn spf_tree(r: &crate::readiness::Readiness) -> Option<SpfTree> {
    let spf = &r.spf;
    (!spf.tree.is_empty()).then(|| SpfTree { lookups: spf.lookups, lines: spf.tree.clone() })
}

/// Readiness as rows: one per part, then each warning and error (the SPF tree is apart).
fn readiness_rows(r: &crate::readiness::Readiness) -> Vec<Readiness> {
    let mut rows: Vec<Readiness> = r
        .parts()
        .into_iter()
        .map(|(label, outcome, text)| Readiness {
            label: label.to_owned(),
            severity: match outcome {
                Outcome::Ready => Severity::Info,
                Outcome::Unverified => Severity::Warning,
                Outcome::NotReady | Outcome::Unknown => Severity::Error,
            },
            // The severity says ok or not ready; the two "not known" outcomes say so in words.
            text: match outcome {
                Outcome::Ready | Outcome::NotReady => text,
                Outcome::Unverified | Outcome::Unknown => format!("{} ({text})", outcome.as_str()),
            },
        })
        .collect();
    rows.extend(r.findings().filter(|f| f.severity >= Severity::Warning).map(|f| Readiness {
        label: f.id.to_owned(),
        severity: f.severity,
        text: f.message.clone(),
    }));
    rows
}

/// The evidence gate in front of the next step, as a readiness row.
fn evidence_row(advice: &Advice) -> Option<Readiness> {
    let (gate, step) = (advice.evidence.as_ref()?, advice.step.as_ref()?);
    Some(Readiness {
        label: "evidence".to_owned(),
        severity: if gate.open { Severity::Info } else { Severity::Error },
        text: format!("phase {}: {}", step.phase, gate.summary()),
    })
}

/// The actions that fix a readiness row: those naming its finding id; for a part's row (`SPF`,
/// `DKIM`, `reports`), every action fixing a finding of that part.
pub fn fixes_for<'a>(view: &'a DomainView, row: &Readiness) -> Vec<&'a Action> {
    let part = match row.label.as_str() {
        "SPF" => Some("spf."),
        "DKIM" => Some("dkim."),
        "reports" => Some("reports."),
        _ => None,
    };
    let fixes = |id: &str| part.map_or(id == row.label, |prefix| id.starts_with(prefix));
    view.fixes.iter().filter(|a| a.fixes.iter().any(|id| fixes(id))).collect()
}
