//! `check`: for cron and CI, every problem of every domain, one line each on stderr (or one
//! JSON object each on stdout), and the exit code of the worst.

use std::io::{self, Write};

use serde::Serialize;

use super::status::is_readiness;
use super::write_list_json;
use crate::advice::{BlockKind, TagDiff};
use crate::exits;
use crate::readiness::Readiness;
use crate::record::Severity;
use crate::standing::{Position, Standing};
use crate::text::escape;

/// One problem of one domain.
#[derive(Debug, Serialize)]
pub struct Problem<'a> {
    pub domain: &'a str,
    /// The exit code this problem raises (0: said, but not a failure).
    pub code: u8,
    /// The finding or block ids it is about (none for drift, lateness or a failed lookup).
    pub ids: Vec<&'a str>,
    /// What is wrong, in words (JSON keeps the true text; the line escapes it).
    pub message: String,
    /// The line on stderr after the domain: the message, with the ids where `check` names them.
    #[serde(skip)]
    pub line: String,
}

/// Writes the problems (lines on stderr, or JSON on stdout) and gives the worst one's code.
pub fn run(
    standings: &[Standing],
    json: bool,
    out: &mut impl Write,
    err: &mut impl Write,
) -> io::Result<u8> {
    let problems: Vec<Problem<'_>> = standings.iter().flat_map(problems).collect();
    if json {
        write_list_json(out, "problems", &problems)?;
    } else {
        for p in &problems {
            writeln!(err, "{}: {}", p.domain, escape(&p.line))?;
        }
    }
    Ok(problems.iter().map(|p| p.code).max_by_key(|&c| rank(c)).unwrap_or(exits::OK))
}

/// Precedence: an unknown state hides everything else, then broken records, a blocked step,
/// drift, and lateness.
fn rank(code: u8) -> usize {
    [exits::OK, exits::OVERDUE, exits::DRIFT, exits::BLOCKED, exits::FINDINGS, exits::DNS]
        .iter()
        .position(|x| *x == code)
        .unwrap_or(0)
}

/// Every problem of one domain, in the order `check` has always said them.
fn problems(s: &Standing) -> Vec<Problem<'_>> {
    let problem = |code, ids, message: String, line: String| Problem {
        domain: &s.name,
        code,
        ids,
        message,
        line,
    };
    if s.dns_failed() {
        let state = s.dmarc.state.as_str();
        let message = format!(
            "DNS failure: the _dmarc lookup ended with {state}; unknown, not safe to advise"
        );
        return vec![problem(exits::DNS, Vec::new(), message.clone(), message)];
    }
    let mut out = Vec::new();
    // A readiness lookup that failed leaves the verdict unknown, not wrong.
    let error_code = if s.lookups_failed() { exits::DNS } else { exits::FINDINGS };
    let readiness = s.readiness.as_ref().map(Readiness::blocks).unwrap_or_default();
    let record = s.findings.iter().filter(|f| f.severity == Severity::Error);
    for f in record.chain(readiness) {
        let line = format!("{}: {}", f.id, f.message);
        out.push(problem(error_code, vec![f.id], f.message.clone(), line));
    }
    out.extend(position(s));
    for b in s.advice.why.iter().filter(|b| !is_readiness(b) || b.kind == BlockKind::Unverified) {
        let code = match b.kind {
            BlockKind::Unknown => exits::DNS,
            BlockKind::Unverified | BlockKind::Loosening => exits::BLOCKED,
            // Waiting for reports is the plan working, not a problem.
            BlockKind::Evidence | BlockKind::NotReady => exits::OK,
        };
        let verdict = s.advice.verdict.as_str();
        let line = format!("next step {verdict}: {}: {}", b.id, b.message);
        out.push(problem(code, vec![b.id], format!("next step {verdict}: {}", b.message), line));
    }
    if let (Some(due), Some(step)) = (s.advice.due.filter(|d| d.in_days < 0), &s.advice.step) {
        let message = format!("phase {} is overdue since {}", step.phase, due.date);
        out.push(problem(exits::OVERDUE, Vec::new(), message.clone(), message));
    }
    out
}

/// Drift and a domain not started are [`exits::DRIFT`]; report tags that differ are said.
fn position(s: &Standing) -> Option<Problem<'_>> {
    let tags = |diff: &[TagDiff]| {
        let tags: Vec<String> =
            diff.iter().map(|d| format!("{}={} (plan: {})", d.tag, d.live, d.planned)).collect();
        tags.join(", ")
    };
    let (code, message) = match &s.advice.position {
        Position::Drift { phase, diff } => {
            let at = phase.map_or_else(
                || "below phase 1".to_owned(),
                |p| format!("placed at phase {}", p + 1),
            );
            (exits::DRIFT, format!("drift ({at}): {}", tags(diff)))
        }
        Position::NotStarted => {
            (exits::DRIFT, "no DMARC record of its own; the plan starts with phase 1".to_owned())
        }
        Position::Live { phase, differs } if !differs.is_empty() => (
            exits::OK,
            format!(
                "phase {} is live, but its reporting differs from the plan: {}; the next step repairs it",
                phase + 1,
                tags(differs)
            ),
        ),
        _ => return None,
    };
    Some(Problem { domain: &s.name, code, ids: Vec::new(), line: message.clone(), message })
}
