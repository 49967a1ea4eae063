//! `next`: the exact record to publish next, for people and for scripts.

use std::io::{self, Write};

use super::{Format, to_json};
use crate::exits;
use crate::plan::Domain;
use crate::rollout::{self, NextStep};

pub fn run(
    domains: &[&Domain],
    format: Format,
    out: &mut impl Write,
    err: &mut impl Write,
) -> io::Result<u8> {
    let steps: Vec<NextStep> =
        domains.iter().map(|d| rollout::next_step(d, rollout::recorded_phase(d))).collect();
    for step in steps.iter().filter(|s| s.complete) {
        writeln!(
            err,
            "{}: already at the last phase ({}); nothing further to publish",
            step.domain, step.phase_name
        )?;
    }
    write_steps(&steps, format, out)?;
    Ok(exits::OK)
}

fn write_steps(steps: &[NextStep], format: Format, out: &mut impl Write) -> io::Result<()> {
    match (format, steps) {
        (Format::Txt, [step]) => writeln!(out, "{}", step.value),
        (Format::Txt, _) => {
            steps.iter().try_for_each(|s| writeln!(out, "{}\t{}", s.domain, s.value))
        }
        (Format::Zone, _) => {
            steps.iter().try_for_each(|s| writeln!(out, "{}. {} IN TXT {}", s.host, s.ttl, s.zone))
        }
        (Format::Json, [step]) => writeln!(out, "{}", to_json(step)),
        (Format::Json, _) => writeln!(out, "{}", to_json(&steps)),
    }
}
