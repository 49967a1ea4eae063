//! The command line: clap definitions (doc comments are the help text) and dispatch. Every
//! command writes through `&mut impl Write` so its output can be tested byte for byte.

mod apply;
mod fix;
mod init;
mod lint;
mod live;
mod next;
mod publisher;
mod record;
mod reports;
mod status;
mod tui;
mod validate;
mod verify;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use self::live::{DnsArgs, ReportArgs};

use crate::advice;
use crate::exits;
use crate::plan::{self, Domain, Plan, PlanError};
use crate::text::{escape, escape_json};

/// Roll DMARC out for your domains in safe phases.
///
/// A rollout plan (TOML, kept in git) lists your domains and the ladder of DMARC records each
/// goes through, e.g. p=none, then p=quarantine, then p=reject. dmarc-rollout tells you the
/// exact TXT record to publish next and checks records for mistakes.
///
/// `dmarc-rollout PLAN` opens the terminal UI: every step of the plan beside live DNS, and the
/// record to publish next. Start with `dmarc-rollout init example.com -o plans/example.toml`.
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
}

/// The terminal UI's options (used when no command is given).
#[derive(Debug, Args)]
pub struct UiArgs {
    /// The plan file to open in the terminal UI.
    pub plan: Option<PathBuf>,
    /// Look DNS up again every SECS seconds (0: only on `r`).
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub refresh: u64,
    #[command(flatten)]
    pub dns: DnsArgs,
    #[command(flatten)]
    pub reports: ReportArgs,
    #[command(flatten)]
    pub clock: Clock,
    #[command(flatten)]
    pub apply: UiApplyArgs,
}

