//! `fix` and the fixes in `status` through the binary, against a real authoritative server on
//! 127.0.0.1: each format, the exit codes (0 nothing to fix, 7 something, 5 a lookup failed),
//! `status --json` carrying the same actions, the hint line in `status`, and hostile DNS text
//! escaped in every format.

mod support;

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;
use support::dns_server::{TestDns, zone_text};
use support::hostile::{PAYLOADS, assert_terminal_safe, concat, name, txt};

/// ok.test is ready; spf.test lacks the vendor's include and has +all; servfail.test fails.
fn zones() -> Vec<String> {
    let mail = "@ MX 10 mx\nmx A 127.0.0.1\n";
    vec![
        zone_text(
            "ok.test",
            &format!(
                "{mail}@ TXT \"v=spf1 include:_spf.vendor.test -all\"\n_dmarc TXT \"v=DMARC1; p=none; rua=mailto:dmarc@ok.test\"\n"
            ),
        ),
        zone_text(
            "spf.test",
            &format!(
                "{mail}@ TXT \"v=spf1 mx +all\"\n_dmarc TXT \"v=DMARC1; p=none; rua=mailto:dmarc@spf.test\"\n"
            ),
        ),
        zone_text("servfail.test", "@ TXT \"v=spf1 -all\"\n"),
        zone_text("vendor.test", "_spf TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"),
    ]
}

/// A plan for the domains: monitor then quarantine, the vendor as a sender without DKIM.
fn plan(domains: &[&str]) -> tempfile::NamedTempFile {
    plan_named(domains, "Vendor")
}

/// [`plan`] with the sender named `sender` (a TOML basic string's content).
fn plan_named(domains: &[&str], sender: &str) -> tempfile::NamedTempFile {
    let mut text = String::from(
        "[[phase]]\nname = \"monitor\"\np = \"none\"\n\n[[phase]]\nname = \"quarantine\"\np = \"quarantine\"\n",
    );
    for d in domains {
        let _ = write!(
            text,
            "\n[[domain]]\nname = \"{d}\"\nrua = \"mailto:dmarc@{d}\"\n  [[domain.sender]]\n  \
             name = \"{sender}\"\n  spf_include = \"_spf.vendor.test\"\n  [domain.history]\n  1 = 2026-11-01\n"
        );
    }
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().expect("temp plan");
    file.write_all(text.as_bytes()).expect("write plan");
    file
}

async fn run(server: &TestDns, plan: &tempfile::NamedTempFile, args: &[&str]) -> Output {
    let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    all.insert(1, plan.path().display().to_string());
    all.extend(["--nameserver".into(), server.addr.to_string(), "--timeout".into(), "1".into()]);
    all.extend(["--today".into(), "2026-11-20".into()]);
    tokio::task::spawn_blocking(move || {
        Command::cargo_bin("dmarc-rollout").expect("binary").args(all).output().expect("runs")
    })
    .await
    .expect("joined")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8")
}

#[tokio::test]
async fn fix_exits_0_with_nothing_to_fix_7_with_something_and_5_when_a_lookup_failed() {
    let server = TestDns::start(&zones().iter().map(String::as_str).collect::<Vec<_>>()).await;
    for (domains, code, first_line) in [
        (&["ok.test"][..], 0, "ok.test: nothing to fix"),
        (&["ok.test", "spf.test"][..], 7, "ok.test: nothing to fix"),
        (&["servfail.test", "spf.test"][..], 5, "servfail.test: unknown"),
    ] {
        let p = plan(domains);
        let out = run(&server, &p, &["fix"]).await;
        assert_eq!(out.status.code(), Some(code), "{domains:?}: {}", stdout(&out));
        assert_eq!(stdout(&out).lines().next(), Some(first_line), "{domains:?}");
    }
}

#[tokio::test]
async fn each_format_prints_the_same_fix() {
    let server = TestDns::start(&zones().iter().map(String::as_str).collect::<Vec<_>>()).await;
    let p = plan(&["spf.test"]);
    let want = "v=spf1 mx include:_spf.vendor.test ~all";
    let text = run(&server, &p, &["fix"]).await;
    assert_eq!(
        stdout(&text),
        format!(
            "spf.test: 1 action\n  1. DNS replace TXT (fixes spf.missing_include, spf.pass_all)\n     \
             Adds include:_spf.vendor.test for sender 'Vendor'. Replaces '+all' (every host on the \
             internet passes) with '~all' while the domain is monitoring. 2/10 DNS lookups after the \
             change.\n       - spf.test. 3600 IN TXT \"v=spf1 mx +all\"\n       + spf.test. 3600 IN TXT \"{want}\"\n"
        )
    );
    let zone = run(&server, &p, &["fix", "--format", "zone"]).await;
    assert_eq!(
        stdout(&zone),
        format!(
            "; spf.test\n; replace: spf.test. 3600 IN TXT \"v=spf1 mx +all\"\nspf.test. 3600 IN TXT \"{want}\"\n"
        )
    );
    let json: Value =
        serde_json::from_slice(&run(&server, &p, &["fix", "-f", "json"]).await.stdout)
            .expect("json");
    let action = &json["domains"][0]["actions"][0];
    assert_eq!(json["domains"][0]["domain"], "spf.test");
    for (key, value) in [
        ("order", "1"),
        ("kind", "\"dns\""),
        ("op", "\"replace\""),
        ("owner", "\"spf.test\""),
        ("type", "\"TXT\""),
        ("ttl", "3600"),
    ] {
        assert_eq!(action[key].to_string(), value, "{key}");
    }
    assert_eq!(action["value"], want);
    assert_eq!(action["replaces"], "v=spf1 mx +all");
    assert_eq!(action["fixes"], serde_json::json!(["spf.missing_include", "spf.pass_all"]));
    let ps = run(&server, &p, &["fix", "--format", "powershell"]).await;
    assert_eq!(ps.status.code(), Some(7));
    assert!(stdout(&ps).ends_with("# Nothing to run in Exchange Online.\n"), "{}", stdout(&ps));
}

