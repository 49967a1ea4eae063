//! The folded evidence: per-domain summaries, their sources, and the corpus that collects them
//! with the files that could not be read. Pure; every collection is capped, and the detail kept
//! is charged to a memory budget ([`super::bounds`]), so that hostile reports cannot grow
//! memory without bound.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, TimeDelta};
use serde::{Serialize, Serializer};

use super::bounds::{
    Budget, Focus, MAX_DOMAINS, MAX_LISTED, MAX_TEXT_CHARS, Overflow, Repeats, Seen, cost, cut,
    insert_within,
};

/// Distinct sources kept per domain; messages from further IPs go to `other_sources`.
const MAX_SOURCES: usize = 100_000;
/// Distinct DKIM or SPF domains kept per source.
const MAX_AUTH_DOMAINS: usize = 32;
/// Distinct reporters and echoed policies kept per domain.
const MAX_REPORTERS: usize = 4096;
const MAX_POLICIES: usize = 64;
/// Days one report may cover; a longer claimed period is clipped (reports are daily in practice).
const MAX_DAYS_PER_REPORT: i64 = 366;

/// Which reports count, by the UTC day at the middle of their `date_range`; both ends inclusive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Window {
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl Window {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.since.is_none_or(|s| day >= s) && self.until.is_none_or(|u| day <= u)
    }

    fn is_unbounded(self) -> bool {
        self.since.is_none() && self.until.is_none()
    }
}

/// Message counts; "aligned pass" is what the reporter put in `policy_evaluated`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub messages: u64,
    pub dmarc_pass: u64,
    pub dkim_aligned_pass: u64,
    pub spf_aligned_pass: u64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.messages = self.messages.saturating_add(other.messages);
        self.dmarc_pass = self.dmarc_pass.saturating_add(other.dmarc_pass);
        self.dkim_aligned_pass = self.dkim_aligned_pass.saturating_add(other.dkim_aligned_pass);
        self.spf_aligned_pass = self.spf_aligned_pass.saturating_add(other.spf_aligned_pass);
    }

    pub fn failing(&self) -> u64 {
        self.messages.saturating_sub(self.dmarc_pass)
    }
}

/// An authentication result as the reporter wrote it, kept whole: `softfail` is never shown as
/// `fail`, and only `pass` names a sender.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthResult {
    #[default]
    None,
    Pass,
    Fail,
    SoftFail,
    Neutral,
    TempError,
    PermError,
    Policy,
    /// A word the report schemas do not have.
    Other,
}

impl AuthResult {
    /// Reads a `<result>` word in any case (`Pass` is sent by some receivers).
    pub fn parse(text: &str) -> Self {
        match text.trim().to_ascii_lowercase().as_str() {
            "pass" => Self::Pass,
            "fail" | "hardfail" => Self::Fail,
            "softfail" => Self::SoftFail,
            "neutral" => Self::Neutral,
            "none" => Self::None,
            "temperror" => Self::TempError,
            "permerror" => Self::PermError,
            "policy" => Self::Policy,
            _ => Self::Other,
        }
    }

    pub fn is_pass(self) -> bool {
        self == Self::Pass
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::SoftFail => "softfail",
            Self::Neutral => "neutral",
            Self::TempError => "temperror",
            Self::PermError => "permerror",
            Self::Policy => "policy",
            Self::Other => "other",
        }
    }
}

/// One sending IP. The auth domains map to their result, `pass` when they passed at least once
/// (aligned or not), which is what names a sender: a signature that fails proves nothing about
/// who sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Source {
    pub ip: String,
    pub messages: u64,
    pub dmarc_pass: u64,
    pub dkim_domains: BTreeMap<String, AuthResult>,
    pub spf_domains: BTreeMap<String, AuthResult>,
}

impl Source {
    pub fn failing(&self) -> u64 {
        self.messages.saturating_sub(self.dmarc_pass)
    }

    /// Notes an auth domain (cut to a DNS name's length) with its result: a pass wins over any
    /// other result, otherwise the first result seen stays. False when the budget left it out.
    fn note_auth(
        map: &mut BTreeMap<String, AuthResult>,
        domain: &str,
        result: AuthResult,
        budget: &mut Budget,
    ) -> bool {
        let domain = cut(domain, MAX_TEXT_CHARS);
        if let Some(seen) = map.get_mut(domain.as_ref()) {
            if result.is_pass() {
                *seen = result;
            }
        } else if map.len() < MAX_AUTH_DOMAINS {
            if !budget.take(cost::AUTH_DOMAIN + domain.len()) {
                return false;
            }
            map.insert(domain.into_owned(), result);
        }
        true
    }

