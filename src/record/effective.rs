//! What a receiver actually applies for a record, for the two generations in the field: RFC
//! 7489 receivers (honour `pct`, ignore `t`/`np`/`psd`) and RFC 9989 receivers (ignore `pct`,
//! honour `t` and `np`). Pure.

use serde::Serialize;

use super::dmarc::{DmarcRecord, Policy, Tag};
use super::parse::Parsed;
use super::report_uri::is_valid_mailto;

/// A generation of DMARC receivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Receiver {
    /// RFC 7489 (2015): `pct` sampling, PSL organizational domain.
    Rfc7489,
    /// RFC 9989 (2026, "DMARCbis"): no `pct`, `t` test mode, `np`, tree walk.
    Rfc9989,
}

impl Receiver {
    pub const ALL: [Receiver; 2] = [Receiver::Rfc7489, Receiver::Rfc9989];
}

/// The disposition a receiver applies to mail that fails DMARC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Effective {
    /// False when the receiver applies no DMARC at all.
    pub applies: bool,
    pub p: Option<Policy>,
    pub sp: Option<Policy>,
    /// `None` for RFC 7489 receivers, which do not know `np`.
    pub np: Option<Policy>,
    /// Share (0–100) of failing mail the requested policy is applied to.
    pub pct: u8,
    /// What the other `100 - pct` share gets (RFC 7489 §6.6.4): quarantine under reject, none
    /// under quarantine. `None` when `pct` is 100.
    pub rest: Option<Policy>,
    /// Why DMARC does not apply, or the fallback or adjustment that was used.
    pub reason: Option<String>,
}

impl Effective {
    /// A short human summary, e.g. "quarantine 50%, rest none" or "no DMARC".
    pub fn summary(&self) -> String {
        let Some(p) = self.p.filter(|_| self.applies) else {
            return match &self.reason {
                Some(reason) => format!("no DMARC ({reason})"),
                None => "no DMARC".to_owned(),
            };
        };
        match self.rest {
            _ if p == Policy::None => "none".to_owned(),
            Some(rest) if self.pct < 100 => format!("{p} {}%, rest {rest}", self.pct),
            _ => format!("{p} 100%"),
        }
    }

    fn none_applied(reason: impl Into<String>) -> Self {
        Self {
            applies: false,
            p: None,
            sp: None,
            np: None,
            pct: 100,
            rest: None,
            reason: Some(reason.into()),
        }
    }

    /// RFC 7489 §6.6.3 step 6: "act as if a record containing … p=none was retrieved".
    fn fallback_none(receiver: Receiver, reason: String) -> Self {
        let np = (receiver == Receiver::Rfc9989).then_some(Policy::None);
        Self {
            applies: true,
            p: Some(Policy::None),
            sp: Some(Policy::None),
            np,
            pct: 100,
            rest: None,
            reason: Some(reason),
        }
    }
}

/// The effective policy of a well-formed record, such as one built from a plan.
pub fn effective(record: &DmarcRecord, receiver: Receiver) -> Effective {
    match receiver {
        Receiver::Rfc7489 => rfc7489(record),
        Receiver::Rfc9989 => rfc9989(record),
    }
}

fn has_report_address(record: &DmarcRecord) -> bool {
    record.rua.iter().any(|u| is_valid_mailto(u))
}

fn rfc7489(record: &DmarcRecord) -> Effective {
    let Some(p) = record.p else {
        return if has_report_address(record) {
            Effective::fallback_none(
                Receiver::Rfc7489,
                "no p: read as p=none because rua has a valid address".to_owned(),
            )
        } else {
            Effective::none_applied("no p and no valid rua address: no DMARC is applied")
        };
    };
    let pct = record.pct.unwrap_or(100);
    let rest = (pct < 100).then(|| p.one_below());
    let reason = rest.map(|r| format!("pct={pct}: the other {}% get {r}", 100 - pct));
    Effective {
        applies: true,
        p: Some(p),
        sp: Some(record.sp.unwrap_or(p)),
        np: None,
        pct,
        rest,
        reason,
    }
}

fn rfc9989(record: &DmarcRecord) -> Effective {
    let p = record.p.unwrap_or(Policy::None);
    let sp = record.sp.unwrap_or(p);
    let np = record.np.unwrap_or(sp);
    let mut reason = record.p.is_none().then(|| "no p: read as p=none".to_owned());
    let testing = record.t == Some(true);
    let step = |x: Policy| if testing { x.one_below() } else { x };
    if testing && [p, sp, np].iter().any(|&x| x != Policy::None) {
        reason = Some("t=y: each policy applied one level below".to_owned());
    }
    Effective {
        applies: true,
        p: Some(step(p)),
        sp: Some(step(sp)),
        np: Some(step(np)),
        pct: 100,
        rest: None,
        reason,
    }
}

/// The effective policy of parsed text, including the cases a plan never produces: discarded
/// records and invalid `p`/`sp`/`np` values (RFC 7489 §6.6.3 step 6, RFC 9989 §4.10.1).
pub(crate) fn of_parsed(parsed: &Parsed, receiver: Receiver) -> Effective {
    let Some(record) = &parsed.record else {
        return Effective::none_applied(discard_reason(parsed));
    };
    let mut broken: Vec<Tag> = vec![Tag::P, Tag::Sp];
    if receiver == Receiver::Rfc9989 {
        broken.push(Tag::Np);
    }
    broken.retain(|&t| parsed.is_invalid(t));
    let Some(first) = broken.first() else { return effective(record, receiver) };
    if has_report_address(record) {
        Effective::fallback_none(
            receiver,
            format!("invalid {first}: read as p=none because rua has a valid address"),
        )
    } else {
        Effective::none_applied(format!(
            "invalid {first} and no valid rua address: no DMARC is applied"
        ))
    }
}

fn discard_reason(parsed: &Parsed) -> String {
    let first_error = parsed.findings.iter().find(|f| {
        matches!(
            f.id,
            "dmarc.not_dmarc" | "dmarc.leading_whitespace" | "dmarc.quoted" | "dmarc.duplicate_tag"
        )
    });
    match first_error {
        Some(f) => format!("record discarded: {}", f.message),
        None => "record discarded".to_owned(),
    }
}
