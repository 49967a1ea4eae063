//! `apply`: publishes the next step by RFC 2136 dynamic update — the same decision and gates
//! as `next`, a TSIG-signed compare-and-swap on the `_dmarc` record the decision was made on,
//! a wait until every authoritative server serves it, then the phase recorded as `record`
//! writes it. Remarks and progress go to stderr; `--dry-run` prints the update on stdout.

use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::NaiveDate;

use super::live::{self, DnsArgs, ReportArgs};
use super::next::{self, Live, Planned};
use super::{load_plan_text, record};
use crate::advice::{BlockKind, Overrides};
use crate::assess::assess;
use crate::dns::{self, TsigKey, UpdateServer, WaitError};
use crate::exits;
use crate::plan::Domain;
use crate::publish::{Outcome, Plan, Update, update_text};
use crate::rollout::NextStep;
use crate::text::escape;

/// What `apply` was asked for, beside the plan and the DNS and report flags.
pub struct Request {
    pub domain: String,
    /// `HOST[:PORT]` of the server to update.
    pub server: String,
    pub key: PathBuf,
    pub dry_run: bool,
    pub overrides: Overrides,
    pub wait: Duration,
    pub ns_port: u16,
    pub today: NaiveDate,
}

pub fn run(
    path: &Path,
    request: &Request,
    dns: &DnsArgs,
    reports: &ReportArgs,
    out: &mut impl Write,
    err: &mut impl Write,
) -> io::Result<u8> {
    if dns.zone.is_some() {
        writeln!(err, "dmarc-rollout: apply works on live DNS; --zone cannot be used with it")?;
        return Ok(exits::USAGE);
    }
    let (text, plan) = match load_plan_text(path, err)? {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    let Some(domain) = plan.domain(&request.domain) else {
        writeln!(err, "dmarc-rollout: '{}' is not in {}", escape(&request.domain), path.display())?;
        return Ok(exits::USAGE);
    };
    let key = match read_key(&request.key) {
        Ok(key) => key,
        Err(message) => return writeln!(err, "dmarc-rollout: {message}").map(|()| exits::USAGE),
    };
    let evidence = reports.read(err)?;
    let runtime = match live::runtime() {
        Ok(runtime) => runtime,
        Err(e) => return writeln!(err, "dmarc-rollout: {e}").map(|()| exits::DNS),
    };
    let context = Context { path, text: &text, domain, request, dns, key: &key };
    runtime.block_on(context.apply(evidence.as_ref(), out, err))
}

/// Everything one `apply` works with.
struct Context<'a> {
    path: &'a Path,
    /// The plan as read, so the record write is refused if it changed on disk.
    text: &'a str,
    domain: &'a Domain,
    request: &'a Request,
    dns: &'a DnsArgs,
    key: &'a TsigKey,
}

