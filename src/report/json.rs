//! `--format json`: the wire types of schema version 1, kept apart from the
//! internal figures so that a refactor cannot change what scripts read.
//! Fields may be added; none is renamed or removed within a version.

use std::io::{self, Write};

use serde::Serialize;

use super::{ScanReport, TokenizerInfo};

/// The schema version; bumped only for incompatible changes.
pub(crate) const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Scan<'a> {
    version: u32,
    root: &'a str,
    tokenizer: Tokenizer,
    context_window: u64,
    totals: Totals,
    files: Vec<File<'a>>,
    dirs: Vec<Dir<'a>>,
    skipped: Vec<Skipped<'a>>,
    advice: Advice<'a>,
}

#[derive(Serialize)]
/// The tokenizer as every JSON document names it.
pub(crate) struct Tokenizer {
    name: &'static str,
    encoding: &'static str,
    factor: f64,
    estimate: bool,
}

impl From<TokenizerInfo> for Tokenizer {
    fn from(info: TokenizerInfo) -> Tokenizer {
        Tokenizer {
            name: info.kind.name(),
            encoding: info.kind.encoding(),
            factor: info.factor,
            estimate: info.kind.is_estimate(),
        }
    }
}

#[derive(Serialize)]
struct Totals {
    files: u64,
    bytes: u64,
    tokens: u64,
    skipped: u64,
    lines: u64,
    read_tokens: u64,
}

#[derive(Serialize)]
struct File<'a> {
    path: &'a str,
    language: Option<&'a str>,
    bytes: u64,
    lines: u64,
    tokens: u64,
    read_tokens: u64,
    flags: Vec<&'static str>,
    symbols: Vec<Symbol<'a>>,
}

#[derive(Serialize)]
struct Symbol<'a> {
    name: &'a str,
    qualified_name: &'a str,
    kind: &'a str,
    start_line: u32,
    end_line: u32,
    tokens: u64,
}

#[derive(Serialize)]
struct Dir<'a> {
    path: &'a str,
    files: u64,
    tokens: u64,
    bytes: u64,
}

#[derive(Serialize)]
struct Skipped<'a> {
    path: &'a str,
    reason: &'static str,
    message: &'a str,
}

#[derive(Serialize)]
struct Advice<'a> {
    deny: Vec<&'a str>,
    claudeignore: Option<ClaudeIgnore<'a>>,
}

#[derive(Serialize)]
struct ClaudeIgnore<'a> {
    path: &'a str,
    deny: &'a [String],
}

/// Writes the report as one JSON document followed by a newline.
pub(crate) fn write(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let doc = Scan {
        version: SCHEMA_VERSION,
        root: &report.root,
        tokenizer: Tokenizer::from(report.tokenizer),
        context_window: report.limits.window,
        totals: Totals {
            files: report.totals.files,
            bytes: report.totals.bytes,
            tokens: report.totals.tokens,
            skipped: report.totals.skipped,
            lines: report.totals.lines,
            read_tokens: report.totals.read_tokens,
        },
        files: report
            .files
            .iter()
            .map(|f| File {
                path: &f.path,
                language: f.language,
                bytes: f.bytes,
                lines: f.shape.lines,
                tokens: f.tokens,
                read_tokens: f.read_tokens,
                flags: f.verdicts.iter().map(|v| v.flag.name()).collect(),
                symbols: f
                    .symbols
                    .iter()
                    .map(|s| Symbol {
                        name: &s.span.name,
                        qualified_name: &s.span.qualified_name,
                        kind: s.span.kind.name(),
                        start_line: s.span.start_line,
                        end_line: s.span.end_line,
                        tokens: s.tokens,
                    })
                    .collect(),
            })
            .collect(),
        dirs: report
            .dirs
            .iter()
            .map(|d| Dir {
                path: &d.path,
                files: d.files,
                tokens: d.tokens,
                bytes: d.bytes,
            })
            .collect(),
        skipped: report
            .skipped
            .iter()
            .map(|s| Skipped {
                path: &s.path,
                reason: s.skip.reason.name(),
                message: &s.skip.message,
            })
            .collect(),
        advice: Advice {
            deny: report.deny.iter().map(|r| r.rule.as_str()).collect(),
            claudeignore: report.claudeignore.as_ref().map(|c| ClaudeIgnore {
                path: &c.path,
                deny: &c.translation.rules,
            }),
        },
    };
    to_writer_pretty(out, &doc)?;
    writeln!(out)
}

/// Pretty JSON to `out`, keeping an I/O error's kind (so a closed pipe
/// stays a closed pipe).
pub(crate) fn to_writer_pretty(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(|e| match e.io_error_kind() {
        Some(kind) => io::Error::new(kind, e),
        None => io::Error::other(e),
    })
}
