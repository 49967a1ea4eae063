//! `status` (a table or JSON, one entry per domain) and `check` (exit codes for cron and CI).

use std::io::{self, Write};

use serde::Serialize;

use super::{Paint, days, write_list_json};
use crate::advice::{Block, BlockKind, Change, Repair, Verdict};
use crate::exits;
use crate::fix::Action;
use crate::readiness::{Outcome, Readiness};
use crate::record::{Finding, Severity};
use crate::report::GateState;
use crate::rollout::NextStep;
use crate::standing::{DmarcState, Lookup, Position, Standing};
use crate::summary::{self, Mark, Tally};
use crate::text::escape;

#[derive(Serialize)]
struct DomainJson<'a> {
    name: &'a str,
    dmarc: &'a DmarcState,
    position: &'a Position,
    phase: Option<usize>,
    phase_name: Option<&'a str>,
    drift: bool,
    /// The step to publish next; `null` when the live state is unknown.
    next: Option<&'a NextStep>,
    /// `ready`, `blocked`, `hold`, `unknown` or `done`: the same decision `next` acts on.
    verdict: Verdict,
    /// What stands in the way of `next`: `{kind, id, message}`.
    why: &'a [Block],
    weakens: &'a [Change],
    live_stricter: &'a [Change],
    repairs: Option<Repair>,
    due: Option<chrono::NaiveDate>,
    due_in_days: Option<i64>,
    findings: &'a [Finding],
    advice_warnings: &'a [Finding],
    readiness: Option<&'a Readiness>,
    /// The evidence gate in front of `next` (aggregate reports), when its phase has one.
    evidence: Option<&'a GateState>,
    /// What makes the domain ready, in order: the actions `fix --format json` prints.
    fixes: &'a [Action],
}

/// `status`: the table of the domains carrying one of the marks `only` asks for (all of them
/// for none), then the counts over every domain; or JSON. Exits 5 when a lookup failed, shown
/// or not.
pub fn run(
    standings: &[Standing],
    only: &[Mark],
    json: bool,
    paint: Paint,
    out: &mut impl Write,
) -> io::Result<u8> {
    let shown: Vec<&Standing> =
        standings.iter().filter(|s| summary::wanted(&s.advice, only)).collect();
    if json {
        write_json(&shown, out)?;
    } else {
        write_table(&shown, paint, out)?;
        let tally: Tally = standings.iter().map(|s| Some(&s.advice)).collect();
        writeln!(out, "{tally}")?;
    }
    Ok(exit_code(standings))
}

pub fn write_json(standings: &[&Standing], out: &mut impl Write) -> io::Result<()> {
    let domains: Vec<DomainJson<'_>> = standings
        .iter()
        .map(|s| {
            let a = &s.advice;
            DomainJson {
                name: &s.name,
                dmarc: &s.dmarc,
                position: &a.position,
                phase: s.phase(),
                phase_name: s.phase_name.as_deref(),
                drift: s.is_drift(),
                next: a.step.as_ref(),
                verdict: a.verdict,
                why: &a.why,
                weakens: &a.weakens,
                live_stricter: &a.live_stricter,
                repairs: a.repairs,
                due: a.due.map(|d| d.date),
                due_in_days: a.due.map(|d| d.in_days),
                findings: &s.findings,
                advice_warnings: &a.warnings,
                readiness: s.readiness.as_ref(),
                evidence: a.evidence.as_ref(),
                fixes: &s.fixes.actions,
            }
        })
        .collect();
    write_list_json(out, "domains", &domains)
}

