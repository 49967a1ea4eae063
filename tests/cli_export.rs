//! `next --format <tool>` through the binary against a real authoritative server on
//! 127.0.0.1: only a step the decision clears is exported, with the live record as the value
//! it replaces; a blocked or unknown step exports nothing, in every format.
#![allow(clippy::unwrap_used, reason = "in tests a panic is the failure report")]

mod support;

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::Output;

use assert_cmd::Command;
use support::dns_server::{TestDns, zone_text};

const FORMATS: [&str; 8] = [
    "dnscontrol",
    "octodns",
    "terraform-azurerm",
    "terraform-aws",
    "terraform-cloudflare",
    "nsupdate",
    "powershell-dns",
    "azure-cli",
];

fn zone() -> String {
    let body = "@ MX 10 mx\nmx A 127.0.0.1\n\
        monitor TXT \"v=spf1 ip4:192.0.2.1 -all\"\n\
        _dmarc.monitor TXT \"v=DMARC1; p=none; rua=mailto:dmarc@export.test\"\n\
        reject TXT \"v=spf1 ip4:192.0.2.1 -all\"\n\
        _dmarc.reject TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@export.test\"\n\
        fresh TXT \"v=spf1 ip4:192.0.2.1 -all\"\n\
        vendor TXT \"v=spf1 ip4:192.0.2.1 -all\"\n\
        _dmarc.vendor CNAME _dmarc.hosted.export.test.\n\
        _dmarc.hosted TXT \"v=DMARC1; p=none; rua=mailto:dmarc@export.test\"\n\
        _dmarc.never-answers TXT \"v=DMARC1; p=none\"\n";
    zone_text("export.test", body)
}

const LADDER: &str = r#"
[defaults]
rua = "mailto:dmarc@export.test"

[[phase]]
name = "monitor"
p = "none"

[[phase]]
name = "quarantine"
p = "quarantine"
"#;

fn plan(domain: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    let text = format!("{LADDER}\n[[domain]]\nname = \"{domain}.export.test\"\n");
    file.write_all(text.as_bytes()).unwrap();
    file
}

async fn next(server: SocketAddr, format: &str, plan: &tempfile::NamedTempFile) -> Output {
    let args = [
        "next".to_owned(),
        plan.path().display().to_string(),
        "--format".into(),
        format.into(),
        "--nameserver".into(),
        server.to_string(),
        "--timeout".into(),
        "1".into(),
    ];
    tokio::task::spawn_blocking(move || {
        Command::cargo_bin("dmarc-rollout").unwrap().args(args).output().unwrap()
    })
    .await
    .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_or_unknown_step_exports_nothing_in_any_format() {
    let dns = TestDns::start(&[&zone()]).await;
    for (domain, code) in [("reject", 7), ("never-answers", 5)] {
        let plan = plan(domain);
        for format in FORMATS {
            let output = next(dns.addr, format, &plan).await;
            assert_eq!(
                output.status.code(),
                Some(code),
                "{domain} {format}: {}",
                text(&output.stderr)
            );
            assert!(output.stdout.is_empty(), "{domain} {format}: {}", text(&output.stdout));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cleared_step_replaces_exactly_the_live_record() {
    let dns = TestDns::start(&[&zone()]).await;
    let plan = plan("monitor");
    let output = next(dns.addr, "nsupdate", &plan).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let old = "\"v=DMARC1; p=none; rua=mailto:dmarc@export.test\"";
    let new = "\"v=DMARC1; p=quarantine; rua=mailto:dmarc@export.test\"";
    assert_eq!(
        text(&output.stdout),
        format!(
            "; monitor.export.test: phase 2 (quarantine)\n\
             prereq yxrrset _dmarc.monitor.export.test. TXT {old}\n\
             update delete _dmarc.monitor.export.test. TXT {old}\n\
             update add _dmarc.monitor.export.test. 3600 TXT {new}\n\
             send\n"
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_domain_without_a_record_gets_a_create_guarded_by_its_absence() {
    let dns = TestDns::start(&[&zone()]).await;
    let output = next(dns.addr, "nsupdate", &plan("fresh")).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "; fresh.export.test: phase 1 (monitor)\n\
         prereq nxrrset _dmarc.fresh.export.test. TXT\n\
         update add _dmarc.fresh.export.test. 3600 TXT \"v=DMARC1; p=none; rua=mailto:dmarc@export.test\"\n\
         send\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_delegated_by_cname_is_not_exported_into_the_wrong_zone() {
    let dns = TestDns::start(&[&zone()]).await;
    let output = next(dns.addr, "dnscontrol", &plan("vendor")).await;
    assert_eq!(output.status.code(), Some(7), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty());
    assert!(text(&output.stderr).contains("is a CNAME to _dmarc.hosted.export.test"));
}

#[test]
fn offline_a_script_format_is_refused_and_a_declarative_one_is_written() {
    let plan = plan("fresh");
    let run = |format: &str| {
        Command::cargo_bin("dmarc-rollout")
            .unwrap()
            .args(["next", &plan.path().display().to_string(), "--offline", "--format", format])
            .output()
            .unwrap()
    };
    for format in ["nsupdate", "powershell-dns", "azure-cli"] {
        let refused = run(format);
        assert_eq!(refused.status.code(), Some(2), "{format}");
        assert!(refused.stdout.is_empty(), "{format}");
        assert!(text(&refused.stderr).contains("was not read"), "{format}");
    }
    let octodns = run("octodns");
    assert_eq!(octodns.status.code(), Some(0), "{}", text(&octodns.stderr));
    assert!(
        text(&octodns.stdout)
            .contains("  value: 'v=DMARC1\\; p=none\\; rua=mailto:dmarc@export.test'")
    );
}
