//! The DMARC record parser and its findings: one table row per record text.

use dmarc_rollout::record::render::render;
use dmarc_rollout::record::{
    Alignment, DmarcRecord, Finding, Parsed, Policy, Psd, Severity, Tag, parse,
};

const RUA: &str = "rua=mailto:dmarc@example.com";

/// (what the row shows, record text, expected finding ids in any order). `{rua}` is replaced by
/// a valid `rua` tag so rows stay short.
const CASES: &[(&str, &str, &[&str])] = &[
    // Valid records.
    ("reject with rua", "v=DMARC1; p=reject; {rua}", &[]),
    ("none suggests np", "v=DMARC1; p=none; {rua}", &["dmarc.np_missing"]),
    ("testing step", "v=DMARC1; p=quarantine; pct=0; t=y; {rua}; np=reject", &[]),
    (
        "every tag",
        "v=DMARC1; p=reject; sp=reject; np=reject; adkim=s; aspf=s; {rua}; \
         ruf=mailto:f@example.com; fo=1:d:s; psd=n",
        &["dmarc.ruf_rarely_sent"],
    ),
    ("trailing separator", "v=DMARC1; p=reject; {rua};", &[]),
    ("trailing separator and space", "v=DMARC1; p=reject; {rua}; ", &[]),
    ("tabs", "v=DMARC1;\tp=reject;\t{rua}\t;", &[]),
    ("no spaces", "v=DMARC1;p=reject;rua=mailto:a@example.com,mailto:b@example.com", &[]),
    (
        "whitespace around = , :",
        "v = DMARC1 ; p = reject ; rua = mailto:a@example.com , mailto:b@example.com ; \
         ruf=mailto:c@example.com; fo = 1 : d",
        &["dmarc.ruf_rarely_sent"],
    ),
    ("only the version", "v=DMARC1", &["dmarc.p_missing", "dmarc.rua_missing"]),
    ("no p", "v=DMARC1; {rua}", &["dmarc.p_missing"]),
    // Records receivers discard.
    ("lowercase version", "v=dmarc1; p=reject; {rua}", &["dmarc.not_dmarc"]),
    (
        "uppercase v: tag names are case-insensitive",
        "V=DMARC1; p=reject; {rua}",
        &["dmarc.uppercase"],
    ),
    ("leading space", " v=DMARC1; p=reject; {rua}", &["dmarc.leading_whitespace"]),
    ("leading tab", "\tv=DMARC1; p=reject; {rua}", &["dmarc.leading_whitespace"]),
    ("quoted", "\"v=DMARC1; p=reject; {rua}\"", &["dmarc.quoted"]),
    ("spf record", "v=spf1 include:spf.protection.outlook.com -all", &["dmarc.not_dmarc"]),
    ("version not first", "p=reject; v=DMARC1", &["dmarc.not_dmarc"]),
    ("other version", "v=DMARC2; p=reject", &["dmarc.not_dmarc"]),
    ("empty", "", &["dmarc.not_dmarc"]),
    ("whitespace before something else", "  hello", &["dmarc.not_dmarc"]),
    ("quoted spf", "\"v=spf1 -all\"", &["dmarc.not_dmarc"]),
    ("only separators", ";;;", &["dmarc.not_dmarc"]),
    (
        "separator missing after version",
        "v=DMARC1 p=reject",
        &["dmarc.not_dmarc", "dmarc.p_missing", "dmarc.rua_missing"],
    ),
    ("duplicate p", "v=DMARC1; p=reject; {rua}; p=none", &["dmarc.duplicate_tag"]),
    (
        "duplicate rua in other case",
        "v=DMARC1; p=reject; {rua}; RUA=mailto:e@example.com",
        &["dmarc.duplicate_tag", "dmarc.uppercase"],
    ),
    ("duplicate version", "v=DMARC1; p=reject; {rua}; v=DMARC1", &["dmarc.duplicate_tag"]),
    // Syntax.
    ("tag without =", "v=DMARC1; p=reject; {rua}; adkim", &["dmarc.missing_equals"]),
    ("empty value", "v=DMARC1; p=reject; rua=", &["dmarc.empty_value"]),
    ("stray separator", "v=DMARC1;; p=reject; {rua}", &["dmarc.stray_separator"]),
    ("junk tag name", "v=DMARC1; p=reject; {rua}; x-y=1", &["dmarc.bad_tag_name"]),
    (
        "quote inside",
        "v=DMARC1; p=reject; {rua}\"",
        &["dmarc.quoted", "dmarc.report_uri_malformed"],
    ),
    ("CR LF at the end", "v=DMARC1; p=reject; {rua};\r\n", &["dmarc.invalid_character"]),
    // Real-world records.
    (
        "Microsoft docs example, ';' missing",
        "v=DMARC1; p=reject rua=mailto:d@contoso.com",
        &["dmarc.p_invalid", "dmarc.rua_missing"],
    ),
    (
        "insight24.nl",
        "v=DMARC1; p=none; rua=mailto:secops@insight24.nl; fo=0; adkim=r; aspf=r; pct=50; \
         rf=afrf; ri=86400; sp=none",
        &[
            "dmarc.fo_without_ruf",
            "dmarc.pct_no_effect",
            "dmarc.historic_tag",
            "dmarc.historic_tag",
            "dmarc.np_missing",
        ],
    ),
    (
        "three rua with a size",
        "v=DMARC1;p=reject;sp=reject;adkim=s;aspf=s;\
         rua=mailto:a@x.com!10m,mailto:b@y.com,mailto:c@z.com",
        &["dmarc.too_many_uris", "dmarc.report_size"],
    ),
    (
        "Google's ramp example",
        "v=DMARC1; p=quarantine; pct=5; rua=mailto:postmaster@solarmora.com",
        &["dmarc.pct_partial", "dmarc.np_missing"],
    ),
    // Values.
    ("p invalid", "v=DMARC1; p=block; {rua}", &["dmarc.p_invalid"]),
    ("p empty", "v=DMARC1; p=; {rua}", &["dmarc.empty_value"]),
    ("sp invalid", "v=DMARC1; p=reject; sp=maybe; {rua}", &["dmarc.sp_invalid"]),
    ("np invalid", "v=DMARC1; p=reject; np=never; {rua}", &["dmarc.np_invalid"]),
    ("adkim invalid", "v=DMARC1; p=reject; adkim=x; {rua}", &["dmarc.adkim_invalid"]),
    ("aspf spelled out", "v=DMARC1; p=reject; aspf=relaxed; {rua}", &["dmarc.aspf_invalid"]),
    (
        "fo 0 and 1",
        "v=DMARC1; p=reject; {rua}; ruf=mailto:f@example.com; fo=0:1",
        &["dmarc.fo_invalid", "dmarc.ruf_rarely_sent"],
    ),
    ("t spelled out", "v=DMARC1; p=reject; t=yes; {rua}", &["dmarc.t_invalid"]),
    ("psd invalid", "v=DMARC1; p=reject; psd=maybe; {rua}", &["dmarc.psd_invalid"]),
    ("pct over 100", "v=DMARC1; p=reject; pct=150; {rua}", &["dmarc.pct_invalid"]),
    (
        "rf unknown format",
        "v=DMARC1; p=reject; rf=iodef; {rua}",
        &["dmarc.rf_invalid", "dmarc.historic_tag"],
    ),
    (
        "ri not a number",
        "v=DMARC1; p=reject; ri=daily; {rua}",
        &["dmarc.ri_invalid", "dmarc.historic_tag"],
    ),
    ("uppercase", "v=DMARC1; P=Reject; rua=mailto:D@Example.COM", &["dmarc.uppercase"]),
    ("typo rau", "v=DMARC1; p=reject; {rua}; rau=x", &["dmarc.unknown_tag"]),
    ("typo pto", "v=DMARC1; p=reject; {rua}; pto=1", &["dmarc.unknown_tag"]),
    ("unknown tag", "v=DMARC1; p=reject; {rua}; foo=bar", &["dmarc.unknown_tag"]),
    ("p not second", "v=DMARC1; {rua}; p=reject", &["dmarc.p_not_second"]),
    // Policy semantics.
    (
        "pct with none",
        "v=DMARC1; p=none; pct=50; {rua}",
        &["dmarc.pct_no_effect", "dmarc.np_missing"],
    ),
    (
        "pct ramp quarantine",
        "v=DMARC1; p=quarantine; pct=50; {rua}",
        &["dmarc.pct_partial", "dmarc.np_missing"],
    ),
    (
        "pct ramp reject",
        "v=DMARC1; p=reject; pct=25; {rua}",
        &["dmarc.pct_partial", "dmarc.pct_reject_rest_quarantined"],
    ),
    (
        "pct 0 alone",
        "v=DMARC1; p=reject; pct=0; {rua}",
        &["dmarc.pct_reject_rest_quarantined", "dmarc.pct0_without_t"],
    ),
    ("pct 100", "v=DMARC1; p=reject; pct=100; {rua}", &[]),
    ("t alone", "v=DMARC1; p=reject; t=y; {rua}", &["dmarc.t_without_pct0"]),
    ("t n", "v=DMARC1; p=reject; t=n; {rua}", &[]),
    ("t with none", "v=DMARC1; p=none; t=y; {rua}", &["dmarc.t_no_effect", "dmarc.np_missing"]),
    (
        "pct 0 and t y",
        "v=DMARC1; p=reject; pct=0; t=y; {rua}",
        &["dmarc.pct_reject_rest_quarantined"],
    ),
    ("sp weaker", "v=DMARC1; p=reject; sp=none; {rua}", &["dmarc.sp_weaker", "dmarc.np_missing"]),
    (
        "sp weaker, np set",
        "v=DMARC1; p=reject; sp=quarantine; np=reject; {rua}",
        &["dmarc.sp_weaker"],
    ),
    ("psd yes", "v=DMARC1; p=reject; psd=y; {rua}", &["dmarc.psd_yes"]),
    // Reporting.
    ("no rua", "v=DMARC1; p=reject", &["dmarc.rua_missing"]),
    ("fo without ruf", "v=DMARC1; p=reject; {rua}; fo=1", &["dmarc.fo_without_ruf"]),
    (
        "https rua",
        "v=DMARC1; p=reject; rua=https://example.com/r",
        &["dmarc.report_uri_not_mailto"],
    ),
    (
        "rua without scheme",
        "v=DMARC1; p=reject; rua=d@example.com",
        &["dmarc.report_uri_malformed"],
    ),
    ("rua no address", "v=DMARC1; p=reject; rua=mailto:nobody", &["dmarc.report_uri_malformed"]),
    ("rua bad size", "v=DMARC1; p=reject; rua=mailto:a@x.com!big", &["dmarc.report_uri_malformed"]),
    (
        "rua space instead of comma",
        "v=DMARC1; p=reject; rua=mailto:a@example.com mailto:b@example.com",
        &["dmarc.report_uri_malformed"],
    ),
    (
        "rua double comma",
        "v=DMARC1; p=reject; rua=mailto:a@example.com,,mailto:b@example.com",
        &["dmarc.report_uri_malformed"],
    ),
    (
        "ruf not mailto",
        "v=DMARC1; p=reject; {rua}; ruf=ftp://example.com",
        &["dmarc.report_uri_not_mailto", "dmarc.ruf_rarely_sent"],
    ),
];

