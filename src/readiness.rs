//! Sender readiness: whether a domain's legitimate mail can pass DMARC before its policy moves
//! to quarantine or reject. SPF (one record, syntax, recursive lookup counts, the senders'
//! includes), every declared DKIM selector (CNAME chain, key, size), and the report addresses
//! (authorization, a mailbox that can receive). Errors block an enforcing phase; warnings are
//! shown. Pure: the DNS answers are parameters (digest §5.3–5.5).

mod dkim;
mod reports;
mod spf;

use serde::Serialize;

use crate::dns::{DomainDns, ReadinessDns};
use crate::plan::{Domain, Phase};
use crate::record::{Finding, Policy, Severity};

pub use dkim::{DkimReadiness, KeyState, SelectorReadiness};
pub use reports::{ReportDestination, ReportsReadiness, report_destinations};
pub use spf::SpfReadiness;

/// A domain's readiness, part by part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

    pub fn is_ready(&self) -> bool {
        self.blocks().is_empty()
    }

    /// True when a readiness lookup failed (timeout, SERVFAIL…): the verdict is unknown, which
    /// scripts must be able to tell from "not ready".
    pub fn lookup_failed(&self) -> bool {
        const FAILED: [&str; 4] =
            ["spf.lookup_failed", "spf.temperror", "dkim.lookup_failed", "reports.lookup_failed"];
        self.findings().any(|f| FAILED.contains(&f.id))
    }

    /// One summary per part for people: `("SPF", ok, "2/10 lookups, 0/2 void")`, then DKIM
    /// (each selector's state and key size) and reports.
    pub fn parts(&self) -> [(&'static str, bool, String); 3] {
        let spf = match &self.spf.record {
            Some(_) => format!("{}/10 lookups, {}/2 void", self.spf.lookups, self.spf.void_lookups),
            None if self.spf.findings.iter().any(|f| f.id == "spf.unverified") => {
                "not checked".to_owned()
            }
            None => "no single SPF record".to_owned(),
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
            ("SPF", self.spf.ok, spf),
            ("DKIM", self.dkim.ok, dkim),
            ("reports", self.reports.ok, reports),
        ]
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

/// What readiness says about publishing one phase.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Gate {
    /// Errors standing in the way; the phase must not be published while any is left.
    pub blocking: Vec<Finding>,
    /// Shown, not blocking.
    pub warnings: Vec<Finding>,
}

impl Gate {
    pub fn is_blocked(&self) -> bool {
        !self.blocking.is_empty()
    }
}

/// The gate in front of `phase`: only `p=quarantine` and `p=reject` are gated, since `p=none`
/// changes no delivery.
pub fn gate(readiness: &Readiness, domain: &Domain, phase: &Phase) -> Gate {
    let Some(policy @ (Policy::Quarantine | Policy::Reject)) = phase.record.p else {
        return Gate::default();
    };
    let of = |s: Severity| readiness.findings().filter(move |f| f.severity == s).cloned();
    let mut warnings: Vec<Finding> = of(Severity::Warning).collect();
    if policy == Policy::Reject {
        warnings.extend(domain.senders.iter().filter(|s| s.dkim.is_empty()).map(|s| {
            Finding::warning(
                "readiness.spf_only_sender",
                0..0,
                format!(
                    "sender '{}' has no DKIM selector, so its mail passes DMARC only by SPF, \
                     which forwarding breaks (RFC 9989 §7.4); set up DKIM before p=reject",
                    s.name
                ),
            )
        }));
    }
    Gate { blocking: of(Severity::Error).collect(), warnings }
}

/// Lower-case, without a trailing dot: how names are compared.
fn normalize(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// A copy of `finding` whose message starts with `who: `, for the lists that mix several
/// sources (the span still points into the source's own text).
fn named(who: &str, finding: &Finding) -> Finding {
    Finding { message: format!("{who}: {}", finding.message), ..finding.clone() }
}
