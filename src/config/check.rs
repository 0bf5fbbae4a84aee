//! `check`'s configuration: where the memory files are, the budgets, how
//! to print.

use std::path::PathBuf;

use super::file::Loaded;
use crate::cli::Cli;
use crate::cli::check::{CheckArgs, CheckFormat};
use crate::error::Error;
use crate::tokenize::TokenizerKind;

use super::input::choose_tokenizer;

/// Everything `check` needs, decided once.
#[derive(Debug, Clone)]
pub(crate) struct CheckConfig {
    /// Where and how far to look.
    pub(crate) memory: crate::memory::Options,
    /// Changed files; empty to check unconditionally.
    pub(crate) files: Vec<PathBuf>,
    /// Which tokenizer counts.
    pub(crate) tokenizer: TokenizerKind,
    /// The Claude estimate's factor over cl100k.
    pub(crate) claude_factor: f64,
    /// The budgets.
    pub(crate) budget: crate::memory::cost::Budget,
    /// Tokens added per loaded file for the line that introduces it.
    pub(crate) file_overhead: u64,
    /// JSON instead of the human report.
    pub(crate) json: bool,
    /// Sections listed per file.
    pub(crate) sections: usize,
    /// Color the human report.
    pub(crate) color: bool,
    /// Columns human output must fit (`None`: piped, no limit).
    pub(crate) width: Option<usize>,
}

/// Claude Code warns about a memory file over this many characters.
pub(crate) const DEFAULT_MAX_FILE_CHARS: u64 = 40_000;
/// Claude Code's docs advise memory files under this many lines.
pub(crate) const DEFAULT_MAX_FILE_LINES: u64 = 200;
/// Tokens of the line that introduces each loaded memory file.
pub(crate) const DEFAULT_FILE_OVERHEAD: u64 = 20;

/// Builds the `check` configuration from the parsed command line.
pub(crate) fn build(cli: &Cli, args: &CheckArgs) -> Result<CheckConfig, Error> {
    let paths = [args.root.clone()];
    let loaded = Loaded::read(args.config.as_deref(), &paths)?;
    let (tokenizer, claude_factor) = choose_tokenizer(
        args.tokenizer,
        args.claude_factor,
        args.model.as_deref(),
        &loaded,
    )?;
    let section = &loaded.file.check;
    let flag = |name: &str, value: Option<u64>| -> Result<Option<u64>, Error> {
        match value {
            Some(0) => Err(Error::Usage(format!("--{name} must be positive"))),
            other => Ok(other),
        }
    };
    let max_tokens = match flag("max-tokens", args.max_tokens)? {
        Some(v) => Some(v),
        None => section.max_tokens.map(|v| v.0),
    };
    let max_file_chars = match flag("max-file-chars", args.max_file_chars)? {
        Some(v) => v,
        None => section
            .max_file_chars
            .map(|v| v.0)
            .unwrap_or(DEFAULT_MAX_FILE_CHARS),
    };
    let max_file_lines = match flag("max-file-lines", args.max_file_lines)? {
        Some(v) => v,
        None => section
            .max_file_lines
            .map(|v| v.0)
            .unwrap_or(DEFAULT_MAX_FILE_LINES),
    };
    let file_overhead = section
        .file_overhead_tokens
        .map_or(DEFAULT_FILE_OVERHEAD, |v| v.0);
    let max_hops = section
        .max_import_hops
        .map_or(crate::memory::MAX_HOPS, |v| v.0);
    Ok(CheckConfig {
        memory: crate::memory::Options {
            project: args.root.clone(),
            user: args.user || section.user.unwrap_or(false),
            home: std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from),
            max_hops,
            max_bytes: crate::memory::MAX_BYTES,
        },
        files: args.files.clone(),
        tokenizer,
        claude_factor,
        budget: crate::memory::cost::Budget {
            max_tokens,
            max_file_chars,
            max_file_lines,
            strict: args.strict || section.strict.unwrap_or(false),
        },
        file_overhead,
        json: args.format == CheckFormat::Json,
        sections: args.sections,
        color: super::use_color(cli.color),
        width: super::output_width(),
    })
}
