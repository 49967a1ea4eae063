//! The command line: dispatch to one function per command ([`args`] holds what clap reads).
//! Every command writes through `&mut impl Write` so its output can be tested byte for byte,
//! and returns an [`Outcome`]: its exit code, or a [`CliError`] printed in one place.

mod apply;
mod args;
mod check;
mod error;
mod fix;
mod init;
mod lint;
mod live;
mod next;
mod paint;
mod publisher;
mod record;
mod reports;
mod status;
mod tui;
mod validate;
mod verify;

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::Path;

pub use self::args::{
    ApplyArgs, CheckArgs, Cli, Clock, Command, CompletionsArgs, FixArgs, Format, InitArgs,
    LintArgs, LookupArgs, NextArgs, Preset, RecordArgs, ReportsArgs, Shell, StatusArgs,
    UiApplyArgs, UiArgs, ValidateArgs, VerifyMessageArgs,
};
pub use self::error::{CliError, Outcome};
pub use self::paint::{ColorChoice, Paint, Streams};

use crate::advice;
use crate::plan::{self, Domain, Plan, PlanError};
use crate::text::escape;

/// Parses the command line as clap does, but a first word that names no file and is near a
/// command's name (two edits away, or its start) gets "did you mean" (clap would take it for the terminal UI's plan).
pub fn parse(args: Vec<OsString>) -> Result<Cli, CliError> {
    let args = color_after_command(args);
    if let Some(word) = args.get(1).and_then(|w| w.to_str()) {
        let commands = <Cli as clap::CommandFactory>::command();
        let names: Vec<&str> = commands.get_subcommands().map(clap::Command::get_name).collect();
        let near = names.iter().find(|name| {
            edit_distance(word, name) <= 2 || (word.len() >= 3 && name.starts_with(word))
        });
        if let (Some(near), false, false) = (near, names.contains(&word), Path::new(word).exists())
        {
            return Err(CliError::Usage(format!(
                "'{}' is no command and no plan file; did you mean `{near}`?",
                escape(word)
            )));
        }
    }
    Ok(<Cli as clap::Parser>::parse_from(args))
}

/// `dmarc-rollout --color always status …` as `status --color always …`: the global flag may
/// come first, but clap takes anything before a command for the terminal UI's and refuses it.
/// Before clap's own `help` (not among the commands clap lists), the flag goes: help text is
/// not coloured, and `help` would take the flag for a command's name.
fn color_after_command(mut args: Vec<OsString>) -> Vec<OsString> {
    let width = match args.get(1).and_then(|w| w.to_str()) {
        Some("--color") => 2,
        Some(word) if word.starts_with("--color=") => 1,
        _ => return args,
    };
    if args.get(1 + width).is_some_and(|w| w == "help") {
        args.drain(1..=width);
        return args;
    }
    let names = <Cli as clap::CommandFactory>::command();
    let is_command = |word: Option<&OsString>| {
        word.and_then(|w| w.to_str()).is_some_and(|w| names.find_subcommand(w).is_some())
    };
    if args.len() > 1 + width && is_command(args.get(1 + width)) {
        let flag: Vec<OsString> = args.drain(1..=width).collect();
        args.splice(2..2, flag);
    }
    args
}

/// Levenshtein distance, by characters: how many edits turn `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substituted = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substituted.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// Runs a parsed command line, returning the exit code.
pub fn run(cli: Cli, out: &mut impl Write, err: &mut impl Write) -> u8 {
    let paint = Streams::decide(cli.color, std::env::var_os("NO_COLOR").as_deref());
    let outcome = match cli.command {
        None => ui(&cli.ui, out, err),
        Some(command) => dispatch(command, paint, out, err),
    };
    outcome.unwrap_or_else(|e| e.print(err))
}

