//! The human report: summary, top files, top directories, flags with their
//! reasons, advice (deny rules, `.claudeignore`), skips, and the tree.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::style::Style;
use super::table::{columns, pad, plain, take_columns};
use super::{Output, ScanReport, top_dirs, top_files, top_symbols};
use crate::stats::Flag;
use crate::suggest::deny::{DenyRule, settings_block};
use crate::units::{human_bytes, percent, plural, thousands};
use crate::walk::SkipReason;

/// How many files each flag lists before "... and N more".
const PER_FLAG: usize = 8;
/// How many skipped paths each reason lists.
const PER_SKIP: usize = 5;

/// Writes the human report.
pub(crate) fn write(report: &ScanReport, output: &Output, out: &mut dyn Write) -> io::Result<()> {
    let style = Style::new(output.color);
    write_fitted(output.width, out, |max, buffer| {
        summary(report, &style, max, buffer)?;
        if output.tree {
            writeln!(buffer)?;
            writeln!(buffer, "{}", style.heading("Tree"))?;
            super::tree::write_text(report, output.min_share, &style, buffer)?;
        }
        files(report, output.top, &style, max, buffer)?;
        dirs(report, output.top, &style, max, buffer)?;
        symbols(report, output.top, &style, max, buffer)?;
        flags(report, &style, max, buffer)?;
        advice(report, &style, buffer)?;
        skipped(report, &style, max, buffer)
    })
}

/// A line cut to `max` columns with a final `…`, unless it is part of the
/// settings block (JSON to copy, never cut). A reference it starts with
/// (`@path#L1-9`) is kept whole: it is there to be copied. A cut line
/// loses its colors.
fn fit_line(line: &str, max: usize) -> std::borrow::Cow<'_, str> {
    let plain = plain(line);
    let copyable =
        plain.starts_with("    ") && plain.trim_start().starts_with(['{', '}', '"', ']', '[']);
    if columns(&plain) <= max || copyable {
        return std::borrow::Cow::Borrowed(line);
    }
    let body = plain.trim_start();
    let reference = if body.starts_with('@') {
        let indent = plain.len() - body.len();
        indent + body.find(char::is_whitespace).unwrap_or(body.len())
    } else {
        0
    };
    let keep = max.saturating_sub(1).max(columns(&plain[..reference]));
    let kept = take_columns(&plain, keep);
    if kept.len() == plain.len() {
        return std::borrow::Cow::Owned(plain);
    }
    std::borrow::Cow::Owned(format!("{}…", kept.trim_end()))
}

