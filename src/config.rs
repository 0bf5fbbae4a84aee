//! Flags plus `ctxbudget.toml` become one configuration per subcommand.
//! Flags win over the file, the file over defaults. No clap type goes past
//! this module; every stage takes its own small options struct.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::budget::{Flag, Limits};
use crate::cli::check::{CheckArgs, CheckFormat};
use crate::cli::claude_md::ClaudeMdArgs;
use crate::cli::common::{InputArgs, TokenizerArg};
use crate::cli::refs::{RefsArgs, RefsFormat};
use crate::cli::scan::{Format as FormatArg, ScanArgs};
use crate::cli::sessions::{SessionsArgs, SessionsFormat};
use crate::cli::{Cli, ColorChoice};
use crate::error::Error;
use crate::report::refs::RefsStyle;
use crate::report::{Format, Output};
use crate::tokenize::{DEFAULT_CLAUDE_FACTOR, TokenizerKind};
use crate::walk::WalkOptions;

/// The config file looked for at the scanned root.
pub const CONFIG_FILE: &str = "ctxbudget.toml";

/// Files larger than this are skipped unless the limit is raised.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 100 << 20;

/// How many entries the top lists show by default.
pub const DEFAULT_TOP: usize = 15;

/// Everything `scan` needs, decided once.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// Name files from the project root (the nearest ancestor holding
    /// `.git`) rather than from the scanned path, so references and deny
    /// rules paste into the project as they are (`scan` only).
    pub project_relative: bool,
    /// The paths to scan, as given.
    pub paths: Vec<PathBuf>,
    /// How to walk them.
    pub walk: WalkOptions,
    /// The include and exclude globs, compiled.
    pub filter: std::sync::Arc<crate::walk::Filter>,
    /// Which tokenizer counts.
    pub tokenizer: TokenizerKind,
    /// The Claude estimate's factor over cl100k.
    pub claude_factor: f64,
    /// Thresholds behind the flags.
    pub limits: Limits,
    /// Files above this many bytes are skipped.
    pub max_file_bytes: u64,
    /// Exit 1 when a file has one of these.
    pub fail_on: Vec<Flag>,
    /// How to print.
    pub output: Output,
    /// Whether a progress bar may be shown (it still needs a terminal).
    pub progress: bool,
    /// Debug: list the walk and stop.
    pub dump_files: bool,
    /// Debug: print one file's spans and stop.
    pub dump_spans: Option<PathBuf>,
    /// Parse files for symbol spans.
    pub symbols: bool,
    /// Bounds on parsing one file.
    pub parse: crate::syntax::ParseLimits,
    /// Where counts and spans are remembered between runs (`None`: off).
    pub cache_dir: Option<PathBuf>,
}

