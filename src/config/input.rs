//! What every front end that walks and prices a repository shares: the
//! walk, the tokenizer, the limits, parsing, the cache and threads.

use std::path::PathBuf;

use super::file::{Loaded, SizeValue};
use crate::budget::Limits;
use crate::cli::common::{InputArgs, TokenizerArg};
use crate::error::Error;
use crate::tokenize::{DEFAULT_CLAUDE_FACTOR, TokenizerKind};
use crate::walk::WalkOptions;

/// Files larger than this are skipped unless the limit is raised.
pub(crate) const DEFAULT_MAX_FILE_BYTES: u64 = 100 << 20;

/// Most worker threads `-j` may ask for: more only costs memory and time.
const MAX_THREADS: usize = 256;

/// How to find, read, count, judge and parse a repository's files.
#[derive(Debug, Clone)]
pub(crate) struct InputConfig {
    /// Name files from the project root (the nearest ancestor holding
    /// `.git`) rather than from the scanned path, so references and deny
    /// rules paste into the project as they are (`scan` only).
    pub(crate) project_relative: bool,
    /// The paths to price, as given.
    pub(crate) paths: Vec<PathBuf>,
    /// How to walk them.
    pub(crate) walk: WalkOptions,
    /// The include and exclude globs, compiled.
    pub(crate) filter: std::sync::Arc<crate::walk::Filter>,
    /// Which tokenizer counts.
    pub(crate) tokenizer: TokenizerKind,
    /// The Claude estimate's factor over cl100k.
    pub(crate) claude_factor: f64,
    /// Thresholds behind the flags.
    pub(crate) limits: Limits,
    /// Files above this many bytes are skipped.
    pub(crate) max_file_bytes: u64,
    /// Whether a progress bar may be shown (it still needs a terminal).
    pub(crate) progress: bool,
    /// Parse files for symbol spans.
    pub(crate) symbols: bool,
    /// Bounds on parsing one file.
    pub(crate) parse: crate::syntax::ParseLimits,
    /// Where counts and spans are remembered between runs (`None`: off).
    pub(crate) cache_dir: Option<PathBuf>,
}

/// What every command that walks and prices a repository shares: the walk,
/// the tokenizer, the limits, parsing and the cache. Output settings are
/// the scan report's defaults; each command sets its own.
pub(super) fn build(
    args: &InputArgs,
    paths: &[PathBuf],
    window: Option<u64>,
    loaded: &Loaded,
) -> Result<InputConfig, Error> {
    let file = &loaded.file;
    let section = &file.scan;
    let (tokenizer, claude_factor) = choose_tokenizer(
        args.count.tokenizer,
        args.count.claude_factor,
        args.count.model.as_deref(),
        loaded,
    )?;
    let mut limits = Limits::default();
    if let Some(window) = window.filter(|w| *w > 0) {
        limits.window = window;
    } else if window == Some(0) {
        return Err(Error::Usage(
            "--window must be a positive number of tokens".into(),
        ));
    } else if let Some(window) = file.window.map(|v| v.0) {
        limits.window = window;
    }
    if let Some(v) = section.read_limit.map(|v| v.0) {
        limits.read_tokens = v;
    }
    if let Some(v) = section.line_limit.map(|v| v.0) {
        limits.lines = v;
    }
    if let Some(v) = section.large_percent.map(|v| v.0) {
        limits.large_percent = v;
    }
    if let Some(v) = section.minified_line_chars.map(|v| v.0) {
        limits.minified_line_chars = v;
    }
    if let Some(v) = section.minified_average_chars.map(|v| v.0) {
        limits.minified_average_chars = v;
    }
    if let Some(v) = section.data_file_tokens.map(|v| v.0) {
        limits.data_file_tokens = v;
    }
    if let Some(v) = section.large_symbol_tokens.map(|v| v.0) {
        limits.symbol_tokens = v;
    }
    let mut parse = crate::syntax::ParseLimits::default();
    if let Some(v) = section.max_parse_bytes.map(|v| v.0) {
        parse.max_bytes = v;
    }
    if let Some(v) = section.parse_timeout_ms.map(|v| v.0) {
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
    limits.not_generated_globs = section.not_generated.clone();
    limits.not_generated = not_generated.build().map_err(|e| Error::Config {
        path: loaded.path.clone(),
        message: format!("scan.not_generated: {e}"),
    })?;
    if let Some(v) = section.advice_tokens.map(|v| v.0) {
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

    Ok(InputConfig {
        project_relative: false,
        paths: paths.to_vec(),
        walk,
        filter: std::sync::Arc::new(filter),
        tokenizer,
        claude_factor,
        limits,
        max_file_bytes,
        progress: !args.count.no_progress,
        symbols: section.symbols.unwrap_or(true),
        parse,
        cache_dir: if args.count.no_cache {
            None
        } else {
            crate::cache::default_dir()
        },
    })
}

/// The input of a front end that prices single files of the project at
/// `root` on request (the hook, the MCP server): its ctxbudget.toml, the
/// tokenizer flags given, symbols on, no progress bar.
pub(super) fn for_root(
    root: &std::path::Path,
    tokenizer: Option<TokenizerArg>,
    no_cache: bool,
) -> Result<(Loaded, InputConfig), Error> {
    let paths = [root.to_path_buf()];
    let loaded = Loaded::read(None, &paths)?;
    let args = InputArgs {
        count: crate::cli::common::CountArgs {
            tokenizer,
            no_cache,
            no_progress: true,
            ..Default::default()
        },
        ..InputArgs::default()
    };
    let mut input = build(&args, &paths, None, &loaded)?;
    input.symbols = true;
    input.progress = false;
    Ok((loaded, input))
}

/// The tokenizer and Claude factor: `--claude-factor`, then the file's
/// `[claude_factors]` entry for the model (`--model`, else the file's
/// `model`; the longest key the model's id starts with), then the file's
/// `claude_factor`, then the model family's default, then the default.
pub(super) fn choose_tokenizer(
    kind: Option<TokenizerArg>,
    factor: Option<f64>,
    model: Option<&str>,
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
        None => {
            let file = &loaded.file;
            let model = model.or(file.model.as_deref());
            let measured = model.and_then(|model| {
                file.claude_factors
                    .iter()
                    .filter(|(key, _)| model.starts_with(key.as_str()))
                    .max_by_key(|(key, _)| key.len())
                    .map(|(_, v)| v.0)
            });
            measured
                .or(file.claude_factor.map(|v| v.0))
                .or_else(|| model.and_then(crate::tokenize::family_factor))
                .unwrap_or(DEFAULT_CLAUDE_FACTOR)
        }
    };
    Ok((tokenizer, claude_factor))
}
