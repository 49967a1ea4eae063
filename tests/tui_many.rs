//! The TUI with many domains and on screens of every size: the counts line `status` ends
//! with, each row's verdict and due state, sorting (`s`) and the verdict filter (`v`), a list
//! as tall as the screen allows, panes that drop what matters least instead of cutting, a
//! status bar that abbreviates by priority, and the message log (`l`).

use std::fmt::Write as _;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use dmarc_rollout::advice::{self, Inputs, LiveDmarc};
use dmarc_rollout::plan;
use dmarc_rollout::readiness::Readiness as SenderReadiness;
use dmarc_rollout::record::{Finding, Severity, Tag};
use dmarc_rollout::summary::{Mark, Order};
use dmarc_rollout::tui::{
    App, DomainView, Effect, Live, Mode, Msg, Pane, Readiness, RecordTo, SpfTree, StatusLine,
    initial_view, update, view,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const PHASES: &str = r#"
[defaults]
rua = ["mailto:dmarc@example.com"]

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
name = "quarantine all"
p = "quarantine"
pct = 100
soak_days = 14

[[phase]]
name = "reject"
p = "reject"
"#;

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("a valid date")
}

/// `count` domains `d00.example` …, phase 1 recorded on a different day each.
fn plan(count: usize) -> plan::Plan {
    let mut text = PHASES.to_owned();
    for i in 0..count {
        let day = i % 28 + 1;
        let _ = write!(
            text,
            "\n[[domain]]\nname = \"d{i:02}.example\"\nhistory = {{ 1 = 2026-11-{day:02} }}\n"
        );
    }
    plan::load("many.toml", &text).expect("the plan loads")
}

/// What each domain shows, by its number: every fifth is blocked (a DKIM key missing), every
/// seventh timed out, every third is still pending, the rest monitoring and ready.
fn views(plan: &plan::Plan) -> Vec<DomainView> {
    plan.domains
        .iter()
        .enumerate()
        .map(|(i, domain)| {
            let mut view = initial_view(domain);
            if i % 3 == 2 {
                return view;
            }
            let value = view.ladder[0].value.to_string();
            let mut readiness = SenderReadiness::default();
            if i % 5 == 4 {
                readiness.dkim.findings =
                    vec![Finding::error("dkim.selector_missing", 0..0, "s1 does not exist")];
            }
            let live = if i % 7 == 6 {
                view.live = Live::Failed { state: "timeout".to_owned() };
                LiveDmarc::Unknown { why: "the _dmarc lookup ended with timeout".to_owned() }
            } else {
                view.live = Live::Found {
                    value: value.clone(),
                    ttl: 300,
                    server: "127.0.0.1:5353".to_owned(),
                    source: format!("_dmarc.{}", domain.name),
                    inherited: false,
                };
                LiveDmarc::One(value)
            };
            let inputs = Inputs {
                domain,
                live: &live,
                readiness: Some(&readiness),
                reports: None,
                today: today(),
            };
            view.advice = Some(Box::new(advice::decide(&inputs)));
            view
        })
        .collect()
}

