//! TSIG keys (RFC 8945) read from the files `tsig-keygen` (BIND) and `keymgr -t` (Knot)
//! write, or a one-line `algorithm:name:secret`. The secret is never shown: not in errors,
//! not in `Debug`. Pure: the caller reads the file.

use std::fmt;

use crate::name::DnsName;
use base64::Engine as _;

/// The MAC algorithms `apply` signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsigAlgorithm {
    HmacSha256,
    HmacSha512,
}

impl TsigAlgorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HmacSha256 => "hmac-sha256",
            Self::HmacSha512 => "hmac-sha512",
        }
    }

    fn parse(text: &str) -> Result<Self, String> {
        match DnsName::lenient(text).as_str() {
            "hmac-sha256" => Ok(Self::HmacSha256),
            "hmac-sha512" => Ok(Self::HmacSha512),
            other => Err(format!(
                "algorithm '{}' is not supported; use hmac-sha256 or hmac-sha512",
                crate::text::escape(other)
            )),
        }
    }
}

/// Key material that is never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// A TSIG key: its name (as the server knows it), algorithm and secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsigKey {
    pub name: String,
    pub algorithm: TsigAlgorithm,
    pub secret: Secret,
}

/// Why a key file could not be used, with the line it concerns (1-based; 0 for the whole file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct KeyFileError {
    pub line: usize,
    pub message: String,
}

/// Reads the one key in a key file.
pub fn parse_key_file(text: &str) -> Result<TsigKey, KeyFileError> {
    let content = strip_comments(text);
    let keys = if content.contains('{') {
        bind_keys(&content)?
    } else if content.lines().any(|l| l.trim_start().starts_with("key:")) {
        knot_keys(&content)?
    } else {
        one_line_keys(&content)?
    };
    match keys.as_slice() {
        [] => Err(at(0, "no key found; expected a tsig-keygen or keymgr -t key file")),
        [_] => Ok(keys.into_iter().next().expect("one key")),
        many => {
            let names: Vec<&str> = many.iter().map(|k| k.name.as_str()).collect();
            Err(at(0, &format!("{} keys ({}); give a file with one", many.len(), names.join(", "))))
        }
    }
}

fn at(line: usize, message: &str) -> KeyFileError {
    KeyFileError { line, message: message.to_owned() }
}

/// Whether the next character would begin a token: at the start, or after space or `;{}`.
fn at_token_start(before: &str) -> bool {
    before.chars().next_back().is_none_or(|c| c.is_whitespace() || matches!(c, ';' | '{' | '}'))
}

/// The text with `#`, `//` and `/* */` comments blanked out, line breaks kept (so errors keep
/// their line numbers) and quoted strings left alone.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let (mut quoted, mut line_comment, mut block_comment) = (false, false, false);
    while let Some(c) = chars.next() {
        if block_comment {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                block_comment = false;
            }
            if c == '\n' {
                out.push('\n');
            }
            continue;
        }
        if line_comment {
            if c == '\n' {
                line_comment = false;
                out.push('\n');
            }
            continue;
        }
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => {
                line_comment = true;
                continue;
            }
            // A base64 secret may hold `//`: a comment starts only where a token could.
            '/' if !quoted && chars.peek() == Some(&'/') && at_token_start(&out) => {
                line_comment = true;
                continue;
            }
            '/' if !quoted && chars.peek() == Some(&'*') => {
                chars.next();
                block_comment = true;
                continue;
            }
            '\n' => quoted = false,
            _ => {}
        }
        out.push(c);
    }
    out
}

/// `key "name" { algorithm hmac-sha256; secret "…"; };` blocks (BIND's `tsig-keygen`).
fn bind_keys(text: &str) -> Result<Vec<TsigKey>, KeyFileError> {
    let mut keys = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(start) = rest.find("key") {
        let line = text[..offset + start].matches('\n').count() + 1;
        let after = &rest[start + 3..];
        let Some(open) = after.find('{') else { break };
        let name = after[..open].trim().trim_matches('"');
        let Some(close) = after[open..].find('}') else {
            return Err(at(line, "the key block has no closing '}'"));
        };
        let body = &after[open + 1..open + close];
        let mut algorithm = None;
        let mut secret = None;
        for statement in body.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let (word, value) =
                statement.split_once(char::is_whitespace).unwrap_or((statement, ""));
            match word {
                "algorithm" => algorithm = Some(value.trim().trim_matches('"').to_owned()),
                "secret" => secret = Some(value.trim().trim_matches('"').to_owned()),
                _ => {}
            }
        }
        keys.push(key(line, name, algorithm.as_deref(), secret.as_deref())?);
        let consumed = start + 3 + open + close + 1;
        offset += consumed;
        rest = &rest[consumed..];
    }
    Ok(keys)
}

/// Knot's `key:` section: a YAML list of `id`, `algorithm` and `secret`.
fn knot_keys(text: &str) -> Result<Vec<TsigKey>, KeyFileError> {
    let mut keys = Vec::new();
    let mut current: Option<Entry> = None;
    let mut in_section = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if !raw.starts_with(char::is_whitespace) && !line.starts_with('-') {
            in_section = line.starts_with("key:");
            continue;
        }
        if !in_section {
            continue;
        }
        let item = line.strip_prefix('-').map(str::trim);
        if item.is_some() {
            if let Some(done) = current.take() {
                keys.push(done.key()?);
            }
            current = Some(Entry { line: i + 1, ..Entry::default() });
        }
        let entry = item.unwrap_or(line);
        if let (Some(e), Some((field, value))) = (current.as_mut(), entry.split_once(':')) {
            let value = Some(value.trim().trim_matches(['"', '\'']).to_owned());
            match field.trim() {
                "id" => e.id = value,
                "algorithm" => e.algorithm = value,
                "secret" => e.secret = value,
                _ => {}
            }
        }
    }
    if let Some(done) = current {
        keys.push(done.key()?);
    }
    Ok(keys)
}

