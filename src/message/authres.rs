//! The value of an `Authentication-Results` field (RFC 8601 §2.2) or an
//! `ARC-Authentication-Results` field (RFC 8617 §4.1.1): the receiver's id and, per method,
//! the result, the reason and the properties (`smtp.mailfrom`, `header.d`…). Lenient where real
//! receivers deviate (Microsoft 365 writes no authserv-id; `action=none` has no property type),
//! bounded, never panicking. Pure.

/// Results kept per field; a receiver writes a handful.
pub const MAX_RESULTS: usize = 64;
/// Properties kept per result.
const MAX_PROPS: usize = 16;

/// One field's results.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthResults {
    /// The receiver that wrote them; `None` when it wrote no id (Microsoft 365 does not).
    pub authserv_id: Option<String>,
    /// The ARC instance (`i=`), for `ARC-Authentication-Results`.
    pub instance: Option<u32>,
    pub results: Vec<ResInfo>,
}

/// One method's result (`dkim=pass header.d=example.com header.s=s1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResInfo {
    /// Lower-case, without a version (`dkim`, `spf`, `dmarc`, `arc`…).
    pub method: String,
    /// Lower-case (`pass`, `fail`, `softfail`, `none`, `temperror`…).
    pub result: String,
    pub reason: Option<String>,
    /// `(ptype.property, value)`, the name lower-case (`header.d`, `smtp.mailfrom`).
    pub props: Vec<(String, String)>,
}

impl ResInfo {
    /// The value of `ptype.property`, when written.
    pub fn prop(&self, name: &str) -> Option<&str> {
        self.props.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Parses a field value; `arc` for `ARC-Authentication-Results`, which starts with `i=N;`.
pub fn parse(value: &str, arc: bool) -> AuthResults {
    let text = strip_comments(value);
    let mut segments = split_outside_quotes(&text, ';').into_iter().map(str::trim);
    let mut out = AuthResults::default();
    let mut first = segments.next();
    if arc {
        out.instance = first.and_then(|s| s.strip_prefix("i=")).and_then(|n| n.trim().parse().ok());
        first = segments.next();
    }
    // The authserv-id (and an optional version), unless the receiver went straight to results.
    if let Some(head) = first {
        if head.contains('=') {
            out.results.extend(resinfo(head));
        } else {
            out.authserv_id = head.split_whitespace().next().map(str::to_owned);
        }
    }
    for segment in segments {
        if out.results.len() == MAX_RESULTS {
            break;
        }
        out.results.extend(resinfo(segment));
    }
    out
}

/// `method[/version]=result [reason=…] [ptype.property=value]…`; `None` for `none` or noise.
fn resinfo(segment: &str) -> Option<ResInfo> {
    let mut pairs = pairs(segment).into_iter();
    let (method, result) = pairs.next()?;
    let method = method.split('/').next().unwrap_or_default().trim().to_ascii_lowercase();
    if method.is_empty() || result.is_empty() {
        return None;
    }
    let mut info =
        ResInfo { method, result: result.to_ascii_lowercase(), reason: None, props: Vec::new() };
    for (key, value) in pairs {
        let key = key.to_ascii_lowercase();
        if key == "reason" {
            info.reason = Some(value);
        } else if key.contains('.') && info.props.len() < MAX_PROPS {
            info.props.push((key, value));
        }
    }
    Some(info)
}

/// The `key=value` pairs of a segment, blanks around `=` allowed (CFWS, RFC 8601 §2.2), quoted
/// values unquoted.
fn pairs(segment: &str) -> Vec<(String, String)> {
    let mut tight = String::with_capacity(segment.len());
    let mut in_quote = false;
    let mut chars = segment.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => in_quote = !in_quote,
            '\\' if in_quote => {
                tight.push(c);
                if let Some(next) = chars.next() {
                    tight.push(next);
                }
                continue;
            }
            '=' if !in_quote => {
                while tight.ends_with([' ', '\t']) {
                    tight.pop();
                }
                tight.push('=');
                while chars.next_if(|c| *c == ' ' || *c == '\t').is_some() {}
                continue;
            }
            _ => {}
        }
        tight.push(c);
    }
    split_outside_quotes(&tight, ' ')
        .into_iter()
        .flat_map(|t| split_outside_quotes(t, '\t'))
        .filter_map(|token| token.split_once('='))
        .map(|(k, v)| (k.to_owned(), unquote(v)))
        .collect()
}

