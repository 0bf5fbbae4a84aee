//! `ctxbudget scan`: flags and their help.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

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

    /// Tokenizer: claude (estimate: cl100k x factor), cl100k or o200k (exact).
    #[arg(short, long, value_enum)]
    pub tokenizer: Option<TokenizerArg>,

    /// Factor applied to cl100k counts for the Claude estimate [default: 1.18].
    #[arg(long, value_name = "FACTOR")]
    pub claude_factor: Option<f64>,

    /// Context window in tokens, for shares and the `large` flag [default: 200000].
    #[arg(long, value_name = "TOKENS")]
    pub window: Option<u64>,

    /// Exit 1 when any file carries one of these flags (comma-separated).
    #[arg(long, value_name = "FLAG,...", value_delimiter = ',', value_parser = flag_names())]
    pub fail_on: Vec<String>,

    /// Only scan files matching this glob (repeatable). A glob without `/`
    /// matches file names at any depth; with `/`, paths from the root.
    #[arg(short = 'g', long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Skip files and directories matching this glob (repeatable).
    #[arg(short = 'x', long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Do not honour .gitignore, .ignore or .ctxbudgetignore files.
    #[arg(long)]
    pub no_ignore: bool,

    /// Follow symbolic links (loops are reported, never followed twice).
    #[arg(short = 'L', long)]
    pub follow: bool,

    /// Skip files larger than this (bytes, or with a K, M or G suffix) [default: 100M].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,

    /// Read settings from this file instead of ctxbudget.toml at the root.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// Skip symbol spans: count tokens only, parse nothing (fastest).
    #[arg(long)]
    pub no_symbols: bool,

    /// Do not read or write the cache of counts and spans (see `ctxbudget cache`).
    #[arg(long)]
    pub no_cache: bool,

    /// Never show the progress bar (it shows only on a terminal, for long scans).
    #[arg(long)]
    pub no_progress: bool,

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

/// Tokenizer names on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenizerArg {
    /// Claude estimate: cl100k count times --claude-factor.
    Claude,
    /// OpenAI cl100k_base, exact.
    Cl100k,
    /// OpenAI o200k_base, exact.
    O200k,
}

fn flag_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(crate::budget::Flag::ALL.map(|f| f.name()))
}

/// Parses `123`, `64K`, `100M`, `1G` (powers of 1024) into bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, ""),
    };
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size; use bytes or a K, M or G suffix"))?;
    let scale: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(format!("unknown size unit {unit:?}; use K, M or G")),
    };
    number
        .checked_mul(scale)
        .ok_or_else(|| format!("{text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("64K"), Ok(65536));
        assert_eq!(parse_size("100M"), Ok(100 << 20));
        assert_eq!(parse_size("1gib"), Ok(1 << 30));
        assert!(parse_size("12X").is_err());
        assert!(parse_size("M").is_err());
    }
}
