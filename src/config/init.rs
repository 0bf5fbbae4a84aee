//! `init`'s configuration: which settings file, what to add or remove,
//! and how to price the project for the deny rules and the hook's cache.

use std::path::PathBuf;

use super::file::Loaded;
use crate::cli::Cli;
use crate::cli::hook::HookArgs;
use crate::cli::init::InitArgs;
use crate::error::Error;

use super::hook::HookConfig;
use super::input::InputConfig;

/// The name of the record of what `init` added, beside the settings file.
pub(crate) const RECORD_NAME: &str = "ctxbudget-init.json";

/// Which settings file `init` edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// `.claude/settings.json`, shared with the team.
    Project,
    /// `.claude/settings.local.json`, this user's only.
    Local,
    /// `~/.claude/settings.json`, every project of this user.
    User,
}

/// Add or take out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InitMode {
    /// Merge the hook and rules in.
    Add,
    /// Take out what an earlier `init` added.
    Remove,
}

/// Everything `init` needs, decided once.
#[derive(Debug, Clone)]
pub(crate) struct InitConfig {
    /// The project directory.
    pub(crate) root: PathBuf,
    /// Which settings file.
    pub(crate) scope: Scope,
    /// The settings file.
    pub(crate) settings: PathBuf,
    /// The record of what `init` added, beside it.
    pub(crate) record: PathBuf,
    /// Add the hook.
    pub(crate) hook: bool,
    /// Add the deny rules `scan` advises.
    pub(crate) deny: bool,
    /// The project's `.mcp.json`, when the MCP server is added to it (or
    /// taken out of it).
    pub(crate) mcp: Option<PathBuf>,
    /// Add or take out.
    pub(crate) mode: InitMode,
    /// Print the diff; write nothing.
    pub(crate) dry_run: bool,
    /// How to price the project for the deny rules.
    pub(crate) input: InputConfig,
    /// The hook's own configuration for this project (what its cache is
    /// prepared with); `None` when nothing is prepared.
    pub(crate) guard: Option<HookConfig>,
    /// Color the diff.
    pub(crate) color: bool,
}

/// Builds the `init` configuration from the parsed command line.
pub(crate) fn build(cli: &Cli, args: &InitArgs) -> Result<InitConfig, Error> {
    let paths = [args.root.clone()];
    let loaded = Loaded::read(args.input.count.config.as_deref(), &paths)?;
    let mut input = super::input::build(&args.input, &paths, None, &loaded)?;
    input.symbols = true;
    let scope = if args.user {
        Scope::User
    } else if args.local {
        Scope::Local
    } else {
        Scope::Project
    };
    let dir = match scope {
        Scope::User => super::claude_config_dir().ok_or_else(|| {
            Error::Usage(
                "--user needs HOME (or CLAUDE_CONFIG_DIR) to find Claude Code's settings".into(),
            )
        })?,
        Scope::Project | Scope::Local => args.root.join(".claude"),
    };
    let name = match scope {
        Scope::Local => "settings.local.json",
        Scope::Project | Scope::User => "settings.json",
    };
    let mode = if args.remove {
        InitMode::Remove
    } else {
        InitMode::Add
    };
    let hook = !args.no_hook;
    let deny = !args.no_deny && scope != Scope::User;
    // Only the project's .mcp.json is a file of its own; the local and
    // user scopes keep servers inside ~/.claude.json, which init leaves
    // to `claude mcp add`.
    let mcp = (scope == Scope::Project && !args.no_mcp).then(|| args.root.join(".mcp.json"));
    let guard = if hook && mode == InitMode::Add && scope != Scope::User {
        let hook_args = HookArgs {
            read_tokens: None,
            outline_tokens: None,
            tokenizer: None,
            no_cache: false,
        };
        let root = args.root.canonicalize().map_err(|source| Error::BadPath {
            action: "set up",
            path: args.root.clone(),
            source,
        })?;
        Some(super::hook::build(&hook_args, &root)?)
    } else {
        None
    };
    Ok(InitConfig {
        root: args.root.clone(),
        scope,
        settings: dir.join(name),
        record: dir.join(RECORD_NAME),
        hook,
        deny,
        mcp,
        mode,
        dry_run: args.dry_run,
        input,
        guard,
        color: super::use_color(cli.color),
    })
}
