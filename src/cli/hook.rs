//! `ctxbudget hook`: flags and their help.

use clap::Args;

use super::common::TokenizerArg;

/// A Claude Code PreToolUse hook: turn away whole reads of expensive files
/// and hand the model an outline to read by range instead.
///
/// Claude Code runs it before each Read (and Bash) call, with the call as
/// JSON on stdin. A Read without offset/limit of a file in the project
/// whose read cost is over the threshold is denied; the reason the model
/// sees is the file's whole cost and its outline (symbols, or Markdown
/// sections, or line chunks), each with the offset/limit to Read it and
/// its tokens. A Bash command that prints such a file whole (cat, less,
/// bat, head/tail with a count past its end) is denied the same way.
///
/// It is never a trap: the next whole Read of a file it turned away passes,
/// and so does a Read with allow_large. Ranged reads, small files, files
/// outside the project, binary files, images, PDFs and notebooks pass
/// silently, and so does anything it cannot read. An internal error prints
/// one line on stderr and lets the call through (exit 0).
///
/// Settings come from ctxbudget.toml at the project root (`[hook]`
/// read_tokens, outline_tokens), then these flags. `ctxbudget init` adds
/// the hook to .claude/settings.json.
#[derive(Debug, Args)]
#[command(after_long_help = "Settings (.claude/settings.json):
  {\"hooks\": {\"PreToolUse\": [{\"matcher\": \"Read|Bash\",
    \"hooks\": [{\"type\": \"command\", \"command\": \"ctxbudget hook\"}]}]}}

Try it by hand:
  echo '{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"s\",\"cwd\":\"'$PWD'\",
    \"tool_name\":\"Read\",\"tool_input\":{\"file_path\":\"'$PWD'/src/big.rs\"}}' | ctxbudget hook

Exit code: always 0 (a hook that fails must not block the session).")]
pub struct HookArgs {
    /// Deny whole reads costing more than this many tokens [default: 5000].
    #[arg(long, value_name = "TOKENS")]
    pub read_tokens: Option<u64>,

    /// Most tokens the outline in a deny reason may cost [default: 1500].
    #[arg(long, value_name = "TOKENS")]
    pub outline_tokens: Option<u64>,

    /// Tokenizer: claude (estimate: cl100k x factor), cl100k or o200k (exact).
    #[arg(short, long, value_enum)]
    pub tokenizer: Option<TokenizerArg>,

    /// Do not read or write the cache (every call counts the file again).
    #[arg(long)]
    pub no_cache: bool,
}
