//! The findings about a parsed DMARC record that the text alone decides (catalogue §5.1–5.3 of
//! the standards digest): unknown tags, case, order, length, missing tags, and policy
//! combinations that do less than they seem to under RFC 7489 or RFC 9989 receivers. Report
//! URIs are judged in `report_uri`. Pure.

use std::ops::Range;

use super::dmarc::{DmarcRecord, Policy, Psd, Tag};
use super::finding::Finding;
use super::parse::ParsedTag;
use super::render::{MAX_CHARACTER_STRING, floor_char_boundary};

/// Findings about single tags: unknown names, case, position of `p`, historic tags.
pub(crate) fn tag_findings(tags: &[ParsedTag], out: &mut Vec<Finding>) {
    if let Some(v) = tags.first().filter(|t| t.is_version() && t.name == "V") {
        out.push(Finding::info(
            "dmarc.uppercase",
            v.span.start..v.span.start + 1,
            "write 'v=DMARC1' with a lowercase v: tag names are case-insensitive, but some \
             receivers compare the prefix exactly"
                .to_owned(),
        ));
    }
    for parsed in tags.iter().skip(1) {
        let name_span = parsed.span.start..parsed.span.start + parsed.name.len();
        if parsed.is_unknown() {
            out.push(unknown_tag(parsed, name_span));
            continue;
        }
        if parsed.is_version() {
            continue;
        }
        let uri_valued = matches!(parsed.tag, Some(Tag::Rua | Tag::Ruf));
        let upper = |s: &str| s.bytes().any(|b| b.is_ascii_uppercase());
        if upper(&parsed.name) || (!uri_valued && upper(&parsed.value)) {
            out.push(Finding::info(
                "dmarc.uppercase",
                parsed.span.clone(),
                format!(
                    "write '{}={}' in lowercase: receivers differ on case",
                    parsed.name.to_ascii_lowercase(),
                    parsed.value.to_ascii_lowercase()
                ),
            ));
        }
        if matches!(parsed.tag, Some(Tag::Rf | Tag::Ri)) {
            out.push(Finding::warning(
                "dmarc.historic_tag",
                parsed.span.clone(),
                format!(
                    "'{}' was removed by RFC 9989 and is ignored by its receivers: remove it",
                    parsed.name
                ),
            ));
        }
    }
    let p = tags.iter().position(|t| t.tag == Some(Tag::P));
    if let Some(i) = p.filter(|&i| i != 1) {
        out.push(Finding::warning(
            "dmarc.p_not_second",
            tags[i].span.clone(),
            "RFC 7489 requires p right after v=DMARC1 (RFC 9989 allows any order): move it there",
        ));
    }
}

fn unknown_tag(parsed: &ParsedTag, name_span: Range<usize>) -> Finding {
    let name = &parsed.name;
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Finding::error(
            "dmarc.bad_tag_name",
            name_span,
            format!("'{name}' is not a tag name (letters only): fix or remove this tag"),
        );
    }
    let advice = match suggestions(&name.to_ascii_lowercase()).as_slice() {
        [] => "check the spelling or remove it".to_owned(),
        [one] => format!("did you mean '{one}'?"),
        many => format!("did you mean '{}'?", many.join("' or '")),
    };
    Finding::warning(
        "dmarc.unknown_tag",
        name_span,
        format!("unknown tag '{name}' is ignored by receivers: {advice}"),
    )
}

/// Known tags close enough to be the intended one: edit distance 1, or 2 when both are at
/// least 3 letters (short names are all within 2 of each other).
fn suggestions(name: &str) -> Vec<&'static str> {
    let scored: Vec<(usize, &'static str)> = Tag::ALL
        .into_iter()
        .map(|t| (edit_distance(name, t.name()), t.name()))
        .filter(|&(d, known)| d <= 1 || (d == 2 && name.len() >= 3 && known.len() >= 3))
        .collect();
    let best = scored.iter().map(|&(d, _)| d).min();
    scored.into_iter().filter(|&(d, _)| Some(d) == best).map(|(_, n)| n).collect()
}

/// Optimal string alignment distance: Levenshtein plus adjacent swaps (`rau` is 1 from `rua`).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Findings about what the record as a whole does (catalogue §5.1 8, 14; §5.2; §5.3).
pub(crate) fn record_findings(
    record: &DmarcRecord,
    tags: &[ParsedTag],
    text: &str,
    out: &mut Vec<Finding>,
) {
    let len = text.len();
    let span = |tag: Tag| tags.iter().find(|t| t.tag == Some(tag)).map(|t| t.span.clone());
    if len > MAX_CHARACTER_STRING {
        out.push(Finding::warning(
            "dmarc.too_long",
            floor_char_boundary(text, MAX_CHARACTER_STRING)..len,
            format!(
                "the record is {len} bytes, over the 255 a TXT string can hold: publish it as \
                 several quoted strings (receivers join them without a separator) and check \
                 that your DNS provider keeps them together"
            ),
        ));
    }
    if span(Tag::P).is_none() {
        out.push(Finding::error(
            "dmarc.p_missing",
            len..len,
            "no p tag: RFC 7489 receivers then apply no DMARC (or p=none if rua has a valid \
             address), RFC 9989 receivers read p=none; add p=none right after v=DMARC1",
        ));
    }
    pct_findings(record, span(Tag::Pct), out);
    t_findings(record, span(Tag::T), out);
    policy_findings(record, &span, len, out);
    report_findings(record, &span, len, out);
}

