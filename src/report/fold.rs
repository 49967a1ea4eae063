//! Streams one XML document of aggregate reports into a [`Corpus`], one `<record>` at a time,
//! keeping no records. Matches elements by local name in any case, so the RFC 7489, RFC 9990
//! and draft schemas read alike, and recovers from the damage real receivers send (stray or
//! unclosed tags, bad UTF-8) as long as a whole `<feedback>` was seen. Pure: reads any `BufRead`.

use std::io::BufRead;
use std::net::IpAddr;
use std::path::PathBuf;

use quick_xml::Reader;
use quick_xml::events::{BytesRef, Event};

use super::bounds::EventBound;
use super::model::{Absorbed, AuthResult, Corpus, Counts, ReportSoFar};
use crate::name::DnsName;

/// Longest text kept from one element; report values are short.
const MAX_TEXT: usize = 1024;
/// Deeper nesting than any report has; deeper input is refused rather than tracked.
const MAX_DEPTH: usize = 256;
/// Auth results kept per record (RFC 9990 allows one SPF, several DKIM).
const MAX_AUTH: usize = 32;
const MAX_NOTES: usize = 16;

/// Why a document gave no report.
#[derive(Debug, thiserror::Error)]
pub enum FoldError {
    #[error("empty file")]
    Empty,
    #[error("XML error at byte {position}: {source}")]
    Xml { position: u64, source: quick_xml::Error },
    #[error("elements nested deeper than {MAX_DEPTH}")]
    TooDeep,
    #[error("no <feedback> element: not a DMARC aggregate report")]
    NoReport,
    #[error("ends inside <feedback> before the report is complete (truncated?)")]
    Truncated,
    #[error("the report has no policy_published/domain")]
    NoDomain,
    #[error("the file declares a DTD or entities, which no report needs (an XML bomb?): rejected")]
    Unsafe,
}

/// What one document gave: reports counted, skipped, and what was wrong but stepped over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folded {
    pub counted: u32,
    pub outside_window: u32,
    pub duplicates: u32,
    pub problems: Vec<String>,
}

/// Folds every `<feedback>` in `reader` into `corpus`; `source` names the document in the
/// corpus's lists (a path, or `path!entry`).
pub fn fold_report(
    reader: impl BufRead,
    source: &str,
    corpus: &mut Corpus,
) -> Result<Folded, FoldError> {
    let mut xml = Reader::from_reader(EventBound::new(reader));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    let mut st = State::default();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        xml.get_mut().next_event();
        let event = match xml.read_event_into(&mut buf) {
            Ok(event) => event,
            // quick-xml's syntax errors are all "unclosed ... before end of input": the file
            // was cut off, which `finish` reports in those words.
            Err(quick_xml::Error::Syntax(_)) => break,
            Err(source_err) => {
                let position = xml.error_position();
                return st.after_error(FoldError::Xml { position, source: source_err });
            }
        };
        match event {
            Event::Start(e) => st.open(e.local_name().as_ref())?,
            Event::Empty(e) => {
                let name = hash(e.local_name().as_ref());
                st.open_hashed(name)?;
                st.close(name, source, corpus);
            }
            Event::End(e) => st.close(hash(e.local_name().as_ref()), source, corpus),
            Event::Text(t) => st.text(&t),
            Event::CData(t) => st.text(&t),
            Event::GeneralRef(r) => st.reference(&r),
            // Reports never declare entities; a document that does is refused whole.
            Event::DocType(_) => return Err(FoldError::Unsafe),
            Event::Eof => break,
            _ => {}
        }
    }
    if xml.buffer_position() == 0 {
        return Err(FoldError::Empty);
    }
    st.finish()
}

