//! `verify-message`: a sent message's authentication as its receiver recorded it, per method,
//! with alignment; with a plan, the sender it came through and the next phase's verdict.

use std::io::{self, Read, Write};
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use super::{CliError, Outcome, write_json};
use crate::exits;
use crate::message::plan::{PlanView, judge};
use crate::message::{Aligned, MAX_HEADER_BYTES, Method, Results, Verdict, Verification, verify};
use crate::plan::Plan;
use crate::text::escape;

/// What was asked: the message (a path, or `-` for stdin), the plan, JSON or text, today.
pub struct Request<'a> {
    pub input: &'a Path,
    pub plan: Option<&'a Plan>,
    pub json: bool,
    pub today: NaiveDate,
}

/// Whose results the methods are.
#[derive(Serialize)]
struct Receiver<'a> {
    header: &'static str,
    authserv_id: Option<&'a str>,
    instance: Option<u32>,
    /// `arc=` as the receiver judged the chain.
    arc: Option<&'a str>,
}

#[derive(Serialize)]
struct Json<'a> {
    from: Option<&'a str>,
    /// The receiver's results per method.
    spf: Option<&'a Method>,
    dkim: &'a [Method],
    dmarc: Option<&'a Method>,
    receiver: Option<Receiver<'a>>,
    /// Each ARC hop's results, first hop first.
    arc: &'a [Results],
    verdict: &'a Verdict,
    passes: bool,
    notes: &'a [String],
    plan: Option<&'a PlanView>,
}

pub fn run(request: &Request<'_>, out: &mut impl Write) -> Outcome {
    let raw = read_bounded(request.input).map_err(|e| {
        let name = escape(&request.input.display().to_string()).into_owned();
        CliError::Usage(format!("cannot read the message '{name}': {e}"))
    })?;
    let v = verify(&raw);
    let view = request.plan.and_then(|p| judge(&v, p, request.today));
    if request.json {
        let r = v.receiver.as_ref();
        let json = Json {
            from: v.from.as_deref(),
            spf: r.and_then(|r| r.spf.as_ref()),
            dkim: r.map_or(&[], |r| r.dkim.as_slice()),
            dmarc: r.and_then(|r| r.dmarc.as_ref()),
            receiver: r.map(|r| Receiver {
                header: r.header,
                authserv_id: r.authserv_id.as_deref(),
                instance: r.instance,
                arc: r.arc.as_deref(),
            }),
            arc: &v.arc,
            verdict: &v.verdict,
            passes: v.verdict == Verdict::Pass,
            notes: &v.notes,
            plan: view.as_ref(),
        };
        write_json(out, &json)?;
    } else {
        write_text(&v, request.plan.is_some(), view.as_ref(), out)?;
    }
    Ok(exit_code(&v, view.as_ref()))
}

/// 0 when DMARC passes with an aligned identifier (and, with a plan, at the next phase too);
/// [`exits::MESSAGE_FAILS`] when it does not; [`exits::NO_RESULTS`] without a receiver's results.
fn exit_code(v: &Verification, view: Option<&PlanView>) -> u8 {
    match v.verdict {
        Verdict::NoResults => exits::NO_RESULTS,
        Verdict::Fail => exits::MESSAGE_FAILS,
        Verdict::Pass if view.and_then(|p| p.next.as_ref()).is_some_and(|n| !n.passes) => {
            exits::MESSAGE_FAILS
        }
        Verdict::Pass => exits::OK,
    }
}

/// The message, or its first [`MAX_HEADER_BYTES`]: only the header section is read.
fn read_bounded(input: &Path) -> io::Result<Vec<u8>> {
    let limit = u64::try_from(MAX_HEADER_BYTES).unwrap_or(u64::MAX);
    let mut raw = Vec::new();
    if input == Path::new("-") {
        io::stdin().take(limit).read_to_end(&mut raw)?;
    } else {
        std::fs::File::open(input)?.take(limit).read_to_end(&mut raw)?;
    }
    Ok(raw)
}

fn write_text(
    v: &Verification,
    with_plan: bool,
    view: Option<&PlanView>,
    out: &mut impl Write,
) -> io::Result<()> {
    let from = v
        .from
        .as_deref()
        .map_or_else(|| "unknown (no From field)".to_owned(), |f| escape(f).into_owned());
    writeln!(out, "From domain: {from}")?;
    match &v.receiver {
        Some(r) => {
            writeln!(out, "Results of {}:", who(r))?;
            write_methods(r, out)?;
        }
        None => writeln!(out, "No Authentication-Results or ARC-Authentication-Results field.")?,
    }
    for hop in &v.arc {
        writeln!(out, "ARC hop {}:", who(hop))?;
        write_methods(hop, out)?;
    }
    for note in &v.notes {
        writeln!(out, "note: {}", escape(note))?;
    }
    writeln!(out, "verdict: {}", verdict_line(v))?;
    if with_plan {
        write_plan(v, view, out)?;
    }
    Ok(())
}

