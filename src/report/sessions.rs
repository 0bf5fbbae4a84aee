//! Prints what the transcripts say: a table of sessions, the files read
//! most, the whole reads to replace with references, the lines skipped;
//! or one JSON document.

use std::io::{self, Write};

use serde::Serialize;

use super::TokenizerInfo;
use super::style::Style;
use super::table::{table, table_within};
use crate::sessions::Summary;
use crate::sessions::time;
use crate::suggest::sessions::{Instead, Why};
use crate::units::{percent, plural as count, thousands};

/// Everything `sessions` prints.
#[derive(Debug, Clone)]
pub(crate) struct SessionsReport {
    /// The project, absolute.
    pub(crate) project: String,
    /// The transcript directory.
    pub(crate) transcripts: String,
    /// How Read costs were counted.
    pub(crate) tokenizer: TokenizerInfo,
    /// The context window, for the peak's share.
    pub(crate) window: u64,
    /// The whole-read threshold.
    pub(crate) whole_read_tokens: u64,
    /// The figures.
    pub(crate) summary: Summary,
    /// For each of `summary.whole`, the ranges to read instead.
    pub(crate) instead: Vec<Vec<Instead>>,
    /// Files in the human table (`None`: all).
    pub(crate) top: Option<usize>,
    /// Whether --since or --session narrowed the records.
    pub(crate) filtered: bool,
    /// Whether Reads were priced (not with --usage-only).
    pub(crate) reads_priced: bool,
}

/// Writes the report as tables or JSON.
pub(crate) fn write(
    report: &SessionsReport,
    json: bool,
    color: bool,
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    if json {
        write_json(report, out)
    } else {
        super::human::write_fitted(width, out, |max, out| {
            write_human(report, Style::new(color), max, out)
        })
    }
}

