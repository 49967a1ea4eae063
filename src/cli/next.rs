//! `next`: the exact record to publish next, for people and for scripts. Only the value goes
//! to stdout; every remark goes to stderr.

use std::io::{self, Write};

use serde::Serialize;

use super::{Format, days, to_json};
use crate::exits;
use chrono::NaiveDate;

use crate::plan::Domain;
use crate::readiness::{self, Gate, Readiness};
use crate::record::Finding;
use crate::report::{Corpus, GateState};
use crate::rollout::{self, NextStep};
use crate::standing::{self, Due, Position, Standing};
use crate::text::escape;

/// A step with what the admin should know before publishing it.
pub struct Planned {
    pub step: NextStep,
    pub due: Option<Due>,
    /// Phase (1-based) the step starts from, for the remarks.
    pub from: Option<usize>,
    /// Set when DNS could not say what is live.
    pub dns_failed: bool,
    /// Set when a lookup readiness needed failed: a hold is then "unknown", not "not ready".
    pub readiness_unknown: bool,
    /// A drift or broken record the step repairs.
    pub repairs: Option<&'static str>,
    /// Readiness in front of the step (empty offline, for `p=none`, and at the last phase).
    pub gate: Gate,
}

impl Planned {
    pub fn from_standing(s: &Standing, domain: &Domain) -> Self {
        let repairs = match s.position {
            Position::Drift { .. } => Some("the live record matches no phase"),
            Position::Broken => Some("the live record is broken"),
            _ => None,
        };
        Self {
            step: s.next.clone(),
            due: s.due,
            from: s.phase(),
            dns_failed: s.dns_failed(),
            readiness_unknown: s.readiness.as_ref().is_some_and(Readiness::lookup_failed),
            repairs,
            gate: gate(s, domain),
        }
    }

    /// From the history recorded in the plan alone; the evidence gate still applies, since it
    /// needs no DNS.
    pub fn offline(domain: &Domain, today: NaiveDate, reports: Option<&Corpus>) -> Self {
        let current = rollout::recorded_phase(domain);
        let step = rollout::next_step(domain, current);
        let mut gate = Gate::default();
        if let Some(closed) = standing::evidence_gate(domain, &step, reports) {
            gate.blocking.extend(evidence_block(step.phase, &closed));
        }
        Self {
            step,
            due: current.and_then(|c| standing::due(domain, c, today)),
            from: current.map(|c| c + 1),
            dns_failed: false,
            readiness_unknown: false,
            repairs: None,
            gate,
        }
    }

    /// Blocked, and not overridden with `--force`.
    fn held(&self, force: bool) -> bool {
        self.gate.is_blocked() && !force
    }
}

/// The gate in front of the step: readiness, and the evidence its phase asks for. A step that
/// is already live (the last phase) is not gated.
fn gate(s: &Standing, domain: &Domain) -> Gate {
    let phase = s.next.phase.checked_sub(1).and_then(|i| domain.phases.get(i));
    let mut gate = match (&s.readiness, phase) {
        (Some(r), Some(phase)) if !s.next.complete => readiness::gate(r, domain, phase),
        _ => Gate::default(),
    };
    if let Some(closed) = &s.evidence {
        gate.blocking.extend(evidence_block(s.next.phase, closed));
    }
    gate
}

/// The finding a closed evidence gate blocks the step with.
fn evidence_block(phase: usize, gate: &GateState) -> Option<Finding> {
    if gate.open {
        return None;
    }
    // No report days at all usually means none were given.
    let hint = if gate.report_days == 0 { " (read them with --reports PATH)" } else { "" };
    Some(Finding::error(
        "reports.evidence_closed",
        0..0,
        format!(
            "phase {phase} asks for evidence from aggregate reports, which is not there yet: {}{hint}",
            gate.what_is_missing.join("; ")
        ),
    ))
}

#[derive(Serialize)]
struct Json<'a> {
    #[serde(flatten)]
    step: &'a NextStep,
    due: Option<chrono::NaiveDate>,
    due_in_days: Option<i64>,
}

