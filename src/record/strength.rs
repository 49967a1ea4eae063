//! How hard a published record bites, per receiver generation, and in which ways one record is
//! weaker than another. Meaning, not text: tag order, explicit defaults and tags with no effect
//! (`pct` under `p=none` for RFC 7489 receivers, `pct` for RFC 9989 receivers, `rf`, `ri`)
//! compare equal. Pure.

use std::cmp::Ordering;

use serde::Serialize;

use crate::record::{Alignment, DmarcRecord, Effective, Policy, Receiver, effective, parse};

/// The share of failing mail (percent) that is rejected, and the share that is at least
/// quarantined: a `p=reject; pct=50` record at an RFC 7489 receiver rejects 50 and quarantines
/// the rest (RFC 7489 §6.6.4), so it bites `{reject: 50, enforce: 100}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bite {
    pub reject: u8,
    pub enforce: u8,
}

impl Bite {
    fn of(policy: Option<Policy>, pct: u8) -> Self {
        match policy {
            None | Some(Policy::None) => Self::default(),
            Some(Policy::Quarantine) => Self { reject: 0, enforce: pct },
            Some(Policy::Reject) => Self { reject: pct, enforce: 100 },
        }
    }

    /// `None` when the two cannot be ordered (one rejects more, the other enforces more).
    fn compare(self, other: Self) -> Option<Ordering> {
        match (self.reject.cmp(&other.reject), self.enforce.cmp(&other.enforce)) {
            (a, b) if a == b => Some(a),
            (Ordering::Equal, b) => Some(b),
            (a, Ordering::Equal) => Some(a),
            _ => None,
        }
    }

    /// `reject`, `quarantine 50%`, `reject 50%, rest quarantine`, `none`.
    pub fn describe(self) -> String {
        match (self.reject, self.enforce) {
            (0, 0) => "none".to_owned(),
            (0, 100) => "quarantine".to_owned(),
            (0, share) => format!("quarantine {share}%"),
            (100, _) => "reject".to_owned(),
            (share, _) => format!("reject {share}%, rest quarantine"),
        }
    }
}

/// One receiver generation's reading of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Reading {
    p: Bite,
    sp: Bite,
    /// Only RFC 9989 receivers know `np`; RFC 7489 readings keep it equal to `sp`.
    np: Bite,
}

impl Reading {
    fn of(effective: &Effective) -> Self {
        if !effective.applies {
            return Self::default();
        }
        let bite = |p| Bite::of(p, effective.pct);
        Self {
            p: bite(effective.p),
            sp: bite(effective.sp),
            np: bite(effective.np.or(effective.sp)),
        }
    }

    /// What this reading means for a subdomain that inherits it: the parent's `sp` is its `p`.
    fn inherited(self) -> Self {
        Self { p: self.sp, ..self }
    }
}

/// Everything about a record that decides what happens to failing mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Strength {
    rfc7489: Reading,
    rfc9989: Reading,
    adkim: Alignment,
    aspf: Alignment,
}

impl Strength {
    /// No DMARC applies at all.
    pub fn nothing() -> Self {
        Self {
            rfc7489: Reading::default(),
            rfc9989: Reading::default(),
            adkim: Alignment::Relaxed,
            aspf: Alignment::Relaxed,
        }
    }

    /// A well-formed record, such as a phase of the plan.
    pub fn of(record: &DmarcRecord) -> Self {
        Self {
            rfc7489: Reading::of(&effective(record, Receiver::Rfc7489)),
            rfc9989: Reading::of(&effective(record, Receiver::Rfc9989)),
            adkim: record.adkim.unwrap_or(Alignment::Relaxed),
            aspf: record.aspf.unwrap_or(Alignment::Relaxed),
        }
    }

    /// Published text as receivers read it, a discarded or broken record included.
    pub fn of_text(text: &str) -> Self {
        let parsed = parse(text);
        let alignment = |a: Option<Alignment>| a.unwrap_or(Alignment::Relaxed);
        let record = parsed.record.clone().unwrap_or_default();
        Self {
            rfc7489: Reading::of(&parsed.effective(Receiver::Rfc7489)),
            rfc9989: Reading::of(&parsed.effective(Receiver::Rfc9989)),
            adkim: alignment(record.adkim),
            aspf: alignment(record.aspf),
        }
    }

    /// What a domain without a record of its own gets from the records its parents publish
    /// (each generation finds its own: the PSL for RFC 7489, the tree walk for RFC 9989).
    pub fn inherited(rfc7489: Option<&str>, rfc9989: Option<&str>) -> Self {
        let reading = |text: Option<&str>, receiver| {
            text.map(|t| Reading::of(&parse(t).effective(receiver)).inherited()).unwrap_or_default()
        };
        let alignment = rfc9989.or(rfc7489).map_or_else(Self::nothing, Self::of_text);
        Self {
            rfc7489: reading(rfc7489, Receiver::Rfc7489),
            rfc9989: reading(rfc9989, Receiver::Rfc9989),
            ..alignment
        }
    }

