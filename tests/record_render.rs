//! Rendering records: tag order, and splitting long values into character-strings.

use dmarc_rollout::record::render::{
    MAX_CHARACTER_STRING, render, split_character_strings, zone_text,
};
use dmarc_rollout::record::{DmarcRecord, Policy, Tag};

#[test]
fn v_comes_first_and_p_second_whatever_order_tags_are_set_in() {
    let mut r = DmarcRecord::default();
    r.set(Tag::Sp, "reject").expect("valid");
    r.set(Tag::Rua, "mailto:a@example.com").expect("valid");
    r.set(Tag::P, "quarantine").expect("valid");
    assert_eq!(render(&r), "v=DMARC1; p=quarantine; rua=mailto:a@example.com; sp=reject");
}

#[test]
fn t_is_rendered_beside_pct_and_the_new_tags_last() {
    let mut r = DmarcRecord { p: Some(Policy::Reject), ..DmarcRecord::default() };
    for (tag, value) in [(Tag::Psd, "n"), (Tag::Np, "reject"), (Tag::T, "y"), (Tag::Pct, "0")] {
        r.set(tag, value).expect("valid");
    }
    assert_eq!(render(&r), "v=DMARC1; p=reject; pct=0; t=y; np=reject; psd=n");
}

#[test]
fn a_short_value_is_one_character_string() {
    assert_eq!(zone_text("v=DMARC1; p=none"), "\"v=DMARC1; p=none\"");
}

#[test]
fn a_long_value_is_split_after_a_separator_and_joins_back_exactly() {
    let mut r = DmarcRecord { p: Some(Policy::None), ..DmarcRecord::default() };
    let uris: Vec<String> =
        (0..12).map(|i| format!("mailto:dmarc-reports-{i}@reports.example.com")).collect();
    r.set(Tag::Rua, &uris.join(",")).expect("valid");
    r.set(Tag::Ruf, "mailto:forensic@example.com").expect("valid");
    let value = render(&r);
    assert!(value.len() > 2 * MAX_CHARACTER_STRING);
    let pieces = split_character_strings(&value);
    assert!(pieces.len() >= 3);
    assert!(pieces.iter().all(|p| p.len() <= MAX_CHARACTER_STRING));
    assert_eq!(pieces.concat(), value);
    let zone = zone_text(&value);
    assert_eq!(zone.matches('"').count(), 2 * pieces.len());
}

#[test]
fn a_value_without_separators_is_split_at_the_limit_on_a_char_boundary() {
    let value = "é".repeat(300);
    let pieces = split_character_strings(&value);
    assert!(pieces.iter().all(|p| p.len() <= MAX_CHARACTER_STRING));
    assert_eq!(pieces.concat(), value);
}

#[test]
fn quotes_and_backslashes_are_escaped_in_zone_text() {
    assert_eq!(zone_text(r#"a"b\c"#), r#""a\"b\\c""#);
}

#[test]
fn same_meaning_ignores_explicit_defaults_and_case_but_not_policy() {
    let mut a = DmarcRecord::default();
    a.set(Tag::P, "REJECT").expect("valid");
    let mut b = a.clone();
    b.set(Tag::Adkim, "r").expect("valid");
    b.set(Tag::Pct, "100").expect("valid");
    b.set(Tag::Sp, "reject").expect("valid");
    assert!(a.same_meaning(&b));
    b.set(Tag::Pct, "50").expect("valid");
    assert!(!a.same_meaning(&b));
    assert_eq!(a.diff(&b), vec![(Tag::Pct, "100".to_owned(), "50".to_owned())]);
}
