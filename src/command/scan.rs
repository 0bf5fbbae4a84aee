//! `ctxbudget scan`: walk -> read -> count -> judge -> roll up -> advise ->
//! report. Files are read and counted on the walk's worker threads; the
//! results are sorted afterwards, so output never depends on scheduling.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::budget::{self, Facts, Flag};
use crate::cache::{Cache, CachedSymbol, Entry, Key};
use crate::config::ScanConfig;
use crate::error::Error;
use crate::exit_code::ExitCode;
use crate::lang::{Kind, grammar};
use crate::report::progress::Progress;
use crate::report::{self, ClaudeIgnore, ScanReport, TokenizerInfo};
use crate::source::Source;
use crate::stats::SymbolStat;
use crate::stats::{self, FileStat, SkippedPath};
use crate::suggest::deny::{self, Candidate};
use crate::syntax::{self, NoSymbols, Span};
use crate::tokenize::Tokenizer;
use crate::walk::{self, Found};

/// The file Claude Code users often create, though nothing reads it.
pub const CLAUDEIGNORE: &str = ".claudeignore";

/// Runs a scan and writes its report to `out`; messages go to `err`.
pub fn run(
    config: &ScanConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, Error> {
    for path in &config.paths {
        super::require_readable(path, "scan")?;
    }
    let tokenizer = Tokenizer::new(config.tokenizer, config.claude_factor);
    if let Some(file) = &config.dump_spans {
        return dump_spans(file, config, &tokenizer, out);
    }
    let (files, skipped) = price(config, &tokenizer, |_, _| ());
    let files: Vec<FileStat> = files.into_iter().map(|(file, ())| file).collect();

    if config.dump_files {
        return dump(&files, &skipped, out).map_err(Error::Output);
    }

    let project = config
        .project_relative
        .then(|| project_prefixes(&config.paths))
        .flatten();
    let report = ScanReport {
        root: project
            .as_ref()
            .map_or_else(|| root_label(&config.paths), |p| p.label.clone()),
        scanned: project.as_ref().map(|_| {
            config
                .paths
                .iter()
                .map(|p| root_label(std::slice::from_ref(p)))
                .collect::<Vec<_>>()
                .join(" ")
        }),
        tokenizer: TokenizerInfo {
            kind: tokenizer.kind(),
            factor: tokenizer.factor(),
        },
        limits: config.limits.clone(),
        dirs: stats::directories(&files),
        totals: stats::totals(&files, &skipped),
        deny: deny::plan(&deny_candidates(&files, &config.limits)),
        claudeignore: claudeignore(&config.paths),
        files,
        skipped,
    };
    report::write_scan(&report, &config.output, out).map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;

    let failing: Vec<(Flag, usize)> = config
        .fail_on
        .iter()
        .map(|&flag| {
            let n = report
                .files
                .iter()
                .filter(|f| f.verdicts.iter().any(|v| v.flag == flag))
                .count();
            (flag, n)
        })
        .filter(|&(_, n)| n > 0)
        .collect();
    if failing.is_empty() {
        return Ok(ExitCode::Ok);
    }
    let list: Vec<String> = failing.iter().map(|(f, n)| format!("{f}: {n}")).collect();
    // A closed stderr must not turn a finding into a crash.
    let _ = writeln!(
        err,
        "ctxbudget: files carry flags named in --fail-on ({}); see the Flags section or --format json",
        list.join(", ")
    );
    Ok(ExitCode::Findings)
}

/// Walks every path and prices every file on the walk's threads; `also`
/// runs there too, on each priced file and its text (what other commands
/// index). Returns files and skips sorted by path, each path once.
pub fn price<T: Send>(
    config: &ScanConfig,
    tokenizer: &Tokenizer,
    also: impl Fn(&FileStat, &Source) -> T + Sync,
) -> (Vec<(FileStat, T)>, Vec<SkippedPath>) {
    let files = Mutex::new(Vec::new());
    let skipped = Mutex::new(Vec::new());
    let progress = Progress::new(config.progress);
    let bytes_done = AtomicU64::new(0);
    let several = config.paths.len() > 1;
    let cache = match &config.cache_dir {
        Some(dir) => Cache::open(dir, &config.paths),
        None => Cache::disabled(),
    };
    let project = config
        .project_relative
        .then(|| project_prefixes(&config.paths))
        .flatten();
    for (r, root) in config.paths.iter().enumerate() {
        let prefix = match &project {
            Some(project) => Some(project.prefixes[r].clone()),
            None => several.then(|| root_label(std::slice::from_ref(root))),
        };
        let is_file_root = root.is_file();
        let visit = |found: Found| {
            let (path, rel, symlink) = match found {
                Found::File { path, rel, symlink } => (path, rel, symlink),
                Found::Skipped { rel, skip } => {
                    let path = qualify(prefix.as_deref(), &rel, is_file_root);
                    lock(&skipped).push(SkippedPath { path, skip });
                    return;
                }
            };
            let rel = qualify(prefix.as_deref(), &rel, is_file_root);
            match crate::source::read(&path, config.max_file_bytes, symlink) {
                Ok(source) => {
                    let stat = price_file(rel, &source, config, tokenizer, &cache);
                    let extra = also(&stat, &source);
                    let total =
                        bytes_done.fetch_add(source.bytes, Ordering::Relaxed) + source.bytes;
                    progress.file_done(total);
                    lock(&files).push((stat, extra));
                }
                Err(skip) => lock(&skipped).push(SkippedPath { path: rel, skip }),
            }
        };
        walk::walk(root, &config.walk, &config.filter, visit);
    }
    progress.finish();
    cache.persist();
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut skipped = skipped.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    files.dedup_by(|a, b| a.0.path == b.0.path);
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    skipped.dedup_by(|a, b| a.path == b.path);
    (files, skipped)
}

/// Counts, judges and (unless turned off) finds the symbols of one file,
/// taking from the cache what it holds and storing what was computed.
pub fn price_file(
    rel: String,
    source: &Source,
    config: &ScanConfig,
    tokenizer: &Tokenizer,
    cache: &Cache,
) -> FileStat {
    let text = source.text.as_str();
    let shape = crate::source::shape(text);
    let language = crate::lang::detect(Path::new(&rel));
    // A minified file is not parsed: its `minified` flag already says why
    // nothing in it is worth a reference.
    let grammar = language
        .and_then(|l| l.grammar.as_deref())
        .filter(|_| config.symbols && !budget::is_minified(shape, &config.limits))
        .and_then(grammar::get);
    let key = Key::new(
        text.as_bytes(),
        tokenizer.kind().encoding(),
        config.parse.max_bytes,
    );
    let cached = cache.get(&key);
    let needs_symbols = grammar.is_some() && cached.as_ref().is_none_or(|e| e.symbols.is_none());
    // Files about to be parsed are counted by segments, which also price
    // every symbol without counting its lines again.
    let segments = needs_symbols.then(|| tokenizer.segments(text));
    let mut entry = cached.clone().unwrap_or_else(|| Entry {
        tokens: match &segments {
            Some(segments) => segments.total(),
            None => tokenizer.count(text),
        },
        read_tokens: tokenizer.count_as_read(text),
        symbols: None,
    });
    if let (Some(grammar), Some(segments)) = (grammar, &segments) {
        let (found, deterministic) = match grammar {
            Err(broken) => (Err(format!("grammar table error: {broken}")), true),
            Ok(grammar) => match syntax::spans(grammar, text, config.parse) {
                Ok(spans) => {
                    let tokens = stats::count_symbols(text, segments, &spans, tokenizer);
                    let symbols = spans
                        .into_iter()
                        .zip(tokens)
                        .map(|(span, tokens)| CachedSymbol {
                            name: span.name,
                            qualified_name: span.qualified_name,
                            kind: span.kind,
                            start_line: span.start_line,
                            end_line: span.end_line,
                            tokens,
                        })
                        .collect();
                    (Ok(symbols), true)
                }
                // A timeout depends on the machine's load: never cached.
                Err(NoSymbols(why)) => {
                    let deterministic = !why_is_timeout(&why);
                    (Err(why), deterministic)
                }
            },
        };
        entry.symbols = Some(found);
        if deterministic {
            cache.put(&key, &entry);
        }
    } else if cached.is_none() {
        cache.put(&key, &entry);
    }

    let counts = stats::Counts {
        tokens: entry.tokens,
        read_tokens: entry.read_tokens,
    };
    let mut stat = stats::measure(rel, language, source, shape, counts, tokenizer);
    stat.verdicts = budget::judge(
        &Facts {
            rel: &stat.path,
            text,
            shape,
            tokens: stat.tokens,
            read_tokens: stat.read_tokens,
            lossy: source.lossy,
        },
        &config.limits,
    );
    let no_symbols = match (grammar.is_some(), &entry.symbols) {
        (true, Some(Ok(symbols))) => {
            stat.symbols = symbols
                .iter()
                .map(|s| SymbolStat {
                    span: Span {
                        name: s.name.clone(),
                        qualified_name: s.qualified_name.clone(),
                        kind: s.kind.clone(),
                        start_line: s.start_line,
                        end_line: s.end_line,
                    },
                    tokens: tokenizer.scale(s.tokens),
                })
                .collect();
            None
        }
        (true, Some(Err(why))) => Some(why.as_str()),
        _ => None,
    };
    let named: Vec<(&str, String, u64)> = stat
        .symbols
        .iter()
        .map(|s| {
            (
                s.span.qualified_name.as_str(),
                s.reference(&stat.path),
                s.tokens,
            )
        })
        .collect();
    let extra = budget::judge_symbols(&named, no_symbols, &config.limits);
    stat.verdicts.extend(extra);
    stat.verdicts.sort_by_key(|v| v.flag);
    stat
}

fn why_is_timeout(why: &str) -> bool {
    why.starts_with(syntax::TIMEOUT_PREFIX)
}

/// `--dump-spans FILE`: the language, the grammar and every span found.
fn dump_spans(
    file: &Path,
    config: &ScanConfig,
    tokenizer: &Tokenizer,
    out: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let source = crate::source::read(file, config.max_file_bytes, false).map_err(|skip| {
        Error::Usage(format!("cannot read {}: {}", file.display(), skip.message))
    })?;
    let rel = file.to_string_lossy().replace('\\', "/");
    let stat = price_file(rel, &source, config, tokenizer, &Cache::disabled());
    let mut write = || -> std::io::Result<()> {
        writeln!(
            out,
            "{}: language {}, grammar {}, {} lines, {} tokens",
            stat.path,
            stat.language.unwrap_or("-"),
            stat.grammar.unwrap_or("-"),
            stat.shape.lines,
            stat.tokens
        )?;
        for v in &stat.verdicts {
            writeln!(out, "flag {}: {}", v.flag, v.reason)?;
        }
        for s in &stat.symbols {
            writeln!(
                out,
                "{:>5}-{:<5} {:<10} {:<40} {:>7} tokens",
                s.span.start_line, s.span.end_line, s.span.kind, s.span.qualified_name, s.tokens
            )?;
        }
        Ok(())
    };
    write().map_err(Error::Output)?;
    Ok(ExitCode::Ok)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// A path relative to the report root: with several roots, each file is
/// named from the current directory (`prefix/rel`).
fn qualify(prefix: Option<&str>, rel: &str, is_file_root: bool) -> String {
    match prefix {
        None => rel.to_string(),
        Some(prefix) if is_file_root => prefix.to_string(),
        Some(".") => rel.to_string(),
        Some(prefix) if rel == "." => prefix.to_string(),
        Some(prefix) => format!("{prefix}/{rel}"),
    }
}

/// Where scanned paths sit in their project: the repository root (the
/// nearest ancestor holding `.git`) as a path from the working directory,
/// and each scanned path relative to it. `None` when every path is the
/// repository root itself, or they are not all in one repository.
pub struct ProjectPaths {
    /// The project root, as reports name it.
    pub label: String,
    /// Per scanned path, its path from the project root (`.` for the root).
    pub prefixes: Vec<String>,
}

/// See [`ProjectPaths`].
pub fn project_prefixes(paths: &[PathBuf]) -> Option<ProjectPaths> {
    let real: Vec<PathBuf> = paths
        .iter()
        .map(|p| p.canonicalize().ok())
        .collect::<Option<_>>()?;
    let first = real.first()?;
    let start = if first.is_dir() {
        first.as_path()
    } else {
        first.parent()?
    };
    let repo = start
        .ancestors()
        .find(|d| d.join(".git").exists())?
        .to_path_buf();
    if real.iter().any(|p| !p.starts_with(&repo)) || real.iter().all(|p| *p == repo) {
        return None;
    }
    let prefixes = real
        .iter()
        .map(|p| {
            let rel = crate::walk::relative(&repo, p, false);
            if rel.is_empty() { ".".to_string() } else { rel }
        })
        .collect();
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| c.canonicalize().ok());
    let label = match cwd {
        Some(cwd) if cwd == repo => ".".to_string(),
        Some(cwd) if cwd.starts_with(&repo) => {
            let depth = cwd
                .strip_prefix(&repo)
                .map_or(0, |r| r.components().count());
            vec![".."; depth].join("/")
        }
        Some(cwd) if repo.starts_with(&cwd) => crate::walk::relative(&cwd, &repo, false),
        _ => crate::text::os_name(repo.as_os_str()).into_owned(),
    };
    Some(ProjectPaths { label, prefixes })
}

/// The root as reports name it: the single path as given (`/`-separated,
/// without `./` or a trailing `/`), or `.` for several paths.
pub fn root_label(paths: &[PathBuf]) -> String {
    let [one] = paths else {
        return ".".to_string();
    };
    let text = one.to_string_lossy().replace('\\', "/");
    let mut label = text.as_str();
    while let Some(rest) = label.strip_prefix("./") {
        label = rest;
    }
    let label = label.trim_end_matches('/');
    if label.is_empty() {
        if text.starts_with('/') {
            "/".into()
        } else {
            ".".into()
        }
    } else {
        label.to_string()
    }
}

/// What each priced file would be denied for, if anything.
fn deny_candidates<'f>(files: &'f [FileStat], limits: &budget::Limits) -> Vec<Candidate<'f>> {
    files
        .iter()
        .map(|f| {
            // A file this cheap is never worth a rule that could be wrong.
            let worth = f.read_tokens >= limits.advice_tokens;
            let flagged = f
                .verdicts
                .iter()
                .find(|v| v.flag.deny_worthy())
                .filter(|_| worth);
            let data = worth && f.kind == Some(Kind::Data) && f.tokens > limits.data_file_tokens;
            let reason = match (flagged, data) {
                (Some(v), _) => Some(v.flag.name()),
                (None, true) => Some("large data file"),
                (None, false) => None,
            };
            Candidate {
                path: &f.path,
                reason,
                tokens: f.tokens,
            }
        })
        .collect()
}

