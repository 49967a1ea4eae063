//! The limits that keep report reading bounded in memory and output whatever is mailed in: the
//! rua address is public, so anyone can put files in the mailbox this tool reads. A memory
//! budget for the detail kept (domains, sources, auth domains, reporters, days), a cap on the
//! policy domains listed, lists of files kept to [`MAX_LISTED`] and counted beyond, repeats
//! found through hashes instead of kept keys, names cut, and one XML event held at a time up to
//! [`MAX_EVENT_BYTES`]. What a limit stops is still counted, and said. Pure.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasher, RandomState};
use std::io::{self, BufRead, Read};

use crate::name::DnsName;
use serde::Serialize;

/// Estimated bytes of per-domain detail a corpus keeps, and again one report being read.
/// Totals (messages, passes) are always exact; past the budget new sources are folded into
/// `other_sources` and new reporter names, days and auth domains are not recorded.
pub const MEMORY_BUDGET: usize = 64 << 20;
/// Policy domains kept beyond those asked for by name (a plan's, `--domain`); reports for
/// further domains are counted, not listed.
pub const MAX_DOMAINS: usize = 10_000;
/// Entries kept in each list of rejected, recovered and repeated files; the rest are counted.
pub const MAX_LISTED: usize = 1_000;
/// Distinct reports remembered to count a repeat once (a hash each, not the key).
pub const MAX_REMEMBERED: usize = 2_000_000;
/// Bytes of one XML tag or text node; a report's values are a few dozen bytes.
pub const MAX_EVENT_BYTES: usize = 1 << 20;
/// Characters kept of a name taken from inside a file (zip entry, attachment file name).
pub const MAX_NAME_CHARS: usize = 100;
/// Characters kept of a reason, an auth domain or a reporter name.
pub const MAX_TEXT_CHARS: usize = 253;
/// File labels remembered to name the first copy of a repeated report.
const MAX_LABELS: usize = 100_000;

/// Estimated heap bytes of what a summary keeps: the string's length plus this.
pub(crate) mod cost {
    pub const DOMAIN: usize = 1024;
    pub const SOURCE: usize = 256;
    pub const AUTH_DOMAIN: usize = 64;
    pub const REPORTER: usize = 64;
    pub const DAY: usize = 32;
    pub const POLICY: usize = 96;
}

/// `text` cut to `max` characters, with `…` where it was cut.
pub fn cut(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((end, _)) => Cow::Owned(format!("{}…", &text[..end])),
    }
}

/// Estimated bytes held, against a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Budget {
    held: usize,
    limit: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Self { held: 0, limit: MEMORY_BUDGET }
    }
}

impl Budget {
    pub(crate) fn with_limit(limit: usize) -> Self {
        Self { held: 0, limit }
    }

    /// Takes `bytes` if they fit; false (and nothing taken) when they do not.
    pub(crate) fn take(&mut self, bytes: usize) -> bool {
        match self.held.checked_add(bytes) {
            Some(held) if held <= self.limit => {
                self.held = held;
                true
            }
            _ => false,
        }
    }

    /// Takes `bytes` even past the limit (a domain asked for by name is always kept).
    pub(crate) fn force(&mut self, bytes: usize) {
        self.held = self.held.saturating_add(bytes);
    }
}

/// Which policy domains a reader keeps: only some (`--domain`, a plan's evidence), and those
/// kept whatever the cap (the plan's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Focus {
    /// Keep only these domains (lowercase, no trailing dot); reports for others are counted in
    /// `reports_not_selected`. `None`: every domain.
    pub only: Option<BTreeSet<String>>,
    /// Domains kept even past [`MAX_DOMAINS`].
    pub named: BTreeSet<String>,
}

impl Focus {
    /// Only these domains, each kept whatever the cap.
    pub fn only<S: AsRef<str>>(domains: impl IntoIterator<Item = S>) -> Self {
        let named: BTreeSet<String> =
            domains.into_iter().map(|d| DnsName::lenient(d.as_ref()).into()).collect();
        Self { only: Some(named.clone()), named }
    }

    /// Every domain, these first.
    pub fn named_first<S: AsRef<str>>(domains: impl IntoIterator<Item = S>) -> Self {
        Self {
            only: None,
            named: domains.into_iter().map(|d| DnsName::lenient(d.as_ref()).into()).collect(),
        }
    }

    pub(crate) fn wants(&self, domain: &str) -> bool {
        self.only.as_ref().is_none_or(|only| only.contains(domain))
    }

    pub(crate) fn names(&self, domain: &str) -> bool {
        self.named.contains(domain)
    }
}

/// What was counted but not kept in detail because a limit was reached. All zero for any
/// corpus of real reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Overflow {
    /// Reports for policy domains past the first [`MAX_DOMAINS`], and their messages.
    pub unlisted_domain_reports: u64,
    pub unlisted_domain_messages: u64,
    /// Sources folded into `other_sources` because the memory budget was spent.
    pub sources_folded: u64,
    /// Reporter names, days and auth domains not recorded because the memory budget was spent.
    pub details_dropped: u64,
    /// Reports not checked for repeats, past [`MAX_REMEMBERED`] remembered ones.
    pub unchecked_for_repeats: u64,
    /// Entries past [`MAX_LISTED`] in `rejected_files`, `recovered_files`, `duplicate_reports`.
    pub rejected_unlisted: u64,
    pub recovered_unlisted: u64,
    pub duplicates_unlisted: u64,
}

