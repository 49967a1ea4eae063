//! A [`DnsSource`] that asks a zone's authoritative servers directly, up to
//! [`MAX_SERVERS_PER_ZONE`] of them, and keeps the answers that differ (a change still
//! propagating). The zone cut is found by asking a recursive "bootstrap" source for NS records,
//! walking up from the name. Name servers and their addresses come from DNS answers, so they
//! are hostile input: only loopback and public unicast addresses are asked, and one resolver
//! per address is kept for every zone it serves.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use futures::future::{BoxFuture, FutureExt, join_all};

use super::resolver::ResolverSource;
use super::{DnsOptions, DnsSetupError, DnsSource};
use crate::answers::{Answer, LookupState, Rdata, RecordKind};
use crate::name::DnsName;

/// CNAME hops followed across zones before giving up, as resolvers do against loops.
const MAX_CNAME_HOPS: usize = 8;
/// Addresses asked per zone, IPv4 and IPv6 taken in turn; the rest are named as not asked.
pub const MAX_SERVERS_PER_ZONE: usize = 8;
/// NS names whose addresses are looked up per zone (their A and AAAA records).
const MAX_NS_NAMES: usize = 16;

/// The servers asked for one zone, and how many addresses its NS set had in all.
struct ZoneServers {
    asked: Vec<Arc<ResolverSource>>,
    /// Usable addresses found (of the first [`MAX_NS_NAMES`] NS names), and NS names in all.
    addresses: usize,
    ns_names: usize,
    zone: String,
}

impl ZoneServers {
    /// "8 of 600 addresses of example.com's name servers asked", when not all were.
    fn note(&self) -> Option<String> {
        let all = self.addresses > self.asked.len() || self.ns_names > MAX_NS_NAMES;
        all.then(|| {
            let of = if self.ns_names > MAX_NS_NAMES {
                format!("{}+ addresses of {} NS names", self.addresses, self.ns_names)
            } else {
                format!("{} addresses", self.addresses)
            };
            format!("{} of {of} of {} asked", self.asked.len(), self.zone)
        })
    }
}

/// Where the servers come from.
enum Servers {
    /// The same servers for every name.
    Fixed(Arc<ZoneServers>),
    /// Each zone's NS set, found through a recursive source and cached per name (`None`: the
    /// name is known not to be a zone apex); one resolver per address, shared by the zones.
    Discovered {
        bootstrap: Box<dyn DnsSource>,
        ns_port: u16,
        zones: Mutex<HashMap<String, Option<Arc<ZoneServers>>>>,
        resolvers: Mutex<HashMap<SocketAddr, Arc<ResolverSource>>>,
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
            resolvers: Mutex::new(HashMap::new()),
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
        let asked = servers
            .iter()
            .map(|addr| ResolverSource::pinned(&[*addr], options, false).map(Arc::new))
            .collect::<Result<Vec<_>, _>>()?;
        let set = ZoneServers { addresses: asked.len(), asked, ns_names: 0, zone: String::new() };
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
                    answer.name = DnsName::lenient(name).into();
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
        let answers = join_all(servers.asked.iter().map(|s| s.lookup(name, kind))).await;
        let mut answer = merge(answers);
        if let Some(note) = servers.note() {
            answer.server = format!("{} ({note})", answer.server);
        }
        answer
    }

