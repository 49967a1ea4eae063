//! The TUI end to end in a pseudo-terminal: `examples/tui_demo.rs` runs the real event loop
//! with a fake loader where one domain answers at once and the other never does.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{Expect, Session};

/// `cargo test` builds examples next to the test binaries' `deps` folder.
fn demo_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    let profile = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps");
    let demo = profile.join("examples").join("tui_demo");
    assert!(demo.exists(), "{} missing: run `cargo test` (it builds examples)", demo.display());
    demo
}

fn spawn_demo() -> OsSession {
    let mut command = Command::new(demo_binary());
    command.env("NO_COLOR", "1").env("TERM", "xterm-256color");
    let mut session = Session::spawn(command).expect("the demo starts in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

#[test]
fn the_ui_shows_the_next_record_answers_keys_while_a_lookup_hangs_and_quits_cleanly() {
    let mut session = spawn_demo();
    session.expect("\x1b[?1049h").expect("the alternate screen is entered");
    session.expect("pct=50").expect("the next record is on screen");
    session.expect("in flight").expect("the status line shows lookups in flight");
    session.send("?").expect("a key is sent");
    session.expect("Shift-Tab").expect("help opens while slow.example's lookup hangs");
    session.get_process_mut().set_window_size(120, 40).expect("the pty is resized");
    session.expect("Shift-Tab").expect("help is drawn again at the new size");
    // `?` again closes help (Esc followed at once by `q` would read as Alt-q).
    session.send("?").expect("? closes help");
    session.send("q").expect("q is sent");
    session.expect("\x1b[?1049l").expect("the alternate screen is left");
    let status = session.get_process().wait().expect("the demo exits");
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");
}

#[test]
fn p_prints_the_next_value_after_the_terminal_is_restored() {
    let mut session = spawn_demo();
    session.expect("pct=50").expect("the next record is on screen");
    session.send("p").expect("p is sent");
    session.expect("\x1b[?1049l").expect("the alternate screen is left");
    session
        .expect("v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com; pct=50")
        .expect("the value is printed after the UI is gone");
    let status = session.get_process().wait().expect("the demo exits");
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");
}
