//! The one decision every surface shows (`next`, `status`, `check`, the JSON, the TUI): where a
//! domain stands on its ladder, the step to publish next, and whether that step may be published
//! now, with the reasons. Pure: DNS answers, readiness, reports and "today" are parameters.
//!
//! The rules, in the order they apply:
//! - The live phase is found by meaning (what each receiver generation applies), not by text.
//! - A record that matches no phase places the domain at the highest phase not stricter than it.
//! - The step is at most one phase above that place, so no phase is ever skipped.
//! - A step weaker than what is live, for either generation, is refused unless allowed.
//! - What DNS could not tell is unknown, never "no record" and never "ready".

use chrono::NaiveDate;
use serde::Serialize;

pub use crate::record::strength::{Bite, Change, Strength};

use crate::plan::Domain;
use crate::readiness::{Outcome, Readiness};
use crate::record::finding::has_errors;
use crate::record::{DmarcRecord, Finding, Policy, Severity, Tag, parse};
use crate::report::{Corpus, GateState, gate_for};
use crate::rollout::{self, NextStep};

/// What DNS shows at `_dmarc.<domain>`, as the decision needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveDmarc {
    /// The lookup failed, or one the answer depends on did (the walk to the inherited record).
    Unknown { why: String },
    /// No record of its own; the record each receiver generation inherits, if any.
    Absent { rfc7489: Option<String>, rfc9989: Option<String> },
    /// Exactly one record, as published.
    One(String),
    /// Several records: receivers apply none (RFC 7489 §6.6.3 step 5, RFC 9989 §4.10).
    Several(usize),
    /// DNS was not asked (`--offline`): the recorded history stands in for it.
    NotAsked,
}

/// Where a domain is on its ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Position {
    /// No DMARC record of its own (it may inherit one).
    NotStarted,
    /// The live record applies what this phase (0-based) applies. `differs` lists the tags that
    /// differ without changing the policy (report addresses, `fo`, `psd`): the next step
    /// repairs them.
    Live {
        #[serde(serialize_with = "one_based")]
        phase: usize,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        differs: Vec<TagDiff>,
    },
    /// A valid record whose policy matches no phase. `phase` (0-based) is where the domain is
    /// placed: the highest phase that is not stricter than the live record (`None` when every
    /// phase is). `diff` is against that phase, or phase 1.
    Drift {
        #[serde(serialize_with = "one_based_if_any")]
        phase: Option<usize>,
        diff: Vec<TagDiff>,
    },
    /// A record receivers ignore or misread (error findings, or several records).
    Broken,
    /// DNS did not answer, so nothing can be said.
    Unknown,
}

/// Phases are counted from 0 in code and from 1 in the plan; JSON counts as the plan does.
#[expect(clippy::trivially_copy_pass_by_ref, reason = "serde's serialize_with passes a reference")]
fn one_based<S: serde::Serializer>(phase: &usize, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64((*phase as u64) + 1)
}

#[expect(clippy::ref_option, reason = "serde's serialize_with passes a reference")]
fn one_based_if_any<S: serde::Serializer>(phase: &Option<usize>, s: S) -> Result<S::Ok, S::Error> {
    match phase {
        Some(phase) => one_based(phase, s),
        None => s.serialize_none(),
    }
}

impl Position {
    /// The phase (0-based) the domain stands at: live, or placed there after a drift.
    pub fn at(&self) -> Option<usize> {
        match self {
            Self::Live { phase, .. } => Some(*phase),
            Self::Drift { phase, .. } => *phase,
            Self::NotStarted | Self::Broken | Self::Unknown => None,
        }
    }
}

/// One tag whose meaning differs between the live record and the plan (defaults written out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagDiff {
    pub tag: Tag,
    pub live: String,
    pub planned: String,
}

/// Tags that change no disposition: a difference in them is repaired by the next step, not a
/// different phase.
const REPORTING: [Tag; 4] = [Tag::Rua, Tag::Ruf, Tag::Fo, Tag::Psd];

/// What the admin may do with the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Publish it.
    Ready,
    /// Something must be fixed first (readiness, or the step would weaken what is live).
    Blocked,
    /// Wait: the phase's evidence from aggregate reports is not there yet.
    Hold,
    /// DNS did not tell enough to advise anything.
    Unknown,
    /// The last phase is live; nothing further to publish.
    Done,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::Blocked => "blocked",
            Self::Hold => "hold",
            Self::Unknown => "unknown",
            Self::Done => "done",
        }
    }
}

