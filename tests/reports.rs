//! Aggregate-report reading end to end: the public samples against their README's totals, our
//! own reports in both schemas and every container, broken and hostile files, Maildirs, the
//! what-if and the evidence gate.
#![allow(clippy::unwrap_used, reason = "in tests a panic is the failure report")]

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use dmarc_rollout::record::{DmarcRecord, Policy};
use dmarc_rollout::report::{
    AuthResult, Corpus, Disposition, DomainSummary, EvidenceGate, Limits, SenderHint, Window,
    fold_report, read_paths, read_paths_with, what_if,
};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reports");

/// The public samples (see their README for sources and licences), copied into the repository
/// so a fresh clone tests itself.
fn samples() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/aggregate-reports"))
}

fn sample(rel: &str) -> PathBuf {
    samples().join(rel)
}

fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(name)
}

fn read(paths: &[PathBuf]) -> Corpus {
    read_paths(paths, &Window::default())
}

fn only_domain(c: &Corpus) -> &DomainSummary {
    assert_eq!(c.domains.len(), 1, "domains: {:?}", c.domains.keys().collect::<Vec<_>>());
    c.domains.values().next().unwrap()
}

/// (file, domain, records, messages, DMARC pass, DKIM aligned, SPF aligned, malformed) from the
/// samples' README; malformed files carry the recovering parser's figures, and upper-cased
/// `Pass` counts as a pass (results are compared without case).
type Totals = (&'static str, &'static str, u64, u64, u64, u64, u64, bool);
const README_TOTALS: &[Totals] = &[
    (
        "parsedmarc/aggregate/!example.com!1538204542!1538463818.xml",
        "example.com",
        1,
        1,
        0,
        0,
        0,
        false,
    ),
    (
        "parsedmarc/aggregate/!large-example.com!1711897200!1711983600.xml",
        "example.com",
        2286,
        2286,
        0,
        0,
        0,
        false,
    ),
    (
        "parsedmarc/aggregate/addisonfoods.com!example.com!1536105600!1536191999.xml",
        "example.com",
        1,
        1,
        0,
        0,
        0,
        false,
    ),
    ("parsedmarc/aggregate/empty_reason.xml", "example.com", 1, 2, 2, 2, 0, false),
    (
        "parsedmarc/aggregate/estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml.zip",
        "example.com",
        1,
        1,
        0,
        0,
        0,
        false,
    ),
    (
        "parsedmarc/aggregate/example.net!example.com!1529366400!1529452799.xml",
        "example.com",
        1,
        1,
        0,
        0,
        0,
        false,
    ),
    (
        "parsedmarc/aggregate/fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz",
        "indemed.com",
        1,
        1,
        0,
        0,
        0,
        false,
    ),
    (
        "parsedmarc/aggregate/ikea.com!example.de!1538690400!1538776800.xml",
        "example.de",
        1,
        1,
        0,
        0,
        0,
        true,
    ),
    ("parsedmarc/aggregate/invalid_utf_8.xml", "example.com", 1, 1, 0, 0, 0, true),
    ("parsedmarc/aggregate/invalid_xml.xml", "example.com", 1, 1, 0, 0, 0, true),
    ("parsedmarc/aggregate/old_draft_from_wiki.xml", "example.com", 1, 2, 2, 0, 2, false),
    (
        "parsedmarc/aggregate/protection.outlook.com!example.com!1711756800!1711843200.xml",
        "example.com",
        1,
        1,
        0,
        0,
        0,
        false,
    ),
    (
        "parsedmarc/aggregate/rfc9990-example.net!example.com!1700000000!1700086399.xml",
        "example.com",
        2,
        7,
        5,
        5,
        5,
        false,
    ),
    ("parsedmarc/aggregate/rfc9990-sample.xml", "example.com", 1, 123, 123, 123, 0, false),
    (
        "parsedmarc/aggregate/usssa.com!example.com!1538784000!1538870399.xml",
        "example.com",
        2,
        2,
        0,
        0,
        0,
        false,
    ),
    (
        "parsedmarc/aggregate/veeam.com!example.com!1530133200!1530219600.xml",
        "example.com",
        1,
        1,
        0,
        0,
        0,
        false,
    ),
    (
        "parsedmarc/aggregate_invalid/report_with_upper_cased_pass.xml",
        "example.com",
        1,
        1,
        1,
        1,
        1,
        false,
    ),
    (
        "parsedmarc/eml-attachments/google.com!borschow.com!1549929600!1550015999.zip",
        "borschow.com",
        1,
        1,
        0,
        0,
        0,
        false,
    ),
    (
        "parsedmarc/eml-attachments/google.com!twlnet.com!1549756800!1549843199.zip",
        "twlnet.com",
        1,
        1,
        1,
        1,
        1,
        false,
    ),
    (
        "parsedmarc/eml-attachments/mimecast.org!ab.id.au!1693353600!1693439999!157a5fe30ec76f4bc0d8bccfc96c118a167a1280fee7c7465af5115e73082e5e.xml.gz",
        "ab.id.au",
        1,
        1,
        1,
        1,
        1,
        false,
    ),
    ("parsedmarc/extract_report/nice-input.xml", "example.com", 20, 3047, 3047, 3046, 2637, false),
    (
        "parsedmarc/extract_report/nice-input.xml.gz",
        "example.com",
        20,
        3047,
        3047,
        3046,
        2637,
        false,
    ),
    (
        "parsedmarc/extract_report/nice-input.xml.zip",
        "example.com",
        20,
        3047,
        3047,
        3046,
        2637,
        false,
    ),
    (
        "parsedmarc/extract_report/changed-input.xml",
        "example.com",
        20,
        3047,
        3047,
        3046,
        2637,
        false,
    ),
    ("dmarc-report-viewer/acme.xml", "example.com", 1, 2, 2, 0, 2, false),
    ("dmarc-report-viewer/aol.xml", "website.com", 1, 1, 1, 1, 1, false),
    ("dmarc-report-viewer/gmxnet.xml", "myserver.com", 1, 1, 1, 1, 1, false),
    ("dmarc-report-viewer/google.xml", "foo-bar.io", 1, 1, 1, 1, 1, false),
    ("dmarc-report-viewer/hardfail.xml", "mydomain.org", 1, 1, 0, 0, 0, false),
    ("dmarc-report-viewer/invalid_casing.xml", "mydomain.org", 1, 1, 0, 0, 0, false),
    ("dmarc-report-viewer/mailru.xml", "foobar.de", 1, 1, 0, 0, 0, false),
    ("dmarc-report-viewer/outlook.xml", "random.net", 2, 3, 3, 3, 3, false),
    ("dmarc-report-viewer/solamora.xml", "bix-business.com", 1, 2, 2, 0, 2, false),
    ("dmarc-report-viewer/webde.xml", "foobar.com", 1, 1, 1, 1, 1, false),
    ("dmarc-report-viewer/yahoo.xml", "random.org", 1, 1, 1, 1, 1, false),
];

