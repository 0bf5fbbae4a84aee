//! What the memory files cost and how they stand against the budgets:
//! per file and per section, startup total, on-demand files, findings.

use serde::Serialize;

use super::{FindingKind, Model, markdown};
use crate::tokenize::Tokenizer;
use crate::units::thousands;

/// The limits the check holds the memory files to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Budget {
    /// Most tokens at session start, if limited.
    pub(crate) max_tokens: Option<u64>,
    /// Most characters in one file.
    pub(crate) max_file_chars: u64,
    /// Most lines in one file (a warning unless strict).
    pub(crate) max_file_lines: u64,
    /// Warnings fail too.
    pub(crate) strict: bool,
}

/// One section of a memory file and its tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct SectionCost {
    /// The heading as written.
    pub(crate) heading: String,
    /// Its line in the file.
    pub(crate) line: u32,
    /// Tokens of its loaded text.
    pub(crate) tokens: u64,
}

/// One memory file loaded at start and what it costs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileCost {
    /// As reports name it.
    pub(crate) path: String,
    /// How it is loaded (`project`, `rule`, `local`, `import`, `user`, ...).
    pub(crate) scope: &'static str,
    /// `file:line` that imported it.
    pub(crate) imported_from: Option<String>,
    /// Tokens of its loaded text (block HTML comments dropped).
    pub(crate) tokens: u64,
    /// Characters of its loaded text.
    pub(crate) chars: u64,
    /// Lines of its loaded text.
    pub(crate) lines: u64,
    /// Its sections, largest first.
    pub(crate) sections: Vec<SectionCost>,
}

/// A memory file loaded only on demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OnDemandCost {
    /// As reports name it.
    pub(crate) path: String,
    /// When it loads.
    pub(crate) reason: String,
    /// What it costs when it does.
    pub(crate) tokens: u64,
    /// Characters of its loaded text.
    pub(crate) chars: u64,
    /// Lines of its loaded text.
    pub(crate) lines: u64,
}

/// A finding with its severity decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) kind: FindingKind,
    /// Fails the check.
    pub(crate) error: bool,
    pub(crate) path: String,
    /// Which line, when known.
    pub(crate) line: Option<u32>,
    /// What to know and do.
    pub(crate) message: String,
}

/// The memory files priced and judged.
#[derive(Debug, Clone)]
pub(crate) struct Costs {
    /// Files loaded at start, in load order.
    pub(crate) files: Vec<FileCost>,
    /// Σ file tokens + overhead.
    pub(crate) startup_tokens: u64,
    /// Files loaded on demand.
    pub(crate) on_demand: Vec<OnDemandCost>,
    /// Findings, errors first.
    pub(crate) findings: Vec<Finding>,
}

/// Prices the model and judges it against the budgets; `file_overhead`
/// is added per loaded file for the line that introduces it.
pub(crate) fn price(
    model: &Model,
    tokenizer: &Tokenizer,
    budget: Budget,
    file_overhead: u64,
) -> Costs {
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
    let overhead = file_overhead * files.len() as u64;
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

    Costs {
        files,
        startup_tokens,
        on_demand,
        findings,
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