/// The file's shape. Unknown keys are errors that list the allowed ones.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    tokenizer: Option<TokenizerKind>,
    claude_factor: Option<Spanned<f64>>,
    window: Option<Spanned<i64>>,
    #[serde(default)]
    scan: ScanSection,
    #[serde(default)]
    check: CheckSection,
    #[serde(default)]
    claude_md: ClaudeMdSection,
    #[serde(default)]
    sessions: SessionsSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionsSection {
    transcripts: Option<PathBuf>,
    whole_read_tokens: Option<Spanned<i64>>,
    top: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaudeMdSection {
    budget: Option<Spanned<i64>>,
    file: Option<PathBuf>,
    expensive_tokens: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckSection {
    max_tokens: Option<Spanned<i64>>,
    max_file_chars: Option<Spanned<i64>>,
    max_file_lines: Option<Spanned<i64>>,
    strict: Option<bool>,
    user: Option<bool>,
    file_overhead_tokens: Option<Spanned<i64>>,
    max_import_hops: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanSection {
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    max_file_size: Option<Spanned<SizeValue>>,
    #[serde(default)]
    fail_on: Vec<Spanned<String>>,
    read_limit: Option<Spanned<i64>>,
    line_limit: Option<Spanned<i64>>,
    large_percent: Option<Spanned<f64>>,
    minified_line_chars: Option<Spanned<i64>>,
    minified_average_chars: Option<Spanned<i64>>,
    #[serde(default)]
    generated_markers: Vec<String>,
    #[serde(default)]
    disabled_generated_markers: Vec<Spanned<String>>,
    #[serde(default)]
    not_generated: Vec<String>,
    advice_tokens: Option<Spanned<i64>>,
    #[serde(default)]
    lockfiles: Vec<String>,
    data_file_tokens: Option<Spanned<i64>>,
    top: Option<Spanned<i64>>,
    large_symbol_tokens: Option<Spanned<i64>>,
    max_parse_bytes: Option<Spanned<i64>>,
    parse_timeout_ms: Option<Spanned<i64>>,
    symbols: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum SizeValue {
    Bytes(i64),
    Text(String),
}

/// Reads and checks a config file's text. `path` is only for messages.
fn parse_file(path: &Path, text: &str) -> Result<FileConfig, Error> {
    toml::from_str(text).map_err(|e| Error::Config {
        path: path.to_path_buf(),
        message: e.to_string().trim_end().to_string(),
    })
}

/// A value error naming the key, its line and what is allowed.
fn bad_value(
    path: &Path,
    text: &str,
    key: &str,
    span: std::ops::Range<usize>,
    allowed: &str,
) -> Error {
    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
    Error::Config {
        path: path.to_path_buf(),
        message: format!("line {line}: `{key}` = {}: {allowed}", text[span].trim()),
    }
}

/// Where the config file is: `--config`, else `ctxbudget.toml` at the root.
fn config_path(explicit: Option<&Path>, paths: &[PathBuf]) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    let root = match paths {
        [one] if one.is_dir() => one.clone(),
        [one] => one.parent().map(Path::to_path_buf).unwrap_or_default(),
        _ => PathBuf::from("."),
    };
    let candidate = root.join(CONFIG_FILE);
    candidate.is_file().then_some(candidate)
}

/// Everything `refs` needs, decided once.
#[derive(Debug, Clone)]
pub struct RefsConfig {
    /// How to walk, count and parse the project (its one path is the root).
    pub scan: ScanConfig,
    /// The queries, as given.
    pub queries: Vec<String>,
    /// How to print.
    pub style: RefsStyle,
    /// Color the human output.
    pub color: bool,
    /// Results per query (`None`: all).
    pub limit: Option<usize>,
    /// Candidates per query when choosing under a budget.
    pub pool: usize,
    /// The token budget for the chosen set.
    pub budget: Option<u64>,
}

/// References shown per query by default.
pub const DEFAULT_REFS_LIMIT: usize = 10;

/// Candidates per query that `--budget` chooses among.
pub const BUDGET_POOL: usize = 100;

/// Builds the `refs` configuration from the parsed command line.
pub fn refs(cli: &Cli, args: &RefsArgs) -> Result<RefsConfig, Error> {
    let paths = [args.root.clone()];
    let loaded = Loaded::read(args.input.count.config.as_deref(), &paths)?;
    let mut scan = input(cli, &args.input, &paths, None, &loaded)?;
    // References need symbols, whatever the scan settings say.
    scan.symbols = true;
    if args.budget == Some(0) {
        return Err(Error::Usage(
            "--budget must be a positive number of tokens".into(),
        ));
    }
    // Queries are bounded so a run is: each costs a pass over the index.
    if args.queries.len() > MAX_QUERIES {
        return Err(Error::Usage(format!(
            "{} queries: refs takes at most {MAX_QUERIES} at once\nhint: split them over several runs",
            args.queries.len()
        )));
    }
    if let Some(long) = args
        .queries
        .iter()
        .find(|q| q.len() > MAX_QUERY_BYTES || q.split_whitespace().count() > MAX_QUERY_WORDS)
    {
        return Err(Error::Usage(format!(
            "a query of {} bytes and {} words: each query may have at most {MAX_QUERY_WORDS} words and {MAX_QUERY_BYTES} bytes\nhint: name what you look for in a few words",
            long.len(),
            long.split_whitespace().count()
        )));
    }
    let limit = match args.limit {
        Some(0) => None,
        Some(n) => Some(n),
        None if args.budget.is_some() => None,
        None => Some(DEFAULT_REFS_LIMIT),
    };
    Ok(RefsConfig {
        scan,
        queries: args.queries.clone(),
        style: match args.format {
            _ if args.plain => RefsStyle::Plain,
            RefsFormat::Human => RefsStyle::Human,
            RefsFormat::Plain => RefsStyle::Plain,
            RefsFormat::Json => RefsStyle::Json,
        },
        color: use_color(cli.color),
        limit,
        pool: BUDGET_POOL,
        budget: args.budget,
    })
}

/// What `claude-md` does with the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaudeMdMode {
    /// Write it into the file.
    Write,
    /// Print it; write nothing.
    Stdout,
    /// Compare it with the file's; write nothing.
    Check,
}

/// Everything `claude-md` needs, decided once.
#[derive(Debug, Clone)]
pub struct ClaudeMdConfig {
    /// How to walk, count and parse the project (its one path is the root).
    pub scan: ScanConfig,
    /// The memory file the block goes in.
    pub file: PathBuf,
    /// Most tokens the block may cost.
    pub budget: u64,
    /// Read cost from which a file is listed as one not to read whole.
    pub expensive_tokens: u64,
    /// Write, print or check.
    pub mode: ClaudeMdMode,
    /// `--allow-outside`: the user accepts a `--file` outside the project.
    pub allow_outside: bool,
}

/// Builds the `claude-md` configuration from the parsed command line.
pub fn claude_md(cli: &Cli, args: &ClaudeMdArgs) -> Result<ClaudeMdConfig, Error> {
    let paths = [args.root.clone()];
    let loaded = Loaded::read(args.input.count.config.as_deref(), &paths)?;
    let mut scan = input(cli, &args.input, &paths, None, &loaded)?;
    // The most used symbols need symbols, whatever the scan settings say.
    scan.symbols = true;
    let section = &loaded.file.claude_md;
    let budget = match args.budget {
        Some(0) => {
            return Err(Error::Usage(
                "--budget must be a positive number of tokens".into(),
            ));
        }
        Some(n) => n,
        None => loaded
            .positive("claude_md.budget", &section.budget)?
            .unwrap_or(crate::suggest::claude_md::DEFAULT_BUDGET),
    };
    let expensive_tokens = loaded
        .positive("claude_md.expensive_tokens", &section.expensive_tokens)?
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
        scan,
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

/// Everything `sessions` needs, decided once.
#[derive(Debug, Clone)]
pub struct SessionsConfig {
    /// The project (its one path), the tokenizer, threads and the cache
    /// for pricing the files sessions read.
    pub scan: ScanConfig,
    /// Where the transcripts are.
    pub transcripts: PathBuf,
    /// Records before this instant are left out.
    pub since: Option<crate::sessions::time::Millis>,
    /// Session id prefixes; empty for all.
    pub sessions: Vec<String>,
    /// Whole reads over this are listed with references to read instead.
    pub whole_read_tokens: u64,
    /// Files in the human report (`None`: all).
    pub top: Option<usize>,
    /// JSON instead of tables.
    pub json: bool,
    /// Color the tables.
    pub color: bool,
}

/// Whole reads over this many tokens get references to read instead.
pub const DEFAULT_WHOLE_READ_TOKENS: u64 = 5_000;

/// Builds the `sessions` configuration from the parsed command line.
pub fn sessions(cli: &Cli, args: &SessionsArgs) -> Result<SessionsConfig, Error> {
    let paths = [args.root.clone()];
    let loaded = Loaded::read(args.count.config.as_deref(), &paths)?;
    // No walk: only the files sessions read are priced.
    let input_args = InputArgs {
        count: args.count.clone(),
        ..InputArgs::default()
    };
    let mut scan = input(cli, &input_args, &paths, None, &loaded)?;
    scan.symbols = true;
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
        None => loaded
            .positive("sessions.whole_read_tokens", &section.whole_read_tokens)?
            .unwrap_or(DEFAULT_WHOLE_READ_TOKENS),
    };
    let top = match args.top {
        Some(n) => n,
        None => match &section.top {
            Some(value) if *value.get_ref() == 0 => 0,
            _ => loaded
                .positive("sessions.top", &section.top)?
                .map_or(DEFAULT_TOP, |n| n as usize),
        },
    };
    Ok(SessionsConfig {
        scan,
        transcripts,
        since,
        sessions: args.session.clone(),
        whole_read_tokens,
        top: (top > 0).then_some(top),
        json: args.format == SessionsFormat::Json,
        color: use_color(cli.color),
    })
}

/// `$CLAUDE_CONFIG_DIR/projects`, else `~/.claude/projects`.
fn default_transcripts() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CLAUDE_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("projects"));
    }
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    Some(PathBuf::from(home).join(".claude").join("projects"))
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

