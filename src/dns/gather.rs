//! Gathers, per domain, every answer shown beside a plan, and with it the lookups readiness
//! needs. Every lookup starts as soon as the answer it depends on is in: the `_dmarc` record,
//! the apex TXT and its SPF walk, the MX, the DKIM selectors, the report authorizations and the
//! report mailboxes all at once; only a CNAME's next hop, an SPF include's target, the next
//! tree-walk step and the live record's report hosts wait. Async; all DNS goes through a
//! [`DnsSource`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use futures::future::join_all;
use futures::task::AtomicWaker;

use super::DnsSource;
use super::readiness::{mail_domain, spf_of};
use crate::answers::{
    Answer, DkimLookup, DmarcAt, DomainDns, DomainQuery, Existence, Inherited, LookupState, Rdata,
    ReadinessDns, RecordKind, ReportAuth, TreeWalk,
};
use crate::name::DnsName;
use crate::record::org_domain::{psl_org_domain, tree_walk_names};

/// The report hosts to check the authorization of, read from the `_dmarc` answer.
pub type ReportHostsOf<'a> = dyn Fn(&DmarcAt) -> Vec<String> + Sync + 'a;

/// What readiness asks on top of a domain's answers.
pub struct ReadinessQuery<'a> {
    /// The domains of the report mailboxes: their MX, else their address.
    pub mailbox_domains: &'a [String],
    /// The report hosts whose authorization is checked besides the query's, from the live
    /// `_dmarc` answer (the hosts only the live record names).
    pub live_report_hosts: &'a ReportHostsOf<'a>,
}

/// Looks up everything for one domain. The independent lookups run concurrently; the
/// inheritance walk runs only when the domain has no single DMARC record of its own.
pub async fn gather(source: &dyn DnsSource, q: &DomainQuery) -> DomainDns {
    gather_for(source, q, None).await.0
}

/// [`gather`], and the readiness lookups `r` asks for, each started as soon as it can be: the
/// SPF walk when the apex TXT is in, the live record's report hosts when `_dmarc` is.
pub async fn gather_with_readiness(
    source: &dyn DnsSource,
    q: &DomainQuery,
    r: &ReadinessQuery<'_>,
) -> (DomainDns, ReadinessDns) {
    let (dns, readiness) = gather_for(source, q, Some(r)).await;
    (dns, readiness.unwrap_or(ReadinessDns { spf: None, mailboxes: Vec::new() }))
}

async fn gather_for(
    source: &dyn DnsSource,
    q: &DomainQuery,
    readiness: Option<&ReadinessQuery<'_>>,
) -> (DomainDns, Option<ReadinessDns>) {
    let domain = DnsName::lenient(&q.domain);
    let live_hosts = readiness.map(|r| r.live_report_hosts);
    let apex_and_spf = async {
        let apex = source.lookup(&domain, RecordKind::Txt).await;
        let spf = match readiness {
            Some(_) => spf_of(source, &domain, &apex).await,
            None => None,
        };
        (apex, spf)
    };
    let mailboxes = readiness.map_or(&[][..], |r| r.mailbox_domains);
    let ((dmarc, walk, live_reports), (apex_txt, spf), mx, dkim, mut reports, mailboxes) = futures::join!(
        when_woken(dmarc_and_above(source, &domain, live_hosts)),
        when_woken(apex_and_spf),
        when_woken(source.lookup(&domain, RecordKind::Mx)),
        when_woken(join_all(q.dkim_selectors.iter().map(|s| dkim(source, &domain, s)))),
        when_woken(join_all(q.report_hosts.iter().map(|h| report_auth(source, &domain, h)))),
        when_woken(join_all(mailboxes.iter().map(|d| mail_domain(source, d)))),
    );
    reports.extend(live_reports);
    let inherited = walk.map(|(tree_walk, psl)| {
        let domain_exists = existence(&[&apex_txt, &mx]);
        Inherited { tree_walk, psl, domain_exists }
    });
    let source = source.describe();
    let dns =
        DomainDns { domain: domain.into(), source, dmarc, inherited, apex_txt, mx, dkim, reports };
    (dns, readiness.map(|_| ReadinessDns { spf, mailboxes }))
}

