//! One SPF term (RFC 7208 §4.6.1, §5, §6): qualifier, mechanism or modifier, target, prefix
//! lengths, and the syntax findings of that term alone. Pure.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::ops::Range;

use super::macros::{self, MacroUse};
use super::{Qualifier, Term, TermKind};
use crate::record::finding::Finding;

/// Parses `piece`, which starts at byte `offset` of the record text.
pub(super) fn parse_term(piece: &str, offset: usize, findings: &mut Vec<Finding>) -> Term {
    let span = offset..offset + piece.len();
    let mut term = Term {
        kind: TermKind::Unknown,
        qualifier: None,
        target: None,
        cidr4: None,
        cidr6: None,
        span,
    };
    if let Some((name, value)) = split_modifier(piece) {
        parse_modifier(&mut term, name, value, findings);
        return term;
    }
    let mut rest = piece;
    if let Some(q) = piece.bytes().next().and_then(Qualifier::from_byte) {
        term.qualifier = Some(q);
        rest = &piece[1..];
    }
    let name_len = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
    let (name, args) = rest.split_at(name_len);
    match name.to_ascii_lowercase().as_str() {
        "all" => term.kind = TermKind::All,
        "include" => term.kind = TermKind::Include,
        "a" => term.kind = TermKind::A,
        "mx" => term.kind = TermKind::Mx,
        "ptr" => term.kind = TermKind::Ptr,
        "ip4" => term.kind = TermKind::Ip4,
        "ip6" => term.kind = TermKind::Ip6,
        "exists" => term.kind = TermKind::Exists,
        _ => {
            findings.push(Finding::error(
                "spf.unknown_mechanism",
                term.span.clone(),
                format!("'{}' is not an SPF mechanism; receivers give permerror", shorten(piece)),
            ));
            return term;
        }
    }
    parse_arguments(&mut term, args, findings);
    term
}

/// `name=value` when the piece is a modifier: a name (ALPHA *(ALPHA / DIGIT / - / _ / .)) and `=`.
fn split_modifier(piece: &str) -> Option<(&str, &str)> {
    let name_len = piece
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        .count();
    let starts_alpha = piece.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
    (starts_alpha && piece.as_bytes().get(name_len) == Some(&b'='))
        .then(|| (&piece[..name_len], &piece[name_len + 1..]))
}

fn parse_modifier(term: &mut Term, name: &str, value: &str, findings: &mut Vec<Finding>) {
    let span = term.span.clone();
    term.target = Some(value.to_string());
    match name.to_ascii_lowercase().as_str() {
        "redirect" => {
            term.kind = TermKind::Redirect;
            check_domain_spec(value, &span, findings);
        }
        "exp" => {
            term.kind = TermKind::Exp;
            check_domain_spec(value, &span, findings);
        }
        other => {
            term.kind = TermKind::OtherModifier(other.to_string());
            findings.push(Finding::info(
                "spf.unknown_modifier",
                span.clone(),
                format!("receivers ignore the unknown modifier '{other}'; is it a typo?"),
            ));
            if let Err(why) = macros::check_macro_string(value) {
                findings.push(invalid_macro(&span, &why));
            }
        }
    }
}

/// Everything after the mechanism name: `:domain-spec`, `/cidr`, `//cidr6`, per mechanism.
fn parse_arguments(term: &mut Term, args: &str, findings: &mut Vec<Finding>) {
    let span = term.span.clone();
    let (target, cidr) = match &term.kind {
        TermKind::Ip4 | TermKind::Ip6 => match args.strip_prefix(':') {
            Some(network) => {
                network.split_once('/').map_or((Some(network), None), |(n, c)| (Some(n), Some(c)))
            }
            None => (None, None),
        },
        _ => {
            let (target, cidr) = macros::split_cidr(args);
            match target.strip_prefix(':') {
                Some(t) => (Some(t), cidr),
                None if target.is_empty() => (None, cidr),
                None => {
                    findings.push(syntax(&span, "expected ':' after the mechanism name"));
                    return;
                }
            }
        }
    };
    term.target = target.map(str::to_string);
    match term.kind {
        TermKind::All => require_nothing(target.is_some() || cidr.is_some(), &span, findings),
        TermKind::Include | TermKind::Exists => {
            require_nothing(cidr.is_some(), &span, findings);
            check_domain_spec(target.unwrap_or(""), &span, findings);
        }
        TermKind::Ptr => {
            require_nothing(cidr.is_some(), &span, findings);
            check_optional_domain(target, &span, findings);
        }
        TermKind::A | TermKind::Mx => {
            check_optional_domain(target, &span, findings);
            if let Some(c) = cidr {
                parse_dual_cidr(term, c, findings);
            }
        }
        TermKind::Ip4 => parse_ip4(term, target, cidr, findings),
        TermKind::Ip6 => parse_ip6(term, target, cidr, findings),
        _ => {}
    }
}

