//! ctxbudget prices a repository in LLM tokens and cuts what an AI coding
//! session pays for context.
//!
//! Data flows one way:
//! `walk -> source -> tokenize -> syntax -> stats -> budget/suggest -> report`.
//! A stage uses only stages to its left.
//!
//! - `walk` finds candidate files (gitignore-aware, parallel);
//! - `source` reads one file within a bound: its text and shape, or why it
//!   is skipped;
//! - `tokenize` counts tokens exactly (BPE) or estimates Claude's;
//! - `syntax` finds symbol spans with tree-sitter and the grammar tables of
//!   `lang` (language support as data, in `grammars/`);
//! - `stats` turns counts into per-file, per-symbol, per-directory figures
//!   and holds the flags a file carries;
//! - `budget` judges files against the limits (which flags, and why);
//! - `suggest` plans advice from the figures: deny rules, references, the
//!   CLAUDE.md block, what a session should have read instead; pure;
//! - `report` is the only code that writes output, warnings included.
//!
//! `price` is the engine every front end calls: it runs the left half
//! (walk to budget, with the cache) once and returns priced files. Beside
//! the stages: `memory` models Claude Code's memory files, `sessions` reads
//! its transcripts, `fsio` and `text` are the bounded reads, safe writes and
//! escaping every stage shares, `codec` the bounded binary encoding of what
//! the cache keeps in bulk (the refs index), `units` formats numbers.
//!
//! `config` turns flags and `ctxbudget.toml` into one configuration per
//! command; `command` holds one thin front end per subcommand (engine +
//! suggest + report; no command calls another), and [`run`] is what the
//! binary calls.

mod budget;
mod cache;
pub mod cli;
mod codec;
mod command;
mod config;
pub mod error;
pub mod exit_code;
mod fsio;
mod guard;
pub mod lang;
pub mod memory;
mod price;
mod report;
pub mod sessions;
mod source;
mod stats;
mod suggest;
mod syntax;
mod text;
pub mod tokenize;
mod units;
mod walk;

use std::io::Write;

use cli::{Cli, Command};
pub use error::Error;
pub use exit_code::ExitCode;

/// Removes what an interrupted run would leave behind (the temporary file
/// of a write under way). The binary calls it from its SIGINT/SIGTERM
/// handler, then exits.
pub fn clean_up_after_interrupt() {
    fsio::remove_pending_temps();
}

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
        Command::Init(args) => {
            let config = config::init::build(cli, args)?;
            command::init::run(&config, out, err)
        }
        Command::Mcp(args) => {
            let config = config::mcp::build(args)?;
            command::mcp::run(&config, err)
        }
        Command::Hook(args) => command::hook::run(args, &mut std::io::stdin().lock(), out, err),
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