/// What `_dmarc.<domain>` leads to: its answer, then at once the walk above it (when the
/// domain has no single DMARC record of its own and that is certain) and the authorization of
/// the report hosts only the live record names.
async fn dmarc_and_above(
    source: &dyn DnsSource,
    domain: &str,
    live_hosts: Option<&ReportHostsOf<'_>>,
) -> (DmarcAt, Option<(TreeWalk, Option<DmarcAt>)>, Vec<ReportAuth>) {
    let dmarc = DmarcAt::new(domain, with_cname_chain(source, &format!("_dmarc.{domain}")).await);
    let hosts = live_hosts.map(|hosts| hosts(&dmarc)).unwrap_or_default();
    let inherits = !dmarc.answer.state.is_failure() && dmarc.single().is_none();
    let walk = async { if inherits { Some(walk_above(source, domain).await) } else { None } };
    let (walk, live_reports) = futures::join!(walk, report_auths(source, domain, &hosts));
    (dmarc, walk, live_reports)
}

/// CNAME hops walked after a negative answer. hickory's stub resolver gives up after 8 and
/// calls the end "no data"; a recursive resolver says SERVFAIL.
const MAX_CNAME_HOPS: usize = 8;

/// A TXT lookup that also reports the CNAME chain at `name` when the TXT is missing: negative
/// answers carry no chain, and "CNAME to nowhere" must not read as "nothing published". A chain
/// that loops or runs past [`MAX_CNAME_HOPS`] is an error, never "no record".
async fn with_cname_chain(source: &dyn DnsSource, name: &str) -> Answer {
    let mut answer = source.lookup(name, RecordKind::Txt).await;
    if answer.state.is_negative() && answer.cname_chain.is_empty() {
        let mut current = String::from(DnsName::lenient(name));
        loop {
            let hop = source.lookup(&current, RecordKind::Cname).await;
            // A hop that could not be looked up leaves the end of the chain unknown, not absent.
            if hop.state.is_failure() && !answer.cname_chain.is_empty() {
                answer.state = hop.state;
                break;
            }
            let Some(target) = cname_target(&hop) else { break };
            let looped = DnsName::lenient(&target) == DnsName::lenient(name)
                || answer.cname_chain.iter().any(|t| t.eq_ignore_ascii_case(&target));
            answer.cname_chain.push(target.clone());
            if looped || answer.cname_chain.len() > MAX_CNAME_HOPS {
                let why = if looped { "loops" } else { "is longer than 8 hops" };
                answer.state = LookupState::Error(format!("the CNAME chain at {name} {why}"));
                break;
            }
            current = target;
        }
    }
    answer
}

fn cname_target(hop: &Answer) -> Option<String> {
    hop.records().iter().find_map(|r| match r {
        Rdata::Cname(target) => Some(target.clone()),
        _ => None,
    })
}

async fn dkim(source: &dyn DnsSource, domain: &str, selector: &str) -> DkimLookup {
    let name = format!("{selector}._domainkey.{domain}");
    DkimLookup { selector: selector.to_owned(), key: with_cname_chain(source, &name).await }
}

/// The authorization records for report hosts known only once `_dmarc` is in: those in the
/// live record's `rua`/`ruf` that the plan does not name.
async fn report_auths(source: &dyn DnsSource, domain: &str, hosts: &[String]) -> Vec<ReportAuth> {
    join_all(hosts.iter().map(|h| report_auth(source, domain, h))).await
}

async fn report_auth(source: &dyn DnsSource, domain: &str, host: &str) -> ReportAuth {
    let host = DnsName::lenient(host);
    let exact_name = format!("{domain}._report._dmarc.{host}");
    let exact = DmarcAt::new(&exact_name, source.lookup(&exact_name, RecordKind::Txt).await);
    let wildcard = if exact.records.is_empty() && !exact.answer.state.is_failure() {
        let name = format!("*._report._dmarc.{host}");
        Some(DmarcAt::new(&name, source.lookup(&name, RecordKind::Txt).await))
    } else {
        None
    };
    ReportAuth { host: host.into(), exact, wildcard }
}