    /// Estimated bytes this source holds.
    fn cost(&self) -> usize {
        let auth = self.dkim_domains.keys().chain(self.spf_domains.keys());
        cost::SOURCE + self.ip.len() + auth.map(|d| cost::AUTH_DOMAIN + d.len()).sum::<usize>()
    }

    /// Adds `other`'s counts and auth domains; returns how many auth domains did not fit.
    fn absorb(&mut self, other: Source, budget: &mut Budget) -> u64 {
        self.messages = self.messages.saturating_add(other.messages);
        self.dmarc_pass = self.dmarc_pass.saturating_add(other.dmarc_pass);
        let mut dropped = 0;
        for (d, p) in other.dkim_domains {
            dropped += u64::from(!Self::note_auth(&mut self.dkim_domains, &d, p, budget));
        }
        for (d, p) in other.spf_domains {
            dropped += u64::from(!Self::note_auth(&mut self.spf_domains, &d, p, budget));
        }
        dropped
    }
}

/// A policy as reporters echoed it in `policy_published`, with how many reports said so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EchoedPolicy {
    pub p: String,
    pub sp: Option<String>,
    pub pct: Option<u8>,
    pub reports: u64,
}

/// Everything known about one policy domain (`policy_published/domain`, lowercased).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DomainSummary {
    pub domain: String,
    pub reports: u64,
    pub records: u64,
    pub reporters: BTreeSet<String>,
    pub days_covered: u32,
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    #[serde(flatten)]
    pub counts: Counts,
    /// Messages whose `header_from` is a subdomain of the policy domain (`sp` applies to them).
    pub subdomain: Counts,
    #[serde(serialize_with = "values_as_seq")]
    pub sources: BTreeMap<String, Source>,
    /// Messages from sources beyond the per-domain cap, folded together.
    pub other_sources: Counts,
    pub policies: Vec<EchoedPolicy>,
    #[serde(skip)]
    days: BTreeSet<NaiveDate>,
}

impl DomainSummary {
    /// Sources with at least one message that failed DMARC, most failures first.
    pub fn failing_sources(&self) -> Vec<&Source> {
        let mut v: Vec<&Source> = self.sources.values().filter(|s| s.failing() > 0).collect();
        v.sort_by(|a, b| b.failing().cmp(&a.failing()).then_with(|| a.ip.cmp(&b.ip)));
        v
    }

    /// DMARC pass rate in percent, `None` without messages.
    pub fn pass_rate(&self) -> Option<f64> {
        #[expect(
            clippy::cast_precision_loss,
            reason = "a rate; message counts stay far below 2^52"
        )]
        (self.counts.messages > 0)
            .then(|| self.counts.dmarc_pass as f64 * 100.0 / self.counts.messages as f64)
    }

    /// Adds one report; what the budget cannot hold is counted in `overflow`.
    fn absorb(&mut self, r: ReportSoFar, window: Window, budget: &mut Budget, over: &mut Overflow) {
        self.reports += 1;
        self.records = self.records.saturating_add(r.records);
        let reporter = cut(&r.org_name, MAX_TEXT_CHARS).into_owned();
        if self.reporters.len() < MAX_REPORTERS || self.reporters.contains(&reporter) {
            let bytes = cost::REPORTER + reporter.len();
            over.details_dropped +=
                u64::from(!insert_within(&mut self.reporters, reporter, bytes, budget));
        }
        if let Some((begin, end)) = r.period {
            for day in days_of(begin, end).filter(|d| window.contains(*d)) {
                over.details_dropped +=
                    u64::from(!insert_within(&mut self.days, day, cost::DAY, budget));
            }
            self.days_covered = u32::try_from(self.days.len()).unwrap_or(u32::MAX);
            self.first_day = self.days.first().copied();
            self.last_day = self.days.last().copied();
        }
        self.counts.add(&r.counts);
        self.subdomain.add(&r.subdomain);
        self.other_sources.add(&r.other_sources);
        over.sources_folded += r.sources_folded;
        over.details_dropped += r.details_dropped;
        for s in r.sources.into_values() {
            merge_source(&mut self.sources, &mut self.other_sources, s, budget, over);
        }
        self.echo(r.policy, budget);
    }

    fn echo(&mut self, (p, sp, pct): (String, Option<String>, Option<u8>), budget: &mut Budget) {
        let same = |e: &&mut EchoedPolicy| e.p == p && e.sp == sp && e.pct == pct;
        if let Some(e) = self.policies.iter_mut().find(same) {
            e.reports += 1;
        } else if self.policies.len() < MAX_POLICIES
            && budget.take(cost::POLICY + p.len() + sp.as_ref().map_or(0, String::len))
        {
            let (p, sp) = (cut(&p, 16).into_owned(), sp.map(|sp| cut(&sp, 16).into_owned()));
            self.policies.push(EchoedPolicy { p, sp, pct, reports: 1 });
        }
    }
}