/// Most queries one `refs` run takes.
const MAX_QUERIES: usize = 256;
/// Most words in one query.
const MAX_QUERY_WORDS: usize = 64;
/// Most bytes in one query.
const MAX_QUERY_BYTES: usize = 1024;

/// A config file larger than this is refused.
const CONFIG_BYTES: u64 = 1 << 20;

/// Most import hops `check.max_import_hops` may ask for.
const MAX_IMPORT_HOPS: usize = 64;

/// Most worker threads `-j` may ask for: more only costs memory and time.
const MAX_THREADS: usize = 256;

/// A config file read and parsed (or the defaults when there is none),
/// with what its error messages need.
struct Loaded {
    file: FileConfig,
    text: String,
    path: PathBuf,
}

impl Loaded {
    /// Reads `--config`, else `ctxbudget.toml` at the root of `paths`.
    fn read(explicit: Option<&Path>, paths: &[PathBuf]) -> Result<Loaded, Error> {
        let Some(path) = config_path(explicit, paths) else {
            return Ok(Loaded {
                file: FileConfig::default(),
                text: String::new(),
                path: PathBuf::from(CONFIG_FILE),
            });
        };
        let text = crate::fsio::read_bounded(&path, CONFIG_BYTES)
            .map_err(|e| e.message())
            .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "it is not UTF-8".to_string()))
            .map_err(|why| Error::Config {
                path: path.clone(),
                message: format!("cannot read it: {why}"),
            })?;
        Ok(Loaded {
            file: parse_file(&path, &text)?,
            text,
            path,
        })
    }

    fn positive(&self, key: &str, value: &Option<Spanned<i64>>) -> Result<Option<u64>, Error> {
        match value {
            Some(v) if *v.get_ref() > 0 => Ok(Some(*v.get_ref() as u64)),
            Some(v) => Err(self.bad(key, v.span(), "must be a positive integer")),
            None => Ok(None),
        }
    }

    fn positive_float(
        &self,
        key: &str,
        value: &Option<Spanned<f64>>,
        max: f64,
    ) -> Result<Option<f64>, Error> {
        match value {
            Some(v) if v.get_ref().is_finite() && *v.get_ref() > 0.0 && *v.get_ref() <= max => {
                Ok(Some(*v.get_ref()))
            }
            Some(v) => Err(self.bad(
                key,
                v.span(),
                &format!("must be a number above 0 and at most {max}"),
            )),
            None => Ok(None),
        }
    }

    fn bad(&self, key: &str, span: std::ops::Range<usize>, allowed: &str) -> Error {
        bad_value(&self.path, &self.text, key, span, allowed)
    }
}

