//! `ctxbudget init`: flags and their help.

use std::path::PathBuf;

use clap::Args;

use super::common::InputArgs;

/// Wire ctxbudget into Claude Code: the Read guard hook and the deny rules.
///
/// Adds `ctxbudget hook` as a PreToolUse hook (matcher Read|Bash, timeout
/// 30 s) to the project's .claude/settings.json, and the deny rules `scan`
/// advises (lock files, generated, minified and large data files) to its
/// permissions.deny. The file is merged, never replaced: every key, hook
/// and rule already there stays as it was, in its place, with its
/// indentation; nothing is added twice (a hook that already runs
/// `ctxbudget hook`, with any flags, counts); a second run writes nothing.
/// Rules an earlier init added that `scan` no longer advises are taken out.
///
/// In the project scope it also adds the MCP server (`ctxbudget mcp`:
/// outline, refs and cost as tools) to the project's .mcp.json, merged the
/// same way, unless a server already runs `ctxbudget mcp`.
///
/// The write is atomic, refuses a file that changed meanwhile, a read-only
/// file and one outside the project (through a symbolic link), and keeps
/// the previous file as settings.json.ctxbudget.bak. A file that is not
/// valid JSON is an error naming its line; nothing is written. What init
/// added is recorded in .claude/ctxbudget-init.json, so `init --remove`
/// takes out exactly that and nothing you wrote.
///
/// init also counts, once, the files the hook would turn away, so the hook
/// answers from its cache (a few ms) instead of loading the tokenizer on
/// the first read of each.
#[derive(Debug, Args)]
#[command(after_long_help = "Examples:
  ctxbudget init                 hook and deny rules in .claude/settings.json, the MCP server in .mcp.json
  ctxbudget init --local         the same in .claude/settings.local.json (yours only)
  ctxbudget init --user          the hook in ~/.claude/settings.json, for every project
  ctxbudget init --dry-run       print the change as a diff, write nothing
  ctxbudget init --remove        take out what init added

The hook runs `ctxbudget` from PATH: install it first (cargo install --path .).
`@file` mentions in a prompt do not go through hooks; the deny rules stop those.

Exit codes: 0 written or up to date, 2 could not run (nothing written).")]
pub struct InitArgs {
    /// The project directory.
    #[arg(short = 'C', long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,

    /// Write .claude/settings.local.json (yours only; Claude Code keeps it out of git).
    #[arg(long, conflicts_with = "user")]
    pub local: bool,

    /// Write the hook into ~/.claude/settings.json (or $CLAUDE_CONFIG_DIR/settings.json) for every project; deny rules stay per project and are not added.
    #[arg(long)]
    pub user: bool,

    /// Do not add the deny rules, only the hook.
    #[arg(long)]
    pub no_deny: bool,

    /// Do not add the hook, only the deny rules.
    #[arg(long, conflicts_with_all = ["no_deny", "user"])]
    pub no_hook: bool,

    /// Do not add the MCP server (`ctxbudget mcp`) to the project's .mcp.json.
    #[arg(long)]
    pub no_mcp: bool,

    /// Print what would change as a unified diff; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Take out what init added to the settings file (and nothing else).
    #[arg(long, conflicts_with_all = ["no_deny", "no_hook", "no_mcp"])]
    pub remove: bool,

    /// What to walk and how to count it (for the deny rules and the hook's cache).
    #[command(flatten)]
    pub input: InputArgs,
}
