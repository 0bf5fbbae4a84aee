//! The pricing engine every front end calls: walk -> source -> tokenize ->
//! syntax -> stats -> budget, with the cache. Given roots, the input
//! configuration and a tokenizer, it returns every file priced (tokens,
//! read cost, flags, symbols), sorted by path, and every path it skipped.
//! Files are read and counted on the walk's worker threads; results are
//! sorted afterwards, so output never depends on scheduling.

pub(crate) mod refs;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::budget::{self, Facts};
use crate::cache::{Cache, CachedSymbol, Entry, Key};
use crate::config::input::InputConfig;
use crate::lang::grammar;
use crate::report::progress::Progress;
use crate::source::Source;
use crate::stats::{self, FileStat, SkippedPath, SymbolStat};
use crate::syntax::{self, Span};
use crate::tokenize::Tokenizer;
use crate::walk::{self, Found};

/// Walks every path and prices every file on the walk's threads; `also`
/// runs there too, on each priced file and its text (what other commands
/// index). Returns files and skips sorted by path, each path once.
pub(crate) fn price<T: Send>(
    config: &InputConfig,
    tokenizer: &Tokenizer,
    also: impl Fn(&FileStat, &Source) -> T + Sync,
) -> (Vec<(FileStat, T)>, Vec<SkippedPath>) {
    let (walked, _) = price_reusing(config, tokenizer, |_, _, _| Err(()), |_| (), also);
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for found in walked {
        match found {
            Walked::Priced { stat, also, .. } => files.push((stat, also)),
            Walked::Skipped { skipped: skip, .. } => skipped.push(skip),
            Walked::Known { .. } | Walked::Dir { .. } => {}
        }
    }
    (files, skipped)
}

/// One path of a walk priced with [`price_reusing`].
pub(crate) enum Walked<T, S, D = S> {
    /// Read and priced, with what `also` made of it and the state `known`
    /// returned for it.
    Priced { stat: FileStat, also: T, state: S },
    /// Not read: `known` already knows it.
    Known { rel: String },
    /// A directory entered, with what `entered` saw of it before its
    /// entries were listed.
    Dir {
        rel: String,
        path: PathBuf,
        state: D,
    },
    /// Skipped (binary, too large, unreadable...), with the state `known`
    /// returned when it was asked.
    Skipped {
        skipped: SkippedPath,
        state: Option<S>,
    },
}

impl<T, S, D> Walked<T, S, D> {
    fn path(&self) -> &str {
        match self {
            Walked::Priced { stat, .. } => &stat.path,
            Walked::Known { rel, .. } | Walked::Dir { rel, .. } => rel,
            Walked::Skipped { skipped, .. } => &skipped.path,
        }
    }
}