#[test]
fn every_sample_report_gives_the_totals_its_readme_lists() {
    for &(file, domain, records, messages, pass, dkim, spf, malformed) in README_TOTALS {
        let c = read(&[sample(file)]);
        assert!(c.rejected_files.is_empty(), "{file}: {:?}", c.rejected_files);
        assert_eq!(!c.recovered_files.is_empty(), malformed, "{file}: {:?}", c.recovered_files);
        let d = only_domain(&c);
        let got = (d.domain.as_str(), d.reports, d.records, d.counts.messages);
        assert_eq!(got, (domain, 1, records, messages), "{file}");
        let got = (d.counts.dmarc_pass, d.counts.dkim_aligned_pass, d.counts.spf_aligned_pass);
        assert_eq!(got, (pass, dkim, spf), "{file}");
    }
}

#[test]
fn the_empty_sample_is_rejected_not_counted_as_a_report() {
    let c = read(&[sample("parsedmarc/empty.xml")]);
    assert!(c.domains.is_empty());
    assert_eq!(c.rejected_files.len(), 1);
    assert_eq!(c.rejected_files[0].reason, "empty file");
}

#[test]
fn the_whole_sample_folder_reads_with_only_the_empty_file_rejected() {
    let c = read(&[samples()]);
    let rejected: Vec<_> = c.rejected_files.iter().map(|r| r.path.clone()).collect();
    assert_eq!(rejected, vec![sample("parsedmarc/empty.xml")]);
    // README.md and the two LICENSE files sit beside the reports and are skipped quietly.
    assert_eq!(c.files_skipped, 3);
    assert_eq!(c.files_read, 36);
    // Same reporter, report_id, domain and period: nice-input three times over, and four
    // hand-edited copies (invalid_utf_8, invalid_casing, old_draft/acme, veeam/invalid_xml).
    // changed-input (another reporter) and solamora (another domain) are not duplicates.
    let dupes: Vec<_> =
        c.duplicate_reports.iter().map(|d| d.path.file_name().unwrap().to_str().unwrap()).collect();
    assert_eq!(
        dupes,
        [
            "invalid_casing.xml",
            "invalid_utf_8.xml",
            "old_draft_from_wiki.xml",
            "veeam.com!example.com!1530133200!1530219600.xml",
            "nice-input.xml.gz",
            "nice-input.xml.zip!nice-input.xml",
        ]
    );
    assert_eq!(c.recovered_files.len(), 3);
}

