//! dmarc-rollout: plan, publish and verify a phased DMARC rollout.

pub mod record;
pub mod report;
