//! `status` (a table or JSON, one entry per domain) and `check` (exit codes for cron and CI).

use std::io::{self, Write};

use serde::Serialize;

use super::{days, to_json};
use crate::exits;
use crate::readiness::Readiness;
use crate::record::Severity;
use crate::report::GateState;
use crate::standing::{Position, Standing};
use crate::text::escape;

#[derive(Serialize)]
struct DomainJson<'a> {
    name: &'a str,
    dmarc: &'a crate::standing::DmarcState,
    position: &'a Position,
    phase: Option<usize>,
    phase_name: Option<&'a str>,
    drift: bool,
    next: &'a crate::rollout::NextStep,
    due: Option<chrono::NaiveDate>,
    due_in_days: Option<i64>,
    findings: &'a [crate::record::Finding],
    readiness: Option<&'a Readiness>,
    /// The evidence gate in front of `next` (aggregate reports), when its phase has one.
    evidence: Option<&'a GateState>,
}

pub fn write_json(standings: &[Standing], out: &mut impl Write) -> io::Result<()> {
    let domains: Vec<DomainJson<'_>> = standings
        .iter()
        .map(|s| DomainJson {
            name: &s.name,
            dmarc: &s.dmarc,
            position: &s.position,
            phase: s.phase(),
            phase_name: s.phase_name.as_deref(),
            drift: s.is_drift(),
            next: &s.next,
            due: s.due.map(|d| d.date),
            due_in_days: s.due.map(|d| d.in_days),
            findings: &s.findings,
            readiness: s.readiness.as_ref(),
            evidence: s.evidence.as_ref(),
        })
        .collect();
    writeln!(out, "{}", to_json(&serde_json::json!({ "domains": domains })))
}

