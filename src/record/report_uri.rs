//! Report URIs in `rua` and `ruf` (RFC 7489 §6.2–6.4, RFC 9990, RFC 9991): which ones receivers
//! can use, and the findings about the others. Pure.

use std::ops::Range;

use super::dmarc::{DmarcRecord, Tag};
use super::finding::Finding;
use super::parse::ParsedTag;
use crate::name::DnsName;

/// Checks each URI of a `rua`/`ruf` value and returns the ones receivers can keep.
pub(crate) fn uri_findings(parsed: &ParsedTag, tag: Tag, out: &mut Vec<Finding>) -> Vec<String> {
    let mut kept = Vec::new();
    let mut start = parsed.value_span.start;
    let pieces: Vec<&str> = parsed.value.split(',').collect();
    let listed = pieces.iter().filter(|u| !u.trim().is_empty()).count();
    if listed > 2 {
        out.push(Finding::warning(
            "dmarc.too_many_uris",
            parsed.value_span.clone(),
            format!(
                "{tag} lists {listed} URIs but RFC 7489 receivers need only send to two: keep two"
            ),
        ));
    }
    for piece in pieces {
        let lead = piece.len() - piece.trim_start().len();
        let uri = piece.trim();
        let at = start + lead..start + lead + uri.len();
        start += piece.len() + 1;
        if DmarcRecord::default().set(tag, uri).is_ok() {
            kept.push(uri.to_owned());
        }
        match check_uri(uri) {
            Ok(None) => {}
            Ok(Some(bang)) => out.push(Finding::warning(
                "dmarc.report_size",
                at.start + bang..at.end,
                format!(
                    "the size limit '{}' is obsolete in RFC 9989 and can cut reports short: \
                     remove it",
                    &uri[bang..]
                ),
            )),
            Err(problem) => out.push(problem.finding(tag, uri, at)),
        }
    }
    kept
}

/// Why a report URI is unusable.
enum UriProblem {
    NotMailto,
    Malformed(String),
}

impl UriProblem {
    fn finding(self, tag: Tag, uri: &str, at: Range<usize>) -> Finding {
        match self {
            // Both RFCs let receivers skip URIs they do not support, so this costs reports,
            // not the record.
            Self::NotMailto => Finding::warning(
                "dmarc.report_uri_not_mailto",
                at,
                format!(
                    "{tag} '{uri}' is not a mailto: URI; receivers ignore schemes they do not \
                     support (RFC 7489 §6.2), so no reports arrive through it: use mailto:address"
                ),
            ),
            Self::Malformed(why) => {
                Finding::error("dmarc.report_uri_malformed", at, format!("{tag} '{uri}' {why}"))
            }
        }
    }
}

/// A usable report address: `mailto:local@domain`, optionally with a `!size` suffix.
pub(crate) fn is_valid_mailto(uri: &str) -> bool {
    check_uri(uri).is_ok()
}

/// `Ok(Some(i))` when the URI is fine but carries a `!size` suffix starting at byte `i`.
fn check_uri(uri: &str) -> Result<Option<usize>, UriProblem> {
    if DmarcRecord::default().set(Tag::Rua, uri).is_err() {
        let why = if uri.is_empty() {
            "is empty: remove the extra ','".to_owned()
        } else if uri.contains('@') && !uri.contains(':') {
            format!("lacks the scheme: write mailto:{uri}")
        } else if uri.contains(char::is_whitespace) {
            "contains whitespace: separate URIs with ','".to_owned()
        } else {
            "is not a URI: write mailto:address".to_owned()
        };
        return Err(UriProblem::Malformed(why));
    }
    let Some((scheme, rest)) = uri.split_once(':') else {
        return Err(UriProblem::Malformed("is not a URI: write mailto:address".to_owned()));
    };
    if !scheme.eq_ignore_ascii_case("mailto") {
        return Err(UriProblem::NotMailto);
    }
    let (address, bang) = match rest.rfind('!') {
        Some(i) if is_size(&rest[i + 1..]) => (&rest[..i], Some(scheme.len() + 1 + i)),
        Some(_) => {
            let why = "has a '!' that is not a size suffix: percent-encode it as %21";
            return Err(UriProblem::Malformed(why.to_owned()));
        }
        None => (rest, None),
    };
    let address = address.split('?').next().unwrap_or_default();
    if is_address(address) {
        Ok(bang)
    } else {
        Err(UriProblem::Malformed(format!("has no valid address: '{address}' is not user@domain")))
    }
}

/// RFC 7489 §6.4: `1*DIGIT [ "k" / "m" / "g" / "t" ]`, fitting 64 bits.
fn is_size(s: &str) -> bool {
    let digits = s.strip_suffix(['k', 'm', 'g', 't', 'K', 'M', 'G', 'T']).unwrap_or(s);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.parse::<u64>().is_ok()
}

fn is_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else { return false };
    !local.is_empty() && !local.contains('@') && DnsName::parse(domain).is_ok()
}
