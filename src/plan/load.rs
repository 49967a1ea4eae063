//! Reads plan text into a [`Plan`], collecting every problem with its exact place. The TOML is
//! walked by hand (not derived) so each message can name the key, quote the value and list what
//! is allowed. Pure.

use std::collections::HashMap;
use std::fmt::Display;
use std::ops::Range;
use std::sync::Arc;

use toml::Spanned;

use super::error::{PlanError, Quoted};
use super::model::{Domain, Gate, GateSenders, HistoryEntry, Phase, Plan, Selector, Sender};
use super::rules;
use crate::name::DnsName;
use crate::record::{DmarcRecord, Tag};

const DEFAULT_TTL: u32 = 3600;
const PHASE_KEYS: &[&str] =
    &["name", "soak_days", "allow_loosen", "min_report_days", "min_pass_rate", "gate_senders"];
const DOMAIN_KEYS: &[&str] = &["name", "ttl", "phase", "sender", "history"];
const SENDER_KEYS: &[&str] = &["name", "spf_include", "dkim"];

mod scalars;
mod tree;

use tree::{Node, Table, Value};
type NameCheck = fn(&str) -> Result<String, String>;

/// Reads a plan. `file` is only used to label errors. All errors are returned, in file order.
pub fn load(file: &str, text: &str) -> Result<Plan, Vec<PlanError>> {
    let mut loader = Loader { file, text, errors: Vec::new() };
    let plan = match tree::parse(text) {
        Ok(root) => loader.plan(root),
        Err((message, span)) => {
            let message = crate::text::escape(message.trim_end()).into_owned();
            loader.error(span, format!("not valid TOML: {message}"));
            None
        }
    };
    let mut errors = loader.errors;
    if errors.is_empty()
        && let Some(plan) = plan
    {
        return Ok(plan);
    }
    errors.sort_by_key(|e| e.span.start);
    errors.dedup();
    Err(errors)
}

/// A tag layer (defaults, a domain's overrides, or a phase) with where each tag was written.
#[derive(Default, Clone)]
struct Layer {
    record: DmarcRecord,
    spans: Vec<(Tag, Range<usize>)>,
    /// `gate_senders`, which a phase takes from `[defaults]` like a tag.
    gate_senders: Option<GateSenders>,
}

impl Layer {
    fn span_of(&self, tag: Tag) -> Option<Range<usize>> {
        self.spans.iter().find(|(t, _)| *t == tag).map(|(_, s)| s.clone())
    }
}

/// A phase as written, before the domain's layers are put under it.
#[derive(Clone)]
struct RawPhase {
    phase: Phase,
    tags: Layer,
    span: Range<usize>,
}

struct Loader<'t> {
    file: &'t str,
    text: &'t str,
    errors: Vec<PlanError>,
}

