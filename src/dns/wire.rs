//! One DNS message to one server and its reply: over UDP from a socket no other query is using
//! (on a random source port, RFC 5452 §10), or over TCP with RFC 1035 §4.2.2 framing.
//! Frames and matches; what the reply says is the caller's business. Not pure: network.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use hickory_proto::op::{Message, MessageType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::{Instant, timeout_at};

/// Room for any reply to the EDNS payload size we offer (1,232 bytes) and then some: a longer
/// datagram is cut by the kernel, fails to parse and is dropped like any stray one.
const DATAGRAM_ROOM: usize = 4096;

/// How an exchange failed.
#[derive(Debug)]
pub(super) enum Failure {
    /// Nothing was sent: no socket, no connection.
    Unreachable(String),
    /// No reply before the deadline.
    Timeout,
    /// Sent, then the connection broke or the server refused the port.
    Lost(String),
}

/// A query's UDP socket is used for this many queries at most, one at a time, then closed:
/// the source port still changes every few queries (RFC 5452 §10), and a run of thousands of
/// domains does not pay a socket's opening and closing for each of its queries.
const QUERIES_PER_SOCKET: u32 = 16;
/// Idle sockets kept at least, all servers together, whatever the pools ask for. Each holds a
/// file descriptor, so the limit is the process's, not a pool's: a run asking thousands of
/// authoritative servers must not keep one per server it ever asked.
const IDLE_SOCKETS: usize = 64;
/// Idle sockets held now, across every pool of the process.
static IDLE_NOW: AtomicUsize = AtomicUsize::new(0);

/// The UDP sockets connected to one server that no query is using now.
pub(super) struct UdpPool {
    server: SocketAddr,
    idle: Mutex<Vec<Idle>>,
    /// Idle sockets this pool keeps while the process holds fewer (at least [`IDLE_SOCKETS`]).
    idle_limit: usize,
}

/// A socket and the room its replies are read into, reused together.
struct Idle {
    socket: UdpSocket,
    used: u32,
    room: Vec<u8>,
}

impl UdpPool {
    /// A pool for `server` that keeps up to `idle_limit` sockets idle, process-wide: as many
    /// as queries may be in flight. Replies come in bursts (hundreds sent together come back
    /// together), and each socket closed for want of room is opened again for the next query.
    pub(super) fn new(server: SocketAddr, idle_limit: usize) -> Self {
        Self { server, idle: Mutex::new(Vec::new()), idle_limit: idle_limit.max(IDLE_SOCKETS) }
    }

    pub(super) fn server(&self) -> SocketAddr {
        self.server
    }

    /// Sends `query` and waits until `deadline` for its reply: a datagram from the server with
    /// the query's ID and question (RFC 5452 §9.1). Anything else is stray or forged and is
    /// dropped, so a forger must guess ID and port while the real reply is on its way. A
    /// socket goes back to the pool only after its reply came, so no late reply to an earlier
    /// query is ever waiting in it.
    pub(super) async fn exchange(
        &self,
        query: &Message,
        deadline: Instant,
    ) -> Result<Message, Failure> {
        let bytes = query.to_vec().map_err(|e| Failure::Unreachable(e.to_string()))?;
        let Idle { socket, used, mut room } = match self.take() {
            Some(idle) => idle,
            None => Idle { socket: self.open().await?, used: 0, room: vec![0; DATAGRAM_ROOM] },
        };
        let sent_and_answered = async {
            socket.send(&bytes).await.map_err(|e| Failure::Unreachable(e.to_string()))?;
            reply_to(&socket, query, &mut room).await
        };
        let reply = timeout_at(deadline, sent_and_answered).await.unwrap_or(Err(Failure::Timeout));
        if reply.is_ok() && used + 1 < QUERIES_PER_SOCKET {
            self.give_back(Idle { socket, used: used + 1, room });
        }
        reply
    }

    fn take(&self) -> Option<Idle> {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        if idle.is_some() {
            IDLE_NOW.fetch_sub(1, Ordering::Relaxed);
        }
        idle
    }

