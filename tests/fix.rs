//! Every failure kind's fix, asserted exactly (owner, type, value, TTL, commands, what it
//! fixes), against zones served by a real authoritative server on 127.0.0.1: Microsoft 365
//! selectors missing (with and without the targets in the plan), dangling and weak; other
//! senders' selectors; SPF (missing include, none, `+all`, two records, over ten lookups);
//! report authorization; the `_dmarc` name (two records, a CNAME, a broken record, a record
//! the decision holds back); and a failed lookup, which gets no fix.

mod support;

use std::fmt::Write as _;

use dmarc_rollout::fix::DnsOp::{Create, Delete, Replace};
use dmarc_rollout::fix::RecordType::{Cname, Txt};
use support::dns_server::zone_text;
use support::fixing::{
    D, M365_WITH_TARGETS, M365_WITHOUT_TARGETS, PHASE_1, PHASE_2, S1, S2, cnames, dns, exchange,
    m365_zones, manual, plan, plan_with, shape, standing, zone,
};
use support::keys::{RSA_1024, RSA_2048, key_txt};

const PREPARE: &str = "if (-not (Get-DkimSigningConfig -Identity contoso.test -ErrorAction \
    SilentlyContinue)) { New-DkimSigningConfig -DomainName contoso.test -KeySize 2048 -Enabled $false }";
const PRINT: &str =
    "Get-DkimSigningConfig -Identity contoso.test | Format-List Selector1CNAME, Selector2CNAME";
const ENABLE: &str = "Set-DkimSigningConfig -Identity contoso.test -Enabled $true";
const ROTATE: &str = "Rotate-DkimSigningConfig -Identity contoso.test -KeySize 2048";

#[tokio::test]
async fn missing_microsoft_selectors_get_the_exchange_sequence_around_both_cnames() {
    let s = standing(&m365_zones("", ""), &plan(D, Some(1), M365_WITH_TARGETS)).await;
    let missing = &["dkim.selector_missing"];
    assert_eq!(
        shape(&s.fixes.actions),
        [
            exchange(1, &["Connect-ExchangeOnline", PREPARE, PRINT], missing),
            dns(2, Create, ("selector1._domainkey.contoso.test", Cname, S1), None, missing),
            dns(3, Create, ("selector2._domainkey.contoso.test", Cname, S2), None, missing),
            exchange(4, &[ENABLE], missing),
        ]
    );
    assert!(s.fixes.unfixed.is_empty() && s.fixes.unknown.is_empty(), "{:?}", s.fixes);
}

#[tokio::test]
async fn without_the_targets_in_the_plan_the_fix_says_so_and_where_to_read_them() {
    let s = standing(&m365_zones("", ""), &plan(D, Some(1), M365_WITHOUT_TARGETS)).await;
    let missing = &["dkim.selector_missing"];
    assert_eq!(
        shape(&s.fixes.actions),
        [
            exchange(1, &["Connect-ExchangeOnline", PREPARE, PRINT], missing),
            manual(2, "your DNS", missing),
            manual(3, "your DNS", missing),
            exchange(4, &[ENABLE], missing),
        ]
    );
    let why = &s.fixes.actions[2].why;
    for words in ["selector2._domainkey.contoso.test", "Selector2CNAME", "cannot be derived"] {
        assert!(why.contains(words), "{why}");
    }
}

#[tokio::test]
async fn a_dangling_microsoft_cname_is_fixed_by_enabling_signing_and_a_weak_key_by_rotating() {
    let weak = format!(
        "selector1-contoso-test._domainkey.contoso TXT {k}\nselector2-contoso-test._domainkey.contoso TXT {k}\n",
        k = key_txt(RSA_1024)
    );
    let cases = [
        ("", exchange(1, &["Connect-ExchangeOnline", ENABLE], &["dkim.dangling_cname"])),
        (weak.as_str(), exchange(1, &["Connect-ExchangeOnline", ROTATE], &["dkim.weak_key"])),
    ];
    for (keys, want) in cases {
        let s = standing(&m365_zones(&cnames(), keys), &plan(D, Some(1), M365_WITH_TARGETS)).await;
        assert_eq!(shape(&s.fixes.actions), [want], "{keys}");
    }
}

