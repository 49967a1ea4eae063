//! Every input a fuzz target once failed on, replayed through the checks the targets make
//! (`fuzz/src/lib.rs`, shared so the two cannot drift apart). Inputs are files under
//! `tests/fixtures/fuzz/<target>/`, named for what they found; see `fuzz/README.md`. Every check
//! is also fed every plan and report fixture, so a check that breaks on ordinary input shows here.

#[path = "../fuzz/src/lib.rs"]
mod checks;

use std::fs;
use std::panic;
use std::path::Path;

/// Runs `check` on every saved input of `target` and names the ones that still fail.
fn replay(target: &str, check: Check) {
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
fn spf_parse_inputs_that_once_failed_now_hold_every_property() {
    replay("spf_parse", checks::spf_parse);
}

/// A fuzz target's check: panics when a property breaks.
type Check = fn(&[u8]);

/// Every check with its target's name, for feeding them all the same files.
const CHECKS: [(&str, Check); 11] = [
    ("dmarc_parse", checks::dmarc_parse),
    ("render_split", checks::render_split),
    ("plan_load", checks::plan_load),
    ("plan_record_step", checks::plan_record_step),
    ("escape", checks::escape),
    ("spf_parse", checks::spf_parse),
    ("dkim_parse", checks::dkim_parse),
    ("report_fold", checks::report_fold),
    ("report_container", checks::report_container),
    ("report_message", checks::report_message),
    ("message_parse", checks::message_parse),
];

#[test]
fn every_check_holds_on_every_plan_and_report_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        "plans",
        "tests/fixtures/invalid-plans",
        "tests/fixtures/reports",
        "tests/fixtures/aggregate-reports/parsedmarc/aggregate",
        "tests/fixtures/aggregate-reports/parsedmarc/eml-attachments",
        "tests/fixtures/messages",
    ];
    let mut files: Vec<_> = dirs
        .iter()
        .flat_map(|dir| fs::read_dir(root.join(dir)).expect("a fixture folder"))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(files.len() > 15, "{files:?}");
    for path in files {
        let text = fs::read(&path).expect("a readable fixture");
        for (target, check) in CHECKS {
            // plan_record_step reads its picks from two leading bytes; try a few.
            for prefix in [&[][..], &[0x00, 7], &[0x11, 200], &[0x0f, 1]] {
                let data = [prefix, &text].concat();
                let outcome = panic::catch_unwind(|| check(&data));
                assert!(outcome.is_ok(), "{target} fails on {}", path.display());
            }
        }
    }
}
