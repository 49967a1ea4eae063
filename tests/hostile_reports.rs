//! Files anyone can mail to the public rua address, at sizes that once took gigabytes: the
//! reader keeps its lists, tables and labels bounded, counts what it does not keep, and says
//! so. Inputs are generated here; `cargo bench --bench hostile_reports` measures the memory
//! at the full sizes.

#[path = "support/attack_reports.rs"]
mod attack_reports;

use std::fmt::Write as _;
use std::path::PathBuf;

use assert_cmd::Command;
use attack_reports::{
    distinct_domains, email, empty_entries_zip, feedback, gzip, huge_text_node, repeated, zip_of,
};
use dmarc_rollout::report::bounds::{MAX_DOMAINS, MAX_LISTED, MAX_NAME_CHARS};
use dmarc_rollout::report::{Corpus, Focus, Window, fold_report, read_paths, read_paths_for};

fn write(dir: &tempfile::TempDir, name: &str, data: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, data).expect("write");
    path
}

/// The longest path or reason in the corpus's lists, in characters.
fn longest_note(c: &Corpus) -> usize {
    let lists = [&c.rejected_files, &c.recovered_files, &c.duplicate_reports];
    let notes = lists.into_iter().flatten();
    notes
        .map(|n| n.path.display().to_string().chars().count() + n.reason.chars().count())
        .max()
        .unwrap_or(0)
}

#[test]
fn a_report_repeated_20_000_times_under_a_long_file_name_lists_1000_repeats_and_counts_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = format!("{}.xml.gz", "n".repeat(10_000));
    let mail = email(&[(name, "application/gzip", gzip(&repeated(20_000)))]);
    let path = write(&dir, "mail.eml", &mail);
    let c = read_paths(&[path], &Window::default());
    assert_eq!(c.domains["victim.example"].reports, 1);
    assert_eq!(c.duplicate_reports.len(), MAX_LISTED);
    assert_eq!(c.overflow.duplicates_unlisted, 20_000 - 1 - MAX_LISTED as u64);
    assert!(longest_note(&c) < 2 * (MAX_NAME_CHARS + 200), "{}", longest_note(&c));
}

#[test]
fn twenty_zips_of_1000_empty_entries_with_long_names_list_1000_rejections_with_cut_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zip = empty_entries_zip(1000, 300);
    let attachments: Vec<(String, &str, Vec<u8>)> =
        (0..20).map(|i| (format!("{i}.zip"), "application/zip", zip.clone())).collect();
    let path = write(&dir, "mail.eml", &email(&attachments));
    let c = read_paths(&[path], &Window::default());
    assert_eq!(c.rejected_files.len(), MAX_LISTED);
    assert_eq!(c.overflow.rejected_unlisted, 20_000 - MAX_LISTED as u64);
    assert!(c.rejected_files.iter().all(|r| r.reason == "empty file"), "{:?}", c.rejected_files[0]);
    assert!(longest_note(&c) < 2 * (MAX_NAME_CHARS + 200), "{}", longest_note(&c));
}

#[test]
fn a_zip_whose_directory_is_larger_than_4_mib_is_refused_before_it_is_loaded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(&dir, "big.zip", &empty_entries_zip(1000, 5_000));
    let c = read_paths(&[path], &Window::default());
    assert_eq!(c.rejected_files.len(), 1, "{:?}", c.rejected_files);
    let reason = &c.rejected_files[0].reason;
    assert!(
        reason.contains("the zip's directory is") && reason.contains("at most 4 MiB"),
        "{reason}"
    );
}

#[test]
fn reports_for_20_000_domains_keep_10_000_and_count_the_rest_and_domain_keeps_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(&dir, "many.xml.gz", &gzip(&distinct_domains(2 * MAX_DOMAINS)));
    let c = read_paths(std::slice::from_ref(&path), &Window::default());
    assert_eq!(c.domains.len(), MAX_DOMAINS);
    assert_eq!(c.overflow.unlisted_domain_reports, MAX_DOMAINS as u64);
    assert_eq!(c.overflow.unlisted_domain_messages, MAX_DOMAINS as u64);
    assert!(c.overflow.findings()[0].contains("10000 report(s) with 10000 message(s)"));

    let one = read_paths_for(&[path], &Window::default(), Focus::only(["d19999.example"]));
    assert_eq!(one.domains.keys().collect::<Vec<_>>(), ["d19999.example"]);
    assert_eq!(one.reports_not_selected, 2 * MAX_DOMAINS as u64 - 1);
    assert_eq!(one.overflow, dmarc_rollout::report::Overflow::default());
}

