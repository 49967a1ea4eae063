//! How the TUI keeps up with many domains. For plans of 200 and 10,000 domains: the time to
//! the first frame (plan load included; the TOML parser alone timed apart) and one full frame;
//! then, for 10,000 domains whose lookups run against an authoritative server on 127.0.0.1 (as
//! the UI's loader runs them: `assess_each` under the default limit of queries in flight, on a
//! 2-thread runtime), how long a key takes from arriving to its frame being drawn, answers
//! landing meanwhile. And the peak RSS (`VmHWM`) of the UI alone, to the first frame and while
//! looking up: the server, which holds 10,000 zones, runs in a process of its own (this bench,
//! started again as a child) and its peak is printed apart. Prints figures; no harness.
//! `cargo bench --bench tui`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::hint::black_box;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use dmarc_rollout::advice::{self, Inputs, LiveDmarc};
use dmarc_rollout::assess::assess_each;
use dmarc_rollout::dns::{DnsOptions, Paced, ResolverSource, Target};
use dmarc_rollout::plan;
use dmarc_rollout::summary::Order;
use dmarc_rollout::tui::model::from_standing;
use dmarc_rollout::tui::{
    App, DomainView, Live, Msg, RecordTo, StatusLine, initial_views, update, view,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::dns_server::{TestDns, zone_text};
use support::rss::{peak_rss_mib, peak_rss_mib_of, reset_peak_rss};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

const FRAMES: u32 = 100;
/// Set in the child that serves the zones: how many domains to serve.
const SERVE: &str = "TUI_BENCH_SERVE_DOMAINS";
/// One frame at 60 Hz.
const FRAME: Duration = Duration::from_micros(16_667);

/// Time this thread has spent on a CPU (Linux `schedstat`, in nanoseconds): what the UI costs
/// whatever else loads the machine; zero where unavailable.
fn on_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let nanos = stat.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
    Duration::from_nanos(nanos)
}