/// Element names as FNV-1a hashes of their lowercased local name: no allocation per element,
/// and unknown names stay distinct so that a stray tag cannot close the wrong element.
const fn hash(name: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < name.len() {
        h ^= name[i].to_ascii_lowercase() as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

mod tag {
    use super::hash;
    pub const FEEDBACK: u64 = hash(b"feedback");
    pub const METADATA: u64 = hash(b"report_metadata");
    pub const ORG_NAME: u64 = hash(b"org_name");
    pub const REPORT_ID: u64 = hash(b"report_id");
    pub const DATE_RANGE: u64 = hash(b"date_range");
    pub const BEGIN: u64 = hash(b"begin");
    pub const END: u64 = hash(b"end");
    pub const POLICY_PUBLISHED: u64 = hash(b"policy_published");
    pub const DOMAIN: u64 = hash(b"domain");
    pub const P: u64 = hash(b"p");
    pub const SP: u64 = hash(b"sp");
    pub const PCT: u64 = hash(b"pct");
    pub const RECORD: u64 = hash(b"record");
    pub const ROW: u64 = hash(b"row");
    pub const SOURCE_IP: u64 = hash(b"source_ip");
    pub const COUNT: u64 = hash(b"count");
    pub const POLICY_EVALUATED: u64 = hash(b"policy_evaluated");
    pub const DKIM: u64 = hash(b"dkim");
    pub const SPF: u64 = hash(b"spf");
    pub const IDENTIFIERS: u64 = hash(b"identifiers");
    pub const HEADER_FROM: u64 = hash(b"header_from");
    pub const AUTH_RESULTS: u64 = hash(b"auth_results");
    pub const RESULT: u64 = hash(b"result");
}

/// The record being read; folded into the report at `</record>`.
#[derive(Default)]
struct Rec {
    ip: String,
    count: Option<u64>,
    dkim_aligned: bool,
    spf_aligned: bool,
    header_from: String,
    dkim: Vec<(String, AuthResult)>,
    spf: Vec<(String, AuthResult)>,
}

#[derive(Default)]
struct State {
    stack: Vec<u64>,
    text: String,
    report: Option<ReportSoFar>,
    begin: Option<i64>,
    end: Option<i64>,
    rec: Rec,
    auth: (String, AuthResult),
    folded: Folded,
    no_domain: bool,
}

impl State {
    fn open(&mut self, local: &[u8]) -> Result<(), FoldError> {
        self.open_hashed(hash(local))
    }

    fn open_hashed(&mut self, name: u64) -> Result<(), FoldError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(FoldError::TooDeep);
        }
        self.stack.push(name);
        self.text.clear();
        match name {
            tag::FEEDBACK => {
                self.report = Some(ReportSoFar::default());
                (self.begin, self.end) = (None, None);
            }
            tag::RECORD => self.rec = Rec::default(),
            tag::DKIM | tag::SPF => self.auth = (String::new(), AuthResult::None),
            _ => {}
        }
        Ok(())
    }

    fn text(&mut self, raw: &[u8]) {
        if self.stack.is_empty() || self.text.len() >= MAX_TEXT {
            return;
        }
        if let Ok(s) = std::str::from_utf8(raw) {
            self.text.push_str(s);
        } else {
            self.note("text is not valid UTF-8; read with replacement characters");
            self.text.push_str(&String::from_utf8_lossy(raw));
        }
    }

    fn reference(&mut self, r: &BytesRef<'_>) {
        let c = match r.resolve_char_ref() {
            Ok(Some(c)) => Some(c),
            _ => match r.as_ref() as &[u8] {
                b"amp" => Some('&'),
                b"lt" => Some('<'),
                b"gt" => Some('>'),
                b"quot" => Some('"'),
                b"apos" => Some('\''),
                _ => None,
            },
        };
        if let Some(c) = c.filter(|_| self.text.len() < MAX_TEXT) {
            self.text.push(c);
        }
    }

    fn note(&mut self, problem: &str) {
        let notes = &mut self.folded.problems;
        if notes.len() < MAX_NOTES && !notes.iter().any(|n| n == problem) {
            notes.push(problem.to_owned());
        }
    }

    /// Closes `name` and, if tags were left open inside it, those first.
    fn close(&mut self, name: u64, source: &str, corpus: &mut Corpus) {
        let Some(at) = self.stack.iter().rposition(|n| *n == name) else {
            self.note("an end tag without a matching start tag was ignored");
            return;
        };
        if at + 1 < self.stack.len() {
            self.note("an element was not closed; closed it at its parent's end tag");
        }
        while self.stack.len() > at {
            let Some(top) = self.stack.pop() else { break };
            let text = std::mem::take(&mut self.text);
            self.closed(top, text.trim(), source, corpus);
        }
    }

    fn closed(&mut self, name: u64, text: &str, source: &str, corpus: &mut Corpus) {
        let parent = self.stack.last().copied().unwrap_or(0);
        let grandparent = self.stack.len().checked_sub(2).map_or(0, |i| self.stack[i]);
        match (grandparent, parent, name) {
            (_, tag::FEEDBACK, tag::RECORD) => self.fold_record(),
            (_, _, tag::FEEDBACK) => self.finish_report(source, corpus),
            (tag::AUTH_RESULTS, tag::DKIM | tag::SPF, tag::DOMAIN) => {
                self.auth.0 = DnsName::lenient(text).into();
            }
            (tag::AUTH_RESULTS, tag::DKIM | tag::SPF, tag::RESULT) => {
                self.auth.1 = AuthResult::parse(text);
            }
            (_, tag::AUTH_RESULTS, tag::DKIM) => push_auth(&mut self.rec.dkim, &mut self.auth),
            (_, tag::AUTH_RESULTS, tag::SPF) => push_auth(&mut self.rec.spf, &mut self.auth),
            (_, tag::ROW, tag::SOURCE_IP) => self.rec.ip = normalise_ip(text),
            (_, tag::ROW, tag::COUNT) => self.rec.count = self.parse_count(text),
            (_, tag::POLICY_EVALUATED, tag::DKIM) => self.rec.dkim_aligned = is_pass(text),
            (_, tag::POLICY_EVALUATED, tag::SPF) => self.rec.spf_aligned = is_pass(text),
            (_, tag::IDENTIFIERS, tag::HEADER_FROM) => {
                self.rec.header_from = DnsName::lenient(text).into();
            }
            (_, tag::DATE_RANGE, tag::BEGIN) => self.begin = parse_time(text),
            (_, tag::DATE_RANGE, tag::END) => self.end = parse_time(text),
            _ => self.report_field(parent, name, text),
        }
    }

    fn report_field(&mut self, parent: u64, name: u64, text: &str) {
        let Some(r) = self.report.as_mut() else { return };
        match (parent, name) {
            (tag::METADATA, tag::ORG_NAME) => text.clone_into(&mut r.org_name),
            (tag::METADATA, tag::REPORT_ID) => text.clone_into(&mut r.report_id),
            (tag::POLICY_PUBLISHED, tag::DOMAIN) => r.domain = DnsName::lenient(text).into(),
            (tag::POLICY_PUBLISHED, tag::P) => r.policy.0 = text.to_ascii_lowercase(),
            (tag::POLICY_PUBLISHED, tag::SP) => r.policy.1 = Some(text.to_ascii_lowercase()),
            (tag::POLICY_PUBLISHED, tag::PCT) => r.policy.2 = text.parse().ok(),
            _ => {}
        }
    }

    fn parse_count(&mut self, text: &str) -> Option<u64> {
        let n = text.parse().ok();
        if n.is_none() {
            self.note("a record's <count> is not a number; counted as 0");
        }
        n
    }

    fn fold_record(&mut self) {
        let rec = std::mem::take(&mut self.rec);
        let Some(r) = self.report.as_mut() else { return };
        let n = rec.count.unwrap_or(0);
        let pass = rec.dkim_aligned || rec.spf_aligned;
        let only = |yes: bool| if yes { n } else { 0 };
        let subdomain = !r.domain.is_empty()
            && rec.header_from.strip_suffix(r.domain.as_str()).is_some_and(|h| h.ends_with('.'));
        let add = |c: &mut Counts| {
            // Saturating: a hostile <count> must not overflow (and panic in debug builds).
            c.messages = c.messages.saturating_add(n);
            c.dmarc_pass = c.dmarc_pass.saturating_add(only(pass));
            c.dkim_aligned_pass = c.dkim_aligned_pass.saturating_add(only(rec.dkim_aligned));
            c.spf_aligned_pass = c.spf_aligned_pass.saturating_add(only(rec.spf_aligned));
        };
        add(&mut r.counts);
        if subdomain {
            add(&mut r.subdomain);
        }
        r.records = r.records.saturating_add(1);
        r.add_source(rec.ip, n, only(pass), rec.dkim, rec.spf);
    }

    fn finish_report(&mut self, source: &str, corpus: &mut Corpus) {
        let Some(mut r) = self.report.take() else { return };
        r.period = self.begin.zip(self.end);
        match corpus.absorb(r, source) {
            Absorbed::Counted => self.folded.counted += 1,
            Absorbed::OutsideWindow => self.folded.outside_window += 1,
            Absorbed::Duplicate { first } => {
                self.folded.duplicates += 1;
                let reason = format!("same report as {first}");
                corpus.repeated(PathBuf::from(source), &reason);
            }
            Absorbed::NoDomain => {
                self.no_domain = true;
                self.note("a report without policy_published/domain was skipped");
            }
        }
    }

    fn any_report(&self) -> bool {
        let f = &self.folded;
        f.counted + f.outside_window + f.duplicates > 0
    }

    fn after_error(mut self, error: FoldError) -> Result<Folded, FoldError> {
        if !self.any_report() {
            return Err(error);
        }
        self.note(&format!("{error}; the reports before it were read"));
        Ok(self.folded)
    }

    fn finish(mut self) -> Result<Folded, FoldError> {
        if !self.any_report() {
            return Err(match () {
                () if self.no_domain => FoldError::NoDomain,
                () if self.report.is_some() => FoldError::Truncated,
                () => FoldError::NoReport,
            });
        }
        if self.report.is_some() {
            self.note("a truncated report at the end was dropped");
        } else if !self.stack.is_empty() {
            self.note("the file ends with elements still open");
        }
        Ok(self.folded)
    }
}

