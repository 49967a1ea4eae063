//! The terminal UI: the plan's domains, their ladders and live DNS side by side. This module
//! owns the edge: the terminal, the event loop, the loader and the recorder; `app` (state and
//! `update`), `view` and `model` are pure.

mod app;
pub mod model;
mod view;

use std::io::{self, IsTerminal};
use std::sync::Arc;
use std::time::Duration;

use crossterm::clipboard::CopyToClipboard;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream};
use crossterm::execute;
use crossterm::terminal::{Clear, ClearType};
use futures::StreamExt;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

pub use app::{
    App, ApplyAsk, ApplyOutcome, ApplyRequest, Effect, Entry, LOG_KEPT, Mode, Msg, Pane,
    RecordOutcome, RecordRequest, RecordTo, update,
};
pub use model::{
    DomainView, LadderRow, Live, Position, Readiness, SpfTree, StatusLine, StepState, initial_view,
    initial_views,
};
pub use view::{KEYS, view};

/// Looks up live DNS for every domain. `load` must return at once: it spawns its work and
/// sends one [`Msg::Loaded`] per domain, tagged with `generation`, as each lands.
pub trait Loader: Send + Sync + 'static {
    fn load(&self, generation: u64, tx: UnboundedSender<Msg>);
}

/// Any `Fn(generation, sender)` is a loader.
impl<F: Fn(u64, UnboundedSender<Msg>) + Send + Sync + 'static> Loader for F {
    fn load(&self, generation: u64, tx: UnboundedSender<Msg>) {
        self(generation, tx);
    }
}

/// Writes a confirmed step into the plan. `record` must return at once: it spawns its work and
/// sends one [`Msg::Recorded`] with the outcome.
pub trait Recorder: Send + Sync + 'static {
    fn record(&self, request: RecordRequest, tx: UnboundedSender<Msg>);
}

/// Publishes a confirmed step by dynamic update, waits for every server and records it.
/// `apply` must return at once: it spawns its work, sends [`Msg::ApplyProgress`] lines as the
/// wait goes on and one [`Msg::Applied`] with the outcome.
pub trait Publisher: Send + Sync + 'static {
    /// Where it publishes, for the question the UI asks (`127.0.0.1:53`).
    fn describe(&self) -> String;
    fn apply(&self, request: ApplyRequest, tx: UnboundedSender<Msg>);
}

/// The outside world the UI talks to: DNS through the loader, the plan file through the
/// recorder, and, when the UI was started with a server and a key, dynamic updates through
/// the publisher.
pub struct Workers {
    pub loader: Arc<dyn Loader>,
    pub recorder: Arc<dyn Recorder>,
    pub publisher: Option<Arc<dyn Publisher>>,
}

/// Runs the UI until the user quits. `domains` are the plan-only views ([`initial_views`]);
/// `refresh` is the auto-refresh period (`None` = off). Returns the value to print when the
/// user pressed `p`; the terminal is already restored then.
pub async fn run(
    domains: Vec<DomainView>,
    status: StatusLine,
    record_to: RecordTo,
    workers: Workers,
    refresh: Option<Duration>,
) -> io::Result<Option<String>> {
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if !io::stdout().is_terminal() {
        return Err(io::Error::other(
            "standard output is not a terminal; for scripts use `status`, `next` or `check`",
        ));
    }
    let mut app = App::new(domains, status, color, record_to);
    app.apply_to = workers.publisher.as_ref().map(|p| p.describe());
    let mut terminal = ratatui::try_init()?;
    release_mouse_on_panic();
    let result = match execute!(io::stdout(), EnableMouseCapture) {
        Ok(()) => event_loop(&mut terminal, &mut app, &workers, refresh).await,
        Err(e) => Err(e),
    };
    // A terminal without an alternate screen would keep the last frame in view; erased, it
    // leaves the shell's screen as it was. (Not `terminal.clear()`: it asks the terminal
    // where the cursor is and waits for the answer.)
    let _ = execute!(io::stdout(), Clear(ClearType::All), DisableMouseCapture);
    ratatui::restore();
    result
}

/// `ratatui::init` restores the terminal on panic but knows nothing of mouse capture; this
/// hook releases the mouse first and then runs ratatui's.
fn release_mouse_on_panic() {
    let restore = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(io::stdout(), DisableMouseCapture);
        restore(info);
    }));
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    workers: &Workers,
    refresh: Option<Duration>,
) -> io::Result<Option<String>> {
    let (tx, mut rx) = unbounded_channel();
    let mut events = EventStream::new();
    let mut ticker = refresh
        .filter(|d| !d.is_zero())
        .map(|period| tokio::time::interval_at(tokio::time::Instant::now() + period, period));
    let mut pending = update(app, Msg::Tick);
    loop {
        for effect in std::mem::take(&mut pending) {
            match effect {
                Effect::Quit { print } => return Ok(print),
                Effect::Refresh { generation } => {
                    start_refresh(workers.loader.as_ref(), generation, &tx);
                }
                Effect::Record(request) => workers.recorder.record(request, tx.clone()),
                Effect::Apply(request) => {
                    if let Some(publisher) = &workers.publisher {
                        publisher.apply(request, tx.clone());
                    }
                }
                Effect::Copy(text) => {
                    execute!(io::stdout(), CopyToClipboard::to_clipboard_from(text))?;
                }
            }
        }
        terminal.draw(|frame| view(frame, app))?;
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => from_event(&event),
                Some(Err(e)) => return Err(e),
                None => return Ok(None),
            },
            Some(msg) = rx.recv() => Some(msg),
            () = tick(&mut ticker) => Some(Msg::Tick),
        };
        if let Some(msg) = msg {
            pending = update(app, msg);
            drain(app, &mut rx, &mut pending);
        }
    }
}

/// Applies every lookup answer already queued, so a burst of answers costs one frame.
fn drain(app: &mut App, rx: &mut UnboundedReceiver<Msg>, pending: &mut Vec<Effect>) {
    while let Ok(msg) = rx.try_recv() {
        pending.extend(update(app, msg));
    }
}

fn start_refresh(loader: &dyn Loader, generation: u64, tx: &UnboundedSender<Msg>) {
    let at = chrono::Local::now().format("%H:%M:%S").to_string();
    // The receiver lives as long as the loop, so the send cannot fail while it matters.
    let _ = tx.send(Msg::RefreshStarted { generation, at });
    loader.load(generation, tx.clone());
}

async fn tick(ticker: &mut Option<tokio::time::Interval>) {
    match ticker {
        Some(interval) => {
            interval.tick().await;
        }
        None => std::future::pending().await,
    }
}

fn from_event(event: &Event) -> Option<Msg> {
    match *event {
        Event::Key(key) => Some(Msg::Key(key)),
        Event::Mouse(mouse) => Some(Msg::Mouse(mouse)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        Event::FocusGained | Event::FocusLost | Event::Paste(_) => None,
    }
}
