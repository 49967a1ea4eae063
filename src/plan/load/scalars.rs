//! The loader's readers for single values (strings, numbers, dates, names, tables): each
//! checks the type and reports the value with what was expected. Pure.
//!
//! What a value is (`what`, `expected`) is passed as `&dyn Display`, often `format_args!`, so
//! the message is only written out when there is an error to report: a plan of 10,000
//! domains reads tens of thousands of values, nearly all of them fine.

use std::fmt::Display;
use std::ops::Range;

use chrono::NaiveDate;

use super::{Loader, NameCheck, Node, Table, Value};
use crate::plan::error::Quoted;

impl Loader<'_> {
    pub(super) fn table<'a, 'i>(
        &mut self,
        value: &'a Value<'i>,
        what: &dyn Display,
    ) -> Option<&'a Table<'i>> {
        if let Node::Table(t) = value.get_ref() {
            return Some(t);
        }
        self.wrong_type(value, &format_args!("{what} must be a table"));
        None
    }

    pub(super) fn array_of_tables<'a, 'i>(
        &mut self,
        value: &'a Value<'i>,
        what: &dyn Display,
    ) -> Option<Vec<(&'a Table<'i>, Range<usize>)>> {
        let Node::Array(array) = value.get_ref() else {
            self.wrong_type(
                value,
                &format_args!("{what} must be an array of tables (write it as {what})"),
            );
            return None;
        };
        Some(
            array
                .items
                .iter()
                .filter_map(|item| self.table(item, what).map(|t| (t, item.span())))
                .collect(),
        )
    }

    pub(super) fn required_str(
        &mut self,
        table: &Table<'_>,
        key: &str,
        what: &dyn Display,
        span: &Range<usize>,
    ) -> Option<String> {
        let Some(value) = table.get(key) else {
            self.error(span.start..span.start, format!("{what} needs a `{key}`"));
            return None;
        };
        self.string(value, &key)
    }

    pub(super) fn string(&mut self, value: &Value<'_>, what: &dyn Display) -> Option<String> {
        self.text(value, what).map(str::to_owned)
    }

    /// [`Self::string`], borrowed from the plan's text.
    fn text<'v>(&mut self, value: &'v Value<'_>, what: &dyn Display) -> Option<&'v str> {
        self.expect(value.get_ref().as_str(), value, &format_args!("{what} must be a string"))
    }

    /// A string or a list of strings, each passing `check`.
    pub(super) fn names(&mut self, value: &Value<'_>, what: &str, check: NameCheck) -> Vec<String> {
        let items = match value.get_ref() {
            Node::Array(array) => array.items.as_slice(),
            _ => std::slice::from_ref(value),
        };
        items
            .iter()
            .filter_map(|v| {
                let s = self.text(v, &format_args!("{what} (or each item of it)"))?;
                self.checked_name(s, v.span(), check)
            })
            .collect()
    }

    /// `name`, written at `span`, if it passes `check`.
    pub(super) fn checked_name(
        &mut self,
        name: &str,
        span: Range<usize>,
        check: NameCheck,
    ) -> Option<String> {
        check(name)
            .map_err(|why| {
                self.error(span, format!("{} is not a valid name: {why}", Quoted(name)));
            })
            .ok()
    }

    pub(super) fn uint(&mut self, value: &Value<'_>, key: &str) -> Option<u32> {
        let parsed = match value.get_ref() {
            Node::Integer { digits, radix } => whole_number(digits, *radix),
            _ => None,
        };
        let expected = format_args!("{key} must be a whole number from 0 to {}", u32::MAX);
        match parsed {
            Some(n) if n < 0 => {
                self.error(value.span(), format!("{expected}; found {n}, which is negative"));
                None
            }
            Some(n) if u32::try_from(n).is_err() => {
                self.error(value.span(), format!("{expected}; found {n}, which is too large"));
                None
            }
            _ => self.expect(parsed.and_then(|n| u32::try_from(n).ok()), value, &expected),
        }
    }

    pub(super) fn bool(&mut self, value: &Value<'_>, key: &str) -> Option<bool> {
        self.expect(value.get_ref().as_bool(), value, &format_args!("{key} must be true or false"))
    }

    pub(super) fn rate(&mut self, value: &Value<'_>) -> Option<f64> {
        let rate = match value.get_ref() {
            Node::Float(f) => f.replace('_', "").parse::<f64>().ok(),
            Node::Integer { digits, .. } => digits.parse::<f64>().ok(),
            _ => None,
        };
        let rate = rate.filter(|r| (0.0..=1.0).contains(r));
        self.expect(rate, value, &"min_pass_rate must be a share from 0.0 to 1.0, e.g. 0.98")
    }

    /// A TOML date (`2026-11-01`) or a string holding one.
    pub(super) fn date(&mut self, value: &Value<'_>) -> Option<NaiveDate> {
        let date = match value.get_ref() {
            Node::Datetime(dt) if dt.time.is_none() => dt
                .date
                .and_then(|d| NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())),
            Node::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
            _ => None,
        };
        self.expect(date, value, &"a publication date must be a date such as 2026-11-01")
    }

    /// Passes `parsed` through, reporting the value as the wrong type when it is `None`.
    pub(super) fn expect<T>(
        &mut self,
        parsed: Option<T>,
        value: &Value<'_>,
        expected: &dyn Display,
    ) -> Option<T> {
        if parsed.is_none() {
            self.wrong_type(value, expected);
        }
        parsed
    }

    pub(super) fn wrong_type(&mut self, value: &Value<'_>, expected: &dyn Display) {
        let found = match value.get_ref() {
            Node::String(s) => format!("found the string {}", Quoted(s)),
            other => format!("found {}", with_article(other.type_str())),
        };
        self.error(value.span(), format!("{expected}; {found}"));
    }
}

/// A TOML integer's digits (`1_000`, `-5`) in `radix`, read without copying them when they
/// have no `_` separators, as nearly all do.
fn whole_number(digits: &str, radix: u32) -> Option<i64> {
    if digits.contains('_') {
        i64::from_str_radix(&digits.replace('_', ""), radix).ok()
    } else {
        i64::from_str_radix(digits, radix).ok()
    }
}

/// `an integer`, `a table`: the TOML type named as a sentence would.
fn with_article(kind: &str) -> String {
    let vowel = kind.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {kind}", if vowel { "an" } else { "a" })
}
