//! The safe next step through the binary, against a real authoritative server on 127.0.0.1:
//! the situations that used to give wrong advice (a skipped phase, a silent weakening, a record
//! printed when nothing was known, "ready" when nothing was checked), each now right, and the
//! same verdict in `next`, `status` and `check`.
#![allow(clippy::unwrap_used, reason = "in tests a panic is the failure report")]

mod support;

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;
use support::dns_server::{TestDns, zone_text};

const RUA: &str = "rua=mailto:dmarc@adopt.test";

/// Every domain has SPF and the report mailbox has MX, so readiness is ready unless a case
/// says otherwise.
fn zone() -> String {
    let domain = |name: &str, dmarc: &str| {
        format!("{name} TXT \"v=spf1 ip4:192.0.2.1 -all\"\n_dmarc.{name} TXT \"{dmarc}\"\n")
    };
    let body = [
        "@ MX 10 mx\nmx A 127.0.0.1\n".to_owned(),
        domain("m365", &format!("v=DMARC1; p=none; {RUA}")),
        domain("reject", &format!("v=DMARC1; p=reject; sp=quarantine; {RUA}")),
        domain("strict", &format!("v=DMARC1; p=reject; {RUA}")),
        "slow TXT \"v=spf1 include:spf.never-answers.adopt.test -all\"\n".to_owned(),
        format!("_dmarc.slow TXT \"v=DMARC1; p=none; {RUA}\"\n"),
        format!("_dmarc.never-answers TXT \"v=DMARC1; p=reject; {RUA}\"\n"),
    ];
    zone_text("adopt.test", &body.concat())
}

/// The ladder of the issue: none (pct=50, no effect) → quarantine 50 → quarantine 100 →
/// reject, with the article's `sp=none`.
const FOUR_PHASES: &str = r#"
[defaults]
rua = "mailto:dmarc@adopt.test"
sp = "none"

[[phase]]
name = "monitor"
p = "none"
pct = 50

[[phase]]
name = "quarantine half"
p = "quarantine"
pct = 50

[[phase]]
name = "quarantine all"
p = "quarantine"

[[phase]]
name = "reject"
p = "reject"
"#;

/// Three phases with a pct ramp, the seed plan's shape.
const THREE_PHASES: &str = r#"
[defaults]
rua = "mailto:dmarc@adopt.test"

[[phase]]
name = "monitor"
p = "none"

[[phase]]
name = "quarantine half"
p = "quarantine"
pct = 50

[[phase]]
name = "quarantine all"
p = "quarantine"
"#;

fn plan(ladder: &str, domain: &str, history: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    let text = format!("{ladder}\n[[domain]]\nname = \"{domain}.adopt.test\"\n{history}");
    file.write_all(text.as_bytes()).unwrap();
    file
}

