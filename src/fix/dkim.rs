//! DKIM fixes per sender. Microsoft 365: the Exchange Online sequence (signing configuration,
//! the two CNAMEs, enabling, rotating a weak key), with the CNAME targets from the plan or, when
//! the plan lacks them, the command that prints them. Other senders: the CNAME the plan gives,
//! or the selector that must hold the key their console hands out. Pure.

use super::{Action, ActionKind, DEFAULT_TTL, DnsChange, DnsOp, RecordType};
use crate::name::DnsName;
use crate::plan::{Domain, Selector, Sender};
use crate::readiness::{DkimReadiness, KeyState, SelectorReadiness};
use crate::record::dkim::classify_m365_target;

/// The SPF includes of Exchange Online (worldwide, GCC High/DoD, 21Vianet).
const M365_INCLUDES: [&str; 3] = [
    "spf.protection.outlook.com",
    "spf.protection.office365.us",
    "spf.protection.partner.outlook.cn",
];

/// The actions for every sender's selectors, senders in plan order. A selector two senders
/// share is fixed once, under the first.
pub(super) fn actions(domain: &Domain, readiness: &DkimReadiness) -> Vec<Action> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut connected = false;
    for sender in &domain.senders {
        let selectors: Vec<(&Selector, &SelectorReadiness)> = sender
            .dkim
            .iter()
            .filter(|s| !seen.contains(&s.name.as_str()))
            .filter_map(|s| readiness.selectors.get(&s.name).map(|r| (s, r)))
            .collect();
        seen.extend(selectors.iter().map(|(s, _)| s.name.as_str()));
        if is_m365(sender) {
            out.extend(m365(&domain.name, &selectors, &mut connected));
        } else {
            out.extend(selectors.iter().filter_map(|(s, r)| other(&domain.name, sender, s, r)));
        }
    }
    out
}

/// Exchange Online: a selector pointing at a Microsoft target, or the Microsoft 365 SPF include
/// with the selectors Microsoft names `selector1`/`selector2`.
fn is_m365(sender: &Sender) -> bool {
    let targets =
        sender.dkim.iter().any(|s| s.cname.as_deref().and_then(classify_m365_target).is_some());
    let include =
        sender.spf_includes.iter().any(|i| M365_INCLUDES.contains(&DnsName::lenient(i).as_str()));
    let named = !sender.dkim.is_empty()
        && sender.dkim.iter().all(|s| matches!(s.name.as_str(), "selector1" | "selector2"));
    targets || (include && named)
}

/// A CNAME that must be published (or corrected) for one selector.
struct Needed<'a> {
    selector: &'a str,
    /// The plan's target; `None` when only `Get-DkimSigningConfig` can tell it.
    target: Option<String>,
    /// The live first hop it replaces, when the selector is a CNAME elsewhere.
    live: Option<String>,
    id: &'static str,
}

/// What a selector needs, from its state: a CNAME, enabling at the provider, or a new key.
enum Need<'a> {
    Cname(Needed<'a>),
    Enable(&'static str),
    Rotate,
    Nothing,
}

fn need<'a>(selector: &'a Selector, r: &SelectorReadiness) -> Need<'a> {
    let expected = selector.cname.as_deref().map(|t| String::from(DnsName::lenient(t)));
    let live = r.cname_chain.first().map(|t| String::from(DnsName::lenient(t)));
    match r.state {
        KeyState::Missing => Need::Cname(Needed {
            selector: &selector.name,
            target: expected,
            live: None,
            id: "dkim.selector_missing",
        }),
        // A CNAME to the wrong target: correct it; to the right one: the key is not out yet.
        KeyState::Dangling if expected.is_some() && live != expected => Need::Cname(Needed {
            selector: &selector.name,
            target: expected,
            live,
            id: "dkim.dangling_cname",
        }),
        KeyState::Dangling => Need::Enable("dkim.dangling_cname"),
        KeyState::Weak => Need::Rotate,
        _ => Need::Nothing,
    }
}