/// `mx.google.com (Authentication-Results)`, `i=1 mx.microsoft.com`.
fn who(r: &Results) -> String {
    match (r.instance, r.authserv_id.as_deref()) {
        (Some(i), Some(id)) => format!("i={i} {}", escape(id)),
        (Some(i), None) => format!("i={i}"),
        (None, Some(id)) => format!("{} ({})", escape(id), r.header),
        (None, None) => format!("the receiver ({}, no authserv-id)", r.header),
    }
}

fn write_methods(r: &Results, out: &mut impl Write) -> io::Result<()> {
    let rows: Vec<[String; 3]> = r
        .spf
        .iter()
        .map(|m| ("SPF", m))
        .chain(r.dkim.iter().map(|m| ("DKIM", m)))
        .chain(r.dmarc.iter().map(|m| ("DMARC", m)))
        .map(|(name, m)| {
            let mut id =
                m.domain.as_deref().map_or_else(|| "-".to_owned(), |d| escape(d).into_owned());
            if let Some(s) = &m.selector {
                id = format!("{id} s={}", escape(s));
            }
            // DMARC's domain is the From domain itself: alignment says nothing there.
            let rest = if name == "DMARC" {
                format!("{id}  (the From domain)")
            } else {
                format!("{id}  {}", aligned(m))
            };
            [name.to_owned(), escape(&m.result).into_owned(), rest]
        })
        .collect();
    if rows.is_empty() {
        return writeln!(out, "  no SPF, DKIM or DMARC result");
    }
    let width = rows.iter().map(|r| r[1].chars().count()).max().unwrap_or(0);
    for [name, result, rest] in rows {
        writeln!(out, "  {name:<6}{result:<width$}  {rest}")?;
    }
    if let Some(arc) = &r.arc {
        writeln!(out, "  ARC   {}", escape(arc))?;
    }
    Ok(())
}

fn aligned(m: &Method) -> &'static str {
    match (m.domain.as_ref(), m.aligned) {
        (None, _) => "",
        (_, Aligned { strict: true, .. }) => "aligned (relaxed and strict)",
        (_, Aligned { relaxed: true, .. }) => "aligned (relaxed only)",
        _ => "not aligned",
    }
}

fn verdict_line(v: &Verification) -> String {
    let with = v.receiver.as_ref().and_then(|r| r.aligned_pass(false, false));
    match (&v.verdict, with) {
        (Verdict::Pass, Some(id)) => format!("DMARC passes with aligned {id}"),
        (Verdict::Pass, None) => "DMARC passes".to_owned(),
        (Verdict::Fail, _) => "DMARC does NOT pass".to_owned(),
        (Verdict::NoResults, _) => "no receiver's results in these headers".to_owned(),
    }
}

fn write_plan(v: &Verification, view: Option<&PlanView>, out: &mut impl Write) -> io::Result<()> {
    let Some(view) = view else {
        let from = v.from.as_deref().map_or_else(String::new, |f| format!("{} ", escape(f)));
        return writeln!(out, "plan: the From domain {from}is not in the plan");
    };
    writeln!(out, "plan: {}", view.domain)?;
    match &view.sender {
        Some(s) => writeln!(out, "  sender: {} ({})", escape(&s.name), escape(&s.by))?,
        None => writeln!(out, "  sender: none of the plan's senders")?,
    }
    if let Some(n) = &view.next {
        let modes = format!("adkim={}, aspf={}", mode(n.adkim), mode(n.aspf));
        let head = format!("next phase {} {} ({modes})", n.phase, escape(&n.name));
        match (n.passes_with, n.policy) {
            (Some(id), _) => writeln!(out, "  {head}: passes with aligned {id}")?,
            (None, Some(p)) => writeln!(
                out,
                "  {head}: FAILS, no identifier passes aligned; RFC 9989 receivers apply p={p} to it"
            )?,
            (None, None) => writeln!(out, "  {head}: FAILS, no identifier passes aligned")?,
        }
    }
    Ok(())
}

fn mode(a: crate::record::Alignment) -> &'static str {
    match a {
        crate::record::Alignment::Relaxed => "r",
        crate::record::Alignment::Strict => "s",
    }
}
