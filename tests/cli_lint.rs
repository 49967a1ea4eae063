//! `lint` through the binary: the marked record, JSON for scripts, stdin, exit codes.

use assert_cmd::Command;

fn lint(args: &[&str], stdin: &str) -> (Option<i32>, String) {
    let output = Command::cargo_bin("dmarc-rollout")
        .expect("binary")
        .arg("lint")
        .args(args)
        .write_stdin(stdin)
        .output()
        .expect("runs");
    (output.status.code(), String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn microsofts_example_with_a_missing_semicolon_is_marked_and_fails() {
    let (code, out) = lint(&["v=DMARC1; p=reject rua=mailto:d@contoso.com"], "");
    assert_eq!(code, Some(1));
    insta::assert_snapshot!(out);
}

#[test]
fn json_has_validity_findings_with_spans_and_both_generations() {
    let (code, out) =
        lint(&["--json", "v=DMARC1; p=quarantine; pct=50; rua=mailto:a@example.com"], "");
    assert_eq!(code, Some(0));
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(json["valid"], true);
    let partial = json["findings"]
        .as_array()
        .expect("array")
        .iter()
        .find(|f| f["id"] == "dmarc.pct_partial")
        .expect("pct_partial");
    assert_eq!(
        (partial["severity"].as_str(), partial["start"].as_u64(), partial["end"].as_u64()),
        (Some("warning"), Some(24), Some(30))
    );
    assert_eq!(json["effective"]["rfc7489"]["pct"], 50);
    assert_eq!(json["effective"]["rfc7489"]["p"], "quarantine");
    assert_eq!(json["effective"]["rfc9989"]["pct"], 100);
    assert_eq!(json["effective"]["rfc9989"]["applies"], true);
}

#[test]
fn a_record_on_stdin_loses_only_its_final_newline() {
    let (code, out) = lint(&["-"], "v=DMARC1; p=reject; rua=mailto:d@example.com\r\n");
    assert_eq!(code, Some(0));
    assert!(out.starts_with("v=DMARC1; p=reject; rua=mailto:d@example.com\n"), "{out}");
    assert!(out.contains("RFC 9989 receivers: reject 100%"));
}

#[test]
fn hostile_record_text_never_reaches_the_terminal_raw() {
    let (_, out) =
        lint(&["v=DMARC1; p=none; rua=mailto:a@b.c\u{1b}]52;c;ZXZpbA==\u{7}\u{202e}"], "");
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{202e}'),
        "{out:?}"
    );
    assert!(out.contains("\\027]52"));
}

#[test]
fn an_spf_record_is_detected_and_checked_as_spf() {
    let (code, out) =
        lint(&["v=spf1 include:spf.protection.outlook.com include:_spf.salesforce.com -all"], "");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("DNS lookups in this record: 2 of 10"), "{out}");
    let (code, out) = lint(&["--spf", "--json", "v=spf1 +all"], "");
    assert_eq!(code, Some(1));
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(json["valid"], false);
    assert!(json["findings"].as_array().expect("array").iter().any(|f| f["id"] == "spf.pass_all"));
}
