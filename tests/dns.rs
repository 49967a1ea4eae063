//! The DNS edge against a real authoritative server on 127.0.0.1 (hickory-server in-process)
//! and against the zone-file source reading the same zone text.

mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use RecordKind::{Cname, Mx, Txt};
use dmarc_rollout::assess::assess_on_threads;
use dmarc_rollout::dns::{
    AuthoritativeSource, DkimLookup, DkimStatus, DnsOptions, DnsSource, DomainQuery, Existence,
    LookupState, Paced, RecordKind, ReportAuth, ResolverSource, Target, ZoneFileSource, connect,
    gather,
};
use futures::StreamExt;
use hickory_server::proto::rr::rdata::{CNAME, TXT};
use hickory_server::proto::rr::{Name, RData, Record};
use support::dns_server::{TestDns, zone_text};

const EXAMPLE: &str = r#"$ORIGIN example.test.
$TTL 3600
@            IN SOA ns1 hostmaster 1 7200 900 1209600 60
@            NS   ns1
ns1          A    127.0.0.1
@            MX   10 mx1
mx1          A    127.0.0.1
@            TXT  "v=spf1 -all"
@            TXT  "google-site-verification=abc"
_dmarc  1800 TXT  "v=DMARC1; p=none; rua=mailto:d@example.test"
found        A    127.0.0.1
_dmarc.found 1800 TXT "v=DMARC1; p=reject"
split        A    127.0.0.1
_dmarc.split TXT  "v=DMARC1; p=quarantine; " "rua=mailto:a@example.test"
_dmarc.two   TXT  "v=DMARC1; p=none"
_dmarc.two   TXT  "v=DMARC1; p=reject"
_dmarc.other TXT  "hello world"
nodata       A    127.0.0.1
a.b.deep     A    127.0.0.1
sub          A    127.0.0.1
s1._domainkey.found TXT "v=DKIM1; k=rsa; p=MIIB"
s2._domainkey.found CNAME s2.keys.example.test.
alias        CNAME found.example.test.
_dmarc.vendor CNAME dmarc.vendor.test.
x.y.org2     A    127.0.0.1
_dmarc.org2  TXT  "v=DMARC1; p=reject; psd=n"
*.wild       TXT  "from the wildcard"
"#;

const VENDOR: &str = r#"$ORIGIN vendor.test.
$TTL 3600
@      IN SOA ns1 hostmaster 1 7200 900 1209600 60
@      NS  ns1
ns1    A   127.0.0.1
dmarc  600 TXT "v=DMARC1; p=quarantine; rua=mailto:r@vendor.test"
"#;

const REPORTS: &str = r#"$ORIGIN reports.test.
$TTL 3600
@      IN SOA ns1 hostmaster 1 7200 900 1209600 60
@      NS  ns1
ns1    A   127.0.0.1
example.test._report._dmarc TXT "v=DMARC1"
"#;

const WILD: &str = r#"$ORIGIN wild.test.
$TTL 3600
@      IN SOA ns1 hostmaster 1 7200 900 1209600 60
@      NS  ns1
ns1    A   127.0.0.1
*._report._dmarc TXT "v=DMARC1"
"#;

async fn server() -> TestDns {
    TestDns::start(&[EXAMPLE, VENDOR, REPORTS, WILD]).await
}

fn zone_file() -> ZoneFileSource {
    ZoneFileSource::from_text(EXAMPLE, None, Path::new("example.test.zone")).expect("zone parses")
}

/// One expected outcome: the state label, and the TXT texts and TTL when found.
type Case = (&'static str, RecordKind, &'static str, &'static [&'static str], Option<u32>);

/// (name, type, state, TXT texts when found, TTL when found)
#[rustfmt::skip]
const CASES: &[Case] = &[
    ("_dmarc.found.example.test", Txt, "found", &["v=DMARC1; p=reject"], Some(1800)),
    ("_dmarc.split.example.test", Txt, "found",
        &["v=DMARC1; p=quarantine; rua=mailto:a@example.test"], Some(3600)),
    ("_dmarc.other.example.test", Txt, "found", &["hello world"], Some(3600)),
    ("_dmarc.nodata.example.test", Txt, "NXDOMAIN", &[], None),
    ("nodata.example.test", Txt, "NODATA", &[], None),
    ("b.deep.example.test", Txt, "NODATA", &[], None),
    ("c.b.deep.example.test", Txt, "NXDOMAIN", &[], None),
    ("alias.example.test", Txt, "NODATA", &[], None),
    ("alias.example.test", Cname, "found", &[], Some(3600)),
    ("example.test", Mx, "found", &[], Some(3600)),
    ("x.wild.example.test", Txt, "found", &["from the wildcard"], Some(3600)),
    ("wild.example.test", Txt, "NODATA", &[], None),
    ("elsewhere.invalid-zone.test", Txt, "REFUSED", &[], None),
];