/// Writes what `body` writes, each line fitted to `width` columns when
/// there is a limit (see [`fit_line`]); `body` gets the limit
/// (`usize::MAX` for none) to lay its tables out within.
pub(crate) fn write_fitted(
    width: Option<usize>,
    out: &mut dyn Write,
    body: impl FnOnce(usize, &mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let Some(max) = width else {
        return body(usize::MAX, out);
    };
    let mut text = Vec::new();
    body(max, &mut text)?;
    for line in String::from_utf8_lossy(&text).lines() {
        writeln!(out, "{}", fit_line(line, max))?;
    }
    Ok(())
}

/// `text` shortened to `width` columns by an `…` in the middle, as fd
/// and bat shorten paths; unchanged when it fits or when output has no
/// width limit (`max` is `usize::MAX`: piped without `COLUMNS`).
pub(crate) fn shorten(text: &str, width: usize, max: usize) -> String {
    if max == usize::MAX {
        return text.to_string();
    }
    super::table::shorten_middle(text, width)
}

/// A first column's width: the widest entry, within what `max` leaves
/// once `rest` columns are printed, and never under `floor`.
fn fitted(width: usize, max: usize, rest: usize, floor: usize) -> usize {
    width.min(max.saturating_sub(rest).max(floor))
}

fn summary(report: &ScanReport, style: &Style, max: usize, out: &mut dyn Write) -> io::Result<()> {
    let t = &report.totals;
    let window = report.limits.window;
    match &report.scanned {
        Some(scanned) => writeln!(
            out,
            "{} {}  (paths relative to the project root {})",
            style.heading("ctxbudget scan"),
            style.path(scanned),
            style.path(&report.root)
        )?,
        None => writeln!(
            out,
            "{} {}",
            style.heading("ctxbudget scan"),
            style.path(&report.root)
        )?,
    }
    writeln!(
        out,
        "  {} files, {}, {} lines{}",
        thousands(t.files),
        human_bytes(t.bytes),
        thousands(t.lines),
        if t.skipped > 0 {
            format!(", {} skipped", thousands(t.skipped))
        } else {
            String::new()
        }
    )?;
    let totals = format!(
        "  {} tokens = {:.1}% of a {}-token window",
        thousands(t.tokens),
        percent(t.tokens, window),
        thousands(window),
    );
    let what = format!("({})", report.tokenizer.describe());
    // A note that does not fit beside its figures goes on its own line.
    let apart = columns(&totals) + 2 + columns(&what) > max;
    writeln!(
        out,
        "  {} tokens = {:.1}% of a {}-token window{}{}",
        style.heading(&thousands(t.tokens)),
        percent(t.tokens, window),
        thousands(window),
        if apart { "\n    " } else { "  " },
        style.dim(&what)
    )?;
    let read = format!(
        "  {} tokens to Read every file whole",
        thousands(t.read_tokens)
    );
    let note =
        "(line numbers included: `N<TAB>line`, as Read shows files since Claude Code 2.1.86)";
    let apart = columns(&read) + 1 + columns(note) > max;
    writeln!(
        out,
        "{read}{}{}",
        if apart { "\n    " } else { " " },
        style.dim(note)
    )
}

fn files(
    report: &ScanReport,
    n: usize,
    style: &Style,
    max: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let top = top_files(&report.files, n);
    if top.is_empty() {
        return Ok(());
    }
    // Path, three figures (34 columns with their gaps), then the flags.
    let width = fitted(
        column_width("Top files", top.iter().map(|f| columns(&f.path))),
        max,
        34 + 16,
        24,
    );
    heading(
        out,
        style,
        "Top files",
        width,
        &format!(
            "{:>10}  {:>10}  {:>6}  flags",
            "tokens", "read cost", "window"
        ),
    )?;
    for file in top {
        let flags: Vec<&str> = file.verdicts.iter().map(|v| v.flag.name()).collect();
        let line = format!(
            "  {}  {:>10}  {:>10}  {:>5.1}%  {}",
            style.path(&pad(&shorten(&file.path, width, max), width)),
            thousands(file.tokens),
            thousands(file.read_tokens),
            percent(file.tokens, report.limits.window),
            style.warn(&flags.join(" "))
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn dirs(
    report: &ScanReport,
    n: usize,
    style: &Style,
    max: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let top = top_dirs(&report.dirs, n);
    if top.is_empty() {
        return Ok(());
    }
    let width = fitted(
        column_width("Top directories", top.iter().map(|d| columns(&d.path) + 1)),
        max,
        31,
        20,
    );
    heading(
        out,
        style,
        "Top directories",
        width,
        &format!("{:>10}  {:>6}  {:>7}", "tokens", "share", "files"),
    )?;
    for dir in top {
        writeln!(
            out,
            "  {}  {:>10}  {:>5.1}%  {:>7}",
            style.path(&pad(&shorten(&format!("{}/", dir.path), width, max), width)),
            thousands(dir.tokens),
            percent(dir.tokens, report.totals.tokens),
            thousands(dir.files)
        )?;
    }
    Ok(())
}

fn symbols(
    report: &ScanReport,
    n: usize,
    style: &Style,
    max: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let top = top_symbols(&report.files, n);
    if top.is_empty() {
        return Ok(());
    }
    let refs: Vec<String> = top.iter().map(|(f, s)| s.reference(&f.path)).collect();
    let width = fitted(
        column_width("Top symbols", refs.iter().map(|r| columns(r))),
        max,
        28 + 16,
        24,
    );
    heading(
        out,
        style,
        "Top symbols",
        width,
        &format!("{:>10}  {:>10}  symbol", "tokens", "file"),
    )?;
    for ((file, symbol), reference) in top.iter().zip(&refs) {
        writeln!(
            out,
            "  {}  {:>10}  {:>10}  {} {}",
            style.path(&pad(&shorten(reference, width, max), width)),
            thousands(symbol.tokens),
            thousands(file.tokens),
            symbol.span.qualified_name,
            style.dim(&format!("({})", symbol.span.kind))
        )?;
    }
    Ok(())
}

fn flags(report: &ScanReport, style: &Style, max: usize, out: &mut dyn Write) -> io::Result<()> {
    let mut by_flag: BTreeMap<Flag, Vec<(&str, u64, &str)>> = BTreeMap::new();
    for file in &report.files {
        for verdict in &file.verdicts {
            by_flag.entry(verdict.flag).or_default().push((
                &file.path,
                file.tokens,
                &verdict.reason,
            ));
        }
    }
    if by_flag.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{}", style.heading("Flags"))?;
    for (flag, mut hits) in by_flag {
        hits.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        writeln!(
            out,
            "  {} ({}): {}",
            style.warn(flag.name()),
            thousands(hits.len() as u64),
            flag.meaning()
        )?;
        let width = hits
            .iter()
            .take(PER_FLAG)
            .map(|h| columns(h.0))
            .max()
            .unwrap_or(0)
            .min(60)
            .min((max / 2).max(20));
        for (path, _, reason) in hits.iter().take(PER_FLAG) {
            writeln!(
                out,
                "    {}  {}",
                style.path(&pad(&shorten(path, width, max), width)),
                reason
            )?;
        }
        if hits.len() > PER_FLAG {
            writeln!(
                out,
                "    {}",
                style.dim(&format!(
                    "... and {} more (all in --format json)",
                    hits.len() - PER_FLAG
                ))
            )?;
        }
    }
    Ok(())
}

fn advice(report: &ScanReport, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    if !report.deny.is_empty() {
        let files: u64 = report.deny.iter().map(|r| r.files).sum();
        let tokens: u64 = report.deny.iter().map(|r| r.tokens).sum();
        writeln!(out)?;
        writeln!(out, "{}", style.heading("Advice"))?;
        writeln!(
            out,
            "  Lock files, generated, minified and large data files: {}, {} tokens.",
            plural(files, "file", "files"),
            thousands(tokens)
        )?;
        writeln!(
            out,
            "  A session should never read them whole. Deny them in .claude/settings.json:"
        )?;
        writeln!(out)?;
        for line in settings_block(DenyRule::texts(&report.deny)).lines() {
            writeln!(out, "    {line}")?;
        }
    }
    if let Some(ignore) = &report.claudeignore {
        writeln!(out)?;
        writeln!(
            out,
            "  {} {} exists, but Claude Code does not read .claudeignore files.",
            style.warn("warning:"),
            ignore.path
        )?;
        if ignore.translation.rules.is_empty() {
            writeln!(out, "  It holds no patterns to carry over.")?;
        } else {
            writeln!(out, "  The deny rules that do what it means:")?;
            writeln!(out)?;
            let rules = ignore.translation.rules.iter().map(String::as_str);
            for line in settings_block(rules).lines() {
                writeln!(out, "    {line}")?;
            }
        }
        for (line, pattern) in &ignore.translation.unsupported {
            writeln!(
                out,
                "  {}",
                style.dim(&format!(
                    "line {line}: {pattern} re-includes files; deny rules cannot express it"
                ))
            )?;
        }
    }
    Ok(())
}

fn skipped(report: &ScanReport, style: &Style, max: usize, out: &mut dyn Write) -> io::Result<()> {
    if report.skipped.is_empty() {
        return Ok(());
    }
    let mut by_reason: BTreeMap<SkipReason, Vec<(&str, &str)>> = BTreeMap::new();
    for s in &report.skipped {
        by_reason
            .entry(s.skip.reason)
            .or_default()
            .push((&s.path, &s.skip.message));
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        style.heading(&format!(
            "Skipped ({})",
            thousands(report.skipped.len() as u64)
        ))
    )?;
    for (reason, paths) in by_reason {
        writeln!(
            out,
            "  {} ({})",
            reason.name(),
            thousands(paths.len() as u64)
        )?;
        for (path, message) in paths.iter().take(PER_SKIP) {
            let path = shorten(path, (max / 2).max(20), max);
            writeln!(out, "    {}  {}", style.path(&path), style.dim(message))?;
        }
        if paths.len() > PER_SKIP {
            writeln!(
                out,
                "    {}",
                style.dim(&format!("... and {} more", paths.len() - PER_SKIP))
            )?;
        }
    }
    Ok(())
}

/// The width of a table's first column: its longest entry (within limits)
/// or its title, whichever is wider. Entries are indented by two.
fn column_width(title: &str, lengths: impl Iterator<Item = usize>) -> usize {
    let title = columns(title).saturating_sub(2);
    lengths.max().unwrap_or(0).min(70).max(title)
}

/// A blank line and a table's heading row: `title` padded to the first
/// column's width (entries are indented by two), then the other columns.
fn heading(
    out: &mut dyn Write,
    style: &Style,
    title: &str,
    width: usize,
    columns: &str,
) -> io::Result<()> {
    writeln!(out)?;
    let title = pad(title, width + 2);
    writeln!(out, "{}", style.heading(&format!("{title}  {columns}")))
}