#[test]
fn a_plan_domain_is_kept_past_the_cap_on_domains() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut xml = distinct_domains(MAX_DOMAINS + 10);
    xml.extend_from_slice(feedback("last", "planned.example", 7).as_bytes());
    let path = write(&dir, "many.xml", &xml);
    let c = read_paths_for(&[path], &Window::default(), Focus::named_first(["planned.example"]));
    assert_eq!(c.domains.len(), MAX_DOMAINS + 1);
    assert_eq!(c.domains["planned.example"].counts.messages, 7);
}

#[test]
fn a_text_node_of_5_mb_stops_the_file_and_keeps_the_report_before_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(&dir, "huge.xml", &huge_text_node(5 << 20));
    let c = read_paths(&[path], &Window::default());
    assert_eq!(c.domains["victim.example"].counts.messages, 3);
    assert_eq!(c.recovered_files.len(), 1, "{:?}", c.recovered_files);
    assert!(c.recovered_files[0].reason.contains("longer than 1 MiB"), "{:?}", c.recovered_files);
}

#[test]
fn past_the_detail_budget_sources_are_counted_under_other_sources_with_exact_totals() {
    let mut xml = String::from(
        "<feedback><report_metadata><org_name>r</org_name><report_id>1</report_id>\
         </report_metadata><policy_published><domain>victim.example</domain><p>none</p>\
         </policy_published>",
    );
    for i in 0..2_000 {
        let _ = write!(
            xml,
            "<record><row><source_ip>10.0.{}.{}</source_ip><count>1</count></row>\
             <auth_results><dkim><domain>{}.example</domain><result>pass</result></dkim>\
             </auth_results></record>",
            i / 256,
            i % 256,
            "d".repeat(200)
        );
    }
    xml.push_str("</feedback>");
    let mut c = Corpus::new(Window::default()).with_detail_budget(100_000);
    fold_report(xml.as_bytes(), "t", &mut c).expect("folds");
    let d = &c.domains["victim.example"];
    assert_eq!(d.counts.messages, 2_000, "totals stay exact");
    assert!(d.sources.len() < 300, "{} sources kept", d.sources.len());
    assert_eq!(
        d.sources.values().map(|s| s.messages).sum::<u64>() + d.other_sources.messages,
        2_000
    );
    assert_eq!(c.overflow.sources_folded, 2_000 - d.sources.len() as u64);
    assert!(c.overflow.findings()[0].contains("memory limit"), "{:?}", c.overflow.findings());
}

#[test]
fn the_reports_command_lists_a_thousand_repeats_then_says_how_many_more() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(&dir, "same.xml", &repeated(5_000));
    let output = Command::cargo_bin("dmarc-rollout")
        .expect("binary")
        .args(["reports", "--json"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().filter(|l| l.contains("duplicate")).count(), MAX_LISTED + 1);
    assert!(stderr.contains("… and 3999 more duplicate reports not listed"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(json["duplicate_reports"].as_array().expect("list").len(), MAX_LISTED);
    assert_eq!(json["limits_reached"]["duplicates_unlisted"], 3999);
    assert!(output.stdout.len() < 200_000, "{} bytes of JSON", output.stdout.len());
}

#[test]
fn zip_entries_beyond_a_gzip_name_are_named_by_their_cut_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let long = format!("{}.xml", "é".repeat(500));
    let path = write(&dir, "r.zip", &zip_of(&[(long, Vec::new())]));
    let c = read_paths(&[path], &Window::default());
    let label = c.rejected_files[0].path.display().to_string();
    assert!(label.ends_with(&format!("!{}…", "é".repeat(MAX_NAME_CHARS))), "{label}");
}
