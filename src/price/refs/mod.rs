//! The refs engine every front end shares (`refs`, the MCP server): what
//! a query asks for, the priced files and word index it is answered from,
//! the hits, what to say when nothing matches, and the best set under a
//! budget.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub(crate) mod store;

use super::price_file;
use crate::cache::Cache;
use crate::config::input::InputConfig;
use crate::error::{Error, plain_io_message};
use crate::report::refs::{Reference, Section};
use crate::stats::FileStat;
use crate::suggest::choose::{self, Item};
use crate::suggest::refs::{self, FileWords, Hit, Index, Match};
use crate::tokenize::Tokenizer;
use crate::units::{plural, thousands};

/// The priced files queries are answered from, and the word index when a
/// query needs it (names, words, directories).
pub(crate) struct Corpus {
    /// Priced files with their symbols.
    pub(crate) files: Arc<[FileStat]>,
    /// The index over them.
    pub(crate) index: Option<Arc<Index>>,
    /// How to tell by stats alone that it still holds, when that can be
    /// told (asked for by [`Corpus::whole`] only).
    pub(crate) fresh: Option<store::Freshness>,
    /// Storing it for the next run, left for after the answer: run it
    /// once the answer is out ([`store::Pending::run`]), or on another
    /// thread ([`store::Pending::spawn`]); dropped, it runs then.
    pub(crate) pending: store::Pending,
}

impl Corpus {
    /// Every file of the project, priced and indexed: what a server keeps
    /// warm for name and word queries.
    pub(crate) fn whole(input: &InputConfig, tokenizer: &Tokenizer) -> Corpus {
        let corpus = store::corpus(input, tokenizer, &|_| Ok(Vec::new()), true);
        corpus.unwrap_or_else(|_| Corpus {
            files: Arc::new([]),
            index: None,
            fresh: None,
            pending: store::Pending::default(),
        })
    }

    /// Prices what `queries` need: every file of the walk when one needs
    /// the index, and each file named by path (even one the walk leaves
    /// out: ignored, or nothing else asked for the walk).
    pub(crate) fn build(
        input: &InputConfig,
        tokenizer: &Tokenizer,
        queries: &[Query],
    ) -> Result<Corpus, Error> {
        let needs_index = queries
            .iter()
            .any(|q| matches!(q, Query::Name(_) | Query::Text(_) | Query::Dir { .. }));
        let root = &input.paths[0];
        // The files named by path that `walked` does not hold.
        let named = |walked: &[FileStat]| -> Result<Vec<(FileStat, FileWords)>, Error> {
            let cache = match &input.cache_dir {
                // Read-only here: persisting would keep only these few entries.
                Some(dir) => Cache::open(dir, std::slice::from_ref(root)),
                None => Cache::disabled(),
            };
            let mut priced: Vec<(FileStat, FileWords)> = Vec::new();
            for query in queries {
                let (Query::File { rel, path } | Query::Line { rel, path, .. }) = query else {
                    continue;
                };
                let known = |f: &FileStat| f.path == *rel;
                if walked.iter().any(known) || priced.iter().any(|(f, _)| known(f)) {
                    continue;
                }
                let source = crate::source::read(path, input.max_file_bytes, false)
                    .map_err(|skip| Error::Usage(format!("cannot read {rel}: {}", skip.message)))?;
                let stat = price_file(rel.clone(), &source, input, tokenizer, &cache);
                let words = if needs_index {
                    refs::file_words(&stat.path, &source.text, &stat.symbols, is_code(&stat))
                } else {
                    FileWords::default()
                };
                priced.push((stat, words));
            }
            Ok(priced)
        };
        if needs_index {
            return store::corpus(input, tokenizer, &named, false);
        }
        let files: Vec<FileStat> = named(&[])?.into_iter().map(|(f, _)| f).collect();
        Ok(Corpus {
            files: files.into(),
            index: None,
            fresh: None,
            pending: store::Pending::default(),
        })
    }
}

