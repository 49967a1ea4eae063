//! A zone file given with `--zone` that cannot be used stops every command with its own exit
//! code (18, not the 5 of a DNS failure) and, when the text is at fault, names the entry as
//! plan errors are named: `file:line:col: what`.

use std::fs;

use assert_cmd::Command;

fn run_with_zone(command: &str, zone_text: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("broken.zone"), zone_text).expect("written");
    let plan = fs::canonicalize("plans/insight24.toml").expect("the shipped plan");
    let output = Command::cargo_bin("dmarc-rollout")
        .expect("binary built")
        .current_dir(dir.path())
        .args([command, plan.to_str().expect("utf-8 path"), "--zone", "broken.zone"])
        .args(["--today", "2026-11-29"])
        .output()
        .expect("runs");
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn a_record_without_a_ttl_is_named_by_file_line_and_column_with_its_own_exit_code() {
    let zone = "$ORIGIN insight24.nl.\n; no $TTL line\n\n@ IN SOA ns h. 1 2 3 4 5\n";
    for command in ["status", "check", "next", "fix"] {
        let (code, stderr) = run_with_zone(command, zone);
        assert_eq!(code, Some(18), "{command}: {stderr}");
        assert_eq!(
            stderr,
            "broken.zone:4:1: record ttl not specified: give the record a TTL, or put a $TTL line \
             before it\n",
            "{command}"
        );
    }
}

#[test]
fn the_column_is_where_an_entry_without_owner_starts() {
    let zone = "$ORIGIN insight24.nl.\n$TTL 60\n@ SOA ns h. 1 2 3 4 5\n    IN BOGUS x\n";
    let (code, stderr) = run_with_zone("status", zone);
    assert_eq!(code, Some(18), "{stderr}");
    assert!(stderr.starts_with("broken.zone:4:5: "), "{stderr}");
}

#[test]
fn the_entry_named_is_where_a_group_over_several_lines_starts() {
    let zone = "$ORIGIN insight24.nl.\n$TTL 3600\n@ SOA ns h. (\n  1 ; serial (not a group)\n  2 3 4 5 )\n_dmarc TXT \"v=DMARC1;\n p=none\"\nwww BOGUS 127.0.0.1\n";
    let (code, stderr) = run_with_zone("status", zone);
    assert_eq!(code, Some(18), "{stderr}");
    assert!(stderr.starts_with("broken.zone:8:1: "), "{stderr}");
    assert!(stderr.contains("BOGUS"), "{stderr}");
}

#[test]
fn hostile_text_in_the_error_is_escaped() {
    let zone = "$ORIGIN insight24.nl.\n$TTL 3600\nwww \u{1b}[2J 127.0.0.1\n";
    let (code, stderr) = run_with_zone("check", zone);
    assert_eq!(code, Some(18), "{stderr}");
    assert!(stderr.starts_with("broken.zone:3:1: ") && !stderr.contains('\u{1b}'), "{stderr:?}");
}

#[test]
fn a_zone_file_without_soa_or_that_cannot_be_read_exits_18_too() {
    let (code, stderr) =
        run_with_zone("status", "$ORIGIN insight24.nl.\n$TTL 60\nwww A 127.0.0.1\n");
    assert_eq!(code, Some(18), "{stderr}");
    assert!(stderr.contains("has no SOA record"), "{stderr}");
    let missing = Command::cargo_bin("dmarc-rollout")
        .expect("binary built")
        .args(["next", "plans/insight24.toml", "--zone", "tests/no-such.zone"])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(18));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read zone file"));
}

#[test]
fn a_zone_without_origin_has_no_line_to_name_and_says_what_to_add() {
    let (code, stderr) = run_with_zone("status", "www 60 A 127.0.0.1\n");
    assert_eq!(code, Some(18), "{stderr}");
    assert_eq!(
        stderr,
        "dmarc-rollout: cannot parse zone file 'broken.zone': $ORIGIN was not specified: add a \
         line such as '$ORIGIN example.com.' at the top\n"
    );
}

#[test]
fn a_broken_zone_over_256_kib_is_refused_without_searching_for_the_entry() {
    let mut zone = String::from("$ORIGIN insight24.nl.\n$TTL 60\n@ SOA ns h. 1 2 3 4 5\n");
    let padding = format!("; {}\n", "x".repeat(1000));
    while zone.len() <= 256 << 10 {
        zone.push_str(&padding);
    }
    zone.push_str("www BOGUS 127.0.0.1\n");
    let (code, stderr) = run_with_zone("check", &zone);
    assert_eq!(code, Some(18), "{stderr}");
    assert!(
        stderr.starts_with("dmarc-rollout: cannot parse zone file 'broken.zone': "),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("(the file is over 256 KiB, so the entry is not searched for)\n"),
        "{stderr}"
    );
}
