//! dmarc-rollout: plan, publish and verify a phased DMARC rollout.

pub mod cli;
pub mod exits;
pub mod plan;
pub mod record;
pub mod rollout;
pub mod text;
pub mod tui;
