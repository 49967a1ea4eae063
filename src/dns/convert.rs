//! Translation between hickory's types and this module's plain data. Pure.

use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};

use super::answer::{Rdata, RecordKind, TxtData};

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

/// A name as shown to people: presentation format without the trailing dot.
pub(super) fn name_text(name: &Name) -> String {
    let text = name.to_string();
    match text.strip_suffix('.') {
        Some(stripped) if !stripped.is_empty() => stripped.to_owned(),
        _ => text,
    }
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

/// Splits an answer section into the CNAME targets followed and the records of the asked type,
/// with the smallest TTL of those records.
pub(super) fn split_answers<'r>(
    answers: impl IntoIterator<Item = &'r Record>,
    wanted: RecordType,
) -> (Vec<String>, Vec<Rdata>, Option<u32>) {
    let (mut chain, mut records, mut ttl) = (Vec::new(), Vec::new(), None::<u32>);
    for record in answers {
        let rtype = record.data.record_type();
        if rtype == wanted {
            records.push(rdata(&record.data));
            ttl = Some(ttl.map_or(record.ttl, |t| t.min(record.ttl)));
        } else if let RData::CNAME(c) = &record.data {
            chain.push(name_text(&c.0));
        }
    }
    (chain, records, ttl)
}

/// A query name as an absolute name, so no search domain is ever appended.
pub(super) fn fqdn(name: &str) -> String {
    if name.ends_with('.') { name.to_owned() } else { format!("{name}.") }
}
