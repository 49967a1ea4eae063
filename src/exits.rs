//! The exit codes of every command, in one place so `--help`, the README and scripts agree.

/// Everything is as planned.
pub const OK: u8 = 0;
/// A record or plan has findings of severity error (`lint`, `validate`, `check`).
pub const FINDINGS: u8 = 1;
/// The command line was wrong (clap's own code), or a file it names cannot be used (`apply`'s
/// TSIG key file).
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
/// `next`/`check`/`apply`: the next step is blocked or held (readiness not ready or unverified,
/// a closed evidence gate, a weakening of the live record); `next --format TOOL`: `_dmarc` is
/// a CNAME, so nothing was exported; `fix`: something needs
/// fixing.
pub const BLOCKED: u8 = 7;
/// A file could not be written, or would have been overwritten.
pub const WRITE: u8 = 8;
/// `reports`: no file gave a report (nothing found, or every file was rejected).
pub const NO_REPORTS: u8 = 9;
/// `apply`: the `_dmarc` record changed since it was read (the server's prerequisite failed
/// with YXRRSET/NXRRSET, or it holds other records than the decision was made on); nothing
/// was written.
pub const CHANGED: u8 = 10;
/// `apply`: the server is not authoritative for the zone (NOTAUTH), or `_dmarc` is a CNAME
/// into another zone; nothing was written.
pub const NOT_AUTHORITATIVE: u8 = 11;
/// `apply`: the server refused the update (REFUSED, or another error code such as SERVFAIL
/// or NOTZONE); nothing was written.
pub const REFUSED: u8 = 12;
/// `apply`: the server rejected the TSIG signature (BADKEY, BADSIG, BADTIME with the clock
/// skew); nothing was written.
pub const TSIG: u8 = 13;
/// `apply`: no trustworthy answer to the update (timeout, connection lost, an answer not
/// signed with the key): whether it was written is unknown; nothing was recorded.
pub const NO_ANSWER: u8 = 14;
/// `apply`: the update was accepted, but not every authoritative server served it within
/// `--wait` (or the servers could not be found); the plan was not recorded.
pub const LAGGING: u8 = 15;
/// `verify-message`: DMARC does not pass with an aligned identifier (with `--plan`: or would
/// not at the next phase).
pub const MESSAGE_FAILS: u8 = 16;
/// `verify-message`: the headers hold no receiver's `Authentication-Results`.
pub const NO_RESULTS: u8 = 17;
/// `--zone FILE`: the zone file could not be read or parsed (an entry it cannot read, named
/// by `file:line:col`, or no SOA record).
pub const ZONE_FILE: u8 = 18;

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
  7  next/check/apply: the next step is blocked or held (readiness not ready or
     unverified, closed evidence gate, a weakening of the live record); fix: something needs fixing
  8  a file could not be written, or would have been overwritten
  9  reports: no report could be read from the paths given
 10  apply: the _dmarc record changed since it was read; nothing was written
 11  apply: the server is not authoritative for the zone (NOTAUTH), or _dmarc is a CNAME
 12  apply: the server refused the update (REFUSED or another error code)
 13  apply: the server rejected the TSIG key (BADKEY, BADSIG, BADTIME)
 14  apply: no trustworthy answer to the update: whether it was written is unknown
 15  apply: accepted, but not every authoritative server served it in time; not recorded
 16  verify-message: DMARC does not pass with an aligned identifier (with --plan: or would
     not at the next phase)
 17  verify-message: the headers hold no receiver's Authentication-Results
 18  --zone: the zone file could not be read or parsed (file:line:col says where)";
