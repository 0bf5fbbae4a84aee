//! `ctxbudget refs`: flags and their help.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::common::InputArgs;

/// Turn "the part of the code about X" into paste-ready @path#Lstart-end references.
///
/// Each QUERY is one of:
///   a symbol name, plain or qualified (load, Config.load, Parser::parse):
///     exact matches first, else ignoring case, else by subwords;
///   a path (src/models.py, or a directory): its symbols, largest first,
///     beside what the whole file costs;
///   PATH:LINE: the innermost symbol around that line;
///   free words in quotes ("retry backoff"): symbols ranked by BM25 over
///     their name's subwords (snake_case, camelCase), doc comments and
///     docstrings, path, and the identifiers in their body; word forms
///     meet ("validation", validate), synonyms and code abbreviations
///     count for half ("show" finds echo, "configuration" finds cfg), and
///     a docs section about the words lifts the code its `code` spans name.
/// A name that matches no symbol is searched as free words. Ties go to the
/// symbol whose name the rest of the code uses most; a declaration without
/// a body (an @overload stub, a TypeScript signature) goes after its
/// definition.
///
/// Each line starts with the reference to paste into a Claude Code prompt,
/// then the qualified name, kind, its tokens and what its whole file costs.
/// Symbols come from the same parser and cache as `ctxbudget scan`.
#[derive(Debug, Args)]
#[command(after_long_help = "Examples:
  ctxbudget refs Config.load                  where Config.load is, and what it costs
  ctxbudget refs \"retry backoff\" --limit 3    the three symbols most about retrying
  ctxbudget refs src/models.py                the file's symbols, largest first
  ctxbudget refs src/models.py:120            the function around line 120
  ctxbudget refs \"parse config\" --budget 4000 --plain   the best set under 4,000 tokens

Exit codes: 0 found, 1 a query matched nothing (closest names are suggested),
2 could not run (e.g. a path that does not exist).")]
pub struct RefsArgs {
    /// Symbol names, paths, PATH:LINE or quoted free words.
    #[arg(value_name = "QUERY", required = true)]
    pub queries: Vec<String>,

    /// The project root: paths in queries and references are relative to it.
    #[arg(short = 'C', long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = RefsFormat::Human)]
    pub format: RefsFormat,

    /// Print the references alone, one per line (same as --format plain).
    #[arg(long, conflicts_with = "format")]
    pub plain: bool,

    /// Results per query, 0 for all [default: 10]. With --budget: the chosen
    /// set holds at most N references (default 10, 0 for no count limit),
    /// taken from the best 100 of each query.
    #[arg(short = 'n', long, value_name = "N")]
    pub limit: Option<usize>,

    /// Choose the set with the highest total score whose tokens fit N (and
    /// whose size fits --limit), never a symbol with one inside it, and say
    /// what it saves against attaching the whole files.
    #[arg(short, long, value_name = "TOKENS")]
    pub budget: Option<u64>,

    /// What to read and how to count it.
    #[command(flatten)]
    pub input: InputArgs,
}

/// `refs` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RefsFormat {
    /// References with name, kind and costs, for people.
    Human,
    /// The references alone, one per line.
    Plain,
    /// A JSON array, one object per reference.
    Json,
}
