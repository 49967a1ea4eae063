//! What the aggregate reports say about the selected domain, as rows of the readiness panel:
//! traffic and pass rates, the worst failing sources, and what the next step would do to the
//! failing mail at each generation of receivers. Pure.

use super::Readiness;
use crate::plan::Domain;
use crate::record::Severity;
use crate::report::{DomainSummary, sender_hints, sender_of, what_if};
use crate::rollout::NextStep;
use crate::text::{floored_percent, share};

/// Failing sources shown; the rest are counted.
const FAILING_SHOWN: usize = 3;

pub fn report_rows(
    domain: &Domain,
    next: &NextStep,
    summary: Option<&DomainSummary>,
) -> Vec<Readiness> {
    let Some(s) = summary else {
        return vec![row(
            "reports",
            Severity::Warning,
            "no aggregate report for this domain in the files read".into(),
        )];
    };
    let c = &s.counts;
    let mut rows = vec![row(
        "reports",
        Severity::Info,
        format!(
            "{} report(s) from {} reporter(s) over {} day(s): {} messages, DMARC pass {} (DKIM {}, SPF {})",
            s.reports,
            s.reporters.len(),
            s.days_covered,
            c.messages,
            floored_percent(share(c.dmarc_pass, c.messages)),
            floored_percent(share(c.dkim_aligned_pass, c.messages)),
            floored_percent(share(c.spf_aligned_pass, c.messages))
        ),
    )];
    let hints = sender_hints(domain);
    let failing = s.failing_sources();
    rows.extend(failing.iter().take(FAILING_SHOWN).map(|source| {
        let sender = sender_of(source, &hints).map_or("unknown sender", |h| h.name.as_str());
        let text = format!(
            "{} ({sender}): {} of {} messages fail",
            source.ip,
            source.failing(),
            source.messages
        );
        row("failing", Severity::Warning, text)
    }));
    if failing.len() > FAILING_SHOWN {
        rows.push(row(
            "failing",
            Severity::Info,
            format!("… and {} more source(s)", failing.len() - FAILING_SHOWN),
        ));
    }
    if let Some(phase) = domain.phases.get(next.phase - 1).filter(|_| !next.complete) {
        let w = what_if(s, &phase.record);
        let text = format!(
            "phase {} on the {} failing: RFC 7489 quarantines {}, rejects {}; RFC 9989 quarantines {}, rejects {}",
            next.phase,
            w.failing,
            w.rfc7489.quarantined,
            w.rfc7489.rejected,
            w.rfc9989.quarantined,
            w.rfc9989.rejected
        );
        rows.push(row("what-if", Severity::Info, text));
    }
    rows
}

fn row(label: &str, severity: Severity, text: String) -> Readiness {
    Readiness { label: label.to_owned(), severity, text }
}
