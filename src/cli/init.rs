//! `init`: a commented starter plan that validates as written.

use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::PathBuf;

use super::error::warn;
use super::{CliError, Outcome, Preset};
use crate::exits;
use crate::name::DnsName;
use crate::plan::load;
use crate::record::{DmarcRecord, Tag};
use crate::text::escape;

pub struct Options {
    pub domains: Vec<String>,
    pub rua: Option<String>,
    pub preset: Option<Preset>,
    /// The Microsoft 365 tenant prefix, for the selectors' CNAME targets.
    pub tenant: Option<String>,
    pub selectors: Vec<String>,
    /// End the ladder with `p=reject` (after a test step) instead of `p=quarantine`.
    pub reject: bool,
    pub output: Option<PathBuf>,
}

pub fn run(opts: &Options, out: &mut impl Write, err: &mut impl Write) -> Outcome {
    if let Some(rua) = &opts.rua
        && DmarcRecord::default().set(Tag::Rua, &rua_uri(rua)).is_err()
    {
        return Err(CliError::Usage(format!(
            "--rua '{}' is not a report address; give one mailbox, e.g. dmarc@example.com or mailto:dmarc@example.com",
            escape(rua)
        )));
    }
    let tenant = opts.tenant.as_deref().map(tenant_prefix).transpose().map_err(CliError::Usage)?;
    let text = starter_plan(opts, tenant.as_deref());
    // The template is ours but the domains and addresses are the user's: refuse to write a
    // plan that would not load, and say why.
    if let Err(errors) = load("<init>", &text) {
        let mut why = errors.iter().map(|e| format!("cannot plan this: {}", e.message));
        let last = why.next_back().unwrap_or_default();
        why.try_for_each(|w| warn(err, w))?;
        return Err(CliError::Usage(last));
    }
    let Some(path) = &opts.output else {
        out.write_all(text.as_bytes())?;
        return Ok(exits::OK);
    };
    match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(mut file) => {
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            writeln!(err, "wrote {}", crate::fsio::shown(path))?;
            Ok(exits::OK)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let path = crate::fsio::shown(path);
            Err(CliError::Write(format!("{path} already exists; not overwriting it")))
        }
        Err(e) => Err(e.into()),
    }
}

/// A report address as a URI: `dmarc@example.com` means `mailto:dmarc@example.com`.
fn rua_uri(rua: &str) -> String {
    if rua.contains(':') { rua.to_owned() } else { format!("mailto:{rua}") }
}

/// A string as a TOML literal, quoted and escaped by the TOML encoder: values given on the
/// command line cannot end the string and add keys of their own.
fn toml_string(text: &str) -> String {
    toml_edit::Value::from(text).to_string().trim().to_owned()
}

/// `contoso` from `contoso` or `contoso.onmicrosoft.com`: one DNS label.
fn tenant_prefix(tenant: &str) -> Result<String, String> {
    let name = DnsName::lenient(tenant);
    let prefix = name.strip_suffix(".onmicrosoft.com").unwrap_or(&name);
    let label = !prefix.is_empty()
        && prefix.len() <= 63
        && prefix.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !prefix.starts_with('-')
        && !prefix.ends_with('-');
    if label {
        Ok(prefix.to_owned())
    } else {
        Err(format!(
            "'{}' is not a Microsoft 365 tenant: give the prefix of <tenant>.onmicrosoft.com, \
             e.g. --tenant contoso",
            escape(tenant)
        ))
    }
}

