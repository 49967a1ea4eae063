//! Name servers and answers are outside the admin's control (issue 13): an NS set of hundreds of
//! addresses is asked at eight (never at an address no name server can have), a domain's
//! lookups end at `--deadline` as unknown, an answer for another name is a DNS error, and a TTL
//! with the top bit set is shown as sent and as resolvers use it. Real servers on 127.0.0.1.

mod support;

use std::fmt::Write as _;
use std::net::IpAddr;
use std::time::Duration;

use assert_cmd::Command;
use dmarc_rollout::dns::{
    AuthoritativeSource, Deadline, DnsOptions, DnsSource, LookupState, MAX_SERVERS_PER_ZONE,
    RecordKind, ResolverSource, Target, pick_servers,
};
use support::dns_server::TestDns;
use support::raw_dns::{BrokenDns, Fault};

fn ip(text: &str) -> IpAddr {
    text.parse().expect("an address")
}

#[test]
fn only_loopback_and_public_unicast_addresses_are_picked_eight_at_most_v4_and_v6_in_turn() {
    let hostile = [
        "0.0.0.0",
        "224.0.0.1",
        "169.254.1.1",
        "255.255.255.255",
        "10.0.0.1",
        "192.168.1.1",
        "172.16.0.1",
        "100.64.0.1",
        "240.0.0.1",
        "::",
        "ff02::1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
    ];
    let (picked, usable) = pick_servers(hostile.iter().map(|h| ip(h)));
    assert_eq!((picked, usable), (Vec::new(), 0));
    let mut many: Vec<IpAddr> = (1..=40).map(|i| ip(&format!("127.0.0.{i}"))).collect();
    many.extend((1..=5).map(|i| ip(&format!("2001:4860::{i}"))));
    many.extend(hostile.iter().map(|h| ip(h)));
    let (picked, usable) = pick_servers(many);
    assert_eq!(usable, 45);
    assert_eq!(picked.len(), MAX_SERVERS_PER_ZONE);
    let kinds: Vec<bool> = picked.iter().map(IpAddr::is_ipv4).collect();
    assert_eq!(kinds, [true, false, true, false, true, false, true, false]);
    assert_eq!(picked[0], ip("127.0.0.1"));
}

/// A zone whose NS set has 40 names on 127.0.0.1 (tests talk to nothing else) and names on
/// addresses no server may be asked at.
fn big_zone() -> String {
    let mut zone = String::from(
        "$ORIGIN big.test.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 60\n\
         _dmarc TXT \"v=DMARC1; p=none\"\n",
    );
    for i in 1..=40 {
        let _ = writeln!(zone, "@ NS ns{i}\nns{i} A 127.0.0.1");
    }
    for (i, bad) in ["0.0.0.0", "224.0.0.1", "169.254.1.1"].iter().enumerate() {
        let _ = writeln!(zone, "@ NS bad{i}\nbad{i} A {bad}");
    }
    zone.push_str("@ NS bad6\nbad6 AAAA fe80::1\n");
    zone
}

#[tokio::test]
async fn an_ns_set_of_44_names_is_asked_at_its_one_usable_address_and_the_answer_says_so() {
    let dns = TestDns::start(&[&big_zone()]).await;
    let bootstrap = ResolverSource::nameservers(&[dns.addr], &dns.options()).expect("resolver");
    let source = AuthoritativeSource::discover(bootstrap, dns.addr.port(), &dns.options());
    let answer = source.lookup("_dmarc.big.test", RecordKind::Txt).await;
    assert_eq!(answer.txt(), ["v=DMARC1; p=none"], "{answer:?}");
    // The first 16 NS names by name (bad0…bad6, ns1, ns10…) hold one usable address; 0.0.0.0,
    // multicast and link-local ones are never asked.
    assert!(
        answer.server.contains("(1 of 1+ addresses of 44 NS names of big.test asked)"),
        "{}",
        answer.server
    );
    assert!(answer.disagreeing.is_empty(), "{:?}", answer.disagreeing);
}

#[tokio::test]
async fn a_deadline_ends_a_slow_lookup_and_every_later_one_as_a_timeout() {
    let silent = BrokenDns::start(Fault::Silent);
    let options = DnsOptions {
        target: Target::Nameservers(vec![silent.addr]),
        timeout: Duration::from_secs(30),
        attempts: 1,
        ..DnsOptions::default()
    };
    let slow = ResolverSource::nameservers(&[silent.addr], &options).expect("resolver");
    let bounded = Deadline::after(&slow, Duration::from_millis(300));
    let first = bounded.lookup("_dmarc.slow.test", RecordKind::Txt).await;
    assert_eq!(first.state, LookupState::Timeout);
    assert!(first.server.contains("the --deadline had passed"), "{}", first.server);
    let later =
        tokio::time::timeout(Duration::from_secs(5), bounded.lookup("slow.test", RecordKind::Mx))
            .await
            .expect("answered at once");
    assert_eq!(later.state, LookupState::Timeout);
}

fn plan(dir: &std::path::Path, domain: &str) -> std::path::PathBuf {
    let path = dir.join("plan.toml");
    let text =
        format!("[[phase]]\nname = \"m\"\np = \"none\"\n\n[[domain]]\nname = \"{domain}\"\n");
    std::fs::write(&path, text).expect("write");
    path
}

fn status(server: &BrokenDns, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = Command::cargo_bin("dmarc-rollout")
        .expect("binary")
        .args(["status", "--json", "--today", "2026-11-20", "--nameserver"])
        .arg(server.addr.to_string())
        .args(extra)
        .arg(plan(dir.path(), "broken.test"))
        .output()
        .expect("runs");
    let json = serde_json::from_slice(&output.stdout).unwrap_or_default();
    (output.status.code(), json)
}

#[test]
fn a_domain_whose_server_never_answers_ends_at_the_deadline_as_unknown() {
    let silent = BrokenDns::start(Fault::Silent);
    let (code, json) = status(&silent, &["--timeout", "20", "--deadline", "1"]);
    assert_eq!(code, Some(5), "{json}");
    assert_eq!(json["domains"][0]["dmarc"]["state"], "timeout", "{json}");
}

#[test]
fn an_answer_for_another_name_is_a_dns_error_not_no_record() {
    let server = BrokenDns::start(Fault::WrongOwner);
    let (code, json) = status(&server, &["--timeout", "2"]);
    assert_eq!(code, Some(5), "{json}");
    assert_eq!(json["domains"][0]["dmarc"]["state"], "error", "{json}");
    assert!(!json.to_string().contains("forged"), "the other name's record is not shown");
}

#[test]
fn a_ttl_with_the_top_bit_set_is_shown_as_sent_and_as_resolvers_use_it() {
    let server = BrokenDns::start(Fault::TopBitTtl);
    let (_, json) = status(&server, &["--timeout", "2"]);
    let dmarc = &json["domains"][0]["dmarc"];
    assert_eq!(dmarc["state"], "found", "{json}");
    assert_eq!(
        (dmarc["ttl"].as_u64(), dmarc["ttl_used"].as_u64()),
        (Some(u64::from(u32::MAX)), Some(0))
    );
    assert_eq!(dmarc_rollout::dns::ttl_text(u32::MAX), "4294967295 (resolvers use 0, RFC 2181 §8)");
}
