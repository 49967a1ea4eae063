//! A [`DnsSource`] over hickory's stub resolver: the system configuration or pinned servers.
//! Cache off (TTLs are the published ones), UDP with TCP for truncated answers.

use std::net::SocketAddr;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ProtocolConfig, ResolverConfig, ResolverOpts,
};
use hickory_resolver::lookup::Lookup;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::{TokioResolver, system_conf};

use super::convert::{name_from_text, record_type, split_answers};
use super::{DnsOptions, DnsSetupError, DnsSource};
use crate::answers::{Answer, LookupState, RecordKind};

/// hickory's resolver with our options, plus a label saying which servers it asks.
pub struct ResolverSource {
    resolver: TokioResolver,
    label: String,
    timeout: Duration,
}

impl ResolverSource {
    /// The servers of the system configuration.
    pub fn system(options: &DnsOptions) -> Result<Self, DnsSetupError> {
        let (config, _) =
            system_conf::read_system_conf().map_err(|e| DnsSetupError::SystemConfig(e.into()))?;
        let servers: Vec<String> =
            config.name_servers().iter().map(|ns| ns.ip.to_string()).collect();
        let label = format!("system resolver ({})", servers.join(", "));
        // Keep the servers, drop search domains: every name asked is absolute anyway.
        let config = ResolverConfig::from_name_servers(config.name_servers().to_vec());
        Self::build(config, label, options, true)
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
        if servers.is_empty() {
            return Err(DnsSetupError::NoNameservers);
        }
        let config = ResolverConfig::from_name_servers(servers.iter().map(server_config).collect());
        let label = servers.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        Self::build(config, label, options, recursion)
    }

    fn build(
        config: ResolverConfig,
        label: String,
        options: &DnsOptions,
        recursion: bool,
    ) -> Result<Self, DnsSetupError> {
        let resolver = TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
            .with_options(resolver_opts(options, recursion))
            .build()
            .map_err(|e| DnsSetupError::Resolver(e.into()))?;
        Ok(Self { resolver, label, timeout: options.timeout })
    }

    async fn ask(&self, name: &str, kind: RecordKind) -> Answer {
        // Names come back from answers written dig-style (`\027`, `\255`): read them as such,
        // never through IDNA, which rejects the bytes a hostile CNAME target carries.
        let Some(query_name) = name_from_text(name) else {
            let state = LookupState::Error("not a DNS name".to_owned());
            return Answer::now(name, kind, state, self.label.clone());
        };
        let query = self.resolver.lookup(query_name, record_type(kind));
        let result = tokio::time::timeout(self.timeout, query).await;
        let server = self.label.clone();
        match result {
            Err(_) => Answer::now(name, kind, LookupState::Timeout, server),
            Ok(Ok(lookup)) => from_lookup(name, kind, &lookup, server),
            Ok(Err(e)) => Answer::now(name, kind, state_from_error(&e), server),
        }
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

fn server_config(addr: &SocketAddr) -> NameServerConfig {
    let connection = |protocol| {
        let mut c = ConnectionConfig::new(protocol);
        c.port = addr.port();
        c
    };
    let connections = vec![connection(ProtocolConfig::Udp), connection(ProtocolConfig::Tcp)];
    NameServerConfig::new(addr.ip(), true, connections)
}

fn resolver_opts(options: &DnsOptions, recursion: bool) -> ResolverOpts {
    let attempts = options.attempts.max(1);
    let mut opts = ResolverOpts::default();
    // hickory tries `attempts + 1` times, each bounded by `timeout`: split our total budget.
    opts.timeout = options.timeout / u32::try_from(attempts).unwrap_or(u32::MAX);
    opts.attempts = attempts - 1;
    opts.cache_size = 0;
    // Show the TTL as published: hickory would clamp anything above a day to a day.
    opts.positive_max_ttl = Some(Duration::from_secs(u64::from(u32::MAX)));
    opts.ndots = 0;
    opts.recursion_desired = recursion;
    opts.preserve_intermediates = true;
    opts.try_tcp_on_error = true;
    opts
}

fn from_lookup(name: &str, kind: RecordKind, lookup: &Lookup, server: String) -> Answer {
    let (chain, records, ttl) = split_answers(name, lookup.answers(), record_type(kind));
    let state = match ttl {
        Some(ttl) => LookupState::Found { records, ttl },
        None => LookupState::NoData,
    };
    let mut answer = Answer::now(name, kind, state, server);
    answer.cname_chain = chain;
    answer
}

fn state_from_error(error: &NetError) -> LookupState {
    match error {
        NetError::Dns(DnsError::NoRecordsFound(no))
            if no.response_code == ResponseCode::NXDomain =>
        {
            LookupState::NxDomain
        }
        // A server that has no records of a type says so with its zone's SOA (RFC 2308 §3);
        // an answer with neither is a referral or carries records for another name, which
        // hickory drops (an attacker's answer for the wrong owner): not "no record".
        NetError::Dns(DnsError::NoRecordsFound(no)) if no.soa.is_none() => LookupState::Error(
            "the answer has no records for this name and no SOA: records for another name, or a referral"
                .to_owned(),
        ),
        NetError::Dns(DnsError::NoRecordsFound(_)) => LookupState::NoData,
        NetError::Dns(DnsError::ResponseCode(code)) => LookupState::ServerError(rcode_text(*code)),
        NetError::Timeout => LookupState::Timeout,
        other => LookupState::Error(other.to_string()),
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