fn values_as_seq<S: Serializer>(m: &BTreeMap<String, Source>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(m.values())
}

/// The UTC days a period touches; an `end` at midnight belongs to the day before, because
/// Microsoft, AOL and Mail.Ru end daily reports at the next midnight.
fn days_of(begin: i64, end: i64) -> impl Iterator<Item = NaiveDate> {
    let day = |t: i64| DateTime::from_timestamp(t, 0).map(|d| d.date_naive());
    let first = day(begin);
    let last = day(end.saturating_sub(1).max(begin));
    let span = match (first, last) {
        (Some(f), Some(l)) => (l - f).num_days().clamp(0, MAX_DAYS_PER_REPORT - 1),
        _ => -1,
    };
    (0..=span).filter_map(move |i| first.and_then(|f| f.checked_add_signed(TimeDelta::days(i))))
}

/// A file that was rejected, or read with problems, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    pub path: PathBuf,
    pub reason: String,
}

/// What the reader made of a set of files.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Corpus {
    pub window: Window,
    pub domains: BTreeMap<String, DomainSummary>,
    pub files_read: u64,
    /// Files in folders that are neither reports nor named like them (a README), left alone.
    pub files_skipped: u64,
    /// Files (or attachments, or zip entries) from which nothing was counted; the first
    /// [`MAX_LISTED`], the rest counted in `overflow`.
    pub rejected_files: Vec<Rejected>,
    /// Files that were malformed but whose reports were still read.
    pub recovered_files: Vec<Rejected>,
    /// Reports seen before (same reporter, `report_id`, domain and period), counted once.
    pub duplicate_reports: Vec<Rejected>,
    pub reports_outside_window: u64,
    /// Reports for policy domains the reader was not asked about ([`Focus::only`]).
    pub reports_not_selected: u64,
    /// What limits kept from being shown in detail (all zero for real reports).
    pub overflow: Overflow,
    #[serde(skip)]
    focus: Focus,
    #[serde(skip)]
    budget: Budget,
    #[serde(skip)]
    repeats: Repeats,
    /// Domains kept that the focus does not name, against [`MAX_DOMAINS`].
    #[serde(skip)]
    unnamed_domains: usize,
}

/// What became of one finished report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Absorbed {
    Counted,
    OutsideWindow,
    Duplicate { first: String },
    NoDomain,
}

impl Corpus {
    pub fn new(window: Window) -> Self {
        Self::focused(window, Focus::default())
    }

    /// A corpus that keeps the domains `focus` asks for.
    pub fn focused(window: Window, focus: Focus) -> Self {
        Self { window, focus, ..Self::default() }
    }

    /// The same corpus with another memory budget for detail (estimated bytes; the default is
    /// [`super::bounds::MEMORY_BUDGET`]).
    pub fn with_detail_budget(mut self, bytes: usize) -> Self {
        self.budget = Budget::with_limit(bytes);
        self
    }

    pub(crate) fn reject(&mut self, path: PathBuf, reason: &str) {
        let list = &mut self.rejected_files;
        listed(list, &mut self.overflow.rejected_unlisted, path, reason);
    }

    pub(crate) fn recovered(&mut self, path: PathBuf, reason: &str) {
        let list = &mut self.recovered_files;
        listed(list, &mut self.overflow.recovered_unlisted, path, reason);
    }

    pub(crate) fn repeated(&mut self, path: PathBuf, reason: &str) {
        let list = &mut self.duplicate_reports;
        listed(list, &mut self.overflow.duplicates_unlisted, path, reason);
    }

    pub(crate) fn absorb(&mut self, r: ReportSoFar, source: &str) -> Absorbed {
        if r.domain.is_empty() {
            return Absorbed::NoDomain;
        }
        let inside = match r.period {
            Some((b, e)) => days_of(b.midpoint(e), b.midpoint(e) + 1)
                .next()
                .is_some_and(|d| self.window.contains(d)),
            None => self.window.is_unbounded(),
        };
        if !inside {
            self.reports_outside_window += 1;
            return Absorbed::OutsideWindow;
        }
        if !self.focus.wants(&r.domain) {
            // Not asked about: counted as read, not kept.
            self.reports_not_selected += 1;
            return Absorbed::Counted;
        }
        if !r.report_id.is_empty() {
            let key = (r.org_name.to_lowercase(), &r.report_id, &r.domain, r.period);
            match self.repeats.first_seen(&key, source) {
                Seen::Repeat { first } => return Absorbed::Duplicate { first },
                Seen::Unchecked => self.overflow.unchecked_for_repeats += 1,
                Seen::New => {}
            }
        }
        if !self.keeps(&r.domain) {
            self.overflow.unlisted_domain_reports += 1;
            self.overflow.unlisted_domain_messages =
                self.overflow.unlisted_domain_messages.saturating_add(r.counts.messages);
            return Absorbed::Counted;
        }
        let window = self.window;
        let summary = self.domains.entry(r.domain.clone()).or_insert_with(|| DomainSummary {
            domain: r.domain.clone(),
            ..DomainSummary::default()
        });
        summary.absorb(r, window, &mut self.budget, &mut self.overflow);
        Absorbed::Counted
    }

