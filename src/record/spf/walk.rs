//! The recursive SPF check of RFC 7208 §4.6.4 as a work list the caller drives: it asks for
//! DNS answers (`pending`), is fed them (`supply`), and counts lookups and void lookups through
//! includes and redirects. Pure and async-agnostic: no I/O, no clock; depth and work are capped
//! so hostile DNS cannot keep it going.

use std::ops::Range;

use serde::Serialize;

mod answers;

use super::tree::{NodeOutcome, SpfNode};
use super::{SpfParsed, TermKind, parse_spf};
use crate::name::DnsName;
use crate::record::finding::{Finding, Severity};

/// Records deep the walk follows; receivers stop at 10 lookups, so deeper is already an error.
const MAX_DEPTH: usize = 16;
/// DNS questions one walk may ask in total.
const MAX_QUERIES: usize = 200;
/// RFC 7208 §4.6.4 limits.
const MAX_LOOKUPS: u32 = 10;
const MAX_VOID_LOOKUPS: u32 = 2;
const MAX_MX: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum QueryKind {
    Txt,
    A,
    Aaaa,
    Mx,
}

/// A DNS question the walk needs answered. `name` is lower-case without a trailing dot.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Query {
    pub name: String,
    pub kind: QueryKind,
}

/// The caller's answer to a `Query`. `Records` holds TXT texts (strings joined), addresses, or
/// MX targets (`"10 mx.example.com."` or just the host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Records(Vec<String>),
    NxDomain,
    NoData,
    Failed(String),
    /// The caller cannot know (an offline view that does not cover the name): not checked,
    /// which is neither a failure nor a void lookup.
    Unverifiable(String),
}

/// What a finished walk found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpfReport {
    /// DNS-querying terms evaluated in the whole tree (limit 10).
    pub lookups: u32,
    /// Lookups that gave NXDOMAIN or no records (limit 2).
    pub void_lookups: u32,
    pub tree: SpfNode,
    /// The walk's verdicts: totals, plus a copy of every lookup finding and every error in an
    /// included record, prefixed with the domain (the node copies keep spans into their record).
    pub findings: Vec<Finding>,
}

/// Why a question was asked.
#[derive(Debug, Clone)]
enum Purpose {
    /// The SPF record of `child`, asked for by the term at `span` of its parent.
    Record { child: usize, span: Range<usize> },
    /// One half (A or AAAA) of an `a` mechanism's address check.
    Address { check: usize },
    /// The MX set of an `mx` mechanism.
    Mx { slot: usize, span: Range<usize> },
}

#[derive(Debug, Clone)]
struct Waiter {
    query: Query,
    purpose: Purpose,
}

/// An `a` mechanism waiting for both its A and AAAA answers.
#[derive(Debug, Clone)]
struct AddressCheck {
    slot: usize,
    span: Range<usize>,
    outstanding: u8,
    found: bool,
    failed: Option<String>,
}

/// A node under construction; children are indices into the walk's slots.
#[derive(Debug, Clone)]
struct Slot {
    node: SpfNode,
    parent: Option<usize>,
    depth: usize,
    child_slots: Vec<usize>,
}

/// A driven SPF walk: `new`, then `pending`/`supply` until `pending` is empty, then `finish`.
#[derive(Debug, Clone)]
pub struct SpfWalk {
    slots: Vec<Slot>,
    waiting: Vec<Waiter>,
    checks: Vec<AddressCheck>,
    asked: usize,
    void_lookups: u32,
    capped: bool,
    findings: Vec<Finding>,
}

impl SpfWalk {
    /// Starts at `domain`, whose SPF record (already selected) is `root_record`.
    pub fn new(domain: &str, root_record: &str) -> Self {
        let root = new_slot(domain, None, None, 0, NodeOutcome::Found);
        let mut walk = Self {
            slots: vec![root],
            waiting: Vec::new(),
            checks: Vec::new(),
            asked: 0,
            void_lookups: 0,
            capped: false,
            findings: Vec::new(),
        };
        walk.install_record(0, root_record);
        walk
    }

