//! Hostile DNS data and broken servers through every CLI output, the real binary against a real
//! server on 127.0.0.1. Whatever a zone holds (escape sequences, C0/C1 controls, DEL, bidi
//! overrides, bytes that are not UTF-8, 64 KB of TXT, hundreds of records, CNAME loops, names at
//! the length limit), nothing raw reaches the terminal, JSON stays valid and keeps the value,
//! and nothing panics. A server that is dead, forges IDs or truncates is shown as what it is,
//! never as "no record".

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use dmarc_rollout::dns::{
    AuthoritativeSource, DnsOptions, DnsSource, LookupState, RecordKind, Target,
};
use hickory_server::proto::op::{Message, Query};
use hickory_server::proto::rr::{RData, RecordType};
use serde_json::Value;
use support::dns_server::{TestDns, zone_text};
use support::hostile::{
    PAYLOADS, SHAPES, assert_pty_safe, assert_terminal_safe, concat, filler, hostile_zones,
    long_name, name, payload_records, serve, tangled_records,
};
use support::raw_dns::{BrokenDns, FORGED_TXT, Fault, closed_port};

/// The exit codes `--help` documents; 101 is a panic.
const DOCUMENTED_EXITS: &[i32] = &[0, 1, 2, 3, 4, 5, 6, 7, 8];

const PHASES: &str = r#"
[defaults]
rua = ["mailto:dmarc@hostile.test"]

[[phase]]
name = "monitor"
p = "none"
soak_days = 14

[[phase]]
name = "reject"
p = "reject"
"#;

/// The plan: the shared ladder and one `[[domain]]` per name, each declaring DKIM selector s1.
fn plan(dir: &Path, domains: &[String]) -> PathBuf {
    let domains = domains.iter().map(|d| {
        format!("\n[[domain]]\nname = \"{d}\"\n  [[domain.sender]]\n  name = \"own\"\n  dkim = [\"s1\"]\n")
    });
    let text = PHASES.to_owned() + &domains.collect::<String>();
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).expect("write plan");
    path
}

/// Runs the binary against a server that answers: never the system resolver. The timeout is
/// generous since nothing here waits for it; a loaded machine must not turn answers into
/// timeouts.
fn run(server: &str, args: &[&str]) -> Output {
    run_with_timeout(server, "5", args)
}

fn run_with_timeout(server: &str, timeout: &str, args: &[&str]) -> Output {
    run_args(&[args, &["--nameserver", server, "--timeout", timeout]].concat())
}

/// Runs the binary with exactly these arguments (which name where DNS comes from) and today's
/// date fixed; checks it exits with a documented code and without a panic.
fn run_args(args: &[&str]) -> Output {
    let mut cmd = Command::cargo_bin("dmarc-rollout").expect("binary built");
    cmd.args(args).args(["--today", "2026-11-29"]);
    let output = cmd.output().expect("runs");
    let code = output.status.code();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        code.is_some_and(|c| DOCUMENTED_EXITS.contains(&c)),
        "{args:?} exited with {code:?}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    output
}

fn json(what: &str, output: &Output) -> Value {
    assert_terminal_safe(what, &output.stdout, false);
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{what}: not JSON: {e}"))
}

fn domain_json<'v>(status: &'v Value, domain: &str) -> &'v Value {
    let domains = status["domains"].as_array().expect("domains array");
    domains.iter().find(|d| d["name"] == domain).unwrap_or_else(|| panic!("{domain} in JSON"))
}

