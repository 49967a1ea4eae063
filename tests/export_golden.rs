//! Every export format, byte for byte, against golden files in `tests/golden/export/`: a value
//! over 255 bytes, a value with quotes and backslashes in a URI, and a domain with several
//! changes in two zones. `GOLDEN_UPDATE=1 cargo test --test export_golden` rewrites them.

mod support;

use support::golden;

use dmarc_rollout::export::{DnsChange, Format, Op, RrType, render};
use dmarc_rollout::name::DnsName;
use dmarc_rollout::record::render::split_character_strings;

fn txt(zone: &str, owner: &str, op: Op, note: &str) -> DnsChange {
    DnsChange {
        zone: DnsName::lenient(zone),
        owner: DnsName::lenient(owner),
        rtype: RrType::Txt,
        ttl: 3600,
        op,
        note: Some(note.to_owned()),
        keeps: Vec::new(),
    }
}

/// A value of 330 bytes: twelve report addresses.
fn long_value() -> String {
    let rua: Vec<String> =
        (1..=12).map(|i| format!("mailto:dmarc-{i:02}@reports.example.com")).collect();
    format!("v=DMARC1; p=quarantine; rua={}; fo=1; adkim=s; aspf=s; pct=50", rua.join(","))
}

fn scenarios() -> Vec<(&'static str, Vec<DnsChange>)> {
    let long = long_value();
    assert!(long.len() > 255, "the long value must need splitting");
    let quoted = r#"v=DMARC1; p=none; rua=mailto:"dmarc\reports"@example.com,https://r.example.com/a\b?q="x""#;
    vec![
        (
            "long",
            vec![txt(
                "example.com",
                "_dmarc.example.com",
                Op::Replace { old: vec!["v=DMARC1; p=none".to_owned()], value: long },
                "example.com: phase 2 (quarantine half)",
            )],
        ),
        (
            "quotes",
            vec![txt(
                "example.com",
                "_dmarc.example.com",
                Op::Replace {
                    old: vec![r#"v=DMARC1; p=none; rua=mailto:"old\box"@example.com"#.to_owned()],
                    value: quoted.to_owned(),
                },
                "example.com: phase 1 (monitor), repairs the report addresses",
            )],
        ),
        (
            "several",
            vec![
                txt(
                    "example.com",
                    "_dmarc.example.com",
                    Op::Replace {
                        old: vec![
                            "v=DMARC1; p=none".to_owned(),
                            "v=DMARC1; p=reject".to_owned(),
                        ],
                        value: "v=DMARC1; p=none; rua=mailto:dmarc@example.com".to_owned(),
                    },
                    "example.com: two DMARC records, which receivers ignore: keep one",
                ),
                txt(
                    "example.com",
                    "example.com",
                    Op::Replace {
                        old: vec!["v=spf1 include:spf.protection.outlook.com -all".to_owned()],
                        value: "v=spf1 include:spf.protection.outlook.com include:_spf.salesforce.com -all"
                            .to_owned(),
                    },
                    "example.com: SPF lacks Salesforce",
                ),
                txt(
                    "example.com",
                    "_dmarc.mail.example.com",
                    Op::Delete { old: vec!["v=DMARC1; p=reject; sp=none".to_owned()] },
                    "mail.example.com: a stray record",
                ),
                txt(
                    "example.net",
                    "example.com._report._dmarc.example.net",
                    Op::Create { value: "v=DMARC1".to_owned() },
                    "example.net accepts reports for example.com",
                ),
            ],
        ),
    ]
}

#[test]
fn every_format_matches_its_golden_file_for_each_scenario() {
    let mismatches: Vec<String> = scenarios()
        .iter()
        .flat_map(|(scenario, changes)| golden::export_mismatches("export", scenario, changes))
        .collect();
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn long_values_are_split_where_the_tool_needs_it_and_whole_where_it_splits_itself() {
    let changes = &scenarios()[0].1;
    let pieces = split_character_strings(&long_value()).len();
    assert!(pieces > 1);
    let text = |format| render(format, changes).expect("renders");
    // Split by us for dnscontrol, nsupdate, Route 53 and Cloudflare.
    assert!(text(Format::Dnscontrol).contains("TXT(\"_dmarc\", [\""));
    let nsupdate = text(Format::Nsupdate);
    let add = nsupdate.lines().find(|l| l.starts_with("update add")).expect("add line");
    assert_eq!(add.matches("\" \"").count(), pieces - 1, "{add}");
    assert!(text(Format::TerraformAws).contains(r#"\" \""#));
    assert!(text(Format::TerraformCloudflare).contains(r#"\" \""#));
    // Whole: octodns, the azurerm provider and az split it themselves.
    for (format, line) in [
        (Format::Octodns, "  value: "),
        (Format::TerraformAzurerm, "    value = "),
        (Format::AzureCli, "az network dns record-set txt add-record"),
    ] {
        let text = text(format);
        let value = text.lines().find(|l| l.starts_with(line)).expect("value line");
        assert!(
            value.contains(
                &long_value().replace(';', if format == Format::Octodns { "\\;" } else { ";" })
            ),
            "{format:?}"
        );
    }
}

#[test]
fn octodns_values_escape_every_semicolon() {
    let text = render(Format::Octodns, &scenarios()[1].1).expect("renders");
    let value = text.lines().find(|l| l.trim_start().starts_with("value:")).expect("value");
    assert_eq!(value.matches(';').count(), value.matches("\\;").count(), "{value}");
}

#[test]
fn nsupdate_scripts_have_no_blank_line_because_nsupdate_sends_on_one() {
    for (_, changes) in scenarios() {
        let text = render(Format::Nsupdate, &changes).expect("renders");
        assert!(!text.lines().any(str::is_empty), "{text}");
        assert_eq!(
            text.matches("\nsend\n").count() + usize::from(text.starts_with("send")),
            changes.len()
        );
    }
}

#[test]
fn the_azure_cli_script_is_valid_bash() {
    for (scenario, changes) in scenarios() {
        let text = render(Format::AzureCli, &changes).expect("renders");
        assert_eq!(golden::bash_syntax_error(&text), None, "{scenario}");
    }
}