/// CPU time since `before` (an [`on_cpu`] reading).
fn cpu_since(before: Duration) -> Duration {
    on_cpu().saturating_sub(before)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn plan_text(domains: usize) -> String {
    let mut text = String::from(
        "[defaults]\nrua = [\"mailto:dmarc@bench.test\"]\nttl = 3600\n\n\
         [[phase]]\nname = \"monitor\"\np = \"none\"\nsoak_days = 14\n\n\
         [[phase]]\nname = \"quarantine half\"\np = \"quarantine\"\npct = 50\nsoak_days = 14\n\n\
         [[phase]]\nname = \"reject\"\np = \"reject\"\n",
    );
    for i in 0..domains {
        let _ = write!(
            text,
            "\n[[domain]]\nname = \"d{i}.bench.test\"\n  [[domain.sender]]\n  name = \"Own\"\n  \
             dkim = [\"s1\"]\n  [domain.history]\n  1 = 2026-{:02}-01\n",
            i % 11 + 1
        );
    }
    text
}

/// Every domain has MX and SPF; a third lack their DKIM key (blocked), a few have drifted.
/// Each domain is a zone of its own, as on the Internet: hickory's in-memory zone scans every
/// name it holds to answer NXDOMAIN or NODATA, so one zone of all of them would make the
/// server, not the UI, the cost being measured.
fn zones(domains: usize) -> Vec<String> {
    let mut zones = vec![zone_text("bench.test", "mx A 127.0.0.1\n")];
    for i in 0..domains {
        let policy = if i % 17 == 0 { "quarantine; pct=25" } else { "none" };
        let mut body = format!(
            "@ MX 10 mx.bench.test.\n@ TXT \"v=spf1 -all\"\n\
             _dmarc TXT \"v=DMARC1; p={policy}; rua=mailto:dmarc@bench.test\"\n"
        );
        if i % 3 != 0 {
            let _ = writeln!(
                body,
                "s1._domainkey TXT \"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIB\""
            );
        }
        zones.push(zone_text(&format!("d{i}.bench.test"), &body));
    }
    zones
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("a valid date")
}

fn new_app(views: Vec<DomainView>) -> App {
    let record_to = RecordTo { file: "bench.toml".to_owned(), today: today() };
    let status = StatusLine { target: "system resolver".to_owned(), last_refresh: None };
    App::new(views, status, true, record_to)
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(160, 45)).expect("infallible")
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Plan text to the first frame, as `dmarc-rollout PLAN` goes: load, plan-only views, draw.
/// Wall and on-CPU time of the plan load, and of everything to the first frame.
struct FirstFrame {
    load: (Duration, Duration),
    total: (Duration, Duration),
}

/// What the TOML parser alone costs (`toml_parser`'s tokens and events, no tree built, as the
/// plan load reads them first): the floor under the plan load.
fn toml_alone(text: &str) -> (Duration, Duration) {
    let (start, cpu) = (Instant::now(), on_cpu());
    let source = toml_parser::Source::new(text);
    let tokens: Vec<_> = source.lex().collect();
    let mut errors: Option<toml_parser::ParseError> = None;
    toml_parser::parser::parse_document(&tokens, &mut (), &mut errors);
    assert!(errors.is_none(), "the bench plan is TOML");
    drop(black_box(tokens));
    (start.elapsed(), cpu_since(cpu))
}

fn first_frame(text: &str) -> (FirstFrame, plan::Plan) {
    let (start, cpu) = (Instant::now(), on_cpu());
    let plan = plan::load("bench.toml", text).expect("the bench plan loads");
    let load = (start.elapsed(), cpu_since(cpu));
    let app = new_app(initial_views(&plan.domains));
    terminal().draw(|frame| view(frame, &app)).expect("infallible");
    (FirstFrame { load, total: (start.elapsed(), cpu_since(cpu)) }, plan)
}

/// One full frame with every domain decided (phase 1 live), sorted by verdict: mean wall and
/// on-CPU time.
fn full_frame(plan: &plan::Plan) -> (Duration, Duration) {
    let mut app = new_app(initial_views(&plan.domains));
    for (entry, domain) in app.domains.iter_mut().zip(&plan.domains) {
        let value = entry.view.ladder[0].value.to_string();
        entry.view.live = Live::Found {
            value: value.clone(),
            ttl: 300,
            server: "127.0.0.1:53".to_owned(),
            source: format!("_dmarc.{}", entry.view.name),
            inherited: false,
        };
        let live = LiveDmarc::One(value);
        let inputs = Inputs { domain, live: &live, readiness: None, reports: None, today: today() };
        entry.view.advice = Some(Box::new(advice::decide(&inputs)));
    }
    update(&mut app, key(KeyCode::Char('s')));
    update(&mut app, key(KeyCode::Char('s')));
    update(&mut app, key(KeyCode::Char('s')));
    assert_eq!(app.order, Order::Verdict);
    let (mut wall, mut cpu) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..FRAMES {
        // A fresh terminal each time, so every frame is drawn and diffed in full.
        let mut term = terminal();
        let (start, before) = (Instant::now(), on_cpu());
        term.draw(|frame| view(frame, black_box(&app))).expect("infallible");
        wall += start.elapsed();
        cpu += cpu_since(before);
    }
    (wall / FRAMES, cpu / FRAMES)
}

/// Applies every queued answer, as the UI's loop drains them before a frame.
fn drain(app: &mut App, rx: &mut UnboundedReceiver<Msg>) -> usize {
    let mut landed = 0;
    while let Ok(msg) = rx.try_recv() {
        update(app, msg);
        landed += 1;
    }
    landed
}

/// Keys while every domain's lookups run: one key every frame, each timed from its arrival
/// to its frame drawn (the answers queued meanwhile applied first, as the UI's loop does).
async fn keys_while_looking_up(plan: plan::Plan, server: SocketAddr) -> Looked {
    let domains = plan.domains.len();
    let target = Target::Nameservers(vec![server]);
    let options = DnsOptions { target, ..DnsOptions::default() };
    let resolver = ResolverSource::nameservers(&[server], &options).expect("resolver");
    let source = Arc::new(Paced::new(Arc::new(resolver), options.max_inflight));
    let mut app = new_app(initial_views(&plan.domains));
    update(&mut app, key(KeyCode::Char('s')));
    update(&mut app, key(KeyCode::Char('s')));
    update(&mut app, key(KeyCode::Char('s')));
    update(&mut app, Msg::Tick);
    let (tx, mut rx) = unbounded_channel();
    let plan = Arc::new(plan);
    let started = Instant::now();
    let loader = tokio::spawn(async move {
        let domains: Vec<&plan::Domain> = plan.domains.iter().collect();
        assess_each(&source, &domains, today(), None, None, |index, standing| {
            let view = Box::new(from_standing(domains[index], &standing));
            let _ = tx.send(Msg::Loaded { generation: 1, index, view });
        })
        .await;
    });
    let mut term = terminal();
    let (mut latencies, mut on_cpus) = (Vec::new(), Vec::new());
    let mut landed = 0;
    let keys = [KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Char('k'), KeyCode::Char('v')];
    while landed < domains {
        tokio::time::sleep(FRAME).await;
        let (start, cpu) = (Instant::now(), on_cpu());
        landed += drain(&mut app, &mut rx);
        update(&mut app, key(keys[latencies.len() % keys.len()]));
        term.draw(|frame| view(frame, &app)).expect("infallible");
        latencies.push(start.elapsed());
        on_cpus.push(cpu_since(cpu));
    }
    let all = started.elapsed();
    loader.await.expect("the loader ends");
    assert_eq!(app.in_flight(), 0);
    let unknown = app.tally().count(dmarc_rollout::summary::Mark::Unknown);
    latencies.sort_unstable();
    on_cpus.sort_unstable();
    Looked { latencies, on_cpus, all, unknown }
}

/// The authoritative server in a process of its own, so this one's peak RSS is the UI's.
struct ServerProcess {
    child: Child,
    addr: SocketAddr,
}

impl ServerProcess {
    /// Starts this bench again as the server of `domains` zones and waits for its address.
    fn start(domains: usize) -> Self {
        let mut child = Command::new(std::env::current_exe().expect("this bench's path"))
            .env(SERVE, domains.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server process starts");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped");
        BufReader::new(stdout).read_line(&mut line).expect("the server's address");
        let addr = line.trim().parse().expect("an address");
        Self { child, addr }
    }

    /// Stops the server (its stdin closes) and returns its peak RSS in MiB.
    fn stop(mut self) -> f64 {
        let peak = peak_rss_mib_of(self.child.id());
        drop(self.child.stdin.take());
        self.child.wait().expect("the server process ends");
        peak
    }
}

/// The child's side: serves one zone per domain on 127.0.0.1, prints the address, and serves
/// until its stdin closes.
fn serve(domains: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let zones = zones(domains);
        let server = TestDns::start(&zones.iter().map(String::as_str).collect::<Vec<_>>()).await;
        drop(zones);
        println!("{}", server.addr);
        std::io::stdout().flush().expect("the address is sent");
        let until_closed = tokio::task::spawn_blocking(|| {
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
        });
        until_closed.await.expect("stdin is read to its end");
    });
}

