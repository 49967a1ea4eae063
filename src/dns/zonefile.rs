//! A [`DnsSource`] that answers from an RFC 1035 zone file exactly as the zone's primary server
//! would: NXDOMAIN vs NODATA (RFC 8020: a name with descendants exists), CNAMEs followed inside
//! the zone, wildcards (RFC 4592), names outside the zone REFUSED. Reads the file once.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use futures::future::{BoxFuture, FutureExt};
use hickory_resolver::proto::rr::{LowerName, Name, RData, RecordSet, RecordType, RrKey};
use hickory_resolver::proto::serialize::txt::Parser;

use super::convert::{fqdn, name_from_text, name_text, rdata, record_type};
use super::{DnsSetupError, DnsSource};
use crate::answers::{Answer, LookupState, RecordKind};

mod locate;

/// The largest zone file read (it is held in memory whole, with its records).
const MAX_ZONE_BYTES: u64 = 64 << 20;
/// The largest zone text whose syntax error is located by line (see [`locate`]).
/// Searching re-parses the text about log2(entries) times: a 256 KiB zone of 14,374 records
/// broken on its last line took 9.8 s in a debug build on a loaded 2-core machine.
const MAX_LOCATED_BYTES: usize = 256 << 10;
/// CNAME hops followed before giving up, as resolvers do against loops.
const MAX_CNAME_HOPS: usize = 16;

/// One zone, in memory.
pub struct ZoneFileSource {
    origin: Name,
    rrsets: BTreeMap<RrKey, RecordSet>,
    /// Every owner name and every name between it and the apex (empty non-terminals exist).
    existing: HashSet<LowerName>,
    label: String,
}

