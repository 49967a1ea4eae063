//! What a check found in a record or a plan: a stable id, a severity, advice, and where. Pure.

use std::fmt;
use std::ops::Range;

use serde::Serialize;

/// How much a finding matters to mail flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Advice; nothing is wrong.
    Info,
    /// Risky or ineffective, but receivers still apply the record.
    Warning,
    /// Receivers ignore or misread the record (or the check it belongs to fails).
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        })
    }
}

/// One observation about a record. The `id` is stable across releases so scripts can filter on
/// it; the message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Byte range in the record text the finding points at (empty at the end for "missing").
    #[serde(flatten, serialize_with = "serialize_span")]
    pub span: Range<usize>,
}

impl Finding {
    pub fn new(
        id: &'static str,
        severity: Severity,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Self { id, severity, message: message.into(), span }
    }

    pub fn error(id: &'static str, span: Range<usize>, message: impl Into<String>) -> Self {
        Self::new(id, Severity::Error, span, message)
    }

    pub fn warning(id: &'static str, span: Range<usize>, message: impl Into<String>) -> Self {
        Self::new(id, Severity::Warning, span, message)
    }

    pub fn info(id: &'static str, span: Range<usize>, message: impl Into<String>) -> Self {
        Self::new(id, Severity::Info, span, message)
    }
}

fn serialize_span<S: serde::Serializer>(span: &Range<usize>, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(2))?;
    map.serialize_entry("start", &span.start)?;
    map.serialize_entry("end", &span.end)?;
    map.end()
}

/// True when any finding would make receivers ignore or misread the record.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}
