//! The pipeline every front end runs for a domain: gather its DNS answers and the readiness
//! lookups that follow from them (each started as soon as what it depends on is in), then put it
//! beside its plan with the one decision. For many domains, one limit on the queries in flight
//! and one answer per question for the whole run. Async; all DNS goes through a
//! [`DnsSource`], so the CLI, the TUI and the benchmarks share it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::NaiveDate;
use futures::StreamExt;
use futures::stream::FuturesUnordered;

use crate::answers::{DmarcAt, DomainDns, DomainQuery, ReadinessDns};
use crate::dns::{self, Deadline, DnsSetupError, DnsSource, Paced, ReadinessQuery, SharedLookups};
use crate::fix::{self, Fixes};
use crate::plan::Domain;
use crate::readiness::{self, live_destinations_at, report_destinations};
use crate::report::Corpus;
use crate::standing::{Standing, standing};
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
    let mut mailboxes: Vec<String> =
        report_destinations(domain).into_iter().map(|r| r.host).collect();
    mailboxes.sort_unstable();
    mailboxes.dedup();
    // Hosts that only the live record names are known once it is in.
    let live_hosts = |dmarc: &DmarcAt| {
        let mut hosts: Vec<String> = live_destinations_at(&domain.name, dmarc)
            .into_iter()
            .filter(|d| d.external && !query.report_hosts.contains(&d.host))
            .map(|d| d.host)
            .collect();
        hosts.sort();
        hosts.dedup();
        hosts
    };
    let asks = ReadinessQuery { mailbox_domains: &mailboxes, live_report_hosts: &live_hosts };
    let (answers, extra) = dns::gather_with_readiness(source, &query, &asks).await;
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

/// [`assess_within`] for every domain (each with its own deadline), in plan order.
pub async fn assess_all(
    source: &Arc<Paced>,
    domains: &[&Domain],
    today: NaiveDate,
    reports: Option<&Corpus>,
    deadline: Option<Duration>,
) -> Vec<Standing> {
    let mut all: Vec<Option<Standing>> = domains.iter().map(|_| None).collect();
    assess_each(source, domains, today, reports, deadline, |index, standing| {
        all[index] = Some(standing);
    })
    .await;
    all.into_iter().flatten().collect()
}

/// [`assess_within`] for every domain, handing each standing to `each` with its index as it
/// lands, all lookups as one run ([`RunLookups`]).
pub async fn assess_each(
    source: &Arc<Paced>,
    domains: &[&Domain],
    today: NaiveDate,
    reports: Option<&Corpus>,
    deadline: Option<Duration>,
    each: impl FnMut(usize, Standing),
) {
    let handout = Handout::new(domains, 1);
    assess_handed_out(&RunLookups::new(source), &handout, today, reports, deadline, each).await;
}

/// [`assess_within`] for every domain, in plan order, on `threads` threads. Each runs a
/// runtime of one thread, which does not pay for handing tasks and wake-ups between threads (a
/// quarter less CPU per query than a runtime of two workers, `cargo bench --bench
/// round_trips`), and asks through a source of its own (the first `source`, the others one
/// from `connect`: a runtime drives only the sockets it opened); all share `source`'s limit on
/// queries in flight, and each question is asked once.
pub fn assess_on_threads(
    threads: usize,
    source: &Arc<Paced>,
    connect: impl Fn() -> Result<Arc<dyn DnsSource>, DnsSetupError> + Sync,
    domains: &[&Domain],
    today: NaiveDate,
    reports: Option<&Corpus>,
    deadline: Option<Duration>,
) -> Result<Vec<Standing>, DnsSetupError> {
    let first = RunLookups::new(source);
    let others: Vec<RunLookups> =
        (1..threads).map(|_| Ok(first.alongside(connect()?))).collect::<Result<_, _>>()?;
    let handout = Handout::new(domains, threads);
    let assess = |run: &RunLookups| -> Result<Vec<(usize, Standing)>, DnsSetupError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| DnsSetupError::Resolver(Box::new(e)))?;
        let mut mine = Vec::new();
        runtime.block_on(assess_handed_out(run, &handout, today, reports, deadline, |i, s| {
            mine.push((i, s));
        }));
        Ok(mine)
    };
    let mut all = std::thread::scope(|scope| {
        let others: Vec<_> = others.iter().map(|run| scope.spawn(|| assess(run))).collect();
        let mut all = assess(&first)?;
        for other in others {
            all.extend(other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?);
        }
        Ok::<_, DnsSetupError>(all)
    })?;
    all.sort_unstable_by_key(|(index, _)| *index);
    Ok(all.into_iter().map(|(_, standing)| standing).collect())
}