fn write_human(
    report: &SessionsReport,
    style: Style,
    max: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let summary = &report.summary;
    let sessions = &summary.sessions;
    let span = match (
        sessions.iter().filter_map(|s| s.start_ms).min(),
        sessions.iter().filter_map(|s| s.end_ms).max(),
    ) {
        (Some(a), Some(b)) => format!(
            ", {} to {} UTC",
            time::format_minute(a),
            time::format_minute(b)
        ),
        _ => String::new(),
    };
    writeln!(
        out,
        "{}",
        style.heading(&format!(
            "Claude Code sessions of {}: {}{span}",
            report.project,
            count(sessions.len() as u64, "session", "sessions")
        ))
    )?;
    writeln!(
        out,
        "  {}",
        style.dim(&format!(
            "from {} in {}; request figures are the API's own usage counts",
            count(summary.transcripts, "transcript file", "transcript files"),
            report.transcripts
        ))
    )?;
    if !sessions.is_empty() {
        writeln!(out)?;
        let mut rows = vec![
            [
                "start (UTC)",
                "session",
                "requests",
                "peak context",
                "input/min",
                "compactions",
                "input",
                "cache write",
                "cache read",
                "output",
                "models",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for s in sessions {
            rows.push(vec![
                s.start_ms.map(time::format_minute).unwrap_or_default(),
                s.id.chars().take(8).collect(),
                if s.subagent_requests > 0 {
                    format!(
                        "{} ({} by subagents)",
                        thousands(s.requests),
                        thousands(s.subagent_requests)
                    )
                } else {
                    thousands(s.requests)
                },
                format!(
                    "{} ({}%)",
                    thousands(s.peak_context),
                    percent(s.peak_context, report.window).round()
                ),
                thousands(s.peak_input_per_minute),
                thousands(s.compactions),
                thousands(s.input_tokens),
                thousands(s.cache_creation_tokens),
                thousands(s.cache_read_tokens),
                thousands(s.output_tokens),
                s.models.join(", "),
            ]);
        }
        if sessions.len() > 1 {
            let sum = |f: fn(&crate::sessions::Session) -> u64| {
                thousands(sessions.iter().map(f).fold(0, u64::saturating_add))
            };
            rows.push(vec![
                "total".into(),
                String::new(),
                sum(|s| s.requests),
                String::new(),
                String::new(),
                sum(|s| s.compactions),
                sum(|s| s.input_tokens),
                sum(|s| s.cache_creation_tokens),
                sum(|s| s.cache_read_tokens),
                sum(|s| s.output_tokens),
                String::new(),
            ]);
        }
        // Narrow terminals lose the models, then the counts a reader
        // needs least.
        table_within(
            out,
            &rows,
            &[
                false, false, true, true, true, true, true, true, true, true, false,
            ],
            max,
            &[10, 5, 4, 7, 3, 9],
            None,
        )?;
        writeln!(
            out,
            "  {}",
            style.dim(
                "input/min: the most input tokens (uncached + cache writes) sent within any 60 s, what input-tokens-per-minute limits count"
            )
        )?;
        let inexact: Vec<String> = sessions
            .iter()
            .filter(|s| !s.output_exact)
            .map(|s| s.id.chars().take(8).collect())
            .collect();
        if !inexact.is_empty() {
            writeln!(
                out,
                "  {}",
                style.dim(&format!(
                    "output as recorded; a lower bound for {} ({}): some responses never recorded a final stop_reason",
                    count(inexact.len() as u64, "session", "sessions"),
                    inexact.join(", ")
                ))
            )?;
        }
        if summary.models.len() > 1 {
            writeln!(out)?;
            let mut rows = vec![
                [
                    "model",
                    "sessions",
                    "requests",
                    "input",
                    "cache write",
                    "cache read",
                    "output",
                ]
                .map(String::from)
                .to_vec(),
            ];
            for m in &summary.models {
                rows.push(vec![
                    m.model.clone(),
                    thousands(m.sessions),
                    thousands(m.requests),
                    thousands(m.input_tokens),
                    thousands(m.cache_creation_tokens),
                    thousands(m.cache_read_tokens),
                    thousands(m.output_tokens),
                ]);
            }
            table(out, &rows, &[false, true, true, true, true, true, true])?;
        }
    }

    if !report.reads_priced {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            style.dim("Reads not priced (--usage-only): no files section")
        )?;
    }
    let files = &summary.files;
    if !files.is_empty() {
        let reads: u64 = files.iter().map(|f| f.reads).sum();
        let tokens: u64 = files.iter().map(|f| f.tokens).fold(0, u64::saturating_add);
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            style.heading(&format!(
                "Files read: {}, {}, {} tokens",
                count(files.len() as u64, "file", "files"),
                count(reads, "read", "reads"),
                thousands(tokens)
            ))
        )?;
        writeln!(
            out,
            "  {}",
            style.dim(&format!(
                "each read counted as the Read tool showed it; {}",
                report.tokenizer.describe()
            ))
        )?;
        let shown = report.top.map_or(files.len(), |n| n.min(files.len()));
        let mut rows = vec![
            ["tokens", "reads", "whole", "ranged", "sessions", "file"]
                .map(String::from)
                .to_vec(),
        ];
        for f in &files[..shown] {
            rows.push(vec![
                thousands(f.tokens),
                thousands(f.reads),
                thousands(f.whole_reads),
                thousands(f.ranged_reads),
                thousands(f.sessions),
                style.path(&f.path),
            ]);
        }
        table_within(
            out,
            &rows,
            &[true, true, true, true, true, false],
            max,
            &[],
            Some(5),
        )?;
        if shown < files.len() {
            writeln!(
                out,
                "  ... and {} more (--top 0 shows all)",
                thousands((files.len() - shown) as u64)
            )?;
        }
    }

    let advised: Vec<usize> = (0..summary.whole.len())
        .filter(|&k| report.instead.get(k).is_some_and(|i| !i.is_empty()))
        .collect();
    if !summary.whole.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            style.heading(&format!(
                "Whole reads over {} tokens, and the ranges to read instead",
                thousands(report.whole_read_tokens)
            ))
        )?;
        for &k in advised.iter().take(10) {
            let whole = &summary.whole[k];
            writeln!(
                out,
                "  {}, session {}: {}, {} tokens",
                style.path(&whole.path),
                whole.session.chars().take(8).collect::<String>(),
                count(whole.reads, "whole read", "whole reads"),
                thousands(whole.tokens)
            )?;
            for instead in &report.instead[k] {
                writeln!(
                    out,
                    "    {}  {}  {}  {} tokens  ({})",
                    instead.reference,
                    instead.qualified_name,
                    instead.kind,
                    thousands(instead.tokens),
                    instead.why.name()
                )?;
            }
        }
        let unadvised = summary.whole.len() - advised.len().min(10);
        if unadvised > 0 {
            writeln!(
                out,
                "  {}",
                style.dim(&format!(
                    "{} more without references here (outside the project, gone, without symbols, or past the first ten); `ctxbudget refs PATH` lists a file's symbols",
                    thousands(unadvised as u64)
                ))
            )?;
        }
    }

    write_guard(report, style, out)?;

    let skipped = &summary.skipped;
    if skipped.total() > 0 {
        let mut why = Vec::new();
        if skipped.not_json > 0 {
            why.push(format!("{} not JSON", thousands(skipped.not_json)));
        }
        if skipped.too_long > 0 {
            why.push(format!("{} too long", thousands(skipped.too_long)));
        }
        if skipped.malformed > 0 {
            why.push(format!(
                "{} missing their usual fields",
                thousands(skipped.malformed)
            ));
        }
        let unknown: u64 = skipped.unknown_types.values().sum();
        if unknown > 0 {
            let names: Vec<String> = skipped
                .unknown_types
                .iter()
                .map(|(kind, n)| {
                    let kind = if kind.is_empty() { "(no type)" } else { kind };
                    format!("{kind}: {n}")
                })
                .collect();
            why.push(format!(
                "{} of unknown record types ({})",
                thousands(unknown),
                names.join(", ")
            ));
        }
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            style.warn(&format!(
                "{} skipped: {}",
                count(skipped.total(), "line", "lines"),
                why.join(", ")
            ))
        )?;
    }
    if skipped.unpriced_reads > 0 {
        writeln!(
            out,
            "{}",
            style.warn(&format!(
                "{} not priced: over 4 MiB or megabytes of one character kind, not a Read result Claude Code returns",
                count(skipped.unpriced_reads, "Read result", "Read results"),
            ))
        )?;
    }
    Ok(())
}

