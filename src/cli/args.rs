//! The command line as clap reads it: every command, its flags and their help (the doc
//! comments are the help text).

// The doc comments are --help text, which shows no markdown: identifiers are written bare
// (NO_COLOR, due_in_days), never in backticks that would show up in the terminal.
#![allow(clippy::doc_markdown)]

use std::path::PathBuf;
use std::sync::LazyLock;

use chrono::NaiveDate;
use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use super::fix::FixFormat;
use super::live::{DnsArgs, ReportArgs};
use super::paint::ColorChoice;
use crate::exits;
use crate::export;
use crate::summary::Mark;
use crate::text::escape;

/// Roll DMARC out for your domains in safe phases.
///
/// A rollout plan (TOML, kept in git) lists your domains and the ladder of DMARC records each
/// goes through, e.g. p=none, then p=quarantine, then p=reject. dmarc-rollout tells you the
/// exact TXT record to publish next and checks records for mistakes.
///
/// 'dmarc-rollout PLAN' opens the terminal UI: every step of the plan beside live DNS, and the
/// record to publish next. Start with 'dmarc-rollout init example.com -o plans/example.toml'.
#[derive(Debug, Parser)]
#[command(
    name = "dmarc-rollout",
    version,
    after_help = exits::HELP,
    max_term_width = 100,
    args_conflicts_with_subcommands = true,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub ui: UiArgs,
    /// Colour the severities and verdicts of the human output.
    #[arg(long, value_name = "WHEN", value_enum, global = true, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// The terminal UI's options (used when no command is given).
#[derive(Debug, Args)]
pub struct UiArgs {
    /// The plan file to open in the terminal UI.
    pub plan: Option<PathBuf>,
    /// Look DNS up again every SECS seconds (0: only on 'r').
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub refresh: u64,
    #[command(flatten)]
    pub lookup: LookupArgs,
    #[command(flatten)]
    pub apply: UiApplyArgs,
}