impl Loader<'_> {
    fn error(&mut self, span: Range<usize>, message: String) {
        self.errors.push(PlanError::new(self.file, self.text, span, message));
    }

    fn plan(&mut self, mut root: Table<'_>) -> Option<Plan> {
        // The document's start: where a missing part of the plan is reported.
        let span = 0..0;
        self.unknown_keys(&root, &["defaults", "phase", "domain"], false, &"the plan");
        let defaults = match root.get("defaults") {
            Some(v) => self.table(v, &"[defaults]").map(|t| self.defaults(t)).unwrap_or_default(),
            None => (Layer::default(), None),
        };
        let ladder = root.get("phase").map(|v| self.ladder(v, &"[[phase]]")).unwrap_or_default();
        let Some(domains) = root.remove("domain") else {
            self.error(
                span.start..span.start,
                "the plan has no [[domain]]: add one with `name = \"example.com\"`".into(),
            );
            return None;
        };
        let domains = self.domains(domains, &defaults, &ladder);
        if domains.is_empty() && self.errors.is_empty() {
            self.error(
                span.start..span.start,
                "the plan has no [[domain]]: add one with `name = \"example.com\"`".into(),
            );
        }
        Some(Plan { domains })
    }

    fn defaults(&mut self, table: &Table<'_>) -> (Layer, Option<u32>) {
        self.unknown_keys(table, &["ttl", "gate_senders"], true, &"[defaults]");
        let ttl = table.get("ttl").and_then(|v| self.uint(v, "ttl"));
        let mut layer = self.tags(table);
        layer.gate_senders = table.get("gate_senders").and_then(|v| self.gate_senders(v));
        (layer, ttl)
    }

    /// `gate_senders = "all"` (the default) or `"known"`.
    fn gate_senders(&mut self, value: &Value<'_>) -> Option<GateSenders> {
        let senders = match value.get_ref() {
            Node::String(s) if s == "all" => Some(GateSenders::All),
            Node::String(s) if s == "known" => Some(GateSenders::Known),
            _ => None,
        };
        self.expect(senders, value, &"gate_senders must be \"all\" or \"known\"")
    }

    fn ladder(&mut self, value: &Value<'_>, what: &dyn Display) -> Vec<RawPhase> {
        let Some(tables) = self.array_of_tables(value, what) else { return Vec::new() };
        tables.into_iter().enumerate().map(|(i, (t, span))| self.phase(t, span, i + 1)).collect()
    }

    fn phase(&mut self, table: &Table<'_>, span: Range<usize>, number: usize) -> RawPhase {
        let what = format_args!("phase {number}");
        self.unknown_keys(table, PHASE_KEYS, true, &what);
        let name = self.required_str(table, "name", &what, &span).unwrap_or_default();
        let gate = Gate {
            min_report_days: table
                .get("min_report_days")
                .and_then(|v| self.uint(v, "min_report_days")),
            min_pass_rate: table.get("min_pass_rate").and_then(|v| self.rate(v)),
            senders: GateSenders::All,
        };
        let mut tags = self.tags(table);
        tags.gate_senders = table.get("gate_senders").and_then(|v| self.gate_senders(v));
        let phase = Phase {
            name,
            record: tags.record.clone(),
            soak_days: table.get("soak_days").and_then(|v| self.uint(v, "soak_days")).unwrap_or(0),
            allow_loosen: table
                .get("allow_loosen")
                .and_then(|v| self.bool(v, "allow_loosen"))
                .unwrap_or(false),
            gate,
        };
        RawPhase { phase, tags, span }
    }

    /// Each domain's part of the tree is dropped once read, so what it held is reused for the
    /// domains that follow instead of fresh memory: most of a big plan's load is the memory
    /// it touches.
    fn domains(
        &mut self,
        value: Value<'_>,
        defaults: &(Layer, Option<u32>),
        ladder: &[RawPhase],
    ) -> Vec<Domain> {
        let span = value.span();
        let items = match value.into_inner() {
            Node::Array(array) => array.items,
            other => {
                self.array_of_tables(&Spanned::new(span, other), &"[[domain]]");
                return Vec::new();
            }
        };
        let mut domains = Vec::with_capacity(items.len());
        // Where each domain's table starts and its name is written.
        let mut places = Vec::with_capacity(items.len());
        let mut shared = SharedLadder { raw: ladder, plain: None, resolved: HashMap::new() };
        for item in items {
            let Some(table) = self.table(&item, &"[[domain]]") else { continue };
            let span = item.span();
            let Some(domain) = self.domain(table, &span, defaults, &mut shared) else { continue };
            let name_span = table.get("name").map_or(span.clone(), Spanned::span);
            domains.push(domain);
            places.push((span.start, name_span));
        }
        self.drop_repeats(&mut domains, &places);
        domains
    }

    /// Keeps the first domain of each name; a name planned again is reported where it is.
    fn drop_repeats(&mut self, domains: &mut Vec<Domain>, places: &[(usize, Range<usize>)]) {
        // Where each name was first planned: a map, so a plan of 100,000 domains loads in
        // linear time.
        let mut first: HashMap<&str, usize> = HashMap::with_capacity(domains.len());
        let mut repeats = Vec::new();
        for (i, domain) in domains.iter().enumerate() {
            match first.get(domain.name.as_str()) {
                Some(&earlier) => repeats.push((i, earlier)),
                None => {
                    first.insert(domain.name.as_str(), places[i].0);
                }
            }
        }
        for &(i, earlier) in &repeats {
            let line = super::Location::of(self.text, earlier).line;
            let message = format!(
                "domain {} is already planned on line {line}: keep one [[domain]] per name",
                Quoted(&domains[i].name)
            );
            self.error(places[i].1.clone(), message);
        }
        let mut repeated = repeats.iter().map(|&(i, _)| i).peekable();
        let mut index = 0;
        domains.retain(|_| {
            let keep = repeated.next_if_eq(&index).is_none();
            index += 1;
            keep
        });
    }

    fn domain(
        &mut self,
        table: &Table<'_>,
        span: &Range<usize>,
        (defaults, default_ttl): &(Layer, Option<u32>),
        shared: &mut SharedLadder<'_>,
    ) -> Option<Domain> {
        self.unknown_keys(table, DOMAIN_KEYS, true, &"[[domain]]");
        let name_value = table.get("name");
        let name = self.required_str(table, "name", &"[[domain]]", span)?;
        let name = match rules::policy_domain(&name) {
            Ok(name) => name,
            Err(why) => {
                let at = name_value.map_or(span.clone(), Spanned::span);
                self.error(at, format!("{} is not a valid domain name: {why}", Quoted(&name)));
                return None;
            }
        };
        let overrides = self.tags(table);
        let own =
            table.get("phase").map(|v| self.ladder(v, &format_args!("[[domain.phase]] of {name}")));
        if own.as_deref().unwrap_or(shared.raw).is_empty() {
            self.error(span.clone(), format!("domain {name} has no phases: add [[phase]] tables to the plan or [[domain.phase]] to this domain"));
            return None;
        }
        let own = own.map(|raw| resolve_ladder(&raw, defaults, &overrides.record));
        let resolved = match &own {
            Some(resolved) => resolved,
            None => shared.resolved(defaults, &overrides.record),
        };
        for loosened in &resolved.loosenings {
            self.error(loosened.at.clone(), format!("{}{name}{}", loosened.before, loosened.after));
        }
        let phases = Arc::clone(&resolved.phases);
        let ttl = table
            .get("ttl")
            .and_then(|v| self.uint(v, "ttl"))
            .or(*default_ttl)
            .unwrap_or(DEFAULT_TTL);
        let what = format_args!("domain {name}");
        let senders = table.get("sender").map(|v| self.senders(v, &what)).unwrap_or_default();
        let history =
            table.get("history").map(|v| self.history(v, phases.len(), &what)).unwrap_or_default();
        Some(Domain { name, ttl, phases, senders, history })
    }

    fn senders(&mut self, value: &Value<'_>, what: &dyn Display) -> Vec<Sender> {
        let Some(tables) =
            self.array_of_tables(value, &format_args!("[[domain.sender]] of {what}"))
        else {
            return Vec::new();
        };
        tables.into_iter().filter_map(|(t, span)| self.sender(t, &span)).collect()
    }

    fn sender(&mut self, table: &Table<'_>, span: &Range<usize>) -> Option<Sender> {
        self.unknown_keys(table, SENDER_KEYS, false, &"[[domain.sender]]");
        let name = self.required_str(table, "name", &"[[domain.sender]]", span)?;
        let spf_includes = table
            .get("spf_include")
            .map(|v| self.names(v, "spf_include", written_name))
            .unwrap_or_default();
        let dkim = table.get("dkim").map(|v| self.selectors(v)).unwrap_or_default();
        Some(Sender { name, spf_includes, dkim })
    }

    /// `dkim = { selector1 = "target", … }` for delegated selectors, or `dkim = ["s1", …]` for
    /// selectors that publish their key directly.
    fn selectors(&mut self, value: &Value<'_>) -> Vec<Selector> {
        if let Node::Table(t) = value.get_ref() {
            return t
                .iter()
                .filter_map(|(key, v)| {
                    let target = self.string(v, &"a DKIM CNAME target")?;
                    let selector =
                        self.checked_name(key.get_ref(), key.span(), rules::selector_name)?;
                    let cname = self.checked_name(&target, v.span(), written_name)?;
                    Some(Selector { name: selector, cname: Some(cname) })
                })
                .collect();
        }
        self.names(value, "dkim", rules::selector_name)
            .into_iter()
            .map(|name| Selector { name, cname: None })
            .collect()
    }

    fn history(
        &mut self,
        value: &Value<'_>,
        phases: usize,
        what: &dyn Display,
    ) -> Vec<HistoryEntry> {
        let Some(table) = self.table(value, &"[domain.history]") else { return Vec::new() };
        let mut entries: Vec<HistoryEntry> = table
            .iter()
            .filter_map(|(key, v)| {
                let phase =
                    key.get_ref().parse::<usize>().ok().filter(|n| (1..=phases).contains(n));
                let Some(phase) = phase else {
                    self.error(
                        key.span(),
                        format!(
                            "{} in the history of {what} is not a phase number: use 1 to {phases}",
                            Quoted(key.get_ref())
                        ),
                    );
                    return None;
                };
                Some(HistoryEntry { phase, published: self.date(v)? })
            })
            .collect();
        entries.sort_by_key(|e| (e.published, e.phase));
        entries
    }

    /// Every DMARC tag written in a table, each value checked on its own.
    fn tags(&mut self, table: &Table<'_>) -> Layer {
        let mut layer = Layer::default();
        for (key, value) in table.iter() {
            let Some(tag) = Tag::from_name(key.get_ref()) else { continue };
            let Some(text) = tag_text(value) else {
                self.error(
                    value.span(),
                    format!(
                        "{tag} must be a string, number or list, not {}: use {}",
                        value.get_ref().type_str(),
                        tag.allowed()
                    ),
                );
                continue;
            };
            match layer.record.set(tag, &text) {
                Ok(()) => layer.spans.push((tag, value.span())),
                Err(_) => self.error(
                    value.span(),
                    format!("{} is not a valid {tag} value: use {}", Quoted(&text), tag.allowed()),
                ),
            }
        }
        layer
    }

    fn unknown_keys(
        &mut self,
        table: &Table<'_>,
        allowed: &[&str],
        tags: bool,
        what: &dyn Display,
    ) {
        let known =
            |name: &str| allowed.contains(&name) || (tags && Tag::from_name(name).is_some());
        for (key, _) in table.iter() {
            let name = key.get_ref();
            if known(name) {
                continue;
            }
            let mut all: Vec<&str> = allowed.to_vec();
            if tags {
                all.extend(Tag::ALL.iter().map(|t| t.name()));
            }
            let hint = rules::closest(name, &all)
                .map(|c| format!(" (did you mean '{c}'?)"))
                .unwrap_or_default();
            self.error(
                key.span(),
                format!(
                    "unknown key {} in {what}{hint}; allowed: {}",
                    Quoted(name),
                    all.join(", ")
                ),
            );
        }
    }
}