/// Where the terminal UI's `a` publishes a step by dynamic update (off unless both are given).
#[derive(Debug, Clone, Args)]
pub struct UiApplyArgs {
    /// With --tsig-key, `a` publishes the selected domain's next step by dynamic update to this
    /// primary server (HOST[:PORT]), as `apply` does.
    #[arg(long, value_name = "HOST[:PORT]", requires = "tsig_key")]
    pub apply_server: Option<String>,
    /// The TSIG key file for --apply-server (`tsig-keygen` or `keymgr -t` output).
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
    Next {
        /// The plan file.
        plan: PathBuf,
        /// Only this domain (default: every domain in the plan).
        #[arg(long, short)]
        domain: Option<String>,
        /// Do not look at DNS: follow the history recorded in the plan (no readiness checks).
        #[arg(long)]
        offline: bool,
        /// Print a step even when sender readiness is not ready or not verified, or its evidence
        /// gate is closed (it is still not published: you publish it).
        #[arg(long)]
        force: bool,
        /// Print a step even when it weakens the live record (a lower p, sp or np, a smaller
        /// pct, t=y, relaxed alignment); each weakening is named on stderr.
        #[arg(long)]
        allow_loosen: bool,
        #[command(flatten)]
        dns: DnsArgs,
        #[command(flatten)]
        reports: ReportArgs,
        #[command(flatten)]
        clock: Clock,
        /// txt: the value alone (one `domain<TAB>value` line per domain when there are
        /// several); zone: a zone-file line; json: an object (an array for several domains);
        /// the others: the change as that DNS-as-code tool takes it (see the README).
        #[arg(long, short, value_enum, default_value_t = Format::Txt)]
        format: Format,
    },
    /// Publish the next step by RFC 2136 dynamic update, wait for every server, record it.
    ///
    /// The step is the one `next` prints, after the same decision and gates (--force,
    /// --allow-loosen). The update is signed with the TSIG key and applies only if `_dmarc`
    /// still holds exactly the record the decision was made on (RFC 2136 prerequisite); then
    /// every name server of the zone (the NS set, each IPv4 and IPv6 address) is asked until
    /// each serves the step or --wait runs out, and only then is the phase recorded in the
    /// plan, as `record` does. Exit codes 10 to 15 say what stopped it.
    Apply {
        /// The plan file.
        plan: PathBuf,
        /// The domain whose next step to publish.
        #[arg(long, short)]
        domain: String,
        /// The zone's primary server, which takes the update (HOST[:PORT], port 53 by default).
        #[arg(long, value_name = "HOST[:PORT]")]
        server: String,
        /// The TSIG key file, as `tsig-keygen` (BIND) or `keymgr -t` (Knot) write it
        /// (hmac-sha256 or hmac-sha512).
        #[arg(long, value_name = "FILE")]
        tsig_key: PathBuf,
        /// Print the update that would be sent (zone, prerequisite, delete, add); send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Publish the step even when sender readiness is not ready or not verified, or its
        /// evidence gate is closed.
        #[arg(long)]
        force: bool,
        /// Publish the step even when it weakens the live record.
        #[arg(long)]
        allow_loosen: bool,
        /// Seconds to wait for every authoritative server to serve the step.
        #[arg(long, value_name = "SECS", default_value_t = 120)]
        wait: u64,
        /// The port the zone's name servers are asked on while waiting.
        #[arg(long, value_name = "PORT", default_value_t = 53)]
        ns_port: u16,
        #[command(flatten)]
        dns: DnsArgs,
        #[command(flatten)]
        reports: ReportArgs,
        #[command(flatten)]
        clock: Clock,
    },
    /// Print the DNS records and Exchange Online commands that make each domain ready.
    ///
    /// The actions: DNS records to create, replace or delete, the Exchange Online commands,
    /// and what a sender's console or another organization has to do. Covers missing DKIM selectors (Microsoft 365: the signing configuration, both CNAMEs,
    /// enabling, rotating a weak key), the SPF record (missing includes, +all, several records;
    /// never one over 10 lookups), report authorizations, and the _dmarc name (several records,
    /// a CNAME, a broken record). A _dmarc value is the step `next` gives, only when it clears
    /// it. Exits with 0 when nothing needs fixing, 7 when something does, 5 when a lookup
    /// failed (nothing is suggested for what it hides).
    Fix {
        /// The plan file.
        plan: PathBuf,
        /// Only this domain (default: every domain in the plan).
        #[arg(long, short)]
        domain: Option<String>,
        /// text: every action with what it fixes; zone: only the DNS changes as zone-file
        /// lines; json: everything; powershell: only the Exchange Online commands, one script.
        #[arg(long, short, value_enum, default_value_t = fix::FixFormat::Text)]
        format: fix::FixFormat,
        #[command(flatten)]
        dns: DnsArgs,
        #[command(flatten)]
        reports: ReportArgs,
        #[command(flatten)]
        clock: Clock,
    },
    /// Show where each domain stands: live record, phase, drift, next step, problems.
    Status {
        /// The plan file.
        plan: PathBuf,
        /// Only this domain (default: every domain in the plan).
        #[arg(long, short)]
        domain: Option<String>,
        /// Print JSON: {"domains": [{name, dmarc: {state, records, source, ttl, server},
        /// position, phase, drift, next: {host, value, phase}, due, `due_in_days`, findings,
        /// readiness: {spf: {ok, lookups, `void_lookups`, tree, findings}, dkim: {ok, findings,
        /// <selector>: {state, `key_bits`, `cname_chain`}}, reports: {ok, findings}}}]}.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        dns: DnsArgs,
        #[command(flatten)]
        reports: ReportArgs,
        #[command(flatten)]
        clock: Clock,
    },
    /// For cron and CI: exit 0 when every domain's live record is a phase of the plan with no
    /// error finding and no readiness error; otherwise one line per problem on stderr and the
    /// exit code of the worst (5 DNS failure, 1 error findings, 4 drift or not started, 6
    /// overdue).
    Check {
        /// The plan file.
        plan: PathBuf,
        #[command(flatten)]
        dns: DnsArgs,
        #[command(flatten)]
        reports: ReportArgs,
        #[command(flatten)]
        clock: Clock,
    },
    /// Record in the plan that a phase was published, for the history and due dates.
    ///
    /// By default records the phase live in DNS now, dated today, and refuses when DNS does
    /// not show the phase given with --phase (unless --offline). Only the recorded line of the
    /// file changes; the write is atomic and refused if the file changed meanwhile.
    Record {
        /// The plan file.
        plan: PathBuf,
        /// The domain whose step was published.
        #[arg(long, short)]
        domain: String,
        /// The phase (1-based) that went live (default: the one DNS shows now).
        #[arg(long, value_name = "N")]
        phase: Option<usize>,
        /// The date it went live (default: today).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        on: Option<NaiveDate>,
        /// Do not look at DNS: record --phase as given.
        #[arg(long, requires = "phase")]
        offline: bool,
        #[command(flatten)]
        dns: DnsArgs,
        #[command(flatten)]
        clock: Clock,
    },
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
    Reports {
        /// Report files, folders and Maildirs (one or more).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// The plan file: name senders and show each phase's what-if and evidence gate.
        #[arg(long, value_name = "PLAN")]
        plan: Option<PathBuf>,
        /// Only this domain (the reports' policy domain).
        #[arg(long, short)]
        domain: Option<String>,
        /// Only reports from this day on (YYYY-MM-DD; a report counts on the UTC day in the
        /// middle of its period).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        since: Option<NaiveDate>,
        /// Only reports up to this day (YYYY-MM-DD, UTC), inclusive.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        until: Option<NaiveDate>,
        /// Print JSON: {window, `files_read`, `files_skipped`, `reports_outside_window`,
        /// domains: [{domain, reports, reporters, `days_covered`, messages, `dmarc_pass`,
        /// `dkim_aligned_pass`, `spf_aligned_pass`, rates in percent, sources: [{ip, messages,
        /// `dmarc_pass`, sender}], senders, phases: [{phase, name, record, `what_if`, gate}]}],
        /// `rejected_files`: [{path, reason}], `recovered_files`, `duplicate_reports`}.
        #[arg(long)]
        json: bool,
    },
    /// Check a DMARC (or SPF) record and show what each generation of receivers applies.
    ///
    /// Reads the TXT value from the argument, or from stdin when it is `-` or missing. A value
    /// starting with `v=spf1` is checked as SPF. Exits with 1 when a finding is an error.
    Lint {
        /// The TXT value, e.g. 'v=DMARC1; p=none; rua=mailto:dmarc@example.com'.
        record: Option<String>,
        /// Check the value as an SPF record (RFC 7208) whatever it starts with.
        #[arg(long)]
        spf: bool,
        /// Print a JSON object: valid, findings (id, severity, message, start, end) and
        /// effective.rfc7489 / effective.rfc9989 (applies, p, sp, np, pct, rest, reason).
        #[arg(long)]
        json: bool,
    },
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
    VerifyMessage {
        /// The message file, or `-` for stdin.
        #[arg(value_name = "FILE.eml|-")]
        message: PathBuf,
        /// The plan file: name the sender and judge the next phase.
        #[arg(long, value_name = "PLAN")]
        plan: Option<PathBuf>,
        /// Print JSON: {from, spf, dkim: [...], dmarc (each with result, domain, aligned:
        /// {relaxed, strict}), receiver, arc: [...], verdict, passes, notes, plan}.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        clock: Clock,
    },
    /// Load a plan and check it, including every phase's record.
    Validate {
        /// The plan file.
        plan: PathBuf,
    },
    /// Write a commented starter plan.
    ///
    /// Uses the Office 365 article's ladder: p=none, then quarantine at pct=50, then pct=100.
    Init {
        /// The domains to plan (one or more).
        #[arg(required = true)]
        domains: Vec<String>,
        /// Where aggregate reports go (default: mailto:dmarc@<first domain>).
        #[arg(long, value_name = "ADDRESS")]
        rua: Option<String>,
        /// Declare a known sender: m365 adds Exchange Online's SPF include and DKIM selectors.
        #[arg(long, value_enum)]
        preset: Option<Preset>,
        /// With --preset m365: the tenant (`contoso` of contoso.onmicrosoft.com), to write the
        /// selectors' CNAME targets in the legacy form (check them with Get-DkimSigningConfig).
        #[arg(long, value_name = "TENANT", requires = "preset")]
        tenant: Option<String>,
        /// A DKIM selector your own mail server signs with (repeatable).
        #[arg(long = "selector", value_name = "NAME")]
        selectors: Vec<String>,
        /// Write to this file instead of stdout (never overwrites).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
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
/// 0000 to 9999; chrono alone would take `+10000-01-01` or `-0001-01-01`).
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Txt,
    Zone,
    Json,
    /// `TXT("_dmarc", …)` lines for the zone's `D(…)` block.
    Dnscontrol,
    /// The zone config's YAML record, `;` escaped as `\;`.
    Octodns,
    /// An `azurerm_dns_txt_record` resource.
    TerraformAzurerm,
    /// An `aws_route53_record` resource.
    TerraformAws,
    /// A `cloudflare_dns_record` resource (provider v5).
    TerraformCloudflare,
    /// A script for `nsupdate -k KEYFILE`, guarded by a prerequisite on the live record.
    Nsupdate,
    /// Windows DNS Server cmdlets.
    PowershellDns,
    /// `az network dns record-set txt` commands.
    AzureCli,
}

impl Format {
    /// The DNS-as-code export this format is, if it is one.
    fn export(self) -> Option<crate::export::Format> {
        use crate::export::Format as E;
        Some(match self {
            Self::Txt | Self::Zone | Self::Json => return None,
            Self::Dnscontrol => E::Dnscontrol,
            Self::Octodns => E::Octodns,
            Self::TerraformAzurerm => E::TerraformAzurerm,
            Self::TerraformAws => E::TerraformAws,
            Self::TerraformCloudflare => E::TerraformCloudflare,
            Self::Nsupdate => E::Nsupdate,
            Self::PowershellDns => E::PowershellDns,
            Self::AzureCli => E::AzureCli,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// Microsoft 365 / Exchange Online.
    M365,
}

/// Runs a parsed command line, returning the exit code.
pub fn run(cli: Cli, out: &mut impl Write, err: &mut impl Write) -> u8 {
    let Some(command) = cli.command else { return ui(&cli.ui, out, err) };
    let result = match command {
        Command::Next {
            plan,
            domain,
            offline,
            force,
            allow_loosen,
            dns,
            reports,
            clock,
            format,
        } => {
            let overrides = advice::Overrides { force, allow_loosen };
            let request = NextRequest { domain, offline, overrides, format, today: clock.today() };
            with_plan(&plan, err, |p, err| run_next(&p, &request, &dns, &reports, out, err))
        }
        Command::Apply {
            plan,
            domain,
            server,
            tsig_key,
            dry_run,
            force,
            allow_loosen,
            wait,
            ns_port,
            dns,
            reports,
            clock,
        } => {
            let request = apply::Request {
                domain,
                server,
                key: tsig_key,
                dry_run,
                overrides: advice::Overrides { force, allow_loosen },
                wait: std::time::Duration::from_secs(wait),
                ns_port,
                today: clock.today(),
            };
            apply::run(&plan, &request, &dns, &reports, out, err)
        }
        Command::Status { plan, domain, json, dns, reports, clock } => {
            with_plan(&plan, err, |p, err| {
                let found = looked_up(&p, domain.as_deref(), &dns, &reports, clock.today(), err)?;
                found.map_or_else(Ok, |(_, standings)| status::run(&standings, json, out))
            })
        }
        Command::Fix { plan, domain, format, dns, reports, clock } => {
            with_plan(&plan, err, |p, err| {
                match looked_up(&p, domain.as_deref(), &dns, &reports, clock.today(), err)? {
                    Ok((_, standings)) => fix::run(&standings, format, out),
                    Err(code) => Ok(code),
                }
            })
        }
        Command::Check { plan, dns, reports, clock } => with_plan(&plan, err, |p, err| {
            match looked_up(&p, None, &dns, &reports, clock.today(), err)? {
                Ok((_, standings)) => status::check(&standings, err),
                Err(code) => Ok(code),
            }
        }),
        Command::Record { plan, domain, phase, on, offline, dns, clock } => {
            let request = record::Request { domain, phase, on, offline };
            record::run(&plan, &request, &dns, clock.today(), err)
        }
        Command::Reports { paths, plan, domain, since, until, json } => {
            let options = reports::Options {
                paths,
                domain,
                window: crate::report::Window { since, until },
                json,
            };
            match plan {
                Some(plan) => {
                    with_plan(&plan, err, |p, err| reports::run(&options, Some(&p), out, err))
                }
                None => reports::run(&options, None, out, err),
            }
        }
        Command::Lint { record, spf, json } => run_lint(record, spf, json, out, err),
        Command::VerifyMessage { message, plan, json, clock } => {
            verify_message(&message, plan.as_deref(), json, clock.today(), out, err)
        }
        Command::Validate { plan } => with_plan(&plan, err, |p, _| validate::run(&p, out)),
        Command::Init { domains, rua, preset, tenant, selectors, output } => {
            init::run(&init::Options { domains, rua, preset, tenant, selectors, output }, out, err)
        }
    };
    result.unwrap_or_else(|e| {
        // A reader that stopped early (`| head`) is not an error worth a word.
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return exits::OK;
        }
        // Nothing useful is left to do when stderr itself is gone.
        let _ = writeln!(err, "dmarc-rollout: {e}");
        exits::WRITE
    })
}

/// What `next` was asked for, beside the plan and the DNS and report flags.
struct NextRequest {
    domain: Option<String>,
    offline: bool,
    overrides: advice::Overrides,
    format: Format,
    today: NaiveDate,
}

/// `next`: the decision for each selected domain, from DNS or (offline) the recorded history.
fn run_next(
    p: &Plan,
    request: &NextRequest,
    dns: &DnsArgs,
    reports: &ReportArgs,
    out: &mut impl Write,
    err: &mut impl Write,
) -> std::io::Result<u8> {
    let advices: Vec<(&str, advice::Advice, next::Live)> = if request.offline {
        let domains = match select(p, request.domain.as_deref()) {
            Ok(domains) => domains,
            Err(message) => {
                return writeln!(err, "dmarc-rollout: {message}").map(|()| exits::USAGE);
            }
        };
        let evidence = reports.read(focus_on(&domains), err)?;
        domains
            .iter()
            .map(|d| {
                let inputs = advice::Inputs {
                    domain: d,
                    live: &advice::LiveDmarc::NotAsked,
                    readiness: None,
                    reports: evidence.as_ref(),
                    today: request.today,
                };
                (d.name.as_str(), advice::decide(&inputs), next::Live::NotRead)
            })
            .collect()
    } else {
        match looked_up(p, request.domain.as_deref(), dns, reports, request.today, err)? {
            Ok((domains, standings)) => domains
                .iter()
                .map(|d| d.name.as_str())
                .zip(standings)
                .map(|(name, s)| {
                    let live = next::Live::of(&s.dmarc);
                    (name, s.advice, live)
                })
                .collect(),
            Err(code) => return Ok(code),
        }
    };
    let planned: Vec<next::Planned<'_>> = advices
        .iter()
        .map(|(domain, advice, live)| next::Planned { domain, advice, live })
        .collect();
    next::run(&planned, request.format, request.overrides, out, err)
}

/// `lint`: the record from the argument or stdin, refused past the size a record can have.
fn run_lint(
    record: Option<String>,
    spf: bool,
    json: bool,
    out: &mut impl Write,
    err: &mut impl Write,
) -> std::io::Result<u8> {
    match read_record(record)? {
        Some(text) => lint::run(&text, spf, json, out),
        None => writeln!(
            err,
            "dmarc-rollout: the record is longer than {} KiB, the most lint reads (a DMARC record is a few hundred bytes)",
            lint::MAX_RECORD_BYTES / 1024
        )
        .map(|()| exits::USAGE),
    }
}

/// `verify-message`: with `--plan`, against the plan; the plan must load first.
fn verify_message(
    message: &Path,
    plan: Option<&Path>,
    json: bool,
    today: NaiveDate,
    out: &mut impl Write,
    err: &mut impl Write,
) -> std::io::Result<u8> {
    let mut run = |p: Option<&Plan>, err: &mut _| {
        verify::run(&verify::Request { input: message, plan: p, json, today }, out, err)
    };
    match plan {
        Some(plan) => with_plan(plan, err, |p, err| run(Some(&p), err)),
        None => run(None, err),
    }
}

/// `dmarc-rollout PLAN`: the terminal UI.
fn ui(ui: &UiArgs, out: &mut impl Write, err: &mut impl Write) -> u8 {
    let Some(plan) = &ui.plan else {
        let _ = writeln!(err, "dmarc-rollout: give a plan file, or a command (see --help)");
        return exits::USAGE;
    };
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        let _ = writeln!(
            err,
            "dmarc-rollout: the terminal UI needs a terminal; for scripts use `status`, `next` or `check`"
        );
        return exits::USAGE;
    }
    let refresh = (ui.refresh > 0).then(|| std::time::Duration::from_secs(ui.refresh));
    let result = tui::run(plan, ui, refresh, out, err);
    result.unwrap_or_else(|e| {
        let _ = writeln!(err, "dmarc-rollout: {e}");
        exits::WRITE
    })
}

/// The selected domains, and where each stands in DNS.
type LookedUp<'p> = (Vec<&'p Domain>, Vec<crate::standing::Standing>);

/// The selected domains with where each stands in DNS, or the exit code for why not (after
/// saying so on stderr).
fn looked_up<'p>(
    plan: &'p Plan,
    only: Option<&str>,
    dns: &DnsArgs,
    reports: &ReportArgs,
    today: NaiveDate,
    err: &mut impl Write,
) -> std::io::Result<Result<LookedUp<'p>, u8>> {
    let domains = match select(plan, only) {
        Ok(domains) => domains,
        Err(message) => {
            return writeln!(err, "dmarc-rollout: {message}").map(|()| Err(exits::USAGE));
        }
    };
    let evidence = reports.read(focus_on(&domains), err)?;
    match live::standings(dns, &domains, today, evidence.as_ref()) {
        Ok(standings) => Ok(Ok((domains, standings))),
        Err(e) => writeln!(err, "dmarc-rollout: {e}").map(|()| Err(exits::DNS)),
    }
}