fn app_of(count: usize) -> App {
    let status = StatusLine {
        target: "zone file plans/a-rather-long-name-for-the-zone.zone".to_owned(),
        last_refresh: Some("03:20:11".to_owned()),
    };
    let record_to = RecordTo { file: "many.toml".to_owned(), today: today() };
    App::new(views(&plan(count)), status, false, record_to)
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn screen(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("infallible");
    terminal.draw(|frame| view(frame, app)).expect("infallible");
    terminal
}

fn rows(app: &App, width: u16, height: u16) -> Vec<String> {
    let terminal = screen(app, width, height);
    let buffer = terminal.backend().buffer();
    (0..height).map(|y| (0..width).map(|x| buffer[(x, y)].symbol()).collect::<String>()).collect()
}

fn names(app: &App) -> Vec<String> {
    app.visible().into_iter().map(|i| app.domains[i].view.name.clone()).collect()
}

// ---- the counts, the rows, sorting and filtering ----

#[test]
fn the_first_line_carries_the_counts_status_ends_with_and_pending_is_never_unknown() {
    let app = app_of(15);
    let counts = app.tally().to_string();
    assert_eq!(counts, "15 domains: 6 ready, 2 blocked, 2 unknown, 5 pending; 8 overdue");
    assert_eq!(rows(&app, 80, 24)[0].trim(), counts);
}

#[test]
fn each_row_shows_the_verdict_and_the_due_state() {
    let rows = rows(&app_of(15), 160, 45);
    let row = |name: &str| rows.iter().find(|r| r.contains(name)).cloned().unwrap_or_default();
    let blocked = row("d04.example");
    assert!(blocked.contains("blocked") && blocked.contains("due since 2026-11-19"), "{blocked}");
    assert!(
        row("d00.example").contains("ready") && row("d00.example").contains("due since 2026-11-15")
    );
    assert!(row("d02.example").contains("looking up…"), "pending shows as pending");
}

#[test]
fn s_sorts_by_name_due_date_and_verdict_and_the_selection_stays_on_its_domain() {
    let mut app = app_of(15);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    let chosen = app.current().map(|d| d.name.clone());
    key(&mut app, KeyCode::Char('s'));
    assert_eq!(app.order, Order::Name);
    key(&mut app, KeyCode::Char('s'));
    assert_eq!(app.order, Order::Due);
    assert_eq!(names(&app)[0], "d00.example", "the most overdue first");
    key(&mut app, KeyCode::Char('s'));
    assert_eq!(app.order, Order::Verdict);
    let first = names(&app)[0].clone();
    let verdict = app.domains.iter().find(|e| e.view.name == first).and_then(|e| e.view.verdict());
    assert_eq!(verdict.map(dmarc_rollout::advice::Verdict::as_str), Some("blocked"));
    assert_eq!(app.current().map(|d| d.name.clone()), chosen);
    assert!(rows(&app, 80, 24)[1].contains("Domains 15/15 · by verdict"));
    key(&mut app, KeyCode::Char('s'));
    assert_eq!(app.order, Order::Plan);
}

#[test]
fn v_keeps_only_one_verdict_at_a_time_and_then_every_domain_again() {
    let mut app = app_of(15);
    let mut seen = Vec::new();
    for _ in 0..Mark::ALL.len() {
        key(&mut app, KeyCode::Char('v'));
        seen.push((app.only, app.visible().len()));
    }
    let counts: Vec<(Option<Mark>, usize)> =
        Mark::ALL.iter().map(|&m| (Some(m), app.tally().count(m))).collect();
    assert_eq!(seen, counts, "each filter shows exactly the domains its count counts");
    key(&mut app, KeyCode::Char('v'));
    assert_eq!((app.only, app.visible().len()), (None, 15));
}

#[test]
fn the_verdict_filter_and_the_text_filter_combine_and_the_selection_follows() {
    let mut app = app_of(15);
    key(&mut app, KeyCode::Char('v'));
    key(&mut app, KeyCode::Char('v'));
    key(&mut app, KeyCode::Char('v'));
    assert_eq!(app.only, Some(Mark::Blocked));
    assert_eq!(names(&app), ["d04.example", "d09.example"], "d14.example is still pending");
    assert_eq!(app.current().map(|d| d.name.as_str()), Some("d04.example"));
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Char('9'));
    assert_eq!(names(&app), ["d09.example"]);
    assert_eq!(app.current().map(|d| d.name.as_str()), Some("d09.example"));
    assert!(rows(&app, 80, 24)[1].contains("Domains 1/15 · only blocked /9"));
}