    /// Every way `to` protects less than `self`, in words. Empty when `to` is at least as strict
    /// everywhere.
    pub fn weakenings(&self, to: &Self) -> Vec<Change> {
        let mut changes = Vec::new();
        for (tag, of) in POLICY_TAGS {
            let (a9, b9) = (of(&self.rfc9989), of(&to.rfc9989));
            // Only RFC 9989 receivers know np: its change is theirs, named without a generation.
            let (a7, b7) =
                if tag == "np" { (a9, b9) } else { (of(&self.rfc7489), of(&to.rfc7489)) };
            let weaker = |a: Bite, b: Bite| a.compare(b) != Some(Ordering::Less) && a != b;
            let receivers = match (weaker(a7, b7), weaker(a9, b9)) {
                (false, false) => continue,
                (true, true) if (a7, b7) == (a9, b9) => None,
                (true, _) => Some(Receiver::Rfc7489),
                (false, true) => Some(Receiver::Rfc9989),
            };
            let (from, to) = if receivers == Some(Receiver::Rfc9989) { (a9, b9) } else { (a7, b7) };
            changes.push(Change::new(tag, receivers, from.describe(), to.describe()));
            // Both generations weaken, each differently: name the second one too.
            if receivers == Some(Receiver::Rfc7489) && weaker(a9, b9) {
                let (from, to) = (a9.describe(), b9.describe());
                changes.push(Change::new(tag, Some(Receiver::Rfc9989), from, to));
            }
        }
        for (tag, a, b) in [("adkim", self.adkim, to.adkim), ("aspf", self.aspf, to.aspf)] {
            if a == Alignment::Strict && b == Alignment::Relaxed {
                changes.push(Change::new(tag, None, "strict".into(), "relaxed".into()));
            }
        }
        changes
    }

    /// True when `self` is stricter than `other` somewhere (it may be weaker elsewhere).
    pub fn exceeds(&self, other: &Self) -> bool {
        !self.weakenings(other).is_empty()
    }

    /// True when `self` is at least as strict as `other` everywhere.
    pub fn covers(&self, other: &Self) -> bool {
        other.weakenings(self).is_empty()
    }

    /// True when some policy is above `none` for some receiver generation.
    pub fn enforces(&self) -> bool {
        [self.rfc7489, self.rfc9989].iter().any(|r| [r.p, r.sp, r.np].iter().any(|b| b.enforce > 0))
    }
}

type Of = fn(&Reading) -> Bite;

const POLICY_TAGS: [(&str, Of); 3] = [("p", |r| r.p), ("sp", |r| r.sp), ("np", |r| r.np)];

/// One way a record differs in strength from another: `p: reject → none`, or, when only one
/// generation of receivers sees it, `p for RFC 7489 receivers: quarantine → quarantine 50%`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub tag: &'static str,
    /// `None` when both generations see the same change.
    pub receivers: Option<Receiver>,
    pub from: String,
    pub to: String,
}

impl Change {
    fn new(tag: &'static str, receivers: Option<Receiver>, from: String, to: String) -> Self {
        Self { tag, receivers, from, to }
    }

    pub fn describe(&self) -> String {
        let whose = match self.receivers {
            None => String::new(),
            Some(Receiver::Rfc7489) => " for RFC 7489 receivers".to_owned(),
            Some(Receiver::Rfc9989) => " for RFC 9989 receivers".to_owned(),
        };
        format!("{}{whose}: {} → {}", self.tag, self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strength(text: &str) -> Strength {
        Strength::of_text(text)
    }

    fn words(from: &str, to: &str) -> Vec<String> {
        strength(from).weakenings(&strength(to)).iter().map(Change::describe).collect()
    }

    #[test]
    fn pct_under_none_and_tags_without_effect_do_not_count() {
        let a = strength("v=DMARC1; p=none; pct=50; rf=afrf; ri=86400; fo=0");
        let b = strength("v=DMARC1; p=none; rua=mailto:d@example.com");
        assert_eq!(a, b);
    }

    #[test]
    fn each_weakening_is_named_in_words() {
        assert_eq!(
            words("v=DMARC1; p=reject", "v=DMARC1; p=none"),
            ["p: reject → none", "sp: reject → none", "np: reject → none"]
        );
        assert_eq!(
            words("v=DMARC1; p=quarantine", "v=DMARC1; p=quarantine; pct=50"),
            [
                "p for RFC 7489 receivers: quarantine → quarantine 50%",
                "sp for RFC 7489 receivers: quarantine → quarantine 50%",
            ]
        );
        assert_eq!(
            words("v=DMARC1; p=quarantine", "v=DMARC1; p=quarantine; t=y"),
            [
                "p for RFC 9989 receivers: quarantine → none",
                "sp for RFC 9989 receivers: quarantine → none",
                "np: quarantine → none",
            ]
        );
        assert_eq!(
            words("v=DMARC1; p=none; aspf=s", "v=DMARC1; p=none"),
            ["aspf: strict → relaxed"]
        );
    }

    #[test]
    fn a_stricter_record_exceeds_and_covers_a_weaker_one() {
        let (none, quarantine) = (strength("v=DMARC1; p=none"), strength("v=DMARC1; p=quarantine"));
        assert!(quarantine.exceeds(&none) && quarantine.covers(&none));
        assert!(!none.exceeds(&quarantine) && !none.covers(&quarantine));
        let (strict, reject) =
            (strength("v=DMARC1; p=none; aspf=s"), strength("v=DMARC1; p=reject"));
        assert!(strict.exceeds(&reject) && reject.exceeds(&strict), "neither covers the other");
        assert!(!strict.covers(&reject) && !reject.covers(&strict));
    }

    #[test]
    fn stricter_steps_weaken_nothing() {
        assert!(words("v=DMARC1; p=none", "v=DMARC1; p=quarantine; pct=50").is_empty());
        assert!(words("v=DMARC1; p=quarantine", "v=DMARC1; p=reject; pct=50").is_empty());
    }

    #[test]
    fn a_parent_sp_is_what_a_subdomain_inherits() {
        let inherited = Strength::inherited(
            Some("v=DMARC1; p=reject; sp=quarantine"),
            Some("v=DMARC1; p=reject; sp=quarantine"),
        );
        assert_eq!(inherited, strength("v=DMARC1; p=quarantine"));
        assert_eq!(Strength::inherited(None, None), Strength::nothing());
    }
}
