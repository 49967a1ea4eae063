//! Many domains at a glance: the marks each decision carries, the counts `status` ends with and
//! the filter behind `status --only`, and the orders the TUI's list is sorted in (by the plan,
//! by name, by due date, by verdict; domains still being looked up always come last).
#![allow(clippy::unwrap_used, reason = "in tests a panic is the failure report")]

use chrono::NaiveDate;
use dmarc_rollout::advice::{self, Advice, Inputs, LiveDmarc};
use dmarc_rollout::plan;
use dmarc_rollout::readiness::Readiness;
use dmarc_rollout::summary::{Mark, Order, Tally, marks, wanted};

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
    decided(PLAN, 0, live)
}

/// The decision for domain `index` of the plan `text`, its senders ready, on 2026-12-01.
fn decided(text: &str, index: usize, live: &LiveDmarc) -> Advice {
    let plan = plan::load("summary.toml", text).unwrap();
    advice::decide(&Inputs {
        domain: &plan.domains[index],
        live,
        readiness: Some(&Readiness::default()),
        reports: None,
        today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
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

/// Four domains at different places on the same two-phase ladder.
const ORDER_PLAN: &str = r#"
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
name = "late.example"
history = { 1 = 2026-10-01 }

[[domain]]
name = "later.example"
history = { 1 = 2026-11-01 }

[[domain]]
name = "soon.example"
history = { 1 = 2026-11-25 }

[[domain]]
name = "done.example"
history = { 1 = 2026-09-01, 2 = 2026-09-20 }
"#;

const MONITOR: &str = "v=DMARC1; p=none; rua=mailto:dmarc@example.com";
const ENFORCE: &str = "v=DMARC1; p=reject; rua=mailto:dmarc@example.com";

/// The plan's four domains decided, and a fifth still pending.
fn decisions() -> Vec<(&'static str, Option<Advice>)> {
    vec![
        ("pending.example", None),
        ("late.example", Some(decided(ORDER_PLAN, 0, &one(MONITOR)))),
        ("later.example", Some(decided(ORDER_PLAN, 1, &one(MONITOR)))),
        ("soon.example", Some(decided(ORDER_PLAN, 2, &one(MONITOR)))),
        ("done.example", Some(decided(ORDER_PLAN, 3, &one(ENFORCE)))),
        (
            "unknown.example",
            Some(decided(ORDER_PLAN, 1, &LiveDmarc::Unknown { why: "timed out".into() })),
        ),
    ]
}

fn names(order: Order) -> Vec<&'static str> {
    let decided = decisions();
    let rows: Vec<(&str, Option<&Advice>)> =
        decided.iter().map(|(name, advice)| (*name, advice.as_ref())).collect();
    order.arrange(&rows).into_iter().map(|i| decided[i].0).collect()
}

#[test]
fn the_plan_order_keeps_the_domains_as_listed() {
    assert_eq!(names(Order::Plan)[..2], ["pending.example", "late.example"]);
}

#[test]
fn by_name_sorts_alphabetically_pending_or_not() {
    let expected = [
        "done.example",
        "late.example",
        "later.example",
        "pending.example",
        "soon.example",
        "unknown.example",
    ];
    assert_eq!(names(Order::Name), expected);
}

#[test]
fn by_due_date_the_most_overdue_comes_first_and_pending_last() {
    let sorted = names(Order::Due);
    assert_eq!(sorted[..3], ["late.example", "later.example", "soon.example"]);
    assert_eq!(sorted.last(), Some(&"pending.example"));
}

#[test]
fn by_verdict_what_needs_fixing_comes_before_what_is_ready_and_done_comes_last_but_pending() {
    let sorted = names(Order::Verdict);
    assert_eq!(sorted[0], "unknown.example");
    assert_eq!(sorted[sorted.len() - 2..], ["done.example", "pending.example"]);
}

#[test]
fn the_orders_cycle_back_to_the_plans() {
    let cycle: Vec<Order> =
        std::iter::successors(Some(Order::Plan), |o| Some(o.next())).take(5).collect();
    let words: Vec<&str> = cycle.iter().map(|o| o.word()).collect();
    assert_eq!(words, ["plan", "name", "due", "verdict", "plan"]);
}
