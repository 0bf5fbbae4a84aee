//! `ctxbudget check`: load the memory files as Claude Code does, price
//! them per file and per section, hold them to the budgets, report.

use std::io::Write;
use std::path::PathBuf;

use crate::budget::thousands;
use crate::config::CheckConfig;
use crate::error::Error;
use crate::exit_code::ExitCode;
use crate::memory::{self, FindingKind, markdown};
use crate::report::TokenizerInfo;
use crate::report::check::{CheckReport, FileCost, Finding, OnDemandCost, SectionCost};
use crate::tokenize::Tokenizer;

/// Runs the check and writes its report to `out`; messages go to `err`.
pub fn run(
    config: &CheckConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let project = &config.memory.project;
    super::require_root(project, "check", "pass the directory a session starts in")?;
    let model = memory::load(&config.memory);
    if !config.files.is_empty() && !concerns(&config.files, &model) {
        let _ = writeln!(
            err,
            "ctxbudget: none of the {} given files is a memory file or imported by one; nothing to check",
            config.files.len()
        );
        return Ok(ExitCode::Ok);
    }
    let tokenizer = Tokenizer::new(config.tokenizer, config.claude_factor);
    let report = price(config, &model, &tokenizer);
    crate::report::check::write(&report, config.json, config.color, out).map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    if report.failed() {
        let errors = report.findings.iter().filter(|f| f.error).count();
        let _ = writeln!(
            err,
            "ctxbudget: the memory files fail the check ({errors} error{}); see Findings",
            if errors == 1 { "" } else { "s" }
        );
        return Ok(ExitCode::Findings);
    }
    Ok(ExitCode::Ok)
}

/// Whether any changed file is part of the memory files' graph.
fn concerns(files: &[PathBuf], model: &memory::Model) -> bool {
    files.iter().any(|f| {
        let real = f.canonicalize().unwrap_or_else(|_| {
            std::env::current_dir()
                .map(|d| d.join(f))
                .unwrap_or_else(|_| f.clone())
        });
        model.touched.contains(&real)
            || f.file_name()
                .is_some_and(|n| n == "CLAUDE.md" || n == "CLAUDE.local.md")
    })
}

/// Prices the model and judges it against the budgets.
fn price(config: &CheckConfig, model: &memory::Model, tokenizer: &Tokenizer) -> CheckReport {
    let budget = config.budget;
    let mut findings: Vec<Finding> = model
        .findings
        .iter()
        .map(|f| Finding {
            kind: f.kind,
            error: f.kind.is_error() || budget.strict,
            path: f.path.clone(),
            line: f.line,
            message: f.message.clone(),
        })
        .collect();

    let mut files = Vec::new();
    for loaded in &model.loaded {
        let lines = markdown::loaded_lines(&loaded.text);
        let text: String = lines.iter().map(|l| l.text).collect();
        // A file outside the project (an import that leaves it) is named
        // with its cost; its content, headings included, is never shown.
        let shown = if loaded.outside { &[][..] } else { &lines[..] };
        let mut sections: Vec<SectionCost> = markdown::sections(shown)
            .into_iter()
            .map(|s| SectionCost {
                tokens: tokenizer.count(&s.text),
                heading: crate::text::escape(&s.heading).into_owned(),
                line: s.line,
            })
            .collect();
        sections.sort_by(|a, b| b.tokens.cmp(&a.tokens).then(a.line.cmp(&b.line)));
        let cost = FileCost {
            path: loaded.display.clone(),
            scope: loaded.scope.name(),
            imported_from: loaded
                .imported_from
                .as_ref()
                .map(|(file, line)| format!("{file}:{line}")),
            tokens: tokenizer.count(&text),
            chars: text.chars().count() as u64,
            lines: lines.len() as u64,
            sections,
        };
        if cost.chars > budget.max_file_chars {
            findings.push(Finding {
                kind: FindingKind::OverFileChars,
                error: true,
                path: cost.path.clone(),
                line: None,
                message: format!(
                    "{} characters, {} over the limit of {}{}",
                    thousands(cost.chars),
                    thousands(cost.chars - budget.max_file_chars),
                    thousands(budget.max_file_chars),
                    trim_hint(&cost)
                ),
            });
        }
        if cost.lines > budget.max_file_lines {
            findings.push(Finding {
                kind: FindingKind::OverFileLines,
                error: budget.strict,
                path: cost.path.clone(),
                line: None,
                message: format!(
                    "{} lines, {} over the advised {}{}",
                    thousands(cost.lines),
                    thousands(cost.lines - budget.max_file_lines),
                    thousands(budget.max_file_lines),
                    trim_hint(&cost)
                ),
            });
        }
        files.push(cost);
    }
    let overhead = config.file_overhead * files.len() as u64;
    let startup_tokens = files.iter().map(|f| f.tokens).sum::<u64>() + overhead;
    if let Some(max) = budget.max_tokens
        && startup_tokens > max
    {
        let mut biggest: Vec<(&FileCost, &SectionCost)> = files
            .iter()
            .flat_map(|f| f.sections.iter().map(move |s| (f, s)))
            .collect();
        biggest.sort_by_key(|b| std::cmp::Reverse(b.1.tokens));
        let list: Vec<String> = biggest
            .iter()
            .take(3)
            .map(|(f, s)| {
                format!(
                    "{}:{} {} ({} tokens)",
                    f.path,
                    s.line,
                    s.heading,
                    thousands(s.tokens)
                )
            })
            .collect();
        findings.push(Finding {
            kind: FindingKind::OverTokens,
            error: true,
            path: files.first().map_or_else(|| ".".to_string(), |f| f.path.clone()),
            line: None,
            message: format!(
                "the memory files cost {} tokens at startup, {} over --max-tokens {}; biggest sections: {}",
                thousands(startup_tokens),
                thousands(startup_tokens - max),
                thousands(max),
                if list.is_empty() { "-".to_string() } else { list.join(", ") }
            ),
        });
    }
    findings.sort_by(|a, b| {
        b.error
            .cmp(&a.error)
            .then_with(|| a.path.cmp(&b.path))
            .then(a.line.cmp(&b.line))
            .then(a.kind.cmp(&b.kind))
    });

    let on_demand = model
        .on_demand
        .iter()
        .map(|f| {
            let text = markdown::strip_comments(&f.text);
            OnDemandCost {
                path: f.display.clone(),
                reason: f.reason.clone(),
                tokens: tokenizer.count(&text),
                chars: text.chars().count() as u64,
                lines: text.lines().count() as u64,
            }
        })
        .collect();

    CheckReport {
        project: config.memory.project.to_string_lossy().into_owned(),
        tokenizer: TokenizerInfo {
            kind: tokenizer.kind(),
            factor: tokenizer.factor(),
        },
        files,
        overhead_per_file: config.file_overhead,
        startup_tokens,
        on_demand,
        findings,
        budget,
        sections_shown: config.sections,
    }
}

/// `; trim first: ## A (line 3, 900 tokens), ...` for the largest sections.
fn trim_hint(file: &FileCost) -> String {
    let list: Vec<String> = file
        .sections
        .iter()
        .take(3)
        .map(|s| {
            format!(
                "{} (line {}, {} tokens)",
                s.heading,
                s.line,
                thousands(s.tokens)
            )
        })
        .collect();
    if list.is_empty() {
        String::new()
    } else {
        format!("; trim first: {}", list.join(", "))
    }
}