fn starter_plan(opts: &Options, tenant: Option<&str>) -> String {
    let first = DnsName::lenient(&opts.domains[0]);
    let rua =
        toml_string(&rua_uri(&opts.rua.clone().unwrap_or_else(|| format!("mailto:dmarc@{first}"))));
    let mut text = format!(
        r#"# DMARC rollout plan, written by `dmarc-rollout init`.
#
# Check it with `dmarc-rollout validate FILE`; print the record to publish next with
# `dmarc-rollout next FILE`. Keep this file in git: the tool records each published step
# under [domain.history], one line per step.
#
# Each enforcement level is first tried in test mode: `t = "y"` asks RFC 9989 (DMARCbis) receivers
# to apply one level below, and `pct = 0` asks RFC 7489 receivers for the same, so both
# generations behave alike (a pct ramp such as pct = 50 would not: RFC 9989 receivers ignore pct).

# Tags every phase starts from; a phase only says what changes.
[defaults]
rua   = [{rua}]
adkim = "r"
aspf  = "r"
ttl   = 3600

[[phase]]
name = "monitor"
p    = "none"
soak_days = 14                   # read the aggregate reports before moving on

[[phase]]
name = "quarantine, test mode"   # in effect: none, with From rewriting by mailing lists
p    = "quarantine"
pct  = 0
t    = "y"
soak_days = 14

[[phase]]
name = "quarantine"
p    = "quarantine"
"#
    );
    if opts.reject {
        text.push_str(REJECT_PHASES);
    }
    for domain in &opts.domains {
        push_domain(&mut text, &DnsName::lenient(domain), opts, tenant);
    }
    text
}

/// What `--reject` adds: a soak for the quarantine phase (the last one without it), then
/// reject in test mode, then reject.
const REJECT_PHASES: &str = r#"soak_days = 30

[[phase]]
name = "reject, test mode"       # in effect: quarantine
p    = "reject"
pct  = 0
t    = "y"
soak_days = 14

[[phase]]
name = "reject"
p    = "reject"
"#;

fn push_domain(text: &mut String, domain: &str, opts: &Options, tenant: Option<&str>) {
    let _ = write!(text, "\n[[domain]]\nname = {}\n", toml_string(domain));
    if opts.preset == Some(Preset::M365) {
        text.push_str(&m365_sender(domain, tenant));
    }
    if !opts.selectors.is_empty() {
        let list: Vec<String> = opts.selectors.iter().map(|s| toml_string(s)).collect();
        let _ = write!(
            text,
            "\n  [[domain.sender]]\n  name = \"Own mail server\"\n  dkim = [{}]\n",
            list.join(", ")
        );
    }
}

/// Exchange Online as a sender. With the tenant, the selectors' targets in the legacy form and
/// how to check them; without, how to get them. Domains added since May 2025 get targets in a
/// new form whose partition part cannot be derived, so only Microsoft can print the real ones.
fn m365_sender(domain: &str, tenant: Option<&str>) -> String {
    let dashed = domain.replace('.', "-");
    let print = format!(
        "Get-DkimSigningConfig -Identity {domain} | Format-List Selector1CNAME, Selector2CNAME"
    );
    let head = "\n  [[domain.sender]]\n  name = \"Exchange Online\"\n  spf_include = \"spf.protection.outlook.com\"\n";
    match tenant {
        Some(tenant) => format!(
            r#"{head}  # The selectors' CNAME targets in the legacy form. Domains added since May 2025 get
  #   selector1-{dashed}._domainkey.{tenant}.<x>-v1.dkim.mail.microsoft
  # instead, where <x> cannot be derived: print the real targets and use them if they differ:
  #   {print}
  dkim.selector1 = "selector1-{dashed}._domainkey.{tenant}.onmicrosoft.com"
  dkim.selector2 = "selector2-{dashed}._domainkey.{tenant}.onmicrosoft.com"
"#
        ),
        None => format!(
            r#"{head}  # Write the targets Microsoft gives you (or run init with --tenant); since May 2025 they
  # cannot be derived. In Exchange Online PowerShell:
  #   {print}
  # e.g. dkim.selector1 = "selector1-{dashed}._domainkey.<tenant>.onmicrosoft.com"
  dkim = ["selector1", "selector2"]
"#
        ),
    }
}
