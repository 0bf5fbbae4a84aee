//! Per-file and per-directory figures: counts a read file under the chosen
//! tokenizer and rolls files up into directories and totals. No I/O.

use std::collections::BTreeMap;
use std::fmt;

use crate::lang::{self, Kind};
use crate::source::{Shape, Source};
use crate::syntax::Span;
use crate::tokenize::{Segments, Tokenizer};
use crate::walk::Skip;

/// A reason a file is flagged. Names are stable (JSON `flags`, `--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Flag {
    /// A whole-file Read would be over the Read tool's token limit.
    OverReadLimit,
    /// More lines than the Read tool returns by default.
    OverLineLimit,
    /// A large share of the context window on its own.
    Large,
    /// Very long lines: minified or machine-written.
    Minified,
    /// Marked as generated near its top.
    Generated,
    /// A dependency lock file.
    Lockfile,
    /// Not valid UTF-8; counted on a lossy decoding.
    LossyUtf8,
    /// Holds a symbol over the symbol token limit.
    LargeSymbol,
    /// Has a grammar but could not be parsed for symbols.
    NoSymbols,
}

impl Flag {
    /// Every flag, in report order.
    pub(crate) const ALL: [Flag; 9] = [
        Flag::OverReadLimit,
        Flag::OverLineLimit,
        Flag::Large,
        Flag::Minified,
        Flag::Generated,
        Flag::Lockfile,
        Flag::LossyUtf8,
        Flag::LargeSymbol,
        Flag::NoSymbols,
    ];

    /// The stable name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Flag::OverReadLimit => "over-read-limit",
            Flag::OverLineLimit => "over-line-limit",
            Flag::Large => "large",
            Flag::Minified => "minified",
            Flag::Generated => "generated",
            Flag::Lockfile => "lockfile",
            Flag::LossyUtf8 => "lossy-utf8",
            Flag::LargeSymbol => "large-symbol",
            Flag::NoSymbols => "no-symbols",
        }
    }

    /// The flag with this stable name.
    pub(crate) fn from_name(name: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.name() == name)
    }

    /// What the flag means for a session, for the report's legend.
    pub(crate) fn meaning(self) -> &'static str {
        match self {
            Flag::OverReadLimit => "a whole-file Read is refused or paged by Claude Code",
            Flag::OverLineLimit => "a whole-file Read stops at the line limit and misses the rest",
            Flag::Large => "one file takes a large share of the context window",
            Flag::Minified => "very long lines: nothing a session can usefully read",
            Flag::Generated => "generated: read its source or generator instead",
            Flag::Lockfile => "dependency lock file: never worth reading",
            Flag::LossyUtf8 => "not valid UTF-8: counted on a lossy decoding",
            Flag::LargeSymbol => {
                "one function or type costs more than a session should read at once"
            }
            Flag::NoSymbols => "symbols unknown: reference lines by hand",
        }
    }

    /// Whether files with this flag belong in `permissions.deny`.
    pub(crate) fn deny_worthy(self) -> bool {
        matches!(self, Flag::Minified | Flag::Generated | Flag::Lockfile)
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A flag on one file with its one-line reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// Which flag.
    pub(crate) flag: Flag,
    /// Why, with the figures (`read cost 31,204 tokens > 25,000`).
    pub(crate) reason: String,
}

/// The figures of one priced file.
#[derive(Debug, Clone)]
pub(crate) struct FileStat {
    /// `/`-separated path relative to the root.
    pub(crate) path: String,
    /// Language name, when the registry knows the file.
    pub(crate) language: Option<&'static str>,
    /// What the content is, when the language is known.
    pub(crate) kind: Option<Kind>,
    /// The grammar that finds its symbols, when there is one.
    pub(crate) grammar: Option<&'static str>,
    /// Size in bytes.
    pub(crate) bytes: u64,
    /// Lines, longest line, characters.
    pub(crate) shape: Shape,
    /// Tokens under the selected tokenizer.
    pub(crate) tokens: u64,
    /// Tokens as the Read tool shows the file (line numbers included).
    pub(crate) read_tokens: u64,
    /// Flags with their reasons, in flag order.
    pub(crate) verdicts: Vec<Verdict>,
    /// Symbols with their own token counts, by start line.
    pub(crate) symbols: Vec<SymbolStat>,
}

/// A symbol and the tokens of exactly its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SymbolStat {
    /// Where it is and what it is called.
    pub(crate) span: Span,
    /// Tokens of lines `start_line..=end_line` (what its reference attaches),
    /// counted on their own under the selected tokenizer.
    pub(crate) tokens: u64,
}

impl SymbolStat {
    /// The paste-ready reference, `@path#Lstart-end`.
    pub(crate) fn reference(&self, path: &str) -> String {
        format!("@{path}#L{}-{}", self.span.start_line, self.span.end_line)
    }
}

/// Byte offsets where each line of `text` starts.
pub(crate) fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            text.match_indices('\n')
                .map(|(i, _)| i + 1)
                .filter(|&i| i < text.len()),
        )
        .collect()
}

