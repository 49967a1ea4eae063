//! Hostile plans, paths, records and command-line values through the binary (issue 13): no raw
//! escape sequence reaches the terminal from an error message, `lint` output grows linearly,
//! reads refuse what is not a regular file and cap what is, and `init` cannot be made to write
//! keys of an attacker's choosing.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// The escape sequences of the issue: a pane title set, then the screen cleared.
const PAYLOAD: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J";

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dmarc-rollout"));
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("runs")
}

/// Stdout and stderr hold no control character but newlines.
fn assert_no_raw_controls(output: &Output) {
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        let raw = text.chars().find(|c| c.is_control() && *c != '\n');
        assert!(raw.is_none(), "raw {raw:?} in {text:?}");
    }
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned() + &String::from_utf8_lossy(&output.stdout)
}

#[test]
fn a_domain_label_holding_escape_sequences_is_quoted_escaped_by_validate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("plan.toml");
    let label = format!("{PAYLOAD}{}", "a".repeat(70));
    let plan =
        format!("[[phase]]\nname = \"m\"\np = \"none\"\n[[domain]]\nname = \"{label}.example\"\n")
            .replace('\u{1b}', "\\u001b")
            .replace('\u{7}', "\\u0007");
    fs::write(&path, plan).expect("write");
    let output = run(bin().arg("validate").arg(&path));
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert_no_raw_controls(&output);
    assert!(text(&output).contains("\\027]0;pwned"), "{}", text(&output));
}

#[test]
fn a_plan_path_holding_escape_sequences_is_printed_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(format!("plan{PAYLOAD}.toml"));
    fs::write(&path, "not toml [").expect("write");
    let output = run(bin().arg("validate").arg(&path));
    assert_eq!(output.status.code(), Some(3));
    assert_no_raw_controls(&output);
    let missing = run(bin()
        .args(["record", "--domain", "x.example", "--offline", "--phase", "1"])
        .arg(dir.path().join(format!("gone{PAYLOAD}.toml"))));
    assert_eq!(missing.status.code(), Some(3));
    assert_no_raw_controls(&missing);
}

#[test]
fn zone_file_errors_quote_the_zone_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zone = dir.path().join(format!("z{PAYLOAD}.zone"));
    fs::write(&zone, format!("$ORIGIN x.test.\n@ 3600 IN X{PAYLOAD} \"a\"\n")).expect("write");
    let plan = dir.path().join("plan.toml");
    fs::write(&plan, "[[phase]]\nname = \"m\"\np = \"none\"\n[[domain]]\nname = \"x.test\"\n")
        .expect("write");
    let output = run(bin().arg("status").arg(&plan).arg("--zone").arg(&zone));
    assert_eq!(output.status.code(), Some(18), "{}", text(&output));
    assert!(text(&output).contains(".zone:2:1: "), "{}", text(&output));
    assert_no_raw_controls(&output);
}

#[test]
fn lint_output_grows_linearly_with_many_findings() {
    let tags = (0..1_800).fold(String::new(), |mut s, i| {
        let _ = write!(s, "x{i}=y;");
        s
    });
    let record = format!("v=DMARC1; p=none; {tags}");
    let output = run(bin().arg("lint").arg(&record));
    assert_eq!(output.status.code(), Some(1), "bad tag names are errors");
    let out = String::from_utf8_lossy(&output.stdout);
    // 20 findings drawn under the record, the others one line each.
    assert!(out.contains("more findings, by byte position:"), "{}", &out[..300.min(out.len())]);
    assert!(
        output.stdout.len() < 60 * record.len(),
        "{} bytes for a {}-byte record",
        output.stdout.len(),
        record.len()
    );
}

#[test]
fn lint_refuses_a_record_longer_than_16_kib_from_an_argument_or_stdin() {
    let long = format!("v=DMARC1; p=none; {}", "x".repeat(20_000));
    let output = run(bin().arg("lint").arg(&long));
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).contains("longer than 16 KiB"), "{}", text(&output));
    let mut child = bin().args(["lint", "-"]).stdin(Stdio::piped()).spawn().expect("spawns");
    let mut stdin = child.stdin.take().expect("stdin");
    // 64 MiB of zeros: read no further than the limit.
    let writer = std::thread::spawn(move || {
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            if std::io::Write::write_all(&mut stdin, &zeros).is_err() {
                break;
            }
        }
    });
    let output = child.wait_with_output().expect("ends");
    let _ = writer.join();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(status.success());
}

/// Runs `cmd`, failing the test if it does not end within 60 s (a FIFO read would block).
fn run_bounded(cmd: &mut Command) -> Output {
    let mut child = cmd.spawn().expect("spawns");
    for _ in 0..600 {
        if child.try_wait().expect("waits").is_some() {
            return child.wait_with_output().expect("output");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("{cmd:?} blocked on a FIFO");
}

#[test]
fn a_fifo_or_a_device_is_refused_as_plan_report_or_zone_instead_of_blocking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let plan = run_bounded(bin().arg("validate").arg(&fifo));
    assert_eq!(plan.status.code(), Some(3));
    assert!(text(&plan).contains("a FIFO (named pipe) is not a regular file"), "{}", text(&plan));
    let zero = run_bounded(bin().args(["validate", "/dev/zero"]));
    assert!(text(&zero).contains("a device is not a regular file"), "{}", text(&zero));
    let reports = run_bounded(bin().arg("reports").arg(&fifo));
    assert_eq!(reports.status.code(), Some(9));
    assert!(text(&reports).contains("not a regular file or folder"), "{}", text(&reports));
    let real = dir.path().join("plan.toml");
    fs::write(&real, "[[phase]]\nname = \"m\"\np = \"none\"\n[[domain]]\nname = \"x.test\"\n")
        .expect("write");
    let zone = run_bounded(bin().arg("status").arg(&real).arg("--zone").arg(&fifo));
    assert_eq!(zone.status.code(), Some(18), "{}", text(&zone));
    let gate =
        run_bounded(bin().args(["next", "--offline"]).arg(&real).arg("--reports").arg(&fifo));
    assert!(text(&gate).contains("not a regular file or folder"), "{}", text(&gate));
}

#[test]
fn a_plan_larger_than_16_mib_is_refused_with_the_limit_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.toml");
    let file = fs::File::create(&path).expect("create");
    file.set_len(17 << 20).expect("a sparse 17 MiB file");
    let output = run(bin().arg("validate").arg(&path));
    assert_eq!(output.status.code(), Some(3));
    assert!(text(&output).contains("larger than 16 MiB"), "{}", text(&output));
}

#[test]
fn init_refuses_a_report_address_that_would_write_its_own_keys() {
    let output = run(bin().args([
        "init",
        "example.com",
        "--rua",
        "mailto:x@example.com\"]\nruf = [\"mailto:spy@attacker.example",
    ]));
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(!text(&output).contains("\nruf = "), "{}", text(&output));
    assert_no_raw_controls(&output);
    let fine = run(bin().args([
        "init",
        "example.com",
        "--rua",
        "dmarc@example.com",
        "--selector",
        "s\"1",
    ]));
    assert_eq!(
        fine.status.code(),
        Some(2),
        "a selector with a quote is no selector: {}",
        text(&fine)
    );
    let ok = run(bin().args(["init", "example.com", "--rua", "dmarc@example.com"]));
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("rua   = [\"mailto:dmarc@example.com\"]"));
}
