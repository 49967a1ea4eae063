//! `fix`'s DNS actions in every export format, byte for byte, against golden files in
//! `tests/golden/fix/`: a long (over 255 bytes) SPF record, a `_dmarc` value with quotes and
//! backslashes in a URI replacing a CNAME, and a domain with several actions (CNAMEs, a TXT at
//! a report host's name for its owner to publish, a delete, and Exchange Online steps, which
//! are no DNS change and so not exported), and an SPF record created beside the apex's other
//! TXT values, which the formats describing the whole record set must keep. The actions go through the same conversion as
//! `fix --format TOOL` ([`render::export_changes`]) and the same writer as `next`.
//! `GOLDEN_UPDATE=1 cargo test --test fix_export_golden` rewrites them.

mod support;

use support::golden;

use dmarc_rollout::export::{Format, Op, RrType, render};
use dmarc_rollout::fix::render as fix_render;
use dmarc_rollout::fix::{Action, ActionKind, DnsChange, DnsOp, Fixes, RecordType};

fn dns(order: usize, change: DnsChange, fixes: &'static str) -> Action {
    Action {
        order,
        kind: ActionKind::Dns(change),
        by: None,
        fixes: vec![fixes],
        why: "why".to_owned(),
    }
}

fn change(op: DnsOp, owner: &str, rtype: RecordType, value: &str, old: Option<&str>) -> DnsChange {
    DnsChange {
        op,
        owner: owner.to_owned(),
        rtype,
        value: value.to_owned(),
        replaces: old.map(str::to_owned),
        ttl: 3600,
        keeps: Vec::new(),
    }
}

/// What Microsoft 365 asks a domain to publish beside SPF, to prove it is theirs.
const VERIFICATION: &str = "MS=ms48291735";

/// An SPF record of 300 bytes and more: many vendors' includes.
fn long_spf() -> String {
    let includes: Vec<String> =
        (1..=14).map(|i| format!("include:_spf{i:02}.vendor-mail.example")).collect();
    format!("v=spf1 {} -all", includes.join(" "))
}

/// A domain with several actions: Exchange Online (not exported), a CNAME created and one
/// replaced, SPF replaced and a second SPF record deleted, a report authorization for another
/// organization, and a stray DMARC record deleted.
fn several() -> Vec<Action> {
    let (txt, cname) = (RecordType::Txt, RecordType::Cname);
    vec![
        Action {
            order: 1,
            kind: ActionKind::ExchangeOnline { commands: vec!["Connect-ExchangeOnline".into()] },
            by: None,
            fixes: vec!["dkim.selector_missing"],
            why: "why".into(),
        },
        dns(
            2,
            change(
                DnsOp::Create,
                "selector1._domainkey.example.com",
                cname,
                "selector1-example-com._domainkey.contoso.onmicrosoft.com",
                None,
            ),
            "dkim.selector_missing",
        ),
        dns(
            3,
            change(
                DnsOp::Replace,
                "selector2._domainkey.example.com",
                cname,
                "selector2-example-com._domainkey.contoso.onmicrosoft.com",
                Some("selector2.old-host.example.net"),
            ),
            "dkim.dangling_cname",
        ),
        dns(
            4,
            DnsChange {
                keeps: vec![VERIFICATION.to_owned()],
                ..change(
                    DnsOp::Replace,
                    "example.com",
                    txt,
                    "v=spf1 include:spf.protection.outlook.com include:_spf.salesforce.com -all",
                    Some("v=spf1 include:spf.protection.outlook.com +all"),
                )
            },
            "spf.missing_include",
        ),
        dns(
            5,
            DnsChange {
                keeps: vec![VERIFICATION.to_owned()],
                ..change(DnsOp::Delete, "example.com", txt, "v=spf1 a -all", None)
            },
            "spf.multiple_records",
        ),
        Action {
            by: Some("the owner of reports.example.net".into()),
            ..dns(
                6,
                change(
                    DnsOp::Create,
                    "example.com._report._dmarc.reports.example.net",
                    txt,
                    "v=DMARC1",
                    None,
                ),
                "reports.unauthorized",
            )
        },
        dns(
            7,
            change(DnsOp::Delete, "_dmarc.example.com", txt, "v=DMARC1; p=reject; sp=none", None),
            "dmarc.multiple_records",
        ),
    ]
}

