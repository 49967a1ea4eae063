//! Writing a plan under attack and under load (issue 13): parallel `record` runs lose no update,
//! a writer that cannot get the lock says so, temporary files never collide, mode, owner, line
//! endings and byte-order mark stay, a read-only plan is refused, dates outside what TOML holds
//! are refused, and inline-table plans are written like any other.

use std::fmt::Write as _;
use std::fs;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use dmarc_rollout::fsio::{self, WriteError};
use dmarc_rollout::plan::{self, EditError, record_step};

const LADDER: &str =
    "[[phase]]\nname = \"monitor\"\np = \"none\"\n\n[[phase]]\nname = \"reject\"\np = \"reject\"\n";

fn plan_of(dir: &Path, domains: usize) -> PathBuf {
    let mut text = LADDER.to_owned();
    for i in 0..domains {
        let _ = write!(text, "\n[[domain]]\nname = \"d{i}.example\"\n");
    }
    let path = dir.join("plan.toml");
    fs::write(&path, text).expect("write plan");
    path
}

fn record(plan: &Path, domain: &str, on: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dmarc-rollout"));
    let on = format!("--on={on}");
    cmd.arg("record").arg(plan).args(["--domain", domain, "--phase", "1", "--offline", &on]);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd
}

fn finish(children: Vec<Child>) -> Vec<Output> {
    children.into_iter().map(|c| c.wait_with_output().expect("waits")).collect()
}

fn text_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn twenty_record_runs_on_twenty_domains_at_once_all_land_and_all_succeed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = plan_of(dir.path(), 20);
    let children: Vec<Child> = (0..20)
        .map(|i| record(&path, &format!("d{i}.example"), "2026-11-20").spawn().expect("spawns"))
        .collect();
    for output in finish(children) {
        assert_eq!(output.status.code(), Some(0), "{}", text_of(&output));
    }
    let plan = plan::load("plan", &fs::read_to_string(&path).expect("read")).expect("valid plan");
    let recorded = plan.domains.iter().filter(|d| d.history.len() == 1).count();
    assert_eq!(recorded, 20, "every run's entry is in the plan");
}

/// Whether process `pid` holds `path` open for writing: a `record` run waiting for the lock.
fn waits_for_lock(pid: u32, path: &Path) -> bool {
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else { return false };
    fds.filter_map(Result::ok).any(|fd| {
        let flags =
            fs::read_to_string(format!("/proc/{pid}/fdinfo/{}", fd.file_name().to_string_lossy()))
                .unwrap_or_default();
        let write = flags
            .lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
            .is_some_and(|f| f & 0o3 == 0o2);
        write && fs::read_link(fd.path()).is_ok_and(|target| target == path)
    })
}

#[test]
fn twenty_record_runs_on_one_domain_let_one_win_and_the_others_say_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = fs::canonicalize(plan_of(dir.path(), 1)).expect("path");
    // Hold the lock until every run has read the plan and waits for it, so that all twenty
    // start from the same text.
    let held = fsio::lock(&path).expect("lock");
    let children: Vec<Child> = (0..20)
        .map(|i| {
            record(&path, "d0.example", &format!("2026-11-{:02}", i + 1)).spawn().expect("spawns")
        })
        .collect();
    let started = Instant::now();
    while !children.iter().all(|c| waits_for_lock(c.id(), &path)) {
        assert!(started.elapsed() < Duration::from_secs(60), "the runs never reached the lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(held);
    let outputs = finish(children);
    let won: Vec<&Output> = outputs.iter().filter(|o| o.status.success()).collect();
    assert_eq!(won.len(), 1, "{:?}", outputs.iter().map(text_of).collect::<Vec<_>>());
    for lost in outputs.iter().filter(|o| !o.status.success()) {
        assert_eq!(lost.status.code(), Some(8));
        assert!(
            text_of(lost).contains("changed on disk since it was read; nothing was written"),
            "{}",
            text_of(lost)
        );
    }
    let plan = plan::load("plan", &fs::read_to_string(&path).expect("read")).expect("valid plan");
    assert_eq!(plan.domains[0].history.len(), 1);
}

#[test]
fn a_writer_that_cannot_get_the_lock_in_time_says_so_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = plan_of(dir.path(), 1);
    let before = fs::read_to_string(&path).expect("read");
    let _held = fsio::lock(&path).expect("lock");
    let result = fsio::lock_within(&path, Duration::from_millis(200));
    let Err(e @ WriteError::Locked { .. }) = result else {
        panic!("locked out: {:?}", result.err())
    };
    assert!(e.to_string().contains("is being written by another dmarc-rollout"), "{e}");
    assert_eq!(fs::read_to_string(&path).expect("read"), before);
}

