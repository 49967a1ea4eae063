//! Terraform resource blocks for Azure DNS, Route 53 and Cloudflare, each zone left as a
//! variable (declared at the top, so the output validates as a file of its own). Pure.

use std::fmt::Write as _;

use super::declarative::kept_note;
use super::{Group, RrType, identifier, quote};
use crate::record::render::split_character_strings;

/// `azurerm_dns_txt_record`: one resource per record set, a `record` block per value (the
/// provider splits values over 255 bytes itself); `azurerm_dns_cname_record` for a CNAME.
pub fn azurerm(groups: &[Group<'_>]) -> String {
    let mut out = String::new();
    for zone in zones(groups, true) {
        let id = identifier(zone);
        variable(&mut out, &format!("zone_name_{id}"), "the Azure DNS zone", Some(zone));
        let what = format!("the resource group of the Azure DNS zone {zone}");
        variable(&mut out, &format!("resource_group_name_{id}"), &what, None);
    }
    for g in groups {
        let resource = match g.first.rtype {
            RrType::Txt => "azurerm_dns_txt_record",
            RrType::Cname => "azurerm_dns_cname_record",
        };
        if !header(&mut out, g, Some(resource)) {
            continue;
        }
        let id = identifier(g.zone);
        let label = quote::hcl(&identifier(g.owner()));
        let _ = writeln!(out, "resource \"{resource}\" {label} {{");
        let _ = writeln!(out, "  name                = {}", quote::hcl(&g.relative_owner()));
        let _ = writeln!(out, "  zone_name           = var.zone_name_{id}");
        let _ = writeln!(out, "  resource_group_name = var.resource_group_name_{id}");
        let _ = writeln!(out, "  ttl                 = {}", g.ttl);
        for value in g.whole_set() {
            match g.first.rtype {
                RrType::Txt => {
                    let _ = writeln!(out, "\n  record {{\n    value = {}\n  }}", quote::hcl(value));
                }
                RrType::Cname => {
                    let _ = writeln!(out, "  record              = {}", quote::hcl(value));
                }
            }
        }
        out.push_str("}\n");
    }
    out
}

/// `aws_route53_record`: one resource per record set. The provider puts each entry of
/// `records` in quotes as it is; inside, Route 53 reads quotes and backslashes escaped, other
/// bytes as octal `\NNN`, and a value over 255 bytes as several strings (`" "` between them).
pub fn aws(groups: &[Group<'_>]) -> String {
    let mut out = String::new();
    for zone in zones(groups, true) {
        let what = format!("the Route 53 hosted zone ID of {zone}");
        variable(&mut out, &format!("zone_id_{}", identifier(zone)), &what, None);
    }
    for g in groups {
        if !header(&mut out, g, Some("aws_route53_record")) {
            continue;
        }
        let records: Vec<String> = match g.first.rtype {
            RrType::Txt => g.whole_set().iter().map(|v| quote::hcl(&route53_text(v))).collect(),
            RrType::Cname => g.values.iter().map(|v| quote::hcl(v)).collect(),
        };
        let _ = writeln!(
            out,
            "resource \"aws_route53_record\" {} {{",
            quote::hcl(&identifier(g.owner()))
        );
        let _ = writeln!(out, "  zone_id = var.zone_id_{}", identifier(g.zone));
        let _ = writeln!(out, "  name    = {}", quote::hcl(g.owner()));
        let _ = writeln!(out, "  type    = {}", quote::hcl(g.first.rtype.as_str()));
        let _ = writeln!(out, "  ttl     = {}", g.ttl);
        let _ = writeln!(out, "  records = [{}]", records.join(", "));
        out.push_str("}\n");
    }
    out
}

/// `cloudflare_dns_record` (provider v5): one resource per record, `content` as quoted
/// character-strings (RFC 1035), as Cloudflare asks for TXT content.
pub fn cloudflare(groups: &[Group<'_>]) -> String {
    let mut out = String::new();
    for zone in zones(groups, false) {
        let what = format!("the Cloudflare zone ID of {zone}");
        variable(&mut out, &format!("zone_id_{}", identifier(zone)), &what, None);
    }
    for g in groups {
        if !header(&mut out, g, None) {
            continue;
        }
        for (i, value) in g.values.iter().enumerate() {
            let label = match i {
                0 => identifier(g.owner()),
                n => format!("{}_{}", identifier(g.owner()), n + 1),
            };
            let content = match g.first.rtype {
                RrType::Txt => quote::txt_rdata(&split_character_strings(value)),
                RrType::Cname => (*value).to_owned(),
            };
            let _ = writeln!(out, "resource \"cloudflare_dns_record\" {} {{", quote::hcl(&label));
            let _ = writeln!(out, "  zone_id = var.zone_id_{}", identifier(g.zone));
            let _ = writeln!(out, "  name    = {}", quote::hcl(g.owner()));
            let _ = writeln!(out, "  type    = {}", quote::hcl(g.first.rtype.as_str()));
            let _ = writeln!(out, "  ttl     = {}", g.ttl);
            let _ = writeln!(out, "  content = {}", quote::hcl(&content));
            out.push_str("}\n");
        }
    }
    out
}

/// Route 53's text for one TXT value, without the outer quotes the provider adds.
fn route53_text(value: &str) -> String {
    let pieces: Vec<String> = split_character_strings(value)
        .into_iter()
        .map(|piece| {
            let mut text = String::new();
            for &b in piece.as_bytes() {
                match b {
                    b'"' => text.push_str("\\\""),
                    b'\\' => text.push_str("\\\\"),
                    0x20..=0x7e => text.push(char::from(b)),
                    _ => {
                        let _ = write!(text, "\\{b:03o}");
                    }
                }
            }
            text
        })
        .collect();
    pieces.join("\" \"")
}

/// The comments above a record set's resource — saying so when the `resource` type holds the
/// whole record set; false when there is no resource to write (the changes only remove).
fn header(out: &mut String, g: &Group<'_>, whole_set: Option<&str>) -> bool {
    out.push('\n');
    for note in &g.notes {
        let _ = writeln!(out, "# {}", quote::comment(note));
    }
    let removed: Vec<String> = g.removed.iter().map(|v| quote::hcl(v)).collect();
    let owner = quote::comment(g.owner());
    let rtype = g.first.rtype.as_str();
    if written(g, whole_set.is_some()).is_empty() {
        let _ = writeln!(out, "# remove the {rtype} value {} at {owner}", removed.join(", "));
        return false;
    }
    if let (Some(resource), RrType::Txt) = (whole_set, g.first.rtype) {
        let _ = writeln!(out, "# {resource} holds every TXT value at {owner}");
        kept_note(out, "#", g, &|v| quote::hcl(v));
    }
    if !removed.is_empty() {
        let _ = writeln!(out, "# in place of {}", removed.join(", "));
    }
    true
}

fn variable(out: &mut String, name: &str, description: &str, default: Option<&str>) {
    if !out.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "variable {} {{", quote::hcl(name));
    let _ = writeln!(out, "  description = {}", quote::hcl(description));
    let _ = writeln!(out, "  type        = string");
    if let Some(default) = default {
        let _ = writeln!(out, "  default     = {}", quote::hcl(default));
    }
    out.push_str("}\n");
}

/// The values a resource holds: the whole record set, or only those published.
fn written<'a>(g: &Group<'a>, whole_set: bool) -> Vec<&'a str> {
    if whole_set { g.whole_set() } else { g.values.clone() }
}

/// The zones that get a resource, in order of appearance.
fn zones<'a>(groups: &[Group<'a>], whole_set: bool) -> Vec<&'a str> {
    let mut zones: Vec<&str> = Vec::new();
    for g in groups.iter().filter(|g| !written(g, whole_set).is_empty()) {
        if !zones.iter().any(|z| z.eq_ignore_ascii_case(g.zone)) {
            zones.push(g.zone);
        }
    }
    zones
}
