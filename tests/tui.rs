//! The TUI without a terminal: `update` driven by message sequences, and whole screens
//! rendered into a `TestBackend` and snapshotted.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use dmarc_rollout::advice::{self, Advice, Inputs, LiveDmarc};
use dmarc_rollout::plan;
use dmarc_rollout::readiness::Readiness as SenderReadiness;
use dmarc_rollout::record::{Finding, Severity, Tag};
use dmarc_rollout::tui::{
    App, DomainView, Effect, Live, Mode, Msg, Pane, Position, Readiness, RecordOutcome,
    RecordRequest, RecordTo, SpfTree, StatusLine, StepState, initial_view, initial_views, model,
    update, view,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

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
t = "y"

[[domain]]
name = "example.com"

[[domain]]
name = "example.org"
  [domain.history]
  1 = 2026-11-01

[[domain]]
name = "mail.example.net"
  [domain.history]
  1 = 2026-10-01
  2 = 2026-10-20
"#;

fn plan_views() -> Vec<DomainView> {
    let plan = plan::load("test.toml", PLAN).expect("the test plan loads");
    plan.domains.iter().map(initial_view).collect()
}

#[test]
fn the_views_of_a_whole_plan_are_each_domains_own_view() {
    // Shared ladders with different dates, a domain's override and its own ladder, and the
    // shared ladder again after them.
    let text = format!(
        "{PLAN}\n[[domain]]\nname = \"own.example\"\n  [[domain.phase]]\n  name = \"only\"\n  \
         p = \"reject\"\n\n[[domain]]\nname = \"strict.example\"\nadkim = \"s\"\n\n\
         [[domain]]\nname = \"again.example\"\n  [domain.history]\n  3 = 2026-09-09\n"
    );
    let plan = plan::load("test.toml", &text).expect("the test plan loads");
    let one_by_one: Vec<DomainView> = plan.domains.iter().map(initial_view).collect();
    assert_eq!(initial_views(&plan.domains), one_by_one);
    assert_eq!(one_by_one.len(), 6);
}

fn status() -> StatusLine {
    StatusLine {
        target: "nameservers 127.0.0.1:5353".to_owned(),
        last_refresh: Some("03:20:11".to_owned()),
    }
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("a valid date")
}

fn app(views: Vec<DomainView>) -> App {
    let record_to = RecordTo { file: "plans/test.toml".to_owned(), today: today() };
    App::new(views, status(), false, record_to)
}

fn found(value: &str) -> Live {
    Live::Found {
        value: value.to_owned(),
        ttl: 300,
        server: "127.0.0.1:5353".to_owned(),
        source: "_dmarc.example.com".to_owned(),
        inherited: false,
    }
}

/// The decision for `domain` with `live` in DNS and its senders ready.
fn advised(domain: &plan::Domain, live: &LiveDmarc) -> Box<Advice> {
    let ready = SenderReadiness::default();
    let inputs = Inputs { domain, live, readiness: Some(&ready), reports: None, today: today() };
    Box::new(advice::decide(&inputs))
}

/// `domain`'s view with the record `value` live in DNS.
fn with_live(domain: &plan::Domain, value: &str) -> DomainView {
    let mut view = initial_view(domain);
    view.live = found(value);
    view.advice = Some(advised(domain, &LiveDmarc::One(value.to_owned())));
    view
}

/// `example.com` with phase `live` (0-based) published and the next step after it.
fn live_at(live: usize) -> DomainView {
    let plan = plan::load("test.toml", PLAN).expect("the test plan loads");
    let mut domain = plan.domains[0].clone();
    domain.history = (0..=live)
        .map(|i| plan::HistoryEntry {
            phase: i + 1,
            published: chrono::NaiveDate::from_ymd_opt(2026, 10, 1)
                .and_then(|d| d.checked_add_days(chrono::Days::new(14 * i as u64)))
                .expect("a valid date"),
        })
        .collect();
    let value = initial_view(&domain).ladder[live].value.to_string();
    with_live(&domain, &value)
}

fn next_value(view: &DomainView) -> String {
    view.next().expect("a step is advised").value.clone()
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn keys(app: &mut App, codes: &[KeyCode]) -> Vec<Effect> {
    codes.iter().flat_map(|&c| update(app, key(c))).collect()
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        update(app, key(KeyCode::Char(c)));
    }
}

fn screen(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("infallible");
    terminal.draw(|frame| view(frame, app)).expect("infallible");
    terminal
}

fn buffer_text(terminal: &Terminal<TestBackend>) -> String {
    terminal.backend().to_string()
}

// ---- update ----

#[test]
fn down_and_j_move_the_selection_and_stop_at_the_last_domain() {
    let mut app = app(plan_views());
    keys(&mut app, &[KeyCode::Down, KeyCode::Char('j'), KeyCode::Char('j')]);
    assert_eq!(app.selected, 2);
    keys(&mut app, &[KeyCode::Up, KeyCode::Char('k'), KeyCode::Char('k')]);
    assert_eq!(app.selected, 0);
}

#[test]
fn tab_cycles_the_panes_and_shift_tab_goes_back() {
    let mut app = app(plan_views());
    keys(&mut app, &[KeyCode::Tab]);
    assert_eq!(app.pane, Pane::Ladder);
    keys(&mut app, &[KeyCode::Tab, KeyCode::Tab]);
    assert_eq!(app.pane, Pane::Domains);
    keys(&mut app, &[KeyCode::BackTab]);
    assert_eq!(app.pane, Pane::Findings);
}

#[test]
fn the_arrow_keys_move_within_the_focused_ladder() {
    let mut app = app(plan_views());
    keys(&mut app, &[KeyCode::Tab, KeyCode::Down, KeyCode::Down, KeyCode::Down]);
    assert_eq!((app.selected, app.ladder_row), (0, 2));
}

#[test]
fn typing_after_slash_filters_the_domains_and_esc_clears_the_filter() {
    let mut app = app(plan_views());
    keys(&mut app, &[KeyCode::Char('/')]);
    typed(&mut app, "org");
    assert_eq!(app.mode, Mode::Filter);
    assert_eq!(app.visible(), vec![1]);
    assert_eq!(app.current().map(|d| d.name.as_str()), Some("example.org"));
    keys(&mut app, &[KeyCode::Esc]);
    assert_eq!((app.mode.clone(), app.filter.as_str(), app.visible().len()), (Mode::Normal, "", 3));
}

#[test]
fn q_types_into_the_filter_and_quits_once_enter_keeps_the_filter() {
    let mut app = app(plan_views());
    keys(&mut app, &[KeyCode::Char('/')]);
    typed(&mut app, "qnet");
    assert_eq!(app.filter, "qnet");
    keys(&mut app, &[KeyCode::Backspace; 4]);
    typed(&mut app, "net");
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.visible(), vec![2]);
    assert_eq!(keys(&mut app, &[KeyCode::Char('q')]), vec![Effect::Quit { print: None }]);
}

