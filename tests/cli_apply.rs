//! `apply` through the binary where no Knot is needed: the gates stop it before any server is
//! contacted, a bad key file is refused without showing the secret, and a real server that
//! takes no updates (hickory's, in-process on 127.0.0.1) answers REFUSED.
#![allow(clippy::unwrap_used, reason = "in tests a panic is the failure report")]

mod support;

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::Output;

use assert_cmd::Command;
use support::dns_server::{TestDns, zone_text};

const SECRET: &str = "6IXaH4egOvsS8GTD0f4A1XiEX4Hx8xFuj5/eLFxO/4M=";

fn zone() -> String {
    let body = "@ MX 10 mx\nmx A 127.0.0.1\n\
        ready TXT \"v=spf1 ip4:192.0.2.1 -all\"\n\
        _dmarc.ready TXT \"v=DMARC1; p=none; rua=mailto:dmarc@gate.test\"\n\
        strict TXT \"v=spf1 ip4:192.0.2.1 -all\"\n\
        _dmarc.strict TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@gate.test\"\n\
        _dmarc.never-answers TXT \"v=DMARC1; p=none\"\n";
    zone_text("gate.test", body)
}

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new(domain: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let plan = format!(
            "[defaults]\nrua = \"mailto:dmarc@gate.test\"\n\n[[phase]]\nname = \"monitor\"\np = \"none\"\n\n\
             [[phase]]\nname = \"quarantine\"\np = \"quarantine\"\n\n[[domain]]\nname = \"{domain}.gate.test\"\n"
        );
        std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
        let key =
            format!("key \"gate\" {{\n\talgorithm hmac-sha256;\n\tsecret \"{SECRET}\";\n}};\n");
        std::fs::write(dir.path().join("gate.key"), key).unwrap();
        Self { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

async fn apply(
    files: &Files,
    domain: &str,
    server: SocketAddr,
    decide: SocketAddr,
    key: &str,
) -> Output {
    let args = vec![
        "apply".to_owned(),
        files.path("plan.toml"),
        "--domain".into(),
        format!("{domain}.gate.test"),
        "--server".into(),
        server.to_string(),
        "--tsig-key".into(),
        files.path(key),
        "--nameserver".into(),
        decide.to_string(),
        "--timeout".into(),
        "1".into(),
        "--wait".into(),
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

/// An address where nothing listens: reaching it would show in the output.
fn nowhere() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_or_unknown_step_is_never_sent() {
    let dns = TestDns::start(&[&zone()]).await;
    for (domain, code, said) in [("strict", 7, "weakens"), ("never-answers", 5, "unknown")] {
        let files = Files::new(domain);
        let output = apply(&files, domain, nowhere(), dns.addr, "gate.key").await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{domain}: {stderr}");
        assert!(stderr.contains(said), "{domain}: {stderr}");
        assert!(
            !stderr.contains("cannot reach"),
            "{domain}: the server was not contacted: {stderr}"
        );
        assert!(output.stdout.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_takes_no_updates_refuses_and_nothing_is_recorded() {
    let dns = TestDns::start(&[&zone()]).await;
    let files = Files::new("ready");
    let before = std::fs::read_to_string(files.path("plan.toml")).unwrap();
    let output = apply(&files, "ready", dns.addr, dns.addr, "gate.key").await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(12), "{stderr}");
    assert!(
        stderr.contains("refused the update") && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(files.path("plan.toml")).unwrap(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_key_file_is_refused_with_its_line_and_never_shows_the_secret() {
    let dns = TestDns::start(&[&zone()]).await;
    let files = Files::new("ready");
    let md5 = format!("key \"gate\" {{\n\talgorithm hmac-md5;\n\tsecret \"{SECRET}\";\n}};\n");
    std::fs::File::create(files.dir.path().join("md5.key"))
        .unwrap()
        .write_all(md5.as_bytes())
        .unwrap();
    for (key, said) in [
        ("md5.key", "md5.key:line 1: algorithm 'hmac-md5' is not supported"),
        ("missing.key", "cannot read the TSIG key"),
    ] {
        let output = apply(&files, "ready", nowhere(), dns.addr, key).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(said), "{stderr}");
        assert!(!stderr.contains(SECRET), "{stderr}");
    }
}

#[test]
fn apply_refuses_a_zone_file_because_it_publishes_to_live_dns() {
    let files = Files::new("ready");
    let output = Command::cargo_bin("dmarc-rollout")
        .unwrap()
        .args(["apply", &files.path("plan.toml"), "-d", "ready.gate.test", "--server", "127.0.0.1"])
        .args(["--tsig-key", &files.path("gate.key"), "--zone", "plans/insight24.zone"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("--zone cannot be used"));
}
