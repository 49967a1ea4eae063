//! The shell conventions: completion scripts and the man page, generated from the same
//! definitions as --help.

use assert_cmd::Command;

fn bin() -> Command {
    Command::cargo_bin("dmarc-rollout").expect("binary built")
}

fn stdout_of(args: &[&str]) -> String {
    let output = bin().args(args).output().expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

const SUBCOMMANDS: [&str; 13] = [
    "next",
    "apply",
    "fix",
    "status",
    "check",
    "record",
    "reports",
    "lint",
    "verify-message",
    "validate",
    "init",
    "completions",
    "man",
];

#[test]
fn each_completion_script_names_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = stdout_of(&["completions", shell]);
        for command in SUBCOMMANDS {
            assert!(script.contains(command), "{shell} script lacks {command}");
        }
        assert!(script.contains("allow-loosen"), "{shell} script lacks next's flags");
    }
}

#[test]
fn completions_for_an_unknown_shell_is_a_usage_error_naming_the_shells() {
    let output = bin().args(["completions", "tcsh"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bash, zsh, fish, powershell"), "{stderr}");
    assert!(!stderr.contains("cannot be used with"), "{stderr}");
}

#[test]
fn the_man_page_is_roff_titled_dmarc_rollout_section_one_listing_the_commands() {
    let page = stdout_of(&["man"]);
    // clap_mangen puts two lines defining the apostrophe string before the title.
    let first_macro = page.lines().find(|l| !l.starts_with(".ie") && !l.starts_with(".el"));
    assert!(first_macro.is_some_and(|l| l.starts_with(".TH dmarc-rollout 1")), "{page}");
    for command in SUBCOMMANDS {
        assert!(page.contains(&command.replace('-', "\\-")), "the man page lacks {command}");
    }
}

/// `status` on the shipped plan and zone: a blocked verdict and warnings to colour.
fn status(extra: &[&str], no_color: Option<&str>) -> String {
    let mut command = bin();
    command.args(extra).args([
        "status",
        "plans/insight24.toml",
        "--zone",
        "plans/insight24.zone",
        "--today",
        "2026-01-01",
    ]);
    command.env_remove("NO_COLOR");
    if let Some(value) = no_color {
        command.env("NO_COLOR", value);
    }
    String::from_utf8(command.output().expect("runs").stdout).expect("UTF-8")
}

#[test]
fn color_always_paints_verdicts_and_severities_even_into_a_pipe_and_with_no_color() {
    for (extra, no_color) in [(["--color", "always"], None), (["--color", "always"], Some("1"))] {
        let text = status(&extra, no_color);
        assert!(text.contains("\x1b[1;31mblocked\x1b[0m"), "{text}");
        assert!(text.contains("    \x1b[33mwarning\x1b[0m dmarc.pct_no_effect:"), "{text}");
    }
    // After the command as well as before it.
    let output = bin().args(["lint", "--color=always", "v=DMARC1; p=none; pct=50"]).output();
    let text = String::from_utf8(output.expect("runs").stdout).expect("UTF-8");
    assert!(text.contains("^^^^^^ \x1b[33mwarning\x1b[0m"), "{text}");
}

#[test]
fn the_readiness_column_is_painted_and_the_columns_stay_aligned() {
    let text = status(&["--color", "always"], None);
    let mut lines = text.lines();
    let header = lines.next().expect("the header");
    let row = lines.next().expect("the domain's row");
    let at = header.find("READINESS").expect("the READINESS column");
    assert_eq!(
        row.get(at..),
        Some("\x1b[33munverified\x1b[0m  \x1b[1;31mblocked\x1b[0m"),
        "{text}"
    );
    assert!(text.contains("    readiness \x1b[33munverified\x1b[0m: SPF"), "{text}");
}

/// `next` on the shipped plan and zone, blocked by unverified readiness: its stderr.
fn next_remarks(extra: &[&str]) -> String {
    let output = bin()
        .args(["next", "plans/insight24.toml", "--zone", "plans/insight24.zone"])
        .args(["--today", "2026-12-01"])
        .args(extra)
        .env_remove("NO_COLOR")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(7));
    String::from_utf8(output.stderr).expect("UTF-8")
}

#[test]
fn next_paints_its_remarks_verdict_and_reasons_with_colour_always_and_never_into_a_pipe() {
    let text = next_remarks(&["--color", "always"]);
    assert!(
        text.contains("insight24.nl: phase 2 (quarantine half) \x1b[1;31mblocked\x1b[0m:"),
        "{text}"
    );
    assert!(text.contains("insight24.nl:   \x1b[33munverified\x1b[0m spf.unverified:"), "{text}");
    let plain = next_remarks(&[]);
    assert!(plain.contains("(quarantine half) blocked:") && !plain.contains('\x1b'), "{plain}");
}

#[test]
fn no_colour_reaches_a_pipe_by_default_with_no_color_or_with_never() {
    for (extra, no_color) in
        [(&[][..], None), (&[][..], Some("1")), (&["--color", "never"][..], None)]
    {
        let text = status(extra, no_color);
        assert!(text.contains("blocked"), "{text}");
        assert!(!text.contains('\x1b'), "{extra:?} {no_color:?}: {text}");
    }
}

#[test]
fn colour_never_lands_inside_text_from_dns() {
    let hostile = "v=DMARC1; p=none; pct=50; x=\u{1b}[31merror";
    let output = bin().args(["--color", "always", "lint", hostile]).output().expect("runs");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let first = text.lines().next().expect("the record line");
    assert!(!first.contains('\x1b'), "{first:?}");
}

/// The binary in a pseudo-terminal: stdin and stdout are a terminal.
fn in_a_terminal(args: &[&str]) -> expectrl::session::OsSession {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_dmarc-rollout"));
    command.args(args).env_remove("NO_COLOR").env("TERM", "xterm-256color");
    let mut session = expectrl::Session::spawn(command).expect("the binary starts in a pty");
    session.set_expect_timeout(Some(std::time::Duration::from_secs(10)));
    session
}

#[test]
fn lint_alone_on_a_terminal_says_it_reads_stdin_and_lints_what_is_typed() {
    use expectrl::Expect as _;
    let mut session = in_a_terminal(&["lint"]);
    session.expect("reading the record from stdin (end with Ctrl-D)").expect("the note");
    session.send("v=DMARC1; p=none; pct=50\n").expect("typed");
    session.send("\x04").expect("Ctrl-D");
    session.expect("RFC 7489 receivers").expect("the lint of the typed record");
}

#[test]
fn lint_reading_a_pipe_adds_no_note() {
    let output = bin().arg("lint").write_stdin("v=DMARC1; p=none\n").output().expect("runs");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert!(String::from_utf8_lossy(&output.stdout).contains("RFC 7489 receivers"));
}

#[test]
fn on_a_terminal_the_default_is_colour() {
    use expectrl::Expect as _;
    let mut session = in_a_terminal(&["lint", "v=DMARC1; p=none; pct=50"]);
    session.expect("\x1b[33mwarning\x1b[0m").expect("a coloured severity");
}

/// The `--flags` named in a piece of text.
fn flags_in(text: &str) -> std::collections::BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(str::to_owned)
        .collect()
}