/// Reports are read for the evidence of these domains only, whatever else the mailbox holds.
fn focus_on(domains: &[&Domain]) -> crate::report::Focus {
    crate::report::Focus::only(domains.iter().map(|d| &d.name))
}

/// Loads the plan, printing every error with its location; the command runs only on a valid
/// plan.
fn with_plan<W: Write>(
    path: &Path,
    err: &mut W,
    command: impl FnOnce(Plan, &mut W) -> std::io::Result<u8>,
) -> std::io::Result<u8> {
    match load_plan_text(path, err)? {
        Ok((_, plan)) => command(plan, err),
        Err(code) => Ok(code),
    }
}

/// Reads a plan with its text (for edits that must keep it), printing every error with its
/// location; `Err` carries the exit code.
fn load_plan_text(
    path: &Path,
    err: &mut impl Write,
) -> std::io::Result<Result<(String, Plan), u8>> {
    match read_plan_text(path) {
        Ok(loaded) => Ok(Ok(loaded)),
        Err(errors) => {
            errors.iter().try_for_each(|e| writeln!(err, "{e}"))?;
            Ok(Err(exits::PLAN))
        }
    }
}

/// Reads and loads a plan file, keeping its text for edits that must preserve it; an
/// unreadable file is reported like any other plan error.
pub fn read_plan_text(path: &Path) -> Result<(String, Plan), Vec<PlanError>> {
    let name = path.display().to_string();
    let text = crate::fsio::read_text(path, crate::fsio::MAX_PLAN_BYTES).map_err(|e| {
        vec![PlanError {
            file: name.clone(),
            location: plan::Location { line: 1, column: 1 },
            span: 0..0,
            message: format!("cannot read the plan: {e}"),
        }]
    })?;
    let plan = plan::load(&name, &text)?;
    Ok((text, plan))
}

