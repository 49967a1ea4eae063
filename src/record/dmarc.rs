//! The DMARC policy record as a value: every tag of RFC 7489 §6.3 and RFC 9989 §4.7, each kept
//! only when it was written, so a record renders back exactly as it was planned. Pure.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A requested policy (`p`, `sp`, `np`), weakest first so `Ord` compares strength.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    None,
    Quarantine,
    Reject,
}

impl Policy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Quarantine => "quarantine",
            Self::Reject => "reject",
        }
    }

    /// One level below: what `t=y` (RFC 9989 §4.7) and a non-sampled share under `pct`
    /// (RFC 7489 §6.6.4) fall back to.
    pub fn one_below(self) -> Self {
        match self {
            Self::Reject => Self::Quarantine,
            Self::Quarantine | Self::None => Self::None,
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identifier alignment mode (`adkim`, `aspf`), RFC 7489 §3.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Alignment {
    Relaxed,
    Strict,
}

/// The `psd` flag of RFC 9989 §4.7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Psd {
    Yes,
    No,
    Unknown,
}

/// Every tag this tool knows, in the order records are rendered: `v` and `p` first as RFC 7489
/// §6.3 requires, then the order of the Office 365 rollout article, then the RFC 9989 tags, with
/// `t` beside `pct` because the two are meant to be read together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tag {
    P,
    Rua,
    Ruf,
    Fo,
    Adkim,
    Aspf,
    Pct,
    T,
    Rf,
    Ri,
    Sp,
    Np,
    Psd,
}

impl Tag {
    /// Render order (after `v`).
    pub const ALL: [Tag; 13] = [
        Tag::P,
        Tag::Rua,
        Tag::Ruf,
        Tag::Fo,
        Tag::Adkim,
        Tag::Aspf,
        Tag::Pct,
        Tag::T,
        Tag::Rf,
        Tag::Ri,
        Tag::Sp,
        Tag::Np,
        Tag::Psd,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::P => "p",
            Self::Rua => "rua",
            Self::Ruf => "ruf",
            Self::Fo => "fo",
            Self::Adkim => "adkim",
            Self::Aspf => "aspf",
            Self::Pct => "pct",
            Self::T => "t",
            Self::Rf => "rf",
            Self::Ri => "ri",
            Self::Sp => "sp",
            Self::Np => "np",
            Self::Psd => "psd",
        }
    }

    /// Exact, case-sensitive lookup; callers decide how tolerant to be about case.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// What a valid value looks like, for error messages.
    pub fn allowed(self) -> &'static str {
        match self {
            Self::P | Self::Sp | Self::Np => "none, quarantine or reject",
            Self::Rua | Self::Ruf => "comma-separated URIs such as mailto:dmarc@example.com",
            Self::Fo => "0, 1, d or s, separated by ':' (0 and 1 not together)",
            Self::Adkim | Self::Aspf => "r (relaxed) or s (strict)",
            Self::Pct => "a whole number from 0 to 100",
            Self::T => "y or n",
            Self::Rf => "afrf",
            Self::Ri => "a number of seconds from 0 to 4294967295",
            Self::Psd => "y, n or u",
        }
    }
}

/// Scripts see a tag by its name, as records write it.
impl Serialize for Tag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A value that is not allowed for its tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a valid {tag} value: use {}", tag.allowed())]
pub struct ValueError {
    pub tag: Tag,
    pub value: String,
}

/// A DMARC record. `None` means "not written" (the receiver's default applies), which is kept
/// apart from an explicit default so that rendering reproduces the plan byte for byte;
/// [`DmarcRecord::same_meaning`] compares with defaults applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DmarcRecord {
    pub p: Option<Policy>,
    pub sp: Option<Policy>,
    pub np: Option<Policy>,
    pub rua: Vec<String>,
    pub ruf: Vec<String>,
    pub adkim: Option<Alignment>,
    pub aspf: Option<Alignment>,
    /// Failure-reporting options in their canonical text, e.g. `0` or `1:d`.
    pub fo: Option<String>,
    pub pct: Option<u8>,
    pub t: Option<bool>,
    pub rf: Option<String>,
    pub ri: Option<u32>,
    pub psd: Option<Psd>,
}