#[tokio::test]
async fn other_senders_get_their_cname_or_the_console_their_key_comes_from() {
    let senders = "[[domain.sender]]\nname = \"Salesforce\"\nspf_include = \"_spf.salesforce.com\"\n\
        dkim = [\"sf1\"]\n\n[[domain.sender]]\nname = \"Mailer\"\ndkim.k1 = \"k1.keys.mailer.test\"\n";
    let zones = [
        zone(
            D,
            &format!(
                "@ TXT \"v=spf1 include:_spf.salesforce.com -all\"\n_dmarc TXT \"{PHASE_1}\"\n"
            ),
        ),
        zone_text("salesforce.com", "_spf TXT \"v=spf1 ip4:13.110.0.0/15 -all\"\n"),
        zone_text("mailer.test", &format!("k1.keys TXT {}\n", key_txt(RSA_2048))),
    ];
    let s = standing(&zones, &plan(D, Some(1), senders)).await;
    let missing = &["dkim.selector_missing"];
    assert_eq!(
        shape(&s.fixes.actions),
        [
            manual(1, "Salesforce Setup (DKIM Keys)", missing),
            dns(
                2,
                Create,
                ("k1._domainkey.contoso.test", Cname, "k1.keys.mailer.test"),
                None,
                missing
            ),
        ]
    );
    assert!(
        s.fixes.actions[0].why.contains("sf1._domainkey.contoso.test must hold the v=DKIM1 key")
    );
}

const VENDOR: &str = "[[domain.sender]]\nname = \"Vendor\"\nspf_include = \"_spf.vendor.test\"\n";

/// One SPF case: the apex TXT records, the phase recorded (and live), and the actions wanted.
struct SpfCase {
    apex: &'static [&'static str],
    recorded: usize,
    want: Vec<dmarc_rollout::fix::Action>,
    lookups: &'static str,
}

#[tokio::test]
async fn spf_gets_one_complete_record_with_its_lookups_counted() {
    let at = |v| (D, Txt, v);
    let cases = [
        SpfCase {
            apex: &["v=spf1 mx -all"],
            recorded: 1,
            want: vec![dns(
                1,
                Replace,
                at("v=spf1 mx include:_spf.vendor.test -all"),
                Some("v=spf1 mx -all"),
                &["spf.missing_include"],
            )],
            lookups: "2/10 DNS lookups after the change",
        },
        SpfCase {
            apex: &[],
            recorded: 1,
            want: vec![dns(
                1,
                Create,
                at("v=spf1 include:_spf.vendor.test -all"),
                None,
                &["spf.no_record", "spf.missing_include"],
            )],
            lookups: "1/10",
        },
        SpfCase {
            apex: &["v=spf1 include:_spf.vendor.test +all"],
            recorded: 1,
            want: vec![dns(
                1,
                Replace,
                at("v=spf1 include:_spf.vendor.test ~all"),
                Some("v=spf1 include:_spf.vendor.test +all"),
                &["spf.pass_all"],
            )],
            lookups: "while the domain is monitoring",
        },
        SpfCase {
            apex: &["v=spf1 include:_spf.vendor.test all"],
            recorded: 2,
            want: vec![dns(
                1,
                Replace,
                at("v=spf1 include:_spf.vendor.test -all"),
                Some("v=spf1 include:_spf.vendor.test all"),
                &["spf.pass_all"],
            )],
            lookups: "with '-all'",
        },
        SpfCase {
            apex: &["v=spf1 include:_spf.vendor.test -all", "v=spf1 ip4:192.0.2.9 ~all"],
            recorded: 1,
            want: vec![
                dns(
                    1,
                    Replace,
                    at("v=spf1 include:_spf.vendor.test ip4:192.0.2.9 ~all"),
                    Some("v=spf1 include:_spf.vendor.test -all"),
                    &["spf.multiple_records"],
                ),
                dns(2, Delete, at("v=spf1 ip4:192.0.2.9 ~all"), None, &["spf.multiple_records"]),
            ],
            lookups: "Merges the 2 SPF records",
        },
    ];
    for case in cases {
        let live = if case.recorded == 2 { PHASE_2 } else { PHASE_1 };
        let apex: String = case.apex.iter().fold(String::new(), |mut apex, t| {
            let _ = writeln!(apex, "@ TXT \"{t}\"");
            apex
        });
        let zones = [
            zone(D, &format!("{apex}_dmarc TXT \"{live}\"\n")),
            zone_text("vendor.test", "_spf TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"),
        ];
        let s = standing(&zones, &plan(D, Some(case.recorded), VENDOR)).await;
        assert_eq!(shape(&s.fixes.actions), case.want, "{:?}", case.apex);
        assert!(s.fixes.actions[0].why.contains(case.lookups), "{}", s.fixes.actions[0].why);
        assert!(s.fixes.unfixed.is_empty(), "{:?}", s.fixes.unfixed);
    }
}

