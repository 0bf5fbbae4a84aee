//! The text of `ctxbudget mcp`'s tool answers: short lines the model reads,
//! each with what to Read and what it costs. Every answer is cut to a line
//! budget the caller prices.

use super::refs::Section;
use crate::guard::weigh::OutlineKind;
use crate::suggest::outline::Outline;
use crate::units::{plural, thousands};

/// A file's outline.
pub(crate) struct OutlineAnswer<'a> {
    /// From the project root.
    pub(crate) path: &'a str,
    /// What reading it whole costs.
    pub(crate) whole_tokens: u64,
    /// Its lines.
    pub(crate) lines: u64,
    /// What the outline lists.
    pub(crate) kind: OutlineKind,
    /// Parts the file has.
    pub(crate) total_parts: usize,
    /// The parts that fit.
    pub(crate) outline: &'a Outline,
}

/// The outline answer.
pub(crate) fn outline(answer: &OutlineAnswer<'_>) -> String {
    let what = match answer.kind {
        OutlineKind::Symbols => "symbols",
        OutlineKind::Sections => "sections",
        OutlineKind::Chunks => "line ranges (no symbols or sections)",
    };
    let mut text = format!(
        "{}: {} lines, {} tokens to Read whole. {} {what}, each with the Read offset/limit that fetches it and its tokens",
        answer.path,
        thousands(answer.lines),
        thousands(answer.whole_tokens),
        thousands(answer.total_parts as u64),
    );
    if answer.outline.omitted > 0 {
        text.push_str(&format!(
            " ({} shown, the largest; the rest did not fit)",
            thousands(answer.outline.lines.len() as u64)
        ));
    }
    text.push_str(":\n");
    for line in &answer.outline.lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// The refs answer: one section per query (or the budgeted set), each
/// reference as `@path#Lstart-end  name  kind  tokens`, cut at `max_lines`.
pub(crate) fn refs(sections: &[Section], max_lines: usize) -> String {
    let mut text = String::new();
    let mut lines = 0;
    let mut cut = 0;
    for section in sections {
        text.push_str(&section.title);
        text.push('\n');
        for r in &section.references {
            if lines >= max_lines {
                cut += 1;
                continue;
            }
            lines += 1;
            text.push_str(&format!(
                "{}  {}  {}  {} tokens (file {})\n",
                r.reference(),
                r.qualified_name,
                r.kind.name(),
                thousands(r.tokens),
                thousands(r.file_tokens)
            ));
        }
        if section.omitted > 0 {
            text.push_str(&format!(
                "({} more; raise limit to see them)\n",
                thousands(section.omitted as u64)
            ));
        }
    }
    if cut > 0 {
        text.push_str(&format!(
            "({} cut to keep this answer short)\n",
            plural(cut as u64, "more reference", "more references")
        ));
    }
    text
}

/// One path's cost.
pub(crate) struct Cost {
    /// As given, from the project root.
    pub(crate) path: String,
    /// Files priced under it (1 for a file).
    pub(crate) files: u64,
    /// Their tokens.
    pub(crate) tokens: u64,
    /// What reading each whole costs, summed.
    pub(crate) read_tokens: u64,
    /// Files left out (binary, too large, unreadable).
    pub(crate) skipped: u64,
    /// The costliest files to read whole, most first (directories only).
    pub(crate) largest: Vec<(String, u64)>,
    /// Flags scan gives the file (files only).
    pub(crate) flags: Vec<&'static str>,
}

/// The cost answer.
pub(crate) fn cost(costs: &[Cost], tokenizer: &str) -> String {
    let mut text = format!("tokens ({tokenizer}); read = what Read shows, line numbers included\n");
    for c in costs {
        if c.files == 1 && c.largest.is_empty() {
            text.push_str(&format!(
                "{}: {} tokens, read {}",
                c.path,
                thousands(c.tokens),
                thousands(c.read_tokens)
            ));
            if !c.flags.is_empty() {
                text.push_str(&format!(" [{}]", c.flags.join(", ")));
            }
            text.push('\n');
            continue;
        }
        text.push_str(&format!(
            "{}: {}, {} tokens, read all {}",
            c.path,
            plural(c.files, "file", "files"),
            thousands(c.tokens),
            thousands(c.read_tokens)
        ));
        if c.skipped > 0 {
            text.push_str(&format!(" ({} skipped)", thousands(c.skipped)));
        }
        if !c.largest.is_empty() {
            let largest: Vec<String> = c
                .largest
                .iter()
                .map(|(path, tokens)| format!("{path} {}", thousands(*tokens)))
                .collect();
            text.push_str(&format!("; costliest: {}", largest.join(", ")));
        }
        text.push('\n');
    }
    text
}