impl DmarcRecord {
    /// Sets one tag from its text form. Values are read case-insensitively (receivers do) but
    /// stored canonically (lowercase), so the caller decides whether case deserves a finding.
    pub fn set(&mut self, tag: Tag, value: &str) -> Result<(), ValueError> {
        let invalid = || ValueError { tag, value: value.to_owned() };
        let lower = value.to_ascii_lowercase();
        match tag {
            Tag::P => self.p = Some(lower.parse().map_err(|()| invalid())?),
            Tag::Sp => self.sp = Some(lower.parse().map_err(|()| invalid())?),
            Tag::Np => self.np = Some(lower.parse().map_err(|()| invalid())?),
            Tag::Rua => self.rua = parse_uri_list(value).ok_or_else(invalid)?,
            Tag::Ruf => self.ruf = parse_uri_list(value).ok_or_else(invalid)?,
            Tag::Adkim => self.adkim = Some(parse_alignment(&lower).ok_or_else(invalid)?),
            Tag::Aspf => self.aspf = Some(parse_alignment(&lower).ok_or_else(invalid)?),
            Tag::Fo => self.fo = Some(parse_fo(&lower).ok_or_else(invalid)?),
            Tag::Pct => self.pct = Some(parse_pct(&lower).ok_or_else(invalid)?),
            Tag::T => self.t = Some(parse_yes_no(&lower).ok_or_else(invalid)?),
            Tag::Rf => self.rf = Some(parse_rf(&lower).ok_or_else(invalid)?),
            Tag::Ri => self.ri = Some(parse_digits(&lower).ok_or_else(invalid)?),
            Tag::Psd => self.psd = Some(parse_psd(&lower).ok_or_else(invalid)?),
        }
        Ok(())
    }

    /// The canonical text of a tag's value, or `None` when the tag is not written.
    pub fn get(&self, tag: Tag) -> Option<String> {
        match tag {
            Tag::P => self.p.map(|p| p.as_str().to_owned()),
            Tag::Sp => self.sp.map(|p| p.as_str().to_owned()),
            Tag::Np => self.np.map(|p| p.as_str().to_owned()),
            Tag::Rua => (!self.rua.is_empty()).then(|| self.rua.join(",")),
            Tag::Ruf => (!self.ruf.is_empty()).then(|| self.ruf.join(",")),
            Tag::Adkim => self.adkim.map(|a| alignment_str(a).to_owned()),
            Tag::Aspf => self.aspf.map(|a| alignment_str(a).to_owned()),
            Tag::Fo => self.fo.clone(),
            Tag::Pct => self.pct.map(|n| n.to_string()),
            Tag::T => self.t.map(|t| if t { "y" } else { "n" }.to_owned()),
            Tag::Rf => self.rf.clone(),
            Tag::Ri => self.ri.map(|n| n.to_string()),
            Tag::Psd => self.psd.map(|p| psd_str(p).to_owned()),
        }
    }

    /// Writes every tag that `top` writes over this record: how a phase refines the plan's
    /// defaults.
    pub fn overlay(&mut self, top: &Self) {
        fn over<T: Clone>(base: &mut Option<T>, top: Option<&T>) {
            if let Some(value) = top {
                *base = Some(value.clone());
            }
        }
        over(&mut self.p, top.p.as_ref());
        over(&mut self.sp, top.sp.as_ref());
        over(&mut self.np, top.np.as_ref());
        if !top.rua.is_empty() {
            self.rua.clone_from(&top.rua);
        }
        if !top.ruf.is_empty() {
            self.ruf.clone_from(&top.ruf);
        }
        over(&mut self.adkim, top.adkim.as_ref());
        over(&mut self.aspf, top.aspf.as_ref());
        over(&mut self.fo, top.fo.as_ref());
        over(&mut self.pct, top.pct.as_ref());
        over(&mut self.t, top.t.as_ref());
        over(&mut self.rf, top.rf.as_ref());
        over(&mut self.ri, top.ri.as_ref());
        over(&mut self.psd, top.psd.as_ref());
    }