/// What the project's files are now, cheaply: a hash of every walked
/// file's path and stamp (size, times, inode; see [`store::Stamp`]).
/// Equal fingerprints mean a corpus built earlier still holds (contents
/// are not read).
pub(crate) fn fingerprint(input: &InputConfig) -> u128 {
    let seen = std::sync::Mutex::new(Vec::new());
    for root in &input.paths {
        crate::walk::walk(root, &input.walk, &input.filter, |found| {
            if let crate::walk::Found::File { path, rel, .. } = found {
                let stamp = store::Stamp::of(&path).unwrap_or(store::Stamp::UNKNOWN);
                super::lock(&seen).push((rel, stamp));
            }
        });
    }
    let mut seen = seen.into_inner().unwrap_or_else(|e| e.into_inner());
    seen.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for (rel, stamp) in &seen {
        hasher.update(rel.as_bytes());
        hasher.update(&[0]);
        hasher.update(&stamp.to_bytes());
    }
    hasher.digest128()
}

/// What a query asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Query {
    /// A symbol name, plain or qualified.
    Name(String),
    /// Free words.
    Text(String),
    /// A file, by its path relative to the root.
    File { rel: String, path: PathBuf },
    /// A directory's files.
    Dir { rel: String },
    /// The symbol around a line of a file.
    Line {
        rel: String,
        path: PathBuf,
        line: u32,
    },
}

/// Whether a file's identifiers count as uses of symbol names.
fn is_code(stat: &FileStat) -> bool {
    stat.kind == Some(crate::lang::Kind::Code)
}

/// Tells a query's kind. A query naming an existing path is that path;
/// one that looks like a path but names nothing is an error (exit 2).
pub(crate) fn classify(root: &Path, query: &str) -> Result<Query, Error> {
    let trimmed = query.trim();
    if trimmed.is_empty() {
        return Err(Error::Usage(
            "an empty query matches nothing\nhint: give a symbol name, a path or some words".into(),
        ));
    }
    if let Some((path, line)) = trimmed.rsplit_once(':')
        && !path.is_empty()
        && !path.ends_with(':')
        && !line.is_empty()
        && line.bytes().all(|b| b.is_ascii_digit())
    {
        let line: u32 = line
            .parse()
            .map_err(|_| Error::Usage(format!("{trimmed}: the line number is too large")))?;
        if let Some((found, rel)) = resolve(root, path)? {
            if !found.is_file() {
                return Err(Error::Usage(format!(
                    "{path} is a directory; PATH:LINE needs a file"
                )));
            }
            if line == 0 {
                return Err(Error::Usage(format!(
                    "{trimmed}: lines are numbered from 1"
                )));
            }
            return Ok(Query::Line {
                rel,
                path: found,
                line,
            });
        }
        if looks_like_path(path) {
            return Err(missing(root, path));
        }
    }
    if let Some((found, rel)) = resolve(root, trimmed)? {
        return Ok(if found.is_dir() {
            Query::Dir { rel }
        } else {
            Query::File { rel, path: found }
        });
    }
    if looks_like_path(trimmed) {
        return Err(missing(root, trimmed));
    }
    if trimmed.chars().any(char::is_whitespace) {
        return Ok(Query::Text(trimmed.to_string()));
    }
    Ok(Query::Name(trimmed.to_string()))
}

fn missing(root: &Path, path: &str) -> Error {
    Error::Usage(format!(
        "no such file or directory: {path} (looked under {} and the current directory)\nhint: check the spelling; quote free words, e.g. \"parse config\"",
        root.display()
    ))
}

/// Whether text is meant as a path: it has a `/`, or a file extension
/// some language claims (`models.py`, but not `Config.load`).
fn looks_like_path(text: &str) -> bool {
    if text.chars().any(char::is_whitespace) {
        return false;
    }
    text.contains('/')
        || text.contains('\\') && text.contains('.')
        || (text.contains('.') && crate::lang::detect(Path::new(text)).is_some())
}

/// The path a query names, under the root or the current directory, with
/// its `/`-separated path relative to the root (`.` for the root itself).
fn resolve(root: &Path, text: &str) -> Result<Option<(PathBuf, String)>, Error> {
    let given = Path::new(text);
    let mut candidates = vec![root.join(given)];
    if given.is_relative() && root != Path::new(".") {
        candidates.push(given.to_path_buf());
    }
    let Ok(root_real) = root.canonicalize() else {
        return Ok(None);
    };
    for candidate in candidates {
        if std::fs::symlink_metadata(&candidate).is_err() {
            continue;
        }
        let real = candidate
            .canonicalize()
            .map_err(|e| Error::Usage(format!("cannot open {text}: {}", plain_io_message(&e))))?;
        let Ok(rel) = real.strip_prefix(&root_real) else {
            return Err(Error::Usage(format!(
                "{text} is outside the root {}\nhint: run from the project, or pass --root",
                root.display()
            )));
        };
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let rel = if rel.is_empty() { ".".to_string() } else { rel };
        return Ok(Some((candidate, rel)));
    }
    Ok(None)
}