#[test]
fn a_domain_whose_answer_lands_keeps_its_selection_when_the_order_changes() {
    let mut app = app_of(6);
    for _ in 0..3 {
        key(&mut app, KeyCode::Char('s'));
    }
    key(&mut app, KeyCode::End);
    assert_eq!(app.current().map(|d| d.name.as_str()), Some("d05.example"), "pending sorts last");
    update(&mut app, Msg::Tick);
    let plan = plan(6);
    let mut landed = initial_view(&plan.domains[5]);
    let live = LiveDmarc::One(landed.ladder[0].value.to_string());
    let ready = SenderReadiness::default();
    let inputs = Inputs {
        domain: &plan.domains[5],
        live: &live,
        readiness: Some(&ready),
        reports: None,
        today: today(),
    };
    landed.advice = Some(Box::new(advice::decide(&inputs)));
    update(&mut app, Msg::Loaded { generation: 1, index: 5, view: Box::new(landed) });
    assert_ne!(names(&app).last().map(String::as_str), Some("d05.example"), "it moved up");
    assert_eq!(app.current().map(|d| d.name.as_str()), Some("d05.example"), "and stays selected");
}

// ---- the screen's room ----

#[test]
fn the_domain_list_takes_the_height_the_terminal_gives_it() {
    let app = app_of(40);
    let listed = |width, height| {
        let rows = rows(&app, width, height);
        rows.iter().filter(|r| r.starts_with("│> d") || r.starts_with("│  d")).count()
    };
    assert_eq!(listed(80, 24), 3, "at 80x24 the panes below keep their ten rows");
    assert_eq!(listed(160, 45), 16, "at 160x45 half of what the ladder leaves");
    assert_eq!(listed(160, 80), 33);
    assert_eq!(listed(160, 12), 1, "one row at the least");
}

#[test]
fn many_domains_at_80_by_24() {
    insta::assert_snapshot!(screen(&app_of(15), 80, 24).backend());
}

#[test]
fn many_domains_at_160_by_45() {
    insta::assert_snapshot!(screen(&app_of(15), 160, 45).backend());
}

#[test]
fn the_list_scrolls_to_the_selected_domain_of_many() {
    let mut app = app_of(200);
    key(&mut app, KeyCode::End);
    let screen = rows(&app, 80, 24).join("\n");
    assert!(screen.contains("> d199.example"), "{screen}");
    key(&mut app, KeyCode::Home);
    assert!(rows(&app, 80, 24).join("\n").contains("> d00.example"));
}

#[test]
fn at_80_columns_the_ladder_drops_whole_columns_and_never_cuts_a_phase_name() {
    let app = app_of(1);
    let narrow = rows(&app, 80, 24).join("\n");
    assert!(narrow.contains("quarantine half") && narrow.contains("quarantine all"), "{narrow}");
    assert!(!narrow.contains("soak"), "the soak gives way first: {narrow}");
    let wide = rows(&app, 160, 45).join("\n");
    assert!(wide.contains("pct / t") && wide.contains("soak"), "{wide}");
}

#[test]
fn the_status_bar_drops_whole_parts_by_priority_never_cutting_one() {
    let mut app = app_of(3);
    update(&mut app, Msg::Tick);
    let bar = |app: &App, width| rows(app, width, 24)[23].clone();
    let wide = bar(&app, 160);
    assert!(
        wide.contains("a-rather-long-name-for-the-zone.zone · 3 in flight · refreshed 03:20:11"),
        "{wide}"
    );
    let narrow = bar(&app, 80);
    assert!(narrow.starts_with(" 3 in flight · refreshed 03:20:11 "), "{narrow}");
    assert!(narrow.ends_with("? help  q quit ") && !narrow.contains("zone"), "{narrow}");
    let tiny = bar(&app, 40);
    assert!(tiny.trim_start().starts_with("3 in flight") && tiny.contains("? help"), "{tiny}");
}

// ---- publish next never loses the changes vs live ----

