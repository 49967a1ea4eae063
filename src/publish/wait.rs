//! Waiting for every authoritative server: what each one serves at the owner name, and where
//! the wait stands. Pure: the DNS edge asks the servers.

use std::fmt::Write as _;
use std::net::SocketAddr;

use crate::text::escape;

/// One authoritative server of the zone, at one of its addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameServer {
    /// The NS host name.
    pub host: String,
    pub addr: SocketAddr,
}

/// What one server answered for the owner name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Serving {
    /// Exactly one DMARC record, the step.
    Step,
    /// Something else: the DMARC records it serves (none when it has none).
    Other(Vec<String>),
    /// No answer (timeout, SERVFAIL…), in words.
    NoAnswer(String),
}

/// Whether a server's DMARC records (joined texts) are the step and nothing else.
pub fn serving(dmarc_records: &[String], value: &str) -> Serving {
    match dmarc_records {
        [only] if only == value => Serving::Step,
        other => Serving::Other(other.to_vec()),
    }
}

/// Where the wait stands: each server with what it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub owner: String,
    pub servers: Vec<(NameServer, Serving)>,
}

impl Progress {
    pub fn serving(&self) -> usize {
        self.servers.iter().filter(|(_, s)| *s == Serving::Step).count()
    }

    pub fn done(&self) -> bool {
        !self.servers.is_empty() && self.serving() == self.servers.len()
    }

    /// `_dmarc.example.com: 2/3 servers serve it; waiting for ns3.example.com (192.0.2.3:53)`.
    pub fn line(&self) -> String {
        let mut line =
            format!("{}: {}/{} servers serve it", self.owner, self.serving(), self.servers.len());
        let waiting: Vec<String> = self.lagging().map(|(ns, _)| label(ns)).collect();
        if !waiting.is_empty() {
            let _ = write!(line, "; waiting for {}", waiting.join(", "));
        }
        line
    }

    /// Each server that does not serve the step, with what it serves instead.
    pub fn laggards(&self) -> Vec<String> {
        self.servers
            .iter()
            .filter_map(|(ns, s)| match s {
                Serving::Step => None,
                Serving::Other(records) if records.is_empty() => {
                    Some(format!("{} serves no DMARC record", label(ns)))
                }
                Serving::Other(records) => {
                    let shown: Vec<String> =
                        records.iter().map(|r| format!("'{}'", escape(r))).collect();
                    Some(format!("{} still serves {}", label(ns), shown.join(" and ")))
                }
                Serving::NoAnswer(why) => {
                    Some(format!("{} did not answer ({})", label(ns), escape(why)))
                }
            })
            .collect()
    }

    fn lagging(&self) -> impl Iterator<Item = &(NameServer, Serving)> {
        self.servers.iter().filter(|(_, s)| *s != Serving::Step)
    }
}

fn label(ns: &NameServer) -> String {
    format!("{} ({})", escape(&ns.host), ns.addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: &str = "v=DMARC1; p=none";
    const QUARANTINE: &str = "v=DMARC1; p=quarantine";

    #[test]
    fn progress_names_each_server_that_lags_and_what_it_serves() {
        let ns = |host: &str, ip: &str| NameServer {
            host: host.into(),
            addr: format!("{ip}:53").parse().expect("addr"),
        };
        let progress = Progress {
            owner: "_dmarc.example.test".into(),
            servers: vec![
                (ns("ns1.example.test", "192.0.2.1"), serving(&[QUARANTINE.into()], QUARANTINE)),
                (ns("ns2.example.test", "192.0.2.2"), serving(&[NONE.into()], QUARANTINE)),
                (ns("ns3.example.test", "192.0.2.3"), Serving::NoAnswer("timeout".into())),
            ],
        };
        assert!(!progress.done());
        assert_eq!(
            progress.line(),
            "_dmarc.example.test: 1/3 servers serve it; waiting for ns2.example.test (192.0.2.2:53), ns3.example.test (192.0.2.3:53)"
        );
        assert_eq!(
            progress.laggards(),
            [
                "ns2.example.test (192.0.2.2:53) still serves 'v=DMARC1; p=none'",
                "ns3.example.test (192.0.2.3:53) did not answer (timeout)"
            ]
        );
    }
}