impl Context<'_> {
    async fn apply(
        &self,
        evidence: Option<&crate::report::Corpus>,
        out: &mut impl Write,
        err: &mut impl Write,
    ) -> io::Result<u8> {
        let options = self.dns.options();
        let server = match resolve(&self.request.server, options.timeout).await {
            Ok(addr) => UpdateServer { addr, timeout: options.timeout },
            Err(message) => {
                return writeln!(err, "dmarc-rollout: {message}").map(|()| exits::USAGE);
            }
        };
        let source = match dns::connect(&options) {
            Ok(source) => source,
            Err(e) => return writeln!(err, "dmarc-rollout: {e}").map(|()| exits::DNS),
        };
        let standing = assess(source.as_ref(), self.domain, self.request.today, evidence).await;
        let step = match self.cleared_step(&standing, err)? {
            Ok(step) => step,
            Err(code) => return Ok(code),
        };
        let (zone, update) = match self.update(&server, &standing, step, err).await? {
            Ok(prepared) => prepared,
            Err(code) => return Ok(code),
        };
        if self.request.dry_run {
            let key = self.key;
            writeln!(
                out,
                "; to {}, signed with key {} ({})",
                server.addr,
                key.name,
                key.algorithm.as_str()
            )?;
            out.write_all(update_text(&update).as_bytes())?;
            writeln!(err, "{}: dry run, nothing was sent", self.domain.name)?;
            return Ok(exits::OK);
        }
        let outcome = server.send(&update, self.key, unix_now()).await;
        let said = outcome.describe(server.addr, &step.host);
        if outcome != Outcome::Accepted {
            writeln!(err, "dmarc-rollout: {said}")?;
            return Ok(outcome_code(&outcome));
        }
        writeln!(err, "{said}: phase {} ({})", step.phase, escape(&step.phase_name))?;
        self.wait_then_record(source.as_ref(), &zone, step, err).await
    }

    /// The step, when the decision clears it with the overrides given (its remarks said on
    /// stderr as `next` says them); else the exit code `next` would give.
    fn cleared_step<'s>(
        &self,
        standing: &'s crate::standing::Standing,
        err: &mut impl Write,
    ) -> io::Result<Result<&'s NextStep, u8>> {
        let overrides = self.request.overrides;
        let live = Live::of(&standing.dmarc);
        let advice = &standing.advice;
        next::remarks(&Planned { domain: &self.domain.name, advice, live: &live }, overrides, err)?;
        match advice.step.as_ref() {
            Some(step) if advice.may_publish(overrides) && step.complete => Ok(Err(exits::OK)),
            Some(step) if advice.may_publish(overrides) => Ok(Ok(step)),
            _ => {
                let unknown = advice.step.is_none()
                    || advice.standing_blocks(overrides).any(|b| b.kind == BlockKind::Unknown);
                Ok(Err(if unknown { exits::DNS } else { exits::BLOCKED }))
            }
        }
    }

    /// The zone and the compare-and-swap update, from what the server holds now; else the
    /// exit code, said on stderr.
    async fn update(
        &self,
        server: &UpdateServer,
        standing: &crate::standing::Standing,
        step: &NextStep,
        err: &mut impl Write,
    ) -> io::Result<Result<(String, Update), u8>> {
        let (zone, plan) = match dns::prepare(server, step, &standing.dmarc.records).await {
            Ok(prepared) => prepared,
            Err(e) => {
                let code = match e {
                    dns::ReadError::NotAuthoritative { .. } => exits::NOT_AUTHORITATIVE,
                    _ => exits::DNS,
                };
                return writeln!(err, "dmarc-rollout: {e}; nothing was sent").map(|()| Err(code));
            }
        };
        let (message, code) = match plan {
            Plan::Send(update) => return Ok(Ok((zone, update))),
            Plan::AlreadyLive => (
                format!(
                    "{}: {} already serves phase {}; nothing was sent",
                    self.domain.name, server.addr, step.phase
                ),
                exits::OK,
            ),
            Plan::Delegated { target } => (
                format!(
                    "dmarc-rollout: {} is a CNAME to {}: the record is published there; nothing was sent",
                    step.host,
                    escape(&target)
                ),
                exits::NOT_AUTHORITATIVE,
            ),
            Plan::Changed { decided_on, server: now } => (
                format!(
                    "dmarc-rollout: {} changed since it was read: the decision was made on {}, {} holds {}; \
                     nothing was written. Run it again to decide on what is there now",
                    step.host,
                    records(&decided_on),
                    server.addr,
                    records(&now)
                ),
                exits::CHANGED,
            ),
        };
        writeln!(err, "{message}").map(|()| Err(code))
    }

    async fn wait_then_record(
        &self,
        source: &dyn dns::DnsSource,
        zone: &str,
        step: &NextStep,
        err: &mut impl Write,
    ) -> io::Result<u8> {
        let mut last = String::new();
        let waited = dns::wait_for_servers(
            source,
            zone,
            step,
            self.request.ns_port,
            self.request.wait,
            &self.dns.options(),
            |progress| {
                let line = progress.line();
                if line != last {
                    // A progress line that cannot be written is no reason to stop waiting.
                    let _ = writeln!(err, "{line}");
                    last = line;
                }
            },
        )
        .await;
        match waited {
            Ok(_) => self.record(step, err),
            Err(WaitError::NoServers(why)) => {
                writeln!(
                    err,
                    "dmarc-rollout: not recorded: the name servers of {zone} could not be found ({}); \
                     once every server serves phase {}, run `dmarc-rollout record`",
                    escape(&why),
                    step.phase
                )?;
                Ok(exits::LAGGING)
            }
            Err(WaitError::Lagging(progress)) => {
                writeln!(
                    err,
                    "dmarc-rollout: not recorded: after {} s, {}/{} servers serve {}:",
                    self.request.wait.as_secs(),
                    progress.serving(),
                    progress.servers.len(),
                    step.host
                )?;
                for lagging in progress.laggards() {
                    writeln!(err, "  {lagging}")?;
                }
                writeln!(err, "once every server serves it, run `dmarc-rollout record`")?;
                Ok(exits::LAGGING)
            }
        }
    }

    /// The phase into the history as `record` writes it; a phase already recorded keeps its
    /// date, as `record` keeps it.
    fn record(&self, step: &NextStep, err: &mut impl Write) -> io::Result<u8> {
        if let Some(date) = crate::rollout::published_on(self.domain, step.phase - 1) {
            writeln!(
                err,
                "{}: phase {} is already recorded as published on {date}",
                self.domain.name, step.phase
            )?;
            return Ok(exits::OK);
        }
        record::write(self.path, self.text, self.domain, step.phase, self.request.today, err)
    }
}