/// Where the terminal UI's 'a' publishes a step by dynamic update (off unless both are given).
#[derive(Debug, Clone, Args)]
pub struct UiApplyArgs {
    /// With --tsig-key, 'a' publishes the selected domain's next step by dynamic update to this
    /// primary server (HOST[:PORT]), as 'apply' does.
    #[arg(long, value_name = "HOST[:PORT]", requires = "tsig_key")]
    pub apply_server: Option<String>,
    /// The TSIG key file for --apply-server ('tsig-keygen' or 'keymgr -t' output).
    #[arg(long, value_name = "FILE", requires = "apply_server")]
    pub tsig_key: Option<PathBuf>,
    /// With --apply-server: the port the zone's name servers are asked on while waiting.
    #[arg(long, value_name = "PORT", default_value_t = 53)]
    pub ns_port: u16,
    /// With --apply-server: seconds to wait for every name server to serve a published step.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub wait: u64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the TXT record to publish next.
    ///
    /// The step is one phase above the phase live in DNS, matched on what receivers apply
    /// (with --offline, above the phase recorded in the plan). A record that matches no phase
    /// places the domain at the highest phase it is not weaker than. At the last phase the last
    /// record is printed again, with a note on stderr.
    ///
    /// Nothing goes to stdout when DNS did not answer (exit 5), when a step that enforces more
    /// finds sender readiness not ready or unverified, or its evidence gate closed (exit 7;
    /// --force prints it anyway), or when the step would weaken the live record (exit 7;
    /// --allow-loosen prints it anyway). Every reason goes to stderr.
    Next(NextArgs),
    /// Publish the next step by RFC 2136 dynamic update, wait for every server, record it.
    ///
    /// The step is the one 'next' prints, after the same decision and gates (--force,
    /// --allow-loosen). The update is signed with the TSIG key and applies only if _dmarc
    /// still holds exactly the record the decision was made on (RFC 2136 prerequisite); then
    /// every name server of the zone (the NS set, each IPv4 and IPv6 address) is asked until
    /// each serves the step or --wait runs out, and only then is the phase recorded in the
    /// plan, as 'record' does. Exit codes 10 to 15 say what stopped it.
    Apply(ApplyArgs),
    /// Print the DNS records and Exchange Online commands that make each domain ready.
    ///
    /// The actions: DNS records to create, replace or delete, the Exchange Online commands,
    /// and what a sender's console or another organization has to do. Covers missing DKIM selectors (Microsoft 365: the signing configuration, both CNAMEs,
    /// enabling, rotating a weak key), the SPF record (missing includes, +all, several records;
    /// never one over 10 lookups), report authorizations, and the _dmarc name (several records,
    /// a CNAME, a broken record). A _dmarc value is the step 'next' gives, only when it clears
    /// it. Exits with 0 when nothing needs fixing, 7 when something does, 5 when a lookup
    /// failed (nothing is suggested for what it hides).
    Fix(FixArgs),
    /// Show where each domain stands: live record, phase, drift, next step, problems.
    Status(StatusArgs),
    /// For cron and CI: exit 0 when every domain's live record is a phase of the plan with no
    /// error finding and no readiness error; otherwise one line per problem on stderr and the
    /// exit code of the worst (5 DNS failure, 1 error findings, 4 drift or not started, 6
    /// overdue).
    Check(CheckArgs),
    /// Record in the plan that a phase was published, for the history and due dates.
    ///
    /// By default records the phase live in DNS now, dated today, and refuses when DNS does
    /// not show the phase given with --phase (unless --offline). Only the recorded line of the
    /// file changes; the write is atomic and refused if the file changed meanwhile.
    Record(RecordArgs),
    /// Sum up DMARC aggregate reports per domain: traffic, pass rates, sources, failures.
    ///
    /// Reads report files (XML, gzip, zip, or emails with a report attached), folders of them
    /// and Maildirs. Per domain: reports, reporters and days covered; messages and the share
    /// passing DMARC, with aligned DKIM and with aligned SPF; the top sources and the failing
    /// ones. With --plan, each source is named after the plan's sender it authenticates as, and
    /// each phase shows what it would have done to the failing mail (RFC 7489 receivers apply
    /// pct, RFC 9989 receivers do not) and whether its evidence gate is open. Unreadable files
    /// are listed on stderr with the reason. Exits with 9 when no file gave a report, and 3
    /// when the plan is invalid.
    Reports(ReportsArgs),
    /// Check a DMARC (or SPF) record and show what each generation of receivers applies.
    ///
    /// Reads the TXT value from the argument, or from stdin when it is '-' or missing. A value
    /// starting with 'v=spf1' is checked as SPF. Exits with 1 when a finding is an error.
    Lint(LintArgs),
    /// Prove a sent message passes: its receiver's authentication results, per method.
    ///
    /// Reads a raw message (.eml) or the headers pasted from a mail client (Outlook: View
    /// message source), takes the receiver's Authentication-Results (and, for a forwarded
    /// message, each hop's ARC-Authentication-Results) and shows per method the result, the
    /// domain (SPF: the bounce domain; DKIM: d= and the selector; DMARC: the From domain) and
    /// whether it aligns with the From domain, relaxed (same organizational domain) and
    /// strict. With --plan: the plan's sender it came through, and whether it passes at the
    /// next phase's alignment. Exits with 0 when DMARC passes with an aligned identifier, 16
    /// when it does not (or would not at the next phase), 17 when the headers hold no
    /// receiver's results.
    VerifyMessage(VerifyMessageArgs),
    /// Load a plan and check it, including every phase's record.
    Validate(ValidateArgs),
    /// Write a commented starter plan.
    ///
    /// The ladder: p=none, then quarantine in test mode (t=y and pct=0, which RFC 9989 and RFC
    /// 7489 receivers both apply one level lower), then quarantine; --reject adds reject the
    /// same way. The Office 365 article's ladder (pct=50 steps) is in plans/insight24.toml.
    Init(InitArgs),
    /// Print a shell completion script on stdout.
    ///
    /// bash: save it as ~/.local/share/bash-completion/completions/dmarc-rollout; zsh: as
    /// _dmarc-rollout in a directory of your fpath; fish: as
    /// ~/.config/fish/completions/dmarc-rollout.fish; powershell: add it to your $PROFILE.
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout.
    ///
    /// Save it as ~/.local/share/man/man1/dmarc-rollout.1, then read it with man dmarc-rollout.
    Man,
}

