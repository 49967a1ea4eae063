use std::io;
use std::process::ExitCode;

use dmarc_rollout::cli;

fn main() -> ExitCode {
    let (mut out, mut err) = (io::stdout().lock(), io::stderr().lock());
    let code = match cli::parse(std::env::args_os().collect()) {
        Ok(cli) => cli::run(cli, &mut out, &mut err),
        Err(e) => e.print(&mut err),
    };
    ExitCode::from(code)
}
