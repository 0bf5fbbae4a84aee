//! `ctxbudget scan`: walk -> read -> count -> judge -> roll up -> advise ->
//! report. Files are read and counted on the walk's worker threads; the
//! results are sorted afterwards, so output never depends on scheduling.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cache::Cache;
use crate::config::scan::ScanConfig;
use crate::error::Error;
use crate::exit_code::ExitCode;
use crate::price::{self, project_prefixes, root_label};
use crate::report::{self, ClaudeIgnore, ScanReport, TokenizerInfo};
use crate::stats::{self, FileStat, Flag};
use crate::suggest::deny;
use crate::tokenize::Tokenizer;

/// The file Claude Code users often create, though nothing reads it.
pub(crate) const CLAUDEIGNORE: &str = ".claudeignore";

/// Runs a scan and writes its report to `out`; messages go to `err`.
pub(crate) fn run(
    config: &ScanConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let input = &config.input;
    for path in &input.paths {
        super::require_readable(path, "scan")?;
    }
    let tokenizer = Tokenizer::new(input.tokenizer, input.claude_factor);
    if let Some(file) = &config.dump_spans {
        return dump_spans(file, config, &tokenizer, out);
    }
    let (files, skipped) = price::price(input, &tokenizer, |_, _| ());
    let files: Vec<FileStat> = files.into_iter().map(|(file, ())| file).collect();

    if config.dump_files {
        report::dump::files(&files, &skipped, out).map_err(Error::Output)?;
        return Ok(ExitCode::Ok);
    }

    let project = input
        .project_relative
        .then(|| project_prefixes(&input.paths))
        .flatten();
    let report = ScanReport {
        root: project
            .as_ref()
            .map_or_else(|| root_label(&input.paths), |p| p.label.clone()),
        scanned: project.as_ref().map(|_| {
            input
                .paths
                .iter()
                .map(|p| root_label(std::slice::from_ref(p)))
                .collect::<Vec<_>>()
                .join(" ")
        }),
        tokenizer: TokenizerInfo {
            kind: tokenizer.kind(),
            factor: tokenizer.factor(),
        },
        limits: input.limits.clone(),
        dirs: stats::directories(&files),
        totals: stats::totals(&files, &skipped),
        deny: deny::plan(&deny::candidates(&files, &input.limits)),
        claudeignore: claudeignore(&input.paths),
        files,
        skipped,
    };
    report::write_scan(&report, &config.output, out).map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;

    let failing: Vec<(Flag, usize)> = config
        .fail_on
        .iter()
        .map(|&flag| {
            let n = report
                .files
                .iter()
                .filter(|f| f.verdicts.iter().any(|v| v.flag == flag))
                .count();
            (flag, n)
        })
        .filter(|&(_, n)| n > 0)
        .collect();
    if failing.is_empty() {
        return Ok(ExitCode::Ok);
    }
    let list: Vec<String> = failing.iter().map(|(f, n)| format!("{f}: {n}")).collect();
    // A closed stderr must not turn a finding into a crash.
    crate::report::warn(
        err,
        format_args!(
            "files carry flags named in --fail-on ({}); see the Flags section or --format json",
            list.join(", ")
        ),
    );
    Ok(ExitCode::Findings)
}

/// `--dump-spans FILE`: the language, the grammar and every span found.
fn dump_spans(
    file: &Path,
    config: &ScanConfig,
    tokenizer: &Tokenizer,
    out: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let source = crate::source::read(file, config.input.max_file_bytes, false).map_err(|skip| {
        Error::Usage(format!("cannot read {}: {}", file.display(), skip.message))
    })?;
    let rel = file.to_string_lossy().replace('\\', "/");
    let stat = price::price_file(rel, &source, &config.input, tokenizer, &Cache::disabled());
    report::dump::spans(&stat, out).map_err(Error::Output)?;
    Ok(ExitCode::Ok)
}

/// A `.claudeignore` at the (single) scanned directory, translated.
fn claudeignore(paths: &[PathBuf]) -> Option<ClaudeIgnore> {
    let dir: &Path = match paths {
        [one] if one.is_dir() => one,
        [_] => return None,
        _ => Path::new("."),
    };
    let text = crate::fsio::read_text(&dir.join(CLAUDEIGNORE), 1 << 20).ok()?;
    Some(ClaudeIgnore {
        path: CLAUDEIGNORE.to_string(),
        translation: deny::translate_claudeignore(&text),
    })
}
