//! `record`: writes "phase N went live on DATE" into the plan, checked against DNS, touching
//! nothing else in the file. [`write_step`] is the one write, shared with the TUI's `m` key.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::live::{self, DnsArgs};
use super::{CliError, Outcome, load_plan_text};
use crate::exits;
use crate::fsio;
use crate::plan::{Domain, EditError, record_step};
use crate::standing::{Position, Standing};
use crate::text::escape;

pub struct Request {
    pub domain: String,
    /// 1-based.
    pub phase: Option<usize>,
    /// `None`: today, unless the phase is already recorded (then its date stays).
    pub on: Option<NaiveDate>,
    /// Whether `on` may replace another recorded date.
    pub replace: bool,
    pub offline: bool,
}

pub fn run(
    path: &Path,
    request: &Request,
    dns: &DnsArgs,
    today: NaiveDate,
    err: &mut impl Write,
) -> Outcome {
    let (text, plan) = load_plan_text(path)?;
    let Some(domain) = plan.domain(&request.domain) else {
        let (domain, path) = (escape(&request.domain), fsio::shown(path));
        return Err(CliError::Usage(format!("'{domain}' is not in {path}")));
    };
    if let Some(n) = request.phase.filter(|n| !(1..=domain.phases.len()).contains(n)) {
        let (name, last) = (&domain.name, domain.phases.len());
        return Err(CliError::Usage(format!("{name} has phases 1 to {last}, not {n}")));
    }
    if let Some(on) = request.on.filter(|on| *on > today) {
        return Err(CliError::Usage(format!(
            "{on} is in the future (today is {today}): record a step once it is published"
        )));
    }
    let phase = if request.offline {
        request.phase.unwrap_or(1)
    } else {
        live_phase(domain, request.phase, dns, today)?
    };
    let recorded = crate::rollout::published_on(domain, phase - 1);
    if let (Some(on), Some(date)) = (request.on, recorded)
        && on != date
        && !request.replace
    {
        return Err(CliError::Usage(format!(
            "{}: phase {phase} is already recorded as published on {date}; pass --replace to \
             change it to {on}",
            domain.name
        )));
    }
    if let (None, Some(date)) = (request.on, recorded) {
        // A daily `record` from cron must not push the soak clock forward.
        writeln!(
            err,
            "{}: phase {phase} is already recorded as published on {date}; pass --on DATE --replace to change it",
            domain.name
        )?;
        return Ok(exits::OK);
    }
    write(path, &text, domain, phase, request.on.unwrap_or(today), err)
}

/// The phase DNS shows now (1-based), or why it cannot be recorded.
fn live_phase(
    domain: &Domain,
    wanted: Option<usize>,
    dns: &DnsArgs,
    today: NaiveDate,
) -> Result<usize, CliError> {
    let standing: Standing = live::standings(dns, &[domain], today, None)?.remove(0);
    let refused = |why: String| {
        format!("not recorded: {why}; publish it first, or pass --offline with --phase")
    };
    let name = &domain.name;
    match (standing.advice.position, wanted) {
        (Position::Live { phase, .. }, Some(n)) if phase + 1 != n => Err(CliError::Drift(refused(
            format!("DNS shows phase {} for {name}, not phase {n}", phase + 1),
        ))),
        (Position::Live { phase, .. }, _) => Ok(phase + 1),
        (Position::Unknown, _) => {
            Err(CliError::Dns(refused(format!("DNS did not answer for _dmarc.{name}"))))
        }
        (Position::NotStarted, _) => {
            Err(CliError::Drift(refused(format!("_dmarc.{name} has no record"))))
        }
        (Position::Drift { .. } | Position::Broken, _) => Err(CliError::Drift(refused(format!(
            "the record at _dmarc.{name} is no phase of the plan"
        )))),
    }
}

pub(super) fn write(
    path: &Path,
    text: &str,
    domain: &Domain,
    phase: usize,
    on: NaiveDate,
    err: &mut impl Write,
) -> Outcome {
    match write_step(path, text, &domain.name, phase, on) {
        Ok(Written::Recorded(_)) => {
            writeln!(
                err,
                "{}: recorded phase {phase} ({}) as published on {on} in {}",
                domain.name,
                escape(&domain.phases[phase - 1].name),
                fsio::shown(path)
            )?;
            Ok(exits::OK)
        }
        Ok(Written::AlreadyRecorded) => {
            writeln!(err, "{}: phase {phase} on {on} is already recorded", domain.name)?;
            Ok(exits::OK)
        }
        Err(e @ RecordError::Edit { .. }) => Err(CliError::PlanEdit(e.to_string())),
        Err(e @ RecordError::Write(_)) => Err(CliError::Write(e.to_string())),
    }
}

/// What [`write_step`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// The plan now holds this text.
    Recorded(String),
    /// That exact entry was there already; the file was not touched.
    AlreadyRecorded,
}

/// Why [`write_step`] wrote nothing. The file is intact in every case.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("{}: {source}", fsio::shown(.path))]
    Edit { path: PathBuf, source: EditError },
    #[error(transparent)]
    Write(#[from] fsio::WriteError),
}

/// Records in the plan at `path`, read as `text`, that `phase` (1-based) of `domain` went live
/// `on`. Under the plan's lock the file is read again and the line is added to what is on disk
/// then, so writers recording other domains at the same time all land; when `domain` itself
/// changed on disk since `text` was read (another writer recorded it, or its ladder was
/// edited), nothing is written ([`fsio::WriteError::ChangedOnDisk`]). Only that line changes,
/// the new text must load as a plan, and the write is atomic.
pub fn write_step(
    path: &Path,
    text: &str,
    domain: &str,
    phase: usize,
    on: NaiveDate,
) -> Result<Written, RecordError> {
    let edit_err = |source| RecordError::Edit { path: path.to_owned(), source };
    // Fail before taking the lock when the edit cannot be made at all.
    record_step(text, domain, phase, on).map_err(edit_err)?;
    let locked = fsio::lock(path)?;
    let current = locked.text();
    if current != text && domain_in(current, domain) != domain_in(text, domain) {
        return Err(fsio::WriteError::ChangedOnDisk(locked.path().to_owned()).into());
    }
    let updated = record_step(current, domain, phase, on).map_err(edit_err)?;
    if updated == current {
        return Ok(Written::AlreadyRecorded);
    }
    if !records(&updated, domain, phase, on) {
        return Err(edit_err(EditError::Unloadable(domain.to_owned())));
    }
    locked.replace(&updated)?;
    Ok(Written::Recorded(updated))
}

/// The domain as a plan text resolves it (ladder, senders, history); `None` when the text does
/// not load or does not plan it.
fn domain_in(text: &str, name: &str) -> Option<Domain> {
    crate::plan::load("plan", text).ok()?.domain(name).cloned()
}

/// Whether `text` loads as a plan whose `domain` has `phase` recorded `on`.
fn records(text: &str, domain: &str, phase: usize, on: NaiveDate) -> bool {
    domain_in(text, domain)
        .is_some_and(|d| d.history.iter().any(|h| h.phase == phase && h.published == on))
}
