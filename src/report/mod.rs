//! The only code that writes output. Every printer takes finished data and
//! any `W: Write`, so reports are tested against in-memory results.

pub(crate) mod cache;
pub(crate) mod check;
pub(crate) mod claude_md;
pub(crate) mod dump;
pub(crate) mod hook;
pub(crate) mod human;
pub(crate) mod init;
pub(crate) mod json;
pub(crate) mod markdown;
pub(crate) mod mcp;
pub(crate) mod progress;
pub(crate) mod refs;
pub(crate) mod sessions;
pub(crate) mod style;
pub(crate) mod table;
pub(crate) mod tree;

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

use crate::budget::Limits;
use crate::stats::{DirStat, FileStat, SkippedPath, SymbolStat, Totals};
use crate::suggest::deny::{DenyRule, Translation};
use crate::tokenize::TokenizerKind;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// For people, on a terminal.
    Human,
    /// Stable JSON (schema version 1).
    Json,
    /// Markdown tables.
    Markdown,
}

/// How to print a report.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    /// Which format.
    pub(crate) format: Format,
    /// Add a directory tree.
    pub(crate) tree: bool,
    /// Tree entries under this percentage of the total are folded.
    pub(crate) min_share: f64,
    /// Entries in the top lists.
    pub(crate) top: usize,
    /// Use ANSI colors (human format only).
    pub(crate) color: bool,
    /// Fit human output to this many columns (`COLUMNS`, else the
    /// terminal's width); `None` when piped without `COLUMNS`.
    pub(crate) width: Option<usize>,
}

/// The tokenizer as reports name it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TokenizerInfo {
    /// `claude`, `cl100k` or `o200k`.
    pub(crate) kind: TokenizerKind,
    /// The factor over the BPE count (1 when exact).
    pub(crate) factor: f64,
}

impl TokenizerInfo {
    /// One phrase saying what the figures are, e.g.
    /// `claude estimate = cl100k_base x 1.18` or `exact o200k_base`.
    pub(crate) fn describe(&self) -> String {
        if self.kind.is_estimate() {
            format!(
                "Claude estimate = {} count x {}",
                self.kind.encoding(),
                self.factor
            )
        } else {
            format!("exact {}", self.kind.encoding())
        }
    }
}

/// Advice about `.claudeignore`, when the project has one.
#[derive(Debug, Clone)]
pub(crate) struct ClaudeIgnore {
    /// Its path relative to the root.
    pub(crate) path: String,
    /// What it becomes as deny rules.
    pub(crate) translation: Translation,
}

/// Everything a scan report shows.
#[derive(Debug, Clone)]
pub(crate) struct ScanReport {
    /// The directory paths are relative to: the path as the user gave it,
    /// or the project root when a path inside a repository was scanned.
    pub(crate) root: String,
    /// What was scanned, when it is not `root` itself (`src`).
    pub(crate) scanned: Option<String>,
    /// What counted.
    pub(crate) tokenizer: TokenizerInfo,
    /// The thresholds behind the flags (and the window).
    pub(crate) limits: Limits,
    /// Priced files, sorted by path.
    pub(crate) files: Vec<FileStat>,
    /// Directories, sorted by path (`.` first).
    pub(crate) dirs: Vec<DirStat>,
    /// Paths not priced, sorted by path.
    pub(crate) skipped: Vec<SkippedPath>,
    pub(crate) totals: Totals,
    /// Files to deny, with directories collapsed.
    pub(crate) deny: Vec<DenyRule>,
    /// A `.claudeignore` found at the root.
    pub(crate) claudeignore: Option<ClaudeIgnore>,
}

/// Writes one message for people to `err` (stderr), as `ctxbudget: ...`.
/// A closed stderr must not turn a finding into a crash: errors are
/// dropped.
pub(crate) fn warn(err: &mut dyn Write, message: std::fmt::Arguments<'_>) {
    let _ = writeln!(err, "ctxbudget: {message}");
}

/// Writes a scan report in the chosen format.
pub(crate) fn write_scan(
    report: &ScanReport,
    output: &Output,
    out: &mut dyn Write,
) -> io::Result<()> {
    match output.format {
        Format::Human => human::write(report, output, out),
        Format::Json => json::write(report, out),
        Format::Markdown => markdown::write(report, output, out),
    }
}

/// Files ranked by tokens (largest first, then by path), at most `n`.
pub(crate) fn top_files(files: &[FileStat], n: usize) -> Vec<&FileStat> {
    let mut ranked: Vec<&FileStat> = files.iter().collect();
    ranked.sort_by(|a, b| b.tokens.cmp(&a.tokens).then_with(|| a.path.cmp(&b.path)));
    ranked.truncate(n);
    ranked
}

/// Directories ranked by tokens, at most `n`, leaving out the root and any
/// directory whose only priced content is a single subdirectory's (a chain
/// like `src` -> `src/pkg` shows once, as its deepest link).
pub(crate) fn top_dirs(dirs: &[DirStat], n: usize) -> Vec<&DirStat> {
    let mut figures: HashMap<&str, (u64, u64)> = HashMap::new();
    for dir in dirs {
        figures.insert(&dir.path, (dir.files, dir.tokens));
    }
    let mut chained: HashSet<&str> = HashSet::new();
    for dir in dirs.iter().filter(|d| d.path != ".") {
        let parent = dir.path.rfind('/').map_or(".", |slash| &dir.path[..slash]);
        if figures.get(parent) == Some(&(dir.files, dir.tokens)) {
            chained.insert(parent);
        }
    }
    let mut ranked: Vec<&DirStat> = dirs
        .iter()
        .filter(|d| d.path != "." && !chained.contains(d.path.as_str()))
        .collect();
    ranked.sort_by(|a, b| b.tokens.cmp(&a.tokens).then_with(|| a.path.cmp(&b.path)));
    ranked.truncate(n);
    ranked
}

/// Symbols ranked by tokens across all files (largest first, then by path
/// and line), at most `n`, each with its file.
pub(crate) fn top_symbols(files: &[FileStat], n: usize) -> Vec<(&FileStat, &SymbolStat)> {
    let mut ranked: Vec<(&FileStat, &SymbolStat)> = files
        .iter()
        .flat_map(|f| f.symbols.iter().map(move |s| (f, s)))
        .collect();
    ranked.sort_by(|a, b| {
        b.1.tokens
            .cmp(&a.1.tokens)
            .then_with(|| a.0.path.cmp(&b.0.path))
            .then(a.1.span.start_line.cmp(&b.1.span.start_line))
    });
    ranked.truncate(n);
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(path: &str, files: u64, tokens: u64) -> DirStat {
        DirStat {
            path: path.to_string(),
            files,
            bytes: 0,
            tokens,
        }
    }

    #[test]
    fn top_dirs_show_a_chain_once_as_its_deepest_link() {
        let dirs = [
            dir(".", 4, 100),
            dir("src", 3, 90),
            dir("src/pkg", 3, 90),
            dir("src/pkg/a", 1, 50),
            dir("docs", 1, 10),
        ];
        let top: Vec<&str> = top_dirs(&dirs, 10)
            .iter()
            .map(|d| d.path.as_str())
            .collect();
        assert_eq!(top, ["src/pkg", "src/pkg/a", "docs"]);
    }
}
