//! Sending a cleared step and waiting for every server, shared by `apply` and the TUI's `a`:
//! read what the server holds and plan the compare-and-swap update, send it, then wait until
//! each name server serves it. Each way it can stop carries its message and exit code, so the
//! CLI prints them and the TUI shows them.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::dns::{self, DnsOptions, DnsSource, ReadError, TsigKey, UpdateServer, WaitError};
use crate::exits;
use crate::publish::{Outcome, Plan, Update};
use crate::rollout::NextStep;
use crate::text::escape;

/// Why publishing stopped before the phase could be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    pub code: u8,
    pub message: String,
}

impl Stop {
    fn new(code: u8, message: String) -> Self {
        Self { code, message }
    }
}

/// Where and how a step is published.
#[derive(Debug, Clone)]
pub struct Publisher {
    pub server: UpdateServer,
    pub key: TsigKey,
    /// The port the zone's name servers are asked on while waiting.
    pub ns_port: u16,
    pub wait: Duration,
    pub options: DnsOptions,
}

impl Publisher {
    /// The zone and the update that swaps the records the decision was made on
    /// (`decided_on`) for the step, from what the server holds now.
    pub async fn prepare(
        &self,
        step: &NextStep,
        decided_on: &[String],
    ) -> Result<(String, Update), Stop> {
        let (zone, plan) = dns::prepare(&self.server, step, decided_on).await.map_err(|e| {
            let code = match e {
                ReadError::NotAuthoritative { .. } => exits::NOT_AUTHORITATIVE,
                _ => exits::DNS,
            };
            Stop::new(code, format!("{e}; nothing was sent"))
        })?;
        match plan {
            Plan::Send(update) => Ok((zone, update)),
            Plan::AlreadyLive => Err(Stop::new(
                exits::OK,
                format!(
                    "{} already serves phase {}; nothing was sent",
                    self.server.addr, step.phase
                ),
            )),
            Plan::Delegated { target } => Err(Stop::new(
                exits::NOT_AUTHORITATIVE,
                format!(
                    "{} is a CNAME to {}: the record is published there; nothing was sent",
                    step.host,
                    escape(&target)
                ),
            )),
            Plan::Changed { decided_on, server } => Err(Stop::new(
                exits::CHANGED,
                format!(
                    "{} changed since it was read: the decision was made on {}, {} holds {}; \
                     nothing was written. Run it again to decide on what is there now",
                    step.host,
                    records(&decided_on),
                    self.server.addr,
                    records(&server)
                ),
            )),
        }
    }

    /// Sends the update and waits until every name server of `zone` (found through `source`)
    /// serves the step. `say` hears the server's acceptance and each progress line that
    /// differs from the one before.
    pub async fn send_and_wait(
        &self,
        source: &dyn DnsSource,
        zone: &str,
        update: &Update,
        step: &NextStep,
        mut say: impl FnMut(String),
    ) -> Result<(), Stop> {
        let outcome = self.server.send(update, &self.key, unix_now()).await;
        let said = outcome.describe(self.server.addr, &step.host);
        if outcome != Outcome::Accepted {
            return Err(Stop::new(outcome_code(&outcome), said));
        }
        say(format!("{said}: phase {} ({})", step.phase, escape(&step.phase_name)));
        let mut last = String::new();
        let waited = dns::wait_for_servers(
            source,
            zone,
            step,
            self.ns_port,
            self.wait,
            &self.options,
            |p| {
                let line = p.line();
                if line != last {
                    say(line.clone());
                    last = line;
                }
            },
        )
        .await;
        match waited {
            Ok(_) => Ok(()),
            Err(WaitError::NoServers(why)) => Err(Stop::new(
                exits::LAGGING,
                format!(
                    "not recorded: the name servers of {zone} could not be found ({}); once every \
                     server serves phase {}, run `dmarc-rollout record`",
                    escape(&why),
                    step.phase
                ),
            )),
            Err(WaitError::Lagging(progress)) => {
                let mut message = format!(
                    "not recorded: after {} s, {}/{} servers serve {}:",
                    self.wait.as_secs(),
                    progress.serving(),
                    progress.servers.len(),
                    step.host
                );
                for lagging in progress.laggards() {
                    message.push_str("\n  ");
                    message.push_str(&lagging);
                }
                message.push_str("\nonce every server serves it, run `dmarc-rollout record`");
                Err(Stop::new(exits::LAGGING, message))
            }
        }
    }
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

/// DMARC records for a message: each quoted and escaped, or "no DMARC record".
fn records(texts: &[String]) -> String {
    if texts.is_empty() {
        return "no DMARC record".to_owned();
    }
    texts.iter().map(|t| format!("'{}'", escape(t))).collect::<Vec<_>>().join(" and ")
}

/// Reads a TSIG key file, saying which file and line is wrong (never the secret).
pub fn read_key(path: &std::path::Path) -> Result<TsigKey, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the TSIG key {}: {e}", path.display()))?;
    dns::parse_key_file(&text).map_err(|e| format!("{}:{e}", path.display()))
}

/// `HOST[:PORT]` (port 53 by default) as an address; a host name is resolved within the
/// timeout.
pub async fn resolve(server: &str, timeout: Duration) -> Result<SocketAddr, String> {
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
