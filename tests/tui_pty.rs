//! The real binary's TUI in a pseudo-terminal, against an authoritative DNS server on
//! 127.0.0.1: it shows the live phase and the next record, answers keys while a lookup hangs,
//! never lets hostile DNS text through raw, records a step on `m` and `y` changing one line of
//! the plan, and leaves the terminal as it found it.

mod support;

use std::io::Write as _;
use std::num::NonZeroU16;
use std::process::Command;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Regex, Session};
use support::dns_server::zone_text;
use support::hostile::{Served, assert_pty_safe, name, serve, txt};

const PLAN: &str = r#"
[defaults]
rua = ["mailto:dmarc@ui.test"]

[[phase]]
name = "monitor"
p = "none"
soak_days = 14

[[phase]]
name = "quarantine half"
p = "quarantine"
pct = 50

[[domain]]
name = "live.ui.test"

[[domain]]
name = "never-answers.ui.test"

[[domain]]
name = "hostile.ui.test"
"#;

fn server() -> Served {
    let zone = zone_text(
        "ui.test",
        "@ MX 10 mx\nmx A 127.0.0.1\n_dmarc.live TXT \"v=DMARC1; p=none; rua=mailto:dmarc@ui.test\"\n",
    );
    let hostile = txt(
        name("_dmarc.hostile.ui.test"),
        b"v=DMARC1; p=none; rua=mailto:\x1b]52;c;cm0gLXJmIH4K\x07x\xe2\x80\xae@ui.test",
    );
    serve(&[&zone], vec![hostile])
}

fn spawn(served: &Served, plan: &tempfile::NamedTempFile) -> OsSession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dmarc-rollout"));
    command
        .arg(plan.path())
        .args(["--nameserver", &served.dns.addr.to_string(), "--timeout", "60", "--refresh", "0"])
        .args(["--today", "2026-11-29"])
        .env("NO_COLOR", "1")
        .env("TERM", "xterm-256color");
    let mut session = Session::spawn(command).expect("the binary starts in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(10)));
    session
}

fn plan_file() -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().expect("plan");
    file.write_all(PLAN.as_bytes()).expect("write plan");
    file
}

#[test]
fn the_live_phase_and_next_record_show_and_keys_work_while_a_lookup_hangs() {
    let served = server();
    let plan = plan_file();
    let mut session = spawn(&served, &plan);
    session.expect("\x1b[?1049h").expect("the alternate screen is entered");
    session.expect("phase 1/2").expect("the live phase of live.ui.test is shown");
    session.expect("pct=50").expect("the next record is on screen");
    // never-answers.ui.test stays in flight for 60 s, far past the 10 s this test waits for
    // each screen: only a UI that never blocks on DNS passes.
    session.send("?").expect("a key is sent");
    session.expect("Shift-Tab").expect("help opens while a lookup hangs");
    session.send("?").expect("? closes help");
    session.send("q").expect("q is sent");
    session.expect("\x1b[?1049l").expect("the alternate screen is left");
    let status = session.get_process().wait().expect("the binary exits");
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");
}

#[test]
fn hostile_dns_text_reaches_the_screen_escaped_and_p_prints_the_value() {
    let served = server();
    let plan = plan_file();
    let mut session = spawn(&served, &plan);
    session.send("j").expect("down");
    session.send("j").expect("down to hostile.ui.test");
    let before = session.expect("\\027]52").expect("the OSC sequence is shown escaped");
    assert_pty_safe("the screen up to the hostile record", before.before());
    session.send("p").expect("p is sent");
    let rest = session.expect(Eof).expect("the binary ends");
    assert_pty_safe("the screen after it", rest.as_bytes());
    // The live record matches no phase, so the value printed brings it back to phase 1.
    let tail = String::from_utf8_lossy(rest.as_bytes());
    assert!(
        tail.ends_with("\x1b[?1049l\x1b[?25hv=DMARC1; p=none; rua=mailto:dmarc@ui.test\r\n"),
        "{tail:?}"
    );
    let all = session.get_process().wait().expect("exits");
    assert!(matches!(all, WaitStatus::Exited(_, 0)), "{all:?}");
}

/// One domain whose phase 2 is live in DNS, with phase 1 recorded.
const RECORD_PLAN: &str = r#"# the rollout of live.ui.test
[defaults]
rua = ["mailto:dmarc@ui.test"]

[[phase]]
name = "monitor"
p = "none"
soak_days = 14

[[phase]]
name = "quarantine half"
p = "quarantine"
pct = 50

[[domain]]
name = "live.ui.test"
  [domain.history]
  1 = 2026-11-01   # monitoring began
"#;