#[tokio::test]
async fn a_record_over_ten_lookups_is_refused_naming_what_costs_most() {
    // _spf.vendor.test costs 10 with its chain of 9; the live record's mx makes it 11.
    let mut chain = String::from("_spf TXT \"v=spf1 include:i1.vendor.test -all\"\n");
    for k in 1..9 {
        let _ = writeln!(chain, "i{k} TXT \"v=spf1 include:i{}.vendor.test -all\"", k + 1);
    }
    chain.push_str("i9 TXT \"v=spf1 ip4:192.0.2.1 -all\"\n");
    let zones = [
        zone(D, &format!("@ TXT \"v=spf1 mx -all\"\n_dmarc TXT \"{PHASE_1}\"\n")),
        zone_text("vendor.test", &chain),
    ];
    let s = standing(&zones, &plan(D, Some(1), VENDOR)).await;
    assert_eq!(shape(&s.fixes.actions), [manual(1, "your DNS", &[])]);
    let why = &s.fixes.actions[0].why;
    assert!(why.contains("need 11 DNS lookups"), "{why}");
    assert!(why.contains("What costs most: include:_spf.vendor.test (10 lookups)."), "{why}");
    let unfixed: Vec<&str> = s.fixes.unfixed.iter().map(|u| u.id).collect();
    assert_eq!(unfixed, ["spf.missing_include"]);
}

#[tokio::test]
async fn an_external_report_host_is_told_the_record_it_must_publish() {
    let zones = [
        zone(
            D,
            "@ TXT \"v=spf1 mx -all\"\n_dmarc TXT \"v=DMARC1; p=none; rua=mailto:d@reports.other.test\"\n",
        ),
        zone("other.test", "reports MX 10 mx.other.test.\n"),
    ];
    let s = standing(&zones, &plan_with(D, "mailto:d@reports.other.test", Some(1), "")).await;
    let mut want = dns(
        1,
        Create,
        ("contoso.test._report._dmarc.reports.other.test", Txt, "v=DMARC1"),
        None,
        &["reports.unauthorized"],
    );
    want.by = Some("the owner of reports.other.test".to_owned());
    assert_eq!(shape(&s.fixes.actions), [want]);
}

#[tokio::test]
async fn the_dmarc_name_keeps_the_plans_record_and_loses_what_is_in_its_way() {
    let several = &["dmarc.multiple_records"];
    let delegated = &["dmarc.delegated"];
    let cases = [
        (
            format!("_dmarc TXT \"{PHASE_1}\"\n_dmarc TXT \"{PHASE_2}\"\n"),
            vec![dns(1, Delete, ("_dmarc.contoso.test", Txt, PHASE_2), None, several)],
        ),
        (
            "_dmarc CNAME elsewhere.contoso.test.\nelsewhere TXT \"hello\"\n".to_owned(),
            vec![
                dns(
                    1,
                    Delete,
                    ("_dmarc.contoso.test", Cname, "elsewhere.contoso.test"),
                    None,
                    delegated,
                ),
                dns(2, Create, ("_dmarc.contoso.test", Txt, PHASE_1), None, delegated),
            ],
        ),
        (
            "_dmarc CNAME contoso.dmarc.vendor.test.\n".to_owned(),
            vec![manual(
                1,
                "the vendor behind contoso.dmarc.vendor.test",
                &["dmarc.delegated", "dmarc.p_invalid"],
            )],
        ),
        (
            "_dmarc TXT \"v=DMARC1; p=rejct; rua=mailto:dmarc@contoso.test\"\n".to_owned(),
            vec![dns(
                1,
                Replace,
                ("_dmarc.contoso.test", Txt, PHASE_1),
                Some("v=DMARC1; p=rejct; rua=mailto:dmarc@contoso.test"),
                &["dmarc.p_invalid"],
            )],
        ),
    ];
    for (body, want) in cases {
        let zones = [
            zone(D, &format!("@ TXT \"v=spf1 mx -all\"\n{body}")),
            zone_text("vendor.test", "contoso.dmarc TXT \"v=DMARC1; p=rejct\"\n"),
        ];
        let s = standing(&zones, &plan(D, Some(1), "")).await;
        assert_eq!(shape(&s.fixes.actions), want, "{body}");
    }
}