/// The lookups of one run: a question is asked once ([`SharedLookups`]), and the queries in
/// flight stay under one limit ([`Paced`]).
struct RunLookups {
    shared: SharedLookups,
    paced: Arc<Paced>,
}

impl RunLookups {
    fn new(source: &Arc<Paced>) -> Self {
        let shared = SharedLookups::new(Arc::clone(source) as Arc<dyn DnsSource>);
        Self { shared, paced: Arc::clone(source) }
    }

    /// The same run, asking through `inner`: for another thread, whose runtime cannot drive
    /// the sockets of this one's.
    fn alongside(&self, inner: Arc<dyn DnsSource>) -> Self {
        let paced = Arc::new(self.paced.alongside(inner));
        let shared = self.shared.alongside(Arc::clone(&paced) as Arc<dyn DnsSource>);
        Self { shared, paced }
    }
}

/// A plan's domains, handed out one at a time to the threads that assess them, so a thread
/// whose domains answer slowly holds up only itself.
struct Handout<'d> {
    domains: &'d [&'d Domain],
    next: AtomicUsize,
    takers: usize,
}

impl<'d> Handout<'d> {
    /// `domains`, for `takers` threads.
    fn new(domains: &'d [&'d Domain], takers: usize) -> Self {
        Self { domains, next: AtomicUsize::new(0), takers: takers.max(1) }
    }

    fn take(&self) -> Option<(usize, &'d Domain)> {
        let index = self.next.fetch_add(1, Ordering::Relaxed);
        self.domains.get(index).map(|domain| (index, *domain))
    }
}

/// [`assess_within`] for each domain this thread takes from `handout`, handing each standing
/// to `each` with its index as it lands. A domain starts while this thread's share of the
/// run's limit on queries in flight would still have room for it, so its deadline runs while
/// its lookups do, not while it waits behind the whole plan.
async fn assess_handed_out(
    run: &RunLookups,
    handout: &Handout<'_>,
    today: NaiveDate,
    reports: Option<&Corpus>,
    deadline: Option<Duration>,
    mut each: impl FnMut(usize, Standing),
) {
    let shared = &run.shared;
    let mut running = FuturesUnordered::new();
    // Every lookup of the thread is polled by this one task. Tokio's budget for a task's turn
    // (128 operations on sockets, timers and semaphores) would end the turn after a score of
    // queries and have every other domain that is ready polled for nothing, so the run opts
    // out of it and yields on its own every few domains instead (where a refresh of the UI
    // aborts it).
    let run_all = async {
        for done in 1.. {
            while running.len() < run.paced.limit().div_ceil(handout.takers) {
                let Some((index, domain)) = handout.take() else { break };
                running.push(async move {
                    (index, assess_within(shared, domain, today, reports, deadline).await)
                });
            }
            let Some((index, standing)) = running.next().await else { break };
            each(index, standing);
            if done % YIELD_EVERY == 0 {
                tokio::task::yield_now().await;
            }
        }
    };
    tokio::task::unconstrained(run_all).await;
}

/// Domains assessed between two yields of [`assess_each`] to the runtime.
const YIELD_EVERY: usize = 64;
