//! `ctxbudget scan`: flags and their help.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::common::InputArgs;

/// Price every file, directory and symbol in tokens and flag what a session
/// should not read whole.
///
/// Walks PATH (default: the current directory) the way ripgrep does:
/// .gitignore files (nested, .git/info/exclude, the global one), .ignore and
/// .ctxbudgetignore are honoured, hidden files are included, .git/ is not.
/// Every file is counted with the chosen tokenizer; its read cost is the
/// same text as Claude Code's Read tool shows it (a line number and a tab
/// before every line). Files that cannot be priced (binary, unreadable,
/// special, too large, symlinks not followed) are listed, never fatal.
///
/// Source files in Rust, Python, JavaScript, TypeScript, TSX, Go, Java, C,
/// C++, C#, Ruby, PHP and Bash are parsed for symbols (functions, methods,
/// classes, structs, impls, traits, modules): each is priced on its own lines
/// and can be attached as @path#Lstart-end instead of the whole file.
///
/// Settings can also live in ctxbudget.toml at the scanned root; flags win.
#[derive(Debug, Args)]
#[command(after_long_help = "Examples:
  ctxbudget scan                          price the current repository
  ctxbudget scan --tree --min-share 2     directory tree, entries under 2% folded
  ctxbudget scan -t o200k --format json   exact o200k counts, as JSON
  ctxbudget scan --fail-on lockfile,minified   exit 1 in CI if such files are tracked

Flags: over-read-limit, over-line-limit, large, minified, generated, lockfile, lossy-utf8,
large-symbol, no-symbols.
Exit codes: 0 ok, 1 a --fail-on flag was found, 2 could not run.")]
pub struct ScanArgs {
    /// Directories or files to scan.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Show a directory tree with tokens and share of the total (human and markdown formats).
    #[arg(long)]
    pub tree: bool,

    /// With --tree, fold entries under this percentage of the total into one line.
    #[arg(long, value_name = "PERCENT", default_value_t = 1.0)]
    pub min_share: f64,

    /// How many files, directories and symbols the top lists show [default: 15].
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Context window in tokens, for shares and the `large` flag [default: 200000].
    #[arg(long, value_name = "TOKENS")]
    pub window: Option<u64>,

    /// Exit 1 when any file carries one of these flags (comma-separated).
    #[arg(long, value_name = "FLAG,...", value_delimiter = ',', value_parser = flag_names())]
    pub fail_on: Vec<String>,

    /// Skip symbol spans: count tokens only, parse nothing (fastest).
    #[arg(long)]
    pub no_symbols: bool,

    /// What to read and how to count it.
    #[command(flatten)]
    pub input: InputArgs,

    /// Debug: list every path walked and what became of it, then stop.
    #[arg(long, hide = true)]
    pub dump_files: bool,

    /// Debug: print the language and the symbol spans found in FILE, then stop.
    #[arg(long, hide = true, value_name = "FILE")]
    pub dump_spans: Option<PathBuf>,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A report for people.
    Human,
    /// Stable JSON for scripts (schema version 1).
    Json,
    /// Markdown tables, for pull requests and wikis.
    Markdown,
}

fn flag_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(crate::stats::Flag::ALL.map(|f| f.name()))
}
