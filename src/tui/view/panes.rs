//! The two panes under the ladder: what to publish next, and the live record with readiness
//! and findings. Both wrap their own lines ([`wrap`]) so they know their height: "Publish
//! next" drops what matters least until "changes vs live" fits; the findings pane scrolls to
//! the selected row, back to its top on the first. Pure apart from the frame's buffer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{App, Pane, bold, fg, pane_block, severity_style, verdict_style, wrap};
use crate::record::Tag;
use crate::text::{self, escape};
use crate::tui::model::{Advice, DomainView, Live, Position, Verdict};

/// Reasons shown above the value; the readiness pane has every one of them in full.
const REASONS_SHOWN: usize = 3;

/// The parts of "Publish next", in the order they are drawn.
struct Next {
    /// The cells of a row.
    room: usize,
    /// How many reasons the decision gives.
    why: usize,
    head: Vec<Line<'static>>,
    reasons: Vec<Line<'static>>,
    host: Vec<Line<'static>>,
    ttl: Vec<Line<'static>>,
    value: Vec<Line<'static>>,
    due: Vec<Line<'static>>,
    changes: Vec<Line<'static>>,
}

impl Next {
    fn rows(&self) -> usize {
        self.parts().iter().map(|p| p.len()).sum()
    }

    fn parts(&self) -> [&Vec<Line<'static>>; 7] {
        [&self.head, &self.reasons, &self.host, &self.ttl, &self.value, &self.due, &self.changes]
    }

    /// Drops whole parts, least needed first, until the rest fits `rows`: the reasons (the
    /// right-hand pane lists them all), the due date (the list and the timeline show it), the
    /// TTL line, the host. Then the value gives up its last rows (Enter on its ladder step
    /// shows it whole); the verdict and the changes vs live stay.
    fn fit(mut self, rows: usize) -> Vec<Line<'static>> {
        for drop in [Self::drop_reasons, Self::drop_due, Self::drop_ttl, Self::drop_host] {
            if self.rows() <= rows {
                break;
            }
            drop(&mut self);
        }
        let over = self.rows().saturating_sub(rows);
        if over > 0 && !self.value.is_empty() {
            let keep = self.value.len().saturating_sub(over + 1);
            self.value.truncate(keep);
            self.value.push(Line::raw("… (Enter on the step shows it whole)"));
        }
        self.parts().into_iter().flatten().cloned().collect()
    }

    /// The reasons give way to their count beside the verdict (`BLOCKED: 3 reasons (right
    /// pane)`), wrapped again.
    fn drop_reasons(&mut self) {
        let count = self.why;
        self.reasons.clear();
        if count == 0 || self.head.is_empty() {
            return;
        }
        let mut head =
            Line::from(self.head.iter().flat_map(|l| l.spans.clone()).collect::<Vec<_>>());
        head.spans
            .push(Span::raw(format!(": {} (right pane)", text::count(count as u64, "reason"))));
        self.head = wrap::wrap(&head, self.room);
    }

    fn drop_due(&mut self) {
        self.due.clear();
    }

    fn drop_ttl(&mut self) {
        self.ttl.clear();
    }

    fn drop_host(&mut self) {
        self.host.clear();
    }
}