#[test]
fn the_large_sample_has_one_failing_source_per_record() {
    let c = read(&[sample("parsedmarc/aggregate/!large-example.com!1711897200!1711983600.xml")]);
    let d = only_domain(&c);
    assert_eq!(d.sources.len(), 2286);
    assert_eq!(d.failing_sources().len(), 2286);
    // 2024-03-31 15:00 to 2024-04-01 15:00 touches two UTC days.
    assert_eq!(d.days_covered, 2);
}

#[test]
fn records_for_the_same_ip_are_added_together() {
    let c = read(&[sample("dmarc-report-viewer/outlook.xml")]);
    let d = only_domain(&c);
    assert_eq!(d.sources["1.2.3.4"].messages, 3);
}

#[test]
fn a_sample_sources_auth_domains_are_kept_with_whether_they_passed() {
    let c = read(&[sample("parsedmarc/extract_report/nice-input.xml")]);
    let d = only_domain(&c);
    let amazon = d
        .sources
        .values()
        .filter(|s| s.dkim_domains.get("amazonses.com") == Some(&AuthResult::Pass));
    assert!(amazon.count() > 0);
}

#[test]
fn spf_results_are_kept_whole_never_folded_into_fail() {
    let record = |ip: &str, spf: &str| {
        format!(
            "<record><row><source_ip>{ip}</source_ip><count>1</count><policy_evaluated>\
             <disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated>\
             </row><identifiers><header_from>whole.example</header_from></identifiers>\
             <auth_results><spf><domain>whole.example</domain><result>{spf}</result></spf>\
             </auth_results></record>"
        )
    };
    let words = ["softfail", "neutral", "none", "temperror", "permerror", "fail"];
    let records: String =
        words.iter().enumerate().map(|(i, w)| record(&format!("192.0.2.{i}"), w)).collect();
    let xml = format!(
        "<feedback><report_metadata><org_name>r</org_name><report_id>1</report_id>\
         <date_range><begin>1700000000</begin><end>1700086399</end></date_range>\
         </report_metadata><policy_published><domain>whole.example</domain><p>none</p>\
         </policy_published>{records}</feedback>"
    );
    let mut c = Corpus::new(Window::default());
    fold_report(xml.as_bytes(), "whole.xml", &mut c).unwrap();
    let got: Vec<&str> = (0..words.len())
        .map(|i| {
            c.domains["whole.example"].sources[&format!("192.0.2.{i}")].spf_domains["whole.example"]
                .as_str()
        })
        .collect();
    assert_eq!(got, words);
}

fn both_fixtures() -> Corpus {
    read(&[fixture("rfc7489.xml"), fixture("rfc9990.xml")])
}

