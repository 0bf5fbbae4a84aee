//! `mcp`'s configuration: the project root, how to price it, and the caps
//! on answers.

use std::path::PathBuf;

use crate::cli::mcp::McpArgs;
use crate::error::Error;

use super::input::InputConfig;

/// Claude Code warns about tool output over 10,000 tokens; answers stay
/// under this many.
pub(crate) const MAX_ANSWER_TOKENS: u64 = 9_000;

/// Everything the server needs, decided once at start.
#[derive(Debug, Clone)]
pub(crate) struct McpConfig {
    /// The project, canonical.
    pub(crate) root: PathBuf,
    /// How to walk, count and parse it (its one path is the root).
    pub(crate) input: InputConfig,
    /// A part of a file costing more than this is listed for its members
    /// (the hook's `read_tokens`).
    pub(crate) read_tokens: u64,
}

/// Builds the server's configuration.
pub(crate) fn build(args: &McpArgs) -> Result<McpConfig, Error> {
    let given = match &args.root {
        Some(root) => root.clone(),
        None => std::env::var_os("CLAUDE_PROJECT_DIR")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .unwrap_or_else(|| PathBuf::from(".")),
    };
    let root = given.canonicalize().map_err(|source| Error::BadPath {
        action: "serve",
        path: given.clone(),
        source,
    })?;
    if !root.is_dir() {
        return Err(Error::Usage(format!(
            "{} is not a directory\nhint: pass the project directory with --root",
            given.display()
        )));
    }
    let (loaded, input) = super::input::for_root(&root, args.tokenizer, args.no_cache)?;
    let read_tokens = loaded
        .file
        .hook
        .read_tokens
        .map(|v| v.0)
        .unwrap_or(super::hook::DEFAULT_READ_TOKENS);
    Ok(McpConfig {
        root,
        input,
        read_tokens,
    })
}
