//! dmarc-rollout: plan, publish and verify a phased DMARC rollout.

pub mod dns;
pub mod record;