#[tokio::test]
async fn status_carries_the_same_actions_and_a_hint_to_run_fix() {
    let server = TestDns::start(&zones().iter().map(String::as_str).collect::<Vec<_>>()).await;
    let p = plan(&["ok.test", "spf.test"]);
    let fix: Value = serde_json::from_slice(&run(&server, &p, &["fix", "-f", "json"]).await.stdout)
        .expect("json");
    let status: Value =
        serde_json::from_slice(&run(&server, &p, &["status", "--json"]).await.stdout)
            .expect("json");
    for i in 0..2 {
        assert_eq!(status["domains"][i]["fixes"], fix["domains"][i]["actions"], "domain {i}");
    }
    assert_eq!(status["domains"][0]["fixes"], serde_json::json!([]));
    let table = stdout(&run(&server, &p, &["status"]).await);
    let hints: Vec<&str> = table.lines().filter(|l| l.trim_start().starts_with("fix:")).collect();
    assert_eq!(hints, ["    fix: 1 action; see dmarc-rollout fix PLAN --domain spf.test"]);
}

#[tokio::test]
async fn hostile_dns_and_plan_text_is_escaped_in_every_format() {
    let mut records = Vec::new();
    let mut domains = Vec::new();
    for (label, payload) in PAYLOADS {
        let domain = format!("{label}.hostile.test");
        let spf = concat(&[b"v=spf1 ip4:192.0.2.1 ", payload, b" +all"]);
        records.push(txt(name(&domain), &spf));
        let dmarc = format!("_dmarc.{domain}");
        records.push(txt(name(&dmarc), b"v=DMARC1; p=none"));
        records.push(txt(
            name(&dmarc),
            &concat(&[b"v=DMARC1; p=none; rua=mailto:", payload, b"@x.test"]),
        ));
        domains.push(domain);
    }
    let hostile = zone_text("hostile.test", "");
    let mut zones: Vec<String> = zones();
    zones.push(hostile);
    let server =
        TestDns::start_with(&zones.iter().map(String::as_str).collect::<Vec<_>>(), records).await;
    let names: Vec<&str> = domains.iter().map(String::as_str).collect();
    let p = plan_named(&names, "Ven\\u001b[31mdor\\u202e");
    let exports = [
        "dnscontrol",
        "octodns",
        "terraform-azurerm",
        "terraform-aws",
        "terraform-cloudflare",
        "nsupdate",
        "powershell-dns",
        "azure-cli",
    ];
    for format in ["text", "zone", "json", "powershell"].into_iter().chain(exports) {
        let out = run(&server, &p, &["fix", "--format", format]).await;
        assert_eq!(out.status.code(), Some(7), "{format}");
        assert_terminal_safe(&format!("fix --format {format}"), &out.stdout, false);
        assert_terminal_safe(&format!("fix --format {format} (stderr)"), &out.stderr, false);
        if format == "text" {
            let text = stdout(&out);
            assert!(text.contains("sender 'Ven\\027[31mdor\\226\\128\\174'"), "{text}");
            assert!(text.contains("; delete: ") || text.contains("DNS delete TXT"), "{text}");
        }
    }
}

#[test]
fn an_offline_view_says_what_it_could_not_check_rather_than_nothing_to_fix() {
    let out = Command::cargo_bin("dmarc-rollout")
        .expect("binary")
        .args([
            "fix",
            "plans/insight24.toml",
            "--zone",
            "plans/insight24.zone",
            "--today",
            "2026-11-29",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "nothing known needs fixing");
    let text = stdout(&out);
    assert_eq!(text.lines().next(), Some("insight24.nl: nothing to fix among what was checked"));
    assert_eq!(text.lines().filter(|l| l.starts_with("  not checked: ")).count(), 4, "{text}");
}

#[test]
fn the_shipped_unready_zone_gets_the_fix_the_readme_shows() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    for (format, code) in [("text", 7), ("zone", 7), ("powershell", 7)] {
        let out = Command::cargo_bin("dmarc-rollout")
            .expect("binary")
            .args(["fix", "plans/insight24.toml", "--zone", "plans/insight24-unready.zone"])
            .args(["--today", "2026-11-29", "--format", format])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(code), "{format}");
        if format != "powershell" {
            let shown = stdout(&out);
            assert!(
                readme.contains(&shown),
                "the README's {format} example is not what fix prints:\n{shown}"
            );
        }
    }
}
