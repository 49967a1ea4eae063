//! RFC 2136 dynamic updates signed with TSIG (RFC 8945), and the plain queries `apply` reads
//! the zone and the record with, over TCP to the one server being updated. hickory builds,
//! signs, parses and verifies the messages; this module frames them (RFC 1035 §4.2.2) and
//! classifies the answer. Not pure: network; the signing time is a parameter.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::op::{Message, OpCode, Query, ResponseCode, UpdateMessage};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::rdata::tsig::{TsigAlgorithm as HickoryAlgorithm, TsigError};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType, TSigVerifier, TSigner};
use tokio::time::Instant;

use super::resolver::rcode_text;
use super::tsig::{TsigAlgorithm, TsigKey};
use super::wire::{self, Failure};
use crate::name::DnsName;
use crate::publish::{
    NoAnswer, Outcome, Prerequisite, ServerRecords, TsigRejection, TxtStrings, Update,
};

/// How far the signing time may be from the server's clock (RFC 8945 §10 recommends 300 s).
const FUDGE: u16 = 300;

/// The server an update goes to, asked over TCP, each exchange bounded by `timeout`.
#[derive(Debug, Clone, Copy)]
pub struct UpdateServer {
    pub addr: SocketAddr,
    pub timeout: Duration,
}

/// Why reading from the server failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("{0} did not answer in time")]
    Timeout(SocketAddr),
    #[error("cannot reach {0}: {1}")]
    Unreachable(SocketAddr, String),
    #[error("{server} is not authoritative for {name} (it answered {answer})")]
    NotAuthoritative { server: SocketAddr, name: String, answer: String },
    #[error("{server} answered {rcode} for {name}")]
    Rcode { server: SocketAddr, name: String, rcode: String },
    #[error("{0} sent an answer that cannot be read: {1}")]
    Malformed(SocketAddr, String),
}

impl UpdateServer {
    /// The zone holding `name`: the owner of the SOA the server answers with (the answer when
    /// `name` is an apex, else the authority section).
    pub async fn zone_of(&self, name: &str) -> Result<String, ReadError> {
        let response = self.query(name, RecordType::SOA).await?;
        response
            .answers
            .iter()
            .chain(&response.authorities)
            .find(|r| r.record_type() == RecordType::SOA)
            .map(|r| String::from(DnsName::lenient(&r.name.to_ascii())))
            .ok_or_else(|| ReadError::NotAuthoritative {
                server: self.addr,
                name: name.to_owned(),
                answer: "no SOA".to_owned(),
            })
    }

    /// The TXT records at `name` as the server holds them, or the CNAME there.
    pub async fn records(&self, name: &str) -> Result<ServerRecords, ReadError> {
        let response = self.query(name, RecordType::TXT).await?;
        let owner = fqdn(name).map_err(|e| ReadError::Malformed(self.addr, e))?;
        let mut records = ServerRecords::default();
        for record in response.answers.iter().filter(|r| r.name == owner) {
            match &record.data {
                RData::TXT(txt) => {
                    records.txt.push(txt.txt_data.iter().map(|s| s.to_vec()).collect());
                }
                RData::CNAME(target) => {
                    records.cname = Some(DnsName::lenient(&target.0.to_ascii()).into());
                }
                _ => {}
            }
        }
        Ok(records)
    }

    /// Sends the update signed with `key` at `signed_at` (seconds since the epoch) and says
    /// how the server answered.
    pub async fn send(&self, update: &Update, key: &TsigKey, signed_at: u64) -> Outcome {
        let (bytes, id, verifier) = match signed_update(update, key, signed_at) {
            Ok(built) => built,
            Err(e) => {
                return Outcome::NoAnswer(NoAnswer::Unreachable(format!(
                    "the update cannot be built: {e}"
                )));
            }
        };
        let answer = match self.exchange(&bytes).await {
            Ok(answer) => answer,
            Err(Failure::Unreachable(why)) => {
                return Outcome::NoAnswer(NoAnswer::Unreachable(why));
            }
            Err(Failure::Timeout) => return Outcome::NoAnswer(NoAnswer::Timeout),
            Err(Failure::Lost(why)) => return Outcome::NoAnswer(NoAnswer::Lost(why)),
        };
        classify(&answer, id, verifier, signed_at)
    }

    async fn query(&self, name: &str, kind: RecordType) -> Result<Message, ReadError> {
        let mut message = Message::query();
        message.metadata.recursion_desired = false;
        let qname = fqdn(name).map_err(|e| ReadError::Malformed(self.addr, e))?;
        message.add_query(Query::query(qname, kind));
        let bytes = message.to_vec().map_err(|e| ReadError::Malformed(self.addr, e.to_string()))?;
        let answer = self.exchange(&bytes).await.map_err(|e| match e {
            Failure::Timeout => ReadError::Timeout(self.addr),
            Failure::Unreachable(why) | Failure::Lost(why) => {
                ReadError::Unreachable(self.addr, why)
            }
        })?;
        let response = Message::from_vec(&answer)
            .map_err(|e| ReadError::Malformed(self.addr, e.to_string()))?;
        if response.metadata.id != message.metadata.id {
            return Err(ReadError::Malformed(
                self.addr,
                "the answer is to another question".to_owned(),
            ));
        }
        let rcode = response.metadata.response_code;
        if !response.metadata.authoritative
            || matches!(rcode, ResponseCode::Refused | ResponseCode::NotAuth)
        {
            let answer = if rcode == ResponseCode::NoError {
                "without authority".to_owned()
            } else {
                rcode_text(rcode)
            };
            return Err(ReadError::NotAuthoritative {
                server: self.addr,
                name: name.to_owned(),
                answer,
            });
        }
        if !matches!(rcode, ResponseCode::NoError | ResponseCode::NXDomain) {
            return Err(ReadError::Rcode {
                server: self.addr,
                name: name.to_owned(),
                rcode: rcode_text(rcode),
            });
        }
        Ok(response)
    }

