//! A real Knot DNS (`knotd`) on loopback for the `apply` tests: a primary on 127.0.0.1 (and on
//! `[::1]` when the machine has an IPv6 loopback) that takes TSIG-signed updates, and, when asked
//! for, a second server on 127.0.0.2 on the same port — a secondary that follows the primary
//! (NOTIFY, then IXFR) or a stale copy that never changes. Where `knotd` is not installed,
//! [`Knot::start`] says so on stderr and returns `None`, and the test returns early.

use std::fmt::Write as _;
use std::net::{Ipv6Addr, SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dmarc_rollout::dns::UpdateServer;

/// The key the primary accepts updates signed with.
pub const KEY_NAME: &str = "dmarc-apply";
/// Its secret (32 random bytes, base64).
pub const SECRET: &str = "6IXaH4egOvsS8GTD0f4A1XiEX4Hx8xFuj5/eLFxO/4M=";
/// A secret of the same length that is not the server's.
pub const WRONG_SECRET: &str = "7IXaH4egOvsS8GTD0f4A1XiEX4Hx8xFuj5/eLFxO/4M=";

/// What answers on 127.0.0.2 beside the primary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Second {
    None,
    /// A secondary: NOTIFY from the primary, then a zone transfer.
    Secondary,
    /// A server with its own copy of the zone, which never changes: a secondary that lags.
    Stale,
}

/// The running servers; they are stopped when this is dropped.
pub struct Knot {
    pub port: u16,
    pub primary: SocketAddr,
    pub second: Option<SocketAddr>,
    /// Whether the primary also listens on `[::1]` (and the zone gives ns1 that address).
    pub ipv6: bool,
    pub dir: tempfile::TempDir,
    children: Vec<Child>,
}

impl Knot {
    /// Starts the servers for `origin` (no trailing dot) with the zone text `zone(ipv6)`, given
    /// whether the primary has an IPv6 address; `None` when `knotd` is not installed.
    pub async fn start(
        origin: &str,
        zone: impl Fn(bool) -> String,
        second: Second,
    ) -> Option<Self> {
        if Command::new("knotd").arg("--version").output().is_err() {
            eprintln!("note: knotd (Debian package `knot`) is not installed; this test is skipped");
            return None;
        }
        let ipv6 = UdpSocket::bind((Ipv6Addr::LOCALHOST, 0)).is_ok();
        let port = free_port(second != Second::None, ipv6);
        let dir = tempfile::tempdir().expect("temp dir");
        let mut knot = Self {
            port,
            primary: SocketAddr::from(([127, 0, 0, 1], port)),
            second: (second != Second::None).then(|| SocketAddr::from(([127, 0, 0, 2], port))),
            ipv6,
            dir,
            children: Vec::new(),
        };
        let text = zone(ipv6);
        knot.spawn("primary", &primary_config(&knot, origin, second), origin, &text);
        match second {
            Second::None => {}
            Second::Secondary => {
                knot.spawn("second", &secondary_config(&knot, origin), origin, &text);
            }
            Second::Stale => knot.spawn("second", &stale_config(&knot, origin), origin, &text),
        }
        for addr in [Some(knot.primary), knot.second].into_iter().flatten() {
            wait_until_serving(addr, origin).await;
        }
        Some(knot)
    }

    /// A BIND key file (as `tsig-keygen` writes it) for the key the primary knows.
    pub fn key_file(&self) -> PathBuf {
        self.write_key("right.key", KEY_NAME, SECRET)
    }

    /// A BIND key file with the given name and secret.
    pub fn write_key(&self, file: &str, name: &str, secret: &str) -> PathBuf {
        let path = self.dir.path().join(file);
        let text =
            format!("key \"{name}\" {{\n\talgorithm hmac-sha256;\n\tsecret \"{secret}\";\n}};\n");
        std::fs::write(&path, text).expect("write key");
        path
    }

