//! The network half of publishing a step (`apply`, the TUI's `a`): read what the server to
//! update holds and plan the compare-and-swap update ([`prepare`]), then, once it is accepted,
//! wait until every authoritative server serves it ([`wait_for_servers`]). Sending is
//! [`super::UpdateServer::send`]. Async; the decisions are in [`crate::publish`].

use std::time::Duration;

use super::servers::{ServerSet, name_servers};
use super::update::{ReadError, UpdateServer};
use super::{DnsOptions, DnsSource};
use crate::publish::{self, Plan, Progress};
use crate::rollout::NextStep;

/// The longest pause between two rounds of asking the servers. The first pauses are shorter
/// (from [`FIRST_PAUSE`], doubling): a secondary told by NOTIFY usually has the change within
/// milliseconds.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// The first pause between two rounds.
pub const FIRST_PAUSE: Duration = Duration::from_millis(125);

/// The zone of the step's owner name and what to do, from what `server` holds now.
/// `decided_on` are the DMARC records the decision was made on.
pub async fn prepare(
    server: &UpdateServer,
    step: &NextStep,
    decided_on: &[String],
) -> Result<(String, Plan), ReadError> {
    let records = server.records(&step.host).await?;
    if let Some(target) = records.cname {
        return Ok((String::new(), Plan::Delegated { target }));
    }
    let zone = server.zone_of(&step.host).await?;
    let plan = publish::plan(step, decided_on, &zone, &records);
    Ok((zone, plan))
}

/// Why the wait ended without every server serving the step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitError {
    /// The zone's name servers could not be found, so none can be confirmed.
    NoServers(String),
    /// Time ran out; the last round of answers.
    Lagging(Progress),
}

/// Asks every name server of `zone` (found through `source`, asked on `ns_port`) what it
/// serves at the step's owner, round after round (at most [`POLL_INTERVAL`] apart), until all
/// serve the step or `wait` has passed. `on_progress` hears each round.
pub async fn wait_for_servers(
    source: &dyn DnsSource,
    zone: &str,
    step: &NextStep,
    ns_port: u16,
    wait: Duration,
    options: &DnsOptions,
    mut on_progress: impl FnMut(&Progress),
) -> Result<Progress, WaitError> {
    let deadline = tokio::time::Instant::now() + wait;
    let servers = name_servers(source, zone, ns_port).await.map_err(WaitError::NoServers)?;
    let set = ServerSet::new(servers, options).map_err(|e| WaitError::NoServers(e.to_string()))?;
    let mut pause = FIRST_PAUSE;
    loop {
        let progress = set.check(&step.host, &step.value).await;
        on_progress(&progress);
        if progress.done() {
            return Ok(progress);
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Err(WaitError::Lagging(progress));
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 2).min(POLL_INTERVAL);
    }
}
