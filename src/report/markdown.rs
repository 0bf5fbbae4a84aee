//! `--format markdown`: the report as Markdown tables, for pull requests,
//! issues and wikis.

use std::io::{self, Write};

use super::style::Style;
use super::{Output, ScanReport, top_dirs, top_files};
use crate::suggest::deny::{DenyRule, settings_block};
use crate::units::{human_bytes, percent, thousands};

/// Writes the Markdown report.
pub(crate) fn write(report: &ScanReport, output: &Output, out: &mut dyn Write) -> io::Result<()> {
    let t = &report.totals;
    let window = report.limits.window;
    writeln!(out, "# ctxbudget scan: `{}`", escape(&report.root))?;
    writeln!(out)?;
    writeln!(
        out,
        "| files | size | lines | tokens | % of window | read cost | skipped |"
    )?;
    writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|")?;
    writeln!(
        out,
        "| {} | {} | {} | {} | {:.1}% | {} | {} |",
        thousands(t.files),
        human_bytes(t.bytes),
        thousands(t.lines),
        thousands(t.tokens),
        percent(t.tokens, window),
        thousands(t.read_tokens),
        thousands(t.skipped)
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "Tokens: {}. Window: {} tokens. Read cost: as the Read tool shows files, line numbers included (`N<TAB>line`, Claude Code 2.1.86 and later).",
        report.tokenizer.describe(),
        thousands(window)
    )?;

    let files = top_files(&report.files, output.top);
    if !files.is_empty() {
        writeln!(out)?;
        writeln!(out, "## Top files")?;
        writeln!(out)?;
        writeln!(out, "| file | tokens | read cost | % of window | flags |")?;
        writeln!(out, "|---|---:|---:|---:|---|")?;
        for f in files {
            let flags: Vec<&str> = f.verdicts.iter().map(|v| v.flag.name()).collect();
            writeln!(
                out,
                "| `{}` | {} | {} | {:.1}% | {} |",
                escape(&f.path),
                thousands(f.tokens),
                thousands(f.read_tokens),
                percent(f.tokens, window),
                flags.join(", ")
            )?;
        }
    }

    let dirs = top_dirs(&report.dirs, output.top);
    if !dirs.is_empty() {
        writeln!(out)?;
        writeln!(out, "## Top directories")?;
        writeln!(out)?;
        writeln!(out, "| directory | tokens | share | files |")?;
        writeln!(out, "|---|---:|---:|---:|")?;
        for d in dirs {
            writeln!(
                out,
                "| `{}/` | {} | {:.1}% | {} |",
                escape(&d.path),
                thousands(d.tokens),
                percent(d.tokens, t.tokens),
                thousands(d.files)
            )?;
        }
    }

    let symbols = super::top_symbols(&report.files, output.top);
    if !symbols.is_empty() {
        writeln!(out)?;
        writeln!(out, "## Top symbols")?;
        writeln!(out)?;
        writeln!(out, "| reference | symbol | kind | tokens | whole file |")?;
        writeln!(out, "|---|---|---|---:|---:|")?;
        for (f, s) in symbols {
            writeln!(
                out,
                "| `{}` | `{}` | {} | {} | {} |",
                escape(&s.reference(&f.path)),
                escape(&s.span.qualified_name),
                s.span.kind,
                thousands(s.tokens),
                thousands(f.tokens)
            )?;
        }
    }

    if output.tree {
        writeln!(out)?;
        writeln!(out, "## Tree")?;
        writeln!(out)?;
        writeln!(out, "```text")?;
        super::tree::write_text(report, output.min_share, &Style::new(false), out)?;
        writeln!(out, "```")?;
    }

    let flagged: Vec<_> = report
        .files
        .iter()
        .flat_map(|f| f.verdicts.iter().map(move |v| (f, v)))
        .collect();
    if !flagged.is_empty() {
        writeln!(out)?;
        writeln!(out, "## Flags")?;
        writeln!(out)?;
        writeln!(out, "| file | flag | why |")?;
        writeln!(out, "|---|---|---|")?;
        for (f, v) in flagged {
            writeln!(
                out,
                "| `{}` | {} | {} |",
                escape(&f.path),
                v.flag.name(),
                escape(&v.reason)
            )?;
        }
    }

    if !report.deny.is_empty() {
        writeln!(out)?;
        writeln!(out, "## Advice")?;
        writeln!(out)?;
        writeln!(
            out,
            "Lock files, generated, minified and large data files: deny them in `.claude/settings.json`."
        )?;
        writeln!(out)?;
        writeln!(out, "```json")?;
        writeln!(out, "{}", settings_block(DenyRule::texts(&report.deny)))?;
        writeln!(out, "```")?;
    }
    if let Some(ignore) = &report.claudeignore {
        writeln!(out)?;
        writeln!(
            out,
            "**Warning:** `{}` exists, but Claude Code does not read `.claudeignore` files. Equivalent deny rules: {}",
            escape(&ignore.path),
            ignore
                .translation
                .rules
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }

    if !report.skipped.is_empty() {
        writeln!(out)?;
        writeln!(out, "## Skipped")?;
        writeln!(out)?;
        writeln!(out, "| path | reason | detail |")?;
        writeln!(out, "|---|---|---|")?;
        for s in &report.skipped {
            writeln!(
                out,
                "| `{}` | {} | {} |",
                escape(&s.path),
                s.skip.reason.name(),
                escape(&s.skip.message)
            )?;
        }
    }
    Ok(())
}

/// Keeps table cells intact: pipes and backticks escaped, newlines dropped.
fn escape(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('`', "'")
        .replace(['\n', '\r'], " ")
}