/// Why a step may not be published now. Each kind has its own override, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// A lookup the verdict needs failed. `--force` overrides it, except for the `_dmarc`
    /// lookup itself, without which there is no step at all.
    Unknown,
    /// Readiness has errors.
    NotReady,
    /// Readiness was not verified (not checked, or outside the zone file).
    Unverified,
    /// The phase's evidence gate is closed.
    Evidence,
    /// The step is weaker than the live record.
    Loosening,
}

/// What stands in the way of the step, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Block {
    pub kind: BlockKind,
    pub id: &'static str,
    pub message: String,
}

/// The admin's explicit overrides: `--force` and `--allow-loosen`, or the TUI's second key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Publish despite readiness and evidence.
    pub force: bool,
    /// Publish a step that weakens what is live.
    pub allow_loosen: bool,
}

impl BlockKind {
    /// The word a reason is listed with: `unknown`, `error`, `unverified`, `hold`, `weakens`.
    pub fn word(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::NotReady => "error",
            Self::Unverified => "unverified",
            Self::Evidence => "hold",
            Self::Loosening => "weakens",
        }
    }

    fn overridden_by(self, o: Overrides) -> bool {
        match self {
            Self::Unknown | Self::NotReady | Self::Unverified | Self::Evidence => o.force,
            Self::Loosening => o.allow_loosen,
        }
    }
}

/// When the next step may go live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Due {
    pub date: NaiveDate,
    /// Negative when the step is overdue.
    pub in_days: i64,
}

/// The decision for one domain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Advice {
    pub position: Position,
    /// The step to publish next; `None` when the live state is unknown.
    pub step: Option<NextStep>,
    pub verdict: Verdict,
    /// What stands in the way, most fundamental first.
    pub why: Vec<Block>,
    /// Shown beside the step, not blocking.
    pub warnings: Vec<Finding>,
    /// Every way the step protects less than the live record.
    pub weakens: Vec<Change>,
    /// Every way the live record is stricter than the phase the domain is placed at.
    pub live_stricter: Vec<Change>,
    /// Set when the step repairs the live record (drift, broken, report addresses).
    pub repairs: Option<Repair>,
    pub due: Option<Due>,
    /// The evidence gate in front of the step, when its phase has one.
    pub evidence: Option<GateState>,
}

/// What publishing the step repairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Repair {
    /// The live record's policy matches no phase.
    Drift,
    /// The live record is broken, or there are several.
    Broken,
    /// The live record's report addresses or options differ from the plan's.
    Reporting,
}

impl Repair {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Drift => "the live record matches no phase",
            Self::Broken => "the live record is broken",
            Self::Reporting => "the live record's reporting tags differ from the plan",
        }
    }
}

impl Advice {
    /// Whether the step may be printed or published with these overrides.
    pub fn may_publish(&self, overrides: Overrides) -> bool {
        self.step.is_some() && self.why.iter().all(|b| b.kind.overridden_by(overrides))
    }

    /// The blocks these overrides do not lift.
    pub fn standing_blocks(&self, overrides: Overrides) -> impl Iterator<Item = &Block> {
        self.why.iter().filter(move |b| !b.kind.overridden_by(overrides))
    }
}

/// Everything the decision reads.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub domain: &'a Domain,
    pub live: &'a LiveDmarc,
    /// `None`: readiness was not checked, which is not "ready".
    pub readiness: Option<&'a Readiness>,
    /// Aggregate reports; `None` when none were read, which keeps an evidence gate closed.
    pub reports: Option<&'a Corpus>,
    pub today: NaiveDate,
}

/// The decision.
pub fn decide(inputs: &Inputs<'_>) -> Advice {
    let domain = inputs.domain;
    let (position, live) = place(domain, inputs.live);
    let Some(live) = live else { return unknown(position, inputs.live) };
    let (step, repairs) = choose(domain, &position);
    let target = Strength::of(&domain.phases[step.phase - 1].record);
    let mut advice = Advice {
        live_stricter: position
            .at()
            .map_or_else(Vec::new, |at| live.weakenings(&Strength::of(&domain.phases[at].record))),
        weakens: live.weakenings(&target),
        due: position.at().and_then(|at| due(domain, at, inputs.today)),
        position,
        verdict: Verdict::Ready,
        why: Vec::new(),
        warnings: Vec::new(),
        repairs,
        evidence: None,
        step: None,
    };
    loosening(domain, &step, &mut advice);
    // Only a step that bites harder than what is live needs senders ready and evidence.
    if target.exceeds(&live) && target.enforces() {
        readiness_gate(inputs.readiness, domain, &step, &mut advice);
        advice.evidence = gate_for(domain, &domain.phases[step.phase - 1], summary(inputs, domain));
        if let Some(closed) = advice.evidence.as_ref().filter(|g| !g.open) {
            advice.why.push(evidence_block(step.phase, closed));
        }
    }
    history_warning(domain, &advice.position, inputs.live, &mut advice.warnings);
    advice.verdict = verdict(&advice.why, step.complete);
    advice.step = Some(step);
    advice
}

