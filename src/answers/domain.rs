//! What the tool shows beside a plan for one domain: the DNS answers gathered for it, as plain
//! data, with the few selections the display needs (which TXT is DMARC, which is SPF, which
//! record applies). Pure: what DMARC text means lives in `record`.

use serde::Serialize;

use super::lookup::{Answer, LookupState};
use crate::record::org_domain::{psd_flag, walk_org_domain};
use crate::record::spf::SpfReport;
use crate::record::{is_dmarc, meant_as_dmarc};

/// What to look up for one domain of a plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DomainQuery {
    pub domain: String,
    pub dkim_selectors: Vec<String>,
    /// Hosts of `rua`/`ruf` URIs at another organizational domain, whose authorization record
    /// must be checked (RFC 7489 §7.1).
    pub report_hosts: Vec<String>,
}

/// The `_dmarc` TXT lookup for one owner domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DmarcAt {
    /// The domain the record is for (the query was `_dmarc.<owner>`, or the report name).
    pub owner: String,
    pub answer: Answer,
    /// TXT records starting with `v=DMARC1` (RFC 7489 §6.6.3 step 2).
    pub records: Vec<String>,
    /// TXT records plainly meant as DMARC that receivers discard (a leading space, `v=dmarc1`,
    /// `v` not first): a broken DMARC record to repair, not something unrelated to delete.
    pub botched: Vec<String>,
    /// The other TXT records at the same name, kept to show what is in the way.
    pub other_txt: Vec<String>,
}

impl DmarcAt {
    pub fn new(owner: &str, answer: Answer) -> Self {
        let (records, rest): (Vec<String>, Vec<String>) =
            answer.txt().into_iter().partition(|t| is_dmarc(t));
        let (botched, other_txt) = rest.into_iter().partition(|t| meant_as_dmarc(t));
        Self { owner: owner.to_owned(), answer, records, botched, other_txt }
    }

    /// Every record meant as DMARC, usable or not: what the owner of the name intends.
    pub fn meant(&self) -> impl Iterator<Item = &String> {
        self.records.iter().chain(&self.botched)
    }

    /// The record, when there is exactly one; several records count as none (§6.6.3 step 5).
    pub fn single(&self) -> Option<&str> {
        match self.records.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }

    /// True when this step of a tree walk ends it: its record says `psd=y` or `psd=n`
    /// (RFC 9989 §4.10).
    pub fn ends_tree_walk(&self) -> bool {
        self.single().and_then(psd_flag).is_some()
    }
}

/// Whether a domain exists (any record at its name, RFC 8020): `np` applies to subdomains
/// that do not, `sp` to those that do (RFC 9989 §4.10.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Existence {
    Exists,
    DoesNotExist,
    Unknown,
}

/// RFC 9989's DNS Tree Walk above the domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TreeWalk {
    /// Every `_dmarc` lookup made above the domain, nearest first.
    pub steps: Vec<DmarcAt>,
    /// The Organizational Domain by §4.10.2.
    pub org_domain: String,
}

impl TreeWalk {
    /// The walk that asked `steps` above `domain` (nearest first, up to the one that ends it),
    /// with the Organizational Domain they make (RFC 9989 §4.10.2).
    pub fn new(domain: &str, steps: Vec<DmarcAt>) -> Self {
        let found: Vec<(String, String)> = steps
            .iter()
            .filter_map(|s| s.single().map(|r| (s.owner.clone(), r.to_owned())))
            .collect();
        let org_domain = walk_org_domain(domain, &found);
        Self { steps, org_domain }
    }

    /// The step that asked `_dmarc.<owner>`, when the walk got that far.
    pub fn step_at(&self, owner: &str) -> Option<&DmarcAt> {
        self.steps.iter().find(|s| s.owner == owner)
    }

    /// The step whose record applies: the Organizational Domain's (RFC 9989 §4.10.1), not the
    /// nearest ancestor with a record.
    pub fn applies(&self) -> Option<&DmarcAt> {
        self.steps.iter().find(|s| s.owner == self.org_domain && s.single().is_some())
    }

    /// False when a step failed (timeout, SERVFAIL): the failed name might hold a record that
    /// changes which name is the Organizational Domain, so the walk's answer is not certain.
    pub fn is_certain(&self) -> bool {
        self.steps.iter().all(|s| !s.answer.state.is_unanswered())
    }
}

