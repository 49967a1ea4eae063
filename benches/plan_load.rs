//! A plan of 100,000 domains through `validate`, `next --offline` and `record --offline`, as the
//! binary's commands run them (in-process, output counted, not kept), and `lint` on 1,800 tags
//! (14 KB, under its limit) and 20,000 (120 KB, refused). `cargo bench --bench plan_load` prints seconds and output bytes for each.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::time::Instant;

use clap::Parser as _;
use dmarc_rollout::cli::{self, Cli};

const DOMAINS: usize = 100_000;

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("plan.toml");
    let mut text = String::from(
        "[defaults]\nrua = [\"mailto:dmarc@example.com\"]\n\n[[phase]]\nname = \"monitor\"\n\
         p = \"none\"\nsoak_days = 14\n\n[[phase]]\nname = \"reject\"\np = \"reject\"\n",
    );
    for i in 0..DOMAINS {
        let _ = write!(text, "\n[[domain]]\nname = \"d{i}.example\"\n");
    }
    std::fs::write(&path, &text).expect("write the plan");
    let plan = path.display().to_string();
    println!("a plan of {DOMAINS} domains, {} bytes", text.len());
    run("validate", &["validate", &plan]);
    run("next --offline", &["next", &plan, "--offline", "--today", "2026-11-20"]);
    run(
        "record --offline",
        &[
            "record",
            &plan,
            "--domain",
            "d99999.example",
            "--phase",
            "1",
            "--offline",
            "--on",
            "2026-11-20",
        ],
    );
    for tags in [1_800, 20_000] {
        let list = (0..tags).fold(String::new(), |mut list, i| {
            let _ = write!(list, "x{i}=y;");
            list
        });
        let record = format!("v=DMARC1; p=none; {list}");
        run(&format!("lint, {tags} tags"), &["lint", &record]);
    }
}

fn run(what: &str, args: &[&str]) {
    let command_line = std::iter::once("dmarc-rollout").chain(args.iter().copied());
    let (mut out, mut err) = (Count(0), Count(0));
    let started = Instant::now();
    let code = cli::run(Cli::parse_from(command_line), &mut out, &mut err);
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{what:<20} {secs:>7.2} s   exit {code}   stdout {:>10} bytes   stderr {:>8} bytes",
        out.0, err.0
    );
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