#[test]
fn reports_in_both_schemas_fold_into_one_domain_summary() {
    let c = both_fixtures();
    assert!(c.rejected_files.is_empty() && c.recovered_files.is_empty());
    let d = &c.domains["example.org"];
    assert_eq!((d.reports, d.records, d.days_covered), (2, 6, 2));
    assert_eq!(
        (
            d.counts.messages,
            d.counts.dmarc_pass,
            d.counts.dkim_aligned_pass,
            d.counts.spf_aligned_pass
        ),
        (225, 190, 190, 150)
    );
    assert_eq!((d.subdomain.messages, d.subdomain.dmarc_pass), (10, 0));
    let reporters: Vec<_> = d.reporters.iter().map(String::as_str).collect();
    assert_eq!(reporters, ["Receiver & Two", "Receiver One"]);
    assert_eq!(d.first_day, Some(day("2026-11-01")));
    assert_eq!(d.last_day, Some(day("2026-11-02")));
    assert_eq!(d.sources["192.0.2.1"].messages, 150);
    let failing: Vec<_> = d.failing_sources().iter().map(|s| s.ip.as_str()).collect();
    assert_eq!(failing, ["198.51.100.7", "198.51.100.8", "203.0.113.9"]);
    let echoed: Vec<_> =
        d.policies.iter().map(|p| (p.p.as_str(), p.sp.as_deref(), p.pct)).collect();
    assert_eq!(echoed, [("none", Some("none"), Some(100)), ("none", Some("none"), None)]);
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn a_window_keeps_only_reports_whose_period_falls_inside_it() {
    let window = Window { since: Some(day("2026-11-02")), until: None };
    let c = read_paths(&[fixture("rfc7489.xml"), fixture("rfc9990.xml")], &window);
    let d = &c.domains["example.org"];
    assert_eq!((d.reports, d.counts.messages, d.days_covered), (1, 55, 1));
    assert_eq!(c.reports_outside_window, 1);
}

#[test]
fn gzip_and_zip_copies_read_like_the_plain_file_whatever_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let xml = std::fs::read(fixture("rfc9990.xml")).unwrap();
    let gz = dir.path().join("report.bin");
    std::fs::write(&gz, gzip(&xml)).unwrap();
    let zipped = dir.path().join("report.xml");
    std::fs::write(&zipped, zip_of(&[("report.xml", &xml)])).unwrap();
    for path in [gz, zipped] {
        let c = read(std::slice::from_ref(&path));
        assert!(c.rejected_files.is_empty(), "{path:?}: {:?}", c.rejected_files);
        assert_eq!(c.domains["example.org"].counts.messages, 55, "{path:?}");
    }
}

#[test]
fn a_namespace_prefix_on_every_element_is_ignored() {
    let xml = std::fs::read_to_string(fixture("rfc9990.xml")).unwrap();
    let prefixed = xml
        .replace("<feedback xmlns=", "<d:feedback xmlns:d=")
        .replace("</feedback>", "</d:feedback>")
        .replace("<record>", "<d:record>")
        .replace("</record>", "</d:record>");
    let mut c = Corpus::new(Window::default());
    let folded = fold_report(prefixed.as_bytes(), "prefixed", &mut c).unwrap();
    assert_eq!((folded.counted, folded.problems.len()), (1, 0));
    assert_eq!(c.domains["example.org"].counts.messages, 55);
}

#[test]
fn broken_files_are_rejected_with_a_reason_and_the_good_ones_still_count() {
    let names = ["truncated.xml", "not-xml.xml", "empty.xml", "not-a-report.xml", "rfc7489.xml"];
    let c = read(&names.map(fixture));
    let reasons: Vec<_> = c
        .rejected_files
        .iter()
        .map(|r| (r.path.file_name().unwrap().to_str().unwrap(), r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("truncated.xml", "ends inside <feedback> before the report is complete (truncated?)"),
            ("not-xml.xml", "not XML, gzip, zip or an email"),
            ("empty.xml", "empty file"),
            ("not-a-report.xml", "no <feedback> element: not a DMARC aggregate report"),
        ]
    );
    assert_eq!(c.domains["example.org"].counts.messages, 170);
}

