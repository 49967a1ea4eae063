//! The CLI's way to DNS: flags shared by every command that looks things up, and one call that
//! assesses a plan's domains ([`crate::assess`]).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use clap::Args;

use crate::assess::assess_on_threads;
use crate::dns::{
    self, DEFAULT_MAX_INFLIGHT, DnsOptions, DnsSetupError, MAX_INFLIGHT_CEILING, Paced, Target,
};
use crate::plan::Domain;
use crate::report::{Corpus, Focus, Window, read_paths_for};
use crate::standing::Standing;

/// Where lookups go. Default: the system resolver configuration.
#[derive(Debug, Clone, Args)]
pub struct DnsArgs {
    /// Ask exactly this server (repeatable), e.g. 192.0.2.53 or 127.0.0.1:5353.
    #[arg(long = "nameserver", value_name = "IP[:PORT]", value_parser = parse_server)]
    pub nameservers: Vec<SocketAddr>,
    /// Ask each of the zone's own authoritative servers: what is published right now, not what
    /// a cache remembers. Servers that disagree (a change still propagating) are all shown.
    #[arg(long, conflicts_with_all = ["nameservers", "zone"])]
    pub authoritative: bool,
    /// Answer from an RFC 1035 zone file instead of DNS: what the plan will see once that zone
    /// is deployed.
    #[arg(long, value_name = "FILE", conflicts_with = "nameservers")]
    pub zone: Option<PathBuf>,
    /// Seconds one lookup may take, retries included.
    #[arg(long, value_name = "SECS", default_value_t = 5.0, value_parser = parse_timeout)]
    pub timeout: f64,
    /// Seconds all lookups for one domain may take together; what is not known by then is
    /// unknown (exit 5), never "no record".
    #[arg(long, value_name = "SECS", default_value_t = 30.0, value_parser = parse_deadline)]
    pub deadline: f64,
    /// Queries in flight at most, all domains together; each name is asked once per run (about
    /// 8 a domain sending through Exchange Online). A run starts at 256 in flight and doubles
    /// while answers come clean; while the server answers SERVFAIL or REFUSED or times out the
    /// limit halves (down to 4), then climbs back a quarter at a time. At the default, a plan
    /// of a thousand domains or more sends a public resolver that answers in 20 ms up to about
    /// 100,000 queries a second at its peak; lower it for a small or rate-limited resolver (a
    /// home router's dnsmasq forwards 150 at once). Each query holds a socket: the soft limit
    /// on open files is raised to fit them, or this lowered to what fits.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_INFLIGHT, value_parser = parse_max_inflight)]
    pub max_inflight: usize,
}

impl DnsArgs {
    /// The source the options ask for, with the one limit on queries in flight.
    pub fn connect(&self) -> Result<Arc<Paced>, DnsSetupError> {
        paced(&self.options())
    }

    /// The overall deadline per domain.
    pub fn deadline(&self) -> Duration {
        Duration::from_secs_f64(self.deadline)
    }

    pub fn options(&self) -> DnsOptions {
        let target = if let Some(zone) = &self.zone {
            Target::ZoneFile(zone.clone())
        } else if self.authoritative {
            Target::Authoritative
        } else if self.nameservers.is_empty() {
            Target::System
        } else {
            Target::Nameservers(self.nameservers.clone())
        };
        DnsOptions {
            target,
            timeout: Duration::from_secs_f64(self.timeout),
            attempts: 2,
            max_inflight: dns::inflight_that_fits(self.max_inflight),
        }
    }
}

fn parse_server(text: &str) -> Result<SocketAddr, String> {
    text.parse::<SocketAddr>()
        .or_else(|_| text.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
        .map_err(|_| format!("'{text}' is not an IP address with an optional port (192.0.2.53, 127.0.0.1:5353, [::1]:53)"))
}

fn parse_timeout(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= 300.0 => Ok(secs),
        _ => Err(format!("'{text}' is not a number of seconds between 0 and 300")),
    }
}