fn dispatch(
    command: Command,
    paint: Streams,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Outcome {
    match command {
        Command::Next(a) => next(&a, paint.err, out, err),
        Command::Apply(a) => apply(a, paint.err, out, err),
        Command::Fix(a) => fix(&a, out, err),
        Command::Status(a) => status(&a, paint.out, out, err),
        Command::Check(a) => check(&a, out, err),
        Command::Record(a) => record(a, err),
        Command::Reports(a) => reports(a, out, err),
        Command::Lint(a) => lint(a, paint.out, out, err),
        Command::VerifyMessage(a) => verify_message(&a, out),
        Command::Validate(a) => Ok(validate::run(&load_plan(&a.plan)?, out)?),
        Command::Init(a) => init(a, out, err),
        Command::Completions(a) => completions(a.shell, out),
        Command::Man => man(out),
    }
}

/// `completions SHELL`: the completion script, generated from the same definitions as --help.
fn completions(shell: Shell, out: &mut impl Write) -> Outcome {
    let mut command = <Cli as clap::CommandFactory>::command();
    // Generated into memory first: clap_complete panics on a write error (`| head`).
    let mut script = Vec::new();
    clap_complete::generate(shell.generator(), &mut command, "dmarc-rollout", &mut script);
    out.write_all(&script)?;
    Ok(crate::exits::OK)
}

/// `man`: the man page in roff, generated from the same definitions as --help.
fn man(out: &mut impl Write) -> Outcome {
    let command = <Cli as clap::CommandFactory>::command();
    clap_mangen::Man::new(command).render(out)?;
    Ok(crate::exits::OK)
}

/// `next`: the decision for each selected domain, from DNS or (offline) the recorded history.
/// `next`; `paint` is stderr's, where its remarks go.
fn next(a: &NextArgs, paint: Paint, out: &mut impl Write, err: &mut impl Write) -> Outcome {
    let p = load_plan(&a.plan)?;
    let overrides = advice::Overrides { force: a.force, allow_loosen: a.allow_loosen };
    let today = a.lookup.clock.today();
    let advices: Vec<(&str, advice::Advice, next::Live)> = if a.offline {
        let domains = select(&p, a.domain.as_deref())?;
        let evidence = a.lookup.reports.read(focus_on(&domains), err)?;
        domains
            .iter()
            .map(|d| {
                let inputs = advice::Inputs {
                    domain: d,
                    live: &advice::LiveDmarc::NotAsked,
                    readiness: None,
                    reports: evidence.as_ref(),
                    today,
                };
                (d.name.as_str(), advice::decide(&inputs), next::Live::NotRead)
            })
            .collect()
    } else {
        let (domains, standings) = looked_up(&p, a.domain.as_deref(), &a.lookup, err)?;
        domains
            .iter()
            .map(|d| d.name.as_str())
            .zip(standings)
            .map(|(name, s)| {
                let live = next::Live::of(&s.dmarc);
                (name, s.advice, live)
            })
            .collect()
    };
    let planned: Vec<next::Planned<'_>> = advices
        .iter()
        .map(|(domain, advice, live)| next::Planned { domain, advice, live })
        .collect();
    next::run(&planned, a.format, overrides, paint, out, err)
}

/// `apply`; `paint` is stderr's, where `next`'s remarks go.
fn apply(a: ApplyArgs, paint: Paint, out: &mut impl Write, err: &mut impl Write) -> Outcome {
    let request = apply::Request {
        domain: a.domain,
        server: a.server,
        key: a.tsig_key,
        dry_run: a.dry_run,
        overrides: advice::Overrides { force: a.force, allow_loosen: a.allow_loosen },
        wait: std::time::Duration::from_secs(a.wait),
        ns_port: a.ns_port,
        today: a.lookup.clock.today(),
        paint,
    };
    apply::run(&a.plan, &request, &a.lookup.dns, &a.lookup.reports, out, err)
}

fn fix(a: &FixArgs, out: &mut impl Write, err: &mut impl Write) -> Outcome {
    let p = load_plan(&a.plan)?;
    let (_, standings) = looked_up(&p, a.domain.as_deref(), &a.lookup, err)?;
    fix::run(&standings, a.format, out, err)
}

fn status(a: &StatusArgs, paint: Paint, out: &mut impl Write, err: &mut impl Write) -> Outcome {
    let p = load_plan(&a.plan)?;
    let (_, standings) = looked_up(&p, a.domain.as_deref(), &a.lookup, err)?;
    Ok(status::run(&standings, &a.only, a.json, paint, out)?)
}

fn check(a: &CheckArgs, out: &mut impl Write, err: &mut impl Write) -> Outcome {
    let p = load_plan(&a.plan)?;
    let (_, standings) = looked_up(&p, a.domain.as_deref(), &a.lookup, err)?;
    Ok(check::run(&standings, a.json, out, err)?)
}

fn record(a: RecordArgs, err: &mut impl Write) -> Outcome {
    let request = record::Request {
        domain: a.domain,
        phase: a.phase,
        on: a.on,
        replace: a.replace,
        offline: a.offline,
    };
    record::run(&a.plan, &request, &a.dns, a.clock.today(), err)
}

fn reports(a: ReportsArgs, out: &mut impl Write, err: &mut impl Write) -> Outcome {
    let options = reports::Options {
        paths: a.paths,
        domain: a.domain,
        window: crate::report::Window { since: a.since, until: a.until },
        json: a.json,
    };
    let plan = a.plan.as_deref().map(load_plan).transpose()?;
    reports::run(&options, plan.as_ref(), out, err)
}

/// `lint`: the record from the argument or stdin, refused past the size a record can have.
fn lint(a: LintArgs, paint: Paint, out: &mut impl Write, err: &mut impl Write) -> Outcome {
    let from_stdin = a.record.as_deref().is_none_or(|r| r == "-");
    if from_stdin && std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        // Someone typed `lint` alone at a prompt: say why nothing happens yet.
        writeln!(err, "dmarc-rollout: reading the record from stdin (end with Ctrl-D)")?;
    }
    let Some(text) = read_record(a.record)? else {
        return Err(CliError::Usage(format!(
            "the record is longer than {} KiB, the most lint reads (a DMARC record is a few hundred bytes)",
            lint::MAX_RECORD_BYTES / 1024
        )));
    };
    Ok(lint::run(&text, a.spf, a.json, paint, out)?)
}

