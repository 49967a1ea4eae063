//! `apply` against a real Knot DNS on loopback (see `support/knot.rs`): an accepted update that
//! every server then serves and the plan records; a record changed since it was read, never
//! overwritten; a wrong key; a secondary that lags (not recorded); a dry run that sends
//! nothing; and the `nsupdate` export run by the real `nsupdate`. Each test returns early,
//! saying so, where `knotd` is not installed.
#![allow(clippy::unwrap_used, reason = "in tests a panic is the failure report")]

mod support;

use std::io::Write as _;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use assert_cmd::Command;
use dmarc_rollout::dns::{UpdateServer, parse_key_file};
use dmarc_rollout::publish::{self, NoAnswer, Outcome, Plan, TsigRejection};
use dmarc_rollout::rollout::NextStep;
use support::knot::{KEY_NAME, Knot, SECRET, Second, WRONG_SECRET};

const ORIGIN: &str = "apply.test";
const NONE: &str = "v=DMARC1; p=none; rua=mailto:dmarc@apply.test";
const QUARANTINE: &str = "v=DMARC1; p=quarantine; rua=mailto:dmarc@apply.test";
const OWNER: &str = "_dmarc.apply.test";

fn zone(second: bool) -> impl Fn(bool) -> String {
    move |ipv6| {
        let mut text = String::from(
            "$ORIGIN apply.test.\n$TTL 300\n@ SOA ns1 hostmaster 1 3600 600 86400 60\n@ NS ns1\nns1 A 127.0.0.1\n",
        );
        if ipv6 {
            text.push_str("ns1 AAAA ::1\n");
        }
        if second {
            text.push_str("@ NS ns2\nns2 A 127.0.0.2\n");
        }
        text + "@ MX 10 mx\nmx A 127.0.0.1\n@ TXT \"v=spf1 ip4:192.0.2.1 -all\"\n"
            + &format!("_dmarc TXT \"{NONE}\"\n")
    }
}

const PLAN: &str = r#"# the apply tests' plan
[defaults]
rua = "mailto:dmarc@apply.test"

[[phase]]
name = "monitor"
p = "none"

[[phase]]
name = "quarantine"
p = "quarantine"

[[domain]]
name = "apply.test"
"#;

fn plan_file(knot: &Knot) -> std::path::PathBuf {
    let path = knot.dir.path().join("plan.toml");
    std::fs::write(&path, PLAN).unwrap();
    path
}

/// `apply` on the test plan, deciding through `decide_via`, waiting at most `wait` seconds.
async fn apply(
    knot: &Knot,
    key: &Path,
    decide_via: std::net::SocketAddr,
    wait: u64,
    extra: &[&str],
) -> Output {
    let mut args: Vec<String> = vec![
        "apply".into(),
        plan_file_path(knot),
        "--domain".into(),
        ORIGIN.into(),
        "--server".into(),
        knot.primary.to_string(),
        "--tsig-key".into(),
        key.display().to_string(),
        "--nameserver".into(),
        decide_via.to_string(),
        "--ns-port".into(),
        knot.port.to_string(),
        "--wait".into(),
        wait.to_string(),
        "--timeout".into(),
        "2".into(),
        "--today".into(),
        "2026-12-01".into(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    tokio::task::spawn_blocking(move || {
        Command::cargo_bin("dmarc-rollout").unwrap().args(args).output().unwrap()
    })
    .await
    .unwrap()
}

fn plan_file_path(knot: &Knot) -> String {
    let path = knot.dir.path().join("plan.toml");
    if !path.exists() {
        plan_file(knot);
    }
    path.display().to_string()
}

/// The README's `apply` transcript `n` (0: the dry run and the run, 1: the lagging secondary).
fn readme_transcript(n: usize) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find("### Publishing with `apply`").unwrap()..];
    section.split("```\n").skip(1).step_by(2).nth(n).unwrap().to_owned()
}

/// What the binary printed as the README's lab shows it: on port 15353, the plan `plan.toml`.
fn as_in_the_readme(printed: &str, knot: &Knot) -> String {
    printed
        .replace(&format!(":{}", knot.port), ":15353")
        .replace(&plan_file_path(knot), "plan.toml")
}

