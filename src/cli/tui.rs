//! `dmarc-rollout PLAN`: the terminal UI on live DNS. Lookups run in background tasks, one
//! standing per domain sent to the UI as it lands; the UI never waits on them. A step the user
//! confirms with `m` is written into the plan by a blocking task, through the same write as
//! `dmarc-rollout record`; one confirmed with `a` is published as `apply` publishes it, by a
//! task that sends its progress back as it goes.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::live::{self, DnsArgs};
use super::publisher::{Publisher, read_key, resolve};
use super::record::{RecordError, Written, write_step};
use super::{CliError, Clock, Outcome, UiApplyArgs, UiArgs, load_plan_text};
use crate::assess::assess_each;
use crate::dns::{DnsSource, Paced, TsigKey, UpdateServer};
use crate::exits;
use crate::fsio::WriteError;
use crate::plan::{self, Domain};
use crate::report::{Corpus, Focus};
use crate::tui::initial_views;
use crate::tui::model::{from_standing, report_rows};
use crate::tui::{
    self, ApplyOutcome, ApplyRequest, Msg, RecordOutcome, RecordRequest, RecordTo, StatusLine,
    Workers,
};

pub fn run(
    path: &Path,
    ui: &UiArgs,
    refresh: Option<Duration>,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Outcome {
    let (dns, clock) = (&ui.lookup.dns, ui.lookup.clock);
    let (text, plan) = load_plan_text(path)?;
    let key = ui.apply.tsig_key.as_deref().map(read_key).transpose().map_err(CliError::Usage)?;
    // Only the plan's domains are kept from the reports, whatever else the mailbox holds.
    let reports = ui.lookup.reports.read(Focus::only(plan.domains.iter().map(|d| &d.name)), err)?;
    let runtime = live::runtime().map_err(io::Error::other)?;
    let printed = runtime.block_on(async {
        let source = match dns.connect() {
            Ok(source) => source,
            Err(e) => return Ok(Err(CliError::from(e))),
        };
        let publisher = match (&ui.apply.apply_server, key) {
            (Some(server), Some(key)) => match publisher(server, key, &ui.apply, dns).await {
                Ok(publisher) => Some(publisher),
                Err(message) => return Ok(Err(CliError::Dns(message))),
            },
            _ => None,
        };
        let views = initial_views(&plan.domains);
        let status = StatusLine { target: source.describe(), last_refresh: None };
        let file = PlanFile { path: path.to_owned(), text, domains: Arc::new(plan.domains) };
        let plan = Arc::new(Mutex::new(file));
        let can_publish = publisher.is_some();
        let session = Arc::new(Session {
            source,
            plan,
            clock,
            reports: reports.map(Arc::new),
            deadline: Some(dns.deadline()),
            sweep: std::sync::Mutex::default(),
            publisher,
        });
        let record_to = RecordTo { file: crate::fsio::shown(path), today: clock.today() };
        let publisher = can_publish.then(|| session.clone() as Arc<dyn tui::Publisher>);
        let workers = Workers { loader: session.clone(), recorder: session, publisher };
        tui::run(views, status, record_to, workers, refresh).await.map(Ok)
    })?;
    match printed? {
        Some(value) => Ok(writeln!(out, "{value}").map(|()| exits::OK)?),
        None => Ok(exits::OK),
    }
}

/// What `a` publishes with: the server resolved, the key read, the wait as `apply` waits.
async fn publisher(
    server: &str,
    key: TsigKey,
    apply: &UiApplyArgs,
    dns: &DnsArgs,
) -> Result<Publisher, String> {
    let options = dns.options();
    let addr = resolve(server, options.timeout).await?;
    Ok(Publisher {
        server: UpdateServer { addr, timeout: options.timeout },
        key,
        ns_port: apply.ns_port,
        wait: Duration::from_secs(apply.wait),
        options,
    })
}

/// The plan as the UI last read or wrote it: the text a write must still find on disk, and the
/// domains lookups are made for.
struct PlanFile {
    path: PathBuf,
    text: String,
    domains: Arc<Vec<Domain>>,
}

impl PlanFile {
    /// Writes the step; after a write the plan is read back from the new text, so the next
    /// refresh and the next write start from it.
    fn record(&mut self, r: &RecordRequest) -> RecordOutcome {
        let text = match write_step(&self.path, &self.text, &r.domain, r.phase, r.on) {
            Ok(Written::Recorded(text)) => text,
            Ok(Written::AlreadyRecorded) => return RecordOutcome::AlreadyRecorded,
            Err(RecordError::Write(WriteError::ChangedOnDisk(_))) => {
                return RecordOutcome::ChangedOnDisk;
            }
            Err(e) => return RecordOutcome::Failed(e.to_string()),
        };
        self.text = text;
        let reloaded = plan::load(&self.path.display().to_string(), &self.text);
        let Some(plan) = reloaded.ok().filter(|p| p.domains.len() == self.domains.len()) else {
            // record_step changes one history line, so this is not expected; the old domains
            // keep the UI's list in step with its indices.
            return RecordOutcome::Failed("written, but the plan did not load again".to_owned());
        };
        let domain = plan.domain(&r.domain).cloned();
        self.domains = Arc::new(plan.domains);
        domain.map_or_else(
            || RecordOutcome::Failed(format!("{} is gone from the plan", r.domain)),
            |d| RecordOutcome::Written(Box::new(d)),
        )
    }
}

/// Looks up the plan's domains for each refresh and writes confirmed steps into it. The plan
/// is shared between the two and locked only to take a snapshot or to write.
struct Session {
    /// Every lookup of the UI goes through its one limit on queries in flight (`--max-inflight`).
    source: Arc<Paced>,
    plan: Arc<Mutex<PlanFile>>,
    /// Read at every refresh: the UI may stay open past midnight.
    clock: Clock,
    /// Aggregate reports read once at start, for the evidence gates.
    reports: Option<Arc<Corpus>>,
    /// All lookups for one domain end by then (`--deadline`).
    deadline: Option<Duration>,
    /// The lookups of the newest refresh, aborted when another one starts.
    sweep: std::sync::Mutex<Option<JoinHandle<()>>>,
    /// Where `a` publishes, when the UI was started with a server and a key.
    publisher: Option<Publisher>,
}

impl tui::Loader for Session {
    fn load(&self, generation: u64, tx: UnboundedSender<Msg>) {
        let (source, plan, today) =
            (Arc::clone(&self.source), Arc::clone(&self.plan), self.clock.today());
        let (reports, deadline) = (self.reports.clone(), self.deadline);
        let sweep = tokio::spawn(async move {
            let domains = Arc::clone(&plan.lock().await.domains);
            let domains: Vec<&Domain> = domains.iter().collect();
            let reports = reports.as_deref();
            // Each refresh asks every name again, once: answers are shared within a sweep only.
            assess_each(&source, &domains, today, reports, deadline, |index, standing| {
                let domain = domains[index];
                let mut view = Box::new(from_standing(domain, &standing));
                if let (Some(corpus), Some(next)) = (reports, standing.advice.step) {
                    let summary = corpus.domains.get(domain.name.as_str());
                    view.readiness.extend(report_rows(domain, &next, summary));
                }
                // A closed channel means the UI has quit; the answer is not needed.
                let _ = tx.send(Msg::Loaded { generation, index, view });
            })
            .await;
        });
        // A new refresh supersedes the sweep still running: its answers would be dropped as
        // stale anyway, and its lookups would only compete with the new ones.
        let previous = self.sweep.lock().map(|mut s| s.replace(sweep)).ok().flatten();
        if let Some(previous) = previous {
            previous.abort();
        }
    }
}

impl tui::Recorder for Session {
    fn record(&self, request: RecordRequest, tx: UnboundedSender<Msg>) {
        let plan = Arc::clone(&self.plan);
        // File I/O with fsync: off the UI's thread.
        tokio::task::spawn_blocking(move || {
            let outcome = plan.blocking_lock().record(&request);
            let _ = tx.send(Msg::Recorded { request, outcome });
        });
    }
}

impl tui::Publisher for Session {
    fn describe(&self) -> String {
        self.publisher.as_ref().map_or_else(String::new, |p| p.server.addr.to_string())
    }

    fn apply(&self, request: ApplyRequest, tx: UnboundedSender<Msg>) {
        let Some(publisher) = self.publisher.clone() else { return };
        let job = Job {
            source: Arc::clone(&self.source) as Arc<dyn DnsSource>,
            plan: Arc::clone(&self.plan),
            today: self.clock.today(),
            reports: self.reports.clone(),
            publisher,
        };
        tokio::spawn(async move {
            let outcome = job.publish(&request, &tx).await;
            // A closed channel means the UI has quit; the outcome is then not shown.
            let _ = tx.send(Msg::Applied { request, outcome });
        });
    }
}

/// One `a`, owned by its task.
struct Job {
    source: Arc<dyn DnsSource>,
    plan: Arc<Mutex<PlanFile>>,
    today: chrono::NaiveDate,
    reports: Option<Arc<Corpus>>,
    publisher: Publisher,
}

impl Job {
    /// Decides again on fresh DNS, sends only the step the user confirmed (and only when the
    /// overrides they confirmed clear it), waits for every server, then records it as `m` does.
    async fn publish(&self, request: &ApplyRequest, tx: &UnboundedSender<Msg>) -> ApplyOutcome {
        let stopped =
            |why: String| ApplyOutcome::Stopped(why.replace("\n  ", "; ").replace('\n', "; "));
        let domains = Arc::clone(&self.plan.lock().await.domains);
        let Some(domain) = domains.iter().find(|d| d.name == request.domain) else {
            return stopped(format!("{} is gone from the plan; nothing was sent", request.domain));
        };
        let standing = crate::assess::assess(
            self.source.as_ref(),
            domain,
            self.today,
            self.reports.as_deref(),
        )
        .await;
        let advice = &standing.advice;
        let step = match advice.step.as_ref() {
            Some(s) if s.phase == request.phase && s.value == request.value => s,
            _ => {
                return stopped(format!(
                    "{}: the step changed since it was shown; nothing was sent (look again)",
                    request.domain
                ));
            }
        };
        if !advice.may_publish(request.overrides) {
            let why = advice.standing_blocks(request.overrides).next().map(|b| b.message.clone());
            return stopped(format!(
                "{}: not cleared now ({}); nothing was sent",
                request.domain,
                why.unwrap_or_default()
            ));
        }
        let (zone, update) = match self.publisher.prepare(step, &standing.dmarc.records).await {
            Ok(prepared) => prepared,
            Err(stop_here) => return stopped(stop_here.message),
        };
        let say = |line: String| {
            let _ = tx.send(Msg::ApplyProgress { domain: request.domain.clone(), line });
        };
        if let Err(stop_here) =
            self.publisher.send_and_wait(self.source.as_ref(), &zone, &update, step, say).await
        {
            return stopped(stop_here.message);
        }
        if crate::rollout::published_on(domain, step.phase - 1).is_some() {
            return ApplyOutcome::AlreadyRecorded;
        }
        let record = RecordRequest {
            index: request.index,
            domain: domain.name.to_string(),
            phase: step.phase,
            on: self.today,
        };
        let plan = Arc::clone(&self.plan);
        // File I/O with fsync: off the UI's thread.
        let written =
            tokio::task::spawn_blocking(move || plan.blocking_lock().record(&record)).await;
        match written {
            Ok(RecordOutcome::Written(domain)) => ApplyOutcome::Recorded(domain),
            Ok(RecordOutcome::AlreadyRecorded) => ApplyOutcome::AlreadyRecorded,
            Ok(RecordOutcome::ChangedOnDisk) => stopped(
                "served by every server, but not recorded: the plan changed on disk (restart to reload, then m)".to_owned(),
            ),
            Ok(RecordOutcome::Failed(why)) => stopped(format!("served by every server, but not recorded: {why}")),
            Err(e) => stopped(format!("served by every server, but not recorded: {e}")),
        }
    }
}
