//! DNS record texts: DMARC policies, SPF records and DKIM keys, parsed, rendered and judged.
//! Pure: no I/O, no clock.

pub mod dkim;
pub mod dmarc;
pub mod effective;
pub mod finding;
mod lint;
pub mod org_domain;
pub mod parse;
pub mod render;
mod report_uri;
pub mod spf;
pub mod strength;

pub use dmarc::{Alignment, DmarcRecord, Policy, Psd, Tag, ValueError};
pub use effective::{Effective, Receiver, effective};
pub use finding::{Finding, Severity};
pub use lint::edit_distance;
pub use parse::{Parsed, ParsedTag, is_dmarc, meant_as_dmarc, parse};
