//! Translation between hickory's types and this module's plain data. Pure.

use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};

use crate::answers::{Rdata, RecordKind, TxtData};
use crate::text::push_decimal_escape;

pub(super) fn record_type(kind: RecordKind) -> RecordType {
    match kind {
        RecordKind::A => RecordType::A,
        RecordKind::Aaaa => RecordType::AAAA,
        RecordKind::Cname => RecordType::CNAME,
        RecordKind::Mx => RecordType::MX,
        RecordKind::Ns => RecordType::NS,
        RecordKind::Soa => RecordType::SOA,
        RecordKind::Txt => RecordType::TXT,
    }
}

/// A name as shown to people: presentation format (RFC 1035 §5.1) without the trailing dot,
/// labels as they are on the wire (A-labels, not decoded Unicode). Escaped as `dig` does: a
/// backslash before the printable characters that mean something in zone files (`\.`), every
/// byte outside printable ASCII as `\DDD` in decimal (hickory's own `Display` writes octal,
/// which reads back as other bytes).
pub(super) fn name_text(name: &Name) -> String {
    if name.is_root() {
        return ".".to_owned();
    }
    let labels: Vec<String> = name.iter().map(label_text).collect();
    labels.join(".")
}

fn label_text(label: &[u8]) -> String {
    let mut out = String::with_capacity(label.len());
    for &b in label {
        match b {
            b'.' | b'\\' | b'"' | b';' | b'(' | b')' | b'@' | b'$' => {
                out.push('\\');
                out.push(char::from(b));
            }
            b'!'..=b'~' => out.push(char::from(b)),
            _ => push_decimal_escape(&mut out, b),
        }
    }
    out
}

pub(super) fn rdata(data: &RData) -> Rdata {
    match data {
        RData::A(a) => Rdata::A(a.0),
        RData::AAAA(a) => Rdata::Aaaa(a.0),
        RData::CNAME(c) => Rdata::Cname(name_text(&c.0)),
        RData::MX(mx) => Rdata::Mx { preference: mx.preference, exchange: name_text(&mx.exchange) },
        RData::NS(ns) => Rdata::Ns(name_text(&ns.0)),
        RData::TXT(txt) => Rdata::Txt(TxtData::join(txt.txt_data.iter())),
        other => Rdata::Other { kind: other.record_type().to_string(), text: other.to_string() },
    }
}

/// Splits an answer section into the CNAME targets followed from `qname` and the records of
/// the asked type at `qname` or the end of that chain, with the smallest TTL of those records.
/// Records for any other owner name are not the answer and are left out.
pub(super) fn split_answers<'r>(
    qname: &Name,
    answers: impl IntoIterator<Item = &'r Record> + Clone,
    wanted: RecordType,
) -> (Vec<String>, Vec<Rdata>, Option<u32>) {
    let mut owner = qname.clone();
    let mut chain = Vec::new();
    if wanted != RecordType::CNAME {
        let cnames: Vec<(&Name, &Name)> = answers
            .clone()
            .into_iter()
            .filter_map(|r| match &r.data {
                RData::CNAME(c) => Some((&r.name, &c.0)),
                _ => None,
            })
            .collect();
        // Each hop at most once: a loop ends when the chain is as long as the CNAMEs sent.
        while chain.len() < cnames.len() {
            let Some((_, target)) = cnames.iter().find(|(from, _)| **from == owner) else { break };
            chain.push(name_text(target));
            owner = (*target).clone();
        }
    }
    let (mut records, mut ttl) = (Vec::new(), None::<u32>);
    for record in answers {
        if record.data.record_type() == wanted && record.name == owner {
            records.push(rdata(&record.data));
            ttl = Some(ttl.map_or(record.ttl, |t| t.min(record.ttl)));
        }
    }
    (chain, records, ttl)
}

/// The name [`name_text`] shows, back as wire labels: `\DDD` (decimal) and `\X` escapes
/// decoded, so a name taken from an answer is asked exactly as the server sent it, whatever
/// bytes it holds. `None` when the text is no name (an empty label, a bad escape, too long).
pub(super) fn name_from_text(text: &str) -> Option<Name> {
    let text = text.strip_suffix('.').unwrap_or(text);
    let mut labels: Vec<Vec<u8>> = vec![Vec::new()];
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'.' => labels.push(Vec::new()),
            b'\\' => {
                let first = bytes.next()?;
                let byte = if first.is_ascii_digit() {
                    let digits = [first, bytes.next()?, bytes.next()?];
                    std::str::from_utf8(&digits).ok()?.parse::<u8>().ok()?
                } else {
                    first
                };
                labels.last_mut()?.push(byte);
            }
            _ => labels.last_mut()?.push(b),
        }
    }
    if labels.iter().any(Vec::is_empty) {
        return None;
    }
    let mut name = Name::from_labels(labels).ok()?;
    name.set_fqdn(true);
    Some(name)
}

/// A query name as an absolute name, so no search domain is ever appended.
pub(super) fn fqdn(name: &str) -> String {
    if name.ends_with('.') { name.to_owned() } else { format!("{name}.") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_shown_as_sent_with_every_odd_byte_escaped_in_decimal() {
        let cases: [(&[&[u8]], &str); 4] = [
            (&[b"_dmarc", b"Example", b"com"], "_dmarc.Example.com"),
            (&[b"xn--bcher-kva", b"de"], "xn--bcher-kva.de"),
            (&[b"a.b", b"q\\\";x", b"test"], "a\\.b.q\\\\\\\"\\;x.test"),
            (
                &[b"\x1b[31m", "\u{202e}".as_bytes(), b"\xff\x7f \x00"],
                "\\027[31m.\\226\\128\\174.\\255\\127\\032\\000",
            ),
        ];
        for (labels, text) in cases {
            let name = Name::from_labels(labels.to_vec()).expect("labels");
            assert_eq!(name_text(&name), text);
        }
        assert_eq!(name_text(&Name::root()), ".");
    }

    #[test]
    fn a_name_shown_reads_back_as_the_same_labels() {
        let labels: [&[u8]; 4] = [b"\x1b]52;c;eA==\x07", b"a.b\\\"", b"\xff\x7f \x00", b"test"];
        let name = Name::from_labels(labels.to_vec()).expect("labels");
        let back = name_from_text(&name_text(&name)).expect("reads back");
        assert_eq!(back.iter().collect::<Vec<_>>(), labels.to_vec());
        assert!(name_from_text("a..b").is_none() && name_from_text("a\\25").is_none());
        assert!(name_from_text("a\\999.test").is_none(), "no byte is 999");
    }
}
