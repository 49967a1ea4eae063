//! Golden files under `tests/golden/`: compared, or rewritten when `GOLDEN_UPDATE` is set.

use std::path::PathBuf;

use dmarc_rollout::export::{DnsChange, Format, render};

/// Every export format, with the extension its golden files carry.
const FORMATS: [(Format, &str); 8] = [
    (Format::Dnscontrol, "dnscontrol.js"),
    (Format::Octodns, "octodns.yaml"),
    (Format::TerraformAzurerm, "azurerm.tf"),
    (Format::TerraformAws, "aws.tf"),
    (Format::TerraformCloudflare, "cloudflare.tf"),
    (Format::Nsupdate, "nsupdate.txt"),
    (Format::PowershellDns, "powershell.ps1"),
    (Format::AzureCli, "azure-cli.sh"),
];

/// Compares `text` with `tests/golden/<dir>/<name>` (or writes it there under `GOLDEN_UPDATE`);
/// the mismatch to report, if any.
pub fn mismatch(dir: &str, name: &str, text: &str) -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(dir).join(name);
    if std::env::var_os("GOLDEN_UPDATE").is_some() {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("golden dir");
        std::fs::write(&path, text).expect("write golden");
        return None;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    (expected != text).then(|| format!("--- {name} expected:\n{expected}\n--- got:\n{text}"))
}

/// `changes` in every export format, each compared with `tests/golden/<dir>/<scenario>.<ext>`;
/// the mismatches to report.
pub fn export_mismatches(dir: &str, scenario: &str, changes: &[DnsChange]) -> Vec<String> {
    FORMATS
        .iter()
        .filter_map(|(format, extension)| {
            let text = render(*format, changes).expect("renders");
            mismatch(dir, &format!("{scenario}.{extension}"), &text)
        })
        .collect()
}

/// What `bash -n` says is wrong with `script`, if anything; nothing when bash is not installed
/// (said on stderr, as the check is then skipped).
pub fn bash_syntax_error(script: &str) -> Option<String> {
    let Ok(out) = std::process::Command::new("bash").args(["-n", "-c", script]).output() else {
        eprintln!("note: bash is not installed; the syntax check is skipped");
        return None;
    };
    (!out.status.success()).then(|| String::from_utf8_lossy(&out.stderr).into_owned())
}