// The arguments of `Completions` (no doc comment: the variant's is the help).
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The shells 'completions' writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl Shell {
    /// The generator clap_complete has for this shell.
    pub fn generator(self) -> clap_complete::Shell {
        match self {
            Self::Bash => clap_complete::Shell::Bash,
            Self::Zsh => clap_complete::Shell::Zsh,
            Self::Fish => clap_complete::Shell::Fish,
            Self::Powershell => clap_complete::Shell::PowerShell,
        }
    }
}

// The arguments of `Next` (no doc comment: the variant's is the help).
#[derive(Debug, Args)]
pub struct NextArgs {
    /// The plan file.
    pub plan: PathBuf,
    /// Only this domain (default: every domain in the plan).
    #[arg(long, short)]
    pub domain: Option<String>,
    /// Do not look at DNS: follow the history recorded in the plan (no readiness checks).
    #[arg(long)]
    pub offline: bool,
    /// Print a step even when sender readiness is not ready or not verified, or its evidence
    /// gate is closed (it is still not published: you publish it).
    #[arg(long)]
    pub force: bool,
    /// Print a step even when it weakens the live record (a lower p, sp or np, a smaller
    /// pct, t=y, relaxed alignment); each weakening is named on stderr.
    #[arg(long)]
    pub allow_loosen: bool,
    #[command(flatten)]
    pub lookup: LookupArgs,
    /// txt: the value alone (one 'domain<TAB>value' line per domain when there are
    /// several); zone: a zone-file line; json: an object (an array for several domains);
    /// the others: the change as that DNS-as-code tool takes it (see the README).
    #[arg(long, short, value_enum, default_value_t = Format::Txt)]
    pub format: Format,
}

// The arguments of `Apply` (no doc comment: the variant's is the help).
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The plan file.
    pub plan: PathBuf,
    /// The domain whose next step to publish.
    #[arg(long, short)]
    pub domain: String,
    /// The zone's primary server, which takes the update (HOST[:PORT], port 53 by default).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub server: String,
    /// The TSIG key file, as 'tsig-keygen' (BIND) or 'keymgr -t' (Knot) write it
    /// (hmac-sha256 or hmac-sha512).
    #[arg(long, value_name = "FILE")]
    pub tsig_key: PathBuf,
    /// Print the update that would be sent (zone, prerequisite, delete, add); send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Publish the step even when sender readiness is not ready or not verified, or its
    /// evidence gate is closed.
    #[arg(long)]
    pub force: bool,
    /// Publish the step even when it weakens the live record.
    #[arg(long)]
    pub allow_loosen: bool,
    /// Seconds to wait for every authoritative server to serve the step.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub wait: u64,
    /// The port the zone's name servers are asked on while waiting.
    #[arg(long, value_name = "PORT", default_value_t = 53)]
    pub ns_port: u16,
    #[command(flatten)]
    pub lookup: LookupArgs,
}

// The arguments of `Fix` (no doc comment: the variant's is the help).
#[derive(Debug, Args)]
pub struct FixArgs {
    /// The plan file.
    pub plan: PathBuf,
    /// Only this domain (default: every domain in the plan).
    #[arg(long, short)]
    pub domain: Option<String>,
    /// text: every action with what it fixes; zone: only the DNS changes as zone-file
    /// lines; json: everything; powershell: only the Exchange Online commands, one script;
    /// the others: only the DNS changes, as that DNS-as-code tool takes them (see the README).
    #[arg(long, short, value_enum, default_value_t = FixFormat::Text)]
    pub format: FixFormat,
    #[command(flatten)]
    pub lookup: LookupArgs,
}