#[test]
fn hostile_txt_data_reaches_no_output_raw_and_json_keeps_it() {
    let (records, domains) = payload_records();
    let running = serve(&[&zone_text("hostile.test", "")], records);
    let server = running.dns.addr.to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let names: Vec<String> = domains.iter().map(|(d, _)| d.clone()).collect();
    let plan = plan(dir.path(), &names);
    let plan = plan.to_str().expect("utf-8 path");

    let table = run(&server, &["status", plan]);
    assert_terminal_safe("status", &table.stdout, false);
    assert_terminal_safe("status stderr", &table.stderr, false);
    let shown = String::from_utf8_lossy(&table.stdout);
    assert!(shown.contains("\\027[31mred"), "the p= value is shown escaped:\n{shown}");
    assert_eq!(table.status.code(), Some(0), "no lookup failed:\n{shown}");

    let status = json("status --json", &run(&server, &["status", "--json", plan]));
    for (domain, value) in &domains {
        let dmarc = &domain_json(&status, domain)["dmarc"];
        assert_eq!(dmarc["state"], "found", "{domain}");
        let want = String::from_utf8_lossy(value);
        assert_eq!(dmarc["records"], serde_json::json!([want]), "{domain}: the value, as data");
    }

    let check = run(&server, &["check", plan]);
    assert_terminal_safe("check stdout", &check.stdout, false);
    assert_terminal_safe("check stderr", &check.stderr, false);
    assert_eq!(check.status.code(), Some(1), "{}", String::from_utf8_lossy(&check.stderr));

    for format in ["txt", "zone"] {
        let next = run(&server, &["next", plan, "--format", format]);
        assert_terminal_safe(&format!("next --format {format}"), &next.stdout, format == "txt");
        assert_terminal_safe(&format!("next --format {format} stderr"), &next.stderr, false);
    }
    let next = json("next --format json", &run(&server, &["next", plan, "--format", "json"]));
    assert_eq!(next.as_array().map(Vec::len), Some(domains.len()));

    for (domain, _) in domains.iter().step_by(SHAPES.len()) {
        let record = run(&server, &["record", plan, "--domain", domain]);
        assert_terminal_safe("record stderr", &record.stderr, false);
        assert_eq!(record.status.code(), Some(4), "{domain}: no hostile record is a phase");
    }
}

/// No server here stays silent, so a long timeout costs nothing when all is well, and a loaded
/// machine cannot turn the CNAME loop's error into a timeout.
const PATIENT: &str = "20";