/// What [`keys_while_looking_up`] measured: each key's wall and on-CPU time to its frame,
/// sorted; the time until every answer had landed; the domains left unknown.
struct Looked {
    latencies: Vec<Duration>,
    on_cpus: Vec<Duration>,
    all: Duration,
    unknown: usize,
}

/// The `q` quantile of sorted durations, in ms.
fn quantile(sorted: &[Duration], q: f64) -> f64 {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a few thousand figures"
    )]
    let i = ((sorted.len() - 1) as f64 * q) as usize;
    ms(sorted[i])
}

fn main() {
    if let Some(domains) = std::env::var(SERVE).ok().and_then(|d| d.parse().ok()) {
        serve(domains);
        return;
    }
    println!("TUI at 160x45 (2 shared cores); wall time, and in brackets time on a CPU");
    for domains in [200, 10_000] {
        let text = plan_text(domains);
        let (first, plan) = first_frame(&text);
        // Before the bench's own extra parse and frames add to it.
        let first_peak = peak_rss_mib();
        let (toml_wall, toml_cpu) = toml_alone(&text);
        let (frame_wall, frame_cpu) = full_frame(&plan);
        println!(
            "{domains:>6} domains ({} KB): first frame {:.1} ms [{:.1}] (plan load {:.1} ms [{:.1}]; the TOML parser alone {:.1} ms [{:.1}]), full frame sorted by verdict {:.2} ms [{:.2}] (mean of {FRAMES})",
            text.len() / 1000,
            ms(first.total.0),
            ms(first.total.1),
            ms(first.load.0),
            ms(first.load.1),
            ms(toml_wall),
            ms(toml_cpu),
            ms(frame_wall),
            ms(frame_cpu),
        );
        if domains < 10_000 {
            continue;
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        reset_peak_rss();
        let server = ServerProcess::start(domains);
        let looked = runtime.block_on(keys_while_looking_up(plan, server.addr));
        let server_peak = server.stop();
        let (wall, cpu) = (&looked.latencies, &looked.on_cpus);
        println!(
            "{domains:>6} domains looked up in {:.1} s ({} unknown); {} keys meanwhile, key to frame: median {:.1} ms [{:.1}], p99 {:.1} ms [{:.1}], max {:.1} ms [{:.1}] (a frame at 60 Hz: 16.7 ms)",
            looked.all.as_secs_f64(),
            looked.unknown,
            wall.len(),
            quantile(wall, 0.5),
            quantile(cpu, 0.5),
            quantile(wall, 0.99),
            quantile(cpu, 0.99),
            quantile(wall, 1.0),
            quantile(cpu, 1.0),
        );
        println!(
            "peak RSS of the UI alone: {first_peak:.0} MiB to the first frame, {:.0} MiB while looking up (the server's process, holding {domains} zones: {server_peak:.0} MiB)",
            peak_rss_mib()
        );
    }
}
