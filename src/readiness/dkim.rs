//! DKIM readiness per declared selector: the CNAME chain resolves to a key, the key parses and
//! is not revoked, its size, testing mode, and the Microsoft 365 selector pair pointing where the
//! plan says (legacy `onmicrosoft.com` and new `dkim.mail.microsoft` forms). Pure.

use std::collections::BTreeMap;

use serde::Serialize;

use super::named;
use crate::answers::{DkimLookup, DkimStatus, DomainDns, LookupState};
use crate::name::DnsName;
use crate::plan::{Domain, Sender};
use crate::record::dkim::{KeyType, M365Form, classify_m365_target, parse_dkim_key};
use crate::record::finding::has_errors;
use crate::record::{Finding, Severity};

/// What one selector's lookup and key come to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyState {
    /// A usable key of a good size.
    Ok,
    /// Nothing at `<selector>._domainkey.<domain>`.
    Missing,
    /// A CNAME whose target holds no key (Microsoft's `CnameMissing` seen from the other side).
    Dangling,
    /// `p=` is empty.
    Revoked,
    /// A usable RSA key under 2048 bits.
    Weak,
    /// The key is unusable, or the lookup failed.
    Error,
    /// Not checked: the key lies outside the zone file being read.
    Unverified,
}

impl KeyState {
    /// The name scripts see: `ok missing dangling revoked weak error`, and `unverified` when an
    /// offline view (`--zone`) cannot reach the key.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Missing => "missing",
            Self::Dangling => "dangling",
            Self::Revoked => "revoked",
            Self::Unverified => "unverified",
            Self::Weak => "weak",
            Self::Error => "error",
        }
    }
}

/// One declared selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelectorReadiness {
    pub state: KeyState,
    /// RSA modulus size, or 256 for Ed25519.
    pub key_bits: Option<u32>,
    /// CNAME targets followed from the selector name.
    pub cname_chain: Vec<String>,
    /// The target the plan declares.
    pub expected_cname: Option<String>,
    /// The Microsoft 365 form of the live target, when it is one.
    pub m365: Option<M365Form>,
    /// The key TXT at the end of the chain, as published.
    pub key: Option<String>,
    /// Spans point into `key`.
    pub findings: Vec<Finding>,
}

/// The DKIM part of readiness: every selector, keyed by name (serialized inline, so scripts
/// read `dkim.<selector>.state`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DkimReadiness {
    pub ok: bool,
    /// Every selector's findings, each message starting with the selector, plus the
    /// sender-level ones.
    pub findings: Vec<Finding>,
    #[serde(flatten)]
    pub selectors: BTreeMap<String, SelectorReadiness>,
}

pub(super) fn assess(domain: &Domain, dns: &DomainDns) -> DkimReadiness {
    let mut selectors = BTreeMap::new();
    let mut findings = Vec::new();
    for sender in &domain.senders {
        findings.extend(m365_pair(sender));
        for declared in &sender.dkim {
            // A selector two senders share is judged once.
            let Some(lookup) = dns.dkim.iter().find(|l| l.selector == declared.name) else {
                continue;
            };
            if selectors.contains_key(&declared.name) {
                continue;
            }
            let judged = selector(&dns.domain, lookup, declared.cname.as_deref());
            findings.extend(judged.findings.iter().map(|f| named(&declared.name, f)));
            selectors.insert(declared.name.clone(), judged);
        }
    }
    DkimReadiness {
        ok: super::Outcome::worst(&findings) == super::Outcome::Ready,
        findings,
        selectors,
    }
}

