//! Throughput of `dns::gather`, 64 domains at a time, against an in-process authoritative server on 127.0.0.1: zones of
//! 1,000 and 10,000 domains, wall time, queries per second and peak RSS (`VmHWM`).
//! Run with `cargo bench --bench dns_gather`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dmarc_rollout::dns::{
    Answer, DnsOptions, DnsSource, DomainQuery, RecordKind, ResolverSource, ZoneFileSource, gather,
};
use futures::StreamExt;
use futures::future::BoxFuture;
use support::dns_server::{TestDns, zone_text};
use support::rss::peak_rss_mib;

/// Domains in flight at once.
const CONCURRENCY: usize = 64;

/// Counts the lookups passing through, to report queries per second.
struct Counting {
    inner: Box<dyn DnsSource>,
    queries: AtomicU64,
}

impl DnsSource for Counting {
    fn lookup<'a>(&'a self, name: &'a str, kind: RecordKind) -> BoxFuture<'a, Answer> {
        self.queries.fetch_add(1, Ordering::Relaxed);
        self.inner.lookup(name, kind)
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

/// Every domain has MX, SPF and a DKIM key; every tenth has no DMARC record of its own and
/// inherits (tree walk + PSL lookups).
fn bench_zone(domains: usize) -> String {
    let lines: Vec<String> = (0..domains)
        .map(|i| {
            let dmarc = if i % 10 == 0 {
                String::new()
            } else {
                format!("_dmarc.d{i} TXT \"v=DMARC1; p=quarantine; rua=mailto:r@bench.test\"\n")
            };
            format!(
                "d{i} MX 10 mx\nd{i} TXT \"v=spf1 -all\"\n{dmarc}\
                 s1._domainkey.d{i} TXT \"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIB\"\n"
            )
        })
        .collect();
    zone_text("bench.test", &format!("_dmarc TXT \"v=DMARC1; p=none\"\n{}", lines.concat()))
}

/// Gathers every domain through `inner`, counting lookups; prints one line.
async fn measure(label: &str, inner: Box<dyn DnsSource>, domains: usize) {
    let source = Arc::new(Counting { inner, queries: AtomicU64::new(0) });
    let queries: Vec<DomainQuery> = (0..domains)
        .map(|i| DomainQuery {
            domain: format!("d{i}.bench.test"),
            dkim_selectors: vec!["s1".to_owned()],
            report_hosts: Vec::new(),
        })
        .collect();
    let started = Instant::now();
    let results: Vec<_> = futures::stream::iter(&queries)
        .map(|q| gather(source.as_ref(), q))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let failures = results.iter().filter(|r| r.dmarc.answer.state.is_failure()).count();
    let total = source.queries.load(Ordering::Relaxed);
    let qps = f64::from(u32::try_from(total).unwrap_or(u32::MAX)) / elapsed.as_secs_f64();
    println!(
        "{domains:>6} domains, {label:<9}: {:>6.2} s wall, {total:>6} queries, {qps:>8.0} queries/s, \
         {failures} failed, peak RSS so far {:.0} MiB",
        elapsed.as_secs_f64(),
        peak_rss_mib(),
    );
}

async fn run(domains: usize) {
    let zone = bench_zone(domains);
    let dns = TestDns::start(&[&zone]).await;
    let options = DnsOptions { timeout: Duration::from_secs(2), attempts: 2, ..dns.options() };
    let server = ResolverSource::nameservers(&[dns.addr], &options).expect("resolver");
    measure("loopback", Box::new(server), domains).await;
    // The same zone without the network: what gathering itself costs.
    let file = ZoneFileSource::from_text(&zone, None, Path::new("bench.zone")).expect("zone");
    measure("zone file", Box::new(file), domains).await;
}

fn main() {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    for domains in [1_000, 10_000] {
        runtime.block_on(run(domains));
    }
}
