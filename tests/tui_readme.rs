//! The README's picture of the terminal UI is this test's screen: the shipped plan
//! (`plans/insight24.toml`) beside the shipped zone (`plans/insight24.zone`), assessed as the
//! UI's loader assesses it, drawn at 80×24. The test fails when the README's picture differs
//! from the real screen; `BLESS=1 cargo test --test tui_readme` writes the screen into it.

use std::path::Path;

use dmarc_rollout::assess::assess;
use dmarc_rollout::dns::{DnsSource, ZoneFileSource};
use dmarc_rollout::plan;
use dmarc_rollout::tui::model::from_standing;
use dmarc_rollout::tui::{App, RecordTo, StatusLine, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
/// The section whose first fenced block is the picture.
const SECTION: &str = "## The terminal UI";

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("a valid date")
}

/// The screen as `dmarc-rollout plans/insight24.toml --zone plans/insight24.zone --today
/// 2026-11-29` draws it once the lookups are in, at 03:35:40.
async fn shipped_screen(width: u16, height: u16) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("plans/insight24.toml")).expect("the plan");
    let plan = plan::load("plans/insight24.toml", &text).expect("the shipped plan loads");
    let zone = std::fs::read_to_string(root.join("plans/insight24.zone")).expect("the zone");
    let source = ZoneFileSource::from_text(&zone, None, Path::new("plans/insight24.zone"))
        .expect("the shipped zone loads");
    let mut views = Vec::new();
    for domain in &plan.domains {
        views.push(from_standing(domain, &assess(&source, domain, today(), None).await));
    }
    let status =
        StatusLine { target: source.describe(), last_refresh: Some("03:35:40".to_owned()) };
    let record_to = RecordTo { file: "plans/insight24.toml".to_owned(), today: today() };
    let app = App::new(views, status, false, record_to);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("infallible");
    terminal.draw(|frame| view(frame, &app)).expect("infallible");
    let buffer = terminal.backend().buffer();
    let rows: Vec<String> = (0..buffer.area.height)
        .map(|y| {
            let row: String = (0..buffer.area.width).map(|x| buffer[(x, y)].symbol()).collect();
            row.trim_end().to_owned()
        })
        .collect();
    rows.join("\n")
}

/// The README split around the picture: before it, the picture, after it.
fn picture_in(readme: &str) -> (&str, &str, &str) {
    let section = readme.find(SECTION).expect("the README has the section");
    let open = section + readme[section..].find("```\n").expect("a fenced block") + 4;
    let close = open + readme[open..].find("\n```").expect("the block closes");
    (&readme[..open], &readme[open..close], &readme[close..])
}

#[tokio::test]
async fn the_readme_shows_the_screen_the_shipped_plan_and_zone_draw() {
    let screen = shipped_screen(80, 24).await;
    insta::assert_snapshot!("readme_screen_80x24", screen);
    let readme = std::fs::read_to_string(README).expect("the README");
    let (before, picture, after) = picture_in(&readme);
    if std::env::var_os("BLESS").is_some() && picture != screen {
        std::fs::write(README, format!("{before}{screen}{after}")).expect("write the README");
        return;
    }
    assert_eq!(picture, screen, "the README's picture drifted; run with BLESS=1 to redraw it");
}

#[tokio::test]
async fn the_shipped_plan_at_160_by_45_uses_the_whole_screen() {
    insta::assert_snapshot!("readme_screen_160x45", shipped_screen(160, 45).await);
}