/// Builds the scan configuration from the parsed command line.
pub fn scan(cli: &Cli, args: &ScanArgs) -> Result<ScanConfig, Error> {
    let loaded = Loaded::read(args.input.count.config.as_deref(), &args.paths)?;
    let mut config = input(cli, &args.input, &args.paths, args.window, &loaded)?;
    let section = &loaded.file.scan;
    config.project_relative = true;

    for name in &section.fail_on {
        let flag = Flag::from_name(name.get_ref()).ok_or_else(|| {
            let allowed: Vec<&str> = Flag::ALL.iter().map(|f| f.name()).collect();
            loaded.bad(
                "scan.fail_on",
                name.span(),
                &format!("unknown flag; allowed: {}", allowed.join(", ")),
            )
        })?;
        config.fail_on.push(flag);
    }
    for name in &args.fail_on {
        // clap already restricted the names.
        config.fail_on.extend(Flag::from_name(name));
    }
    config.fail_on.sort();
    config.fail_on.dedup();

    config.output.top = match args.top {
        Some(top) => top,
        None => loaded
            .positive("scan.top", &section.top)?
            .map_or(DEFAULT_TOP, |v| v as usize),
    };
    if !(args.min_share.is_finite() && (0.0..=100.0).contains(&args.min_share)) {
        return Err(Error::Usage(format!(
            "--min-share {} is out of range: use a percentage from 0 to 100",
            args.min_share
        )));
    }
    config.output.format = match args.format {
        FormatArg::Human => Format::Human,
        FormatArg::Json => Format::Json,
        FormatArg::Markdown => Format::Markdown,
    };
    config.output.tree = args.tree;
    config.output.min_share = args.min_share;
    config.dump_files = args.dump_files;
    config.dump_spans = args.dump_spans.clone();
    config.symbols = !args.no_symbols && section.symbols.unwrap_or(true);
    Ok(config)
}