fn text_of(template: &str) -> String {
    template.replace("{rua}", RUA)
}

fn sorted_ids(parsed: &Parsed) -> Vec<&'static str> {
    let mut ids: Vec<_> = parsed.findings.iter().map(|f| f.id).collect();
    ids.sort_unstable();
    ids
}

#[test]
fn every_row_gives_exactly_its_findings() {
    let mut failures = Vec::new();
    for (what, template, expected) in CASES {
        let parsed = parse(&text_of(template));
        let mut expected = expected.to_vec();
        expected.sort_unstable();
        if sorted_ids(&parsed) != expected {
            failures.push(format!("{what}: expected {expected:?}, got {:#?}", parsed.findings));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_finding_id_is_dotted_snake_case_and_has_a_message() {
    for (_, template, _) in CASES {
        for f in parse(&text_of(template)).findings {
            let name = f.id.strip_prefix("dmarc.").expect("dmarc. prefix");
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            );
            assert!(f.message.len() > 20, "{}: {}", f.id, f.message);
        }
    }
}

#[test]
fn records_are_kept_unless_receivers_discard_them() {
    for (what, template, expected) in CASES {
        let parsed = parse(&text_of(template));
        let discarded = expected.iter().any(|id| {
            matches!(*id, "dmarc.not_dmarc" | "dmarc.leading_whitespace" | "dmarc.duplicate_tag")
        }) || (expected.contains(&"dmarc.quoted") && template.starts_with('"'));
        assert_eq!(parsed.record.is_none(), discarded, "{what}");
    }
}

fn finding<'a>(parsed: &'a Parsed, id: &str) -> &'a Finding {
    parsed.findings.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("no {id}"))
}

