//! Publishing a step by RFC 2136 dynamic update, as data: the update that swaps the `_dmarc`
//! record the decision was made on for the step (compare and swap), the outcomes a server can
//! answer with, and whether each authoritative server serves the step yet. Pure: the DNS edge
//! (`crate::dns::update`, `crate::dns::servers`) sends, reads and polls.

mod wait;

use std::fmt::Write as _;
use std::net::SocketAddr;

use crate::export::txt_rdata;
use crate::name::DnsName;
use crate::record::render::split_character_strings;
use crate::rollout::NextStep;
use crate::text::escape;

pub use wait::{NameServer, Progress, Serving, serving};

/// One TXT record as the server holds it: its character-strings, boundaries kept (a
/// prerequisite compares them byte for byte).
pub type TxtStrings = Vec<Vec<u8>>;

/// The TXT record set at the owner name as the server to update answered for it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerRecords {
    pub txt: Vec<TxtStrings>,
    /// The owner is a CNAME to this name (the record is published there).
    pub cname: Option<String>,
}

/// What must hold at the server for the update to apply (RFC 2136 §2.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prerequisite {
    /// No TXT record at the owner (§2.4.3, "`RRset` does not exist").
    Absent,
    /// Exactly these TXT records (§2.4.2, "`RRset` exists, value dependent").
    Exactly(Vec<TxtStrings>),
}

/// The update to send: in one message, the prerequisite, the removals and the addition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// The zone (its apex), without the trailing dot.
    pub zone: String,
    pub owner: String,
    pub prerequisite: Prerequisite,
    /// The DMARC records removed; other TXT records at the owner stay.
    pub delete: Vec<TxtStrings>,
    pub add: TxtStrings,
    pub ttl: u32,
}

/// What to do about a step, given what the server holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Send(Update),
    /// The server holds exactly the step already: nothing to send.
    AlreadyLive,
    /// The owner is a CNAME: the record lives at `target`, not in this zone.
    Delegated {
        target: String,
    },
    /// The server's DMARC records are not the ones the decision was made on.
    Changed {
        decided_on: Vec<String>,
        server: Vec<String>,
    },
}

/// The update that replaces exactly the DMARC records the decision saw with the step, or why
/// there is none. `decided_on` are the DMARC records the decision read (joined texts).
pub fn plan(step: &NextStep, decided_on: &[String], zone: &str, server: &ServerRecords) -> Plan {
    if let Some(target) = &server.cname {
        return Plan::Delegated { target: target.clone() };
    }
    let dmarc: Vec<&TxtStrings> = server.txt.iter().filter(|r| is_dmarc(r)).collect();
    let server_texts: Vec<String> = dmarc.iter().map(|r| joined(r)).collect();
    if !same_records(decided_on, &server_texts) {
        return Plan::Changed { decided_on: decided_on.to_vec(), server: server_texts };
    }
    if let [only] = server_texts.as_slice()
        && *only == step.value
    {
        return Plan::AlreadyLive;
    }
    let prerequisite = if server.txt.is_empty() {
        Prerequisite::Absent
    } else {
        Prerequisite::Exactly(server.txt.clone())
    };
    Plan::Send(Update {
        zone: DnsName::lenient(zone).into(),
        owner: DnsName::lenient(&step.host).into(),
        prerequisite,
        delete: dmarc.into_iter().cloned().collect(),
        add: split_character_strings(&step.value)
            .into_iter()
            .map(|s| s.as_bytes().to_vec())
            .collect(),
        ttl: step.ttl,
    })
}

