//! SPF: record parsing and its findings, record selection, expected includes, and the driven
//! lookup walk run against a fake resolver.

use std::collections::HashMap;

use dmarc_rollout::record::Severity;
use dmarc_rollout::record::spf::{
    NodeOutcome, Qualifier, Query, QueryKind, Reply, SpfReport, SpfWalk, TermKind,
    missing_includes, parse_spf, render_tree, select_spf,
};

fn ids(text: &str) -> Vec<&'static str> {
    parse_spf(text).findings.iter().map(|f| f.id).collect()
}

#[test]
fn record_text_rules_give_their_findings() {
    let long_256 = format!("v=spf1 {} -all", "ip4:192.0.2.1 ".repeat(18));
    let long_451 = format!("v=spf1 {} -all", "ip4:192.0.2.1 ".repeat(32));
    let long_513 = format!("v=spf1 {} -all", "ip4:192.0.2.1 ".repeat(36));
    let cases: Vec<(&str, &str, Vec<&str>)> = vec![
        ("plain record is fine", "v=spf1 mx -all", vec![]),
        ("softfail is fine", "v=spf1 include:_spf.google.com ~all", vec![]),
        ("version alone has no all", "v=spf1", vec!["spf.no_all"]),
        ("upper-case version is SPF", "V=SPF1 -all", vec![]),
        ("no space after version", "v=spf1include:_spf.google.com -all", vec!["spf.not_spf"]),
        ("not SPF at all", "google-site-verification=abc", vec!["spf.not_spf"]),
        ("spf2.0 is not SPF", "spf2.0/pra -all", vec!["spf.not_spf"]),
        ("leading whitespace", " v=spf1 -all", vec!["spf.leading_whitespace"]),
        ("extra spaces between terms are fine", "v=spf1  mx   -all  ", vec![]),
        ("unknown mechanism", "v=spf1 mx inclde:x.example -all", vec!["spf.unknown_mechanism"]),
        ("tab is not a separator", "v=spf1 mx\t-all", vec!["spf.syntax", "spf.no_all"]),
        ("bad ip4", "v=spf1 ip4:192.0.2.300 -all", vec!["spf.invalid_ip4"]),
        ("ip4 without address", "v=spf1 ip4 -all", vec!["spf.invalid_ip4"]),
        ("bad ip6", "v=spf1 ip6:2001:db8::g -all", vec!["spf.invalid_ip6"]),
        ("ip4 prefix too long", "v=spf1 ip4:192.0.2.0/33 -all", vec!["spf.invalid_cidr"]),
        ("ip6 prefix fine", "v=spf1 ip6:2001:db8::/32 -all", vec![]),
        ("ip6 prefix too long", "v=spf1 ip6:2001:db8::/129 -all", vec!["spf.invalid_cidr"]),
        ("leading zero prefix", "v=spf1 ip4:192.0.2.0/024 -all", vec!["spf.invalid_cidr"]),
        ("a with dual cidr", "v=spf1 a:mail.example.com/24//64 mx/30 mx//48 -all", vec![]),
        ("a with bad cidr", "v=spf1 a/40 -all", vec!["spf.invalid_cidr"]),
        ("empty include", "v=spf1 include: -all", vec!["spf.empty_target"]),
        ("include without colon", "v=spf1 include -all", vec!["spf.empty_target"]),
        ("empty redirect", "v=spf1 redirect=", vec!["spf.empty_target"]),
        ("include with one label", "v=spf1 include:localhost -all", vec!["spf.invalid_domain"]),
        (
            "include with empty label",
            "v=spf1 include:a..example.com -all",
            vec!["spf.invalid_domain"],
        ),
        ("include with numeric tld", "v=spf1 include:example.123 -all", vec!["spf.invalid_domain"]),
        ("include with trailing dot is fine", "v=spf1 include:_spf.example.com. -all", vec![]),
        ("exists with macros is fine", "v=spf1 exists:%{i}._spf.mta.salesforce.com -all", vec![]),
        ("macro with transformers", "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d2} -all", vec![]),
        ("escapes are fine", "v=spf1 exists:%%%_%-.example.com -all", vec![]),
        (
            "unterminated macro",
            "v=spf1 exists:%{i._spf.example.com -all",
            vec!["spf.invalid_macro"],
        ),
        ("unknown macro letter", "v=spf1 exists:%{x}.example.com -all", vec!["spf.invalid_macro"]),
        ("exp-only macro letter", "v=spf1 exists:%{c}.example.com -all", vec!["spf.invalid_macro"]),
        ("zero label count", "v=spf1 exists:%{d0}.example.com -all", vec!["spf.invalid_macro"]),
        ("bare percent", "v=spf1 exists:100%.example.com -all", vec!["spf.invalid_macro"]),
        ("ptr macro", "v=spf1 exists:%{p}.example.com -all", vec!["spf.ptr_macro"]),
        ("ptr mechanism", "v=spf1 ptr -all", vec!["spf.ptr"]),
        ("plus all", "v=spf1 mx +all", vec!["spf.pass_all"]),
        ("bare all", "v=spf1 mx all", vec!["spf.pass_all"]),
        ("neutral all", "v=spf1 mx ?all", vec!["spf.neutral_all"]),
        ("no all and no redirect", "v=spf1 mx", vec!["spf.no_all"]),
        ("redirect instead of all is fine", "v=spf1 mx redirect=_spf.example.com", vec![]),
        ("mechanisms after all", "v=spf1 -all mx a", vec!["spf.terms_after_all"]),
        ("exp after all is fine", "v=spf1 -all exp=explain.example.com", vec![]),
        (
            "redirect with all",
            "v=spf1 -all redirect=_spf.example.com",
            vec!["spf.redirect_ignored"],
        ),
        (
            "duplicate redirect",
            "v=spf1 redirect=a.example.com redirect=b.example.com",
            vec!["spf.duplicate_modifier"],
        ),
        (
            "duplicate exp",
            "v=spf1 -all exp=a.example.com exp=b.example.com",
            vec!["spf.duplicate_modifier"],
        ),
        ("unknown modifier", "v=spf1 foo=bar -all", vec!["spf.unknown_modifier"]),
        (
            "same include twice",
            "v=spf1 include:a.example INCLUDE:A.example. -all",
            vec!["spf.duplicate_include"],
        ),
        ("same a twice is not flagged", "v=spf1 a a -all", vec![]),
        ("all with argument", "v=spf1 -all:example.com", vec!["spf.syntax"]),
        ("include with cidr", "v=spf1 include:example.com/24 -all", vec!["spf.syntax"]),
        ("over 255 bytes", &long_256, vec!["spf.over_255_bytes"]),
        ("over 450 bytes", &long_451, vec!["spf.over_450_bytes"]),
        ("over 512 bytes", &long_513, vec!["spf.over_512_bytes"]),
    ];
    for (name, record, expected) in cases {
        assert_eq!(ids(record), expected, "{name}: {record}");
    }
}