/// What the Read guard turned away per session, and what it saved.
fn write_guard(report: &SessionsReport, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let sessions: Vec<&crate::sessions::Session> = report
        .summary
        .sessions
        .iter()
        .filter(|s| s.guard.turned_away > 0)
        .collect();
    if sessions.is_empty() {
        return Ok(());
    }
    let mut total = crate::sessions::GuardFigures::default();
    for s in &sessions {
        total.add(&s.guard);
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        style.heading(&format!(
            "Read guard (ctxbudget hook): {} turned away, {} tokens saved",
            count(total.turned_away, "whole read", "whole reads"),
            signed(total.saved())
        ))
    )?;
    writeln!(
        out,
        "  {}",
        style.dim(
            "saved = the whole reads turned away, less the outlines the model read instead and every later read of those files"
        )
    )?;
    let mut rows = vec![
        [
            "session",
            "turned away",
            "their tokens",
            "outlines",
            "ranged after",
            "whole after",
            "saved",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let row = |name: String, g: &crate::sessions::GuardFigures| {
        vec![
            name,
            thousands(g.turned_away),
            thousands(g.turned_tokens),
            thousands(g.reason_tokens),
            format!(
                "{} ({})",
                thousands(g.ranged_after),
                thousands(g.ranged_tokens)
            ),
            format!(
                "{} ({})",
                thousands(g.whole_after),
                thousands(g.whole_tokens)
            ),
            signed(g.saved()),
        ]
    };
    for s in &sessions {
        rows.push(row(s.id.chars().take(8).collect(), &s.guard));
    }
    if sessions.len() > 1 {
        rows.push(row("total".into(), &total));
    }
    table(out, &rows, &[false, true, true, true, true, true, true])
}

/// A token difference with its sign when negative.
fn signed(n: i64) -> String {
    if n < 0 {
        format!("-{}", thousands(n.unsigned_abs()))
    } else {
        thousands(n.unsigned_abs())
    }
}

#[derive(Serialize)]
struct JsonGuard {
    turned_away: u64,
    turned_tokens: u64,
    reason_tokens: u64,
    ranged_reads_after: u64,
    ranged_tokens_after: u64,
    whole_reads_after: u64,
    whole_tokens_after: u64,
    saved_tokens: i64,
}

impl From<&crate::sessions::GuardFigures> for JsonGuard {
    fn from(g: &crate::sessions::GuardFigures) -> JsonGuard {
        JsonGuard {
            turned_away: g.turned_away,
            turned_tokens: g.turned_tokens,
            reason_tokens: g.reason_tokens,
            ranged_reads_after: g.ranged_after,
            ranged_tokens_after: g.ranged_tokens,
            whole_reads_after: g.whole_after,
            whole_tokens_after: g.whole_tokens,
            saved_tokens: g.saved(),
        }
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    project: &'a str,
    transcripts: &'a str,
    transcript_files: u64,
    tokenizer: super::json::Tokenizer,
    context_window: u64,
    whole_read_tokens: u64,
    reads_priced: bool,
    sessions: Vec<JsonSession<'a>>,
    models: Vec<JsonModel<'a>>,
    files: Vec<JsonFile<'a>>,
    whole_reads: Vec<JsonWhole<'a>>,
    skipped_lines: u64,
    skipped: JsonSkipped<'a>,
}

#[derive(Serialize)]
struct JsonSession<'a> {
    id: &'a str,
    start: Option<&'a str>,
    end: Option<&'a str>,
    models: &'a [String],
    requests: u64,
    subagent_requests: u64,
    peak_context: u64,
    contexts: &'a [u64],
    compactions: u64,
    input_tokens: u64,
    cache_creation_tokens: u64,
    cache_read_tokens: u64,
    output_tokens: u64,
    reads: u64,
    read_tokens: u64,
    transcript_files: u64,
    guard: JsonGuard,
    output_exact: bool,
    peak_input_per_minute: u64,
    peak_cache_read_per_minute: u64,
}

#[derive(Serialize)]
struct JsonModel<'a> {
    model: &'a str,
    sessions: u64,
    requests: u64,
    input_tokens: u64,
    cache_creation_tokens: u64,
    cache_read_tokens: u64,
    output_tokens: u64,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    reads: u64,
    whole_reads: u64,
    ranged_reads: u64,
    tokens: u64,
    sessions: u64,
}

#[derive(Serialize)]
struct JsonWhole<'a> {
    path: &'a str,
    session: &'a str,
    reads: u64,
    tokens: u64,
    instead: Vec<JsonInstead<'a>>,
}

