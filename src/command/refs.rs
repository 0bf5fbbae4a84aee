//! `ctxbudget refs`: tell each query's kind, price the files it needs
//! (every file for names and free words, with the scan's walk, parser and
//! cache), rank, choose under a budget, report.

use std::io::Write;

use crate::config::refs::RefsConfig;
use crate::error::Error;
use crate::exit_code::ExitCode;
use crate::price::refs::{self as lookup, Corpus, Query};
use crate::report::TokenizerInfo;
use crate::report::refs::{RefsReport, Section};
use crate::suggest::refs::Hit;
use crate::tokenize::Tokenizer;
use crate::units::thousands;

/// Runs `refs` and writes the references to `out`; messages go to `err`.
pub(crate) fn run(
    config: &RefsConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let root = &config.input.paths[0];
    super::require_root(
        root,
        "search",
        "pass the project directory; query a file by its path",
    )?;
    let queries = config
        .queries
        .iter()
        .map(|q| lookup::classify(root, q))
        .collect::<Result<Vec<Query>, Error>>()?;
    let tokenizer = Tokenizer::new(config.input.tokenizer, config.input.claude_factor);
    let Corpus {
        files,
        index,
        pending,
        ..
    } = Corpus::build(&config.input, &tokenizer, &queries)?;

    let mut sections = Vec::new();
    let mut unmatched = 0;
    let mut pool: Vec<(usize, Vec<Hit>)> = Vec::new();
    for (q, query) in queries.iter().enumerate() {
        let text = &config.queries[q];
        let (hits, title) = lookup::answer(query, text, &files, index.as_deref());
        if hits.is_empty() {
            unmatched += 1;
            crate::report::warn(
                err,
                format_args!(
                    "{}",
                    lookup::nothing_found(query, text, &files, index.as_deref())
                ),
            );
            continue;
        }
        pool.push((q, hits.clone()));
        if config.budget.is_none() {
            let shown = config.limit.map_or(hits.len(), |n| n.min(hits.len()));
            sections.push(Section {
                title,
                references: hits[..shown]
                    .iter()
                    .map(|h| lookup::reference(text, h, &files))
                    .collect(),
                omitted: hits.len() - shown,
            });
        }
    }
    if let Some(budget) = config.budget {
        sections = vec![lookup::choose(
            budget,
            config.limit,
            config.pool,
            &config.queries,
            &pool,
            &files,
        )];
        if sections[0].references.is_empty() && !pool.is_empty() {
            let smallest = pool
                .iter()
                .flat_map(|(_, hits)| hits.iter().take(config.pool))
                .map(|h| files[h.file].symbols[h.symbol].tokens)
                .min()
                .unwrap_or(0);
            crate::report::warn(
                err,
                format_args!(
                    "no matching symbol fits in {} tokens (the smallest costs {})\nhint: raise --budget",
                    thousands(budget),
                    thousands(smallest)
                ),
            );
            unmatched += 1;
        }
    }

    let report = RefsReport {
        tokenizer: TokenizerInfo {
            kind: tokenizer.kind(),
            factor: tokenizer.factor(),
        },
        sections,
        budget: config.budget,
    };
    // When every query failed, the messages on stderr are the answer: a
    // table header with nothing under it would read as a result.
    let answered = report.sections.iter().any(|s| !s.references.is_empty());
    if answered || config.style == crate::report::refs::RefsStyle::Json {
        crate::report::refs::write(&report, config.style, config.color, config.width, out)
            .map_err(Error::Output)?;
    }
    out.flush().map_err(Error::Output)?;
    // The answer is out: now store what was built for the next run.
    pending.run();
    // The process ends with this command: handing back every symbol's
    // strings one by one would take longer than the query (6 ms of a
    // 50 ms name lookup on django), and the system frees them at exit.
    std::mem::forget(index);
    std::mem::forget(files);
    Ok(if unmatched > 0 {
        ExitCode::Findings
    } else {
        ExitCode::Ok
    })
}
