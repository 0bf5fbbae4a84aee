//! Debug dumps: every walked path and what became of it (`--dump-files`),
//! one file's language, flags and spans (`--dump-spans`).

use std::io::{self, Write};

use crate::stats::{FileStat, SkippedPath};

/// `--dump-spans FILE`: the language, the grammar, the flags and every span.
pub(crate) fn spans(stat: &FileStat, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{}: language {}, grammar {}, {} lines, {} tokens",
        stat.path,
        stat.language.unwrap_or("-"),
        stat.grammar.unwrap_or("-"),
        stat.shape.lines,
        stat.tokens
    )?;
    for v in &stat.verdicts {
        writeln!(out, "flag {}: {}", v.flag, v.reason)?;
    }
    for s in &stat.symbols {
        writeln!(
            out,
            "{:>5}-{:<5} {:<10} {:<40} {:>7} tokens",
            s.span.start_line, s.span.end_line, s.span.kind, s.span.qualified_name, s.tokens
        )?;
    }
    Ok(())
}

/// `--dump-files`: every path and what became of it, sorted.
pub(crate) fn files(
    files: &[FileStat],
    skipped: &[SkippedPath],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut lines: Vec<(&str, String)> = Vec::new();
    for f in files {
        lines.push((
            &f.path,
            format!(
                "priced\t{}\t{}\t{}",
                f.path,
                f.language.unwrap_or("-"),
                f.tokens
            ),
        ));
    }
    for s in skipped {
        lines.push((
            &s.path,
            format!(
                "skipped\t{}\t{}\t{}",
                s.path,
                s.skip.reason.name(),
                s.skip.message
            ),
        ));
    }
    lines.sort();
    for (_, line) in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}