#[test]
fn a_read_only_plan_is_refused_even_for_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = plan_of(dir.path(), 1);
    let before = fs::read_to_string(&path).expect("read");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).expect("chmod");
    let output = record(&path, "d0.example", "2026-11-20").output().expect("runs");
    assert_eq!(output.status.code(), Some(8), "{}", text_of(&output));
    assert!(text_of(&output).contains("is read-only; nothing was written"), "{}", text_of(&output));
    assert_eq!(fs::read_to_string(&path).expect("read"), before);
    assert_eq!(fs::metadata(&path).expect("meta").permissions().mode() & 0o777, 0o444);
}

#[test]
fn a_recorded_plan_keeps_its_mode_and_owner() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = plan_of(dir.path(), 1);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).expect("chmod");
    let root = fs::metadata(&path).expect("meta").uid() == 0;
    if root {
        // Run as root, `record` must not hand another user's plan to root.
        std::os::unix::fs::chown(&path, Some(4242), Some(4343)).expect("chown");
    }
    let output = record(&path, "d0.example", "2026-11-20").output().expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", text_of(&output));
    let meta = fs::metadata(&path).expect("meta");
    assert_eq!(meta.permissions().mode() & 0o777, 0o640);
    if root {
        assert_eq!((meta.uid(), meta.gid()), (4242, 4343));
    }
}

#[test]
fn a_crlf_plan_with_a_byte_order_mark_keeps_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = plan_of(dir.path(), 2);
    let lf = fs::read_to_string(&path).expect("read");
    let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    fs::write(&path, &crlf).expect("write");
    let output = record(&path, "d0.example", "2026-11-20").output().expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", text_of(&output));
    let after = fs::read_to_string(&path).expect("read");
    assert!(after.starts_with('\u{feff}'), "the byte-order mark stays");
    assert_eq!(after.matches('\n').count(), after.matches("\r\n").count(), "{after:?}");
    assert_eq!(
        after.replace("\r\n", "\n"),
        record_step(&lf, "d0.example", 1, date(2026, 11, 20))
            .expect("edit")
            .replacen("", "\u{feff}", 1)
    );
}

#[test]
fn a_plan_written_with_inline_tables_is_recorded_in_place() {
    let text = format!(
        "domain = [{{ name = \"a.example\" }}, {{ name = \"b.example\", history = {{ 1 = 2026-11-01 }} }}]\n{LADDER}"
    );
    plan::load("inline", &text).expect("valid");
    let a = record_step(&text, "a.example", 1, date(2026, 11, 20)).expect("a recorded");
    let b = record_step(&a, "b.example", 2, date(2026, 11, 21)).expect("b recorded");
    let plan = plan::load("inline", &b).expect("still valid");
    assert_eq!(plan.domains[0].history.len(), 1);
    assert_eq!(plan.domains[1].history.len(), 2);
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

#[test]
fn dates_outside_the_years_a_plan_holds_are_refused_before_anything_is_written() {
    assert_eq!(
        record_step(LADDER, "x", 1, date(10_000, 1, 1)),
        Err(EditError::DateOutOfRange(date(10_000, 1, 1)))
    );
    assert!(matches!(
        record_step(LADDER, "x", 1, date(-1, 1, 1)),
        Err(EditError::DateOutOfRange(_))
    ));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = plan_of(dir.path(), 1);
    let before = fs::read_to_string(&path).expect("read");
    for on in ["+10000-01-01", "-0001-01-01", "2026-1-5"] {
        let output = record(&path, "d0.example", on).output().expect("runs");
        assert_eq!(output.status.code(), Some(2), "{on}: {}", text_of(&output));
        assert!(
            text_of(&output).contains("is not a date written YYYY-MM-DD"),
            "{}",
            text_of(&output)
        );
    }
    assert_eq!(fs::read_to_string(&path).expect("read"), before);
}
