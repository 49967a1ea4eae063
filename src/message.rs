//! Proof from a sent message: the receiver's `Authentication-Results` (RFC 8601), and the
//! `ARC-Authentication-Results` of each hop when it was forwarded (RFC 8617), read per method
//! (SPF, each DKIM signature, DMARC) with whether each identifier aligns with the From domain,
//! relaxed (same organizational domain, RFC 7489 §3.1) and strict (the same name). With a
//! plan, [`plan::judge`] names the sender it came through and whether it passes at the next
//! phase. Pure: the message is bytes; all of it is hostile, and nothing here prints.

mod authres;
mod headers;
pub mod plan;

use crate::name::DnsName;
use serde::Serialize;

pub use authres::{AuthResults, MAX_RESULTS, ResInfo, parse as parse_auth_results};
pub use headers::{Field, MAX_HEADER_BYTES, fields};

/// ARC hops kept; RFC 8617 §5.1.1.1 allows at most 50 instances.
const MAX_HOPS: usize = 50;

/// Whether an identifier aligns with the From domain, in each mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Aligned {
    /// Same organizational domain (the Public Suffix List, as RFC 7489 receivers find it).
    pub relaxed: bool,
    /// The very same name.
    pub strict: bool,
}

/// One method's result as the receiver wrote it, with its identifier and alignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Method {
    /// Lower-case, as written (`pass`, `fail`, `softfail`, `none`, `temperror`…).
    pub result: String,
    /// SPF: the `smtp.mailfrom` domain (or `smtp.helo`); DKIM: `header.d` (or the domain of
    /// `header.i`); DMARC: `header.from`.
    pub domain: Option<String>,
    /// DKIM: `header.s`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    pub aligned: Aligned,
}

impl Method {
    pub fn passes(&self) -> bool {
        self.result == "pass"
    }
}

/// The results one receiver (or one ARC hop) wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Results {
    /// `Authentication-Results` or `ARC-Authentication-Results`.
    pub header: &'static str,
    pub authserv_id: Option<String>,
    /// The ARC instance, for an ARC hop.
    pub instance: Option<u32>,
    pub spf: Option<Method>,
    pub dkim: Vec<Method>,
    pub dmarc: Option<Method>,
    /// `arc=` as the receiver judged the chain, when it wrote it.
    pub arc: Option<String>,
}

impl Results {
    /// An identifier (SPF or a DKIM signature) that passed and aligns in the given modes.
    pub fn aligned_pass(&self, strict_dkim: bool, strict_spf: bool) -> Option<&'static str> {
        let aligned = |m: &Method, strict: bool| {
            m.passes() && if strict { m.aligned.strict } else { m.aligned.relaxed }
        };
        if self.dkim.iter().any(|m| aligned(m, strict_dkim)) {
            Some("DKIM")
        } else if self.spf.as_ref().is_some_and(|m| aligned(m, strict_spf)) {
            Some("SPF")
        } else {
            None
        }
    }
}

/// What the message shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// DMARC passes with an aligned identifier.
    Pass,
    /// DMARC fails, or nothing aligned passed.
    Fail,
    /// The headers hold no receiver's results.
    NoResults,
}

/// A message's authentication, as its receiver recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The RFC5322.From domain, lower-case.
    pub from: Option<String>,
    /// The receiver's results: the topmost `Authentication-Results`, or without one the last
    /// ARC hop's.
    pub receiver: Option<Results>,
    /// Each ARC hop's results, first hop first (forwarded mail).
    pub arc: Vec<Results>,
    pub verdict: Verdict,
    /// What the reader should know: several From fields, results without DMARC…
    pub notes: Vec<String>,
}

