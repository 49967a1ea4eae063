//! Reading a DMARC TXT value (RFC 7489 §6.3–6.4, RFC 9989 §4.7–4.8) into tags with exact byte
//! spans, a [`DmarcRecord`] when receivers would use it, and the findings about it. Tolerant
//! where the RFCs are (whitespace around `;` `=` `,` `:`, case, a trailing `;`, tag order), strict
//! where receivers are (`v=DMARC1` exactly and first). Pure.

use std::ops::Range;

use super::dmarc::{DmarcRecord, Tag};
use super::effective::{self, Effective, Receiver};
use super::finding::{Finding, Severity, has_errors};
use super::render::floor_char_boundary;
use super::{lint, report_uri};

/// One `name=value` pair as written, including `v`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedTag {
    /// The name as written (case kept, whitespace trimmed).
    pub name: String,
    /// The known tag, read case-insensitively; `None` for `v` and for unknown tags.
    pub tag: Option<Tag>,
    /// The value as written, whitespace around it trimmed.
    pub value: String,
    /// The whole tag, `name=value`, without the surrounding whitespace or `;`.
    pub span: Range<usize>,
    pub value_span: Range<usize>,
}

impl ParsedTag {
    /// The version tag (`v`, any case).
    pub fn is_version(&self) -> bool {
        self.name.eq_ignore_ascii_case("v")
    }

    /// Neither `v` nor a tag this tool knows: receivers ignore it.
    pub fn is_unknown(&self) -> bool {
        self.tag.is_none() && !self.is_version()
    }
}

/// A TXT value read as a DMARC record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The text that was parsed (the character-strings already joined).
    pub text: String,
    /// The record receivers would use; `None` when they discard it: no exact `v=DMARC1` first,
    /// leading whitespace or quotes, or a duplicated tag (RFC 6376 §3.2 makes the whole tag-list
    /// invalid). Tags whose value is invalid are left out (receivers use the default).
    pub record: Option<DmarcRecord>,
    /// Every `name=value` pair in the order written, `v` included.
    pub tags: Vec<ParsedTag>,
    /// Sorted by span start.
    pub findings: Vec<Finding>,
}

impl Parsed {
    /// True when no finding is an error.
    pub fn is_valid(&self) -> bool {
        !has_errors(&self.findings)
    }

    /// What a receiver of the given generation does with this text.
    pub fn effective(&self, receiver: Receiver) -> Effective {
        effective::of_parsed(self, receiver)
    }

    /// The first tag written with this name, if any.
    pub fn tag(&self, tag: Tag) -> Option<&ParsedTag> {
        self.tags.iter().find(|t| t.tag == Some(tag))
    }

    /// True when the tag was written but its value was not usable.
    pub fn is_invalid(&self, tag: Tag) -> bool {
        let written = self.tag(tag).is_some();
        let kept = self.record.as_ref().is_some_and(|r| r.get(tag).is_some());
        written && !kept
    }

    /// True when a finding with this id was produced.
    pub fn has(&self, id: &str) -> bool {
        self.findings.iter().any(|f| f.id == id)
    }
}

/// True for a TXT value plainly written as a DMARC record, usable or not: `v=DMARC1` somewhere
/// once blanks and quotes are ignored, in any case. Such a value is a broken DMARC record to
/// repair, never "unrelated TXT" to delete.
pub fn meant_as_dmarc(text: &str) -> bool {
    let squeezed: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '"')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    squeezed.contains("v=dmarc1")
}

/// Starts with `v=DMARC1` followed by `;`, blank or nothing (the tag name in either case, the
/// value `DMARC1` exactly), with blanks allowed
/// around `=` as the RFC 7489 §6.4 grammar (`"v" *WSP "=" *WSP "DMARC1"`) and the parser allow.
pub fn is_dmarc(text: &str) -> bool {
    let blanks: &[char] = &[' ', '\t'];
    text.strip_prefix(['v', 'V'])
        .map(|rest| rest.trim_start_matches(blanks))
        .and_then(|rest| rest.strip_prefix('='))
        .map(|rest| rest.trim_start_matches(blanks))
        .and_then(|rest| rest.strip_prefix("DMARC1"))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([';', ' ', '\t']))
}

/// Parses and lints a DMARC TXT value. Never panics, whatever the text.
pub fn parse(text: &str) -> Parsed {
    let body = body_range(text);
    let mut findings = Vec::new();
    let tags = tokenize(text, body.clone(), &mut findings);
    let looks_like_dmarc = tags.first().is_some_and(|v| {
        v.is_version() && v.value.get(..6).is_some_and(|s| s.eq_ignore_ascii_case("DMARC1"))
    });
    let discard = version_finding(text, &tags, looks_like_dmarc);
    let mut record = None;
    if looks_like_dmarc {
        let duplicated = duplicate_findings(&tags, &mut findings);
        let best_effort = build_record(&tags, &mut findings);
        lint::tag_findings(&tags, &mut findings);
        lint::record_findings(&best_effort, &tags, text, &mut findings);
        if discard.is_none() && !duplicated {
            record = Some(best_effort);
        }
    } else {
        // Not a DMARC record at all: anything more would be noise.
        findings.clear();
    }
    findings.extend(discard);
    findings.sort_by_key(|f| (f.span.start, f.span.end));
    Parsed { text: text.to_owned(), record, tags, findings }
}

