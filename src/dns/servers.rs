//! Every authoritative server of a zone — its NS set, each host's IPv4 and IPv6 addresses —
//! and what each one serves for a name, asked directly with recursion off. How `apply` waits
//! until every server serves the step. Async; the NS set is found through any [`DnsSource`].

use futures::future::join_all;

use super::resolver::ResolverSource;
use super::{DnsOptions, DnsSetupError, DnsSource};
use crate::answers::{Rdata, RecordKind};
use crate::name::DnsName;
use crate::publish::{NameServer, Progress, Serving, serving};
use crate::record::is_dmarc;
use crate::text::escape;

/// The zone's name servers at each of their addresses, asked on `port` (53 on the Internet).
/// Fails when the NS set, or a server's addresses, cannot be known: a server that cannot be
/// asked cannot be said to serve anything.
pub async fn name_servers(
    source: &dyn DnsSource,
    zone: &str,
    port: u16,
) -> Result<Vec<NameServer>, String> {
    let ns = source.lookup(zone, RecordKind::Ns).await;
    if ns.state.is_failure() {
        return Err(format!("the NS lookup for {zone} ended with {}", ns.state.label()));
    }
    let hosts: Vec<String> = ns
        .records()
        .iter()
        .filter_map(|r| match r {
            Rdata::Ns(host) => Some(host.clone()),
            _ => None,
        })
        .collect();
    if hosts.is_empty() {
        return Err(format!("{zone} has no NS records"));
    }
    let mut servers = Vec::new();
    for host in hosts {
        let (v4, v6) = futures::join!(
            source.lookup(&host, RecordKind::A),
            source.lookup(&host, RecordKind::Aaaa)
        );
        if v4.state.is_failure() || v6.state.is_failure() {
            let state = if v4.state.is_failure() { &v4.state } else { &v6.state };
            return Err(format!(
                "the address lookup for {} ended with {}",
                escape(&host),
                state.label()
            ));
        }
        let before = servers.len();
        for record in v4.records().iter().chain(v6.records()) {
            let ip = match record {
                Rdata::A(ip) => std::net::IpAddr::V4(*ip),
                Rdata::Aaaa(ip) => std::net::IpAddr::V6(*ip),
                _ => continue,
            };
            servers
                .push(NameServer { host: host.clone(), addr: std::net::SocketAddr::new(ip, port) });
        }
        if servers.len() == before {
            return Err(format!("the name server {} has no address", escape(&host)));
        }
    }
    Ok(servers)
}

/// The servers to watch, each with a resolver pinned to it.
pub struct ServerSet {
    servers: Vec<(NameServer, ResolverSource)>,
}

impl ServerSet {
    pub fn new(servers: Vec<NameServer>, options: &DnsOptions) -> Result<Self, DnsSetupError> {
        let servers = servers
            .into_iter()
            .map(|ns| {
                let resolver = ResolverSource::pinned(&[ns.addr], options, false)?;
                Ok((ns, resolver))
            })
            .collect::<Result<_, DnsSetupError>>()?;
        Ok(Self { servers })
    }

    /// Asks every server, at once, what it serves at `owner`, against the step's `value`.
    pub async fn check(&self, owner: &str, value: &str) -> Progress {
        let answers =
            join_all(self.servers.iter().map(|(_, r)| r.lookup(owner, RecordKind::Txt))).await;
        let servers = self
            .servers
            .iter()
            .zip(answers)
            .map(|((ns, _), answer)| {
                let state = if answer.state.is_failure() {
                    Serving::NoAnswer(answer.state.label().to_owned())
                } else {
                    let dmarc: Vec<String> =
                        answer.txt().into_iter().filter(|t| is_dmarc(t)).collect();
                    serving(&dmarc, value)
                };
                (ns.clone(), state)
            })
            .collect();
        Progress { owner: DnsName::lenient(owner).into(), servers }
    }
}
