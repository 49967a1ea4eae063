//! Loading plans: layering of defaults, overrides and ladders; the shipped plans' records.

use std::fmt::Write as _;

use chrono::NaiveDate;
use dmarc_rollout::plan::{Plan, load};
use dmarc_rollout::record::render::render;
use dmarc_rollout::record::{Policy, Tag};
use dmarc_rollout::rollout;

fn plan(text: &str) -> Plan {
    load("test.toml", text).unwrap_or_else(|e| panic!("{e:?}"))
}

fn shipped(name: &str) -> Plan {
    let path = format!("{}/plans/{name}", env!("CARGO_MANIFEST_DIR"));
    plan(&std::fs::read_to_string(path).expect("shipped plan"))
}

const ARTICLE: [&str; 3] = [
    "v=DMARC1; p=none; rua=mailto:secops@insight24.nl; fo=0; adkim=r; aspf=r; pct=50; rf=afrf; ri=86400; sp=none",
    "v=DMARC1; p=quarantine; rua=mailto:secops@insight24.nl; fo=0; adkim=r; aspf=r; pct=50; rf=afrf; ri=86400; sp=none",
    "v=DMARC1; p=quarantine; rua=mailto:secops@insight24.nl; fo=0; adkim=r; aspf=r; pct=100; rf=afrf; ri=86400; sp=none",
];

#[test]
fn the_article_plan_renders_its_three_records_byte_for_byte() {
    let plan = shipped("insight24.toml");
    let domain = plan.domain("insight24.nl").expect("planned");
    let rendered: Vec<String> = domain.phases.iter().map(|p| render(&p.record)).collect();
    assert_eq!(rendered, ARTICLE);
}

#[test]
fn the_article_plan_declares_both_senders_with_their_dkim_targets() {
    let plan = shipped("insight24.toml");
    let domain = &plan.domains[0];
    let names: Vec<&str> = domain.senders.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Exchange Online", "Salesforce"]);
    assert_eq!(domain.senders[0].spf_includes, ["spf.protection.outlook.com"]);
    assert_eq!(domain.senders[0].dkim[1].name, "selector2");
    assert_eq!(
        domain.senders[0].dkim[1].cname.as_deref(),
        Some("selector2-insight24-nl._domainkey.insight24.onmicrosoft.com")
    );
    assert_eq!(domain.ttl, 3600);
}

#[test]
fn every_phase_record_of_every_shipped_plan_is_snapshotted() {
    let mut matrix = String::new();
    for file in ["insight24.toml", "msp-example.toml", "dmarcbis.toml"] {
        for domain in shipped(file).domains {
            for (i, phase) in domain.phases.iter().enumerate() {
                writeln!(
                    matrix,
                    "{file} {} {} {}: {}",
                    domain.name,
                    i + 1,
                    phase.name,
                    render(&phase.record)
                )
                .expect("writing to a String");
            }
        }
    }
    insta::assert_snapshot!(matrix);
}

#[test]
fn a_domain_override_applies_to_every_phase_of_the_shared_ladder() {
    let plan = plan(
        r#"
        [defaults]
        rua = "mailto:a@example.com"
        [[phase]]
        name = "one"
        p = "none"
        [[phase]]
        name = "two"
        p = "reject"
        [[domain]]
        name = "example.com"
        adkim = "s"
        [[domain]]
        name = "example.net"
        rua = ["mailto:x@example.net", "mailto:y@example.net"]
        "#,
    );
    let com = plan.domain("example.com").expect("planned");
    assert!(
        com.phases
            .iter()
            .all(|p| p.record.adkim.is_some() && p.record.rua == ["mailto:a@example.com"])
    );
    let net = plan.domain("example.net").expect("planned");
    assert_eq!(
        render(&net.phases[1].record),
        "v=DMARC1; p=reject; rua=mailto:x@example.net,mailto:y@example.net"
    );
}

#[test]
fn a_domain_with_its_own_ladder_ignores_the_shared_one() {
    let plan = plan(
        r#"
        [[phase]]
        name = "shared"
        p = "none"
        [[domain]]
        name = "parked.example"
          [[domain.phase]]
          name = "parked"
          p = "reject"
        "#,
    );
    let phases = &plan.domains[0].phases;
    assert_eq!(phases.len(), 1);
    assert_eq!(phases[0].record.p, Some(Policy::Reject));
}

