//! Broken DNS servers on 127.0.0.1 for tests, written with raw bytes because a real server
//! library will not misbehave on purpose: a server whose answers carry the wrong message ID,
//! one that answers every UDP query truncated (and has no TCP), one that never answers, and a
//! port nobody listens on. Each runs on a plain thread until dropped.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// How the server misbehaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// A complete NOERROR answer with one TXT record (`v=DMARC1; p=reject`) under a message ID
    /// that is not the query's: a client must ignore it (RFC 5452 §4.3), never show its record.
    WrongId,
    /// An empty answer with the TC bit set; the same port refuses TCP, so the full answer can
    /// never be had.
    Truncated,
    /// Reads every query and answers none.
    Silent,
    /// A NOERROR answer whose one TXT record (`FORGED_TXT`) is owned by another name
    /// (`elsewhere.test`): not an answer to the question, and not "no record" either.
    WrongOwner,
    /// A NOERROR answer to the question with one TXT record (`v=DMARC1; p=none`) and a TTL of
    /// 0xFFFFFFFF, which resolvers treat as 0 (RFC 2181 §8).
    TopBitTtl,
}

/// The record the top-bit TTL answer carries.
pub const TTL_TXT: &[u8] = b"v=DMARC1; p=none";

/// The TXT record the wrong-ID answer carries; seeing it means a forged answer was accepted.
pub const FORGED_TXT: &[u8] = b"v=DMARC1; p=reject; forged";

/// A running broken server; stops when dropped.
pub struct BrokenDns {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl BrokenDns {
    pub fn start(fault: Fault) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind udp");
        // Short reads so the thread notices `stop` soon after the test ends.
        socket.set_read_timeout(Some(Duration::from_millis(50))).expect("read timeout");
        let addr = socket.local_addr().expect("udp address");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || serve(&socket, fault, &flag));
        Self { addr, stop, thread: Some(thread) }
    }
}

impl Drop for BrokenDns {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// An address on 127.0.0.1 where nothing listens (UDP nor, almost surely, TCP): the socket
/// that held the port is closed again, so queries get ICMP "port unreachable".
pub fn closed_port() -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind udp");
    socket.local_addr().expect("udp address")
}

fn serve(socket: &UdpSocket, fault: Fault, stop: &AtomicBool) {
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        let Ok((len, peer)) = socket.recv_from(&mut buf) else { continue };
        let Some(reply) = reply(&buf[..len], fault) else { continue };
        let _ = socket.send_to(&reply, peer);
    }
}

/// The reply to one query: its header and question, turned into a response as `fault` says.
fn reply(query: &[u8], fault: Fault) -> Option<Vec<u8>> {
    let question_end = question_end(query)?;
    let mut out = query[..question_end].to_vec();
    // QR, opcode and RD kept; AA and TC as the fault says; RA; RCODE 0.
    out[2] = 0x80 | (query[2] & 0x79) | 0x04;
    out[3] = 0x80;
    out[6..12].fill(0); // ANCOUNT, NSCOUNT, ARCOUNT: the query's EDNS record is dropped
    match fault {
        Fault::Silent => return None,
        Fault::Truncated => out[2] |= 0x02,
        Fault::WrongId => {
            out[0] ^= 0xff;
            out[1] ^= 0xff;
            out[7] = 1;
            out.extend_from_slice(&[0xc0, 0x0c]);
            push_txt(&mut out, 3600, FORGED_TXT);
        }
        Fault::WrongOwner => {
            out[7] = 1;
            out.extend_from_slice(b"\x09elsewhere\x04test\x00");
            push_txt(&mut out, 3600, FORGED_TXT);
        }
        Fault::TopBitTtl => {
            out[7] = 1;
            out.extend_from_slice(&[0xc0, 0x0c]);
            push_txt(&mut out, u32::MAX, TTL_TXT);
        }
    }
    Some(out)
}

/// TYPE TXT, CLASS IN, the TTL, and one character-string, after the owner name.
fn push_txt(out: &mut Vec<u8>, ttl: u32, text: &[u8]) {
    out.extend_from_slice(&[0, 16, 0, 1]);
    out.extend_from_slice(&ttl.to_be_bytes());
    let len = u16::try_from(text.len() + 1).expect("short");
    out.extend_from_slice(&len.to_be_bytes());
    out.push(u8::try_from(text.len()).expect("short"));
    out.extend_from_slice(text);
}

/// Where the one question of a query ends: header, QNAME labels, QTYPE and QCLASS.
fn question_end(query: &[u8]) -> Option<usize> {
    let mut at = 12;
    loop {
        let len = usize::from(*query.get(at)?);
        at += 1 + len;
        if len == 0 {
            break;
        }
    }
    let end = at + 4;
    (end <= query.len()).then_some(end)
}
