//! Every input a fuzz target once failed on, replayed through the checks the targets make
//! (`fuzz/src/lib.rs`, shared so the two cannot drift apart). Inputs are files under
//! `tests/fixtures/fuzz/<target>/`, named for what they found; see `fuzz/README.md`.

#[path = "../fuzz/src/lib.rs"]
mod checks;

use std::fs;
use std::panic;
use std::path::Path;

/// Runs `check` on every saved input of `target` and names the ones that still fail.
fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz").join(target);
    let mut inputs: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "{} holds no inputs", dir.display());
    let failing: Vec<String> = inputs
        .iter()
        .filter(|path| {
            let data = fs::read(path).expect("a readable input");
            panic::catch_unwind(|| check(&data)).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(failing.is_empty(), "{target} still fails on {failing:#?}");
}

#[test]
fn dmarc_parse_inputs_that_once_failed_now_hold_every_property() {
    replay("dmarc_parse", checks::dmarc_parse);
}

#[test]
fn render_split_inputs_that_once_failed_now_hold_every_property() {
    replay("render_split", checks::render_split);
}

#[test]
fn plan_load_inputs_that_once_failed_now_hold_every_property() {
    replay("plan_load", checks::plan_load);
}

#[test]
fn plan_record_step_inputs_that_once_failed_now_hold_every_property() {
    replay("plan_record_step", checks::plan_record_step);
}

#[test]
fn escape_inputs_that_once_failed_now_hold_every_property() {
    replay("escape", checks::escape);
}
