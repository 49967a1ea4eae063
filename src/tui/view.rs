//! Draws the [`App`] into a frame: one function per screen region. Every string from DNS or
//! the plan goes through [`escape`] here. Where a region is short of room it drops what
//! matters least, whole, rather than cutting text at the edge. Pure apart from writing into
//! the frame's buffer.
//!
//! ```text
//!  3 domains: 1 ready, 1 blocked, 1 pending; 1 overdue            (the counts `status` ends with)
//! ┌Domains 3/3 · by due ──────────────────────────────────────────────────────┐
//! │> example.com   ready    due in 5 days   quarantine · phase 2/3            │
//! │  example.org   blocked  due since 2026-11-20  none · phase 1/3            │
//! └────────────────────────────────────────────── s sort  v verdict  / filter ┘
//! ┌ example.com: ladder ───────────────────────────────────────────────────────┐
//! │ # phase   policy  pct / t  RFC 7489           RFC 9989       soak  state   │
//! │ 1 monitor none    - / -    none 100%          none 100%      14d   done    │
//! └ 1 2026-10-01 ▸ 2 2026-10-15 ▸ 3 due in 5 days ─────────────────────────────┘
//! ┌ Publish next ─────────────────────┐┌ Live · readiness · findings ──────────┐
//! │ verdict and reasons               ││ live record, TTL, server              │
//! │ host, TTL, phase                  ││ readiness lines                       │
//! │ the TXT value, wrapped            ││   (the SPF line with its lookup tree) │
//! │ changes vs live                   ││ findings with severity                │
//! └───────────────────────────────────┘└───────────────────────────────────────┘
//!  nameservers 127.0.0.1:5353 · refreshed 03:20:11 · 1 in flight       ? help
//! ```

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph};

mod ladder;
mod overlay;
mod panes;
mod status;
mod wrap;

use super::app::{App, Mode, Pane};
use super::model::{DomainView, Live, Position, Verdict, summary};
use crate::record::Severity;
use crate::summary::{self, Mark, Order};
use crate::text::escape;

/// Every key, as the help overlay lists it.
pub const KEYS: [(&str, &str); 19] = [
    ("↑ ↓  j k", "move in the focused pane (mouse wheel too)"),
    ("Home  End", "first / last domain of the list"),
    ("Tab  Shift-Tab", "next / previous pane"),
    ("Enter", "details of a step or finding; the fix of a readiness check"),
    ("/", "filter domains as you type (Enter keeps, Esc clears)"),
    ("v", "only one verdict or mark (done, … overdue), then all"),
    ("s", "sort the domains: plan order, name, due date, verdict"),
    ("r", "refresh live DNS now"),
    ("c", "copy the next TXT value (OSC 52); in a fix, the fix"),
    ("p", "quit and print the next TXT value"),
    ("m", "mark the live phase published today in the plan (asks y/n)"),
    ("a", "send the step by dynamic update, wait, record (asks y/n)"),
    ("t", "expand / collapse the SPF lookup tree"),
    ("l", "the session's messages (↑ ↓ scroll)"),
    ("?", "this help"),
    ("Esc", "close overlay / clear filter / quit"),
    ("q", "quit"),
    ("Ctrl-C", "quit"),
    ("", "lookups never block: pending shows as pending"),
];

