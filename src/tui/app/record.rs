//! Recording a step from the UI: `m` asks, `y` sends [`Effect::Record`], and the outcome comes
//! back as [`Msg::Recorded`](super::Msg::Recorded). Pure.

use chrono::NaiveDate;
use crossterm::event::KeyCode;

use super::{App, Effect, Mode};
use crate::plan::Domain;
use crate::tui::model::{Position, with_history};

/// "Phase `phase` of `domain` went live on `on`", to be written into the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRequest {
    /// The domain's position in the initial list.
    pub index: usize,
    pub domain: String,
    /// 1-based, as the plan numbers phases.
    pub phase: usize,
    pub on: NaiveDate,
}

/// What became of a [`RecordRequest`].
#[derive(Debug, Clone, PartialEq)]
pub enum RecordOutcome {
    /// Written; the domain as read back from the new plan text.
    Written(Box<Domain>),
    /// That exact entry was in the plan already; nothing changed.
    AlreadyRecorded,
    /// The plan on disk is no longer the text the UI read; nothing was written.
    ChangedOnDisk,
    /// Nothing was written, for this reason (shown in the status line).
    Failed(String),
}

/// Where and when `m` records a step: the plan file as shown to the user, and today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordTo {
    pub file: String,
    pub today: NaiveDate,
}

/// `m`: asks to record the phase DNS shows live for the selected domain, dated today. Only a
/// live phase of the plan can be recorded, as with `dmarc-rollout record`.
pub(super) fn ask_to_record(app: &mut App) {
    let Some(index) = app.selected_index() else { return };
    let view = &app.domains[index].view;
    let name = &view.name;
    let refusal = match *view.position() {
        Position::Live { phase, .. } => {
            let on = app.record_to.today;
            let request = RecordRequest { index, domain: name.clone(), phase: phase + 1, on };
            app.mode = Mode::Confirm(request);
            return;
        }
        Position::Unknown => format!("DNS has not shown the record of {name} (yet)"),
        Position::NotStarted => format!("{name} has no DMARC record of its own"),
        Position::Drift { .. } | Position::Broken => {
            format!("the live record of {name} is no phase of the plan")
        }
    };
    app.say(format!("not recorded: {refusal}"));
}

pub(super) fn confirm_key(app: &mut App, code: KeyCode, request: RecordRequest) -> Vec<Effect> {
    match code {
        KeyCode::Char('y' | 'Y') => {
            app.mode = Mode::Normal;
            vec![Effect::Record(request)]
        }
        KeyCode::Char('n' | 'N' | 'q') | KeyCode::Esc => {
            app.mode = Mode::Normal;
            app.say("not recorded".to_owned());
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// A record request came back. After a write the domain's dates follow the new history at once,
/// and a new refresh starts so answers from lookups begun on the old plan are dropped.
pub(super) fn recorded(
    app: &mut App,
    request: &RecordRequest,
    outcome: RecordOutcome,
) -> Vec<Effect> {
    let RecordRequest { domain, phase, on, .. } = request;
    let (notice, effects) = match outcome {
        RecordOutcome::Written(new) => {
            let entry = app.domains.get_mut(request.index).filter(|e| e.view.name == *domain);
            if let Some(entry) = entry {
                with_history(&mut entry.view, &new, app.record_to.today);
            }
            (format!("{domain}: recorded phase {phase} on {on}"), app.refresh())
        }
        RecordOutcome::AlreadyRecorded => {
            (format!("{domain}: phase {phase} on {on} was already recorded"), Vec::new())
        }
        RecordOutcome::ChangedOnDisk => (
            "not recorded: the plan changed on disk since it was read (restart to reload)"
                .to_owned(),
            Vec::new(),
        ),
        RecordOutcome::Failed(why) => (format!("not recorded: {why}"), Vec::new()),
    };
    app.say(notice);
    effects
}
