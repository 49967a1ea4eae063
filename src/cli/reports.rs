//! `reports`: aggregate reports summed up per domain (traffic, pass rates, who sends, what
//! fails) and, with a plan, what each phase would have done to the failing mail and whether
//! its evidence gate is open. Reading files is the reader's edge; this builds one view of the
//! evidence and writes it as text or JSON. Reports are hostile input: every string from them
//! is escaped on the way out.

mod human;

use crate::report::AuthResult;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;

use super::error::warn;
use super::{CliError, Outcome, write_json};
use crate::exits;
use crate::name::DnsName;
use crate::plan::{Domain, Plan};
use crate::record::DmarcRecord;
use crate::record::render::render;
use crate::report::{
    Corpus, Counts, DomainSummary, EchoedPolicy, EvidenceGate, Focus, GateState, Overflow,
    Rejected, SenderHint, SenderTally, Source, WhatIf, Window, read_paths_for, sender_hints,
    sender_of, what_if,
};
use crate::text::{escape, share};

/// What the command line asked for.
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub domain: Option<String>,
    pub window: Window,
    pub json: bool,
}

/// Reads the reports and writes the summary; the exit code is [`exits::NO_REPORTS`] when no
/// file gave a report at all.
pub fn run(
    options: &Options,
    plan: Option<&Plan>,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Outcome {
    if let Window { since: Some(since), until: Some(until) } = options.window
        && since > until
    {
        return Err(CliError::Usage(format!("--since {since} is after --until {until}")));
    }
    let corpus = read_paths_for(&options.paths, &options.window, focus(options, plan));
    let view = View::new(&corpus, plan, options.domain.as_deref());
    if options.json {
        write_json(out, &view)?;
    } else {
        human::write(&view, out)?;
    }
    write_files(&corpus, err)?;
    let none_read = corpus.reports_outside_window + corpus.reports_not_selected == 0
        && corpus.overflow.unlisted_domain_reports == 0;
    if corpus.domains.is_empty() && none_read {
        let why = "no report could be read from the paths given";
        return Err(CliError::NoReports(why.to_owned()));
    }
    if view.domains.is_empty()
        && let Some(name) = &options.domain
    {
        warn(err, format_args!("no reports for '{}' in the window", escape(name)))?;
    }
    Ok(exits::OK)
}

/// The domains to keep: the one asked for, else every domain with the plan's first.
fn focus(options: &Options, plan: Option<&Plan>) -> Focus {
    match (&options.domain, plan) {
        (Some(domain), _) => Focus::only([domain]),
        (None, Some(plan)) => Focus::named_first(plan.domains.iter().map(|d| &d.name)),
        (None, None) => Focus::default(),
    }
}

/// Files that were not read, or read with problems, one line each with the reason (the first
/// of each list, then how many more), and the limits that were reached.
fn write_files(corpus: &Corpus, err: &mut impl Write) -> io::Result<()> {
    let over = &corpus.overflow;
    let lists = [
        ("rejected", &corpus.rejected_files, over.rejected_unlisted, "rejected files"),
        ("recovered", &corpus.recovered_files, over.recovered_unlisted, "files read with problems"),
        ("duplicate", &corpus.duplicate_reports, over.duplicates_unlisted, "duplicate reports"),
    ];
    for (what, files, unlisted, many) in lists {
        for f in files {
            let path = f.path.display().to_string();
            warn(err, format_args!("{what} {}: {}", escape(&path), escape(&f.reason)))?;
        }
        if unlisted > 0 {
            warn(err, format_args!("… and {unlisted} more {many} not listed"))?;
        }
    }
    for finding in over.findings() {
        warn(err, format_args!("limit reached: {finding}"))?;
    }
    Ok(())
}

/// Everything the command shows, in the shape of its JSON.
#[derive(Serialize)]
pub(crate) struct View<'a> {
    window: Window,
    files_read: u64,
    files_skipped: u64,
    reports_outside_window: u64,
    domains: Vec<DomainView<'a>>,
    rejected_files: Vec<FileNote<'a>>,
    recovered_files: Vec<FileNote<'a>>,
    duplicate_reports: Vec<FileNote<'a>>,
    /// Reports for other domains than `--domain`, read but not kept.
    reports_not_selected: u64,
    /// What the reader's limits kept from the lists and tables above (all zero normally).
    limits_reached: &'a Overflow,
}

/// A path as text: a file name that is not UTF-8 still prints (serde refuses such paths).
#[derive(Serialize)]
struct FileNote<'a> {
    path: String,
    reason: &'a str,
}

#[derive(Serialize)]
struct DomainView<'a> {
    domain: &'a str,
    in_plan: bool,
    reports: u64,
    reporters: Vec<&'a str>,
    days_covered: u32,
    first_day: Option<NaiveDate>,
    last_day: Option<NaiveDate>,
    #[serde(flatten)]
    counts: Counts,
    failing: u64,
    /// Percentages of `messages`, 0–100; `None` without messages.
    dmarc_pass_rate: Option<f64>,
    dkim_aligned_rate: Option<f64>,
    spf_aligned_rate: Option<f64>,
    /// Mail from subdomains of the domain, to which `sp` applies (included in the totals).
    subdomain: Counts,
    sources: Vec<SourceView<'a>>,
    /// Mail from sources beyond the reader's per-domain cap, counted but not listed.
    other_sources: Counts,
    published: &'a [EchoedPolicy],
    #[serde(skip_serializing_if = "Option::is_none")]
    senders: Option<Vec<SenderTally>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    phases: Vec<PhaseView<'a>>,
}