/// [`price`], asking `known` first about each file (its path from the
/// root, where it is, whether it is an unfollowed symlink): a file it
/// already knows (`Ok`) is not read; otherwise it returns some state
/// (what it saw of the file) that comes back with the priced file.
/// `entered` sees each directory before its entries are listed.
/// Sorted by path, each path once; with the files the walk consulted
/// besides the listings (see [`walk::walk`]).
pub(crate) fn price_reusing<T: Send, S: Send, D: Send>(
    config: &InputConfig,
    tokenizer: &Tokenizer,
    known: impl Fn(&str, &Path, bool) -> Result<(), S> + Sync,
    entered: impl Fn(&Path) -> D + Sync,
    also: impl Fn(&FileStat, &Source) -> T + Sync,
) -> (Vec<Walked<T, S, D>>, Vec<PathBuf>) {
    let found = Mutex::new(Vec::new());
    let progress = Progress::new(config.progress);
    let bytes_done = AtomicU64::new(0);
    let several = config.paths.len() > 1;
    let partial = AtomicBool::new(false);
    let mut consulted = Vec::new();
    let cache = match &config.cache_dir {
        Some(dir) => Cache::open_partial(dir, &config.paths),
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
        let visit = |walked: Found| {
            let (path, rel, symlink) = match walked {
                Found::File { path, rel, symlink } => (path, rel, symlink),
                Found::Dir { path, rel } => {
                    let rel = qualify(prefix.as_deref(), &rel, is_file_root);
                    let state = entered(&path);
                    lock(&found).push(Walked::Dir { rel, path, state });
                    return;
                }
                Found::Skipped { rel, skip } => {
                    let path = qualify(prefix.as_deref(), &rel, is_file_root);
                    lock(&found).push(Walked::Skipped {
                        skipped: SkippedPath { path, skip },
                        state: None,
                    });
                    return;
                }
            };
            let rel = qualify(prefix.as_deref(), &rel, is_file_root);
            let state = match known(&rel, &path, symlink) {
                Ok(()) => {
                    partial.store(true, Ordering::Relaxed);
                    lock(&found).push(Walked::Known { rel });
                    return;
                }
                Err(state) => state,
            };
            match crate::source::read(&path, config.max_file_bytes, symlink) {
                Ok(source) => {
                    let stat = price_file(rel, &source, config, tokenizer, &cache);
                    let also = also(&stat, &source);
                    let total =
                        bytes_done.fetch_add(source.bytes, Ordering::Relaxed) + source.bytes;
                    progress.file_done(total);
                    lock(&found).push(Walked::Priced { stat, also, state });
                }
                Err(skip) => lock(&found).push(Walked::Skipped {
                    skipped: SkippedPath { path: rel, skip },
                    state: Some(state),
                }),
            }
        };
        consulted.extend(walk::walk(root, &config.walk, &config.filter, visit));
    }
    progress.finish();
    if !partial.load(Ordering::Relaxed) {
        // Every file was priced: the pack holds exactly this tree.
        cache.trim_unused();
    }
    cache.persist();
    let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    // Directories, then files, then skips of the same path, as `price`
    // always listed them.
    let rank = |w: &Walked<T, S, D>| match w {
        Walked::Dir { .. } => 0,
        Walked::Priced { .. } | Walked::Known { .. } => 1,
        Walked::Skipped { .. } => 2,
    };
    found.sort_by(|a, b| a.path().cmp(b.path()).then(rank(a).cmp(&rank(b))));
    let mut last: [Option<String>; 3] = [None, None, None];
    found.retain(|w| {
        let last = &mut last[rank(w)];
        if last.as_deref() == Some(w.path()) {
            return false;
        }
        *last = Some(w.path().to_string());
        true
    });
    consulted.sort();
    consulted.dedup();
    (found, consulted)
}

/// Counts, judges and (unless turned off) finds the symbols of one file,
/// taking from the cache what it holds and storing what was computed.
pub(crate) fn price_file(
    rel: String,
    source: &Source,
    config: &InputConfig,
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
    let document = match language.map(|l| l.name.as_str()) {
        Some("markdown") => Some(syntax::markdown_sections as fn(&str) -> Vec<syntax::Span>),
        Some("restructuredtext") => Some(syntax::rst_sections as fn(&str) -> Vec<syntax::Span>),
        _ => None,
    }
    .filter(|_| config.symbols && !budget::is_minified(shape, &config.limits));
    let markdown = document.is_some();
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
                Err(why) => (Err(why.to_string()), !why.is_timeout()),
            },
        };
        entry.symbols = Some(found);
        if deterministic {
            cache.put(&key, &entry);
        }
    } else if let Some(sections) = document.filter(|_| entry.symbols.is_none()) {
        // Documents: their sections, priced like any symbol.
        let starts = stats::line_starts(text);
        let symbols = sections(text)
            .into_iter()
            .map(|span| {
                let from = starts
                    .get(span.start_line as usize - 1)
                    .copied()
                    .unwrap_or(text.len());
                let to = starts
                    .get(span.end_line as usize)
                    .copied()
                    .unwrap_or(text.len());
                CachedSymbol {
                    tokens: tokenizer.count(&text[from.min(to)..to]),
                    name: span.name,
                    qualified_name: span.qualified_name,
                    kind: span.kind,
                    start_line: span.start_line,
                    end_line: span.end_line,
                }
            })
            .collect();
        entry.symbols = Some(Ok(symbols));
        cache.put(&key, &entry);
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
    let no_symbols = match (grammar.is_some() || markdown, &entry.symbols) {
        (true, Some(Ok(symbols))) => {
            stat.symbols = symbols
                .iter()
                .map(|s| SymbolStat {
                    span: Span {
                        name: s.name.clone(),
                        qualified_name: s.qualified_name.clone(),
                        kind: s.kind,
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

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
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
pub(crate) struct ProjectPaths {
    /// The project root, as reports name it.
    pub(crate) label: String,
    /// Per scanned path, its path from the project root (`.` for the root).
    pub(crate) prefixes: Vec<String>,
}

/// See [`ProjectPaths`].
pub(crate) fn project_prefixes(paths: &[PathBuf]) -> Option<ProjectPaths> {
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
pub(crate) fn root_label(paths: &[PathBuf]) -> String {
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
