//! SPF records (RFC 7208): parse a record into terms with spans and judge what the text alone
//! shows, pick the one SPF record from an apex TXT set, and compare includes with a plan. The
//! recursive lookup count lives in `walk`, driven by a caller that owns the DNS. Pure.

mod macros;
mod term;
mod tree;
mod walk;

use std::ops::Range;

use serde::Serialize;

use super::finding::Finding;
use super::render::floor_char_boundary;
use crate::name::DnsName;

pub use tree::{NodeOutcome, SpfNode, render_tree};
pub use walk::{Query, QueryKind, Reply, SpfReport, SpfWalk};

/// The qualifier in front of a mechanism (RFC 7208 §4.6.2); `Pass` when none is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Qualifier {
    Pass,
    Fail,
    SoftFail,
    Neutral,
}

impl Qualifier {
    fn from_byte(b: u8) -> Option<Self> {
        match b {
            b'+' => Some(Self::Pass),
            b'-' => Some(Self::Fail),
            b'~' => Some(Self::SoftFail),
            b'?' => Some(Self::Neutral),
            _ => None,
        }
    }
}

/// What a term is: one of the eight mechanisms (RFC 7208 §5), a modifier (§6), or unreadable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TermKind {
    All,
    Include,
    A,
    Mx,
    Ptr,
    Ip4,
    Ip6,
    Exists,
    Redirect,
    Exp,
    /// A modifier this tool does not know; receivers ignore it (RFC 7208 §6).
    OtherModifier(String),
    /// Not a valid mechanism or modifier; receivers give permerror.
    Unknown,
}

impl TermKind {
    /// True for the terms that cost one DNS lookup against the limit of 10 (RFC 7208 §4.6.4).
    pub fn costs_lookup(&self) -> bool {
        matches!(
            self,
            Self::Include | Self::A | Self::Mx | Self::Ptr | Self::Exists | Self::Redirect
        )
    }

    pub fn is_mechanism(&self) -> bool {
        !matches!(self, Self::Redirect | Self::Exp | Self::OtherModifier(_))
    }
}

/// One term of a record, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    pub kind: TermKind,
    /// The written qualifier; `None` means the default `+`. Always `None` for modifiers.
    pub qualifier: Option<Qualifier>,
    /// The domain-spec, IP network or modifier value, when written.
    pub target: Option<String>,
    /// IPv4 prefix length (`ip4`, `a`, `mx`).
    pub cidr4: Option<u8>,
    /// IPv6 prefix length (`ip6`, `a//n`, `mx//n`).
    pub cidr6: Option<u8>,
    /// Where the whole term sits in the record text.
    pub span: Range<usize>,
}

impl Term {
    pub fn effective_qualifier(&self) -> Qualifier {
        self.qualifier.unwrap_or(Qualifier::Pass)
    }
}

/// A record's terms and what its text alone shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpfParsed {
    /// False when the text does not start with `v=spf1` and a space (or end): not SPF at all.
    pub is_spf: bool,
    pub terms: Vec<Term>,
    pub findings: Vec<Finding>,
}

impl SpfParsed {
    /// The terms a receiver evaluates: mechanisms up to `all`, plus `redirect` only when there is
    /// no `all` (RFC 7208 §5.1, §6.1), in record order.
    pub fn evaluated_terms(&self) -> impl Iterator<Item = &Term> {
        let all_at = self.terms.iter().position(|t| t.kind == TermKind::All);
        self.terms
            .iter()
            .enumerate()
            .filter(move |(i, t)| match (&t.kind, all_at) {
                (TermKind::Redirect, Some(_)) => false,
                (k, Some(at)) if k.is_mechanism() => *i <= at,
                _ => true,
            })
            .map(|(_, t)| t)
    }

