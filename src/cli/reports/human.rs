//! The `reports` summary for people: a header line for the files read, then one compact block
//! per domain. Every string that came from a report or a plan is escaped here.

use crate::report::AuthResult;
use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{DomainView, PhaseView, SourceView, View};
use crate::record::{DmarcRecord, Policy};
use crate::report::{Disposition, GateState};
use crate::text::{count, escape, floored_percent, share};

/// Rows of the source tables; the rest is counted in a "… more" line.
const TOP: usize = 10;
/// Reporter names and auth domains shown before "and N more".
const NAMES: usize = 3;

pub(super) fn write(view: &View<'_>, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{}", header(view))?;
    for d in &view.domains {
        writeln!(out)?;
        domain(d, out)?;
    }
    Ok(())
}

fn header(view: &View<'_>) -> String {
    let mut parts = vec![format!(
        "{} from {}",
        count(view.reports(), "report"),
        count(view.files_read, "file")
    )];
    let over = view.limits_reached;
    let counted = [
        (
            view.duplicate_reports.len() as u64 + over.duplicates_unlisted,
            "duplicate report",
            "counted once",
        ),
        (view.reports_outside_window, "report", "outside the window"),
        (view.reports_not_selected, "report", "for other domains"),
        (over.unlisted_domain_reports, "report", "for domains not shown (see stderr)"),
        (
            view.rejected_files.len() as u64 + over.rejected_unlisted,
            "file",
            "rejected (see stderr)",
        ),
        (
            view.recovered_files.len() as u64 + over.recovered_unlisted,
            "file",
            "read with problems (see stderr)",
        ),
        (view.files_skipped, "other file", "skipped"),
    ];
    parts.extend(
        counted
            .iter()
            .filter(|(n, ..)| *n > 0)
            .map(|(n, what, how)| format!("{} {how}", count(*n, what))),
    );
    let window = match (view.window.since, view.window.until) {
        (None, None) => String::new(),
        (since, until) => format!(
            " [{} to {}]",
            since.map_or("start".to_owned(), |d| d.to_string()),
            until.map_or("end".to_owned(), |d| d.to_string())
        ),
    };
    format!("{}{window}", parts.join(", "))
}

fn domain(d: &DomainView<'_>, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{}", escape(d.domain))?;
    if d.reports == 0 {
        writeln!(out, "  no reports in the window")?;
    } else {
        writeln!(out, "  {}", coverage(d))?;
        let c = &d.counts;
        writeln!(
            out,
            "  {}: DMARC pass {}, DKIM aligned {}, SPF aligned {}",
            count(c.messages, "message"),
            floored_percent(d.dmarc_pass_rate),
            floored_percent(d.dkim_aligned_rate),
            floored_percent(d.spf_aligned_rate)
        )?;
        senders(d, out)?;
        sources(d, out)?;
        failing(d, out)?;
    }
    what_if(d, out)?;
    gates(&d.phases, out)
}

/// "2 reports from 2 reporters (A, B) over 2 days, 2026-11-20 to 2026-11-21".
fn coverage(d: &DomainView<'_>) -> String {
    let reporters: Vec<String> = d
        .reporters
        .iter()
        .map(|r| if r.is_empty() { "(unnamed)".to_owned() } else { escape(r).into_owned() })
        .collect();
    let days = match (d.first_day, d.last_day) {
        (Some(first), Some(last)) => {
            format!(" over {}, {first} to {last}", count(d.days_covered, "day"))
        }
        _ => String::new(),
    };
    format!(
        "{} from {} ({}){days}",
        count(d.reports, "report"),
        count(reporters.len() as u64, "reporter"),
        list(&reporters, NAMES)
    )
}

fn senders(d: &DomainView<'_>, out: &mut impl Write) -> io::Result<()> {
    let Some(tallies) = &d.senders else { return Ok(()) };
    let rows: Vec<Vec<String>> = tallies
        .iter()
        .filter(|t| t.messages > 0 || t.name.is_some())
        .map(|t| {
            vec![
                t.name.as_deref().map_or("unknown".to_owned(), |n| escape(n).into_owned()),
                t.sources.to_string(),
                t.messages.to_string(),
                floored_percent(share(t.dmarc_pass, t.messages)),
            ]
        })
        .collect();
    writeln!(out, "  senders (from the plan):")?;
    table(out, &["SENDER", "SOURCES", "MESSAGES", "DMARC"], &[false, true, true, true], &rows)
}

fn sources(d: &DomainView<'_>, out: &mut impl Write) -> io::Result<()> {
    let rows: Vec<Vec<String>> = d
        .sources
        .iter()
        .take(TOP)
        .map(|s| {
            vec![
                escape(s.ip).into_owned(),
                s.messages.to_string(),
                floored_percent(share(s.dmarc_pass, s.messages)),
                who(s),
            ]
        })
        .collect();
    writeln!(out, "  {}:", count(d.sources.len() as u64, "source"))?;
    table(out, &["IP", "MESSAGES", "DMARC", "SENDER"], &[false, true, true, false], &rows)?;
    more(out, d.sources.len(), TOP)
}