/// The part of the text tags are read from: leading whitespace and a surrounding pair of quotes
/// are skipped so the rest can still be linted, though receivers discard such a record.
fn body_range(text: &str) -> Range<usize> {
    let start = text.len() - text.trim_start_matches(|c: char| c.is_ascii_whitespace()).len();
    let quoted = text[start..].starts_with('"');
    let start = start + usize::from(quoted);
    let mut end = text.len();
    if quoted && text[start..].trim_end().ends_with('"') {
        end = start + text[start..].trim_end().len() - 1;
    }
    start..end.max(start)
}

fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn trim(text: &str, span: Range<usize>) -> Range<usize> {
    let bytes = text.as_bytes();
    let (mut start, mut end) = (span.start, span.end);
    while start < end && is_wsp(bytes[start]) {
        start += 1;
    }
    while end > start && is_wsp(bytes[end - 1]) {
        end -= 1;
    }
    start..end
}

/// Splits the body on `;` and each piece on its first `=`, reporting what is not a tag.
fn tokenize(text: &str, body: Range<usize>, findings: &mut Vec<Finding>) -> Vec<ParsedTag> {
    let mut tags = Vec::new();
    let mut start = body.start;
    let separators = text[body.clone()].match_indices(';').map(|(i, _)| body.start + i);
    let ends: Vec<usize> = separators.chain(std::iter::once(body.end)).collect();
    let last = ends.len() - 1;
    for (i, end) in ends.into_iter().enumerate() {
        let span = trim(text, start..end);
        start = end + 1;
        if span.is_empty() {
            // A trailing `;` is allowed; `;;` and a lone `;` are not, though harmless.
            if i != last {
                findings.push(Finding::info(
                    "dmarc.stray_separator",
                    end..end + 1,
                    "stray ';' with no tag before it: remove it",
                ));
            }
            continue;
        }
        if let Some(bad) = invalid_character(text, span.clone()) {
            findings.push(bad);
            if !text[span.clone()].bytes().any(|b| b.is_ascii_graphic()) {
                // Only stray control characters (a pasted CR LF, say): one finding is enough.
                continue;
            }
        }
        match tag_at(text, span.clone()) {
            Some(tag) => tags.push(tag),
            None => findings.push(Finding::error(
                "dmarc.missing_equals",
                span.clone(),
                format!(
                    "'{}' is not a tag: write name=value, and separate tags with ';'",
                    &text[span]
                ),
            )),
        }
    }
    tags
}

fn tag_at(text: &str, span: Range<usize>) -> Option<ParsedTag> {
    let eq = span.start + text[span.clone()].find('=')?;
    let name = trim(text, span.start..eq);
    let value_span = trim(text, eq + 1..span.end);
    let name_text = &text[name];
    Some(ParsedTag {
        name: name_text.to_owned(),
        tag: Tag::from_name(&name_text.to_ascii_lowercase()),
        value: text[value_span.clone()].to_owned(),
        span,
        value_span,
    })
}

/// RFC 9989 §4.8 allows printable ASCII only (`%x20-3A / %x3C-7E`) plus WSP around separators.
fn invalid_character(text: &str, span: Range<usize>) -> Option<Finding> {
    let (offset, c) = text[span.clone()]
        .char_indices()
        .find(|&(_, c)| c == '"' || !(c == ' ' || c == '\t' || c.is_ascii_graphic()))?;
    let at = span.start + offset;
    let (id, what) = if c == '"' {
        ("dmarc.quoted", "a quote".to_owned())
    } else {
        ("dmarc.invalid_character", format!("the character {}", crate::text::describe_char(c)))
    };
    Some(Finding::error(
        id,
        at..at + c.len_utf8(),
        format!("{what} is not allowed in a DMARC record: use printable ASCII only"),
    ))
}

/// The finding that makes receivers discard the record, if any (RFC 7489 §6.6.3 step 2).
/// Whitespace and quotes are only worth naming when what they wrap looks like DMARC.
fn version_finding(text: &str, tags: &[ParsedTag], looks_like_dmarc: bool) -> Option<Finding> {
    let lead = text.len() - text.trim_start_matches(|c: char| c.is_ascii_whitespace()).len();
    if lead > 0 && looks_like_dmarc {
        return Some(Finding::error(
            "dmarc.leading_whitespace",
            0..lead,
            "the record starts with whitespace, so receivers discard it: start with v=DMARC1",
        ));
    }
    if text.starts_with('"') && looks_like_dmarc {
        return Some(Finding::error(
            "dmarc.quoted",
            0..1,
            "the quotes are part of the value, so receivers discard it: enter the record \
             without quotes (only zone files quote it)",
        ));
    }
    let first = tags.first().filter(|t| t.span.start == 0);
    let Some(first) = first else {
        let start = 0..floor_char_boundary(text, 8);
        return Some(not_dmarc(start, "the record does not start with v=DMARC1"));
    };
    // Tag names are case-insensitive (RFC 5234 §2.3), the value `DMARC1` is not (RFC 9989
    // §4.8): `V=DMARC1` starts a record, `v=dmarc1` does not.
    if first.is_version() && first.value == "DMARC1" {
        return None;
    }
    let why = if !first.is_version() {
        "the record does not start with v=DMARC1".to_owned()
    } else if first.value.eq_ignore_ascii_case("DMARC1") {
        format!(
            "'{}': the version value is case-sensitive and must be exactly DMARC1 (RFC 9989 §4.8)",
            &text[first.span.clone()]
        )
    } else if first.value.get(..6).is_some_and(|s| s.eq_ignore_ascii_case("DMARC1")) {
        "a ';' is probably missing after v=DMARC1".to_owned()
    } else {
        format!("'{}' is not v=DMARC1", &text[first.span.clone()])
    };
    Some(not_dmarc(first.span.clone(), &why))
}

