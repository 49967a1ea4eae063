//! The one decision (`advice::decide`), case by case and then for every generated pair.
//!
//! First a table, one line per case: six ladders (the article's three steps as shipped in
//! `plans/insight24.toml`, four steps to reject, an RFC 9989 ladder with test-mode steps and
//! evidence gates, a strict-alignment ladder, a ladder that steps back on purpose, and the
//! ladder of `plans/dmarcbis.toml`, each embedded) against
//! every kind of live state (nothing, inherited, bare `p=none`, a phase without its report
//! address, `p=quarantine`, `p=reject`, drifted, broken, two records, unknown, offline) and a
//! history that is absent, in line, behind or ahead of DNS. Then readiness, evidence and the
//! overrides. Then every live record of a generated set against generated ladders, checking the
//! rules that must hold for all of them: one step at a time, never weaker by accident, a block
//! always stops publishing.
#![allow(clippy::unwrap_used, reason = "in tests a panic is the failure report")]

use std::fmt::Write as _;

use chrono::{Days, NaiveDate};
use dmarc_rollout::advice::{
    self, Advice, BlockKind, Inputs, LiveDmarc, Overrides, Position, Strength, Verdict,
};
use dmarc_rollout::plan::{self, Domain};
use dmarc_rollout::readiness::{Readiness, SpfReadiness};
use dmarc_rollout::record::render::render;
use dmarc_rollout::record::{Finding, Policy};

/// (a) `plans/insight24.toml` as shipped: the Office 365 article's three steps (`p=none; pct=50`
/// → `p=quarantine; pct=50` → `p=quarantine; pct=100`, all with `sp=none`). Its own history is
/// replaced by each case's.
const A: &str = r#"
# DMARC rollout for insight24.nl: Exchange Online (Office 365) plus Salesforce.
#
# The three steps of the Office 365 article, written once. `dmarc-rollout next` prints the exact
# TXT value of the next step; `dmarc-rollout validate` checks this file.

# Tags every phase starts from; a phase only says what changes.
[defaults]
rua   = ["mailto:secops@insight24.nl"]
fo    = "0"
adkim = "r"
aspf  = "r"
rf    = "afrf"
ri    = 86400
sp    = "none"
ttl   = 3600                     # TTL to publish the _dmarc record with

# The ladder, shared by every [[domain]] that does not bring its own [[domain.phase]].
[[phase]]
name = "monitor"
p    = "none"
pct  = 50                        # no effect with p=none; kept as the article writes it
soak_days = 14                   # the next phase is due 14 days after this one went live

[[phase]]
name = "quarantine half"
p    = "quarantine"
pct  = 50                        # RFC 9989 receivers ignore pct: they quarantine ALL failing mail
soak_days = 14

[[phase]]
name = "quarantine all"
p    = "quarantine"
pct  = 100

[[domain]]
name = "insight24.nl"

  [[domain.sender]]
  name = "Exchange Online"
  spf_include = "spf.protection.outlook.com"
  # What `Get-DkimSigningConfig -Identity insight24.nl | fl Selector1CNAME,Selector2CNAME` printed.
  dkim.selector1 = "selector1-insight24-nl._domainkey.insight24.onmicrosoft.com"
  dkim.selector2 = "selector2-insight24-nl._domainkey.insight24.onmicrosoft.com"

  [[domain.sender]]
  name = "Salesforce"
  spf_include = "_spf.salesforce.com"

  # Written by `dmarc-rollout record`: phase number = the date it went live.
  [domain.history]
  1 = 2026-11-16
"#;

/// (b) Four steps to reject: none (pct=50, no effect) → quarantine 50% → quarantine → reject.
const B: &str = r#"
[defaults]
rua = ["mailto:dmarc@example.com"]

[[phase]]
name = "monitor"
p = "none"
pct = 50
soak_days = 30

[[phase]]
name = "quarantine half"
p = "quarantine"
pct = 50
soak_days = 14

[[phase]]
name = "quarantine all"
p = "quarantine"
pct = 100
soak_days = 14

[[phase]]
name = "reject"
p = "reject"

[[domain]]
name = "example.com"
"#;

/// (c) An RFC 9989 ladder: each enforcing level is first tried in test mode (`t=y` for RFC 9989
/// receivers, `pct=0` for RFC 7489 ones), and the full levels ask for evidence from reports.
/// In effect: none, none, quarantine, quarantine, reject.
const C: &str = r#"
[defaults]
rua = ["mailto:dmarc@example.org"]

[[phase]]
name = "monitor"
p = "none"
soak_days = 30

[[phase]]
name = "quarantine, test mode"
p = "quarantine"
pct = 0
t = "y"
soak_days = 14

[[phase]]
name = "quarantine"
p = "quarantine"
soak_days = 30
min_report_days = 14
min_pass_rate = 0.98

[[phase]]
name = "reject, test mode"
p = "reject"
pct = 0
t = "y"
soak_days = 14

[[phase]]
name = "reject"
p = "reject"
min_report_days = 14
min_pass_rate = 0.99

[[domain]]
name = "example.org"
"#;

/// (d) Strict alignment on every phase: a relaxed live record is weaker than none of them.
const D: &str = r#"
[defaults]
rua = ["mailto:dmarc@example.net"]
adkim = "s"
aspf = "s"

[[phase]]
name = "monitor"
p = "none"

[[phase]]
name = "quarantine"
p = "quarantine"

[[phase]]
name = "reject"
p = "reject"

[[domain]]
name = "example.net"
"#;

/// (e) A parked domain that starts sending mail again: the plan steps back on purpose.
const E: &str = r#"
[[phase]]
name = "parked"
p = "reject"

[[phase]]
name = "sending again"
p = "none"
allow_loosen = true

[[phase]]
name = "quarantine"
p = "quarantine"

[[domain]]
name = "example.edu"
"#;

/// (f) The ladder of `plans/dmarcbis.toml`: like (c), with `np` held at quarantine until the
/// last step. Test mode applies `np` one level below too (RFC 9989 §4.7), so the test steps
/// write `np=reject` to keep quarantine: no step weakens the one before.
const F: &str = r#"
[defaults]
rua   = ["mailto:dmarc@example.org"]
adkim = "r"
aspf  = "r"
np    = "reject"
ttl   = 3600