/// `verify-message`: with `--plan`, against the plan; the plan must load first.
fn verify_message(a: &VerifyMessageArgs, out: &mut impl Write) -> Outcome {
    let plan = a.plan.as_deref().map(load_plan).transpose()?;
    let request = verify::Request {
        input: &a.message,
        plan: plan.as_ref(),
        json: a.json,
        today: a.clock.today(),
    };
    verify::run(&request, out)
}

fn init(a: InitArgs, out: &mut impl Write, err: &mut impl Write) -> Outcome {
    let options = init::Options {
        domains: a.domains,
        rua: a.rua,
        preset: a.preset,
        tenant: a.tenant,
        selectors: a.selectors,
        reject: a.reject,
        output: a.output,
    };
    init::run(&options, out, err)
}

/// `dmarc-rollout PLAN`: the terminal UI.
fn ui(ui: &UiArgs, out: &mut impl Write, err: &mut impl Write) -> Outcome {
    let Some(plan) = &ui.plan else {
        return Err(CliError::Usage("give a plan file, or a command (see --help)".into()));
    };
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return Err(CliError::Usage(
            "the terminal UI needs a terminal; for scripts use `status`, `next` or `check`".into(),
        ));
    }
    let refresh = (ui.refresh > 0).then(|| std::time::Duration::from_secs(ui.refresh));
    tui::run(plan, ui, refresh, out, err)
}

/// The selected domains, and where each stands in DNS.
type LookedUp<'p> = (Vec<&'p Domain>, Vec<crate::standing::Standing>);

/// The selected domains with where each stands in DNS (reports read for their evidence).
fn looked_up<'p>(
    plan: &'p Plan,
    only: Option<&str>,
    lookup: &LookupArgs,
    err: &mut impl Write,
) -> Result<LookedUp<'p>, CliError> {
    let domains = select(plan, only)?;
    let evidence = lookup.reports.read(focus_on(&domains), err)?;
    let standings =
        live::standings(&lookup.dns, &domains, lookup.clock.today(), evidence.as_ref())?;
    Ok((domains, standings))
}

/// Reports are read for the evidence of these domains only, whatever else the mailbox holds.
fn focus_on(domains: &[&Domain]) -> crate::report::Focus {
    crate::report::Focus::only(domains.iter().map(|d| &d.name))
}

/// Loads the plan; every error, with its location, is the command's error.
fn load_plan(path: &Path) -> Result<Plan, CliError> {
    load_plan_text(path).map(|(_, plan)| plan)
}

/// Reads a plan with its text (for edits that must keep it).
fn load_plan_text(path: &Path) -> Result<(String, Plan), CliError> {
    read_plan_text(path).map_err(CliError::Plan)
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
fn select<'p>(plan: &'p Plan, only: Option<&str>) -> Result<Vec<&'p Domain>, CliError> {
    let Some(name) = only else { return Ok(plan.domains.iter().collect()) };
    plan.domain(name).map(|d| vec![d]).ok_or_else(|| {
        let known: Vec<&str> = plan.domains.iter().map(|d| d.name.as_str()).collect();
        CliError::Usage(format!(
            "'{}' is not in the plan; it plans {}",
            escape(name),
            known.join(", ")
        ))
    })
}

