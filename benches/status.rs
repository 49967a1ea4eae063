//! `status --json` end to end (plan load, every lookup, standing, JSON) for generated plans of
//! 1,000 and 10,000 domains against an in-process authoritative server on 127.0.0.1.
//! Prints wall time, domains and queries per second, and peak RSS (`VmHWM`, which includes the
//! in-process server). Run with `cargo bench --bench status`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::time::Instant;

use clap::Parser;
use dmarc_rollout::cli::{self, Cli};
use support::dns_server::{TestDns, zone_text};
use support::rss::peak_rss_mib;

/// Lookups `status` makes for each generated domain: `_dmarc` TXT, apex TXT, MX, and for
/// readiness the report mailbox's MX and, finding none, its address (`v=spf1 -all` needs no
/// SPF walk; the rua domain is the same organization, so no authorization lookup).
const QUERIES_PER_DOMAIN: usize = 5;

fn plan(domains: usize) -> String {
    let mut text = String::from(
        "[defaults]\nrua = \"mailto:r@bench.test\"\n\n[[phase]]\nname = \"monitor\"\np = \"none\"\nsoak_days = 14\n\n[[phase]]\nname = \"quarantine\"\np = \"quarantine\"\n",
    );
    for i in 0..domains {
        let _ = write!(text, "\n[[domain]]\nname = \"d{i}.bench.test\"\n");
    }
    text
}

fn zone(domains: usize) -> String {
    let mut body = String::new();
    for i in 0..domains {
        let policy = if i % 2 == 0 { "none" } else { "quarantine" };
        let _ = write!(
            body,
            "d{i} MX 10 mx\nd{i} TXT \"v=spf1 -all\"\n_dmarc.d{i} TXT \"v=DMARC1; p={policy}; rua=mailto:r@bench.test\"\n"
        );
    }
    zone_text("bench.test", &body)
}

fn main() {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    println!("status --json against an in-process server on 127.0.0.1 (2 cores)");
    println!(
        "{:>8} {:>9} {:>11} {:>11} {:>9}",
        "domains", "wall s", "domains/s", "queries/s", "RSS MiB"
    );
    for domains in [1_000, 10_000] {
        let server = runtime.block_on(TestDns::start(&[&zone(domains)]));
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bench.toml");
        std::fs::write(&path, plan(domains)).expect("plan");
        let args = ["dmarc-rollout", "status", "--json", "--timeout", "5", "--nameserver"];
        let cli = Cli::parse_from(
            args.iter()
                .map(ToString::to_string)
                .chain([server.addr.to_string(), path.display().to_string()]),
        );
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let start = Instant::now();
        let code = cli::run(cli, &mut out, &mut err);
        let wall = start.elapsed().as_secs_f64();
        let json: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
        let timeouts = json["domains"]
            .as_array()
            .map_or(0, |d| d.iter().filter(|d| d["dmarc"]["state"] != "found").count());
        assert_eq!((code, timeouts), (0, 0), "{}", String::from_utf8_lossy(&err));
        #[allow(clippy::cast_precision_loss)]
        let (per_s, q_per_s) =
            (domains as f64 / wall, (domains * QUERIES_PER_DOMAIN) as f64 / wall);
        println!("{domains:>8} {wall:>9.2} {per_s:>11.0} {q_per_s:>11.0} {:>9.1}", peak_rss_mib());
    }
}
