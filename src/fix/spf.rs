//! SPF fixes: the one complete record to publish at the domain (the live record with the
//! senders' missing includes added before its `all`, `+all` made `-all`, several records merged
//! into one, or a new record), with its lookup count from a walk the caller makes; a record over
//! ten lookups is refused, naming the includes that cost most. Pure.

use super::{Action, DEFAULT_TTL, DnsChange, DnsOp, Inputs, RecordType};
use crate::advice::Advice;
use crate::answers::DomainDns;
use crate::name::DnsName;
use crate::plan::Domain;
use crate::readiness::{Outcome, Readiness};
use crate::record::Policy;
use crate::record::spf::{Qualifier, SpfNode, SpfParsed, TermKind, parse_spf, select_spf};
use crate::text::count;

/// RFC 7208 §4.6.4: more lookups than this and receivers give permerror.
const MAX_LOOKUPS: u32 = 10;

/// The SPF record a fix would publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpfProposal {
    /// The one record to publish at the domain.
    pub record: String,
    /// The live SPF records: the first is replaced by `record`, the rest deleted. Empty when
    /// the domain has none.
    pub live: Vec<String>,
    /// The includes added, with the sender that needs each.
    pub added: Vec<(String, String)>,
    /// `+all` (or a bare `all`) was replaced.
    pub all_replaced: bool,
    pub ttl: u32,
}

/// The record that fixes the domain's SPF, or `None` when nothing needs fixing (or the TXT
/// lookup failed, which is not "no record").
pub fn spf_proposal(
    domain: &Domain,
    dns: &DomainDns,
    readiness: &Readiness,
    advice: &Advice,
) -> Option<SpfProposal> {
    let answer = &dns.apex_txt;
    if answer.state.is_failure()
        || readiness.spf.findings.iter().any(|f| f.id == "spf.lookup_failed")
    {
        return None;
    }
    let live: Vec<String> = answer
        .txt()
        .into_iter()
        .filter(|t| select_spf(std::slice::from_ref(t)).count == 1)
        .collect();
    let parsed: Vec<SpfParsed> = live.iter().map(|t| parse_spf(t)).collect();
    let all = if monitoring(domain, advice) { "~all" } else { "-all" };
    let mut merged = Merged::default();
    for (text, p) in live.iter().zip(&parsed) {
        merged.take(text, p);
    }
    let all_replaced = merged.all.contains(&Qualifier::Pass);
    let added: Vec<(String, String)> = required_includes(domain)
        .into_iter()
        .filter(|(include, _)| !merged.includes(include))
        .collect();
    if live.len() == 1 && added.is_empty() && !all_replaced {
        return None;
    }
    if live.is_empty() && added.is_empty() {
        return None;
    }
    let includes: Vec<String> = added.iter().map(|(i, _)| format!("include:{i}")).collect();
    let record = merged.render(&includes, all, live.is_empty());
    let ttl = answer.ttl().unwrap_or(DEFAULT_TTL);
    Some(SpfProposal { record, live, added, all_replaced, ttl })
}

/// Monitoring (`p=none`, or nothing live on the ladder): a replaced `+all` becomes `~all`, so
/// senders nobody listed show up in the reports before their mail is refused.
fn monitoring(domain: &Domain, advice: &Advice) -> bool {
    advice
        .position
        .at()
        .is_none_or(|at| domain.phases[at].record.p.is_none_or(|p| p == Policy::None))
}

/// Every sender's include, once, with the first sender that needs it.
fn required_includes(domain: &Domain) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for sender in &domain.senders {
        for include in &sender.spf_includes {
            let include = String::from(DnsName::lenient(include));
            if !out.iter().any(|(i, _)| *i == include) {
                out.push((include, sender.name.clone()));
            }
        }
    }
    out
}

/// Several records folded into one: the terms receivers evaluate, in order, each once.
#[derive(Default)]
struct Merged {
    mechanisms: Vec<String>,
    all: Vec<Qualifier>,
    redirect: Option<String>,
    modifiers: Vec<String>,
}

impl Merged {
    /// Takes what receivers evaluate of one record: mechanisms up to `all` (later ones are never
    /// evaluated), `redirect` only without `all`, and the other modifiers.
    fn take(&mut self, text: &str, parsed: &SpfParsed) {
        for term in parsed.evaluated_terms() {
            let written = text[term.span.clone()].to_owned();
            match term.kind {
                TermKind::All => self.all.push(term.effective_qualifier()),
                TermKind::Redirect => {
                    self.redirect.get_or_insert(written);
                }
                TermKind::Exp | TermKind::OtherModifier(_) => {
                    push_once(&mut self.modifiers, written);
                }
                _ => push_once(&mut self.mechanisms, written),
            }
        }
    }

