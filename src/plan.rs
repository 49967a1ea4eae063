//! The rollout plan: the TOML file an admin keeps in git, read into a typed model with every
//! error located at `file:line:col`. Pure: callers pass the file's text, never a path to open.

mod edit;
mod error;
mod load;
mod model;
mod rules;

pub use edit::{EditError, record_step};
pub use error::{Location, PlanError};
pub use load::load;
pub use model::{Domain, Gate, GateSenders, HistoryEntry, Phase, Plan, Selector, Sender};
