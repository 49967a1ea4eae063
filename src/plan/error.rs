//! Plan errors that say what, where (`file:line:col`) and what to do instead. Pure.

use std::fmt;
use std::ops::Range;

/// A 1-based line and column (in characters) inside a plan file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// Where byte `offset` of `text` is; offsets past the end point just after the last byte.
    pub fn of(text: &str, offset: usize) -> Self {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Self {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

/// One problem in a plan file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{}:{}: {message}", crate::text::escape(file), location.line, location.column)]
pub struct PlanError {
    pub file: String,
    pub location: Location,
    pub span: Range<usize>,
    pub message: String,
}

impl PlanError {
    pub(crate) fn new(file: &str, text: &str, span: Range<usize>, message: String) -> Self {
        Self { file: file.to_owned(), location: Location::of(text, span.start), span, message }
    }
}

/// Quotes a value from the plan for an error message; long values are cut so the message stays
/// on one screen line.
pub(crate) struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 60;
        let shown: String = self.0.chars().take(MAX).collect();
        let ellipsis = if self.0.chars().count() > MAX { "…" } else { "" };
        write!(f, "'{}{ellipsis}'", crate::text::escape(&shown))
    }
}