/// The plan's own `[[phase]]` ladder, resolved once for each set of domain overrides seen
/// (nearly always just one: none), not once per domain: the records, and the check that the
/// ladder only tightens, are the same for every domain that shares them.
struct SharedLadder<'a> {
    raw: &'a [RawPhase],
    /// For the domains without overrides, found without hashing their (empty) overrides.
    plain: Option<Resolved>,
    resolved: HashMap<DmarcRecord, Resolved>,
}

impl SharedLadder<'_> {
    fn resolved(&mut self, defaults: &Layer, overrides: &DmarcRecord) -> &Resolved {
        if *overrides == DmarcRecord::default() {
            return self.plain.get_or_insert_with(|| resolve_ladder(self.raw, defaults, overrides));
        }
        if !self.resolved.contains_key(overrides) {
            let resolved = resolve_ladder(self.raw, defaults, overrides);
            self.resolved.insert(overrides.clone(), resolved);
        }
        &self.resolved[overrides]
    }
}

/// A ladder with the defaults and a domain's overrides put under each phase, and where it
/// loosens.
struct Resolved {
    phases: Arc<[Phase]>,
    loosenings: Vec<Loosened>,
}

/// A phase that weakens the one before it: where, and the message around the domain's name.
struct Loosened {
    at: Range<usize>,
    before: String,
    after: String,
}