fn unquote(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return value.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' { chars.next().unwrap_or(c) } else { c });
    }
    out
}

/// The text with every comment (nested parentheses, RFC 5322 §3.2.2) turned into a blank;
/// quoted strings are kept as they are.
fn strip_comments(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let (mut depth, mut in_quote) = (0usize, false);
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_quote || depth > 0 => {
                let next = chars.next();
                if depth == 0 {
                    out.push(c);
                    out.extend(next);
                }
            }
            '"' if depth == 0 => {
                in_quote = !in_quote;
                out.push(c);
            }
            '(' if !in_quote => depth += 1,
            ')' if !in_quote && depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(' ');
                }
            }
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

/// Splits on `sep` where it is not inside a quoted string; empty pieces dropped.
fn split_outside_quotes(text: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut in_quote, mut escaped) = (0, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quote => escaped = true,
            '"' => in_quote = !in_quote,
            c if c == sep && !in_quote => {
                out.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(r: &AuthResults) -> Vec<String> {
        r.results
            .iter()
            .map(|i| {
                let props: Vec<String> = i.props.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{}={} {}", i.method, i.result, props.join(" "))
            })
            .collect()
    }

    /// (field value, ARC, authserv-id, instance, `method=result props` per result)
    type Case = (&'static str, bool, Option<&'static str>, Option<u32>, &'static [&'static str]);

    #[test]
    fn results_are_read_with_comments_quotes_versions_and_odd_spacing() {
        #[rustfmt::skip]
        let cases: &[Case] = &[
            (" mx.google.com;\r\n dkim=pass header.i=@example.com header.s=s1 header.b=Ab12;\r\n spf=pass (google.com: domain of a@example.com designates 192.0.2.1 as permitted sender) smtp.mailfrom=a@example.com;\r\n dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com",
                false, Some("mx.google.com"), None,
                &["dkim=pass header.i=@example.com header.s=s1 header.b=Ab12", "spf=pass smtp.mailfrom=a@example.com", "dmarc=pass header.from=example.com"]),
            (" spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=contoso.example; dkim=pass (signature was verified) header.d=contoso.example;dmarc=pass action=none header.from=contoso.example;compauth=pass reason=100",
                false, None, None,
                &["spf=pass smtp.mailfrom=contoso.example", "dkim=pass header.d=contoso.example", "dmarc=pass header.from=contoso.example", "compauth=pass "]),
            (" i=2; mx.example.net 1; arc=pass (i=1 spf=pass); dkim/1 = PASS header.d = \"a;b.example\"",
                true, Some("mx.example.net"), Some(2), &["arc=pass ", "dkim=pass header.d=a;b.example"]),
            (" mx.example.net; none", false, Some("mx.example.net"), None, &[]),
            (" mx.(nested (comment)) ; spf=fail (unclosed", false, Some("mx."), None, &["spf=fail "]),
        ];
        for (value, arc, id, instance, want) in cases {
            let r = parse(value, *arc);
            assert_eq!(r.authserv_id.as_deref(), *id, "{value}");
            assert_eq!(r.instance, *instance, "{value}");
            assert_eq!(summary(&r), *want, "{value}");
        }
    }

    #[test]
    fn a_reason_is_kept_apart_from_the_properties() {
        let r = parse(" mx.test; dkim=fail reason=\"bad \\\"sig\\\"\" header.d=x.test", false);
        assert_eq!(r.results[0].reason.as_deref(), Some("bad \"sig\""));
        assert_eq!(r.results[0].prop("header.d"), Some("x.test"));
    }

    #[test]
    fn results_are_bounded() {
        let value = format!(" mx.test;{}", " spf=pass;".repeat(10 * MAX_RESULTS));
        assert_eq!(parse(&value, false).results.len(), MAX_RESULTS);
    }
}