#[test]
fn length_findings_start_just_past_the_limits() {
    let record = |len: usize| format!("v=spf1 -all{}", " ".repeat(len - 11));
    assert_eq!(record(255).len(), 255);
    assert!(ids(&record(255)).is_empty());
    assert_eq!(ids(&record(256)), ["spf.over_255_bytes"]);
    assert_eq!(ids(&record(450)), ["spf.over_255_bytes"]);
    assert_eq!(ids(&record(451)), ["spf.over_450_bytes"]);
    assert_eq!(ids(&record(512)), ["spf.over_450_bytes"]);
    assert_eq!(ids(&record(513)), ["spf.over_512_bytes"]);
}

#[test]
fn severities_match_the_catalogue() {
    let severity = |record: &str, id: &str| {
        parse_spf(record).findings.iter().find(|f| f.id == id).map(|f| f.severity).expect(id)
    };
    assert_eq!(severity("v=spf1 +all", "spf.pass_all"), Severity::Error);
    assert_eq!(severity("v=spf1 ?all", "spf.neutral_all"), Severity::Warning);
    assert_eq!(severity("v=spf1 ptr -all", "spf.ptr"), Severity::Warning);
    assert_eq!(severity("v=spf1 bogus -all", "spf.unknown_mechanism"), Severity::Error);
    assert_eq!(severity("v=spf1 mx", "spf.no_all"), Severity::Warning);
}

