//! The orders the TUI's domain list is sorted in: by the plan, by name, by due date, by
//! verdict; domains still being looked up always come last.
#![allow(clippy::unwrap_used, reason = "in tests a panic is the failure report")]

use chrono::NaiveDate;
use dmarc_rollout::advice::{self, Advice, Inputs, LiveDmarc};
use dmarc_rollout::plan;
use dmarc_rollout::readiness::Readiness;
use dmarc_rollout::summary::Order;

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

fn decide(index: usize, live: &LiveDmarc) -> Advice {
    let plan = plan::load("order.toml", PLAN).unwrap();
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

/// The plan's four domains decided, and a fifth still pending.
fn decisions() -> Vec<(&'static str, Option<Advice>)> {
    vec![
        ("pending.example", None),
        ("late.example", Some(decide(0, &one(MONITOR)))),
        ("later.example", Some(decide(1, &one(MONITOR)))),
        ("soon.example", Some(decide(2, &one(MONITOR)))),
        ("done.example", Some(decide(3, &one(ENFORCE)))),
        ("unknown.example", Some(decide(1, &LiveDmarc::Unknown { why: "timed out".into() }))),
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
