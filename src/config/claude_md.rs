//! `claude-md`'s configuration: the input, the file, the budget, the mode.

use std::path::PathBuf;

use super::file::Loaded;
use crate::cli::claude_md::ClaudeMdArgs;
use crate::error::Error;

use super::input::InputConfig;

/// What `claude-md` does with the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClaudeMdMode {
    /// Write it into the file.
    Write,
    /// Print it; write nothing.
    Stdout,
    /// Compare it with the file's; write nothing.
    Check,
}

/// Everything `claude-md` needs, decided once.
#[derive(Debug, Clone)]
pub(crate) struct ClaudeMdConfig {
    /// How to walk, count and parse the project (its one path is the root).
    pub(crate) input: InputConfig,
    /// The memory file the block goes in.
    pub(crate) file: PathBuf,
    /// Most tokens the block may cost.
    pub(crate) budget: u64,
    /// Read cost from which a file is listed as one not to read whole.
    pub(crate) expensive_tokens: u64,
    /// Write, print or check.
    pub(crate) mode: ClaudeMdMode,
    /// `--allow-outside`: the user accepts a `--file` outside the project.
    pub(crate) allow_outside: bool,
}

/// Builds the `claude-md` configuration from the parsed command line.
pub(crate) fn build(args: &ClaudeMdArgs) -> Result<ClaudeMdConfig, Error> {
    let paths = [args.root.clone()];
    let loaded = Loaded::read(args.input.count.config.as_deref(), &paths)?;
    let mut input = super::input::build(&args.input, &paths, None, &loaded)?;
    // The most used symbols need symbols, whatever the scan settings say.
    input.symbols = true;
    let section = &loaded.file.claude_md;
    let budget = match args.budget {
        Some(0) => {
            return Err(Error::Usage(
                "--budget must be a positive number of tokens".into(),
            ));
        }
        Some(n) => n,
        None => section
            .budget
            .map(|v| v.0)
            .unwrap_or(crate::suggest::claude_md::DEFAULT_BUDGET),
    };
    let expensive_tokens = section
        .expensive_tokens
        .map(|v| v.0)
        .unwrap_or(crate::suggest::claude_md::DEFAULT_EXPENSIVE_TOKENS);
    let file = match (&args.file, &section.file) {
        (Some(file), _) => file.clone(),
        // A path in the file is relative to the project and stays inside
        // it: a cloned repository's config must not aim writes elsewhere.
        (None, Some(file)) => {
            let inside = file
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if !inside || file.as_os_str().is_empty() {
                return Err(Error::Config {
                    path: loaded.path.clone(),
                    message: format!(
                        "claude_md.file = {:?} must be a path inside the project, relative to it, without `..`",
                        file.display()
                    ),
                });
            }
            args.root.join(file)
        }
        (None, None) => {
            let top = args.root.join("CLAUDE.md");
            let nested = args.root.join(".claude").join("CLAUDE.md");
            if !top.exists() && nested.is_file() {
                nested
            } else {
                top
            }
        }
    };
    Ok(ClaudeMdConfig {
        input,
        file,
        budget,
        expensive_tokens,
        allow_outside: args.allow_outside,
        mode: if args.stdout {
            ClaudeMdMode::Stdout
        } else if args.check {
            ClaudeMdMode::Check
        } else {
            ClaudeMdMode::Write
        },
    })
}