    /// Tags that are written, in render order, with their canonical values.
    pub fn tags(&self) -> impl Iterator<Item = (Tag, String)> + '_ {
        Tag::ALL.into_iter().filter_map(|t| self.get(t).map(|v| (t, v)))
    }

    /// The record with every receiver default written out (RFC 7489 §6.3, RFC 9989 §4.7), so
    /// two records that mean the same compare equal whatever was left implicit.
    pub fn with_defaults(&self) -> Self {
        let p = self.p.unwrap_or(Policy::None);
        let sp = self.sp.unwrap_or(p);
        Self {
            p: Some(p),
            sp: Some(sp),
            np: Some(self.np.unwrap_or(sp)),
            rua: self.rua.iter().map(|u| u.to_ascii_lowercase()).collect(),
            ruf: self.ruf.iter().map(|u| u.to_ascii_lowercase()).collect(),
            adkim: Some(self.adkim.unwrap_or(Alignment::Relaxed)),
            aspf: Some(self.aspf.unwrap_or(Alignment::Relaxed)),
            fo: Some(self.fo.clone().unwrap_or_else(|| "0".to_owned())),
            pct: Some(self.pct.unwrap_or(100)),
            t: Some(self.t.unwrap_or(false)),
            rf: Some(self.rf.clone().unwrap_or_else(|| "afrf".to_owned())),
            ri: Some(self.ri.unwrap_or(86_400)),
            psd: Some(self.psd.unwrap_or(Psd::Unknown)),
        }
    }

    /// Equal once defaults are applied: tag order, case and explicit defaults do not matter.
    pub fn same_meaning(&self, other: &Self) -> bool {
        self.with_defaults() == other.with_defaults()
    }

    /// The tags whose meaning differs, as `(tag, self's value, other's value)` with defaults
    /// written out.
    pub fn diff(&self, other: &Self) -> Vec<(Tag, String, String)> {
        let (a, b) = (self.with_defaults(), other.with_defaults());
        Tag::ALL
            .into_iter()
            .filter_map(|t| {
                let (x, y) = (a.get(t).unwrap_or_default(), b.get(t).unwrap_or_default());
                (x != y).then_some((t, x, y))
            })
            .collect()
    }
}

impl FromStr for Policy {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "none" => Ok(Self::None),
            "quarantine" => Ok(Self::Quarantine),
            "reject" => Ok(Self::Reject),
            _ => Err(()),
        }
    }
}

fn parse_alignment(s: &str) -> Option<Alignment> {
    match s {
        "r" => Some(Alignment::Relaxed),
        "s" => Some(Alignment::Strict),
        _ => None,
    }
}

fn alignment_str(a: Alignment) -> &'static str {
    match a {
        Alignment::Relaxed => "r",
        Alignment::Strict => "s",
    }
}

fn parse_psd(s: &str) -> Option<Psd> {
    match s {
        "y" => Some(Psd::Yes),
        "n" => Some(Psd::No),
        "u" => Some(Psd::Unknown),
        _ => None,
    }
}

fn psd_str(p: Psd) -> &'static str {
    match p {
        Psd::Yes => "y",
        Psd::No => "n",
        Psd::Unknown => "u",
    }
}

fn parse_yes_no(s: &str) -> Option<bool> {
    match s {
        "y" => Some(true),
        "n" => Some(false),
        _ => None,
    }
}

fn parse_digits<T: FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_pct(s: &str) -> Option<u8> {
    // RFC 7489 §6.4: 1*3DIGIT, 0..=100.
    (s.len() <= 3).then(|| parse_digits::<u8>(s)).flatten().filter(|n| *n <= 100)
}

fn parse_rf(s: &str) -> Option<String> {
    // Colon-separated report formats; `afrf` is the only one ever registered.
    s.split(':').map(str::trim).all(|f| f == "afrf").then(|| "afrf".to_owned())
}

/// `fo` per RFC 9989 §4.8: options from `0 1 d s`, each at most once, `0` and `1` not together.
fn parse_fo(s: &str) -> Option<String> {
    let opts: Vec<&str> = s.split(':').map(str::trim).collect();
    let valid = opts.iter().all(|o| matches!(*o, "0" | "1" | "d" | "s"));
    let unique = opts.iter().enumerate().all(|(i, o)| !opts[..i].contains(o));
    let exclusive = !(opts.contains(&"0") && opts.contains(&"1"));
    (valid && unique && exclusive).then(|| opts.join(":"))
}

/// A comma-separated list of DMARC URIs (RFC 7489 §6.4 `dmarc-uri`). Only the shape is checked
/// here: a scheme and a non-empty rest; whether it is a usable `mailto:` is a finding, not a
/// parse failure, because receivers skip bad URIs and keep the good ones.
fn parse_uri_list(s: &str) -> Option<Vec<String>> {
    let uris: Vec<String> = s.split(',').map(|u| u.trim().to_owned()).collect();
    uris.iter().all(|u| is_uri_shaped(u)).then_some(uris)
}

/// A `;` ends the tag (RFC 6376 §3.2 `tval`), so a URI holding one would render as a second tag.
fn is_uri_shaped(u: &str) -> bool {
    match u.split_once(':') {
        Some((scheme, rest)) => {
            !scheme.is_empty()
                && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
                && !rest.is_empty()
                // RFC 3986 URIs are printable ASCII (anything else is percent-encoded), and a
                // ';' would end the tag.
                && u.bytes().all(|b| b.is_ascii_graphic() && b != b';')
        }
        None => false,
    }
}