pub(super) fn publish_next(frame: &mut Frame, app: &App, d: &DomainView, area: Rect) {
    let block = |label: &str| Block::default().borders(Borders::ALL).title(label.to_owned());
    let room = usize::from(area.width.saturating_sub(2));
    let rows = usize::from(area.height.saturating_sub(2));
    let (Some(advice), Some(next)) = (&d.advice, d.next()) else {
        let lines = match &d.advice {
            None => vec![Line::styled("looking up…", fg(app, Color::DarkGray))],
            Some(advice) => {
                let (head, reasons) = verdict_lines(app, advice);
                wrap::wrap_all(&[head, reasons].concat(), room)
            }
        };
        return frame.render_widget(Paragraph::new(lines).block(block("Publish next")), area);
    };
    let label = if next.complete { "Keep published (last phase)" } else { "Publish next" };
    let (head, reasons) = verdict_lines(app, advice);
    let host = Line::from(vec![
        Span::raw("host  "),
        Span::styled(escape(&next.host).into_owned(), bold()),
    ]);
    let ttl = format!("TTL   {}   phase {} {}", next.ttl, next.phase, escape(&next.phase_name));
    let value = Line::styled(escape(&next.value).into_owned(), fg(app, Color::Cyan).bold());
    let wrapped = |lines: &[Line<'static>]| wrap::wrap_all(lines, room);
    let parts = Next {
        room,
        why: advice.why.len(),
        head: wrapped(&head),
        reasons: reasons.iter().map(|r| one_row(r, room)).collect(),
        host: wrapped(&[host]),
        ttl: wrapped(&[Line::raw(ttl)]),
        value: wrapped(&[value]),
        due: wrapped(&d.due().map(Line::raw).into_iter().collect::<Vec<_>>()),
        changes: wrapped(&change_lines(app, d, advice)),
    };
    let paragraph = Paragraph::new(parts.fit(rows));
    frame.render_widget(paragraph.block(block(label)), area);
}

fn change_lines(app: &App, d: &DomainView, advice: &Advice) -> Vec<Line<'static>> {
    if d.changes.is_empty() {
        return Vec::new();
    }
    let weakened = |tag: &Tag| advice.weakens.iter().any(|w| w.tag == tag.name());
    let mut lines = vec![Line::styled("changes vs live:", bold())];
    lines.extend(d.changes.iter().map(|(tag, from, to)| {
        let text = format!("  {tag}: {} → {}", escape(from), escape(to));
        if weakened(tag) {
            Line::styled(format!("{text}  WEAKER"), fg(app, Color::Red).bold())
        } else {
            Line::raw(text)
        }
    }));
    lines
}

/// BLOCKED, HOLD or UNKNOWN, then its reasons, one line each; nothing for a clear step.
fn verdict_lines(app: &App, advice: &Advice) -> (Vec<Line<'static>>, Vec<Line<'static>>) {
    let head = match advice.verdict {
        Verdict::Ready | Verdict::Done => return (Vec::new(), Vec::new()),
        Verdict::Unknown if advice.step.is_none() => "UNKNOWN, not safe to advise".to_owned(),
        verdict => verdict.as_str().to_uppercase(),
    };
    let mut reasons: Vec<Line<'static>> = advice
        .why
        .iter()
        .take(REASONS_SHOWN)
        .map(|b| Line::raw(format!("  {}", escape(&b.message))))
        .collect();
    if let Some(more) = advice.why.len().checked_sub(REASONS_SHOWN).filter(|n| *n > 0) {
        reasons.push(Line::raw(format!("  … {more} more beside")));
    }
    (vec![Line::styled(head, verdict_style(app, Some(advice.verdict)))], reasons)
}

/// A reason on one row: cut at `room` cells with `…` (the right-hand pane has it whole).
fn one_row(line: &Line<'static>, room: usize) -> Line<'static> {
    let text = line.to_string();
    if wrap::width(&text) <= room {
        return line.clone();
    }
    let mut kept = String::new();
    for c in text.chars() {
        if wrap::width(&kept) + wrap::width(c.encode_utf8(&mut [0; 4])) + 1 > room {
            break;
        }
        kept.push(c);
    }
    Line::raw(format!("{kept}…"))
}

/// One selectable row of the findings pane (a readiness check or a finding) and the screen
/// rows it takes once wrapped.
struct Item {
    lines: Vec<Line<'static>>,
    selectable: bool,
}

pub(super) fn live_and_findings(frame: &mut Frame, app: &App, d: &DomainView, area: Rect) {
    let room = usize::from(area.width.saturating_sub(2));
    let height = usize::from(area.height.saturating_sub(2));
    let items = findings_items(app, d);
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut selected = None;
    let mut row = 0;
    for item in &items {
        let start = rows.len();
        rows.extend(wrap::wrap_all(&item.lines, room));
        if item.selectable {
            if row == app.finding_row {
                selected = Some(start..rows.len());
            }
            row += 1;
        }
    }
    let focused = app.pane == Pane::Findings;
    let scroll = selected.filter(|_| focused).map_or(0, |at| scroll_to(&at, height));
    let block = pane_block(app, Pane::Findings, "Live · readiness · findings".to_owned());
    let paragraph = Paragraph::new(rows).block(block);
    frame.render_widget(paragraph.scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)), area);
}

