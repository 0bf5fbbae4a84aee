//! Prints the memory-file check: what loads at start and what it costs,
//! per file and per section, what loads on demand, findings and budgets.

use std::io::{self, Write};

use serde::Serialize;

use super::TokenizerInfo;
use super::style::Style;
use crate::memory::cost::{Budget, FileCost, Finding, OnDemandCost, SectionCost};
use crate::units::thousands;

/// Everything `check` prints.
#[derive(Debug, Clone)]
pub(crate) struct CheckReport {
    /// The project directory as given.
    pub(crate) project: String,
    /// What counted.
    pub(crate) tokenizer: TokenizerInfo,
    /// Files loaded at start, in load order.
    pub(crate) files: Vec<FileCost>,
    /// Tokens added per loaded file for the line introducing it.
    pub(crate) overhead_per_file: u64,
    /// Σ file tokens + overhead.
    pub(crate) startup_tokens: u64,
    /// Files loaded on demand.
    pub(crate) on_demand: Vec<OnDemandCost>,
    /// Findings, errors first.
    pub(crate) findings: Vec<Finding>,
    /// The limits.
    pub(crate) budget: Budget,
    /// Sections shown per file.
    pub(crate) sections_shown: usize,
}

impl CheckReport {
    /// Whether any finding fails the check.
    pub(crate) fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.error)
    }
}

/// Writes the report as JSON or for people.
pub(crate) fn write(
    report: &CheckReport,
    json: bool,
    color: bool,
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    if json {
        write_json(report, out)
    } else {
        super::human::write_fitted(width, out, |_, out| {
            write_human(report, Style::new(color), out)
        })
    }
}

fn write_human(report: &CheckReport, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let n = report.files.len();
    writeln!(
        out,
        "{}",
        style.heading(&format!(
            "Memory files loaded at session start in {}: {} tokens",
            report.project,
            thousands(report.startup_tokens)
        ))
    )?;
    writeln!(
        out,
        "  {}",
        style.dim(&format!(
            "{n} file{}, {} tokens each for the line that introduces it; {}",
            if n == 1 { "" } else { "s" },
            report.overhead_per_file,
            report.tokenizer.describe()
        ))
    )?;
    if n == 0 {
        writeln!(
            out,
            "  (none: no CLAUDE.md, .claude/CLAUDE.md, rules or CLAUDE.local.md)"
        )?;
    } else {
        writeln!(out)?;
        writeln!(
            out,
            "  {:>8} {:>8} {:>6}  {:<10} file",
            "tokens", "chars", "lines", "scope"
        )?;
        for f in &report.files {
            let from = f
                .imported_from
                .as_ref()
                .map(|at| style.dim(&format!("  (imported from {at})")))
                .unwrap_or_default();
            writeln!(
                out,
                "  {:>8} {:>8} {:>6}  {:<10} {}{from}",
                thousands(f.tokens),
                thousands(f.chars),
                thousands(f.lines),
                f.scope,
                style.path(&f.path)
            )?;
        }
    }

    let with_sections: Vec<&FileCost> = report
        .files
        .iter()
        .filter(|f| !f.sections.is_empty())
        .collect();
    if !with_sections.is_empty() && report.sections_shown > 0 {
        writeln!(out)?;
        writeln!(out, "{}", style.heading("Largest sections"))?;
        for f in with_sections {
            writeln!(out, "  {}", style.path(&f.path))?;
            for s in f.sections.iter().take(report.sections_shown) {
                writeln!(
                    out,
                    "    {:>8}  {}  {}",
                    thousands(s.tokens),
                    s.heading,
                    style.dim(&format!("line {}", s.line))
                )?;
            }
            if f.sections.len() > report.sections_shown {
                writeln!(
                    out,
                    "    {}",
                    style.dim(&format!(
                        "... {} more",
                        f.sections.len() - report.sections_shown
                    ))
                )?;
            }
        }
    }

    if !report.on_demand.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            style.heading("Loaded on demand (not in the startup cost)")
        )?;
        for f in &report.on_demand {
            writeln!(
                out,
                "  {:>8}  {}  {}",
                thousands(f.tokens),
                style.path(&f.path),
                style.dim(&f.reason)
            )?;
        }
    }

    if !report.findings.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", style.heading("Findings"))?;
        for f in &report.findings {
            let at = match f.line {
                Some(line) => format!("{}:{line}", f.path),
                None => f.path.clone(),
            };
            let severity = if f.error {
                style.warn("error  ")
            } else {
                style.dim("warning")
            };
            writeln!(out, "  {severity} {} {}: {}", f.kind.name(), at, f.message)?;
        }
    }

    writeln!(out)?;
    let limit = report
        .budget
        .max_tokens
        .map(|m| format!(" (max {})", thousands(m)))
        .unwrap_or_default();
    let verdict = if report.failed() { "failed" } else { "ok" };
    writeln!(
        out,
        "{} {} tokens at startup{limit}; per file at most {} characters and {} lines{}",
        style.heading(&format!("Status: {verdict}:")),
        thousands(report.startup_tokens),
        thousands(report.budget.max_file_chars),
        thousands(report.budget.max_file_lines),
        if report.budget.strict {
            " (strict)"
        } else {
            ""
        }
    )?;
    Ok(())
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    project: &'a str,
    tokenizer: super::json::Tokenizer,
    startup_tokens: u64,
    overhead_per_file: u64,
    files: Vec<JsonFile<'a>>,
    on_demand: Vec<JsonOnDemand<'a>>,
    findings: Vec<JsonFinding<'a>>,
    budget: &'a Budget,
    status: &'static str,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    tokens: u64,
    chars: u64,
    lines: u64,
    scope: &'static str,
    imported_from: Option<&'a str>,
    sections: &'a [SectionCost],
}

#[derive(Serialize)]
struct JsonOnDemand<'a> {
    path: &'a str,
    reason: &'a str,
    tokens: u64,
    chars: u64,
    lines: u64,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    kind: &'static str,
    severity: &'static str,
    path: &'a str,
    line: Option<u32>,
    message: &'a str,
}

fn write_json(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let doc = JsonReport {
        version: 1,
        project: &report.project,
        tokenizer: super::json::Tokenizer::from(report.tokenizer),
        startup_tokens: report.startup_tokens,
        overhead_per_file: report.overhead_per_file,
        files: report
            .files
            .iter()
            .map(|f| JsonFile {
                path: &f.path,
                tokens: f.tokens,
                chars: f.chars,
                lines: f.lines,
                scope: f.scope,
                imported_from: f.imported_from.as_deref(),
                sections: &f.sections,
            })
            .collect(),
        on_demand: report
            .on_demand
            .iter()
            .map(|f| JsonOnDemand {
                path: &f.path,
                reason: &f.reason,
                tokens: f.tokens,
                chars: f.chars,
                lines: f.lines,
            })
            .collect(),
        findings: report
            .findings
            .iter()
            .map(|f| JsonFinding {
                kind: f.kind.name(),
                severity: if f.error { "error" } else { "warning" },
                path: &f.path,
                line: f.line,
                message: &f.message,
            })
            .collect(),
        budget: &report.budget,
        status: if report.failed() { "over" } else { "ok" },
    };
    super::json::to_writer_pretty(out, &doc)?;
    writeln!(out)
}
