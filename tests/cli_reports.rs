//! `dmarc-rollout reports` through the binary: the public samples' totals in JSON, the domain
//! and date filters, the article's plan naming senders and showing what each phase would have
//! done, evidence gates, unreadable files on stderr, exit codes, and hostile report text.
#![allow(clippy::unwrap_used, reason = "in tests a panic is the failure report")]

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

const INSIGHT24: &str = "tests/fixtures/reports/insight24";

/// The public samples, as `tests/reports.rs` finds them.
fn samples() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/aggregate-reports"))
}

fn reports(args: &[&str]) -> Output {
    Command::cargo_bin("dmarc-rollout").unwrap().arg("reports").args(args).output().unwrap()
}

fn json(args: &[&str]) -> Value {
    let output = reports(&[args, &["--json"]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn domain<'v>(json: &'v Value, name: &str) -> &'v Value {
    json["domains"].as_array().unwrap().iter().find(|d| d["domain"] == name).unwrap()
}

fn names(json: &Value) -> Vec<&str> {
    json["domains"].as_array().unwrap().iter().map(|d| d["domain"].as_str().unwrap()).collect()
}

fn counts(d: &Value) -> [u64; 5] {
    ["reports", "messages", "dmarc_pass", "dkim_aligned_pass", "spf_aligned_pass"]
        .map(|f| d[f].as_u64().unwrap_or_else(|| panic!("{f} in {d}")))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_sample_folder_gives_its_readme_totals_in_json() {
    let samples = samples();
    let all = json(&[samples.to_str().unwrap()]);
    assert_eq!(
        names(&all),
        [
            "ab.id.au",
            "bix-business.com",
            "borschow.com",
            "example.com",
            "example.de",
            "foo-bar.io",
            "foobar.com",
            "foobar.de",
            "indemed.com",
            "mydomain.org",
            "myserver.com",
            "random.net",
            "random.org",
            "twlnet.com",
            "website.com",
        ]
    );
    // example.com: the README's rows for it, each report once (six files repeat a report).
    assert_eq!(counts(domain(&all, "example.com")), [15, 8523, 6227, 6223, 5282]);
    assert_eq!(counts(domain(&all, "random.net")), [1, 3, 3, 3, 3]);
    assert_eq!(counts(domain(&all, "mydomain.org")), [1, 1, 0, 0, 0]);
    let outlook = &domain(&all, "random.net")["sources"][0];
    assert_eq!(
        (&outlook["ip"], &outlook["messages"], &outlook["dmarc_pass"]),
        (&"1.2.3.4".into(), &3.into(), &3.into())
    );
    assert_eq!(all["files_read"], 36);
    let rejected = all["rejected_files"].as_array().unwrap();
    assert_eq!(rejected.len(), 1);
    assert!(rejected[0]["path"].as_str().unwrap().ends_with("parsedmarc/empty.xml"));
    assert_eq!(rejected[0]["reason"], "empty file");
    assert_eq!(all["recovered_files"].as_array().unwrap().len(), 3);
    assert_eq!(all["duplicate_reports"].as_array().unwrap().len(), 6);
}

#[test]
fn domain_picks_one_policy_domain_whatever_its_case() {
    let samples = samples();
    let one = json(&[samples.to_str().unwrap(), "--domain", "Foo-Bar.IO."]);
    assert_eq!(names(&one), ["foo-bar.io"]);
    assert_eq!(counts(&one["domains"][0]), [1, 1, 1, 1, 1]);
    let output = reports(&[samples.to_str().unwrap(), "--domain", "nosuch.example"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).ends_with("dmarc-rollout: no reports for 'nosuch.example' in the window\n")
    );
}

#[test]
fn since_and_until_keep_the_reports_of_those_days() {
    let both = json(&[INSIGHT24]);
    assert_eq!(counts(domain(&both, "insight24.nl")), [2, 1100, 1000, 900, 1000]);
    let second = json(&[INSIGHT24, "--since", "2026-11-21"]);
    assert_eq!(counts(domain(&second, "insight24.nl")), [1, 400, 400, 300, 400]);
    assert_eq!(second["reports_outside_window"], 1);
    let first = json(&[INSIGHT24, "--since", "2026-11-20", "--until", "2026-11-20"]);
    assert_eq!(counts(domain(&first, "insight24.nl")), [1, 700, 600, 600, 600]);
    assert_eq!(domain(&first, "insight24.nl")["days_covered"], 1);
    let none = json(&[INSIGHT24, "--until", "2026-11-19"]);
    assert_eq!(names(&none), Vec::<&str>::new());
    assert_eq!(none["reports_outside_window"], 2);
}

#[test]
fn since_after_until_is_a_usage_error() {
    let output = reports(&[INSIGHT24, "--since", "2026-11-21", "--until", "2026-11-20"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--since 2026-11-21 is after --until 2026-11-20"));
}

#[test]
fn the_article_plan_names_the_senders_and_phase_two_quarantines_half_for_rfc7489_only() {
    let out = json(&[INSIGHT24, "--plan", "plans/insight24.toml"]);
    let d = domain(&out, "insight24.nl");
    assert_eq!(d["in_plan"], true);
    let senders: Vec<(Value, u64, u64)> = d["senders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (t["name"].clone(), t["messages"].as_u64().unwrap(), t["dmarc_pass"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(
        senders,
        [
            ("Exchange Online".into(), 1000, 1000),
            ("Salesforce".into(), 60, 0),
            (Value::Null, 40, 0),
        ]
    );
    let sender_of = |ip: &str| {
        d["sources"].as_array().unwrap().iter().find(|s| s["ip"] == ip).unwrap()["sender"].clone()
    };
    // Signing as the plan domain, as the tenant's onmicrosoft.com domain, bouncing as
    // salesforce.com, and a spoofer.
    assert_eq!(sender_of("40.107.22.52"), "Exchange Online");
    assert_eq!(sender_of("52.100.171.3"), "Exchange Online");
    assert_eq!(sender_of("13.110.6.217"), "Salesforce");
    assert_eq!(sender_of("203.0.113.50"), Value::Null);
    let what_if: Vec<[u64; 5]> = d["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let w = &p["what_if"];
            [
                w["failing"].as_u64().unwrap(),
                w["rfc7489"]["quarantined"].as_u64().unwrap(),
                w["rfc7489"]["rejected"].as_u64().unwrap(),
                w["rfc9989"]["quarantined"].as_u64().unwrap(),
                w["rfc9989"]["rejected"].as_u64().unwrap(),
            ]
        })
        .collect();
    assert_eq!(what_if, [[100, 0, 0, 0, 0], [100, 50, 0, 100, 0], [100, 100, 0, 100, 0]]);
    assert_eq!(d["phases"][1]["name"], "quarantine half");
    assert!(d["phases"][1]["record"].as_str().unwrap().starts_with("v=DMARC1; p=quarantine;"));
    assert_eq!(d["phases"][1]["gate"], Value::Null);
}

#[test]
fn the_human_summary_of_the_article_domain() {
    let output = reports(&[INSIGHT24, "--plan", "plans/insight24.toml"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stderr(&output), "");
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

/// The article's plan with evidence gates on its two enforcing phases.
fn gated_plan(dir: &tempfile::TempDir) -> PathBuf {
    let text = std::fs::read_to_string("plans/insight24.toml").unwrap();
    let text = text
        .replacen(
            "name = \"quarantine half\"",
            "name = \"quarantine half\"\nmin_report_days = 14\nmin_pass_rate = 0.95",
            1,
        )
        .replacen("name = \"quarantine all\"", "name = \"quarantine all\"\nmin_pass_rate = 0.9", 1);
    let path = dir.path().join("gated.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn each_gated_phase_shows_whether_the_evidence_is_enough() {
    let dir = tempfile::tempdir().unwrap();
    let plan = gated_plan(&dir);
    let out = json(&[INSIGHT24, "--plan", plan.to_str().unwrap()]);
    let phases = &domain(&out, "insight24.nl")["phases"];
    assert_eq!(phases[0]["gate"], Value::Null);
    let half = &phases[1]["gate"];
    assert_eq!(half["required"]["min_report_days"], 14);
    assert_eq!(half["required"]["min_pass_rate"], 95.0);
    assert_eq!(half["open"], false);
    assert_eq!(
        half["what_is_missing"],
        serde_json::json!(["12 more days of reports", "pass rate 90.9% < 95%"])
    );
    assert_eq!(phases[2]["gate"]["open"], true);

    let output = reports(&[INSIGHT24, "--plan", plan.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(
            "  evidence gates:\n    2 quarantine half: closed: 12 more days of reports; pass rate 90.9% < 95%\n    3 quarantine all: open (2 days of reports, pass rate 90.9%)\n"
        ),
        "{stdout}"
    );
}

#[test]
fn a_plan_domain_without_reports_still_shows_its_gates() {
    let dir = tempfile::tempdir().unwrap();
    let plan = gated_plan(&dir);
    let output = reports(&["tests/fixtures/reports/rfc7489.xml", "--plan", plan.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("insight24.nl\n  no reports in the window\n"), "{stdout}");
    assert!(
        stdout.contains(
            "2 quarantine half: closed: 14 more days of reports; no messages reported yet"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("\nexample.org\n"), "the other domain follows: {stdout}");
}

#[test]
fn an_invalid_plan_exits_3_before_reading_reports() {
    let output = reports(&[INSIGHT24, "--plan", "no/such/plan.toml"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("no/such/plan.toml"));
    assert!(output.stdout.is_empty());
}

#[test]
fn a_rejected_file_is_listed_on_stderr_with_its_reason_and_the_rest_is_read() {
    let output =
        reports(&["tests/fixtures/reports/not-xml.xml", "tests/fixtures/reports/rfc7489.xml"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stderr(&output),
        "dmarc-rollout: rejected tests/fixtures/reports/not-xml.xml: not XML, gzip, zip or an email\n"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("1 report from 2 files, 1 file rejected (see stderr)\n"),
        "{stdout}"
    );
    assert!(stdout.contains("\nexample.org\n"), "{stdout}");
}

#[test]
fn no_readable_report_at_all_exits_9() {
    let output = reports(&["tests/fixtures/reports/empty.xml", "no/such/folder"]);
    assert_eq!(output.status.code(), Some(9));
    let err = stderr(&output);
    assert!(
        err.contains("dmarc-rollout: rejected tests/fixtures/reports/empty.xml: empty file\n"),
        "{err}"
    );
    assert!(err.contains("dmarc-rollout: rejected no/such/folder: cannot read:"), "{err}");
    assert!(
        err.ends_with("dmarc-rollout: no report could be read from the paths given\n"),
        "{err}"
    );
}

#[test]
fn hostile_report_text_never_reaches_the_terminal_raw() {
    let xml = std::fs::read_to_string("tests/fixtures/reports/rfc7489.xml").unwrap();
    let hostile = xml
        .replace("Receiver One", "Evil\u{1b}]0;owned\u{7}\u{1b}[2J")
        .replace("Example.ORG", "example.org\u{202e}gro.elpmaxe")
        .replace("198.51.100.7", "\u{1b}[31mnot-an-ip")
        .replace("newsletter-co.example", "news\u{9b}letter.example");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil\u{1b}[1m.xml");
    std::fs::write(&path, hostile).unwrap();
    let broken = dir.path().join("broken\u{202e}.xml");
    std::fs::write(&broken, "<feedback>\u{1b}[2J").unwrap();
    for json in [false, true] {
        let mut args = vec![path.to_str().unwrap(), broken.to_str().unwrap()];
        if json {
            args.push("--json");
        }
        let output = reports(&args);
        assert_eq!(output.status.code(), Some(0));
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            let raw = text
                .chars()
                .find(|c| (c.is_control() && *c != '\n') || ('\u{202a}'..='\u{202e}').contains(c));
            assert_eq!(raw, None, "json={json} {stream}: {text}");
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let shown = if json { "\\u001b[31mnot-an-ip" } else { "\\027[31mnot-an-ip" };
        assert!(stdout.contains(shown), "json={json}: {stdout}");
    }
}