#[test]
fn a_missing_path_is_rejected_not_fatal() {
    let c = read(&[fixture("no-such-file.xml"), fixture("rfc7489.xml")]);
    assert_eq!(c.rejected_files.len(), 1);
    assert!(c.rejected_files[0].reason.starts_with("cannot read:"));
    assert_eq!(c.domains.len(), 1);
}

#[test]
fn a_gzip_bomb_is_stopped_at_the_decompression_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut bomb = b"<feedback><report_metadata><org_name>".to_vec();
    bomb.resize(8 << 20, b'A');
    let path = dir.path().join("bomb.xml.gz");
    std::fs::write(&path, gzip(&bomb)).unwrap();
    let zipped = dir.path().join("bomb.zip");
    std::fs::write(&zipped, zip_of(&[("a.xml", &bomb), ("b.xml", &bomb)])).unwrap();
    let limits = Limits { max_decompressed_bytes: 1 << 20 };
    let c = read_paths_with(&[path, zipped], &Window::default(), &limits);
    assert_eq!(c.rejected_files.len(), 3, "{:#?}", c.rejected_files);
    assert!(c.rejected_files.iter().all(|r| r.reason.contains("decompression limit")));
}

#[test]
fn hostile_input_never_panics() {
    let deep = "<a>".repeat(100_000);
    let huge_count = "<feedback><policy_published><domain>x.example</domain></policy_published>\
        <record><row><count>18446744073709551615</count></row></record>\
        <record><row><count>18446744073709551615</count></row></record></feedback>";
    let cases: [&[u8]; 6] = [
        deep.as_bytes(),
        huge_count.as_bytes(),
        b"<feedback><record><row><count>-1</count>",
        b"\xff\xfe<\x00f\x00",
        b"<feedback></feedback></feedback><<<>>>&&&;",
        b"<!DOCTYPE x [<!ENTITY a \"&a;&a;\">]><feedback>&a;</feedback>",
    ];
    for (i, case) in cases.into_iter().enumerate() {
        let mut c = Corpus::new(Window::default());
        let _ = fold_report(case, &format!("case {i}"), &mut c);
    }
    let mut c = Corpus::new(Window::default());
    fold_report(huge_count.as_bytes(), "huge", &mut c).unwrap();
    assert_eq!(c.domains["x.example"].counts.messages, u64::MAX);
}

#[test]
fn mangled_reports_and_containers_never_panic() {
    let xml = std::fs::read(fixture("rfc7489.xml")).unwrap();
    let containers = [gzip(&xml), zip_of(&[("r.xml", &xml)])];
    let dir = tempfile::tempdir().unwrap();
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        usize::try_from(rng % 1_000_000).unwrap()
    };
    for round in 0..300 {
        let mut bytes = if round % 3 == 0 { xml.clone() } else { containers[round % 2].clone() };
        for _ in 0..=(next() % 8) {
            let at = next() % bytes.len();
            bytes[at] = u8::try_from(next() % 256).unwrap();
        }
        bytes.truncate(bytes.len() - next() % (bytes.len() / 4));
        let path = dir.path().join(format!("m{round}.xml"));
        std::fs::write(&path, &bytes).unwrap();
        let c = read(&[path]);
        assert_eq!(c.files_read, 1);
    }
}