    /// The questions still unanswered, each once, in the order they were first needed.
    pub fn pending(&self) -> Vec<Query> {
        let mut queries: Vec<Query> = Vec::new();
        for w in &self.waiting {
            if !queries.contains(&w.query) {
                queries.push(w.query.clone());
            }
        }
        queries
    }

    /// Feeds the answer to one question; answers nobody asked for are ignored.
    pub fn supply(&mut self, query: &Query, reply: &Reply) {
        let query = Query { name: DnsName::lenient(&query.name).into(), kind: query.kind };
        let (hits, rest): (Vec<Waiter>, Vec<Waiter>) =
            std::mem::take(&mut self.waiting).into_iter().partition(|w| w.query == query);
        self.waiting = rest;
        for hit in hits {
            match hit.purpose {
                Purpose::Record { child, span } => self.record_answer(child, &span, reply),
                Purpose::Address { check } => self.address_answer(check, reply),
                Purpose::Mx { slot, span } => self.mx_answer(slot, &span, reply),
            }
        }
    }

    /// Totals and the tree. Questions still pending are reported, not waited for.
    pub fn finish(mut self) -> SpfReport {
        if !self.waiting.is_empty() {
            self.findings.push(Finding::warning(
                "spf.unanswered",
                0..0,
                format!(
                    "{} DNS questions were not answered; the counts may be too low",
                    self.pending().len()
                ),
            ));
        }
        let lookups = self.slots.iter().fold(0u32, |sum, s| sum.saturating_add(s.node.lookups));
        if lookups > MAX_LOOKUPS {
            self.findings.push(Finding::error(
                "spf.too_many_lookups",
                0..0,
                format!("{lookups} DNS lookups (limit {MAX_LOOKUPS}): receivers give permerror; flatten or drop includes"),
            ));
        }
        if self.void_lookups > MAX_VOID_LOOKUPS {
            self.findings.push(Finding::error(
                "spf.too_many_void_lookups",
                0..0,
                format!(
                    "{} lookups found nothing (limit {MAX_VOID_LOOKUPS}): receivers may give permerror; remove dead names",
                    self.void_lookups
                ),
            ));
        }
        let tree = self.build(0);
        SpfReport { lookups, void_lookups: self.void_lookups, tree, findings: self.findings }
    }

    fn build(&mut self, index: usize) -> SpfNode {
        let children: Vec<SpfNode> =
            self.slots[index].child_slots.clone().into_iter().map(|c| self.build(c)).collect();
        let mut node = std::mem::replace(&mut self.slots[index].node, placeholder());
        node.children = children;
        node
    }

    /// Parses a node's record, records its findings and asks for what its terms need.
    fn install_record(&mut self, index: usize, text: &str) {
        let parsed = parse_spf(text);
        let slot = &mut self.slots[index];
        slot.node.record = Some(text.to_string());
        slot.node.lookups = parsed.own_lookups();
        if index != 0 {
            let domain = slot.node.domain.clone();
            let errors = parsed.findings.iter().filter(|f| f.severity == Severity::Error);
            self.findings.extend(errors.map(|f| prefixed(&domain, f)));
        }
        self.slots[index].node.findings.extend(parsed.findings.iter().cloned());
        if self.slots[index].depth >= MAX_DEPTH {
            self.cap(index, "the include chain is too deep");
            return;
        }
        self.expand(index, &parsed);
    }

    fn expand(&mut self, index: usize, parsed: &SpfParsed) {
        let domain = DnsName::lenient(&self.slots[index].node.domain);
        // A term the parser already rejected is a permerror; asking DNS about it tells nothing.
        let broken = |span: &Range<usize>| {
            parsed.findings.iter().any(|f| f.severity == Severity::Error && f.span == *span)
        };
        for term in parsed.evaluated_terms().filter(|t| !broken(&t.span)) {
            let target = term.target.as_deref().filter(|t| !t.is_empty()).map(DnsName::lenient);
            let span = term.span.clone();
            match (&term.kind, target) {
                (TermKind::Include | TermKind::Redirect, Some(t)) => {
                    let via = format!(
                        "{}{t}",
                        if term.kind == TermKind::Include { "include:" } else { "redirect=" }
                    );
                    self.follow(index, &via, t.into(), span);
                }
                (TermKind::A, t) => {
                    self.ask_addresses(index, t.as_deref().unwrap_or(&domain), span);
                }
                (TermKind::Mx, t) => {
                    let name = t.unwrap_or_else(|| domain.clone());
                    self.ask(
                        index,
                        Query { name: name.into(), kind: QueryKind::Mx },
                        Purpose::Mx { slot: index, span },
                    );
                }
                _ => {}
            }
        }
    }

