//! Sender readiness against a real authoritative server on 127.0.0.1: one zone per case (SPF
//! lookup chains of 10 and 11, void lookups, two records, `+all`, dangling, revoked and weak
//! DKIM keys, both Microsoft 365 CNAME forms, an unauthorized report address), then the gate
//! through the binary (`next` exit 7, `--force`, `check`, `status --json`).

mod support;

use std::fmt::Write as _;

use assert_cmd::Command;
use dmarc_rollout::advice::{self, Inputs, LiveDmarc, Verdict};
use dmarc_rollout::dns::{DomainQuery, gather, gather_readiness};
use dmarc_rollout::plan::{Domain, Plan, load};
use dmarc_rollout::readiness::{self, KeyState, Readiness, report_destinations};
use dmarc_rollout::record::Severity;
use dmarc_rollout::record::dkim::M365Form;
use dmarc_rollout::record::render::render;
use support::dns_server::{TestDns, zone_text};
use support::keys::{RSA_1024, RSA_2048, dkim_txt as key_txt};

/// A zone for `origin` that receives mail (the plan's rua goes to `dmarc@origin`), plus `body`.
fn zone(origin: &str, body: &str) -> String {
    zone_text(origin, &format!("@ MX 10 mx\nmx A 127.0.0.1\n{body}"))
}

/// A plan for `domain`: p=none, then p=reject, reports to `rua`, then `senders` (TOML).
fn plan_text(domain: &str, rua: &str, senders: &str) -> String {
    format!(
        "[defaults]\nrua = [\"{rua}\"]\n\n[[phase]]\nname = \"monitor\"\np = \"none\"\n\n\
         [[phase]]\nname = \"reject\"\np = \"reject\"\n\n[[domain]]\nname = \"{domain}\"\n{senders}"
    )
}

fn plan(text: &str) -> Plan {
    load("test.toml", text).unwrap_or_else(|e| panic!("{e:?}"))
}

/// What the CLI would ask for the domain.
fn query(d: &Domain) -> DomainQuery {
    let selectors = d.senders.iter().flat_map(|s| s.dkim.iter().map(|k| k.name.clone()));
    let hosts = report_destinations(d).into_iter().filter(|r| r.external).map(|r| r.host);
    DomainQuery {
        domain: d.name.to_string(),
        dkim_selectors: selectors.collect(),
        report_hosts: hosts.collect(),
    }
}

/// Serves `zones`, gathers `domain`'s answers and judges its readiness under `plan`.
async fn judge(zones: &[String], plan: &Plan) -> Readiness {
    let server = TestDns::start(&zones.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let source = server.source();
    let d = &plan.domains[0];
    let dns = gather(source.as_ref(), &query(d)).await;
    let mut mailboxes: Vec<String> = report_destinations(d).into_iter().map(|r| r.host).collect();
    mailboxes.dedup();
    let extra = gather_readiness(source.as_ref(), &dns, &mailboxes).await;
    readiness::assess(d, &dns, &extra)
}

/// Ids of the findings of one severity.
fn ids(r: &Readiness, severity: Severity) -> Vec<&'static str> {
    r.findings().filter(|f| f.severity == severity).map(|f| f.id).collect()
}

/// `v=spf1 include:i1 -all`, and `i<k>` includes `i<k+1>` up to `i<n>`: `n` lookups in all.
fn include_chain(origin: &str, n: usize) -> String {
    let mut body = format!("@ TXT \"v=spf1 include:i1.{origin} -all\"\n");
    for k in 1..n {
        writeln!(body, "i{k} TXT \"v=spf1 include:i{}.{origin} -all\"", k + 1).expect("write");
    }
    writeln!(body, "i{n} TXT \"v=spf1 ip4:192.0.2.1 -all\"").expect("write");
    zone(origin, &body)
}