/// Reads a raw message (or pasted headers) and judges its authentication.
pub fn verify(raw: &[u8]) -> Verification {
    let all = fields(raw);
    let named = |name: &'static str| all.iter().filter(move |f| f.name.eq_ignore_ascii_case(name));
    let mut notes = Vec::new();
    let froms: Vec<&Field> = named("From").collect();
    if froms.len() > 1 {
        notes.push(format!(
            "{} From fields: receivers reject or ignore such a message (RFC 7489 §6.6.1)",
            froms.len()
        ));
    }
    let from_field = froms.first().and_then(|f| from_domain(&f.value));
    let first = named("Authentication-Results").next().map(|f| authres::parse(&f.value, false));
    let mut hops: Vec<AuthResults> = named("ARC-Authentication-Results")
        .take(MAX_HOPS)
        .map(|f| authres::parse(&f.value, true))
        .collect();
    hops.sort_by_key(|h| h.instance.unwrap_or(u32::MAX));
    // Without a From field, the domain DMARC was evaluated for stands in.
    let from = from_field.or_else(|| {
        first.iter().chain(hops.iter().rev()).find_map(|r| {
            r.results
                .iter()
                .find(|i| i.method == "dmarc")
                .and_then(|i| i.prop("header.from"))
                .map(|d| DnsName::lenient(d).into())
        })
    });
    let signatures = signatures(named("DKIM-Signature"));
    let view = |r: &AuthResults, header| results(r, header, from.as_deref(), &signatures);
    let arc: Vec<Results> = hops.iter().map(|h| view(h, "ARC-Authentication-Results")).collect();
    let receiver = match &first {
        Some(r) => Some(view(r, "Authentication-Results")),
        None => arc.last().cloned(),
    };
    let verdict = match &receiver {
        None => Verdict::NoResults,
        Some(r) if r.spf.is_none() && r.dkim.is_empty() && r.dmarc.is_none() => Verdict::NoResults,
        Some(r) => judge(r, &mut notes),
    };
    if verdict == Verdict::Fail && first.is_some() {
        notes.extend(failed_after_forwarding(&arc));
    }
    Verification { from, receiver, arc, verdict, notes }
}

/// A message that fails at its receiver but passed DMARC at the first ARC hop: forwarding, not
/// the sender, broke it.
fn failed_after_forwarding(arc: &[Results]) -> Option<String> {
    let hop = arc.first().filter(|h| h.dmarc.as_ref().is_some_and(Method::passes))?;
    Some(format!(
        "ARC hop i={} ({}) saw dmarc=pass: the message failed after forwarding, not at its sender",
        hop.instance.unwrap_or(1),
        hop.authserv_id.as_deref().unwrap_or("unnamed")
    ))
}

/// Pass: DMARC passed (or was not evaluated) and an identifier passed aligned, relaxed.
fn judge(r: &Results, notes: &mut Vec<String>) -> Verdict {
    let aligned = r.aligned_pass(false, false).is_some();
    match &r.dmarc {
        Some(d) if d.passes() && aligned => Verdict::Pass,
        Some(d) if d.passes() => {
            notes.push(
                "dmarc=pass, but no identifier that passed aligns with the From domain".to_owned(),
            );
            Verdict::Fail
        }
        Some(_) => Verdict::Fail,
        None => {
            notes.push(
                "the receiver wrote no DMARC result; the verdict follows the aligned identifiers"
                    .to_owned(),
            );
            if aligned { Verdict::Pass } else { Verdict::Fail }
        }
    }
}

/// The `(d=, s=)` of each DKIM-Signature field (RFC 6376 §3.5), lower-case, at most
/// [`MAX_HOPS`]: where a receiver names no selector (Microsoft 365 does not), the signature
/// with that `d=` does, when there is one.
fn signatures<'a>(fields: impl Iterator<Item = &'a Field>) -> Vec<(String, String)> {
    fields
        .take(MAX_HOPS)
        .filter_map(|f| {
            let tag = |name: &str| {
                f.value.split(';').find_map(|t| {
                    let (k, v) = t.split_once('=')?;
                    (k.trim() == name).then(|| v.split_whitespace().collect::<String>())
                })
            };
            Some((DnsName::lenient(&tag("d")?).into(), tag("s")?.to_ascii_lowercase()))
        })
        .collect()
}

/// The selector of the only signature with domain `d`.
fn selector_of(signatures: &[(String, String)], d: &str) -> Option<String> {
    let mut of_d = signatures.iter().filter(|(sd, _)| sd == d).map(|(_, s)| s);
    let first = of_d.next()?;
    of_d.all(|s| s == first).then(|| first.clone())
}

