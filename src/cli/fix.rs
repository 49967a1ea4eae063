//! `fix`: the actions that make each domain ready, as a list, zone-file lines, JSON, one
//! PowerShell script ([`crate::fix::render`]), or the DNS actions for a DNS-as-code tool
//! ([`crate::export`], as `next` writes its step).

use std::io::Write;
use std::sync::LazyLock;

use clap::ValueEnum;
use clap::builder::PossibleValue;
use serde::Serialize;

use super::args::export_value;
use super::{CliError, Outcome, write_list_json};
use crate::exits;
use crate::export;
use crate::fix::{Fixes, render};
use crate::standing::Standing;

/// How `fix` prints the actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixFormat {
    /// Every action, numbered, with what it fixes and why.
    Text,
    /// Only the DNS changes, as zone-file lines (deletions as comments).
    Zone,
    /// Everything: {"domains": [{domain, actions, unfixed, unknown}]}.
    Json,
    /// Only the Exchange Online commands, as one script with comments.
    Powershell,
    /// Only the DNS changes, for that DNS-as-code tool.
    Export(export::Format),
}

impl ValueEnum for FixFormat {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: LazyLock<Vec<FixFormat>> = LazyLock::new(|| {
            [FixFormat::Text, FixFormat::Zone, FixFormat::Json, FixFormat::Powershell]
                .into_iter()
                .chain(export::Format::ALL.into_iter().map(FixFormat::Export))
                .collect()
        });
        &ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let value = |name, help| PossibleValue::new(name).help(help);
        Some(match self {
            Self::Text => value("text", "Every action, numbered, with what it fixes and why"),
            Self::Zone => {
                value("zone", "Only the DNS changes, as zone-file lines (deletions as comments)")
            }
            Self::Json => {
                value("json", "Everything: {\"domains\": [{domain, actions, unfixed, unknown}]}")
            }
            Self::Powershell => value(
                "powershell",
                "Only the Exchange Online commands, as one script with comments",
            ),
            Self::Export(format) => export_value(*format),
        })
    }
}

#[derive(Serialize)]
struct DomainJson<'a> {
    domain: &'a str,
    #[serde(flatten)]
    fixes: &'a Fixes,
}

pub fn run(
    standings: &[Standing],
    format: FixFormat,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Outcome {
    match format {
        FixFormat::Text => {
            for s in standings {
                out.write_all(render::text(&s.name, &s.fixes).as_bytes())?;
            }
        }
        FixFormat::Zone => {
            for s in standings {
                out.write_all(render::zone(&s.name, &s.fixes).as_bytes())?;
            }
        }
        FixFormat::Json => {
            let domains: Vec<DomainJson<'_>> =
                standings.iter().map(|s| DomainJson { domain: &s.name, fixes: &s.fixes }).collect();
            write_list_json(out, "domains", &domains)?;
        }
        FixFormat::Powershell => {
            let domains: Vec<(&str, &Fixes)> =
                standings.iter().map(|s| (s.name.as_str(), &s.fixes)).collect();
            out.write_all(render::powershell(&domains).as_bytes())?;
        }
        FixFormat::Export(format) => write_export(standings, format, out, err)?,
    }
    Ok(exit_code(standings))
}

/// Every domain's DNS actions in one export; the steps done elsewhere (Exchange Online, a
/// sender's console) are named on stderr, so stdout stays what the tool reads.
fn write_export(
    standings: &[Standing],
    format: export::Format,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<(), CliError> {
    let mut changes = Vec::new();
    for s in standings {
        changes.extend(render::export_changes(&s.name, &s.fixes));
        for action in s.fixes.actions.iter().filter(|a| a.dns_change().is_none()) {
            let heading = render::action_lines(action).into_iter().next().unwrap_or_default();
            writeln!(err, "{}: not a DNS change, not exported: {}", s.name, heading.trim())?;
        }
    }
    let text = export::render(format, &changes).map_err(|e| CliError::Usage(e.to_string()))?;
    Ok(out.write_all(text.as_bytes())?)
}

/// 5 when a lookup failed (what it hides cannot be fixed from here), 7 when something needs
/// fixing, 0 when nothing does.
pub fn exit_code(standings: &[Standing]) -> u8 {
    if standings.iter().any(|s| s.dns_failed() || !s.fixes.unknown.is_empty()) {
        exits::DNS
    } else if standings.iter().any(|s| !s.fixes.is_empty()) {
        exits::BLOCKED
    } else {
        exits::OK
    }
}
