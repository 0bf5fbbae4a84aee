//! What `ctxbudget hook` answers Claude Code: a PreToolUse `deny` whose
//! reason the model reads, with the file's whole cost and its outline.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::guard::Tool;
use crate::suggest::outline::Outline;
use crate::units::thousands;

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

/// Claude Code moves hook output strings over this many characters to a
/// file; the reason stays under it.
const MAX_REASON_CHARS: usize = 9_500;

/// The reason the model reads.
pub(crate) fn reason(denials: &[Denial]) -> String {
    let mut text = String::new();
    for (i, d) in denials.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        let what = match d.kind {
            OutlineKind::Symbols => "symbols",
            OutlineKind::Sections => "sections",
            OutlineKind::Chunks => "line ranges",
        };
        text.push_str(&format!(
            "ctxbudget: {} costs {} tokens to read whole ({} lines), over this project's limit of {} for one whole read. Read only the part you need: call Read with file_path \"{}\" and the offset and limit of one of these {}",
            d.path,
            thousands(d.whole_tokens),
            thousands(d.lines),
            thousands(d.threshold),
            d.file_path,
            what,
        ));
        if d.outline.omitted > 0 {
            text.push_str(&format!(
                " ({} of {}, the largest; `ctxbudget refs {}` lists them all)",
                d.outline.lines.len(),
                d.total_parts,
                d.path
            ));
        }
        text.push_str(":\n");
        for line in &d.outline.lines {
            if text.chars().count() + line.chars().count() > MAX_REASON_CHARS - 300 {
                text.push_str("- ...\n");
                break;
            }
            text.push_str(line);
            text.push('\n');
        }
        let again = match d.tool {
            Tool::Read => "Read it again without offset and limit",
            Tool::Bash => "run the same command again",
        };
        text.push_str(&format!(
            "If you really need all of it, {again}: the next whole read of this file is let through.\n"
        ));
    }
    text.trim_end().to_string()
}

/// Writes the PreToolUse `deny` answer (one JSON line).
pub(crate) fn deny(denials: &[Denial], out: &mut dyn Write) -> io::Result<()> {
    let answer = serde_json::json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": reason(denials),
        }
    });
    serde_json::to_writer(&mut *out, &answer)?;
    writeln!(out)
}
