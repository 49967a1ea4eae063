//! A [`DnsSource`] that asks DNS servers itself, the system configuration's or pinned ones, as
//! a stub resolver does: one UDP query per question (from a socket no other query is using,
//! see [`UdpPool`]), TCP when the reply is truncated or UDP fails, another try on a timeout or a server error, and the end of
//! a CNAME chain asked when a reply stops short of it. No cache: TTLs are shown as published.
//! hickory builds and parses the messages; a question costs its round trip and little else,
//! which is what a run over thousands of domains waits on.

use std::net::SocketAddr;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use hickory_resolver::config::ProtocolConfig;
use hickory_resolver::proto::op::{Edns, Message, Query, ResponseCode};
use hickory_resolver::proto::rr::{Name, RData, RecordType};
use hickory_resolver::system_conf;
use tokio::time::Instant;

use super::convert::{name_from_text, name_text, record_type, split_answers};
use super::wire::{self, Failure, UdpPool};
use super::{DnsOptions, DnsSetupError, DnsSource};
use crate::answers::{Answer, LookupState, RecordKind};

/// The UDP payload offered in EDNS (RFC 6891): the size DNS Flag Day 2020 settled on, below
/// which datagrams are not fragmented on real paths.
const EDNS_PAYLOAD: u16 = 1232;
/// Replies asked for one question at most: the first, then the ends of CNAME chains that
/// replies left unanswered, as resolvers bound a chase.
const MAX_CHASES: usize = 8;

/// Servers to ask, with our options, and a label saying which they are.
pub struct ResolverSource {
    servers: Vec<UdpPool>,
    recursion: bool,
    label: String,
    timeout: Duration,
    attempts: u32,
}

impl ResolverSource {
    /// The servers of the system configuration.
    pub fn system(options: &DnsOptions) -> Result<Self, DnsSetupError> {
        let (config, _) =
            system_conf::read_system_conf().map_err(|e| DnsSetupError::SystemConfig(e.into()))?;
        let servers: Vec<SocketAddr> = config
            .name_servers()
            .iter()
            .map(|ns| {
                let udp = ns.connections.iter().find(|c| matches!(c.protocol, ProtocolConfig::Udp));
                SocketAddr::new(ns.ip, udp.map_or(53, |c| c.port))
            })
            .collect();
        let ips: Vec<String> = servers.iter().map(|s| s.ip().to_string()).collect();
        let label = format!("system resolver ({})", ips.join(", "));
        Self::build(servers, label, options, true)
    }

    /// Exactly these servers, over UDP and TCP on each one's port.
    pub fn nameservers(
        servers: &[SocketAddr],
        options: &DnsOptions,
    ) -> Result<Self, DnsSetupError> {
        Self::pinned(servers, options, true)
    }

    /// Like [`Self::nameservers`], with recursion desired or not (off when asking an
    /// authoritative server, which would refuse or ignore it).
    pub(super) fn pinned(
        servers: &[SocketAddr],
        options: &DnsOptions,
        recursion: bool,
    ) -> Result<Self, DnsSetupError> {
        let label = servers.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        Self::build(servers.to_vec(), label, options, recursion)
    }

    fn build(
        servers: Vec<SocketAddr>,
        label: String,
        options: &DnsOptions,
        recursion: bool,
    ) -> Result<Self, DnsSetupError> {
        if servers.is_empty() {
            return Err(DnsSetupError::NoNameservers);
        }
        let attempts = u32::try_from(options.attempts.max(1)).unwrap_or(u32::MAX);
        let servers = servers.into_iter().map(|s| UdpPool::new(s, options.max_inflight)).collect();
        Ok(Self { servers, recursion, label, timeout: options.timeout, attempts })
    }