/// Matches `text` as drawn: ratatui skips cells that did not change, so any character may
/// arrive as a cursor move instead, and style changes may come between characters.
fn words(text: &str) -> Regex<String> {
    let escape = r"\x1b\[[0-9;?]*[A-Za-z]";
    let cells: Vec<String> = text
        .chars()
        .map(|c| {
            let c = if c.is_ascii_alphanumeric() {
                c.to_string()
            } else {
                format!("\\x{{{:x}}}", u32::from(c))
            };
            format!("(?:{c}|{escape})(?:{escape})*")
        })
        .collect();
    Regex(cells.concat())
}

/// The binary on a copy of [`RECORD_PLAN`] in a temp folder, with phase 2 live in DNS.
/// Both patterns, in whichever order the terminal receives them.
fn both(first: &Regex<String>, second: &Regex<String>) -> Regex<String> {
    let (a, b) = (&first.0, &second.0);
    Regex(format!("(?s)(?:{a}.*{b}|{b}.*{a})"))
}

fn spawn_on_record_plan(served: &Served, path: &std::path::Path) -> OsSession {
    std::fs::write(path, RECORD_PLAN).expect("write plan");
    let mut command = Command::new(env!("CARGO_BIN_EXE_dmarc-rollout"));
    command
        .arg(path)
        .args(["--nameserver", &served.dns.addr.to_string(), "--timeout", "5", "--refresh", "0"])
        .args(["--today", "2026-11-29"])
        .env("NO_COLOR", "1")
        .env("TERM", "xterm-256color");
    let mut session = Session::spawn(command).expect("the binary starts in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(10)));
    session.expect(words("phase 2/2")).expect("DNS shows phase 2 live");
    session
}

fn record_server() -> Served {
    let zone = zone_text(
        "ui.test",
        "_dmarc.live TXT \"v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@ui.test\"\n\
         live TXT \"v=spf1 include:_spf.ui.test -all\"\n\
         _spf TXT \"v=spf1 ip4:192.0.2.1 -all\"\n",
    );
    serve(&[&zone], Vec::new())
}

fn quit(mut session: OsSession) {
    session.send("q").expect("q is sent");
    session.expect("\x1b[?1049l").expect("the alternate screen is left");
    let status = session.get_process().wait().expect("the binary exits");
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");
}

#[test]
fn m_then_y_records_the_live_phase_as_one_new_line_of_the_plan() {
    let served = record_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("plan.toml");
    let mut session = spawn_on_record_plan(&served, &path);
    session.send("m").expect("m is sent");
    session.expect(words("as published on 2026-11-29")).expect("the question is asked");
    session.send("y").expect("y is sent");
    // The status line and the timeline may change in one frame or in two: either order counts.
    session
        .expect(both(
            &words("live.ui.test: recorded phase 2 on 2026-11-29 ·"),
            &words("2 2026-11-29"),
        ))
        .expect("the status line says so and the timeline shows the new date");
    quit(session);
    let after = std::fs::read_to_string(&path).expect("read plan");
    let expected = RECORD_PLAN.replace(
        "  1 = 2026-11-01   # monitoring began\n",
        "  1 = 2026-11-01   # monitoring began\n  2 = 2026-11-29\n",
    );
    assert_eq!(after, expected);
}

#[test]
fn a_domain_recorded_on_disk_meanwhile_is_not_overwritten() {
    let served = record_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("plan.toml");
    let mut session = spawn_on_record_plan(&served, &path);
    // Another writer changed this domain's history: the UI's view of it is out of date.
    let edited = RECORD_PLAN.replace("1 = 2026-11-01", "1 = 2026-11-02");
    std::fs::write(&path, &edited).expect("edit the plan behind the UI's back");
    session.send("m").expect("m is sent");
    session.expect(words("as published on 2026-11-29")).expect("the question is asked");
    session.send("y").expect("y is sent");
    session
        .expect(words("not recorded: the plan changed on disk"))
        .expect("the status line says why");
    quit(session);
    assert_eq!(std::fs::read_to_string(&path).expect("read plan"), edited);
}

#[test]
fn t_expands_the_spf_lookup_tree() {
    let served = record_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("plan.toml");
    let mut session = spawn_on_record_plan(&served, &path);
    session.expect(words("tree: 1 lookup, t to expand")).expect("the tree is one line");
    session.send("t").expect("t is sent");
    session.expect(words("include:_spf.ui.test")).expect("the include shows");
    quit(session);
}

/// A domain at phase 1 whose declared DKIM selector is missing: phase 2 is blocked.
const BLOCKED_PLAN: &str = r#"
[defaults]
rua = ["mailto:dmarc@ui.test"]

[[phase]]
name = "monitor"
p = "none"

[[phase]]
name = "quarantine half"
p = "quarantine"
pct = 50

[[domain]]
name = "blocked.ui.test"
  [[domain.sender]]
  name = "Own server"
  dkim = ["s1"]
"#;

#[test]
fn p_on_a_blocked_domain_says_why_and_prints_only_when_pressed_again() {
    let zone = zone_text(
        "ui.test",
        "@ MX 10 mx\nmx A 127.0.0.1\nblocked TXT \"v=spf1 -all\"\n\
         _dmarc.blocked TXT \"v=DMARC1; p=none; rua=mailto:dmarc@ui.test\"\n",
    );
    let served = serve(&[&zone], Vec::new());
    let mut plan = tempfile::Builder::new().suffix(".toml").tempfile().expect("plan");
    plan.write_all(BLOCKED_PLAN.as_bytes()).expect("write plan");
    let mut session = spawn(&served, &plan);
    session.expect(words("phase 1/2")).expect("the lookups landed");
    session.send("p").expect("p is sent");
    session.expect(words("press p again to print it anyway")).expect("the first p refuses");
    session.send("p").expect("p again");
    let rest = session.expect(Eof).expect("the binary ends");
    let tail = String::from_utf8_lossy(rest.as_bytes());
    assert!(
        tail.ends_with("v=DMARC1; p=quarantine; rua=mailto:dmarc@ui.test; pct=50\r\n"),
        "{tail:?}"
    );
    let status = session.get_process().wait().expect("exits");
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");
}

/// The bytes a session wrote, each run with the terminal size it was written at.
struct Recording {
    chunks: Vec<(Vec<u8>, u16, u16)>,
    size: (u16, u16),
}

impl Recording {
    fn keep(&mut self, bytes: &[u8]) {
        self.chunks.push((bytes.to_vec(), self.size.0, self.size.1));
    }

    /// The screen a terminal shows after all of it; `alternate` false plays it on a terminal
    /// that ignores the alternate screen, where anything left drawn stays in view.
    fn screen(&self, alternate: bool) -> vt100::Parser {
        let cells = |n: u16| NonZeroU16::new(n).expect("a terminal is at least one cell");
        let mut parser = vt100::Parser::new(cells(24), cells(80), 0);
        for (bytes, rows, cols) in &self.chunks {
            parser.screen_mut().set_size(cells(*rows), cells(*cols));
            let mut bytes = bytes.clone();
            if !alternate {
                for switch in [&b"\x1b[?1049h"[..], &b"\x1b[?1049l"[..]] {
                    while let Some(at) = bytes.windows(switch.len()).position(|w| w == switch) {
                        bytes.drain(at..at + switch.len());
                    }
                }
            }
            parser.process(&bytes);
        }
        parser
    }
}

/// Resizes the pty (the kernel sends SIGWINCH) and waits for the frame drawn at the new size:
/// ratatui clears the screen when its size changes, then draws it whole.
fn resize(session: &mut OsSession, recording: &mut Recording, cols: u16, rows: u16) {
    session.get_process_mut().set_window_size(cols, rows).expect("the pty is resized");
    recording.size = (rows, cols);
    let cleared = session.expect("\x1b[2J").expect("the screen is cleared on resize");
    recording.keep(cleared.as_bytes());
    let drawn = session.expect(words("? help  q quit")).expect("a frame at the new size");
    recording.keep(drawn.as_bytes());
    let screen = recording.screen(true);
    let status: Vec<String> = screen.screen().rows(0, cols).collect();
    let bars = status.iter().filter(|row| row.contains("q quit")).count();
    assert_eq!(bars, 1, "one status bar, no fragment of the frame before:\n{}", status.join("\n"));
    assert!(status[usize::from(rows) - 1].contains("q quit"), "{}", status.join("\n"));
}

#[test]
fn resizing_then_quitting_leaves_no_fragments_on_the_screen() {
    let served = server();
    let plan = plan_file();
    let mut session = spawn(&served, &plan);
    let mut recording = Recording { chunks: Vec::new(), size: (24, 80) };
    let first = session.expect(words("phase 1/2")).expect("the first lookups landed");
    recording.keep(first.as_bytes());
    resize(&mut session, &mut recording, 100, 30);
    resize(&mut session, &mut recording, 70, 20);
    session.send("q").expect("q is sent");
    let rest = session.expect(Eof).expect("the binary ends");
    recording.keep(rest.as_bytes());
    let status = session.get_process().wait().expect("the binary exits");
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");
    let after = recording.screen(true);
    assert!(!after.screen().alternate_screen(), "the alternate screen is left");
    assert!(!after.screen().hide_cursor(), "the cursor is shown again");
    assert_eq!(after.screen().contents().trim(), "", "the shell's screen is as it was");
    // A terminal without the alternate screen (some consoles, some multiplexers) keeps what
    // was drawn last: the UI erases its frame before it leaves.
    let without_alternate = recording.screen(false);
    assert_eq!(without_alternate.screen().contents().trim(), "", "no frame is left in view");
}
