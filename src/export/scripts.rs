//! Scripts that change DNS: `nsupdate`, Windows DNS Server PowerShell and the Azure CLI. Each
//! change is guarded by what was read — a prerequisite, or a removal of the old value that
//! fails (and stops the script) when the value is not there. Pure.

use std::fmt::Write as _;

use super::{DnsChange, Op, quote};
use crate::record::render::split_character_strings;

/// An `nsupdate -k KEYFILE` script: per change, a prerequisite on exactly the old record set
/// (RFC 2136 §2.4.2), or on its absence (§2.4.3), then the delete and the add in one update.
/// No blank lines: `nsupdate` sends on one.
pub fn nsupdate(changes: &[DnsChange]) -> String {
    let mut out = String::new();
    for c in changes {
        if let Some(note) = &c.note {
            let _ = writeln!(out, "; {}", quote::comment(note));
        }
        let owner = format!("{}.", c.owner.trim_end_matches('.'));
        let rtype = c.rtype.as_str();
        let rdata = |v: &str| quote::txt_rdata(&split_character_strings(v));
        match &c.op {
            Op::Create { .. } => {
                let _ = writeln!(out, "prereq nxrrset {owner} {rtype}");
            }
            Op::Replace { old, .. } | Op::Delete { old } => {
                for v in old {
                    let _ = writeln!(out, "prereq yxrrset {owner} {rtype} {}", rdata(v));
                }
            }
            // Refused before rendering: there is no old value to guard on.
            Op::Set { .. } => {}
        }
        for v in c.op.old() {
            let _ = writeln!(out, "update delete {owner} {rtype} {}", rdata(v));
        }
        if let Some(v) = c.op.value() {
            let _ = writeln!(out, "update add {owner} {} {rtype} {}", c.ttl, rdata(v));
        }
        out.push_str("send\n");
    }
    out
}

/// `DnsServer` module cmdlets for Windows DNS Server. The script stops at the first error, so a
/// removal of an old value that is not there (someone changed it) changes nothing.
pub fn powershell(changes: &[DnsChange]) -> String {
    let mut out = String::from("$ErrorActionPreference = 'Stop'\n");
    for c in changes {
        out.push('\n');
        if let Some(note) = &c.note {
            let _ = writeln!(out, "# {}", quote::comment(note));
        }
        let at = format!(
            "-ZoneName {} -Name {}",
            quote::powershell(&c.zone),
            quote::powershell(&c.relative_owner())
        );
        let rtype = "Txt";
        if let Op::Create { .. } = c.op {
            let stop = format!(
                "{}: {} already has TXT records; nothing was changed",
                c.zone,
                c.relative_owner()
            );
            let _ = writeln!(
                out,
                "if (Get-DnsServerResourceRecord {at} -RRType {rtype} -ErrorAction SilentlyContinue) {{ throw {} }}",
                quote::powershell(&stop)
            );
        }
        for v in c.op.old() {
            let _ = writeln!(
                out,
                "Remove-DnsServerResourceRecord {at} -RRType {rtype} -RecordData {} -Force",
                quote::powershell(v)
            );
        }
        if let Some(v) = c.op.value() {
            let _ = writeln!(
                out,
                "Add-DnsServerResourceRecord {at} -Txt -DescriptiveText {} -TimeToLive (New-TimeSpan -Seconds {})",
                quote::powershell(v),
                c.ttl
            );
        }
    }
    out
}

/// `az network dns record-set txt` commands for Azure DNS, for bash. `add-record` splits a
/// long value into 255-character strings itself, and `remove-record` matches the strings as
/// stored, so a long old value is given in those pieces. A new record set is created with
/// `--if-none-match` (it fails when one is there); a replaced one keeps its TTL.
pub fn azure_cli(changes: &[DnsChange]) -> String {
    let mut out = String::from(
        "set -euo pipefail\n: \"${RESOURCE_GROUP:?set RESOURCE_GROUP to the resource group of the DNS zone}\"\n",
    );
    for c in changes {
        out.push('\n');
        if let Some(note) = &c.note {
            let _ = writeln!(out, "# {}", quote::comment(note));
        }
        let (zone, name) = (quote::shell(&c.zone), quote::shell(&c.relative_owner()));
        let command = |verb: &str| {
            format!(
                "az network dns record-set txt {verb} -g \"$RESOURCE_GROUP\" -z {zone} -n {name}"
            )
        };
        if let Op::Create { .. } = c.op {
            let _ = writeln!(out, "{} --ttl {} --if-none-match", command("create"), c.ttl);
        }
        let keep = if c.op.value().is_some() { " --keep-empty-record-set" } else { "" };
        for v in c.op.old() {
            let pieces: Vec<String> = as_azure_stores(v).iter().map(|p| quote::shell(p)).collect();
            let _ = writeln!(out, "{} -v {}{keep}", command("remove-record"), pieces.join(" "));
        }
        if let Some(v) = c.op.value() {
            let _ = writeln!(out, "{} -v {}", command("add-record"), quote::shell(v));
        }
    }
    out
}

/// A value cut into 255-character strings, as `az … add-record` stores it.
fn as_azure_stores(value: &str) -> Vec<String> {
    let chars: Vec<char> = value.chars().collect();
    chars.chunks(255).map(|chunk| chunk.iter().collect()).collect()
}