    async fn ask(&self, name: &str, kind: RecordKind) -> Answer {
        // Names come back from answers written dig-style (`\027`, `\255`): read them as such,
        // never through IDNA, which rejects the bytes a hostile CNAME target carries.
        let Some(query_name) = name_from_text(name) else {
            let state = LookupState::Error("not a DNS name".to_owned());
            return Answer::now(name, kind, state, self.label.clone());
        };
        // Every wait below ends by this instant: no timer of its own for the whole lookup.
        let until = Instant::now() + self.timeout;
        let (state, chain) = self.resolve(query_name, record_type(kind), until).await;
        let mut answer = Answer::now(name, kind, state, self.label.clone());
        answer.cname_chain = chain;
        answer
    }

    /// The state of `name`'s records of type `wanted`, and the CNAME chain followed to them
    /// (only when they were found). A reply whose CNAME chain ends at a name it has nothing
    /// for, and no SOA to say that name is empty, came from a server that does not hold the
    /// target's zone: the target is asked next. Nothing is asked after `until`.
    async fn resolve(
        &self,
        name: Name,
        wanted: RecordType,
        until: Instant,
    ) -> (LookupState, Vec<String>) {
        let first = name_text(&name);
        let (mut chain, mut asked) = (Vec::new(), name);
        for _ in 0..MAX_CHASES {
            let reply = match self.exchange(&asked, wanted, until).await {
                Ok(reply) => reply,
                Err(state) => return (state, Vec::new()),
            };
            let (hops, reading) = read_reply(&asked, wanted, &reply);
            chain.extend(hops);
            match reading {
                Reading::Found(state) => return (state, chain),
                Reading::Settled(state) => return (state, Vec::new()),
                Reading::ShortOf(target) => {
                    let text = name_text(&target);
                    if text == first || chain[..chain.len() - 1].contains(&text) {
                        let why = format!("the CNAME chain at {first} loops");
                        return (LookupState::Error(why), Vec::new());
                    }
                    asked = target;
                }
            }
        }
        (LookupState::Error(format!("the CNAME chain at {first} is too long")), Vec::new())
    }

    /// One reply to the question, from the servers in turn, each try within its share of the
    /// timeout and before `until`; a timeout or a server error (SERVFAIL, REFUSED…) is tried
    /// again while tries and time are left, and the last failure is the state.
    async fn exchange(
        &self,
        name: &Name,
        wanted: RecordType,
        until: Instant,
    ) -> Result<Message, LookupState> {
        let per_try = self.timeout / self.attempts;
        let mut failure = LookupState::Timeout;
        for (_, server) in (0..self.attempts).zip(self.servers.iter().cycle()) {
            let now = Instant::now();
            if now >= until {
                break;
            }
            let deadline = (now + per_try).min(until);
            match self.ask_once(server, name, wanted, deadline).await {
                Ok(reply) => match reply.metadata.response_code {
                    ResponseCode::NoError | ResponseCode::NXDomain => return Ok(reply),
                    code => failure = LookupState::ServerError(rcode_text(code)),
                },
                Err(state) => failure = state,
            }
        }
        Err(failure)
    }

    /// One query to one server: over UDP, and again over TCP when the reply is truncated or
    /// UDP failed (an ICMP error, a datagram the path cannot carry).
    async fn ask_once(
        &self,
        server: &UdpPool,
        name: &Name,
        wanted: RecordType,
        deadline: Instant,
    ) -> Result<Message, LookupState> {
        let query = self.query(name, wanted);
        let why = match server.exchange(&query, deadline).await {
            Ok(reply) if !reply.metadata.truncation => return Ok(reply),
            Ok(_) => "the answer was truncated",
            Err(Failure::Timeout) => return Err(LookupState::Timeout),
            Err(Failure::Unreachable(_) | Failure::Lost(_)) => "UDP failed",
        };
        let bytes = query.to_vec().map_err(|e| LookupState::Error(e.to_string()))?;
        let failed = |how: String| LookupState::Error(format!("{why}, and over TCP {how}"));
        let reply = match wire::tcp(server.server(), &bytes, deadline).await {
            Ok(reply) => reply,
            Err(Failure::Timeout) => return Err(LookupState::Timeout),
            Err(Failure::Unreachable(e) | Failure::Lost(e)) => return Err(failed(e)),
        };
        match Message::from_vec(&reply) {
            Ok(reply) if wire::replies_to(&reply, &query) && !reply.metadata.truncation => {
                Ok(reply)
            }
            Ok(_) => Err(failed("the answer was truncated or to another question".to_owned())),
            Err(e) => Err(failed(format!("the answer cannot be read: {e}"))),
        }
    }