/// Pretty JSON for scripts, then a newline; serializing our own plain data cannot fail, so an
/// error is the output's. Text from DNS keeps its value but shows no raw control or bidi
/// character when the JSON lands on a terminal ([`crate::text::write_json`]).
fn write_json(out: &mut impl Write, value: &impl serde::Serialize) -> io::Result<()> {
    // serde writes a few bytes at a time; stdout would flush at every line.
    let mut buffered = io::BufWriter::with_capacity(1 << 16, out);
    crate::text::write_json(&mut buffered, value)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// `{"<key>": [items]}` as [`write_json`] writes it, each item's keys sorted as in a
/// `serde_json::Value` (the order scripts and the README have always seen). Each item is a
/// `Value` only while it is rendered, and the items are rendered in chunks on every core: the
/// JSON of 10,000 domains is a second of one core's work, done once the lookups are over.
fn write_list_json<T: serde::Serialize + Sync>(
    out: &mut impl Write,
    key: &str,
    items: &[T],
) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(1 << 16, out);
    write!(buffered, "{{\n  \"{key}\": [")?;
    for (i, chunk) in rendered(items)?.iter().enumerate() {
        buffered.write_all(if i == 0 { b"\n    " } else { LIST_ITEM_SEPARATOR })?;
        buffered.write_all(chunk)?;
    }
    buffered.write_all(if items.is_empty() { b"]\n}\n" } else { b"\n  ]\n}\n" })?;
    buffered.flush()
}

/// What comes between two items of [`write_list_json`]'s list.
const LIST_ITEM_SEPARATOR: &[u8] = b",\n    ";

/// Items per thread at least: fewer are rendered sooner than a thread starts.
const ITEMS_PER_THREAD: usize = 256;

/// The items as laid out in [`write_list_json`]'s list, in chunks (in order), the first
/// rendered on this thread and each other on one of its own.
fn rendered<T: serde::Serialize + Sync>(items: &[T]) -> io::Result<Vec<Vec<u8>>> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let per_chunk = items.len().div_ceil(cores).max(ITEMS_PER_THREAD);
    let mut chunks = items.chunks(per_chunk);
    let Some(first) = chunks.next() else { return Ok(Vec::new()) };
    std::thread::scope(|scope| {
        let others: Vec<_> = chunks.map(|chunk| scope.spawn(|| render(chunk))).collect();
        let mut all = vec![render(first)?];
        for other in others {
            all.push(other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?);
        }
        Ok(all)
    })
}

/// Items at their place in [`write_list_json`]'s list, two levels deep, keys sorted.
fn render<T: serde::Serialize>(items: &[T]) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            bytes.extend_from_slice(LIST_ITEM_SEPARATOR);
        }
        crate::text::write_json_at(&mut bytes, &serde_json::to_value(item)?, 2)?;
    }
    Ok(bytes)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys out of order, nesting, and a character a terminal must not get raw.
    #[derive(serde::Serialize)]
    struct Item {
        name: String,
        at: usize,
        nested: Vec<Option<(u8, &'static str)>>,
    }

    #[test]
    fn a_list_rendered_in_chunks_reads_as_the_whole_document_would() {
        for count in [0, 1, 2, ITEMS_PER_THREAD + 1, 4 * ITEMS_PER_THREAD + 3] {
            let items: Vec<Item> = (0..count)
                .map(|at| Item {
                    name: format!("d{at}.test\u{202E}"),
                    at,
                    nested: vec![None, Some((7, "x\u{1b}"))],
                })
                .collect();
            let mut chunked = Vec::new();
            write_list_json(&mut chunked, "items", &items).expect("written");
            let values: Vec<serde_json::Value> =
                items.iter().map(|i| serde_json::to_value(i).expect("value")).collect();
            let mut whole = Vec::new();
            write_json(&mut whole, &std::collections::BTreeMap::from([("items", values)]))
                .expect("written");
            assert_eq!(String::from_utf8_lossy(&chunked), String::from_utf8_lossy(&whole));
        }
    }
}
