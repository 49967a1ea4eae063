//! The evidence gate: a phase that asks for aggregate-report evidence is not printed by `next`
//! until `--reports` shows enough of it; `status` says how far the gate is from opening.

use std::fs;

use assert_cmd::Command;

const ZONE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/plans/insight24.zone");
const REPORTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reports/insight24");

/// The article's plan with an evidence gate on phase 2: `days` days of reports, `rate` passing.
fn gated_plan(dir: &std::path::Path, days: u32, rate: f64) -> std::path::PathBuf {
    let text = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/plans/insight24.toml"))
        .expect("plan");
    let gated = text.replacen(
        "name = \"quarantine half\"",
        &format!("name = \"quarantine half\"\nmin_report_days = {days}\nmin_pass_rate = {rate}"),
        1,
    );
    let path = dir.join("gated.toml");
    fs::write(&path, gated).expect("write plan");
    path
}

fn run(args: &[&str], plan: &std::path::Path) -> (Option<i32>, String, String) {
    let output = Command::cargo_bin("dmarc-rollout")
        .expect("binary")
        .args(args)
        .arg(plan)
        .args(["--zone", ZONE, "--today", "2026-12-01"])
        .output()
        .expect("runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (output.status.code(), text(&output.stdout), text(&output.stderr))
}

#[test]
fn without_reports_a_gated_phase_is_blocked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = gated_plan(dir.path(), 2, 0.9);
    let (code, stdout, stderr) = run(&["next"], &plan);
    assert_eq!(code, Some(7), "{stderr}");
    assert!(stdout.is_empty(), "a blocked step is not printed: {stdout}");
    assert!(
        stderr.contains("reports.evidence_closed") && stderr.contains("2 more days of reports"),
        "{stderr}"
    );
}

#[test]
fn enough_evidence_opens_the_gate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = gated_plan(dir.path(), 2, 0.9);
    let (code, stdout, stderr) = run(&["next", "--reports", REPORTS], &plan);
    // The shipped zone file does not hold the senders' includes and keys, so readiness is
    // unverified and still blocks; the evidence no longer does.
    assert_eq!(code, Some(7), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        !stderr.contains("reports.evidence_closed") && stderr.contains("unverified"),
        "{stderr}"
    );
    let (code, stdout, stderr) = run(&["next", "--force", "--reports", REPORTS], &plan);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with("v=DMARC1; p=quarantine;"), "{stdout}");
    let (_, table, _) = run(&["status", "--reports", REPORTS], &plan);
    assert!(
        table.contains("evidence for phase 2: open (2 days of reports, 90.9% pass)"),
        "{table}"
    );
}

#[test]
fn a_pass_rate_below_the_bar_keeps_the_gate_closed_and_says_by_how_much() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = gated_plan(dir.path(), 2, 0.95);
    let (code, _, stderr) = run(&["next", "--reports", REPORTS], &plan);
    assert_eq!(code, Some(7), "{stderr}");
    assert!(stderr.contains("pass rate 90.9% < 95%"), "{stderr}");
    let (_, json, _) = run(&["status", "--json", "--reports", REPORTS], &plan);
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let evidence = &json["domains"][0]["evidence"];
    assert_eq!(
        (evidence["open"].as_bool(), evidence["report_days"].as_u64()),
        (Some(false), Some(2))
    );
    let (code, stdout, _) = run(&["next", "--force", "--reports", REPORTS], &plan);
    assert_eq!(code, Some(0));
    assert!(stdout.starts_with("v=DMARC1; p=quarantine;"), "--force publishes anyway");
}

#[test]
fn offline_next_still_honours_the_evidence_gate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = gated_plan(dir.path(), 2, 0.95);
    let (code, stdout, stderr) = run(&["next", "--offline", "--reports", REPORTS], &plan);
    assert_eq!(code, Some(7), "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("pass rate 90.9% < 95%") && !stderr.contains("read them with"),
        "{stderr}"
    );
}

#[test]
fn a_gate_that_counts_only_known_senders_cannot_be_held_shut_by_spoofers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = gated_plan(dir.path(), 2, 0.95);
    let text = fs::read_to_string(&plan).expect("plan");
    fs::write(
        &plan,
        text.replacen("min_pass_rate = 0.95", "min_pass_rate = 0.95\ngate_senders = \"known\"", 1),
    )
    .expect("write");
    let (_, table, stderr) = run(&["status", "--reports", REPORTS], &plan);
    let line = table
        .lines()
        .find(|l| l.contains("evidence for phase 2"))
        .unwrap_or_else(|| panic!("{table}{stderr}"));
    assert!(line.contains("unknown sources (not counted)"), "{line}");
    let (_, json, _) = run(&["status", "--json", "--reports", REPORTS], &plan);
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let evidence = &json["domains"][0]["evidence"];
    assert!(evidence["unknown"]["messages"].as_u64().is_some_and(|n| n > 0), "{evidence}");
    assert!(evidence["pass_rate"].as_f64().is_some_and(|r| r > 90.9), "{evidence}");
}
