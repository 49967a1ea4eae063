//! Where a domain stands on its ladder and what comes next: from the recorded history or from
//! the record live in DNS. Pure: "today" and DNS answers are parameters.

use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::plan::{Domain, Phase};
use crate::record::render::{render, zone_text};
use crate::record::{DmarcRecord, Tag};

/// The phase recorded as live: the latest entry of the history (a later date wins; on the same
/// date, the higher phase). `None` when nothing was recorded. 0-based.
pub fn recorded_phase(domain: &Domain) -> Option<usize> {
    domain.history.iter().max_by_key(|e| (e.published, e.phase)).map(|e| e.phase - 1)
}

/// The date the given phase (0-based) was last recorded as published.
pub fn published_on(domain: &Domain, phase: usize) -> Option<NaiveDate> {
    domain.history.iter().filter(|e| e.phase == phase + 1).map(|e| e.published).max()
}

/// The phase whose record means the same as `record` (tag order, case and explicit defaults
/// do not matter). When several phases mean the same, the latest one counts.
pub fn matching_phase(domain: &Domain, record: &DmarcRecord) -> Option<usize> {
    domain.phases.iter().rposition(|p| p.record.same_meaning(record))
}

/// The phase closest to `record` (fewest differing tags) with the tag-by-tag differences:
/// `(tag, live value, planned value)`.
pub fn closest_phase(domain: &Domain, record: &DmarcRecord) -> (usize, Vec<(Tag, String, String)>) {
    domain
        .phases
        .iter()
        .enumerate()
        .map(|(i, p)| (i, record.diff(&p.record)))
        .min_by_key(|(i, diff)| (diff.len(), usize::MAX - i))
        .unwrap_or_default()
}

/// What to publish next for a domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextStep {
    pub domain: String,
    /// Owner name of the TXT record, without the trailing dot.
    pub host: String,
    /// 1-based, as the plan numbers phases.
    pub phase: usize,
    pub phase_name: String,
    /// The exact TXT value.
    pub value: String,
    /// The value as zone-file character-strings (split at 255 bytes).
    pub zone: String,
    pub ttl: u32,
    /// True when the current phase is already the last one: `value` is then what should stay
    /// published.
    pub complete: bool,
}

/// The step after `current` (0-based; `None` = not started). At the last phase the last phase
/// is repeated with `complete` set, so a script publishing it changes nothing.
pub fn next_step(domain: &Domain, current: Option<usize>) -> NextStep {
    let last = domain.phases.len() - 1;
    let index = current.map_or(0, |c| (c + 1).min(last));
    NextStep { complete: current.is_some_and(|c| c >= last), ..step(domain, index) }
}

/// Publishing phase `index` (0-based, clamped to the ladder), e.g. to get back on the plan.
pub fn step(domain: &Domain, index: usize) -> NextStep {
    let index = index.min(domain.phases.len() - 1);
    let phase: &Phase = &domain.phases[index];
    let value = render(&phase.record);
    NextStep {
        domain: domain.name.to_string(),
        host: domain.dmarc_host(),
        phase: index + 1,
        phase_name: phase.name.clone(),
        zone: zone_text(&value),
        value,
        ttl: domain.ttl,
        complete: false,
    }
}

/// The first day the phase after `current` may go live: `soak_days` after `current` was
/// published.
pub fn due_date(domain: &Domain, current: usize, published: NaiveDate) -> Option<NaiveDate> {
    let soak = domain.phases.get(current)?.soak_days;
    published.checked_add_days(Days::new(soak.into()))
}
