//! What `ctxbudget init` did (or, with `--dry-run`, would do): a line per
//! change, and the settings file's diff.

use std::io::{self, Write};

use super::style::Style;
use crate::suggest::deny::DenyRule;
use crate::suggest::settings::{HOOK_COMMAND, HOOK_MATCHER, Merge, Removal};
use crate::units::{plural, thousands};

/// What happened to the settings file.
#[derive(Debug, Clone)]
pub(crate) enum Change {
    /// The hook and rules were merged in.
    Merged(Merge),
    /// What `init` had added was taken out.
    Removed(Removal),
}

impl Change {
    /// Whether the settings file changes.
    pub(crate) fn changed(&self) -> bool {
        match self {
            Change::Merged(merge) => merge.changed(),
            Change::Removed(removal) => removal.changed(),
        }
    }
}

/// One file `init` edited.
#[derive(Debug, Clone)]
pub(crate) struct FileReport {
    /// The file, as named to the user.
    pub(crate) path: String,
    /// Where the previous file was kept, when it was replaced.
    pub(crate) backup: Option<String>,
    /// What changed.
    pub(crate) change: Change,
    /// Its text before.
    pub(crate) old: String,
    /// Its text after.
    pub(crate) new: String,
}

/// Everything `init` reports.
#[derive(Debug, Clone)]
pub(crate) struct InitReport {
    /// The files edited (the settings file, then `.mcp.json`).
    pub(crate) files: Vec<FileReport>,
    /// The record of what `init` added.
    pub(crate) record: String,
    /// Nothing was written.
    pub(crate) dry_run: bool,
    /// A record existed before this run.
    pub(crate) had_record: bool,
    /// The rules `scan` advises, with their reasons (empty unless the
    /// rules were merged).
    pub(crate) rules: Vec<DenyRule>,
    /// How many files the hook will turn away, now decided in its cache
    /// (`None`: not prepared).
    pub(crate) prepared: Option<usize>,
    /// Color the diff.
    pub(crate) color: bool,
}

/// Writes the report.
pub(crate) fn write(report: &InitReport, out: &mut dyn Write) -> io::Result<()> {
    let style = Style::new(report.color);
    for file in &report.files {
        write_file(report, file, &style, out)?;
    }
    let changed = report.files.iter().any(|f| f.change.changed());
    if changed && report.dry_run {
        writeln!(out, "{}", style.dim("(dry run: nothing was written)"))?;
    }
    let merged = report
        .files
        .iter()
        .any(|f| matches!(f.change, Change::Merged(_)));
    if changed && !report.dry_run && merged {
        writeln!(
            out,
            "what init added is recorded in {}; `ctxbudget init --remove` takes it out",
            report.record
        )?;
    }
    if !report.had_record
        && report
            .files
            .iter()
            .all(|f| matches!(f.change, Change::Removed(_)))
    {
        writeln!(
            out,
            "nothing to take out: {} does not exist, so init has added nothing here",
            report.record
        )?;
    }
    if let Some(denied) = report.prepared {
        writeln!(
            out,
            "the hook's cache now holds its decision for every file; it will turn away whole reads of {}",
            plural(denied as u64, "file", "files")
        )?;
    }
    let added_tools = report
        .files
        .iter()
        .any(|f| matches!(&f.change, Change::Merged(m) if m.hook_added || m.mcp_added));
    if added_tools && !report.dry_run {
        writeln!(
            out,
            "Claude Code picks these up in new sessions (a project's MCP server asks for approval once)"
        )?;
    }
    Ok(())
}

fn write_file(
    report: &InitReport,
    shown: &FileReport,
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let file = &shown.path;
    let would = if report.dry_run { "would add" } else { "added" };
    let verb = if report.dry_run {
        "would take out"
    } else {
        "took out"
    };
    match &shown.change {
        Change::Merged(merge) => {
            if merge.hook_added {
                writeln!(
                    out,
                    "{file}: {would} the Read guard (PreToolUse {HOOK_MATCHER}: `{HOOK_COMMAND}`)"
                )?;
            } else if merge.hook_present {
                writeln!(
                    out,
                    "{file}: the Read guard is already there (a hook runs `{HOOK_COMMAND}`)"
                )?;
            }
            if merge.mcp_added {
                writeln!(
                    out,
                    "{file}: {would} the MCP server (`ctxbudget mcp`: outline, refs, cost)"
                )?;
            } else if merge.mcp_present {
                writeln!(
                    out,
                    "{file}: the MCP server is already there (a server runs `ctxbudget mcp`)"
                )?;
            }
            if !merge.deny_added.is_empty() {
                writeln!(
                    out,
                    "{file}: {would} {} to permissions.deny:",
                    plural(merge.deny_added.len() as u64, "deny rule", "deny rules")
                )?;
                for rule in &merge.deny_added {
                    match report.rules.iter().find(|r| &r.rule == rule) {
                        Some(r) => writeln!(
                            out,
                            "  {rule}  {} tokens, {}",
                            thousands(r.tokens),
                            r.reason
                        )?,
                        None => writeln!(out, "  {rule}")?,
                    }
                }
            }
            if !merge.deny_retired.is_empty() {
                writeln!(
                    out,
                    "{file}: {verb} {} an earlier init added that scan no longer advises: {}",
                    plural(merge.deny_retired.len() as u64, "deny rule", "deny rules"),
                    merge.deny_retired.join(", ")
                )?;
            }
            if merge.deny_present > 0 {
                writeln!(
                    out,
                    "{file}: {} advised {} already there",
                    plural(merge.deny_present as u64, "rule", "rules"),
                    if merge.deny_present == 1 {
                        "was"
                    } else {
                        "were"
                    }
                )?;
            }
        }
        Change::Removed(removal) => {
            if removal.hooks_removed > 0 {
                writeln!(out, "{file}: {verb} the Read guard hook")?;
            }
            if removal.mcp_removed {
                writeln!(out, "{file}: {verb} the MCP server")?;
            }
            if !removal.deny_removed.is_empty() {
                writeln!(
                    out,
                    "{file}: {verb} {}: {}",
                    plural(removal.deny_removed.len() as u64, "deny rule", "deny rules"),
                    removal.deny_removed.join(", ")
                )?;
            }
            if removal.deny_missing > 0 {
                writeln!(
                    out,
                    "{file}: {} init added {} no longer there",
                    plural(removal.deny_missing as u64, "rule", "rules"),
                    if removal.deny_missing == 1 {
                        "is"
                    } else {
                        "are"
                    }
                )?;
            }
        }
    }
    if !shown.change.changed() {
        writeln!(out, "{file}: up to date, nothing to write")?;
    } else if report.dry_run {
        writeln!(out)?;
        write_diff(&shown.old, &shown.new, file, style, out)?;
        writeln!(out)?;
    } else if let Some(backup) = &shown.backup {
        writeln!(out, "{file}: the previous file is kept as {backup}")?;
    }
    Ok(())
}

/// A unified diff of the settings file, colored on a terminal.
fn write_diff(
    old: &str,
    new: &str,
    name: &str,
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string();
    for line in text.lines() {
        let shown = if line.starts_with("+++") || line.starts_with("---") {
            style.heading(line)
        } else if line.starts_with('+') {
            style.added(line)
        } else if line.starts_with('-') {
            style.removed(line)
        } else if line.starts_with("@@") {
            style.dim(line)
        } else {
            line.to_string()
        };
        writeln!(out, "{shown}")?;
    }
    Ok(())
}
