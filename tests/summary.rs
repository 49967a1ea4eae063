//! Many domains at a glance: the marks each decision carries, the counts `status` ends with and
//! the filter behind `status --only`.
#![allow(clippy::unwrap_used, reason = "in tests a panic is the failure report")]

use chrono::NaiveDate;
use dmarc_rollout::advice::{self, Advice, Inputs, LiveDmarc};
use dmarc_rollout::plan;
use dmarc_rollout::readiness::Readiness;
use dmarc_rollout::summary::{Mark, Tally, marks, wanted};

const PLAN: &str = r#"
[defaults]
rua = ["mailto:dmarc@example.com"]

[[phase]]
name = "monitor"
p = "none"
soak_days = 14

[[phase]]
name = "enforce"
p = "reject"

[[domain]]
name = "example.com"
history = { 1 = 2026-11-01 }
"#;

fn decide(live: &LiveDmarc) -> Advice {
    let plan = plan::load("summary.toml", PLAN).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    advice::decide(&Inputs {
        domain: &plan.domains[0],
        live,
        readiness: Some(&Readiness::default()),
        reports: None,
        today,
    })
}

fn one(record: &str) -> LiveDmarc {
    LiveDmarc::One(record.to_owned())
}

#[test]
fn a_monitoring_domain_past_its_soak_is_ready_and_overdue() {
    let advice = decide(&one("v=DMARC1; p=none; rua=mailto:dmarc@example.com"));
    assert_eq!(marks(&advice), [Mark::Ready, Mark::Overdue]);
}

#[test]
fn the_last_phase_live_is_done_and_never_overdue() {
    let advice = decide(&one("v=DMARC1; p=reject; rua=mailto:dmarc@example.com"));
    assert_eq!(marks(&advice), [Mark::Done]);
}

#[test]
fn a_record_no_phase_matches_is_marked_drift_beside_its_verdict() {
    let advice = decide(&one("v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"));
    assert!(marks(&advice).contains(&Mark::Drift), "{:?}", marks(&advice));
}

#[test]
fn a_lookup_that_failed_is_unknown() {
    let advice = decide(&LiveDmarc::Unknown { why: "timed out".into() });
    assert_eq!(marks(&advice)[0], Mark::Unknown);
}

#[test]
fn the_summary_counts_each_verdict_once_and_the_flags_on_top_and_pending_apart() {
    let ready = decide(&one("v=DMARC1; p=none; rua=mailto:dmarc@example.com"));
    let done = decide(&one("v=DMARC1; p=reject; rua=mailto:dmarc@example.com"));
    let unknown = decide(&LiveDmarc::Unknown { why: "timed out".into() });
    let tally: Tally =
        [Some(&ready), Some(&done), Some(&ready), Some(&unknown), None].into_iter().collect();
    assert_eq!(tally.domains(), 5);
    assert_eq!(tally.count(Mark::Ready), 2);
    assert_eq!(tally.count(Mark::Overdue), 2);
    assert_eq!(tally.pending(), 1);
    assert_eq!(tally.to_string(), "5 domains: 1 done, 2 ready, 1 unknown, 1 pending; 2 overdue");
}

#[test]
fn one_domain_is_named_in_the_singular_and_no_marks_leave_the_count_alone() {
    let done = decide(&one("v=DMARC1; p=reject; rua=mailto:dmarc@example.com"));
    assert_eq!([Some(&done)].into_iter().collect::<Tally>().to_string(), "1 domain: 1 done");
    assert_eq!(Tally::default().to_string(), "0 domains");
}

#[test]
fn the_filter_keeps_a_domain_carrying_any_wanted_mark_and_everything_when_none_is_asked() {
    let ready = decide(&one("v=DMARC1; p=none; rua=mailto:dmarc@example.com"));
    assert!(wanted(&ready, &[Mark::Blocked, Mark::Overdue]));
    assert!(!wanted(&ready, &[Mark::Blocked, Mark::Done]));
    assert!(wanted(&ready, &[]));
}

#[test]
fn marks_are_read_from_their_words_and_a_wrong_word_lists_the_right_ones() {
    assert_eq!("overdue".parse::<Mark>(), Ok(Mark::Overdue));
    let err = "late".parse::<Mark>().unwrap_err();
    assert!(err.contains("done, ready, blocked, hold, unknown, drift, overdue"), "{err}");
}
