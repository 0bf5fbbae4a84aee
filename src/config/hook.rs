//! `hook`'s configuration: decided per call, once the call names the
//! project (its `cwd`, or `CLAUDE_PROJECT_DIR`), from that project's
//! ctxbudget.toml and the flags.

use std::path::Path;

use crate::cli::hook::HookArgs;
use crate::error::Error;

use super::input::InputConfig;

/// Whole reads over this many tokens are turned away by default.
pub(crate) const DEFAULT_READ_TOKENS: u64 = 5_000;

/// The outline in a deny reason costs at most this many tokens by default.
pub(crate) const DEFAULT_OUTLINE_TOKENS: u64 = 1_500;

/// Everything `hook` needs for one call.
#[derive(Debug, Clone)]
pub(crate) struct HookConfig {
    /// How to read, count and parse a file (its one path is the project).
    pub(crate) input: InputConfig,
    /// Whole reads costing more are turned away.
    pub(crate) read_tokens: u64,
    /// Most tokens the outline may cost.
    pub(crate) outline_tokens: u64,
}

/// Builds the configuration for a call in the project at `root`.
pub(crate) fn build(args: &HookArgs, root: &Path) -> Result<HookConfig, Error> {
    let (loaded, input) = super::input::for_root(root, args.tokenizer, args.no_cache)?;
    let section = &loaded.file.hook;
    Ok(HookConfig {
        input,
        read_tokens: args
            .read_tokens
            .filter(|&n| n > 0)
            .or(section.read_tokens.map(|v| v.0))
            .unwrap_or(DEFAULT_READ_TOKENS),
        outline_tokens: args
            .outline_tokens
            .filter(|&n| n > 0)
            .or(section.outline_tokens.map(|v| v.0))
            .unwrap_or(DEFAULT_OUTLINE_TOKENS),
    })
}