#[test]
fn esc_with_a_filter_clears_it_before_it_quits() {
    let mut app = app(plan_views());
    keys(&mut app, &[KeyCode::Char('/')]);
    typed(&mut app, "org");
    keys(&mut app, &[KeyCode::Enter]);
    assert!(keys(&mut app, &[KeyCode::Esc]).is_empty());
    assert_eq!(keys(&mut app, &[KeyCode::Esc]), vec![Effect::Quit { print: None }]);
}

#[test]
fn the_first_tick_starts_generation_one_and_r_starts_the_next() {
    let mut app = app(plan_views());
    assert_eq!(update(&mut app, Msg::Tick), vec![Effect::Refresh { generation: 1 }]);
    assert_eq!(app.in_flight(), 3);
    assert_eq!(keys(&mut app, &[KeyCode::Char('r')]), vec![Effect::Refresh { generation: 2 }]);
}

#[test]
fn answers_from_an_older_generation_are_dropped() {
    let mut app = app(plan_views());
    update(&mut app, Msg::Tick);
    update(&mut app, Msg::Tick);
    let stale = Msg::Loaded { generation: 1, index: 0, view: Box::new(live_at(1)) };
    update(&mut app, stale);
    assert_eq!(app.domains[0].view.live, Live::Pending);
    let fresh = Msg::Loaded { generation: 2, index: 0, view: Box::new(live_at(1)) };
    update(&mut app, fresh);
    assert_eq!(*app.domains[0].view.position(), Position::Live { phase: 1, differs: Vec::new() });
    assert_eq!(app.in_flight(), 2);
}