#[test]
fn a_maildir_gives_the_reports_attached_to_its_messages() {
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("rua");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    let xml = std::fs::read(fixture("rfc7489.xml")).unwrap();
    let message = email_with_attachment("example.org!r1.xml.gz", "application/gzip", &gzip(&xml));
    std::fs::write(maildir.join("cur/1700000000.M1P1.host:2,S"), message).unwrap();
    let xml2 = std::fs::read(fixture("rfc9990.xml")).unwrap();
    let zipped = zip_of(&[("r2.xml", &xml2)]);
    let message = email_with_attachment("r2.zip", "application/zip", &zipped);
    std::fs::write(maildir.join("new/1700000001.M2P1.host"), message).unwrap();
    let no_report = "From: someone@example.net\r\nSubject: hi\r\n\r\njust text\r\n";
    std::fs::write(maildir.join("new/1700000002.M3P1.host"), no_report).unwrap();
    // A half-delivered message in tmp/ is not read.
    std::fs::write(maildir.join("tmp/1700000003.M4P1.host"), "garbage").unwrap();

    // Emails saved to a plain folder: one with a report is read, one without is skipped.
    let saved = dir.path().join("saved");
    std::fs::create_dir(&saved).unwrap();
    let xml3 = std::fs::read(sample("dmarc-report-viewer/google.xml")).unwrap();
    let message = email_with_attachment("google.xml", "text/xml", &xml3);
    std::fs::write(saved.join("google.eml"), message).unwrap();
    std::fs::write(saved.join("hello.eml"), no_report).unwrap();

    let c = read(&[dir.path().to_owned()]);
    let d = &c.domains["example.org"];
    assert_eq!((d.reports, d.counts.messages), (2, 225));
    assert_eq!(c.domains["foo-bar.io"].counts.messages, 1);
    assert_eq!((c.files_read, c.files_skipped), (4, 1));
    assert_eq!(c.rejected_files.len(), 1);
    assert_eq!(c.rejected_files[0].reason, "no report attachment in this email");
}

#[test]
fn what_if_follows_pct_for_rfc7489_and_t_for_rfc9989_receivers() {
    let c = both_fixtures();
    let d = &c.domains["example.org"];
    // 35 failing messages: 25 from example.org itself, 10 from news.example.org.
    let cases: [(&str, u64, Disposition, Disposition); 5] = [
        ("p=none", 35, q_r(0, 0), q_r(0, 0)),
        ("p=quarantine; pct=25; sp=none", 35, q_r(6, 0), q_r(25, 0)),
        ("p=reject; pct=50", 35, q_r(17, 18), q_r(0, 35)),
        ("p=reject; t=y; sp=quarantine", 35, q_r(10, 25), q_r(25, 0)),
        ("p=quarantine; t=y", 35, q_r(35, 0), q_r(0, 0)),
    ];
    for (text, failing, old, new) in cases {
        let w = what_if(d, &record(text));
        assert_eq!((w.failing, w.rfc7489, w.rfc9989), (failing, old, new), "{text}");
    }
}

fn q_r(quarantined: u64, rejected: u64) -> Disposition {
    Disposition { quarantined, rejected }
}

fn record(text: &str) -> DmarcRecord {
    let mut r = DmarcRecord::default();
    for part in text.split(';') {
        let (k, v) = part.trim().split_once('=').unwrap();
        let tag = dmarc_rollout::record::Tag::from_name(k).unwrap();
        r.set(tag, v).unwrap();
    }
    assert!(r.p.is_some_and(|p| p >= Policy::None));
    r
}

#[test]
fn the_gate_opens_when_days_and_pass_rate_are_enough() {
    let c = both_fixtures();
    let gate = EvidenceGate {
        min_report_days: Some(2),
        min_pass_rate: Some(80.0),
        ..EvidenceGate::default()
    };
    let state = gate.check(c.domains.get("example.org"), &[]);
    assert!(state.open, "{state:?}");
    assert_eq!(state.report_days, 2);
    assert!((state.pass_rate.unwrap() - 84.444).abs() < 0.001);
}

#[test]
fn the_gate_stays_closed_and_says_what_is_missing() {
    let c = both_fixtures();
    let gate = EvidenceGate {
        min_report_days: Some(7),
        min_pass_rate: Some(98.0),
        ..EvidenceGate::default()
    };
    let state = gate.check(c.domains.get("example.org"), &[]);
    assert!(!state.open);
    assert_eq!(state.what_is_missing, ["5 more days of reports", "pass rate 84.4% < 98%"]);
    let nothing = gate.check(None, &[]);
    assert_eq!(nothing.what_is_missing, ["7 more days of reports", "no messages reported yet"]);
}

