//! `ctxbudget claude-md`: flags and their help.

use std::path::PathBuf;

use clap::Args;

use super::common::InputArgs;

/// Write a lean CLAUDE.md block inside a token budget, leaving your own text alone.
///
/// Scans the project and writes, between `<!-- ctxbudget:begin -->` and
/// `<!-- ctxbudget:end -->`: what the project is (package manifest, else
/// the README's first paragraph), its size and languages by share of
/// tokens, the test, build, lint, format and run commands (Cargo.toml,
/// package.json scripts, pyproject.toml, tox.ini, Makefile, justfile,
/// go.mod, CMake, Maven, Gradle, pre-commit), the top directories with
/// their token weight and purpose, the files a session should not read
/// whole with the ranges to read instead, and the symbols the rest of the
/// code uses most, as `@path#Lstart-end` references in code spans (so
/// Claude Code reads them as text and never imports the whole file).
///
/// The block fits --budget tokens under the selected tokenizer, counted as
/// Claude Code loads it (HTML comments, the markers and note among them,
/// are free, as `check` counts them): the least valuable lines are left out
/// first. Every byte outside the markers is kept as it was; a file without
/// markers gets the block appended; the write is atomic (temporary file and
/// rename, permissions kept), refuses a file that changed meanwhile or lies
/// outside the project (see --allow-outside), and is skipped when nothing
/// changed. The same project
/// gives the same bytes. Memory files (CLAUDE.md, CLAUDE.local.md,
/// .claude/) are left out of the figures, so regenerating is stable.
#[derive(Debug, Args)]
#[command(after_long_help = "Examples:
  ctxbudget claude-md                    write or refresh the block in ./CLAUDE.md
  ctxbudget claude-md --stdout           print the block, write nothing
  ctxbudget claude-md --budget 800       a smaller block
  ctxbudget claude-md --check            exit 1 when the block on disk is stale (pre-commit, CI)

Exit codes: 0 written or up to date, 1 stale (--check), 2 could not run
(e.g. unbalanced markers: fix them by hand, nothing is written).")]
pub struct ClaudeMdArgs {
    /// The project directory to describe.
    #[arg(short = 'C', long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,

    /// The memory file to update [default: DIR/CLAUDE.md, or DIR/.claude/CLAUDE.md when only that exists].
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Allow --file to resolve (after symbolic links) outside the project.
    /// Without it such a file is refused; a repository's own ctxbudget.toml
    /// can never aim the write outside the project.
    #[arg(long)]
    pub allow_outside: bool,

    /// Most tokens the block may cost as Claude Code loads it (its HTML-comment markers and note are free, as `check` counts them) [default: 1500].
    #[arg(short, long, value_name = "TOKENS")]
    pub budget: Option<u64>,

    /// Print the block to stdout and write nothing.
    #[arg(long, conflicts_with = "check")]
    pub stdout: bool,

    /// Write nothing; exit 1 when the block on disk differs from a fresh one.
    #[arg(long)]
    pub check: bool,

    /// What to walk and how to count it.
    #[command(flatten)]
    pub input: InputArgs,
}