[[phase]]
name = "monitor"
p    = "none"
np   = "quarantine"
soak_days = 30

[[phase]]
name = "quarantine, test mode"
p    = "quarantine"
pct  = 0
t    = "y"
soak_days = 14

[[phase]]
name = "quarantine"
p    = "quarantine"
np   = "quarantine"
soak_days = 30
min_report_days = 14
min_pass_rate = 0.98

[[phase]]
name = "reject, test mode"
p    = "reject"
pct  = 0
t    = "y"
soak_days = 14

[[phase]]
name = "reject"
p    = "reject"
min_report_days = 14
min_pass_rate = 0.99

[[domain]]
name = "example.org"
"#;

fn ladder(name: &str) -> &'static str {
    match name {
        "A" => A,
        "B" => B,
        "C" => C,
        "D" => D,
        "E" => E,
        "F" => F,
        _ => panic!("no ladder {name}"),
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

/// The date the `i`-th history entry (0-based) was recorded: two weeks apart, all before today.
fn recorded_on(i: usize) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    start.checked_add_days(Days::new(14 * u64::try_from(i).unwrap())).unwrap()
}

/// The plan text with its history replaced: `history` lists phase numbers in the order they
/// were recorded ("" for none).
fn with_history(text: &str, history: &str) -> String {
    let mut text = text.split("  [domain.history]").next().unwrap().to_owned();
    if !history.is_empty() {
        text.push_str("\n[domain.history]\n");
        for (i, phase) in history.split_whitespace().enumerate() {
            writeln!(text, "{phase} = {}", recorded_on(i)).unwrap();
        }
    }
    text
}

fn domain(text: &str, history: &str) -> Domain {
    let plan = plan::load("test.toml", &with_history(text, history))
        .unwrap_or_else(|e| panic!("the test plan loads: {e:?}"));
    plan.domains.into_iter().next().unwrap()
}

/// What DNS shows, written short: `absent`, `parent:<record>` (no record of its own; both
/// receiver generations inherit `<record>`), `several`, `unknown`, `offline`, `=N` (phase N's
/// record exactly as the plan renders it), or the record text itself.
fn live(domain: &Domain, code: &str) -> LiveDmarc {
    match code {
        "absent" => LiveDmarc::Absent { rfc7489: None, rfc9989: None },
        "several" => LiveDmarc::Several(2),
        "unknown" => LiveDmarc::Unknown { why: "the lookup timed out".to_owned() },
        "offline" => LiveDmarc::NotAsked,
        _ => {
            if let Some(parent) = code.strip_prefix("parent:") {
                let parent = Some(parent.to_owned());
                LiveDmarc::Absent { rfc7489: parent.clone(), rfc9989: parent }
            } else if let Some(n) = code.strip_prefix('=') {
                let n: usize = n.parse().unwrap();
                LiveDmarc::One(render(&domain.phases[n - 1].record))
            } else {
                LiveDmarc::One(code.to_owned())
            }
        }
    }
}

fn decide(domain: &Domain, live: &LiveDmarc, readiness: Option<&Readiness>) -> Advice {
    advice::decide(&Inputs { domain, live, readiness, reports: None, today: today() })
}

/// `not started`, `live 2`, `live 2 ~rua` (report tags differ), `drift 3`, `drift -` (every
/// phase is stricter), `broken`, `unknown`; phases 1-based.
fn position(position: &Position) -> String {
    match position {
        Position::NotStarted => "not started".to_owned(),
        Position::Live { phase, differs } if differs.is_empty() => format!("live {}", phase + 1),
        Position::Live { phase, differs } => {
            let tags: Vec<&str> = differs.iter().map(|d| d.tag.name()).collect();
            format!("live {} ~{}", phase + 1, tags.join(","))
        }
        Position::Drift { phase: Some(phase), .. } => format!("drift {}", phase + 1),
        Position::Drift { phase: None, .. } => "drift -".to_owned(),
        Position::Broken => "broken".to_owned(),
        Position::Unknown => "unknown".to_owned(),
    }
}

fn ids<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    ids.collect::<Vec<_>>().join(" ")
}

/// Checks the reasons against `want`: ids in order; `id[words]` also asks that `words` is one
/// of the weakenings (`p: reject → none`) and that the block's message names it.
fn check_why(advice: &Advice, want: &[&str]) -> Result<(), String> {
    let got = ids(advice.why.iter().map(|b| b.id));
    let want_ids = ids(want.iter().map(|w| w.split('[').next().unwrap()));
    if got != want_ids {
        return Err(format!("why: got [{got}], want [{want_ids}]"));
    }
    let weakens: Vec<String> = advice.weakens.iter().map(advice::Change::describe).collect();
    for (block, want) in advice.why.iter().zip(want) {
        let Some(words) = want.split_once('[').map(|(_, w)| w.trim_end_matches(']')) else {
            continue;
        };
        if !weakens.iter().any(|w| w == words) || !block.message.contains(words) {
            return Err(format!("{}: want '{words}' named, got {weakens:?}", block.message));
        }
    }
    Ok(())
}

/// One case: (ladder, live, history, position, step phase, verdict, reasons, warnings).
type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<usize>,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const AHEAD: &[&str] = &["advice.history_ahead"];
const EVIDENCE: &[&str] = &["reports.evidence_closed"];
const BARE: &str = "v=DMARC1; p=none";

