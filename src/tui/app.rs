//! The TUI's state and its `update`: every key, mouse event, lookup answer and timer tick comes
//! in as a [`Msg`] and leaves as changed state plus [`Effect`]s for `run` to carry out. Pure.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};

mod apply;
mod list;
mod log;
mod record;

pub use self::apply::{ApplyAsk, ApplyOutcome, ApplyRequest};
use self::apply::{applied, ask_to_apply, confirm_apply_key, progress};
use self::list::Step;
pub use self::log::LOG_KEPT;
use self::log::{log_key, open_log};
pub use self::record::{RecordOutcome, RecordRequest, RecordTo};
use self::record::{ask_to_record, confirm_key, recorded};
use super::model::{DomainView, Readiness as CheckRow, StatusLine, fixes_for};
use crate::advice::Overrides;
use crate::fix::render::copy_text;
use crate::record::Finding;
use crate::summary::{Mark, Order};
use crate::text::escape;

/// Everything that can happen to the UI.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// One domain's lookups landed. `index` is the domain's position in the initial list.
    Loaded {
        generation: u64,
        index: usize,
        view: Box<DomainView>,
    },
    /// `run` started the loader for `generation` at wall-clock time `at`.
    RefreshStarted {
        generation: u64,
        at: String,
    },
    /// The auto-refresh timer fired.
    Tick,
    /// The recorder finished a [`Effect::Record`].
    Recorded {
        request: RecordRequest,
        outcome: RecordOutcome,
    },
    /// A line of progress from the publisher (`2/3 servers serve it`).
    ApplyProgress {
        domain: String,
        line: String,
    },
    /// The publisher finished an [`Effect::Apply`].
    Applied {
        request: ApplyRequest,
        outcome: ApplyOutcome,
    },
}

/// What `update` asks the outside world to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Start the loader for this generation.
    Refresh { generation: u64 },
    /// Put the text on the clipboard (OSC 52).
    Copy(String),
    /// Leave the UI; print the value after the terminal is restored.
    Quit { print: Option<String> },
    /// Write the step into the plan file (the user confirmed it).
    Record(RecordRequest),
    /// Publish the step by dynamic update, wait for every server, record it (confirmed).
    Apply(ApplyRequest),
}

/// What has the keyboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Typing into the domain filter.
    Filter,
    Help,
    /// Details of the selected ladder step or finding.
    Detail,
    /// The fix of the selected readiness check: records and commands; `c` copies it.
    Fix,
    /// Asking "record this step as published?"; `y` writes it, `n`, `q` or Esc cancel.
    Confirm(RecordRequest),
    /// Asking "publish this step by dynamic update?"; `y` (twice for a weakening) sends it.
    ConfirmApply(Box<ApplyAsk>),
    /// The session's notices, newest last (`l`).
    Log,
}

/// The focused pane, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Domains,
    Ladder,
    Findings,
}

impl Pane {
    fn next(self) -> Self {
        match self {
            Self::Domains => Self::Ladder,
            Self::Ladder => Self::Findings,
            Self::Findings => Self::Domains,
        }
    }

    fn prev(self) -> Self {
        self.next().next()
    }
}

/// One domain and the generation its view was loaded in (0 = plan only).
#[derive(Debug, Clone)]
pub struct Entry {
    pub view: DomainView,
    pub generation: u64,
}

/// All UI state. Owned by the UI task; workers only send messages.
#[derive(Debug, Clone)]
pub struct App {
    pub domains: Vec<Entry>,
    pub status: StatusLine,
    /// The newest refresh; answers tagged older are dropped.
    pub generation: u64,
    pub mode: Mode,
    pub pane: Pane,
    pub filter: String,
    /// Only the domains carrying this mark (`v`), or all.
    pub only: Option<Mark>,
    /// The order of the domain list (`s`).
    pub order: Order,
    /// The selected domain: its index into [`App::domains`], so the selection stays on it
    /// when answers landing re-sort the list.
    pub selected: usize,
    pub ladder_row: usize,
    pub finding_row: usize,
    /// A one-off message for the status line, e.g. after a copy.
    pub notice: Option<String>,
    /// Every notice of the session, oldest first, at most [`LOG_KEPT`].
    pub log: std::collections::VecDeque<String>,
    /// How many of the newest notices the log overlay is scrolled back past.
    pub log_back: usize,
    /// False under `NO_COLOR`: bold and reverse only.
    pub color: bool,
    /// Where `m` records steps.
    pub record_to: RecordTo,
    /// Whether the SPF lookup tree is shown whole (`t`) or as one line.
    pub tree_open: bool,
    /// `p` or `c` pressed once on a step the decision does not clear: the same key again on
    /// the same domain confirms it, as `--force` / `--allow-loosen` do; any other key disarms.
    pub armed: Option<(char, usize)>,
    /// Where `a` publishes (`--apply-server`), when the UI was started with a key for it.
    pub apply_to: Option<String>,
    /// The domain whose update is under way (one at a time).
    pub applying: Option<String>,
    /// Cells the longest domain name takes on screen, measured at the first frame: the names
    /// never change in a session, and measuring 10,000 of them took most of a frame.
    pub(crate) longest_name: std::cell::OnceCell<usize>,
}