    /// Keeps the socket for another query while the process holds fewer idle sockets than
    /// the pool's limit; else it is closed.
    fn give_back(&self, idle: Idle) {
        let kept = IDLE_NOW.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
            (n < self.idle_limit).then_some(n + 1)
        });
        if kept.is_ok() {
            self.idle.lock().unwrap_or_else(PoisonError::into_inner).push(idle);
        }
    }

    /// A socket on a port the system picks at random, connected: the kernel drops datagrams
    /// from any other address.
    async fn open(&self) -> Result<UdpSocket, Failure> {
        let any: SocketAddr = if self.server.is_ipv4() {
            (Ipv4Addr::UNSPECIFIED, 0).into()
        } else {
            (Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let unreachable = |e: std::io::Error| Failure::Unreachable(e.to_string());
        let socket = UdpSocket::bind(any).await.map_err(unreachable)?;
        socket.connect(self.server).await.map_err(unreachable)?;
        Ok(socket)
    }
}

impl Drop for UdpPool {
    fn drop(&mut self) {
        let idle = self.idle.get_mut().unwrap_or_else(PoisonError::into_inner).len();
        IDLE_NOW.fetch_sub(idle, Ordering::Relaxed);
    }
}

/// The first datagram on `socket` that replies to `query`, read into `room`.
async fn reply_to(
    socket: &UdpSocket,
    query: &Message,
    room: &mut [u8],
) -> Result<Message, Failure> {
    loop {
        let length = socket.recv(room).await.map_err(|e| Failure::Lost(e.to_string()))?;
        match Message::from_vec(&room[..length]) {
            Ok(reply) if replies_to(&reply, query) => return Ok(reply),
            _ => {}
        }
    }
}

/// One message out, one in, length-prefixed over TCP, all before `deadline`. A failure before
/// the message is written means nothing was sent (an update was not made).
pub(super) async fn tcp(
    server: SocketAddr,
    message: &[u8],
    deadline: Instant,
) -> Result<Vec<u8>, Failure> {
    let length = u16::try_from(message.len())
        .map_err(|_| Failure::Unreachable("the message is longer than 65535 bytes".to_owned()))?;
    let mut stream = match timeout_at(deadline, TcpStream::connect(server)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => return Err(Failure::Unreachable(e.to_string())),
        Err(_) => {
            return Err(Failure::Unreachable("no connection within the timeout".to_owned()));
        }
    };
    let mut framed = length.to_be_bytes().to_vec();
    framed.extend_from_slice(message);
    let io = async {
        stream.write_all(&framed).await?;
        let mut prefix = [0u8; 2];
        stream.read_exact(&mut prefix).await?;
        let mut reply = vec![0u8; usize::from(u16::from_be_bytes(prefix))];
        stream.read_exact(&mut reply).await?;
        Ok::<_, std::io::Error>(reply)
    };
    match timeout_at(deadline, io).await {
        Ok(Ok(reply)) => Ok(reply),
        Ok(Err(e)) => Err(Failure::Lost(e.to_string())),
        Err(_) => Err(Failure::Timeout),
    }
}

/// The reply carries the query's ID and the same question (names compare without case).
pub(super) fn replies_to(reply: &Message, query: &Message) -> bool {
    reply.metadata.message_type == MessageType::Response
        && reply.metadata.id == query.metadata.id
        && reply.queries == query.queries
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::Arc;
    use std::time::Duration;

    use hickory_proto::op::{MessageType, Query};
    use hickory_proto::rr::{Name, RecordType};

    use super::*;

    /// A server on 127.0.0.1 that answers every query with an empty NOERROR reply, except
    /// those for `silent.test`, and notes the source port of each query.
    fn echo_server() -> (SocketAddr, Arc<Mutex<Vec<u16>>>) {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
        let addr = socket.local_addr().expect("address");
        let ports = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&ports);
        std::thread::spawn(move || {
            let mut room = [0u8; 512];
            while let Ok((length, from)) = socket.recv_from(&mut room) {
                seen.lock().expect("ports").push(from.port());
                let Ok(query) = Message::from_vec(&room[..length]) else { continue };
                if query.queries[0].name().to_ascii() == "silent.test." {
                    continue;
                }
                let mut reply = Message::response(query.metadata.id, query.metadata.op_code);
                reply.metadata.message_type = MessageType::Response;
                reply.add_queries(query.queries.clone());
                let _ = socket.send_to(&reply.to_vec().expect("encodes"), from);
            }
        });
        (addr, ports)
    }

    fn query(name: &str) -> Message {
        let mut query = Message::query();
        query.add_query(Query::query(Name::from_ascii(name).expect("name"), RecordType::TXT));
        query
    }

    fn soon() -> Instant {
        Instant::now() + Duration::from_millis(300)
    }

    #[tokio::test]
    async fn a_socket_serves_a_few_queries_then_the_source_port_changes() {
        let (server, ports) = echo_server();
        let pool = UdpPool::new(server, IDLE_SOCKETS);
        for i in 0..40 {
            let reply = pool.exchange(&query(&format!("q{i}.test.")), soon()).await;
            assert!(reply.is_ok(), "query {i}: {reply:?}");
        }
        let ports = ports.lock().expect("ports").clone();
        let distinct: HashSet<u16> = ports.iter().copied().collect();
        assert_eq!(ports.len(), 40);
        assert_eq!(distinct.len(), 3, "16 queries per port: {ports:?}");
    }

    #[tokio::test]
    async fn a_socket_whose_query_went_unanswered_is_never_used_again() {
        let (server, ports) = echo_server();
        let pool = UdpPool::new(server, IDLE_SOCKETS);
        assert!(pool.exchange(&query("first.test."), soon()).await.is_ok());
        let silent = pool.exchange(&query("silent.test."), soon()).await;
        assert!(matches!(silent, Err(Failure::Timeout)), "{silent:?}");
        assert!(pool.exchange(&query("after.test."), soon()).await.is_ok());
        let ports = ports.lock().expect("ports").clone();
        assert_eq!(ports[0], ports[1], "the answered query's socket is reused");
        assert_ne!(ports[1], ports[2], "the unanswered query's socket is not: {ports:?}");
    }

    #[tokio::test]
    async fn pools_of_many_servers_keep_few_idle_sockets_between_them() {
        let (server, _) = echo_server();
        let pools: Vec<UdpPool> = (0..100).map(|_| UdpPool::new(server, IDLE_SOCKETS)).collect();
        for (i, pool) in pools.iter().enumerate() {
            assert!(pool.exchange(&query(&format!("p{i}.test.")), soon()).await.is_ok());
        }
        let idle: usize = pools.iter().map(|p| p.idle.lock().expect("idle").len()).sum();
        assert!((1..=IDLE_SOCKETS).contains(&idle), "{idle} idle sockets kept");
    }
}
