//! Prints `refs` answers: paste-ready lines for people, the references
//! alone (`--plain`), or a JSON array.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};

use serde::Serialize;

use super::TokenizerInfo;
use super::style::Style;
use super::table::{columns, pad};
use crate::lang::SymbolKind;
use crate::units::thousands;

/// How to print references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefsStyle {
    /// One reference per line with its name, kind and costs.
    Human,
    /// The references alone.
    Plain,
    /// A JSON array.
    Json,
}

/// One reference and what it costs.
#[derive(Debug, Clone)]
pub(crate) struct Reference {
    /// The query that found it.
    pub(crate) query: String,
    /// How it matched (`exact`, `text`, ...).
    pub(crate) matched: &'static str,
    /// The file, relative to the root.
    pub(crate) path: String,
    /// First line, 1-based.
    pub(crate) start_line: u32,
    /// Last line, inclusive.
    pub(crate) end_line: u32,
    /// The symbol's own name.
    pub(crate) name: String,
    /// Its name with the enclosing names.
    pub(crate) qualified_name: String,
    /// function, method, class, ...
    pub(crate) kind: SymbolKind,
    /// Tokens of its lines.
    pub(crate) tokens: u64,
    /// Tokens of the whole file.
    pub(crate) file_tokens: u64,
    /// How well it answers the query (comparable within one query).
    pub(crate) score: f64,
}

impl Reference {
    /// `@path#Lstart-end`.
    pub(crate) fn reference(&self) -> String {
        format!("@{}#L{}-{}", self.path, self.start_line, self.end_line)
    }
}

/// The answer to one query, or the chosen set under a budget.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    /// What the references answer, e.g. `"load": exact name`.
    pub(crate) title: String,
    /// Best first.
    pub(crate) references: Vec<Reference>,
    /// Matches left out by the limit.
    pub(crate) omitted: usize,
}

/// Everything `refs` prints.
#[derive(Debug, Clone)]
pub(crate) struct RefsReport {
    /// What counted.
    pub(crate) tokenizer: TokenizerInfo,
    /// One per query, or one chosen set.
    pub(crate) sections: Vec<Section>,
    /// The budget the set was chosen for.
    pub(crate) budget: Option<u64>,
}

/// What the printed references cost together, against their whole files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Savings {
    /// Distinct references printed.
    pub(crate) references: usize,
    /// Their tokens together (two references that overlap are both paid
    /// for, as pasting both would).
    pub(crate) tokens: u64,
    /// Distinct files they come from.
    pub(crate) files: usize,
    /// Those files' tokens, each attached whole once.
    pub(crate) whole: u64,
}

impl RefsReport {
    /// Every reference once, in order (two queries may find the same one).
    pub(crate) fn distinct(&self) -> impl Iterator<Item = &Reference> {
        let mut seen = HashSet::new();
        self.sections
            .iter()
            .flat_map(|s| &s.references)
            .filter(move |r| seen.insert((r.path.as_str(), r.start_line, r.end_line)))
    }

    /// The listed reference whose range holds `r`'s (another range of the
    /// same file), if any: attaching both would pay for its lines twice.
    pub(crate) fn container_of(&self, r: &Reference) -> Option<&Reference> {
        self.sections
            .iter()
            .flat_map(|s| &s.references)
            .filter(|c| {
                c.path == r.path
                    && c.start_line <= r.start_line
                    && r.end_line <= c.end_line
                    && (c.start_line, c.end_line) != (r.start_line, r.end_line)
            })
            .max_by_key(|c| (c.end_line - c.start_line, c.start_line))
    }

    /// The references to attach: each range once, none inside another.
    pub(crate) fn outermost(&self) -> impl Iterator<Item = &Reference> {
        self.distinct().filter(|r| self.container_of(r).is_none())
    }

    /// The totals over every section.
    pub(crate) fn savings(&self) -> Savings {
        let mut files: BTreeMap<&str, u64> = BTreeMap::new();
        let mut tokens = 0;
        let mut references = 0;
        // Lines are counted once: a member listed beside its container
        // adds nothing the container does not hold.
        for r in self.outermost() {
            files.insert(&r.path, r.file_tokens);
            tokens += r.tokens;
            references += 1;
        }
        Savings {
            references,
            tokens,
            files: files.len(),
            whole: files.values().sum(),
        }
    }
}