fn pointed_at<'a>(parsed: &'a Parsed, id: &str) -> &'a str {
    &parsed.text[finding(parsed, id).span.clone()]
}

#[test]
fn the_microsoft_example_points_at_the_p_value_and_names_the_missing_separator() {
    let parsed = parse("v=DMARC1; p=reject rua=mailto:d@contoso.com");
    assert_eq!(pointed_at(&parsed, "dmarc.p_invalid"), "reject rua=mailto:d@contoso.com");
    let f = finding(&parsed, "dmarc.p_invalid");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("';' is probably missing before 'rua='"), "{}", f.message);
    assert!(!parsed.is_valid());
}

#[test]
fn a_typo_points_at_the_name_and_suggests_the_tag() {
    let parsed = parse("v=DMARC1; p=reject; rau=mailto:d@example.com");
    assert_eq!(pointed_at(&parsed, "dmarc.unknown_tag"), "rau");
    assert!(finding(&parsed, "dmarc.unknown_tag").message.contains("did you mean 'rua'?"));
    let parsed = parse("v=DMARC1; p=reject; {rua}; adkm=s".replace("{rua}", RUA).as_str());
    assert!(finding(&parsed, "dmarc.unknown_tag").message.contains("'adkim'"));
    let parsed = parse("v=DMARC1; p=reject; {rua}; zzzzzz=1".replace("{rua}", RUA).as_str());
    assert!(!finding(&parsed, "dmarc.unknown_tag").message.contains("did you mean"));
}

