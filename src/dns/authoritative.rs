//! A [`DnsSource`] that asks a zone's authoritative servers directly, every one of them, and
//! keeps the answers that differ (a change still propagating). The zone cut is found by asking
//! a recursive "bootstrap" source for NS records, walking up from the name.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use futures::future::{BoxFuture, FutureExt, join_all};

use super::answer::{Answer, LookupState, Rdata, RecordKind};
use super::resolver::ResolverSource;
use super::{DnsOptions, DnsSetupError, DnsSource};

/// CNAME hops followed across zones before giving up, as resolvers do against loops.
const MAX_CNAME_HOPS: usize = 8;

/// One resolver per authoritative server of a zone.
type ZoneServers = Arc<Vec<ResolverSource>>;

/// Where the servers come from.
enum Servers {
    /// The same servers for every name.
    Fixed(ZoneServers),
    /// Each zone's NS set, found through a recursive source and cached per name (`None`: the
    /// name is known not to be a zone apex).
    Discovered {
        bootstrap: Box<dyn DnsSource>,
        ns_port: u16,
        zones: Mutex<HashMap<String, Option<ZoneServers>>>,
    },
}

/// Asks every authoritative server of the zone holding the name.
pub struct AuthoritativeSource {
    servers: Servers,
    options: DnsOptions,
}

impl AuthoritativeSource {
    /// Finds each zone's NS set through `bootstrap` (a recursive source) and asks those servers
    /// on `ns_port` (53 on the Internet).
    pub fn discover(
        bootstrap: impl DnsSource + 'static,
        ns_port: u16,
        options: &DnsOptions,
    ) -> Self {
        let servers = Servers::Discovered {
            bootstrap: Box::new(bootstrap),
            ns_port,
            zones: Mutex::new(HashMap::new()),
        };
        Self { servers, options: options.clone() }
    }

