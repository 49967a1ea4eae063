//! Publishing a step from the UI by dynamic update (`a`, with `--apply-server` and
//! `--tsig-key`): `a` shows the change and its verdict and asks; `y` sends [`Effect::Apply`]
//! (a weakening asks twice); progress lines and the outcome come back as messages and show in
//! the status line while the UI keeps answering keys. Pure.

use crossterm::event::KeyCode;

use super::{App, Effect, Mode};
use crate::advice::{BlockKind, Overrides};
use crate::plan::Domain;
use crate::text::escape;
use crate::tui::model::with_history;

/// "Publish phase `phase` (`value`) of `domain`", as the user confirmed it. The worker decides
/// again on fresh DNS and sends nothing when the step is no longer this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyRequest {
    /// The domain's position in the initial list.
    pub index: usize,
    pub domain: String,
    /// 1-based.
    pub phase: usize,
    pub value: String,
    /// What the confirmation lifted, as `--force` / `--allow-loosen` would.
    pub overrides: Overrides,
}

/// The question on screen before an update is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyAsk {
    pub request: ApplyRequest,
    pub host: String,
    /// `ready`, `blocked`, `hold`.
    pub verdict: &'static str,
    /// What stands in the way, each in words.
    pub reasons: Vec<String>,
    /// The step weakens what is live: `y` must be pressed twice.
    pub weakens: bool,
    /// `y` was pressed once on a weakening.
    pub confirmed_once: bool,
}

/// What became of an [`ApplyRequest`].
#[derive(Debug, Clone, PartialEq)]
pub enum ApplyOutcome {
    /// Every server serves the step and the phase is recorded; the domain as read back.
    Recorded(Box<Domain>),
    /// Published and served everywhere; the phase was recorded before (its date kept).
    AlreadyRecorded,
    /// It stopped here, in words (nothing written, unknown, or not recorded: the words say).
    Stopped(String),
}

/// `a`: asks to publish the selected domain's step at the server the UI was started with.
pub(super) fn ask_to_apply(app: &mut App) {
    let Some(server) = app.apply_to.clone() else {
        app.say("a publishes by dynamic update: start with --apply-server HOST[:PORT] and --tsig-key FILE".to_owned());
        return;
    };
    if let Some(busy) = &app.applying {
        app.say(format!("still publishing {busy}; wait for it to finish"));
        return;
    }
    let Some(index) = app.selected_index() else { return };
    let view = &app.domains[index].view;
    let Some(advice) = &view.advice else {
        app.say("still looking up; nothing to publish yet".to_owned());
        return;
    };
    let Some(step) = &advice.step else {
        app.say("unknown, not safe to advise: DNS did not answer".to_owned());
        return;
    };
    if step.complete {
        app.say(format!("{}: already at the last phase; nothing to publish", view.name));
        return;
    }
    let has = |kind: BlockKind| advice.why.iter().any(|b| b.kind == kind);
    let weakens = has(BlockKind::Loosening);
    let overrides = Overrides {
        force: advice.why.iter().any(|b| b.kind != BlockKind::Loosening),
        allow_loosen: weakens,
    };
    let request = ApplyRequest {
        index,
        domain: view.name.clone(),
        phase: step.phase,
        value: step.value.clone(),
        overrides,
    };
    let ask = ApplyAsk {
        request,
        host: format!("{} via {server}", step.host),
        verdict: advice.verdict.as_str(),
        reasons: advice.why.iter().map(|b| escape(&b.message).into_owned()).collect(),
        weakens,
        confirmed_once: false,
    };
    app.mode = Mode::ConfirmApply(Box::new(ask));
}

pub(super) fn confirm_apply_key(app: &mut App, code: KeyCode, mut ask: ApplyAsk) -> Vec<Effect> {
    match code {
        KeyCode::Char('y' | 'Y') if ask.weakens && !ask.confirmed_once => {
            ask.confirmed_once = true;
            app.mode = Mode::ConfirmApply(Box::new(ask));
            Vec::new()
        }
        KeyCode::Char('y' | 'Y') => {
            app.mode = Mode::Normal;
            let r = &ask.request;
            app.say(format!("{}: publishing phase {} at {}…", r.domain, r.phase, ask.host));
            app.applying = Some(r.domain.clone());
            vec![Effect::Apply(ask.request)]
        }
        KeyCode::Char('n' | 'N' | 'q') | KeyCode::Esc => {
            app.mode = Mode::Normal;
            app.say("not published".to_owned());
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// A progress line from the worker: shown while that domain's update is under way.
pub(super) fn progress(app: &mut App, domain: &str, line: String) {
    if app.applying.as_deref() == Some(domain) {
        app.say(line);
    }
}

/// The worker finished. A recorded phase updates the domain's dates at once, and a new refresh
/// starts so the screen shows the published record.
pub(super) fn applied(app: &mut App, request: &ApplyRequest, outcome: ApplyOutcome) -> Vec<Effect> {
    app.applying = None;
    let ApplyRequest { domain, phase, .. } = request;
    let (notice, effects) = match outcome {
        ApplyOutcome::Recorded(new) => {
            let entry = app.domains.get_mut(request.index).filter(|e| e.view.name == *domain);
            if let Some(entry) = entry {
                with_history(&mut entry.view, &new, app.record_to.today);
            }
            (
                format!("{domain}: phase {phase} is served by every server and recorded"),
                app.refresh(),
            )
        }
        ApplyOutcome::AlreadyRecorded => (
            format!("{domain}: phase {phase} is served by every server (it was recorded before)"),
            app.refresh(),
        ),
        ApplyOutcome::Stopped(why) => (why, app.refresh()),
    };
    app.say(notice);
    effects
}