/// The first row to show so that `rows` is on screen: the top while it fits with the top
/// (so going back up always returns to the live record), else `rows` at the bottom, or at
/// the top when it is taller than the pane.
fn scroll_to(rows: &std::ops::Range<usize>, height: usize) -> usize {
    if rows.end <= height {
        0
    } else if rows.len() > height {
        rows.start
    } else {
        rows.end - height
    }
}

/// The pane's parts: the live record (and drift), then each readiness check (the SPF one with
/// its lookup tree beside it), then each finding of the live record.
fn findings_items(app: &App, d: &DomainView) -> Vec<Item> {
    let mut record = live_lines(app, d);
    if let Position::Drift { phase, diff } = d.position() {
        let at =
            phase.map_or_else(|| "below phase 1".to_owned(), |p| format!("at phase {}", p + 1));
        record.push(Line::styled(format!("drift, placed {at}:"), bold()));
        record.extend(diff.iter().map(|t| {
            Line::styled(
                format!("  {}: live {} ≠ plan {}", t.tag, escape(&t.live), escape(&t.planned)),
                fg(app, Color::Yellow),
            )
        }));
    }
    let marker = |row: usize| {
        if app.pane == Pane::Findings && row == app.finding_row { "> " } else { "" }
    };
    let mut items = vec![Item { lines: record, selectable: false }];
    let mut tree_placed = false;
    for (i, r) in d.readiness.iter().enumerate() {
        let mut line = Line::from(vec![
            Span::raw(marker(i)),
            Span::styled(format!("{:7} ", r.severity.to_string()), severity_style(app, r.severity)),
            Span::styled(format!("{}: ", escape(&r.label)), bold()),
            Span::raw(escape(&r.text).into_owned()),
        ]);
        let mut lines = Vec::new();
        if r.label == "SPF" && !tree_placed {
            tree_placed = true;
            let (hint, tree) = spf_tree(app, d);
            line.spans.extend(hint);
            lines.push(line);
            lines.extend(tree);
        } else {
            lines.push(line);
        }
        items.push(Item { lines, selectable: true });
    }
    if !tree_placed {
        let (hint, tree) = spf_tree(app, d);
        if !hint.is_empty() {
            let mut line = Line::from(vec![Span::styled("SPF tree", bold())]);
            line.spans.extend(hint);
            items.push(Item { lines: [vec![line], tree].concat(), selectable: false });
        }
    }
    let checks = d.readiness.len();
    items.extend(d.findings.iter().enumerate().map(|(i, f)| Item {
        lines: vec![Line::from(vec![
            Span::raw(marker(checks + i)),
            Span::styled(format!("{:7} ", f.severity.to_string()), severity_style(app, f.severity)),
            Span::raw(format!("{} {}", f.id, escape(&f.message))),
        ])],
        selectable: true,
    }));
    items
}

/// The SPF lookup tree: a hint to put beside the SPF line (its lookups, `t` to expand), and,
/// once `t` opened it, the tree's lines to put under it.
fn spf_tree(app: &App, d: &DomainView) -> (Vec<Span<'static>>, Vec<Line<'static>>) {
    let Some(tree) = &d.spf_tree else { return (Vec::new(), Vec::new()) };
    let dim = fg(app, Color::DarkGray);
    if !app.tree_open {
        let hint = format!(" · tree: {}, t to expand", text::count(tree.lookups, "lookup"));
        return (vec![Span::styled(hint, dim)], Vec::new());
    }
    let hint = vec![Span::styled(" · tree (t to collapse):", dim)];
    (hint, tree.lines.iter().map(|l| Line::raw(format!("  {}", escape(l)))).collect())
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
