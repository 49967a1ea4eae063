//! The overlays drawn over the screen: the key list, a step's or finding's details, and the
//! questions before a step is recorded or published. Pure apart from writing into the frame's
//! buffer.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Color;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::{KEYS, bold, fg, severity_style, wrap};
use crate::fix::render::action_lines;
use crate::record::Severity;
use crate::text::escape;
use crate::tui::app::{App, ApplyAsk, Pane, RecordRequest};
use crate::tui::model::{DomainView, Live, StepState, fixes_for, step_state};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(ratatui::layout::Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(ratatui::layout::Flex::Center)
        .areas(row);
    cell
}

pub(super) fn help(frame: &mut Frame, app: &App) {
    let lines: Vec<Line> = KEYS
        .iter()
        .map(|(key, what)| {
            Line::from(vec![Span::styled(format!("{key:15} "), bold()), Span::raw(*what)])
        })
        .collect();
    let area = centered(frame.area(), 76, u16::try_from(lines.len()).unwrap_or(20) + 2);
    let block =
        Block::default().borders(Borders::ALL).title("Keys").border_style(fg(app, Color::Cyan));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The question before `m` writes: what, when and where; and, when the phase already has a
/// different date, that the write moves it (and so the next step's due date).
pub(super) fn confirm(frame: &mut Frame, app: &App, r: &RecordRequest) {
    let step = r.phase.checked_sub(1);
    let row = app.domains.get(r.index).zip(step).and_then(|(e, i)| e.view.ladder.get(i));
    let phase = row.map_or_else(String::new, |row| format!(" ({})", escape(&row.name)));
    let mut lines = vec![
        Line::raw(format!("Record phase {}{phase} of {}", r.phase, escape(&r.domain))),
        Line::raw(format!("as published on {}", r.on)),
        Line::raw(format!("in {}?", escape(&app.record_to.file))),
    ];
    if let Some(old) = row.and_then(|row| row.published).filter(|&old| old != r.on) {
        lines.push(Line::styled(
            format!("It is recorded on {old} now; y moves it, and the due date."),
            fg(app, Color::Yellow).bold(),
        ));
    }
    lines.extend([
        Line::raw(""),
        Line::from(vec![
            Span::styled("y", bold()),
            Span::raw(" record   "),
            Span::styled("n", bold()),
            Span::raw(" / Esc cancel"),
        ]),
    ]);
    let height = u16::try_from(lines.len()).unwrap_or(8) + 2;
    let area = centered(frame.area(), 64, height);
    let block = Block::default()
        .borders(Borders::ALL)
        .title("Record in the plan?")
        .border_style(fg(app, Color::Yellow).bold());
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block), area);
}

/// The question before `a` sends an update: the record, where it goes, the verdict and what
/// stands in its way; a weakening asks a second time.
pub(super) fn confirm_apply(frame: &mut Frame, app: &App, ask: &ApplyAsk) {
    let r = &ask.request;
    let mut lines = vec![
        Line::raw(format!(
            "Publish phase {} of {} ({})",
            r.phase,
            escape(&r.domain),
            escape(&ask.host)
        )),
        Line::styled(escape(&r.value).into_owned(), bold()),
        Line::raw("then wait for every name server and record it in the plan."),
        Line::styled(
            format!("verdict: {}", ask.verdict.to_uppercase()),
            verdict_style(app, ask.verdict),
        ),
    ];
    // One line per reason, at most three: the status pane lists them all.
    lines.extend(ask.reasons.iter().take(3).map(|why| Line::raw(one_line(why, 66))));
    let overrides = match (ask.request.overrides.force, ask.weakens) {
        (true, true) => "as --force --allow-loosen",
        (false, true) => "as --allow-loosen",
        _ => "as --force",
    };
    let (question, yes) = if ask.weakens && ask.confirmed_once {
        ("Really weaken what is live? y once more sends it.".to_owned(), " publish   ")
    } else if ask.weakens {
        (format!("It WEAKENS what is live. Publish anyway? ({overrides})"), " go on   ")
    } else if ask.verdict == "ready" {
        ("Send the update?".to_owned(), " publish   ")
    } else {
        (format!("It is not cleared. Send it anyway? ({overrides})"), " publish anyway   ")
    };
    lines.extend([
        Line::raw(""),
        Line::styled(question, fg(app, Color::Yellow).bold()),
        Line::from(vec![
            Span::styled("y", bold()),
            Span::raw(yes),
            Span::styled("n", bold()),
            Span::raw(" / Esc cancel"),
        ]),
    ]);
    // Rows as wrapped inside the 70 columns within the border (the value may be long).
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(70).max(1)).sum();
    let area = centered(frame.area(), 72, u16::try_from(rows + 2).unwrap_or(u16::MAX));
    let block = Block::default()
        .borders(Borders::ALL)
        .title("Publish by dynamic update?")
        .border_style(fg(app, Color::Yellow).bold());
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block), area);
}

/// `text` cut to `width` characters, with `…` where it was cut.
fn one_line(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return format!("  {text}");
    }
    let cut: String = text.chars().take(width - 1).collect();
    format!("  {cut}…")
}

fn verdict_style(app: &App, verdict: &str) -> ratatui::style::Style {
    let color = if verdict == "ready" { Color::Green } else { Color::Red };
    fg(app, color).bold()
}