impl Overflow {
    /// One sentence per limit that was reached, for a person.
    pub fn findings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.unlisted_domain_reports > 0 {
            out.push(format!(
                "{} report(s) with {} message(s) for policy domains past the first {MAX_DOMAINS} \
                 were counted but are not shown",
                self.unlisted_domain_reports, self.unlisted_domain_messages
            ));
        }
        if self.sources_folded > 0 || self.details_dropped > 0 {
            out.push(format!(
                "the memory limit for report details ({} MiB) was reached: {} source(s) were \
                 counted under other_sources and {} reporter name(s), day(s) or auth domain(s) \
                 were not recorded; the message totals are complete",
                MEMORY_BUDGET >> 20,
                self.sources_folded,
                self.details_dropped
            ));
        }
        if self.unchecked_for_repeats > 0 {
            out.push(format!(
                "{} report(s) past the first {MAX_REMEMBERED} were not checked for repeats",
                self.unchecked_for_repeats
            ));
        }
        out
    }
}

/// Reports already counted, by a hash of their key (reporter, id, domain, period) and the file
/// that held the first copy. The hasher is seeded per process, so a sender cannot make a
/// report collide with another on purpose.
#[derive(Debug, Clone, Default)]
pub(crate) struct Repeats {
    seen: HashMap<u64, u32>,
    labels: Vec<String>,
    hasher: RandomState,
}

impl PartialEq for Repeats {
    fn eq(&self, other: &Self) -> bool {
        self.seen.len() == other.seen.len() && self.labels == other.labels
    }
}

/// What [`Repeats::first_seen`] found.
pub(crate) enum Seen {
    New,
    Repeat { first: String },
    Unchecked,
}

impl Repeats {
    pub(crate) fn first_seen(&mut self, key: &impl std::hash::Hash, source: &str) -> Seen {
        let hash = self.hasher.hash_one(key);
        if let Some(&label) = self.seen.get(&hash) {
            let first = self
                .labels
                .get(label as usize)
                .map_or_else(|| "an earlier file".to_owned(), Clone::clone);
            return Seen::Repeat { first };
        }
        if self.seen.len() >= MAX_REMEMBERED {
            return Seen::Unchecked;
        }
        let label = self.label(source);
        self.seen.insert(hash, label);
        Seen::New
    }

    /// The index of `source` in the labels (reports of one file come one after another).
    fn label(&mut self, source: &str) -> u32 {
        if self.labels.last().is_some_and(|l| l == source) {
            return u32::try_from(self.labels.len() - 1).unwrap_or(u32::MAX);
        }
        if self.labels.len() >= MAX_LABELS {
            return u32::MAX;
        }
        self.labels.push(source.to_owned());
        u32::try_from(self.labels.len() - 1).unwrap_or(u32::MAX)
    }
}

/// A reader that holds one XML event to [`MAX_EVENT_BYTES`]: the XML reader copies a whole tag
/// or text node into memory before handing it over, so a 250 MB text node would cost twice
/// that. The fold calls [`EventBound::next_event`] after each event.
pub(crate) struct EventBound<R> {
    inner: R,
    left: usize,
}

impl<R> EventBound<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self { inner, left: MAX_EVENT_BYTES }
    }

    pub(crate) fn next_event(&mut self) {
        self.left = MAX_EVENT_BYTES;
    }
}

fn too_long() -> io::Error {
    io::Error::other(format!(
        "an XML tag or text longer than {} MiB (a report's values are short)",
        MAX_EVENT_BYTES >> 20
    ))
}

impl<R: BufRead> Read for EventBound<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for EventBound<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.left == 0 {
            return Err(too_long());
        }
        let left = self.left;
        self.inner.fill_buf().map(|b| &b[..b.len().min(left)])
    }

    fn consume(&mut self, amount: usize) {
        self.left = self.left.saturating_sub(amount);
        self.inner.consume(amount);
    }
}

/// Sets in `set` are kept only while they fit the budget; `true` when `item` is (now) in it.
pub(crate) fn insert_within<T: Ord>(
    set: &mut BTreeSet<T>,
    item: T,
    bytes: usize,
    budget: &mut Budget,
) -> bool {
    if set.contains(&item) {
        return true;
    }
    if budget.take(bytes) {
        set.insert(item);
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_at_a_character_with_an_ellipsis() {
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("ééééé", 3), "ééé…");
    }

    #[test]
    fn a_budget_refuses_what_does_not_fit_and_keeps_what_does() {
        let mut b = Budget::with_limit(10);
        assert!(b.take(6));
        assert!(!b.take(5));
        assert!(b.take(4));
        assert!(!b.take(usize::MAX));
    }

    #[test]
    fn one_event_longer_than_the_bound_is_an_error_and_shorter_ones_pass() {
        let text = vec![b'a'; MAX_EVENT_BYTES + 1];
        let mut r = EventBound::new(text.as_slice());
        let mut sink = Vec::new();
        let err = r.read_to_end(&mut sink).expect_err("too long");
        assert!(err.to_string().contains("longer than 1 MiB"), "{err}");
        let mut r = EventBound::new(text.as_slice());
        let mut half = vec![0; MAX_EVENT_BYTES / 2];
        r.read_exact(&mut half).expect("first half");
        r.next_event();
        r.read_exact(&mut half).expect("second half, a new event");
    }

    #[test]
    fn a_repeat_names_the_file_of_the_first_copy() {
        let mut r = Repeats::default();
        assert!(matches!(r.first_seen(&("a", 1), "one.xml"), Seen::New));
        assert!(matches!(r.first_seen(&("b", 1), "two.xml"), Seen::New));
        match r.first_seen(&("a", 1), "three.xml") {
            Seen::Repeat { first } => assert_eq!(first, "one.xml"),
            _ => panic!("a repeat"),
        }
    }
}
