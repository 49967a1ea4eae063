//! A demo of the TUI with a fake loader, for the pseudo-terminal test: `example.com` answers at
//! once, `slow.example` never does. Not part of the tool.

use std::sync::Arc;

use dmarc_rollout::plan;
use dmarc_rollout::tui::{self, DomainView, Live, Msg, Position, StatusLine};
use tokio::sync::mpsc::UnboundedSender;

const PLAN: &str = r#"
[defaults]
rua = ["mailto:dmarc@example.com"]
ttl = 3600

[[phase]]
name = "monitor"
p = "none"
soak_days = 14

[[phase]]
name = "quarantine half"
p = "quarantine"
pct = 50
soak_days = 14

[[phase]]
name = "reject"
p = "reject"

[[domain]]
name = "example.com"
  [domain.history]
  1 = 2026-11-01

[[domain]]
name = "slow.example"
"#;

/// The answer for `example.com`: phase 1 live.
fn answered(mut view: DomainView) -> DomainView {
    view.live = Live::Found {
        value: view.ladder[0].value.clone(),
        ttl: 300,
        server: "127.0.0.1:5353".to_owned(),
        source: "_dmarc.example.com".to_owned(),
        inherited: false,
    };
    view.position = Position::Live(0);
    view
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let plan =
        plan::load("demo.toml", PLAN).map_err(|e| std::io::Error::other(format!("{e:?}")))?;
    let views: Vec<DomainView> = plan.domains.iter().map(tui::initial_view).collect();
    let first = answered(views[0].clone());
    let loader = move |generation: u64, tx: UnboundedSender<Msg>| {
        // Only the first domain answers; the second hangs forever, like a dead nameserver.
        let _ = tx.send(Msg::Loaded { generation, index: 0, view: Box::new(first.clone()) });
    };
    let status = StatusLine { target: "nameservers 127.0.0.1:5353".to_owned(), last_refresh: None };
    if let Some(value) = tui::run(views, status, Arc::new(loader), None).await? {
        println!("{value}");
    }
    Ok(())
}