/// The raw BPE count of each span's lines, as if counted on their own,
/// from the segment counts of the same text.
pub(crate) fn count_symbols(
    text: &str,
    segments: &Segments,
    spans: &[Span],
    tokenizer: &Tokenizer,
) -> Vec<u64> {
    let starts = line_starts(text);
    let offset = |line: u32| starts.get(line as usize).copied().unwrap_or(text.len());
    let mut memo = crate::tokenize::EdgeCounts::default();
    spans
        .iter()
        .map(|span| {
            let from = offset(span.start_line.saturating_sub(1)).min(text.len());
            let to = offset(span.end_line).max(from);
            tokenizer.count_lines_memo(text, segments, from, to, &mut memo)
        })
        .collect()
}

/// A path that was not priced.
#[derive(Debug, Clone)]
pub(crate) struct SkippedPath {
    /// `/`-separated path relative to the root.
    pub(crate) path: String,
    /// Why, and the detail.
    pub(crate) skip: Skip,
}

/// The figures of one directory, over every priced file below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DirStat {
    /// `/`-separated path relative to the root; `.` is the root.
    pub(crate) path: String,
    /// Priced files below it, at any depth.
    pub(crate) files: u64,
    /// Their bytes.
    pub(crate) bytes: u64,
    /// Their tokens.
    pub(crate) tokens: u64,
}

/// Sums over the whole scan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Priced files.
    pub(crate) files: u64,
    /// Their bytes.
    pub(crate) bytes: u64,
    /// Their lines.
    pub(crate) lines: u64,
    /// Their tokens (the sum of the per-file figures).
    pub(crate) tokens: u64,
    /// Their read cost.
    pub(crate) read_tokens: u64,
    /// Paths not priced.
    pub(crate) skipped: u64,
}

/// Raw BPE counts of one file (before any factor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Tokens of the text.
    pub(crate) tokens: u64,
    /// Tokens of the Read view.
    pub(crate) read_tokens: u64,
}

/// The figures of one file from its raw counts, scaled for the tokenizer.
pub(crate) fn measure(
    path: String,
    language: Option<&'static lang::Language>,
    source: &Source,
    shape: Shape,
    counts: Counts,
    tokenizer: &Tokenizer,
) -> FileStat {
    let tokens = tokenizer.scale(counts.tokens);
    let read_tokens = tokenizer.scale(counts.read_tokens);
    FileStat {
        language: language.map(|l| l.name.as_str()),
        kind: language.map(|l| l.kind),
        grammar: language.and_then(|l| l.grammar.as_deref()),
        path,
        bytes: source.bytes,
        shape,
        tokens,
        read_tokens,
        verdicts: Vec::new(),
        symbols: Vec::new(),
    }
}

/// Every directory that holds a priced file (the root as `.`), sorted by
/// path, with totals over the files below it.
pub(crate) fn directories(files: &[FileStat]) -> Vec<DirStat> {
    let mut dirs: BTreeMap<&str, DirStat> = BTreeMap::new();
    for file in files {
        let ancestors = std::iter::once(".").chain(
            file.path
                .match_indices('/')
                .map(|(slash, _)| &file.path[..slash]),
        );
        for dir in ancestors {
            let entry = dirs.entry(dir).or_insert_with(|| DirStat {
                path: dir.to_string(),
                files: 0,
                bytes: 0,
                tokens: 0,
            });
            entry.files += 1;
            entry.bytes += file.bytes;
            entry.tokens += file.tokens;
        }
    }
    dirs.into_values().collect()
}

/// Sums over every priced file and counts the skips.
pub(crate) fn totals(files: &[FileStat], skipped: &[SkippedPath]) -> Totals {
    let mut totals = Totals {
        skipped: skipped.len() as u64,
        ..Totals::default()
    };
    for file in files {
        totals.files += 1;
        totals.bytes += file.bytes;
        totals.lines += file.shape.lines;
        totals.tokens += file.tokens;
        totals.read_tokens += file.read_tokens;
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of lines `start..=end` (1-based), line endings included.
    fn lines<'t>(text: &'t str, starts: &[usize], start: u32, end: u32) -> &'t str {
        let from = starts
            .get(start as usize - 1)
            .copied()
            .unwrap_or(text.len());
        let to = starts.get(end as usize).copied().unwrap_or(text.len());
        &text[from.min(to)..to]
    }

    fn file(path: &str, tokens: u64) -> FileStat {
        FileStat {
            path: path.to_string(),
            language: None,
            kind: None,
            grammar: None,
            bytes: tokens * 4,
            shape: Shape::default(),
            tokens,
            read_tokens: tokens,
            verdicts: Vec::new(),
            symbols: Vec::new(),
        }
    }

    #[test]
    fn lines_slices_whole_lines_with_their_endings() {
        let text = "a\nbb\r\nccc\nlast";
        let starts = line_starts(text);
        assert_eq!(starts, [0, 2, 6, 10]);
        assert_eq!(lines(text, &starts, 2, 3), "bb\r\nccc\n");
        assert_eq!(lines(text, &starts, 4, 4), "last");
        assert_eq!(line_starts("x\n"), [0]);
    }

    #[test]
    fn directories_roll_up_every_ancestor() {
        let files = [file("a/b/c.rs", 10), file("a/d.rs", 5), file("top.rs", 1)];
        let dirs = directories(&files);
        let summary: Vec<(&str, u64, u64)> = dirs
            .iter()
            .map(|d| (d.path.as_str(), d.files, d.tokens))
            .collect();
        assert_eq!(summary, [(".", 3, 16), ("a", 2, 15), ("a/b", 1, 10)]);
    }
}