fn scenarios() -> Vec<(&'static str, Fixes)> {
    let long = long_spf();
    assert!(long.len() > 255, "the long value must need splitting");
    let quoted = r#"v=DMARC1; p=none; rua=mailto:"dmarc\reports"@example.com,https://r.example.com/a\b?q="x""#;
    let (txt, cname) = (RecordType::Txt, RecordType::Cname);
    vec![
        (
            "long",
            Fixes {
                actions: vec![dns(
                    1,
                    change(DnsOp::Replace, "example.com", txt, &long, Some("v=spf1 +all")),
                    "spf.pass_all",
                )],
                ..Fixes::default()
            },
        ),
        (
            "quotes",
            Fixes {
                actions: vec![
                    dns(
                        1,
                        change(
                            DnsOp::Delete,
                            "_dmarc.example.com",
                            cname,
                            "example.com.dmarc.vendor.example",
                            None,
                        ),
                        "dmarc.delegated",
                    ),
                    dns(
                        2,
                        change(DnsOp::Create, "_dmarc.example.com", txt, quoted, None),
                        "dmarc.delegated",
                    ),
                ],
                ..Fixes::default()
            },
        ),
        ("several", Fixes { actions: several(), ..Fixes::default() }),
        (
            "beside",
            Fixes {
                actions: vec![dns(
                    1,
                    DnsChange {
                        keeps: vec![VERIFICATION.to_owned(), "google-site-verification=x1".into()],
                        ..change(
                            DnsOp::Create,
                            "example.com",
                            txt,
                            "v=spf1 include:spf.protection.outlook.com -all",
                            None,
                        )
                    },
                    "spf.no_record",
                )],
                ..Fixes::default()
            },
        ),
    ]
}

#[test]
fn every_format_matches_its_golden_file_for_each_fix_scenario() {
    let mismatches: Vec<String> = scenarios()
        .iter()
        .flat_map(|(scenario, fixes)| {
            let changes = fix_render::export_changes("example.com", fixes);
            golden::export_mismatches("fix", scenario, &changes)
        })
        .collect();
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn every_dns_action_becomes_one_change_and_the_others_none() {
    let (_, fixes) = scenarios().remove(2);
    let changes = fix_render::export_changes("example.com", &fixes);
    assert_eq!(changes.len(), 6, "the Exchange Online step is not a DNS change");
    let cnames: Vec<&Op> =
        changes.iter().filter(|c| c.rtype == RrType::Cname).map(|c| &c.op).collect();
    assert!(matches!(cnames[0], Op::Create { .. }));
    assert!(
        matches!(cnames[1], Op::Replace { old, .. } if old == &["selector2.old-host.example.net"])
    );
    let foreign = changes.iter().find(|c| c.owner.ends_with("reports.example.net")).expect("auth");
    assert_eq!(foreign.zone, "example.net", "the report host's own zone");
    assert!(
        foreign.note.as_deref().is_some_and(|n| n.contains("for the owner of reports.example.net"))
    );
}

#[test]
fn a_cname_is_created_only_where_nothing_is_and_deleted_only_when_it_is_still_there() {
    let (_, fixes) = scenarios().remove(1);
    let changes = fix_render::export_changes("example.com", &fixes);
    let nsupdate = render(Format::Nsupdate, &changes).expect("renders");
    assert!(nsupdate.contains(
        "prereq yxrrset _dmarc.example.com. CNAME example.com.dmarc.vendor.example.\n\
         update delete _dmarc.example.com. CNAME example.com.dmarc.vendor.example.\n"
    ));
    let (_, several) = scenarios().remove(2);
    let nsupdate = render(Format::Nsupdate, &fix_render::export_changes("example.com", &several))
        .expect("renders");
    assert!(nsupdate.contains("prereq nxdomain selector1._domainkey.example.com.\n"), "{nsupdate}");
}

#[test]
fn the_fix_scripts_for_bash_are_valid_bash() {
    for (scenario, fixes) in scenarios() {
        let changes = fix_render::export_changes("example.com", &fixes);
        let text = render(Format::AzureCli, &changes).expect("renders");
        assert_eq!(golden::bash_syntax_error(&text), None, "{scenario}");
    }
}
