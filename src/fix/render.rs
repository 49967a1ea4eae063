//! Fixes as text: zone-file lines (deletions as comments), a PowerShell script of the Exchange
//! Online steps, and the readable list the CLI and the TUI show. Everything from DNS or the plan
//! is escaped: no raw control character reaches a terminal or a zone file. Pure.

use std::fmt::Write as _;

use super::{Action, ActionKind, DnsChange, DnsOp, Fixes, RecordType};
use crate::export;
use crate::name::DnsName;
use crate::record::render::split_character_strings;
use crate::text::escape;

/// The record as a zone-file line: `owner. TTL IN TYPE data`.
pub fn zone_line(change: &DnsChange) -> String {
    record_line(&change.owner, change.ttl, change.rtype, &change.value)
}

fn record_line(owner: &str, ttl: u32, rtype: RecordType, value: &str) -> String {
    let data = match rtype {
        RecordType::Txt => zone_string(value),
        RecordType::Cname => format!("{}.", escape(value)),
    };
    format!("{}. {ttl} IN {} {data}", escape(owner), rtype.as_str())
}

/// TXT data as zone-file character-strings of at most 255 bytes: `"` and `\` escaped, control
/// and bidi characters as `\DDD` (what zone files and `dig` both read).
pub fn zone_string(value: &str) -> String {
    let quoted: Vec<String> = split_character_strings(value)
        .into_iter()
        .map(|piece| {
            let inner: String = piece
                .split('"')
                .map(|part| escape(part).into_owned())
                .collect::<Vec<_>>()
                .join("\\\"");
            format!("\"{inner}\"")
        })
        .collect();
    quoted.join(" ")
}

/// The domain's DNS changes as zone-file lines, ready to paste: deletions and replaced records
/// as comments, changes for someone else's zone and the steps done elsewhere as comments too.
pub fn zone(domain: &str, fixes: &Fixes) -> String {
    let mut out = format!("; {}\n", escape(domain));
    if fixes.actions.is_empty() {
        out.push_str("; nothing to fix\n");
    }
    for action in &fixes.actions {
        let step = action.order;
        match (&action.kind, &action.by) {
            (ActionKind::Dns(change), Some(by)) => {
                let _ = writeln!(out, "; step {step}, for {} to publish in its zone:", escape(by));
                let _ = writeln!(out, "; {}", zone_line(change));
            }
            (ActionKind::Dns(change), None) => out.push_str(&zone_change(change)),
            (ActionKind::ExchangeOnline { .. }, _) => {
                let _ = writeln!(out, "; step {step}: Exchange Online (see --format powershell)");
            }
            (ActionKind::Manual { at }, _) => {
                let _ = writeln!(out, "; step {step}, at {}: {}", escape(at), escape(&action.why));
            }
        }
    }
    out
}

fn zone_change(change: &DnsChange) -> String {
    match (change.op, &change.replaces) {
        (DnsOp::Create, _) | (DnsOp::Replace, None) => format!("{}\n", zone_line(change)),
        (DnsOp::Replace, Some(old)) => format!(
            "; replace: {}\n{}\n",
            record_line(&change.owner, change.ttl, change.rtype, old),
            zone_line(change)
        ),
        (DnsOp::Delete, _) => format!("; delete: {}\n", zone_line(change)),
    }
}

/// The Exchange Online steps of every domain as one script, in order, with comments; the
/// steps done in DNS or elsewhere are named where they fall.
pub fn powershell(domains: &[(&str, &Fixes)]) -> String {
    let mut out = String::from(
        "# Exchange Online steps from `dmarc-rollout fix`, in order. Run them in PowerShell with\n\
         # the ExchangeOnlineManagement module; the steps in between are DNS changes\n\
         # (`dmarc-rollout fix --format zone`) or done elsewhere (`--format text`).\n",
    );
    let any = domains.iter().any(|(_, f)| f.actions.iter().any(is_exchange));
    if !any {
        out.push_str("# Nothing to run in Exchange Online.\n");
        return out;
    }
    out.push_str("Connect-ExchangeOnline\n");
    for (domain, fixes) in domains.iter().filter(|(_, f)| f.actions.iter().any(is_exchange)) {
        let _ = write!(out, "\n# {}\n", escape(domain));
        let mut elsewhere: Vec<usize> = Vec::new();
        for action in &fixes.actions {
            let ActionKind::ExchangeOnline { commands } = &action.kind else {
                elsewhere.push(action.order);
                continue;
            };
            flush_elsewhere(&mut out, &mut elsewhere, false);
            let _ = writeln!(
                out,
                "# step {}{}: {}",
                action.order,
                fixes_note(action),
                escape(&action.why)
            );
            for command in commands.iter().filter(|c| *c != "Connect-ExchangeOnline") {
                let _ = writeln!(out, "{}", escape(command));
            }
        }
        flush_elsewhere(&mut out, &mut elsewhere, true);
    }
    out
}

fn is_exchange(action: &Action) -> bool {
    matches!(action.kind, ActionKind::ExchangeOnline { .. })
}

/// `# steps 2-3: in DNS or elsewhere` for the run of other actions just passed.
fn flush_elsewhere(out: &mut String, elsewhere: &mut Vec<usize>, last: bool) {
    let steps = match elsewhere.as_slice() {
        [] => return,
        [one] => format!("step {one}"),
        [first, .., last] => format!("steps {first}-{last}"),
    };
    let then = if last { "" } else { "; do them before going on" };
    let _ = writeln!(out, "# {steps}: in DNS or elsewhere{then}");
    elsewhere.clear();
}

fn fixes_note(action: &Action) -> String {
    if action.fixes.is_empty() {
        String::new()
    } else {
        format!(" (fixes {})", action.fixes.join(", "))
    }
}