#[test]
fn a_loosening_phase_loads_when_it_says_so() {
    let plan = plan(
        r#"
        [[phase]]
        name = "reject"
        p = "reject"
        [[phase]]
        name = "back to quarantine"
        p = "quarantine"
        allow_loosen = true
        [[domain]]
        name = "example.com"
        "#,
    );
    assert!(plan.domains[0].phases[1].allow_loosen);
}

#[test]
fn test_mode_phases_accept_booleans_and_letters() {
    let plan = plan(
        r#"
        [[phase]]
        name = "a"
        p = "quarantine"
        t = true
        pct = 0
        [[phase]]
        name = "b"
        p = "quarantine"
        t = "n"
        [[domain]]
        name = "example.com"
        "#,
    );
    let phases = &plan.domains[0].phases;
    assert_eq!(phases[0].record.get(Tag::T).as_deref(), Some("y"));
    assert_eq!(phases[1].record.get(Tag::T).as_deref(), Some("n"));
}

#[test]
fn the_latest_history_entry_is_the_recorded_phase_and_decides_next() {
    let plan = plan(
        r#"
        [[phase]]
        name = "a"
        p = "none"
        [[phase]]
        name = "b"
        p = "quarantine"
        soak_days = 10
        [[phase]]
        name = "c"
        p = "reject"
        [[domain]]
        name = "example.com"
        [domain.history]
        1 = 2026-10-01
        2 = "2026-10-15"
        "#,
    );
    let domain = &plan.domains[0];
    assert_eq!(rollout::recorded_phase(domain), Some(1));
    let next = rollout::next_step(domain, Some(1));
    assert_eq!((next.phase, next.phase_name.as_str(), next.complete), (3, "c", false));
    let published = rollout::published_on(domain, 1).expect("recorded");
    assert_eq!(rollout::due_date(domain, 1, published), NaiveDate::from_ymd_opt(2026, 10, 25));
}

#[test]
fn nothing_recorded_means_phase_one_is_next_and_the_last_phase_repeats_when_complete() {
    let plan = shipped("insight24.toml");
    let domain = &plan.domains[0];
    assert_eq!(rollout::next_step(domain, None).phase, 1);
    let last = rollout::next_step(domain, Some(2));
    assert_eq!((last.phase, last.complete), (3, true));
}

#[test]
fn every_error_in_a_plan_is_reported_at_once_in_file_order() {
    let errors = load(
        "x.toml",
        "[[phase]]\nname = \"a\"\np = \"nope\"\nrau = \"x\"\n[[domain]]\nname = \"bad..name\"\n",
    )
    .expect_err("invalid");
    let lines: Vec<usize> = errors.iter().map(|e| e.location.line).collect();
    assert_eq!(lines, [3, 4, 6], "{errors:?}");
}

#[test]
fn hostile_plan_text_is_quoted_escaped_in_errors() {
    let errors = load(
        "x.toml",
        "[[phase]]\nname = \"a\"\np = \"\\u001b[31mred\"\n[[domain]]\nname = \"a.example\"\n",
    )
    .expect_err("invalid");
    assert!(errors[0].message.contains("'\\027[31mred'"), "{}", errors[0].message);
}

#[test]
fn a_negative_or_fractional_soak_is_named_in_words_at_its_place() {
    let with_soak = |soak: &str| {
        let text = format!(
            "[[phase]]\nname = \"m\"\np = \"none\"\nsoak_days = {soak}\n[[domain]]\nname = \"a.example\"\n"
        );
        let errors = load("x.toml", &text).expect_err("invalid");
        (errors[0].location.line, errors[0].message.clone())
    };
    let (line, message) = with_soak("-3");
    assert_eq!(line, 4);
    assert!(message.ends_with("found -3, which is negative"), "{message}");
    assert!(with_soak("5_000_000_000").1.ends_with("found 5000000000, which is too large"));
    assert!(with_soak("1.5").1.ends_with("found a float"));
    assert!(with_soak("[]").1.ends_with("found an array"));
}