fn summary<'a>(inputs: &Inputs<'a>, domain: &Domain) -> Option<&'a crate::report::DomainSummary> {
    inputs.reports.and_then(|c| c.domains.get(domain.name.as_str()))
}

fn unknown(position: Position, live: &LiveDmarc) -> Advice {
    let why = match live {
        LiveDmarc::Unknown { why } => why.clone(),
        _ => "the live record could not be read".to_owned(),
    };
    Advice {
        position,
        step: None,
        verdict: Verdict::Unknown,
        why: vec![Block {
            kind: BlockKind::Unknown,
            id: "dns.unknown",
            message: format!("{why}: not safe to advise a step"),
        }],
        warnings: Vec::new(),
        weakens: Vec::new(),
        live_stricter: Vec::new(),
        repairs: None,
        due: None,
        evidence: None,
    }
}

/// Where the domain stands, and the strength of what receivers apply now (`None`: unknown).
fn place(domain: &Domain, live: &LiveDmarc) -> (Position, Option<Strength>) {
    let recorded = rollout::recorded_phase(domain);
    match live {
        LiveDmarc::Unknown { .. } => (Position::Unknown, None),
        LiveDmarc::NotAsked => match recorded {
            Some(phase) => (
                Position::Live { phase, differs: Vec::new() },
                Some(Strength::of(&domain.phases[phase].record)),
            ),
            None => (Position::NotStarted, Some(Strength::nothing())),
        },
        LiveDmarc::Absent { rfc7489, rfc9989 } => (
            Position::NotStarted,
            Some(Strength::inherited(rfc7489.as_deref(), rfc9989.as_deref())),
        ),
        LiveDmarc::Several(_) => (Position::Broken, Some(Strength::nothing())),
        LiveDmarc::One(text) => {
            let strength = Strength::of_text(text);
            let parsed = parse(text);
            let position = match parsed.record.filter(|_| !has_errors(&parsed.findings)) {
                Some(record) => locate(domain, &record, strength, recorded),
                None => Position::Broken,
            };
            (position, Some(strength))
        }
    }
}

/// A valid live record on the ladder: the phase it means exactly, else the phase whose policy
/// it applies, else the highest phase it is not weaker than. Among equals the recorded phase
/// wins, then the lowest, so a phase that differs only in reports is never skipped.
fn locate(
    domain: &Domain,
    record: &DmarcRecord,
    strength: Strength,
    recorded: Option<usize>,
) -> Position {
    let pick = |matches: Vec<usize>| {
        recorded.filter(|r| matches.contains(r)).or_else(|| matches.first().copied())
    };
    let phases = &domain.phases;
    let exact = (0..phases.len()).filter(|&i| phases[i].record.same_meaning(record)).collect();
    if let Some(phase) = pick(exact) {
        return Position::Live { phase, differs: Vec::new() };
    }
    let same_policy =
        (0..phases.len()).filter(|&i| Strength::of(&phases[i].record) == strength).collect();
    if let Some(phase) = pick(same_policy) {
        let differs = diff(record, &phases[phase].record)
            .into_iter()
            .filter(|d| REPORTING.contains(&d.tag))
            .collect();
        return Position::Live { phase, differs };
    }
    let placed =
        (0..phases.len()).rev().find(|&i| strength.covers(&Strength::of(&phases[i].record)));
    let diff = diff(record, &phases[placed.unwrap_or(0)].record);
    Position::Drift { phase: placed, diff }
}

fn diff(live: &DmarcRecord, planned: &DmarcRecord) -> Vec<TagDiff> {
    live.diff(planned)
        .into_iter()
        .map(|(tag, live, planned)| TagDiff { tag, live, planned })
        .collect()
}

/// The step: one phase above where the domain stands (phase 1 when it stands nowhere); a broken
/// record is repaired with the phase the history records.
fn choose(domain: &Domain, position: &Position) -> (NextStep, Option<Repair>) {
    let last = domain.phases.len() - 1;
    match position {
        Position::Live { phase, differs } if *phase == last => {
            let repairs = (!differs.is_empty()).then_some(Repair::Reporting);
            let step = rollout::step(domain, last);
            (NextStep { complete: differs.is_empty(), ..step }, repairs)
        }
        Position::Live { phase, differs } => {
            let repairs = (!differs.is_empty()).then_some(Repair::Reporting);
            (rollout::step(domain, phase + 1), repairs)
        }
        Position::Drift { phase, .. } => {
            let index = phase.map_or(0, |p| (p + 1).min(last));
            (rollout::step(domain, index), Some(Repair::Drift))
        }
        Position::Broken => {
            let recorded = rollout::recorded_phase(domain).unwrap_or(0);
            (rollout::step(domain, recorded), Some(Repair::Broken))
        }
        Position::NotStarted | Position::Unknown => (rollout::step(domain, 0), None),
    }
}

