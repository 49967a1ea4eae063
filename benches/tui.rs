//! How long the TUI takes to draw: one full frame of a 200-domain plan on a 200×50 screen,
//! and the time from plan-only views to the first frame. Prints figures; no harness.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use dmarc_rollout::advice::{self, Inputs, LiveDmarc};
use dmarc_rollout::plan;
use dmarc_rollout::tui::{App, DomainView, Live, RecordTo, StatusLine, initial_view, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const DOMAINS: usize = 200;
const FRAMES: u32 = 200;

fn plan_text() -> String {
    let mut text = String::from(
        "[defaults]\nrua = [\"mailto:dmarc@example.com\"]\nttl = 3600\n\n\
         [[phase]]\nname = \"monitor\"\np = \"none\"\nsoak_days = 14\n\n\
         [[phase]]\nname = \"quarantine half\"\np = \"quarantine\"\npct = 50\nsoak_days = 14\n\n\
         [[phase]]\nname = \"reject\"\np = \"reject\"\n",
    );
    for i in 0..DOMAINS {
        let _ = write!(text, "\n[[domain]]\nname = \"d{i}.example.com\"\n");
    }
    text
}

fn load() -> plan::Plan {
    plan::load("bench.toml", &plan_text()).expect("the bench plan loads")
}

fn views(plan: &plan::Plan) -> Vec<DomainView> {
    plan.domains.iter().map(initial_view).collect()
}

fn status() -> StatusLine {
    StatusLine { target: "system resolver".to_owned(), last_refresh: None }
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(200, 50)).expect("infallible")
}

fn main() {
    let start = Instant::now();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("a valid date");
    let record_to = RecordTo { file: "bench.toml".to_owned(), today };
    let plan = load();
    let app = App::new(views(&plan), status(), true, record_to);
    let mut term = terminal();
    term.draw(|frame| view(frame, &app)).expect("infallible");
    let first = start.elapsed();

    let mut app = app;
    for entry in &mut app.domains {
        entry.view.live = Live::Found {
            value: entry.view.ladder[0].value.clone(),
            ttl: 300,
            server: "127.0.0.1:53".to_owned(),
            source: format!("_dmarc.{}", entry.view.name),
            inherited: false,
        };
        let domain = plan.domains.iter().find(|d| d.name == entry.view.name).expect("planned");
        let live = LiveDmarc::One(entry.view.ladder[0].value.clone());
        let inputs = Inputs { domain, live: &live, readiness: None, reports: None, today };
        entry.view.advice = Some(advice::decide(&inputs));
    }
    let mut total = Duration::ZERO;
    for _ in 0..FRAMES {
        // A fresh terminal each time, so every frame is drawn and diffed in full.
        let mut term = terminal();
        let start = Instant::now();
        term.draw(|frame| view(frame, black_box(&app))).expect("infallible");
        total += start.elapsed();
    }
    println!("time to first frame ({DOMAINS} domains, plan load included): {first:?}");
    println!("full frame, {DOMAINS} domains, 200x50: {:?} (mean of {FRAMES})", total / FRAMES);
}
