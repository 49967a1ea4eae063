//! `lint`: findings for one published (or planned) DMARC value, with the spot marked.

use std::io::{self, Write};

use serde::Serialize;

use super::to_json;
use crate::exits;
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

pub fn run(text: &str, json: bool, out: &mut impl Write) -> io::Result<u8> {
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
        writeln!(out, "{}", to_json(&report))?;
    } else {
        write_marked(text, &parsed.findings, out)?;
        writeln!(out, "RFC 7489 receivers: {}", effective.rfc7489.summary())?;
        writeln!(out, "RFC 9989 receivers: {}", effective.rfc9989.summary())?;
    }
    Ok(if parsed.is_valid() { exits::OK } else { exits::FINDINGS })
}

/// The record once, then each finding with its span underlined. Columns count the escaped
/// text, since that is what the terminal shows.
pub fn write_marked(text: &str, findings: &[Finding], out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{}", escape(text))?;
    for f in findings {
        let start = floor(text, f.span.start);
        let end = floor(text, f.span.end).max(start);
        let indent = escape(&text[..start]).chars().count();
        let width = escape(&text[start..end]).chars().count().max(1);
        writeln!(out, "{}{} {}", " ".repeat(indent), "^".repeat(width), label(f.severity))?;
        writeln!(out, "{}  {}: {}", " ".repeat(indent), f.id, escape(&f.message))?;
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