fn pct_findings(record: &DmarcRecord, at: Option<Range<usize>>, out: &mut Vec<Finding>) {
    let (Some(pct), Some(at)) = (record.pct, at) else { return };
    let p = record.p.unwrap_or(Policy::None);
    let enforcing = p != Policy::None || record.sp.is_some_and(|sp| sp != Policy::None);
    if pct < 100 && !enforcing {
        out.push(Finding::warning(
            "dmarc.pct_no_effect",
            at.clone(),
            format!("pct={pct} has no effect with p=none: remove it"),
        ));
        return;
    }
    if (1..100).contains(&pct) {
        out.push(Finding::warning(
            "dmarc.pct_partial",
            at.clone(),
            format!(
                "pct={pct}: RFC 7489 receivers apply p={p} to about {pct}% of failing mail and \
                 {} to the rest, but RFC 9989 receivers ignore pct and apply p={p} to all of \
                 it; to test, use pct=0 with t=y instead",
                p.one_below()
            ),
        ));
    }
    if p == Policy::Reject && pct < 100 {
        out.push(Finding::info(
            "dmarc.pct_reject_rest_quarantined",
            at.clone(),
            format!(
                "with p=reject and pct={pct}, RFC 7489 receivers quarantine the failing mail \
                 they do not reject: none of it is simply delivered"
            ),
        ));
    }
    if pct == 0 && record.t != Some(true) {
        out.push(Finding::warning(
            "dmarc.pct0_without_t",
            at,
            "pct=0 only holds back RFC 7489 receivers: add t=y so RFC 9989 receivers also \
             apply one level below p",
        ));
    }
}

fn t_findings(record: &DmarcRecord, at: Option<Range<usize>>, out: &mut Vec<Finding>) {
    let (Some(true), Some(at)) = (record.t, at) else { return };
    let p = record.p.unwrap_or(Policy::None);
    let sp = record.sp.unwrap_or(p);
    let all_none = [p, sp, record.np.unwrap_or(sp)].iter().all(|&x| x == Policy::None);
    if all_none {
        out.push(Finding::warning(
            "dmarc.t_no_effect",
            at,
            "t=y has no effect when p, sp and np are all none: remove it",
        ));
    } else if record.pct != Some(0) {
        out.push(Finding::warning(
            "dmarc.t_without_pct0",
            at,
            "t=y only holds back RFC 9989 receivers: add pct=0 so RFC 7489 receivers also \
             apply one level below p",
        ));
    }
}

fn policy_findings(
    record: &DmarcRecord,
    span: &impl Fn(Tag) -> Option<Range<usize>>,
    len: usize,
    out: &mut Vec<Finding>,
) {
    if let (Some(p), Some(sp), Some(at)) = (record.p, record.sp, span(Tag::Sp))
        && sp < p
    {
        out.push(Finding::warning(
            "dmarc.sp_weaker",
            at,
            format!("sp={sp} is weaker than p={p}, which leaves subdomains open: use sp={p}"),
        ));
    }
    if let Some(p) = record.p
        && span(Tag::Np).is_none()
        && record.sp.unwrap_or(p) != Policy::Reject
    {
        out.push(Finding::info(
            "dmarc.np_missing",
            len..len,
            "add np=reject: subdomains that do not exist never send mail, and RFC 7489 \
             receivers ignore the tag",
        ));
    }
    if let (Some(Psd::Yes), Some(at)) = (record.psd, span(Tag::Psd)) {
        out.push(Finding::warning(
            "dmarc.psd_yes",
            at,
            "psd=y is only for public suffix operators (such as a TLD): remove it unless \
             this is one",
        ));
    }
}

fn report_findings(
    record: &DmarcRecord,
    span: &impl Fn(Tag) -> Option<Range<usize>>,
    len: usize,
    out: &mut Vec<Finding>,
) {
    if span(Tag::Rua).is_none() {
        out.push(Finding::warning(
            "dmarc.rua_missing",
            len..len,
            "no rua: you get no aggregate reports, and an invalid p cannot fall back to \
             p=none; add rua=mailto:<your report address>",
        ));
    }
    if let Some(at) = span(Tag::Fo).filter(|_| record.ruf.is_empty()) {
        out.push(Finding::info(
            "dmarc.fo_without_ruf",
            at,
            "fo is ignored without a valid ruf: remove it or add ruf",
        ));
    }
    if let Some(at) = span(Tag::Ruf) {
        out.push(Finding::info(
            "dmarc.ruf_rarely_sent",
            at,
            "Microsoft 365 and many other receivers never send failure reports: rely on rua",
        ));
    }
}

/// The name of a tag swallowed into a value because a `;` is missing (`reject rua=…`).
pub(crate) fn swallowed_tag(value: &str) -> Option<&str> {
    value.split([' ', '\t']).skip(1).find_map(|word| {
        let (name, _) = word.split_once('=')?;
        Tag::from_name(&name.to_ascii_lowercase()).map(Tag::name)
    })
}

/// What receivers do when a tag's value is invalid, appended to the finding's message.
pub(crate) fn consequence(tag: Tag) -> String {
    match tag {
        Tag::P | Tag::Sp | Tag::Np => " (receivers then apply p=none if rua has a valid \
                                        address, otherwise no DMARC at all)"
            .to_owned(),
        _ => format!(
            " (receivers disagree: RFC 7489 §6.3 lets them ignore it and use the default for \
             {tag}, but OpenDMARC, which many receivers run, rejects the whole record, so the \
             domain has no DMARC there)"
        ),
    }
}
