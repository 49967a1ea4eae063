//! `status`, `check` and live `next` through the binary, against a real authoritative DNS
//! server on 127.0.0.1 and against the zone-file source reading the same zone.

mod support;

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;
use support::dns_server::{TestDns, zone_text};

const PHASE_1: &str = "v=DMARC1; p=none; rua=mailto:dmarc@rollout.test";
const PHASE_2: &str = "v=DMARC1; p=quarantine; rua=mailto:dmarc@rollout.test; pct=0; t=y";

fn zone() -> String {
    zone_text(
        "rollout.test",
        &format!(
            r#"
@                  MX  10 mx
mx                 A   127.0.0.1
_dmarc.live        TXT "v=DMARC1;P=Quarantine;  t=y; pct=0;rua=mailto:DMARC@rollout.test;adkim=r"
live               A   127.0.0.1
_dmarc.drift       TXT "v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@rollout.test"
drift              A   127.0.0.1
fresh              A   127.0.0.1
_dmarc.broken      TXT "{PHASE_1}"
_dmarc.broken      TXT "{PHASE_2}"
_dmarc.typo        TXT "v=DMARC1; p=rejct; rua=mailto:dmarc@rollout.test"
_dmarc.servfail    TXT "{PHASE_1}"
_dmarc.never-answers TXT "{PHASE_1}"
_dmarc.vendor      CNAME _dmarc.hosted
vendor             A   127.0.0.1
_dmarc.hosted      TXT "{PHASE_1}"
"#
        ),
    )
}

/// A plan for the given domains (all under rollout.test), phase 1 recorded on 2026-11-01.
fn plan(domains: &[&str]) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().expect("temp plan");
    let mut text = String::from(
        "[defaults]\nrua = \"mailto:dmarc@rollout.test\"\n\n\
         [[phase]]\nname = \"monitor\"\np = \"none\"\nsoak_days = 14\n\n\
         [[phase]]\nname = \"test quarantine\"\np = \"quarantine\"\npct = 0\nt = \"y\"\nsoak_days = 14\n\n\
         [[phase]]\nname = \"quarantine\"\np = \"quarantine\"\n",
    );
    for d in domains {
        text.push_str(&domain_entry(d));
    }
    file.write_all(text.as_bytes()).expect("write plan");
    file
}

fn domain_entry(name: &str) -> String {
    format!("\n[[domain]]\nname = \"{name}.rollout.test\"\n[domain.history]\n2 = 2026-11-01\n")
}

async fn run(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::cargo_bin("dmarc-rollout").expect("binary").args(args).output().expect("runs")
    })
    .await
    .expect("joined")
}

