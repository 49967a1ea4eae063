//! DNS record texts: DMARC (and, later, SPF and DKIM keys) parsed, rendered and judged. Pure: no
//! I/O, no clock.

pub mod dmarc;
pub mod effective;
pub mod finding;
mod lint;
pub mod parse;
pub mod render;
mod report_uri;

pub use dmarc::{Alignment, DmarcRecord, Policy, Psd, Tag, ValueError};
pub use effective::{Effective, Receiver, effective};
pub use finding::{Finding, Severity};
pub use parse::{Parsed, ParsedTag, parse};
