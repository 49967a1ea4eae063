//! Why a command stopped, with its exit code, and the one place that prints it. A command
//! returns [`Outcome`]: `Ok(code)` when it ran to the end (its code says what it found, as
//! `next`'s 7 for a blocked step), `Err` when it stopped early with something to say.

use std::fmt::Display;
use std::io::{self, Write};

use crate::dns::DnsSetupError;
use crate::exits;
use crate::plan::PlanError;

/// The exit code of a command that ran, or why it stopped.
pub type Outcome = Result<u8, CliError>;

/// Why a command stopped before its end. Each kind has one exit code ([`CliError::code`]).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line was wrong, or a file it names cannot be used.
    #[error("{0}")]
    Usage(String),
    /// The plan could not be read or is not a valid plan: every error, each with its location.
    #[error("{}", lines(.0))]
    Plan(Vec<PlanError>),
    /// An edit of the plan could not be made (it would not load, or the domain is gone).
    #[error("{0}")]
    PlanEdit(String),
    /// DNS does not show what the command needs (`record`: another phase, or no record).
    #[error("{0}")]
    Drift(String),
    /// DNS could not be asked, or did not answer: the state is unknown.
    #[error("{0}")]
    Dns(String),
    /// `--zone`: the zone file could not be read or parsed; DNS was never asked.
    #[error("{0}")]
    Zone(DnsSetupError),
    /// A file could not be written, or would have been overwritten.
    #[error("{0}")]
    Write(String),
    /// `reports`: no file gave a report.
    #[error("{0}")]
    NoReports(String),
    /// `apply` stopped: the message and the code of why (10 to 15, or the codes above).
    #[error("{message}")]
    Publish { code: u8, message: String },
    /// Writing the output itself failed.
    #[error("{0}")]
    Output(#[from] io::Error),
}

impl CliError {
    /// The exit code: one per kind, as `src/exits.rs` lists them.
    pub fn code(&self) -> u8 {
        match self {
            Self::Usage(_) => exits::USAGE,
            Self::Plan(_) | Self::PlanEdit(_) => exits::PLAN,
            Self::Drift(_) => exits::DRIFT,
            Self::Dns(_) => exits::DNS,
            Self::Zone(_) => exits::ZONE_FILE,
            Self::Write(_) | Self::Output(_) => exits::WRITE,
            Self::NoReports(_) => exits::NO_REPORTS,
            Self::Publish { code, .. } => *code,
        }
    }

    /// Says why on stderr and gives the exit code. Plan errors and a zone file's syntax error
    /// carry their own `file:line:col` prefix; every other message is prefixed with the
    /// program's name. A reader that stopped
    /// early (`| head`) is not an error worth a word.
    pub fn print(&self, err: &mut impl Write) -> u8 {
        // Nothing useful is left to do when stderr itself is gone.
        let _ = match self {
            Self::Output(e) if e.kind() == io::ErrorKind::BrokenPipe => return exits::OK,
            Self::Plan(_) | Self::Zone(DnsSetupError::ZoneSyntax { .. }) => writeln!(err, "{self}"),
            _ => warn(err, self),
        };
        self.code()
    }
}

/// A zone file that cannot be used is the admin's to fix, not DNS failing: it gets its own
/// code; every other set-up failure leaves the state unknown.
impl From<DnsSetupError> for CliError {
    fn from(error: DnsSetupError) -> Self {
        match error {
            DnsSetupError::ReadZone { .. }
            | DnsSetupError::ParseZone { .. }
            | DnsSetupError::ZoneSyntax { .. }
            | DnsSetupError::NoSoa { .. } => Self::Zone(error),
            _ => Self::Dns(error.to_string()),
        }
    }
}

/// A remark that does not stop the command (a file skipped, a limit reached), prefixed with
/// the program's name as errors are.
pub fn warn(err: &mut impl Write, message: impl Display) -> io::Result<()> {
    writeln!(err, "dmarc-rollout: {message}")
}

fn lines(errors: &[PlanError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_is_printed_with_the_program_name_and_gives_its_code() {
        let mut err = Vec::new();
        let code = CliError::Dns("cannot build the resolver".into()).print(&mut err);
        assert_eq!(code, exits::DNS);
        assert_eq!(String::from_utf8_lossy(&err), "dmarc-rollout: cannot build the resolver\n");
    }

    #[test]
    fn a_closed_pipe_is_said_nothing_about_and_exits_zero() {
        let mut err = Vec::new();
        let closed = CliError::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert_eq!(closed.print(&mut err), exits::OK);
        assert!(err.is_empty());
    }

    #[test]
    fn plan_errors_are_printed_one_a_line_with_their_own_location() {
        let error = PlanError {
            file: "p.toml".into(),
            location: crate::plan::Location { line: 2, column: 3 },
            span: 0..0,
            message: "bad".into(),
        };
        let mut err = Vec::new();
        let code = CliError::Plan(vec![error.clone(), error]).print(&mut err);
        assert_eq!(code, exits::PLAN);
        let text = String::from_utf8_lossy(&err);
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(!text.contains("dmarc-rollout:"), "{text}");
    }
}
