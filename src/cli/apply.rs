//! `apply`: publishes the next step by RFC 2136 dynamic update — the same decision and gates
//! as `next`, a TSIG-signed compare-and-swap on the `_dmarc` record the decision was made on,
//! a wait until every authoritative server serves it, then the phase recorded as `record`
//! writes it. Remarks and progress go to stderr; `--dry-run` prints the update on stdout.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;

use super::live::{self, DnsArgs, ReportArgs};
use super::next::{self, Live, Planned};
use super::publisher::{Publisher, Stop, read_key, resolve};
use super::{CliError, Outcome, Paint, load_plan_text, record};
use crate::advice::{BlockKind, Overrides};
use crate::assess::assess;
use crate::dns::{self, UpdateServer};
use crate::exits;
use crate::plan::Domain;
use crate::publish::update_text;
use crate::rollout::NextStep;
use crate::standing::Standing;
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
    /// Colour for `next`'s remarks on stderr.
    pub paint: Paint,
}

pub fn run(
    path: &Path,
    request: &Request,
    dns: &DnsArgs,
    reports: &ReportArgs,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Outcome {
    if dns.zone.is_some() {
        let why = "apply works on live DNS; --zone cannot be used with it";
        return Err(CliError::Usage(why.to_owned()));
    }
    let (text, plan) = load_plan_text(path)?;
    let Some(domain) = plan.domain(&request.domain) else {
        let (domain, path) = (escape(&request.domain), path.display());
        return Err(CliError::Usage(format!("'{domain}' is not in {path}")));
    };
    let key = read_key(&request.key).map_err(CliError::Usage)?;
    let evidence = reports.read(crate::report::Focus::only([&domain.name]), err)?;
    let runtime = live::runtime().map_err(|e| CliError::Dns(e.to_string()))?;
    runtime.block_on(async {
        let options = dns.options();
        let addr = resolve(&request.server, options.timeout).await.map_err(CliError::Usage)?;
        let publisher = Publisher {
            server: UpdateServer { addr, timeout: options.timeout },
            key,
            ns_port: request.ns_port,
            wait: request.wait,
            options,
        };
        let context = Context { path, text: &text, domain, request, publisher };
        context.apply(evidence.as_ref(), out, err).await
    })
}

/// Everything one `apply` works with.
struct Context<'a> {
    path: &'a Path,
    /// The plan as read, so the record write is refused if it changed on disk.
    text: &'a str,
    domain: &'a Domain,
    request: &'a Request,
    publisher: Publisher,
}

impl Context<'_> {
    async fn apply(
        &self,
        evidence: Option<&crate::report::Corpus>,
        out: &mut impl Write,
        err: &mut impl Write,
    ) -> Outcome {
        let source =
            dns::connect(&self.publisher.options).map_err(|e| CliError::Dns(e.to_string()))?;
        let standing = assess(source.as_ref(), self.domain, self.request.today, evidence).await;
        let Some(step) = self.cleared_step(&standing, err)? else {
            return Ok(not_cleared(&standing, self.request.overrides));
        };
        let (zone, update) = match self.publisher.prepare(step, &standing.dmarc.records).await {
            Ok(prepared) => prepared,
            Err(stopped) => return said(stopped, err),
        };
        if self.request.dry_run {
            let (server, key) = (self.publisher.server.addr, &self.publisher.key);
            writeln!(
                out,
                "; to {server}, signed with key {} ({})",
                key.name,
                key.algorithm.as_str()
            )?;
            out.write_all(update_text(&update).as_bytes())?;
            writeln!(err, "{}: dry run, nothing was sent", self.domain.name)?;
            return Ok(exits::OK);
        }
        // A progress line that cannot be written is no reason to stop waiting.
        let sent = self
            .publisher
            .send_and_wait(source.as_ref(), &zone, &update, step, |line| {
                let _ = writeln!(err, "{line}");
            })
            .await;
        match sent {
            Ok(()) => self.record(step, err),
            Err(stopped) => said(stopped, err),
        }
    }

    /// The step, when the decision clears it with the overrides given and it publishes
    /// something; its remarks are said on stderr as `next` says them.
    fn cleared_step<'s>(
        &self,
        standing: &'s Standing,
        err: &mut impl Write,
    ) -> io::Result<Option<&'s NextStep>> {
        let overrides = self.request.overrides;
        let live = Live::of(&standing.dmarc);
        let advice = &standing.advice;
        let planned = Planned { domain: &self.domain.name, advice, live: &live };
        next::remarks(&planned, overrides, self.request.paint, err)?;
        Ok(advice.step.as_ref().filter(|s| advice.may_publish(overrides) && !s.complete))
    }

    /// The phase into the history as `record` writes it; a phase already recorded keeps its
    /// date, as `record` keeps it.
    fn record(&self, step: &NextStep, err: &mut impl Write) -> Outcome {
        if let Some(date) = crate::rollout::published_on(self.domain, step.phase - 1) {
            let name = &self.domain.name;
            writeln!(
                err,
                "{name}: phase {} is already recorded as published on {date}",
                step.phase
            )?;
            return Ok(exits::OK);
        }
        record::write(self.path, self.text, self.domain, step.phase, self.request.today, err)
    }
}

/// The code `next` would give for a step not published: 0 at the last phase, 5 when the
/// state is unknown, else 7.
fn not_cleared(standing: &Standing, overrides: Overrides) -> u8 {
    let advice = &standing.advice;
    if advice.step.as_ref().is_some_and(|s| s.complete) && advice.may_publish(overrides) {
        exits::OK
    } else if advice.step.is_none()
        || advice.standing_blocks(overrides).any(|b| b.kind == BlockKind::Unknown)
    {
        exits::DNS
    } else {
        exits::BLOCKED
    }
}

/// Why publishing stopped: an error, unless the step needed nothing (then only said).
fn said(stop: Stop, err: &mut impl Write) -> Outcome {
    if stop.code == exits::OK {
        writeln!(err, "{}", stop.message)?;
        return Ok(exits::OK);
    }
    Err(CliError::Publish { code: stop.code, message: stop.message })
}