/// One line per domain: what is live, which phase, what comes next, when, readiness and the
/// verdict; below it what is wrong and what stands in the way.
pub fn write_table(standings: &[&Standing], paint: Paint, out: &mut impl Write) -> io::Result<()> {
    const COLUMNS: usize = 7;
    const READINESS_COLUMN: usize = 5;
    let rows: Vec<[String; COLUMNS]> = standings.iter().copied().map(row).collect();
    let header =
        ["DOMAIN", "LIVE", "PHASE", "NEXT", "DUE", "READINESS", "VERDICT"].map(str::to_owned);
    let widths: Vec<usize> = (0..COLUMNS)
        .map(|i| rows.iter().chain([&header]).map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for (r, s) in
        std::iter::once((&header, None)).chain(rows.iter().zip(standings.iter().map(Some)))
    {
        // READINESS and VERDICT hold words of the tool's own vocabulary: painted in rows, the
        // padding added after the colour so the columns stay aligned.
        let painted = |i: usize| s.is_some() && i >= READINESS_COLUMN;
        let cells: Vec<String> = (r.iter().zip(&widths).enumerate())
            .map(|(i, (c, w))| {
                let pad = " ".repeat(w - c.chars().count());
                if painted(i) { format!("{}{pad}", paint.word(c)) } else { format!("{c}{pad}") }
            })
            .collect();
        writeln!(out, "{}", cells.join("  ").trim_end())?;
        let Some(s) = s else { continue };
        for f in s.findings.iter().filter(|f| f.severity >= Severity::Warning) {
            writeln!(
                out,
                "    {} {}: {}",
                paint.word(&f.severity.to_string()),
                f.id,
                escape(&f.message)
            )?;
        }
        if let Some(r) = &s.readiness {
            write_readiness(r, paint, out)?;
        }
        write_advice(s, paint, out)?;
        write_fix_hint(s, out)?;
    }
    Ok(())
}

/// `    fix: 3 actions; see dmarc-rollout fix PLAN --domain example.com`.
fn write_fix_hint(s: &Standing, out: &mut impl Write) -> io::Result<()> {
    match s.fixes.actions.len() {
        0 => Ok(()),
        n => writeln!(
            out,
            "    fix: {}; see dmarc-rollout fix PLAN --domain {}",
            crate::text::count(n as u64, "action"),
            s.name
        ),
    }
}

/// The evidence gate, what stands in the way of the step, and the decision's warnings.
fn write_advice(s: &Standing, paint: Paint, out: &mut impl Write) -> io::Result<()> {
    let a = &s.advice;
    if let (Some(gate), Some(step)) = (&a.evidence, &a.step) {
        writeln!(out, "    evidence for phase {}: {}", step.phase, gate.summary())?;
    }
    if !a.live_stricter.is_empty() {
        let words: Vec<String> = a.live_stricter.iter().map(Change::describe).collect();
        writeln!(
            out,
            "    live is stricter than the phase it is placed at: {}",
            escape(&words.join("; "))
        )?;
    }
    // Readiness errors are listed above already; the rest of the reasons are the decision's own.
    for b in a.why.iter().filter(|b| !is_readiness(b)) {
        writeln!(out, "    {} {}: {}", b.kind.word(), b.id, escape(&b.message))?;
    }
    for f in &a.warnings {
        if !f.id.starts_with("spf.") && !f.id.starts_with("dkim.") && !f.id.starts_with("reports.")
        {
            write_finding(f, paint, out)?;
        }
    }
    Ok(())
}

/// A block that restates a readiness finding (already printed under `readiness`).
pub(super) fn is_readiness(b: &Block) -> bool {
    matches!(b.kind, BlockKind::NotReady | BlockKind::Unverified | BlockKind::Unknown)
        && b.id != "readiness.not_checked"
        && b.id != "dns.unknown"
}

/// `    readiness ready: SPF ok (4/10 lookups, 0/2 void); DKIM ok (s1 ok 2048); reports ok (…)`,
/// the SPF tree when a limit is exceeded, then the readiness warnings and errors.
fn write_readiness(r: &Readiness, paint: Paint, out: &mut impl Write) -> io::Result<()> {
    let parts: Vec<String> = r
        .parts()
        .iter()
        .map(|(label, o, text)| format!("{label} {} ({text})", o.as_str()))
        .collect();
    let word = paint.word(readiness_word(r));
    writeln!(out, "    readiness {word}: {}", escape(&parts.join("; ")))?;
    // The tree explains a count over the limit: where the lookups come from.
    let over = |id: &str| r.spf.findings.iter().any(|f| f.id == id);
    if over("spf.too_many_lookups") || over("spf.too_many_void_lookups") {
        for line in &r.spf.tree {
            writeln!(out, "      {}", escape(line))?;
        }
    }
    for f in r.findings().filter(|f| f.severity >= Severity::Warning) {
        write_finding(f, paint, out)?;
    }
    Ok(())
}

/// `    warning spf.softfail_all: …`, the severity in colour when `paint` says so.
fn write_finding(f: &Finding, paint: Paint, out: &mut impl Write) -> io::Result<()> {
    let severity = f.severity.to_string();
    writeln!(out, "    {} {}: {}", paint.word(&severity), f.id, escape(&f.message))
}

/// `ready`, `NOT READY`, `unverified`, `unknown`: the same word in the column and the detail.
fn readiness_word(r: &Readiness) -> &'static str {
    match r.outcome() {
        Outcome::Ready => "ready",
        Outcome::NotReady => "NOT READY",
        Outcome::Unverified => "unverified",
        Outcome::Unknown => "unknown",
    }
}