    /// DNS lookups this record costs by itself, without its includes' records.
    pub fn own_lookups(&self) -> u32 {
        let n = self.evaluated_terms().filter(|t| t.kind.costs_lookup()).count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// Parses an SPF record (the TXT strings already joined) and judges its text.
pub fn parse_spf(text: &str) -> SpfParsed {
    let mut findings = Vec::new();
    let body_start = text.len() - text.trim_start().len();
    if body_start > 0 {
        findings.push(Finding::error(
            "spf.leading_whitespace",
            0..body_start,
            "the record starts with whitespace, so receivers do not see it as SPF; remove it",
        ));
    }
    let body = &text[body_start..];
    if !starts_with_version(body) {
        findings.push(Finding::error(
            "spf.not_spf",
            body_start..body_start + floor_char_boundary(body, 7),
            "an SPF record starts with 'v=spf1' followed by a space",
        ));
        return SpfParsed { is_spf: false, terms: Vec::new(), findings };
    }
    let terms = split_terms(text, body_start + 6, &mut findings);
    check_record(&terms, &mut findings);
    check_repeats(&terms, &mut findings);
    check_size(text, &mut findings);
    SpfParsed { is_spf: true, terms, findings }
}

/// Splits on spaces (the only separator RFC 7208 §4.6.1 allows) and parses each term.
fn split_terms(text: &str, from: usize, findings: &mut Vec<Finding>) -> Vec<Term> {
    let mut terms = Vec::new();
    let mut offset = from;
    for piece in text[from..].split(' ') {
        if !piece.is_empty() {
            terms.push(term::parse_term(piece, offset, findings));
        }
        offset += piece.len() + 1;
    }
    terms
}

/// Whole-record rules: `all` and `redirect` placement, `ptr`.
fn check_record(terms: &[Term], findings: &mut Vec<Finding>) {
    let all = terms.iter().position(|t| t.kind == TermKind::All);
    let redirect = terms.iter().find(|t| t.kind == TermKind::Redirect);
    if let Some(at) = all {
        judge_all(&terms[at], findings);
        if let Some(after) = terms[at + 1..].iter().find(|t| t.kind.is_mechanism()) {
            findings.push(Finding::warning(
                "spf.terms_after_all",
                after.span.start..terms.last().map_or(after.span.end, |t| t.span.end),
                "mechanisms after 'all' are never evaluated; move them before 'all' or remove them",
            ));
        }
        if let Some(r) = redirect {
            findings.push(Finding::warning(
                "spf.redirect_ignored",
                r.span.clone(),
                "'redirect' is ignored because the record has 'all'; keep one of the two",
            ));
        }
    } else if redirect.is_none() {
        let end = terms.last().map_or(0, |t| t.span.end);
        findings.push(Finding::warning(
            "spf.no_all",
            end..end,
            "no 'all' and no 'redirect': unlisted senders get 'neutral'; end with '-all' or '~all'",
        ));
    }
    for t in terms.iter().filter(|t| t.kind == TermKind::Ptr) {
        findings.push(Finding::warning(
            "spf.ptr",
            t.span.clone(),
            "'ptr' is slow and unreliable and SHOULD NOT be published (RFC 7208 §5.5); list the IPs",
        ));
    }
}

/// Terms written twice: `redirect`/`exp` (permerror) and the same include (a wasted lookup).
fn check_repeats(terms: &[Term], findings: &mut Vec<Finding>) {
    for name in [TermKind::Redirect, TermKind::Exp] {
        if let Some(second) = terms.iter().filter(|t| t.kind == name).nth(1) {
            findings.push(Finding::error(
                "spf.duplicate_modifier",
                second.span.clone(),
                "'redirect' and 'exp' may appear only once; receivers give permerror",
            ));
        }
    }
    let mut seen = Vec::new();
    for t in terms.iter().filter(|t| t.kind == TermKind::Include) {
        let Some(target) = t.target.as_deref().map(DnsName::lenient) else { continue };
        if seen.contains(&target) {
            findings.push(Finding::warning(
                "spf.duplicate_include",
                t.span.clone(),
                "the same include twice costs a second lookup for nothing; remove one",
            ));
        } else {
            seen.push(target);
        }
    }
}

fn judge_all(all: &Term, findings: &mut Vec<Finding>) {
    match all.effective_qualifier() {
        Qualifier::Pass => findings.push(Finding::error(
            "spf.pass_all",
            all.span.clone(),
            "'+all' (or a bare 'all') lets any host on the internet pass SPF; use '-all' or '~all'",
        )),
        Qualifier::Neutral => findings.push(Finding::warning(
            "spf.neutral_all",
            all.span.clone(),
            "'?all' says nothing about unlisted senders; use '-all' or '~all'",
        )),
        Qualifier::Fail | Qualifier::SoftFail => {}
    }
}

/// Length limits of RFC 7208 §3.3 (one string) and §3.4 (one UDP answer).
fn check_size(text: &str, findings: &mut Vec<Finding>) {
    let len = text.len();
    let finding = if len > 512 {
        Finding::warning(
            "spf.over_512_bytes",
            0..len,
            format!(
                "{len} bytes: the answer will not fit in 512-byte UDP; shorten it with fewer terms or includes"
            ),
        )
    } else if len > 450 {
        Finding::warning(
            "spf.over_450_bytes",
            0..len,
            format!(
                "{len} bytes: RFC 7208 §3.4 advises staying under 450 so the answer fits in UDP"
            ),
        )
    } else if len > 255 {
        Finding::info(
            "spf.over_255_bytes",
            0..len,
            format!("{len} bytes: publish it as several strings of at most 255 bytes each"),
        )
    } else {
        return;
    };
    findings.push(finding);
}

/// Which TXT record at a name is the SPF record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpfSelection {
    /// The one SPF record, when there is exactly one.
    pub record: Option<String>,
    /// How many TXT records are SPF records.
    pub count: usize,
    /// Spans are empty: these findings are about the record set, not one text.
    pub findings: Vec<Finding>,
}

/// Picks the SPF record from a name's TXT records (RFC 7208 §4.5).
pub fn select_spf(txts: &[String]) -> SpfSelection {
    let spf: Vec<&String> = txts.iter().filter(|t| starts_with_version(t)).collect();
    let mut findings: Vec<Finding> = txts
        .iter()
        .filter(|t| !starts_with_version(t) && looks_like_spf(t.trim_start()))
        .map(|t| {
            Finding::warning(
                "spf.discarded_record",
                0..0,
                format!("'{}' looks like SPF but receivers discard it (leading space or no space after v=spf1)", preview(t)),
            )
        })
        .collect();
    match spf.len() {
        0 => findings.push(Finding::warning(
            "spf.no_record",
            0..0,
            "no SPF record: SPF gives 'none', so DMARC can pass only through DKIM",
        )),
        1 => {}
        n => findings.push(Finding::error(
            "spf.multiple_records",
            0..0,
            format!("{n} SPF records at one name: receivers give permerror; merge them into one"),
        )),
    }
    SpfSelection { record: (spf.len() == 1).then(|| spf[0].clone()), count: spf.len(), findings }
}

/// `v=spf1` (any case) followed by a space or the end: an SPF record (RFC 7208 §4.5).
fn starts_with_version(text: &str) -> bool {
    looks_like_spf(text) && matches!(text.as_bytes().get(6), None | Some(b' '))
}

fn looks_like_spf(text: &str) -> bool {
    text.get(..6).is_some_and(|v| v.eq_ignore_ascii_case("v=spf1"))
}

/// The first 60 characters of a record, for messages.
fn preview(text: &str) -> String {
    text.chars().take(60).collect()
}

/// Expected include domains (from the plan's senders) that the record neither includes nor
/// redirects to, compared case-insensitively and ignoring a trailing dot. Returned as given.
pub fn missing_includes(record: &SpfParsed, expected: &[&str]) -> Vec<String> {
    let present: Vec<DnsName> = record
        .terms
        .iter()
        .filter(|t| matches!(t.kind, TermKind::Include | TermKind::Redirect))
        .filter_map(|t| t.target.as_deref().map(DnsName::lenient))
        .collect();
    expected
        .iter()
        .filter(|e| !present.contains(&DnsName::lenient(e)))
        .map(|e| (*e).to_string())
        .collect()
}
