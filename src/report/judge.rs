//! Judgements on a domain's evidence: which named sender a source is, what a stricter policy
//! would do to the failing messages under RFC 7489 and RFC 9989 receivers, and whether the
//! evidence gate for tightening is open. Pure.

use serde::Serialize;

use super::model::{Counts, DomainSummary, Source};
use crate::name::DnsName;
use crate::plan::GateSenders;
use crate::record::{DmarcRecord, Policy};

/// A sender the plan declares, recognised by the domains it authenticates as (suffix match on
/// DKIM `d=` and SPF domains).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderHint {
    pub name: String,
    pub domains: Vec<String>,
}

/// A declared sender's share of a domain's traffic (`name` is `None` for the unattributed rest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SenderTally {
    pub name: Option<String>,
    pub sources: u64,
    pub messages: u64,
    pub dmarc_pass: u64,
}

/// The first hint one of whose domains this source authenticated as. Only passing DKIM or SPF
/// results count: anyone can claim `d=` or an envelope domain, only the sender can pass it.
pub fn sender_of<'h>(source: &Source, hints: &'h [SenderHint]) -> Option<&'h SenderHint> {
    sender_index(source, hints).map(|i| &hints[i])
}

fn sender_index(source: &Source, hints: &[SenderHint]) -> Option<usize> {
    let passed: Vec<&str> = source
        .dkim_domains
        .iter()
        .chain(&source.spf_domains)
        .filter_map(|(d, result)| result.is_pass().then_some(d.as_str()))
        .collect();
    hints.iter().position(|h| {
        h.domains.iter().any(|want| passed.iter().any(|d| DnsName::lenient(d).is_within(want)))
    })
}

impl DomainSummary {
    /// Traffic per declared sender, in the hints' order, then the unattributed rest.
    pub fn senders(&self, hints: &[SenderHint]) -> Vec<SenderTally> {
        let mut tallies: Vec<SenderTally> = hints
            .iter()
            .map(|h| Some(h.name.clone()))
            .chain([None])
            .map(|name| SenderTally { name, sources: 0, messages: 0, dmarc_pass: 0 })
            .collect();
        for s in self.sources.values() {
            let at = sender_index(s, hints).unwrap_or(hints.len());
            let t = &mut tallies[at];
            t.sources += 1;
            t.messages = t.messages.saturating_add(s.messages);
            t.dmarc_pass = t.dmarc_pass.saturating_add(s.dmarc_pass);
        }
        tallies
    }
}

/// Expected failing messages a receiver would quarantine or reject (rounded to whole messages).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Disposition {
    pub quarantined: u64,
    pub rejected: u64,
}

/// What a policy would have done to the failing messages in the reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WhatIf {
    pub failing: u64,
    /// RFC 7489 §6.6.4: `pct` samples; the rest of a sampled-out `reject` is quarantined, of a
    /// sampled-out `quarantine` delivered; `t` is unknown to it.
    pub rfc7489: Disposition,
    /// RFC 9989: `pct` is gone; `t=y` applies the policy one level below.
    pub rfc9989: Disposition,
}

/// Applies `record` to the failing messages of `summary`: `p` to the domain's own, `sp`
/// (default `p`) to its subdomains'.
pub fn what_if(summary: &DomainSummary, record: &DmarcRecord) -> WhatIf {
    let p = record.p.unwrap_or(Policy::None);
    let sp = record.sp.unwrap_or(p);
    let sub_failing = summary.subdomain.failing();
    let own_failing = summary.counts.failing().saturating_sub(sub_failing);
    let pct = f64::from(record.pct.unwrap_or(100)) / 100.0;
    let testing = record.t == Some(true);
    let (mut old, mut new) = ((0.0, 0.0), (0.0, 0.0));
    for (failing, policy) in [(own_failing, p), (sub_failing, sp)] {
        #[expect(clippy::cast_precision_loss, reason = "expected values; counts far below 2^52")]
        let n = failing as f64;
        let (q, r) = rfc7489_shares(policy, pct);
        old = (old.0 + n * q, old.1 + n * r);
        let (q, r) = rfc9989_shares(if testing { policy.one_below() } else { policy });
        new = (new.0 + n * q, new.1 + n * r);
    }
    WhatIf {
        failing: summary.counts.failing(),
        rfc7489: Disposition::rounded(old),
        rfc9989: Disposition::rounded(new),
    }
}

impl Disposition {
    /// Rounds so that the two parts add up to the rounded whole (17.5 + 17.5 -> 17 + 18).
    fn rounded((quarantined, rejected): (f64, f64)) -> Self {
        let rejected_n = whole(rejected);
        let quarantined = whole(quarantined + rejected).saturating_sub(rejected_n);
        Self { quarantined, rejected: rejected_n }
    }
}

