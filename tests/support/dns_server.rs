//! An in-process authoritative DNS server (hickory-server) on 127.0.0.1 for tests: serves
//! zone-file texts over UDP and TCP on one random port. Two faults are built in: any name with
//! a label `servfail` is answered SERVFAIL, any name with a label `never-answers` gets no reply.
//! For benchmarks it can hold every answer back for a fixed time (a resolver's round trip), and
//! it counts what it is asked ([`Traffic`]).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use dmarc_rollout::dns::{DnsOptions, DnsSource, ResolverSource, Target};
use hickory_server::Server;
use hickory_server::net::runtime::{Time, TokioRuntimeProvider};
use hickory_server::proto::op::ResponseCode;
use hickory_server::proto::rr::{LowerName, Record, RecordSet, RrKey};
use hickory_server::proto::serialize::txt::Parser;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, MessageResponseBuilder, ZoneType};

/// A name with this label is answered SERVFAIL.
pub const SERVFAIL_LABEL: &str = "servfail";
/// A name with this label is never answered.
pub const SILENT_LABEL: &str = "never-answers";

/// The running server; it stops when dropped, so keep it bound (`let server = ...`).
pub struct TestDns {
    pub addr: SocketAddr,
    /// What the server has been asked so far.
    pub traffic: Arc<Traffic>,
    _server: Server<FaultyCatalog>,
}

impl TestDns {
    /// Serves each zone text; every text starts with `$ORIGIN` and has `$TTL` and an SOA.
    pub async fn start(zones: &[&str]) -> Self {
        Self::start_with(zones, Vec::new()).await
    }

    /// Like [`Self::start`], plus records no zone-file text can express (e.g. non-UTF-8 TXT),
    /// each added to the zone that holds its name.
    pub async fn start_with(zones: &[&str], extra: Vec<Record>) -> Self {
        Self::serve(zones, extra, Duration::ZERO).await
    }

    /// Like [`Self::start`], with every answer sent `delay` after its query arrived (queries
    /// are answered concurrently): a resolver's round trip, for benchmarks.
    pub async fn start_delayed(zones: &[&str], delay: Duration) -> Self {
        Self::serve(zones, Vec::new(), delay).await
    }

    async fn serve(zones: &[&str], extra: Vec<Record>, delay: Duration) -> Self {
        let mut catalog = Catalog::new();
        for text in zones {
            let (origin, mut records) =
                Parser::new(*text, None, None).parse().expect("zone parses");
            for record in extra.iter().filter(|r| origin.zone_of(&r.name)) {
                let key = RrKey::new(LowerName::from(&record.name), record.record_type());
                let set = records.entry(key).or_insert_with(|| {
                    RecordSet::new(record.name.clone(), record.record_type(), 0)
                });
                set.insert(record.clone(), 0);
            }
            let zone = InMemoryZoneHandler::<TokioRuntimeProvider>::new(
                origin.clone(),
                records,
                ZoneType::Primary,
                AxfrPolicy::Deny,
            )
            .expect("zone loads");
            catalog.upsert(LowerName::from(origin), vec![Arc::new(zone)]);
        }
        let traffic = Arc::new(Traffic::default());
        let handler = FaultyCatalog { inner: catalog, delay, traffic: Arc::clone(&traffic) };
        let mut server = Server::new(handler);
        let (udp, tcp) = bind_same_port().await;
        let addr = udp.local_addr().expect("udp address");
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(5), 64);
        Self { addr, traffic, _server: server }
    }

    /// Options pinning a resolver to this server, with a short timeout so tests stay fast.
    pub fn options(&self) -> DnsOptions {
        DnsOptions {
            target: Target::Nameservers(vec![self.addr]),
            timeout: Duration::from_secs(1),
            attempts: 1,
            ..DnsOptions::default()
        }
    }

    /// A resolver source asking only this server.
    pub fn source(&self) -> Arc<dyn DnsSource> {
        Arc::new(ResolverSource::nameservers(&[self.addr], &self.options()).expect("resolver"))
    }
}

