//! The extra lookups sender readiness needs beyond [`super::gather`]: the recursive SPF walk
//! (driving the pure [`SpfWalk`] work list) and the MX/address lookup of each report mailbox's
//! domain. Async; all DNS goes through a [`DnsSource`].

use futures::future::join_all;

use super::DnsSource;
use crate::answers::{Answer, DomainDns, LookupState, MailDomain, Rdata, ReadinessDns, RecordKind};
use crate::name::DnsName;
use crate::record::spf::{Query, QueryKind, Reply, SpfReport, SpfWalk, select_spf};

/// Walks the domain's SPF record (when it has exactly one) and looks up every report mailbox
/// domain, concurrently.
pub async fn gather_readiness(
    source: &dyn DnsSource,
    dns: &DomainDns,
    mailbox_domains: &[String],
) -> ReadinessDns {
    let (spf, mailboxes) = futures::join!(
        spf_of(source, &dns.domain, &dns.apex_txt),
        join_all(mailbox_domains.iter().map(|d| mail_domain(source, d)))
    );
    ReadinessDns { spf, mailboxes }
}

/// The walk from the SPF record in `domain`'s apex TXT answer, when it holds exactly one.
pub(super) async fn spf_of(
    source: &dyn DnsSource,
    domain: &str,
    apex: &Answer,
) -> Option<SpfReport> {
    match select_spf(&apex.txt()).record {
        Some(text) => Some(walk_spf(source, domain, &text).await),
        None => None,
    }
}

/// Counts an SPF record's lookups through its includes and redirects (RFC 7208 §4.6.4). Each
/// round asks every pending question at once; the walk's own caps bound the rounds, and each
/// lookup's timeout bounds a round.
pub async fn walk_spf(source: &dyn DnsSource, domain: &str, root: &str) -> SpfReport {
    let mut walk = SpfWalk::new(domain, root);
    loop {
        let pending = walk.pending();
        if pending.is_empty() {
            break;
        }
        let answers = join_all(pending.iter().map(|q| source.lookup(&q.name, kind(q)))).await;
        for (query, answer) in pending.iter().zip(&answers) {
            walk.supply(query, &reply(answer));
        }
    }
    walk.finish()
}

/// MX of `domain`, and its A record when there is no MX.
pub async fn mail_domain(source: &dyn DnsSource, domain: &str) -> MailDomain {
    let domain = String::from(DnsName::lenient(domain));
    let mx = source.lookup(&domain, RecordKind::Mx).await;
    let address = if mx.state.is_negative() {
        Some(source.lookup(&domain, RecordKind::A).await)
    } else {
        None
    };
    MailDomain { domain, mx, address }
}

fn kind(query: &Query) -> RecordKind {
    match query.kind {
        QueryKind::Txt => RecordKind::Txt,
        QueryKind::A => RecordKind::A,
        QueryKind::Aaaa => RecordKind::Aaaa,
        QueryKind::Mx => RecordKind::Mx,
    }
}

/// An [`Answer`] as the walk reads it: TXT texts, addresses or MX hosts as strings.
fn reply(answer: &Answer) -> Reply {
    match &answer.state {
        LookupState::Found { records, .. } => Reply::Records(
            records
                .iter()
                .filter_map(|r| match r {
                    Rdata::Txt(t) => Some(t.text().into_owned()),
                    Rdata::A(ip) => Some(ip.to_string()),
                    Rdata::Aaaa(ip) => Some(ip.to_string()),
                    Rdata::Mx { preference, exchange } => Some(format!("{preference} {exchange}")),
                    Rdata::Cname(_) | Rdata::Ns(_) | Rdata::Other { .. } => None,
                })
                .collect(),
        ),
        LookupState::NxDomain => Reply::NxDomain,
        LookupState::NoData => Reply::NoData,
        LookupState::ServerError(code) => Reply::Failed(code.clone()),
        LookupState::Timeout => Reply::Failed("timeout".to_owned()),
        LookupState::Error(e) => Reply::Failed(e.clone()),
        LookupState::OutsideZone => Reply::Unverifiable("outside the zone file".to_owned()),
    }
}
