//! The include/redirect tree an SPF walk produced, and its text rendering for the CLI and TUI.
//! Pure.

use serde::Serialize;

use crate::record::finding::Finding;

/// What happened when a node's SPF record was looked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "detail")]
pub enum NodeOutcome {
    /// Exactly one SPF record was found (the root is always `Found`).
    Found,
    /// TXT records exist but none is SPF.
    NoSpf,
    NxDomain,
    NoData,
    /// Two or more SPF records: permerror.
    MultipleRecords,
    /// The lookup failed (SERVFAIL, timeout…): temperror, not "missing".
    Failed(String),
    /// The name is already being evaluated higher up the tree, so it was not looked up again.
    Loop,
    /// Not looked up: the target uses macros, or the walk hit its depth or work cap.
    NotFollowed,
    /// The lookup was asked for but never answered before the walk finished.
    Unanswered,
    /// The caller could not look the name up (outside an offline view): not checked.
    Unverified(String),
}

/// One domain in the tree, with the term that led to it and the lookups its own record costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpfNode {
    pub domain: String,
    /// The parent's term that led here (`include:…`, `redirect=…`); `None` for the root.
    pub via: Option<String>,
    pub record: Option<String>,
    pub outcome: NodeOutcome,
    /// Lookups this node's own record costs (its includes' records are counted in the children).
    pub lookups: u32,
    pub children: Vec<SpfNode>,
    /// Findings about this node's record; spans point into `record`.
    pub findings: Vec<Finding>,
}

impl SpfNode {
    /// Lookups of this node and everything below it.
    pub fn total_lookups(&self) -> u32 {
        self.children.iter().fold(self.lookups, |sum, c| sum.saturating_add(c.total_lookups()))
    }
}

/// One line per node, indented two spaces per level, with its own and subtree lookup counts:
/// `include:_spf.example.com  1 lookup, 3 below`.
pub fn render_tree(root: &SpfNode) -> Vec<String> {
    let mut lines = Vec::new();
    render_node(root, 0, &mut lines);
    lines
}

fn render_node(node: &SpfNode, depth: usize, lines: &mut Vec<String>) {
    let label = node.via.as_deref().unwrap_or(&node.domain);
    let total = node.total_lookups();
    let counts = match (node.lookups, total.saturating_sub(node.lookups)) {
        (1, 0) => "1 lookup".to_string(),
        (own, 0) => format!("{own} lookups"),
        (own, below) => format!("{own} + {below} below = {total} lookups"),
    };
    let state = match &node.outcome {
        NodeOutcome::Found => String::new(),
        NodeOutcome::NoSpf => " — no SPF record".to_string(),
        NodeOutcome::NxDomain => " — NXDOMAIN".to_string(),
        NodeOutcome::NoData => " — no TXT records".to_string(),
        NodeOutcome::MultipleRecords => " — several SPF records (permerror)".to_string(),
        NodeOutcome::Failed(why) => format!(" — lookup failed: {why}"),
        NodeOutcome::Loop => " — loop, not followed".to_string(),
        NodeOutcome::NotFollowed => " — not followed".to_string(),
        NodeOutcome::Unverified(why) => format!(" — not checked: {why}"),
        NodeOutcome::Unanswered => " — no answer yet".to_string(),
    };
    let counts =
        if node.outcome == NodeOutcome::Found { format!("  ({counts})") } else { String::new() };
    lines.push(format!("{}{label}{counts}{state}", "  ".repeat(depth)));
    for child in &node.children {
        render_node(child, depth + 1, lines);
    }
}