    fn includes(&self, include: &str) -> bool {
        self.mechanisms.iter().chain(&self.redirect).any(|t| {
            let t = t.to_ascii_lowercase();
            let target = t.strip_prefix("include:").or_else(|| t.strip_prefix("redirect="));
            target.is_some_and(|target| DnsName::lenient(target) == include)
        })
    }

    /// `v=spf1`, the mechanisms, the added includes, then `all` (the most lenient qualifier the
    /// records wrote, `+all` replaced by `replacement`), or the redirect, then the modifiers.
    /// A new record ends with `-all`.
    fn render(&self, added: &[String], replacement: &str, new: bool) -> String {
        let lenient = |q: &Qualifier| match q {
            Qualifier::Fail => 0,
            Qualifier::SoftFail => 1,
            Qualifier::Neutral => 2,
            Qualifier::Pass => 3,
        };
        let all = match self.all.iter().max_by_key(|q| lenient(q)) {
            Some(Qualifier::Pass) => Some(replacement.to_owned()),
            Some(Qualifier::Neutral) => Some("?all".to_owned()),
            Some(Qualifier::SoftFail) => Some("~all".to_owned()),
            Some(Qualifier::Fail) => Some("-all".to_owned()),
            None if new => Some("-all".to_owned()),
            None => None,
        };
        let end = all.or_else(|| (self.all.is_empty()).then(|| self.redirect.clone()).flatten());
        let terms = self.mechanisms.iter().chain(added).chain(&end).chain(&self.modifiers);
        std::iter::once("v=spf1").chain(terms.map(String::as_str)).collect::<Vec<_>>().join(" ")
    }
}

fn push_once(terms: &mut Vec<String>, term: String) {
    if !terms.iter().any(|t| t.eq_ignore_ascii_case(&term)) {
        terms.push(term);
    }
}

/// The SPF actions: the proposed record (created, or replacing the first live record, the
/// others deleted), refused when its walk counts over ten lookups; or, with nothing to change,
/// what to trim when the live record is over the limit.
pub(super) fn actions(inputs: &Inputs<'_>) -> Vec<Action> {
    let Some(p) = spf_proposal(inputs.domain, inputs.dns, inputs.readiness, inputs.advice) else {
        return over_limit(inputs).into_iter().collect();
    };
    let walk = inputs.proposed_spf.filter(|w| w.tree.record.as_deref() == Some(p.record.as_str()));
    if let Some(w) = walk.filter(|w| w.lookups > MAX_LOOKUPS) {
        return vec![refusal(&p, w.lookups, &w.tree)];
    }
    let counted = match walk {
        Some(w)
            if w.findings.iter().any(|f| {
                matches!(Outcome::of_finding(f), Outcome::Unknown | Outcome::Unverified)
            }) =>
        {
            format!(
                "At least {}/{MAX_LOOKUPS} DNS lookups after the change (some includes were not checked).",
                w.lookups
            )
        }
        Some(w) => format!("{}/{MAX_LOOKUPS} DNS lookups after the change.", w.lookups),
        None => "The lookups after the change were not counted.".to_owned(),
    };
    let owner = inputs.domain.name.clone();
    let change = |op, value: &str, replaces: Option<&String>| DnsChange {
        op,
        owner: owner.to_string(),
        rtype: RecordType::Txt,
        value: value.to_owned(),
        replaces: replaces.cloned(),
        ttl: p.ttl,
        keeps: Vec::new(),
    };
    let (first, rest) = match p.live.split_first() {
        Some((first, rest)) => (change(DnsOp::Replace, &p.record, Some(first)), rest),
        None => (change(DnsOp::Create, &p.record, None), &[][..]),
    };
    let mut out = vec![Action::dns(first, fixed_ids(&p), format!("{} {counted}", describe(&p)))];
    out.extend(rest.iter().map(|old| {
        Action::dns(
            change(DnsOp::Delete, old, None),
            vec!["spf.multiple_records"],
            "Merged into the record above: one name may hold only one SPF record.",
        )
    }));
    out
}

fn fixed_ids(p: &SpfProposal) -> Vec<&'static str> {
    let mut ids = Vec::new();
    match p.live.len() {
        0 => ids.push("spf.no_record"),
        1 => {}
        _ => ids.push("spf.multiple_records"),
    }
    if !p.added.is_empty() {
        ids.push("spf.missing_include");
    }
    if p.all_replaced {
        ids.push("spf.pass_all");
    }
    ids
}

