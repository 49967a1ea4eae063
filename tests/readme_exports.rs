//! The README's export examples are what the binary prints for the article's plan.
#![allow(clippy::unwrap_used, reason = "in tests a panic is the failure report")]

use assert_cmd::Command;

fn export(format: &str) -> String {
    let output = Command::cargo_bin("dmarc-rollout")
        .unwrap()
        .args(["next", "plans/insight24.toml", "--zone", "plans/insight24.zone", "--force"])
        .args(["--format", format])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{format}");
    String::from_utf8(output.stdout).unwrap()
}

/// The README from `heading` to the next heading that starts with `until`.
fn section(heading: &str, until: &str) -> String {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let start = readme.find(heading).unwrap();
    let end = start + readme[start..].find(until).unwrap();
    readme[start..end].to_owned()
}

/// Checks each row of the export table in `section` (its example in cell `column`, with `…`
/// standing for the middle) against a line of what `printed` gives for that row's format.
fn rows_are_printed(section: &str, column: usize, printed: impl Fn(&str) -> String) {
    let rows: Vec<&str> =
        section.lines().filter(|l| l.starts_with("| `") && l.contains('…')).collect();
    assert_eq!(rows.len(), 8, "one row per format");
    for row in rows {
        let cells: Vec<&str> = row.split(" | ").collect();
        let format = cells[0].trim_start_matches("| ").trim_matches('`');
        let example =
            cells[column].trim_end_matches(" |").trim_start_matches('`').trim_end_matches('`');
        let (head, tail) = example.split_once('…').unwrap();
        let printed = printed(format);
        assert!(
            printed
                .lines()
                .any(|l| l.starts_with(head) && l.ends_with(tail) && l.len() > example.len()),
            "{format}: no line like {example:?} in\n{printed}"
        );
    }
}

#[test]
fn each_row_of_the_export_table_is_a_line_the_binary_prints() {
    rows_are_printed(&section("### Exports", "\n### "), 2, export);
}

#[test]
fn the_nsupdate_script_in_the_readme_is_the_one_printed() {
    let section = section("### Exports", "\n### ");
    let start = section.find("```\n;").unwrap() + 4;
    let end = start + section[start..].find("```").unwrap();
    assert_eq!(&section[start..end], export("nsupdate"));
}

/// What `fix --format TOOL` prints for the article's domain before it was ready.
fn fix_export(format: &str) -> (String, String) {
    let output = Command::cargo_bin("dmarc-rollout")
        .unwrap()
        .args(["fix", "plans/insight24.toml", "--zone", "plans/insight24-unready.zone"])
        .args(["--today", "2026-11-29", "--format", format])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7), "{format}: something needs fixing");
    (String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
}

#[test]
fn each_row_of_the_fix_export_table_is_a_line_the_binary_prints() {
    let section = section("### `fix` for DNS-as-code tools", "\n## ");
    rows_are_printed(&section, 1, |format| fix_export(format).0);
}

#[test]
fn the_fix_export_stderr_in_the_readme_is_the_one_printed() {
    let section = section("### `fix` for DNS-as-code tools", "\n## ");
    let start = section.find("```\n").unwrap() + 4;
    let end = start + section[start..].find("```").unwrap();
    assert_eq!(&section[start..end], fix_export("nsupdate").1);
}
