//! `lint`: findings for one published (or planned) DMARC value, with the spot marked.

use std::io::{self, Write};

use serde::Serialize;

use super::{Paint, write_json};
use crate::exits;
use crate::record::finding::has_errors;
use crate::record::spf::parse_spf;
use crate::record::{Effective, Finding, Receiver, Severity, parse};
use crate::text::escape;

#[derive(Serialize)]
struct Report<'a> {
    record: &'a str,
    valid: bool,
    findings: &'a [Finding],
    effective: Generations,
}

#[derive(Serialize)]
struct Generations {
    rfc7489: Effective,
    rfc9989: Effective,
}

#[derive(Serialize)]
struct SpfReport<'a> {
    record: &'a str,
    valid: bool,
    findings: &'a [Finding],
    /// DNS-querying terms in this record alone; includes are counted by `status`.
    lookups: u32,
}

/// Lints a DMARC value, or an SPF record when asked to or when it starts with `v=spf1`.
pub fn run(
    text: &str,
    spf: bool,
    json: bool,
    paint: Paint,
    out: &mut impl Write,
) -> io::Result<u8> {
    if spf || text.get(..6).is_some_and(|v| v.eq_ignore_ascii_case("v=spf1")) {
        return run_spf(text, json, paint, out);
    }
    let parsed = parse(text);
    let effective = Generations {
        rfc7489: parsed.effective(Receiver::Rfc7489),
        rfc9989: parsed.effective(Receiver::Rfc9989),
    };
    if json {
        let report = Report {
            record: text,
            valid: parsed.is_valid(),
            findings: &parsed.findings,
            effective,
        };
        write_json(out, &report)?;
    } else {
        write_marked(text, &parsed.findings, paint, out)?;
        writeln!(out, "RFC 7489 receivers: {}", effective.rfc7489.summary())?;
        writeln!(out, "RFC 9989 receivers: {}", effective.rfc9989.summary())?;
    }
    Ok(if parsed.is_valid() { exits::OK } else { exits::FINDINGS })
}

fn run_spf(text: &str, json: bool, paint: Paint, out: &mut impl Write) -> io::Result<u8> {
    let parsed = parse_spf(text);
    let valid = parsed.is_spf && !has_errors(&parsed.findings);
    let lookups = parsed.own_lookups();
    if json {
        let report = SpfReport { record: text, valid, findings: &parsed.findings, lookups };
        write_json(out, &report)?;
    } else {
        write_marked(text, &parsed.findings, paint, out)?;
        writeln!(
            out,
            "DNS lookups in this record: {lookups} of 10 (includes are counted by `status`)"
        )?;
    }
    Ok(if valid { exits::OK } else { exits::FINDINGS })
}

/// Findings drawn under the record with their span marked; the rest are listed by position,
/// so the output grows with the record, not with the record times its findings.
pub const MARKED: usize = 20;
/// The longest value `lint` reads: a DMARC record is a few hundred bytes, and one DNS answer
/// holds at most 64 KiB of TXT.
pub const MAX_RECORD_BYTES: usize = 16 * 1024;

/// The record once, then the first [`MARKED`] findings with their span underlined, then the
/// others one line each with their byte range. Columns count the escaped text, since that is
/// what the terminal shows.
pub fn write_marked(
    text: &str,
    findings: &[Finding],
    paint: Paint,
    out: &mut impl Write,
) -> io::Result<()> {
    writeln!(out, "{}", escape(text))?;
    for f in findings.iter().take(MARKED) {
        let start = floor(text, f.span.start);
        let end = floor(text, f.span.end).max(start);
        let indent = escape(&text[..start]).chars().count();
        let width = escape(&text[start..end]).chars().count().max(1);
        writeln!(
            out,
            "{}{} {}",
            " ".repeat(indent),
            "^".repeat(width),
            paint.word(label(f.severity))
        )?;
        writeln!(out, "{}  {}: {}", " ".repeat(indent), f.id, escape(&f.message))?;
    }
    if findings.len() > MARKED {
        writeln!(out, "{} more findings, by byte position:", findings.len() - MARKED)?;
    }
    for f in findings.iter().skip(MARKED) {
        let (start, end) = (f.span.start, f.span.end);
        let (severity, message) = (paint.word(label(f.severity)), escape(&f.message));
        writeln!(out, "  {start}..{end} {severity} {}: {message}", f.id)?;
    }
    if findings.is_empty() {
        writeln!(out, "no findings")?;
    }
    Ok(())
}

fn label(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}