fn row(s: &Standing) -> [String; 7] {
    let a = &s.advice;
    let live = match (s.dmarc.state, s.dmarc.records.as_slice()) {
        (Lookup::Found, [one]) => policy_summary(one),
        (Lookup::Found, []) if !s.dmarc.botched.is_empty() => "unusable record".to_owned(),
        (Lookup::Found, []) | (Lookup::Nxdomain | Lookup::Nodata, _) => match &s.dmarc.source {
            Some(owner) if s.dmarc.inherited => match (s.dmarc.policy, s.dmarc.policy_rfc7489) {
                (Some(p), Some(old)) if old != p => {
                    format!("{p} (RFC 7489: {old}), inherited from {owner}")
                }
                (Some(p), _) => format!("{p}, inherited from {owner}"),
                (None, _) => format!("inherited from {owner}"),
            },
            _ => "no record".to_owned(),
        },
        (Lookup::Found, many) => format!("{} records", many.len()),
        (state, _) => format!("unknown ({})", state.as_str()),
    };
    let phase = match &a.position {
        Position::Live { phase, differs } if differs.is_empty() => {
            format!("{} {}", phase + 1, s.phase_name.as_deref().unwrap_or_default())
        }
        Position::Live { phase, differs } => {
            let tags: Vec<&str> = differs.iter().map(|d| d.tag.name()).collect();
            let name = s.phase_name.as_deref().unwrap_or_default();
            format!("{} {name} ({} differs)", phase + 1, tags.join(", "))
        }
        Position::NotStarted => "not started".into(),
        Position::Drift { phase: Some(phase), diff } => {
            format!("drift (placed at {}: {} tag(s) differ)", phase + 1, diff.len())
        }
        Position::Drift { phase: None, .. } => "drift (below phase 1)".into(),
        Position::Broken => "broken".into(),
        Position::Unknown => "unknown".into(),
    };
    let next = match &a.step {
        None => "-".to_owned(),
        Some(step) if step.complete => "done".to_owned(),
        Some(step) => format!("{} {}", step.phase, step.phase_name),
    };
    let due = match a.due {
        Some(d) if d.in_days > 0 => format!("in {}", days(d.in_days)),
        Some(d) if d.in_days == 0 => "today".into(),
        Some(d) => format!("overdue since {}", d.date),
        None => "-".into(),
    };
    let ready = s.readiness.as_ref().map_or("-", readiness_word);
    [
        s.name.clone(),
        escape(&live).into_owned(),
        escape(&phase).into_owned(),
        escape(&next).into_owned(),
        due,
        ready.to_owned(),
        a.verdict.as_str().to_owned(),
    ]
}

/// `p=quarantine pct=50` from a record, the two tags that say how hard it bites.
fn policy_summary(record: &str) -> String {
    let parsed = crate::record::parse(record);
    match parsed.record {
        Some(r) => {
            let p = r.p.map_or("p=?".to_owned(), |p| format!("p={p}"));
            match r.pct {
                Some(pct) if pct < 100 => format!("{p} pct={pct}"),
                _ => p,
            }
        }
        None => "unusable record".into(),
    }
}

/// `status` exits 5 when a lookup failed (its own or a readiness one), so a script never
/// mistakes "unknown" for "fine".
pub fn exit_code(standings: &[Standing]) -> u8 {
    if standings.iter().any(Standing::lookups_failed) { exits::DNS } else { exits::OK }
}