#[test]
fn the_refresh_time_is_kept_only_for_the_newest_generation() {
    let mut app = app(plan_views());
    update(&mut app, Msg::Tick);
    update(&mut app, Msg::RefreshStarted { generation: 0, at: "01:00:00".to_owned() });
    assert_eq!(app.status.last_refresh.as_deref(), Some("03:20:11"));
    update(&mut app, Msg::RefreshStarted { generation: 1, at: "04:00:00".to_owned() });
    assert_eq!(app.status.last_refresh.as_deref(), Some("04:00:00"));
}

#[test]
fn p_quits_printing_the_selected_domains_next_value() {
    let mut app = app(vec![live_at(0)]);
    let expected = next_value(&app.domains[0].view);
    assert_eq!(expected, "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com; pct=50");
    assert_eq!(keys(&mut app, &[KeyCode::Char('p')]), vec![Effect::Quit { print: Some(expected) }]);
}

#[test]
fn c_copies_the_next_value_and_says_so() {
    let mut app = app(vec![live_at(0)]);
    let effects = keys(&mut app, &[KeyCode::Char('c')]);
    assert_eq!(effects, vec![Effect::Copy(next_value(&app.domains[0].view))]);
    assert!(app.notice.is_some());
}

#[test]
fn question_mark_opens_help_and_esc_closes_it_without_quitting() {
    let mut app = app(plan_views());
    keys(&mut app, &[KeyCode::Char('?')]);
    assert_eq!(app.mode, Mode::Help);
    assert!(keys(&mut app, &[KeyCode::Char('r')]).is_empty(), "keys go to the overlay");
    assert!(keys(&mut app, &[KeyCode::Esc]).is_empty());
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn enter_on_a_ladder_step_opens_its_details() {
    let mut app = app(plan_views());
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!((app.pane, app.mode.clone()), (Pane::Ladder, Mode::Normal));
    keys(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.mode, Mode::Detail);
}

#[test]
fn ctrl_c_quits_from_any_mode() {
    let mut app = app(plan_views());
    keys(&mut app, &[KeyCode::Char('/')]);
    let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(update(&mut app, ctrl_c), vec![Effect::Quit { print: None }]);
}

#[test]
fn the_mouse_wheel_scrolls_the_focused_pane() {
    let mut app = app(plan_views());
    let wheel =
        |kind| Msg::Mouse(MouseEvent { kind, column: 0, row: 0, modifiers: KeyModifiers::NONE });
    update(&mut app, wheel(MouseEventKind::ScrollDown));
    update(&mut app, wheel(MouseEventKind::ScrollDown));
    update(&mut app, wheel(MouseEventKind::ScrollUp));
    assert_eq!(app.selected, 1);
}

// ---- recording a step (m) ----

fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// `example.com` with phase 1 recorded on 2026-10-01 and phase 2 live in DNS, not recorded.
fn phase_two_live_unrecorded() -> DomainView {
    let domain = domain_with(&[(1, date(2026, 10, 1))]);
    let value = initial_view(&domain).ladder[1].value.to_string();
    with_live(&domain, &value)
}

/// The plan's `example.com` with this history.
fn domain_with(history: &[(usize, chrono::NaiveDate)]) -> plan::Domain {
    let plan = plan::load("test.toml", PLAN).expect("the test plan loads");
    let mut domain = plan.domains[0].clone();
    domain.history =
        history.iter().map(|&(phase, published)| plan::HistoryEntry { phase, published }).collect();
    domain
}

fn phase_two_request() -> RecordRequest {
    RecordRequest { index: 0, domain: "example.com".to_owned(), phase: 2, on: today() }
}

#[test]
fn m_asks_to_record_the_live_phase_and_y_records_it() {
    let mut app = app(vec![phase_two_live_unrecorded()]);
    assert!(keys(&mut app, &[KeyCode::Char('m')]).is_empty());
    assert_eq!(app.mode, Mode::Confirm(phase_two_request()));
    assert!(keys(&mut app, &[KeyCode::Char('r')]).is_empty(), "keys go to the question");
    let effects = keys(&mut app, &[KeyCode::Char('y')]);
    assert_eq!(effects, vec![Effect::Record(phase_two_request())]);
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn n_and_esc_cancel_the_question_and_record_nothing() {
    for cancel in [KeyCode::Char('n'), KeyCode::Esc] {
        let mut app = app(vec![phase_two_live_unrecorded()]);
        let effects = keys(&mut app, &[KeyCode::Char('m'), cancel]);
        assert!(effects.is_empty(), "{cancel:?} records nothing");
        assert_eq!((app.mode.clone(), app.notice.as_deref()), (Mode::Normal, Some("not recorded")));
    }
}

#[test]
fn m_refuses_when_dns_shows_no_phase_of_the_plan() {
    let pending = plan_views().remove(0);
    for (view, why) in [
        (drift_view(), "is no phase of the plan"),
        (pending, "DNS has not shown the record of example.com"),
    ] {
        let mut app = app(vec![view]);
        assert!(keys(&mut app, &[KeyCode::Char('m')]).is_empty());
        assert_eq!(app.mode, Mode::Normal);
        let notice = app.notice.clone().unwrap_or_default();
        assert!(notice.starts_with("not recorded: ") && notice.contains(why), "{notice}");
    }
}

#[test]
fn a_written_step_updates_the_dates_at_once_and_refreshes() {
    let mut app = app(vec![phase_two_live_unrecorded()]);
    let domain = domain_with(&[(1, date(2026, 10, 1)), (2, today())]);
    let outcome = RecordOutcome::Written(Box::new(domain));
    let effects = update(&mut app, Msg::Recorded { request: phase_two_request(), outcome });
    assert_eq!(effects, vec![Effect::Refresh { generation: 1 }]);
    let view = &app.domains[0].view;
    assert_eq!(view.ladder[1].published, Some(today()));
    assert_eq!(view.due().as_deref(), Some("due in 14 days"));
    assert_eq!(app.notice.as_deref(), Some("example.com: recorded phase 2 on 2026-11-29"));
    let status = buffer_text(&screen(&app, 80, 24)).lines().last().unwrap_or_default().to_owned();
    assert!(status.starts_with("\" example.com: recorded phase 2 on 2026-11-29 · "), "{status}");
}

#[test]
fn lookups_begun_before_a_write_cannot_bring_the_old_history_back() {
    let mut app = app(vec![phase_two_live_unrecorded()]);
    update(&mut app, Msg::Tick);
    let domain = domain_with(&[(1, date(2026, 10, 1)), (2, today())]);
    let outcome = RecordOutcome::Written(Box::new(domain));
    update(&mut app, Msg::Recorded { request: phase_two_request(), outcome });
    let old = Msg::Loaded { generation: 1, index: 0, view: Box::new(phase_two_live_unrecorded()) };
    update(&mut app, old);
    assert_eq!(app.domains[0].view.ladder[1].published, Some(today()));
}

#[test]
fn a_plan_changed_on_disk_is_reported_and_nothing_changes() {
    let mut app = app(vec![phase_two_live_unrecorded()]);
    let before = app.domains[0].view.clone();
    let outcome = RecordOutcome::ChangedOnDisk;
    let effects = update(&mut app, Msg::Recorded { request: phase_two_request(), outcome });
    assert!(effects.is_empty());
    assert_eq!(app.domains[0].view, before);
    let notice = app.notice.clone().unwrap_or_default();
    assert!(notice.starts_with("not recorded: the plan changed on disk"), "{notice}");
}

#[test]
fn an_entry_already_recorded_is_said_so() {
    let mut app = app(vec![phase_two_live_unrecorded()]);
    let outcome = RecordOutcome::AlreadyRecorded;
    assert!(update(&mut app, Msg::Recorded { request: phase_two_request(), outcome }).is_empty());
    assert_eq!(
        app.notice.as_deref(),
        Some("example.com: phase 2 on 2026-11-29 was already recorded")
    );
}

#[test]
fn the_confirmation_names_phase_date_and_file() {
    let mut app = app(vec![phase_two_live_unrecorded()]);
    keys(&mut app, &[KeyCode::Char('m')]);
    let terminal = screen(&app, 80, 24);
    let text = buffer_text(&terminal);
    assert!(text.contains("Record phase 2 (quarantine half) of example.com"), "{text}");
    assert!(text.contains("as published on 2026-11-29"));
    assert!(text.contains("in plans/test.toml?"));
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn the_confirmation_warns_when_it_moves_a_recorded_date() {
    let question = |view: DomainView| {
        let mut app = app(vec![view]);
        keys(&mut app, &[KeyCode::Char('m')]);
        buffer_text(&screen(&app, 80, 24))
    };
    let moved = question(live_at(1));
    assert!(moved.contains("It is recorded on 2026-10-15 now; y moves it"), "{moved}");
    assert!(!question(phase_two_live_unrecorded()).contains("It is recorded on"));
}

// ---- SPF tree (t) ----

fn with_spf_tree() -> DomainView {
    let mut view = live_at(0);
    view.readiness = vec![Readiness {
        label: "SPF".to_owned(),
        severity: Severity::Info,
        text: "3/10 lookups, 0/2 void".to_owned(),
    }];
    view.spf_tree = Some(SpfTree {
        lookups: 3,
        lines: vec![
            "example.com (1 lookup)".to_owned(),
            "  include:spf.protection.outlook.com (1)".to_owned(),
            "  include:_spf.evil\u{1b}[2J.example (1)".to_owned(),
        ],
    });
    view
}

#[test]
fn t_opens_and_closes_the_spf_tree() {
    let mut app = app(vec![with_spf_tree()]);
    let collapsed = screen(&app, 80, 24);
    let wide = buffer_text(&screen(&app, 160, 45));
    let beside = "info    SPF: 3/10 lookups, 0/2 void · tree: 3 lookups, t to expand";
    assert!(wide.contains(beside), "the hint sits beside the SPF line: {wide}");
    assert!(!buffer_text(&collapsed).contains("outlook"));
    insta::assert_snapshot!("spf_tree_collapsed", collapsed.backend());
    keys(&mut app, &[KeyCode::Char('t')]);
    let expanded = screen(&app, 80, 24);
    let text = buffer_text(&expanded);
    assert!(text.contains("include:spf.protection.outlook.com"), "{text}");
    assert!(text.contains("_spf.evil\\027[2J.example"), "{text}");
    insta::assert_snapshot!("spf_tree_expanded", expanded.backend());
    keys(&mut app, &[KeyCode::Char('t')]);
    assert!(!app.tree_open);
}

// ---- model ----

#[test]
fn the_timeline_lists_recorded_steps_by_date_then_the_next_with_its_due_date() {
    let steps = model::timeline(&live_at(1));
    let expected = [(1, "2026-10-01"), (2, "2026-10-15"), (3, "due since 2026-10-29")];
    assert_eq!(steps, expected.map(|(p, w)| (p, w.to_owned())));
    let pending = model::timeline(&plan_views()[0]);
    assert!(pending.is_empty(), "nothing is next until the lookups land: {pending:?}");
    assert!(model::timeline(&live_at(2)).iter().all(|(_, when)| !when.contains("due")));
    let unrecorded = model::timeline(&phase_two_live_unrecorded());
    let expected = [(1, "2026-10-01"), (2, "live, not recorded"), (3, "next")];
    assert_eq!(unrecorded, expected.map(|(p, w)| (p, w.to_owned())));
}

#[test]
fn a_narrow_timeline_drops_the_oldest_steps_first() {
    let mut view = live_at(2);
    view.ladder[0].name = "m".into();
    let text = buffer_text(&screen(&app(vec![view]), 40, 24));
    assert!(text.contains("… ▸ 2 2026-10-15 ▸ 3 2026-10-29"), "{text}");
}

#[test]
fn rfc7489_honours_pct_and_rfc9989_honours_t() {
    let views = plan_views();
    let effects: Vec<(&str, &str)> =
        views[0].ladder.iter().map(|r| (&*r.rfc7489, &*r.rfc9989)).collect();
    assert_eq!(
        effects,
        [
            ("none", "none"),
            ("quarantine 50%, rest none", "quarantine 100%"),
            ("reject 100%", "quarantine 100%"),
        ]
    );
}

#[test]
fn step_states_follow_the_live_phase() {
    let view = live_at(1);
    let states: Vec<StepState> = (0..3).map(|i| model::step_state(&view, i)).collect();
    assert_eq!(states, [StepState::Done, StepState::LiveNow, StepState::Next]);
}

#[test]
fn before_the_lookups_land_the_history_counts_as_done_and_nothing_is_next() {
    let views = plan_views();
    let states: Vec<StepState> = (0..3).map(|i| model::step_state(&views[2], i)).collect();
    assert_eq!(states, [StepState::Done, StepState::Done, StepState::Later]);
}

// ---- screens ----

fn drift_view() -> DomainView {
    let domain = domain_with(&[(1, date(2026, 10, 1)), (2, date(2026, 10, 15))]);
    let mut view =
        with_live(&domain, "v=DMARC1; p=quarantine; pct=25; rua=mailto:dmarc@example.com");
    view.changes = vec![(Tag::Pct, "25".to_owned(), "50".to_owned())];
    view.findings = vec![Finding::warning("pct-ignored", 24..30, "RFC 9989 receivers ignore pct")];
    view
}

#[test]
fn each_phase_renders_at_80_by_24() {
    for phase in 0..3 {
        let app = app(vec![live_at(phase)]);
        insta::assert_snapshot!(format!("phase_{}", phase + 1), screen(&app, 80, 24).backend());
    }
}

#[test]
fn a_domain_not_started_renders_with_phase_one_next() {
    let mut view = plan_views().remove(0);
    view.live = Live::Missing { state: "NXDOMAIN".to_owned() };
    let domain = domain_with(&[]);
    view.advice = Some(advised(&domain, &LiveDmarc::Absent { rfc7489: None, rfc9989: None }));
    view.readiness = vec![Readiness {
        label: "SPF".to_owned(),
        severity: Severity::Error,
        text: "no SPF record for example.com".to_owned(),
    }];
    insta::assert_snapshot!(screen(&app(vec![view]), 80, 24).backend());
}

#[test]
fn drift_renders_as_a_tag_by_tag_diff() {
    insta::assert_snapshot!(screen(&app(vec![drift_view()]), 80, 24).backend());
}

#[test]
fn a_timeout_is_shown_as_a_failure_never_as_no_record() {
    let mut view = plan_views().remove(1);
    view.live = Live::Failed { state: "timeout".to_owned() };
    let terminal = screen(&app(vec![view]), 80, 24);
    let text = buffer_text(&terminal);
    assert!(text.contains("DNS timeout"));
    assert!(!text.contains("no record"));
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn hostile_text_from_dns_reaches_the_buffer_escaped() {
    let mut view = live_at(0);
    view.live = Live::Found {
        value: "v=DMARC1; p=none\u{1b}[2J\u{1b}]52;c;aGk=\u{7}".to_owned(),
        ttl: 300,
        server: "127.0.0.1:5353".to_owned(),
        source: "_dmarc.example.com\u{202E}moc".to_owned(),
        inherited: false,
    };
    view.findings = vec![Finding::error("syntax", 0..1, "bad byte \u{1b}[31m here")];
    view.name = "evil\u{1b}[5m.example".to_owned();
    view.ladder[1].name = "half\u{2066}way".into();
    view.readiness = vec![Readiness {
        label: "SPF".to_owned(),
        severity: Severity::Warning,
        text: "a\u{200B}b".to_owned(),
    }];
    let terminal = screen(&app(vec![view]), 100, 30);
    let text = buffer_text(&terminal);
    assert!(text.contains("evil\\027[5m.example"));
    assert!(text.contains("half\\226\\129\\166way"));
    assert!(text.contains("a\\226\\128\\139b"));
    assert!(text.contains("p=none\\027[2J\\027]52;c;aGk=\\007"), "{text}");
    assert!(text.contains("example.com\\226\\128\\174moc"));
    assert!(text.contains("bad byte \\027[31m here"));
    let raw = terminal
        .backend()
        .buffer()
        .content
        .iter()
        .map(ratatui::buffer::Cell::symbol)
        .collect::<String>();
    let forbidden = ['\u{1b}', '\u{202E}', '\u{7}', '\u{2066}', '\u{200B}'];
    assert!(!raw.contains(forbidden));
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn several_domains_filtered_as_you_type() {
    let mut views = plan_views();
    views[0] = live_at(1);
    views[1].live = Live::Failed { state: "SERVFAIL".to_owned() };
    let mut app = app(views);
    update(&mut app, Msg::Tick);
    update(&mut app, Msg::Loaded { generation: 1, index: 0, view: Box::new(live_at(1)) });
    insta::assert_snapshot!("several_domains_unfiltered", screen(&app, 80, 24).backend());
    keys(&mut app, &[KeyCode::Char('/')]);
    typed(&mut app, "exa");
    keys(&mut app, &[KeyCode::Down]);
    typed(&mut app, "mple.o");
    insta::assert_snapshot!("several_domains_filtered", screen(&app, 80, 24).backend());
}

#[test]
fn the_help_overlay_lists_every_key() {
    let mut app = app(vec![live_at(0)]);
    keys(&mut app, &[KeyCode::Char('?')]);
    let terminal = screen(&app, 80, 24);
    let text = buffer_text(&terminal);
    for (key, _) in dmarc_rollout::tui::KEYS {
        assert!(text.contains(key), "{key} missing from help");
    }
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn a_step_detail_overlay_shows_the_full_record() {
    let mut app = app(vec![live_at(0)]);
    keys(&mut app, &[KeyCode::Tab, KeyCode::Down, KeyCode::Enter]);
    insta::assert_snapshot!(screen(&app, 80, 24).backend());
}

#[test]
fn a_wide_terminal_shows_every_ladder_column() {
    insta::assert_snapshot!(screen(&app(vec![drift_view()]), 130, 30).backend());
}

#[test]
fn no_color_keeps_bold_and_reverse_but_drops_every_colour() {
    use ratatui::style::{Color, Modifier};
    let mut colored = app(vec![drift_view()]);
    colored.color = true;
    let plain = app(vec![drift_view()]);
    let cells = |app: &App| screen(app, 80, 24).backend().buffer().content.clone();
    let has_colour = |c: &ratatui::buffer::Cell| c.fg != Color::Reset || c.bg != Color::Reset;
    assert!(cells(&colored).iter().any(has_colour), "the test can fail");
    let plain = cells(&plain);
    assert!(!plain.iter().any(has_colour));
    assert!(plain.iter().any(|c| c.modifier.contains(Modifier::BOLD)));
    assert!(plain.iter().any(|c| c.modifier.contains(Modifier::REVERSED)));
}

#[test]
fn a_resize_changes_nothing_but_the_next_frame() {
    let mut app = app(plan_views());
    assert!(update(&mut app, Msg::Resize(100, 40)).is_empty());
    screen(&app, 100, 40);
}

#[test]
fn the_selected_finding_scrolls_into_view() {
    let mut view = drift_view();
    view.findings =
        (0..20).map(|i| Finding::info("example", 0..0, format!("finding number {i}"))).collect();
    let mut app = app(vec![view]);
    keys(&mut app, &[KeyCode::BackTab]);
    keys(&mut app, &[KeyCode::Down; 19]);
    let text = buffer_text(&screen(&app, 80, 24));
    assert!(text.contains("> info    example finding number 19"), "{text}");
}

#[test]
fn a_long_value_wraps_whole_in_the_publish_panel() {
    let mut view = live_at(0);
    view.advice.as_mut().and_then(|a| a.step.as_mut()).expect("a step").value =
        format!("v=DMARC1; p=quarantine; rua={}; pct=50", ["mailto:a@example.com"; 6].join(","));
    let terminal = screen(&app(vec![view]), 80, 24);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn tiny_terminals_do_not_panic() {
    let plain = app(plan_views());
    let mut asking = app(vec![phase_two_live_unrecorded()]);
    keys(&mut asking, &[KeyCode::Char('m')]);
    let mut tree = app(vec![with_spf_tree()]);
    keys(&mut tree, &[KeyCode::Char('t')]);
    for app in [&plain, &asking, &tree] {
        for (w, h) in [(1, 1), (20, 5), (40, 10), (80, 3)] {
            screen(app, w, h);
        }
    }
}

// ---- aggregate reports ----

#[test]
fn the_reports_rows_give_traffic_failing_sources_and_the_next_steps_what_if() {
    use dmarc_rollout::report::{Window, read_paths};
    use dmarc_rollout::rollout::next_step;
    use dmarc_rollout::tui::model::report_rows;

    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/plans/insight24.toml"))
            .expect("plan");
    let plan = plan::load("insight24.toml", &text).expect("valid");
    let domain = &plan.domains[0];
    let dir = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/reports/insight24"
    ));
    let corpus = read_paths(&[dir], &Window::default());
    let next = next_step(domain, Some(0));
    let rows = report_rows(domain, &next, corpus.domains.get("insight24.nl"));
    let lines: Vec<String> =
        rows.iter().map(|r| format!("{} {}: {}", r.severity, r.label, r.text)).collect();
    insta::assert_snapshot!(lines.join("\n"));
    let what_if = rows.iter().find(|r| r.label == "what-if").expect("what-if row");
    assert!(
        what_if.text.contains("RFC 7489 quarantines 50")
            && what_if.text.contains("RFC 9989 quarantines 100"),
        "{}",
        what_if.text
    );
    let none = report_rows(domain, &next, None);
    assert_eq!(none[0].severity, Severity::Warning);
}

// ---- the decision's verdict ----

/// `example.com` at phase 1 with a readiness error: phase 2 is blocked.
fn blocked_view() -> DomainView {
    let domain = domain_with(&[(1, date(2026, 10, 1))]);
    let value = initial_view(&domain).ladder[0].value.to_string();
    let mut not_ready = SenderReadiness::default();
    not_ready.dkim.findings =
        vec![Finding::error("dkim.selector_missing", 0..0, "s1 does not exist; publish it")];
    let live = LiveDmarc::One(value.clone());
    let inputs = Inputs {
        domain: &domain,
        live: &live,
        readiness: Some(&not_ready),
        reports: None,
        today: today(),
    };
    let mut view = initial_view(&domain);
    view.live = found(&value);
    view.advice = Some(Box::new(advice::decide(&inputs)));
    view
}

#[test]
fn p_and_c_refuse_a_blocked_step_until_the_same_key_comes_again() {
    let mut app = app(vec![blocked_view()]);
    let value = next_value(&app.domains[0].view);
    assert!(keys(&mut app, &[KeyCode::Char('p')]).is_empty(), "the first p refuses");
    let notice = app.notice.clone().unwrap_or_default();
    assert!(
        notice.starts_with("BLOCKED: press p again to print it anyway; s1 does not exist"),
        "{notice}"
    );
    assert!(
        keys(&mut app, &[KeyCode::Char('j'), KeyCode::Char('p')]).is_empty(),
        "another key disarms"
    );
    assert!(keys(&mut app, &[KeyCode::Char('c')]).is_empty(), "c asks on its own");
    assert_eq!(keys(&mut app, &[KeyCode::Char('c')]), vec![Effect::Copy(value.clone())]);
    keys(&mut app, &[KeyCode::Char('p')]);
    assert_eq!(keys(&mut app, &[KeyCode::Char('p')]), vec![Effect::Quit { print: Some(value) }]);
}

#[test]
fn an_unknown_domain_offers_nothing_to_print_or_copy() {
    let domain = domain_with(&[(1, date(2026, 10, 1))]);
    let mut view = initial_view(&domain);
    view.live = Live::Failed { state: "timeout".to_owned() };
    let why = "the _dmarc lookup ended with timeout".to_owned();
    view.advice = Some(advised(&domain, &LiveDmarc::Unknown { why }));
    let mut app = app(vec![view]);
    for key in ['p', 'p', 'c', 'c'] {
        assert!(keys(&mut app, &[KeyCode::Char(key)]).is_empty(), "{key}");
    }
    assert!(app.notice.clone().unwrap_or_default().contains("unknown, not safe to advise"));
    insta::assert_snapshot!(screen(&app, 80, 24).backend());
}

#[test]
fn a_blocked_step_shows_blocked_and_its_reasons_above_the_value() {
    insta::assert_snapshot!(screen(&app(vec![blocked_view()]), 80, 24).backend());
}
