//! A plan write killed at any point leaves either the old file or the new one, never a mix.
//!
//! The parent test runs this same test binary again as a child (selecting only
//! `child_writes_and_dies`), which starts a write and aborts right after a given step, as a
//! crash or `kill -9` would.

use std::path::PathBuf;
use std::process::Command;
use std::{env, fs};

use dmarc_rollout::fsio::{Step, replace_observed};
use dmarc_rollout::plan;

const PATH_VAR: &str = "DMARC_ROLLOUT_CRASH_PATH";
const STEP_VAR: &str = "DMARC_ROLLOUT_CRASH_AFTER";
const STEPS: [Step; 4] = [Step::TempCreated, Step::TempWritten, Step::TempSynced, Step::Renamed];

fn updated(text: &str) -> String {
    text.replace("1 = 2026-11-16", "1 = 2026-11-16\n  2 = 2026-11-30")
}

#[test]
fn child_writes_and_dies() {
    let (Ok(path), Ok(step)) = (env::var(PATH_VAR), env::var(STEP_VAR)) else { return };
    let path = PathBuf::from(path);
    let stop_after: usize = step.parse().expect("step number");
    let old = fs::read_to_string(&path).expect("plan");
    if stop_after == 0 {
        std::process::abort();
    }
    let _ = replace_observed(&path, &old, &updated(&old), &mut |step| {
        if STEPS[stop_after - 1] == step {
            std::process::abort();
        }
    });
}

#[test]
fn a_write_killed_after_any_step_leaves_the_old_or_the_new_plan() {
    let original = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/plans/insight24.toml"))
        .expect("shipped plan");
    for stop_after in 0..=STEPS.len() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("insight24.toml");
        fs::write(&path, &original).expect("write");
        let status = Command::new(env::current_exe().expect("test binary"))
            .args(["--exact", "child_writes_and_dies", "--test-threads=1"])
            .env(PATH_VAR, &path)
            .env(STEP_VAR, stop_after.to_string())
            .status()
            .expect("child runs");
        assert!(!status.success(), "step {stop_after}: the child must have been killed");
        let left = fs::read_to_string(&path).expect("plan still readable");
        let expected =
            if stop_after == STEPS.len() { updated(&original) } else { original.clone() };
        assert_eq!(left, expected, "after step {stop_after}");
        plan::load("insight24.toml", &left).expect("a valid plan after the crash");
    }
}