fn require_nothing(present: bool, span: &Range<usize>, findings: &mut Vec<Finding>) {
    if present {
        findings.push(syntax(span, "this mechanism takes no such argument"));
    }
}

fn check_optional_domain(target: Option<&str>, span: &Range<usize>, findings: &mut Vec<Finding>) {
    if let Some(t) = target {
        check_domain_spec(t, span, findings);
    }
}

fn check_domain_spec(spec: &str, span: &Range<usize>, findings: &mut Vec<Finding>) {
    if spec.is_empty() {
        findings.push(Finding::error(
            "spf.empty_target",
            span.clone(),
            "the domain after ':' or '=' is missing; receivers give permerror",
        ));
        return;
    }
    match macros::check_domain_spec(spec) {
        Ok(MacroUse { ptr: true }) => findings.push(Finding::warning(
            "spf.ptr_macro",
            span.clone(),
            "the %{p} macro SHOULD NOT be used (RFC 7208 §7.2): it is slow and unreliable",
        )),
        Ok(MacroUse { ptr: false }) => {}
        Err(macros::SpecError::Macro(why)) => findings.push(invalid_macro(span, &why)),
        Err(macros::SpecError::Domain(why)) => findings.push(Finding::error(
            "spf.invalid_domain",
            span.clone(),
            format!("'{}' is not a valid domain: {why}", shorten(spec)),
        )),
    }
}

/// `/n`, `//n6` or `/n//n6` after `a` or `mx` (RFC 7208 §5.6).
fn parse_dual_cidr(term: &mut Term, cidr: &str, findings: &mut Vec<Finding>) {
    let (v4, v6) = if let Some(v6) = cidr.strip_prefix("//") {
        (None, Some(v6))
    } else {
        let rest = &cidr[1..];
        rest.split_once("//").map_or((Some(rest), None), |(a, b)| (Some(a), Some(b)))
    };
    term.cidr4 = v4.and_then(|c| prefix_len(c, 32));
    term.cidr6 = v6.and_then(|c| prefix_len(c, 128));
    if term.cidr4.is_none() != v4.is_none() || term.cidr6.is_none() != v6.is_none() {
        findings.push(invalid_cidr(&term.span, cidr));
    }
}

fn parse_ip4(term: &mut Term, net: Option<&str>, cidr: Option<&str>, findings: &mut Vec<Finding>) {
    if net.is_none_or(|n| n.parse::<Ipv4Addr>().is_err()) {
        findings.push(Finding::error(
            "spf.invalid_ip4",
            term.span.clone(),
            "ip4 needs a dotted IPv4 address, e.g. ip4:192.0.2.0/24",
        ));
    }
    if let Some(c) = cidr {
        term.cidr4 = prefix_len(c, 32);
        if term.cidr4.is_none() {
            findings.push(invalid_cidr(&term.span, c));
        }
    }
}

fn parse_ip6(term: &mut Term, net: Option<&str>, cidr: Option<&str>, findings: &mut Vec<Finding>) {
    if net.is_none_or(|n| n.parse::<Ipv6Addr>().is_err()) {
        findings.push(Finding::error(
            "spf.invalid_ip6",
            term.span.clone(),
            "ip6 needs an IPv6 address, e.g. ip6:2001:db8::/32",
        ));
    }
    if let Some(c) = cidr {
        term.cidr6 = prefix_len(c, 128);
        if term.cidr6.is_none() {
            findings.push(invalid_cidr(&term.span, c));
        }
    }
}

/// A prefix length without leading zeros, at most `max`.
fn prefix_len(text: &str, max: u8) -> Option<u8> {
    let ok = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    ok.then(|| text.parse::<u8>().ok()).flatten().filter(|n| *n <= max)
}

fn invalid_cidr(span: &Range<usize>, cidr: &str) -> Finding {
    Finding::error(
        "spf.invalid_cidr",
        span.clone(),
        format!("'{}' is not a valid prefix length (0-32 for IPv4, 0-128 for IPv6)", shorten(cidr)),
    )
}

fn invalid_macro(span: &Range<usize>, why: &str) -> Finding {
    Finding::error(
        "spf.invalid_macro",
        span.clone(),
        format!("bad macro: {why}; receivers give permerror"),
    )
}

fn syntax(span: &Range<usize>, why: &str) -> Finding {
    Finding::error("spf.syntax", span.clone(), format!("{why}; receivers give permerror"))
}

/// At most 40 characters of a term, for messages.
fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}