// The arguments of `Status` (no doc comment: the variant's is the help).
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The plan file.
    pub plan: PathBuf,
    /// Only this domain (default: every domain in the plan).
    #[arg(long, short)]
    pub domain: Option<String>,
    /// Print JSON: {"domains": [{name, dmarc: {state, records, source, ttl, server},
    /// position, phase, drift, next: {host, value, phase}, due, due_in_days, findings,
    /// readiness: {spf: {ok, lookups, void_lookups, tree, findings}, dkim: {ok, findings,
    /// <selector>: {state, key_bits, cname_chain}}, reports: {ok, findings}}}]}.
    #[arg(long)]
    pub json: bool,
    /// Only the domains with one of these verdicts or marks (comma-separated): done, ready,
    /// blocked, hold, unknown, drift, overdue. The counts still cover every domain.
    #[arg(long, value_name = "MARK,…", value_delimiter = ',')]
    pub only: Vec<Mark>,
    #[command(flatten)]
    pub lookup: LookupArgs,
}

// The arguments of `Check` (no doc comment: the variant's is the help).
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The plan file.
    pub plan: PathBuf,
    /// Only this domain (default: every domain in the plan).
    #[arg(long, short)]
    pub domain: Option<String>,
    /// Print the problems as JSON on stdout: {"problems": [{domain, code, ids, message}]},
    /// code being the exit code each raises (0 for one only said).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub lookup: LookupArgs,
}

// The arguments of `Record` (no doc comment: the variant's is the help).
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The plan file.
    pub plan: PathBuf,
    /// The domain whose step was published.
    #[arg(long, short)]
    pub domain: String,
    /// The phase (1-based) that went live (default: the one DNS shows now).
    #[arg(long, value_name = "N")]
    pub phase: Option<usize>,
    /// The date it went live (default: today); not a future date.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub on: Option<NaiveDate>,
    /// Change the date of a phase already recorded with another date.
    #[arg(long, requires = "on")]
    pub replace: bool,
    /// Do not look at DNS: record --phase as given.
    #[arg(long, requires = "phase")]
    pub offline: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
    #[command(flatten)]
    pub clock: Clock,
}

// The arguments of `Reports` (no doc comment: the variant's is the help).
#[derive(Debug, Args)]
pub struct ReportsArgs {
    /// Report files, folders and Maildirs (one or more).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The plan file: name senders and show each phase's what-if and evidence gate.
    #[arg(long, value_name = "PLAN")]
    pub plan: Option<PathBuf>,
    /// Only this domain (the reports' policy domain).
    #[arg(long, short)]
    pub domain: Option<String>,
    /// Only reports from this day on (YYYY-MM-DD; a report counts on the UTC day in the
    /// middle of its period).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<NaiveDate>,
    /// Only reports up to this day (YYYY-MM-DD, UTC), inclusive.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub until: Option<NaiveDate>,
    /// Print JSON: {window, files_read, files_skipped, reports_outside_window,
    /// domains: [{domain, reports, reporters, days_covered, messages, dmarc_pass,
    /// dkim_aligned_pass, spf_aligned_pass, rates in percent, sources: [{ip, messages,
    /// dmarc_pass, sender}], senders, phases: [{phase, name, record, what_if, gate}]}],
    /// rejected_files: [{path, reason}], recovered_files, duplicate_reports}.
    #[arg(long)]
    pub json: bool,
}

// The arguments of `Lint` (no doc comment: the variant's is the help).
#[derive(Debug, Args)]
pub struct LintArgs {
    /// The TXT value, e.g. 'v=DMARC1; p=none; rua=mailto:dmarc@example.com'.
    pub record: Option<String>,
    /// Check the value as an SPF record (RFC 7208) whatever it starts with.
    #[arg(long)]
    pub spf: bool,
    /// Print a JSON object: valid, findings (id, severity, message, start, end) and
    /// effective.rfc7489 / effective.rfc9989 (applies, p, sp, np, pct, rest, reason).
    #[arg(long)]
    pub json: bool,
}

