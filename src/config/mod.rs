//! Flags plus `ctxbudget.toml` become one configuration per subcommand.
//! Flags win over the file, the file over defaults. No clap type goes past
//! this module; every stage takes its own small options struct.
//!
//! - [`file`](mod@file) reads and checks `ctxbudget.toml`;
//! - [`input`] is what every front end that prices a repository shares
//!   (walk, tokenizer, limits, parsing, cache, threads);
//! - one module per subcommand builds that command's configuration.

pub(crate) mod check;
pub(crate) mod claude_md;
mod file;
pub(crate) mod hook;
pub(crate) mod init;
pub(crate) mod input;
pub(crate) mod mcp;
pub(crate) mod refs;
pub(crate) mod scan;
pub(crate) mod sessions;

use std::path::PathBuf;

use crate::cli::ColorChoice;

/// `text` (a ctxbudget.toml) with `factors` set in its `[claude_factors]`
/// table, every other line kept.
pub(crate) fn file_with_claude_factors(text: &str, factors: &[(String, f64)]) -> String {
    file::with_claude_factors(text, factors)
}

/// Claude Code's own directory: `$CLAUDE_CONFIG_DIR`, else `~/.claude`.
pub(crate) fn claude_config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CLAUDE_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    Some(PathBuf::from(home).join(".claude"))
}

/// The columns human output must fit: `COLUMNS` when set, else the width
/// of the terminal stdout is; `None` (no limit) when piped.
pub(crate) fn output_width() -> Option<usize> {
    use std::io::IsTerminal;
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
    {
        return Some(columns.max(40));
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| usize::from(w.0).max(40))
}

/// Whether to color stdout: `--color`, then `NO_COLOR`, then whether stdout
/// is a terminal.
pub(crate) fn use_color(choice: ColorChoice) -> bool {
    use std::io::IsTerminal;
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}
