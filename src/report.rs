//! DMARC aggregate ("rua") reports read from the admin's own files, folded into per-domain
//! evidence: who sends for a domain, how much of it passes, what a stricter policy would do,
//! and whether there is enough evidence to tighten. The XML fold, the summaries, the what-if
//! and the gate are pure; only `files` touches the file system.

pub mod bounds;
pub mod files;
pub mod fold;
pub mod judge;
mod mime;
pub mod model;
pub mod planned;

pub use bounds::{Focus, Overflow};
pub use files::{Limits, read_bytes, read_paths, read_paths_for, read_paths_with};
pub use fold::{FoldError, Folded, fold_report};
pub use judge::{
    Disposition, EvidenceGate, GateState, SenderHint, SenderTally, WhatIf, sender_of, what_if,
};
pub use model::{
    AuthResult, Corpus, Counts, DomainSummary, EchoedPolicy, Rejected, Source, Window,
};
pub use planned::{gate_for, sender_hints};
