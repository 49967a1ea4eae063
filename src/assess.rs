//! The pipeline every front end runs for a domain: gather its DNS answers, the readiness lookups
//! that follow from them, then put it beside its plan with the one decision. Async; all DNS goes
//! through a [`DnsSource`], so the CLI, the TUI and the benchmarks share it.

use chrono::NaiveDate;
use futures::StreamExt;

use std::time::Duration;

use crate::answers::{DomainDns, DomainQuery, ReadinessDns};
use crate::dns::{self, Deadline, DnsSource};
use crate::fix::{self, Fixes};
use crate::plan::Domain;
use crate::readiness::{self, live_destinations, report_destinations};
use crate::report::Corpus;
use crate::standing::{Standing, standing};

/// Domains assessed at once: enough to hide latency, few enough not to flood a resolver.
pub const CONCURRENCY: usize = 64;

/// What to ask DNS for one planned domain: its declared DKIM selectors, and the hosts of
/// report addresses at another organizational domain (which must authorize it).
pub fn query_for(domain: &Domain) -> DomainQuery {
    let mut selectors: Vec<String> =
        domain.senders.iter().flat_map(|s| s.dkim.iter().map(|k| k.name.clone())).collect();
    selectors.dedup();
    let mut report_hosts: Vec<String> =
        report_destinations(domain).into_iter().filter(|d| d.external).map(|d| d.host).collect();
    report_hosts.sort();
    report_hosts.dedup();
    DomainQuery { domain: domain.name.to_string(), dkim_selectors: selectors, report_hosts }
}

/// Everything about one domain: its answers, the readiness lookups that follow from them (the
/// SPF walk, the report mailboxes), the decision, and the fixes.
pub async fn assess(
    source: &dyn DnsSource,
    domain: &Domain,
    today: NaiveDate,
    reports: Option<&Corpus>,
) -> Standing {
    let query = query_for(domain);
    let mut answers = dns::gather(source, &query).await;
    // Hosts that only the live record names are known once it is in.
    let mut live_hosts: Vec<String> = live_destinations(&answers)
        .into_iter()
        .filter(|d| d.external && !query.report_hosts.contains(&d.host))
        .map(|d| d.host)
        .collect();
    live_hosts.sort();
    live_hosts.dedup();
    answers.reports.extend(dns::report_auths(source, &domain.name, &live_hosts).await);
    let mut mailboxes: Vec<String> =
        report_destinations(domain).into_iter().map(|r| r.host).collect();
    mailboxes.sort_unstable();
    mailboxes.dedup();
    let extra = dns::gather_readiness(source, &answers, &mailboxes).await;
    let readiness = readiness::assess(domain, &answers, &extra);
    let mut standing = standing(domain, &answers, Some(readiness), reports, today);
    standing.fixes = fixes(source, domain, &answers, &extra, &standing).await;
    standing
}

/// The fixes for a domain; an SPF record the fix proposes is walked like the live one, so its
/// lookup count is known before it is suggested.
async fn fixes(
    source: &dyn DnsSource,
    domain: &Domain,
    answers: &DomainDns,
    extra: &ReadinessDns,
    standing: &Standing,
) -> Fixes {
    let Some(readiness) = standing.readiness.as_ref() else { return Fixes::default() };
    let advice = &standing.advice;
    let walked = match fix::spf_proposal(domain, answers, readiness, advice) {
        Some(proposal) => Some(dns::walk_spf(source, &domain.name, &proposal.record).await),
        None => None,
    };
    fix::fixes(&fix::Inputs {
        domain,
        dns: answers,
        readiness,
        findings: &standing.findings,
        advice,
        spf_walk: extra.spf.as_ref(),
        proposed_spf: walked.as_ref(),
    })
}

/// [`assess`] within an overall `deadline` for the domain (`None`: each lookup's own timeout
/// only): a lookup still running then, or asked later, is a timeout, so what is missing is
/// unknown.
pub async fn assess_within(
    source: &dyn DnsSource,
    domain: &Domain,
    today: NaiveDate,
    reports: Option<&Corpus>,
    deadline: Option<Duration>,
) -> Standing {
    match deadline {
        Some(after) => assess(&Deadline::after(source, after), domain, today, reports).await,
        None => assess(source, domain, today, reports).await,
    }
}

/// [`assess_within`] for every domain (each with its own deadline), at most [`CONCURRENCY`] at
/// once, in plan order.
pub async fn assess_all(
    source: &dyn DnsSource,
    domains: &[&Domain],
    today: NaiveDate,
    reports: Option<&Corpus>,
    deadline: Option<Duration>,
) -> Vec<Standing> {
    let mut all: Vec<(usize, Standing)> = futures::stream::iter(domains.iter().enumerate())
        .map(|(i, d)| async move { (i, assess_within(source, d, today, reports, deadline).await) })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, s)| s).collect()
}
