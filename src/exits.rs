//! The exit codes of every command, in one place so `--help`, the README and scripts agree.

/// Everything is as planned.
pub const OK: u8 = 0;
/// A record or plan has findings of severity error (`lint`, `validate`, `check`).
pub const FINDINGS: u8 = 1;
/// The command line was wrong (clap's own code).
pub const USAGE: u8 = 2;
/// The plan file could not be read or is not a valid plan.
pub const PLAN: u8 = 3;
/// `check`: a live record matches no phase of the plan; `record`: DNS shows another phase.
pub const DRIFT: u8 = 4;
/// `check`/`status`/`fix`: a lookup failed (timeout, SERVFAIL, REFUSED…), so the state is
/// unknown.
pub const DNS: u8 = 5;
/// `check`: a step is overdue.
pub const OVERDUE: u8 = 6;
/// `next`/`check`: the next step is blocked or held (readiness not ready or unverified, a
/// closed evidence gate, a weakening of the live record); `fix`: something needs fixing.
pub const BLOCKED: u8 = 7;
/// A file could not be written, or would have been overwritten.
pub const WRITE: u8 = 8;
/// `reports`: no file gave a report (nothing found, or every file was rejected).
pub const NO_REPORTS: u8 = 9;
/// `verify-message`: DMARC does not pass with an aligned identifier (with `--plan`: or would
/// not at the next phase).
pub const MESSAGE_FAILS: u8 = 10;
/// `verify-message`: the headers hold no receiver's `Authentication-Results`.
pub const NO_RESULTS: u8 = 11;

/// The table printed at the end of `--help`.
pub const HELP: &str = "\
Exit codes:
  0  everything is as planned
  1  a record or plan has findings of severity error
  2  the command line was wrong
  3  the plan file could not be read or is not a valid plan
  4  check: a live record matches no phase of the plan (drift); record: DNS shows another phase
  5  a DNS lookup failed (timeout, SERVFAIL, REFUSED…): the state is unknown
  6  check: a step is overdue
  7  next/check: the next step is blocked or held (readiness not ready or unverified,
     closed evidence gate, a weakening of the live record); fix: something needs fixing
  8  a file could not be written, or would have been overwritten
  9  reports: no report could be read from the paths given
 10  verify-message: DMARC does not pass with an aligned identifier (with --plan: or would
     not at the next phase)
 11  verify-message: the headers hold no receiver's Authentication-Results";
