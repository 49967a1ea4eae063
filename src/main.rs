use std::io;
use std::process::ExitCode;

use clap::Parser;
use dmarc_rollout::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(cli::run(cli, &mut io::stdout().lock(), &mut io::stderr().lock()))
}
