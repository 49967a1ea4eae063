//! README examples no other test reads: the annotated plan is the shipped one, the `reports`
//! example is what the binary prints for the shipped sample reports, and the exit-code table
//! lists the codes `--help` lists. (The TUI picture, the export, `fix`, `verify-message` and
//! `apply` examples and the commands table are checked beside their commands' tests.)

use std::collections::BTreeSet;

use assert_cmd::Command;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README")
}

/// The body of the first fenced block after `marker`.
fn block_after(readme: &str, marker: &str) -> String {
    let at = readme.find(marker).unwrap_or_else(|| panic!("the README has {marker:?}"));
    let open = at + readme[at..].find("```").expect("a block follows");
    let body = open + readme[open..].find('\n').expect("the fence line ends") + 1;
    let close = body + readme[body..].find("\n```").expect("the block closes");
    readme[body..=close].to_owned()
}

/// TOML text without comments, blank lines and the spacing that aligns values.
fn without_comments(toml: &str) -> Vec<String> {
    toml.lines()
        .map(|l| l.split(" #").next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn the_annotated_plan_is_the_shipped_plan_with_other_comments() {
    let shown = block_after(&readme(), "Annotated\n(`plans/insight24.toml`");
    let shipped = std::fs::read_to_string("plans/insight24.toml").expect("the shipped plan");
    assert_eq!(without_comments(&shown), without_comments(&shipped));
}

#[test]
fn the_reports_example_is_what_reports_prints_for_the_article_domain() {
    let shown = block_after(&readme(), "failing sources with what they authenticated as:");
    let output = Command::cargo_bin("dmarc-rollout")
        .expect("binary built")
        .args(["reports", "tests/fixtures/reports/insight24", "--plan", "plans/insight24.toml"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let printed = String::from_utf8(output.stdout).expect("UTF-8");
    // `  …` stands for lines left out; every part between is printed as shown.
    let parts: Vec<&str> = shown.split("  …\n").collect();
    assert_eq!(parts.len(), 2, "{shown}");
    for part in parts {
        assert!(printed.contains(part), "the README shows\n{part}\nbut reports prints\n{printed}");
    }
}

/// The codes at the start of the lines of a table (`| 7 |`) or of `--help`'s list (`  7  …`).
fn codes(lines: impl Iterator<Item = String>) -> BTreeSet<u8> {
    lines
        .filter_map(|l| l.trim_start_matches('|').split_whitespace().next()?.parse().ok())
        .collect()
}

#[test]
fn the_exit_code_table_lists_the_codes_help_lists() {
    let readme = readme();
    let table = &readme[readme.find("### Exit codes").expect("the section")..];
    let table = &table[..table.find("\n## ").expect("the next section")];
    let in_readme = codes(table.lines().filter(|l| l.starts_with("| ")).map(str::to_owned));
    let help = Command::cargo_bin("dmarc-rollout").expect("binary").arg("--help").output();
    let help = String::from_utf8(help.expect("runs").stdout).expect("UTF-8");
    let list = &help[help.find("Exit codes:").expect("the list")..];
    let in_help = codes(list.lines().skip(1).map(str::to_owned));
    assert_eq!(in_readme, in_help);
    assert_eq!(in_help, (0..=18).collect(), "{list}");
}
