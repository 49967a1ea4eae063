//! Scripts that change DNS: `nsupdate`, Windows DNS Server PowerShell and the Azure CLI. Each
//! change is guarded by what was read — a prerequisite, or a removal of the old value that
//! fails (and stops the script) when the value is not there. Pure.

use std::fmt::Write as _;

use super::{DnsChange, Op, RrType, quote};
use crate::name::DnsName;
use crate::record::render::split_character_strings;

/// An `nsupdate -k KEYFILE` script: the changes to one record set in one update, guarded by
/// a prerequisite on exactly the record set as it was read (RFC 2136 §2.4.2, every value, the
/// ones kept too, since the server compares the whole set), or on its absence (§2.4.3). No
/// blank lines: `nsupdate` sends on one.
pub fn nsupdate(changes: &[DnsChange]) -> String {
    let mut out = String::new();
    for set in changes.chunk_by(|a, b| a.rtype == b.rtype && a.owner == b.owner) {
        let first = &set[0];
        for note in set.iter().filter_map(|c| c.note.as_deref()) {
            let _ = writeln!(out, "; {}", quote::comment(note));
        }
        let owner = format!("{}.", first.owner);
        let rtype = first.rtype.as_str();
        let rdata = |v: &str| match first.rtype {
            RrType::Txt => quote::txt_rdata(&split_character_strings(v)),
            RrType::Cname => format!("{}.", name(v)),
        };
        let read = as_read(set);
        match (read.is_empty(), first.rtype) {
            // A CNAME may only be alone at its name: nothing at all may be there yet.
            (true, RrType::Cname) => {
                let _ = writeln!(out, "prereq nxdomain {owner}");
            }
            (true, RrType::Txt) => {
                let _ = writeln!(out, "prereq nxrrset {owner} {rtype}");
            }
            (false, _) => {
                for v in read {
                    let _ = writeln!(out, "prereq yxrrset {owner} {rtype} {}", rdata(v));
                }
            }
        }
        for v in set.iter().flat_map(|c| c.op.old()) {
            let _ = writeln!(out, "update delete {owner} {rtype} {}", rdata(v));
        }
        for c in set {
            if let Some(v) = c.op.value() {
                let _ = writeln!(out, "update add {owner} {} {rtype} {}", c.ttl, rdata(v));
            }
        }
        out.push_str("send\n");
    }
    out
}

