//! The live-DNS edge: the only module that talks to DNS (and the only one importing hickory).
//! Every lookup ends in an [`Answer`] whose [`LookupState`] is data, never an error; [`gather`]
//! collects, per domain, everything shown beside a plan. Not pure: network, clock, files.

mod apply;
mod authoritative;
mod convert;
mod deadline;
mod descriptors;
mod gather;
mod pace;
mod readiness;
mod resolver;
mod servers;
mod shared;
mod tsig;
mod update;
mod wire;
mod zonefile;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;

// The answer types are the core's (`crate::answers`); named here too, as the edge fills them in.
pub use crate::answers::{
    Answer, DkimLookup, DkimStatus, DmarcAt, DomainDns, DomainQuery, Existence, Inherited,
    LookupState, MailDomain, Rdata, ReadinessDns, RecordKind, ReportAuth, TreeWalk, TxtData,
    ttl_text, ttl_used,
};
pub use apply::{FIRST_PAUSE, POLL_INTERVAL, WaitError, prepare, wait_for_servers};
pub use authoritative::{AuthoritativeSource, MAX_SERVERS_PER_ZONE, pick_servers};
pub use deadline::Deadline;
pub use descriptors::inflight_that_fits;
pub use gather::{ReadinessQuery, gather, gather_with_readiness};
pub use pace::{DEFAULT_MAX_INFLIGHT, MAX_INFLIGHT_CEILING, Paced};
pub use readiness::{gather_readiness, mail_domain, walk_spf};
pub use resolver::ResolverSource;
pub use servers::{ServerSet, name_servers};
pub use shared::{REMEMBERED_BYTES, SharedLookups};
pub use tsig::{KeyFileError, Secret, TsigAlgorithm, TsigKey, parse_key_file};
pub use update::{ReadError, UpdateServer};
pub use zonefile::ZoneFileSource;

/// Anything that can answer DNS questions: a resolver, a set of authoritative servers, a zone
/// file, a test double. The seam between the DNS edge and everything else.
pub trait DnsSource: Send + Sync {
    /// Asks for `name` (with or without trailing dot) and `kind`. Never fails: failures are states.
    fn lookup<'a>(&'a self, name: &'a str, kind: RecordKind) -> BoxFuture<'a, Answer>;
    /// Who answers, for the status line ("system resolver", "127.0.0.1:53", "zone file x").
    fn describe(&self) -> String;
}

/// Which DNS to ask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The system resolver configuration (`/etc/resolv.conf`).
    System,
    /// Exactly these servers, over UDP and TCP on the given port.
    Nameservers(Vec<SocketAddr>),
    /// The zone's own authoritative servers, found through the system resolver.
    Authoritative,
    /// A local RFC 1035 zone file, answered as its primary server would.
    ZoneFile(PathBuf),
}

/// How to build a [`DnsSource`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsOptions {
    pub target: Target,
    /// Upper bound for one lookup, all attempts and the TCP retry included.
    pub timeout: Duration,
    /// Tries per server within `timeout` (at least 1).
    pub attempts: usize,
    /// Queries in flight at most, all lookups together ([`Paced`]); as many UDP sockets are
    /// kept open between queries.
    pub max_inflight: usize,
}

impl Default for DnsOptions {
    fn default() -> Self {
        Self {
            target: Target::System,
            timeout: Duration::from_secs(5),
            attempts: 2,
            max_inflight: DEFAULT_MAX_INFLIGHT,
        }
    }
}

/// Why a [`DnsSource`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DnsSetupError {
    #[error("cannot read the system DNS configuration: {0}")]
    SystemConfig(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("cannot build the resolver: {0}")]
    Resolver(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("no nameserver given; pass at least one --nameserver IP[:PORT]")]
    NoNameservers,
    #[error("cannot read zone file '{}': {source}", crate::fsio::shown(.path))]
    ReadZone { path: PathBuf, source: std::io::Error },
    #[error("cannot parse zone file '{}': {}", crate::fsio::shown(.path), crate::text::escape(.message))]
    ParseZone { path: PathBuf, message: String },
    /// The entry of the zone file the parser stopped at, located as plan errors are.
    #[error("{}:{line}:{column}: {}", crate::fsio::shown(.path), crate::text::escape(.message))]
    ZoneSyntax { path: PathBuf, line: usize, column: usize, message: String },
    #[error("zone file '{}' has no SOA record; add one at the zone apex", crate::fsio::shown(.path))]
    NoSoa { path: PathBuf },
}

/// Builds the source the options ask for. Must be called inside a tokio runtime for the
/// network sources.
pub fn connect(options: &DnsOptions) -> Result<Arc<dyn DnsSource>, DnsSetupError> {
    Ok(match &options.target {
        Target::System => Arc::new(ResolverSource::system(options)?),
        Target::Nameservers(servers) => Arc::new(ResolverSource::nameservers(servers, options)?),
        Target::Authoritative => {
            let bootstrap = ResolverSource::system(options)?;
            Arc::new(AuthoritativeSource::discover(bootstrap, 53, options))
        }
        Target::ZoneFile(path) => Arc::new(ZoneFileSource::from_path(path)?),
    })
}