/// Prints each step that may be published (every step with `force`); a blocked step is named on
/// stderr with what blocks it, left off stdout, and makes the exit code 7.
pub fn run(
    planned: &[Planned],
    format: Format,
    force: bool,
    out: &mut impl Write,
    err: &mut impl Write,
) -> io::Result<u8> {
    for p in planned {
        remarks(p, err)?;
        gate_remarks(p, force, err)?;
    }
    // A failed lookup is the root cause of anything else, so it keeps its own code.
    let unknown = |p: &Planned| p.dns_failed || (p.readiness_unknown && p.held(force));
    let code = if planned.iter().any(unknown) {
        exits::DNS
    } else if planned.iter().any(|p| p.held(force)) {
        exits::BLOCKED
    } else {
        exits::OK
    };
    // The shape follows what was asked for, so a held step never makes a list look single.
    let several = planned.len() > 1;
    let planned: Vec<&Planned> = planned.iter().filter(|p| !p.held(force)).collect();
    let steps: Vec<&NextStep> = planned.iter().map(|p| &p.step).collect();
    match (format, steps.as_slice()) {
        (_, []) => {}
        (Format::Txt, [step]) if !several => writeln!(out, "{}", step.value)?,
        (Format::Txt, _) => {
            steps.iter().try_for_each(|s| writeln!(out, "{}\t{}", s.domain, s.value))?;
        }
        (Format::Zone, _) => {
            steps
                .iter()
                .try_for_each(|s| writeln!(out, "{}. {} IN TXT {}", s.host, s.ttl, s.zone))?;
        }
        (Format::Json, _) => {
            let items: Vec<Json<'_>> = planned
                .iter()
                .map(|p| Json {
                    step: &p.step,
                    due: p.due.map(|d| d.date),
                    due_in_days: p.due.map(|d| d.in_days),
                })
                .collect();
            match items.as_slice() {
                [one] if !several => writeln!(out, "{}", to_json(one))?,
                _ => writeln!(out, "{}", to_json(&items))?,
            }
        }
    }
    Ok(code)
}

/// What blocks the step, or that `--force` publishes it anyway, and the warnings in front of it.
fn gate_remarks(p: &Planned, force: bool, err: &mut impl Write) -> io::Result<()> {
    let s = &p.step;
    if p.gate.is_blocked() {
        let what = if force { "published anyway (--force)" } else { "blocked" };
        writeln!(
            err,
            "{}: phase {} ({}) {what}: {} readiness error(s) stand",
            s.domain,
            s.phase,
            escape(&s.phase_name),
            p.gate.blocking.len()
        )?;
    }
    for f in &p.gate.blocking {
        writeln!(err, "{}:   error {}: {}", s.domain, f.id, escape(&f.message))?;
    }
    for f in &p.gate.warnings {
        writeln!(err, "{}:   warning {}: {}", s.domain, f.id, escape(&f.message))?;
    }
    Ok(())
}

fn remarks(p: &Planned, err: &mut impl Write) -> io::Result<()> {
    let s = &p.step;
    if p.dns_failed {
        writeln!(
            err,
            "{}: DNS did not answer; following the history recorded in the plan",
            s.domain
        )?;
    }
    if let Some(why) = p.repairs {
        writeln!(
            err,
            "{}: {why}; publishing phase {} ({}) brings it back on plan",
            s.domain,
            s.phase,
            escape(&s.phase_name)
        )?;
    }
    if s.complete {
        writeln!(
            err,
            "{}: already at the last phase ({}); nothing further to publish",
            s.domain,
            escape(&s.phase_name)
        )?;
    } else if let Some(due) = p.due.filter(|d| d.in_days > 0) {
        let soak = p.from.map(|f| format!(": phase {f} soaks until then")).unwrap_or_default();
        let wait = days(due.in_days);
        writeln!(
            err,
            "{}: phase {} is not due until {} (in {wait}){soak}",
            s.domain, s.phase, due.date
        )?;
    }
    Ok(())
}