fn push_auth(into: &mut Vec<(String, AuthResult)>, auth: &mut (String, AuthResult)) {
    let (domain, pass) = std::mem::take(auth);
    if !domain.is_empty() && into.len() < MAX_AUTH {
        into.push((domain, pass));
    }
}

/// Result words are compared without case: `Pass` is sent by some receivers.
fn is_pass(text: &str) -> bool {
    text.eq_ignore_ascii_case("pass")
}

fn normalise_ip(text: &str) -> String {
    match text.parse::<IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) if text.is_empty() => "unknown".to_owned(),
        Err(_) => text.chars().take(64).collect(),
    }
}

/// Unix seconds; a few reporters write them with a fraction.
fn parse_time(text: &str) -> Option<i64> {
    #[expect(clippy::cast_possible_truncation, reason = "seconds; the fraction is dropped")]
    text.parse()
        .ok()
        .or_else(|| text.parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| f as i64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::Window;

    fn report(body: &str) -> String {
        format!(
            "<feedback><report_metadata><org_name>r</org_name><report_id>1</report_id>\
             <date_range><begin>0</begin><end>86399</end></date_range></report_metadata>\
             <policy_published><domain>x.example</domain><p>none</p></policy_published>\
             {body}</feedback>"
        )
    }

    fn rec(count: &str, dkim: &str, spf: &str) -> String {
        format!(
            "<record><row><source_ip>192.0.2.1</source_ip><count>{count}</count>\
             <policy_evaluated><dkim>{dkim}</dkim><spf>{spf}</spf></policy_evaluated></row>\
             <identifiers><header_from>x.example</header_from></identifiers></record>"
        )
    }

    /// (what, document, messages, DMARC pass, problems noted)
    #[test]
    fn records_fold_into_counts_whatever_the_spelling() {
        let cases: Vec<(&str, String, u64, u64, usize)> = vec![
            ("plain", report(&rec("3", "pass", "fail")), 3, 3, 0),
            ("result words in any case", report(&rec("2", "Pass", "FAIL")), 2, 2, 0),
            (
                "element names in any case",
                report(&rec("2", "pass", "x")).replace("count>", "Count>"),
                2,
                2,
                0,
            ),
            ("padded values", report(&rec(" 4\n", "\tpass ", "fail")), 4, 4, 0),
            ("a count that is not a number", report(&rec("many", "pass", "pass")), 0, 0, 1),
            (
                "two records",
                report(&(rec("1", "fail", "fail") + &rec("5", "fail", "pass"))),
                6,
                5,
                0,
            ),
            ("a stray end tag", report(&(rec("1", "pass", "pass") + "</row>")), 1, 1, 1),
            (
                "a record outside <feedback> is ignored",
                report("") + &rec("9", "pass", "pass"),
                0,
                0,
                0,
            ),
            ("a numeric character reference", report(&rec("&#55;", "pass", "pass")), 7, 7, 0),
        ];
        for (what, xml, messages, pass, problems) in cases {
            let mut c = Corpus::new(Window::default());
            let folded = fold_report(xml.as_bytes(), what, &mut c).expect(what);
            let d = &c.domains["x.example"];
            assert_eq!((d.counts.messages, d.counts.dmarc_pass), (messages, pass), "{what}");
            assert_eq!(folded.problems.len(), problems, "{what}: {:?}", folded.problems);
        }
    }

    #[test]
    fn documents_without_a_usable_report_say_why() {
        let no_domain = "<feedback><record><row><count>1</count></row></record></feedback>";
        let cases: [(&str, &str); 5] = [
            ("", "empty file"),
            ("  \n", "no <feedback> element: not a DMARC aggregate report"),
            (
                "<feedback><report_metadata>",
                "ends inside <feedback> before the report is complete (truncated?)",
            ),
            (
                "<feedback><report_metadata><org_name",
                "ends inside <feedback> before the report is complete (truncated?)",
            ),
            (no_domain, "the report has no policy_published/domain"),
        ];
        for (xml, reason) in cases {
            let mut c = Corpus::new(Window::default());
            let err = fold_report(xml.as_bytes(), "t", &mut c).expect_err(xml);
            assert_eq!(err.to_string(), reason, "{xml:?}");
        }
    }

    #[test]
    fn a_document_with_two_reports_counts_both() {
        let mut c = Corpus::new(Window::default());
        let two = report(&rec("1", "pass", "pass"))
            + &report(&rec("2", "fail", "fail")).replace(">1<", ">2<");
        let folded = fold_report(two.as_bytes(), "t", &mut c).expect("two reports");
        assert_eq!(folded.counted, 2);
        assert_eq!(c.domains["x.example"].counts.messages, 3);
    }

    #[test]
    fn the_same_report_twice_is_counted_once() {
        let mut c = Corpus::new(Window::default());
        let one = report(&rec("1", "pass", "pass"));
        fold_report(one.as_bytes(), "a", &mut c).expect("first");
        let again = fold_report(one.as_bytes(), "b", &mut c).expect("second");
        assert_eq!((again.counted, again.duplicates), (0, 1));
        assert_eq!(c.domains["x.example"].reports, 1);
        assert_eq!(c.duplicate_reports[0].reason, "same report as a");
    }

    #[test]
    fn subdomain_mail_is_counted_in_the_total_and_in_its_share() {
        let mut c = Corpus::new(Window::default());
        let sub = rec("4", "fail", "fail").replace("<header_from>x.", "<header_from>news.x.");
        let lookalike = rec("1", "fail", "fail").replace("<header_from>x.", "<header_from>notx.");
        fold_report(report(&(sub + &lookalike)).as_bytes(), "t", &mut c).expect("report");
        let d = &c.domains["x.example"];
        assert_eq!((d.counts.messages, d.subdomain.messages), (5, 4));
    }
}