/// The hits for one query, a title, and (for a file) its whole cost.
pub(crate) fn answer(
    query: &Query,
    text: &str,
    files: &[FileStat],
    index: Option<&Index>,
) -> (Vec<Hit>, String) {
    match query {
        Query::Name(name) => {
            let index = index.expect("names are looked up in the index");
            let hits = index.by_name(name);
            if !hits.is_empty() {
                let how = match hits[0].matched {
                    Match::Exact => "name",
                    Match::CaseInsensitive => "name, ignoring case",
                    _ => "subwords of the name",
                };
                let title = format!(
                    "{text:?}: {} by {how}",
                    plural(hits.len() as u64, "match", "matches")
                );
                return (hits, title);
            }
            let hits = index.by_text(name);
            let title = format!(
                "{text:?}: no symbol of that name; {} by words",
                plural(hits.len() as u64, "match", "matches")
            );
            (hits, title)
        }
        Query::Text(words) => {
            let hits = index
                .expect("words are looked up in the index")
                .by_text(words);
            let title = format!(
                "{text:?}: {} by words",
                plural(hits.len() as u64, "match", "matches")
            );
            (hits, title)
        }
        Query::File { rel, .. } => {
            let Some(f) = files.iter().position(|f| f.path == *rel) else {
                return (Vec::new(), String::new());
            };
            let file = &files[f];
            let hits = path_hits(f, file);
            let title = format!(
                "{rel}: {}, largest first; the whole file costs {} tokens",
                plural(hits.len() as u64, "symbol", "symbols"),
                thousands(file.tokens)
            );
            (hits, title)
        }
        Query::Dir { rel } => {
            let prefix = format!("{rel}/");
            let mut hits: Vec<Hit> = files
                .iter()
                .enumerate()
                .filter(|(_, f)| rel == "." || f.path.starts_with(&prefix))
                .flat_map(|(i, f)| path_hits(i, f))
                .collect();
            hits.sort_by(|a, b| {
                let tokens = |h: &Hit| files[h.file].symbols[h.symbol].tokens;
                tokens(b)
                    .cmp(&tokens(a))
                    .then(a.file.cmp(&b.file))
                    .then(a.symbol.cmp(&b.symbol))
            });
            let title = format!(
                "{rel}/: {}, largest first",
                plural(hits.len() as u64, "symbol", "symbols")
            );
            (hits, title)
        }
        Query::Line { rel, line, .. } => {
            let Some(f) = files.iter().position(|f| f.path == *rel) else {
                return (Vec::new(), String::new());
            };
            let hits: Vec<Hit> = refs::at_line(&files[f], *line)
                .map(|s| Hit {
                    file: f,
                    symbol: s,
                    score: 1.0,
                    matched: Match::Line,
                    references: 0,
                })
                .into_iter()
                .collect();
            let title = format!("{rel}:{line}: the innermost symbol around it");
            (hits, title)
        }
    }
}

/// A file's symbols as hits, largest first, scored by their share of the
/// file.
fn path_hits(f: usize, file: &FileStat) -> Vec<Hit> {
    refs::in_file(file)
        .into_iter()
        .map(|s| Hit {
            file: f,
            symbol: s,
            score: file.symbols[s].tokens as f64 / file.tokens.max(1) as f64,
            matched: Match::Path,
            references: 0,
        })
        .collect()
}