#[rustfmt::skip]
const CASES: &[Case] = &[
    // (a) The article's ladder; every phase has sp=none.
    ("A", "absent", "", "not started", Some(1), "ready", &[], &[]),
    ("A", "absent", "1", "not started", Some(1), "ready", &[], AHEAD),
    ("A", "parent:v=DMARC1; p=reject", "", "not started", Some(1), "blocked", &["advice.loosens[p: reject → none]"], &[]),
    ("A", "parent:v=DMARC1; p=reject; sp=none", "", "not started", Some(1), "ready", &[], &[]),
    // The issue: the bare p=none record is phase 1 (its pct=50 has no effect), so phase 2, not 3.
    ("A", BARE, "", "live 1 ~rua", Some(2), "ready", &[], &[]),
    ("A", BARE, "1", "live 1 ~rua", Some(2), "ready", &[], &[]),
    ("A", BARE, "1 2", "live 1 ~rua", Some(2), "ready", &[], AHEAD),
    ("A", "v=DMARC1; p=none; pct=50", "", "live 1 ~rua", Some(2), "ready", &[], &[]),
    ("A", "v=DMARC1; p=none; sp=none; rua=mailto:secops@insight24.nl", "", "live 1", Some(2), "ready", &[], &[]),
    ("A", "=1", "", "live 1", Some(2), "ready", &[], &[]),
    ("A", "=1", "1 2 3", "live 1", Some(2), "ready", &[], AHEAD),
    ("A", "v=DMARC1; p=quarantine; fo=0; adkim=r; aspf=r; pct=50; rf=afrf; ri=86400; sp=none", "", "live 2 ~rua", Some(3), "ready", &[], &[]),
    ("A", "v=DMARC1; p=quarantine; fo=0; adkim=r; aspf=r; pct=50; rf=afrf; ri=86400; sp=none", "1", "live 2 ~rua", Some(3), "ready", &[], &[]),
    ("A", "v=DMARC1; p=quarantine; fo=0; adkim=r; aspf=r; pct=50; rf=afrf; ri=86400; sp=none", "1 2 3", "live 2 ~rua", Some(3), "ready", &[], AHEAD),
    // p=quarantine protects subdomains too (sp defaults to p): phase 3 would drop that.
    ("A", "v=DMARC1; p=quarantine", "", "drift 3", Some(3), "blocked", &["advice.loosens[sp: quarantine → none]"], &[]),
    ("A", "v=DMARC1; p=quarantine", "1", "drift 3", Some(3), "blocked", &["advice.loosens[np: quarantine → none]"], &[]),
    ("A", "v=DMARC1; p=quarantine; sp=none", "", "live 3 ~rua", Some(3), "ready", &[], &[]),
    ("A", "=3", "1 2 3", "live 3", Some(3), "done", &[], &[]),
    ("A", "v=DMARC1; p=reject", "", "drift 3", Some(3), "blocked", &["advice.loosens[p: reject → quarantine]"], &[]),
    ("A", "v=DMARC1; p=reject", "1", "drift 3", Some(3), "blocked", &["advice.loosens[p: reject → quarantine]"], &[]),
    ("A", "v=DMARC1; p=bogus", "", "broken", Some(1), "ready", &[], &[]),
    ("A", "v=DMARC1; p=bogus", "1 2", "broken", Some(2), "ready", &[], &[]),
    ("A", "several", "", "broken", Some(1), "ready", &[], &[]),
    ("A", "several", "1 2 3", "broken", Some(3), "ready", &[], &[]),
    ("A", "unknown", "", "unknown", None, "unknown", &["dns.unknown"], &[]),
    ("A", "unknown", "1", "unknown", None, "unknown", &["dns.unknown"], &[]),
    ("A", "offline", "", "not started", Some(1), "ready", &[], &[]),
    ("A", "offline", "1", "live 1", Some(2), "ready", &[], &[]),
    ("A", "offline", "1 2 3", "live 3", Some(3), "done", &[], &[]),
    // (b) Four steps to reject.
    ("B", "absent", "", "not started", Some(1), "ready", &[], &[]),
    ("B", "absent", "1 2", "not started", Some(1), "ready", &[], AHEAD),
    ("B", "parent:v=DMARC1; p=reject", "", "not started", Some(1), "blocked", &["advice.loosens[p: reject → none]"], &[]),
    ("B", "parent:v=DMARC1; p=reject; sp=quarantine", "", "not started", Some(1), "blocked", &["advice.loosens[p: quarantine → none]"], &[]),
    ("B", "parent:v=DMARC1; p=reject; sp=none", "1", "not started", Some(1), "ready", &[], AHEAD),
    // The issue: p=none with the plan's rua and no history is phase 1; the step is phase 2, not reject.
    ("B", "v=DMARC1; p=none; rua=mailto:dmarc@example.com", "", "live 1", Some(2), "ready", &[], &[]),
    ("B", BARE, "", "live 1 ~rua", Some(2), "ready", &[], &[]),
    ("B", BARE, "1 2 3", "live 1 ~rua", Some(2), "ready", &[], AHEAD),
    ("B", "v=DMARC1; p=none; pct=50", "", "live 1 ~rua", Some(2), "ready", &[], &[]),
    ("B", "v=DMARC1; p=quarantine; pct=50", "", "live 2 ~rua", Some(3), "ready", &[], &[]),
    ("B", "v=DMARC1; p=quarantine; pct=50", "1", "live 2 ~rua", Some(3), "ready", &[], &[]),
    ("B", "v=DMARC1; p=quarantine; pct=50", "1 2 3 4", "live 2 ~rua", Some(3), "ready", &[], AHEAD),
    ("B", "v=DMARC1; p=quarantine", "", "live 3 ~rua", Some(4), "ready", &[], &[]),
    ("B", "v=DMARC1; p=quarantine", "1", "live 3 ~rua", Some(4), "ready", &[], &[]),
    ("B", "v=DMARC1; p=quarantine; pct=25", "", "drift 1", Some(2), "ready", &[], &[]),
    ("B", "v=DMARC1; p=reject; pct=50", "", "drift 3", Some(4), "ready", &[], &[]),
    ("B", "v=DMARC1; p=quarantine; aspf=s", "", "drift 3", Some(4), "blocked", &["advice.loosens[aspf: strict → relaxed]"], &[]),
    ("B", "v=DMARC1; p=reject", "", "live 4 ~rua", Some(4), "ready", &[], &[]),
    // The issue: p=reject live, history at phase 1: never p=none.
    ("B", "v=DMARC1; p=reject", "1", "live 4 ~rua", Some(4), "ready", &[], &[]),
    ("B", "=4", "1 2 3 4", "live 4", Some(4), "done", &[], &[]),
    ("B", "v=DMARC1; p=bogus", "", "broken", Some(1), "ready", &[], &[]),
    ("B", "v=DMARC1; p=bogus", "1 2 3", "broken", Some(3), "ready", &[], &[]),
    ("B", "several", "", "broken", Some(1), "ready", &[], &[]),
    ("B", "several", "1 2", "broken", Some(2), "ready", &[], &[]),
    ("B", "unknown", "1 2", "unknown", None, "unknown", &["dns.unknown"], &[]),
    ("B", "offline", "", "not started", Some(1), "ready", &[], &[]),
    ("B", "offline", "1 2", "live 2", Some(3), "ready", &[], &[]),
    // (c) RFC 9989: phases 1 and 2 both mean none, 3 and 4 both quarantine; 3 and 5 ask for evidence.
    ("C", "absent", "", "not started", Some(1), "ready", &[], &[]),
    ("C", "parent:v=DMARC1; p=reject", "", "not started", Some(1), "blocked", &["advice.loosens[p: reject → none]"], &[]),
    ("C", BARE, "", "live 1 ~rua", Some(2), "ready", &[], &[]),
    ("C", BARE, "1 2", "live 2 ~rua", Some(3), "hold", EVIDENCE, &[]),
    ("C", "v=DMARC1; p=none; pct=50", "", "live 1 ~rua", Some(2), "ready", &[], &[]),
    // Phase 2 without its rua means what phase 1 means: without history it is not skipped.
    ("C", "v=DMARC1; p=quarantine; pct=0; t=y", "", "live 1 ~rua", Some(2), "ready", &[], &[]),
    ("C", "v=DMARC1; p=quarantine; pct=0; t=y", "1", "live 1 ~rua", Some(2), "ready", &[], &[]),
    ("C", "v=DMARC1; p=quarantine; pct=0; t=y", "1 2", "live 2 ~rua", Some(3), "hold", EVIDENCE, &[]),
    ("C", "v=DMARC1; p=quarantine; pct=0; t=y", "1 2 3", "live 1 ~rua", Some(2), "ready", &[], AHEAD),
    ("C", "=2", "", "live 2", Some(3), "hold", EVIDENCE, &[]),
    ("C", "v=DMARC1; p=quarantine", "", "live 3 ~rua", Some(4), "ready", &[], &[]),
    ("C", "v=DMARC1; p=quarantine", "1 2", "live 3 ~rua", Some(4), "ready", &[], &[]),
    ("C", "v=DMARC1; p=quarantine", "1 2 3 4", "live 4 ~rua", Some(5), "hold", EVIDENCE, &[]),
    ("C", "v=DMARC1; p=quarantine", "1 2 3 4 5", "live 3 ~rua", Some(4), "ready", &[], AHEAD),
    ("C", "v=DMARC1; p=quarantine; t=y", "", "drift 2", Some(3), "hold", EVIDENCE, &[]),
    ("C", "v=DMARC1; p=reject; t=y", "", "drift 4", Some(5), "hold", EVIDENCE, &[]),
    ("C", "v=DMARC1; p=reject; pct=0", "", "drift 4", Some(5), "hold", EVIDENCE, &[]),
    ("C", "v=DMARC1; p=reject", "", "live 5 ~rua", Some(5), "ready", &[], &[]),
    ("C", "v=DMARC1; p=reject", "1", "live 5 ~rua", Some(5), "ready", &[], &[]),
    ("C", "=5", "1 2 3 4 5", "live 5", Some(5), "done", &[], &[]),
    ("C", "v=DMARC1; p=bogus", "", "broken", Some(1), "ready", &[], &[]),
    ("C", "v=DMARC1; p=bogus", "1 2 3", "broken", Some(3), "hold", EVIDENCE, &[]),
    ("C", "several", "1 2 3 4", "broken", Some(4), "ready", &[], &[]),
    ("C", "unknown", "", "unknown", None, "unknown", &["dns.unknown"], &[]),
    ("C", "offline", "", "not started", Some(1), "ready", &[], &[]),
    ("C", "offline", "1 2", "live 2", Some(3), "hold", EVIDENCE, &[]),
    // (d) Strict alignment everywhere: a relaxed record is placed nowhere, and phase 1 says so.
    ("D", "v=DMARC1; p=reject", "", "drift -", Some(1), "blocked", &["advice.loosens[p: reject → none]"], &[]),
    ("D", "v=DMARC1; p=reject", "1", "drift -", Some(1), "blocked", &["advice.loosens[p: reject → none]"], AHEAD),
    ("D", "v=DMARC1; p=quarantine", "", "drift -", Some(1), "blocked", &["advice.loosens[p: quarantine → none]"], &[]),
    ("D", "v=DMARC1; p=none; adkim=s; aspf=s", "", "live 1 ~rua", Some(2), "ready", &[], &[]),
    ("D", "v=DMARC1; p=quarantine; aspf=s", "", "drift -", Some(1), "blocked", &["advice.loosens[p: quarantine → none]"], &[]),
    ("D", "v=DMARC1; p=quarantine; pct=50; adkim=s; aspf=s", "", "drift 1", Some(2), "ready", &[], &[]),
    // (e) A step back the plan allows is a warning, never a block.
    ("E", "=1", "1", "live 1", Some(2), "ready", &[], &["advice.loosens"]),
    ("E", "v=DMARC1; p=reject", "", "live 1", Some(2), "ready", &[], &["advice.loosens"]),
    ("E", "absent", "", "not started", Some(1), "ready", &[], &[]),
    ("E", "v=DMARC1; p=quarantine", "", "live 3", Some(3), "done", &[], &[]),
    // (f) The shipped RFC 9989 plan: its test-mode step is weaker in np, so it is refused.
    ("F", "=1", "", "live 1", Some(2), "ready", &[], &[]),
    ("F", "=1", "1", "live 1", Some(2), "ready", &[], &[]),
    ("F", "=2", "1 2", "live 2", Some(3), "hold", EVIDENCE, &[]),
    ("F", "v=DMARC1; p=none", "", "drift -", Some(1), "ready", &[], &[]),
    ("F", "v=DMARC1; p=none; np=quarantine", "1", "live 1 ~rua", Some(2), "ready", &[], &[]),
];