    /// Adds a child for an include or redirect target and asks for its record.
    fn follow(&mut self, parent: usize, via: &str, target: String, span: Range<usize>) {
        let child = self.slots.len();
        let depth = self.slots[parent].depth + 1;
        self.slots.push(new_slot(
            &target,
            Some(via.to_string()),
            Some(parent),
            depth,
            NodeOutcome::NotFollowed,
        ));
        self.slots[parent].child_slots.push(child);
        if target.contains('%') {
            let f = Finding::info(
                "spf.macro_target",
                span,
                format!("'{via}' depends on the sender, so it is not followed"),
            );
            self.flag(parent, f);
        } else if self.is_ancestor(parent, &target) {
            self.slots[child].node.outcome = NodeOutcome::Loop;
            let f = Finding::error(
                "spf.loop",
                span,
                format!("'{via}' leads back to a record already being evaluated: permerror"),
            );
            self.flag(parent, f);
        } else if self.ask(
            parent,
            Query { name: target, kind: QueryKind::Txt },
            Purpose::Record { child, span },
        ) {
            self.slots[child].node.outcome = NodeOutcome::Unanswered;
        }
    }

    fn ask_addresses(&mut self, slot: usize, name: &str, span: Range<usize>) {
        if name.contains('%') {
            return;
        }
        let check = self.checks.len();
        self.checks.push(AddressCheck { slot, span, outstanding: 0, found: false, failed: None });
        for kind in [QueryKind::A, QueryKind::Aaaa] {
            if self.ask(slot, Query { name: name.to_string(), kind }, Purpose::Address { check }) {
                self.checks[check].outstanding += 1;
            }
        }
    }

    /// Queues a question unless the walk's work cap is reached; says whether it was queued.
    fn ask(&mut self, slot: usize, query: Query, purpose: Purpose) -> bool {
        if query.name.contains('%') {
            return false;
        }
        if self.asked >= MAX_QUERIES {
            self.cap(slot, "the walk asked too many DNS questions");
            return false;
        }
        self.asked += 1;
        self.waiting.push(Waiter { query, purpose });
        true
    }

    fn cap(&mut self, slot: usize, why: &str) {
        if !self.capped {
            self.capped = true;
            let f = Finding::warning(
                "spf.walk_truncated",
                0..0,
                format!("stopped following includes here: {why}"),
            );
            self.flag(slot, f);
        }
    }

    /// Attaches a finding to a node and copies it, prefixed with the domain, to the report.
    fn flag(&mut self, slot: usize, finding: Finding) {
        self.findings.push(prefixed(&self.slots[slot].node.domain, &finding));
        self.slots[slot].node.findings.push(finding);
    }

    fn is_ancestor(&self, mut index: usize, name: &str) -> bool {
        loop {
            if DnsName::lenient(&self.slots[index].node.domain) == name {
                return true;
            }
            match self.slots[index].parent {
                Some(p) => index = p,
                None => return false,
            }
        }
    }
}

fn new_slot(
    domain: &str,
    via: Option<String>,
    parent: Option<usize>,
    depth: usize,
    outcome: NodeOutcome,
) -> Slot {
    let node = SpfNode {
        domain: domain.to_string(),
        via,
        record: None,
        outcome,
        lookups: 0,
        children: Vec::new(),
        findings: Vec::new(),
    };
    Slot { node, parent, depth, child_slots: Vec::new() }
}

fn placeholder() -> SpfNode {
    new_slot("", None, None, 0, NodeOutcome::NotFollowed).node
}

fn prefixed(domain: &str, finding: &Finding) -> Finding {
    Finding { message: format!("{domain}: {}", finding.message), ..finding.clone() }
}
