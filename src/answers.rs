//! What DNS answered, as plain data the core reads: one lookup's state and records
//! ([`Answer`], [`LookupState`]), everything gathered for a domain ([`DomainDns`]) and what
//! readiness needs beside it ([`ReadinessDns`]), with the selections the display and the
//! decision need (which TXT is DMARC, which record applies, the tree walk's Organizational
//! Domain). Pure: `crate::dns` fills these in; nothing here asks DNS.

mod domain;
mod lookup;

pub use domain::{
    DkimLookup, DkimStatus, DmarcAt, DomainDns, DomainQuery, Existence, Inherited, MailDomain,
    ReadinessDns, ReportAuth, TreeWalk,
};
pub use lookup::{Answer, LookupState, Rdata, RecordKind, TxtData, ttl_text, ttl_used};
