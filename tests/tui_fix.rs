//! The fix in the TUI: Enter on a failing readiness check opens its fix (records and
//! commands), `c` copies exactly them, Esc closes; a check without a fix says so and copies
//! nothing; a finding still opens its details. The domain is assessed against zones served on
//! 127.0.0.1, as the TUI's loader does.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use dmarc_rollout::tui::{
    App, DomainView, Effect, Mode, Msg, Pane, RecordTo, StatusLine, model, update, view,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::dns_server::zone_text;
use support::fixing::{plan, standing, today, zone};

const VENDOR: &str = "[[domain.sender]]\nname = \"Vendor\"\nspf_include = \"_spf.vendor.test\"\n";

/// contoso.test lacking the vendor's include, with a second DMARC record, as the TUI shows it.
async fn view_with_fixes() -> DomainView {
    let zones = [
        zone(
            "contoso.test",
            "@ TXT \"v=spf1 mx -all\"\n_dmarc TXT \"v=DMARC1; p=none; rua=mailto:dmarc@contoso.test\"\n\
             _dmarc TXT \"v=DMARC1; p=reject\"\n",
        ),
        zone_text("vendor.test", "_spf TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"),
    ];
    let p = plan("contoso.test", Some(1), VENDOR);
    model::from_standing(&p.domains[0], &standing(&zones, &p).await)
}

fn app(view: DomainView) -> App {
    let record_to = RecordTo { file: "plans/test.toml".to_owned(), today: today() };
    App::new(vec![view], StatusLine::default(), false, record_to)
}

fn keys(app: &mut App, codes: &[KeyCode]) -> Vec<Effect> {
    codes
        .iter()
        .flat_map(|&c| update(app, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))))
        .collect()
}

/// Focuses the findings pane and moves to the row whose label is `label`.
fn select(app: &mut App, label: &str) {
    keys(app, &[KeyCode::BackTab]);
    assert_eq!(app.pane, Pane::Findings);
    let row = app.current().and_then(|d| d.readiness.iter().position(|r| r.label == label));
    let row = row.unwrap_or_else(|| panic!("no readiness row {label}"));
    keys(app, &vec![KeyCode::Down; row]);
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(110, 40)).expect("infallible");
    terminal.draw(|frame| view(frame, app)).expect("infallible");
    terminal.backend().to_string()
}

#[tokio::test]
async fn enter_on_a_failing_check_opens_its_fix_and_c_copies_the_records() {
    let mut app = app(view_with_fixes().await);
    select(&mut app, "spf.missing_include");
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.mode, Mode::Fix);
    let shown = screen(&app);
    assert!(shown.contains("Fix: spf.missing_include"), "{shown}");
    assert!(shown.contains("1. DNS replace TXT (fixes spf.missing_include)"), "{shown}");
    assert!(
        shown.contains("+ contoso.test. 3600 IN TXT \"v=spf1 mx include:_spf.vendor.test -all\""),
        "{shown}"
    );
    let copied = keys(&mut app, &[KeyCode::Char('c')]);
    assert_eq!(
        copied,
        [Effect::Copy(
            "; replace: contoso.test. 3600 IN TXT \"v=spf1 mx -all\"\n\
             contoso.test. 3600 IN TXT \"v=spf1 mx include:_spf.vendor.test -all\""
                .to_owned()
        )]
    );
    assert_eq!(app.notice.as_deref(), Some("copied the fix (OSC 52)"));
    assert_eq!(app.mode, Mode::Fix, "c copies and leaves the fix open");
    keys(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.mode, Mode::Normal);
}

#[tokio::test]
async fn a_part_row_gathers_every_fix_of_its_part() {
    let mut app = app(view_with_fixes().await);
    select(&mut app, "SPF");
    keys(&mut app, &[KeyCode::Enter]);
    assert!(screen(&app).contains("Fix: SPF"));
    assert!(
        matches!(keys(&mut app, &[KeyCode::Char('c')]).as_slice(), [Effect::Copy(text)] if text.contains("include:_spf.vendor.test"))
    );
}

#[tokio::test]
async fn a_check_without_a_fix_says_so_and_copies_nothing() {
    let mut app = app(view_with_fixes().await);
    select(&mut app, "reports");
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.mode, Mode::Fix);
    assert!(screen(&app).contains("Nothing to fix here."), "{}", screen(&app));
    assert!(keys(&mut app, &[KeyCode::Char('c')]).is_empty());
    assert_eq!(app.notice.as_deref(), Some("nothing to copy: no fix for this check"));
}

#[tokio::test]
async fn below_the_checks_a_finding_still_opens_its_details() {
    let mut app = app(view_with_fixes().await);
    let checks = app.current().map_or(0, |d| d.readiness.len());
    keys(&mut app, &[KeyCode::BackTab]);
    keys(&mut app, &vec![KeyCode::Down; checks]);
    assert_eq!(app.selected_finding().map(|f| f.id), Some("dmarc.multiple_records"));
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.mode, Mode::Detail);
    assert!(screen(&app).contains("Finding dmarc.multiple_records"));
}

#[tokio::test]
async fn two_dmarc_records_show_as_two_records_never_as_a_failed_lookup_and_no_diff() {
    let view = view_with_fixes().await;
    assert!(matches!(&view.live, model::Live::Several { values } if values.len() == 2));
    assert!(view.changes.is_empty(), "a diff against one of two records: {:?}", view.changes);
    let shown = screen(&app(view));
    assert!(shown.contains("2 DMARC records, receivers apply none"), "{shown}");
    assert!(shown.contains("v=DMARC1; p=reject"), "{shown}");
    assert!(!shown.contains("lookup failed") && !shown.contains("changes vs live"), "{shown}");
}
