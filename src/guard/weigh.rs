//! Weighing one file for the guard: whether reading it whole costs more
//! than the threshold, and if so the outline to offer instead (symbols,
//! Markdown sections or chunks of lines, each with its read cost).
//! Decisions are remembered by content in the cache directory, so a file
//! already weighed costs a hash and one small read, not the tokenizer.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Tool;
use crate::cache::Cache;
use crate::config::hook::HookConfig;
use crate::price;
use crate::source::Source;
use crate::suggest::outline::{self, Outline, Part};
use crate::tokenize::Tokenizer;

/// What the outline lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum OutlineKind {
    /// Functions, classes and their members.
    Symbols,
    /// Markdown sections.
    Sections,
    /// Chunks of lines (no symbols or sections).
    Chunks,
}

/// One file turned away.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Denial {
    /// The file, from the project root.
    pub(crate) path: String,
    /// The file as Read's `file_path` takes it (absolute).
    pub(crate) file_path: String,
    /// The tool the call went through.
    pub(crate) tool: Tool,
    /// What reading it whole costs.
    pub(crate) whole_tokens: u64,
    /// Its lines.
    pub(crate) lines: u64,
    /// The guard's threshold.
    pub(crate) threshold: u64,
    /// What the outline costs.
    pub(crate) outline_tokens: u64,
    /// What the outline lists.
    pub(crate) kind: OutlineKind,
    /// Parts the file has (the outline may list fewer).
    pub(crate) total_parts: usize,
    /// The outline.
    pub(crate) outline: Outline,
}

/// Whether `source` may cost more than the threshold, judged from its
/// size alone: a token holds at least one byte, and a line number with its
/// tab is at most three tokens. `false` means surely cheap.
pub(crate) fn may_be_expensive(config: &HookConfig, source: &Source) -> bool {
    let lines = source.text.lines().count() as u64;
    let bound =
        (source.text.len() as u64 + 3 * lines + 3) as f64 * config.input.claude_factor.max(1.0);
    bound > config.read_tokens as f64
}

/// Weighs files for one call (or for `init`), loading the tokenizer only
/// when a file is not already decided.
pub(crate) struct Guard<'a> {
    config: &'a HookConfig,
    root: &'a Path,
    tokenizer: Option<Tokenizer>,
    /// Where decisions are remembered by content (`None`: `--no-cache`).
    decisions: Option<PathBuf>,
    /// Counts and spans already known (`init` passes the project's cache;
    /// the hook does not load it for one file).
    cache: Cache,
}