#[test]
fn sources_are_named_by_the_senders_they_pass_authentication_as() {
    let c = both_fixtures();
    let d = &c.domains["example.org"];
    let hints = [
        SenderHint { name: "Mailer".into(), domains: vec!["example.net".into()] },
        SenderHint { name: "Newsletter".into(), domains: vec!["newsletter-co.example".into()] },
        SenderHint { name: "Own servers".into(), domains: vec!["example.org".into()] },
        SenderHint { name: "Spoof".into(), domains: vec!["spoof.example".into()] },
    ];
    let tallies: Vec<_> =
        d.senders(&hints).into_iter().map(|t| (t.name, t.sources, t.messages)).collect();
    assert_eq!(
        tallies,
        [
            (Some("Mailer".to_owned()), 1, 40),
            (Some("Newsletter".to_owned()), 1, 10),
            (Some("Own servers".to_owned()), 1, 150),
            // A softfail for spoof.example names no one; a failing example.org claim neither.
            (Some("Spoof".to_owned()), 0, 0),
            (None, 2, 25),
        ]
    );
}

#[test]
fn the_corpus_serialises_with_the_documented_field_names() {
    let c = read(&[fixture("rfc7489.xml"), fixture("empty.xml")]);
    let json = serde_json::to_value(&c).unwrap();
    let d = &json["domains"]["example.org"];
    for field in ["reports", "messages", "dmarc_pass", "dkim_aligned_pass", "spf_aligned_pass"] {
        assert!(d[field].is_u64(), "{field}");
    }
    assert_eq!(d["sources"][0]["ip"], "192.0.2.1");
    assert_eq!(d["sources"][0]["messages"], 100);
    assert_eq!(d["sources"][0]["dmarc_pass"], 100);
    assert_eq!(json["rejected_files"][0]["reason"], "empty file");
    assert!(json["rejected_files"][0]["path"].as_str().unwrap().ends_with("empty.xml"));
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn email_with_attachment(name: &str, content_type: &str, body: &[u8]) -> String {
    let mut b64 = String::new();
    for chunk in base64(body).as_bytes().chunks(76) {
        b64.push_str(std::str::from_utf8(chunk).unwrap());
        b64.push_str("\r\n");
    }
    format!(
        "Return-Path: <noreply@receiver.example>\r\nFrom: noreply@receiver.example\r\n\
         Subject: Report domain: example.org\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed;\r\n\tboundary=\"=_b0\"\r\n\r\n\
         This is a multi-part message.\r\n--=_b0\r\nContent-Type: text/plain\r\n\r\n\
         A DMARC report is attached.\r\n--=_b0\r\nContent-Type: {content_type}; name=\"{name}\"\r\n\
         Content-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{b64}--=_b0--\r\n"
    )
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn a_gzip_whose_crc_does_not_match_is_rejected_with_nothing_counted() {
    let dir = tempfile::tempdir().unwrap();
    let xml = std::fs::read(fixture("rfc7489.xml")).unwrap();
    let mut damaged = gzip(&xml);
    let crc = damaged.len() - 8;
    damaged[crc] ^= 0xff;
    let path = dir.path().join("damaged.xml.gz");
    std::fs::write(&path, damaged).unwrap();
    let c = read(&[path]);
    assert!(c.domains.is_empty(), "no report of a damaged member counts: {:?}", c.domains.keys());
    assert!(c.recovered_files.is_empty());
    assert_eq!(c.rejected_files.len(), 1);
    assert!(
        c.rejected_files[0].reason.contains("nothing in it was counted"),
        "{:?}",
        c.rejected_files
    );
}

#[test]
fn a_report_that_declares_a_dtd_or_entities_is_rejected_as_unsafe() {
    let xml = std::fs::read_to_string(fixture("rfc7489.xml")).unwrap();
    let with_dtd = format!("<!DOCTYPE feedback [<!ENTITY a \"x\">]>\n{xml}");
    let mut c = Corpus::new(Window::default());
    let error = fold_report(with_dtd.as_bytes(), "dtd.xml", &mut c).unwrap_err();
    assert!(error.to_string().contains("DTD"), "{error}");
    assert!(c.domains.is_empty(), "nothing counted");
}
