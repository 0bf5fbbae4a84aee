//! Prints what `claude-md` did: one line on stderr saying whether the
//! block was written, is up to date or is stale, with its cost against
//! the budget and how many lines did not fit.

use std::io::Write;

use super::TokenizerInfo;
use crate::units::thousands;

/// What happened to the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Printed to stdout; nothing written.
    Printed,
    /// The file was created with the block.
    Created,
    /// The block in the file was replaced (or appended).
    Updated,
    /// The file already holds exactly this block; nothing written.
    UpToDate,
    /// `--check`: the file does not exist.
    Missing,
    /// `--check`: the file has no block.
    NoBlock,
    /// `--check`: the file's block differs from a fresh one.
    Stale,
}

/// The figures behind the message.
#[derive(Debug, Clone)]
pub(crate) struct Status {
    /// The memory file, as given.
    pub(crate) file: String,
    /// What happened.
    pub(crate) outcome: Outcome,
    /// What the block costs.
    pub(crate) tokens: u64,
    /// What it may cost.
    pub(crate) budget: u64,
    /// Content lines in it.
    pub(crate) kept: usize,
    /// Content lines left out to fit.
    pub(crate) dropped: usize,
    /// What the counts are.
    pub(crate) tokenizer: TokenizerInfo,
}

/// Writes the status line (and a hint when the block is stale). A closed
/// stderr is ignored.
pub(crate) fn write_status(status: &Status, err: &mut dyn Write) {
    let figures = format!(
        "{} of {} tokens, {}; {} lines{}",
        thousands(status.tokens),
        thousands(status.budget),
        status.tokenizer.describe(),
        status.kept,
        match status.dropped {
            0 => String::new(),
            n => format!(", {n} left out to fit"),
        }
    );
    let file = &status.file;
    let text = match status.outcome {
        Outcome::Printed => format!("ctxbudget: printed the block ({figures}); nothing written"),
        Outcome::Created => format!("ctxbudget: created {file} with the block ({figures})"),
        Outcome::Updated => format!("ctxbudget: updated the block in {file} ({figures})"),
        Outcome::UpToDate => format!("ctxbudget: {file} is up to date ({figures})"),
        Outcome::Missing => format!(
            "ctxbudget: {file} does not exist\nhint: run `ctxbudget claude-md` to create it"
        ),
        Outcome::NoBlock => format!(
            "ctxbudget: {file} has no ctxbudget block\nhint: run `ctxbudget claude-md` to add one"
        ),
        Outcome::Stale => format!(
            "ctxbudget: the block in {file} is stale\nhint: run `ctxbudget claude-md` to refresh it"
        ),
    };
    let _ = writeln!(err, "{text}");
}
