//! `ctxbudget check`: load the memory files as Claude Code does, price
//! them per file and per section, hold them to the budgets, report.

use std::io::Write;
use std::path::PathBuf;

use crate::config::check::CheckConfig;
use crate::error::Error;
use crate::exit_code::ExitCode;
use crate::memory::{self, cost};
use crate::report::TokenizerInfo;
use crate::report::check::CheckReport;
use crate::tokenize::Tokenizer;

/// Runs the check and writes its report to `out`; messages go to `err`.
pub(crate) fn run(
    config: &CheckConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let project = &config.memory.project;
    super::require_root(project, "check", "pass the directory a session starts in")?;
    let model = memory::load(&config.memory);
    if !config.files.is_empty() && !concerns(&config.files, &model) {
        crate::report::warn(
            err,
            format_args!(
                "none of the {} given files is a memory file or imported by one; nothing to check",
                config.files.len()
            ),
        );
        return Ok(ExitCode::Ok);
    }
    let tokenizer = Tokenizer::new(config.tokenizer, config.claude_factor);
    let costs = cost::price(&model, &tokenizer, config.budget, config.file_overhead);
    let report = CheckReport {
        project: config.memory.project.to_string_lossy().into_owned(),
        tokenizer: TokenizerInfo {
            kind: tokenizer.kind(),
            factor: tokenizer.factor(),
        },
        files: costs.files,
        overhead_per_file: config.file_overhead,
        startup_tokens: costs.startup_tokens,
        on_demand: costs.on_demand,
        findings: costs.findings,
        budget: config.budget,
        sections_shown: config.sections,
    };
    crate::report::check::write(&report, config.json, config.color, config.width, out)
        .map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    if report.failed() {
        let errors = report.findings.iter().filter(|f| f.error).count();
        crate::report::warn(
            err,
            format_args!(
                "the memory files fail the check ({errors} error{}); see Findings",
                if errors == 1 { "" } else { "s" }
            ),
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