/// The tokenizer and Claude factor: flags, then the file, then defaults.
fn choose_tokenizer(
    kind: Option<TokenizerArg>,
    factor: Option<f64>,
    loaded: &Loaded,
) -> Result<(TokenizerKind, f64), Error> {
    let tokenizer = match kind {
        Some(TokenizerArg::Claude) => TokenizerKind::Claude,
        Some(TokenizerArg::Cl100k) => TokenizerKind::Cl100k,
        Some(TokenizerArg::O200k) => TokenizerKind::O200k,
        None => loaded.file.tokenizer.unwrap_or(TokenizerKind::Claude),
    };
    let claude_factor = match factor {
        Some(f) if f.is_finite() && f > 0.0 && f <= 10.0 => f,
        Some(f) => {
            return Err(Error::Usage(format!(
                "--claude-factor {f} is out of range: use a number above 0 and at most 10 (default {DEFAULT_CLAUDE_FACTOR})"
            )));
        }
        None => loaded
            .positive_float("claude_factor", &loaded.file.claude_factor, 10.0)?
            .unwrap_or(DEFAULT_CLAUDE_FACTOR),
    };
    Ok((tokenizer, claude_factor))
}

/// Everything `check` needs, decided once.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// Where and how far to look.
    pub memory: crate::memory::Options,
    /// Changed files; empty to check unconditionally.
    pub files: Vec<PathBuf>,
    /// Which tokenizer counts.
    pub tokenizer: TokenizerKind,
    /// The Claude estimate's factor over cl100k.
    pub claude_factor: f64,
    /// The budgets.
    pub budget: crate::report::check::Budget,
    /// Tokens added per loaded file for the line that introduces it.
    pub file_overhead: u64,
    /// JSON instead of the human report.
    pub json: bool,
    /// Sections listed per file.
    pub sections: usize,
    /// Color the human report.
    pub color: bool,
}

/// Claude Code warns about a memory file over this many characters.
pub const DEFAULT_MAX_FILE_CHARS: u64 = 40_000;
/// Claude Code's docs advise memory files under this many lines.
pub const DEFAULT_MAX_FILE_LINES: u64 = 200;
/// Tokens of the line that introduces each loaded memory file.
pub const DEFAULT_FILE_OVERHEAD: u64 = 20;

/// Builds the `check` configuration from the parsed command line.
pub fn check(cli: &Cli, args: &CheckArgs) -> Result<CheckConfig, Error> {
    let paths = [args.root.clone()];
    let loaded = Loaded::read(args.config.as_deref(), &paths)?;
    let (tokenizer, claude_factor) = choose_tokenizer(args.tokenizer, args.claude_factor, &loaded)?;
    let section = &loaded.file.check;
    let flag = |name: &str, value: Option<u64>| -> Result<Option<u64>, Error> {
        match value {
            Some(0) => Err(Error::Usage(format!("--{name} must be positive"))),
            other => Ok(other),
        }
    };
    let max_tokens = match flag("max-tokens", args.max_tokens)? {
        Some(v) => Some(v),
        None => loaded.positive("check.max_tokens", &section.max_tokens)?,
    };
    let max_file_chars = match flag("max-file-chars", args.max_file_chars)? {
        Some(v) => v,
        None => loaded
            .positive("check.max_file_chars", &section.max_file_chars)?
            .unwrap_or(DEFAULT_MAX_FILE_CHARS),
    };
    let max_file_lines = match flag("max-file-lines", args.max_file_lines)? {
        Some(v) => v,
        None => loaded
            .positive("check.max_file_lines", &section.max_file_lines)?
            .unwrap_or(DEFAULT_MAX_FILE_LINES),
    };
    let file_overhead = match &section.file_overhead_tokens {
        Some(v) if *v.get_ref() >= 0 => *v.get_ref() as u64,
        Some(v) => {
            return Err(loaded.bad(
                "check.file_overhead_tokens",
                v.span(),
                "must be zero or a positive integer",
            ));
        }
        None => DEFAULT_FILE_OVERHEAD,
    };
    let max_hops = match &section.max_import_hops {
        Some(v) if *v.get_ref() > MAX_IMPORT_HOPS as i64 => {
            return Err(loaded.bad(
                "check.max_import_hops",
                v.span(),
                &format!("must be at most {MAX_IMPORT_HOPS} (Claude Code follows 4)"),
            ));
        }
        _ => loaded
            .positive("check.max_import_hops", &section.max_import_hops)?
            .map_or(crate::memory::MAX_HOPS, |v| v as usize),
    };
    Ok(CheckConfig {
        memory: crate::memory::Options {
            project: args.root.clone(),
            user: args.user || section.user.unwrap_or(false),
            home: std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from),
            max_hops,
            max_bytes: crate::memory::MAX_BYTES,
        },
        files: args.files.clone(),
        tokenizer,
        claude_factor,
        budget: crate::report::check::Budget {
            max_tokens,
            max_file_chars,
            max_file_lines,
            strict: args.strict || section.strict.unwrap_or(false),
        },
        file_overhead,
        json: args.format == CheckFormat::Json,
        sections: args.sections,
        color: use_color(cli.color),
    })
}

