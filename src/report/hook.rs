//! What `ctxbudget hook` answers Claude Code: a PreToolUse `deny` whose
//! reason the model reads, with the file's whole cost and its outline.

use std::io::{self, Write};

use crate::guard::Tool;
use crate::guard::weigh::{Denial, OutlineKind};
use crate::units::thousands;

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
