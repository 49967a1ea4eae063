//! The plan as the rest of the tool sees it: every domain with its own resolved ladder, so no
//! caller needs to know about defaults or shared ladders. Pure.

use std::sync::Arc;

use chrono::NaiveDate;

use crate::name::DnsName;
use crate::record::DmarcRecord;

/// A whole plan file: one or many domains.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub domains: Vec<Domain>,
}

impl Plan {
    pub fn domain(&self, name: &str) -> Option<&Domain> {
        let name = DnsName::lenient(name);
        self.domains.iter().find(|d| d.name == name)
    }
}

/// One domain and its rollout.
#[derive(Debug, Clone, PartialEq)]
pub struct Domain {
    pub name: DnsName,
    /// TTL to publish the `_dmarc` record with.
    pub ttl: u32,
    /// The ladder, first step first; each phase's record already has defaults and the domain's
    /// overrides applied. Shared by the domains whose ladders resolve alike, as most of a plan's
    /// do: a plan of 10,000 domains holds one copy, not 10,000.
    pub phases: Arc<[Phase]>,
    pub senders: Vec<Sender>,
    /// Which phase went live on which date, oldest first.
    pub history: Vec<HistoryEntry>,
}

impl Domain {
    /// The owner name of the DMARC record (RFC 7489 §6.1).
    pub fn dmarc_host(&self) -> String {
        format!("_dmarc.{}", self.name)
    }
}

/// One step of the ladder.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub name: String,
    pub record: DmarcRecord,
    /// Minimum days this phase stays live before the next one may start.
    pub soak_days: u32,
    /// Set when this phase deliberately weakens the one before it.
    pub allow_loosen: bool,
    /// Evidence from aggregate reports required before this phase may be published.
    pub gate: Gate,
}

/// What aggregate reports must show before the next phase may start.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Gate {
    pub min_report_days: Option<u32>,
    /// Share of messages passing DMARC, 0.0–1.0.
    pub min_pass_rate: Option<f64>,
    /// Whose mail the pass rate is computed over.
    pub senders: GateSenders,
}

/// Whose mail an evidence gate's pass rate counts (`all` or `known` in plans and JSON).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GateSenders {
    /// Every message reported: spoofed mail lowers the rate too.
    #[default]
    All,
    /// Only mail from the plan's declared senders, so spoofers cannot hold the gate shut; the
    /// rest is shown beside it.
    Known,
}

/// A service that sends mail as the domain, and what DNS must show for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub name: String,
    /// Domains the SPF record must `include:` for this sender.
    pub spf_includes: Vec<String>,
    pub dkim: Vec<Selector>,
}

/// A DKIM selector and the CNAME target the provider gave for it, if it is delegated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub name: String,
    pub cname: Option<String>,
}

/// A step recorded as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryEntry {
    /// 1-based, as written in the plan.
    pub phase: usize,
    pub published: NaiveDate,
}