/// Every line of the README's `transcript` is a line of what was printed, except where the
/// servers are counted when the machine gives the primary an IPv6 address too (a third server).
fn readme_lines_are_printed(transcript: &str, printed: &str, knot: &Knot) {
    let printed = as_in_the_readme(printed, knot);
    for line in transcript.lines().filter(|l| !(knot.ipv6 && l.contains("servers serve"))) {
        assert!(printed.lines().any(|p| p == line), "the README's {line:?} is not in\n{printed}");
    }
}

fn plan_text(knot: &Knot) -> String {
    std::fs::read_to_string(knot.dir.path().join("plan.toml")).unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The DMARC-or-not TXT records the server holds at the owner, joined.
async fn served(addr: std::net::SocketAddr) -> Vec<String> {
    let server = UpdateServer { addr, timeout: Duration::from_secs(2) };
    let records = server.records(OWNER).await.unwrap();
    records.txt.iter().map(|r| String::from_utf8_lossy(&r.concat()).into_owned()).collect()
}

fn step(value: &str) -> NextStep {
    NextStep {
        domain: ORIGIN.into(),
        host: OWNER.into(),
        phase: 2,
        phase_name: "quarantine".into(),
        value: value.into(),
        zone: String::new(),
        ttl: 300,
        complete: false,
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn key() -> dmarc_rollout::dns::TsigKey {
    parse_key_file(&format!("hmac-sha256:{KEY_NAME}:{SECRET}")).unwrap()
}

/// Writes `value` in place of what the primary holds, as another admin would.
async fn change_behind_our_back(knot: &Knot, value: &str) {
    let server = UpdateServer { addr: knot.primary, timeout: Duration::from_secs(2) };
    let read = server.records(OWNER).await.unwrap();
    let decided: Vec<String> =
        read.txt.iter().map(|r| String::from_utf8_lossy(&r.concat()).into_owned()).collect();
    let Plan::Send(update) = publish::plan(&step(value), &decided, ORIGIN, &read) else {
        panic!("plans")
    };
    assert_eq!(server.send(&update, &key(), now()).await, Outcome::Accepted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_update_is_served_by_every_server_then_recorded() {
    let Some(knot) = Knot::start(ORIGIN, zone(true), Second::Secondary).await else { return };
    let key = knot.key_file();
    let output = apply(&knot, &key, knot.primary, 30, &[]).await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}\n{}", knot.log("second"));
    assert!(
        stderr.contains(&format!("{} accepted the update of {OWNER}", knot.primary)),
        "{stderr}"
    );
    let servers = if knot.ipv6 { 3 } else { 2 };
    assert!(stderr.contains(&format!("{OWNER}: {servers}/{servers} servers serve it")), "{stderr}");
    assert!(
        stderr.contains("recorded phase 2 (quarantine) as published on 2026-12-01"),
        "{stderr}"
    );
    assert_eq!(served(knot.primary).await, [QUARANTINE]);
    assert_eq!(served(knot.second.unwrap()).await, [QUARANTINE]);
    let recorded = plan_text(&knot);
    assert!(recorded.starts_with("# the apply tests' plan\n"), "comments stay: {recorded}");
    assert!(recorded.contains("[domain.history]\n2 = 2026-12-01"), "{recorded}");
    assert!(!stderr.contains(SECRET), "the secret is never printed");
    let transcript = readme_transcript(0);
    let run = transcript.rsplit_once("--ns-port 15353\n").unwrap().1;
    readme_lines_are_printed(run, &stderr, &knot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_changed_since_it_was_read_is_never_overwritten() {
    let Some(knot) = Knot::start(ORIGIN, zone(true), Second::Stale).await else { return };
    let theirs = "v=DMARC1; p=reject; rua=mailto:dmarc@apply.test";
    change_behind_our_back(&knot, theirs).await;
    // The decision reads the stale server, which still shows p=none.
    let output = apply(&knot, &knot.key_file(), knot.second.unwrap(), 5, &[]).await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(10), "{stderr}");
    assert!(stderr.contains("changed since it was read"), "{stderr}");
    assert_eq!(served(knot.primary).await, [theirs], "their change stands");
    assert_eq!(plan_text(&knot), PLAN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_prerequisite_refuses_an_update_planned_on_an_older_read() {
    let Some(knot) = Knot::start(ORIGIN, zone(false), Second::None).await else { return };
    let server = UpdateServer { addr: knot.primary, timeout: Duration::from_secs(2) };
    let read = server.records(OWNER).await.unwrap();
    let Plan::Send(ours) = publish::plan(&step(QUARANTINE), &[NONE.to_owned()], ORIGIN, &read)
    else {
        panic!()
    };
    let theirs = "v=DMARC1; p=reject; rua=mailto:dmarc@apply.test";
    change_behind_our_back(&knot, theirs).await;
    let outcome = server.send(&ours, &key(), now()).await;
    assert_eq!(outcome, Outcome::Changed { rcode: "NXRRSET".into() });
    assert_eq!(served(knot.primary).await, [theirs]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_is_refused_by_name_and_nothing_is_written() {
    let Some(knot) = Knot::start(ORIGIN, zone(false), Second::None).await else { return };
    let wrong_secret = knot.write_key("secret.key", KEY_NAME, WRONG_SECRET);
    let unknown_name = knot.write_key("name.key", "someone-else", SECRET);
    for (key, said) in [(wrong_secret, "BADSIG"), (unknown_name, "BADKEY")] {
        let output = apply(&knot, &key, knot.primary, 5, &[]).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(13), "{stderr}");
        assert!(stderr.contains(said) && stderr.contains("nothing was written"), "{stderr}");
        assert!(!stderr.contains(SECRET) && !stderr.contains(WRONG_SECRET), "{stderr}");
    }
    assert_eq!(served(knot.primary).await, [NONE]);
    assert_eq!(plan_text(&knot), PLAN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_off_by_an_hour_is_refused_with_the_skew() {
    let Some(knot) = Knot::start(ORIGIN, zone(false), Second::None).await else { return };
    let server = UpdateServer { addr: knot.primary, timeout: Duration::from_secs(2) };
    let read = server.records(OWNER).await.unwrap();
    let Plan::Send(update) = publish::plan(&step(QUARANTINE), &[NONE.to_owned()], ORIGIN, &read)
    else {
        panic!()
    };
    let Outcome::Tsig(TsigRejection::BadTime { skew }) =
        server.send(&update, &key(), now() - 3600).await
    else {
        panic!("BADTIME expected");
    };
    let skew = skew.expect("knot says its time");
    assert!((3590..=3610).contains(&skew), "the server is an hour ahead of the signature: {skew}");
    assert_eq!(served(knot.primary).await, [NONE]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zone_the_server_does_not_hold_is_not_authoritative() {
    let Some(knot) = Knot::start(ORIGIN, zone(false), Second::None).await else { return };
    let server = UpdateServer { addr: knot.primary, timeout: Duration::from_secs(2) };
    let read = server.records(OWNER).await.unwrap();
    let Plan::Send(mut update) =
        publish::plan(&step(QUARANTINE), &[NONE.to_owned()], ORIGIN, &read)
    else {
        panic!()
    };
    update.zone = "elsewhere.test".into();
    update.owner = "_dmarc.elsewhere.test".into();
    assert_eq!(server.send(&update, &key(), now()).await, Outcome::NotAuthoritative);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lagging_secondary_is_named_and_the_plan_is_not_recorded() {
    let Some(knot) = Knot::start(ORIGIN, zone(true), Second::Stale).await else { return };
    let output = apply(&knot, &knot.key_file(), knot.primary, 2, &[]).await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(15), "{stderr}");
    readme_lines_are_printed(&readme_transcript(1), &stderr, &knot);
    let lagging = format!("ns2.apply.test (127.0.0.2:{}) still serves '{NONE}'", knot.port);
    assert!(stderr.contains(&lagging), "{stderr}");
    assert!(stderr.contains("not recorded"), "{stderr}");
    assert_eq!(served(knot.primary).await, [QUARANTINE], "the update itself went in");
    assert_eq!(plan_text(&knot), PLAN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_prints_the_update_and_sends_nothing() {
    let Some(knot) = Knot::start(ORIGIN, zone(false), Second::None).await else { return };
    let output = apply(&knot, &knot.key_file(), knot.primary, 5, &["--dry-run"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        format!(
            "; to {}, signed with key {KEY_NAME} (hmac-sha256)\nzone apply.test.\n\
             prereq yxrrset {OWNER}. TXT \"{NONE}\"\n\
             update delete {OWNER}. TXT \"{NONE}\"\n\
             update add {OWNER}. 3600 TXT \"{QUARANTINE}\"\nsend\n",
            knot.primary
        )
    );
    let transcript = readme_transcript(0);
    let dry_run = transcript.split("$ ").nth(1).unwrap().split_once('\n').unwrap().1;
    assert_eq!(as_in_the_readme(&text(&output.stdout), &knot), dry_run, "the README's dry run");
    assert!(
        !knot.log("primary").contains("DDNS"),
        "no update reached the server:\n{}",
        knot.log("primary")
    );
    assert_eq!(served(knot.primary).await, [NONE]);
    assert_eq!(plan_text(&knot), PLAN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nsupdate_export_is_taken_by_nsupdate_and_guards_on_the_old_value() {
    let Some(knot) = Knot::start(ORIGIN, zone(false), Second::None).await else { return };
    if std::process::Command::new("nsupdate").arg("-V").output().is_err() {
        eprintln!(
            "note: nsupdate (Debian package `bind9-dnsutils`) is not installed; this test is skipped"
        );
        return;
    }
    let plan = plan_file_path(&knot);
    let (server, port) = (knot.primary.ip().to_string(), knot.port.to_string());
    let export = tokio::task::spawn_blocking(move || {
        Command::cargo_bin("dmarc-rollout")
            .unwrap()
            .args([
                "next",
                &plan,
                "--format",
                "nsupdate",
                "--nameserver",
                &format!("{server}:{port}"),
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(export.status.code(), Some(0), "{}", text(&export.stderr));
    let script = format!("server {} {}\n{}", knot.primary.ip(), knot.port, text(&export.stdout));
    let first = run_nsupdate(&script, &knot.key_file());
    assert!(first.status.success(), "{script}\n{}", text(&first.stderr));
    assert_eq!(served(knot.primary).await, [QUARANTINE]);
    // Run again: the prerequisite on the old value no longer holds, so nothing changes.
    let again = run_nsupdate(&script, &knot.key_file());
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("NXRRSET"), "{}", text(&again.stderr));
    assert_eq!(served(knot.primary).await, [QUARANTINE]);
}

/// The apex as a Microsoft 365 domain has it: a verification value beside an SPF record that
/// lacks the vendor's include (`_spf`, served by the same zone).
fn apex_with_verification(ipv6: bool) -> String {
    zone(false)(ipv6) + "@ TXT \"MS=ms48291735\"\n_spf TXT \"v=spf1 ip4:192.0.2.2 -all\"\n"
}

fn run_nsupdate(script: &str, key: &Path) -> Output {
    let mut child = std::process::Command::new("nsupdate")
        .arg("-k")
        .arg(key)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixing_the_apex_spf_with_nsupdate_keeps_the_other_txt_values_there() {
    let Some(knot) = Knot::start(ORIGIN, apex_with_verification, Second::None).await else {
        return;
    };
    if std::process::Command::new("nsupdate").arg("-V").output().is_err() {
        eprintln!("note: nsupdate is not installed; this test is skipped");
        return;
    }
    let plan = knot.dir.path().join("plan.toml");
    let sender = "[[domain.sender]]\nname = \"Vendor\"\nspf_include = \"_spf.apply.test\"\n";
    std::fs::write(&plan, format!("{PLAN}{sender}")).unwrap();
    let via = format!("{}:{}", knot.primary.ip(), knot.port);
    let args = ["fix", &plan.display().to_string(), "--format", "nsupdate", "--nameserver", &via]
        .map(str::to_owned);
    let export = tokio::task::spawn_blocking(move || {
        Command::cargo_bin("dmarc-rollout").unwrap().args(args).output().unwrap()
    })
    .await
    .unwrap();
    let printed = text(&export.stdout);
    assert!(printed.contains("prereq yxrrset apply.test. TXT \"MS=ms48291735\"\n"), "{printed}");
    let script = format!("server {} {}\n{printed}", knot.primary.ip(), knot.port);
    let applied = run_nsupdate(&script, &knot.key_file());
    assert!(applied.status.success(), "{script}\n{}", text(&applied.stderr));
    let server = UpdateServer { addr: knot.primary, timeout: Duration::from_secs(2) };
    let apex = server.records(ORIGIN).await.unwrap();
    let mut values: Vec<String> =
        apex.txt.iter().map(|r| String::from_utf8_lossy(&r.concat()).into_owned()).collect();
    values.sort();
    assert_eq!(values, ["MS=ms48291735", "v=spf1 ip4:192.0.2.1 include:_spf.apply.test -all"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_nobody_answers_is_unknown_and_a_closed_port_sent_nothing() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    // Accept and hold the connection, never answering.
    let holder = tokio::spawn(async move {
        let (stream, _) = silent.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(stream);
    });
    let Plan::Send(update) =
        publish::plan(&step(QUARANTINE), &[], ORIGIN, &publish::ServerRecords::default())
    else {
        panic!()
    };
    let server = UpdateServer { addr, timeout: Duration::from_millis(500) };
    assert_eq!(server.send(&update, &key(), now()).await, Outcome::NoAnswer(NoAnswer::Timeout));
    holder.abort();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let server = UpdateServer { addr: closed, timeout: Duration::from_millis(500) };
    assert!(matches!(
        server.send(&update, &key(), now()).await,
        Outcome::NoAnswer(NoAnswer::Unreachable(_))
    ));
}

#[test]
fn a_key_that_keymgr_writes_is_read() {
    let Ok(output) =
        std::process::Command::new("keymgr").args(["-t", "from-keymgr", "hmac-sha512"]).output()
    else {
        eprintln!("note: keymgr (Debian package `knot`) is not installed; this test is skipped");
        return;
    };
    assert!(output.status.success(), "{}", text(&output.stderr));
    let key = parse_key_file(&text(&output.stdout)).unwrap();
    assert_eq!(
        (key.name.as_str(), key.algorithm),
        ("from-keymgr", dmarc_rollout::dns::TsigAlgorithm::HmacSha512)
    );
    assert_eq!(key.secret.bytes().len(), 64);
}

/// A regex for `text` as a terminal draws it: escape sequences may sit between any two cells.
fn words(text: &str) -> expectrl::Regex<String> {
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
    expectrl::Regex(cells.concat())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_publishes_on_a_and_y_and_records_once_every_server_serves_it() {
    use expectrl::Expect as _;
    let Some(knot) = Knot::start(ORIGIN, zone(true), Second::Secondary).await else { return };
    let plan = plan_file_path(&knot);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_dmarc-rollout"));
    command
        .arg(&plan)
        .args(["--nameserver", &knot.primary.to_string(), "--timeout", "2", "--refresh", "0"])
        .args(["--today", "2026-12-01", "--apply-server", &knot.primary.to_string()])
        .args(["--tsig-key", &knot.key_file().display().to_string()])
        .args(["--ns-port", &knot.port.to_string(), "--wait", "30"])
        .env("NO_COLOR", "1")
        .env("TERM", "xterm-256color");
    tokio::task::spawn_blocking(move || {
        let mut session = expectrl::Session::spawn(command).expect("the binary starts in a pty");
        session.set_expect_timeout(Some(Duration::from_secs(20)));
        session.expect(words("phase 1/2")).expect("DNS shows phase 1 live");
        session.send("a").expect("a is sent");
        session.expect(words("Publish by dynamic update?")).expect("the question is asked");
        session.expect(words("verdict: READY")).expect("with the verdict");
        session.send("y").expect("y is sent");
        // The screen is redrawn cell by cell, so only words new on it can be waited for.
        session.expect(words("servers serve it")).expect("the wait shows in the status line");
        session.expect(words("recorded ·")).expect("the status line says it is recorded");
        session.send("q").expect("q is sent");
        session.expect("\x1b[?1049l").expect("the alternate screen is left");
    })
    .await
    .unwrap();
    assert_eq!(served(knot.second.unwrap()).await, [QUARANTINE]);
    assert!(plan_text(&knot).contains("[domain.history]\n2 = 2026-12-01"), "{}", plan_text(&knot));
}
