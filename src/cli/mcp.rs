//! `ctxbudget mcp`: flags and their help.

use std::path::PathBuf;

use clap::Args;

use super::common::TokenizerArg;

/// Serve outline, refs and cost as MCP tools over stdio, for any agent.
///
/// A Model Context Protocol server (newline-delimited JSON-RPC on stdin and
/// stdout; nothing else is printed there, messages go to stderr). Its
/// tools, for the model to call before it reads:
///
///   outline {path}                 a file's symbols (or sections, or line
///                                  chunks), nested, each with its lines,
///                                  Read offset/limit and tokens, and what
///                                  reading the whole file costs
///   refs {query, budget?, limit?}  what `ctxbudget refs` answers, as
///                                  @path#Lstart-end lines with tokens
///   cost {paths}                   tokens and read cost of files and
///                                  directories, as `scan` counts them
///
/// The project is --root, else CLAUDE_PROJECT_DIR, else the working
/// directory; paths outside it are refused and no tool writes anything.
/// The tokenizer, the cache and the refs index stay warm between calls;
/// the index is rebuilt only when a file's size or time changed. Every
/// answer stays under Claude Code's 10,000-token warning. Exits when
/// stdin closes.
#[derive(Debug, Args)]
#[command(after_long_help = "Register it with Claude Code:
  claude mcp add --transport stdio ctxbudget -- ctxbudget mcp
or in the project's .mcp.json:
  {\"mcpServers\": {\"ctxbudget\": {\"command\": \"ctxbudget\", \"args\": [\"mcp\"]}}}
(`ctxbudget init` adds that entry).

Exit codes: 0 when the client closes stdin, 2 when it cannot start.")]
pub struct McpArgs {
    /// The project directory [default: $CLAUDE_PROJECT_DIR, else the working directory].
    #[arg(short = 'C', long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// Tokenizer: claude (estimate: cl100k x factor), cl100k or o200k (exact).
    #[arg(short, long, value_enum)]
    pub tokenizer: Option<TokenizerArg>,

    /// Do not read or write the cache of counts and spans.
    #[arg(long)]
    pub no_cache: bool,
}