/// DMARC records for a message: each quoted and escaped, or "no DMARC record".
fn records(texts: &[String]) -> String {
    if texts.is_empty() {
        return "no DMARC record".to_owned();
    }
    texts.iter().map(|t| format!("'{}'", escape(t))).collect::<Vec<_>>().join(" and ")
}

/// The exit code of an update the server did not accept.
fn outcome_code(outcome: &Outcome) -> u8 {
    match outcome {
        Outcome::Accepted => exits::OK,
        Outcome::Changed { .. } => exits::CHANGED,
        Outcome::NotAuthoritative => exits::NOT_AUTHORITATIVE,
        Outcome::Refused { .. } => exits::REFUSED,
        Outcome::Tsig(_) => exits::TSIG,
        Outcome::NoAnswer(_) => exits::NO_ANSWER,
    }
}

fn read_key(path: &Path) -> Result<TsigKey, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the TSIG key {}: {e}", path.display()))?;
    dns::parse_key_file(&text).map_err(|e| format!("{}:{e}", path.display()))
}

/// `HOST[:PORT]` (port 53 by default) as an address; a host name is resolved within the
/// timeout.
async fn resolve(server: &str, timeout: Duration) -> Result<SocketAddr, String> {
    if let Ok(addr) = server.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Ok(ip) = server.trim_matches(['[', ']']).parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    let (host, port) = match server.rsplit_once(':') {
        Some((host, port)) => {
            let port = port
                .parse::<u16>()
                .map_err(|_| format!("'{}' has no valid port", escape(server)))?;
            (host, port)
        }
        None => (server, 53),
    };
    let lookup = tokio::time::timeout(timeout, tokio::net::lookup_host((host, port))).await;
    match lookup {
        Ok(Ok(mut addrs)) => {
            addrs.next().ok_or_else(|| format!("'{}' has no address", escape(host)))
        }
        Ok(Err(e)) => Err(format!("cannot resolve the server '{}': {e}", escape(host))),
        Err(_) => Err(format!("cannot resolve the server '{}' in time", escape(host))),
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