#[test]
fn uri_findings_point_at_the_uri_or_its_size_suffix() {
    let parsed = parse("v=DMARC1; p=reject; rua=mailto:a@x.com!10m, d@example.com");
    assert_eq!(pointed_at(&parsed, "dmarc.report_size"), "!10m");
    assert_eq!(pointed_at(&parsed, "dmarc.report_uri_malformed"), "d@example.com");
    assert!(finding(&parsed, "dmarc.report_uri_malformed").message.contains("mailto:d@example"));
    // Receivers skip the bad URI and keep the good one.
    assert_eq!(parsed.record.expect("kept").rua, ["mailto:a@x.com!10m"]);
}

#[test]
fn missing_tags_point_at_the_end_of_the_text() {
    let parsed = parse("v=DMARC1; ");
    let end = parsed.text.len();
    assert_eq!(finding(&parsed, "dmarc.p_missing").span, end..end);
    assert_eq!(finding(&parsed, "dmarc.rua_missing").span, end..end);
}

#[test]
fn a_duplicate_finding_points_at_the_second_occurrence() {
    let parsed = parse("v=DMARC1; p=none; rua=mailto:a@b.example; p=reject");
    assert_eq!(pointed_at(&parsed, "dmarc.duplicate_tag"), "p=reject");
}

#[test]
fn a_discarded_version_is_named_in_the_finding() {
    let parsed = parse("v=dmarc1; p=none");
    assert_eq!(pointed_at(&parsed, "dmarc.not_dmarc"), "v=dmarc1");
    assert!(finding(&parsed, "dmarc.not_dmarc").message.contains("exactly v=DMARC1"));
    let parsed = parse("  v=DMARC1; p=none");
    assert_eq!(finding(&parsed, "dmarc.leading_whitespace").span, 0..2);
}