    /// One message out, one in, over TCP, within the timeout.
    async fn exchange(&self, message: &[u8]) -> Result<Vec<u8>, Failure> {
        wire::tcp(self.addr, message, Instant::now() + self.timeout).await
    }
}

/// The update as signed bytes, its message ID, and the verifier for the answer's signature.
fn signed_update(
    update: &Update,
    key: &TsigKey,
    signed_at: u64,
) -> Result<(Vec<u8>, u16, Option<TSigVerifier>), String> {
    let owner = fqdn(&update.owner)?;
    let mut message = Message::query();
    message.metadata.op_code = OpCode::Update;
    message.metadata.recursion_desired = false;
    let mut zone = Query::query(fqdn(&update.zone)?, RecordType::SOA);
    zone.set_query_class(DNSClass::IN);
    message.add_zone(zone);
    match &update.prerequisite {
        Prerequisite::Absent => {
            let mut absent = Record::update0(owner.clone(), 0, RecordType::TXT);
            absent.dns_class = DNSClass::NONE;
            message.add_pre_requisite(absent);
        }
        Prerequisite::Exactly(records) => {
            for r in records {
                message.add_pre_requisite(txt_record(&owner, 0, r, DNSClass::IN));
            }
        }
    }
    for r in &update.delete {
        message.add_update(txt_record(&owner, 0, r, DNSClass::NONE));
    }
    message.add_update(txt_record(&owner, update.ttl, &update.add, DNSClass::IN));
    let signer = signer(key)?;
    let verifier = message.finalize(&signer, signed_at).map_err(|e| e.to_string())?;
    let bytes = message.to_vec().map_err(|e| e.to_string())?;
    Ok((bytes, message.metadata.id, verifier))
}

fn txt_record(owner: &Name, ttl: u32, strings: &TxtStrings, class: DNSClass) -> Record {
    let txt = TXT::from_bytes(strings.iter().map(Vec::as_slice).collect());
    let mut record = Record::from_rdata(owner.clone(), ttl, RData::TXT(txt));
    record.dns_class = class;
    record
}

fn signer(key: &TsigKey) -> Result<TSigner, String> {
    let algorithm = match key.algorithm {
        TsigAlgorithm::HmacSha256 => HickoryAlgorithm::HmacSha256,
        TsigAlgorithm::HmacSha512 => HickoryAlgorithm::HmacSha512,
    };
    TSigner::new(key.secret.bytes().to_vec(), algorithm, fqdn(&key.name)?, FUDGE)
        .map_err(|e| e.to_string())
}

/// The outcome an answer means. A TSIG error answers come unsigned (BADKEY, BADSIG) and are
/// taken as they are: they report that nothing was written. A success must verify.
fn classify(answer: &[u8], id: u16, verifier: Option<TSigVerifier>, signed_at: u64) -> Outcome {
    let unverified = |why: &str| Outcome::NoAnswer(NoAnswer::Unverified(why.to_owned()));
    let Ok(response) = Message::from_vec(answer) else {
        return unverified("the answer cannot be read");
    };
    if response.metadata.id != id {
        return unverified("the answer is to another message");
    }
    if let Some(tsig) = response.signature() {
        match tsig.data.error {
            Some(TsigError::BadKey) => return Outcome::Tsig(TsigRejection::BadKey),
            Some(TsigError::BadSig) => return Outcome::Tsig(TsigRejection::BadSig),
            Some(TsigError::BadTime) => {
                let skew = server_time(&tsig.data.other)
                    .map(|server| server - i64::try_from(signed_at).unwrap_or(i64::MAX));
                return Outcome::Tsig(TsigRejection::BadTime { skew });
            }
            Some(other) => return Outcome::Tsig(TsigRejection::Other(other.into())),
            None => {}
        }
    }
    let rcode = response.metadata.response_code;
    let signed_by_the_key = match (response.signature(), verifier) {
        (Some(_), Some(mut check)) => check.verify(answer).is_ok(),
        _ => false,
    };
    match rcode {
        ResponseCode::NoError if signed_by_the_key => Outcome::Accepted,
        ResponseCode::NoError => {
            unverified("the success is not signed with the key, or does not verify")
        }
        ResponseCode::YXRRSet | ResponseCode::NXRRSet => {
            Outcome::Changed { rcode: rcode_text(rcode) }
        }
        ResponseCode::NotAuth => Outcome::NotAuthoritative,
        other => Outcome::Refused { rcode: rcode_text(other) },
    }
}

/// The server's clock from a BADTIME answer's Other Data: 48 bits of seconds (RFC 8945 §5.2.3).
fn server_time(other: &[u8]) -> Option<i64> {
    let bytes: [u8; 6] = other.try_into().ok()?;
    Some(bytes.iter().fold(0i64, |acc, &b| (acc << 8) | i64::from(b)))
}

fn fqdn(name: &str) -> Result<Name, String> {
    let text = format!("{}.", DnsName::lenient(name));
    Name::from_ascii(&text)
        .map_err(|e| format!("'{}' is not a DNS name: {e}", crate::text::escape(name)))
}