/// The record a domain without its own inherits, by each receiver generation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Inherited {
    /// RFC 9989 receivers.
    pub tree_walk: TreeWalk,
    /// RFC 7489 receivers: `_dmarc.<PSL organizational domain>`; `None` when the domain is its
    /// own organizational domain.
    pub psl: Option<DmarcAt>,
    pub domain_exists: Existence,
}

/// One DKIM selector: the CNAME chain at `<selector>._domainkey.<domain>` and the TXT at its end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DkimLookup {
    pub selector: String,
    pub key: Answer,
}

/// What a DKIM selector lookup means for the mail admin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum DkimStatus {
    /// A TXT record is at the end of the chain.
    KeyFound,
    /// The selector is a CNAME whose target has no key: published, but the vendor side is missing.
    KeyMissing,
    /// Nothing at the selector name.
    NoSelector,
    /// The lookup failed; nothing can be said.
    Unknown,
}

impl DkimLookup {
    pub fn status(&self) -> DkimStatus {
        match &self.key.state {
            LookupState::Found { .. } => DkimStatus::KeyFound,
            s if s.is_negative() && !self.key.cname_chain.is_empty() => DkimStatus::KeyMissing,
            s if s.is_negative() => DkimStatus::NoSelector,
            _ => DkimStatus::Unknown,
        }
    }
}

/// The authorization for a report host at another organizational domain (RFC 7489 §7.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportAuth {
    pub host: String,
    /// `<domain>._report._dmarc.<host>`.
    pub exact: DmarcAt,
    /// `*._report._dmarc.<host>`, asked only when the exact name has no DMARC record.
    pub wildcard: Option<DmarcAt>,
}

impl ReportAuth {
    /// `Some(true)` when either name holds a `v=DMARC1` record, `None` when a lookup failed.
    pub fn authorized(&self) -> Option<bool> {
        let lookups = std::iter::once(&self.exact).chain(&self.wildcard);
        let mut unknown = false;
        for at in lookups {
            if !at.records.is_empty() {
                return Some(true);
            }
            unknown |= at.answer.state.is_failure();
        }
        if unknown { None } else { Some(false) }
    }
}

/// Everything gathered for one domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DomainDns {
    pub domain: String,
    /// The source that answered ([`super::DnsSource::describe`]).
    pub source: String,
    /// `_dmarc.<domain>` TXT, CNAME chain included when delegated to a vendor.
    pub dmarc: DmarcAt,
    /// Present when the domain has no single DMARC record of its own and that is certain.
    pub inherited: Option<Inherited>,
    /// The TXT set at the domain itself (SPF lives here).
    pub apex_txt: Answer,
    pub mx: Answer,
    pub dkim: Vec<DkimLookup>,
    pub reports: Vec<ReportAuth>,
}

impl DomainDns {
    /// The owner of the record that applies for RFC 9989 receivers: the domain itself, an
    /// ancestor found by the tree walk, or none.
    pub fn applies_from(&self) -> Option<&str> {
        if self.dmarc.single().is_some() {
            return Some(&self.domain);
        }
        // A failed step above the domain might have held the record that applies.
        let walk = &self.inherited.as_ref()?.tree_walk;
        walk.is_certain().then(|| walk.applies()).flatten().map(|s| s.owner.as_str())
    }

    /// The owner of the record that applies for RFC 7489 receivers (PSL organizational domain).
    pub fn applies_from_psl(&self) -> Option<&str> {
        if self.dmarc.single().is_some() {
            return Some(&self.domain);
        }
        let psl = self.inherited.as_ref()?.psl.as_ref()?;
        psl.single().map(|_| psl.owner.as_str())
    }
}

/// Whether a report mailbox's domain can receive mail: its MX set, and its A record when it has
/// no MX (RFC 5321 §5.1 implicit MX).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MailDomain {
    /// Lower-case, without the trailing dot.
    pub domain: String,
    pub mx: Answer,
    /// Asked only when the MX lookup was negative.
    pub address: Option<Answer>,
}

/// What readiness needs on top of a domain's [`DomainDns`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReadinessDns {
    /// The walk from the domain's SPF record; `None` when the domain has not exactly one.
    pub spf: Option<SpfReport>,
    pub mailboxes: Vec<MailDomain>,
}