#[derive(Serialize)]
struct SourceView<'a> {
    ip: &'a str,
    messages: u64,
    dmarc_pass: u64,
    failing: u64,
    /// The plan's sender this source authenticated as, with `--plan`.
    sender: Option<String>,
    /// Each domain the source signed (DKIM) or sent (SPF) as, and whether it ever passed.
    dkim_domains: &'a BTreeMap<String, AuthResult>,
    spf_domains: &'a BTreeMap<String, AuthResult>,
}

#[derive(Serialize)]
struct PhaseView<'a> {
    phase: usize,
    name: &'a str,
    /// The TXT value the phase publishes.
    record: String,
    /// The same record parsed, for the text output's policy column.
    #[serde(skip)]
    parsed: &'a DmarcRecord,
    what_if: WhatIf,
    gate: Option<GateView>,
}

#[derive(Serialize)]
struct GateView {
    required: EvidenceGate,
    #[serde(flatten)]
    state: GateState,
}

impl<'a> View<'a> {
    fn new(corpus: &'a Corpus, plan: Option<&'a Plan>, only: Option<&str>) -> Self {
        let wanted =
            |name: &str| only.is_none_or(|o| DnsName::lenient(o) == DnsName::lenient(name));
        let planned: Vec<&Domain> = plan
            .map(|p| p.domains.iter().filter(|d| wanted(&d.name)).collect())
            .unwrap_or_default();
        // Plan domains first, in the plan's order (with or without reports), then the rest.
        let mut domains: Vec<DomainView<'a>> = planned
            .iter()
            .map(|d| DomainView::new(corpus.domains.get(d.name.as_str()), &d.name, Some(d)))
            .collect();
        domains.extend(
            corpus
                .domains
                .values()
                .filter(|s| wanted(&s.domain) && !planned.iter().any(|d| d.name == s.domain))
                .map(|s| DomainView::new(Some(s), &s.domain, None)),
        );
        let notes = |list: &'a [Rejected]| {
            list.iter()
                .map(|r| FileNote { path: r.path.display().to_string(), reason: &r.reason })
                .collect()
        };
        Self {
            window: corpus.window,
            files_read: corpus.files_read,
            files_skipped: corpus.files_skipped,
            reports_outside_window: corpus.reports_outside_window,
            domains,
            rejected_files: notes(&corpus.rejected_files),
            recovered_files: notes(&corpus.recovered_files),
            duplicate_reports: notes(&corpus.duplicate_reports),
            reports_not_selected: corpus.reports_not_selected,
            limits_reached: &corpus.overflow,
        }
    }

    /// Reports counted across every domain shown.
    fn reports(&self) -> u64 {
        self.domains.iter().map(|d| d.reports).sum()
    }
}

impl<'a> DomainView<'a> {
    fn new(summary: Option<&'a DomainSummary>, name: &'a str, plan: Option<&'a Domain>) -> Self {
        let hints = plan.map(sender_hints).unwrap_or_default();
        let empty = DomainSummary::default();
        let s = summary.unwrap_or(&empty);
        let mut sources: Vec<SourceView<'a>> = summary
            .map(|s| s.sources.values().map(|src| source(src, &hints)).collect())
            .unwrap_or_default();
        sources.sort_by(|a, b| b.messages.cmp(&a.messages).then_with(|| a.ip.cmp(b.ip)));
        let rate = |part: u64| share(part, s.counts.messages);
        Self {
            domain: name,
            in_plan: plan.is_some(),
            reports: s.reports,
            reporters: summary
                .map(|s| s.reporters.iter().map(String::as_str).collect())
                .unwrap_or_default(),
            days_covered: s.days_covered,
            first_day: s.first_day,
            last_day: s.last_day,
            counts: s.counts,
            failing: s.counts.failing(),
            dmarc_pass_rate: rate(s.counts.dmarc_pass),
            dkim_aligned_rate: rate(s.counts.dkim_aligned_pass),
            spf_aligned_rate: rate(s.counts.spf_aligned_pass),
            subdomain: s.subdomain,
            sources,
            other_sources: s.other_sources,
            published: summary.map_or(&[], |s| s.policies.as_slice()),
            senders: plan.map(|_| merged_tallies(s.senders(&hints))),
            phases: plan.map(|d| phases(d, s, summary)).unwrap_or_default(),
        }
    }
}

fn source<'a>(s: &'a Source, hints: &[SenderHint]) -> SourceView<'a> {
    SourceView {
        ip: &s.ip,
        messages: s.messages,
        dmarc_pass: s.dmarc_pass,
        failing: s.failing(),
        sender: sender_of(s, hints).map(|h| h.name.clone()),
        dkim_domains: &s.dkim_domains,
        spf_domains: &s.spf_domains,
    }
}

/// One tally per sender name: a sender known both by its own domains and by the plan domain
/// has two hints.
fn merged_tallies(tallies: Vec<SenderTally>) -> Vec<SenderTally> {
    let mut merged: Vec<SenderTally> = Vec::with_capacity(tallies.len());
    for t in tallies {
        if let Some(m) = merged.iter_mut().find(|m| m.name == t.name) {
            m.sources += t.sources;
            m.messages = m.messages.saturating_add(t.messages);
            m.dmarc_pass = m.dmarc_pass.saturating_add(t.dmarc_pass);
        } else {
            merged.push(t);
        }
    }
    merged
}

fn phases<'a>(
    domain: &'a Domain,
    s: &DomainSummary,
    summary: Option<&DomainSummary>,
) -> Vec<PhaseView<'a>> {
    domain
        .phases
        .iter()
        .enumerate()
        .map(|(i, p)| PhaseView {
            phase: i + 1,
            name: &p.name,
            record: render(&p.record),
            parsed: &p.record,
            what_if: what_if(s, &p.record),
            gate: EvidenceGate::from_plan(&p.gate).map(|required| GateView {
                required,
                state: required.check(summary, &sender_hints(domain)),
            }),
        })
        .collect()
}
