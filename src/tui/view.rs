//! Draws the [`App`] into a frame: one function per screen region. Every string from DNS or
//! the plan goes through [`escape`] here. Pure apart from writing into the frame's buffer.
//!
//! ```text
//! ┌ Domains 2 /filter ────────────────────────────────────────────────────────┐
//! │> example.com    quarantine · phase 2/3 · due in 5 days                     │
//! └────────────────────────────────────────────────────────────────────────────┘
//! ┌ example.com: ladder ───────────────────────────────────────────────────────┐
//! │ # phase   policy  pct / t  RFC 7489           RFC 9989       soak  state   │
//! │ 1 monitor none    - / -    none 100%          none 100%      14d   done    │
//! └ 1 2026-10-01 ▸ 2 2026-10-15 ▸ 3 due in 5 days ─────────────────────────────┘
//! ┌ Publish next ─────────────────────┐┌ Live · readiness · findings ──────────┐
//! │ host, TTL, phase                  ││ live record, TTL, server              │
//! │ the TXT value, wrapped            ││ readiness lines                       │
//! │ changes vs live                   ││ SPF tree: 3 lookups, t to expand      │
//! │                                   ││ findings with severity                │
//! └───────────────────────────────────┘└───────────────────────────────────────┘
//!  nameservers 127.0.0.1:5353 · refreshed 03:20:11 · 1 in flight       ? help
//! ```

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, List, ListItem, ListState, Paragraph, Row};
use ratatui::widgets::{Table, TableState, Wrap};

mod overlay;

use super::app::{App, Mode, Pane};
use super::model::{
    Advice, DomainView, Live, Position, StepState, Verdict, step_state, summary, timeline,
};
use crate::record::Severity;
use crate::record::Tag;
use crate::text::escape;

/// Every key, as the help overlay lists it.
pub const KEYS: [(&str, &str); 15] = [
    ("↑ ↓  j k", "move in the focused pane (mouse wheel too)"),
    ("Tab  Shift-Tab", "next / previous pane"),
    ("Enter", "details of a step or finding; the fix of a readiness check"),
    ("/", "filter domains as you type (Enter keeps, Esc clears)"),
    ("r", "refresh live DNS now"),
    ("c", "copy the next TXT value (OSC 52); in a fix, the fix"),
    ("p", "quit and print the next TXT value"),
    ("m", "mark the live phase published today in the plan (asks y/n)"),
    ("a", "send the step by dynamic update, wait, record (asks y/n)"),
    ("t", "expand / collapse the SPF lookup tree"),
    ("?", "this help"),
    ("Esc", "close overlay / clear filter / quit"),
    ("q", "quit"),
    ("Ctrl-C", "quit"),
    ("", "lookups never block: pending shows as pending"),
];

pub fn view(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let list_height = u16::try_from(app.visible().len().clamp(1, 5)).unwrap_or(5) + 2;
    let ladder_height =
        app.current().map_or(3, |d| u16::try_from(d.ladder.len()).unwrap_or(10).min(10) + 3);
    let [list, ladder, bottom, status] = Layout::vertical([
        Constraint::Length(list_height),
        Constraint::Length(ladder_height),
        Constraint::Min(6),
        Constraint::Length(1),
    ])
    .areas(area);
    domain_list(frame, app, list);
    if let Some(domain) = app.current() {
        ladder_table(frame, app, domain, ladder);
        let [next, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(bottom);
        publish_next(frame, app, domain, next);
        live_and_findings(frame, app, domain, right);
    }
    status_line(frame, app, status);
    match &app.mode {
        Mode::Help => overlay::help(frame, app),
        Mode::Detail => overlay::detail(frame, app),
        Mode::Fix => overlay::fix(frame, app),
        Mode::Confirm(request) => overlay::confirm(frame, app, request),
        Mode::ConfirmApply(ask) => overlay::confirm_apply(frame, app, ask),
        Mode::Normal | Mode::Filter => {}
    }
}

fn pane_block(app: &App, pane: Pane, title: String) -> Block<'static> {
    let block = Block::default().borders(Borders::ALL).title(title);
    if app.pane == pane { block.border_style(fg(app, Color::Cyan).bold()) } else { block }
}

