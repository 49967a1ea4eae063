//! The ladder pane: each phase with what the two generations of receivers apply and its state,
//! and under it the timeline. When the row is short of room, whole columns give way in order
//! of what matters least, never a phase name cut short. Pure apart from the frame's buffer.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row, Table, TableState};

use super::{App, Pane, fg, pane_block, wrap};
use crate::text::escape;
use crate::tui::model::{DomainView, StepState, step_state, timeline};

/// The columns a ladder row may have, in the order they are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Number,
    Phase,
    Policy,
    PctT,
    Rfc7489,
    Rfc9989,
    Soak,
    State,
}

use Column::{Number, PctT, Phase, Policy, Rfc7489, Rfc9989, Soak, State};

/// What each narrower layout gives up, in turn: `p` and `pct / t` (the value and the details
/// say them), then the soak (the timeline gives the due date), then the state's date (the
/// timeline has it too). The phase name and both effects stay to the last.
const LAYOUTS: [(&[Column], bool); 4] = [
    (&[Number, Phase, Policy, PctT, Rfc7489, Rfc9989, Soak, State], true),
    (&[Number, Phase, Rfc7489, Rfc9989, Soak, State], true),
    (&[Number, Phase, Rfc7489, Rfc9989, State], true),
    (&[Number, Phase, Rfc7489, Rfc9989, State], false),
];

impl Column {
    fn header(self) -> &'static str {
        match self {
            Number => "#",
            Phase => "phase",
            Policy => "policy",
            PctT => "pct / t",
            Rfc7489 => "RFC 7489",
            Rfc9989 => "RFC 9989",
            Soak => "soak",
            State => "state",
        }
    }

    fn text(self, d: &DomainView, i: usize, dated: bool) -> String {
        let row = &d.ladder[i];
        match self {
            Number => row.number.to_string(),
            Phase => escape(&row.name).into_owned(),
            Policy => escape(&row.policy).into_owned(),
            PctT => escape(&row.pct_t).into_owned(),
            Rfc7489 => escape(&row.rfc7489).into_owned(),
            Rfc9989 => escape(&row.rfc9989).into_owned(),
            Soak => format!("{}d", row.soak_days),
            State => state_text(step_state(d, i), row.published.filter(|_| dated)),
        }
    }
}

pub(super) fn table(frame: &mut Frame, app: &App, d: &DomainView, area: Rect) {
    let inner = usize::from(area.width.saturating_sub(2));
    let (columns, dated, widths) = layout(d, inner);
    let rows = (0..d.ladder.len()).map(|i| {
        let cells = columns.iter().map(|c| Cell::from(c.text(d, i, dated)));
        Row::new(cells).style(state_style(app, step_state(d, i)))
    });
    let header = Row::new(columns.iter().map(|c| c.header())).style(Style::new().bold());
    let widths: Vec<Constraint> = widths
        .iter()
        .zip(columns)
        .map(|(&w, &c)| {
            // The state takes the slack; the phase name gives way only when even the
            // narrowest layout does not fit.
            let fits = widths.iter().sum::<usize>() + columns.len() - 1 <= inner;
            match c {
                State if fits => Constraint::Fill(1),
                Phase if !fits => Constraint::Fill(1),
                _ => Constraint::Length(u16::try_from(w).unwrap_or(u16::MAX)),
            }
        })
        .collect();
    let table = Table::new(rows, &widths)
        .header(header)
        .block(
            pane_block(app, Pane::Ladder, format!("{}: ladder", escape(&d.name)))
                .title_bottom(timeline_line(d, area.width.saturating_sub(2))),
        )
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let selected = (app.pane == Pane::Ladder).then_some(app.ladder_row);
    frame.render_stateful_widget(table, area, &mut TableState::default().with_selected(selected));
}

/// The first layout of [`LAYOUTS`] whose columns fit `inner` cells with a space between
/// each, with each column's width; the narrowest when none fits.
fn layout(d: &DomainView, inner: usize) -> (&'static [Column], bool, Vec<usize>) {
    let measured = |columns: &'static [Column], dated: bool| {
        let widths: Vec<usize> = columns
            .iter()
            .map(|&c| {
                let cells = (0..d.ladder.len()).map(|i| wrap::width(&c.text(d, i, dated)));
                cells.chain([c.header().len()]).max().unwrap_or(0)
            })
            .collect();
        (columns, dated, widths)
    };
    let fits = |(columns, _, widths): &(&[Column], bool, Vec<usize>)| {
        widths.iter().sum::<usize>() + columns.len() - 1 <= inner
    };
    let mut candidates = LAYOUTS.iter().map(|&(columns, dated)| measured(columns, dated));
    let narrowest = measured(LAYOUTS[3].0, LAYOUTS[3].1);
    candidates.find(fits).unwrap_or(narrowest)
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