#[tokio::test]
async fn a_txt_change_keeps_the_values_at_its_name_that_no_action_touches() {
    let apex = "@ TXT \"MS=ms48291735\"\n@ TXT \"v=spf1 mx +all\"\n@ TXT \"v=spf1 a -all\"\n";
    let two = format!("_dmarc TXT \"{PHASE_1}\"\n_dmarc TXT \"v=DMARC1; p=reject\"\n");
    let s = standing(&[zone(D, &format!("{apex}{two}"))], &plan(D, Some(1), "")).await;
    let keeps: Vec<(&str, &str, &[String])> = s
        .fixes
        .actions
        .iter()
        .filter_map(|a| a.dns_change())
        .map(|c| (c.owner.as_str(), c.value.as_str(), c.keeps.as_slice()))
        .collect();
    let verification = ["MS=ms48291735".to_owned()];
    let phase_1 = [PHASE_1.to_owned()];
    assert_eq!(
        keeps,
        [
            (D, "v=spf1 mx a ~all", &verification[..]),
            (D, "v=spf1 a -all", &verification[..]),
            ("_dmarc.contoso.test", "v=DMARC1; p=reject", &phase_1[..]),
        ]
    );
}

#[tokio::test]
async fn a_broken_record_whose_repair_the_decision_blocks_gets_no_value() {
    // The repair is phase 2 (recorded), which enforces while the vendor's include is missing.
    let zones = [
        zone(
            D,
            "@ TXT \"v=spf1 mx -all\"\n_dmarc TXT \"v=DMARC1; p=rejct; rua=mailto:dmarc@contoso.test\"\n",
        ),
        zone_text("vendor.test", "_spf TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"),
    ];
    let s = standing(&zones, &plan(D, Some(2), VENDOR)).await;
    let spf = dns(
        1,
        Replace,
        (D, Txt, "v=spf1 mx include:_spf.vendor.test -all"),
        Some("v=spf1 mx -all"),
        &["spf.missing_include"],
    );
    assert_eq!(
        shape(&s.fixes.actions),
        [spf, manual(2, "_dmarc.contoso.test", &["dmarc.p_invalid"])]
    );
    let why = &s.fixes.actions[1].why;
    assert!(
        why.contains("phase 2, quarantine") && why.contains("lacks 'include:_spf.vendor.test'"),
        "{why}"
    );
    assert!(!why.contains("v=DMARC1"), "no value while the decision holds it back: {why}");
}

#[tokio::test]
async fn a_lookup_that_failed_gets_no_fix_only_a_word_that_it_is_unknown() {
    let zones = [zone(
        "servfail.test",
        &format!("@ TXT \"v=spf1 +all\"\n_dmarc TXT \"{PHASE_1}\"\n_dmarc TXT \"{PHASE_2}\"\n"),
    )];
    let s = standing(&zones, &plan("servfail.test", Some(1), VENDOR)).await;
    assert!(s.fixes.actions.is_empty(), "{:?}", s.fixes.actions);
    assert!(
        s.fixes.unknown.iter().any(|u| u.contains("_dmarc.servfail.test")),
        "{:?}",
        s.fixes.unknown
    );
}