    async fn servers_for(&self, name: &str) -> Result<Arc<ZoneServers>, LookupState> {
        let (bootstrap, ns_port, zones) = match &self.servers {
            Servers::Fixed(servers) => return Ok(servers.clone()),
            Servers::Discovered { bootstrap, ns_port, zones, .. } => (bootstrap, *ns_port, zones),
        };
        let mut candidate = String::from(DnsName::lenient(name));
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
    ) -> Result<Option<Arc<ZoneServers>>, LookupState> {
        let ns = bootstrap.lookup(name, RecordKind::Ns).await;
        if ns.state.is_failure() {
            return Err(ns.state);
        }
        if !ns.cname_chain.is_empty() || ns.records().is_empty() {
            return Ok(None);
        }
        let mut hosts: Vec<&str> = ns
            .records()
            .iter()
            .filter_map(|r| match r {
                Rdata::Ns(host) => Some(host.as_str()),
                _ => None,
            })
            .collect();
        hosts.sort_unstable();
        hosts.dedup();
        let ns_names = hosts.len();
        let looked_up = hosts.iter().take(MAX_NS_NAMES).flat_map(|h| {
            [bootstrap.lookup(h, RecordKind::A), bootstrap.lookup(h, RecordKind::Aaaa)]
        });
        let answers = join_all(looked_up).await;
        let ips = answers.iter().flat_map(Answer::records).filter_map(|r| match r {
            Rdata::A(ip) => Some(IpAddr::V4(*ip)),
            Rdata::Aaaa(ip) => Some(IpAddr::V6(*ip)),
            _ => None,
        });
        let (picked, addresses) = pick_servers(ips);
        let mut asked = Vec::with_capacity(picked.len());
        for ip in picked {
            asked.push(self.resolver_for(SocketAddr::new(ip, ns_port))?);
        }
        if asked.is_empty() {
            return Err(LookupState::Error(format!(
                "no usable address for the NS of '{name}' (only loopback and public unicast addresses are asked)"
            )));
        }
        let zone = name.to_owned();
        Ok(Some(Arc::new(ZoneServers { asked, addresses, ns_names, zone })))
    }

    /// The one resolver kept for a server address, built on first use.
    fn resolver_for(&self, addr: SocketAddr) -> Result<Arc<ResolverSource>, LookupState> {
        let Servers::Discovered { resolvers, .. } = &self.servers else {
            return Err(LookupState::Error("no resolvers for fixed servers".to_owned()));
        };
        let mut resolvers = resolvers.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(resolver) = resolvers.get(&addr) {
            return Ok(Arc::clone(resolver));
        }
        let resolver = ResolverSource::pinned(&[addr], &self.options, false)
            .map(Arc::new)
            .map_err(|e| LookupState::Error(e.to_string()))?;
        resolvers.insert(addr, Arc::clone(&resolver));
        Ok(resolver)
    }
}

/// The addresses to ask, at most [`MAX_SERVERS_PER_ZONE`], IPv4 and IPv6 in turn (each in
/// order), and how many usable ones there were. Only addresses a server of the zone can
/// legitimately have are used: loopback (a test or a local server) and public unicast; never
/// the unspecified address, multicast, broadcast, link-local, private or reserved ranges.
pub fn pick_servers(ips: impl IntoIterator<Item = IpAddr>) -> (Vec<IpAddr>, usize) {
    let (mut v4, mut v6): (Vec<IpAddr>, Vec<IpAddr>) =
        ips.into_iter().filter(|ip| may_ask(*ip)).partition(IpAddr::is_ipv4);
    for list in [&mut v4, &mut v6] {
        list.sort_unstable();
        list.dedup();
    }
    let usable = v4.len() + v6.len();
    let mut picked = Vec::with_capacity(MAX_SERVERS_PER_ZONE);
    let (mut a, mut b) = (v4.into_iter(), v6.into_iter());
    while picked.len() < MAX_SERVERS_PER_ZONE {
        let (x, y) = (a.next(), b.next());
        if x.is_none() && y.is_none() {
            break;
        }
        picked.extend(x.into_iter().chain(y).take(MAX_SERVERS_PER_ZONE - picked.len()));
    }
    (picked, usable)
}

/// Loopback or public unicast.
fn may_ask(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || !(v4.is_unspecified()
                    || v4.is_private()
                    || v4.is_link_local()
                    || v4.is_multicast()
                    || v4.is_broadcast()
                    || v4.is_documentation()
                    || a == 0
                    || a >= 240
                    || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || (!v6.is_unspecified()
                    && !v6.is_multicast()
                    && (first & 0xffc0) != 0xfe80
                    && (first & 0xfe00) != 0xfc00
                    && v6.to_ipv4_mapped().is_none()
                    && (first & 0xe000) == 0x2000)
        }
    }
}

impl DnsSource for AuthoritativeSource {
    fn lookup<'a>(&'a self, name: &'a str, kind: RecordKind) -> BoxFuture<'a, Answer> {
        self.ask(name, kind).boxed()
    }

    fn describe(&self) -> String {
        match &self.servers {
            Servers::Fixed(servers) => {
                let labels: Vec<String> = servers.asked.iter().map(|s| s.describe()).collect();
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
