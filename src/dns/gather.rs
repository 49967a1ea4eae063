//! Gathers, per domain, every answer shown beside a plan, and does so for many domains at once
//! with bounded concurrency. Async; all DNS goes through a [`DnsSource`].

use futures::future::join_all;

use super::DnsSource;
use crate::answers::{
    Answer, DkimLookup, DmarcAt, DomainDns, DomainQuery, Existence, Inherited, LookupState, Rdata,
    RecordKind, ReportAuth, TreeWalk,
};
use crate::record::org_domain::{psl_org_domain, tree_walk_names};

/// Looks up everything for one domain. The independent lookups run concurrently; the
/// inheritance walk runs only when the domain has no single DMARC record of its own.
pub async fn gather(source: &dyn DnsSource, q: &DomainQuery) -> DomainDns {
    let domain = q.domain.trim_end_matches('.').to_ascii_lowercase();
    let dmarc_name = format!("_dmarc.{domain}");
    let (dmarc, apex_txt, mx, dkim, reports) = futures::join!(
        with_cname_chain(source, &dmarc_name),
        source.lookup(&domain, RecordKind::Txt),
        source.lookup(&domain, RecordKind::Mx),
        join_all(q.dkim_selectors.iter().map(|s| dkim(source, &domain, s))),
        join_all(q.report_hosts.iter().map(|h| report_auth(source, &domain, h))),
    );
    let dmarc = DmarcAt::new(&domain, dmarc);
    let definite = !dmarc.answer.state.is_failure();
    let inherited = if definite && dmarc.single().is_none() {
        let exists = existence(&[&apex_txt, &mx]);
        Some(inherit(source, &domain, exists).await)
    } else {
        None
    };
    DomainDns { domain, source: source.describe(), dmarc, inherited, apex_txt, mx, dkim, reports }
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
        let mut current = name.trim_end_matches('.').to_owned();
        loop {
            let hop = source.lookup(&current, RecordKind::Cname).await;
            // A hop that could not be looked up leaves the end of the chain unknown, not absent.
            if hop.state.is_failure() && !answer.cname_chain.is_empty() {
                answer.state = hop.state;
                break;
            }
            let Some(target) = cname_target(&hop) else { break };
            let looped = target.eq_ignore_ascii_case(name.trim_end_matches('.'))
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

/// The authorization records for report hosts found after the first round: those in the live
/// record's `rua`/`ruf` that the plan does not name.
pub async fn report_auths(
    source: &dyn DnsSource,
    domain: &str,
    hosts: &[String],
) -> Vec<ReportAuth> {
    join_all(hosts.iter().map(|h| report_auth(source, domain, h))).await
}

async fn report_auth(source: &dyn DnsSource, domain: &str, host: &str) -> ReportAuth {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let exact_name = format!("{domain}._report._dmarc.{host}");
    let exact = DmarcAt::new(&exact_name, source.lookup(&exact_name, RecordKind::Txt).await);
    let wildcard = if exact.records.is_empty() && !exact.answer.state.is_failure() {
        let name = format!("*._report._dmarc.{host}");
        Some(DmarcAt::new(&name, source.lookup(&name, RecordKind::Txt).await))
    } else {
        None
    };
    ReportAuth { host, exact, wildcard }
}

/// The tree walk (stopping at a `psd=y`/`psd=n` record) and the PSL lookup, the latter reusing
/// the walk's answer when it asked the same name.
async fn inherit(source: &dyn DnsSource, domain: &str, domain_exists: Existence) -> Inherited {
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
    Inherited { tree_walk, psl, domain_exists }
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
