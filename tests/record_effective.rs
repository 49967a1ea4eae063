//! The policy each receiver generation applies: one table row per record text and receiver.

use dmarc_rollout::record::{DmarcRecord, Effective, Policy, Receiver, effective, parse};

use Policy::{None as N, Quarantine as Q, Reject as R};
use Receiver::{Rfc7489 as R7489, Rfc9989 as R9989};

/// What a row expects: `None` for "no DMARC applied", else (p, sp, np, pct, rest).
type Expect = Option<(Policy, Policy, Option<Policy>, u8, Option<Policy>)>;

const RUA: &str = "rua=mailto:dmarc@example.com";

const CASES: &[(&str, Receiver, Expect)] = &[
    // The example from the brief: 7489 samples, 9989 applies in full.
    ("v=DMARC1; p=quarantine; pct=50", R7489, Some((Q, Q, None, 50, Some(N)))),
    ("v=DMARC1; p=quarantine; pct=50", R9989, Some((Q, Q, Some(Q), 100, None))),
    ("v=DMARC1; p=reject; pct=50; {rua}", R7489, Some((R, R, None, 50, Some(Q)))),
    ("v=DMARC1; p=reject; pct=50; {rua}", R9989, Some((R, R, Some(R), 100, None))),
    ("v=DMARC1; p=reject; pct=100", R7489, Some((R, R, None, 100, None))),
    // Test mode: pct=0 for 7489, t=y for 9989, one level below either way.
    ("v=DMARC1; p=reject; pct=0; t=y", R7489, Some((R, R, None, 0, Some(Q)))),
    ("v=DMARC1; p=reject; pct=0; t=y", R9989, Some((Q, Q, Some(Q), 100, None))),
    ("v=DMARC1; p=quarantine; pct=0; t=y", R9989, Some((N, N, Some(N), 100, None))),
    ("v=DMARC1; p=quarantine; pct=0; t=y", R7489, Some((Q, Q, None, 0, Some(N)))),
    ("v=DMARC1; p=reject; t=y", R7489, Some((R, R, None, 100, None))),
    ("v=DMARC1; p=reject; t=n", R9989, Some((R, R, Some(R), 100, None))),
    ("v=DMARC1; p=none; t=y", R9989, Some((N, N, Some(N), 100, None))),
    // Defaults: sp from p, np from sp (9989 only).
    ("v=DMARC1; p=reject; sp=quarantine", R9989, Some((R, Q, Some(Q), 100, None))),
    ("v=DMARC1; p=none; sp=quarantine; np=reject", R9989, Some((N, Q, Some(R), 100, None))),
    ("v=DMARC1; p=none; sp=quarantine; np=reject", R7489, Some((N, Q, None, 100, None))),
    ("v=DMARC1; p=reject; sp=none; t=y", R9989, Some((Q, N, Some(N), 100, None))),
    // Missing p: 9989 reads none; 7489 needs a valid rua address.
    ("v=DMARC1", R9989, Some((N, N, Some(N), 100, None))),
    ("v=DMARC1", R7489, None),
    ("v=DMARC1; {rua}", R7489, Some((N, N, None, 100, None))),
    ("v=DMARC1; sp=reject; {rua}", R9989, Some((N, R, Some(R), 100, None))),
    ("v=DMARC1; rua=https://example.com/r", R7489, None),
    // Invalid p/sp/np: both fall back to none only with a valid rua address.
    ("v=DMARC1; p=reject rua=mailto:d@contoso.com", R7489, None),
    ("v=DMARC1; p=reject rua=mailto:d@contoso.com", R9989, None),
    ("v=DMARC1; p=block; {rua}", R7489, Some((N, N, None, 100, None))),
    ("v=DMARC1; p=block; {rua}", R9989, Some((N, N, Some(N), 100, None))),
    ("v=DMARC1; p=reject; sp=maybe; {rua}", R7489, Some((N, N, None, 100, None))),
    ("v=DMARC1; p=reject; sp=maybe", R9989, None),
    ("v=DMARC1; p=reject; np=never", R7489, Some((R, R, None, 100, None))),
    ("v=DMARC1; p=reject; np=never", R9989, None),
    ("v=DMARC1; p=reject; np=never; {rua}", R9989, Some((N, N, Some(N), 100, None))),
    // Other invalid values are ignored: defaults apply.
    ("v=DMARC1; p=reject; pct=150; adkim=x", R7489, Some((R, R, None, 100, None))),
    ("v=DMARC1; p=reject; t=yes", R9989, Some((R, R, Some(R), 100, None))),
    // Discarded records: no DMARC at all, whatever the rua.
    ("v=DMARC1; p=reject; {rua}; p=none", R7489, None),
    ("v=DMARC1; p=reject; {rua}; p=none", R9989, None),
    ("v=dmarc1; p=reject; {rua}", R9989, None),
    (" v=DMARC1; p=reject; {rua}", R7489, None),
    ("\"v=DMARC1; p=reject; {rua}\"", R9989, None),
    ("v=spf1 -all", R7489, None),
    // The insight24.nl record: pct on none changes nothing that matters.
    (
        "v=DMARC1; p=none; rua=mailto:secops@insight24.nl; fo=0; adkim=r; aspf=r; pct=50; \
         rf=afrf; ri=86400; sp=none",
        R9989,
        Some((N, N, Some(N), 100, None)),
    ),
];