    /// Whether reports for `domain` are kept: it is kept already, named, or new within the cap
    /// on domains and the memory budget (which it is then charged).
    fn keeps(&mut self, domain: &str) -> bool {
        if self.domains.contains_key(domain) {
            return true;
        }
        let bytes = cost::DOMAIN + domain.len();
        if self.focus.names(domain) {
            self.budget.force(bytes);
            return true;
        }
        let keep = self.unnamed_domains < MAX_DOMAINS && self.budget.take(bytes);
        self.unnamed_domains += usize::from(keep);
        keep
    }
}

/// Keeps the first [`MAX_LISTED`] entries of a list and counts the rest.
fn listed(list: &mut Vec<Rejected>, unlisted: &mut u64, path: PathBuf, reason: &str) {
    if list.len() < MAX_LISTED {
        list.push(Rejected { path, reason: cut(reason, MAX_TEXT_CHARS * 2).into_owned() });
    } else {
        *unlisted += 1;
    }
}

/// One report as it is being folded: totals and per-IP sources, never its records.
#[derive(Debug, Default)]
pub(crate) struct ReportSoFar {
    pub org_name: String,
    pub report_id: String,
    pub period: Option<(i64, i64)>,
    pub domain: String,
    pub policy: (String, Option<String>, Option<u8>),
    pub records: u64,
    pub counts: Counts,
    pub subdomain: Counts,
    pub sources: BTreeMap<String, Source>,
    pub other_sources: Counts,
    /// What this report's sources may hold while it is read.
    budget: Budget,
    sources_folded: u64,
    details_dropped: u64,
}

impl ReportSoFar {
    /// Adds one record's source, in place when the IP was seen before in this report.
    pub(crate) fn add_source(
        &mut self,
        ip: String,
        messages: u64,
        dmarc_pass: u64,
        dkim: Vec<(String, AuthResult)>,
        spf: Vec<(String, AuthResult)>,
    ) {
        let room = self.sources.len() < MAX_SOURCES;
        let budget = &mut self.budget;
        let source = match self.sources.entry(ip) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) if room && budget.take(cost::SOURCE + v.key().len()) => {
                let ip = v.key().clone();
                v.insert(Source { ip, ..Source::default() })
            }
            Entry::Vacant(_) => {
                let other = &mut self.other_sources;
                other.messages = other.messages.saturating_add(messages);
                other.dmarc_pass = other.dmarc_pass.saturating_add(dmarc_pass);
                self.sources_folded += 1;
                return;
            }
        };
        source.messages = source.messages.saturating_add(messages);
        source.dmarc_pass = source.dmarc_pass.saturating_add(dmarc_pass);
        for (d, p) in dkim {
            let kept = Source::note_auth(&mut source.dkim_domains, &d, p, budget);
            self.details_dropped += u64::from(!kept);
        }
        for (d, p) in spf {
            let kept = Source::note_auth(&mut source.spf_domains, &d, p, budget);
            self.details_dropped += u64::from(!kept);
        }
    }
}

/// Adds a source to a capped per-IP map; past the cap or the budget its messages are only
/// counted.
fn merge_source(
    sources: &mut BTreeMap<String, Source>,
    other: &mut Counts,
    s: Source,
    budget: &mut Budget,
    over: &mut Overflow,
) {
    if let Some(have) = sources.get_mut(&s.ip) {
        over.details_dropped += have.absorb(s, budget);
    } else if sources.len() < MAX_SOURCES && budget.take(s.cost()) {
        sources.insert(s.ip.clone(), s);
    } else {
        other.messages = other.messages.saturating_add(s.messages);
        other.dmarc_pass = other.dmarc_pass.saturating_add(s.dmarc_pass);
        over.sources_folded += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn a_period_ending_at_midnight_does_not_cover_the_next_day() {
        // 2024-03-30 00:00 .. 2024-03-31 00:00
        let days: Vec<_> = days_of(1_711_756_800, 1_711_843_200).collect();
        assert_eq!(days, vec![d("2024-03-30")]);
    }

    #[test]
    fn a_zero_length_period_covers_its_day() {
        let days: Vec<_> = days_of(1_538_413_632, 1_538_413_632).collect();
        assert_eq!(days, vec![d("2018-10-01")]);
    }

    #[test]
    fn an_absurd_period_is_clipped_to_a_year() {
        assert_eq!(days_of(0, i64::from(u32::MAX)).count(), 366);
    }
}