fn args(
    command: &str,
    plan: &tempfile::NamedTempFile,
    server: SocketAddr,
    extra: &[&str],
) -> Vec<String> {
    let mut v = vec![command.to_owned(), plan.path().display().to_string()];
    v.extend(["--nameserver".to_owned(), server.to_string(), "--timeout".into(), "1".into()]);
    v.extend(["--today".to_owned(), "2026-11-20".to_owned()]);
    v.extend(extra.iter().map(|s| (*s).to_owned()));
    v
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

fn domain<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["domains"]
        .as_array()
        .expect("domains")
        .iter()
        .find(|d| d["name"] == name)
        .expect("domain listed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_json_shows_each_domain_where_it_stands() {
    let dns = TestDns::start(&[&zone()]).await;
    let plan = plan(&["live", "drift", "fresh", "broken", "typo", "servfail", "never-answers"]);
    let output = run(args("status", &plan, dns.addr, &["--json"])).await;
    assert_eq!(output.status.code(), Some(5), "a lookup failed, so status says so");
    let json = json(&output);

    let live = domain(&json, "live.rollout.test");
    assert_eq!(live["dmarc"]["state"], "found");
    assert_eq!(live["dmarc"]["source"], "live.rollout.test");
    assert_eq!(live["dmarc"]["ttl"], 3600);
    assert_eq!(live["phase"], 2, "matched on meaning: case, order, spaces and explicit defaults");
    assert_eq!(live["position"]["phase"], 2, "counted from 1 like `phase` and the plan");
    assert_eq!(live["drift"], false);
    assert_eq!(live["next"]["host"], "_dmarc.live.rollout.test");
    assert_eq!(live["next"]["value"], "v=DMARC1; p=quarantine; rua=mailto:dmarc@rollout.test");
    assert_eq!(
        (live["due"].as_str(), live["due_in_days"].as_i64()),
        (Some("2026-11-15"), Some(-5))
    );

    let drift = domain(&json, "drift.rollout.test");
    assert_eq!((drift["drift"].as_bool(), drift["phase"].is_null()), (Some(true), true));
    let diff = drift["position"]["diff"].as_array().expect("diff");
    assert!(diff.iter().any(|d| d["tag"] == "pct" && d["live"] == "50"), "{diff:?}");

    let fresh = domain(&json, "fresh.rollout.test");
    assert_eq!(fresh["dmarc"]["state"], "nxdomain");
    assert_eq!(fresh["position"]["state"], "not_started");
    assert_eq!(fresh["next"]["phase"], 1);

    let broken = domain(&json, "broken.rollout.test");
    assert_eq!(broken["dmarc"]["records"].as_array().map(Vec::len), Some(2));
    assert_eq!(broken["position"]["state"], "broken");
    assert!(
        broken["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["id"] == "dmarc.multiple_records")
    );

    let typo = domain(&json, "typo.rollout.test");
    assert_eq!(typo["position"]["state"], "broken");
    assert!(
        typo["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["id"] == "dmarc.p_invalid" && f["severity"] == "error")
    );

    assert_eq!(domain(&json, "servfail.rollout.test")["dmarc"]["state"], "servfail");
    let silent = domain(&json, "never-answers.rollout.test");
    assert_eq!(silent["dmarc"]["state"], "timeout");
    assert_eq!(silent["position"]["state"], "unknown", "a timeout is never 'no record'");
    assert!(silent["next"].is_null(), "unknown live state: no step is advised");
    assert_eq!(silent["verdict"], "unknown");
    assert_eq!(live["verdict"], "ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_exits_with_the_code_of_the_worst_problem() {
    let dns = TestDns::start(&[&zone()]).await;
    for (domains, code) in [
        (vec!["live"], 6),
        (vec!["drift"], 4),
        (vec!["fresh"], 4),
        (vec!["typo", "drift"], 1),
        (vec!["live", "servfail"], 5),
        (vec!["never-answers"], 5),
    ] {
        let plan = plan(&domains);
        let output = run(args("check", &plan, dns.addr, &[])).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{domains:?}: {stderr}");
        assert!(output.stdout.is_empty());
        assert!(
            domains.iter().all(|d| stderr.contains(&format!("{d}.rollout.test: "))),
            "{stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_passes_when_every_live_record_is_a_phase_not_yet_due() {
    let dns = TestDns::start(&[&zone()]).await;
    let plan = plan(&["live"]);
    let mut argv = args("check", &plan, dns.addr, &[]);
    argv.iter_mut().filter(|a| a.as_str() == "2026-11-20").for_each(|a| *a = "2026-11-10".into());
    let output = run(argv).await;
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_starts_from_the_live_phase_and_offline_from_the_history() {
    let dns = TestDns::start(&[&zone()]).await;
    let plan = plan(&["fresh"]);
    let live = run(args("next", &plan, dns.addr, &[])).await;
    assert_eq!(
        String::from_utf8_lossy(&live.stdout),
        format!("{PHASE_1}\n"),
        "nothing live: phase 1"
    );
    let offline = run(args("next", &plan, dns.addr, &["--offline", "--force"])).await;
    assert_eq!(
        String::from_utf8_lossy(&offline.stdout),
        "v=DMARC1; p=quarantine; rua=mailto:dmarc@rollout.test\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_zone_file_source_gives_the_same_standing_as_the_server() {
    let dns = TestDns::start(&[&zone()]).await;
    let names = ["live", "drift", "fresh", "broken", "typo"];
    let plan = plan(&names);
    let mut zone_file = tempfile::Builder::new().suffix(".zone").tempfile().expect("zone file");
    zone_file.write_all(zone().as_bytes()).expect("write zone");
    let from_server = json(&run(args("status", &plan, dns.addr, &["--json"])).await);
    let zone_args = vec![
        "status".to_owned(),
        plan.path().display().to_string(),
        "--zone".into(),
        zone_file.path().display().to_string(),
        "--today".into(),
        "2026-11-20".into(),
        "--json".into(),
    ];
    let from_zone = json(&run(zone_args).await);
    for name in names {
        let (a, b) = (
            domain(&from_server, &format!("{name}.rollout.test")),
            domain(&from_zone, &format!("{name}.rollout.test")),
        );
        for field in ["position", "phase", "drift", "next", "findings"] {
            assert_eq!(a[field], b[field], "{name}: {field}");
        }
        assert_eq!(a["dmarc"]["state"], b["dmarc"]["state"], "{name}");
        assert_eq!(a["dmarc"]["records"], b["dmarc"]["records"], "{name}");
    }
}

#[test]
fn the_shipped_zone_shows_the_article_domain_in_phase_one() {
    let output = Command::cargo_bin("dmarc-rollout")
        .expect("binary")
        .args([
            "status",
            "plans/insight24.toml",
            "--zone",
            "plans/insight24.zone",
            "--today",
            "2026-11-29",
        ])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subdomain_without_a_record_shows_the_parents_sp_and_np() {
    let parent = zone_text(
        "parent.test",
        "_dmarc TXT \"v=DMARC1; p=reject; sp=quarantine; np=none; rua=mailto:d@parent.test\"\nexists A 127.0.0.1\n",
    );
    let dns = TestDns::start(&[&parent]).await;
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().expect("plan");
    file.write_all(b"[[phase]]\nname = \"a\"\np = \"none\"\n[[domain]]\nname = \"exists.parent.test\"\n[[domain]]\nname = \"ghost.parent.test\"\n").expect("write");
    let json = json(&run(args("status", &file, dns.addr, &["--json"])).await);
    let exists = domain(&json, "exists.parent.test");
    assert_eq!(
        (exists["dmarc"]["source"].as_str(), exists["dmarc"]["inherited"].as_bool()),
        (Some("parent.test"), Some(true))
    );
    assert_eq!(exists["dmarc"]["policy"], "quarantine");
    assert_eq!(
        domain(&json, "ghost.parent.test")["dmarc"]["policy"],
        "none",
        "np for a name that does not exist"
    );
}

#[test]
fn names_outside_the_zone_file_are_unverified_and_block_enforcement_until_forced() {
    let next = |force: &[&str]| {
        Command::cargo_bin("dmarc-rollout")
            .expect("binary")
            .args(["next", "plans/insight24.toml", "--zone", "plans/insight24.zone"])
            .args(["--today", "2026-12-01"])
            .args(force)
            .output()
            .expect("runs")
    };
    let output = next(&[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(7), "{stderr}");
    assert!(output.stdout.is_empty(), "not checked is not ready");
    assert!(
        stderr.contains("unverified dkim.unverified")
            && stderr.contains("unverified spf.unverified"),
        "{stderr}"
    );
    let forced = next(&["--force"]);
    assert_eq!(forced.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&forced.stdout).starts_with("v=DMARC1; p=quarantine;"));
}

#[test]
fn a_domain_outside_the_zone_file_is_unknown_and_its_readiness_unverified() {
    let output = Command::cargo_bin("dmarc-rollout")
        .expect("binary")
        .args(["status", "plans/msp-example.toml", "--zone", "plans/insight24.zone", "--json"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(5), "the live state is unknown");
    let json = json(&output);
    let d = domain(&json, "bakkerij-jansen.nl");
    assert_eq!(
        (d["dmarc"]["state"].as_str(), d["position"]["state"].as_str()),
        (Some("refused"), Some("unknown"))
    );
    let spf = d["readiness"]["spf"]["findings"].as_array().expect("findings");
    assert!(
        spf.iter().any(|f| f["id"] == "spf.unverified")
            && !spf.iter().any(|f| f["id"] == "spf.lookup_failed"),
        "{spf:?}"
    );
    let dkim = d["readiness"]["dkim"]["findings"].as_array().expect("findings");
    assert!(
        !dkim.iter().any(|f| f["id"] == "dkim.cname_mismatch"),
        "no answer is no 'not a CNAME': {dkim:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tree_walk_and_the_public_suffix_list_can_name_different_records() {
    let zone = zone_text(
        "gen.test",
        "_dmarc TXT \"v=DMARC1; p=none; rua=mailto:d@gen.test\"\n\
         _dmarc.b TXT \"v=DMARC1; p=reject; psd=n; rua=mailto:d@gen.test\"\na.b A 127.0.0.1\n",
    );
    let dns = TestDns::start(&[&zone]).await;
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().expect("plan");
    file.write_all(b"[[phase]]\nname = \"a\"\np = \"none\"\n[[domain]]\nname = \"a.b.gen.test\"\n")
        .expect("write");
    let json = json(&run(args("status", &file, dns.addr, &["--json"])).await);
    let d = domain(&json, "a.b.gen.test");
    assert_eq!(
        d["dmarc"]["source"], "b.gen.test",
        "RFC 9989: psd=n makes b.gen.test the org domain"
    );
    assert_eq!(d["dmarc"]["source_rfc7489"], "gen.test", "RFC 7489: the organizational domain");
    assert!(
        d["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["id"] == "dmarc.generations_disagree")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc_9989_inheritance_takes_the_organizational_domain_not_the_nearest_record() {
    let walk = zone_text(
        "walk.test",
        "_dmarc TXT \"v=DMARC1; p=quarantine; rua=mailto:d@walk.test\"\n\
         _dmarc.mid TXT \"v=DMARC1; p=none; rua=mailto:d@walk.test\"\n\
         x.mid A 127.0.0.1\n",
    );
    let dns = TestDns::start(&[&walk]).await;
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().expect("plan");
    file.write_all(
        b"[[phase]]\nname = \"a\"\np = \"none\"\n[[domain]]\nname = \"x.mid.walk.test\"\n",
    )
    .expect("write");
    let json = json(&run(args("status", &file, dns.addr, &["--json"])).await);
    let x = domain(&json, "x.mid.walk.test");
    assert_eq!(x["dmarc"]["source"], "walk.test", "the walk's Organizational Domain applies");
    assert_eq!(x["dmarc"]["policy"], "quarantine", "walk.test's sp (= p) for an existing name");
    let ids: Vec<&str> = x["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(!ids.contains(&"dmarc.generations_disagree"), "{ids:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_generations_policies_are_shown_where_they_differ() {
    let parent = zone_text(
        "gens.test",
        "_dmarc TXT \"v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:d@gens.test\"\n",
    );
    let dns = TestDns::start(&[&parent]).await;
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().expect("plan");
    file.write_all(
        b"[[phase]]\nname = \"a\"\np = \"none\"\n[[domain]]\nname = \"ghost.gens.test\"\n",
    )
    .expect("write");
    let json = json(&run(args("status", &file, dns.addr, &["--json"])).await);
    let ghost = domain(&json, "ghost.gens.test");
    assert_eq!(
        (ghost["dmarc"]["policy"].as_str(), ghost["dmarc"]["policy_rfc7489"].as_str()),
        (Some("reject"), Some("quarantine")),
        "a name that does not exist: np for RFC 9989, sp for RFC 7489"
    );
    let table = run(args("status", &file, dns.addr, &[])).await;
    let shown = String::from_utf8_lossy(&table.stdout);
    assert!(shown.contains("reject (RFC 7489: quarantine), inherited from gens.test"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_records_report_addresses_are_checked_for_authorization_too() {
    let own = zone_text(
        "live-rua.test",
        "@ MX 10 mx\nmx A 127.0.0.1\n@ TXT \"v=spf1 -all\"\n\
         _dmarc TXT \"v=DMARC1; p=none; rua=mailto:d@vendor.test\"\n",
    );
    let vendor = zone_text("vendor.test", "@ MX 10 mx\nmx A 127.0.0.1\n");
    let dns = TestDns::start(&[&own, &vendor]).await;
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().expect("plan");
    file.write_all(
        b"[defaults]\nrua = \"mailto:d@live-rua.test\"\n[[phase]]\nname = \"a\"\np = \"none\"\n\
          [[domain]]\nname = \"live-rua.test\"\n",
    )
    .expect("write");
    let json = json(&run(args("status", &file, dns.addr, &["--json"])).await);
    let findings = &domain(&json, "live-rua.test")["readiness"]["reports"]["findings"];
    let live = findings
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["id"] == "reports.live_unauthorized")
        .unwrap_or_else(|| panic!("{findings}"));
    assert!(live["message"].as_str().is_some_and(|m| m.contains("vendor.test")), "{live}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_ends_with_the_counts_over_every_domain_and_only_shows_the_marks_asked_for() {
    let dns = TestDns::start(&[&zone()]).await;
    let plan = plan(&["live", "drift", "servfail"]);
    let output = run(args("status", &plan, dns.addr, &[])).await;
    let table = String::from_utf8_lossy(&output.stdout).into_owned();
    let last = table.lines().last().expect("a summary line");
    assert!(last.starts_with("3 domains: "), "{table}");
    assert!(last.contains("1 unknown") && last.contains("1 drift"), "{last}");
    let output = run(args("status", &plan, dns.addr, &["--only", "unknown,drift"])).await;
    let only = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(5), "a lookup failed: still exit 5");
    let rows: Vec<&str> =
        only.lines().filter(|l| l.contains(".rollout.test") && !l.starts_with(' ')).collect();
    assert_eq!(rows.len(), 2, "{only}");
    assert!(!rows.iter().any(|r| r.starts_with("live.rollout.test")), "{only}");
    assert_eq!(only.lines().last(), Some(last), "the counts still cover every domain");
    let json = json(&run(args("status", &plan, dns.addr, &["--only", "drift", "--json"])).await);
    let names: Vec<&str> = json["domains"]
        .as_array()
        .expect("domains")
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert_eq!(names, ["drift.rollout.test"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_json_gives_one_object_per_problem_and_domain_picks_one() {
    let dns = TestDns::start(&[&zone()]).await;
    let plan = plan(&["typo", "drift"]);
    let output = run(args("check", &plan, dns.addr, &["--json"])).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
    let problems = json(&output)["problems"].as_array().expect("problems").clone();
    let drift = problems.iter().find(|p| p["domain"] == "drift.rollout.test").expect("drift");
    assert_eq!(drift["code"], 4);
    assert!(drift["message"].as_str().is_some_and(|m| m.starts_with("drift (")), "{drift}");
    assert!(
        problems.iter().any(|p| p["code"] == 1 && p["ids"][0] == "dmarc.p_invalid"),
        "{problems:?}"
    );
    let output = run(args("check", &plan, dns.addr, &["--domain", "drift.rollout.test"])).await;
    assert_eq!(output.status.code(), Some(4), "only the drifting domain");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("typo.rollout.test"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_domain_missing_from_dns_and_a_cname_at_dmarc_are_called_out() {
    let dns = TestDns::start(&[&zone()]).await;
    let plan = plan(&["nowhere", "vendor"]);
    let output = run(args("status", &plan, dns.addr, &["--json"])).await;
    let json = json(&output);
    let finding = |name: &str, id: &str| {
        domain(&json, name)["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("{name}: no {id} in {json}"))
            .clone()
    };
    let missing = finding("nowhere.rollout.test", "dns.domain_missing");
    assert_eq!(missing["severity"], "error");
    assert!(missing["message"].as_str().expect("text").contains("does not exist"), "{missing}");
    let delegated = finding("vendor.rollout.test", "dmarc.delegated");
    assert_eq!(delegated["severity"], "warning");
    assert!(delegated["message"].as_str().expect("text").contains("conflicts with the CNAME"));
    let exists = domain(&json, "vendor.rollout.test")["findings"].as_array().expect("findings");
    assert!(exists.iter().all(|f| f["id"] != "dns.domain_missing"), "vendor exists: {exists:?}");
}
