//! `verify-message` through the binary on header samples written for these tests
//! (`tests/fixtures/messages/`, in the formats Microsoft 365 and Gmail write): a message that
//! passes (Gmail, Microsoft 365 headers pasted without a body), one forwarded with ARC, one
//! that fails, one with no receiver's results, hostile bytes; with and without the plan,
//! text and JSON, the exit codes.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

fn verify(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::cargo_bin("dmarc-rollout").expect("binary");
    cmd.arg("verify-message").args(args).args(["--today", "2026-11-23"]);
    if let Some(input) = stdin {
        cmd.write_stdin(input.to_vec());
    }
    cmd.output().expect("runs")
}

fn sample(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/messages")
        .join(name)
        .display()
        .to_string()
}

fn text(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8")
}

#[test]
fn a_message_through_exchange_online_to_gmail_passes_and_names_its_sender() {
    let out = verify(&[&sample("gmail.eml"), "--plan", "plans/insight24.toml"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let want = "\
From domain: insight24.nl
Results of mx.google.com (Authentication-Results):
  SPF   pass  insight24.nl  aligned (relaxed and strict)
  DKIM  pass  insight24.nl s=selector1  aligned (relaxed and strict)
  DKIM  pass  insight24.onmicrosoft.com s=selector1-insight24-onmicrosoft-com  not aligned
  DMARC pass  insight24.nl  (the From domain)
  ARC   none
ARC hop i=1 mx.google.com:
  SPF   pass  insight24.nl  aligned (relaxed and strict)
  DKIM  pass  insight24.nl s=selector1  aligned (relaxed and strict)
  DKIM  pass  insight24.onmicrosoft.com s=selector1-insight24-onmicrosoft-com  not aligned
  DMARC pass  insight24.nl  (the From domain)
  ARC   none
verdict: DMARC passes with aligned DKIM
plan: insight24.nl
  sender: Exchange Online (its DKIM selector selector1 signed as insight24.nl)
  next phase 2 quarantine half (adkim=r, aspf=r): passes with aligned DKIM
";
    assert_eq!(text(&out), want);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    assert!(readme.contains(want), "the README's example is not what verify-message prints");
}

#[test]
fn microsoft_365_headers_pasted_from_stdin_read_without_an_authserv_id() {
    let raw = std::fs::read(sample("m365-headers.txt")).expect("sample");
    let out = verify(&["-", "--json"], Some(&raw));
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let aligned = serde_json::json!({"relaxed": true, "strict": true});
    assert_eq!(
        json["spf"],
        serde_json::json!({"result": "pass", "domain": "insight24.nl", "aligned": aligned})
    );
    // The receiver names no selector; the DKIM-Signature field with that d= does.
    assert_eq!(
        json["dkim"],
        serde_json::json!([{"result": "pass", "domain": "insight24.nl", "selector": "selector1", "aligned": aligned}])
    );
    assert_eq!(json["dmarc"]["result"], "pass");
    assert_eq!(json["receiver"]["authserv_id"], Value::Null);
    assert_eq!((json["verdict"].as_str(), json["passes"].as_bool()), (Some("pass"), Some(true)));
}

#[test]
fn a_forwarded_message_shows_each_arc_hop_and_where_it_failed() {
    let out =
        verify(&[&sample("forwarded-arc.eml"), "--plan", "plans/insight24.toml", "--json"], None);
    assert_eq!(out.status.code(), Some(16));
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["dmarc"]["result"], "fail");
    assert_eq!(json["receiver"]["arc"], "pass");
    let hops: Vec<(u64, &str, &str)> = json["arc"]
        .as_array()
        .expect("hops")
        .iter()
        .map(|h| {
            let id = h["authserv_id"].as_str().unwrap_or_default();
            (
                h["instance"].as_u64().unwrap_or_default(),
                id,
                h["dmarc"]["result"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(hops, [(1, "relay.alumni.example", "pass"), (2, "mx.google.com", "fail")]);
    let notes = json["notes"].to_string();
    assert!(notes.contains("failed after forwarding, not at its sender"), "{notes}");
    assert_eq!(json["plan"]["sender"]["name"], "Exchange Online", "named from the first hop");
}

#[test]
fn a_message_that_fails_names_the_sender_and_what_the_next_phase_does_to_it() {
    let out = verify(&[&sample("failing.eml"), "--plan", "plans/insight24.toml"], None);
    assert_eq!(out.status.code(), Some(16));
    let shown = text(&out);
    for line in [
        "  SPF   pass  bnc.salesforce.com  not aligned",
        "  DKIM  pass  salesforce.com s=sf2026  not aligned",
        "  DMARC fail  insight24.nl  (the From domain)",
        "verdict: DMARC does NOT pass",
        "  sender: Salesforce (its mail bounces to bnc.salesforce.com, which include:_spf.salesforce.com covers)",
        "  next phase 2 quarantine half (adkim=r, aspf=r): FAILS, no identifier passes aligned; RFC 9989 receivers apply p=quarantine to it",
    ] {
        assert!(shown.lines().any(|l| l == line), "no line {line:?} in\n{shown}");
    }
}

#[test]
fn a_pass_today_that_strict_alignment_at_the_next_phase_breaks_exits_16() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = dir.path().join("strict.toml");
    std::fs::write(
        &plan,
        "[[phase]]\nname = \"monitor\"\np = \"none\"\n\n[[phase]]\nname = \"strict\"\np = \"quarantine\"\n\
         adkim = \"s\"\naspf = \"s\"\n\n[[domain]]\nname = \"example.com\"\n[domain.history]\n1 = 2026-11-01\n",
    )
    .expect("plan");
    let message = b"From: a@example.com\nAuthentication-Results: mx.test; dkim=pass header.d=mail.example.com \
        header.s=s1; spf=pass smtp.mailfrom=bounce.example.com; dmarc=pass header.from=example.com\n\n";
    let today = verify(&["-"], Some(message));
    assert_eq!(today.status.code(), Some(0), "relaxed alignment passes today");
    let next = verify(&["-", "--plan", &plan.display().to_string()], Some(message));
    assert_eq!(next.status.code(), Some(16));
    assert!(
        text(&next).contains("next phase 2 strict (adkim=s, aspf=s): FAILS"),
        "{}",
        text(&next)
    );
}

#[test]
fn headers_without_a_receivers_results_exit_17_and_a_missing_file_exits_2() {
    let out = verify(&[&sample("no-results.eml")], None);
    assert_eq!(out.status.code(), Some(17));
    assert!(text(&out).ends_with("verdict: no receiver's results in these headers\n"));
    let json: Value =
        serde_json::from_slice(&verify(&[&sample("no-results.eml"), "--json"], None).stdout)
            .expect("json");
    assert_eq!(json["verdict"], "no_results");
    let missing = verify(&["/nonexistent/message.eml"], None);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read the message"));
}

#[test]
fn hostile_header_bytes_are_escaped_and_bounded() {
    for json in [false, true] {
        let mut args = vec![sample("hostile.eml")];
        if json {
            args.push("--json".to_owned());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = verify(&args, None);
        assert_eq!(out.status.code(), Some(16), "'pa<ESC>ss' is no pass");
        let shown = std::str::from_utf8(&out.stdout).expect("UTF-8 out");
        let bad = shown
            .chars()
            .find(|&c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c));
        assert_eq!(bad, None, "raw control in {shown}");
        if !json {
            assert!(shown.contains("Results of mx\\027]52 (Authentication-Results)"), "{shown}");
            assert!(shown.lines().count() < 20, "3000 results in a second field are not shown");
        }
    }
}
