//! The properties the fuzz targets check, one function per target, each taking the fuzzer's raw
//! bytes and panicking when a property breaks. Kept apart from the targets so
//! `tests/fuzz_regressions.rs` replays every saved crashing input through the very same checks.
//! Pure: no I/O.

use std::ops::Range;

use chrono::{Days, NaiveDate};
use dmarc_rollout::message::{self, MAX_HEADER_BYTES, Verdict};
use dmarc_rollout::plan;
use dmarc_rollout::record::render::{MAX_CHARACTER_STRING, render, split_character_strings};
use dmarc_rollout::record::{self, DmarcRecord, Finding, Severity, Tag, dkim, spf};
use dmarc_rollout::report::{Corpus, Limits, Window, fold_report, read_bytes};

/// `parse` on any text: spans inside the text on character boundaries, findings sorted, and a
/// record it keeps renders to text that parses back to the same record with no new error.
pub fn dmarc_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = record::parse(&text);
    for finding in &parsed.findings {
        assert_span(&text, &finding.span, finding.id);
    }
    for tag in &parsed.tags {
        assert_span(&text, &tag.span, "tag");
        assert_span(&text, &tag.value_span, "tag value");
    }
    assert!(
        parsed.findings.is_sorted_by_key(|f| (f.span.start, f.span.end)),
        "findings not sorted: {:?}",
        parsed.findings
    );
    if let Some(kept) = &parsed.record {
        let rendered = render(kept);
        let again = record::parse(&rendered);
        // An invalid p is left out of the record, so its copy may newly miss p; nothing else.
        let before = error_ids(&parsed.findings);
        let new: Vec<_> = error_ids(&again.findings)
            .into_iter()
            .filter(|id| !before.contains(id) && (*id != "dmarc.p_missing" || before.is_empty()))
            .collect();
        assert!(new.is_empty(), "rendering {text:?} as {rendered:?} added errors {new:?}");
        assert_eq!(again.record.as_ref(), Some(kept), "{text:?} rendered as {rendered:?}");
    }
}

/// A record built from any tag/value pairs `set` accepts renders to text whose character-strings
/// are at most 255 bytes and join back to it, and parses back to the same record.
pub fn render_split(data: &[u8]) {
    let mut built = DmarcRecord::default();
    // Pairs are separated by 0xff (never part of UTF-8); a pair's first byte picks the tag.
    for pair in data.split(|&b| b == 0xff) {
        let Some((&pick, value)) = pair.split_first() else { continue };
        let tag = Tag::ALL[usize::from(pick) % Tag::ALL.len()];
        let _ = built.set(tag, &String::from_utf8_lossy(value));
    }
    let rendered = render(&built);
    let pieces = split_character_strings(&rendered);
    for piece in &pieces {
        assert!(piece.len() <= MAX_CHARACTER_STRING, "piece of {} bytes", piece.len());
    }
    assert_eq!(pieces.concat(), rendered);
    let again = record::parse(&rendered);
    assert_eq!(again.record.as_ref(), Some(&built), "{rendered:?}");
}

/// `plan::load` on any text: no panic, and every error points inside the text.
pub fn plan_load(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Err(errors) = plan::load("fuzz.toml", &text) {
        for error in &errors {
            assert!(
                error.span.start <= error.span.end && error.span.end <= text.len(),
                "{error} has span {:?} outside {} bytes",
                error.span,
                text.len()
            );
        }
    }
}

/// `plan::record_step` on any text: no panic, and recording a phase the domain has into a plan
/// that loads gives a plan that still loads.
pub fn plan_record_step(data: &[u8]) {
    let (&[pick, day], rest) = data.split_at(data.len().min(2)) else { return };
    let text = String::from_utf8_lossy(rest);
    let published = NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|d| d.checked_add_days(Days::new(u64::from(day) * 3)))
        .expect("a date in 2026-2028");
    let Ok(loaded) = plan::load("fuzz.toml", &text) else {
        let _ = plan::record_step(&text, "example.com", usize::from(pick), published);
        return;
    };
    let Some(domain) = loaded.domains.get(usize::from(pick >> 4) % loaded.domains.len().max(1))
    else {
        return;
    };
    let Some(phase) = usize::from(pick & 0x0f).checked_rem(domain.phases.len()) else { return };
    let phase = phase + 1;
    let after = plan::record_step(&text, &domain.name, phase, published)
        .unwrap_or_else(|e| panic!("recording phase {phase} of {}: {e}", domain.name));
    if let Err(errors) = plan::load("fuzz.toml", &after) {
        panic!("recorded plan no longer loads: {errors:?}\n--- before\n{text}\n--- after\n{after}");
    }
}

/// `escape` and `escape_bytes`: no control, C1 or bidi character survives, and the escaping can
/// be undone exactly (so two different inputs never look the same).
pub fn escape(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let shown = dmarc_rollout::text::escape(&text);
    assert_terminal_safe(&shown);
    assert_eq!(unescape(&shown), text.as_bytes());
    let shown = dmarc_rollout::text::escape_bytes(data);
    assert_terminal_safe(&shown);
    assert_eq!(unescape(&shown), data);
}

