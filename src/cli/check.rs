//! `ctxbudget check`: flags and their help.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::common::TokenizerArg;

/// Gate the memory files every session pays for: CLAUDE.md, its @ imports, rules.
///
/// Loads what Claude Code loads before the first prompt, for the project
/// directory: CLAUDE.md, .claude/CLAUDE.md, .claude/rules/**/*.md (without
/// `paths:` front matter) and CLAUDE.local.md, in the project and each parent
/// up to the repository root (--user adds ~/.claude/CLAUDE.md and
/// ~/.claude/rules/). `@path` imports are followed relative to the importing
/// file, at most 4 hops, never inside code spans or fenced blocks, each file
/// once. Block HTML comments are dropped before counting, as Claude Code
/// drops them. CLAUDE.md files in subdirectories and rules with `paths:`
/// load on demand: they are listed, not counted in the startup cost.
///
/// Reports the startup cost per file (tokens, characters, lines of what is
/// loaded) and per Markdown section, largest first; missing imports, cycles,
/// chains deeper than 4 hops and imports outside the project are findings
/// with file and line.
///
/// With FILE arguments (as pre-commit passes them) the check runs when one
/// of them is a memory file or imported by one, and passes otherwise.
#[derive(Debug, Args)]
#[command(after_long_help = "Examples:
  ctxbudget check                          the startup cost of this project's memory files
  ctxbudget check --max-tokens 3000        exit 1 when they cost more than 3,000 tokens
  ctxbudget check --strict --format json   warnings fail too; JSON for CI

Errors: missing-import, import-too-deep, too-large, unreadable, over-tokens, over-file-chars.
Warnings (errors with --strict): import-cycle, import-outside-project, over-file-lines.
Exit codes: 0 within budget, 1 over budget or an error finding, 2 could not run.")]
pub struct CheckArgs {
    /// Changed files (from pre-commit); the check runs if any is a memory file or imported by one.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The project directory a session starts in.
    #[arg(short = 'C', long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,

    /// Also load ~/.claude/CLAUDE.md and ~/.claude/rules/ (your own, on this machine).
    #[arg(long)]
    pub user: bool,

    /// Most tokens the memory files may cost at session start (no limit by default).
    #[arg(long, value_name = "TOKENS")]
    pub max_tokens: Option<u64>,

    /// Most characters in one memory file [default: 40000, where Claude Code warns].
    #[arg(long, value_name = "CHARS")]
    pub max_file_chars: Option<u64>,

    /// Most lines in one memory file, a warning unless --strict [default: 200].
    #[arg(long, value_name = "LINES")]
    pub max_file_lines: Option<u64>,

    /// Treat warnings (cycles, imports outside the project, too many lines) as errors.
    #[arg(long)]
    pub strict: bool,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,

    /// Sections listed per file, largest first.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub sections: usize,

    /// Tokenizer: claude (estimate: cl100k x factor), cl100k or o200k (exact).
    #[arg(short, long, value_enum)]
    pub tokenizer: Option<TokenizerArg>,

    /// Factor applied to cl100k counts for the Claude estimate [default: 1.18].
    #[arg(long, value_name = "FACTOR")]
    pub claude_factor: Option<f64>,

    /// The Claude model whose factor the estimate uses (see `scan --help`).
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,

    /// Read settings from this file instead of ctxbudget.toml in the project.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `check` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// A report for people.
    Human,
    /// JSON for scripts.
    Json,
}