/// The update in `nsupdate` syntax (what `--dry-run` shows): zone, prerequisite, removals,
/// addition. Every byte outside printable ASCII is written `\DDD`.
pub fn update_text(update: &Update) -> String {
    let owner = format!("{}.", update.owner);
    let mut out = format!("zone {}.\n", update.zone);
    match &update.prerequisite {
        Prerequisite::Absent => {
            let _ = writeln!(out, "prereq nxrrset {owner} TXT");
        }
        Prerequisite::Exactly(records) => {
            for r in records {
                let _ = writeln!(out, "prereq yxrrset {owner} TXT {}", txt_rdata(r));
            }
        }
    }
    for r in &update.delete {
        let _ = writeln!(out, "update delete {owner} TXT {}", txt_rdata(r));
    }
    let _ = writeln!(out, "update add {owner} {} TXT {}", update.ttl, txt_rdata(&update.add));
    out.push_str("send\n");
    out
}

/// How the server answered the update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// NOERROR, signed with the key: the update is in the zone.
    Accepted,
    /// YXRRSET or NXRRSET: the record is no longer what was read; nothing was written.
    Changed { rcode: String },
    /// NOTAUTH without a TSIG error: the server is not authoritative for the zone.
    NotAuthoritative,
    /// REFUSED, or another error code (SERVFAIL, NOTZONE, FORMERR…); nothing was written.
    Refused { rcode: String },
    /// The server rejected the signature; nothing was written.
    Tsig(TsigRejection),
    /// No trustworthy answer: whether the update was written is unknown.
    NoAnswer(NoAnswer),
}

/// The TSIG errors of RFC 8945 §5.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsigRejection {
    /// The server does not know the key name or its algorithm.
    BadKey,
    /// The MAC does not verify: the secret differs.
    BadSig,
    /// The signing time is outside the server's fudge window; the server's clock minus ours,
    /// in seconds, when it said.
    BadTime {
        skew: Option<i64>,
    },
    Other(u16),
}

/// Why there was no trustworthy answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoAnswer {
    /// No connection could be made: nothing was sent.
    Unreachable(String),
    /// The connection went silent after the update was sent.
    Timeout,
    /// The connection broke after the update was sent.
    Lost(String),
    /// An answer came that is not signed with the key (or does not verify).
    Unverified(String),
}

impl Outcome {
    /// One line saying what happened and what was (not) written.
    pub fn describe(&self, server: SocketAddr, owner: &str) -> String {
        match self {
            Self::Accepted => format!("{server} accepted the update of {owner}"),
            Self::Changed { rcode } => format!(
                "{owner} changed since it was read ({server} answered {rcode} to the \
                 prerequisite); nothing was written. Run the command again to decide on what is \
                 there now"
            ),
            Self::NotAuthoritative => format!(
                "{server} is not authoritative for the zone of {owner} (NOTAUTH); nothing was \
                 written. Give the zone's primary server with --server"
            ),
            Self::Refused { rcode } => format!(
                "{server} refused the update ({rcode}); nothing was written. Check that the \
                 key may update {owner} on that server"
            ),
            Self::Tsig(rejection) => {
                format!(
                    "{server} rejected the TSIG signature: {}; nothing was written",
                    rejection.describe()
                )
            }
            Self::NoAnswer(NoAnswer::Unreachable(why)) => {
                format!("could not reach {server} ({}); nothing was sent", escape(why))
            }
            Self::NoAnswer(NoAnswer::Timeout) => format!(
                "{server} did not answer the update in time: whether {owner} changed is unknown; \
                 check with `status --authoritative` before running it again"
            ),
            Self::NoAnswer(NoAnswer::Lost(why)) => format!(
                "the connection to {server} broke after the update was sent ({}): whether \
                 {owner} changed is unknown; check with `status --authoritative`",
                escape(why)
            ),
            Self::NoAnswer(NoAnswer::Unverified(why)) => format!(
                "the answer from {server} is not signed with the key ({}): whether {owner} \
                 changed is unknown; check with `status --authoritative`",
                escape(why)
            ),
        }
    }
}