fn summary(e: &Effective) -> Expect {
    e.applies.then(|| (e.p.expect("p"), e.sp.expect("sp"), e.np, e.pct, e.rest))
}

#[test]
fn each_receiver_applies_what_its_rfc_says() {
    let mut failures = Vec::new();
    for (template, receiver, expected) in CASES {
        let text = template.replace("{rua}", RUA);
        let got = parse(&text).effective(*receiver);
        if summary(&got) != *expected {
            failures.push(format!("{text} ({receiver:?}): expected {expected:?}, got {got:?}"));
        }
        if !got.applies {
            assert!(got.p.is_none() && got.reason.is_some(), "{text}: {got:?}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_valid_record_gives_the_same_answer_from_text_or_from_the_model() {
    for (template, receiver, _) in CASES {
        let parsed = parse(&template.replace("{rua}", RUA));
        if let Some(record) = parsed.record.as_ref().filter(|_| parsed.is_valid()) {
            assert_eq!(effective(record, *receiver), parsed.effective(*receiver), "{template}");
        }
    }
}

#[test]
fn fallbacks_and_adjustments_say_why() {
    let reason = |text: &str, r| parse(text).effective(r).reason.unwrap_or_default();
    assert!(reason("v=DMARC1; p=block; rua=mailto:a@example.com", R7489).contains("invalid p"));
    assert!(reason("v=DMARC1; p=reject; pct=0; t=y", R9989).contains("t=y"));
    assert!(reason("v=DMARC1; p=reject; pct=20", R7489).contains("80%"));
    assert!(reason("v=DMARC1; p=reject; p=none", R7489).contains("written twice"));
    assert!(reason("v=DMARC1", R9989).contains("no p"));
    assert_eq!(parse("v=DMARC1; p=reject").effective(R9989).reason, None);
}

#[test]
fn a_plan_record_without_p_follows_the_rua_rule() {
    let no_p = DmarcRecord::default();
    assert!(!effective(&no_p, R7489).applies);
    assert_eq!(effective(&no_p, R9989).p, Some(N));
    let with_rua = DmarcRecord { rua: vec!["mailto:a@example.com".to_owned()], ..no_p.clone() };
    assert_eq!(effective(&with_rua, R7489).p, Some(N));
    let bad_rua = DmarcRecord { rua: vec!["mailto:nobody".to_owned()], ..no_p };
    assert!(!effective(&bad_rua, R7489).applies);
}

#[test]
fn effective_serializes_with_the_json_field_names() {
    let e = parse("v=DMARC1; p=quarantine; pct=50").effective(R7489);
    let json = serde_json::to_value(&e).expect("serializes");
    assert_eq!(json["applies"], true);
    assert_eq!(json["p"], "quarantine");
    assert_eq!(json["sp"], "quarantine");
    assert_eq!(json["np"], serde_json::Value::Null);
    assert_eq!(json["pct"], 50);
    assert_eq!(json["rest"], "none");
    assert_eq!(serde_json::to_value(R9989).expect("serializes"), "rfc9989");
}