impl<'a> Guard<'a> {
    /// A guard for the project at `root` (canonical), remembering its
    /// decisions in `decisions` when given.
    pub(crate) fn new(
        config: &'a HookConfig,
        root: &'a Path,
        decisions: Option<PathBuf>,
        cache: Cache,
    ) -> Guard<'a> {
        Guard {
            config,
            root,
            tokenizer: None,
            decisions,
            cache,
        }
    }

    /// The denial for reading `source` (at `rel` from the root, `real` on
    /// disk) whole through `tool`, `None` when it is cheap.
    pub(crate) fn weigh(
        &mut self,
        rel: &str,
        real: &Path,
        source: &Source,
        tool: Tool,
    ) -> Option<Denial> {
        let mut denial = self.decide(rel, real, source)?;
        denial.tool = tool;
        Some(denial)
    }

    fn decide(&mut self, rel: &str, real: &Path, source: &Source) -> Option<Denial> {
        let config = self.config;
        let input = &config.input;
        if !may_be_expensive(config, source) {
            return None;
        }
        let lines = source.text.lines().count() as u64;
        let key = self.key(rel, source);
        if let Some(known) = self.recall(&key) {
            return known;
        }
        let tokenizer = self
            .tokenizer
            .get_or_insert_with(|| Tokenizer::new(input.tokenizer, input.claude_factor));
        let stat = price::price_file(rel.to_string(), source, input, tokenizer, &self.cache);
        let denial = (stat.read_tokens > config.read_tokens).then(|| {
            let (kind, parts) = parts(&stat, &source.text, tokenizer, config.read_tokens);
            let count = |text: &str| tokenizer.scale(tokenizer.count(text));
            let planned = outline::plan(&parts, config.outline_tokens, &count);
            Denial {
                path: rel.to_string(),
                file_path: real.display().to_string(),
                tool: Tool::Read,
                whole_tokens: stat.read_tokens,
                lines,
                threshold: config.read_tokens,
                outline_tokens: planned.tokens,
                kind,
                total_parts: parts.len(),
                outline: planned,
            }
        });
        self.remember(&key, denial.as_ref());
        denial
    }

    /// What a decision depends on: the text, where it is, the settings
    /// and this version.
    fn key(&self, rel: &str, source: &Source) -> String {
        let input = &self.config.input;
        let settings = format!(
            "{}\0{}\0{}\0{}\0{}\0{}\0{}\0{}",
            env!("CARGO_PKG_VERSION"),
            rel,
            input.tokenizer.encoding(),
            input.claude_factor,
            self.config.read_tokens,
            self.config.outline_tokens,
            input.parse.max_bytes,
            self.root.display(),
        );
        let mut bytes = settings.into_bytes();
        bytes.extend_from_slice(source.text.as_bytes());
        format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&bytes))
    }

    /// A decision remembered for this key: `Some(None)` to let it pass.
    fn recall(&self, key: &str) -> Option<Option<Denial>> {
        let path = self.decisions.as_ref()?.join(format!("{key}.json"));
        let bytes = crate::fsio::read_bounded(&path, 1 << 20).ok()?;
        let stored: Option<Denial> = serde_json::from_slice(&bytes).ok()?;
        Some(stored)
    }

    fn remember(&self, key: &str, denial: Option<&Denial>) {
        let Some(dir) = &self.decisions else {
            return;
        };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let Ok(bytes) = serde_json::to_vec(&denial) else {
            return;
        };
        let Ok(mut temp) = tempfile::Builder::new()
            .prefix(".tmp-")
            .rand_bytes(8)
            .tempfile_in(dir)
        else {
            return;
        };
        if temp.write_all(&bytes).is_ok() {
            let _ = temp.persist(dir.join(format!("{key}.json")));
        }
    }
}

/// What to offer instead of the whole file: its symbols, else its Markdown
/// sections, else chunks of lines; each with what reading it costs.
pub(crate) fn parts(
    stat: &crate::stats::FileStat,
    text: &str,
    tokenizer: &Tokenizer,
    threshold: u64,
) -> (OutlineKind, Vec<Part>) {
    let starts = crate::stats::line_starts(text);
    let slice = |start: u32, end: u32| {
        let from = starts
            .get(start as usize - 1)
            .copied()
            .unwrap_or(text.len());
        let to = starts.get(end as usize).copied().unwrap_or(text.len());
        &text[from.min(to)..to]
    };
    let cost = |start: u32, end: u32| {
        tokenizer.scale(tokenizer.count_as_read_from(slice(start, end), u64::from(start)))
    };
    let lines = starts.len() as u32;
    let mark = |mut parts: Vec<Part>| {
        for part in &mut parts {
            part.too_large = part.read_tokens > threshold;
        }
        parts
    };
    if !stat.symbols.is_empty() {
        let parts = stat
            .symbols
            .iter()
            .map(|s| Part {
                label: format!(
                    "{} {}",
                    s.span.kind,
                    crate::text::escape(&s.span.qualified_name)
                ),
                start: s.span.start_line,
                end: s.span.end_line,
                read_tokens: cost(s.span.start_line, s.span.end_line),
                too_large: false,
            })
            .collect();
        let documents = stat
            .symbols
            .iter()
            .all(|s| s.span.kind == crate::lang::SymbolKind::Section);
        let kind = if documents {
            OutlineKind::Sections
        } else {
            OutlineKind::Symbols
        };
        return (kind, mark(parts));
    }
    let parts = outline::chunks(lines, stat.read_tokens, threshold / 2)
        .into_iter()
        .map(|(start, end)| Part {
            label: format!("lines {start}-{end}"),
            start,
            end,
            read_tokens: cost(start, end),
            too_large: false,
        })
        .collect();
    (OutlineKind::Chunks, mark(parts))
}