#[test]
fn terms_keep_their_kind_qualifier_target_cidr_and_span() {
    let text = "v=spf1 include:_spf.google.com ~mx:mail.example.com/24//64 ip6:2001:db8::/32 redirect=x.example -all";
    let parsed = parse_spf(text);
    assert!(parsed.is_spf);
    let kinds: Vec<&TermKind> = parsed.terms.iter().map(|t| &t.kind).collect();
    assert_eq!(
        kinds,
        [&TermKind::Include, &TermKind::Mx, &TermKind::Ip6, &TermKind::Redirect, &TermKind::All]
    );
    let mx = &parsed.terms[1];
    assert_eq!(mx.qualifier, Some(Qualifier::SoftFail));
    assert_eq!(mx.target.as_deref(), Some("mail.example.com"));
    assert_eq!((mx.cidr4, mx.cidr6), (Some(24), Some(64)));
    assert_eq!(&text[mx.span.clone()], "~mx:mail.example.com/24//64");
    let ip6 = &parsed.terms[2];
    assert_eq!(ip6.target.as_deref(), Some("2001:db8::"));
    assert_eq!(ip6.cidr6, Some(32));
    assert_eq!(parsed.terms[0].qualifier, None);
    assert_eq!(parsed.terms[0].effective_qualifier(), Qualifier::Pass);
    assert_eq!(parsed.terms[4].effective_qualifier(), Qualifier::Fail);
    for t in &parsed.terms {
        assert!(!text[t.span.clone()].contains(' '));
    }
}

#[test]
fn macro_slash_delimiter_is_not_a_cidr() {
    let parsed = parse_spf("v=spf1 a:%{d1r/}.example.com/24 -all");
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    assert_eq!(parsed.terms[0].target.as_deref(), Some("%{d1r/}.example.com"));
    assert_eq!(parsed.terms[0].cidr4, Some(24));
}

#[test]
fn own_lookups_count_only_evaluated_dns_terms() {
    let cases = [
        ("v=spf1 include:a.example a mx ptr exists:%{i}.example redirect=b.example", 6),
        ("v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 exp=e.example -all", 0),
        ("v=spf1 mx -all a include:x.example", 1),
        ("v=spf1 mx redirect=b.example -all", 1),
    ];
    for (record, n) in cases {
        assert_eq!(parse_spf(record).own_lookups(), n, "{record}");
    }
}

#[test]
fn selection_finds_exactly_one_spf_record() {
    let s = |v: &[&str]| select_spf(&v.iter().map(|t| (*t).to_string()).collect::<Vec<_>>());
    let one = s(&["google-site-verification=x", "v=spf1 mx -all"]);
    assert_eq!(one.record.as_deref(), Some("v=spf1 mx -all"));
    assert!(one.findings.is_empty());

    let two = s(&["v=spf1 mx -all", "v=spf1 include:_spf.google.com -all"]);
    assert_eq!(two.record, None);
    assert_eq!(two.count, 2);
    assert_eq!(
        two.findings.iter().map(|f| (f.id, f.severity)).collect::<Vec<_>>(),
        [("spf.multiple_records", Severity::Error)]
    );

    let glued = s(&["v=spf1include:_spf.google.com -all", "v=spf1 mx -all"]);
    assert_eq!(glued.record.as_deref(), Some("v=spf1 mx -all"));
    assert_eq!(glued.findings.iter().map(|f| f.id).collect::<Vec<_>>(), ["spf.discarded_record"]);

    let spaced = s(&[" v=spf1 mx -all"]);
    assert_eq!(spaced.record, None);
    assert_eq!(
        spaced.findings.iter().map(|f| f.id).collect::<Vec<_>>(),
        ["spf.discarded_record", "spf.no_record"]
    );

    assert_eq!(s(&[]).findings.iter().map(|f| f.id).collect::<Vec<_>>(), ["spf.no_record"]);
    assert_eq!(s(&["v=spf1"]).record.as_deref(), Some("v=spf1"));
}

