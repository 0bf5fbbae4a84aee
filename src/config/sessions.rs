//! `sessions`'s configuration: where transcripts are, which to read, and
//! the input used to price the files they read.

use std::path::{Path, PathBuf};

use super::file::Loaded;
use crate::cli::Cli;
use crate::cli::common::InputArgs;
use crate::cli::sessions::{SessionsArgs, SessionsFormat};
use crate::error::Error;

use super::input::InputConfig;

/// Everything `sessions` needs, decided once.
#[derive(Debug, Clone)]
pub(crate) struct SessionsConfig {
    /// The project (its one path), the tokenizer, threads and the cache
    /// for pricing the files sessions read.
    pub(crate) input: InputConfig,
    /// Where the transcripts are.
    pub(crate) transcripts: PathBuf,
    /// Records before this instant are left out.
    pub(crate) since: Option<crate::sessions::time::Millis>,
    /// Session id prefixes; empty for all.
    pub(crate) sessions: Vec<String>,
    /// Whole reads over this are listed with references to read instead.
    pub(crate) whole_read_tokens: u64,
    /// Files in the human report (`None`: all).
    pub(crate) top: Option<usize>,
    /// JSON instead of tables.
    pub(crate) json: bool,
    /// Color the tables.
    pub(crate) color: bool,
    /// Columns human output must fit (`None`: piped, no limit).
    pub(crate) width: Option<usize>,
    /// Measure Claude's tokens per cl100k token instead of reporting.
    pub(crate) calibrate: bool,
    /// Read usage figures only.
    pub(crate) usage_only: bool,
    /// Store the measured factors in this file (the project's
    /// ctxbudget.toml).
    pub(crate) write: Option<PathBuf>,
}

/// Whole reads over this many tokens get references to read instead.
pub(crate) const DEFAULT_WHOLE_READ_TOKENS: u64 = 5_000;

/// Builds the `sessions` configuration from the parsed command line.
pub(crate) fn build(cli: &Cli, args: &SessionsArgs) -> Result<SessionsConfig, Error> {
    let paths = [args.root.clone()];
    let loaded = Loaded::read(args.count.config.as_deref(), &paths)?;
    // No walk: only the files sessions read are priced.
    let input_args = InputArgs {
        count: args.count.clone(),
        ..InputArgs::default()
    };
    let mut input = super::input::build(&input_args, &paths, None, &loaded)?;
    input.symbols = true;
    let section = &loaded.file.sessions;
    let transcripts = match (&args.transcripts, &section.transcripts) {
        (Some(dir), _) => dir.clone(),
        (None, Some(dir)) => expand_home(dir),
        (None, None) => default_transcripts().ok_or_else(|| {
            Error::Usage(
                "cannot tell where Claude Code keeps transcripts: HOME is not set\nhint: pass --transcripts DIR".into(),
            )
        })?,
    };
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let whole_read_tokens = match args.whole_read_tokens {
        Some(n) => n,
        None => section
            .whole_read_tokens
            .map(|v| v.0)
            .unwrap_or(DEFAULT_WHOLE_READ_TOKENS),
    };
    let top = match args.top {
        Some(n) => n,
        None => section
            .top
            .map_or(super::scan::DEFAULT_TOP, |n| n.0 as usize),
    };
    Ok(SessionsConfig {
        input,
        transcripts,
        since,
        sessions: args.session.clone(),
        whole_read_tokens,
        top: (top > 0).then_some(top),
        json: args.format == SessionsFormat::Json,
        color: super::use_color(cli.color),
        width: super::output_width(),
        calibrate: args.calibrate,
        usage_only: args.usage_only,
        write: args.write.then(|| args.root.join(super::file::CONFIG_FILE)),
    })
}

/// `$CLAUDE_CONFIG_DIR/projects`, else `~/.claude/projects`.
fn default_transcripts() -> Option<PathBuf> {
    Some(super::claude_config_dir()?.join("projects"))
}

/// `~/x` as `$HOME/x`; anything else unchanged.
fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_path_buf(),
    }
}

/// `--since`: a date or time (see [`crate::sessions::time::parse`]) or an
/// age counted back from now (`90m`, `12h`, `7d`, `2w`).
fn parse_since(text: &str) -> Result<crate::sessions::time::Millis, Error> {
    let bad = || {
        Error::Usage(format!(
            "--since {text:?} is neither a date nor an age\nhint: use 2026-11-01, 2026-11-01T09:00, or an age such as 12h, 7d, 2w"
        ))
    };
    if let Some(at) = crate::sessions::time::parse(text) {
        return Ok(at);
    }
    let text = text.trim();
    let Some(unit_at) = text.char_indices().last().map(|(at, _)| at) else {
        return Err(bad());
    };
    let (number, unit) = text.split_at(unit_at);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let minutes = match unit {
        "m" => 1,
        "h" => 60,
        "d" => 60 * 24,
        "w" => 60 * 24 * 7,
        _ => return Err(bad()),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    Ok(now.saturating_sub(n.saturating_mul(minutes).saturating_mul(60_000)))
}