fn fg(app: &App, color: Color) -> Style {
    if app.color { Style::new().fg(color) } else { Style::new() }
}

fn severity_style(app: &App, severity: Severity) -> Style {
    match severity {
        Severity::Info => fg(app, Color::Blue),
        Severity::Warning => fg(app, Color::Yellow).add_modifier(Modifier::BOLD),
        Severity::Error => fg(app, Color::Red).add_modifier(Modifier::BOLD),
    }
}

fn domain_list(frame: &mut Frame, app: &App, area: Rect) {
    let visible = app.visible();
    let filter = match (&app.mode, app.filter.is_empty()) {
        (Mode::Filter, _) => format!(" /{}▏", escape(&app.filter)),
        (_, false) => format!(" /{}", escape(&app.filter)),
        (_, true) => String::new(),
    };
    let title = format!("Domains {}/{}{filter}", visible.len(), app.domains.len());
    let width = visible
        .iter()
        .map(|&i| escape(&app.domains[i].view.name).chars().count())
        .max()
        .unwrap_or(0);
    let items: Vec<ListItem> = visible
        .iter()
        .map(|&i| {
            let d = &app.domains[i].view;
            let stale = if app.domains[i].generation < app.generation { " ⟳" } else { "" };
            ListItem::new(Line::from(vec![
                Span::styled(format!("{:width$}", escape(&d.name)), Style::new().bold()),
                Span::styled(format!("  {:7}", verdict_word(d)), verdict_style(app, d.verdict())),
                Span::styled(format!(" {}{stale}", escape(&summary(d))), domain_style(app, d)),
            ]))
        })
        .collect();
    let list = List::new(items)
        .block(pane_block(app, Pane::Domains, title))
        .highlight_symbol("> ")
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let mut state = ListState::default().with_selected(Some(app.selected));
    frame.render_stateful_widget(list, area, &mut state);
}

/// The decision in one word; `…` while the lookups are pending.
fn verdict_word(d: &DomainView) -> &'static str {
    d.verdict().map_or("…", Verdict::as_str)
}

fn verdict_style(app: &App, verdict: Option<Verdict>) -> Style {
    match verdict {
        Some(Verdict::Ready) => fg(app, Color::Green).bold(),
        Some(Verdict::Blocked | Verdict::Unknown) => fg(app, Color::Red).bold(),
        Some(Verdict::Hold) => fg(app, Color::Yellow).bold(),
        Some(Verdict::Done) | None => fg(app, Color::DarkGray),
    }
}

fn domain_style(app: &App, d: &DomainView) -> Style {
    match (&d.live, d.position()) {
        (Live::Failed { .. }, _) | (_, Position::Broken) => fg(app, Color::Red),
        (_, Position::Drift { .. }) => fg(app, Color::Yellow),
        (Live::Pending, _) => fg(app, Color::DarkGray),
        _ => Style::new(),
    }
}

fn ladder_table(frame: &mut Frame, app: &App, d: &DomainView, area: Rect) {
    let wide = area.width >= 110;
    let header: &[&str] = if wide {
        &["#", "phase", "policy", "pct / t", "RFC 7489", "RFC 9989", "soak", "state"]
    } else {
        &["#", "phase", "RFC 7489", "RFC 9989", "soak", "state"]
    };
    let rows = d.ladder.iter().enumerate().map(|(i, row)| {
        let state = step_state(d, i);
        let mut cells = vec![row.number.to_string(), escape(&row.name).into_owned()];
        if wide {
            cells.extend([escape(&row.policy).into_owned(), escape(&row.pct_t).into_owned()]);
        }
        cells.extend([
            escape(&row.rfc7489).into_owned(),
            escape(&row.rfc9989).into_owned(),
            format!("{}d", row.soak_days),
            state_text(state, row.published),
        ]);
        Row::new(cells.into_iter().map(Cell::from)).style(state_style(app, state))
    });
    let widths = ladder_widths(d, wide);
    let table = Table::new(rows, &widths)
        .header(Row::new(header.iter().copied()).style(Style::new().bold()))
        .block(
            pane_block(app, Pane::Ladder, format!("{}: ladder", escape(&d.name)))
                .title_bottom(timeline_line(d, area.width.saturating_sub(2))),
        )
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let selected = (app.pane == Pane::Ladder).then_some(app.ladder_row);
    frame.render_stateful_widget(table, area, &mut TableState::default().with_selected(selected));
}