#[test]
fn publish_next_drops_the_least_needed_parts_before_it_cuts_changes_vs_live() {
    let mut app = app_of(15);
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('j'));
    let d = &mut app.domains[4].view;
    assert_eq!(d.name, "d04.example");
    d.changes = [Tag::P, Tag::Pct, Tag::Sp]
        .into_iter()
        .map(|t| (t, "none".to_owned(), "quarantine".to_owned()))
        .collect();
    let advice = d.advice.as_mut().expect("decided");
    advice.why.extend(advice.why.clone());
    advice.why.extend(advice.why.clone());
    let screen = rows(&app, 80, 24).join("\n");
    assert!(screen.contains("changes vs live:"), "{screen}");
    assert!(screen.contains("  sp: none → quarantine"), "the last change shows: {screen}");
    assert!(screen.contains("BLOCKED: 4 reasons (right pane)"), "{screen}");
    insta::assert_snapshot!(screen);
}

// ---- the readiness pane scrolls both ways ----

fn with_long_findings(app: &mut App) {
    let d = &mut app.domains[0].view;
    d.readiness = vec![Readiness {
        label: "SPF".to_owned(),
        severity: Severity::Info,
        text: "3/10 lookups, 0/2 void".to_owned(),
    }];
    d.spf_tree = Some(SpfTree { lookups: 3, lines: vec!["d00.example (1 lookup)".to_owned()] });
    d.findings =
        (0..20).map(|i| Finding::info("example", 0..0, format!("finding number {i}"))).collect();
}

#[test]
fn k_after_j_in_the_readiness_pane_returns_to_the_live_record() {
    let mut app = app_of(1);
    with_long_findings(&mut app);
    key(&mut app, KeyCode::BackTab);
    assert_eq!(app.pane, Pane::Findings);
    let top = rows(&app, 80, 24).join("\n");
    assert!(top.contains("live: TTL 300"), "{top}");
    for _ in 0..15 {
        key(&mut app, KeyCode::Char('j'));
    }
    let down = rows(&app, 80, 24).join("\n");
    assert!(down.contains("> info    example finding number 14"), "{down}");
    assert!(!down.contains("live: TTL 300"), "scrolled down past it: {down}");
    for _ in 0..15 {
        key(&mut app, KeyCode::Char('k'));
    }
    let back = rows(&app, 80, 24).join("\n");
    assert!(back.contains("live: TTL 300") && back.contains("> info    SPF:"), "{back}");
}

// ---- messages ----

#[test]
fn a_long_notice_keeps_whole_words_and_the_log_keeps_it_whole() {
    let mut app = app_of(3);
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('p'));
    let notice = app.notice.clone().expect("p says why it waits");
    assert!(notice.starts_with("still looking up"), "{notice}");
    app.say("not recorded: the plan changed on disk since it was read (restart to reload), and this sentence is longer than any status bar".to_owned());
    let bar = rows(&app, 80, 24)[23].clone();
    let cut = " not recorded: the plan changed on disk since it was … l: log ";
    assert!(bar.starts_with(cut), "the last whole word, then the log: {bar}");
    key(&mut app, KeyCode::Char('l'));
    assert_eq!(app.mode, Mode::Log);
    let log = rows(&app, 80, 24).join("\n");
    assert!(log.contains("· still looking up; nothing to publish yet"), "{log}");
    assert!(log.contains("longer than any status bar"), "{log}");
    insta::assert_snapshot!(screen(&app, 80, 24).backend());
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn the_log_keeps_the_newest_notices_and_scrolls_back() {
    let mut app = app_of(1);
    for i in 0..600 {
        app.say(format!("notice {i}"));
    }
    assert_eq!(app.log.len(), dmarc_rollout::tui::LOG_KEPT);
    assert_eq!(app.log.front().map(String::as_str), Some("notice 100"));
    key(&mut app, KeyCode::Char('l'));
    assert!(rows(&app, 80, 24).join("\n").contains("· notice 599"));
    for _ in 0..10 {
        key(&mut app, KeyCode::Char('k'));
    }
    let back = rows(&app, 80, 24).join("\n");
    assert!(back.contains("· notice 589") && !back.contains("· notice 590"), "{back}");
}
