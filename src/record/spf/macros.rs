//! SPF macro strings and domain-specs (RFC 7208 §7.1, §4.6.1): syntax only, nothing expanded.
//! Pure.

/// What a valid macro string uses that deserves a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct MacroUse {
    /// `%{p}`, which RFC 7208 §7.2 says SHOULD NOT be used.
    pub ptr: bool,
}

/// Why a domain-spec is invalid.
pub(super) enum SpecError {
    Macro(String),
    Domain(String),
}

/// Splits `a`/`mx` arguments into the `:domain-spec` part and a `/cidr` part, ignoring `/`
/// inside `%{…}` where it is a delimiter.
pub(super) fn split_cidr(args: &str) -> (&str, Option<&str>) {
    let mut depth = false;
    for (i, b) in args.bytes().enumerate() {
        match b {
            b'{' if i > 0 && args.as_bytes()[i - 1] == b'%' => depth = true,
            b'}' => depth = false,
            b'/' if !depth => return (&args[..i], Some(&args[i..])),
            _ => {}
        }
    }
    (args, None)
}

/// Checks a macro-string; on success says whether it ends with a macro-expand.
fn scan(text: &str) -> Result<(MacroUse, bool), String> {
    let bytes = text.as_bytes();
    let mut used = MacroUse::default();
    let mut ends_with_expand = false;
    let mut i = 0;
    while i < bytes.len() {
        ends_with_expand = bytes[i] == b'%';
        match bytes[i] {
            b'%' => match bytes.get(i + 1) {
                Some(b'%' | b'_' | b'-') => i += 2,
                Some(b'{') => {
                    let len = expand(&bytes[i + 2..], &mut used)?;
                    i += 2 + len;
                }
                _ => return Err("'%' must start %{…}, %%, %_ or %-".into()),
            },
            0x21..=0x7e => i += 1,
            _ => return Err(format!("byte 0x{:02x} is not allowed in a domain-spec", bytes[i])),
        }
    }
    Ok((used, ends_with_expand))
}

/// The inside of `%{…}` up to and including `}`: letter, digits, `r`, delimiters. Returns its
/// length.
fn expand(bytes: &[u8], used: &mut MacroUse) -> Result<usize, String> {
    let letter = bytes.first().map(u8::to_ascii_lowercase);
    match letter {
        Some(b's' | b'l' | b'o' | b'd' | b'i' | b'h' | b'v') => {}
        Some(b'p') => used.ptr = true,
        Some(b'c' | b'r' | b't') => {
            return Err("%{c}, %{r} and %{t} are allowed only in explanation text".into());
        }
        _ => return Err("unknown macro letter".into()),
    }
    let digits = bytes[1..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 && bytes[1..=digits].iter().all(|&b| b == b'0') {
        return Err("the number of labels in a macro must not be zero".into());
    }
    let mut i = 1 + digits;
    if matches!(bytes.get(i), Some(b'r' | b'R')) {
        i += 1;
    }
    while matches!(bytes.get(i), Some(b'.' | b'-' | b'+' | b',' | b'/' | b'_' | b'=')) {
        i += 1;
    }
    match bytes.get(i) {
        Some(b'}') => Ok(i + 1),
        Some(_) => Err("unexpected character inside %{…}".into()),
        None => Err("unterminated %{".into()),
    }
}

/// Checks the value of a modifier this tool does not know (a bare macro-string).
pub(super) fn check_macro_string(text: &str) -> Result<MacroUse, String> {
    scan(text).map(|(used, _)| used)
}

/// Checks a domain-spec: a valid macro string that ends in a macro or in `.toplabel[.]`.
pub(super) fn check_domain_spec(spec: &str) -> Result<MacroUse, SpecError> {
    let (used, ends_with_expand) = scan(spec).map_err(SpecError::Macro)?;
    if ends_with_expand {
        return Ok(used);
    }
    let name = spec.strip_suffix('.').unwrap_or(spec);
    let Some((_, top)) = name.rsplit_once('.') else {
        return Err(SpecError::Domain("it needs at least two labels".into()));
    };
    if !is_toplabel(top) {
        return Err(SpecError::Domain(format!("'{top}' is not a valid top-level label")));
    }
    if !spec.contains('%') {
        if name.split('.').any(|l| l.is_empty() || l.len() > 63) {
            return Err(SpecError::Domain("labels must be 1 to 63 bytes".into()));
        }
        if name.len() > 253 {
            return Err(SpecError::Domain("longer than 253 bytes".into()));
        }
    }
    Ok(used)
}

/// RFC 7208 `toplabel`: letters, digits and inner hyphens, not all digits.
fn is_toplabel(label: &str) -> bool {
    let b = label.as_bytes();
    !b.is_empty()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
        && b.iter().any(|c| !c.is_ascii_digit())
}