/// One line per domain: what is live, which phase, what comes next, when, and what is wrong.
pub fn write_table(standings: &[Standing], out: &mut impl Write) -> io::Result<()> {
    let rows: Vec<[String; 6]> = standings.iter().map(row).collect();
    let header = ["DOMAIN", "LIVE", "PHASE", "NEXT", "DUE", "READINESS"].map(str::to_owned);
    let widths: Vec<usize> = (0..6)
        .map(|i| rows.iter().chain([&header]).map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for (r, s) in
        std::iter::once((&header, None)).chain(rows.iter().zip(standings.iter().map(Some)))
    {
        let cells: Vec<String> = r.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        writeln!(out, "{}", cells.join("  ").trim_end())?;
        for f in s.map(|s| s.findings.as_slice()).unwrap_or_default() {
            if f.severity >= Severity::Warning {
                writeln!(out, "    {} {}: {}", f.severity, f.id, escape(&f.message))?;
            }
        }
        if let Some(r) = s.and_then(|s| s.readiness.as_ref()) {
            write_readiness(r, out)?;
        }
        if let Some(s) = s {
            write_evidence(s, out)?;
        }
    }
    Ok(())
}

/// `    evidence for phase 3: closed: 5 more days of reports; pass rate 96.1% < 98%`.
fn write_evidence(s: &Standing, out: &mut impl Write) -> io::Result<()> {
    let Some(gate) = &s.evidence else { return Ok(()) };
    writeln!(out, "    evidence for phase {}: {}", s.next.phase, gate.summary())
}

/// `    readiness ready: SPF ok (4/10 lookups, 0/2 void); DKIM ok (s1 ok 2048); reports ok (…)`,
/// the SPF tree when a limit is exceeded, then the readiness warnings and errors.
fn write_readiness(r: &Readiness, out: &mut impl Write) -> io::Result<()> {
    let parts: Vec<String> = r
        .parts()
        .iter()
        .map(|(label, ok, text)| {
            format!("{label} {} ({text})", if *ok { "ok" } else { "not ready" })
        })
        .collect();
    let head = if r.is_ready() { "ready" } else { "NOT READY" };
    writeln!(out, "    readiness {head}: {}", escape(&parts.join("; ")))?;
    // The tree explains a count over the limit: where the lookups come from.
    let over = |id: &str| r.spf.findings.iter().any(|f| f.id == id);
    if over("spf.too_many_lookups") || over("spf.too_many_void_lookups") {
        for line in &r.spf.tree {
            writeln!(out, "      {}", escape(line))?;
        }
    }
    for f in r.findings().filter(|f| f.severity >= Severity::Warning) {
        writeln!(out, "    {} {}: {}", f.severity, f.id, escape(&f.message))?;
    }
    Ok(())
}

fn row(s: &Standing) -> [String; 6] {
    let live = match (s.dmarc.state.as_str(), s.dmarc.records.as_slice()) {
        ("found", [one]) => policy_summary(one),
        ("found", []) | ("nxdomain" | "nodata", _) => match &s.dmarc.source {
            Some(owner) if s.dmarc.inherited => match s.dmarc.policy {
                Some(p) => format!("{p}, inherited from {owner}"),
                None => format!("inherited from {owner}"),
            },
            _ => "no record".to_owned(),
        },
        ("found", many) => format!("{} records", many.len()),
        (state, _) => format!("unknown ({state})"),
    };
    let phase = match &s.position {
        Position::Live { phase } => {
            format!("{} {}", phase + 1, s.phase_name.as_deref().unwrap_or_default())
        }
        Position::NotStarted => "not started".into(),
        Position::Drift { phase, diff } => {
            format!("drift (closest {}: {} tag(s) differ)", phase + 1, diff.len())
        }
        Position::Broken => "broken".into(),
        Position::Unknown => "unknown".into(),
    };
    let next = if s.next.complete {
        "done".to_owned()
    } else {
        format!("{} {}", s.next.phase, s.next.phase_name)
    };
    let due = match s.due {
        Some(d) if d.in_days > 0 => format!("in {}", days(d.in_days)),
        Some(d) if d.in_days == 0 => "today".into(),
        Some(d) => format!("overdue since {}", d.date),
        None => "-".into(),
    };
    let ready = match &s.readiness {
        Some(r) if r.lookup_failed() => "unknown",
        Some(r) if r.is_ready() => "ready",
        Some(_) => "NOT READY",
        None => "-",
    };
    [
        s.name.clone(),
        escape(&live).into_owned(),
        escape(&phase).into_owned(),
        escape(&next).into_owned(),
        due,
        ready.to_owned(),
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

/// `check`: one line per problem on stderr; the exit code names the worst kind of problem.
pub fn check(standings: &[Standing], err: &mut impl Write) -> io::Result<u8> {
    let mut code = exits::OK;
    let mut raise = |c: u8| {
        // Precedence: an unknown state hides everything else, then broken records, drift, and
        // lateness.
        let rank = |c: u8| {
            [exits::OK, exits::OVERDUE, exits::DRIFT, exits::FINDINGS, exits::DNS]
                .iter()
                .position(|x| *x == c)
        };
        if rank(c) > rank(code) {
            code = c;
        }
    };
    for s in standings {
        if s.dns_failed() {
            writeln!(
                err,
                "{}: DNS failure: the _dmarc lookup ended with {}",
                s.name, s.dmarc.state
            )?;
            raise(exits::DNS);
            continue;
        }
        if write_errors(s, err)? {
            // A readiness lookup that failed leaves the verdict unknown, not wrong.
            raise(if s.lookups_failed() { exits::DNS } else { exits::FINDINGS });
        }
        match &s.position {
            Position::Drift { phase, diff } => {
                let tags: Vec<String> = diff
                    .iter()
                    .map(|d| format!("{}={} (plan: {})", d.tag, d.live, d.planned))
                    .collect();
                writeln!(
                    err,
                    "{}: drift from phase {}: {}",
                    s.name,
                    phase + 1,
                    escape(&tags.join(", "))
                )?;
                raise(exits::DRIFT);
            }
            Position::NotStarted => {
                writeln!(
                    err,
                    "{}: no DMARC record of its own; the plan starts with phase 1",
                    s.name
                )?;
                raise(exits::DRIFT);
            }
            _ => {}
        }
        if let Some(due) = s.due.filter(|d| d.in_days < 0) {
            writeln!(err, "{}: phase {} is overdue since {}", s.name, s.next.phase, due.date)?;
            raise(exits::OVERDUE);
        }
    }
    Ok(code)
}

/// Writes the record's and readiness's error findings; says whether there were any.
fn write_errors(s: &Standing, err: &mut impl Write) -> io::Result<bool> {
    let readiness = s.readiness.as_ref().map(Readiness::blocks).unwrap_or_default();
    let record = s.findings.iter().filter(|f| f.severity == Severity::Error);
    let mut any = false;
    for f in record.chain(readiness) {
        writeln!(err, "{}: {}: {}", s.name, f.id, escape(&f.message))?;
        any = true;
    }
    Ok(any)
}

/// `status` exits 5 when a lookup failed (its own or a readiness one), so a script never mistakes "unknown" for "fine".
pub fn exit_code(standings: &[Standing]) -> u8 {
    if standings.iter().any(Standing::lookups_failed) { exits::DNS } else { exits::OK }
}
