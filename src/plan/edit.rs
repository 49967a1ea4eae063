//! Changes to a plan file that keep everything the admin wrote: comments, key order, blank
//! lines, formatting, line endings (LF or CRLF) and a byte-order mark stay as they were, so
//! `git diff` shows only what the tool recorded. Pure: text in, text out.

use crate::name::DnsName;
use chrono::{Datelike, NaiveDate};
use toml_edit::{Date, Datetime, DocumentMut, InlineTable, Item, Table, TableLike, Value, value};

/// Why a plan could not be edited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("the plan is not valid TOML: {}", crate::text::escape(.0))]
    Syntax(String),
    #[error("the plan has no [[domain]] named '{}'", crate::text::escape(.0))]
    NoSuchDomain(String),
    #[error("the history of '{}' is not a table; write it as [domain.history]", crate::text::escape(.0))]
    HistoryNotATable(String),
    #[error("{0} is outside the years 0000 to 9999 that a plan can hold")]
    DateOutOfRange(NaiveDate),
    #[error("recording a step of '{}' would leave a plan that does not load; nothing was written", crate::text::escape(.0))]
    Unloadable(String),
}

const BOM: &str = "\u{feff}";

/// Records in `[domain.history]` that `phase` (1-based) went live on `date`. Returns the new
/// text, identical to `text` when that exact entry is already there (recording is idempotent).
/// Domains written as inline tables (`domain = [{ name = … }]`) are edited in place.
pub fn record_step(
    text: &str,
    domain: &str,
    phase: usize,
    date: NaiveDate,
) -> Result<String, EditError> {
    let new = toml_date(date)?;
    let (bom, body) = text.strip_prefix(BOM).map_or(("", text), |rest| (BOM, rest));
    let crlf = body.contains("\r\n");
    let mut doc: DocumentMut = body
        .parse()
        .map_err(|e: toml_edit::TomlError| EditError::Syntax(e.message().to_owned()))?;
    let entry = domain_table(&mut doc, domain)?;
    let inline = entry.is_inline();
    let history = entry.history().ok_or_else(|| EditError::HistoryNotATable(domain.to_owned()))?;
    let key = phase.to_string();
    let unchanged = history
        .get(&key)
        .and_then(Item::as_value)
        .and_then(Value::as_datetime)
        .is_some_and(|d| d.date == new.date);
    if unchanged {
        return Ok(text.to_owned());
    }
    if let Some(old) = history.get_mut(&key).and_then(Item::as_value_mut) {
        // Keep the comment written after the old date.
        let decor = old.decor().clone();
        *old = Value::from(new);
        *old.decor_mut() = decor;
    } else if inline {
        history.insert(&key, value(new));
    } else {
        // Indent the new line like the entry before it.
        let indent =
            history.iter().last().and_then(|(k, _)| history.key(k)).map(|k| k.leaf_decor().clone());
        let formatted = toml_edit::Key::new(key).with_leaf_decor(indent.unwrap_or_default());
        history.entry_format(&formatted).or_insert(value(new));
    }
    let out = doc.to_string();
    let out = if crlf { with_crlf(&out) } else { out };
    Ok(format!("{bom}{out}"))
}

/// LF line ends as CRLF, leaving those already CRLF.
fn with_crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    let mut previous = '\0';
    for c in text.chars() {
        if c == '\n' && previous != '\r' {
            out.push('\r');
        }
        out.push(c);
        previous = c;
    }
    out
}

/// A domain's table as written: `[[domain]]`, or an inline table in `domain = [{ … }]`.
enum DomainTable<'d> {
    Standard(&'d mut Table),
    Inline(&'d mut InlineTable),
}

impl<'d> DomainTable<'d> {
    fn is_inline(&self) -> bool {
        matches!(self, Self::Inline(_))
    }

    /// The domain's history table, created (in the domain's own style) when missing.
    fn history(self) -> Option<&'d mut dyn TableLike> {
        match self {
            Self::Standard(t) => {
                t.entry("history").or_insert_with(|| Item::Table(Table::new())).as_table_like_mut()
            }
            Self::Inline(t) => t
                .entry("history")
                .or_insert_with(|| Value::InlineTable(InlineTable::new()))
                .as_inline_table_mut()
                .map(|t| t as &mut dyn TableLike),
        }
    }
}

fn domain_table<'d>(doc: &'d mut DocumentMut, name: &str) -> Result<DomainTable<'d>, EditError> {
    let wanted = DnsName::lenient(name);
    let is_it = |n: Option<&str>| n.is_some_and(|n| DnsName::lenient(n) == wanted);
    let missing = || EditError::NoSuchDomain(name.to_owned());
    match doc.get_mut("domain").ok_or_else(missing)? {
        Item::ArrayOfTables(domains) => domains
            .iter_mut()
            .find(|t| is_it(t.get("name").and_then(Item::as_str)))
            .map(DomainTable::Standard)
            .ok_or_else(missing),
        Item::Value(Value::Array(domains)) => domains
            .iter_mut()
            .filter_map(Value::as_inline_table_mut)
            .find(|t| is_it(t.get("name").and_then(Value::as_str)))
            .map(DomainTable::Inline)
            .ok_or_else(missing),
        _ => Err(missing()),
    }
}

/// The date as TOML holds it; TOML dates have four-digit years.
fn toml_date(date: NaiveDate) -> Result<Datetime, EditError> {
    let out_of_range = || EditError::DateOutOfRange(date);
    let year = u16::try_from(date.year()).ok().filter(|y| *y <= 9999).ok_or_else(out_of_range)?;
    Ok(Datetime {
        date: Some(Date {
            year,
            month: u8::try_from(date.month()).map_err(|_| out_of_range())?,
            day: u8::try_from(date.day()).map_err(|_| out_of_range())?,
        }),
        time: None,
        offset: None,
    })
}