    /// Treats exactly these servers as the authoritative set for every name.
    pub fn from_servers(
        servers: &[SocketAddr],
        options: &DnsOptions,
    ) -> Result<Self, DnsSetupError> {
        if servers.is_empty() {
            return Err(DnsSetupError::NoNameservers);
        }
        let set = servers
            .iter()
            .map(|addr| ResolverSource::pinned(&[*addr], options, false))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { servers: Servers::Fixed(Arc::new(set)), options: options.clone() })
    }

    /// Asks the servers of the name's zone; when they have no records of the type but a CNAME,
    /// asks the target at its own zone's servers, as a resolver would (a zone's servers cannot
    /// answer for a vendor's zone, and negative answers carry no chain). Bounded by twice the
    /// timeout: zone discovery, then the servers asked in parallel, each within the timeout.
    async fn ask(&self, name: &str, kind: RecordKind) -> Answer {
        let bound = self.options.timeout * 2;
        match tokio::time::timeout(bound, self.follow(name, kind)).await {
            Ok(answer) => answer,
            Err(_) => Answer::now(name, kind, LookupState::Timeout, self.describe()),
        }
    }

    async fn follow(&self, name: &str, kind: RecordKind) -> Answer {
        let mut chain: Vec<String> = Vec::new();
        let mut current = name.to_owned();
        loop {
            let mut answer = self.ask_zone(&current, kind).await;
            let settled = matches!(answer.state, LookupState::Found { .. } | LookupState::Timeout)
                || kind == RecordKind::Cname
                || answer.is_propagating();
            let target = if settled { None } else { self.cname_target(&current).await };
            match target {
                Some(target)
                    if target != name
                        && !chain.contains(&target)
                        && chain.len() < MAX_CNAME_HOPS =>
                {
                    chain.push(target.clone());
                    current = target;
                }
                unfinished => {
                    if matches!(answer.state, LookupState::Found { .. }) {
                        chain.append(&mut answer.cname_chain);
                    } else if unfinished.is_some() {
                        // The end of the chain was never reached: unknown, not "no record".
                        let why =
                            if chain.len() < MAX_CNAME_HOPS { "loops" } else { "is too long" };
                        answer.state =
                            LookupState::Error(format!("the CNAME chain at {name} {why}"));
                    }
                    answer.cname_chain = chain;
                    answer.name = name.trim_end_matches('.').to_owned();
                    return answer;
                }
            }
        }
    }

    async fn cname_target(&self, name: &str) -> Option<String> {
        let answer = self.ask_zone(name, RecordKind::Cname).await;
        answer.records().iter().find_map(|r| match r {
            Rdata::Cname(target) => Some(target.clone()),
            _ => None,
        })
    }

    async fn ask_zone(&self, name: &str, kind: RecordKind) -> Answer {
        let servers = match self.servers_for(name).await {
            Ok(servers) => servers,
            Err(state) => return Answer::now(name, kind, state, self.describe()),
        };
        let answers = join_all(servers.iter().map(|s| s.lookup(name, kind))).await;
        merge(answers)
    }

    async fn servers_for(&self, name: &str) -> Result<ZoneServers, LookupState> {
        let (bootstrap, ns_port, zones) = match &self.servers {
            Servers::Fixed(servers) => return Ok(servers.clone()),
            Servers::Discovered { bootstrap, ns_port, zones } => (bootstrap, *ns_port, zones),
        };
        let mut candidate = name.trim_end_matches('.').to_ascii_lowercase();
        loop {
            let cached =
                zones.lock().unwrap_or_else(PoisonError::into_inner).get(&candidate).cloned();
            let servers = if let Some(servers) = cached {
                servers
            } else {
                let servers = self.zone_servers(bootstrap.as_ref(), ns_port, &candidate).await?;
                let mut zones = zones.lock().unwrap_or_else(PoisonError::into_inner);
                zones.insert(candidate.clone(), servers.clone());
                servers
            };
            if let Some(servers) = servers {
                return Ok(servers);
            }
            match candidate.split_once('.') {
                Some((_, parent)) if !parent.is_empty() => candidate = parent.to_owned(),
                _ => return Err(LookupState::Error(format!("no NS records above '{name}'"))),
            }
        }
    }

    /// The servers of the zone whose apex is `name`, `None` when `name` is not an apex; a
    /// failure (timeout, SERVFAIL) stops the search, since the answer is unknown.
    async fn zone_servers(
        &self,
        bootstrap: &dyn DnsSource,
        ns_port: u16,
        name: &str,
    ) -> Result<Option<ZoneServers>, LookupState> {
        let ns = bootstrap.lookup(name, RecordKind::Ns).await;
        if ns.state.is_failure() {
            return Err(ns.state);
        }
        if !ns.cname_chain.is_empty() || ns.records().is_empty() {
            return Ok(None);
        }
        let hosts: Vec<&str> = ns
            .records()
            .iter()
            .filter_map(|r| match r {
                Rdata::Ns(host) => Some(host.as_str()),
                _ => None,
            })
            .collect();
        let addresses = join_all(hosts.iter().map(|h| bootstrap.lookup(h, RecordKind::A))).await;
        let mut servers = Vec::new();
        for address in addresses.iter().flat_map(Answer::records) {
            if let Rdata::A(ip) = address {
                let addr = SocketAddr::new(IpAddr::V4(*ip), ns_port);
                let resolver = ResolverSource::pinned(&[addr], &self.options, false)
                    .map_err(|e| LookupState::Error(e.to_string()))?;
                servers.push(resolver);
            }
        }
        if servers.is_empty() {
            return Err(LookupState::Error(format!("no address for the NS of '{name}'")));
        }
        Ok(Some(Arc::new(servers)))
    }
}

impl DnsSource for AuthoritativeSource {
    fn lookup<'a>(&'a self, name: &'a str, kind: RecordKind) -> BoxFuture<'a, Answer> {
        self.ask(name, kind).boxed()
    }

    fn describe(&self) -> String {
        match &self.servers {
            Servers::Fixed(servers) => {
                let labels: Vec<String> = servers.iter().map(DnsSource::describe).collect();
                format!("authoritative servers {}", labels.join(", "))
            }
            Servers::Discovered { bootstrap, .. } => {
                format!("authoritative servers (found via {})", bootstrap.describe())
            }
        }
    }
}

/// The first definite answer (else the first) leads; every answer that differs from it is
/// kept beside it.
fn merge(mut answers: Vec<Answer>) -> Answer {
    let lead = answers.iter().position(|a| !a.state.is_failure()).unwrap_or(0);
    let mut primary = answers.remove(lead);
    primary.disagreeing = answers.into_iter().filter(|a| !a.same_content(&primary)).collect();
    primary
}