fn selector(domain: &str, lookup: &DkimLookup, expected: Option<&str>) -> SelectorReadiness {
    let chain = lookup.key.cname_chain.clone();
    let m365 = chain.first().and_then(|t| classify_m365_target(t));
    let mut findings = Vec::new();
    let mut judged = SelectorReadiness {
        state: KeyState::Error,
        key_bits: None,
        cname_chain: chain.clone(),
        expected_cname: expected.map(|e| DnsName::lenient(e).into()),
        m365: m365.as_ref().map(|t| t.form),
        key: None,
        findings: Vec::new(),
    };
    judged.state = lookup_state(domain, lookup, &mut judged, &mut findings);
    // Without an answer there is no telling whether the selector is a CNAME; a selector that
    // does not exist already says what to publish.
    let unanswered = chain.is_empty() && lookup.key.state.is_failure();
    if !unanswered && judged.state != KeyState::Missing {
        findings.extend(target_findings(domain, &lookup.selector, &chain, expected));
    }
    if let Some(t) = m365.filter(|t| !t.is_for_domain(domain)) {
        findings.push(Finding::warning(
            "dkim.m365_other_domain",
            0..0,
            format!(
                "the Microsoft 365 target names '{}', not {domain}: it signs for another domain",
                t.domain_dashes
            ),
        ));
    }
    judged.findings = findings;
    judged
}

/// The selector's state from its lookup, with the finding that explains it.
fn lookup_state(
    domain: &str,
    lookup: &DkimLookup,
    judged: &mut SelectorReadiness,
    findings: &mut Vec<Finding>,
) -> KeyState {
    let name = format!("{}._domainkey.{domain}", lookup.selector);
    match lookup.status() {
        DkimStatus::Unknown if lookup.key.state == LookupState::OutsideZone => {
            let target = lookup.key.cname_chain.last().map_or(name.as_str(), String::as_str);
            findings.push(Finding::warning(
                "dkim.unverified",
                0..0,
                format!(
                    "{target} is outside the zone file, so the key was not checked; check it \
                     against live DNS before enforcing"
                ),
            ));
            KeyState::Unverified
        }
        DkimStatus::Unknown => {
            findings.push(Finding::error(
                "dkim.lookup_failed",
                0..0,
                format!(
                    "the lookup of {name} ended with {} (server {}): the key cannot be checked",
                    lookup.key.state.label(),
                    lookup.key.server
                ),
            ));
            KeyState::Error
        }
        DkimStatus::NoSelector => {
            findings.push(Finding::error(
                "dkim.selector_missing",
                0..0,
                format!(
                    "{name} does not exist: mail signed with this selector fails DKIM; publish it"
                ),
            ));
            KeyState::Missing
        }
        DkimStatus::KeyMissing => {
            findings.push(Finding::error(
                "dkim.dangling_cname",
                0..0,
                format!(
                    "{name} is a CNAME to {}, which holds no key: signatures fail until the \
                     provider publishes it (for Microsoft 365: enable DKIM signing)",
                    lookup.key.cname_chain.last().map_or("", String::as_str)
                ),
            ));
            KeyState::Dangling
        }
        DkimStatus::KeyFound => key_state(&lookup.key.txt(), judged, findings),
    }
}

/// Parses the key at the end of the chain and says what state it leaves the selector in.
fn key_state(
    texts: &[String],
    judged: &mut SelectorReadiness,
    findings: &mut Vec<Finding>,
) -> KeyState {
    let Some(text) = texts.first() else {
        return KeyState::Dangling;
    };
    if texts.len() > 1 {
        findings.push(Finding::warning(
            "dkim.several_records",
            0..0,
            format!(
                "{} TXT records at the selector; verifiers may pick any: keep one",
                texts.len()
            ),
        ));
    }
    let key = parse_dkim_key(text);
    findings.extend(key.findings.iter().cloned());
    judged.key = Some(text.clone());
    judged.key_bits = key.public_key_bits;
    if key.revoked {
        KeyState::Revoked
    } else if has_errors(&key.findings) {
        KeyState::Error
    } else if key.key_type == KeyType::Rsa && key.public_key_bits.is_some_and(|b| b < 2048) {
        KeyState::Weak
    } else {
        KeyState::Ok
    }
}

