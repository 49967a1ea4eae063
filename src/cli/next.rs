//! `next`: the exact record to publish next, for people and for scripts, as the one decision
//! ([`crate::advice`]) has it. Only the value goes to stdout; every remark goes to stderr.

use std::io::{self, Write};

use serde::Serialize;

use super::{CliError, Format, Outcome, Paint, days, write_json};
use crate::advice::{Advice, Block, BlockKind, Change, Overrides, Verdict};
use crate::exits;
use crate::export::{self, DnsChange, Op, RrType};
use crate::name::DnsName;
use crate::rollout::NextStep;
use crate::standing::DmarcState;
use crate::text::escape;

/// One domain's advice, named, with what `_dmarc` held when it was decided.
pub struct Planned<'a> {
    pub domain: &'a str,
    pub advice: &'a Advice,
    pub live: &'a Live,
}

/// What `_dmarc` held when the decision was made, as an export needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Live {
    /// DNS was not asked (`--offline`).
    NotRead,
    /// The DMARC records found there (none: nothing is published).
    Records(Vec<String>),
    /// `_dmarc` is a CNAME to this name: the record is published there, not in this zone.
    Cname(String),
}

impl Live {
    pub fn of(dmarc: &DmarcState) -> Self {
        match dmarc.cname_chain.last() {
            Some(target) => Self::Cname(target.clone()),
            None => Self::Records(dmarc.records.clone()),
        }
    }
}

#[derive(Serialize)]
struct Json<'a> {
    domain: &'a str,
    #[serde(flatten)]
    step: Option<&'a NextStep>,
    verdict: Verdict,
    /// True when the step was not cleared for publishing (the overrides given included).
    blocked: bool,
    why: Vec<&'a Block>,
    due: Option<chrono::NaiveDate>,
    due_in_days: Option<i64>,
}