/// Writes the report in `style`.
pub(crate) fn write(
    report: &RefsReport,
    style: RefsStyle,
    color: bool,
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    match style {
        RefsStyle::Plain => {
            for r in report.outermost() {
                writeln!(out, "{}", r.reference())?;
            }
            Ok(())
        }
        RefsStyle::Json => write_json(report, out),
        RefsStyle::Human => super::human::write_fitted(width, out, |max, out| {
            write_human(report, Style::new(color), max, out)
        }),
    }
}

fn write_human(
    report: &RefsReport,
    style: Style,
    max: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let all: Vec<&Reference> = report.sections.iter().flat_map(|s| &s.references).collect();
    let width = |f: &dyn Fn(&Reference) -> usize| all.iter().map(|r| f(r)).max().unwrap_or(0);
    let ref_width = width(&|r| columns(&r.reference()));
    let kind_width = width(&|r| r.kind.name().len());
    let token_width = width(&|r| thousands(r.tokens).len());
    // On a narrow terminal the note after the figures is cut first (by the
    // final fitting), then the name gives way, down to 12 columns; never
    // the reference, which is there to be copied.
    let fixed = ref_width + kind_width + token_width + " tokens".len() + 2 * 4;
    let name_width = width(&|r| columns(&r.qualified_name))
        .min(48)
        .min(max.saturating_sub(fixed).max(12));

    for (i, section) in report.sections.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "{}", style.heading(&section.title))?;
        for r in &section.references {
            let reference = r.reference();
            // A member listed beside its container says so: its lines are
            // already in the container's.
            let note = match report.container_of(r) {
                Some(c) => format!("(inside {})", c.reference()),
                None => format!("(file {})", thousands(r.file_tokens)),
            };
            writeln!(
                out,
                "{}  {}  {}  {:>tw$} tokens  {}",
                style.path(&pad(&reference, ref_width)),
                pad(
                    &super::human::shorten(&r.qualified_name, name_width, max),
                    name_width
                ),
                pad(r.kind.name(), kind_width),
                thousands(r.tokens),
                style.dim(&note),
                tw = token_width,
            )?;
        }
        if section.omitted > 0 {
            writeln!(
                out,
                "{}",
                style.dim(&format!(
                    "... and {} more (--limit 0 shows all)",
                    thousands(section.omitted as u64)
                ))
            )?;
        }
    }

    let savings = report.savings();
    if savings.references == 0 {
        return Ok(());
    }
    writeln!(out)?;
    let saved = savings.whole.saturating_sub(savings.tokens);
    let budget = report
        .budget
        .map(|b| format!(" of a {} budget", thousands(b)))
        .unwrap_or_default();
    writeln!(
        out,
        "{} reference{}: {} tokens{budget}; their {} file{} attached whole: {} tokens{}",
        savings.references,
        plural(savings.references),
        thousands(savings.tokens),
        savings.files,
        plural(savings.files),
        thousands(savings.whole),
        if saved > 0 {
            format!(
                " (saves {}, {:.0}%)",
                thousands(saved),
                crate::units::percent(saved, savings.whole)
            )
        } else {
            String::new()
        },
    )?;
    writeln!(
        out,
        "{}",
        style.dim(&format!("tokens: {}", report.tokenizer.describe()))
    )?;
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The JSON wire type: one object per reference.
#[derive(Serialize)]
struct JsonReference<'a> {
    #[serde(rename = "ref")]
    reference: String,
    path: &'a str,
    start_line: u32,
    end_line: u32,
    name: &'a str,
    qualified_name: &'a str,
    kind: &'a str,
    tokens: u64,
    file_tokens: u64,
    score: f64,
    #[serde(rename = "match")]
    matched: &'a str,
    query: &'a str,
}

fn write_json(report: &RefsReport, out: &mut dyn Write) -> io::Result<()> {
    let wire: Vec<JsonReference> = report
        .sections
        .iter()
        .flat_map(|s| &s.references)
        .map(|r| JsonReference {
            reference: r.reference(),
            path: &r.path,
            start_line: r.start_line,
            end_line: r.end_line,
            name: &r.name,
            qualified_name: &r.qualified_name,
            kind: r.kind.name(),
            tokens: r.tokens,
            file_tokens: r.file_tokens,
            score: (r.score * 1e6).round() / 1e6,
            matched: r.matched,
            query: &r.query,
        })
        .collect();
    super::json::to_writer_pretty(out, &wire)?;
    writeln!(out)
}
