//! `fix`: the actions that make each domain ready, as a list, zone-file lines, JSON or one
//! PowerShell script ([`crate::fix::render`]).

use std::io::Write;

use clap::ValueEnum;
use serde::Serialize;

use super::{Outcome, to_json};
use crate::exits;
use crate::fix::{Fixes, render};
use crate::standing::Standing;

/// How `fix` prints the actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FixFormat {
    /// Every action, numbered, with what it fixes and why.
    Text,
    /// Only the DNS changes, as zone-file lines (deletions as comments).
    Zone,
    /// Everything: {"domains": [{domain, actions, unfixed, unknown}]}.
    Json,
    /// Only the Exchange Online commands, as one script with comments.
    Powershell,
}

#[derive(Serialize)]
struct DomainJson<'a> {
    domain: &'a str,
    #[serde(flatten)]
    fixes: &'a Fixes,
}

pub fn run(standings: &[Standing], format: FixFormat, out: &mut impl Write) -> Outcome {
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
            writeln!(out, "{}", to_json(&serde_json::json!({ "domains": domains })))?;
        }
        FixFormat::Powershell => {
            let domains: Vec<(&str, &Fixes)> =
                standings.iter().map(|s| (s.name.as_str(), &s.fixes)).collect();
            out.write_all(render::powershell(&domains).as_bytes())?;
        }
    }
    Ok(exit_code(standings))
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
