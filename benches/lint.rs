//! Parsing + linting throughput on a mix of real-world DMARC records. Run with
//! `cargo bench --bench lint`; prints records per second.

use std::hint::black_box;
use std::time::{Duration, Instant};

use dmarc_rollout::record::{Receiver, parse};

/// Records seen in the wild (published, or in vendor documentation), good and broken.
const RECORDS: &[&str] = &[
    "v=DMARC1; p=reject rua=mailto:d@contoso.com",
    "v=DMARC1; p=none; rua=mailto:secops@insight24.nl; fo=0; adkim=r; aspf=r; pct=50; rf=afrf; \
     ri=86400; sp=none",
    "v=DMARC1;p=reject;sp=reject;adkim=s;aspf=s;rua=mailto:a@x.com!10m,mailto:b@y.com,\
     mailto:c@z.com",
    "v=DMARC1; p=quarantine; pct=5; rua=mailto:postmaster@solarmora.com",
    "v=DMARC1; p=reject; rua=mailto:mailauth-reports@google.com",
    "v=DMARC1; p=reject; pct=100; rua=mailto:d@rua.agari.com; ruf=mailto:d@ruf.agari.com; fo=1",
    "v=DMARC1; p=quarantine; pct=0; t=y; np=reject; rua=mailto:dmarc@example.com",
    "v=dmarc1; p=none",
    " v=DMARC1; p=reject",
    "v=DMARC1; p=none; rau=mailto:dmarc@example.com; pto=1",
];

fn main() {
    let budget = Duration::from_secs(3);
    let start = Instant::now();
    let mut parsed = 0_u64;
    let mut findings = 0_usize;
    while start.elapsed() < budget {
        for text in RECORDS {
            let result = parse(black_box(text));
            findings += result.findings.len();
            black_box(result.effective(Receiver::Rfc9989));
            parsed += 1;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    #[expect(clippy::cast_precision_loss, reason = "a rate for humans")]
    let rate = parsed as f64 / elapsed;
    println!(
        "lint: {parsed} records in {elapsed:.2} s = {rate:.0} records/s ({findings} findings)"
    );
}