#[derive(Serialize)]
struct JsonInstead<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    qualified_name: &'a str,
    kind: &'a str,
    tokens: u64,
    why: Why,
}

#[derive(Serialize)]
struct JsonSkipped<'a> {
    not_json: u64,
    too_long: u64,
    malformed: u64,
    unknown_types: &'a std::collections::BTreeMap<String, u64>,
    unpriced_reads: u64,
}

fn write_json(report: &SessionsReport, out: &mut dyn Write) -> io::Result<()> {
    let summary = &report.summary;
    let doc = JsonReport {
        version: 1,
        project: &report.project,
        transcripts: &report.transcripts,
        transcript_files: summary.transcripts,
        tokenizer: super::json::Tokenizer::from(report.tokenizer),
        context_window: report.window,
        whole_read_tokens: report.whole_read_tokens,
        reads_priced: report.reads_priced,
        sessions: summary
            .sessions
            .iter()
            .map(|s| JsonSession {
                id: &s.id,
                start: s.start.as_deref(),
                end: s.end.as_deref(),
                models: &s.models,
                requests: s.requests,
                subagent_requests: s.subagent_requests,
                peak_context: s.peak_context,
                contexts: &s.contexts,
                compactions: s.compactions,
                input_tokens: s.input_tokens,
                cache_creation_tokens: s.cache_creation_tokens,
                cache_read_tokens: s.cache_read_tokens,
                output_tokens: s.output_tokens,
                reads: s.reads,
                read_tokens: s.read_tokens,
                transcript_files: s.transcripts,
                guard: JsonGuard::from(&s.guard),
                output_exact: s.output_exact,
                peak_input_per_minute: s.peak_input_per_minute,
                peak_cache_read_per_minute: s.peak_cache_read_per_minute,
            })
            .collect(),
        models: summary
            .models
            .iter()
            .map(|m| JsonModel {
                model: &m.model,
                sessions: m.sessions,
                requests: m.requests,
                input_tokens: m.input_tokens,
                cache_creation_tokens: m.cache_creation_tokens,
                cache_read_tokens: m.cache_read_tokens,
                output_tokens: m.output_tokens,
            })
            .collect(),
        files: summary
            .files
            .iter()
            .map(|f| JsonFile {
                path: &f.path,
                reads: f.reads,
                whole_reads: f.whole_reads,
                ranged_reads: f.ranged_reads,
                tokens: f.tokens,
                sessions: f.sessions,
            })
            .collect(),
        whole_reads: summary
            .whole
            .iter()
            .enumerate()
            .map(|(k, w)| JsonWhole {
                path: &w.path,
                session: &w.session,
                reads: w.reads,
                tokens: w.tokens,
                instead: report
                    .instead
                    .get(k)
                    .into_iter()
                    .flatten()
                    .map(|i| JsonInstead {
                        reference: &i.reference,
                        qualified_name: &i.qualified_name,
                        kind: i.kind.name(),
                        tokens: i.tokens,
                        why: i.why,
                    })
                    .collect(),
            })
            .collect(),
        skipped_lines: summary.skipped.total(),
        skipped: JsonSkipped {
            not_json: summary.skipped.not_json,
            too_long: summary.skipped.too_long,
            malformed: summary.skipped.malformed,
            unknown_types: &summary.skipped.unknown_types,
            unpriced_reads: summary.skipped.unpriced_reads,
        },
    };
    super::json::to_writer_pretty(out, &doc)?;
    writeln!(out)
}

