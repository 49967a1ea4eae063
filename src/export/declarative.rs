//! dnscontrol and octodns: the record set as it should be, for the admin's zone files. Pure.

use std::fmt::Write as _;

use super::{Group, RrType, quote, split_if_long};

/// `TXT(…)` lines for each zone's `D(…)` block, long values as an array of strings (each at
/// most 255 bytes), with the TTL as a `TTL()` modifier.
pub fn dnscontrol(groups: &[Group<'_>]) -> String {
    let mut out = String::new();
    for (i, g) in groups.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        notes(&mut out, "//", &g.notes);
        let owner = quote::js(&g.relative_owner());
        let rtype = g.first.rtype;
        let data = |v: &str| match rtype {
            RrType::Txt => quote::js(v),
            RrType::Cname => quote::js(&format!("{v}.")),
        };
        let rtype = rtype.as_str();
        let old: Vec<String> =
            g.removed.iter().map(|v| format!("{rtype}({owner}, {})", data(v))).collect();
        let place = format!("in D({}, ...)", quote::js(g.zone));
        if g.values.is_empty() {
            let _ = writeln!(out, "// {place}, remove {}", old.join(" and "));
            continue;
        }
        if old.is_empty() {
            let _ = writeln!(out, "// {place}:");
        } else {
            let _ = writeln!(out, "// {place}, in place of {}:", old.join(" and "));
        }
        for value in &g.values {
            let contents = match split_if_long(value).filter(|_| g.first.rtype == RrType::Txt) {
                Some(pieces) => {
                    let quoted: Vec<String> = pieces.iter().map(|p| quote::js(p)).collect();
                    format!("[{}]", quoted.join(", "))
                }
                None => data(value),
            };
            let _ = writeln!(out, "{rtype}({owner}, {contents}, TTL({})),", g.ttl);
        }
    }
    out
}

/// The YAML records of each zone's octodns config (`<zone>.yaml`), zones as separate YAML
/// documents. octodns wants `;` escaped as `\;` in TXT values and splits long values itself.
pub fn octodns(groups: &[Group<'_>]) -> String {
    let mut zones: Vec<&str> = Vec::new();
    for g in groups {
        if !zones.iter().any(|z| z.eq_ignore_ascii_case(g.zone)) {
            zones.push(g.zone);
        }
    }
    let mut out = String::new();
    for (i, zone) in zones.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        let _ = writeln!(out, "# {}.yaml", quote::comment(zone));
        for g in groups.iter().filter(|g| g.zone.eq_ignore_ascii_case(zone)) {
            octodns_record(&mut out, g);
        }
    }
    out
}

fn octodns_record(out: &mut String, g: &Group<'_>) {
    notes(out, "#", &g.notes);
    let value = |v: &str| match g.first.rtype {
        RrType::Txt => quote::yaml(&v.replace(';', "\\;")),
        RrType::Cname => quote::yaml(&format!("{v}.")),
    };
    let removed: Vec<String> = g.removed.iter().map(|v| value(v)).collect();
    let owner = g.relative_owner();
    let key = if owner == "@" { "''".to_owned() } else { yaml_key(&owner) };
    let values = g.whole_set();
    if values.is_empty() {
        let _ = writeln!(
            out,
            "# remove the {} value {} at {key}",
            g.first.rtype.as_str(),
            removed.join(", ")
        );
        return;
    }
    if !removed.is_empty() {
        let _ = writeln!(out, "# in place of {}", removed.join(", "));
    }
    kept_note(out, "#", g, &value);
    let _ = writeln!(out, "{key}:\n  type: {}\n  ttl: {}", g.first.rtype.as_str(), g.ttl);
    match values.as_slice() {
        [one] => {
            let _ = writeln!(out, "  value: {}", value(one));
        }
        many => {
            out.push_str("  values:\n");
            for v in many {
                let _ = writeln!(out, "  - {}", value(v));
            }
        }
    }
}

/// A mapping key: plain when it is an ordinary DNS label sequence, else quoted.
fn yaml_key(name: &str) -> String {
    let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.starts_with(['-', '.']);
    if plain { name.to_owned() } else { quote::yaml(name) }
}

/// Says which of the values written were already there, so a reviewer sees that nothing at
/// the name is lost.
pub(super) fn kept_note(
    out: &mut String,
    marker: &str,
    g: &Group<'_>,
    quote: &dyn Fn(&str) -> String,
) {
    if !g.kept.is_empty() {
        let kept: Vec<String> = g.kept.iter().map(|v| quote(v)).collect();
        let _ = writeln!(out, "{marker} with the values already there: {}", kept.join(", "));
    }
}

fn notes(out: &mut String, marker: &str, notes: &[&str]) {
    for note in notes {
        let _ = writeln!(out, "{marker} {}", quote::comment(note));
    }
}