#[test]
fn large_and_tangled_answers_are_shown_without_panicking() {
    let zones = hostile_zones();
    let running = serve(&[&zones[0], &zones[1]], tangled_records());
    let server = running.dns.addr.to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut domains: Vec<String> = ["big", "many", "loop", "chain", "evil"]
        .iter()
        .map(|d| format!("{d}.hostile.test"))
        .collect();
    domains.push(long_name(246, 63));
    domains.push(long_name(246, 1));
    let plan = plan(dir.path(), &domains);
    let plan = plan.to_str().expect("utf-8 path");

    let table = run_with_timeout(&server, PATIENT, &["status", plan]);
    assert_terminal_safe("status", &table.stdout, false);
    let shown = String::from_utf8_lossy(&table.stdout);
    let row = |d: &str| shown.lines().find(|l| l.starts_with(d)).unwrap_or_default().to_owned();
    assert!(row("many.hostile.test").contains("230 records"), "{shown}");
    assert!(
        row("loop.hostile.test").contains("unknown (error)"),
        "a loop is no 'no record': {shown}"
    );
    assert!(row("chain.hostile.test").contains("p=none"), "{shown}");
    assert!(row(&long_name(246, 1)).contains("p=none"), "{shown}");
    assert_eq!(table.status.code(), Some(5), "the loop leaves one state unknown");

    let status =
        json("status --json", &run_with_timeout(&server, PATIENT, &["status", "--json", plan]));
    let dmarc = |d: &str| domain_json(&status, &format!("{d}.hostile.test"))["dmarc"].clone();
    let big = concat(&[b"v=DMARC1; p=none; x=", &filler()]);
    assert_eq!(dmarc("big")["records"][0], *String::from_utf8_lossy(&big), "62 KB kept whole");
    assert_eq!(dmarc("many")["records"].as_array().map(Vec::len), Some(230));
    assert_eq!(dmarc("loop")["state"], "error");
    assert_eq!(dmarc("chain")["cname_chain"].as_array().map(Vec::len), Some(20));
    let evil = r"\027]52\;c\;eA==\007.\226\128\174\194\133.\255\127.hostile.test";
    assert_eq!(dmarc("evil")["cname_chain"], serde_json::json!([evil]), "dig-style, decimal");
    assert_eq!(dmarc("evil")["state"], "found");

    let check = run_with_timeout(&server, PATIENT, &["check", plan]);
    assert_terminal_safe("check stderr", &check.stderr, false);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(stderr.contains("loop.hostile.test: DNS failure"), "{stderr}");
    assert_eq!(check.status.code(), Some(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authoritative_source_calls_a_cname_loop_an_error() {
    let zones = hostile_zones();
    let dns = TestDns::start_with(&[&zones[0], &zones[1]], tangled_records()).await;
    let options = DnsOptions { target: Target::Authoritative, ..dns.options() };
    let source = AuthoritativeSource::from_servers(&[dns.addr], &options).expect("source");
    let answer = source.lookup("_dmarc.loop.hostile.test", RecordKind::Txt).await;
    assert!(matches!(&answer.state, LookupState::Error(e) if e.contains("loops")), "{answer:?}");
    let chain = source.lookup("_dmarc.chain.hostile.test", RecordKind::Txt).await;
    assert_eq!(chain.state.label(), "found", "the server sends the 20 hops in one answer");
}

/// Control characters written raw into a zone file (UTF-8, as `--zone` reads it). Not as
/// `\DDD` escapes: hickory 0.26 decodes those as `(d1 << 16) + (d2 << 8) + d3`
/// (hickory-dns/hickory-dns#3955), so `\027` would not be ESC.
const HOSTILE_ZONE: &str = "$ORIGIN zone.test.
$TTL 3600
@ IN SOA ns1 hostmaster 1 7200 900 1209600 60
@ NS ns1
ns1 A 127.0.0.1
_dmarc.esc TXT \"v=DMARC1; p=\u{1b}[31mred\u{1b}]52;c;eA==\u{7}\u{7f}\u{9b}\u{202e}\"
_dmarc.loop CNAME l1.loop
l1.loop CNAME _dmarc.loop
";

#[test]
fn a_hostile_zone_file_is_shown_as_safely_as_a_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zone = dir.path().join("zone.test.zone");
    std::fs::write(&zone, HOSTILE_ZONE).expect("write zone");
    let zone = zone.to_str().expect("utf-8 path");
    let domains = ["esc.zone.test", "loop.zone.test"].map(str::to_owned);
    let plan = plan(dir.path(), &domains);
    let plan = plan.to_str().expect("utf-8 path");

    let table = run_args(&["status", plan, "--zone", zone]);
    assert_terminal_safe("status --zone", &table.stdout, false);
    assert!(String::from_utf8_lossy(&table.stdout).contains("\\027[31mred"));
    let status =
        json("status --zone --json", &run_args(&["status", "--json", plan, "--zone", zone]));
    let esc = &domain_json(&status, "esc.zone.test")["dmarc"]["records"][0];
    assert_eq!(esc, "v=DMARC1; p=\u{1b}[31mred\u{1b}]52;c;eA==\u{7}\u{7f}\u{9b}\u{202e}");
    assert_eq!(domain_json(&status, "loop.zone.test")["dmarc"]["state"], "servfail");
    let check = run_args(&["check", plan, "--zone", zone]);
    assert_terminal_safe("check --zone", &check.stderr, false);
    assert_eq!(check.status.code(), Some(5), "the loop is a DNS failure");
}

#[test]
fn a_hostile_value_pasted_into_lint_is_shown_escaped_and_kept_in_json() {
    for (label, payload) in PAYLOADS {
        for (shape, before, after) in SHAPES {
            let value = concat(&[before, payload, after]);
            let what = format!("lint {label}-{shape}");
            let lint = |json: bool| {
                let mut cmd = Command::cargo_bin("dmarc-rollout").expect("binary built");
                cmd.arg("lint").args(json.then_some("--json")).write_stdin(value.clone());
                cmd.output().expect("runs")
            };
            let human = lint(false);
            assert!(matches!(human.status.code(), Some(0 | 1)), "{what}: {human:?}");
            assert_terminal_safe(&what, &human.stdout, false);
            let report = json(&what, &lint(true));
            assert_eq!(report["record"], *String::from_utf8_lossy(&value), "{what}");
        }
    }
}

#[test]
fn the_pty_check_passes_csi_drawing_and_catches_every_payload() {
    let drawing = b"\x1b[?1049h\x1b[2J\x1b[1;1H\x1b[38;5;9m\\027[31mred\x1b[0m\r\n\x1b[?25l";
    assert_pty_safe("drawing", drawing);
    for (label, payload) in PAYLOADS {
        let stream = concat(&[b"\x1b[1;1H", payload, b"\x1b[0m"]);
        let caught = std::panic::catch_unwind(|| assert_pty_safe(label, &stream)).is_err();
        assert!(caught, "{label} passed the pty check");
    }
}

/// A server that fails is shown as what it failed with, in every output, and is never "no
/// record": `status --json` names the state, the table says unknown, `check`, `next` and
/// `record` exit 5, and `record` leaves the plan alone.
/// Returns the finding that explains the failure.
fn assert_failure_shown(server: &str, domain: &str, expected: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = plan(dir.path(), &[domain.to_owned()]);
    let plan = plan.to_str().expect("utf-8 path");
    let run = |args: &[&str]| run_with_timeout(server, "0.3", args);

    let status = json("status --json", &run(&["status", "--json", plan]));
    let state = domain_json(&status, domain)["dmarc"]["state"].clone();
    assert!(expected.iter().any(|s| state == *s), "{domain} at {server}: state {state}");
    assert!(!status.to_string().contains("forged"), "a forged answer was believed");

    let table = run(&["status", plan]);
    let shown = String::from_utf8_lossy(&table.stdout);
    assert!(shown.contains("unknown ("), "{shown}");
    assert!(!shown.contains("no record"), "{shown}");
    assert_eq!(table.status.code(), Some(5));

    let check = run(&["check", plan]);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains(&format!("{domain}: DNS failure")), "{stderr}");
    assert_terminal_safe("check stderr", &check.stderr, false);

    let next = run(&["next", plan]);
    assert_eq!(next.status.code(), Some(5));
    let said = String::from_utf8_lossy(&next.stderr);
    assert!(said.contains("unknown, not safe to advise"), "{said}");
    assert!(next.stdout.is_empty(), "nothing is advised from an unknown state");
    let forced = run(&["next", plan, "--force", "--allow-loosen"]);
    assert!(forced.stdout.is_empty(), "not even when forced: there is no step to force");
    assert_eq!(forced.status.code(), Some(5));
    let before = std::fs::read(plan).expect("plan");
    let record = run(&["record", plan, "--domain", domain]);
    assert_eq!(record.status.code(), Some(5), "nothing is recorded from an unknown state");
    assert!(String::from_utf8_lossy(&record.stderr).contains("DNS did not answer"));
    assert_eq!(std::fs::read(plan).expect("plan"), before, "the plan is untouched");

    let findings = domain_json(&status, domain)["findings"].as_array().cloned().unwrap_or_default();
    let failed = findings.iter().find(|f| f["id"] == "dns.lookup_failed").expect("a finding");
    failed["message"].as_str().unwrap_or_default().to_owned()
}

/// What a broken server sends back for one query, parsed by hickory: proof that the faults are
/// well-formed answers, so the tests above see a client ignoring them, not a parse failure.
fn raw_reply(server: &BrokenDns) -> Message {
    let mut query = Message::query();
    query.metadata.id = 0x1234;
    query.add_query(Query::query(name("_dmarc.broken.test"), RecordType::TXT));
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket.set_read_timeout(Some(std::time::Duration::from_secs(5))).expect("timeout");
    socket.send_to(&query.to_vec().expect("encodes"), server.addr).expect("send");
    let mut buf = [0u8; 512];
    let len = socket.recv(&mut buf).expect("a reply");
    Message::from_vec(&buf[..len]).expect("a well-formed reply")
}

#[test]
fn the_broken_servers_send_well_formed_answers() {
    let forged = raw_reply(&BrokenDns::start(Fault::WrongId));
    assert_eq!(forged.metadata.id, 0x1234 ^ 0xffff);
    assert_eq!(forged.answers.len(), 1);
    assert!(
        matches!(&forged.answers[0].data, RData::TXT(t) if t.txt_data[0].as_ref() == FORGED_TXT)
    );
    let truncated = raw_reply(&BrokenDns::start(Fault::Truncated));
    assert_eq!(truncated.metadata.id, 0x1234);
    assert!(truncated.metadata.truncation && truncated.answers.is_empty());
}

#[test]
fn a_server_that_never_answers_is_a_timeout() {
    let silent = BrokenDns::start(Fault::Silent);
    let why = assert_failure_shown(&silent.addr.to_string(), "broken.test", &["timeout"]);
    assert!(why.contains("timed out") && why.contains("not missing"), "{why}");
}

#[test]
fn a_closed_port_is_an_error_or_a_timeout() {
    assert_failure_shown(&closed_port().to_string(), "broken.test", &["error", "timeout"]);
}

#[test]
fn an_answer_with_the_wrong_id_is_ignored_until_the_timeout() {
    let forger = BrokenDns::start(Fault::WrongId);
    assert_failure_shown(&forger.addr.to_string(), "broken.test", &["timeout"]);
}

#[test]
fn a_truncated_answer_with_tcp_refused_is_an_error_or_a_timeout() {
    let truncating = BrokenDns::start(Fault::Truncated);
    let why = assert_failure_shown(&truncating.addr.to_string(), "broken.test", &["error"]);
    assert!(why.contains("truncated"), "{why}");
}

#[test]
fn servfail_and_a_silent_name_on_a_live_server_are_shown_as_such() {
    let running = serve(&[&zone_text("hostile.test", "")], Vec::new());
    let server = running.dns.addr.to_string();
    let why = assert_failure_shown(&server, "servfail.hostile.test", &["servfail"]);
    assert!(why.contains("answered with SERVFAIL"), "{why}");
    assert_failure_shown(&server, "never-answers.hostile.test", &["timeout"]);
}
