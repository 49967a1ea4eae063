//! The session's notices: each one said in the status line is kept (the last [`LOG_KEPT`]),
//! and `l` shows them all, so a notice too long for the status line is never lost. Pure.

use crossterm::event::KeyCode;

use super::{App, Effect, Mode, overlay_key};

/// Notices the log keeps; older ones give way.
pub const LOG_KEPT: usize = 500;

impl App {
    /// Says `text` in the status line and keeps it in the log (`l`); the same notice twice in
    /// a row is kept once.
    pub fn say(&mut self, text: String) {
        if self.log.back() != Some(&text) {
            if self.log.len() == LOG_KEPT {
                self.log.pop_front();
            }
            self.log.push_back(text.clone());
        }
        self.notice = Some(text);
    }
}

/// `l` opens the log at its newest notices.
pub(super) fn open_log(app: &mut App) {
    app.log_back = 0;
    app.mode = Mode::Log;
}

/// In the log, ↑/k goes back to older notices, ↓/j forward; `l` and the overlay's keys close
/// it.
pub(super) fn log_key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    match code {
        KeyCode::Up | KeyCode::Char('k') => {
            app.log_back = (app.log_back + 1).min(app.log.len().saturating_sub(1));
        }
        KeyCode::Down | KeyCode::Char('j') => app.log_back = app.log_back.saturating_sub(1),
        KeyCode::Char('l') => app.mode = Mode::Normal,
        _ => return overlay_key(app, code),
    }
    Vec::new()
}