pub fn view(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let visible = app.visible();
    let header = header_lines(app, area.width);
    let ladder_height =
        app.current().map_or(3, |d| u16::try_from(d.ladder.len()).unwrap_or(10).min(10) + 3);
    let header_height = u16::try_from(header.len()).unwrap_or(1);
    let rest = area.height.saturating_sub(header_height + ladder_height + 1);
    let [head, list, ladder, bottom, status] = Layout::vertical([
        Constraint::Length(header_height),
        Constraint::Length(list_height(visible.len(), rest)),
        Constraint::Length(ladder_height),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(header), head);
    domain_list(frame, app, &visible, list);
    if let Some(domain) = app.current() {
        ladder::table(frame, app, domain, ladder);
        let [next, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(bottom);
        panes::publish_next(frame, app, domain, next);
        panes::live_and_findings(frame, app, domain, right);
    }
    status::line(frame, app, status);
    match &app.mode {
        Mode::Help => overlay::help(frame, app),
        Mode::Detail => overlay::detail(frame, app),
        Mode::Fix => overlay::fix(frame, app),
        Mode::Log => overlay::log(frame, app),
        Mode::Confirm(request) => overlay::confirm(frame, app, request),
        Mode::ConfirmApply(ask) => overlay::confirm_apply(frame, app, ask),
        Mode::Normal | Mode::Filter => {}
    }
}

/// Rows the bottom panes keep at least, borders included, before the list may grow.
const BOTTOM_KEEPS: u16 = 10;

/// The domain list as tall as its domains need, up to half of the `rest` of the screen (what
/// the counts, the ladder and the status line leave) while the panes below keep
/// [`BOTTOM_KEEPS`] rows; at least one domain's row.
fn list_height(domains: usize, rest: u16) -> u16 {
    let room = (rest / 2).min(rest.saturating_sub(BOTTOM_KEEPS)).max(3);
    u16::try_from(domains.max(1)).unwrap_or(u16::MAX).saturating_add(2).min(room)
}

/// The counts line, the same words `status` ends with, wrapped rather than cut.
fn header_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let counts = Line::styled(format!(" {}", app.tally()), bold());
    wrap::wrap(&counts, usize::from(width))
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

fn domain_list(frame: &mut Frame, app: &App, visible: &[usize], area: Rect) {
    let rows = usize::from(area.height.saturating_sub(2)).max(1);
    let selected = app.selected_index();
    let at = visible.iter().position(|&i| Some(i) == selected);
    // Only the rows on screen are built: a plan may hold thousands of domains.
    let offset = at.map_or(0, |at| (at + 1).saturating_sub(rows));
    let window = &visible[offset.min(visible.len())..(offset + rows).min(visible.len())];
    let name_width = name_column(app, usize::from(area.width));
    let due: Vec<String> =
        window.iter().map(|&i| app.domains[i].view.due().unwrap_or_default()).collect();
    let due_width = due.iter().map(|d| d.chars().count()).max().unwrap_or(0);
    let items: Vec<ListItem> = window
        .iter()
        .zip(&due)
        .map(|(&i, due)| {
            let d = &app.domains[i].view;
            let stale = if app.domains[i].generation < app.generation { " ⟳" } else { "" };
            ListItem::new(Line::from(vec![
                Span::styled(fit(&escape(&d.name), name_width), Style::new().bold()),
                Span::styled(format!("  {:7}", verdict_word(d)), verdict_style(app, d.verdict())),
                Span::styled(format!("  {due:due_width$}"), due_style(app, d)),
                Span::styled(format!("  {}{stale}", escape(&summary(d))), domain_style(app, d)),
            ]))
        })
        .collect();
    let block = pane_block(app, Pane::Domains, list_title(app, visible.len()))
        .title_bottom(Line::raw(" s sort  v verdict  / filter ").right_aligned());
    let list = List::new(items)
        .block(block)
        .highlight_symbol("> ")
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let mut state = ListState::default().with_selected(at.map(|at| at - offset));
    frame.render_stateful_widget(list, area, &mut state);
}

/// `Domains 3/15 · by due · only blocked /exa`: what the list shows of the plan, and how.
fn list_title(app: &App, shown: usize) -> String {
    let mut parts = vec![format!("Domains {shown}/{}", app.domains.len())];
    if app.order != Order::Plan {
        parts.push(format!("· by {}", app.order.word()));
    }
    if let Some(mark) = app.only {
        parts.push(format!("· only {mark}"));
    }
    match (&app.mode, app.filter.is_empty()) {
        (Mode::Filter, _) => parts.push(format!("/{}▏", escape(&app.filter))),
        (_, false) => parts.push(format!("/{}", escape(&app.filter))),
        (_, true) => {}
    }
    parts.join(" ")
}

/// The name column: as wide as the longest name, but at most a third of the row.
fn name_column(app: &App, width: usize) -> usize {
    let longest = app.longest_name.get_or_init(|| {
        app.domains.iter().map(|e| wrap::width(&escape(&e.view.name))).max().unwrap_or(0)
    });
    (*longest).min((width / 3).max(12))
}

/// `text` padded to `width` cells, or cut to them with `…` where it was cut.
fn fit(text: &str, width: usize) -> String {
    let used = wrap::width(text);
    if used <= width {
        return format!("{text}{}", " ".repeat(width - used));
    }
    let kept: String = text.chars().take(width.saturating_sub(1)).collect();
    format!("{kept}…")
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

/// Overdue stands out; the rest of the due column is plain.
fn due_style(app: &App, d: &DomainView) -> Style {
    let overdue = d.advice.as_ref().is_some_and(|a| summary::marks(a).contains(&Mark::Overdue));
    if overdue { fg(app, Color::Yellow).bold() } else { Style::new() }
}

fn domain_style(app: &App, d: &DomainView) -> Style {
    match (&d.live, d.position()) {
        (Live::Failed { .. }, _) | (_, Position::Broken) => fg(app, Color::Red),
        (_, Position::Drift { .. }) => fg(app, Color::Yellow),
        (Live::Pending, _) => fg(app, Color::DarkGray),
        _ => Style::new(),
    }
}

fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