/// (quarantined, rejected) shares of failing mail.
fn rfc7489_shares(policy: Policy, pct: f64) -> (f64, f64) {
    match policy {
        Policy::Reject => (1.0 - pct, pct),
        Policy::Quarantine => (pct, 0.0),
        Policy::None => (0.0, 0.0),
    }
}

fn rfc9989_shares(policy: Policy) -> (f64, f64) {
    match policy {
        Policy::Reject => (0.0, 1.0),
        Policy::Quarantine => (1.0, 0.0),
        Policy::None => (0.0, 0.0),
    }
}

#[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "rounded, >= 0")]
fn whole(x: f64) -> u64 {
    x.round().max(0.0) as u64
}

/// How much evidence must exist before a policy is tightened. `min_pass_rate` is in percent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct EvidenceGate {
    pub min_report_days: Option<u32>,
    pub min_pass_rate: Option<f64>,
    /// `all` mail, or only the plan's `known` senders' mail, counts towards the pass rate.
    pub senders: GateSenders,
}

/// The gate's verdict, with what is still missing in words for the screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateState {
    pub open: bool,
    pub report_days: u32,
    /// DMARC pass rate in percent over the mail the gate counts; `None` without messages.
    pub pass_rate: Option<f64>,
    /// With `gate_senders = "known"`: the mail from sources no declared sender accounts for,
    /// shown beside the gate and not counted in it.
    pub unknown: Option<Counts>,
    pub what_is_missing: Vec<String>,
}

impl GateState {
    /// `open (21 days of reports, 99.2% pass)` or `closed: what is missing`, then the unknown
    /// senders' mail when the gate counts only the known.
    pub fn summary(&self) -> String {
        let main = if self.open {
            let rate = self
                .pass_rate
                .map(|r| format!(", {:.1}% pass", (r * 10.0).floor() / 10.0))
                .unwrap_or_default();
            format!("open ({} days of reports{rate})", self.report_days)
        } else {
            format!("closed: {}", self.what_is_missing.join("; "))
        };
        match &self.unknown {
            Some(u) if u.messages > 0 => format!(
                "{main}; unknown sources (not counted): {} message(s), {} passing",
                u.messages, u.dmarc_pass
            ),
            _ => main,
        }
    }
}

impl EvidenceGate {
    /// Checks a domain's evidence; `None` (no reports at all) opens only a gate with no bars.
    /// `hints` name the plan's senders, for a gate that counts only theirs.
    pub fn check(&self, summary: Option<&DomainSummary>, hints: &[SenderHint]) -> GateState {
        let report_days = summary.map_or(0, |s| s.days_covered);
        let (pass_rate, unknown) = match (self.senders, summary) {
            (GateSenders::Known, Some(s)) => {
                let (known, unknown) = split_by_sender(s, hints);
                (rate(&known), Some(unknown))
            }
            (GateSenders::Known, None) => (None, None),
            (GateSenders::All, _) => (summary.and_then(DomainSummary::pass_rate), None),
        };
        let mut missing = Vec::new();
        if let Some(need) = self.min_report_days.filter(|n| *n > report_days) {
            let more = need - report_days;
            let days = if more == 1 { "day" } else { "days" };
            missing.push(format!("{more} more {days} of reports"));
        }
        if let Some(need) = self.min_pass_rate {
            match pass_rate {
                None => missing.push("no messages reported yet".to_owned()),
                Some(rate) if rate < need => {
                    // Floored so that 97.96% never reads as "98.0% < 98%".
                    let shown = (rate * 10.0).floor() / 10.0;
                    missing.push(format!("pass rate {shown:.1}% < {need}%"));
                }
                Some(_) => {}
            }
        }
        GateState {
            open: missing.is_empty(),
            report_days,
            pass_rate,
            unknown,
            what_is_missing: missing,
        }
    }
}

/// The domain's messages from sources a declared sender accounts for, and the rest (sources
/// past the reader's cap included).
fn split_by_sender(s: &DomainSummary, hints: &[SenderHint]) -> (Counts, Counts) {
    let (mut known, mut unknown) = (Counts::default(), s.other_sources);
    for source in s.sources.values() {
        let into = if sender_of(source, hints).is_some() { &mut known } else { &mut unknown };
        into.messages = into.messages.saturating_add(source.messages);
        into.dmarc_pass = into.dmarc_pass.saturating_add(source.dmarc_pass);
    }
    (known, unknown)
}

/// DMARC pass rate in percent; `None` without messages.
fn rate(c: &Counts) -> Option<f64> {
    #[expect(clippy::cast_precision_loss, reason = "a rate; message counts stay far below 2^52")]
    (c.messages > 0).then(|| c.dmarc_pass as f64 * 100.0 / c.messages as f64)
}
