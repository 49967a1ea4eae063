//! The TUI's `a` without a terminal: the question shows the change and its verdict, `y` sends
//! the update (twice for a weakening), progress shows in the status line while keys still
//! work, and the outcome updates the domain. The network half is `apply`'s, tested against
//! Knot in `apply_knot.rs`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use dmarc_rollout::advice::{self, Inputs, LiveDmarc, Overrides};
use dmarc_rollout::plan;
use dmarc_rollout::readiness::Readiness;
use dmarc_rollout::tui::{
    App, ApplyOutcome, ApplyRequest, DomainView, Effect, Live, Mode, Msg, RecordTo, StatusLine,
    initial_view, update, view,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const PLAN: &str = r#"
[defaults]
rua = ["mailto:dmarc@example.com"]

[[phase]]
name = "monitor"
p = "none"

[[phase]]
name = "quarantine"
p = "quarantine"

[[domain]]
name = "example.com"
"#;

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("a valid date")
}

fn domain() -> plan::Domain {
    plan::load("test.toml", PLAN).expect("the test plan loads").domains[0].clone()
}

/// `example.com` with `value` live and its senders ready (or readiness not checked).
fn view_with(value: &str, ready: bool) -> DomainView {
    let domain = domain();
    let mut view = initial_view(&domain);
    view.live = Live::Found {
        value: value.to_owned(),
        ttl: 300,
        server: "127.0.0.1:53".to_owned(),
        source: "_dmarc.example.com".to_owned(),
        inherited: false,
    };
    let readiness = Readiness::default();
    let live = LiveDmarc::One(value.to_owned());
    let inputs = Inputs {
        domain: &domain,
        live: &live,
        readiness: ready.then_some(&readiness),
        reports: None,
        today: today(),
    };
    view.advice = Some(Box::new(advice::decide(&inputs)));
    view
}

const NONE: &str = "v=DMARC1; p=none; rua=mailto:dmarc@example.com";
const QUARANTINE: &str = "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com";

fn app(view: DomainView, server: Option<&str>) -> App {
    let status = StatusLine { target: "127.0.0.1:53".to_owned(), last_refresh: None };
    let record_to = RecordTo { file: "plans/test.toml".to_owned(), today: today() };
    let mut app = App::new(vec![view], status, false, record_to);
    app.apply_to = server.map(str::to_owned);
    app
}

fn press(app: &mut App, c: char) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)))
}

fn request(overrides: Overrides) -> ApplyRequest {
    ApplyRequest {
        index: 0,
        domain: "example.com".to_owned(),
        phase: 2,
        value: QUARANTINE.to_owned(),
        overrides,
    }
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("infallible");
    terminal.draw(|frame| view(frame, app)).expect("infallible");
    terminal.backend().to_string()
}

#[test]
fn without_a_server_a_says_how_to_turn_it_on() {
    let mut app = app(view_with(NONE, true), None);
    assert!(press(&mut app, 'a').is_empty());
    assert_eq!(app.mode, Mode::Normal);
    assert!(app.notice.as_deref().is_some_and(|n| n.contains("--apply-server")));
}

#[test]
fn a_shows_the_change_and_its_verdict_and_y_sends_it() {
    let mut app = app(view_with(NONE, true), Some("192.0.2.53:53"));
    assert!(press(&mut app, 'a').is_empty());
    let shown = screen(&app);
    assert!(
        shown.contains("Publish phase 2 of example.com (_dmarc.example.com via 192.0.2.53:53)"),
        "{shown}"
    );
    assert!(shown.contains("p=quarantine") && shown.contains("verdict: READY"), "{shown}");
    assert!(press(&mut app, 'r').is_empty(), "keys go to the question");
    assert_eq!(press(&mut app, 'y'), vec![Effect::Apply(request(Overrides::default()))]);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.applying.as_deref(), Some("example.com"));
}