/// The readable list: each action numbered with what it fixes, why, and its record or commands;
/// then what stays unfixed and what is unknown.
pub fn text(domain: &str, fixes: &Fixes) -> String {
    let domain = escape(domain);
    let mut out = match fixes.actions.len() {
        0 if !fixes.unknown.is_empty() && fixes.unfixed.is_empty() => {
            format!("{domain}: unknown\n")
        }
        0 if fixes.unfixed.is_empty() && fixes.unverified.is_empty() => {
            return format!("{domain}: nothing to fix\n");
        }
        0 if fixes.unfixed.is_empty() => {
            format!("{domain}: nothing to fix among what was checked\n")
        }
        1 => format!("{domain}: 1 action\n"),
        n => format!("{domain}: {n} actions\n"),
    };
    for action in &fixes.actions {
        for line in action_lines(action) {
            let _ = writeln!(out, "  {line}");
        }
    }
    for u in &fixes.unfixed {
        let _ = writeln!(out, "  not fixed here: {}: {}", u.id, escape(&u.message));
    }
    for u in &fixes.unknown {
        let _ = writeln!(out, "  unknown: {}", escape(u));
    }
    for u in &fixes.unverified {
        let _ = writeln!(out, "  not checked: {}", escape(u));
    }
    out
}

/// One action as the text format shows it: the numbered heading with what it fixes, why, and
/// its record or commands, indented under it; escaped.
pub fn action_lines(action: &Action) -> Vec<String> {
    let mut lines = vec![
        format!("{}. {}{}", action.order, heading(action), fixes_note(action)),
        format!("   {}", escape(&action.why)),
    ];
    lines.extend(body(action).into_iter().map(|line| format!("     {line}")));
    lines
}

fn heading(action: &Action) -> String {
    let what = match &action.kind {
        ActionKind::Dns(change) => {
            let op = match change.op {
                DnsOp::Create => "create",
                DnsOp::Replace => "replace",
                DnsOp::Delete => "delete",
            };
            format!("DNS {op} {}", change.rtype.as_str())
        }
        ActionKind::ExchangeOnline { .. } => "Exchange Online".to_owned(),
        ActionKind::Manual { at } => format!("at {}", escape(at)),
    };
    match &action.by {
        Some(by) => format!("{what}, by {}", escape(by)),
        None => what,
    }
}

/// The lines an action carries: its record (the old one marked `-`, the new one `+` for a
/// replace), or its commands.
fn body(action: &Action) -> Vec<String> {
    match &action.kind {
        ActionKind::Dns(change) => match (&change.op, &change.replaces) {
            (DnsOp::Replace, Some(old)) => vec![
                format!("- {}", record_line(&change.owner, change.ttl, change.rtype, old)),
                format!("+ {}", zone_line(change)),
            ],
            _ => vec![zone_line(change)],
        },
        ActionKind::ExchangeOnline { commands } => {
            commands.iter().map(|c| escape(c).into_owned()).collect()
        }
        ActionKind::Manual { .. } => Vec::new(),
    }
}

/// What to copy for one action: its record or commands, or its instruction.
pub fn copy_text(action: &Action) -> String {
    match &action.kind {
        ActionKind::Dns(change) => zone_change(change).trim_end().to_owned(),
        ActionKind::ExchangeOnline { commands } => {
            commands.iter().map(|c| escape(c).into_owned()).collect::<Vec<_>>().join("\n")
        }
        ActionKind::Manual { .. } => escape(&action.why).into_owned(),
    }
}

/// The domain's DNS actions as the changes a DNS-as-code export writes (`fix --format TOOL`),
/// in order, each with a note naming its step, what it fixes and who publishes it when that is
/// someone else. The zone is the owner's organizational domain, as for `next`.
pub fn export_changes(domain: &str, fixes: &Fixes) -> Vec<export::DnsChange> {
    fixes
        .actions
        .iter()
        .filter_map(|action| {
            let change = action.dns_change()?;
            let mut note =
                format!("{domain}: step {}, fixes {}", action.order, action.fixes.join(", "));
            if let Some(by) = &action.by {
                let _ = write!(note, ", for {by} to publish in its zone");
            }
            Some(export::DnsChange {
                zone: export::assumed_zone(&change.owner),
                owner: DnsName::lenient(&change.owner),
                rtype: match change.rtype {
                    RecordType::Txt => export::RrType::Txt,
                    RecordType::Cname => export::RrType::Cname,
                },
                ttl: change.ttl,
                op: export_op(change),
                note: Some(note),
                keeps: change.keeps.clone(),
            })
        })
        .collect()
}

fn export_op(change: &DnsChange) -> export::Op {
    let value = change.value.clone();
    match (change.op, &change.replaces) {
        (DnsOp::Create, _) => export::Op::Create { value },
        (DnsOp::Replace, Some(old)) => export::Op::Replace { old: vec![old.clone()], value },
        // Not made by any fix today: without the old value, only a declarative set is honest.
        (DnsOp::Replace, None) => export::Op::Set { value },
        (DnsOp::Delete, _) => export::Op::Delete { old: vec![value] },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_data_is_quoted_split_and_escaped_for_zone_files() {
        assert_eq!(zone_string("v=spf1 -all"), "\"v=spf1 -all\"");
        assert_eq!(zone_string("a\"b\\c\u{1b}d\u{202e}"), "\"a\\\"b\\\\c\\027d\\226\\128\\174\"");
        let long = "x".repeat(300);
        assert_eq!(zone_string(&long), format!("\"{}\" \"{}\"", "x".repeat(255), "x".repeat(45)));
    }
}