#[test]
fn missing_includes_compare_names_loosely() {
    let record = parse_spf("v=spf1 include:SPF.Protection.Outlook.com. redirect=_spf.example.net");
    let missing = missing_includes(
        &record,
        &[
            "spf.protection.outlook.com",
            "_spf.salesforce.com",
            "_SPF.example.net.",
            "_spf.google.com.",
        ],
    );
    assert_eq!(missing, ["_spf.salesforce.com", "_spf.google.com."]);
    assert!(missing_includes(&record, &[]).is_empty());
}

/// A fake DNS: answers by (name, kind), NXDOMAIN for anything unknown.
#[derive(Default)]
struct Zone(HashMap<(String, QueryKind), Reply>);

impl Zone {
    fn txt(mut self, name: &str, records: &[&str]) -> Self {
        let records = records.iter().map(|r| (*r).to_string()).collect();
        self.0.insert((name.to_string(), QueryKind::Txt), Reply::Records(records));
        self
    }

    fn reply(mut self, name: &str, kind: QueryKind, reply: Reply) -> Self {
        self.0.insert((name.to_string(), kind), reply);
        self
    }

    fn walk(&self, domain: &str, root: &str) -> SpfReport {
        let mut walk = SpfWalk::new(domain, root);
        for _ in 0..100 {
            let pending = walk.pending();
            if pending.is_empty() {
                return walk.finish();
            }
            for q in pending {
                let reply =
                    self.0.get(&(q.name.clone(), q.kind)).cloned().unwrap_or(Reply::NxDomain);
                walk.supply(&q, &reply);
            }
        }
        panic!("the walk did not finish in 100 rounds");
    }
}

fn report_ids(report: &SpfReport) -> Vec<&'static str> {
    report.findings.iter().map(|f| f.id).collect()
}

/// `c1.test` includes `c2.test` … up to `c{n}.test`, whose record has no lookups.
fn chain(n: usize) -> Zone {
    (1..=n).fold(Zone::default(), |zone, i| {
        let record = if i == n {
            "v=spf1 ip4:192.0.2.1 -all".to_string()
        } else {
            format!("v=spf1 include:c{}.test -all", i + 1)
        };
        zone.txt(&format!("c{i}.test"), &[&record])
    })
}

