//! `validate`: a plan that loads, and what its phases' records would do.

use std::io::{self, Write};

use crate::exits;
use crate::plan::Plan;

pub fn run(plan: &Plan, out: &mut impl Write) -> io::Result<u8> {
    let phases: usize = plan.domains.iter().map(|d| d.phases.len()).sum();
    writeln!(out, "valid: {} domain(s), {phases} phase(s)", plan.domains.len())?;
    Ok(exits::OK)
}
