//! ctxbudget prices a repository in LLM tokens and cuts what an AI coding
//! session pays for context.
//!
//! The pipeline runs one way:
//! `walk -> source -> tokenize -> stats -> budget -> suggest -> report`.
//!
//! - [`walk`] finds candidate files (gitignore-aware, parallel);
//! - [`source`] reads one file: its text and shape, or why it is skipped;
//! - [`tokenize`] counts tokens exactly (BPE) or estimates Claude's;
//! - [`stats`] turns counts into per-file, per-directory figures;
//! - [`budget`] judges them against limits (flags with reasons);
//! - [`suggest`] plans advice (deny rules) from the figures;
//! - [`report`] is the only code that writes output.
//!
//! [`config`] turns flags and `ctxbudget.toml` into one configuration,
//! [`command`] runs the stages for each subcommand, and [`run`] is what
//! the binary calls.

pub mod budget;
pub mod cache;
pub mod cli;
pub mod command;
pub mod config;
pub mod error;
pub mod exit_code;
pub mod fsio;
pub mod lang;
pub mod memory;
pub mod price;
pub mod report;
pub mod sessions;
pub mod source;
pub mod stats;
pub mod suggest;
pub mod syntax;
pub mod text;
pub mod tokenize;
pub mod units;
pub mod walk;

use std::io::Write;

use cli::{Cli, Command};
pub use error::Error;
pub use exit_code::ExitCode;

/// Runs one parsed command line, writing data to `out` and messages to `err`.
pub fn run(cli: &Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<ExitCode, Error> {
    match &cli.command {
        Command::Scan(args) => {
            let config = config::scan::build(cli, args)?;
            command::scan::run(&config, out, err)
        }
        Command::Check(args) => {
            let config = config::check::build(cli, args)?;
            command::check::run(&config, out, err)
        }
        Command::ClaudeMd(args) => {
            let config = config::claude_md::build(args)?;
            command::claude_md::run(&config, out, err)
        }
        Command::Refs(args) => {
            let config = config::refs::build(cli, args)?;
            command::refs::run(&config, out, err)
        }
        Command::Sessions(args) => {
            let config = config::sessions::build(cli, args)?;
            command::sessions::run(&config, out, err)
        }
        Command::Cache { action } => command::cache::run(action, out),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut cli::command(), "ctxbudget", out);
            Ok(ExitCode::Ok)
        }
        Command::Man { subcommand } => {
            let mut command = cli::command();
            command.build();
            let page = match subcommand {
                None => command,
                Some(name) => command
                    .find_subcommand(name)
                    .cloned()
                    .map(|sub| {
                        let full = format!("ctxbudget-{}", sub.get_name());
                        sub.display_name(full)
                    })
                    .ok_or_else(|| Error::Usage(format!("no subcommand named {name:?}")))?,
            };
            clap_mangen::Man::new(page)
                .render(out)
                .map_err(Error::Output)?;
            Ok(ExitCode::Ok)
        }
    }
}