    /// What a server logged so far (`primary` or `second`).
    pub fn log(&self, which: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(which).join("knotd.log")).unwrap_or_default()
    }

    fn spawn(&mut self, which: &str, config: &str, origin: &str, zone: &str) {
        let home = self.dir.path().join(which);
        std::fs::create_dir_all(home.join("db")).expect("server dir");
        std::fs::write(home.join(format!("{origin}.zone")), zone).expect("zone file");
        let config_path = home.join("knot.conf");
        std::fs::write(&config_path, config).expect("config");
        let child = Command::new("knotd")
            .arg("-c")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("knotd starts");
        self.children.push(child);
    }
}

impl Drop for Knot {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn home(knot: &Knot, which: &str) -> PathBuf {
    knot.dir.path().join(which)
}

fn common(home: &Path, listen: &[String]) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "server:\n    rundir: \"{}\"\n    listen: [ {} ]",
        home.display(),
        listen.join(", ")
    );
    let _ = writeln!(
        text,
        "template:\n  - id: default\n    storage: \"{}\"\n    file: \"%s.zone\"\n    zonefile-sync: -1\n    journal-content: changes",
        home.display()
    );
    let _ = writeln!(text, "database:\n    storage: \"{}\"", home.join("db").display());
    let _ =
        writeln!(text, "log:\n  - target: \"{}\"\n    any: info", home.join("knotd.log").display());
    text
}

fn primary_config(knot: &Knot, origin: &str, second: Second) -> String {
    let mut listen = vec![format!("127.0.0.1@{}", knot.port)];
    if knot.ipv6 {
        listen.push(format!("::1@{}", knot.port));
    }
    let mut text = common(&home(knot, "primary"), &listen);
    let _ = writeln!(
        text,
        "key:\n  - id: {KEY_NAME}\n    algorithm: hmac-sha256\n    secret: {SECRET}"
    );
    let _ = writeln!(text, "remote:\n  - id: second\n    address: 127.0.0.2@{}", knot.port);
    let _ = writeln!(
        text,
        "acl:\n  - id: update\n    key: {KEY_NAME}\n    action: update\n  - id: transfer\n    address: 127.0.0.0/8\n    action: transfer"
    );
    let notify = if second == Second::Secondary { "\n    notify: second" } else { "" };
    let _ = writeln!(text, "zone:\n  - domain: {origin}\n    acl: [update, transfer]{notify}");
    text
}

fn secondary_config(knot: &Knot, origin: &str) -> String {
    let mut text = common(&home(knot, "second"), &[format!("127.0.0.2@{}", knot.port)]);
    let _ = writeln!(text, "remote:\n  - id: primary\n    address: 127.0.0.1@{}", knot.port);
    let _ = writeln!(text, "acl:\n  - id: notify\n    address: 127.0.0.0/8\n    action: notify");
    let _ = writeln!(text, "zone:\n  - domain: {origin}\n    master: primary\n    acl: notify");
    text
}

fn stale_config(knot: &Knot, origin: &str) -> String {
    let mut text = common(&home(knot, "second"), &[format!("127.0.0.2@{}", knot.port)]);
    let _ = writeln!(text, "zone:\n  - domain: {origin}");
    text
}

/// A port free for TCP and UDP on 127.0.0.1, on 127.0.0.2 when a second server needs it, and
/// on `[::1]` when the primary listens there too.
fn free_port(second: bool, ipv6: bool) -> u16 {
    for _ in 0..100 {
        let probe = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = probe.local_addr().expect("addr").port();
        let mut hosts = vec![SocketAddr::from(([127, 0, 0, 1], port))];
        if second {
            hosts.push(SocketAddr::from(([127, 0, 0, 2], port)));
        }
        if ipv6 {
            hosts.push(SocketAddr::from((Ipv6Addr::LOCALHOST, port)));
        }
        let free = hosts.iter().all(|addr| {
            (*addr == SocketAddr::from(([127, 0, 0, 1], port)) || TcpListener::bind(addr).is_ok())
                && UdpSocket::bind(addr).is_ok()
        });
        if free {
            return port;
        }
    }
    panic!("no port free on 127.0.0.1, 127.0.0.2 and `[::1]`");
}

/// Until the server answers for the zone with authority (it binds before it has loaded it).
async fn wait_until_serving(addr: SocketAddr, origin: &str) {
    let server = UpdateServer { addr, timeout: Duration::from_millis(500) };
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if server.zone_of(origin).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("knotd on {addr} did not serve {origin} within 15 s");
}