fn failing(d: &DomainView<'_>, out: &mut impl Write) -> io::Result<()> {
    let mut failing: Vec<&SourceView<'_>> = d.sources.iter().filter(|s| s.failing > 0).collect();
    if failing.is_empty() {
        return Ok(());
    }
    failing.sort_by(|a, b| b.failing.cmp(&a.failing).then_with(|| a.ip.cmp(b.ip)));
    let rows: Vec<Vec<String>> = failing
        .iter()
        .take(TOP)
        .map(|s| vec![escape(s.ip).into_owned(), s.failing.to_string(), who(s), seen_as(s)])
        .collect();
    writeln!(
        out,
        "  failing: {} from {}:",
        count(d.failing, "message"),
        count(failing.len() as u64, "source")
    )?;
    table(out, &["IP", "FAILING", "SENDER", "SEEN AS"], &[false, true, false, false], &rows)?;
    more(out, failing.len(), TOP)
}

/// The plan's name for a source, else the domains it authenticated as, else "-".
fn who(s: &SourceView<'_>) -> String {
    if let Some(name) = &s.sender {
        return escape(name).into_owned();
    }
    let mut passed: Vec<String> = s
        .dkim_domains
        .iter()
        .chain(s.spf_domains)
        .filter(|(_, result)| result.is_pass())
        .map(|(d, _)| escape(d).into_owned())
        .collect();
    passed.sort();
    passed.dedup();
    // A source's passing identities name it, not its mail: it may still fail DMARC.
    if passed.is_empty() {
        "-".to_owned()
    } else {
        format!("authenticated as {}", list(&passed, 2))
    }
}

/// `dkim example.org fail, spf example.org softfail`: what a failing source claimed to be.
fn seen_as(s: &SourceView<'_>) -> String {
    let claims = |kind: &str, map: &BTreeMap<String, AuthResult>| -> Vec<String> {
        map.iter().map(|(d, result)| format!("{kind} {} {}", escape(d), result.as_str())).collect()
    };
    let all: Vec<String> =
        claims("dkim", s.dkim_domains).into_iter().chain(claims("spf", s.spf_domains)).collect();
    if all.is_empty() { "no DKIM or SPF result".to_owned() } else { list(&all, NAMES) }
}

fn what_if(d: &DomainView<'_>, out: &mut impl Write) -> io::Result<()> {
    let Some(first) = d.phases.first() else { return Ok(()) };
    writeln!(
        out,
        "  what each phase would have done to the failing mail ({}):",
        count(first.what_if.failing, "message")
    )?;
    let rows: Vec<Vec<String>> = d
        .phases
        .iter()
        .map(|p| {
            vec![
                format!("{} {}", p.phase, escape(p.name)),
                policy(p.parsed),
                disposition(p.what_if.rfc7489),
                disposition(p.what_if.rfc9989),
            ]
        })
        .collect();
    table(out, &["PHASE", "POLICY", "RFC 7489", "RFC 9989"], &[false; 4], &rows)
}

fn gates(phases: &[PhaseView<'_>], out: &mut impl Write) -> io::Result<()> {
    let gated: Vec<(&PhaseView<'_>, &GateState)> =
        phases.iter().filter_map(|p| p.gate.as_ref().map(|g| (p, &g.state))).collect();
    if gated.is_empty() {
        return Ok(());
    }
    writeln!(out, "  evidence gates:")?;
    for (p, g) in gated {
        let verdict = if g.open {
            format!(
                "open ({} of reports, pass rate {})",
                count(g.report_days, "day"),
                floored_percent(g.pass_rate)
            )
        } else {
            format!("closed: {}", g.what_is_missing.join("; "))
        };
        writeln!(out, "    {} {}: {verdict}", p.phase, escape(p.name))?;
    }
    Ok(())
}

/// `p=quarantine sp=none pct=50`: the tags that decide what happens to failing mail.
fn policy(r: &DmarcRecord) -> String {
    let mut parts = vec![format!("p={}", r.p.unwrap_or(Policy::None))];
    parts.extend(r.sp.map(|sp| format!("sp={sp}")));
    parts.extend(r.pct.filter(|pct| *pct < 100).map(|pct| format!("pct={pct}")));
    parts.extend(r.t.filter(|t| *t).map(|_| "t=y".to_owned()));
    parts.join(" ")
}

fn disposition(d: Disposition) -> String {
    match (d.quarantined, d.rejected) {
        (0, 0) => "nothing".to_owned(),
        (q, 0) => format!("{q} quarantined"),
        (0, r) => format!("{r} rejected"),
        (q, r) => format!("{q} quarantined, {r} rejected"),
    }
}

/// The first `keep` items, then "and N more".
fn list(items: &[String], keep: usize) -> String {
    let shown = items.iter().take(keep).cloned().collect::<Vec<_>>().join(", ");
    match items.len().saturating_sub(keep) {
        0 => shown,
        rest => format!("{shown} and {rest} more"),
    }
}

fn more(out: &mut impl Write, total: usize, shown: usize) -> io::Result<()> {
    match total.saturating_sub(shown) {
        0 => Ok(()),
        rest => writeln!(out, "    … and {rest} more"),
    }
}

/// Columns padded to their widest cell (cells are already escaped); `right` aligns numbers.
fn table(
    out: &mut impl Write,
    header: &[&str],
    right: &[bool],
    rows: &[Vec<String>],
) -> io::Result<()> {
    let head: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    let width =
        |i: usize| rows.iter().chain([&head]).map(|r| r[i].chars().count()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    for row in std::iter::once(&head).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .zip(right)
            .map(|((c, w), r)| if *r { format!("{c:>w$}") } else { format!("{c:<w$}") })
            .collect();
        writeln!(out, "    {}", cells.join("  ").trim_end())?;
    }
    Ok(())
}
