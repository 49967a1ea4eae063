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