/// `parse_spf` on any text: no panic; every term and finding span inside the text on character
/// boundaries.
pub fn spf_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = spf::parse_spf(&text);
    for term in &parsed.terms {
        assert_span(&text, &term.span, "term");
    }
    for finding in &parsed.findings {
        assert_span(&text, &finding.span, finding.id);
    }
}

/// `parse_dkim_key` on any text: no panic; every finding span inside the text on character
/// boundaries.
pub fn dkim_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for finding in &dkim::parse_dkim_key(&text).findings {
        assert_span(&text, &finding.span, finding.id);
    }
}

/// `fold_report` on any bytes (aggregate reports are not always UTF-8): no panic, and nothing
/// counted without a report in the corpus.
pub fn report_fold(data: &[u8]) {
    let mut corpus = Corpus::new(Window { since: None, until: None });
    if let Ok(folded) = fold_report(data, "fuzz.xml", &mut corpus) {
        assert!(folded.counted == 0 || !corpus.domains.is_empty(), "{folded:?}");
    }
}

/// A small decompression budget, so a bomb is stopped long before the fuzzer's memory limit.
const FUZZ_LIMITS: Limits = Limits { max_decompressed_bytes: 4 << 20 };

/// Any bytes as a report file (XML, gzip, zip, or an email by its headers): no panic; every
/// file is counted once, as read or rejected; a counted report has its domain in the corpus.
pub fn report_container(data: &[u8]) {
    let corpus = read_bytes(data, "fuzz", false, &Window::default(), &FUZZ_LIMITS);
    check_corpus(&corpus);
}

/// Any bytes as an email in a Maildir (MIME parts, base64 and quoted-printable, attachments that
/// are gzip or zip): no panic, and the same corpus properties.
pub fn report_message(data: &[u8]) {
    let corpus = read_bytes(data, "fuzz.eml", true, &Window::default(), &FUZZ_LIMITS);
    check_corpus(&corpus);
}

fn check_corpus(corpus: &Corpus) {
    let counted: u64 = corpus.domains.values().map(|d| d.reports).sum();
    assert!(counted == 0 || !corpus.domains.is_empty());
    for rejected in &corpus.rejected_files {
        assert!(!rejected.reason.is_empty(), "a rejection without a reason");
    }
}

/// `message::verify` on any bytes: no panic; at most `MAX_RESULTS` results per field; a strict
/// alignment is also relaxed; a pass has an identifier that passed aligned; and both field
/// parsers (plain and ARC) read any text.
pub fn message_parse(data: &[u8]) {
    let v = message::verify(data);
    for r in v.receiver.iter().chain(&v.arc) {
        assert!(r.dkim.len() <= message::MAX_RESULTS, "{} DKIM results", r.dkim.len());
        for m in r.spf.iter().chain(&r.dkim).chain(&r.dmarc) {
            assert!(!m.aligned.strict || m.aligned.relaxed, "strict but not relaxed: {m:?}");
        }
    }
    if v.verdict == Verdict::Pass {
        let r = v.receiver.as_ref().expect("a pass has a receiver");
        assert!(
            r.aligned_pass(false, false).is_some(),
            "a pass without an aligned identifier: {r:?}"
        );
    }
    let text = String::from_utf8_lossy(&data[..data.len().min(MAX_HEADER_BYTES)]);
    for arc in [false, true] {
        let parsed = message::parse_auth_results(&text, arc);
        assert!(parsed.results.len() <= message::MAX_RESULTS);
    }
}

fn assert_span(text: &str, span: &Range<usize>, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} span {span:?} outside {} bytes of {text:?}",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} span {span:?} splits a character in {text:?}"
    );
}

/// The ids of the errors, a quote counted as the invalid character it is: only the first bad
/// character of a tag is reported, so which of the two shows depends on what else is dropped.
fn error_ids(findings: &[Finding]) -> Vec<&'static str> {
    let errors = findings.iter().filter(|f| f.severity == Severity::Error);
    errors.map(|f| if f.id == "dmarc.quoted" { "dmarc.invalid_character" } else { f.id }).collect()
}

fn assert_terminal_safe(shown: &str) {
    let unsafe_char = shown.chars().find(|&c| {
        c.is_control()
            || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}')
            || matches!(c, '\u{2066}'..='\u{2069}')
    });
    assert_eq!(unsafe_char, None, "{shown:?}");
}

/// Reverses `\\` and `\DDD`; anything else after a backslash is a broken escape.
fn unescape(shown: &str) -> Vec<u8> {
    let bytes = shown.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
        } else if bytes.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else {
            let digits = shown.get(i + 1..i + 4).expect("three digits after a backslash");
            out.push(digits.parse().expect("a decimal byte after a backslash"));
            i += 4;
        }
    }
    out
}