#[tokio::test]
async fn a_chain_of_ten_lookups_passes_and_eleven_is_an_error_with_the_tree_shown() {
    for (n, ok) in [(10, true), (11, false)] {
        let origin = format!("chain{n}.test");
        let r = judge(
            &[include_chain(&origin, n)],
            &plan(&plan_text(&origin, &format!("mailto:dmarc@{origin}"), "")),
        )
        .await;
        assert_eq!(r.spf.lookups, u32::try_from(n).expect("small"), "{origin}");
        assert_eq!(r.spf.ok, ok, "{origin}: {:?}", r.spf.findings);
        assert_eq!(r.spf.tree.len(), n + 1, "the root and one line per include");
        assert!(r.spf.tree[n].trim_start().starts_with(&format!("include:i{n}.{origin}")));
        let errors = ids(&r, Severity::Error);
        assert_eq!(errors, if ok { vec![] } else { vec!["spf.too_many_lookups"] }, "{origin}");
    }
}

#[tokio::test]
async fn three_void_lookups_are_an_error() {
    let body = "@ TXT \"v=spf1 a:gone1.void.test a:gone2.void.test mx:gone3.void.test -all\"\n";
    let p = plan(&plan_text("void.test", "mailto:dmarc@void.test", ""));
    let r = judge(&[zone("void.test", body)], &p).await;
    assert_eq!((r.spf.lookups, r.spf.void_lookups), (3, 3));
    assert_eq!(ids(&r, Severity::Error), ["spf.too_many_void_lookups"]);
}

#[tokio::test]
async fn the_apex_spf_set_is_judged_case_by_case() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, &[&str])] = &[
        ("two.test", "@ TXT \"v=spf1 -all\"\n@ TXT \"v=spf1 ~all\"\n", &["spf.multiple_records"]),
        ("passall.test", "@ TXT \"v=spf1 +all\"\n", &["spf.pass_all"]),
        ("loop.test", "@ TXT \"v=spf1 include:a.loop.test -all\"\na TXT \"v=spf1 include:loop.test -all\"\n",
            &["spf.loop"]),
        ("dangling-include.test", "@ TXT \"v=spf1 include:gone.dangling-include.test -all\"\n",
            &["spf.include_without_spf"]),
        ("fine.test", "@ TXT \"v=spf1 mx -all\"\n", &[]),
    ];
    for (origin, body, want) in cases {
        let p = plan(&plan_text(origin, &format!("mailto:dmarc@{origin}"), ""));
        let r = judge(&[zone(origin, body)], &p).await;
        assert_eq!(ids(&r, Severity::Error), *want, "{origin}: {:?}", r.spf.findings);
        assert_eq!(r.spf.ok, want.is_empty(), "{origin}");
    }
}

#[tokio::test]
async fn a_sender_include_missing_from_spf_blocks_only_when_the_sender_has_no_dkim() {
    let body = format!(
        "@ TXT \"v=spf1 include:_spf.vendor.test -all\"\ns1._domainkey TXT {}\n",
        key_txt("", RSA_2048)
    );
    let vendor = zone("vendor.test", "_spf TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n");
    let senders = "[[domain.sender]]\nname = \"Mailer\"\nspf_include = \"mailer.test\"\n\
                   [[domain.sender]]\nname = \"Signed\"\nspf_include = \"other.test\"\ndkim = [\"s1\"]\n";
    let p = plan(&plan_text("inc.test", "mailto:dmarc@inc.test", senders));
    let r = judge(&[zone("inc.test", &body), vendor], &p).await;
    assert_eq!(ids(&r, Severity::Error), ["spf.missing_include"]);
    assert_eq!(ids(&r, Severity::Warning), ["spf.missing_include"]);
    assert!(r.spf.findings[0].message.contains("'Mailer'"), "{:?}", r.spf.findings);
}

/// One selector `s1` per case: (zone body, state, key bits, error ids, warning ids).
type KeyCase = (String, KeyState, Option<u32>, &'static [&'static str], &'static [&'static str]);