/// One field's results per method, against the From domain.
fn results(
    r: &AuthResults,
    header: &'static str,
    from: Option<&str>,
    signatures: &[(String, String)],
) -> Results {
    let method = |info: &ResInfo, domain: Option<String>, selector| Method {
        result: info.result.clone(),
        aligned: align(domain.as_deref(), from),
        domain,
        selector,
    };
    let of = |name: &'static str| r.results.iter().filter(move |i| i.method == name);
    let spf = of("spf").next().map(|i| {
        let id = i.prop("smtp.mailfrom").or_else(|| i.prop("smtp.helo"));
        method(i, id.map(domain_of), None)
    });
    let dkim = of("dkim")
        .map(|i| {
            let d = i
                .prop("header.d")
                .map(|d| DnsName::lenient(d).into())
                .or_else(|| i.prop("header.i").map(domain_of));
            let s = i.prop("header.s").map(str::to_owned);
            let s = s.or_else(|| d.as_deref().and_then(|d| selector_of(signatures, d)));
            method(i, d, s)
        })
        .collect();
    let dmarc = of("dmarc")
        .next()
        .map(|i| method(i, i.prop("header.from").map(|d| DnsName::lenient(d).into()), None));
    Results {
        header,
        authserv_id: r.authserv_id.clone(),
        instance: r.instance,
        spf,
        dkim,
        dmarc,
        arc: of("arc").next().map(|i| i.result.clone()),
    }
}

/// Relaxed: the same organizational domain; strict: the same name (RFC 7489 §3.1).
pub fn align(identifier: Option<&str>, from: Option<&str>) -> Aligned {
    let (Some(id), Some(from)) = (identifier, from) else { return Aligned::default() };
    if id.is_empty() || from.is_empty() {
        return Aligned::default();
    }
    Aligned {
        relaxed: DnsName::lenient(id).organizational() == DnsName::lenient(from).organizational(),
        strict: id == from,
    }
}

/// `user@Example.COM.` and `@example.com` -> `example.com`; a bare domain stays.
fn domain_of(identity: &str) -> String {
    DnsName::lenient(identity.rsplit_once('@').map_or(identity, |(_, d)| d)).into()
}

/// The domain of a From field's address: inside the last `<…>` outside quotes and comments,
/// or the whole value; `None` when it holds no domain name.
pub fn from_domain(value: &str) -> Option<String> {
    let mut address = String::new();
    let (mut depth, mut in_quote, mut in_angle) = (0usize, false, false);
    let mut bare = String::new();
    for c in value.chars() {
        match c {
            '"' if depth == 0 => in_quote = !in_quote,
            '(' if !in_quote => depth += 1,
            ')' if !in_quote && depth > 0 => depth -= 1,
            '<' if !in_quote && depth == 0 => {
                in_angle = true;
                address.clear();
            }
            '>' if in_angle => in_angle = false,
            _ if depth > 0 || in_quote => {}
            _ if in_angle => address.push(c),
            _ => bare.push(c),
        }
    }
    let address = if address.is_empty() { bare } else { address };
    let domain = String::from(DnsName::lenient(address.rsplit_once('@')?.1));
    let valid = !domain.is_empty()
        && domain.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_');
    valid.then_some(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_from_domain_is_the_address_domain_past_display_names_and_comments() {
        let cases = [
            (" Alice <alice@Contoso.Example>", Some("contoso.example")),
            (" \"Bob <bob@evil.test>\" <bob@good.test>", Some("good.test")),
            (" carol@mail.example.com (Carol <x@y.test>)", Some("mail.example.com")),
            (" =?utf-8?q?D=C3=A9?= <d@example.org.>", Some("example.org")),
            (" undisclosed-recipients:;", None),
            (" <a@bad domain.test>", None),
        ];
        for (value, want) in cases {
            assert_eq!(from_domain(value).as_deref(), want, "{value}");
        }
    }

    #[test]
    fn alignment_is_relaxed_by_organizational_domain_and_strict_by_name() {
        let cases = [
            ("example.com", "example.com", true, true),
            ("mail.example.com", "example.com", true, false),
            ("example.co.uk", "other.co.uk", false, false),
            ("bnc.salesforce.com", "example.com", false, false),
            ("", "example.com", false, false),
        ];
        for (id, from, relaxed, strict) in cases {
            assert_eq!(align(Some(id), Some(from)), Aligned { relaxed, strict }, "{id} vs {from}");
        }
    }
}