/// What the proposed record changes, in words.
fn describe(p: &SpfProposal) -> String {
    let mut parts = Vec::new();
    if p.live.len() > 1 {
        parts.push(format!(
            "Merges the {} SPF records into one (with several, receivers give permerror).",
            p.live.len()
        ));
    }
    if p.live.is_empty() {
        parts.push("Publishes an SPF record; the domain has none.".to_owned());
    }
    for (include, sender) in &p.added {
        parts.push(format!("Adds include:{include} for sender '{sender}'."));
    }
    if p.all_replaced {
        let all = if p.record.ends_with("~all") { "~all" } else { "-all" };
        parts.push(format!(
            "Replaces '+all' (every host on the internet passes) with '{all}'{}.",
            if all == "~all" { " while the domain is monitoring" } else { "" }
        ));
    }
    parts.join(" ")
}

/// A proposal over the limit is not suggested: it says what it would cost and what costs most.
fn refusal(p: &SpfProposal, lookups: u32, tree: &SpfNode) -> Action {
    let adds: Vec<String> = p.added.iter().map(|(i, _)| format!("include:{i}")).collect();
    Action::manual(
        "your DNS",
        Vec::new(),
        format!(
            "No record suggested: with {} it would need {lookups} DNS lookups, over the limit of \
             {MAX_LOOKUPS} (receivers give permerror). What costs most: {}. Drop an include no \
             sender needs, or list a sender's ip4/ip6 ranges instead of its include, then run \
             fix again.",
            if adds.is_empty() { "the change".to_owned() } else { adds.join(" and ") },
            costliest(tree)
        ),
    )
}

/// The live record is over the limit and nothing else changes: what to trim.
fn over_limit(inputs: &Inputs<'_>) -> Option<Action> {
    let over = inputs.readiness.spf.findings.iter().any(|f| f.id == "spf.too_many_lookups");
    let walk = inputs.spf_walk.filter(|_| over)?;
    Some(Action::manual(
        "your DNS",
        vec!["spf.too_many_lookups"],
        format!(
            "The SPF record needs {} DNS lookups, over the limit of {MAX_LOOKUPS}. What costs \
             most: {}. Drop an include no sender needs, or list a sender's ip4/ip6 ranges \
             instead of its include.",
            walk.lookups,
            costliest(&walk.tree)
        ),
    ))
}

/// The top three terms by lookups, with their counts: `include:a.example (5 lookups)`.
fn costliest(tree: &SpfNode) -> String {
    let mut terms: Vec<(&str, u32)> = tree
        .children
        .iter()
        // The include term itself is one lookup, counted in the parent.
        .map(|c| (c.via.as_deref().unwrap_or(&c.domain), c.total_lookups().saturating_add(1)))
        .collect();
    terms.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let named: Vec<String> =
        terms.iter().take(3).map(|(term, n)| format!("{term} ({})", count(*n, "lookup"))).collect();
    if named.is_empty() { "the record's own terms".to_owned() } else { named.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Merges the records, adds `added`, with `+all` made `replacement`.
    fn merged(records: &[&str], added: &[&str]) -> String {
        let mut m = Merged::default();
        for r in records {
            m.take(r, &parse_spf(r));
        }
        let added: Vec<String> = added.iter().map(|i| format!("include:{i}")).collect();
        m.render(&added, "-all", records.is_empty())
    }

    #[test]
    fn records_merge_into_what_receivers_evaluate_each_term_once() {
        #[rustfmt::skip]
        let cases: &[(&[&str], &[&str], &str)] = &[
            (&["v=spf1 mx -all"], &["b.test"], "v=spf1 mx include:b.test -all"),
            (&["v=spf1 mx -all ip4:192.0.2.1"], &[], "v=spf1 mx -all"),
            (&["v=spf1 mx redirect=_spf.a.test"], &["b.test"], "v=spf1 mx include:b.test redirect=_spf.a.test"),
            (&["v=spf1 include:A.test -all", "v=spf1 include:a.test ~all"], &[], "v=spf1 include:A.test ~all"),
            (&["v=spf1 a +all", "v=spf1 mx -all"], &[], "v=spf1 a mx -all"),
            (&["v=spf1 ip4:192.0.2.1"], &["b.test"], "v=spf1 ip4:192.0.2.1 include:b.test"),
            (&["v=spf1 mx exp=explain.test -all"], &[], "v=spf1 mx -all exp=explain.test"),
            (&[], &["b.test", "c.test"], "v=spf1 include:b.test include:c.test -all"),
        ];
        for (records, added, want) in cases {
            assert_eq!(merged(records, added), *want, "{records:?} + {added:?}");
        }
    }

    #[test]
    fn an_include_counts_as_present_through_include_or_redirect_ignoring_case_and_dot() {
        let mut m = Merged::default();
        let text = "v=spf1 include:A.test. redirect=b.test";
        m.take(text, &parse_spf(text));
        assert!(m.includes("a.test") && m.includes("b.test") && !m.includes("c.test"));
    }
}