fn not_dmarc(span: Range<usize>, why: &str) -> Finding {
    Finding::error(
        "dmarc.not_dmarc",
        span,
        format!("{why}, so receivers discard it: start the record with exactly v=DMARC1"),
    )
}

/// A tag written twice makes the whole tag-list invalid (RFC 6376 §3.2, used by RFC 7489 §6.3).
fn duplicate_findings(tags: &[ParsedTag], findings: &mut Vec<Finding>) -> bool {
    let mut duplicated = false;
    for (i, tag) in tags.iter().enumerate() {
        let first = tags[..i].iter().find(|t| t.name.eq_ignore_ascii_case(&tag.name));
        if first.is_some() {
            duplicated = true;
            findings.push(Finding::error(
                "dmarc.duplicate_tag",
                tag.span.clone(),
                format!(
                    "'{}' is written twice, which makes receivers discard the whole record: \
                     keep one",
                    tag.name
                ),
            ));
        }
    }
    duplicated
}

/// The record from the first occurrence of each known tag, invalid values left out.
fn build_record(tags: &[ParsedTag], findings: &mut Vec<Finding>) -> DmarcRecord {
    let mut record = DmarcRecord::default();
    for (i, parsed) in tags.iter().enumerate() {
        let Some(tag) = parsed.tag else { continue };
        if tags[..i].iter().any(|t| t.tag == Some(tag)) {
            continue;
        }
        if parsed.value.is_empty() {
            findings.push(Finding::error(
                "dmarc.empty_value",
                parsed.span.clone(),
                format!(
                    "'{}' has no value: write {} or remove the tag",
                    parsed.name,
                    tag.allowed()
                ),
            ));
            continue;
        }
        if matches!(tag, Tag::Rua | Tag::Ruf) {
            let kept = report_uri::uri_findings(parsed, tag, findings);
            if !kept.is_empty() {
                // Receivers skip bad URIs and keep the good ones.
                let _ = record.set(tag, &kept.join(","));
            }
            continue;
        }
        if let Err(e) = record.set(tag, &parsed.value) {
            findings.push(invalid_value(parsed, tag, &e.to_string()));
        }
    }
    record
}

fn invalid_value(parsed: &ParsedTag, tag: Tag, why: &str) -> Finding {
    // Every invalid value is an error: where RFC 7489 receivers fall back to a default,
    // OpenDMARC rejects the whole record (see `lint::consequence`).
    let id = match tag {
        Tag::P => "dmarc.p_invalid",
        Tag::Sp => "dmarc.sp_invalid",
        Tag::Np => "dmarc.np_invalid",
        Tag::Adkim => "dmarc.adkim_invalid",
        Tag::Aspf => "dmarc.aspf_invalid",
        Tag::Fo => "dmarc.fo_invalid",
        Tag::Pct => "dmarc.pct_invalid",
        Tag::T => "dmarc.t_invalid",
        Tag::Rf => "dmarc.rf_invalid",
        Tag::Ri => "dmarc.ri_invalid",
        Tag::Psd => "dmarc.psd_invalid",
        Tag::Rua | Tag::Ruf => "dmarc.report_uri_malformed",
    };
    let mut message = why.to_owned();
    if let Some(next) = lint::swallowed_tag(&parsed.value) {
        message = format!("{message}; a ';' is probably missing before '{next}='");
    }
    message.push_str(&lint::consequence(tag));
    Finding::new(id, Severity::Error, parsed.value_span.clone(), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dmarc_records_are_told_apart_by_their_exact_prefix() {
        let cases = [
            ("v=DMARC1; p=none", true),
            ("v=DMARC1", true),
            ("V=DMARC1; p=reject", true),
            ("v = DMARC1; p=reject", true),
            (" v=DMARC1; p=none", false),
            ("v=dmarc1; p=none", false),
            ("v=DMARC10; p=none", false),
            ("v=spf1 -all", false),
            ("google-site-verification=abc", false),
        ];
        for (text, dmarc) in cases {
            assert_eq!(is_dmarc(text), dmarc, "{text}");
        }
    }
}