/// The tree walk above `domain` (stopping at a `psd=y`/`psd=n` record) and the PSL
/// lookup, the latter reusing the walk's answer when it asked the same name.
async fn walk_above(source: &dyn DnsSource, domain: &str) -> (TreeWalk, Option<DmarcAt>) {
    let mut steps = Vec::new();
    for owner in tree_walk_names(domain) {
        let answer = source.lookup(&format!("_dmarc.{owner}"), RecordKind::Txt).await;
        let step = DmarcAt::new(&owner, answer);
        let ends = step.ends_tree_walk();
        steps.push(step);
        if ends {
            break;
        }
    }
    let tree_walk = TreeWalk::new(domain, steps);
    let psl = match psl_org_domain(domain) {
        None => None,
        Some(org) => Some(match tree_walk.step_at(&org) {
            Some(step) => step.clone(),
            None => {
                DmarcAt::new(&org, source.lookup(&format!("_dmarc.{org}"), RecordKind::Txt).await)
            }
        }),
    };
    (tree_walk, psl)
}

/// Any answer that is not NXDOMAIN proves the name exists; NXDOMAIN proves it does not.
fn existence(answers: &[&Answer]) -> Existence {
    let states = || answers.iter().map(|a| &a.state);
    if states().any(|s| matches!(s, LookupState::Found { .. } | LookupState::NoData)) {
        Existence::Exists
    } else if states().any(|s| matches!(s, LookupState::NxDomain)) {
        Existence::DoesNotExist
    } else {
        Existence::Unknown
    }
}

/// `future`, polled only after it asked to be. `join!` polls every unfinished branch each time
/// any one of them wakes the task, and a branch waiting on a lookup costs a pass through each
/// layer in front of the query (deadline, shared question, pacer) for nothing: a domain's
/// answers wake it a dozen times, with up to six branches waiting.
fn when_woken<F: Future>(future: F) -> WhenWoken<F> {
    let flag = Arc::new(Flag { woken: AtomicBool::new(true), task: AtomicWaker::new() });
    WhenWoken { future: Box::pin(future), flag }
}

struct WhenWoken<F> {
    future: Pin<Box<F>>,
    flag: Arc<Flag>,
}

/// Set when the branch's future wakes, which wakes the task that polls it.
struct Flag {
    woken: AtomicBool,
    task: AtomicWaker,
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake();
    }
}

impl<F: Future> Future for WhenWoken<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.flag.task.register(cx.waker());
        if !self.flag.woken.swap(false, Ordering::AcqRel) {
            return Poll::Pending;
        }
        let waker = Waker::from(Arc::clone(&self.flag));
        self.future.as_mut().poll(&mut Context::from_waker(&waker))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    /// `inner`, counting the times it is polled.
    async fn counted<F: Future>(inner: F, polls: &AtomicUsize) -> F::Output {
        let mut inner = Box::pin(inner);
        std::future::poll_fn(|cx| {
            polls.fetch_add(1, Ordering::Relaxed);
            inner.as_mut().poll(cx)
        })
        .await
    }

    #[tokio::test]
    async fn a_branch_is_polled_when_it_wakes_not_when_another_does() {
        let (polls_plain, polls_woken) = (AtomicUsize::new(0), AtomicUsize::new(0));
        for (polls, wrap) in [(&polls_plain, false), (&polls_woken, true)] {
            let (send, receive) = tokio::sync::oneshot::channel::<u8>();
            let busy = async move {
                for _ in 0..10 {
                    tokio::task::yield_now().await;
                }
                send.send(7).ok();
            };
            let waiting = counted(receive, polls);
            let got = if wrap {
                futures::join!(when_woken(busy), when_woken(waiting)).1
            } else {
                futures::join!(busy, waiting).1
            };
            assert_eq!(got, Ok(7));
        }
        assert_eq!(polls_woken.load(Ordering::Relaxed), 2, "once to start, once when sent");
        assert!(polls_plain.load(Ordering::Relaxed) > 10);
    }
}