#[tokio::test]
async fn each_dkim_selector_gets_a_state_from_its_chain_and_key() {
    let cases: Vec<KeyCase> = vec![
        (format!("s1._domainkey TXT {}", key_txt("k=rsa; ", RSA_2048)), KeyState::Ok, Some(2048), &[], &[]),
        (format!("s1._domainkey TXT {}", key_txt("", RSA_1024)), KeyState::Weak, Some(1024), &[], &["dkim.weak_key"]),
        ("s1._domainkey TXT \"v=DKIM1; k=rsa; p=\"".into(), KeyState::Revoked, None, &["dkim.revoked"], &[]),
        ("s1._domainkey CNAME gone.keys.test.".into(), KeyState::Dangling, None, &["dkim.dangling_cname"], &[]),
        ("other TXT \"x\"".into(), KeyState::Missing, None, &["dkim.selector_missing"], &[]),
        (format!("s1._domainkey TXT {}", key_txt("t=y; ", RSA_2048)), KeyState::Ok, Some(2048), &[], &["dkim.testing"]),
        ("s1._domainkey TXT \"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"".into(),
            KeyState::Ok, Some(256), &[], &[]),
    ];
    let senders = "[[domain.sender]]\nname = \"Own\"\ndkim = [\"s1\"]\n";
    let p = plan(&plan_text("keys.test", "mailto:dmarc@keys.test", senders));
    for (body, state, bits, errors, warnings) in cases {
        let body = format!("@ TXT \"v=spf1 -all\"\n{body}\n");
        let r = judge(&[zone("keys.test", &body)], &p).await;
        let s1 = &r.dkim.selectors["s1"];
        assert_eq!((s1.state, s1.key_bits), (state, bits), "{body}");
        assert_eq!(ids(&r, Severity::Error), errors, "{body}");
        assert_eq!(ids(&r, Severity::Warning), warnings, "{body}");
        assert_eq!(r.dkim.ok, errors.is_empty(), "{body}");
    }
}

const M365_PLAN: &str = "[[domain.sender]]\nname = \"Exchange Online\"\n\
    spf_include = \"spf.protection.outlook.com\"\n\
    dkim.selector1 = \"selector1-m365-test._domainkey.contoso.onmicrosoft.com\"\n\
    dkim.selector2 = \"selector2-m365-test._domainkey.contoso.n-v1.dkim.mail.microsoft\"\n";

fn m365_zones(selector2_target: &str) -> Vec<String> {
    let body = format!(
        "@ TXT \"v=spf1 include:spf.protection.outlook.com -all\"\n\
         selector1._domainkey CNAME selector1-m365-test._domainkey.contoso.onmicrosoft.com.\n\
         selector2._domainkey CNAME {selector2_target}.\n"
    );
    let key = key_txt("k=rsa; ", RSA_2048);
    vec![
        zone("m365.test", &body),
        zone("onmicrosoft.com", &format!("selector1-m365-test._domainkey.contoso TXT {key}\n")),
        zone(
            "dkim.mail.microsoft",
            &format!("selector2-m365-test._domainkey.contoso.n-v1 TXT {key}\n"),
        ),
        zone("outlook.com", "spf.protection TXT \"v=spf1 ip4:40.92.0.0/15 -all\"\n"),
    ]
}

#[tokio::test]
async fn both_microsoft_cname_forms_resolve_and_match_the_plan() {
    let p = plan(&plan_text("m365.test", "mailto:dmarc@m365.test", M365_PLAN));
    let target = "selector2-m365-test._domainkey.contoso.n-v1.dkim.mail.microsoft";
    let r = judge(&m365_zones(target), &p).await;
    assert!(r.is_ready(), "{:?}", r.blocks());
    assert_eq!(r.findings().count(), 0, "{:?}", r.findings().collect::<Vec<_>>());
    let forms: Vec<_> = r.dkim.selectors.values().map(|s| (s.state, s.m365)).collect();
    assert_eq!(
        forms,
        [(KeyState::Ok, Some(M365Form::Legacy)), (KeyState::Ok, Some(M365Form::Modern))]
    );
    assert_eq!(r.spf.lookups, 1);
}