#[test]
fn tags_keep_their_text_and_exact_spans() {
    let text = "v = DMARC1 ;\tP = Reject ; rua=mailto:a@example.com , mailto:b@example.com;";
    let parsed = parse(text);
    let seen: Vec<(&str, Option<Tag>, &str, &str, &str)> = parsed
        .tags
        .iter()
        .map(|t| {
            (
                t.name.as_str(),
                t.tag,
                t.value.as_str(),
                &text[t.span.clone()],
                &text[t.value_span.clone()],
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("v", None, "DMARC1", "v = DMARC1", "DMARC1"),
            ("P", Some(Tag::P), "Reject", "P = Reject", "Reject"),
            (
                "rua",
                Some(Tag::Rua),
                "mailto:a@example.com , mailto:b@example.com",
                "rua=mailto:a@example.com , mailto:b@example.com",
                "mailto:a@example.com , mailto:b@example.com",
            ),
        ]
    );
    assert!(parsed.tags[0].is_version());
    let record = parsed.record.expect("valid");
    assert_eq!(record.p, Some(Policy::Reject));
    assert_eq!(record.rua, ["mailto:a@example.com", "mailto:b@example.com"]);
}

#[test]
fn findings_are_sorted_by_where_they_point() {
    for (_, template, _) in CASES {
        let parsed = parse(&text_of(template));
        let starts: Vec<usize> = parsed.findings.iter().map(|f| f.span.start).collect();
        assert!(starts.is_sorted(), "{template}: {starts:?}");
    }
}

#[test]
fn a_record_over_255_bytes_is_flagged_for_splitting() {
    let long = format!("v=DMARC1; p=reject; rua=mailto:{}@example.com", "a".repeat(240));
    let parsed = parse(&long);
    assert_eq!(sorted_ids(&parsed), ["dmarc.too_long"]);
    assert_eq!(finding(&parsed, "dmarc.too_long").span, 255..long.len());
    assert_eq!(finding(&parsed, "dmarc.too_long").severity, Severity::Warning);
    assert!(parsed.is_valid());
}

/// Texts that once were, or could be, trouble for a byte-offset parser.
const HOSTILE: &[&str] = &[
    "v=DMARC1;\u{0}p=\u{7f}rejé\r\n;rua=mailto:é@ü.de",
    "v=DMARC1; p=réject; rua=mailto:a@example.com",
    "v=DMARC1; p=reject; rua=mailto:a@例え.jp; ruf=mailto:😀@x.com!1𝑚",
    "\u{feff}v=DMARC1; p=reject",
    "v=DMARC1\u{a0}; p=reject",
    "v=DMARC1; =; ==; =reject; p==reject; ;=;",
    "v=DMARC1; p=reject; rua=mailto:!,!,!,:,",
    "v=DMARC1; p=reject; rua=mailto:a@x.com!99999999999999999999999k",
    "\"",
    "\"\"",
    " ",
    "v=",
    "v",
    "=",
    "v=DMARC1;\"",
    "v=DMARC1; p=reject; fo=:::; ri=-1; pct=+5; pct=",
    "é",
];

fn assert_well_formed(parsed: &Parsed) {
    let text = &parsed.text;
    for f in &parsed.findings {
        assert!(f.span.start <= f.span.end && f.span.end <= text.len(), "{text:?}: {f:?}");
        assert!(text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end));
    }
    for t in &parsed.tags {
        assert_eq!(text.get(t.value_span.clone()), Some(t.value.as_str()), "{text:?}");
        assert!(text.get(t.span.clone()).is_some(), "{text:?}");
    }
    assert!(parsed.findings.windows(2).all(|w| w[0].span.start <= w[1].span.start));
}

#[test]
fn hostile_text_never_panics_and_spans_stay_on_char_boundaries() {
    for text in HOSTILE {
        assert_well_formed(&parse(text));
    }
    let parsed = parse(HOSTILE[0]);
    assert!(parsed.has("dmarc.invalid_character"));
    assert!(!parsed.is_valid());
}

#[test]
fn every_edit_of_real_records_parses_without_panicking() {
    let seeds = [
        "v=DMARC1; p=reject rua=mailto:d@contoso.com",
        "v=DMARC1;p=reject;sp=reject;adkim=s;aspf=s;rua=mailto:a@x.com!10m,mailto:b@y.com",
        "v=DMARC1; p=quarantine; pct=0; t=y; fo=1:d; ruf=mailto:f@é.example",
    ];
    let inserts = ["", ";", "=", ",", ":", "!", "\"", " ", "\t", "\r\n", "\u{0}", "é", "😀"];
    for seed in seeds {
        for (i, _) in seed.char_indices().chain(std::iter::once((seed.len(), ' '))) {
            for insert in inserts {
                assert_well_formed(&parse(&format!("{}{insert}{}", &seed[..i], &seed[i..])));
            }
            assert_well_formed(&parse(&seed[..i]));
            let next = seed[i..].chars().next().map_or(0, char::len_utf8);
            assert_well_formed(&parse(&format!("{}{}", &seed[..i], &seed[i + next..])));
        }
    }
}

