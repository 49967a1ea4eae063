//! What one DNS lookup came back with, as plain data: a state (never an error), the records,
//! the CNAME chain, who answered and when. Pure: no hickory types, no I/O.

use std::borrow::Cow;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::name::DnsName;
use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

/// The record types this tool asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum RecordKind {
    A,
    Aaaa,
    Cname,
    Mx,
    Ns,
    Soa,
    Txt,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::Aaaa => "AAAA",
            Self::Cname => "CNAME",
            Self::Mx => "MX",
            Self::Ns => "NS",
            Self::Soa => "SOA",
            Self::Txt => "TXT",
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The data of a TXT record: its character-strings joined with no separator (RFC 7489 §6.1,
/// RFC 1035 §3.3.14). Kept as bytes because TXT data need not be UTF-8; shown lossily.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TxtData(pub Vec<u8>);

impl TxtData {
    /// Joins the character-strings of one record, in order, with nothing between them.
    pub fn join<I, S>(strings: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        Self(strings.into_iter().flat_map(|s| s.as_ref().to_vec()).collect())
    }

    /// The text, with invalid UTF-8 replaced by U+FFFD.
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    pub fn is_utf8(&self) -> bool {
        std::str::from_utf8(&self.0).is_ok()
    }
}

impl fmt::Debug for TxtData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.text())
    }
}

impl Serialize for TxtData {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text())
    }
}

/// One record's data. Names are written without the trailing dot.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Rdata {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Cname(String),
    Mx {
        preference: u16,
        exchange: String,
    },
    Ns(String),
    Txt(TxtData),
    /// Any other type, in presentation format.
    Other {
        kind: String,
        text: String,
    },
}

/// How a lookup ended. A missing record is a state to show; a timeout is never "missing".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum LookupState {
    /// Records of the asked type exist; `ttl` is the published TTL of that `RRset` (the cache is
    /// off, so it is not a remaining TTL).
    Found { records: Vec<Rdata>, ttl: u32 },
    /// The name does not exist (RCODE 3).
    NxDomain,
    /// The name exists but has no records of this type (NOERROR, empty answer).
    NoData,
    /// The server answered with an error code, e.g. "SERVFAIL" or "REFUSED".
    ServerError(String),
    /// No answer within the time limit (all attempts included).
    Timeout,
    /// The name lies outside the zone file being read: an offline view cannot say what the
    /// Internet publishes there (an authoritative server would answer REFUSED).
    OutsideZone,
    /// Anything else that stopped the lookup (network error, malformed answer...).
    Error(String),
}

impl LookupState {
    /// True for NXDOMAIN and NODATA: the DNS says "nothing here".
    pub fn is_negative(&self) -> bool {
        matches!(self, Self::NxDomain | Self::NoData)
    }

    /// True when the DNS could not say whether anything is there.
    pub fn is_failure(&self) -> bool {
        matches!(self, Self::ServerError(_) | Self::Timeout | Self::Error(_) | Self::OutsideZone)
    }

    /// True when a server that should know did not say: a timeout, SERVFAIL, a broken answer.
    /// REFUSED and names outside a zone file mean "not my zone", which is expected when a walk
    /// climbs above the zones a pinned server or file holds.
    pub fn is_unanswered(&self) -> bool {
        match self {
            Self::Timeout | Self::Error(_) => true,
            Self::ServerError(code) => !code.eq_ignore_ascii_case("REFUSED"),
            _ => false,
        }
    }

    /// A short label for the state: "found", "NXDOMAIN", "NODATA", the RCODE, "timeout", "error".
    pub fn label(&self) -> &str {
        match self {
            Self::Found { .. } => "found",
            Self::NxDomain => "NXDOMAIN",
            Self::NoData => "NODATA",
            Self::ServerError(code) => code,
            Self::Timeout => "timeout",
            Self::OutsideZone => "outside the zone file",
            Self::Error(_) => "error",
        }
    }
}

