//! DNS-as-code exports: DNS changes (publish the next DMARC step, or `fix`'s actions) written
//! exactly as each tool takes them — dnscontrol, octodns, Terraform (`AzureRM`, AWS,
//! Cloudflare), an `nsupdate` script, Windows DNS Server PowerShell and the Azure CLI. Pure.
//!
//! Declarative formats (dnscontrol, octodns, Terraform) describe the record set as it should
//! be; imperative ones (`nsupdate`, PowerShell, Azure CLI) change it, guarded by what was read
//! (a prerequisite, or a removal that fails when the old value is not there), so they need the
//! live value: a change made without reading DNS ([`Op::Set`]) cannot be written as one.

mod declarative;
mod quote;
mod scripts;
mod terraform;

use crate::name::DnsName;
use crate::record::render::split_character_strings;

pub use quote::{character_string, txt_rdata};

/// The tools an export can be written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Dnscontrol,
    Octodns,
    TerraformAzurerm,
    TerraformAws,
    TerraformCloudflare,
    Nsupdate,
    PowershellDns,
    AzureCli,
}

impl Format {
    /// Every format, in the order `--format` lists them.
    pub const ALL: [Self; 8] = [
        Self::Dnscontrol,
        Self::Octodns,
        Self::TerraformAzurerm,
        Self::TerraformAws,
        Self::TerraformCloudflare,
        Self::Nsupdate,
        Self::PowershellDns,
        Self::AzureCli,
    ];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Dnscontrol => "dnscontrol",
            Self::Octodns => "octodns",
            Self::TerraformAzurerm => "terraform-azurerm",
            Self::TerraformAws => "terraform-aws",
            Self::TerraformCloudflare => "terraform-cloudflare",
            Self::Nsupdate => "nsupdate",
            Self::PowershellDns => "powershell-dns",
            Self::AzureCli => "azure-cli",
        }
    }

    /// What the format prints, in a few words (the `--format` help).
    pub fn about(self) -> &'static str {
        match self {
            Self::Dnscontrol => "TXT(\"_dmarc\", …) lines for the zone's D(…) block",
            Self::Octodns => "The zone config's YAML record, each ; escaped as \\;",
            Self::TerraformAzurerm => "An azurerm_dns_txt_record resource",
            Self::TerraformAws => "An aws_route53_record resource",
            Self::TerraformCloudflare => "A cloudflare_dns_record resource (provider v5)",
            Self::Nsupdate => {
                "A script for nsupdate -k KEYFILE, guarded by a prerequisite on the live record"
            }
            Self::PowershellDns => "Windows DNS Server cmdlets",
            Self::AzureCli => "az network dns record-set txt commands",
        }
    }

    /// True for the formats that change DNS step by step and so must name the old value.
    pub fn needs_live_value(self) -> bool {
        matches!(self, Self::Nsupdate | Self::PowershellDns | Self::AzureCli)
    }
}

/// Record types an export can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RrType {
    Txt,
    /// A CNAME: its value is the target name, without the trailing dot.
    Cname,
}

impl RrType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Txt => "TXT",
            Self::Cname => "CNAME",
        }
    }
}

/// What happens to the record set at the owner name. TXT values are exact texts, as receivers
/// join them (no character-string boundaries); CNAME values are target names without the dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Nothing of this type is there; publish `value`.
    Create { value: String },
    /// Replace exactly `old` (what DNS showed) with `value`.
    Replace { old: Vec<String>, value: String },
    /// Remove exactly `old`.
    Delete { old: Vec<String> },
    /// Publish `value` in place of whatever is there, which was not read (`next --offline`).
    Set { value: String },
}

impl Op {
    /// The value published afterwards, if any.
    pub fn value(&self) -> Option<&str> {
        match self {
            Self::Create { value } | Self::Replace { value, .. } | Self::Set { value } => {
                Some(value)
            }
            Self::Delete { .. } => None,
        }
    }

    /// The values removed.
    pub fn old(&self) -> &[String] {
        match self {
            Self::Replace { old, .. } | Self::Delete { old } => old,
            Self::Create { .. } | Self::Set { .. } => &[],
        }
    }
}

/// One change to one record set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsChange {
    /// The zone holding `owner`.
    pub zone: DnsName,
    /// The owner name, fully qualified.
    pub owner: DnsName,
    pub rtype: RrType,
    pub ttl: u32,
    pub op: Op,
    /// Why, in words, written as a comment above the change (e.g. the phase it publishes).
    pub note: Option<String>,
    /// The record set's other values, as DNS showed them, which the change leaves alone. The
    /// formats that describe a whole record set (octodns, Terraform for Azure and AWS) write
    /// them too; without them, applying the set would delete them.
    pub keeps: Vec<String>,
}

impl DnsChange {
    /// The owner relative to the zone, `@` at the apex.
    pub fn relative_owner(&self) -> String {
        if self.owner == self.zone {
            return "@".to_owned();
        }
        if self.owner.is_within(&self.zone) {
            return self.owner[..self.owner.len() - self.zone.len() - 1].to_owned();
        }
        self.owner.to_string()
    }
}

/// Why changes could not be written in a format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error(
        "{owner}: the live record was not read, so it cannot be replaced step by step; run \
         without --offline, or use a declarative format"
    )]
    NeedsLiveValue { owner: String },
}