#[tokio::test]
async fn a_microsoft_selector_pointing_elsewhere_than_the_plan_says_is_a_warning() {
    let p = plan(&plan_text("m365.test", "mailto:dmarc@m365.test", M365_PLAN));
    let r = judge(&m365_zones("selector1-m365-test._domainkey.contoso.onmicrosoft.com"), &p).await;
    assert!(r.is_ready(), "{:?}", r.blocks());
    assert_eq!(ids(&r, Severity::Warning), ["dkim.cname_mismatch"]);
    assert!(r.dkim.findings[0].message.starts_with("selector2: "));
}

#[tokio::test]
async fn a_missing_microsoft_selector_says_publish_it_and_not_also_that_it_is_no_cname() {
    let p = plan(&plan_text("m365.test", "mailto:dmarc@m365.test", M365_PLAN));
    let body = "@ TXT \"v=spf1 include:spf.protection.outlook.com -all\"\n";
    let outlook = zone("outlook.com", "spf.protection TXT \"v=spf1 ip4:40.92.0.0/15 -all\"\n");
    let r = judge(&[zone("m365.test", body), outlook], &p).await;
    assert_eq!(ids(&r, Severity::Error), ["dkim.selector_missing", "dkim.selector_missing"]);
    assert!(
        ids(&r, Severity::Warning).iter().all(|id| *id != "dkim.cname_mismatch"),
        "{:?}",
        r.dkim.findings
    );
}

#[tokio::test]
async fn an_external_rua_needs_its_authorization_record_and_a_wildcard_counts() {
    let reports = zone("reports.test", "");
    let wild = zone("wild.test", "*._report._dmarc TXT \"v=DMARC1\"\n");
    let own = zone("rua.test", "@ TXT \"v=spf1 -all\"\n");
    let zones = [own, reports, wild];
    let p = plan(&plan_text("rua.test", "mailto:d@reports.test", ""));
    let r = judge(&zones, &p).await;
    assert_eq!(ids(&r, Severity::Error), ["reports.unauthorized"]);
    assert!(r.reports.findings[0].message.contains("rua.test._report._dmarc.reports.test"));
    let p = plan(&plan_text("rua.test", "mailto:d@wild.test", ""));
    let r = judge(&zones, &p).await;
    assert!(r.reports.ok, "{:?}", r.reports.findings);
}

#[tokio::test]
async fn a_report_mailbox_domain_without_mx_or_address_is_an_error() {
    let own = zone_text("nomx.test", "@ TXT \"v=spf1 -all\"\n");
    let p = plan(&plan_text("nomx.test", "mailto:dmarc@nomx.test", ""));
    let r = judge(std::slice::from_ref(&own), &p).await;
    assert_eq!(ids(&r, Severity::Error), ["reports.no_mailbox"]);
    let with_a = format!("{own}@ A 127.0.0.1\n");
    let r = judge(&[with_a], &p).await;
    assert!(r.reports.ok);
    assert_eq!(r.reports.findings[0].id, "reports.implicit_mx");
}

#[tokio::test]
async fn an_spf_lookup_that_times_out_is_an_error_never_missing() {
    let p = plan(&plan_text("never-answers.test", "mailto:d@never-answers.test", ""));
    let r = judge(&[zone("never-answers.test", "")], &p).await;
    assert!(ids(&r, Severity::Error).contains(&"spf.lookup_failed"));
    assert!(!ids(&r, Severity::Warning).contains(&"spf.no_record"));
}