/// The timeline on one row: each recorded step with its date, then the next with its due
/// date. The oldest steps give way (`…`) when the row is too narrow.
fn timeline_line(d: &DomainView, width: u16) -> Line<'static> {
    let steps: Vec<String> =
        timeline(d).iter().map(|(phase, when)| format!("{phase} {}", escape(when))).collect();
    let fits = |text: &str| text.chars().count() + 2 <= usize::from(width);
    let mut skip = 0;
    let mut text = steps.join(" ▸ ");
    while !fits(&text) && skip + 1 < steps.len() {
        skip += 1;
        text = format!("… ▸ {}", steps[skip..].join(" ▸ "));
    }
    Line::raw(format!(" {text} "))
}

/// The effect columns as wide as their longest text; the phase name takes what is left.
fn ladder_widths(d: &DomainView, wide: bool) -> Vec<Constraint> {
    let longest = |f: fn(&super::model::LadderRow) -> &str| {
        let len = d.ladder.iter().map(|r| escape(f(r)).chars().count()).max().unwrap_or(0);
        Constraint::Length(u16::try_from(len.max(8)).unwrap_or(u16::MAX))
    };
    let mut widths = vec![Constraint::Length(2), Constraint::Fill(1)];
    if wide {
        widths.extend([Constraint::Length(10), Constraint::Length(7)]);
    }
    widths.extend([
        longest(|r| &r.rfc7489),
        longest(|r| &r.rfc9989),
        Constraint::Length(4),
        Constraint::Length(15),
    ]);
    widths
}

fn state_text(state: StepState, published: Option<chrono::NaiveDate>) -> String {
    match (state, published) {
        (StepState::Done, Some(date)) => format!("done {date}"),
        (StepState::LiveNow, Some(date)) => format!("live {date}"),
        _ => state.label().to_owned(),
    }
}

fn state_style(app: &App, state: StepState) -> Style {
    match state {
        StepState::LiveNow => fg(app, Color::Green).add_modifier(Modifier::BOLD),
        StepState::Drifted => fg(app, Color::Yellow).add_modifier(Modifier::BOLD),
        StepState::Next => fg(app, Color::Cyan).add_modifier(Modifier::BOLD),
        StepState::Done => fg(app, Color::DarkGray),
        StepState::Later => Style::new(),
    }
}

