//! What each DNS answer means for the walk: an include or redirect target's record, an `a`
//! mechanism's addresses, an `mx` mechanism's hosts. Pure.

use std::ops::Range;

use super::{MAX_MX, Reply, SpfWalk};
use crate::record::finding::Finding;
use crate::record::spf::select_spf;
use crate::record::spf::tree::NodeOutcome;

impl SpfWalk {
    /// An include or redirect target's TXT answer: install its SPF record or say why not.
    pub(super) fn record_answer(&mut self, child: usize, span: &Range<usize>, reply: &Reply) {
        let Some(parent) = self.slots[child].parent else { return };
        let outcome = match reply {
            Reply::Records(txts) if !txts.is_empty() => {
                let selection = select_spf(txts);
                let kept = selection.findings.iter().filter(|f| f.id != "spf.no_record").cloned();
                self.slots[child].node.findings.extend(kept);
                match (selection.count, selection.record) {
                    (1, Some(text)) => {
                        self.slots[child].node.outcome = NodeOutcome::Found;
                        self.install_record(child, &text);
                        return;
                    }
                    (0, _) => NodeOutcome::NoSpf,
                    _ => NodeOutcome::MultipleRecords,
                }
            }
            Reply::Records(_) | Reply::NoData => NodeOutcome::NoData,
            Reply::NxDomain => NodeOutcome::NxDomain,
            Reply::Failed(why) => NodeOutcome::Failed(why.clone()),
            Reply::Unverifiable(why) => NodeOutcome::Unverified(why.clone()),
        };
        if matches!(outcome, NodeOutcome::NoData | NodeOutcome::NxDomain) {
            self.void_lookups += 1;
        }
        let via = self.slots[child].node.via.clone().unwrap_or_default();
        let finding = missing_target(&outcome, &via, span.clone());
        self.slots[child].node.outcome = outcome;
        self.flag(parent, finding);
    }

    pub(super) fn address_answer(&mut self, index: usize, reply: &Reply) {
        let check = &mut self.checks[index];
        check.outstanding = check.outstanding.saturating_sub(1);
        match reply {
            // Unknown is not void: treat it as found and leave the judgement to a live check.
            Reply::Records(r) if !r.is_empty() => check.found = true,
            Reply::Unverifiable(_) => check.found = true,
            Reply::Failed(why) => check.failed = Some(why.clone()),
            _ => {}
        }
        if check.outstanding > 0 {
            return;
        }
        let (slot, span) = (check.slot, check.span.clone());
        match (check.found, check.failed.clone()) {
            (true, _) => {}
            (false, Some(why)) => self.temperror(slot, span, &why),
            (false, None) => self.void(slot, span, "has no A or AAAA records"),
        }
    }

    pub(super) fn mx_answer(&mut self, slot: usize, span: &Range<usize>, reply: &Reply) {
        match reply {
            Reply::Records(hosts) if hosts.len() > MAX_MX => {
                let f = Finding::error(
                    "spf.too_many_mx",
                    span.clone(),
                    format!(
                        "'mx' finds {} MX records (limit {MAX_MX}): receivers give permerror",
                        hosts.len()
                    ),
                );
                self.flag(slot, f);
            }
            Reply::Records(hosts) if !hosts.is_empty() => {}
            Reply::Unverifiable(why) => self.flag(slot, unverified(span.clone(), "mx", why)),
            Reply::Failed(why) => self.temperror(slot, span.clone(), why),
            _ => self.void(slot, span.clone(), "has no MX records"),
        }
    }

    fn temperror(&mut self, slot: usize, span: Range<usize>, why: &str) {
        let f = Finding::error(
            "spf.temperror",
            span,
            format!("a lookup failed ({why}): receivers give temperror"),
        );
        self.flag(slot, f);
    }

    fn void(&mut self, slot: usize, span: Range<usize>, what: &str) {
        self.void_lookups += 1;
        // Name the term, so three void lookups read as three different mistakes.
        let term = self.slots[slot].node.record.as_deref().and_then(|r| r.get(span.clone()));
        let term = term.map_or_else(|| "the name".to_owned(), |t| format!("'{t}': the name"));
        let f = Finding::warning(
            "spf.void_lookup",
            span,
            format!("{term} {what}; the term matches nothing and counts as a void lookup"),
        );
        self.flag(slot, f);
    }
}

/// The finding for an include or redirect target that gave no usable SPF record.
fn missing_target(outcome: &NodeOutcome, via: &str, span: Range<usize>) -> Finding {
    match outcome {
        NodeOutcome::Unverified(why) => unverified(span, via, why),
        NodeOutcome::Failed(why) => Finding::error(
            "spf.temperror",
            span,
            format!("looking up '{via}' failed ({why}): receivers give temperror"),
        ),
        NodeOutcome::MultipleRecords => Finding::error(
            "spf.target_multiple_records",
            span,
            format!("'{via}' has several SPF records: permerror"),
        ),
        _ if via.starts_with("redirect=") => Finding::error(
            "spf.redirect_without_spf",
            span,
            format!("'{via}' has no SPF record: receivers give permerror"),
        ),
        _ => Finding::error(
            "spf.include_without_spf",
            span,
            format!("'{via}' has no SPF record: receivers give permerror; remove the include"),
        ),
    }
}

fn unverified(span: Range<usize>, via: &str, why: &str) -> Finding {
    Finding::warning(
        "spf.unverified",
        span,
        format!("'{via}' was not checked ({why}); check it against live DNS before enforcing"),
    )
}
