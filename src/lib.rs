//! dmarc-rollout: plan, publish and verify a phased DMARC rollout.

pub mod advice;
pub mod answers;
pub mod assess;
pub mod cli;
mod codec;
pub mod dns;
pub mod exits;
pub mod export;
pub mod fix;
pub mod fsio;
pub mod message;
pub mod name;
pub mod plan;
pub mod publish;
pub mod readiness;
pub mod record;
pub mod report;
pub mod rollout;
pub mod standing;
pub mod summary;
pub mod text;
pub mod tui;