/// A weakening blocks unless the step's phase says `allow_loosen = true`; either way each one
/// is named.
fn loosening(domain: &Domain, step: &NextStep, advice: &mut Advice) {
    if advice.weakens.is_empty() {
        return;
    }
    let words: Vec<String> = advice.weakens.iter().map(Change::describe).collect();
    let message =
        format!("publishing phase {} weakens what is live: {}", step.phase, words.join("; "));
    if domain.phases[step.phase - 1].allow_loosen {
        advice.warnings.push(Finding::warning(
            "advice.loosens",
            0..0,
            format!("{message} (the plan allows it for this phase)"),
        ));
    } else {
        advice.why.push(Block {
            kind: BlockKind::Loosening,
            id: "advice.loosens",
            message: format!("{message}; pass --allow-loosen if that is meant"),
        });
    }
}

/// Readiness in front of an enforcing step: errors block, unverified parts block with their
/// own words, failed lookups leave it unknown.
fn readiness_gate(
    readiness: Option<&Readiness>,
    domain: &Domain,
    step: &NextStep,
    advice: &mut Advice,
) {
    let Some(readiness) = readiness else {
        advice.why.push(Block {
            kind: BlockKind::Unverified,
            id: "readiness.not_checked",
            message: "sender readiness (SPF, DKIM, report addresses) was not checked, so \
                      enforcement cannot be advised"
                .to_owned(),
        });
        return;
    };
    for finding in readiness.findings() {
        let kind = match Outcome::of_finding(finding) {
            Outcome::Unknown => BlockKind::Unknown,
            Outcome::Unverified => BlockKind::Unverified,
            Outcome::NotReady => BlockKind::NotReady,
            Outcome::Ready => {
                if finding.severity == Severity::Warning {
                    advice.warnings.push(finding.clone());
                }
                continue;
            }
        };
        advice.why.push(Block { kind, id: finding.id, message: finding.message.clone() });
    }
    if domain.phases[step.phase - 1].record.p == Some(Policy::Reject) {
        advice.warnings.extend(domain.senders.iter().filter(|s| s.dkim.is_empty()).map(|s| {
            Finding::warning(
                "readiness.spf_only_sender",
                0..0,
                format!(
                    "sender '{}' has no DKIM selector, so its mail passes DMARC only by SPF, \
                     which forwarding breaks (RFC 9989 §7.4); set up DKIM before p=reject",
                    s.name
                ),
            )
        }));
    }
}

/// The block a closed evidence gate makes.
fn evidence_block(phase: usize, gate: &GateState) -> Block {
    // No report days at all usually means none were given.
    let hint = if gate.report_days == 0 { " (read them with --reports PATH)" } else { "" };
    Block {
        kind: BlockKind::Evidence,
        id: "reports.evidence_closed",
        message: format!(
            "phase {phase} asks for evidence from aggregate reports, which is not there yet: {}{hint}",
            gate.what_is_missing.join("; ")
        ),
    }
}

/// Says when the history records a phase above the one DNS shows.
fn history_warning(
    domain: &Domain,
    position: &Position,
    live: &LiveDmarc,
    warnings: &mut Vec<Finding>,
) {
    let Some(recorded) = rollout::recorded_phase(domain) else { return };
    if *live == LiveDmarc::NotAsked || matches!(position, Position::Broken) {
        return;
    }
    if position.at().is_none_or(|at| at < recorded) {
        let shows =
            position.at().map_or_else(|| "no phase".to_owned(), |at| format!("phase {}", at + 1));
        warnings.push(Finding::warning(
            "advice.history_ahead",
            0..0,
            format!(
                "the plan records phase {} as published, but DNS shows {shows}; the step \
                 follows DNS",
                recorded + 1
            ),
        ));
    }
}

fn verdict(why: &[Block], complete: bool) -> Verdict {
    let has = |kinds: &[BlockKind]| why.iter().any(|b| kinds.contains(&b.kind));
    if has(&[BlockKind::Unknown]) {
        Verdict::Unknown
    } else if has(&[BlockKind::NotReady, BlockKind::Unverified, BlockKind::Loosening]) {
        Verdict::Blocked
    } else if has(&[BlockKind::Evidence]) {
        Verdict::Hold
    } else if complete {
        Verdict::Done
    } else {
        Verdict::Ready
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
