//! Helpers for the fix tests: a plan with a two-phase ladder, a domain's standing (fixes
//! included) from zones served on 127.0.0.1, applying zone lines to a zone, and actions built
//! or compared without their prose.

use chrono::NaiveDate;
use dmarc_rollout::assess::assess;
use dmarc_rollout::fix::{Action, ActionKind, DnsChange, DnsOp, RecordType};
use dmarc_rollout::plan::{Plan, load};
use dmarc_rollout::standing::Standing;

use super::dns_server::{TestDns, zone_text};

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date")
}

/// A plan for `domain`: `monitor` (p=none), then `quarantine`, reports to `dmarc@<domain>`,
/// `recorded` (1-based) as published on 2026-11-01, then `senders` (TOML).
pub fn plan(domain: &str, recorded: Option<usize>, senders: &str) -> Plan {
    plan_with(domain, &format!("mailto:dmarc@{domain}"), recorded, senders)
}

/// [`plan`] with the reports going to `rua`.
pub fn plan_with(domain: &str, rua: &str, recorded: Option<usize>, senders: &str) -> Plan {
    let history =
        recorded.map_or_else(String::new, |p| format!("[domain.history]\n{p} = 2026-11-01\n"));
    let text = format!(
        "[defaults]\nrua = [\"{rua}\"]\n\n[[phase]]\nname = \"monitor\"\np = \"none\"\n\n\
         [[phase]]\nname = \"quarantine\"\np = \"quarantine\"\n\n[[domain]]\nname = \"{domain}\"\n\
         {senders}\n{history}"
    );
    load("test.toml", &text).unwrap_or_else(|e| panic!("{e:?}\n{text}"))
}

/// A zone for `origin` that receives mail (the plan's rua), plus `body`.
pub fn zone(origin: &str, body: &str) -> String {
    zone_text(origin, &format!("@ MX 10 mx\nmx A 127.0.0.1\n{body}"))
}

/// Serves `zones` and assesses the plan's first domain, fixes included.
pub async fn standing(zones: &[String], plan: &Plan) -> Standing {
    let server = TestDns::start(&zones.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let source = server.source();
    assess(source.as_ref(), &plan.domains[0], today(), None).await
}

/// The actions with their explanations, and the values each TXT change keeps (which have
/// their own test), left out, to compare what they do.
pub fn shape(actions: &[Action]) -> Vec<Action> {
    actions
        .iter()
        .map(|a| {
            let mut a = Action { why: String::new(), ..a.clone() };
            if let ActionKind::Dns(change) = &mut a.kind {
                change.keeps.clear();
            }
            a
        })
        .collect()
}

/// A DNS action as [`shape`] leaves it.
pub fn dns(
    order: usize,
    op: DnsOp,
    (owner, rtype, value): (&str, RecordType, &str),
    replaces: Option<&str>,
    fixes: &[&'static str],
) -> Action {
    let change = DnsChange {
        op,
        owner: owner.to_owned(),
        rtype,
        value: value.to_owned(),
        replaces: replaces.map(str::to_owned),
        ttl: 3600,
        keeps: Vec::new(),
    };
    Action {
        order,
        kind: ActionKind::Dns(change),
        by: None,
        fixes: fixes.to_vec(),
        why: String::new(),
    }
}

/// An Exchange Online action as [`shape`] leaves it.
pub fn exchange(order: usize, commands: &[&str], fixes: &[&'static str]) -> Action {
    let commands = commands.iter().map(|c| (*c).to_owned()).collect();
    Action {
        order,
        kind: ActionKind::ExchangeOnline { commands },
        by: None,
        fixes: fixes.to_vec(),
        why: String::new(),
    }
}

/// A manual action as [`shape`] leaves it.
pub fn manual(order: usize, at: &str, fixes: &[&'static str]) -> Action {
    let kind = ActionKind::Manual { at: at.to_owned() };
    Action { order, kind, by: None, fixes: fixes.to_vec(), why: String::new() }
}

/// Applies `fix --format zone` lines to a zone text: each `; delete:` and `; replace:` line
/// names a line of the zone, which is removed (the test fails when it is not there); every
/// other line that is not a comment is added.
pub fn apply_zone_lines(zone: &str, lines: &str) -> String {
    let mut kept: Vec<String> = zone.lines().map(str::to_owned).collect();
    for line in lines.lines() {
        if let Some(old) =
            line.strip_prefix("; delete: ").or_else(|| line.strip_prefix("; replace: "))
        {
            let at = kept.iter().position(|l| l == old);
            let at = at.unwrap_or_else(|| panic!("the zone has no line '{old}':\n{zone}"));
            kept.remove(at);
        } else if !line.starts_with(';') && !line.trim().is_empty() {
            kept.push(line.to_owned());
        }
    }
    kept.join("\n") + "\n"
}

// contoso.test, sending through Exchange Online.

pub const D: &str = "contoso.test";
pub const PHASE_1: &str = "v=DMARC1; p=none; rua=mailto:dmarc@contoso.test";
pub const PHASE_2: &str = "v=DMARC1; p=quarantine; rua=mailto:dmarc@contoso.test";
pub const S1: &str = "selector1-contoso-test._domainkey.contoso.onmicrosoft.com";
pub const S2: &str = "selector2-contoso-test._domainkey.contoso.onmicrosoft.com";

pub const M365_WITH_TARGETS: &str = "[[domain.sender]]\nname = \"Exchange Online\"\n\
    spf_include = \"spf.protection.outlook.com\"\n\
    dkim.selector1 = \"selector1-contoso-test._domainkey.contoso.onmicrosoft.com\"\n\
    dkim.selector2 = \"selector2-contoso-test._domainkey.contoso.onmicrosoft.com\"\n";
pub const M365_WITHOUT_TARGETS: &str = "[[domain.sender]]\nname = \"Exchange Online\"\n\
    spf_include = \"spf.protection.outlook.com\"\ndkim = [\"selector1\", \"selector2\"]\n";

/// contoso.test at phase 1 with an SPF record that has Exchange Online's include, plus `body`;
/// outlook.com's SPF; and Microsoft's zone holding `keys`.
pub fn m365_zones(body: &str, keys: &str) -> Vec<String> {
    vec![
        zone(
            D,
            &format!(
                "@ TXT \"v=spf1 include:spf.protection.outlook.com -all\"\n_dmarc TXT \"{PHASE_1}\"\n{body}"
            ),
        ),
        zone_text("outlook.com", "spf.protection TXT \"v=spf1 ip4:40.92.0.0/15 -all\"\n"),
        zone_text("onmicrosoft.com", keys),
    ]
}

pub fn cnames() -> String {
    format!("selector1._domainkey CNAME {S1}.\nselector2._domainkey CNAME {S2}.\n")
}