fn check(source: &dyn DnsSource, answer: &dmarc_rollout::dns::Answer, case: &Case) {
    let (name, kind, state, txt, ttl) = *case;
    let who = source.describe();
    // A zone file cannot speak for names outside it, where its server would answer REFUSED.
    let label = match answer.state {
        LookupState::OutsideZone => "REFUSED",
        ref other => other.label(),
    };
    assert_eq!(label, state, "{name} {kind} from {who}");
    assert_eq!(answer.ttl(), ttl, "{name} {kind} TTL from {who}");
    let mut got = answer.txt();
    got.sort_unstable();
    let mut want: Vec<String> = txt.iter().map(|t| (*t).to_owned()).collect();
    want.sort_unstable();
    assert_eq!(got, want, "{name} {kind} from {who}");
}

#[tokio::test]
async fn the_server_and_the_zone_file_give_the_same_states() {
    let dns = server().await;
    let live = dns.source();
    let file = zone_file();
    for case in CASES {
        let from_server = live.lookup(case.0, case.1).await;
        check(live.as_ref(), &from_server, case);
        let from_file = file.lookup(case.0, case.1).await;
        check(&file, &from_file, case);
    }
}

#[tokio::test]
async fn a_cname_is_followed_and_kept_in_both_sources() {
    let dns = server().await;
    let file = zone_file();
    for source in [dns.source().as_ref(), &file as &dyn DnsSource] {
        let answer = source.lookup("alias.example.test", RecordKind::A).await;
        assert_eq!(answer.cname_chain, ["found.example.test"], "{}", source.describe());
        assert_eq!(answer.state.label(), "found");
    }
}

#[tokio::test]
async fn two_dmarc_records_are_both_kept() {
    let dns = server().await;
    let q = query("two.example.test", &[], &[]);
    let got = gather(dns.source().as_ref(), &q).await;
    assert_eq!(got.dmarc.records.len(), 2);
    assert_eq!(got.applies_from(), Some("example.test"), "several records count as none");
}

#[tokio::test]
async fn unrelated_txt_at_dmarc_is_kept_apart_from_dmarc_records() {
    let dns = server().await;
    let got = gather(dns.source().as_ref(), &query("other.example.test", &[], &[])).await;
    assert!(got.dmarc.records.is_empty());
    assert_eq!(got.dmarc.other_txt, ["hello world"]);
}

#[tokio::test]
async fn a_dmarc_cname_to_a_vendor_zone_keeps_its_chain() {
    let dns = server().await;
    let got = gather(dns.source().as_ref(), &query("vendor.example.test", &[], &[])).await;
    assert_eq!(got.dmarc.answer.cname_chain, ["dmarc.vendor.test"]);
    assert_eq!(got.dmarc.records, ["v=DMARC1; p=quarantine; rua=mailto:r@vendor.test"]);
    assert_eq!(got.dmarc.answer.ttl(), Some(600));
    assert!(got.inherited.is_none());
}

