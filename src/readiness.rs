//! Sender readiness: whether a domain's legitimate mail can pass DMARC before its policy moves
//! to quarantine or reject. SPF (one record, syntax, recursive lookup counts, the senders'
//! includes), every declared DKIM selector (CNAME chain, key, size), and the report addresses
//! (authorization, a mailbox that can receive). Errors block an enforcing phase; warnings are
//! shown. Pure: the DNS answers are parameters. Sources: RFC 7489 §7.1 (report authorization),
//! RFC 7208 §4.6.4 (lookup limits), RFC 6376 §3.6 and RFC 8301 (keys).

mod dkim;
mod reports;
mod spf;

use serde::Serialize;

use crate::answers::{DomainDns, ReadinessDns};
use crate::plan::Domain;
use crate::record::{Finding, Severity};

pub use dkim::{DkimReadiness, KeyState, SelectorReadiness};
pub use reports::{
    ReportDestination, ReportsReadiness, live_destinations, live_destinations_at,
    report_destinations,
};
pub use spf::SpfReadiness;

/// A domain's readiness, part by part (the default: every part ready, nothing found).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Readiness {
    pub spf: SpfReadiness,
    pub dkim: DkimReadiness,
    pub reports: ReportsReadiness,
}

impl Readiness {
    /// Every finding of every part (DKIM findings named by selector).
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.spf.findings.iter().chain(&self.dkim.findings).chain(&self.reports.findings)
    }

    /// The errors, each of which blocks an enforcing phase.
    pub fn blocks(&self) -> Vec<&Finding> {
        self.findings().filter(|f| f.severity == Severity::Error).collect()
    }

    /// The verdict over every part: a failed lookup first (it may hide anything), then errors,
    /// then what could not be checked.
    pub fn outcome(&self) -> Outcome {
        Outcome::worst(self.findings())
    }

    pub fn is_ready(&self) -> bool {
        self.outcome() == Outcome::Ready
    }

    /// True when a readiness lookup failed (timeout, SERVFAIL…): the verdict is unknown, which
    /// scripts must be able to tell from "not ready".
    pub fn lookup_failed(&self) -> bool {
        self.outcome() == Outcome::Unknown
    }

    /// One summary per part for people: `("SPF", Ready, "2/10 lookups, 0/2 void")`, then DKIM
    /// (each selector's state and key size) and reports.
    pub fn parts(&self) -> [(&'static str, Outcome, String); 3] {
        let spf_outcome = Outcome::worst(&self.spf.findings);
        let spf = match (&self.spf.record, spf_outcome) {
            (Some(_), _) => {
                format!("{}/10 lookups, {}/2 void", self.spf.lookups, self.spf.void_lookups)
            }
            (None, Outcome::Unverified) => "not checked".to_owned(),
            (None, Outcome::Unknown) => "lookup failed".to_owned(),
            (None, _) => "no single SPF record".to_owned(),
        };
        let selectors: Vec<String> = self
            .dkim
            .selectors
            .iter()
            .map(|(name, sel)| {
                let bits = sel.key_bits.map(|b| format!(" {b}")).unwrap_or_default();
                format!("{name} {}{bits}", sel.state.as_str())
            })
            .collect();
        let dkim =
            if selectors.is_empty() { "none declared".to_owned() } else { selectors.join(", ") };
        let reports = format!("{} destination(s)", self.reports.destinations.len());
        [
            ("SPF", spf_outcome, spf),
            ("DKIM", Outcome::worst(&self.dkim.findings), dkim),
            ("reports", Outcome::worst(&self.reports.findings), reports),
        ]
    }
}

/// What readiness says: ready, not ready, or not known to be either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ready,
    /// An error stands: the senders' mail would fail.
    NotReady,
    /// Not checked, or outside the zone file the answers came from.
    Unverified,
    /// A lookup failed, so nothing can be said.
    Unknown,
}

impl Outcome {
    /// What one finding says about readiness.
    pub fn of_finding(finding: &Finding) -> Self {
        const FAILED: [&str; 4] =
            ["spf.lookup_failed", "spf.temperror", "dkim.lookup_failed", "reports.lookup_failed"];
        const UNVERIFIED: [&str; 3] = ["spf.unverified", "dkim.unverified", "reports.unverified"];
        if FAILED.contains(&finding.id) {
            Self::Unknown
        } else if UNVERIFIED.contains(&finding.id) {
            Self::Unverified
        } else if finding.severity == Severity::Error {
            Self::NotReady
        } else {
            Self::Ready
        }
    }

    pub(crate) fn worst<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Self {
        let rank = |o: Self| match o {
            Self::Ready => 0,
            Self::Unverified => 1,
            Self::NotReady => 2,
            Self::Unknown => 3,
        };
        findings.into_iter().map(Self::of_finding).max_by_key(|o| rank(*o)).unwrap_or(Self::Ready)
    }

    /// `ok`, `not ready`, `unverified`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ok",
            Self::NotReady => "not ready",
            Self::Unverified => "unverified",
            Self::Unknown => "unknown",
        }
    }
}

/// Judges a domain's readiness from its plan and the DNS answers gathered for it.
pub fn assess(domain: &Domain, dns: &DomainDns, extra: &ReadinessDns) -> Readiness {
    Readiness {
        spf: spf::assess(domain, dns, extra.spf.as_ref()),
        dkim: dkim::assess(domain, dns),
        reports: reports::assess(domain, dns, &extra.mailboxes),
    }
}

/// A copy of `finding` whose message starts with `who: `, for the lists that mix several
/// sources (the span still points into the source's own text).
fn named(who: &str, finding: &Finding) -> Finding {
    Finding { message: format!("{who}: {}", finding.message), ..finding.clone() }
}
