//! `ctxbudget sessions`: flags and their help.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::common::CountArgs;

/// Read Claude Code transcripts of this project: what sessions spent and which files they read.
///
/// Finds every transcript (`*.jsonl`, subagent transcripts included) under
/// --transcripts whose records' working directory is the project or inside
/// it, and streams them line by line, so transcripts of any size read in
/// flat memory. Lines that are not JSON, or records of an unknown shape,
/// are counted and skipped.
///
/// Per session: start and end, models, API requests (one response is
/// written as several lines: each is counted once, with its last output
/// count), the context of each request (input + cache write + cache read)
/// and its peak, compactions, and input, cache and output tokens. These
/// come from the API's usage figures and are exact.
///
/// Per file: every Read result, whole or ranged, and its cost counted with
/// the selected tokenizer on the text the result carried, as the Read tool
/// shows it (a line number before every line). Files a session read whole
/// at over --whole-read-tokens get the `@path#Lstart-end` references to
/// read instead: the symbols the session then edited or searched for, else
/// the file's largest.
#[derive(Debug, Args)]
#[command(after_long_help = "Examples:
  ctxbudget sessions                        every session of this project
  ctxbudget sessions --since 7d             the last week (also 24h, 2w, 2026-11-01)
  ctxbudget sessions --session 3f2a         one session, by id or id prefix
  ctxbudget sessions --format json | jq '.files[:5]'
  ctxbudget sessions --calibrate            Claude tokens per cl100k token, per model
  ctxbudget sessions --calibrate --write    ... stored in ctxbudget.toml for --model

Exit codes: 0 done (also when no session was found), 2 could not run
(e.g. no transcript directory).")]
pub struct SessionsArgs {
    /// The project whose sessions to read.
    #[arg(short = 'C', long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,

    /// Where Claude Code keeps transcripts [default: $CLAUDE_CONFIG_DIR/projects, else ~/.claude/projects].
    #[arg(long, value_name = "DIR")]
    pub transcripts: Option<PathBuf>,

    /// Only records from then on: a date or time (UTC unless it has an offset) or an age (12h, 7d, 2w).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Only sessions whose id starts with ID (repeatable).
    #[arg(long, value_name = "ID")]
    pub session: Vec<String>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = SessionsFormat::Human)]
    pub format: SessionsFormat,

    /// Files listed in the human report, 0 for all [default: 15].
    #[arg(short = 'n', long, value_name = "N")]
    pub top: Option<usize>,

    /// A whole-file read costing more than this is one to replace by references [default: 5000].
    #[arg(long, value_name = "TOKENS")]
    pub whole_read_tokens: Option<u64>,

    /// Read the usage figures only: requests, tokens, contexts, models; no
    /// Read is priced (no files section), which makes large histories fast.
    #[arg(long, conflicts_with = "calibrate")]
    pub usage_only: bool,

    /// Measure Claude's tokens per cl100k token for each model from these
    /// sessions (consecutive requests around one large tool result) and
    /// print only that.
    #[arg(long)]
    pub calibrate: bool,

    /// With --calibrate: store the factors in the project's ctxbudget.toml
    /// (`[claude_factors]`, by model family; at least 5 pairs per model).
    #[arg(long, requires = "calibrate")]
    pub write: bool,

    /// How to count Read costs, the settings file, threads, cache, progress.
    #[command(flatten)]
    pub count: CountArgs,
}

/// `sessions` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SessionsFormat {
    /// Tables for people.
    Human,
    /// One JSON document (every file, not only the top ones).
    Json,
}