/// The live first hop against the plan's declared target.
fn target_findings(
    domain: &str,
    selector: &str,
    chain: &[String],
    expected: Option<&str>,
) -> Option<Finding> {
    let expected = DnsName::lenient(expected?);
    let live = chain.first().map(|t| DnsName::lenient(t));
    if live.as_deref() == Some(expected.as_str()) {
        return None;
    }
    let now = live.map_or_else(|| "is not a CNAME".to_owned(), |t| format!("points to {t}"));
    Some(Finding::warning(
        "dkim.cname_mismatch",
        0..0,
        format!(
            "{selector}._domainkey.{domain} {now}, but the plan says {expected} (for Microsoft \
             365 see Get-DkimSigningConfig Selector1CNAME/Selector2CNAME)"
        ),
    ))
}

/// A Microsoft 365 sender needs both selectors: signing moves to the other one on rotation.
fn m365_pair(sender: &Sender) -> Option<Finding> {
    let is_m365 =
        sender.dkim.iter().any(|s| s.cname.as_deref().and_then(classify_m365_target).is_some());
    let declared = |n: &str| sender.dkim.iter().any(|s| s.name.eq_ignore_ascii_case(n));
    let missing: Vec<&str> =
        ["selector1", "selector2"].into_iter().filter(|n| !declared(n)).collect();
    (is_m365 && !missing.is_empty()).then(|| {
        Finding::new(
            "dkim.m365_pair_incomplete",
            Severity::Warning,
            0..0,
            format!(
                "sender '{}' is Microsoft 365 but the plan lacks {}: both CNAMEs must exist, \
                 since key rotation switches to the other selector",
                sender.name,
                missing.join(" and ")
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Selector;

    /// A selector as the plan declares it: name and CNAME target.
    type Declared = (&'static str, Option<&'static str>);

    fn sender(selectors: &[Declared]) -> Sender {
        let dkim = selectors
            .iter()
            .map(|(n, c)| Selector { name: (*n).into(), cname: c.map(str::to_owned) })
            .collect();
        Sender { name: "Exchange Online".into(), spf_includes: Vec::new(), dkim }
    }

    const LEGACY: &str = "selector1-contoso-com._domainkey.contoso.onmicrosoft.com";
    const MODERN: &str = "selector2-contoso-com._domainkey.contoso.r-v1.dkim.mail.microsoft";

    #[test]
    fn a_microsoft_sender_needs_both_selectors_in_the_plan() {
        #[rustfmt::skip]
        let cases: &[(&[Declared], bool)] = &[
            (&[("selector1", Some(LEGACY)), ("selector2", Some(MODERN))], false),
            (&[("selector1", Some(LEGACY))], true),
            (&[("selector2", Some(MODERN))], true),
            (&[("s1", Some("s1.keys.vendor.test"))], false),
            (&[("s1", None)], false),
        ];
        for (selectors, warns) in cases {
            assert_eq!(m365_pair(&sender(selectors)).is_some(), *warns, "{selectors:?}");
        }
    }

    #[test]
    fn the_live_target_is_compared_with_the_plan_ignoring_case_and_final_dot() {
        let chain = |t: &str| vec![t.to_owned()];
        let dotted = format!("{LEGACY}.");
        #[rustfmt::skip]
        let cases: Vec<(Vec<String>, Option<&str>, bool)> = vec![
            (chain(LEGACY), Some(LEGACY), false),
            (chain(&LEGACY.to_uppercase()), Some(&dotted), false),
            (chain(MODERN), Some(LEGACY), true),
            (Vec::new(), Some(LEGACY), true),
            (chain(MODERN), None, false),
        ];
        for (live, expected, warns) in cases {
            let got = target_findings("contoso.com", "selector1", &live, expected);
            assert_eq!(got.is_some(), warns, "{live:?} vs {expected:?}");
        }
    }
}
