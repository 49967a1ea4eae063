//! Recording steps in a plan file: only the recorded line changes, writes are atomic, and a
//! plan changed on disk is never overwritten.

use std::fs;

use chrono::NaiveDate;
use dmarc_rollout::fsio::{self, Step, WriteError};
use dmarc_rollout::plan::{self, EditError, record_step};
use dmarc_rollout::rollout;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn shipped_plan() -> String {
    fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/plans/insight24.toml")).expect("plan")
}

/// The lines of `after` that are not in `before`, and the other way round.
fn line_diff(before: &str, after: &str) -> (Vec<String>, Vec<String>) {
    let (b, a): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    let prefix = b.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let suffix =
        b[prefix..].iter().rev().zip(a[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let strip =
        |v: &[&str], n: usize| v[prefix..n - suffix].iter().map(|s| (*s).to_owned()).collect();
    (strip(&a, a.len()), strip(&b, b.len()))
}

#[test]
fn recording_a_step_in_a_commented_plan_adds_exactly_one_line() {
    let before = shipped_plan();
    let after = record_step(&before, "insight24.nl", 2, date(2026, 11, 30)).expect("recorded");
    let (added, removed) = line_diff(&before, &after);
    assert_eq!(added, ["  2 = 2026-11-30"]);
    assert!(removed.is_empty(), "{removed:?}");
    let plan = plan::load("x", &after).expect("still a valid plan");
    assert_eq!(rollout::recorded_phase(&plan.domains[0]), Some(1));
}

#[test]
fn recording_the_first_step_adds_a_history_table_under_its_domain() {
    let before = "# keep me\n[[phase]]\nname = \"a\" # why\np = \"none\"\n\n[[domain]]\nname = \"a.example\"\n\n[[domain]]\nname = \"b.example\"\n";
    let after = record_step(before, "A.EXAMPLE.", 1, date(2026, 12, 1)).expect("recorded");
    assert_eq!(
        after,
        "# keep me\n[[phase]]\nname = \"a\" # why\np = \"none\"\n\n[[domain]]\nname = \"a.example\"\n\n[domain.history]\n1 = 2026-12-01\n\n[[domain]]\nname = \"b.example\"\n"
    );
}

#[test]
fn recording_the_same_step_twice_changes_nothing_the_second_time() {
    let once =
        record_step(&shipped_plan(), "insight24.nl", 2, date(2026, 11, 30)).expect("recorded");
    let twice = record_step(&once, "insight24.nl", 2, date(2026, 11, 30)).expect("recorded");
    assert_eq!(once, twice);
}

#[test]
fn re_recording_a_step_on_another_date_keeps_its_comment() {
    let before = "[[phase]]\nname = \"a\"\n[[domain]]\nname = \"a.example\"\n[domain.history]\n1 = 2026-01-01 # first try\n";
    let after = record_step(before, "a.example", 1, date(2026, 2, 1)).expect("recorded");
    assert!(after.ends_with("1 = 2026-02-01 # first try\n"), "{after}");
}

#[test]
fn recording_for_an_unknown_domain_says_so() {
    assert_eq!(
        record_step(&shipped_plan(), "example.com", 1, date(2026, 1, 1)),
        Err(EditError::NoSuchDomain("example.com".into()))
    );
}

#[test]
fn a_plan_changed_on_disk_since_it_was_read_is_not_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("plan.toml");
    fs::write(&path, "edited by someone else\n").expect("write");
    let result = fsio::replace_if_unchanged(&path, "what we read\n", "what we would write\n");
    assert!(matches!(result, Err(WriteError::ChangedOnDisk(_))), "{result:?}");
    assert_eq!(fs::read_to_string(&path).expect("read"), "edited by someone else\n");
}

#[test]
fn a_temporary_file_left_by_a_killed_run_with_the_same_pid_does_not_stop_the_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("plan.toml");
    fs::write(&path, "old\n").expect("write");
    // What a killed run used to leave, under the name a run with this PID used to choose; a
    // folder, so that not even root could have written over it.
    let stale = dir.path().join(format!(".plan.toml.{}.tmp", std::process::id()));
    fs::create_dir(&stale).expect("mkdir");
    fsio::replace_if_unchanged(&path, "old\n", "new\n").expect("written beside it");
    assert_eq!(fs::read_to_string(&path).expect("read"), "new\n");
    assert!(stale.is_dir(), "the stale file is left alone");
    assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 2, "no new temporary file");
}

#[test]
fn a_successful_write_goes_through_every_step_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("plan.toml");
    fs::write(&path, "old\n").expect("write");
    let mut steps = Vec::new();
    fsio::replace_observed(&path, "old\n", "new\n", &mut |s| steps.push(s)).expect("written");
    assert_eq!(steps, [Step::TempCreated, Step::TempWritten, Step::TempSynced, Step::Renamed]);
    assert_eq!(fs::read_to_string(&path).expect("read"), "new\n");
    assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 1);
}

#[test]
fn due_dates_cross_month_year_and_leap_day_boundaries() {
    let text = |soak: u32| {
        format!(
            "[[phase]]\nname = \"a\"\nsoak_days = {soak}\n[[phase]]\nname = \"b\"\np = \"reject\"\n[[domain]]\nname = \"a.example\"\n"
        )
    };
    for (soak, published, due) in [
        (14, date(2026, 12, 25), date(2027, 1, 8)),
        (1, date(2026, 1, 31), date(2026, 2, 1)),
        (1, date(2028, 2, 28), date(2028, 2, 29)),
        (30, date(2026, 11, 16), date(2026, 12, 16)),
        (0, date(2026, 12, 31), date(2026, 12, 31)),
    ] {
        let plan = plan::load("x", &text(soak)).expect("valid");
        assert_eq!(
            rollout::due_date(&plan.domains[0], 0, published),
            Some(due),
            "{soak} days after {published}"
        );
    }
}

#[test]
fn a_symlinked_plan_is_updated_where_it_lives() {
    let dir = tempfile::tempdir().expect("tempdir");
    let real = dir.path().join("real.toml");
    let link = dir.path().join("link.toml");
    fs::write(&real, "old\n").expect("write");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    fsio::replace_if_unchanged(&link, "old\n", "new\n").expect("written");
    assert!(fs::symlink_metadata(&link).expect("link").file_type().is_symlink(), "still a link");
    assert_eq!(fs::read_to_string(&real).expect("read"), "new\n");
}