impl App {
    pub fn new(
        domains: Vec<DomainView>,
        status: StatusLine,
        color: bool,
        record_to: RecordTo,
    ) -> Self {
        Self {
            domains: domains.into_iter().map(|view| Entry { view, generation: 0 }).collect(),
            status,
            generation: 0,
            mode: Mode::Normal,
            pane: Pane::Domains,
            filter: String::new(),
            only: None,
            order: Order::Plan,
            selected: 0,
            ladder_row: 0,
            finding_row: 0,
            notice: None,
            log: std::collections::VecDeque::new(),
            log_back: 0,
            color,
            record_to,
            tree_open: false,
            armed: None,
            apply_to: None,
            applying: None,
            longest_name: std::cell::OnceCell::new(),
        }
    }

    /// The selected domain, unless the filter hides it.
    pub fn current(&self) -> Option<&DomainView> {
        Some(&self.domains[self.selected_index()?].view)
    }

    /// The selected row of the findings pane when it is a readiness check (they come first).
    pub fn selected_check(&self) -> Option<&CheckRow> {
        self.current()?.readiness.get(self.finding_row)
    }

    /// The selected row of the findings pane when it is a finding of the live record.
    pub fn selected_finding(&self) -> Option<&Finding> {
        let d = self.current()?;
        d.findings.get(self.finding_row.checked_sub(d.readiness.len())?)
    }

    /// The fix of the selected readiness check as text to copy: its records and commands.
    fn selected_fix(&self) -> Option<String> {
        let (d, check) = (self.current()?, self.selected_check()?);
        let actions = fixes_for(d, check);
        (!actions.is_empty())
            .then(|| actions.iter().map(|a| copy_text(a)).collect::<Vec<_>>().join("\n"))
    }

    /// Domains whose lookups for the newest generation have not landed.
    pub fn in_flight(&self) -> usize {
        self.domains.iter().filter(|e| e.generation < self.generation).count()
    }

    /// Starts a new generation of lookups.
    fn refresh(&mut self) -> Vec<Effect> {
        self.generation += 1;
        vec![Effect::Refresh { generation: self.generation }]
    }

    fn move_selection(&mut self, down: bool) {
        let len = match self.pane {
            Pane::Domains => return self.move_in_list(if down { Step::Down } else { Step::Up }),
            Pane::Ladder => self.current().map_or(0, |d| d.ladder.len()),
            Pane::Findings => self.current().map_or(0, |d| d.readiness.len() + d.findings.len()),
        };
        let row =
            if self.pane == Pane::Ladder { &mut self.ladder_row } else { &mut self.finding_row };
        *row = if down { (*row + 1).min(len.saturating_sub(1)) } else { row.saturating_sub(1) };
    }

    /// The next value for `p` or `c`: at once when the decision clears it; for a blocked,
    /// held or unverified step only on the second press of the same key, after the first has
    /// said why. Nothing at all while the live state is unknown.
    fn next_value(&mut self, key: char) -> Option<String> {
        let index = self.selected_index()?;
        let armed = self.armed.take() == Some((key, index));
        let view = &self.domains[index].view;
        let Some(advice) = &view.advice else {
            self.say("still looking up; nothing to publish yet".to_owned());
            return None;
        };
        let Some(step) = &advice.step else {
            self.say("unknown, not safe to advise: DNS did not answer".to_owned());
            return None;
        };
        if advice.may_publish(Overrides::default()) || armed {
            return Some(step.value.clone());
        }
        let first = advice.why.first().map(|b| b.message.as_str()).unwrap_or_default();
        // The instruction first: a long reason gives way at the screen's edge (the log and
        // the pane above have it whole).
        let notice = format!(
            "{}: press {key} again to {} it anyway; {}",
            advice.verdict.as_str().to_uppercase(),
            if key == 'p' { "print" } else { "copy" },
            escape(first)
        );
        self.say(notice);
        self.armed = Some((key, index));
        None
    }
}