fn parse_max_inflight(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_INFLIGHT_CEILING).contains(&n) => Ok(n),
        _ => Err(format!(
            "'{}' is not a number of queries between 1 and {MAX_INFLIGHT_CEILING}",
            crate::text::escape(text)
        )),
    }
}

fn parse_deadline(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= 3600.0 => Ok(secs),
        _ => Err(format!(
            "'{}' is not a number of seconds between 0 and 3600",
            crate::text::escape(text)
        )),
    }
}

/// Aggregate reports that open (or keep closed) the evidence gates of a plan's phases.
// The field docs are --help text, which shows no markdown: identifiers are written bare.
#[allow(clippy::doc_markdown)]
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Aggregate reports (files, folders, Maildirs) that a phase's evidence gate
    /// (min_report_days, min_pass_rate) is judged on (repeatable). Without them a gate stays
    /// closed.
    #[arg(long = "reports", value_name = "PATH")]
    pub reports: Vec<PathBuf>,
}

impl ReportArgs {
    /// Reads the reports once, keeping the domains `focus` asks for (a plan's), saying on
    /// stderr which files could not be used.
    pub fn read(
        &self,
        focus: Focus,
        err: &mut impl std::io::Write,
    ) -> std::io::Result<Option<Corpus>> {
        if self.reports.is_empty() {
            return Ok(None);
        }
        let corpus = read_paths_for(&self.reports, &Window::default(), focus);
        for rejected in &corpus.rejected_files {
            let path = crate::text::escape(&rejected.path.display().to_string()).into_owned();
            let reason = crate::text::escape(&rejected.reason);
            super::error::warn(err, format_args!("rejected {path}: {reason}"))?;
        }
        if corpus.overflow.rejected_unlisted > 0 {
            let more = corpus.overflow.rejected_unlisted;
            super::error::warn(err, format_args!("… and {more} more rejected files not listed"))?;
        }
        Ok(Some(corpus))
    }
}

/// A runtime of two workers for the TUI and `apply`, which must answer keys and signals while
/// lookups run; small, since the work is waiting on DNS. `standings` uses one thread instead.
pub fn runtime() -> Result<tokio::runtime::Runtime, DnsSetupError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| DnsSetupError::Resolver(Box::new(e)))
}

/// Gathers and stands each domain beside its plan, readiness and evidence included, in plan
/// order, on [`lookup_threads`] threads.
pub fn standings(
    args: &DnsArgs,
    domains: &[&Domain],
    today: NaiveDate,
    reports: Option<&Corpus>,
) -> Result<Vec<Standing>, DnsSetupError> {
    let options = args.options();
    let threads = lookup_threads(&options.target, domains.len());
    let deadline = Some(args.deadline());
    let connect = || dns::connect(&options);
    assess_on_threads(threads, &paced(&options)?, connect, domains, today, reports, deadline)
}

/// The source `options` ask for, with the one limit on queries in flight.
fn paced(options: &DnsOptions) -> Result<Arc<Paced>, DnsSetupError> {
    Ok(Arc::new(Paced::new(dns::connect(options)?, options.max_inflight)))
}

/// Most threads that look up for one run: past a few, the server or the network is what
/// the run waits on.
const MAX_LOOKUP_THREADS: usize = 4;
/// Domains that keep a lookup thread busy enough to pay for starting it.
const DOMAINS_PER_THREAD: usize = 64;

/// Threads that look up for one run of `domains` domains: one per core (up to
/// [`MAX_LOOKUP_THREADS`]) when DNS is a server asked over sockets and the plan is large; one
/// otherwise. A zone file answers from memory, and the authoritative servers are found once
/// per source: a thread of their own would ask for them again.
fn lookup_threads(target: &Target, domains: usize) -> usize {
    if !matches!(target, Target::System | Target::Nameservers(_)) {
        return 1;
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    cores.min(MAX_LOOKUP_THREADS).min(domains / DOMAINS_PER_THREAD).max(1)
}