/// The changes written for `format`, ending with a newline (empty for no changes).
pub fn render(format: Format, changes: &[DnsChange]) -> Result<String, ExportError> {
    if let Some(c) =
        changes.iter().find(|c| format.needs_live_value() && matches!(c.op, Op::Set { .. }))
    {
        return Err(ExportError::NeedsLiveValue { owner: c.owner.to_string() });
    }
    if changes.is_empty() {
        return Ok(String::new());
    }
    let text = match format {
        Format::Dnscontrol => declarative::dnscontrol(&groups(changes)),
        Format::Octodns => declarative::octodns(&groups(changes)),
        Format::TerraformAzurerm => terraform::azurerm(&groups(changes)),
        Format::TerraformAws => terraform::aws(&groups(changes)),
        Format::TerraformCloudflare => terraform::cloudflare(&groups(changes)),
        Format::Nsupdate => scripts::nsupdate(changes),
        Format::PowershellDns => scripts::powershell(changes),
        Format::AzureCli => scripts::azure_cli(changes),
    };
    Ok(text.trim_start_matches('\n').to_owned())
}

/// The zone an owner most likely sits in when nothing better is known: its organizational
/// domain (Public Suffix List), or the name itself.
pub fn assumed_zone(domain: &str) -> DnsName {
    DnsName::lenient(domain).organizational()
}

/// The changes to one record set, merged: what the declarative formats describe.
struct Group<'a> {
    zone: &'a str,
    first: &'a DnsChange,
    /// The values these changes publish.
    values: Vec<&'a str>,
    /// The values DNS showed that these changes leave alone.
    kept: Vec<&'a str>,
    removed: Vec<&'a str>,
    notes: Vec<&'a str>,
    ttl: u32,
}

/// Changes grouped by record set (zone, owner, type), in the order they first appear.
fn groups(changes: &[DnsChange]) -> Vec<Group<'_>> {
    let mut out: Vec<Group<'_>> = Vec::new();
    for c in changes {
        let same = |g: &&mut Group<'_>| {
            *g.zone == *c.zone && g.first.owner == c.owner && g.first.rtype == c.rtype
        };
        let group = if let Some(g) = out.iter_mut().find(same) {
            g
        } else {
            out.push(Group {
                zone: &c.zone,
                first: c,
                values: Vec::new(),
                kept: Vec::new(),
                removed: Vec::new(),
                notes: Vec::new(),
                ttl: c.ttl,
            });
            out.last_mut().expect("just pushed")
        };
        group.values.extend(c.op.value());
        for kept in &c.keeps {
            if !group.kept.contains(&kept.as_str()) {
                group.kept.push(kept);
            }
        }
        group.removed.extend(c.op.old().iter().map(String::as_str));
        group.notes.extend(c.note.as_deref());
        group.ttl = c.ttl;
    }
    out
}

impl<'a> Group<'a> {
    /// Every value the record set holds afterwards: those kept, then those published.
    fn whole_set(&self) -> Vec<&'a str> {
        self.kept.iter().chain(&self.values).copied().collect()
    }

    fn relative_owner(&self) -> String {
        self.first.relative_owner()
    }

    fn owner(&self) -> &str {
        &self.first.owner
    }
}

/// The value's character-strings when it must be split (over 255 bytes), else `None`.
fn split_if_long(value: &str) -> Option<Vec<&str>> {
    let pieces = split_character_strings(value);
    (pieces.len() > 1).then_some(pieces)
}

/// A name usable as a Terraform resource label or variable name part: letters, digits and
/// underscores, not starting with a digit.
fn identifier(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c.to_ascii_lowercase() } else { '_' })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(zone: &str, owner: &str) -> DnsChange {
        DnsChange {
            zone: DnsName::lenient(zone),
            owner: DnsName::lenient(owner),
            rtype: RrType::Txt,
            ttl: 300,
            op: Op::Create { value: "v=DMARC1; p=none".to_owned() },
            note: None,
            keeps: Vec::new(),
        }
    }

    #[test]
    fn owners_are_written_relative_to_their_zone() {
        assert_eq!(change("example.com", "_dmarc.example.com").relative_owner(), "_dmarc");
        assert_eq!(
            change("example.com", "_dmarc.mail.example.com.").relative_owner(),
            "_dmarc.mail"
        );
        assert_eq!(change("example.com", "Example.COM").relative_owner(), "@");
        assert_eq!(
            change("example.com", "_dmarc.notexample.com").relative_owner(),
            "_dmarc.notexample.com"
        );
    }

    #[test]
    fn the_assumed_zone_is_the_organizational_domain() {
        assert_eq!(assumed_zone("mail.example.co.uk"), "example.co.uk");
        assert_eq!(assumed_zone("Insight24.NL."), "insight24.nl");
    }

    #[test]
    fn imperative_formats_refuse_a_change_whose_old_value_was_not_read() {
        let mut set = change("example.com", "_dmarc.example.com");
        set.op = Op::Set { value: "v=DMARC1; p=none".to_owned() };
        let changes = [set];
        for format in [Format::Nsupdate, Format::PowershellDns, Format::AzureCli] {
            assert!(matches!(render(format, &changes), Err(ExportError::NeedsLiveValue { .. })));
        }
        assert!(render(Format::Octodns, &changes).is_ok());
    }

    #[test]
    fn identifiers_keep_letters_digits_and_underscores() {
        assert_eq!(identifier("_dmarc.Example-1.com"), "_dmarc_example_1_com");
        assert_eq!(identifier("1x.com"), "_1x_com");
    }
}
