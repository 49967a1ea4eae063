//! Many domains at a glance: the marks each decision carries (its verdict, and whether it
//! drifts or is overdue), the counts `status` ends with and the TUI's header shows, and the
//! filter behind `status --only`. Pure; it reads [`Advice`] and decides nothing of its own.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::advice::{Advice, Position, Verdict};

/// What a domain can be picked out by. Every domain has exactly one verdict mark; `Drift` and
/// `Overdue` come on top of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Done,
    Ready,
    Blocked,
    Hold,
    Unknown,
    /// The live record matches no phase of the plan.
    Drift,
    /// The next step's due date has passed and the last phase is not live.
    Overdue,
}

impl Mark {
    /// In the order the summary line lists them.
    pub const ALL: [Mark; 7] = [
        Mark::Done,
        Mark::Ready,
        Mark::Blocked,
        Mark::Hold,
        Mark::Unknown,
        Mark::Drift,
        Mark::Overdue,
    ];

    pub fn word(self) -> &'static str {
        match self {
            Mark::Done => "done",
            Mark::Ready => "ready",
            Mark::Blocked => "blocked",
            Mark::Hold => "hold",
            Mark::Unknown => "unknown",
            Mark::Drift => "drift",
            Mark::Overdue => "overdue",
        }
    }

    fn of_verdict(verdict: Verdict) -> Mark {
        match verdict {
            Verdict::Done => Mark::Done,
            Verdict::Ready => Mark::Ready,
            Verdict::Blocked => Mark::Blocked,
            Verdict::Hold => Mark::Hold,
            Verdict::Unknown => Mark::Unknown,
        }
    }
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

impl FromStr for Mark {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mark::ALL.into_iter().find(|m| m.word() == s).ok_or_else(|| {
            let words: Vec<&str> = Mark::ALL.iter().map(|m| m.word()).collect();
            format!("'{s}' is not a mark; use one of {}", words.join(", "))
        })
    }
}

/// The marks of one decision: its verdict first, then drift and overdue when they apply.
pub fn marks(advice: &Advice) -> Vec<Mark> {
    each_mark(advice).collect()
}

/// [`marks`] without a vector: the TUI counts them over every domain on every frame.
fn each_mark(advice: &Advice) -> impl Iterator<Item = Mark> {
    let drift = matches!(advice.position, Position::Drift { .. });
    let overdue = advice.due.is_some_and(|due| due.in_days < 0) && advice.verdict != Verdict::Done;
    std::iter::once(Mark::of_verdict(advice.verdict))
        .chain(drift.then_some(Mark::Drift))
        .chain(overdue.then_some(Mark::Overdue))
}

/// Whether a decision carries any of `wanted` (an empty list wants every domain).
pub fn wanted(advice: &Advice, wanted: &[Mark]) -> bool {
    wanted.is_empty() || each_mark(advice).any(|m| wanted.contains(&m))
}

/// Counts per mark over many domains; those whose lookups have not finished count as pending,
/// never as unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    domains: usize,
    pending: usize,
    counts: [usize; Mark::ALL.len()],
}

impl Tally {
    /// Counts one domain: `None` while its decision is not made yet.
    pub fn add(&mut self, advice: Option<&Advice>) {
        self.domains += 1;
        match advice {
            None => self.pending += 1,
            Some(advice) => {
                for mark in each_mark(advice) {
                    self.counts[mark as usize] += 1;
                }
            }
        }
    }

    pub fn count(&self, mark: Mark) -> usize {
        self.counts[mark as usize]
    }

    pub fn domains(&self) -> usize {
        self.domains
    }

    pub fn pending(&self) -> usize {
        self.pending
    }
}

impl<'a> FromIterator<Option<&'a Advice>> for Tally {
    fn from_iter<I: IntoIterator<Item = Option<&'a Advice>>>(iter: I) -> Self {
        let mut tally = Tally::default();
        iter.into_iter().for_each(|advice| tally.add(advice));
        tally
    }
}

/// `15 domains: 2 done, 9 ready, 3 blocked, 1 unknown; 1 drift, 2 overdue`: marks that no
/// domain carries are left out.
impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let noun = if self.domains == 1 { "domain" } else { "domains" };
        write!(f, "{} {noun}", self.domains)?;
        let verdicts = Mark::ALL[..5].iter().map(|&m| (self.count(m), m.word()));
        let pending = std::iter::once((self.pending, "pending"));
        let first: Vec<String> = verdicts
            .chain(pending)
            .filter(|(n, _)| *n > 0)
            .map(|(n, word)| format!("{n} {word}"))
            .collect();
        let flags: Vec<String> = Mark::ALL[5..]
            .iter()
            .filter(|&&m| self.count(m) > 0)
            .map(|&m| format!("{} {m}", self.count(m)))
            .collect();
        if !first.is_empty() {
            write!(f, ": {}", first.join(", "))?;
        }
        if !flags.is_empty() {
            write!(f, "; {}", flags.join(", "))?;
        }
        Ok(())
    }
}

/// How a list of many domains is put in order. Every order keeps the domains still being
/// looked up last, and domains that rank the same in the plan's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// As the plan lists them.
    #[default]
    Plan,
    /// By name, `a` to `z`.
    Name,
    /// The most overdue first, then the soonest due; domains with nothing due after them.
    Due,
    /// What needs the admin first: blocked, unknown, ready, hold, then done.
    Verdict,
}

impl Order {
    /// In the order a key cycles through them.
    pub const ALL: [Order; 4] = [Order::Plan, Order::Name, Order::Due, Order::Verdict];

    pub fn word(self) -> &'static str {
        match self {
            Order::Plan => "plan",
            Order::Name => "name",
            Order::Due => "due",
            Order::Verdict => "verdict",
        }
    }

    /// The order after this one, back to the plan's after the last.
    pub fn next(self) -> Order {
        let at = Order::ALL.iter().position(|&o| o == self).unwrap_or(0);
        Order::ALL[(at + 1) % Order::ALL.len()]
    }

    /// The positions in `domains` (name and decision, `None` while pending) in this order.
    /// Stable: ties keep the order they came in.
    pub fn arrange(self, domains: &[(&str, Option<&Advice>)]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..domains.len()).collect();
        match self {
            Order::Plan => {}
            Order::Name => order.sort_by_key(|&i| domains[i].0),
            // Each rank read once per domain, not once per comparison: the decisions live
            // apart from the list, and 10,000 of them are sorted on every frame.
            Order::Due => order.sort_by_cached_key(|&i| due_rank(domains[i].1)),
            Order::Verdict => order.sort_by_cached_key(|&i| verdict_rank(domains[i].1)),
        }
        order
    }
}

/// Overdue first (most days late first), then due soonest; no due date after those (done,
/// unknown, nothing recorded), pending last.
fn due_rank(advice: Option<&Advice>) -> (u8, i64) {
    match advice {
        Some(Advice { due: Some(due), verdict, .. }) if *verdict != Verdict::Done => {
            (0, due.in_days)
        }
        Some(_) => (1, 0),
        None => (2, 0),
    }
}

/// Blocked and unknown need fixing, ready needs publishing, hold needs waiting, done nothing;
/// pending is not known yet.
fn verdict_rank(advice: Option<&Advice>) -> u8 {
    match advice.map(|a| a.verdict) {
        Some(Verdict::Blocked) => 0,
        Some(Verdict::Unknown) => 1,
        Some(Verdict::Ready) => 2,
        Some(Verdict::Hold) => 3,
        Some(Verdict::Done) => 4,
        None => 5,
    }
}
