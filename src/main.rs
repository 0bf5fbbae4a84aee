//! The binary: parse arguments, call `ctxbudget::run`, map the outcome to an
//! exit code. Nothing else lives here.

use std::io::{BufWriter, Write};

use clap::Parser;
use ctxbudget::cli::Cli;
use ctxbudget::error::is_broken_pipe;
use ctxbudget::{Error, ExitCode};

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            let code = if error.use_stderr() {
                ExitCode::Failure
            } else {
                ExitCode::Ok // --help, --version
            };
            return std::process::ExitCode::from(code.code());
        }
    };
    // An interrupt must not leave a temporary file beside CLAUDE.md.
    let _ = ctrlc::set_handler(|| {
        ctxbudget::clean_up_after_interrupt();
        std::process::exit(130);
    });
    // Not locked for the whole run: the MCP server writes to stdout from
    // its own threads.
    let mut out = BufWriter::new(std::io::stdout());
    let mut err = std::io::stderr();
    let result = ctxbudget::run(&cli, &mut out, &mut err)
        .and_then(|code| out.flush().map(|()| code).map_err(Error::Output));
    let code = match result {
        Ok(code) => code,
        Err(Error::Output(e)) if is_broken_pipe(&e) => ExitCode::Ok,
        Err(error) => {
            let _ = writeln!(err, "ctxbudget: error: {error}");
            ExitCode::Failure
        }
    };
    std::process::ExitCode::from(code.code())
}