fn check_case(case: &Case) -> Result<(), String> {
    let (plan, code, history, want_at, want_step, want_verdict, want_why, want_warnings) = *case;
    let domain = domain(ladder(plan), history);
    let advice = decide(&domain, &live(&domain, code), Some(&Readiness::default()));
    let at = position(&advice.position);
    let step = advice.step.as_ref().map(|s| s.phase);
    let verdict = advice.verdict.as_str();
    if (at.as_str(), step, verdict) != (want_at, want_step, want_verdict) {
        return Err(format!(
            "got ({at}, {step:?}, {verdict}), want ({want_at}, {want_step:?}, {want_verdict})"
        ));
    }
    check_why(&advice, want_why)?;
    let warnings = ids(advice.warnings.iter().map(|f| f.id));
    let want_warnings = ids(want_warnings.iter().copied());
    if warnings != want_warnings {
        return Err(format!("warnings: got [{warnings}], want [{want_warnings}]"));
    }
    Ok(())
}

#[test]
fn every_ladder_live_state_and_history_gives_the_expected_position_step_and_verdict() {
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|case| {
            let (plan, live, history, ..) = case;
            check_case(case).err().map(|e| format!("{plan} | {live} | history '{history}': {e}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

/// The readiness a case is given: `ready`, `unchecked` (`None`), `unverified` (SPF outside the
/// zone file), `failed` (the SPF lookup timed out), `error` (SPF passes everything).
fn readiness(code: &str) -> Option<Readiness> {
    let spf = |finding: Finding| {
        Some(Readiness {
            spf: SpfReadiness { findings: vec![finding], ..SpfReadiness::default() },
            ..Readiness::default()
        })
    };
    match code {
        "ready" => Some(Readiness::default()),
        "unchecked" => None,
        "unverified" => spf(Finding::warning("spf.unverified", 0..0, "outside the zone file")),
        "failed" => spf(Finding::error("spf.lookup_failed", 0..0, "the TXT lookup timed out")),
        "error" => spf(Finding::error("spf.pass_all", 0..0, "+all lets anyone pass SPF")),
        _ => panic!("no readiness {code}"),
    }
}

/// (ladder, live, history, readiness, verdict, reasons, may publish with: no override, --force,
/// --allow-loosen, both).
type Gate = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    [bool; 4],
);

#[rustfmt::skip]
const GATES: &[Gate] = &[
    // Step 2 of (b) enforces more than the live p=none: readiness decides.
    ("B", BARE, "", "ready", "ready", &[], [true, true, true, true]),
    ("B", BARE, "", "unchecked", "blocked", &["readiness.not_checked"], [false, true, false, true]),
    ("B", BARE, "", "unverified", "blocked", &["spf.unverified"], [false, true, false, true]),
    ("B", BARE, "", "error", "blocked", &["spf.pass_all"], [false, true, false, true]),
    ("B", BARE, "", "failed", "unknown", &["spf.lookup_failed"], [false, true, false, true]),
    // Step 1 of (b) is p=none: nothing to be ready for.
    ("B", "absent", "", "unchecked", "ready", &[], [true, true, true, true]),
    ("B", "absent", "", "error", "ready", &[], [true, true, true, true]),
    // (a) from p=none: RFC 7489 receivers quarantine half, RFC 9989 receivers all.
    ("A", BARE, "", "unchecked", "blocked", &["readiness.not_checked"], [false, true, false, true]),
    ("A", "v=DMARC1; p=quarantine; fo=0; adkim=r; aspf=r; pct=50; rf=afrf; ri=86400; sp=none", "", "error", "blocked", &["spf.pass_all"], [false, true, false, true]),
    // Phase 2 of (c) is test mode, in effect none: no readiness needed.
    ("C", BARE, "", "unchecked", "ready", &[], [true, true, true, true]),
    // Phase 3 of (c) asks for evidence, and no reports were read.
    ("C", "=2", "1 2", "ready", "hold", EVIDENCE, [false, true, false, true]),
    ("C", "=2", "1 2", "unchecked", "blocked", &["readiness.not_checked", "reports.evidence_closed"], [false, true, false, true]),
    ("C", "=2", "1 2", "failed", "unknown", &["spf.lookup_failed", "reports.evidence_closed"], [false, true, false, true]),
    // A step weaker than what is live: only --allow-loosen lifts it.
    ("B", "parent:v=DMARC1; p=reject", "", "ready", "blocked", &["advice.loosens[p: reject → none]"], [false, false, true, true]),
    ("B", "parent:v=DMARC1; p=reject", "", "unchecked", "blocked", &["advice.loosens[np: reject → none]"], [false, false, true, true]),
    ("A", "v=DMARC1; p=quarantine", "", "unchecked", "blocked", &["advice.loosens[sp: quarantine → none]"], [false, false, true, true]),
    // Weaker in alignment, stronger in policy: both blocks stand, each needs its own override.
    ("B", "v=DMARC1; p=quarantine; pct=50; aspf=s", "", "unchecked", "blocked", &["advice.loosens[aspf: strict → relaxed]", "readiness.not_checked"], [false, false, false, true]),
    // A step back the plan allows.
    ("E", "=1", "1", "unchecked", "ready", &[], [true, true, true, true]),
    // Unknown DNS: no step, so nothing to publish whatever the overrides.
    ("B", "unknown", "1", "ready", "unknown", &["dns.unknown"], [false, false, false, false]),
    ("B", "unknown", "1", "unchecked", "unknown", &["dns.unknown"], [false, false, false, false]),
];

const OVERRIDES: [Overrides; 4] = [
    Overrides { force: false, allow_loosen: false },
    Overrides { force: true, allow_loosen: false },
    Overrides { force: false, allow_loosen: true },
    Overrides { force: true, allow_loosen: true },
];

fn check_gate(case: &Gate) -> Result<(), String> {
    let (plan, code, history, ready, want_verdict, want_why, want_may) = *case;
    let domain = domain(ladder(plan), history);
    let readiness = readiness(ready);
    let advice = decide(&domain, &live(&domain, code), readiness.as_ref());
    if advice.verdict.as_str() != want_verdict {
        return Err(format!("verdict {}, want {want_verdict}", advice.verdict.as_str()));
    }
    check_why(&advice, want_why)?;
    let may = OVERRIDES.map(|o| advice.may_publish(o));
    if may != want_may {
        return Err(format!("may publish {may:?}, want {want_may:?}"));
    }
    Ok(())
}

#[test]
fn readiness_evidence_and_the_overrides_gate_the_step_each_in_its_own_way() {
    let failures: Vec<String> = GATES
        .iter()
        .filter_map(|case| {
            let (plan, live, history, ready, ..) = case;
            check_gate(case)
                .err()
                .map(|e| format!("{plan} | {live} | history '{history}' | {ready}: {e}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        GATES.len(),
        failures.join("\n")
    );
}

#[test]
fn p_none_is_never_advised_over_a_live_reject_without_a_block_naming_the_weakening() {
    let mut none_steps = 0;
    for plan in ["A", "B", "C", "D", "E"] {
        for history in ["", "1"] {
            let domain = domain(ladder(plan), history);
            for code in ["v=DMARC1; p=reject", "parent:v=DMARC1; p=reject", "=1"] {
                let live = live(&domain, code);
                if code == "=1" && domain.phases[0].record.p != Some(Policy::Reject) {
                    continue;
                }
                let advice = decide(&domain, &live, Some(&Readiness::default()));
                let step = advice.step.as_ref().unwrap();
                let phase = &domain.phases[step.phase - 1];
                if phase.record.p != Some(Policy::None) {
                    continue;
                }
                none_steps += 1;
                let named = |message: &str| message.contains("p: reject → none");
                let case = format!("{plan} | {code} | history '{history}': {advice:?}");
                if phase.allow_loosen {
                    assert!(advice.warnings.iter().any(|w| named(&w.message)), "{case}");
                    continue;
                }
                let block = advice.why.iter().find(|b| b.kind == BlockKind::Loosening);
                assert!(block.is_some_and(|b| named(&b.message)), "{case}");
                assert!(!advice.may_publish(Overrides::default()), "{case}");
                assert!(
                    !advice.may_publish(Overrides { force: true, allow_loosen: false }),
                    "{case}"
                );
            }
        }
    }
    assert!(none_steps >= 10, "only {none_steps} steps to p=none were seen");
}

#[test]
fn the_articles_shipped_history_makes_phase_two_due_fourteen_days_after_phase_one() {
    let plan = plan::load("insight24.toml", A).unwrap();
    let domain = &plan.domains[0];
    let advice = decide(domain, &LiveDmarc::One(BARE.to_owned()), Some(&Readiness::default()));
    let due = advice.due.unwrap();
    assert_eq!(due.date, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    assert_eq!(due.in_days, -1, "overdue by a day on {}", today());
    assert_eq!(advice.step.unwrap().phase, 2);
}

#[test]
fn adopting_names_where_the_live_record_is_stricter_and_what_the_step_repairs() {
    use advice::Repair;
    #[rustfmt::skip]
    let cases: &[(&str, &str, &[&str], Option<Repair>)] = &[
        ("A", "v=DMARC1; p=quarantine", &["sp: quarantine → none", "np: quarantine → none"], Some(Repair::Drift)),
        ("A", "v=DMARC1; p=reject", &["p: reject → quarantine", "sp: reject → none", "np: reject → none"], Some(Repair::Drift)),
        ("B", "v=DMARC1; p=quarantine; pct=25", &["p for RFC 7489 receivers: quarantine 25% → none", "p for RFC 9989 receivers: quarantine → none", "sp for RFC 7489 receivers: quarantine 25% → none", "sp for RFC 9989 receivers: quarantine → none", "np: quarantine → none"], Some(Repair::Drift)),
        ("B", "v=DMARC1; p=quarantine; aspf=s", &["aspf: strict → relaxed"], Some(Repair::Drift)),
        ("C", "v=DMARC1; p=reject; t=y", &["p for RFC 7489 receivers: reject → quarantine", "sp for RFC 7489 receivers: reject → quarantine"], Some(Repair::Drift)),
        ("D", "v=DMARC1; p=reject", &[], Some(Repair::Drift)),
        ("B", BARE, &[], Some(Repair::Reporting)),
        ("B", "v=DMARC1; p=none; rua=mailto:dmarc@example.com", &[], None),
        ("B", "v=DMARC1; p=bogus", &[], Some(Repair::Broken)),
        ("B", "several", &[], Some(Repair::Broken)),
        ("B", "absent", &[], None),
    ];
    for &(plan, code, stricter, repairs) in cases {
        let domain = domain(ladder(plan), "");
        let advice = decide(&domain, &live(&domain, code), Some(&Readiness::default()));
        let got: Vec<String> = advice.live_stricter.iter().map(advice::Change::describe).collect();
        assert_eq!(got, stricter, "{plan} | {code}");
        assert_eq!(advice.repairs, repairs, "{plan} | {code}");
    }
}

// The property test: every generated live record against every generated ladder.

/// The phases ladders are drawn from, weakest first: (p, pct, t).
const POOL: [(&str, Option<u8>, bool); 7] = [
    ("none", None, false),
    ("quarantine", Some(0), true),
    ("quarantine", Some(50), false),
    ("quarantine", None, false),
    ("reject", Some(0), true),
    ("reject", Some(50), false),
    ("reject", None, false),
];

/// Tags written under `[defaults]`, one set per ladder.
const DEFAULTS: [&str; 6] = [
    "",
    "sp = \"none\"\n",
    "aspf = \"s\"\n",
    "np = \"reject\"\n",
    "sp = \"quarantine\"\nadkim = \"s\"\n",
    "rua = [\"mailto:dmarc@example.com\"]\nfo = \"1\"\n",
];

/// Extra tags a phase may write over the defaults (which may make the ladder loosen, so the
/// loader rejects it).
const EXTRAS: [&str; 5] = ["", "", "sp = \"reject\"\n", "aspf = \"s\"\n", "sp = \"none\"\n"];

/// A small deterministic generator (64-bit LCG, Knuth's constants).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 =
            self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(self.0 >> 33).unwrap() % n
    }
}

/// The TOML of one generated ladder: increasing picks from the pool, sometimes with a phase
/// that steps back with `allow_loosen = true`, sometimes an evidence gate.
fn generated_ladder(rng: &mut Lcg, index: usize) -> String {
    let mut text = format!("[defaults]\n{}", DEFAULTS[index % DEFAULTS.len()]);
    let mut picks: Vec<usize> = (0..POOL.len()).filter(|_| rng.below(3) == 0).collect();
    if picks.is_empty() {
        picks.push(rng.below(POOL.len()));
    }
    picks.truncate(5);
    let mut phases: Vec<String> = picks
        .iter()
        .map(|&i| {
            let (p, pct, t) = POOL[i];
            let mut phase = format!("p = \"{p}\"\n");
            if let Some(pct) = pct {
                writeln!(phase, "pct = {pct}").unwrap();
            }
            if t {
                phase.push_str("t = \"y\"\n");
            }
            phase.push_str(EXTRAS[rng.below(EXTRAS.len())]);
            if rng.below(4) == 0 {
                phase.push_str("min_report_days = 14\n");
            }
            phase
        })
        .collect();
    if index % 5 == 4 {
        let at = rng.below(phases.len() + 1);
        phases.insert(at, "p = \"none\"\nallow_loosen = true\n".to_owned());
    }
    for (i, phase) in phases.iter().enumerate() {
        write!(text, "\n[[phase]]\nname = \"phase {}\"\n{phase}", i + 1).unwrap();
    }
    text.push_str("\n[[domain]]\nname = \"generated.example\"\n");
    text
}

/// Every combination of p × sp × pct × t × aspf: 3 × 4 × 4 × 2 × 2 = 192 records.
fn live_records() -> Vec<String> {
    let mut records = Vec::new();
    for p in ["none", "quarantine", "reject"] {
        for sp in [None, Some("none"), Some("quarantine"), Some("reject")] {
            for pct in [None, Some(0), Some(50), Some(100)] {
                for t in [false, true] {
                    for strict in [false, true] {
                        let mut text = format!("v=DMARC1; p={p}");
                        if let Some(sp) = sp {
                            write!(text, "; sp={sp}").unwrap();
                        }
                        if let Some(pct) = pct {
                            write!(text, "; pct={pct}").unwrap();
                        }
                        if t {
                            text.push_str("; t=y");
                        }
                        if strict {
                            text.push_str("; aspf=s");
                        }
                        records.push(text);
                    }
                }
            }
        }
    }
    records
}

/// What receivers apply now, as the decision should see it.
fn live_strength(domain: &Domain, live: &LiveDmarc) -> Option<Strength> {
    match live {
        LiveDmarc::Unknown { .. } => None,
        LiveDmarc::Absent { rfc7489, rfc9989 } => {
            Some(Strength::inherited(rfc7489.as_deref(), rfc9989.as_deref()))
        }
        LiveDmarc::One(text) => Some(Strength::of_text(text)),
        LiveDmarc::Several(_) => Some(Strength::nothing()),
        LiveDmarc::NotAsked => Some(
            dmarc_rollout::rollout::recorded_phase(domain)
                .map_or_else(Strength::nothing, |r| Strength::of(&domain.phases[r].record)),
        ),
    }
}

/// The same record written another way: tags after `p` in reverse order, with explicit
/// defaults and tags that change nothing (`rf`, `ri`, `adkim=r`, `t=n`) added where unwritten.
fn rewritten(text: &str) -> String {
    let mut tags: Vec<&str> = text.split("; ").collect();
    let rest = tags.split_off(2);
    tags.extend(["rf=afrf", "ri=86400"]);
    tags.extend(rest.iter().rev());
    for (name, default) in [("adkim=", "adkim=r"), ("t=", "t=n"), ("fo=", "fo=0")] {
        if !text.contains(&format!("; {name}")) {
            tags.push(default);
        }
    }
    tags.join("; ")
}

/// Meaning, not text: the rewritten record gets the very same advice.
fn same_meaning_same_advice(
    domain: &Domain,
    live: &LiveDmarc,
    readiness: Option<&Readiness>,
    advice: &Advice,
) -> Result<(), String> {
    let LiveDmarc::One(text) = live else { return Ok(()) };
    if matches!(advice.position, Position::Broken) {
        return Ok(());
    }
    let other = rewritten(text);
    let again = decide(domain, &LiveDmarc::One(other.clone()), readiness);
    if again == *advice {
        Ok(())
    } else {
        Err(format!("'{other}' means '{text}' but is advised otherwise:\n{again:?}\n{advice:?}"))
    }
}

/// How often each interesting outcome was seen, so the properties cannot hold vacuously.
#[derive(Default, Debug)]
struct Seen {
    pairs: usize,
    ladders: usize,
    rejected_ladders: usize,
    drift: usize,
    live: usize,
    weaker_steps: usize,
    loosening_blocks: usize,
    allowed_loosenings: usize,
    blocked: usize,
}

/// The rules every decision obeys, for one pair; `Err` says which one broke.
fn check_rules(
    domain: &Domain,
    live: &LiveDmarc,
    advice: &Advice,
    seen: &mut Seen,
) -> Result<(), String> {
    let last = domain.phases.len() - 1;
    let Some(step) = &advice.step else {
        // Only an unknown record leaves no step, and then nothing may be published.
        return if matches!(live, LiveDmarc::Unknown { .. }) && advice.verdict == Verdict::Unknown {
            Ok(())
        } else {
            Err("no step, yet DNS answered".to_owned())
        };
    };
    let index = step.phase - 1;
    // (i) One step at a time.
    match (&advice.position, advice.position.at()) {
        (_, Some(at)) => {
            if index > at + 1 || index < at || index > last {
                return Err(format!("step {} from phase {}", step.phase, at + 1));
            }
        }
        (Position::Broken, None) => {
            let recorded = dmarc_rollout::rollout::recorded_phase(domain).unwrap_or(0);
            if index != recorded {
                return Err(format!(
                    "broken: step {} but phase {} recorded",
                    step.phase,
                    recorded + 1
                ));
            }
        }
        (_, None) => {
            if index != 0 {
                return Err(format!("standing nowhere, yet step {}", step.phase));
            }
        }
    }
    // (ii) and (iii): never weaker by accident; a block only for a real weakening.
    let phase = &domain.phases[index];
    let strength = live_strength(domain, live).ok_or("a step for an unknown record")?;
    let weakens = strength.weakenings(&Strength::of(&phase.record));
    let blocked = advice.why.iter().any(|b| b.kind == BlockKind::Loosening);
    let warned = advice.warnings.iter().any(|w| w.id == "advice.loosens");
    if !weakens.is_empty() {
        seen.weaker_steps += 1;
        if blocked == phase.allow_loosen || warned != phase.allow_loosen {
            return Err(format!(
                "the step weakens {weakens:?}: loosening block {blocked}, warning {warned}, allow_loosen {}",
                phase.allow_loosen
            ));
        }
        seen.loosening_blocks += usize::from(blocked);
        seen.allowed_loosenings += usize::from(warned);
    } else if blocked || warned {
        return Err("a loosening is named, yet the step weakens nothing".to_owned());
    }
    if advice.weakens != weakens {
        return Err(format!("weakens {:?}, want {weakens:?}", advice.weakens));
    }
    // (iv) Any reason stops publishing without an override; --force never lifts a loosening.
    if !advice.why.is_empty() {
        seen.blocked += 1;
        if advice.may_publish(Overrides::default()) {
            return Err("may publish despite reasons".to_owned());
        }
        if advice.verdict == Verdict::Ready || advice.verdict == Verdict::Done {
            return Err(format!("verdict {} despite reasons", advice.verdict.as_str()));
        }
    }
    if blocked && advice.may_publish(Overrides { force: true, allow_loosen: false }) {
        return Err("--force lifted a loosening".to_owned());
    }
    placement(domain, &strength, advice, seen)
}

/// Meaning, not text: a live record is at the phase that applies what it applies; else it is
/// placed at the highest phase it is at least as strict as, and `live_stricter` says how.
fn placement(
    domain: &Domain,
    live: &Strength,
    advice: &Advice,
    seen: &mut Seen,
) -> Result<(), String> {
    let phases: Vec<Strength> = domain.phases.iter().map(|p| Strength::of(&p.record)).collect();
    match advice.position {
        Position::Live { phase, .. } => {
            seen.live += 1;
            if phases[phase] != *live {
                return Err(format!("live at phase {}, which means something else", phase + 1));
            }
            if !advice.live_stricter.is_empty() {
                return Err(format!("live at a phase, yet stricter: {:?}", advice.live_stricter));
            }
        }
        Position::Drift { phase, .. } => {
            seen.drift += 1;
            if let Some(same) = phases.iter().position(|p| p == live) {
                return Err(format!("drift, yet phase {} means the same", same + 1));
            }
            let highest = phases.iter().rposition(|p| live.covers(p));
            if phase != highest {
                return Err(format!("placed at {phase:?}, the highest covered is {highest:?}"));
            }
            let stricter = phase.map_or_else(Vec::new, |at| live.weakenings(&phases[at]));
            if advice.live_stricter != stricter {
                return Err(format!("live_stricter {:?}, want {stricter:?}", advice.live_stricter));
            }
        }
        _ => {}
    }
    Ok(())
}

#[test]
fn every_generated_record_against_every_generated_ladder_steps_one_phase_and_never_weakens_by_accident()
 {
    let records = live_records();
    assert_eq!(records.len(), 192);
    let mut lives: Vec<LiveDmarc> = records.iter().map(|r| LiveDmarc::One(r.clone())).collect();
    lives.extend(
        records
            .iter()
            .step_by(3)
            .map(|r| LiveDmarc::Absent { rfc7489: Some(r.clone()), rfc9989: Some(r.clone()) }),
    );
    lives.extend([
        LiveDmarc::Absent { rfc7489: None, rfc9989: None },
        LiveDmarc::One("v=DMARC1; p=bogus".to_owned()),
        LiveDmarc::One("v=DMARC1; p=reject; pct=200".to_owned()),
        LiveDmarc::Several(2),
        LiveDmarc::NotAsked,
        LiveDmarc::Unknown { why: "SERVFAIL".to_owned() },
    ]);
    let ready = Readiness::default();
    let mut rng = Lcg(0x00d3_a4c0_2026_1201);
    let mut seen = Seen::default();
    let mut failures = Vec::new();
    for index in 0..60 {
        let text = generated_ladder(&mut rng, index);
        let Ok(plan) = plan::load("generated.toml", &text) else {
            seen.rejected_ladders += 1;
            continue;
        };
        seen.ladders += 1;
        let len = plan.domains[0].phases.len();
        let mut histories = vec![String::new(), "1".to_owned()];
        histories.push((1..=len).map(|n| n.to_string()).collect::<Vec<_>>().join(" "));
        for (h, history) in histories.iter().enumerate() {
            let domain = domain(&text, history);
            // Readiness alternates between checked (ready) and not checked.
            let readiness = (h % 2 == 0).then_some(&ready);
            for (i, phase) in domain.phases.iter().enumerate() {
                let live = LiveDmarc::One(render(&phase.record));
                let advice = decide(&domain, &live, readiness);
                let exact = match &advice.position {
                    Position::Live { phase: at, differs } => {
                        differs.is_empty() && domain.phases[*at].record.same_meaning(&phase.record)
                    }
                    _ => false,
                };
                if !exact {
                    failures.push(format!(
                        "phase {} live as rendered: {:?}\n{text}",
                        i + 1,
                        advice.position
                    ));
                }
            }
            for live in &lives {
                let advice = decide(&domain, live, readiness);
                seen.pairs += 1;
                let checked = check_rules(&domain, live, &advice, &mut seen)
                    .and_then(|()| same_meaning_same_advice(&domain, live, readiness, &advice));
                if let Err(e) = checked {
                    failures.push(format!("{e}\n  live {live:?}, history '{history}'\n{text}"));
                }
            }
        }
    }
    eprintln!("checked {} (ladder, history, live) pairs: {seen:?}", seen.pairs);
    assert!(
        failures.is_empty(),
        "{} pairs break a rule; the first:\n{}",
        failures.len(),
        failures.iter().take(3).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(seen.ladders >= 30, "only {} generated ladders loaded", seen.ladders);
    assert!(seen.pairs >= 20_000, "only {} pairs checked", seen.pairs);
    for (what, n) in [
        ("drift", seen.drift),
        ("live", seen.live),
        ("weaker step", seen.weaker_steps),
        ("loosening block", seen.loosening_blocks),
        ("allowed loosening", seen.allowed_loosenings),
        ("blocked", seen.blocked),
        ("rejected ladder", seen.rejected_ladders),
    ] {
        assert!(n >= 10, "only {n} cases of {what}: the generators do not reach it");
    }
}