impl TsigRejection {
    pub fn describe(self) -> String {
        match self {
            Self::BadKey => "BADKEY, the server does not know this key (name and algorithm), or does not let it update this zone".to_owned(),
            Self::BadSig => "BADSIG, the secret does not match the server's".to_owned(),
            Self::BadTime { skew: Some(skew) } => format!(
                "BADTIME, the clocks differ by {} s (the server is {}); fix the clock",
                skew.unsigned_abs(),
                if skew >= 0 { "ahead" } else { "behind" }
            ),
            Self::BadTime { skew: None } => {
                "BADTIME, the clocks differ by more than the allowed fudge; fix the clock".to_owned()
            }
            Self::Other(code) => format!("TSIG error {code}"),
        }
    }
}

/// A TXT record is a DMARC record when its text starts with `v=DMARC1` (RFC 7489 §6.6.3), as
/// the lookups classify it.
fn is_dmarc(record: &TxtStrings) -> bool {
    crate::record::is_dmarc(&joined(record))
}

fn joined(record: &TxtStrings) -> String {
    String::from_utf8_lossy(&record.concat()).into_owned()
}

/// The same records in any order.
fn same_records(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(value: &str) -> NextStep {
        NextStep {
            domain: "example.test".into(),
            host: "_dmarc.example.test".into(),
            phase: 2,
            phase_name: "quarantine".into(),
            value: value.into(),
            zone: String::new(),
            ttl: 300,
            complete: false,
        }
    }

    fn record(strings: &[&str]) -> TxtStrings {
        strings.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    const NONE: &str = "v=DMARC1; p=none";
    const QUARANTINE: &str = "v=DMARC1; p=quarantine";

    #[test]
    fn the_update_swaps_exactly_what_the_server_holds_as_read() {
        let server = ServerRecords {
            txt: vec![record(&["v=DMARC1; ", "p=none"]), record(&["other"])],
            cname: None,
        };
        let Plan::Send(update) = plan(&step(QUARANTINE), &[NONE.into()], "example.test.", &server)
        else {
            panic!("sends");
        };
        assert_eq!(update.prerequisite, Prerequisite::Exactly(server.txt.clone()));
        assert_eq!(update.delete, vec![record(&["v=DMARC1; ", "p=none"])], "the other TXT stays");
        assert_eq!(
            update_text(&update),
            "zone example.test.\n\
             prereq yxrrset _dmarc.example.test. TXT \"v=DMARC1; \" \"p=none\"\n\
             prereq yxrrset _dmarc.example.test. TXT \"other\"\n\
             update delete _dmarc.example.test. TXT \"v=DMARC1; \" \"p=none\"\n\
             update add _dmarc.example.test. 300 TXT \"v=DMARC1; p=quarantine\"\n\
             send\n"
        );
    }

    #[test]
    fn nothing_at_the_owner_is_required_to_stay_absent() {
        let Plan::Send(update) = plan(&step(NONE), &[], "example.test", &ServerRecords::default())
        else {
            panic!("sends");
        };
        assert_eq!(update.prerequisite, Prerequisite::Absent);
        assert!(update.delete.is_empty());
    }

    #[test]
    fn a_server_that_holds_something_else_than_what_was_decided_on_gets_nothing() {
        let server = ServerRecords { txt: vec![record(&[QUARANTINE])], cname: None };
        assert_eq!(
            plan(&step(QUARANTINE), &[NONE.into()], "example.test", &server),
            Plan::Changed { decided_on: vec![NONE.into()], server: vec![QUARANTINE.into()] }
        );
        let cname = ServerRecords { txt: Vec::new(), cname: Some("_dmarc.vendor.test".into()) };
        assert!(matches!(
            plan(&step(QUARANTINE), &[], "example.test", &cname),
            Plan::Delegated { .. }
        ));
    }

    #[test]
    fn a_bad_time_names_the_skew_and_which_clock_is_ahead() {
        let text = TsigRejection::BadTime { skew: Some(-3600) }.describe();
        assert!(text.contains("3600 s (the server is behind)"), "{text}");
    }
}