/// The TTL resolvers use for a TTL as sent: RFC 2181 §8 makes a value with the top bit set
/// (above 2^31 - 1) mean 0.
pub fn ttl_used(sent: u32) -> u32 {
    if sent & 0x8000_0000 == 0 { sent } else { 0 }
}

/// A TTL for people: as sent, and what resolvers make of it when that differs.
pub fn ttl_text(sent: u32) -> String {
    match ttl_used(sent) {
        used if used == sent => sent.to_string(),
        used => format!("{sent} (resolvers use {used}, RFC 2181 §8)"),
    }
}

/// The answer to one question (`name`, `kind`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// The name asked for, without the trailing dot.
    pub name: String,
    pub kind: RecordKind,
    pub state: LookupState,
    /// CNAME targets followed from `name`, in order (empty when `name` had no CNAME).
    pub cname_chain: Vec<String>,
    /// Who answered: a server address, a set of servers, or a zone file.
    pub server: String,
    /// When the answer arrived.
    pub at: DateTime<Utc>,
    /// Answers from other authoritative servers that differ from this one: the change is still
    /// propagating. Empty for every source but the authoritative one.
    pub disagreeing: Vec<Answer>,
}

impl Answer {
    /// An answer stamped with the current time.
    pub fn now(name: &str, kind: RecordKind, state: LookupState, server: String) -> Self {
        Self {
            name: DnsName::lenient(name).into(),
            kind,
            state,
            cname_chain: Vec::new(),
            server,
            at: Utc::now(),
            disagreeing: Vec::new(),
        }
    }

    /// The records found, or none.
    pub fn records(&self) -> &[Rdata] {
        match &self.state {
            LookupState::Found { records, .. } => records,
            _ => &[],
        }
    }

    /// The published TTL when records were found.
    pub fn ttl(&self) -> Option<u32> {
        match self.state {
            LookupState::Found { ttl, .. } => Some(ttl),
            _ => None,
        }
    }

    /// The TXT records found, each joined into one text.
    pub fn txt(&self) -> Vec<String> {
        self.records()
            .iter()
            .filter_map(|r| match r {
                Rdata::Txt(t) => Some(t.text().into_owned()),
                _ => None,
            })
            .collect()
    }

    /// True when authoritative servers gave different answers.
    pub fn is_propagating(&self) -> bool {
        !self.disagreeing.is_empty()
    }

    /// Same records (order-insensitive) and same CNAME chain; TTLs, server and time ignored.
    pub fn same_content(&self, other: &Self) -> bool {
        let sorted = |a: &Self| {
            let mut v: Vec<String> = a.records().iter().map(|r| format!("{r:?}")).collect();
            v.sort();
            v
        };
        self.cname_chain == other.cname_chain
            && self.state.label() == other.state.label()
            && sorted(self) == sorted(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_strings_are_joined_with_no_separator() {
        let txt = TxtData::join(["v=DMARC1; p=", "reject"]);
        assert_eq!(txt.text(), "v=DMARC1; p=reject");
    }

    #[test]
    fn non_utf8_txt_is_shown_with_replacement_characters() {
        let txt = TxtData(vec![b'v', 0xff, b'=']);
        assert!(!txt.is_utf8());
        assert_eq!(txt.text(), "v\u{fffd}=");
        assert_eq!(format!("{txt:?}"), "\"v\u{fffd}=\"");
    }

    #[test]
    fn answers_with_the_same_records_in_another_order_agree() {
        let txt = |t: &str| Rdata::Txt(TxtData(t.as_bytes().to_vec()));
        let one = LookupState::Found { records: vec![txt("a"), txt("b")], ttl: 60 };
        let two = LookupState::Found { records: vec![txt("b"), txt("a")], ttl: 300 };
        let a = Answer::now("x", RecordKind::Txt, one, "ns1".into());
        let b = Answer::now("x", RecordKind::Txt, two, "ns2".into());
        assert!(a.same_content(&b));
        let c = Answer::now("x", RecordKind::Txt, LookupState::NoData, "ns3".into());
        assert!(!a.same_content(&c));
    }
}
