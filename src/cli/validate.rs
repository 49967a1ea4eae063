//! `validate`: a plan that loads, and the findings of every record its phases would publish.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::exits;
use crate::plan::Plan;
use crate::record::render::render;
use crate::record::{Receiver, Severity, parse};
use crate::text::escape;

pub fn run(plan: &Plan, out: &mut impl Write) -> io::Result<u8> {
    // Domains sharing a ladder publish the same records: lint each distinct record once.
    let mut records: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut order = Vec::new();
    for domain in &plan.domains {
        for (i, phase) in domain.phases.iter().enumerate() {
            let value = render(&phase.record);
            let uses = records.entry(value.clone()).or_default();
            if uses.is_empty() {
                order.push(value);
            }
            uses.push(format!("{} phase {} ({})", domain.name, i + 1, escape(&phase.name)));
        }
    }
    let mut errors = 0;
    for value in &order {
        let parsed = parse(value);
        writeln!(out, "{}", records[value].join(", "))?;
        writeln!(out, "  {value}")?;
        for receiver in Receiver::ALL {
            let name = if receiver == Receiver::Rfc7489 { "RFC 7489" } else { "RFC 9989" };
            writeln!(out, "  {name} receivers: {}", parsed.effective(receiver).summary())?;
        }
        for f in &parsed.findings {
            writeln!(out, "  {} {}: {}", f.severity, f.id, escape(&f.message))?;
            errors += usize::from(f.severity == Severity::Error);
        }
        writeln!(out)?;
    }
    let phases: usize = plan.domains.iter().map(|d| d.phases.len()).sum();
    let verdict = if errors == 0 { "valid" } else { "invalid" };
    writeln!(
        out,
        "{verdict}: {} domain(s), {phases} phase(s), {errors} error(s)",
        plan.domains.len()
    )?;
    Ok(if errors == 0 { exits::OK } else { exits::FINDINGS })
}