/// The Exchange Online sequence: configuration and targets, the CNAMEs, enabling; or enabling
/// alone when the CNAMEs are there but no key is behind them; then rotating a weak key.
fn m365(
    domain: &str,
    selectors: &[(&Selector, &SelectorReadiness)],
    connected: &mut bool,
) -> Vec<Action> {
    let needs: Vec<Need<'_>> = selectors.iter().map(|(s, r)| need(s, r)).collect();
    let cnames: Vec<&Needed<'_>> =
        needs.iter().filter_map(|n| if let Need::Cname(c) = n { Some(c) } else { None }).collect();
    let enable: Vec<&'static str> = needs
        .iter()
        .filter_map(|n| match n {
            Need::Cname(c) => Some(c.id),
            Need::Enable(id) => Some(*id),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    if !cnames.is_empty() {
        out.push(exchange(
            connected,
            prepare_commands(domain),
            enable.clone(),
            prepare_why(&cnames),
        ));
        out.extend(cnames.iter().map(|c| m365_cname(domain, c)));
    }
    if !enable.is_empty() {
        let why = if cnames.is_empty() {
            "The selector CNAMEs are published, but Microsoft publishes no key behind them until \
             DKIM signing is enabled for the domain: enable it (no new CNAME is needed)."
        } else {
            "Turns DKIM signing on once both CNAMEs resolve (Microsoft checks them; \
             `dmarc-rollout status` shows when they do)."
        };
        let set = format!("Set-DkimSigningConfig -Identity {domain} -Enabled $true");
        out.push(exchange(connected, vec![set], dedup(enable), why));
    }
    if needs.iter().any(|n| matches!(n, Need::Rotate)) {
        let rotate = format!("Rotate-DkimSigningConfig -Identity {domain} -KeySize 2048");
        let why = "The key is under 2048 bits (RFC 8301): rotate to a 2048-bit key. Microsoft \
                   signs with the other selector after the rotation; both CNAMEs stay.";
        out.push(exchange(connected, vec![rotate], vec!["dkim.weak_key"], why));
    }
    out
}

/// Creates the signing configuration when there is none (2048-bit keys, not yet enabled), then
/// prints the two CNAME targets Microsoft assigned.
fn prepare_commands(domain: &str) -> Vec<String> {
    vec![
        format!(
            "if (-not (Get-DkimSigningConfig -Identity {domain} -ErrorAction SilentlyContinue)) \
             {{ New-DkimSigningConfig -DomainName {domain} -KeySize 2048 -Enabled $false }}"
        ),
        format!(
            "Get-DkimSigningConfig -Identity {domain} | Format-List Selector1CNAME, Selector2CNAME"
        ),
    ]
}

fn prepare_why(cnames: &[&Needed<'_>]) -> String {
    let unknown = cnames.iter().any(|c| c.target.is_none());
    let then = if unknown {
        "the plan does not give every target, so publish the ones printed here"
    } else {
        "they must equal the plan's targets, which the next steps publish"
    };
    format!(
        "Creates the DKIM signing configuration if the domain has none (2048-bit keys, not yet \
         enabled) and prints the CNAME targets Microsoft assigned (Selector1CNAME, \
         Selector2CNAME): {then}."
    )
}

/// The CNAME for one Microsoft selector: exact when the plan gives the target; otherwise where
/// to read it, since the partition part of the new form cannot be derived.
fn m365_cname(domain: &str, needed: &Needed<'_>) -> Action {
    let owner = format!("{}._domainkey.{domain}", needed.selector);
    let Some(target) = &needed.target else {
        let field =
            if needed.selector == "selector2" { "Selector2CNAME" } else { "Selector1CNAME" };
        return Action::manual(
            "your DNS",
            vec![needed.id],
            format!(
                "Publish {owner} as a CNAME to the {field} value Get-DkimSigningConfig printed \
                 (TTL {DEFAULT_TTL}). The plan gives no target, and for domains added since May \
                 2025 it has the form {}-{}._domainkey.<tenant>.<x>-v1.dkim.mail.microsoft, whose \
                 partition part cannot be derived. Write it into the plan as dkim.{} = \"…\".",
                needed.selector,
                domain.replace('.', "-"),
                needed.selector
            ),
        );
    };
    cname_action(
        owner,
        target,
        needed,
        "Delegates the selector to the key Microsoft publishes for it.",
    )
}

/// A CNAME create (or replace, when the selector points elsewhere) to the plan's target.
fn cname_action(owner: String, target: &str, needed: &Needed<'_>, why: &str) -> Action {
    let (op, replaces, why) = match &needed.live {
        Some(live) => (
            DnsOp::Replace,
            Some(live.clone()),
            format!(
                "{why} It points to {live} now, where no key is published; the plan says {target}."
            ),
        ),
        None => (DnsOp::Create, None, why.to_owned()),
    };
    let change = DnsChange {
        op,
        owner,
        rtype: RecordType::Cname,
        value: target.to_owned(),
        replaces,
        ttl: DEFAULT_TTL,
        keeps: Vec::new(),
    };
    Action::dns(change, vec![needed.id], why)
}

/// An Exchange Online action; the first of the domain connects.
fn exchange(
    connected: &mut bool,
    mut commands: Vec<String>,
    fixes: Vec<&'static str>,
    why: impl Into<String>,
) -> Action {
    if !*connected {
        commands.insert(0, "Connect-ExchangeOnline".to_owned());
        *connected = true;
    }
    Action::new(ActionKind::ExchangeOnline { commands }, dedup(fixes), why)
}

fn dedup(mut ids: Vec<&'static str>) -> Vec<&'static str> {
    let mut seen = Vec::new();
    ids.retain(|id| {
        let new = !seen.contains(id);
        seen.push(id);
        new
    });
    ids
}

/// Another sender's selector: its CNAME when the plan gives one, otherwise the key from its
/// console.
fn other(
    domain: &str,
    sender: &Sender,
    selector: &Selector,
    r: &SelectorReadiness,
) -> Option<Action> {
    let owner = format!("{}._domainkey.{domain}", selector.name);
    let console = console(sender);
    match need(selector, r) {
        Need::Cname(needed) => Some(match &needed.target {
            Some(target) => cname_action(
                owner,
                target,
                &needed,
                &format!("Delegates the selector to the key '{}' publishes.", sender.name),
            ),
            None => Action::manual(
                console.clone(),
                vec![needed.id],
                format!(
                    "{owner} must hold the v=DKIM1 key '{}' signs with, as a TXT record (or the \
                     CNAME it gives); the key comes from {console}.",
                    sender.name
                ),
            ),
        }),
        Need::Enable(id) => Some(Action::manual(
            console.clone(),
            vec![id],
            format!(
                "{owner} points to {}, which holds no key: turn DKIM signing on for {domain} in \
                 {console}, which publishes the key there.",
                r.cname_chain.last().map_or("its target", String::as_str)
            ),
        )),
        Need::Rotate => Some(Action::manual(
            console.clone(),
            vec!["dkim.weak_key"],
            format!(
                "The key at {owner} is under 2048 bits (RFC 8301): create a 2048-bit key in \
                 {console} and publish it at a selector the plan declares."
            ),
        )),
        Need::Nothing => None,
    }
}

/// Where a sender's DKIM key comes from: the console of a sender known by its SPF include, or
/// the sender's admin console by the plan's name.
fn console(sender: &Sender) -> String {
    const KNOWN: [(&str, &str); 3] = [
        (
            "_spf.google.com",
            "the Google Admin console (Apps › Google Workspace › Gmail › Authenticate email)",
        ),
        ("_spf.salesforce.com", "Salesforce Setup (DKIM Keys)"),
        ("sendgrid.net", "SendGrid (Settings › Sender Authentication)"),
    ];
    sender
        .spf_includes
        .iter()
        .find_map(|i| KNOWN.iter().find(|(include, _)| DnsName::lenient(i) == *include))
        .map_or_else(
            || format!("the admin console of '{}'", sender.name),
            |(_, console)| (*console).to_owned(),
        )
}
