//! Helpers shared by the integration tests and benches. Each test binary uses a different
//! subset, hence the allow.
#![allow(dead_code)]

pub mod dns_server;
pub mod fixing;
pub mod golden;
pub mod hostile;
pub mod keys;
pub mod knot;
pub mod raw_dns;
pub mod rss;