/// Puts defaults and the domain's overrides under each phase, then checks the ladder only
/// tightens unless a phase says `allow_loosen = true`.
fn resolve_ladder(raw: &[RawPhase], defaults: &Layer, overrides: &DmarcRecord) -> Resolved {
    let phases: Arc<[Phase]> = raw
        .iter()
        .map(|r| {
            let mut record = defaults.record.clone();
            record.overlay(overrides);
            record.overlay(&r.tags.record);
            let senders = r.tags.gate_senders.or(defaults.gate_senders).unwrap_or_default();
            let gate = Gate { senders, ..r.phase.gate };
            Phase { name: r.phase.name.clone(), record, gate, ..r.phase }
        })
        .collect();
    let mut loosenings = Vec::new();
    for (i, pair) in phases.windows(2).enumerate() {
        let next = &raw[i + 1];
        if next.phase.allow_loosen {
            continue;
        }
        if let Some(loosened) = rules::loosening(&pair[0].record, &pair[1].record) {
            let at = loosened
                .tags
                .iter()
                .find_map(|t| next.tags.span_of(*t))
                .unwrap_or_else(|| next.span.clone());
            loosenings.push(Loosened {
                at,
                before: format!(
                    "phase {} ({}) loosens phase {} for ",
                    i + 2,
                    Quoted(&next.phase.name),
                    i + 1
                ),
                after: format!(
                    ": {}; reorder the ladder, or add `allow_loosen = true` to this phase if stepping back is intended",
                    loosened.what
                ),
            });
        }
    }
    Resolved { phases, loosenings }
}

/// A TOML value as DMARC tag text: lists join with commas (rua), booleans read as y/n (t).
fn tag_text(value: &Value<'_>) -> Option<String> {
    match value.get_ref() {
        Node::String(s) => Some(s.to_string()),
        Node::Integer { digits, .. } => Some(digits.replace('_', "")),
        Node::Boolean(b) => Some(if *b { "y" } else { "n" }.to_owned()),
        Node::Array(array) => array
            .items
            .iter()
            .map(|i| i.get_ref().as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(",")),
        _ => None,
    }
}

/// A name the plan writes outside `[[domain]]`, kept as text.
fn written_name(text: &str) -> Result<String, String> {
    DnsName::parse(text).map(String::from)
}