/// The `--calibrate` report.
pub(crate) fn write_calibration(
    found: &[crate::sessions::calibrate::Calibration],
    sessions: usize,
    file: Option<&std::path::Path>,
    written: &[(String, f64)],
    json: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    use crate::sessions::calibrate::{MIN_PAIRS, MIN_RESULT_TOKENS};
    if json {
        #[derive(Serialize)]
        struct Entry<'a> {
            model: &'a str,
            factor: f64,
            p25: f64,
            p75: f64,
            pairs: usize,
        }
        #[derive(Serialize)]
        struct Doc<'a> {
            version: u32,
            sessions: usize,
            calibration: Vec<Entry<'a>>,
        }
        let round = |x: f64| (x * 1000.0).round() / 1000.0;
        let doc = Doc {
            version: 1,
            sessions,
            calibration: found
                .iter()
                .map(|c| Entry {
                    model: &c.model,
                    factor: round(c.factor),
                    p25: round(c.p25),
                    p75: round(c.p75),
                    pairs: c.pairs,
                })
                .collect(),
        };
        super::json::to_writer_pretty(out, &doc)?;
        return writeln!(out);
    }
    writeln!(
        out,
        "Claude tokens per cl100k token, measured from {} ({}):",
        count(sessions as u64, "session", "sessions"),
        format_args!(
            "consecutive requests around one tool result of {}+ cl100k tokens",
            thousands(MIN_RESULT_TOKENS)
        )
    )?;
    if found.is_empty() {
        writeln!(
            out,
            "  no pair found: no request followed a single tool result of {}+ tokens",
            thousands(MIN_RESULT_TOKENS)
        )?;
        return Ok(());
    }
    let mut rows = vec![
        ["model", "factor", "p25", "p75", "pairs"]
            .map(String::from)
            .to_vec(),
    ];
    for c in found {
        rows.push(vec![
            c.model.clone(),
            format!("{:.3}", c.factor),
            format!("{:.3}", c.p25),
            format!("{:.3}", c.p75),
            c.pairs.to_string(),
        ]);
    }
    table(out, &rows, &[false, true, true, true, true])?;
    writeln!(
        out,
        "  factor is the median; the delta between requests also holds framing (and, where output was recorded as a first chunk, part of the response), so it leans high: p25 is the safer figure"
    )?;
    let few: Vec<&str> = found
        .iter()
        .filter(|c| c.pairs < MIN_PAIRS)
        .map(|c| c.model.as_str())
        .collect();
    if !few.is_empty() {
        writeln!(
            out,
            "  fewer than {MIN_PAIRS} pairs (not enough to rely on{}): {}",
            if file.is_some() { ", not written" } else { "" },
            few.join(", ")
        )?;
    }
    match file {
        Some(file) if !written.is_empty() => {
            let keys: Vec<String> = written
                .iter()
                .map(|(k, f)| format!("{k} = {f:.3}"))
                .collect();
            writeln!(
                out,
                "written to {} [claude_factors]: {}; commands use them with --model (or model = \"...\" in the file)",
                file.display(),
                keys.join(", ")
            )?;
        }
        Some(file) => writeln!(out, "nothing written to {}", file.display())?,
        None => writeln!(
            out,
            "  --write stores the factors in ctxbudget.toml; commands use them with --model"
        )?,
    }
    Ok(())
}
