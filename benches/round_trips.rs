//! `status --json` of plans written by `init --preset m365` (DMARC, the tree walk, the SPF tree,
//! two DKIM selectors, MX, the report authorization) for 1,000 and 10,000 domains, against the
//! in-process server on 127.0.0.1 answering each query at once and after 50 ms (a resolver's
//! round trip). Prints wall time, the queries the server received, the distinct questions
//! (name and type) among them, and the most it was answering at once.
//! Run with `cargo bench --bench round_trips` (`-- --max-inflight N` passes the flag on;
//! `-- --quick` leaves out the 10,000-domain runs).

#[path = "../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use clap::Parser;
use dmarc_rollout::cli::{self, Cli};
use support::dns_server::{TestDns, zone_text};
use support::keys::{RSA_2048, key_txt};

const TENANT: &str = "benchtenant";
const RUA_HOST: &str = "msp-reports.test";

/// The plan `init` writes for `domains` customer domains with Exchange Online as their sender.
fn plan(domains: usize, dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("bench.toml");
    let mut args: Vec<String> = ["dmarc-rollout", "init", "--preset", "m365", "--tenant", TENANT]
        .iter()
        .map(ToString::to_string)
        .collect();
    args.extend(["--rua".to_owned(), format!("dmarc@{RUA_HOST}")]);
    args.extend(["-o".to_owned(), path.display().to_string()]);
    args.extend((0..domains).map(domain));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(Cli::parse_from(args), &mut out, &mut err);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    path
}

fn domain(i: usize) -> String {
    format!("d{i}.bench.test")
}

/// Every customer domain publishes Exchange Online's SPF include, MX and DKIM CNAMEs into the
/// tenant; nine in ten publish the plan's first phase, every tenth no DMARC record (it inherits
/// through the tree walk). The vendor's and the report host's zones are served too.
fn zones(domains: usize) -> Vec<String> {
    let mut customers = String::from("_dmarc TXT \"v=DMARC1; p=none\"\n");
    let mut tenant = String::new();
    for i in 0..domains {
        let dashed = domain(i).replace('.', "-");
        let _ = write!(
            customers,
            "d{i} MX 0 {dashed}.mail.protection.outlook.com.\n\
             d{i} TXT \"v=spf1 include:spf.protection.outlook.com -all\"\n\
             selector1._domainkey.d{i} CNAME selector1-{dashed}._domainkey.{TENANT}.onmicrosoft.com.\n\
             selector2._domainkey.d{i} CNAME selector2-{dashed}._domainkey.{TENANT}.onmicrosoft.com.\n"
        );
        if i % 10 != 0 {
            let _ = writeln!(
                customers,
                "_dmarc.d{i} TXT \"v=DMARC1; p=none; rua=mailto:dmarc@{RUA_HOST}; fo=0; adkim=r; \
                 aspf=r; pct=50; rf=afrf; ri=86400; sp=none\""
            );
        }
        for selector in ["selector1", "selector2"] {
            let _ = writeln!(
                tenant,
                "{selector}-{dashed}._domainkey.{TENANT} TXT {}",
                key_txt(RSA_2048)
            );
        }
    }
    let outlook = "spf.protection TXT \"v=spf1 include:spfa.protection.outlook.com include:spfb.protection.outlook.com -all\"\n\
         spfa.protection TXT \"v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 -all\"\n\
         spfb.protection TXT \"v=spf1 ip4:52.100.0.0/14 ip4:104.47.0.0/17 -all\"\n\
         *.mail.protection A 192.0.2.25\n";
    let reports = "@ MX 10 mx\nmx A 192.0.2.26\n*._report._dmarc TXT \"v=DMARC1\"\n";
    vec![
        zone_text("test", ""),
        zone_text("bench.test", &customers),
        zone_text("onmicrosoft.com", &tenant),
        zone_text("outlook.com", outlook),
        zone_text(RUA_HOST, reports),
    ]
}

/// One `status --json` run; asserts every domain's DMARC lookup was answered.
fn status(server: &TestDns, plan: &std::path::Path, extra: &[String]) -> f64 {
    let mut args: Vec<String> =
        ["dmarc-rollout", "status", "--json", "--today", "2026-12-01", "--nameserver"]
            .iter()
            .map(ToString::to_string)
            .collect();
    args.push(server.addr.to_string());
    args.extend(extra.iter().cloned());
    args.push(plan.display().to_string());
    let cli = Cli::parse_from(args);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let start = Instant::now();
    let code = cli::run(cli, &mut out, &mut err);
    let wall = start.elapsed().as_secs_f64();
    let json: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    let unanswered = json["domains"].as_array().map_or(usize::MAX, |d| {
        d.iter()
            .filter(|d| !matches!(d["dmarc"]["state"].as_str(), Some("found" | "nxdomain")))
            .count()
    });
    assert_eq!(unanswered, 0, "exit {code}: {}", String::from_utf8_lossy(&err));
    wall
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let quick = args.iter().any(|a| a == "--quick");
    let extra: Vec<String> = args.into_iter().filter(|a| a != "--quick").collect();
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    println!("status --json, m365 preset, in-process server on 127.0.0.1 (2 cores) {extra:?}");
    println!(
        "{:>8} {:>6} {:>8} {:>9} {:>9} {:>10}",
        "domains", "delay", "wall s", "queries", "distinct", "peak in fl"
    );
    let sizes: &[usize] = if quick { &[1_000] } else { &[1_000, 10_000] };
    for &domains in sizes {
        let dir = tempfile::tempdir().expect("tempdir");
        let plan = plan(domains, dir.path());
        let zones = zones(domains);
        let zones: Vec<&str> = zones.iter().map(String::as_str).collect();
        for delay_ms in [0, 50] {
            let delay = Duration::from_millis(delay_ms);
            let server = runtime.block_on(TestDns::start_delayed(&zones, delay));
            let wall = status(&server, &plan, &extra);
            let traffic = &server.traffic;
            println!(
                "{domains:>8} {:>4}ms {wall:>8.2} {:>9} {:>9} {:>10}",
                delay_ms,
                traffic.queries(),
                traffic.distinct_questions(),
                traffic.peak_in_flight()
            );
        }
    }
}
