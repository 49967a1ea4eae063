//! Memory and output of `reports` on what an attacker can mail to a public rua address, at the
//! sizes that once took gigabytes (issue 13). Each scenario runs in a child process of this
//! bench (so each peak RSS is its own): the input is generated into a temporary folder, then
//! `dmarc-rollout reports --json` runs in-process with its output counted, not kept.
//!
//! `cargo bench --bench hostile_reports` prints, per scenario: input bytes, seconds, peak RSS,
//! and the bytes written to stdout and stderr.

#[path = "../tests/support/attack_reports.rs"]
mod attack_reports;
#[path = "../tests/support/rss.rs"]
mod rss;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use attack_reports::{distinct_domains, email, empty_entries_zip, gzip, huge_text_node, repeated};
use clap::Parser as _;
use dmarc_rollout::cli::{self, Cli};

const SCENARIOS: [&str; 5] = [
    "repeated-report",
    "empty-zip-entries",
    "million-domains",
    "huge-text-node",
    "million-domains-one",
];

fn main() {
    if let Some(name) = std::env::args().skip_while(|a| a != "--scenario").nth(1) {
        return run_scenario(&name);
    }
    let me = std::env::current_exe().expect("this bench");
    println!(
        "{:<22} {:>10} {:>8} {:>12} {:>12} {:>12}",
        "scenario", "input MB", "secs", "peak MiB", "stdout KB", "stderr KB"
    );
    for name in SCENARIOS {
        let out = Command::new(&me).args(["--scenario", name]).output().expect("child runs");
        print!("{}", String::from_utf8_lossy(&out.stdout));
        if !out.status.success() {
            println!("{name}: failed: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

/// Writes the scenario's input, runs `reports` on it and prints one line of figures.
fn run_scenario(name: &str) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (path, input) = generate(name, dir.path());
    let mut args = vec!["dmarc-rollout".to_owned(), "reports".to_owned(), "--json".to_owned()];
    if name == "million-domains-one" {
        args.extend(["--domain".to_owned(), "d999999.example".to_owned()]);
    }
    args.push(path.display().to_string());
    rss::reset_peak_rss();
    let started = Instant::now();
    let (mut out, mut err) = (Count(0), Count(0));
    let code = cli::run(Cli::parse_from(args), &mut out, &mut err);
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{name:<22} {:>10.1} {secs:>8.2} {:>12.1} {:>12.1} {:>12.1}   exit {code}",
        mb(input),
        rss::peak_rss_mib(),
        kb(out.0),
        kb(err.0)
    );
}

/// The inputs, at its sizes.
fn generate(name: &str, dir: &Path) -> (PathBuf, u64) {
    let (file, data) = match name {
        // One email (269 KB in the issue): a gzip attachment with a 10 KB file name holding one
        // small report 200,000 times.
        "repeated-report" => {
            let attachment = format!("{}.xml.gz", "n".repeat(10_000));
            ("mail.eml", email(&[(attachment, "application/gzip", gzip(&repeated(200_000)))]))
        }
        // 20 zip attachments of 1,000 empty entries with long names.
        "empty-zip-entries" => {
            let zip = empty_entries_zip(1000, 250);
            let parts: Vec<(String, &str, Vec<u8>)> =
                (0..20).map(|i| (format!("{i}.zip"), "application/zip", zip.clone())).collect();
            ("mail.eml", email(&parts))
        }
        // 1,000,000 minimal reports for distinct domains in one .xml.gz.
        "million-domains" | "million-domains-one" => {
            ("many.xml.gz", gzip(&distinct_domains(1_000_000)))
        }
        // One 250 MB text node after a complete report.
        "huge-text-node" => ("huge.xml", huge_text_node(250_000_000)),
        other => panic!("no scenario {other}"),
    };
    let path = dir.join(file);
    std::fs::write(&path, &data).expect("write the input");
    (path, data.len() as u64)
    // `data` is freed here, before the peak is reset and the command runs.
}

/// A writer that counts bytes and keeps none.
struct Count(u64);

impl Write for Count {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[expect(clippy::cast_precision_loss, reason = "a figure to print")]
fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

#[expect(clippy::cast_precision_loss, reason = "a figure to print")]
fn kb(bytes: u64) -> f64 {
    bytes as f64 / 1e3
}