#[test]
fn n_cancels_and_sends_nothing() {
    let mut app = app(view_with(NONE, true), Some("192.0.2.53:53"));
    press(&mut app, 'a');
    assert!(press(&mut app, 'n').is_empty());
    assert_eq!((app.mode.clone(), app.notice.as_deref()), (Mode::Normal, Some("not published")));
}

#[test]
fn a_step_not_cleared_is_sent_only_as_force_would_and_says_so() {
    let mut app = app(view_with(NONE, false), Some("192.0.2.53:53"));
    press(&mut app, 'a');
    let shown = screen(&app);
    assert!(shown.contains("verdict: BLOCKED") && shown.contains("(as --force)"), "{shown}");
    let forced = Overrides { force: true, allow_loosen: false };
    assert_eq!(press(&mut app, 'y'), vec![Effect::Apply(request(forced))]);
}

#[test]
fn a_weakening_asks_twice() {
    let reject = "v=DMARC1; p=reject; rua=mailto:dmarc@example.com";
    let mut app = app(view_with(reject, true), Some("192.0.2.53:53"));
    press(&mut app, 'a');
    let shown = screen(&app);
    assert!(
        shown.contains("It WEAKENS what is live. Publish anyway? (as --allow-loosen)"),
        "{shown}"
    );
    assert!(press(&mut app, 'y').is_empty(), "the first y only asks again");
    assert!(screen(&app).contains("Really weaken what is live?"), "{}", screen(&app));
    let effects = press(&mut app, 'y');
    let [Effect::Apply(sent)] = effects.as_slice() else { panic!("{effects:?}") };
    assert!(sent.overrides.allow_loosen);
}

#[test]
fn progress_shows_in_the_status_line_and_keys_still_work_meanwhile() {
    let mut app = app(view_with(NONE, true), Some("192.0.2.53:53"));
    press(&mut app, 'a');
    press(&mut app, 'y');
    let line =
        "_dmarc.example.com: 1/2 servers serve it; waiting for ns2.example.com (192.0.2.2:53)";
    update(
        &mut app,
        Msg::ApplyProgress { domain: "example.com".to_owned(), line: line.to_owned() },
    );
    assert_eq!(app.notice.as_deref(), Some(line));
    assert!(screen(&app).contains("1/2 servers serve it"));
    press(&mut app, '?');
    assert_eq!(app.mode, Mode::Help, "the UI answers while the update runs");
    press(&mut app, 'q');
    press(&mut app, 'a');
    assert!(app.notice.as_deref().is_some_and(|n| n.contains("still publishing example.com")));
}

#[test]
fn a_recorded_publication_updates_the_dates_and_refreshes() {
    let mut app = app(view_with(NONE, true), Some("192.0.2.53:53"));
    press(&mut app, 'a');
    press(&mut app, 'y');
    let mut recorded = domain();
    recorded.history = vec![plan::HistoryEntry { phase: 2, published: today() }];
    let outcome = ApplyOutcome::Recorded(Box::new(recorded));
    let effects =
        update(&mut app, Msg::Applied { request: request(Overrides::default()), outcome });
    assert!(matches!(effects.as_slice(), [Effect::Refresh { .. }]));
    assert_eq!(app.domains[0].view.ladder[1].published, Some(today()));
    assert!(app.applying.is_none());
    assert!(
        app.notice.as_deref().is_some_and(|n| n.contains("served by every server and recorded"))
    );
}

#[test]
fn a_stopped_publication_says_why_in_the_status_line() {
    let mut app = app(view_with(NONE, true), Some("192.0.2.53:53"));
    press(&mut app, 'a');
    press(&mut app, 'y');
    let why = "_dmarc.example.com changed since it was read; nothing was written".to_owned();
    update(
        &mut app,
        Msg::Applied {
            request: request(Overrides::default()),
            outcome: ApplyOutcome::Stopped(why.clone()),
        },
    );
    assert_eq!(app.notice, Some(why));
    assert_eq!(app.domains[0].view.ladder[1].published, None);
}
