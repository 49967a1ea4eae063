//! `next`: the exact record to publish next, for people and for scripts. Only the value goes
//! to stdout; every remark goes to stderr.

use std::io::{self, Write};

use serde::Serialize;

use super::{Format, days, to_json};
use crate::exits;
use chrono::NaiveDate;

use crate::plan::Domain;
use crate::rollout::{self, NextStep};
use crate::standing::{self, Due, Position, Standing};

/// A step with what the admin should know before publishing it.
pub struct Planned {
    pub step: NextStep,
    pub due: Option<Due>,
    /// Phase (1-based) the step starts from, for the remarks.
    pub from: Option<usize>,
    /// Set when DNS could not say what is live.
    pub dns_failed: bool,
    /// A drift or broken record the step repairs.
    pub repairs: Option<&'static str>,
}

impl Planned {
    pub fn from_standing(s: &Standing) -> Self {
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
            repairs,
        }
    }

    /// From the history recorded in the plan alone.
    pub fn offline(domain: &Domain, today: NaiveDate) -> Self {
        let current = rollout::recorded_phase(domain);
        Self {
            step: rollout::next_step(domain, current),
            due: current.and_then(|c| standing::due(domain, c, today)),
            from: current.map(|c| c + 1),
            dns_failed: false,
            repairs: None,
        }
    }
}

#[derive(Serialize)]
struct Json<'a> {
    #[serde(flatten)]
    step: &'a NextStep,
    due: Option<chrono::NaiveDate>,
    due_in_days: Option<i64>,
}

pub fn run(
    planned: &[Planned],
    format: Format,
    out: &mut impl Write,
    err: &mut impl Write,
) -> io::Result<u8> {
    for p in planned {
        remarks(p, err)?;
    }
    let steps: Vec<&NextStep> = planned.iter().map(|p| &p.step).collect();
    match (format, steps.as_slice()) {
        (Format::Txt, [step]) => writeln!(out, "{}", step.value)?,
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
                [one] => writeln!(out, "{}", to_json(one))?,
                _ => writeln!(out, "{}", to_json(&items))?,
            }
        }
    }
    Ok(if planned.iter().any(|p| p.dns_failed) { exits::DNS } else { exits::OK })
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
            s.domain, s.phase, s.phase_name
        )?;
    }
    if s.complete {
        writeln!(
            err,
            "{}: already at the last phase ({}); nothing further to publish",
            s.domain, s.phase_name
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
