//! Changes to a plan file that keep everything the admin wrote: comments, key order, blank
//! lines and formatting stay byte for byte, so `git diff` shows only what the tool recorded.
//! Pure: text in, text out.

use chrono::{Datelike, NaiveDate};
use toml_edit::{Date, Datetime, DocumentMut, Item, Table, value};

/// Why a plan could not be edited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("the plan is not valid TOML: {0}")]
    Syntax(String),
    #[error("the plan has no [[domain]] named '{0}'")]
    NoSuchDomain(String),
    #[error("the history of '{0}' is not a table; write it as [domain.history]")]
    HistoryNotATable(String),
}

/// Records in `[domain.history]` that `phase` (1-based) went live on `date`. Returns the new
/// text, identical to `text` when that exact entry is already there (recording is idempotent).
pub fn record_step(
    text: &str,
    domain: &str,
    phase: usize,
    date: NaiveDate,
) -> Result<String, EditError> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| EditError::Syntax(e.message().to_owned()))?;
    let entry = domain_table(&mut doc, domain)?;
    let history = entry.entry("history").or_insert_with(|| Item::Table(Table::new()));
    let history = history
        .as_table_like_mut()
        .ok_or_else(|| EditError::HistoryNotATable(domain.to_owned()))?;
    let key = phase.to_string();
    let new = toml_date(date);
    let unchanged = history
        .get(&key)
        .and_then(Item::as_value)
        .and_then(toml_edit::Value::as_datetime)
        .is_some_and(|d| d.date == new.date);
    if unchanged {
        return Ok(text.to_owned());
    }
    if let Some(old) = history.get_mut(&key).and_then(Item::as_value_mut) {
        // Keep the comment written after the old date.
        let decor = old.decor().clone();
        *old = toml_edit::Value::from(new);
        *old.decor_mut() = decor;
    } else {
        // Indent the new line like the entry before it.
        let indent =
            history.iter().last().and_then(|(k, _)| history.key(k)).map(|k| k.leaf_decor().clone());
        let formatted = toml_edit::Key::new(key).with_leaf_decor(indent.unwrap_or_default());
        history.entry_format(&formatted).or_insert(value(new));
    }
    Ok(doc.to_string())
}

fn domain_table<'d>(doc: &'d mut DocumentMut, name: &str) -> Result<&'d mut Table, EditError> {
    let wanted = name.trim_end_matches('.');
    doc.get_mut("domain")
        .and_then(Item::as_array_of_tables_mut)
        .and_then(|domains| {
            domains.iter_mut().find(|t| {
                t.get("name")
                    .and_then(Item::as_str)
                    .is_some_and(|n| n.trim_end_matches('.').eq_ignore_ascii_case(wanted))
            })
        })
        .ok_or_else(|| EditError::NoSuchDomain(name.to_owned()))
}

fn toml_date(date: NaiveDate) -> Datetime {
    // chrono's year, month and day always fit TOML's fields for the dates a plan records.
    let (year, month, day) = (date.year(), date.month(), date.day());
    Datetime {
        date: Some(Date {
            year: u16::try_from(year).unwrap_or(u16::MAX),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }),
        time: None,
        offset: None,
    }
}