/// A `.claudeignore` at the (single) scanned directory, translated.
fn claudeignore(paths: &[PathBuf]) -> Option<ClaudeIgnore> {
    let dir: &Path = match paths {
        [one] if one.is_dir() => one,
        [_] => return None,
        _ => Path::new("."),
    };
    let text = crate::fsio::read_text(&dir.join(CLAUDEIGNORE), 1 << 20).ok()?;
    Some(ClaudeIgnore {
        path: CLAUDEIGNORE.to_string(),
        translation: deny::translate_claudeignore(&text),
    })
}

/// `--dump-files`: every path and what became of it, sorted.
fn dump(
    files: &[FileStat],
    skipped: &[SkippedPath],
    out: &mut dyn Write,
) -> std::io::Result<ExitCode> {
    let mut lines: Vec<(&str, String)> = Vec::new();
    for f in files {
        lines.push((
            &f.path,
            format!(
                "priced\t{}\t{}\t{}",
                f.path,
                f.language.unwrap_or("-"),
                f.tokens
            ),
        ));
    }
    for s in skipped {
        lines.push((
            &s.path,
            format!(
                "skipped\t{}\t{}\t{}",
                s.path,
                s.skip.reason.name(),
                s.skip.message
            ),
        ));
    }
    lines.sort();
    for (_, line) in lines {
        writeln!(out, "{line}")?;
    }
    Ok(ExitCode::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_labels_are_tidy() {
        let label = |p: &str| root_label(&[PathBuf::from(p)]);
        assert_eq!(label("."), ".");
        assert_eq!(label("./"), ".");
        assert_eq!(label("./src/"), "src");
        assert_eq!(label("/abs/dir"), "/abs/dir");
        assert_eq!(label("/"), "/");
        assert_eq!(root_label(&[PathBuf::from("a"), PathBuf::from("b")]), ".");
    }

    #[test]
    fn several_roots_name_files_from_the_current_directory() {
        assert_eq!(qualify(Some("src"), "a.rs", false), "src/a.rs");
        assert_eq!(qualify(Some("README.md"), "README.md", true), "README.md");
        assert_eq!(qualify(Some("."), "a.rs", false), "a.rs");
        assert_eq!(qualify(None, "a.rs", false), "a.rs");
    }
}
