//! The folded evidence: per-domain summaries, their sources, and the corpus that collects them
//! with the files that could not be read. Pure; every collection is capped so that hostile
//! reports cannot grow memory without bound.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, TimeDelta};
use serde::{Serialize, Serializer};

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

    /// A pass wins over any other result; otherwise the first result seen stays.
    fn note_auth(map: &mut BTreeMap<String, AuthResult>, domain: String, result: AuthResult) {
        if let Some(seen) = map.get_mut(&domain) {
            if result.is_pass() {
                *seen = result;
            }
        } else if map.len() < MAX_AUTH_DOMAINS {
            map.insert(domain, result);
        }
    }

    fn absorb(&mut self, other: Source) {
        self.messages = self.messages.saturating_add(other.messages);
        self.dmarc_pass = self.dmarc_pass.saturating_add(other.dmarc_pass);
        for (d, p) in other.dkim_domains {
            Self::note_auth(&mut self.dkim_domains, d, p);
        }
        for (d, p) in other.spf_domains {
            Self::note_auth(&mut self.spf_domains, d, p);
        }
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

    fn absorb(&mut self, r: ReportSoFar, window: Window) {
        self.reports += 1;
        self.records = self.records.saturating_add(r.records);
        if self.reporters.len() < MAX_REPORTERS || self.reporters.contains(&r.org_name) {
            self.reporters.insert(r.org_name);
        }
        if let Some((begin, end)) = r.period {
            self.days.extend(days_of(begin, end).filter(|d| window.contains(*d)));
            self.days_covered = u32::try_from(self.days.len()).unwrap_or(u32::MAX);
            self.first_day = self.days.first().copied();
            self.last_day = self.days.last().copied();
        }
        self.counts.add(&r.counts);
        self.subdomain.add(&r.subdomain);
        self.other_sources.add(&r.other_sources);
        for s in r.sources.into_values() {
            merge_source(&mut self.sources, &mut self.other_sources, s);
        }
        self.echo(r.policy);
    }

    fn echo(&mut self, (p, sp, pct): (String, Option<String>, Option<u8>)) {
        let same = |e: &&mut EchoedPolicy| e.p == p && e.sp == sp && e.pct == pct;
        if let Some(e) = self.policies.iter_mut().find(same) {
            e.reports += 1;
        } else if self.policies.len() < MAX_POLICIES {
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
    /// Files (or attachments, or zip entries) from which nothing was counted.
    pub rejected_files: Vec<Rejected>,
    /// Files that were malformed but whose reports were still read.
    pub recovered_files: Vec<Rejected>,
    /// Reports seen before (same reporter, `report_id`, domain and period), counted once.
    pub duplicate_reports: Vec<Rejected>,
    pub reports_outside_window: u64,
    #[serde(skip)]
    seen: HashMap<ReportKey, String>,
}

type ReportKey = (String, String, String, Option<(i64, i64)>);

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
        Self { window, ..Self::default() }
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
        if !r.report_id.is_empty() {
            let key = (r.org_name.to_lowercase(), r.report_id.clone(), r.domain.clone(), r.period);
            if let Some(first) = self.seen.get(&key) {
                return Absorbed::Duplicate { first: first.clone() };
            }
            self.seen.insert(key, source.to_owned());
        }
        let window = self.window;
        let summary = self.domains.entry(r.domain.clone()).or_insert_with(|| DomainSummary {
            domain: r.domain.clone(),
            ..DomainSummary::default()
        });
        summary.absorb(r, window);
        Absorbed::Counted
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
        let source = match self.sources.entry(ip) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) if room => {
                let ip = v.key().clone();
                v.insert(Source { ip, ..Source::default() })
            }
            Entry::Vacant(_) => {
                let other = &mut self.other_sources;
                other.messages = other.messages.saturating_add(messages);
                other.dmarc_pass = other.dmarc_pass.saturating_add(dmarc_pass);
                return;
            }
        };
        source.messages = source.messages.saturating_add(messages);
        source.dmarc_pass = source.dmarc_pass.saturating_add(dmarc_pass);
        for (d, p) in dkim {
            Source::note_auth(&mut source.dkim_domains, d, p);
        }
        for (d, p) in spf {
            Source::note_auth(&mut source.spf_domains, d, p);
        }
    }
}

/// Adds a source to a capped per-IP map; past the cap its messages are only counted.
fn merge_source(sources: &mut BTreeMap<String, Source>, other: &mut Counts, s: Source) {
    if let Some(have) = sources.get_mut(&s.ip) {
        have.absorb(s);
    } else if sources.len() < MAX_SOURCES {
        sources.insert(s.ip.clone(), s);
    } else {
        other.messages = other.messages.saturating_add(s.messages);
        other.dmarc_pass = other.dmarc_pass.saturating_add(s.dmarc_pass);
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
