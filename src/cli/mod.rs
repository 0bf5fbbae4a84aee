//! The command-line interface: clap definitions only. Doc comments here are
//! the one source of `--help`, the man page and the shell completions.
//! Nothing past `config` sees these types.

pub mod check;
pub mod claude_md;
pub mod common;
pub mod hook;
pub mod init;
pub mod mcp;
pub mod refs;
pub mod scan;
pub mod sessions;

use clap::{Parser, Subcommand, ValueEnum};

/// See what your repository costs an AI coding session, in tokens, and cut it.
///
/// ctxbudget prices every file and directory of a repository in tokens,
/// exactly as the reference BPE tokenizer counts them (with a labelled Claude
/// estimate by default), and flags what a session should never read whole.
#[derive(Debug, Parser)]
#[command(name = "ctxbudget", version, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 ok, 1 findings (a --fail-on flag, a refs query with no match), 2 could not run.\n\
    Run `ctxbudget scan --help` for the main command."
)]
pub struct Cli {
    /// When to color the output: auto colors a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands. Those with a flags struct take their help from its doc
/// comment: a doc comment on the variant would replace the long help.
#[allow(missing_docs)]
#[derive(Debug, Subcommand)]
pub enum Command {
    Scan(Box<scan::ScanArgs>),
    Check(Box<check::CheckArgs>),
    #[command(name = "claude-md")]
    ClaudeMd(Box<claude_md::ClaudeMdArgs>),
    Refs(Box<refs::RefsArgs>),
    Sessions(Box<sessions::SessionsArgs>),
    Hook(Box<hook::HookArgs>),
    Init(Box<init::InitArgs>),
    Mcp(Box<mcp::McpArgs>),
    /// Manage the cache of counts and spans (CTXBUDGET_CACHE_DIR moves it).
    ///
    /// Entries are keyed by each file's content, the encoding, ctxbudget's
    /// version and its grammar tables, so a stale entry is never used; clear
    /// the cache only to reclaim space.
    Cache {
        /// What to do.
        #[command(subcommand)]
        action: CacheAction,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    ///
    /// Example: ctxbudget completions bash > ~/.local/share/bash-completion/completions/ctxbudget
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff) to stdout: ctxbudget's, or one subcommand's.
    ///
    /// Example: ctxbudget man > ~/.local/share/man/man1/ctxbudget.1
    Man {
        /// A subcommand whose page to print (e.g. scan).
        subcommand: Option<String>,
    },
}

/// `ctxbudget cache` actions.
#[derive(Debug, Subcommand)]
pub enum CacheAction {
    /// Print where the cache lives.
    Dir,
    /// Remove every entry.
    Clear,
}

/// When to use color.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color when stdout is a terminal and NO_COLOR is not set.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

/// The clap command, for completions and the man page.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definitions_are_consistent() {
        super::command().debug_assert();
    }
}