fn publish_next(frame: &mut Frame, app: &App, d: &DomainView, area: Rect) {
    let block = |label: &str| Block::default().borders(Borders::ALL).title(label.to_owned());
    let (Some(advice), Some(next)) = (&d.advice, d.next()) else {
        let lines = match &d.advice {
            None => vec![Line::styled("looking up…", fg(app, Color::DarkGray))],
            Some(advice) => verdict_lines(app, advice, area.width),
        };
        let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
        return frame.render_widget(paragraph.block(block("Publish next")), area);
    };
    let label = if next.complete { "Keep published (last phase)" } else { "Publish next" };
    let mut lines = verdict_lines(app, advice, area.width);
    lines.extend([
        Line::from(vec![Span::raw("host  "), Span::styled(escape(&next.host), bold())]),
        Line::raw(format!(
            "TTL   {}   phase {} {}",
            next.ttl,
            next.phase,
            escape(&next.phase_name)
        )),
        Line::styled(escape(&next.value).into_owned(), fg(app, Color::Cyan).bold()),
    ]);
    lines.extend(d.due().map(Line::raw));
    if !d.changes.is_empty() {
        lines.push(Line::styled("changes vs live:", bold()));
    }
    let weakened = |tag: &Tag| advice.weakens.iter().any(|w| w.tag == tag.name());
    lines.extend(d.changes.iter().map(|(tag, from, to)| {
        let text = format!("  {tag}: {} → {}", escape(from), escape(to));
        if weakened(tag) {
            Line::styled(format!("{text}  WEAKER"), fg(app, Color::Red).bold())
        } else {
            Line::raw(text)
        }
    }));
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    frame.render_widget(paragraph.block(block(label)), area);
}

/// Reasons shown above the value; the readiness pane has every one of them in full.
const REASONS_SHOWN: usize = 3;

/// BLOCKED, HOLD or UNKNOWN with its reasons, one line each, above the value; nothing for a
/// clear step.
fn verdict_lines(app: &App, advice: &Advice, width: u16) -> Vec<Line<'static>> {
    let head = match advice.verdict {
        Verdict::Ready | Verdict::Done => return Vec::new(),
        Verdict::Unknown if advice.step.is_none() => "UNKNOWN, not safe to advise".to_owned(),
        verdict => verdict.as_str().to_uppercase(),
    };
    let room = usize::from(width.saturating_sub(4));
    let mut lines = vec![Line::styled(head, verdict_style(app, Some(advice.verdict)))];
    lines.extend(
        advice
            .why
            .iter()
            .take(REASONS_SHOWN)
            .map(|b| Line::raw(format!("  {}", one_line(&escape(&b.message), room)))),
    );
    if let Some(more) = advice.why.len().checked_sub(REASONS_SHOWN).filter(|n| *n > 0) {
        lines.push(Line::raw(format!("  … {more} more beside")));
    }
    lines
}

/// `text` cut to `room` characters, with `…` where it was cut.
fn one_line(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_owned();
    }
    let kept: String = text.chars().take(room.saturating_sub(1)).collect();
    format!("{kept}…")
}

fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

fn live_and_findings(frame: &mut Frame, app: &App, d: &DomainView, area: Rect) {
    let mut lines = live_lines(app, d);
    if let Position::Drift { phase, diff } = d.position() {
        let at =
            phase.map_or_else(|| "below phase 1".to_owned(), |p| format!("at phase {}", p + 1));
        lines.push(Line::styled(format!("drift, placed {at}:"), bold()));
        lines.extend(diff.iter().map(|t| {
            Line::styled(
                format!("  {}: live {} ≠ plan {}", t.tag, escape(&t.live), escape(&t.planned)),
                fg(app, Color::Yellow),
            )
        }));
    }
    // The pane's rows, as `finding_row` counts them: the readiness checks, then the findings.
    let marker =
        |row: usize| if app.pane == Pane::Findings && row == app.finding_row { "> " } else { "" };
    let first_check = lines.len();
    lines.extend(d.readiness.iter().enumerate().map(|(i, r)| {
        Line::from(vec![
            Span::raw(marker(i)),
            Span::styled(format!("{:7} ", r.severity.to_string()), severity_style(app, r.severity)),
            Span::styled(format!("{}: ", escape(&r.label)), bold()),
            Span::raw(escape(&r.text).into_owned()),
        ])
    }));
    lines.extend(spf_tree_lines(app, d));
    let first_finding = lines.len();
    let checks = d.readiness.len();
    lines.extend(d.findings.iter().enumerate().map(|(i, f)| {
        let marker = marker(checks + i);
        Line::from(vec![
            Span::raw(marker),
            Span::styled(format!("{:7} ", f.severity.to_string()), severity_style(app, f.severity)),
            Span::raw(format!("{} {}", f.id, escape(&f.message))),
        ])
    }));
    let selected = match app.finding_row.checked_sub(checks) {
        Some(finding) => first_finding + finding,
        None => first_check + app.finding_row,
    };
    let scroll = if app.pane == Pane::Findings { scroll_to(&lines, selected, area) } else { 0 };
    let block = pane_block(app, Pane::Findings, "Live · readiness · findings".to_owned());
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false }).block(block);
    frame.render_widget(paragraph.scroll((scroll, 0)), area);
}