#[tokio::test]
async fn only_enforcing_phases_are_gated_and_reject_warns_about_spf_only_senders() {
    let body = "@ TXT \"v=spf1 +all\"\n";
    let senders = "[[domain.sender]]\nname = \"Mailer\"\n";
    let p = plan(&plan_text("gate.test", "mailto:dmarc@gate.test", senders));
    let r = judge(&[zone("gate.test", body)], &p).await;
    let d = &p.domains[0];
    let decide = |live: LiveDmarc| {
        let inputs =
            Inputs { domain: d, live: &live, readiness: Some(&r), reports: None, today: day() };
        advice::decide(&inputs)
    };
    let none = decide(LiveDmarc::Absent { rfc7489: None, rfc9989: None });
    assert_eq!(none.verdict, Verdict::Ready, "p=none changes no delivery: {none:?}");
    assert!(none.why.is_empty() && none.warnings.is_empty());
    let reject = decide(LiveDmarc::One(render(&d.phases[0].record)));
    let blocking: Vec<&str> = reject.why.iter().map(|b| b.id).collect();
    assert_eq!(blocking, ["spf.pass_all"]);
    assert_eq!(reject.verdict, Verdict::Blocked);
    let warnings: Vec<&str> = reject.warnings.iter().map(|f| f.id).collect();
    assert_eq!(warnings, ["readiness.spf_only_sender"]);
}

fn day() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("a valid date")
}

// The binary end to end: the server runs on the test's runtime while the binary, pinned to it
// with --nameserver, runs on a blocking thread.

fn write_plan(dir: &tempfile::TempDir, text: &str) -> std::path::PathBuf {
    let path = dir.path().join("plan.toml");
    std::fs::write(&path, text).expect("plan written");
    path
}

async fn run(server: &TestDns, args: &[&str], plan: &std::path::Path) -> std::process::Output {
    let mut cmd = Command::cargo_bin("dmarc-rollout").expect("binary built");
    cmd.args(args)
        .arg(plan)
        .args(["--nameserver", &server.addr.to_string(), "--timeout", "1"])
        .args(["--today", "2026-06-01"]);
    tokio::task::spawn_blocking(move || cmd.output().expect("runs")).await.expect("joins")
}