async fn run(server: SocketAddr, args: &[&str], plan: &tempfile::NamedTempFile) -> Output {
    let mut command_line: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    command_line.push(plan.path().display().to_string());
    command_line.extend([
        "--nameserver".into(),
        server.to_string(),
        "--timeout".into(),
        "1".into(),
    ]);
    command_line.extend(["--today".into(), "2026-12-01".into()]);
    tokio::task::spawn_blocking(move || {
        Command::cargo_bin("dmarc-rollout").unwrap().args(command_line).output().unwrap()
    })
    .await
    .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn status_json(output: &Output) -> Value {
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    json["domains"][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_p_none_domain_is_adopted_at_phase_one_and_the_step_is_phase_two() {
    let dns = TestDns::start(&[&zone()]).await;
    let four = "v=DMARC1; p=quarantine; rua=mailto:dmarc@adopt.test; pct=50; sp=none";
    let three = "v=DMARC1; p=quarantine; rua=mailto:dmarc@adopt.test; pct=50";
    for (ladder, label, phase_two) in
        [(FOUR_PHASES, "four phases", four), (THREE_PHASES, "m365 preset", three)]
    {
        let plan = plan(ladder, "m365", "");
        let next = run(dns.addr, &["next", "--format", "zone"], &plan).await;
        assert_eq!(next.status.code(), Some(0), "{label}: {}", text(&next.stderr));
        assert_eq!(
            text(&next.stdout),
            format!("_dmarc.m365.adopt.test. 3600 IN TXT \"{phase_two}\"\n"),
            "{label}: one phase above p=none, never further"
        );
        let status = status_json(&run(dns.addr, &["status", "--json"], &plan).await);
        assert_eq!(status["position"]["state"], "live", "{label}");
        assert_eq!(status["phase"], 1, "{label}: pct has no effect under p=none");
        assert_eq!(status["verdict"], "ready", "{label}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_that_weakens_the_live_record_is_refused_and_named_until_allowed() {
    let dns = TestDns::start(&[&zone()]).await;
    let plan = plan(FOUR_PHASES, "reject", "[domain.history]\n1 = 2026-11-01\n");
    let refused = run(dns.addr, &["next"], &plan).await;
    let stderr = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(7), "{stderr}");
    assert!(refused.stdout.is_empty(), "a weakening is never printed silently");
    assert!(
        stderr.contains("sp: quarantine → none") && stderr.contains("--allow-loosen"),
        "{stderr}"
    );
    assert!(
        stderr.contains("stricter than phase 4"),
        "the adoption says where it placed it: {stderr}"
    );
    assert!(!stderr.contains("p=none"), "never back to phase 1: {stderr}");

    let allowed = run(dns.addr, &["next", "--allow-loosen"], &plan).await;
    assert_eq!(allowed.status.code(), Some(0), "{}", text(&allowed.stderr));
    assert_eq!(text(&allowed.stdout), "v=DMARC1; p=reject; rua=mailto:dmarc@adopt.test; sp=none\n");
    assert!(text(&allowed.stderr).contains("printed anyway (--allow-loosen)"));
    let forced = run(dns.addr, &["next", "--force"], &plan).await;
    assert!(forced.stdout.is_empty(), "--force does not allow a weakening");

    let status = status_json(&run(dns.addr, &["status", "--json"], &plan).await);
    assert_eq!(status["verdict"], "blocked");
    assert_eq!(status["why"][0]["kind"], "loosening");
    let check = run(dns.addr, &["check"], &plan).await;
    assert_eq!(check.status.code(), Some(7), "{}", text(&check.stderr));
    assert!(text(&check.stderr).contains("next step blocked: advice.loosens"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reject_domain_is_never_advised_the_lower_last_phase_of_a_shorter_plan() {
    let dns = TestDns::start(&[&zone()]).await;
    let plan = plan(THREE_PHASES, "strict", "");
    let next = run(dns.addr, &["next", "--format", "json"], &plan).await;
    assert_eq!(next.status.code(), Some(7));
    let json: Value = serde_json::from_slice(&next.stdout).unwrap();
    assert_eq!(
        (json["blocked"].as_bool(), json["verdict"].as_str()),
        (Some(true), Some("blocked"))
    );
    let why = json["why"][0]["message"].as_str().unwrap();
    assert!(why.contains("p: reject → quarantine"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_dns_does_not_answer_nothing_is_printed_and_the_exit_says_unknown() {
    let dns = TestDns::start(&[&zone()]).await;
    let plan = plan(FOUR_PHASES, "never-answers", "[domain.history]\n1 = 2026-11-01\n");
    for format in ["txt", "zone"] {
        let next = run(dns.addr, &["next", "--format", format], &plan).await;
        assert_eq!(next.status.code(), Some(5), "{}", text(&next.stderr));
        assert!(next.stdout.is_empty(), "{format}: a cron job must get nothing to publish");
        assert!(text(&next.stderr).contains("unknown, not safe to advise"));
    }
    let json = run(dns.addr, &["next", "--format", "json"], &plan).await;
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!((json["verdict"].as_str(), json["value"].is_null()), (Some("unknown"), true));
    let status = status_json(&run(dns.addr, &["status", "--json"], &plan).await);
    assert!(status["next"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_readiness_lookup_that_failed_is_unknown_everywhere_never_not_ready() {
    let dns = TestDns::start(&[&zone()]).await;
    let plan = plan(THREE_PHASES, "slow", "");
    let table = run(dns.addr, &["status"], &plan).await;
    let shown = text(&table.stdout);
    assert_eq!(table.status.code(), Some(5), "{shown}");
    assert!(shown.contains("readiness unknown: SPF unknown"), "column and detail agree: {shown}");
    assert!(!shown.contains("not ready"), "{shown}");
    let next = run(dns.addr, &["next"], &plan).await;
    assert_eq!(next.status.code(), Some(5), "{}", text(&next.stderr));
    assert!(next.stdout.is_empty());
}

#[test]
fn a_domain_the_zone_file_does_not_hold_is_unknown_not_ready() {
    let plan = plan(THREE_PHASES, "elsewhere", "");
    let output = Command::cargo_bin("dmarc-rollout")
        .unwrap()
        .args(["next", &plan.path().display().to_string(), "--zone", "plans/insight24.zone"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_meant_as_dmarc_is_a_broken_record_to_repair_never_unrelated_txt() {
    let botched = [
        ("space", " v=DMARC1; p=reject", "dmarc.leading_whitespace"),
        ("lower", "v=dmarc1; p=reject", "dmarc.not_dmarc"),
        ("late", "p=reject; v=DMARC1", "dmarc.not_dmarc"),
        ("nosemi", "v=DMARC1 p=reject", "dmarc.not_dmarc"),
    ];
    let mut body = String::new();
    for (name, record, _) in botched {
        let _ = writeln!(body, "{name} TXT \"v=spf1 -all\"\n_dmarc.{name} TXT \"{record}\"");
    }
    let dns = TestDns::start(&[&zone_text("adopt.test", &format!("@ MX 10 mx\n{body}"))]).await;
    for (name, record, id) in botched {
        let plan = plan(THREE_PHASES, name, "");
        let status = status_json(&run(dns.addr, &["status", "--json"], &plan).await);
        assert_eq!(status["position"]["state"], "broken", "{record}");
        let shown = [&status["dmarc"]["records"][0], &status["dmarc"]["botched"][0]];
        assert!(shown.contains(&&Value::from(record)), "{record}: {}", status["dmarc"]);
        let ids: Vec<&str> = status["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["id"].as_str())
            .collect();
        assert!(ids.contains(&id) && !ids.contains(&"dmarc.unrelated_txt"), "{record}: {ids:?}");
        let check = run(dns.addr, &["check"], &plan).await;
        assert_eq!(check.status.code(), Some(1), "{record}: {}", text(&check.stderr));
        assert!(!text(&check.stderr).contains("remove them"), "never the advice to delete it");
    }
}