    /// A query with a fresh random ID (hickory draws it from a CSPRNG, RFC 5452 §9.2).
    fn query(&self, name: &Name, wanted: RecordType) -> Message {
        let mut query = Message::query();
        query.metadata.recursion_desired = self.recursion;
        query.add_query(Query::query(name.clone(), wanted));
        query.set_edns(Edns::new().set_max_payload(EDNS_PAYLOAD).clone());
        query
    }
}

impl DnsSource for ResolverSource {
    fn lookup<'a>(&'a self, name: &'a str, kind: RecordKind) -> BoxFuture<'a, Answer> {
        self.ask(name, kind).boxed()
    }

    fn describe(&self) -> String {
        self.label.clone()
    }
}

/// What one NOERROR or NXDOMAIN reply says about the question.
enum Reading {
    /// Records of the type at the name or at the end of its CNAME chain.
    Found(LookupState),
    /// A final word without records: NXDOMAIN, NODATA, or an answer that is none.
    Settled(LookupState),
    /// A CNAME chain to this name, whose records the reply does not carry.
    ShortOf(Name),
}

/// The CNAME targets the reply leads through from `asked`, and what it says.
fn read_reply(asked: &Name, wanted: RecordType, reply: &Message) -> (Vec<String>, Reading) {
    let (chain, records, ttl) = split_answers(asked, &reply.answers, wanted);
    if let Some(ttl) = ttl {
        return (chain, Reading::Found(LookupState::Found { records, ttl }));
    }
    if reply.metadata.response_code == ResponseCode::NXDomain {
        return (chain, Reading::Settled(LookupState::NxDomain));
    }
    // A server that has no records of a type says so with its zone's SOA (RFC 2308 §3).
    let has_soa = reply.authorities.iter().any(|r| matches!(r.data, RData::SOA(_)));
    if has_soa {
        return (chain, Reading::Settled(LookupState::NoData));
    }
    match chain.last().and_then(|target| name_from_text(target)) {
        Some(target) => (chain, Reading::ShortOf(target)),
        // Neither records nor an SOA: a referral, or records for another name (an attacker's
        // answer for the wrong owner): not "no record".
        None => (
            chain,
            Reading::Settled(LookupState::Error(
                "the answer has no records for this name and no SOA: records for another name, or a referral"
                    .to_owned(),
            )),
        ),
    }
}

/// The RCODE mnemonic as written in RFC 6895's registry ("SERVFAIL", "REFUSED").
pub(super) fn rcode_text(code: ResponseCode) -> String {
    match code {
        ResponseCode::ServFail => "SERVFAIL".to_owned(),
        ResponseCode::Refused => "REFUSED".to_owned(),
        ResponseCode::FormErr => "FORMERR".to_owned(),
        ResponseCode::NotImp => "NOTIMP".to_owned(),
        ResponseCode::NXDomain => "NXDOMAIN".to_owned(),
        ResponseCode::NotAuth => "NOTAUTH".to_owned(),
        ResponseCode::NotZone => "NOTZONE".to_owned(),
        ResponseCode::YXDomain => "YXDOMAIN".to_owned(),
        ResponseCode::YXRRSet => "YXRRSET".to_owned(),
        ResponseCode::NXRRSet => "NXRRSET".to_owned(),
        other => other.to_string().to_uppercase(),
    }
}