/// The record set as it was read before these changes to it: the values kept, then those
/// replaced or deleted, each once.
fn as_read(set: &[DnsChange]) -> Vec<&str> {
    let mut read: Vec<&str> = Vec::new();
    for v in set.iter().flat_map(|c| c.keeps.iter().chain(c.op.old())) {
        if !read.contains(&v.as_str()) {
            read.push(v);
        }
    }
    read
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
        let rtype = if c.rtype == RrType::Cname { "CName" } else { "Txt" };
        let data = |v: &str| match c.rtype {
            RrType::Txt => v.to_owned(),
            RrType::Cname => format!("{}.", DnsName::lenient(v)),
        };
        if let (Op::Create { .. }, false) = (&c.op, c.keeps.is_empty()) {
            // Beside values that stay, only those may be there.
            let stop = unchanged(c, "has TXT records other than those read");
            let kept: Vec<String> = c.keeps.iter().map(|v| quote::powershell(v)).collect();
            let _ = writeln!(
                out,
                "if (Get-DnsServerResourceRecord {at} -RRType Txt -ErrorAction SilentlyContinue | Where-Object {{ @({}) -cnotcontains $_.RecordData.DescriptiveText }}) {{ throw {} }}",
                kept.join(", "),
                quote::powershell(&stop)
            );
        } else if let Op::Create { .. } = c.op {
            // A CNAME may only be alone at its name: any record there stops it.
            let (filter, what) = match c.rtype {
                RrType::Txt => (format!(" -RRType {rtype}"), "TXT records"),
                RrType::Cname => (String::new(), "records"),
            };
            let stop = unchanged(c, &format!("already has {what}"));
            let _ = writeln!(
                out,
                "if (Get-DnsServerResourceRecord {at}{filter} -ErrorAction SilentlyContinue) {{ throw {} }}",
                quote::powershell(&stop)
            );
        }
        for v in c.op.old() {
            let _ = writeln!(
                out,
                "Remove-DnsServerResourceRecord {at} -RRType {rtype} -RecordData {} -Force",
                quote::powershell(&data(v))
            );
        }
        if let Some(v) = c.op.value() {
            let ttl = format!("-TimeToLive (New-TimeSpan -Seconds {})", c.ttl);
            let _ = match c.rtype {
                RrType::Txt => writeln!(
                    out,
                    "Add-DnsServerResourceRecord {at} -Txt -DescriptiveText {} {ttl}",
                    quote::powershell(v)
                ),
                RrType::Cname => writeln!(
                    out,
                    "Add-DnsServerResourceRecordCName {at} -HostNameAlias {} {ttl}",
                    quote::powershell(&data(v))
                ),
            };
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
        let set = c.rtype.as_str().to_ascii_lowercase();
        let command = |verb: &str| {
            format!(
                "az network dns record-set {set} {verb} -g \"$RESOURCE_GROUP\" -z {zone} -n {name}"
            )
        };
        match (&c.op, c.keeps.is_empty()) {
            (Op::Create { .. }, true) => {
                let _ = writeln!(out, "{} --ttl {} --if-none-match", command("create"), c.ttl);
            }
            // The record set is there with values that stay: it must hold exactly those.
            (Op::Create { .. }, false) => {
                let kept: Vec<String> = c.keeps.iter().map(|v| quote::shell(v)).collect();
                let stop = unchanged(c, "has TXT records other than those read");
                let _ = writeln!(
                    out,
                    "test \"$({} --query \"TXTRecords[].join('', value)\" -o tsv | sort)\" = \"$(printf '%s\\n' {} | sort)\" || {{ echo {} >&2; exit 1; }}",
                    command("show"),
                    kept.join(" "),
                    quote::shell(&stop)
                );
            }
            _ => {}
        }
        match c.rtype {
            RrType::Txt => azure_txt(&mut out, &c.op, &command),
            RrType::Cname => azure_cname(&mut out, &c.op, &command),
        }
    }
    out
}

/// The removals and the addition of TXT values; a long old value in the pieces `az` stored.
fn azure_txt(out: &mut String, op: &Op, command: &dyn Fn(&str) -> String) {
    let keep = if op.value().is_some() { " --keep-empty-record-set" } else { "" };
    for v in op.old() {
        let pieces: Vec<String> = as_azure_stores(v).iter().map(|p| quote::shell(p)).collect();
        let _ = writeln!(out, "{} -v {}{keep}", command("remove-record"), pieces.join(" "));
    }
    if let Some(v) = op.value() {
        let _ = writeln!(out, "{} -v {}", command("add-record"), quote::shell(v));
    }
}

/// A CNAME's old target removed (which fails, and stops the script, when it is not there),
/// then the new one set.
fn azure_cname(out: &mut String, op: &Op, command: &dyn Fn(&str) -> String) {
    let keep = if op.value().is_some() { " --keep-empty-record-set" } else { "" };
    for v in op.old() {
        let _ = writeln!(out, "{} -c {}{keep}", command("remove-record"), quote::shell(v));
    }
    if let Some(v) = op.value() {
        let _ = writeln!(out, "{} -c {}", command("set-record"), quote::shell(v));
    }
}

/// What a script says when it stops because the name holds what it did not expect.
fn unchanged(c: &DnsChange, found: &str) -> String {
    format!("{}: {} {found}; nothing was changed", c.zone, c.relative_owner())
}

/// A target name as zone syntax needs it: control characters as `\DDD`, as a zone file
/// would carry them.
fn name(target: &str) -> String {
    let quoted = quote::character_string(DnsName::lenient(target).as_bytes());
    quoted[1..quoted.len() - 1].to_owned()
}

/// A value cut into 255-character strings, as `az … add-record` stores it.
fn as_azure_stores(value: &str) -> Vec<String> {
    let chars: Vec<char> = value.chars().collect();
    chars.chunks(255).map(|chunk| chunk.iter().collect()).collect()
}