/// The domains a command works on: the one named by `--domain`, or all of them.
fn select<'p>(plan: &'p Plan, only: Option<&str>) -> Result<Vec<&'p Domain>, String> {
    let Some(name) = only else { return Ok(plan.domains.iter().collect()) };
    plan.domain(name).map(|d| vec![d]).ok_or_else(|| {
        let known: Vec<&str> = plan.domains.iter().map(|d| d.name.as_str()).collect();
        format!("'{}' is not in the plan; it plans {}", escape(name), known.join(", "))
    })
}

/// Pretty JSON for scripts; serializing our own plain data cannot fail. Text from DNS keeps its
/// value but shows no raw control or bidi character when the JSON lands on a terminal.
fn to_json(value: &impl serde::Serialize) -> String {
    let json = serde_json::to_string_pretty(value).unwrap_or_default();
    escape_json(&json).into_owned()
}

/// The record to lint: the argument, or stdin for `-` or nothing, without its final newline;
/// `None` when it is longer than [`lint::MAX_RECORD_BYTES`] (stdin is read no further). Bytes
/// that are not UTF-8 (pasted from a hostile TXT record) become U+FFFD, which the lint then
/// reports, rather than failing the read.
fn read_record(arg: Option<String>) -> std::io::Result<Option<String>> {
    let max = lint::MAX_RECORD_BYTES;
    let text = match arg {
        Some(text) if text != "-" => text,
        _ => {
            let mut bytes = Vec::new();
            let limit = u64::try_from(max + 2).unwrap_or(u64::MAX);
            std::io::Read::read_to_end(
                &mut std::io::Read::take(std::io::stdin(), limit),
                &mut bytes,
            )?;
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };
    let trimmed = text.strip_suffix('\n').unwrap_or(&text);
    let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
    Ok((trimmed.len() <= max).then(|| trimmed.to_owned()))
}

/// "1 day", "5 days".
fn days(n: i64) -> String {
    if n.abs() == 1 { format!("{n} day") } else { format!("{n} days") }
}
