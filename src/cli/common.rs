//! Flags shared by the commands that walk and price a repository: what to
//! read, how to count it, and the cache.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// What to walk and how to count it.
#[derive(Debug, Clone, Default, Args)]
pub struct InputArgs {
    /// How to count, and the run's settings.
    #[command(flatten)]
    pub count: CountArgs,

    /// Only read files matching this glob (repeatable). A glob without `/`
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
}

/// How to count, where the settings are, and how the run goes: what every
/// command that prices text takes, walking or not.
#[derive(Debug, Clone, Default, Args)]
pub struct CountArgs {
    /// Tokenizer: claude (estimate: cl100k x factor), cl100k or o200k (exact).
    #[arg(short, long, value_enum)]
    pub tokenizer: Option<TokenizerArg>,

    /// Factor applied to cl100k counts for the Claude estimate [default: 1.18].
    #[arg(long, value_name = "FACTOR")]
    pub claude_factor: Option<f64>,

    /// The Claude model whose factor the estimate uses (e.g. claude-opus-4-6):
    /// its `[claude_factors]` entry in ctxbudget.toml, else its family's default.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,

    /// Read settings from this file instead of ctxbudget.toml at the root.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// Do not read or write the cache of counts and spans (see `ctxbudget cache`).
    #[arg(long)]
    pub no_cache: bool,

    /// Never show the progress bar (it shows only on a terminal, for long runs).
    #[arg(long)]
    pub no_progress: bool,
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