/// The flags a command's --help lists as its options (not those its texts mention).
fn help_flags(command: &str) -> std::collections::BTreeSet<String> {
    let help = stdout_of(&[command, "--help"]);
    help.lines()
        .filter_map(|line| {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            let option = trimmed
                .strip_prefix("-")
                .and_then(|t| t.split_once(", "))
                .map_or(trimmed, |(_, o)| o);
            (indent <= 6 && option.starts_with("--")).then_some(option)
        })
        .flat_map(|option| flags_in(option.split_whitespace().next().unwrap_or_default()))
        .collect()
}

#[test]
fn every_flag_of_the_readme_commands_table_is_in_that_commands_help_and_back() {
    let readme = std::fs::read_to_string("README.md").expect("README");
    let table = readme.split("## Commands").nth(1).expect("the Commands section");
    // Flags every looking-up command shares are documented once, under "Where lookups go".
    let lookups = readme.split("### Where lookups go").nth(1).expect("the lookups section");
    let lookups = lookups.split("\n#").next().unwrap_or_default();
    let mut shared = flags_in(lookups);
    shared.extend(["--help", "--color", "--reports"].map(str::to_owned));
    let mut rows = 0;
    for line in table.lines().take_while(|l| l.starts_with('|') || l.is_empty()).skip(2) {
        let Some(cell) = line.strip_prefix("| `").and_then(|l| l.split('`').next()) else {
            continue;
        };
        let command = cell.split_whitespace().next().expect("a command name");
        let readme_flags: Vec<String> = flags_in(cell).difference(&shared).cloned().collect();
        let help: Vec<String> = help_flags(command).difference(&shared).cloned().collect();
        assert_eq!(readme_flags, help, "README row vs {command} --help");
        rows += 1;
    }
    assert!(rows >= 13, "only {rows} rows read");
}

#[test]
fn no_help_text_shows_markdown_backticks() {
    let mut helps = vec![stdout_of(&["--help"])];
    helps.extend(SUBCOMMANDS.iter().map(|command| stdout_of(&[command, "--help"])));
    for help in helps {
        assert!(!help.contains('`'), "{help}");
    }
}

#[test]
fn a_colour_flag_before_help_prints_the_help_not_the_terminal_ui() {
    let help = stdout_of(&["help"]);
    assert!(help.contains("Usage: dmarc-rollout"), "{help}");
    assert_eq!(stdout_of(&["--color", "always", "help"]), help);
    assert_eq!(stdout_of(&["--color=never", "help", "status"]), stdout_of(&["help", "status"]));
}