/// Records covering every tag and every value the model can hold.
fn generated_records() -> Vec<DmarcRecord> {
    let base = || DmarcRecord {
        p: Some(Policy::Reject),
        rua: vec!["mailto:dmarc@example.com".to_owned()],
        ..DmarcRecord::default()
    };
    let policies = [Policy::None, Policy::Quarantine, Policy::Reject];
    let mut records = vec![base()];
    for p in policies {
        for sp in policies.map(Some).into_iter().chain([None]) {
            for np in policies.map(Some).into_iter().chain([None]) {
                records.push(DmarcRecord { p: Some(p), sp, np, ..base() });
            }
        }
    }
    for a in [Alignment::Relaxed, Alignment::Strict] {
        records.push(DmarcRecord { adkim: Some(a), aspf: Some(a), ..base() });
    }
    for fo in ["0", "1", "d", "s", "0:d", "1:d:s", "d:s", "s:1"] {
        let ruf = vec!["mailto:f@example.com".to_owned()];
        records.push(DmarcRecord { fo: Some(fo.to_owned()), ruf, ..base() });
    }
    for (pct, t) in [(0, Some(true)), (100, Some(false)), (100, None)] {
        records.push(DmarcRecord { pct: Some(pct), t, ..base() });
    }
    for psd in [Psd::No, Psd::Unknown] {
        records.push(DmarcRecord { psd: Some(psd), ..base() });
    }
    records.push(DmarcRecord {
        rua: vec!["mailto:a@example.com".to_owned(), "mailto:b@example.net".to_owned()],
        ruf: vec!["mailto:c@example.org".to_owned()],
        ..base()
    });
    records.push(DmarcRecord { rf: Some("afrf".to_owned()), ri: Some(3600), ..base() });
    records.push(DmarcRecord { ri: Some(u32::MAX), ..base() });
    records
}

#[test]
fn rendered_records_parse_back_to_themselves_without_errors() {
    let records = generated_records();
    assert!(records.len() > 40);
    for record in records {
        let text = render(&record);
        let parsed = parse(&text);
        assert_eq!(parsed.record.as_ref(), Some(&record), "{text}");
        assert!(parsed.is_valid(), "{text}: {:#?}", parsed.findings);
    }
}

#[test]
fn every_tag_is_covered_by_the_round_trip() {
    let records = generated_records();
    for tag in Tag::ALL {
        assert!(records.iter().any(|r| r.get(tag).is_some()), "{tag} never generated");
    }
}

#[test]
fn values_are_read_case_insensitively_but_flagged() {
    let parsed = parse("v=DMARC1; p=REJECT; ADKIM=S; rua=mailto:a@example.com");
    let record = parsed.record.as_ref().expect("kept");
    assert_eq!(record.p, Some(Policy::Reject));
    assert_eq!(record.adkim, Some(Alignment::Strict));
    assert_eq!(parsed.findings.iter().filter(|f| f.id == "dmarc.uppercase").count(), 2);
    assert!(parsed.findings.iter().all(|f| f.severity == Severity::Info));
}

