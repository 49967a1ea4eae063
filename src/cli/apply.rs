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
use super::{load_plan_text, record};
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
    let evidence = reports.read(crate::report::Focus::only([&domain.name]), err)?;
    let runtime = match live::runtime() {
        Ok(runtime) => runtime,
        Err(e) => return writeln!(err, "dmarc-rollout: {e}").map(|()| exits::DNS),
    };
    runtime.block_on(async {
        let options = dns.options();
        let publisher = match resolve(&request.server, options.timeout).await {
            Ok(addr) => Publisher {
                server: UpdateServer { addr, timeout: options.timeout },
                key,
                ns_port: request.ns_port,
                wait: request.wait,
                options,
            },
            Err(message) => {
                return writeln!(err, "dmarc-rollout: {message}").map(|()| exits::USAGE);
            }
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
    ) -> io::Result<u8> {
        let source = match dns::connect(&self.publisher.options) {
            Ok(source) => source,
            Err(e) => return writeln!(err, "dmarc-rollout: {e}").map(|()| exits::DNS),
        };
        let standing = assess(source.as_ref(), self.domain, self.request.today, evidence).await;
        let step = match self.cleared_step(&standing, err)? {
            Ok(step) => step,
            Err(code) => return Ok(code),
        };
        let (zone, update) = match self.publisher.prepare(step, &standing.dmarc.records).await {
            Ok(prepared) => prepared,
            Err(stopped) => return said(&stopped, err),
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
            Err(stopped) => said(&stopped, err),
        }
    }

    /// The step, when the decision clears it with the overrides given (its remarks said on
    /// stderr as `next` says them); else the exit code `next` would give.
    fn cleared_step<'s>(
        &self,
        standing: &'s Standing,
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

    /// The phase into the history as `record` writes it; a phase already recorded keeps its
    /// date, as `record` keeps it.
    fn record(&self, step: &NextStep, err: &mut impl Write) -> io::Result<u8> {
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

/// Says why publishing stopped (an error unless the step needed nothing) and gives its code.
fn said(stop: &Stop, err: &mut impl Write) -> io::Result<u8> {
    let prefix = if stop.code == exits::OK { "" } else { "dmarc-rollout: " };
    writeln!(err, "{prefix}{}", stop.message).map(|()| stop.code)
}