#[tokio::test]
async fn servfail_is_a_server_error_and_nothing_is_inherited() {
    let dns = server().await;
    let got = gather(dns.source().as_ref(), &query("servfail.example.test", &[], &[])).await;
    assert_eq!(got.dmarc.answer.state, LookupState::ServerError("SERVFAIL".to_owned()));
    assert!(got.inherited.is_none());
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_timeout_never_missing() {
    let dns = server().await;
    let started = Instant::now();
    let got =
        gather(dns.source().as_ref(), &query("never-answers.example.test", &["s1"], &[])).await;
    assert_eq!(got.dmarc.answer.state, LookupState::Timeout);
    assert_eq!(got.dkim[0].status(), DkimStatus::Unknown);
    assert!(got.inherited.is_none(), "a timeout must not be read as 'no record'");
    assert!(started.elapsed() < Duration::from_secs(2), "bounded by the 300 ms timeout");
}

#[tokio::test]
async fn a_domain_without_a_record_inherits_by_tree_walk_and_by_psl() {
    let dns = server().await;
    let got = gather(dns.source().as_ref(), &query("sub.example.test", &[], &[])).await;
    assert_eq!(got.applies_from(), Some("example.test"));
    assert_eq!(got.applies_from_psl(), Some("example.test"));
    let inherited = got.inherited.expect("inherits");
    assert_eq!(inherited.domain_exists, Existence::Exists);
    assert_eq!(inherited.tree_walk.org_domain, "example.test");
    let owners: Vec<&str> = inherited.tree_walk.steps.iter().map(|s| s.owner.as_str()).collect();
    assert_eq!(owners, ["example.test", "test"]);
    assert!(inherited.tree_walk.is_certain());
}

#[tokio::test]
async fn the_tree_walk_stops_at_a_psd_n_record_and_psl_still_uses_the_registrable_domain() {
    let dns = server().await;
    let got = gather(dns.source().as_ref(), &query("x.y.org2.example.test", &[], &[])).await;
    let inherited = got.inherited.as_ref().expect("inherits");
    let owners: Vec<&str> = inherited.tree_walk.steps.iter().map(|s| s.owner.as_str()).collect();
    assert_eq!(owners, ["y.org2.example.test", "org2.example.test"]);
    assert_eq!(inherited.tree_walk.org_domain, "org2.example.test");
    assert_eq!(got.applies_from(), Some("org2.example.test"));
    assert_eq!(got.applies_from_psl(), Some("example.test"));
}

#[tokio::test]
async fn a_domain_that_does_not_exist_is_told_apart_for_np() {
    let dns = server().await;
    let got = gather(dns.source().as_ref(), &query("ghost.example.test", &[], &[])).await;
    assert_eq!(got.inherited.expect("inherits").domain_exists, Existence::DoesNotExist);
}

#[tokio::test]
async fn dkim_tells_a_dangling_cname_from_a_missing_selector() {
    let dns = server().await;
    let got =
        gather(dns.source().as_ref(), &query("found.example.test", &["s1", "s2", "s3"], &[])).await;
    let statuses: Vec<DkimStatus> = got.dkim.iter().map(DkimLookup::status).collect();
    assert_eq!(statuses, [DkimStatus::KeyFound, DkimStatus::KeyMissing, DkimStatus::NoSelector]);
    assert_eq!(got.dkim[1].key.cname_chain, ["s2.keys.example.test"]);
    assert_eq!(got.dkim[0].key.txt(), ["v=DKIM1; k=rsa; p=MIIB"]);
}

#[tokio::test]
async fn report_authorization_is_found_exact_or_by_wildcard() {
    let dns = server().await;
    let hosts = ["reports.test", "wild.test", "vendor.test"];
    let got = gather(dns.source().as_ref(), &query("example.test", &[], &hosts)).await;
    let authorized: Vec<Option<bool>> = got.reports.iter().map(ReportAuth::authorized).collect();
    assert_eq!(authorized, [Some(true), Some(true), Some(false)]);
    assert!(got.reports[0].wildcard.is_none(), "exact record found, wildcard not asked");
}

#[tokio::test]
async fn apex_txt_gives_spf_apart_from_other_txt() {
    let dns = server().await;
    let got = gather(dns.source().as_ref(), &query("example.test", &[], &[])).await;
    assert!(got.apex_txt.txt().contains(&"v=spf1 -all".to_owned()));
    assert_eq!(got.apex_txt.txt().len(), 2);
    assert_eq!(got.mx.records().len(), 1);
}

#[tokio::test]
async fn a_large_txt_set_is_fetched_over_tcp() {
    let lines: Vec<String> =
        (0..30).map(|i| format!("_dmarc TXT \"{i:02}{}\"\n", "x".repeat(200))).collect();
    let body = lines.concat();
    let zone = zone_text("big.test", &body);
    let dns = TestDns::start(&[&zone]).await;
    let answer = dns.source().lookup("_dmarc.big.test", RecordKind::Txt).await;
    assert_eq!(answer.txt().len(), 30, "state {:?}", answer.state);
}

#[tokio::test]
async fn gathering_fifty_domains_at_once_yields_every_one() {
    let lines: Vec<String> = (0..50)
        .map(|i| {
            format!("d{i} MX 10 mx\n_dmarc.d{i} TXT \"v=DMARC1; p=none; rua=mailto:{i}@x.test\"\n")
        })
        .collect();
    let zone = zone_text("many.test", &lines.concat());
    let dns = TestDns::start(&[&zone]).await;
    let queries: Vec<DomainQuery> =
        (0..50).map(|i| query(&format!("d{i}.many.test"), &[], &[])).collect();
    let source = dns.source();
    let results: Vec<_> = futures::stream::iter(&queries)
        .map(|q| gather(source.as_ref(), q))
        .buffer_unordered(8)
        .collect()
        .await;
    let mut domains: Vec<String> = results.iter().map(|r| r.domain.clone()).collect();
    domains.sort();
    domains.dedup();
    assert_eq!(domains.len(), 50);
    assert!(results.iter().all(|r| r.dmarc.records.len() == 1 && r.mx.records().len() == 1));
    let json = serde_json::to_string(&results[0]).expect("serializes");
    assert!(json.contains("\"dmarc\"") && json.contains("v=DMARC1; p=none"), "{json}");
}

#[tokio::test]
async fn authoritative_servers_that_disagree_are_both_kept() {
    let old = TestDns::start(&[VENDOR]).await;
    let new_zone = VENDOR.replace("p=quarantine", "p=reject");
    let new = TestDns::start(&[&new_zone]).await;
    let options = DnsOptions { target: Target::Authoritative, ..old.options() };
    let source =
        AuthoritativeSource::from_servers(&[old.addr, new.addr], &options).expect("source");
    let answer = source.lookup("dmarc.vendor.test", RecordKind::Txt).await;
    assert!(answer.is_propagating());
    assert_eq!(answer.disagreeing.len(), 1);
    assert_ne!(answer.txt(), answer.disagreeing[0].txt());
    let same = source.lookup("ns1.vendor.test", RecordKind::A).await;
    assert!(!same.is_propagating());
}

#[tokio::test]
async fn the_authoritative_source_finds_the_ns_set_by_walking_up() {
    let dns = server().await;
    let bootstrap = ResolverSource::nameservers(&[dns.addr], &dns.options()).expect("resolver");
    let source = AuthoritativeSource::discover(bootstrap, dns.addr.port(), &dns.options());
    let answer = source.lookup("_dmarc.found.example.test", RecordKind::Txt).await;
    assert_eq!(answer.txt(), ["v=DMARC1; p=reject"]);
    assert_eq!(answer.server, format!("127.0.0.1:{}", dns.addr.port()));
}

/// RFC 4592 §2.2.1: a name matched by a wildcard exists, so a missing type is NODATA.
/// hickory-server 0.26 answers NXDOMAIN here, so this case is not in the shared table.
#[tokio::test]
async fn the_zone_file_source_answers_nodata_for_a_missing_type_under_a_wildcard() {
    let answer = zone_file().lookup("x.wild.example.test", Mx).await;
    assert_eq!(answer.state, LookupState::NoData);
}

#[tokio::test]
async fn the_authoritative_source_keeps_the_chain_of_a_dangling_cname() {
    let dns = server().await;
    let bootstrap = ResolverSource::nameservers(&[dns.addr], &dns.options()).expect("resolver");
    let source = AuthoritativeSource::discover(bootstrap, dns.addr.port(), &dns.options());
    let answer = source.lookup("s2._domainkey.found.example.test", Txt).await;
    assert_eq!(answer.state, LookupState::NxDomain);
    assert_eq!(answer.cname_chain, ["s2.keys.example.test"]);
    let vendor = source.lookup("_dmarc.vendor.example.test", Txt).await;
    assert_eq!(vendor.cname_chain, ["dmarc.vendor.test"]);
    assert_eq!(vendor.ttl(), Some(600));
}

#[tokio::test]
async fn the_zone_file_source_says_a_name_outside_its_zone_is_unknown() {
    let answer = zone_file().lookup("_dmarc.vendor.test", RecordKind::Txt).await;
    assert_eq!(answer.state, LookupState::OutsideZone);
    assert!(answer.state.is_failure(), "unknown, never 'missing'");
}

#[tokio::test]
async fn non_utf8_txt_is_shown_lossily_without_panicking() {
    let zone = "$ORIGIN bytes.test.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 60\n";
    let name = Name::from_ascii("_dmarc.bytes.test.").expect("name");
    let txt = TXT::from_bytes(vec![b"v=DMARC1; p=none".as_slice(), &[0xff, b'!']]);
    let dns =
        TestDns::start_with(&[zone], vec![Record::from_rdata(name, 300, RData::TXT(txt))]).await;
    let answer = dns.source().lookup("_dmarc.bytes.test", RecordKind::Txt).await;
    assert_eq!(answer.txt(), ["v=DMARC1; p=none\u{fffd}!"]);
}

#[tokio::test]
async fn connect_builds_each_source_from_options() {
    let dns = server().await;
    let pinned = dmarc_rollout::dns::connect(&dns.options()).expect("nameservers");
    assert_eq!(pinned.describe(), dns.addr.to_string());
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("example.test.zone");
    std::fs::write(&path, EXAMPLE).expect("write zone");
    let options = DnsOptions { target: Target::ZoneFile(path), ..dns.options() };
    let file = dmarc_rollout::dns::connect(&options).expect("zone file");
    let answer = file.lookup("_dmarc.found.example.test", RecordKind::Txt).await;
    assert_eq!(answer.ttl(), Some(1800));
    let missing = DnsOptions { target: Target::Nameservers(vec![]), ..dns.options() };
    assert!(dmarc_rollout::dns::connect(&missing).is_err());
    let _: Arc<dyn DnsSource> = pinned;
}

fn query(domain: &str, selectors: &[&str], hosts: &[&str]) -> DomainQuery {
    DomainQuery {
        domain: domain.to_owned(),
        dkim_selectors: selectors.iter().map(|s| (*s).to_owned()).collect(),
        report_hosts: hosts.iter().map(|h| (*h).to_owned()).collect(),
    }
}

#[tokio::test]
async fn printable_decimal_escapes_in_a_zone_file_read_as_their_characters() {
    let text = zone_text(
        "esc.test",
        "_dmarc TXT \"v=DMARC1\\059 p=none\\059 rua=mailto:a@esc.test\" ; a comment with \\059 and \"\n",
    );
    let file = ZoneFileSource::from_text(&text, None, Path::new("esc.zone")).expect("zone parses");
    let answer = file.lookup("_dmarc.esc.test", Txt).await;
    assert_eq!(answer.txt(), ["v=DMARC1; p=none; rua=mailto:a@esc.test"]);
}

#[tokio::test]
async fn a_selector_cname_to_a_hostile_name_that_does_not_exist_is_dangling() {
    let hostile: &[&[u8]] = &[b"\x1b]52;c;eA==\x07", b"\xff\x7f", b"gone", b"dangle", b"test"];
    let target = Name::from_labels(hostile.to_vec()).expect("binary labels");
    let owner = Name::from_ascii("s1._domainkey.dangle.test.").expect("name");
    let cname = Record::from_rdata(owner, 300, RData::CNAME(CNAME(target)));
    let dns = TestDns::start_with(&[&zone_text("dangle.test", "@ MX 10 mx\n")], vec![cname]).await;
    let got = gather(dns.source().as_ref(), &query("dangle.test", &["s1"], &[])).await;
    let key = &got.dkim[0].key;
    assert_eq!(key.state, LookupState::NxDomain, "chain {:?}", key.cname_chain);
    assert_eq!(got.dkim[0].status(), DkimStatus::KeyMissing);
}

/// A plan of `domains` domains under many.test, each publishing its first phase and an SPF
/// record that includes one record they all share.
fn many_domains(domains: usize) -> (String, String) {
    let mut zone = String::from("spf TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n");
    let mut plan = String::from(
        "[defaults]\nrua = \"mailto:dmarc@many.test\"\n\n\
         [[phase]]\nname = \"monitor\"\np = \"none\"\nsoak_days = 14\n",
    );
    for i in 0..domains {
        let _ = writeln!(zone, "d{i} TXT \"v=spf1 include:spf.many.test -all\"");
        let _ = writeln!(zone, "_dmarc.d{i} TXT \"v=DMARC1; p=none; rua=mailto:dmarc@many.test\"");
        let _ = write!(plan, "\n[[domain]]\nname = \"d{i}.many.test\"\n");
    }
    (zone_text("many.test", &zone), plan)
}

/// What the CLI does with a large plan on a machine of several cores: threads of their own
/// runtime and sockets, sharing one limit and one answer per question.
#[test]
fn three_lookup_threads_stand_every_domain_in_plan_order_asking_each_question_once() {
    let (zone, text) = many_domains(300);
    let server_runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dns = server_runtime.block_on(TestDns::start(&[&zone]));
    let plan = dmarc_rollout::plan::load("many.toml", &text).expect("plan loads");
    let domains: Vec<&dmarc_rollout::plan::Domain> = plan.domains.iter().collect();
    let options = dns.options();
    let source = Arc::new(Paced::new(connect(&options).expect("source"), 64));
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
    let deadline = Some(Duration::from_secs(20));
    let standings =
        assess_on_threads(3, &source, || connect(&options), &domains, today, None, deadline)
            .expect("assessed");
    let names: Vec<&str> = standings.iter().map(|s| s.name.as_str()).collect();
    let planned: Vec<&str> = domains.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, planned);
    let unanswered: Vec<&str> =
        standings.iter().filter(|s| s.phase() != Some(1)).map(|s| s.name.as_str()).collect();
    assert!(unanswered.is_empty(), "{unanswered:?}");
    let distinct = u64::try_from(dns.traffic.distinct_questions()).expect("a count");
    assert_eq!(dns.traffic.queries(), distinct);
    assert!(distinct > 600, "{distinct} questions: the threads' lookups were not all asked");
}