/// The SPF lookup tree: one line until `t` opens it whole.
fn spf_tree_lines(app: &App, d: &DomainView) -> Vec<Line<'static>> {
    let Some(tree) = &d.spf_tree else { return Vec::new() };
    let label = Span::styled("SPF tree: ", bold());
    if !app.tree_open {
        let plural = if tree.lookups == 1 { "" } else { "s" };
        let summary = format!("{} lookup{plural}, t to expand", tree.lookups);
        return vec![Line::from(vec![label, Span::raw(summary)])];
    }
    let mut lines = vec![Line::from(vec![label, Span::raw("(t to collapse)")])];
    lines.extend(tree.lines.iter().map(|l| Line::raw(escape(l).into_owned())));
    lines
}

/// The scroll offset that brings line `target` into the bordered `area`, counting each line's
/// wrapped rows by its width (close enough: word wrapping may add a row now and then).
fn scroll_to(lines: &[Line], target: usize, area: Rect) -> u16 {
    let width = usize::from(area.width.saturating_sub(2)).max(1);
    let height = usize::from(area.height.saturating_sub(2));
    let rows = |line: &Line| line.width().div_ceil(width).max(1);
    let before: usize = lines.iter().take(target).map(rows).sum();
    let through = before + lines.get(target).map_or(1, rows);
    u16::try_from(through.saturating_sub(height)).unwrap_or(u16::MAX)
}

fn live_lines(app: &App, d: &DomainView) -> Vec<Line<'static>> {
    match &d.live {
        Live::Pending => vec![Line::styled("live: looking up…", fg(app, Color::DarkGray))],
        Live::Failed { state } => vec![Line::styled(
            format!("live: lookup failed ({}), state unknown", escape(state)),
            fg(app, Color::Red).bold(),
        )],
        Live::Missing { state } => {
            vec![Line::raw(format!("live: no DMARC record ({})", escape(state)))]
        }
        Live::Several { values } => {
            let head = format!("live: {} DMARC records, receivers apply none:", values.len());
            let mut lines = vec![Line::styled(head, fg(app, Color::Red).bold())];
            lines.extend(values.iter().map(|v| Line::raw(format!("  {}", escape(v)))));
            lines
        }
        Live::Found { value, ttl, server, source, inherited } => {
            let from = if *inherited { " (inherited)" } else { "" };
            vec![
                Line::raw(format!(
                    "live: TTL {} from {}",
                    crate::dns::ttl_text(*ttl),
                    escape(server)
                )),
                Line::raw(format!("at {}{from}", escape(source))),
                Line::styled(escape(value).into_owned(), bold()),
            ]
        }
    }
}

fn status_line(frame: &mut Frame, app: &App, area: Rect) {
    let refreshed = app.status.last_refresh.as_deref().unwrap_or("never");
    let mut text = format!(
        " {} · refreshed {} · {} in flight",
        escape(&app.status.target),
        escape(refreshed),
        app.in_flight()
    );
    // The notice comes first: it answers the last key, and a narrow line cuts from the right.
    if let Some(notice) = &app.notice {
        text = format!(" {} ·{text}", escape(notice));
    }
    let [left, right] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(18)]).areas(area);
    frame.render_widget(Paragraph::new(text).style(Style::new().reversed()), left);
    frame.render_widget(
        Paragraph::new("? help  q quit ").right_aligned().style(Style::new().reversed()),
        right,
    );
}