/// What every command that walks and prices a repository shares: the walk,
/// the tokenizer, the limits, parsing and the cache. Output settings are
/// the scan report's defaults; each command sets its own.
fn input(
    cli: &Cli,
    args: &InputArgs,
    paths: &[PathBuf],
    window: Option<u64>,
    loaded: &Loaded,
) -> Result<ScanConfig, Error> {
    let file = &loaded.file;
    let section = &file.scan;
    let (tokenizer, claude_factor) =
        choose_tokenizer(args.count.tokenizer, args.count.claude_factor, loaded)?;
    let mut limits = Limits::default();
    if let Some(window) = window.filter(|w| *w > 0) {
        limits.window = window;
    } else if window == Some(0) {
        return Err(Error::Usage(
            "--window must be a positive number of tokens".into(),
        ));
    } else if let Some(window) = loaded.positive("window", &file.window)? {
        limits.window = window;
    }
    if let Some(v) = loaded.positive("scan.read_limit", &section.read_limit)? {
        limits.read_tokens = v;
    }
    if let Some(v) = loaded.positive("scan.line_limit", &section.line_limit)? {
        limits.lines = v;
    }
    if let Some(v) = loaded.positive_float("scan.large_percent", &section.large_percent, 100.0)? {
        limits.large_percent = v;
    }
    if let Some(v) = loaded.positive("scan.minified_line_chars", &section.minified_line_chars)? {
        limits.minified_line_chars = v;
    }
    if let Some(v) = loaded.positive(
        "scan.minified_average_chars",
        &section.minified_average_chars,
    )? {
        limits.minified_average_chars = v;
    }
    if let Some(v) = loaded.positive("scan.data_file_tokens", &section.data_file_tokens)? {
        limits.data_file_tokens = v;
    }
    if let Some(v) = loaded.positive("scan.large_symbol_tokens", &section.large_symbol_tokens)? {
        limits.symbol_tokens = v;
    }
    let mut parse = crate::syntax::ParseLimits::default();
    if let Some(v) = loaded.positive("scan.max_parse_bytes", &section.max_parse_bytes)? {
        parse.max_bytes = v;
    }
    if let Some(v) = loaded.positive("scan.parse_timeout_ms", &section.parse_timeout_ms)? {
        parse.timeout = std::time::Duration::from_millis(v);
    }
    limits
        .generated_markers
        .extend(section.generated_markers.iter().map(|m| m.to_lowercase()));
    for name in &section.disabled_generated_markers {
        if !crate::budget::generated::BUILTIN.contains(&name.get_ref().as_str()) {
            return Err(loaded.bad(
                "scan.disabled_generated_markers",
                name.span(),
                &format!(
                    "names no built-in marker; use one of {}",
                    crate::budget::generated::BUILTIN.join(", ")
                ),
            ));
        }
        limits
            .disabled_generated_markers
            .push(name.get_ref().clone());
    }
    let mut not_generated = globset::GlobSetBuilder::new();
    for glob in &section.not_generated {
        let pattern = glob.trim_start_matches("./");
        let built = globset::GlobBuilder::new(pattern)
            .literal_separator(pattern.contains('/'))
            .build()
            .map_err(|e| Error::Config {
                path: loaded.path.clone(),
                message: format!("scan.not_generated: {e}"),
            })?;
        not_generated.add(built);
        if !pattern.contains('/') {
            // A glob without `/` matches a name at any depth.
            if let Ok(deep) = globset::Glob::new(&format!("**/{pattern}")) {
                not_generated.add(deep);
            }
        }
    }
    limits.not_generated = not_generated.build().map_err(|e| Error::Config {
        path: loaded.path.clone(),
        message: format!("scan.not_generated: {e}"),
    })?;
    if let Some(v) = loaded.positive("scan.advice_tokens", &section.advice_tokens)? {
        limits.advice_tokens = v;
    }
    limits.lockfiles.extend(section.lockfiles.iter().cloned());

    let max_file_bytes = match (args.max_file_size, &section.max_file_size) {
        (Some(bytes), _) => bytes,
        (None, Some(value)) => {
            let parsed = match value.get_ref() {
                SizeValue::Bytes(n) if *n > 0 => Ok(*n as u64),
                SizeValue::Bytes(_) => Err("must be positive".to_string()),
                SizeValue::Text(s) => crate::cli::common::parse_size(s),
            };
            parsed.map_err(|why| {
                loaded.bad(
                    "scan.max_file_size",
                    value.span(),
                    &format!("{why} (bytes, or a string like \"100M\")"),
                )
            })?
        }
        (None, None) => DEFAULT_MAX_FILE_BYTES,
    };

    let mut include = section.include.clone();
    include.extend(args.include.iter().cloned());
    let mut exclude = section.exclude.clone();
    exclude.extend(args.exclude.iter().cloned());
    let walk = WalkOptions {
        no_ignore: args.no_ignore,
        follow: args.follow,
        include,
        exclude,
        threads: match args.count.threads {
            Some(n) if n > MAX_THREADS => {
                return Err(Error::Usage(format!(
                    "-j {n} is more worker threads than ctxbudget runs (at most {MAX_THREADS})\nhint: leave -j out for one per core"
                )));
            }
            n => n.unwrap_or(0),
        },
    };
    let filter = crate::walk::Filter::new(&walk).map_err(Error::Usage)?;

    Ok(ScanConfig {
        project_relative: false,
        paths: paths.to_vec(),
        walk,
        filter: std::sync::Arc::new(filter),
        tokenizer,
        claude_factor,
        limits,
        max_file_bytes,
        fail_on: Vec::new(),
        output: Output {
            format: Format::Human,
            tree: false,
            min_share: 0.0,
            top: DEFAULT_TOP,
            color: use_color(cli.color),
            width: output_width(),
        },
        progress: !args.count.no_progress,
        dump_files: false,
        dump_spans: None,
        symbols: section.symbols.unwrap_or(true),
        parse,
        cache_dir: if args.count.no_cache {
            None
        } else {
            crate::cache::default_dir()
        },
    })
}

/// The columns human output must fit: `COLUMNS` when set, else the width
/// of the terminal stdout is; `None` (no limit) when piped.
pub fn output_width() -> Option<usize> {
    use std::io::IsTerminal;
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
    {
        return Some(columns.max(40));
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| usize::from(w.0).max(40))
}

/// Whether to color stdout: `--color`, then `NO_COLOR`, then whether stdout
/// is a terminal.
pub fn use_color(choice: ColorChoice) -> bool {
    use std::io::IsTerminal;
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_name_the_key_the_line_and_the_allowed_ones() {
        let text = "tokenizer = \"cl100k\"\n[scan]\nread_limt = 5\n";
        let error = parse_file(Path::new("ctxbudget.toml"), text).expect_err("typo");
        let message = error.to_string();
        assert!(message.contains("line 3"), "{message}");
        assert!(message.contains("read_limt"), "{message}");
        assert!(message.contains("read_limit"), "{message}");
    }

    #[test]
    fn bad_enum_values_list_what_is_allowed() {
        let error = parse_file(Path::new("c.toml"), "tokenizer = \"gpt2\"\n").expect_err("bad");
        let message = error.to_string();
        assert!(
            message.contains("gpt2") && message.contains("cl100k"),
            "{message}"
        );
    }
}