/// Every finding id with its severity: the catalogue scripts can rely on.
const IDS: &[(&str, Severity)] = &[
    ("dmarc.not_dmarc", Severity::Error),
    ("dmarc.leading_whitespace", Severity::Error),
    ("dmarc.quoted", Severity::Error),
    ("dmarc.invalid_character", Severity::Error),
    ("dmarc.missing_equals", Severity::Error),
    ("dmarc.bad_tag_name", Severity::Error),
    ("dmarc.empty_value", Severity::Error),
    ("dmarc.stray_separator", Severity::Info),
    ("dmarc.duplicate_tag", Severity::Error),
    ("dmarc.p_missing", Severity::Error),
    ("dmarc.p_invalid", Severity::Error),
    ("dmarc.sp_invalid", Severity::Error),
    ("dmarc.np_invalid", Severity::Error),
    ("dmarc.p_not_second", Severity::Warning),
    ("dmarc.unknown_tag", Severity::Warning),
    ("dmarc.adkim_invalid", Severity::Error),
    ("dmarc.aspf_invalid", Severity::Error),
    ("dmarc.fo_invalid", Severity::Error),
    ("dmarc.pct_invalid", Severity::Error),
    ("dmarc.t_invalid", Severity::Error),
    ("dmarc.rf_invalid", Severity::Error),
    ("dmarc.ri_invalid", Severity::Error),
    ("dmarc.psd_invalid", Severity::Error),
    ("dmarc.uppercase", Severity::Info),
    ("dmarc.too_long", Severity::Warning),
    ("dmarc.pct_no_effect", Severity::Warning),
    ("dmarc.pct_partial", Severity::Warning),
    ("dmarc.pct_reject_rest_quarantined", Severity::Info),
    ("dmarc.pct0_without_t", Severity::Warning),
    ("dmarc.t_without_pct0", Severity::Warning),
    ("dmarc.t_no_effect", Severity::Warning),
    ("dmarc.historic_tag", Severity::Warning),
    ("dmarc.sp_weaker", Severity::Warning),
    ("dmarc.np_missing", Severity::Info),
    ("dmarc.psd_yes", Severity::Warning),
    ("dmarc.rua_missing", Severity::Warning),
    ("dmarc.report_uri_not_mailto", Severity::Warning),
    ("dmarc.report_uri_malformed", Severity::Error),
    ("dmarc.report_size", Severity::Warning),
    ("dmarc.too_many_uris", Severity::Warning),
    ("dmarc.fo_without_ruf", Severity::Info),
    ("dmarc.ruf_rarely_sent", Severity::Info),
];

#[test]
fn every_finding_has_its_catalogued_severity() {
    let long = format!("v=DMARC1; p=reject; rua=mailto:{}@example.com", "a".repeat(240));
    let texts = CASES.iter().map(|(_, t, _)| text_of(t)).chain([long]);
    let mut seen = std::collections::BTreeSet::new();
    for text in texts {
        for f in parse(&text).findings {
            let listed = IDS.iter().find(|(id, _)| *id == f.id);
            assert_eq!(listed.map(|(_, s)| *s), Some(f.severity), "{}", f.id);
            seen.insert(f.id);
        }
    }
    let unseen: Vec<_> = IDS.iter().map(|(id, _)| *id).filter(|id| !seen.contains(id)).collect();
    assert!(unseen.is_empty(), "ids no row produces: {unseen:?}");
}

#[test]
fn an_invalid_value_is_an_error_that_names_both_receiver_outcomes() {
    for record in [
        "v=DMARC1; p=none; pct=150",
        "v=DMARC1; p=none; fo=2",
        "v=DMARC1; p=none; t=yes",
        "v=DMARC1; p=none; psd=x",
        "v=DMARC1; p=none; adkim=x",
        "v=DMARC1; p=none; ri=abc",
        "v=DMARC1; p=none; rf=iodef",
    ] {
        let parsed = parse(record);
        let f = parsed.findings.iter().find(|f| f.id.ends_with("_invalid")).expect(record);
        assert_eq!(f.severity, Severity::Error, "{record}");
        assert!(
            f.message.contains("OpenDMARC") && f.message.contains("default"),
            "{record}: {}",
            f.message
        );
    }
}

#[test]
fn a_report_uri_that_is_not_mailto_costs_reports_not_the_record() {
    let parsed = parse("v=DMARC1; p=none; rua=https://reports.example.com/dmarc");
    let f = parsed.findings.iter().find(|f| f.id == "dmarc.report_uri_not_mailto").expect("found");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("no reports arrive"), "{}", f.message);
}

#[test]
fn the_version_tag_name_is_case_insensitive_and_its_value_is_not() {
    assert!(parse("V=DMARC1; p=reject").record.is_some(), "V=DMARC1 starts a record");
    let lower = parse("v=dmarc1; p=reject");
    assert!(lower.record.is_none());
    assert!(lower.findings.iter().any(|f| f.message.contains("case-sensitive")));
}