/// Replaces `\DDD` escapes of printable characters inside quoted strings with the characters
/// themselves (`"v=DMARC1\059 p=none"` → `"v=DMARC1; p=none"`, RFC 1035 §5.1): hickory 0.26
/// decodes these wrongly (hickory-dns#3955), which would turn a valid record into unrelated text.
/// Escapes of other bytes are left to the parser.
fn printable_escapes_decoded(text: &str) -> Cow<'_, str> {
    if !text.contains('\\') {
        return Cow::Borrowed(text);
    }
    let (mut out, mut quoted, mut comment) = (String::with_capacity(text.len()), false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => comment = false,
            _ if comment => {}
            ';' if !quoted => comment = true,
            '"' => quoted = !quoted,
            '\\' => {
                let digits: String = chars.clone().take(3).collect();
                let printable = (digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| digits.parse::<u8>().ok())
                    .flatten()
                    .filter(|b| (0x20..0x7f).contains(b) && *b != b'"' && *b != b'\\');
                match printable {
                    Some(b) if quoted => {
                        out.push(char::from(b));
                        chars.nth(2);
                        continue;
                    }
                    // Keep any other escape whole, so `\\` never starts a new one.
                    _ => {
                        out.push(c);
                        if let Some(next) = chars.next() {
                            out.push(next);
                        }
                        continue;
                    }
                }
            }
            _ => {}
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// The parser's error at the entry it stopped at, when the text is small enough to search: each
/// step of the search parses the text before an entry again, so a large broken zone is not
/// parsed twenty times over.
fn located_error(
    path: &Path,
    text: &str,
    message: &str,
    fails_alike: impl Fn(&str) -> bool,
) -> DnsSetupError {
    let path = path.to_owned();
    if text.len() > MAX_LOCATED_BYTES {
        let message = format!(
            "{} (the file is over {} KiB, so the entry is not searched for)",
            explained(message),
            MAX_LOCATED_BYTES >> 10
        );
        return DnsSetupError::ParseZone { path, message };
    }
    let message = explained(message);
    match locate::locate(text, fails_alike) {
        Some(at) => DnsSetupError::ZoneSyntax { path, line: at.line, column: at.column, message },
        None => DnsSetupError::ParseZone { path, message },
    }
}

/// hickory's words for the two mistakes a hand-written zone makes most, with what to do.
fn explained(message: &str) -> String {
    let fix = match message {
        "record ttl not specified" => "give the record a TTL, or put a $TTL line before it",
        "$ORIGIN was not specified" => "add a line such as '$ORIGIN example.com.' at the top",
        _ => return message.to_owned(),
    };
    format!("{message}: {fix}")
}

impl ZoneFileSource {
    /// Reads and parses a zone file; its origin is `$ORIGIN` or else the SOA owner.
    pub fn from_path(path: &Path) -> Result<Self, DnsSetupError> {
        let text = crate::fsio::read_text(path, MAX_ZONE_BYTES)
            .map_err(|source| DnsSetupError::ReadZone { path: path.to_owned(), source })?;
        Self::from_text(&text, None, path)
    }

    /// Parses zone-file text; `origin` is used for relative names when the text has no
    /// `$ORIGIN`. `path` names the zone in messages and resolves `$INCLUDE`.
    pub fn from_text(text: &str, origin: Option<&str>, path: &Path) -> Result<Self, DnsSetupError> {
        let parse_error =
            |message: String| DnsSetupError::ParseZone { path: path.to_owned(), message };
        let origin = origin
            .map(|o| Name::from_ascii(fqdn(o)).map_err(|e| parse_error(e.to_string())))
            .transpose()?;
        let text = printable_escapes_decoded(text);
        let parse = |text: &str| Parser::new(text, Some(path.to_owned()), origin.clone()).parse();
        let (_, rrsets) = parse(&text).map_err(|e| {
            let message = e.to_string();
            let fails_alike = |prefix: &str| parse(prefix).is_err_and(|e| e.to_string() == message);
            located_error(path, &text, &message, fails_alike)
        })?;
        let origin = rrsets
            .keys()
            .find(|key| key.record_type == RecordType::SOA)
            .map(|key| Name::from(&key.name))
            .ok_or_else(|| DnsSetupError::NoSoa { path: path.to_owned() })?;
        let existing = existing_names(&origin, rrsets.keys());
        let label = format!("zone file {}", crate::fsio::shown(path));
        Ok(Self { origin, rrsets, existing, label })
    }

    fn answer(&self, name: &str, kind: RecordKind) -> Answer {
        let mut answer = Answer::now(name, kind, LookupState::NoData, self.label.clone());
        let Some(qname) = name_from_text(name) else {
            answer.state = LookupState::Error("not a DNS name".to_owned());
            return answer;
        };
        if !self.origin.zone_of(&qname) {
            answer.state = LookupState::OutsideZone;
            return answer;
        }
        answer.state = self.resolve(qname, record_type(kind), &mut answer.cname_chain);
        answer
    }

    /// Follows CNAMEs inside the zone; a target outside it is a name this source cannot
    /// speak for.
    fn resolve(&self, mut qname: Name, wanted: RecordType, chain: &mut Vec<String>) -> LookupState {
        for _ in 0..MAX_CNAME_HOPS {
            let Some(owner) = self.owner_for(&qname) else { return LookupState::NxDomain };
            if let Some(set) = self.rrset(&owner, wanted) {
                let records = set.records_without_rrsigs().map(|r| rdata(&r.data)).collect();
                return LookupState::Found { records, ttl: set.ttl() };
            }
            let target = self.rrset(&owner, RecordType::CNAME).and_then(|set| {
                set.records_without_rrsigs().find_map(|r| match &r.data {
                    RData::CNAME(c) => Some(c.0.clone()),
                    _ => None,
                })
            });
            let Some(target) = target else { return LookupState::NoData };
            chain.push(name_text(&target));
            if !self.origin.zone_of(&target) {
                return LookupState::OutsideZone;
            }
            qname = target;
        }
        LookupState::ServerError("SERVFAIL".to_owned())
    }

    /// The name whose records answer for `qname`: itself when it exists, else the wildcard at
    /// its closest encloser (RFC 4592 §3.3.1), else none (NXDOMAIN).
    fn owner_for(&self, qname: &Name) -> Option<LowerName> {
        let lower = LowerName::from(qname);
        if self.existing.contains(&lower) {
            return Some(lower);
        }
        let mut encloser = qname.base_name();
        while self.origin.zone_of(&encloser) && !self.existing.contains(&LowerName::from(&encloser))
        {
            encloser = encloser.base_name();
        }
        let wildcard = LowerName::from(encloser.prepend_label("*").ok()?);
        self.existing.contains(&wildcard).then_some(wildcard)
    }

    fn rrset(&self, name: &LowerName, record_type: RecordType) -> Option<&RecordSet> {
        self.rrsets.get(&RrKey { name: name.clone(), record_type }).filter(|s| !s.is_empty())
    }
}

impl DnsSource for ZoneFileSource {
    fn lookup<'a>(&'a self, name: &'a str, kind: RecordKind) -> BoxFuture<'a, Answer> {
        futures::future::ready(self.answer(name, kind)).boxed()
    }

    fn describe(&self) -> String {
        self.label.clone()
    }
}

fn existing_names<'k>(origin: &Name, keys: impl Iterator<Item = &'k RrKey>) -> HashSet<LowerName> {
    let mut existing = HashSet::new();
    for key in keys {
        let mut name = Name::from(&key.name);
        while origin.zone_of(&name) && existing.insert(LowerName::from(&name)) {
            name = name.base_name();
        }
    }
    existing
}
