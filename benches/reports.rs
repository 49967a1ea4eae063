//! Throughput and memory of the report reader: writes a corpus of aggregate reports (about 1 GB
//! of XML by default, `DMARC_BENCH_BYTES` to change it; every fourth file gzipped) to a temporary
//! folder, reads it with `read_paths`, checks the totals, and prints MB/s and peak RSS.

#[path = "../tests/support/rss.rs"]
mod rss;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use dmarc_rollout::report::{Window, read_paths};
use rss::peak_rss_mib;

const DOMAINS: u64 = 20;
/// Distinct sending IPs per domain: aggregates grow with these, not with the corpus.
const IPS: u64 = 5_000;
const FILE_BYTES: usize = 4 << 20;

fn main() {
    let target: u64 = std::env::var("DMARC_BENCH_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000_000);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let started = Instant::now();
    let made = generate(dir.path(), target);
    println!(
        "generated {} files, {:.0} MB of XML ({} records, {} messages) in {:.1} s",
        made.files,
        mb(made.xml_bytes),
        made.records,
        made.messages,
        started.elapsed().as_secs_f64()
    );
    let rss_before = peak_rss_mib();

    let started = Instant::now();
    let corpus = read_paths(&[dir.path().to_owned()], &Window::default());
    let secs = started.elapsed().as_secs_f64();

    let messages: u64 = corpus.domains.values().map(|d| d.counts.messages).sum();
    let records: u64 = corpus.domains.values().map(|d| d.records).sum();
    assert_eq!((records, messages), (made.records, made.messages), "totals differ");
    assert!(corpus.rejected_files.is_empty(), "{:?}", corpus.rejected_files);
    let sources: usize = corpus.domains.values().map(|d| d.sources.len()).sum();
    println!(
        "read {} files, {} domains, {sources} sources in {secs:.2} s: {:.0} MB/s of XML",
        corpus.files_read,
        corpus.domains.len(),
        mb(made.xml_bytes) / secs
    );
    println!(
        "peak RSS (VmHWM): {:.1} MiB before reading, {:.1} MiB after",
        rss_before,
        peak_rss_mib()
    );
}

#[expect(clippy::cast_precision_loss, reason = "a figure to print")]
fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

#[derive(Default)]
struct Made {
    files: u64,
    xml_bytes: u64,
    records: u64,
    messages: u64,
}

fn generate(dir: &Path, target: u64) -> Made {
    let mut made = Made::default();
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut xml = String::with_capacity(FILE_BYTES + 4096);
    while made.xml_bytes < target {
        xml.clear();
        let n = made.files;
        let domain = n % DOMAINS;
        let day = 1_700_000_000 + 86_400 * (n / DOMAINS);
        let _ = write!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback>\n<version>1.0</version>\n\
             <report_metadata><org_name>bench.example</org_name>\
             <email>noreply@bench.example</email><report_id>bench-{n}</report_id>\
             <date_range><begin>{day}</begin><end>{}</end></date_range></report_metadata>\n\
             <policy_published><domain>d{domain}.example</domain><adkim>r</adkim><aspf>r</aspf>\
             <p>none</p><sp>none</sp><pct>100</pct></policy_published>\n",
            day + 86_399
        );
        while xml.len() < FILE_BYTES {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let count = 1 + rng % 50;
            record(&mut xml, domain * IPS + rng % IPS, count, domain, rng >> 32);
            made.records += 1;
            made.messages += count;
        }
        xml.push_str("</feedback>\n");
        made.xml_bytes += xml.len() as u64;
        write_file(dir, n, xml.as_bytes());
        made.files += 1;
    }
    made
}

fn record(xml: &mut String, ip: u64, count: u64, domain: u64, bits: u64) {
    let (dkim, spf) = (
        if bits.is_multiple_of(4) { "fail" } else { "pass" },
        if bits % 8 < 4 { "pass" } else { "fail" },
    );
    let _ = write!(
        xml,
        "<record>\n <row>\n  <source_ip>10.{}.{}.{}</source_ip>\n  <count>{count}</count>\n  \
         <policy_evaluated>\n   <disposition>none</disposition>\n   <dkim>{dkim}</dkim>\n   \
         <spf>{spf}</spf>\n  </policy_evaluated>\n </row>\n <identifiers>\n  \
         <header_from>d{domain}.example</header_from>\n </identifiers>\n <auth_results>\n  \
         <dkim>\n   <domain>d{domain}.example</domain>\n   <selector>s1</selector>\n   \
         <result>{dkim}</result>\n  </dkim>\n  <spf>\n   <domain>mail.sender{}.example</domain>\n   \
         <scope>mfrom</scope>\n   <result>pass</result>\n  </spf>\n </auth_results>\n</record>\n",
        ip >> 16,
        (ip >> 8) & 255,
        ip & 255,
        ip % 97
    );
}

fn write_file(dir: &Path, n: u64, xml: &[u8]) {
    let path: PathBuf = dir.join(format!("bench.example!report-{n}.xml"));
    if n % 4 == 3 {
        let file = std::fs::File::create(path.with_extension("xml.gz")).expect("create");
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        gz.write_all(xml).expect("write");
        gz.finish().expect("finish");
    } else {
        std::fs::write(path, xml).expect("write");
    }
}