/// A domain live at phase 1 (p=none) whose next step, p=reject, has `spf_body` in its way.
async fn gated(spf_body: &str) -> (TestDns, tempfile::TempDir, std::path::PathBuf) {
    let body = format!(
        "_dmarc TXT \"v=DMARC1; p=none; rua=mailto:dmarc@cli.test\"\n{spf_body}\n\
         s1._domainkey TXT {}\n",
        key_txt("", RSA_2048)
    );
    let server = TestDns::start(&[&zone("cli.test", &body)]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let senders = "[[domain.sender]]\nname = \"Own\"\ndkim = [\"s1\"]\n";
    let path = write_plan(&dir, &plan_text("cli.test", "mailto:dmarc@cli.test", senders));
    (server, dir, path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_refuses_a_blocked_reject_step_with_exit_7_and_force_prints_it() {
    let (server, _dir, plan) = gated("@ TXT \"v=spf1 +all\"").await;
    let blocked = run(&server, &["next"], &plan).await;
    let stderr = String::from_utf8_lossy(&blocked.stderr);
    assert_eq!(blocked.status.code(), Some(7), "{stderr}");
    assert!(blocked.stdout.is_empty(), "a blocked step is not printed");
    assert!(stderr.contains("phase 2 (reject) blocked"), "{stderr}");
    assert!(stderr.contains("error spf.pass_all"), "{stderr}");
    let forced = run(&server, &["next", "--force"], &plan).await;
    assert_eq!(forced.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&forced.stdout),
        "v=DMARC1; p=reject; rua=mailto:dmarc@cli.test\n"
    );
    assert!(String::from_utf8_lossy(&forced.stderr).contains("printed anyway (--force)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_prints_a_ready_reject_step_and_check_passes() {
    let (server, _dir, plan) = gated("@ TXT \"v=spf1 mx -all\"").await;
    let next = run(&server, &["next"], &plan).await;
    assert_eq!(next.status.code(), Some(0), "{}", String::from_utf8_lossy(&next.stderr));
    assert_eq!(
        String::from_utf8_lossy(&next.stdout),
        "v=DMARC1; p=reject; rua=mailto:dmarc@cli.test\n"
    );
    let check = run(&server, &["check"], &plan).await;
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_counts_readiness_errors_as_error_findings() {
    let (server, _dir, plan) = gated("@ TXT \"v=spf1 +all\"").await;
    let check = run(&server, &["check"], &plan).await;
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cli.test: spf.pass_all:"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_shows_readiness_in_the_table_and_in_json() {
    let (server, _dir, plan) = gated(
        "@ TXT \"v=spf1 include:_spf.cli.test -all\"\n_spf TXT \"v=spf1 ip4:192.0.2.1 -all\"",
    )
    .await;
    let table = run(&server, &["status"], &plan).await;
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains(
            "readiness ready: SPF ok (1/10 lookups, 0/2 void); DKIM ok (s1 ok 2048); reports ok"
        ),
        "{text}"
    );
    let json = run(&server, &["status", "--json"], &plan).await;
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let r = &value["domains"][0]["readiness"];
    assert_eq!(r["spf"]["ok"], true);
    assert_eq!(r["spf"]["lookups"], 1);
    assert_eq!(r["spf"]["void_lookups"], 0);
    assert_eq!(r["dkim"]["s1"]["state"], "ok");
    assert_eq!(r["dkim"]["s1"]["key_bits"], 2048);
    assert_eq!(r["reports"]["findings"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_domain_is_left_out_of_a_multi_domain_list_and_the_rest_keep_their_names() {
    let live = |origin: &str, spf: &str| {
        zone(origin, &format!("_dmarc TXT \"v=DMARC1; p=none; rua=mailto:d@{origin}\"\n{spf}\n"))
    };
    let zones = [
        live("ready.test", "@ TXT \"v=spf1 mx -all\""),
        live("held.test", "@ TXT \"v=spf1 +all\""),
    ];
    let server = TestDns::start(&zones.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "[[phase]]\nname = \"monitor\"\np = \"none\"\n[[phase]]\nname = \"reject\"\np = \"reject\"\n\
                [[domain]]\nname = \"ready.test\"\nrua = [\"mailto:d@ready.test\"]\n\
                [[domain]]\nname = \"held.test\"\nrua = [\"mailto:d@held.test\"]\n";
    let plan = write_plan(&dir, text);
    let next = run(&server, &["next"], &plan).await;
    let stderr = String::from_utf8_lossy(&next.stderr);
    assert_eq!(next.status.code(), Some(7), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&next.stdout),
        "ready.test\tv=DMARC1; p=reject; rua=mailto:d@ready.test\n"
    );
    assert!(stderr.contains("held.test: phase 2 (reject) blocked"), "{stderr}");
    assert!(!stderr.contains("ready.test: phase"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_table_shows_the_include_tree_when_the_lookups_are_over_the_limit() {
    let chain = include_chain("over.test", 11);
    let server = TestDns::start(&[&chain]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = write_plan(&dir, &plan_text("over.test", "mailto:dmarc@over.test", ""));
    let status = run(&server, &["status"], &plan).await;
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(
        text.contains("readiness NOT READY: SPF not ready (11/10 lookups, 0/2 void)"),
        "{text}"
    );
    assert!(text.contains("error spf.too_many_lookups"), "{text}");
    assert!(text.contains("\n      over.test  (1 + 10 below = 11 lookups)\n"), "{text}");
    let deepest = format!("\n{}include:i11.over.test  (0 lookups)\n", " ".repeat(6 + 2 * 11));
    assert!(text.contains(&deepest), "two spaces more per level: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_readiness_lookup_that_times_out_is_a_dns_failure_for_scripts() {
    // The include's zone is served, but its name never answers: readiness is unknown.
    let (server, _dir, plan) = gated("@ TXT \"v=spf1 include:never-answers.cli.test -all\"").await;
    let next = run(&server, &["next"], &plan).await;
    assert_eq!(next.status.code(), Some(5), "{}", String::from_utf8_lossy(&next.stderr));
    assert!(next.stdout.is_empty(), "an unknown readiness still holds the step");
    let check = run(&server, &["check"], &plan).await;
    assert_eq!(check.status.code(), Some(5), "{}", String::from_utf8_lossy(&check.stderr));
    let status = run(&server, &["status"], &plan).await;
    assert_eq!(status.status.code(), Some(5));
}