/// What to say when a query found nothing: why, and what is close.
pub(crate) fn nothing_found(
    query: &Query,
    text: &str,
    files: &[FileStat],
    index: Option<&Index>,
) -> String {
    match query {
        Query::Name(_) | Query::Text(_) => {
            let index = index.expect("names and words use the index");
            let close = index.suggestions(text, 5);
            if close.is_empty() {
                format!("no symbol matches {text:?}\nhint: try other words, or a path")
            } else {
                format!(
                    "no symbol matches {text:?}; closest names: {}",
                    close.join(", ")
                )
            }
        }
        Query::File { rel, .. } | Query::Dir { rel } => {
            let file = files.iter().find(|f| f.path == *rel);
            let why = match file {
                Some(f) => match (f.language, f.grammar) {
                    (_, Some(_)) => "no symbols were found in it".to_string(),
                    (Some(language), None) => {
                        format!("{language} files are not parsed for symbols")
                    }
                    (None, None) => "its language is not known".to_string(),
                },
                None => "none of its files has symbols".to_string(),
            };
            let cost = file
                .map(|f| format!("; attaching it whole costs {} tokens", thousands(f.tokens)))
                .unwrap_or_default();
            format!("{rel}: nothing to reference ({why}){cost}")
        }
        Query::Line { rel, line, .. } => {
            let file = files.iter().find(|f| f.path == *rel);
            if let Some(f) = file
                && u64::from(*line) > f.shape.lines
            {
                return format!(
                    "{rel}:{line} is past the end: {rel} has {}",
                    plural(f.shape.lines, "line", "lines")
                );
            }
            let before = file.and_then(|f| {
                f.symbols
                    .iter()
                    .filter(|s| s.span.end_line < *line)
                    .max_by_key(|s| s.span.end_line)
            });
            let after = file.and_then(|f| {
                f.symbols
                    .iter()
                    .filter(|s| s.span.start_line > *line)
                    .min_by_key(|s| s.span.start_line)
            });
            let near: Vec<String> = before
                .into_iter()
                .chain(after)
                .map(|s| format!("{} {}", s.reference(rel), s.span.qualified_name))
                .collect();
            if near.is_empty() {
                format!("{rel}:{line} is outside every symbol")
            } else {
                format!(
                    "{rel}:{line} is outside every symbol; nearest: {}",
                    near.join(", ")
                )
            }
        }
    }
}

pub(crate) fn reference(query: &str, hit: &Hit, files: &[FileStat]) -> Reference {
    let file = &files[hit.file];
    let symbol = &file.symbols[hit.symbol];
    Reference {
        query: query.to_string(),
        matched: hit.matched.name(),
        path: file.path.clone(),
        start_line: symbol.span.start_line,
        end_line: symbol.span.end_line,
        name: symbol.span.name.clone(),
        qualified_name: symbol.span.qualified_name.clone(),
        kind: symbol.span.kind,
        tokens: symbol.tokens,
        file_tokens: file.tokens,
        score: hit.score,
    }
}

/// The best set under the budget across every query's best candidates.
/// Scores are scaled per query (its best hit = 1), so a name match and a
/// word match weigh alike.
pub(crate) fn choose(
    budget: u64,
    limit: Option<usize>,
    pool_size: usize,
    queries: &[String],
    pool: &[(usize, Vec<Hit>)],
    files: &[FileStat],
) -> Section {
    let mut candidates: Vec<(usize, &Hit, f64)> = Vec::new();
    let mut seen = HashSet::new();
    for (q, hits) in pool {
        let best = hits.first().map_or(1.0, |h| h.score).max(f64::MIN_POSITIVE);
        for hit in hits.iter().take(pool_size) {
            if seen.insert((hit.file, hit.symbol)) {
                candidates.push((*q, hit, hit.score / best));
            }
        }
    }
    let items: Vec<Item> = candidates
        .iter()
        .map(|&(_, hit, weight)| {
            let span = &files[hit.file].symbols[hit.symbol].span;
            Item {
                tokens: files[hit.file].symbols[hit.symbol].tokens,
                score: weight,
                file: hit.file,
                start: span.start_line,
                end: span.end_line,
            }
        })
        .collect();
    let mut chosen = choose::choose(&items, budget, limit);
    chosen.sort_by(|&a, &b| items[b].score.total_cmp(&items[a].score).then(a.cmp(&b)));
    Section {
        title: format!(
            "The best set within {} tokens, from {} candidates:",
            thousands(budget),
            thousands(items.len() as u64)
        ),
        references: chosen
            .into_iter()
            .map(|i| {
                let (q, hit, _) = candidates[i];
                reference(&queries[q], hit, files)
            })
            .collect(),
        omitted: 0,
    }
}