#[test]
fn exactly_ten_lookups_pass() {
    let report = chain(10).walk("example.test", "v=spf1 include:c1.test -all");
    assert_eq!(report.lookups, 10);
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

#[test]
fn eleven_lookups_are_a_permerror() {
    let report = chain(11).walk("example.test", "v=spf1 include:c1.test -all");
    assert_eq!(report.lookups, 11);
    assert_eq!(report_ids(&report), ["spf.too_many_lookups"]);
    assert_eq!(report.findings[0].severity, Severity::Error);
}

#[test]
fn a_mx_ptr_exists_and_redirect_all_count() {
    let zone = Zone::default()
        .reply("example.test", QueryKind::A, Reply::Records(vec!["192.0.2.1".into()]))
        .reply("example.test", QueryKind::Mx, Reply::Records(vec!["10 mx.example.test.".into()]))
        .txt("r.test", &["v=spf1 a:host.test -all"])
        .reply("host.test", QueryKind::Aaaa, Reply::Records(vec!["2001:db8::1".into()]));
    let report = zone.walk(
        "example.test",
        "v=spf1 a mx ptr exists:%{i}.x.test ip4:192.0.2.0/24 redirect=r.test",
    );
    assert_eq!(report.lookups, 6);
    assert_eq!(report.void_lookups, 0);
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

#[test]
fn three_void_lookups_are_an_error_and_two_are_not() {
    let report = Zone::default().walk("example.test", "v=spf1 a:gone1.test mx:gone2.test -all");
    assert_eq!(report.void_lookups, 2);
    assert_eq!(report_ids(&report), ["spf.void_lookup", "spf.void_lookup"]);

    let zone = Zone::default().reply("gone3.test", QueryKind::A, Reply::NoData);
    let report = zone.walk("example.test", "v=spf1 a:gone1.test mx:gone2.test a:gone3.test -all");
    assert_eq!(report.void_lookups, 3);
    assert!(report_ids(&report).contains(&"spf.too_many_void_lookups"));
}

#[test]
fn include_loop_is_found_and_not_followed() {
    let zone = Zone::default()
        .txt("a.test", &["v=spf1 include:b.test -all"])
        .txt("b.test", &["v=spf1 include:A.test. -all"]);
    let report = zone.walk("a.test", "v=spf1 include:b.test -all");
    assert_eq!(report_ids(&report), ["spf.loop"]);
    let b = &report.tree.children[0];
    assert_eq!(b.children[0].outcome, NodeOutcome::Loop);
    assert_eq!(report.lookups, 2);
}

#[test]
fn redirect_to_a_name_without_spf_is_an_error() {
    let zone = Zone::default().txt("nospf.test", &["google-site-verification=abc"]);
    let report = zone.walk("example.test", "v=spf1 redirect=nospf.test");
    assert_eq!(report_ids(&report), ["spf.redirect_without_spf"]);
    assert_eq!(report.tree.children[0].outcome, NodeOutcome::NoSpf);
    assert_eq!(report.void_lookups, 0);
}

#[test]
fn dangling_include_is_an_error_and_a_void_lookup() {
    let report = Zone::default().walk("example.test", "v=spf1 include:gone.test -all");
    assert_eq!(report_ids(&report), ["spf.include_without_spf"]);
    assert_eq!(report.void_lookups, 1);
    assert_eq!(report.tree.children[0].outcome, NodeOutcome::NxDomain);
    let finding = &report.tree.findings[0];
    assert_eq!(
        &report.tree.record.as_deref().unwrap_or_default()[finding.span.clone()],
        "include:gone.test"
    );
}

#[test]
fn failed_lookup_is_a_temperror_not_missing() {
    let zone = Zone::default().reply("slow.test", QueryKind::Txt, Reply::Failed("timeout".into()));
    let report = zone.walk("example.test", "v=spf1 include:slow.test -all");
    assert_eq!(report_ids(&report), ["spf.temperror"]);
    assert_eq!(report.void_lookups, 0);
    assert_eq!(report.tree.children[0].outcome, NodeOutcome::Failed("timeout".into()));
}

#[test]
fn include_target_with_two_spf_records_is_a_permerror() {
    let zone = Zone::default().txt("two.test", &["v=spf1 -all", "v=spf1 mx -all"]);
    let report = zone.walk("example.test", "v=spf1 include:two.test -all");
    assert_eq!(report_ids(&report), ["spf.target_multiple_records"]);
    assert_eq!(report.tree.children[0].findings[0].id, "spf.multiple_records");
}

#[test]
fn eleven_mx_records_are_an_error() {
    let hosts = (1..=11).map(|i| format!("10 mx{i}.example.test.")).collect();
    let zone = Zone::default().reply("example.test", QueryKind::Mx, Reply::Records(hosts));
    let report = zone.walk("example.test", "v=spf1 mx -all");
    assert_eq!(report_ids(&report), ["spf.too_many_mx"]);
    let ten = (1..=10).map(|i| format!("mx{i}.example.test")).collect();
    let zone = Zone::default().reply("example.test", QueryKind::Mx, Reply::Records(ten));
    assert!(zone.walk("example.test", "v=spf1 mx -all").findings.is_empty());
}

#[test]
fn errors_inside_included_records_reach_the_report() {
    let zone = Zone::default().txt("broken.test", &["v=spf1 ip4:300.1.1.1 -all"]);
    let report = zone.walk("example.test", "v=spf1 include:broken.test -all");
    assert_eq!(report_ids(&report), ["spf.invalid_ip4"]);
    assert!(report.findings[0].message.starts_with("broken.test: "));
}

#[test]
fn terms_the_parser_rejected_are_not_looked_up() {
    let walk = SpfWalk::new(
        "example.test",
        "v=spf1 include:a..test a:b..test mx:%{x}.test include:ok.test -all",
    );
    assert_eq!(walk.pending(), [Query { name: "ok.test".into(), kind: QueryKind::Txt }]);
}

#[test]
fn redirect_is_not_followed_when_all_is_present() {
    let report = Zone::default().walk("example.test", "v=spf1 -all redirect=other.test");
    assert_eq!(report.lookups, 0);
    assert!(report.tree.children.is_empty());
}

#[test]
fn answers_are_matched_case_insensitively_and_unasked_answers_ignored() {
    let mut walk = SpfWalk::new("example.test", "v=spf1 include:Spf.Example.Test. -all");
    let pending = walk.pending();
    assert_eq!(pending, [Query { name: "spf.example.test".into(), kind: QueryKind::Txt }]);
    walk.supply(&Query { name: "nobody.asked".into(), kind: QueryKind::Txt }, &Reply::NxDomain);
    walk.supply(
        &Query { name: "SPF.example.test.".into(), kind: QueryKind::Txt },
        &Reply::Records(vec!["v=spf1 -all".into()]),
    );
    assert!(walk.pending().is_empty());
    let report = walk.finish();
    assert_eq!(report.tree.children[0].outcome, NodeOutcome::Found);
    assert!(report.findings.is_empty());
}

#[test]
fn finishing_early_reports_unanswered_questions() {
    let walk = SpfWalk::new("example.test", "v=spf1 include:a.test -all");
    let report = walk.finish();
    assert_eq!(report_ids(&report), ["spf.unanswered"]);
    assert_eq!(report.tree.children[0].outcome, NodeOutcome::Unanswered);
}

#[test]
fn same_name_asked_twice_is_one_pending_query_answered_for_both() {
    let mut walk = SpfWalk::new(
        "example.test",
        "v=spf1 include:x.test a:x.test mx:x.test include:x.test -all",
    );
    let pending = walk.pending();
    assert_eq!(pending.len(), 4, "{pending:?}");
    for q in pending {
        walk.supply(&q, &Reply::Records(vec!["v=spf1 -all".into()]));
    }
    let report = walk.finish();
    assert_eq!(report.lookups, 4);
    assert_eq!(report.tree.children.len(), 2);
}

fn microsoft_and_salesforce() -> Zone {
    Zone::default()
        .txt(
            "spf.protection.outlook.com",
            &["v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:52.102.0.0/16 ip4:52.103.0.0/16 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 ip6:2a01:111:f403::/49 ip6:2a01:111:f403:8000::/51 ip6:2a01:111:f403:c000::/51 ip6:2a01:111:f403:f000::/52 -all"],
        )
        .txt("_spf.salesforce.com", &["v=spf1 exists:%{i}._spf.mta.salesforce.com -all"])
}

#[test]
fn microsoft_and_salesforce_record_walks_cleanly() {
    let root = "v=spf1 include:spf.protection.outlook.com include:_spf.salesforce.com -all";
    let report = microsoft_and_salesforce().walk("contoso.com", root);
    assert_eq!(report.lookups, 3);
    assert_eq!(report.void_lookups, 0);
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert_eq!(report.tree.total_lookups(), 3);
    assert_eq!(
        render_tree(&report.tree),
        [
            "contoso.com  (2 + 1 below = 3 lookups)",
            "  include:spf.protection.outlook.com  (0 lookups)",
            "  include:_spf.salesforce.com  (1 lookup)",
        ]
    );
    assert!(
        missing_includes(&parse_spf(root), &["spf.protection.outlook.com", "_spf.salesforce.com"])
            .is_empty()
    );
}

#[test]
fn render_tree_shows_what_went_wrong_per_node() {
    let zone = Zone::default()
        .txt("a.test", &["v=spf1 include:gone.test include:example.test -all"])
        .reply("slow.test", QueryKind::Txt, Reply::Failed("SERVFAIL".into()));
    let report = zone.walk("example.test", "v=spf1 include:a.test include:slow.test -all");
    assert_eq!(
        render_tree(&report.tree),
        [
            "example.test  (2 + 2 below = 4 lookups)",
            "  include:a.test  (2 lookups)",
            "    include:gone.test — NXDOMAIN",
            "    include:example.test — loop, not followed",
            "  include:slow.test — lookup failed: SERVFAIL",
        ]
    );
}

#[test]
fn deep_include_chains_are_cut_off_without_panicking() {
    let report = chain(60).walk("example.test", "v=spf1 include:c1.test -all");
    assert!(report.lookups > 10);
    let ids = report_ids(&report);
    assert!(ids.contains(&"spf.walk_truncated"), "{ids:?}");
    assert!(ids.contains(&"spf.too_many_lookups"), "{ids:?}");
}

#[test]
fn huge_records_are_capped_in_work() {
    let root = format!(
        "v=spf1 {} -all",
        (0..2000).map(|i| format!("a:h{i}.test")).collect::<Vec<_>>().join(" ")
    );
    let walk = SpfWalk::new("example.test", &root);
    assert!(walk.pending().len() <= 200);
    let report = Zone::default().walk("example.test", &root);
    assert_eq!(report.lookups, 2000);
    assert!(report_ids(&report).contains(&"spf.walk_truncated"));
}

#[test]
fn hostile_text_never_panics() {
    let controls: String = (0u8..=255).map(char::from).collect();
    let ten_kb =
        format!("v=spf1 {}", "include:%{ exists:%{i ip4:/ ip6:::/ a/ a// mx:/ é=ü ".repeat(200));
    for text in [
        controls.as_str(),
        &format!("v=spf1 {controls}"),
        &ten_kb,
        "v=spf1 %",
        "v=spf1 exists:%{",
        "v=spf1 exists:%{d99999999999999999999}.x.test",
        "v=spf1 a:/",
        "v=spf1 ip4:1.2.3.4/",
        "v=spf1 ip6:",
        "v=spf1 =",
        "v=spf1 -",
        "v=spf1 \u{0}all",
        "v=spf1 a:é.test//",
    ] {
        let parsed = parse_spf(text);
        let report = Zone::default().walk("example.test", text);
        assert!(report.lookups <= u32::try_from(parsed.terms.len()).unwrap_or(u32::MAX));
    }
}

/// xorshift64: a fixed, dependency-free stream of pseudo-random numbers.
fn noise(seed: u64) -> impl FnMut() -> usize {
    let mut x = seed;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        usize::try_from(x % 1_000_003).unwrap_or(0)
    }
}

#[test]
fn random_records_and_random_answers_never_panic_or_hang() {
    let words = [
        "include:a.test",
        "include:b.test",
        "redirect=a.test",
        "a",
        "mx",
        "a:b.test/24",
        "mx//64",
        "ptr",
        "exists:%{i}.x.test",
        "ip4:192.0.2.0/24",
        "ip6:2001:db8::/32",
        "-all",
        "~all",
        "+all",
        "?all",
        "%{",
        "exp=",
        "v=spf1",
        "include:",
        "=",
        "/",
        "\u{0}",
        "é",
        "all:",
    ];
    let mut next = noise(0x9e37_79b9_7f4a_7c15);
    for _ in 0..2_000 {
        let mut record = String::from("v=spf1");
        for _ in 0..next() % 12 {
            record.push(' ');
            record.push_str(words[next() % words.len()]);
        }
        let mut walk = SpfWalk::new("a.test", &record);
        for _ in 0..50 {
            let pending = walk.pending();
            if pending.is_empty() {
                break;
            }
            for q in pending {
                let reply = match next() % 5 {
                    0 => Reply::NxDomain,
                    1 => Reply::NoData,
                    2 => Reply::Failed("SERVFAIL".into()),
                    _ => {
                        Reply::Records(vec![format!("v=spf1 {} -all", words[next() % words.len()])])
                    }
                };
                walk.supply(&q, &reply);
            }
        }
        assert!(walk.pending().is_empty(), "{record}");
        let report = walk.finish();
        let _ = render_tree(&report.tree);
    }
}