/// What the test server's UDP socket may queue.
const RECEIVE_BUFFER: usize = 4 << 20;

/// UDP and TCP on the same port, as `--nameserver IP:PORT` expects; retried when another
/// process holds the TCP port. The UDP socket gets the receive buffer resolvers are configured
/// with (Unbound's `so-rcvbuf: 4m`): the kernel's default (208 KiB) holds about 200 queries, and
/// the queries past it, sent in one burst by a run with hundreds in flight, were lost and each
/// cost the client its retry timeout.
async fn bind_same_port() -> (tokio::net::UdpSocket, tokio::net::TcpListener) {
    for _ in 0..50 {
        let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.expect("bind udp");
        // Capped by net.core.rmem_max; a smaller buffer only makes bursts slower, not wrong.
        let _ = socket2::SockRef::from(&udp).set_recv_buffer_size(RECEIVE_BUFFER);
        let addr = udp.local_addr().expect("udp address");
        if let Ok(tcp) = tokio::net::TcpListener::bind(addr).await {
            return (udp, tcp);
        }
    }
    panic!("no port free for both UDP and TCP on 127.0.0.1");
}

/// The catalog, with the two faults and the delay in front of it.
pub struct FaultyCatalog {
    inner: Catalog,
    delay: Duration,
    traffic: Arc<Traffic>,
}

/// Counts of the queries a [`TestDns`] received: all of them, the distinct questions (name and
/// type, case-insensitive) among them, and the most it was answering at once.
#[derive(Default)]
pub struct Traffic {
    queries: AtomicU64,
    in_flight: AtomicU64,
    peak_in_flight: AtomicU64,
    questions: Mutex<HashSet<String>>,
}

impl Traffic {
    pub fn queries(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    pub fn distinct_questions(&self) -> usize {
        self.questions.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    pub fn peak_in_flight(&self) -> u64 {
        self.peak_in_flight.load(Ordering::Relaxed)
    }

    /// Starts the counts over (between benchmark runs on one server).
    pub fn reset(&self) {
        self.queries.store(0, Ordering::Relaxed);
        self.peak_in_flight.store(self.in_flight.load(Ordering::Relaxed), Ordering::Relaxed);
        self.questions.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    /// Counts one query until the returned guard is dropped (its answer sent).
    fn begin(&self, question: String) -> InFlight<'_> {
        self.queries.fetch_add(1, Ordering::Relaxed);
        let now = self.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak_in_flight.fetch_max(now, Ordering::Relaxed);
        self.questions.lock().unwrap_or_else(PoisonError::into_inner).insert(question);
        InFlight(self)
    }
}

struct InFlight<'t>(&'t Traffic);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

#[async_trait::async_trait]
impl RequestHandler for FaultyCatalog {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        let info = request.request_info();
        let qname = info.as_ref().map(|i| i.query.name().to_string()).unwrap_or_default();
        let qtype = info.map(|i| i.query.query_type().to_string()).unwrap_or_default();
        let _counted = self.traffic.begin(format!("{} {qtype}", qname.to_ascii_lowercase()));
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        let has_label = |wanted: &str| qname.split('.').any(|l| l.eq_ignore_ascii_case(wanted));
        if has_label(SILENT_LABEL) {
            // Never answer; the client's timeout ends the wait.
            std::future::pending::<()>().await;
        }
        if has_label(SERVFAIL_LABEL) {
            let response = MessageResponseBuilder::new(&request.queries, None)
                .error_msg(&request.metadata, ResponseCode::ServFail);
            return response_handle.send_response(response).await.expect("send SERVFAIL");
        }
        self.inner.handle_request::<R, T>(request, response_handle).await
    }
}

/// A zone text for `origin` (no trailing dot): `$ORIGIN`, `$TTL 3600`, SOA, NS and the
/// nameserver's address, then `body`.
pub fn zone_text(origin: &str, body: &str) -> String {
    format!(
        "$ORIGIN {origin}.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 60\n\
         @ NS ns1\nns1 A 127.0.0.1\n{body}"
    )
}
