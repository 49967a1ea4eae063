//! `status --json` of plans written by `init --preset m365` (DMARC, the tree walk, the SPF tree,
//! two DKIM selectors, MX, the report authorization) for 1,000 and 10,000 domains, against the
//! in-process server on 127.0.0.1 answering each query at once and after 50 ms (a resolver's
//! round trip). Prints wall time, the CPU time of the tool and of the server (apart: the
//! server runs on threads of its own), the queries the server received, the distinct questions
//! (name and type) among them, and the most it was answering at once.
//! Run with `cargo bench --bench round_trips` (`-- --max-inflight N` passes the flag on;
//! `-- --quick` leaves out the 10,000-domain runs; `-- --domains N` and `-- --delay MS` run
//! that size or delay alone).

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
///
/// Each customer domain is a zone of its own, as it is on the Internet: hickory's in-memory
/// zone answers NXDOMAIN and NODATA after a scan of every name it holds, so one zone of all
/// customers made the server's time grow with the square of the plan and the bench measured
/// the server, not the tool.
fn zones(domains: usize) -> Vec<String> {
    let mut zones =
        vec![zone_text("test", ""), zone_text("bench.test", "_dmarc TXT \"v=DMARC1; p=none\"\n")];
    let mut tenant = String::new();
    for i in 0..domains {
        let dashed = domain(i).replace('.', "-");
        let mut customer = format!(
            "@ MX 0 {dashed}.mail.protection.outlook.com.\n\
             @ TXT \"v=spf1 include:spf.protection.outlook.com -all\"\n\
             selector1._domainkey CNAME selector1-{dashed}._domainkey.{TENANT}.onmicrosoft.com.\n\
             selector2._domainkey CNAME selector2-{dashed}._domainkey.{TENANT}.onmicrosoft.com.\n"
        );
        if i % 10 != 0 {
            let _ = writeln!(
                customer,
                "_dmarc TXT \"v=DMARC1; p=none; rua=mailto:dmarc@{RUA_HOST}; fo=0; adkim=r; \
                 aspf=r; pct=50; rf=afrf; ri=86400; sp=none\""
            );
        }
        zones.push(zone_text(&domain(i), &customer));
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
    zones.extend([
        zone_text("onmicrosoft.com", &tenant),
        zone_text("outlook.com", outlook),
        zone_text(RUA_HOST, reports),
    ]);
    zones
}

/// The server's runtime names its threads this, so their CPU time can be told from the tool's.
const SERVER_THREAD: &str = "dns-server";

/// CPU time of the whole process so far (user and system, every thread, ended ones too), in
/// seconds; Linux `/proc/self/stat`, clock ticks of 10 ms.
fn process_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU time of the server's threads so far, in seconds (their `schedstat`, in nanoseconds).
fn server_cpu() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0.0 };
    let nanos: u64 = tasks
        .flatten()
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm"))
                .is_ok_and(|c| c.trim_end() == SERVER_THREAD)
        })
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()))
        .sum();
    #[expect(clippy::cast_precision_loss, reason = "seconds of CPU, far below 2^52 ns")]
    let secs = nanos as f64 / 1e9;
    secs
}

/// What one run took: wall time, and CPU time of the tool and of the server, in seconds.
struct Took {
    wall: f64,
    tool_cpu: f64,
    server_cpu: f64,
}

/// One `status --json` run; asserts every domain's DMARC lookup was answered.
fn status(server: &TestDns, plan: &std::path::Path, extra: &[String]) -> Took {
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
    let (start, cpu_before, server_before) = (Instant::now(), process_cpu(), server_cpu());
    let code = cli::run(cli, &mut out, &mut err);
    let wall = start.elapsed().as_secs_f64();
    let server_cpu = server_cpu() - server_before;
    let tool_cpu = process_cpu() - cpu_before - server_cpu;
    let json: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    let unanswered = json["domains"].as_array().map_or(usize::MAX, |d| {
        d.iter()
            .filter(|d| !matches!(d["dmarc"]["state"].as_str(), Some("found" | "nxdomain")))
            .count()
    });
    assert_eq!(unanswered, 0, "exit {code}: {}", String::from_utf8_lossy(&err));
    Took { wall, tool_cpu, server_cpu }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let quick = args.iter().any(|a| a == "--quick");
    args.retain(|a| a != "--quick");
    let domains = take_number(&mut args, "--domains");
    let delay = take_number(&mut args, "--delay");
    let extra = args;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name(SERVER_THREAD)
        .enable_all()
        .build()
        .expect("runtime");
    println!("status --json, m365 preset, in-process server on 127.0.0.1 (2 cores) {extra:?}");
    println!(
        "{:>8} {:>6} {:>8} {:>10} {:>12} {:>9} {:>9} {:>10}",
        "domains",
        "delay",
        "wall s",
        "tool cpu s",
        "server cpu s",
        "queries",
        "distinct",
        "peak in fl"
    );
    let sizes = match domains {
        Some(n) => vec![n],
        None if quick => vec![1_000],
        None => vec![1_000, 10_000],
    };
    let delays = delay.map_or(vec![0, 50], |ms| vec![u64::try_from(ms).expect("a delay")]);
    for domains in sizes {
        let dir = tempfile::tempdir().expect("tempdir");
        let plan = plan(domains, dir.path());
        let zones = zones(domains);
        let zones: Vec<&str> = zones.iter().map(String::as_str).collect();
        for &delay_ms in &delays {
            let delay = Duration::from_millis(delay_ms);
            let server = runtime.block_on(TestDns::start_delayed(&zones, delay));
            let took = status(&server, &plan, &extra);
            let traffic = &server.traffic;
            println!(
                "{domains:>8} {:>4}ms {:>8.2} {:>10.2} {:>12.2} {:>9} {:>9} {:>10}",
                delay_ms,
                took.wall,
                took.tool_cpu,
                took.server_cpu,
                traffic.queries(),
                traffic.distinct_questions(),
                traffic.peak_in_flight()
            );
        }
    }
}

/// The number after `flag`, taken out of `args` with it.
fn take_number(args: &mut Vec<String>, flag: &str) -> Option<usize> {
    let at = args.iter().position(|a| a == flag)?;
    let number = args.get(at + 1).and_then(|n| n.parse().ok()).expect("a number after the flag");
    args.drain(at..=at + 1);
    Some(number)
}
