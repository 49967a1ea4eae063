//! The round trip: serve a zone with a failure from 127.0.0.1, apply the zone lines `fix`
//! prints to it, serve it again, and the same check is ready with nothing left to fix. For
//! missing Microsoft 365 selectors, a missing include, `+all`, two SPF records, two DMARC
//! records, a CNAME at `_dmarc`, and a broken DMARC record.

mod support;

use dmarc_rollout::fix::render;
use dmarc_rollout::plan::Plan;
use dmarc_rollout::standing::{Position, Standing};
use support::dns_server::zone_text;
use support::fixing::{apply_zone_lines, plan, standing, zone};
use support::keys::{RSA_2048, key_txt};

const D: &str = "contoso.test";
const PHASE_1: &str =
    "_dmarc.contoso.test. 3600 IN TXT \"v=DMARC1; p=none; rua=mailto:dmarc@contoso.test\"";
const VENDOR: &str = "[[domain.sender]]\nname = \"Vendor\"\nspf_include = \"_spf.vendor.test\"\n";
const M365: &str = "[[domain.sender]]\nname = \"Exchange Online\"\n\
    spf_include = \"spf.protection.outlook.com\"\n\
    dkim.selector1 = \"selector1-contoso-test._domainkey.contoso.onmicrosoft.com\"\n\
    dkim.selector2 = \"selector2-contoso-test._domainkey.contoso.onmicrosoft.com\"\n";

/// The zones beside the domain's: the vendor's and Microsoft's SPF, Microsoft's DKIM keys.
fn others() -> Vec<String> {
    let keys = format!(
        "selector1-contoso-test._domainkey.contoso TXT {k}\nselector2-contoso-test._domainkey.contoso TXT {k}\n",
        k = key_txt(RSA_2048)
    );
    vec![
        zone_text("vendor.test", "_spf TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"),
        zone_text("outlook.com", "spf.protection TXT \"v=spf1 ip4:40.92.0.0/15 -all\"\n"),
        zone_text("onmicrosoft.com", &keys),
    ]
}

/// Serves `body` in the domain's zone, applies the fix's zone lines, serves the result: the
/// standing before and after.
async fn round_trip(body: &str, plan: &Plan) -> (Standing, Standing) {
    let before_zone = zone(D, body);
    let serve = |domain_zone: String| {
        let mut zones = others();
        zones.push(domain_zone);
        zones
    };
    let before = standing(&serve(before_zone.clone()), plan).await;
    let lines = render::zone(D, &before.fixes);
    let after_zone = apply_zone_lines(&before_zone, &lines);
    let after = standing(&serve(after_zone), plan).await;
    (before, after)
}

/// Every finding id of the standing: the `_dmarc` record's and readiness's.
fn ids(s: &Standing) -> Vec<&'static str> {
    let readiness = s.readiness.iter().flat_map(dmarc_rollout::readiness::Readiness::findings);
    s.findings.iter().chain(readiness).map(|f| f.id).collect()
}

#[tokio::test]
async fn each_failure_is_ready_after_its_zone_lines_are_applied() {
    let spf = |t: &str| format!("contoso.test. 3600 IN TXT \"{t}\"\n");
    #[rustfmt::skip]
    let cases: Vec<(&str, String, &str, &str)> = vec![
        ("missing selectors", format!("{}{PHASE_1}\n", spf("v=spf1 include:spf.protection.outlook.com -all")), M365, "dkim.selector_missing"),
        ("missing include", format!("{}{PHASE_1}\n", spf("v=spf1 mx -all")), VENDOR, "spf.missing_include"),
        ("+all", format!("{}{PHASE_1}\n", spf("v=spf1 include:_spf.vendor.test +all")), VENDOR, "spf.pass_all"),
        ("two SPF records", format!("{}{}{PHASE_1}\n", spf("v=spf1 mx -all"), spf("v=spf1 include:_spf.vendor.test ~all")), VENDOR, "spf.multiple_records"),
        ("two DMARC records", format!("{}{PHASE_1}\n_dmarc.contoso.test. 3600 IN TXT \"v=DMARC1; p=reject\"\n", spf("v=spf1 mx -all")), "", "dmarc.multiple_records"),
        ("a CNAME at _dmarc", format!("{}_dmarc.contoso.test. 3600 IN CNAME elsewhere.contoso.test.\nelsewhere.contoso.test. 3600 IN TXT \"hello\"\n", spf("v=spf1 mx -all")), "", "dmarc.delegated"),
        ("a broken DMARC record", format!("{}_dmarc.contoso.test. 3600 IN TXT \"v=DMARC1; p=rejct; rua=mailto:dmarc@contoso.test\"\n", spf("v=spf1 mx -all")), "", "dmarc.p_invalid"),
    ];
    for (name, body, senders, id) in cases {
        let p = plan(D, Some(1), senders);
        let (before, after) = round_trip(&body, &p).await;
        assert!(ids(&before).contains(&id), "{name}: before {:?}", ids(&before));
        assert!(!before.fixes.actions.is_empty(), "{name}: no fix");
        assert!(!ids(&after).contains(&id), "{name}: after {:?}", ids(&after));
        assert!(after.fixes.is_empty(), "{name}: still to fix {:?}", after.fixes);
        let readiness = after.readiness.as_ref().expect("checked");
        assert!(readiness.is_ready(), "{name}: {:?}", readiness.blocks());
        assert_eq!(*after.position(), Position::Live { phase: 0, differs: Vec::new() }, "{name}");
    }
}
