//! `dmarc-rollout PLAN`: the terminal UI on live DNS. Lookups run in background tasks, one
//! standing per domain sent to the UI as it lands; the UI never waits on them.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;

use super::live::{self, DnsArgs};
use crate::dns::{self, DnsSource};
use crate::exits;
use crate::plan::{Domain, Plan};
use crate::report::Corpus;
use crate::tui::{self, Msg, StatusLine, initial_view, model::from_standing};

/// Domains looked up at once per refresh.
const CONCURRENCY: usize = 32;

pub fn run(
    plan: Plan,
    dns: &DnsArgs,
    reports: Option<Corpus>,
    today: NaiveDate,
    refresh: Option<Duration>,
    out: &mut impl Write,
    err: &mut impl Write,
) -> io::Result<u8> {
    let runtime = live::runtime().map_err(io::Error::other)?;
    let printed = runtime.block_on(async {
        let source = match dns::connect(&dns.options()) {
            Ok(source) => source,
            Err(e) => return Ok(Err(e)),
        };
        let views = plan.domains.iter().map(initial_view).collect();
        let status = StatusLine { target: source.describe(), last_refresh: None };
        let reports = reports.map(Arc::new);
        let loader =
            Arc::new(PlanLoader { source, domains: Arc::new(plan.domains), today, reports });
        tui::run(views, status, loader, refresh).await.map(Ok)
    })?;
    match printed {
        Ok(Some(value)) => writeln!(out, "{value}").map(|()| exits::OK),
        Ok(None) => Ok(exits::OK),
        Err(e) => writeln!(err, "dmarc-rollout: {e}").map(|()| exits::DNS),
    }
}

/// Looks up every domain of the plan for one refresh generation.
struct PlanLoader {
    source: Arc<dyn DnsSource>,
    domains: Arc<Vec<Domain>>,
    today: NaiveDate,
    /// Aggregate reports read once at start, for the evidence gates.
    reports: Option<Arc<Corpus>>,
}

impl tui::Loader for PlanLoader {
    fn load(&self, generation: u64, tx: UnboundedSender<Msg>) {
        let (source, domains, today) =
            (Arc::clone(&self.source), Arc::clone(&self.domains), self.today);
        let reports = self.reports.clone();
        tokio::spawn(async move {
            futures::stream::iter(domains.iter().enumerate())
                .for_each_concurrent(CONCURRENCY, |(index, domain)| {
                    let (source, reports, tx) = (&source, reports.as_deref(), tx.clone());
                    async move {
                        let standing = live::stand(source.as_ref(), domain, today, reports).await;
                        let view = Box::new(from_standing(domain, &standing));
                        // A closed channel means the UI has quit; the answer is not needed.
                        let _ = tx.send(Msg::Loaded { generation, index, view });
                    }
                })
                .await;
        });
    }
}
