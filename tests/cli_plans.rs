//! The binary against plan files: every invalid plan in `tests/fixtures/invalid-plans` names
//! the file, line and column and says what is wrong; the shipped plans are valid.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn bin() -> Command {
    Command::cargo_bin("dmarc-rollout").expect("binary built")
}

#[test]
fn every_invalid_plan_is_rejected_with_its_location_and_reason() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid-plans");
    let mut checked = 0;
    for entry in fs::read_dir(&dir).expect("fixture folder") {
        let path = entry.expect("entry").path();
        let text = fs::read_to_string(&path).expect("fixture");
        let expected = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} lacks an '# expect:' first line", path.display()));
        let output = bin()
            .current_dir(&dir)
            .arg("validate")
            .arg(path.file_name().expect("name"))
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{}: {stderr}", path.display());
        assert!(
            stderr.contains(expected),
            "{}:\nexpected: {expected}\nstderr:   {stderr}",
            path.display()
        );
        assert!(output.stdout.is_empty(), "nothing on stdout for an invalid plan");
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixtures found");
}

#[test]
fn a_missing_plan_file_is_a_plan_error() {
    let output = bin().args(["next", "--offline", "no/such/plan.toml"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no/such/plan.toml"));
}

#[test]
fn offline_an_enforcing_step_is_unverified_until_forced() {
    let output = bin().args(["next", "--offline", "plans/insight24.toml"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(7));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unverified readiness.not_checked"), "{stderr}");
}

#[test]
fn next_prints_the_article_phase_two_value_alone_on_stdout() {
    let output = bin()
        .args(["next", "--offline", "--force", "plans/insight24.toml"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "v=DMARC1; p=quarantine; rua=mailto:secops@insight24.nl; fo=0; adkim=r; aspf=r; pct=50; rf=afrf; ri=86400; sp=none\n"
    );
}

#[test]
fn next_for_several_domains_prints_domain_tab_value_lines() {
    let output = bin()
        .args(["next", "--offline", "--force", "plans/msp-example.toml"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines.iter().all(|l| l.split('\t').count() == 2 && l.contains("\tv=DMARC1; p=")));
    assert!(
        lines[0].starts_with("bakkerij-jansen.nl\tv=DMARC1; p=quarantine;"),
        "phase 3 after 1 and 2: {}",
        lines[0]
    );
}

#[test]
fn next_as_zone_text_names_the_host_with_its_ttl() {
    let output = bin()
        .args(["next", "--offline", "--force", "plans/insight24.toml", "--format", "zone"])
        .output()
        .expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "_dmarc.insight24.nl. 3600 IN TXT \"v=DMARC1; p=quarantine; rua=mailto:secops@insight24.nl; fo=0; adkim=r; aspf=r; pct=50; rf=afrf; ri=86400; sp=none\"\n"
    );
}

#[test]
fn next_as_json_carries_domain_host_phase_and_value() {
    let output = bin()
        .args([
            "next",
            "--offline",
            "plans/msp-example.toml",
            "-d",
            "JANSEN-holding.nl",
            "-f",
            "json",
        ])
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(json["domain"], "jansen-holding.nl");
    assert_eq!(json["host"], "_dmarc.jansen-holding.nl");
    assert_eq!(json["phase"], 1);
    assert_eq!(json["phase_name"], "parked");
    assert_eq!(
        json["value"],
        "v=DMARC1; p=reject; rua=mailto:dmarc-reports@msp-example.net; adkim=r; aspf=r; sp=reject; np=reject"
    );
}

#[test]
fn next_for_an_unplanned_domain_lists_the_planned_ones() {
    let output = bin()
        .args(["next", "--offline", "plans/insight24.toml", "-d", "example.com"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("it plans insight24.nl"));
}

#[test]
fn init_writes_a_plan_that_validates_and_never_overwrites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("new.toml");
    let first = bin()
        .args(["init", "contoso.com", "fabrikam.com", "--preset", "m365", "--selector", "s2026"])
        .arg("-o")
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
    let validate = bin().arg("validate").arg(&file).output().expect("runs");
    assert_eq!(validate.status.code(), Some(0), "{}", String::from_utf8_lossy(&validate.stderr));
    let next = bin().args(["next", "--offline"]).arg(&file).output().expect("runs");
    assert_eq!(String::from_utf8_lossy(&next.stdout).lines().count(), 2);
    let before = fs::read(&file).expect("written");
    let again = bin().args(["init", "other.org", "-o"]).arg(&file).output().expect("runs");
    assert_eq!(again.status.code(), Some(8));
    assert_eq!(fs::read(&file).expect("still there"), before);
}

/// The plan `init` writes with these flags, and what `validate` says of it.
fn init_then_validate(flags: &[&str]) -> (String, String) {
    let init =
        bin().args(["init", "contoso.com", "fabrikam.com"]).args(flags).output().expect("runs");
    assert_eq!(init.status.code(), Some(0), "{flags:?}: {}", String::from_utf8_lossy(&init.stderr));
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("plan.toml");
    fs::write(&file, &init.stdout).expect("written");
    let validate = bin().arg("validate").arg(&file).output().expect("runs");
    let report = String::from_utf8_lossy(&validate.stdout).into_owned();
    assert_eq!(validate.status.code(), Some(0), "{flags:?}: {report}");
    (String::from_utf8(init.stdout).expect("utf-8"), report)
}

#[test]
fn validate_never_tells_the_admin_to_remove_what_init_wrote() {
    let combinations: [&[&str]; 6] = [
        &[],
        &["--preset", "m365"],
        &["--preset", "m365", "--tenant", "contoso"],
        &["--selector", "s2026"],
        &["--reject"],
        &["--reject", "--preset", "m365", "--tenant", "contoso", "--rua", "d@example.net"],
    ];
    for flags in combinations {
        let (_, report) = init_then_validate(flags);
        let findings: Vec<&str> = report
            .lines()
            .filter(|l| {
                l.starts_with("  info ") || l.starts_with("  warning ") || l.starts_with("  error ")
            })
            .collect();
        let contradicting: Vec<&&str> = findings
            .iter()
            .filter(|l| l.starts_with("  warning ") || l.contains("remove") || l.contains("drop"))
            .collect();
        assert!(contradicting.is_empty(), "{flags:?}: {contradicting:#?}");
    }
}

#[test]
fn init_reject_ends_the_ladder_with_a_reject_step_after_a_test_step() {
    let (_, quarantine) = init_then_validate(&[]);
    let records = |report: &str| -> Vec<String> {
        report.lines().filter(|l| l.starts_with("  v=DMARC1")).map(str::to_owned).collect()
    };
    assert!(!records(&quarantine).iter().any(|r| r.contains(" p=reject")), "{quarantine}");
    let (plan, report) = init_then_validate(&["--reject"]);
    let phases: Vec<&str> =
        report.lines().filter(|l| l.starts_with("contoso.com phase ")).collect();
    assert_eq!(
        phases,
        [
            "contoso.com phase 1 (monitor), fabrikam.com phase 1 (monitor)",
            "contoso.com phase 2 (quarantine, test mode), fabrikam.com phase 2 (quarantine, test mode)",
            "contoso.com phase 3 (quarantine), fabrikam.com phase 3 (quarantine)",
            "contoso.com phase 4 (reject, test mode), fabrikam.com phase 4 (reject, test mode)",
            "contoso.com phase 5 (reject), fabrikam.com phase 5 (reject)",
        ]
    );
    let last = report.rsplit("phase 5 (reject)").next().expect("the last phase");
    assert!(
        last.contains("v=DMARC1; p=reject; rua=mailto:dmarc@contoso.com; adkim=r; aspf=r\n"),
        "{last}"
    );
    assert!(last.contains("RFC 9989 receivers: reject 100%"), "{last}");
    assert!(plan.contains("soak_days = 30"), "the quarantine phase soaks before reject: {plan}");
}

#[test]
fn init_with_a_tenant_writes_the_legacy_targets_and_the_command_that_prints_the_real_ones() {
    let plan = |extra: &[&str]| {
        let output = bin()
            .args(["init", "contoso.com", "--preset", "m365"])
            .args(extra)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let print = "#   Get-DkimSigningConfig -Identity contoso.com | Format-List Selector1CNAME, Selector2CNAME";
    for tenant in ["contoso", "Contoso.onmicrosoft.com."] {
        let text = plan(&["--tenant", tenant]);
        let selectors: Vec<&str> =
            text.lines().filter(|l| l.trim_start().starts_with("dkim.")).collect();
        assert_eq!(
            selectors,
            [
                "  dkim.selector1 = \"selector1-contoso-com._domainkey.contoso.onmicrosoft.com\"",
                "  dkim.selector2 = \"selector2-contoso-com._domainkey.contoso.onmicrosoft.com\"",
            ],
            "{tenant}"
        );
        assert!(
            text.contains("selector1-contoso-com._domainkey.contoso.<x>-v1.dkim.mail.microsoft")
        );
        assert!(text.lines().any(|l| l.trim_start() == print.trim_start()), "{text}");
    }
    let without = plan(&[]);
    assert!(
        without.contains("dkim = [\"selector1\", \"selector2\"]") && without.contains("--tenant")
    );
    assert!(without.lines().any(|l| l.trim_start() == print.trim_start()), "{without}");
    let bad = bin()
        .args(["init", "contoso.com", "--preset", "m365", "--tenant", "a b"])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("'a b' is not a Microsoft 365 tenant"));
}

#[test]
fn init_refuses_a_domain_that_is_not_a_dns_name() {
    let output = bin().args(["init", "not a domain"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a valid domain name"));
}

#[test]
fn the_shipped_plans_are_valid() {
    for plan in ["plans/insight24.toml", "plans/msp-example.toml", "plans/dmarcbis.toml"] {
        let output = bin().args(["validate", plan]).output().expect("runs");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{plan}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn help_lists_commands_and_exit_codes() {
    let output = bin().arg("--help").output().expect("runs");
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn the_ui_without_a_terminal_says_what_to_use_instead() {
    let output = bin()
        .args(["plans/insight24.toml", "--zone", "plans/insight24.zone"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("use `status`, `next` or `check`"));
}

#[test]
fn a_mistyped_command_gets_did_you_mean_rather_than_being_taken_for_a_plan() {
    for (argv, near) in [
        (vec!["stauts"], "status"),
        (vec!["stauts", "contoso.toml"], "status"),
        (vec!["nxt", "--offline", "p.toml"], "next"),
        (vec!["complet", "bash"], "completions"),
    ] {
        let output = bin().args(&argv).output().expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{argv:?}: {stderr}");
        assert!(stderr.contains(&format!("did you mean `{near}`?")), "{argv:?}: {stderr}");
        assert!(!stderr.contains("cannot be used with"), "{stderr}");
    }
}
