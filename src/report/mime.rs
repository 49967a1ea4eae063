//! Just enough MIME (RFC 2045/2046) to take report attachments out of a stored email: headers,
//! multipart walking, base64 and quoted-printable. Pure; lenient, because report mail is machine
//! made and often odd, and bounded in depth and part count.

use crate::codec::base64_lenient;

const MAX_DEPTH: usize = 8;
const MAX_PARTS: usize = 1000;

/// A part that may hold a report, decoded from its transfer encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attachment {
    pub name: String,
    pub body: Vec<u8>,
}

/// Every part of `message` that looks like a report (by type or file name), decoded.
pub(crate) fn attachments(message: &[u8]) -> Vec<Attachment> {
    let mut out = Vec::new();
    let mut parts = 0;
    walk(message, 0, &mut parts, &mut out);
    out
}

fn walk(entity: &[u8], depth: usize, parts: &mut usize, out: &mut Vec<Attachment>) {
    *parts += 1;
    if depth > MAX_DEPTH || *parts > MAX_PARTS {
        return;
    }
    let (headers, body) = split_entity(entity);
    let content_type = header(&headers, "content-type").unwrap_or("text/plain");
    let media = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if media.starts_with("multipart/") {
        if let Some(boundary) = param(content_type, "boundary") {
            for part in split_multipart(body, boundary.as_bytes()) {
                walk(part, depth + 1, parts, out);
            }
        }
        return;
    }
    if media == "message/rfc822" {
        walk(body, depth + 1, parts, out);
        return;
    }
    let name = header(&headers, "content-disposition")
        .and_then(|d| param(d, "filename"))
        .or_else(|| param(content_type, "name"))
        .unwrap_or_default();
    if !is_report_like(&media, &name) {
        return;
    }
    let encoding = header(&headers, "content-transfer-encoding").unwrap_or("").trim();
    let body = match encoding.to_ascii_lowercase().as_str() {
        "base64" => base64_lenient(body),
        "quoted-printable" => decode_quoted_printable(body),
        _ => body.to_vec(),
    };
    out.push(Attachment { name, body });
}

fn is_report_like(media: &str, name: &str) -> bool {
    let types = [
        "application/gzip",
        "application/x-gzip",
        "application/zip",
        "application/x-zip",
        "application/x-zip-compressed",
        "application/xml",
        "text/xml",
        "application/octet-stream",
    ];
    let name = name.to_ascii_lowercase();
    types.contains(&media) || [".xml", ".gz", ".zip"].iter().any(|e| name.ends_with(e))
}

/// Headers (unfolded, names lowercased) and the body after the first empty line.
fn split_entity(entity: &[u8]) -> (Vec<(String, String)>, &[u8]) {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut rest = entity;
    while !rest.is_empty() {
        let end = rest.iter().position(|b| *b == b'\n').map_or(rest.len(), |i| i + 1);
        let (line, after) = rest.split_at(end);
        rest = after;
        let line = String::from_utf8_lossy(line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    (headers, rest)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// A `key=value` parameter of a structured header, unquoted.
fn param(value: &str, key: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case(key).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The bodies between `--boundary` delimiter lines, up to the closing `--boundary--`.
fn split_multipart<'a>(body: &'a [u8], boundary: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    let mut start: Option<usize> = None;
    let mut pos = 0;
    while pos < body.len() {
        let end = body[pos..].iter().position(|b| *b == b'\n').map_or(body.len(), |i| pos + i + 1);
        let line = trim_line_end(&body[pos..end]);
        if let Some(after) = line.strip_prefix(b"--").and_then(|l| l.strip_prefix(boundary)) {
            if let Some(s) = start {
                // The line break before a delimiter belongs to the delimiter.
                parts.push(trim_line_end(&body[s..pos]));
            }
            if after.starts_with(b"--") {
                return parts;
            }
            start = Some(end);
        }
        pos = end;
    }
    if let Some(s) = start {
        parts.push(&body[s..]);
    }
    parts
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn decode_quoted_printable(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (text[i], text.get(i + 1), text.get(i + 2)) {
            (b'=', Some(b'\r'), Some(b'\n')) => i += 3,
            (b'=', Some(b'\n'), _) => i += 2,
            (b'=', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let v = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(v).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_decodes_escapes_and_soft_breaks() {
        assert_eq!(decode_quoted_printable(b"a=3Db=\r\nc"), b"a=bc");
    }

    #[test]
    fn a_gzip_attachment_is_found_in_a_nested_multipart_message() {
        let msg = b"From: a@b\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n\
preamble\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n--XX\r\n\
Content-Type: application/gzip; name=r.xml.gz\r\nContent-Transfer-Encoding: base64\r\n\r\n\
aGVsbG8=\r\n--XX--\r\n";
        let found = attachments(msg);
        assert_eq!(
            found,
            vec![Attachment { name: "r.xml.gz".to_owned(), body: b"hello".to_vec() }]
        );
    }
}