pub(super) fn detail(frame: &mut Frame, app: &App) {
    let Some(d) = app.current() else { return };
    let (title, lines) = match app.pane {
        Pane::Findings => finding_detail(app),
        Pane::Domains | Pane::Ladder => step_detail(d, app.ladder_row),
    };
    let area = centered(frame.area(), 72, 14);
    frame.render_widget(Clear, area);
    let block =
        Block::default().borders(Borders::ALL).title(title).border_style(fg(app, Color::Cyan));
    frame.render_widget(
        Paragraph::new(Text::from(lines)).wrap(Wrap { trim: false }).block(block),
        area,
    );
}

fn step_detail(d: &DomainView, row: usize) -> (String, Vec<Line<'static>>) {
    let Some(r) = d.ladder.get(row) else { return (String::new(), Vec::new()) };
    let published = r.published.map_or_else(|| "not recorded".to_owned(), |p| p.to_string());
    let mut lines = vec![
        Line::raw(format!("policy {}   pct / t {}", escape(&r.policy), escape(&r.pct_t))),
        Line::raw(format!("RFC 7489 receivers: {}", escape(&r.rfc7489))),
        Line::raw(format!("RFC 9989 receivers: {}", escape(&r.rfc9989))),
        Line::raw(format!("soak {} days   published {published}", r.soak_days)),
        Line::raw(format!("state: {}", step_state(d, row).label())),
    ];
    let current = matches!(step_state(d, row), StepState::LiveNow | StepState::Drifted);
    if let (true, Live::Found { ttl, server, .. }) = (current, &d.live) {
        let ttl = crate::dns::ttl_text(*ttl);
        lines.push(Line::raw(format!("live with TTL {ttl}, answered by {}", escape(server))));
    }
    lines.extend([Line::raw(""), Line::styled(escape(&r.value).into_owned(), bold())]);
    (format!("Phase {} {}", r.number, escape(&r.name)), lines)
}

fn finding_detail(app: &App) -> (String, Vec<Line<'static>>) {
    let Some(f) = app.selected_finding() else { return (String::new(), Vec::new()) };
    let lines = vec![
        Line::styled(f.severity.to_string(), severity_style(app, f.severity)),
        Line::raw(escape(&f.message).into_owned()),
        Line::raw(format!("at bytes {}..{} of the record", f.span.start, f.span.end)),
    ];
    (format!("Finding {}", f.id), lines)
}

/// The fix of the selected readiness check: each action with what it fixes and why, its
/// records and commands in bold; `c` copies them.
pub(super) fn fix(frame: &mut Frame, app: &App) {
    let (Some(d), Some(check)) = (app.current(), app.selected_check()) else { return };
    let actions = fixes_for(d, check);
    let mut lines: Vec<Line<'static>> = Vec::new();
    if actions.is_empty() {
        lines.push(Line::raw(escape(&check.text).into_owned()));
        lines.push(Line::raw(""));
        lines.push(Line::raw(match check.severity {
            Severity::Info => "Nothing to fix here.",
            _ => "No fix is written for this check; its message says what to do.",
        }));
    }
    for action in &actions {
        let text = action_lines(action);
        let (head, rest) =
            text.split_first().map_or((String::new(), &[][..]), |(h, r)| (h.clone(), r));
        lines.push(Line::styled(head, bold()));
        lines.extend(rest.iter().enumerate().map(|(i, line)| {
            // The first line after the heading is why; the rest are records and commands.
            if i == 0 {
                Line::raw(line.clone())
            } else {
                Line::styled(line.clone(), fg(app, Color::Green))
            }
        }));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("c", bold()),
        Span::raw(" copy   "),
        Span::styled("Esc", bold()),
        Span::raw(" close"),
    ]));
    // As tall as the wrapped lines need, within the screen.
    let inner = usize::from(frame.area().width.min(100).saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    let area = centered(frame.area(), 100, u16::try_from(rows + 2).unwrap_or(u16::MAX));
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!("Fix: {}", escape(&check.label)))
        .border_style(fg(app, Color::Cyan));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block), area);
}

/// The session's notices, newest at the bottom, each wrapped whole; `↑` goes back in time.
pub(super) fn log(frame: &mut Frame, app: &App) {
    let screen = frame.area();
    let room = usize::from(screen.width.min(100).saturating_sub(2));
    let height = usize::from(screen.height.saturating_sub(5));
    let shown = app.log.len().saturating_sub(app.log_back);
    let mut rows: Vec<Line<'static>> = app
        .log
        .iter()
        .take(shown)
        .flat_map(|notice| wrap::wrap(&Line::raw(format!("· {}", escape(notice))), room))
        .collect();
    if rows.is_empty() {
        rows.push(Line::raw("No messages yet."));
    }
    let rows = rows.split_off(rows.len().saturating_sub(height));
    let tall = u16::try_from(rows.len() + 3).unwrap_or(u16::MAX);
    let area = centered(screen, 100, tall);
    let hint = Line::from(vec![
        Span::styled("↑ ↓", bold()),
        Span::raw(" older / newer   "),
        Span::styled("Esc", bold()),
        Span::raw(" close"),
    ]);
    let title = format!("Messages ({} this session)", app.log.len());
    let block =
        Block::default().borders(Borders::ALL).title(title).border_style(fg(app, Color::Cyan));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new([rows, vec![hint]].concat()).block(block), area);
}
