//! The `fix --format powershell` script per scenario against golden files in
//! `tests/fixtures/fix/` (Microsoft 365 selectors missing, targets not in the plan, a dangling
//! CNAME, a weak key, two domains, nothing to run), each naming only real Exchange Online
//! cmdlets and parameters. `BLESS=1` rewrites the files.

mod support;

use support::fixing::{
    D, M365_WITH_TARGETS, M365_WITHOUT_TARGETS, cnames, m365_zones, plan, standing, zone,
};
use support::keys::{RSA_1024, key_txt};

/// The script for `fixes` (one domain, or the m365 domain beside one without Exchange steps)
/// against `tests/fixtures/fix/<name>.ps1`; `BLESS=1` writes the file instead.
fn golden(name: &str, domains: &[(&str, &dmarc_rollout::fix::Fixes)]) {
    let script = dmarc_rollout::fix::render::powershell(domains);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/fix/{name}.ps1"));
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &script).expect("write golden file");
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(script, want, "{name}: the script differs from {}", path.display());
    assert_only_real_cmdlets(&script);
}

/// Every cmdlet is a real Exchange Online (or PowerShell) cmdlet, called only with parameters
/// it has (Microsoft Learn, Exchange PowerShell reference).
fn assert_only_real_cmdlets(script: &str) {
    const CMDLETS: [(&str, &[&str]); 6] = [
        ("Connect-ExchangeOnline", &[]),
        ("Get-DkimSigningConfig", &["Identity", "ErrorAction"]),
        ("New-DkimSigningConfig", &["DomainName", "KeySize", "Enabled"]),
        ("Set-DkimSigningConfig", &["Identity", "Enabled"]),
        ("Rotate-DkimSigningConfig", &["Identity", "KeySize"]),
        ("Format-List", &[]),
    ];
    for line in script.lines().filter(|l| !l.starts_with('#')) {
        let mut params: Option<&[&str]> = None;
        for token in line
            .split(|c: char| c.is_whitespace() || "(){}|,".contains(c))
            .filter(|t| !t.is_empty())
        {
            if let Some(param) = token.strip_prefix('-') {
                let known = param == "not" || params.is_some_and(|p| p.contains(&param));
                assert!(known, "'{token}' is no parameter of the cmdlet before it in: {line}");
            } else if token.contains('-') && token.starts_with(char::is_uppercase) {
                let found = CMDLETS.iter().find(|(name, _)| *name == token);
                params = Some(
                    found.unwrap_or_else(|| panic!("'{token}' is not a known cmdlet: {line}")).1,
                );
            }
        }
    }
}

#[tokio::test]
async fn the_powershell_script_matches_its_golden_file_per_scenario() {
    let weak = format!(
        "selector1-contoso-test._domainkey.contoso TXT {k}\nselector2-contoso-test._domainkey.contoso TXT {k}\n",
        k = key_txt(RSA_1024)
    );
    let scenarios = [
        ("m365-missing-selectors", m365_zones("", ""), M365_WITH_TARGETS),
        ("m365-targets-not-in-plan", m365_zones("", ""), M365_WITHOUT_TARGETS),
        ("m365-dangling", m365_zones(&cnames(), ""), M365_WITH_TARGETS),
        ("m365-weak-key", m365_zones(&cnames(), &weak), M365_WITH_TARGETS),
    ];
    for (name, zones, senders) in scenarios {
        let s = standing(&zones, &plan(D, Some(1), senders)).await;
        golden(name, &[(D, &s.fixes)]);
    }
    let m365 = standing(&m365_zones("", ""), &plan(D, Some(1), M365_WITH_TARGETS)).await;
    let zones = [zone(
        "other.test",
        "@ TXT \"v=spf1 +all\"\n_dmarc TXT \"v=DMARC1; p=none; rua=mailto:dmarc@other.test\"\n",
    )];
    let other = standing(&zones, &plan("other.test", Some(1), "")).await;
    assert!(!other.fixes.actions.is_empty(), "other.test has a DNS fix but no Exchange step");
    golden("two-domains", &[(D, &m365.fixes), ("other.test", &other.fixes)]);
    golden("nothing-to-run", &[("other.test", &other.fixes)]);
}
