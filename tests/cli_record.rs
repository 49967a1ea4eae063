//! `record` through the binary: only the recorded line changes, DNS must show the phase, and
//! recording twice changes nothing.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

const ZONE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/plans/insight24.zone");

fn copy_of_article_plan(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("insight24.toml");
    fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/plans/insight24.toml"), &path).expect("copy");
    path
}

fn record(plan: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let output = Command::cargo_bin("dmarc-rollout")
        .expect("binary")
        .arg("record")
        .arg(plan)
        .args(["--domain", "insight24.nl", "--zone", ZONE])
        .args(extra)
        .output()
        .expect("runs");
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn recording_the_live_phase_adds_one_line_and_is_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = copy_of_article_plan(dir.path());
    let before = fs::read_to_string(&plan).expect("read");
    let (code, stderr) = record(&plan, &["--on", "2026-11-20"]);
    assert_eq!(code, Some(2), "another date is recorded: {stderr}");
    assert!(stderr.contains("already recorded as published on 2026-11-16; pass --replace"));
    assert_eq!(fs::read_to_string(&plan).expect("read"), before);
    let (code, stderr) = record(&plan, &["--on", "2026-11-20", "--replace"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("recorded phase 1 (monitor) as published on 2026-11-20"), "{stderr}");
    let after = fs::read_to_string(&plan).expect("read");
    assert_eq!(after, before.replace("  1 = 2026-11-16", "  1 = 2026-11-20"));
    let (code, stderr) = record(&plan, &["--on", "2026-11-20"]);
    assert_eq!((code, stderr.contains("already recorded")), (Some(0), true), "{stderr}");
    assert_eq!(fs::read_to_string(&plan).expect("read"), after);
}

#[test]
fn a_phase_dns_does_not_show_is_refused_unless_offline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = copy_of_article_plan(dir.path());
    let before = fs::read_to_string(&plan).expect("read");
    let (code, stderr) = record(&plan, &["--phase", "2"]);
    assert_eq!(code, Some(4), "{stderr}");
    assert!(stderr.contains("DNS shows phase 1 for insight24.nl, not phase 2"), "{stderr}");
    assert_eq!(fs::read_to_string(&plan).expect("read"), before);
    let (code, stderr) = record(&plan, &["--phase", "2", "--on", "2026-11-30", "--offline"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        fs::read_to_string(&plan).expect("read"),
        before.replace("  1 = 2026-11-16\n", "  1 = 2026-11-16\n  2 = 2026-11-30\n")
    );
}

#[test]
fn a_phase_outside_the_ladder_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = copy_of_article_plan(dir.path());
    let (code, stderr) = record(&plan, &["--phase", "7", "--offline"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("has phases 1 to 3, not 7"), "{stderr}");
}

#[test]
fn recording_the_live_phase_again_without_a_date_keeps_its_first_date() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = copy_of_article_plan(dir.path());
    let before = fs::read_to_string(&plan).expect("read");
    let (code, stderr) = record(&plan, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("already recorded as published on 2026-11-16"), "{stderr}");
    assert_eq!(fs::read_to_string(&plan).expect("read"), before, "a daily cron run moves nothing");
}

#[test]
fn a_date_in_the_future_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = copy_of_article_plan(dir.path());
    let before = fs::read_to_string(&plan).expect("read");
    let args = ["--phase", "2", "--on", "2026-12-02", "--offline", "--today", "2026-12-01"];
    let (code, stderr) = record(&plan, &args);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("2026-12-02 is in the future (today is 2026-12-01)"), "{stderr}");
    assert_eq!(fs::read_to_string(&plan).expect("read"), before);
}