/// Prints each step that may be published with the overrides given; a step that may not is
/// named on stderr with what stands in its way and left off stdout (JSON marks it `blocked`).
/// Exit 5 when a domain is unknown, 7 when one is blocked or held, else 0.
pub fn run(
    planned: &[Planned<'_>],
    format: Format,
    overrides: Overrides,
    paint: Paint,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Outcome {
    for p in planned {
        remarks(p, overrides, paint, err)?;
    }
    let standing = |p: &Planned<'_>, kind: Option<BlockKind>| {
        p.advice.standing_blocks(overrides).any(|b| kind.is_none_or(|k| b.kind == k))
            || p.advice.step.is_none()
    };
    // A failed lookup is the root cause of anything else, so it keeps its own code.
    let code = if planned.iter().any(|p| standing(p, Some(BlockKind::Unknown))) {
        exits::DNS
    } else if planned.iter().any(|p| standing(p, None)) {
        exits::BLOCKED
    } else {
        exits::OK
    };
    // The shape follows what was asked for, so a held step never makes a list look single.
    let several = planned.len() > 1;
    if format == Format::Json {
        let items: Vec<Json<'_>> = planned.iter().map(|p| json(p, overrides)).collect();
        match items.as_slice() {
            [one] if !several => write_json(out, one)?,
            _ => write_json(out, &items)?,
        }
        return Ok(code);
    }
    let cleared: Vec<(&Planned<'_>, &NextStep)> = planned
        .iter()
        .filter(|p| p.advice.may_publish(overrides))
        .filter_map(|p| p.advice.step.as_ref().map(|s| (p, s)))
        .collect();
    if let Format::Export(export) = format {
        return write_export(export, &cleared, out, err).map(|refused| match refused {
            Some(refused) if code == exits::OK => refused,
            _ => code,
        });
    }
    let steps: Vec<&NextStep> = cleared.iter().map(|(_, s)| *s).collect();
    match (format, steps.as_slice()) {
        (_, []) => {}
        (Format::Txt, [step]) if !several => writeln!(out, "{}", step.value)?,
        (Format::Txt, _) => {
            steps.iter().try_for_each(|s| writeln!(out, "{}\t{}", s.domain, s.value))?;
        }
        _ => {
            steps
                .iter()
                .try_for_each(|s| writeln!(out, "{}. {} IN TXT {}", s.host, s.ttl, s.zone))?;
        }
    }
    Ok(code)
}

/// The cleared steps as one DNS-as-code export; `Some(code)` when a step could not be exported
/// (said on stderr), which then decides the exit code.
fn write_export(
    format: export::Format,
    cleared: &[(&Planned<'_>, &NextStep)],
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<Option<u8>, CliError> {
    let mut changes = Vec::new();
    let mut delegated = false;
    for (p, step) in cleared {
        if step.complete {
            continue;
        }
        let op = match p.live {
            Live::NotRead => Op::Set { value: step.value.clone() },
            Live::Records(old) if old.is_empty() => Op::Create { value: step.value.clone() },
            Live::Records(old) => Op::Replace { old: old.clone(), value: step.value.clone() },
            Live::Cname(target) => {
                writeln!(
                    err,
                    "{}: {} is a CNAME to {}, where the record is published; nothing exported",
                    p.domain,
                    step.host,
                    escape(target)
                )?;
                delegated = true;
                continue;
            }
        };
        changes.push(DnsChange {
            zone: export::assumed_zone(p.domain),
            owner: DnsName::lenient(&step.host),
            rtype: RrType::Txt,
            ttl: step.ttl,
            op,
            note: Some(format!("{}: phase {} ({})", p.domain, step.phase, step.phase_name)),
            // Other TXT at `_dmarc` (a botched record, stray text) is what the step replaces or
            // the findings say to remove.
            keeps: Vec::new(),
        });
    }
    let text = export::render(format, &changes).map_err(|e| CliError::Usage(e.to_string()))?;
    out.write_all(text.as_bytes())?;
    Ok(delegated.then_some(exits::BLOCKED))
}

fn json<'a>(p: &'a Planned<'_>, overrides: Overrides) -> Json<'a> {
    let a = p.advice;
    Json {
        domain: p.domain,
        step: a.step.as_ref(),
        verdict: a.verdict,
        blocked: !a.may_publish(overrides),
        why: a.standing_blocks(overrides).collect(),
        due: a.due.map(|d| d.date),
        due_in_days: a.due.map(|d| d.in_days),
    }
}

/// Where the domain stands, what the step repairs, when it is due, and what stands in its way;
/// the verdicts and severities in colour when `paint` says so.
pub(super) fn remarks(
    p: &Planned<'_>,
    overrides: Overrides,
    paint: Paint,
    err: &mut impl Write,
) -> io::Result<()> {
    let (name, a) = (p.domain, p.advice);
    let Some(s) = &a.step else {
        for b in &a.why {
            let unknown = paint.word("unknown");
            writeln!(err, "{name}: {unknown}, not safe to advise: {}", escape(&b.message))?;
        }
        return Ok(());
    };
    if let Some(repair) = a.repairs {
        writeln!(
            err,
            "{name}: {}; publishing phase {} ({}) brings it back on plan",
            repair.describe(),
            s.phase,
            escape(&s.phase_name)
        )?;
    }
    if let (Some(at), false) = (a.position.at(), a.live_stricter.is_empty()) {
        let words: Vec<String> = a.live_stricter.iter().map(Change::describe).collect();
        writeln!(
            err,
            "{name}: the live record is stricter than phase {}, where the plan places it ({})",
            at + 1,
            escape(&words.join("; "))
        )?;
    }
    if s.complete {
        writeln!(
            err,
            "{name}: already at the last phase ({}); nothing further to publish",
            escape(&s.phase_name)
        )?;
    } else if let Some(due) = a.due.filter(|d| d.in_days > 0) {
        let soak = a.position.at().map(|f| format!(": phase {} soaks until then", f + 1));
        writeln!(
            err,
            "{name}: phase {} is not due until {} (in {}){}",
            s.phase,
            due.date,
            days(due.in_days),
            soak.unwrap_or_default()
        )?;
    }
    gate_remarks(p, overrides, paint, err)
}

/// What blocks the step, or that an override prints it anyway, and the warnings in front of it.
fn gate_remarks(
    p: &Planned<'_>,
    overrides: Overrides,
    paint: Paint,
    err: &mut impl Write,
) -> io::Result<()> {
    let (name, a) = (p.domain, p.advice);
    let Some(s) = &a.step else { return Ok(()) };
    if !a.why.is_empty() {
        let what = if a.may_publish(overrides) {
            let loosens = a.why.iter().any(|b| b.kind == BlockKind::Loosening);
            let forced = a.why.iter().any(|b| b.kind != BlockKind::Loosening);
            let flags = match (forced, loosens) {
                (true, true) => "--force, --allow-loosen",
                (false, true) => "--allow-loosen",
                _ => "--force",
            };
            format!("printed anyway ({flags})")
        } else {
            paint.word(a.verdict.as_str()).into_owned()
        };
        writeln!(err, "{name}: phase {} ({}) {what}:", s.phase, escape(&s.phase_name))?;
    }
    for b in &a.why {
        let word = paint.word(b.kind.word());
        writeln!(err, "{name}:   {word} {}: {}", b.id, escape(&b.message))?;
    }
    for f in &a.warnings {
        let warning = paint.word("warning");
        writeln!(err, "{name}:   {warning} {}: {}", f.id, escape(&f.message))?;
    }
    Ok(())
}