// The arguments of `VerifyMessage` (no doc comment: the variant's is the help).
#[derive(Debug, Args)]
pub struct VerifyMessageArgs {
    /// The message file, or '-' for stdin.
    #[arg(value_name = "FILE.eml|-")]
    pub message: PathBuf,
    /// The plan file: name the sender and judge the next phase.
    #[arg(long, value_name = "PLAN")]
    pub plan: Option<PathBuf>,
    /// Print JSON: {from, spf, dkim: [...], dmarc (each with result, domain, aligned:
    /// {relaxed, strict}), receiver, arc: [...], verdict, passes, notes, plan}.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub clock: Clock,
}

// The arguments of `Validate` (no doc comment: the variant's is the help).
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The plan file.
    pub plan: PathBuf,
}

// The arguments of `Init` (no doc comment: the variant's is the help).
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The domains to plan (one or more).
    #[arg(required = true)]
    pub domains: Vec<String>,
    /// Where aggregate reports go (default: mailto:dmarc@<first domain>).
    #[arg(long, value_name = "ADDRESS")]
    pub rua: Option<String>,
    /// Declare a known sender: m365 adds Exchange Online's SPF include and DKIM selectors.
    #[arg(long, value_enum)]
    pub preset: Option<Preset>,
    /// With --preset m365: the tenant ('contoso' of contoso.onmicrosoft.com), to write the
    /// selectors' CNAME targets in the legacy form (check them with Get-DkimSigningConfig).
    #[arg(long, value_name = "TENANT", requires = "preset")]
    pub tenant: Option<String>,
    /// A DKIM selector your own mail server signs with (repeatable).
    #[arg(long = "selector", value_name = "NAME")]
    pub selectors: Vec<String>,
    /// End the ladder with p=reject (after a reject test step) instead of p=quarantine.
    #[arg(long)]
    pub reject: bool,
    /// Write to this file instead of stdout (never overwrites).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// What a decision is made on, for every command that decides: where DNS is asked, the
/// reports that open evidence gates, and the date taken as today.
#[derive(Debug, Clone, Args)]
pub struct LookupArgs {
    #[command(flatten)]
    pub dns: DnsArgs,
    #[command(flatten)]
    pub reports: ReportArgs,
    #[command(flatten)]
    pub clock: Clock,
}

/// The date the tool takes as today.
#[derive(Debug, Clone, Copy, Args)]
pub struct Clock {
    /// Take this date (YYYY-MM-DD) as today, for reproducible output.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<NaiveDate>,
}

impl Clock {
    pub fn today(self) -> NaiveDate {
        self.today.unwrap_or_else(|| chrono::Local::now().date_naive())
    }
}

/// A date written YYYY-MM-DD with a four-digit year, as a plan holds it (TOML dates have years
/// 0000 to 9999; chrono alone would take '+10000-01-01' or '-0001-01-01').
fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let shape = text.len() == 10
        && text
            .bytes()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    shape.then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()).flatten().ok_or_else(|| {
        format!("'{}' is not a date written YYYY-MM-DD (years 0000 to 9999)", escape(text))
    })
}

/// How 'next' prints the step: the value, a zone-file line, JSON, or a DNS-as-code export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Txt,
    Zone,
    Json,
    Export(export::Format),
}

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: LazyLock<Vec<Format>> = LazyLock::new(|| {
            [Format::Txt, Format::Zone, Format::Json]
                .into_iter()
                .chain(export::Format::ALL.into_iter().map(Format::Export))
                .collect()
        });
        &ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Self::Txt => PossibleValue::new("txt"),
            Self::Zone => PossibleValue::new("zone"),
            Self::Json => PossibleValue::new("json"),
            Self::Export(format) => export_value(*format),
        })
    }
}

/// An export format as a '--format' value, named and described by the export itself.
pub(crate) fn export_value(format: export::Format) -> PossibleValue {
    PossibleValue::new(format.name()).help(format.about())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// Microsoft 365 / Exchange Online.
    M365,
}
