//! DNS record texts: DMARC (and, later, SPF and DKIM keys) parsed, rendered and judged. Pure: no
//! I/O, no clock.

pub mod dkim;
pub mod dmarc;
pub mod finding;
pub mod render;
pub mod spf;

pub use dmarc::{Alignment, DmarcRecord, Policy, Psd, Tag, ValueError};
pub use finding::{Finding, Severity};