/// One `- id: …` item of Knot's key list, as far as it has been read.
#[derive(Default)]
struct Entry {
    line: usize,
    id: Option<String>,
    algorithm: Option<String>,
    secret: Option<String>,
}

impl Entry {
    fn key(&self) -> Result<TsigKey, KeyFileError> {
        key(
            self.line,
            self.id.as_deref().unwrap_or(""),
            self.algorithm.as_deref(),
            self.secret.as_deref(),
        )
    }
}

/// `[algorithm:]name:secret` lines, as `nsupdate -y` and `kdig -y` take a key.
fn one_line_keys(text: &str) -> Result<Vec<TsigKey>, KeyFileError> {
    let mut keys = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let parts: Vec<&str> = line.trim().split(':').collect();
        let key = match parts.as_slice() {
            [algorithm, name, secret] => key(i + 1, name, Some(algorithm), Some(secret))?,
            [name, secret] => key(i + 1, name, Some("hmac-sha256"), Some(secret))?,
            _ => return Err(at(i + 1, "not a key: expected algorithm:name:secret")),
        };
        keys.push(key);
    }
    Ok(keys)
}

fn key(
    line: usize,
    name: &str,
    algorithm: Option<&str>,
    secret: Option<&str>,
) -> Result<TsigKey, KeyFileError> {
    let name = DnsName::lenient(name);
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_graphic() && c != '"') {
        return Err(at(
            line,
            &format!("the key name '{}' is not a DNS name", crate::text::escape(&name)),
        ));
    }
    let algorithm =
        TsigAlgorithm::parse(algorithm.ok_or_else(|| at(line, "the key has no algorithm"))?)
            .map_err(|m| at(line, &m))?;
    let secret = secret.ok_or_else(|| at(line, "the key has no secret"))?;
    let compact: String = secret.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| at(line, "the secret is not base64"))?;
    if bytes.is_empty() {
        return Err(at(line, "the secret is empty"));
    }
    Ok(TsigKey { name: name.into(), algorithm, secret: Secret(bytes) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_holding_two_slashes_is_read_whole_and_a_comment_after_space_is_not() {
        let secret = "0Hjw1g0CYr3RdfiYkHGIK9JTyutd1sTR6koM0Ja//rwutgKZ1yyvfKsxPUsi0NogqDXVObwJpSsJxFFvdIFjIw==";
        let knot =
            format!("key:\n  - id: k\n    algorithm: hmac-sha512\n    secret: {secret} // note\n");
        let key = parse_key_file(&knot).expect("a key");
        assert_eq!(key.secret.bytes().len(), 64);
        let line = format!("hmac-sha512:k:{secret}\n");
        assert_eq!(parse_key_file(&line).expect("a key").secret.bytes().len(), 64);
    }

    const SECRET: &str = "6IXaH4egOvsS8GTD0f4A1XiEX4Hx8xFuj5/eLFxO/4M=";

    #[test]
    fn a_tsig_keygen_file_is_read() {
        let text = format!(
            "key \"dmarc-update\" {{\n\talgorithm hmac-sha256;\n\tsecret \"{SECRET}\";\n}};\n"
        );
        let key = parse_key_file(&text).expect("reads");
        assert_eq!((key.name.as_str(), key.algorithm), ("dmarc-update", TsigAlgorithm::HmacSha256));
        assert_eq!(key.secret.bytes().len(), 32);
    }

    #[test]
    fn a_keymgr_file_is_read_with_its_comment_line() {
        let text = format!(
            "# hmac-sha512:knot-key:{SECRET}\nkey:\n  - id: knot-key\n    algorithm: hmac-sha512\n    secret: {SECRET}\n"
        );
        let key = parse_key_file(&text).expect("reads");
        assert_eq!((key.name.as_str(), key.algorithm), ("knot-key", TsigAlgorithm::HmacSha512));
    }

    #[test]
    fn a_one_line_key_is_read() {
        let key = parse_key_file(&format!("hmac-sha256:k1.:{SECRET}\n")).expect("reads");
        assert_eq!(key.name, "k1");
    }

    #[test]
    fn errors_say_where_and_never_show_the_secret() {
        let md5 = format!("key \"k\" {{\n algorithm hmac-md5;\n secret \"{SECRET}\";\n}};");
        let e = parse_key_file(&md5).expect_err("md5 refused");
        assert_eq!(e.line, 1);
        assert!(e.message.contains("hmac-md5") && !e.message.contains(SECRET), "{e}");
        let bad = "key \"k\" {\n algorithm hmac-sha256;\n secret \"not base64!!\";\n};";
        let e = parse_key_file(bad).expect_err("bad secret");
        assert!(!e.to_string().contains("not base64!!"), "{e}");
        let key = parse_key_file(&format!("hmac-sha256:k:{SECRET}")).expect("reads");
        assert!(!format!("{key:?}").contains(SECRET));
        assert!(parse_key_file("").is_err());
    }

    #[test]
    fn a_file_with_two_keys_is_refused_by_name() {
        let one = |name: &str| {
            format!("key \"{name}\" {{ algorithm hmac-sha256; secret \"{SECRET}\"; }};\n")
        };
        let e = parse_key_file(&(one("a") + &one("b"))).expect_err("two keys");
        assert!(e.message.contains("2 keys (a, b)"), "{e}");
    }
}