/// Applies one message. Pure: no I/O, no clock.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) if key.kind != KeyEventKind::Release => on_key(app, key),
        Msg::Mouse(mouse) => on_mouse(app, mouse),
        Msg::Loaded { generation, index, view } => {
            let fresh = generation == app.generation;
            if let Some(entry) = app.domains.get_mut(index).filter(|_| fresh) {
                *entry = Entry { view: *view, generation };
            }
            Vec::new()
        }
        Msg::RefreshStarted { generation, at } => {
            if generation == app.generation {
                app.status.last_refresh = Some(at);
            }
            Vec::new()
        }
        Msg::Tick => app.refresh(),
        Msg::Recorded { request, outcome } => recorded(app, &request, outcome),
        Msg::ApplyProgress { domain, line } => {
            progress(app, &domain, line);
            Vec::new()
        }
        Msg::Applied { request, outcome } => applied(app, &request, outcome),
        Msg::Key(_) | Msg::Resize(..) => Vec::new(),
    }
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    app.notice = None;
    if !matches!(key.code, KeyCode::Char('p' | 'c')) {
        app.armed = None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return vec![Effect::Quit { print: None }];
    }
    match &app.mode {
        Mode::Normal => normal_key(app, key.code),
        Mode::Filter => filter_key(app, key.code),
        Mode::Help | Mode::Detail => overlay_key(app, key.code),
        Mode::Log => log_key(app, key.code),
        Mode::Fix => fix_key(app, key.code),
        Mode::Confirm(request) => {
            let request = request.clone();
            confirm_key(app, key.code, request)
        }
        Mode::ConfirmApply(ask) => {
            let ask = ask.as_ref().clone();
            confirm_apply_key(app, key.code, ask)
        }
    }
}

fn normal_key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    match code {
        KeyCode::Esc if !app.filter.is_empty() => clear_filter(app),
        KeyCode::Char('q') | KeyCode::Esc => return vec![Effect::Quit { print: None }],
        KeyCode::Up | KeyCode::Char('k') => app.move_selection(false),
        KeyCode::Down | KeyCode::Char('j') => app.move_selection(true),
        KeyCode::Home => app.move_in_list(Step::First),
        KeyCode::End => app.move_in_list(Step::Last),
        KeyCode::Char('s') => app.sort_next(),
        KeyCode::Char('v') => app.only_next(),
        KeyCode::Char('l') => open_log(app),
        KeyCode::Tab => app.pane = app.pane.next(),
        KeyCode::BackTab => app.pane = app.pane.prev(),
        KeyCode::Enter => open_detail(app),
        KeyCode::Char('r') => return app.refresh(),
        KeyCode::Char('c') => return copy(app),
        KeyCode::Char('p') => return app.next_value('p').map_or_else(Vec::new, quit_printing),
        KeyCode::Char('m') => ask_to_record(app),
        KeyCode::Char('a') => ask_to_apply(app),
        KeyCode::Char('t') => app.tree_open = !app.tree_open,
        KeyCode::Char('?') => app.mode = Mode::Help,
        KeyCode::Char('/') => app.mode = Mode::Filter,
        _ => {}
    }
    Vec::new()
}

fn filter_key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    match code {
        KeyCode::Esc => clear_filter(app),
        KeyCode::Enter => app.mode = Mode::Normal,
        KeyCode::Backspace => {
            app.filter.pop();
            app.select_first();
        }
        KeyCode::Up => app.move_in_list(Step::Up),
        KeyCode::Down => app.move_in_list(Step::Down),
        KeyCode::Char(c) => {
            app.filter.push(c);
            app.select_first();
        }
        _ => {}
    }
    Vec::new()
}

fn overlay_key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    match code {
        KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | '?') => app.mode = Mode::Normal,
        _ => {}
    }
    Vec::new()
}

/// In the fix overlay `c` copies the fix; the other keys close it as any overlay's do.
fn fix_key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    if code != KeyCode::Char('c') {
        return overlay_key(app, code);
    }
    let Some(text) = app.selected_fix() else {
        app.say("nothing to copy: no fix for this check".to_owned());
        return Vec::new();
    };
    app.say("copied the fix (OSC 52)".to_owned());
    vec![Effect::Copy(text)]
}

fn on_mouse(app: &mut App, mouse: MouseEvent) -> Vec<Effect> {
    match mouse.kind {
        MouseEventKind::ScrollDown => app.move_selection(true),
        MouseEventKind::ScrollUp => app.move_selection(false),
        _ => {}
    }
    Vec::new()
}

/// Clears the filter; the selected domain stays selected (or the first, when none was).
fn clear_filter(app: &mut App) {
    app.filter.clear();
    if app.selected_index().is_none() {
        app.select_first();
    }
    app.mode = Mode::Normal;
}

/// Enter on the domain list moves into the ladder; on a step or finding it opens details, on
/// a readiness check its fix.
fn open_detail(app: &mut App) {
    let has_findings = app.current().is_some_and(|d| !d.findings.is_empty());
    match app.pane {
        Pane::Domains => app.pane = Pane::Ladder,
        Pane::Ladder => app.mode = Mode::Detail,
        Pane::Findings if app.selected_check().is_some() => app.mode = Mode::Fix,
        Pane::Findings if has_findings => app.mode = Mode::Detail,
        Pane::Findings => {}
    }
}

fn copy(app: &mut App) -> Vec<Effect> {
    let Some(value) = app.next_value('c') else { return Vec::new() };
    app.say("copied the next TXT value (OSC 52)".to_owned());
    vec![Effect::Copy(value)]
}

fn quit_printing(value: String) -> Vec<Effect> {
    vec![Effect::Quit { print: Some(value) }]
}
