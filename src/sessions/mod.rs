//! Claude Code transcripts: which files hold them, what each line says
//! (`record`, lenient), one file streamed into figures ([`reader`]), and
//! the figures of every file put together per session and per file read
//! (`summarize`). Reads transcripts; never prints, never writes.

pub(crate) mod calibrate;
pub(crate) mod guard;
pub mod reader;
pub(crate) mod record;
pub(crate) mod time;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};

use reader::{FilePart, Touch};
use time::Millis;

/// What counts: the project, a start time, some sessions.
#[derive(Debug, Clone)]
pub struct Filter {
    /// The project root as given (made absolute) and as the disk resolves it.
    roots: Vec<PathBuf>,
    /// The roots as a raw line would spell them, for the prefilter; `None`
    /// when some root holds what JSON escapes (then every line may name it).
    spellings: Option<Vec<Vec<u8>>>,
    /// Records before this are left out.
    pub(crate) since: Option<Millis>,
    /// Session ids or id prefixes to keep; empty keeps all.
    pub(crate) sessions: Vec<String>,
    /// A whole read over this many tokens is one to replace by references.
    pub(crate) whole_read_tokens: u64,
    /// Measure Claude's tokens against the tokenizer's (which must then
    /// be cl100k) from consecutive requests.
    pub(crate) calibrate: bool,
    /// Read only the usage figures: no Read is priced.
    pub(crate) usage_only: bool,
}

impl Filter {
    /// A filter for the project at `root`.
    pub fn new(
        root: &Path,
        since: Option<Millis>,
        sessions: Vec<String>,
        whole_read_tokens: u64,
    ) -> Filter {
        let mut roots = Vec::new();
        let absolute = std::path::absolute(root)
            .map(|p| reader::normalize(&p))
            .unwrap_or_else(|_| root.to_path_buf());
        roots.push(absolute);
        if let Ok(canonical) = std::fs::canonicalize(root)
            && !roots.contains(&canonical)
        {
            roots.push(canonical);
        }
        let spellings = roots
            .iter()
            .map(|root| {
                let text = root.to_str()?;
                let plain = text
                    .chars()
                    .all(|c| c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\');
                plain.then(|| text.as_bytes().to_vec())
            })
            .collect();
        Filter {
            roots,
            spellings,
            since,
            sessions,
            whole_read_tokens,
            calibrate: false,
            usage_only: false,
        }
    }

    /// The same filter, reading usage figures only.
    pub(crate) fn usage_only(mut self) -> Filter {
        self.usage_only = true;
        self
    }

    /// The same filter, also measuring Claude's tokens against cl100k.
    pub(crate) fn calibrating(mut self) -> Filter {
        self.calibrate = true;
        self
    }

    /// Whether a raw transcript line may hold a working directory in the
    /// project: false only when it surely does not (none of the root's
    /// spellings appears in it; roots JSON would escape always may).
    pub(crate) fn may_mention(&self, line: &[u8]) -> bool {
        match &self.spellings {
            Some(spellings) => spellings
                .iter()
                .any(|root| memchr::memmem::find(line, root).is_some()),
            None => true,
        }
    }

    /// Whether a record's working directory is the project or inside it.
    pub(crate) fn is_in_project(&self, cwd: &str) -> bool {
        let cwd = reader::normalize(Path::new(cwd));
        self.roots.iter().any(|root| cwd.starts_with(root))
    }

    /// `full` relative to the project, `/`-separated; `None` outside it.
    pub(crate) fn relative(&self, full: &Path) -> Option<String> {
        self.roots.iter().find_map(|root| {
            let rel = full.strip_prefix(root).ok()?;
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            Some(if parts.is_empty() {
                ".".to_string()
            } else {
                parts.join("/")
            })
        })
    }

    /// Whether a session id is one asked for.
    pub(crate) fn wants_session(&self, id: &str) -> bool {
        self.sessions.is_empty() || self.sessions.iter().any(|s| id.starts_with(s.as_str()))
    }
}

/// Lines passed over, by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Skipped {
    /// Not JSON (a line cut short by a crash, a stray write).
    pub(crate) not_json: u64,
    /// Longer than [`reader::MAX_LINE_BYTES`].
    pub(crate) too_long: u64,
    /// A known record type without the fields it always has.
    pub(crate) malformed: u64,
    /// Record types this version does not know, with how many of each
    /// (an empty name: no `type` at all).
    pub(crate) unknown_types: BTreeMap<String, u64>,
    /// Read results too large to price (not lines: their records count).
    pub(crate) unpriced_reads: u64,
}

/// Unknown type names kept by name; the rest are counted under one.
const MAX_UNKNOWN_NAMES: usize = 20;

impl Skipped {
    /// Every line skipped.
    pub(crate) fn total(&self) -> u64 {
        self.not_json + self.too_long + self.malformed + self.unknown_types.values().sum::<u64>()
    }

    fn unknown(&mut self, kind: &str) {
        self.unknown_lines(kind, 1);
    }

    fn unknown_lines(&mut self, kind: &str, n: u64) {
        let name = if self.unknown_types.len() < MAX_UNKNOWN_NAMES
            || self.unknown_types.contains_key(kind)
        {
            kind
        } else {
            "(others)"
        };
        *self.unknown_types.entry(name.to_string()).or_default() += n;
    }

    fn add(&mut self, other: &Skipped) {
        self.not_json += other.not_json;
        self.too_long += other.too_long;
        self.malformed += other.malformed;
        self.unpriced_reads += other.unpriced_reads;
        for (kind, n) in &other.unknown_types {
            self.unknown_lines(kind, *n);
        }
    }
}

/// Transcript files, and directories that could not be listed.
pub(crate) type Found = (Vec<PathBuf>, Vec<(PathBuf, io::Error)>);

/// Every `*.jsonl` file under `dir` (subagent transcripts included),
/// sorted, with the directories that could not be listed. Symbolic links
/// are not followed.
pub(crate) fn find(dir: &Path) -> io::Result<Found> {
    std::fs::read_dir(dir)?;
    let (files, problems) = crate::fsio::files_under(dir, usize::MAX, |path, kind| {
        kind.is_file() && path.extension().is_some_and(|e| e == "jsonl")
    });
    Ok((files, problems))
}

/// One session, over every transcript file that holds part of it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Session {
    /// The session id.
    pub(crate) id: String,
    /// First record counted, as written.
    pub(crate) start: Option<String>,
    /// Last record counted, as written.
    pub(crate) end: Option<String>,
    /// The first record's time.
    pub(crate) start_ms: Option<Millis>,
    /// The last record's time.
    pub(crate) end_ms: Option<Millis>,
    /// Models that answered, sorted.
    pub(crate) models: Vec<String>,
    /// API requests, each counted once.
    pub(crate) requests: u64,
    /// Of which made by subagents.
    pub(crate) subagent_requests: u64,
    /// Input tokens not read from or written to the cache.
    pub(crate) input_tokens: u64,
    /// Input tokens written to the cache.
    pub(crate) cache_creation_tokens: u64,
    /// Input tokens read from the cache.
    pub(crate) cache_read_tokens: u64,
    /// Output tokens.
    pub(crate) output_tokens: u64,
    /// The context of each main-conversation request, in time order.
    pub(crate) contexts: Vec<u64>,
    /// The largest context of any request (main conversation, else any).
    pub(crate) peak_context: u64,
    pub(crate) compactions: u64,
    /// Read results.
    pub(crate) reads: u64,
    /// Their tokens under the selected tokenizer.
    pub(crate) read_tokens: u64,
    /// Transcript files holding part of it.
    pub(crate) transcripts: u64,
    /// What `ctxbudget hook` turned away, and what followed.
    pub(crate) guard: GuardFigures,
    /// Every response's last line carried its final `stop_reason`, so the
    /// output figure is final (else it is a lower bound).
    pub(crate) output_exact: bool,
    /// The most input tokens (uncached plus cache writes) sent within any
    /// 60 seconds: what input-tokens-per-minute rate limits count.
    pub(crate) peak_input_per_minute: u64,
    /// The most cache reads within any 60 seconds.
    pub(crate) peak_cache_read_per_minute: u64,
}

/// Requests and tokens answered by one model, over all sessions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ModelFigures {
    /// As the API names it.
    pub(crate) model: String,
    /// Sessions it answered in.
    pub(crate) sessions: u64,
    /// Requests it answered.
    pub(crate) requests: u64,
    /// Uncached input tokens.
    pub(crate) input_tokens: u64,
    /// Cache writes.
    pub(crate) cache_creation_tokens: u64,
    /// Cache reads.
    pub(crate) cache_read_tokens: u64,
    /// Output tokens.
    pub(crate) output_tokens: u64,
}

/// Whole reads the Read guard turned away in one session, and the reads of
/// those files that followed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct GuardFigures {
    /// Whole reads turned away.
    pub(crate) turned_away: u64,
    /// What they would have cost.
    pub(crate) turned_tokens: u64,
    /// What the reasons (outlines) cost the model instead.
    pub(crate) reason_tokens: u64,
    /// Ranged reads of those files after their denial.
    pub(crate) ranged_after: u64,
    /// Their tokens.
    pub(crate) ranged_tokens: u64,
    /// Whole reads of those files after their denial (let through).
    pub(crate) whole_after: u64,
    /// Their tokens.
    pub(crate) whole_tokens: u64,
}

impl GuardFigures {
    /// Tokens saved: what the turned-away reads would have cost, less the
    /// reasons and every read of those files that followed (negative when
    /// the guard cost more than it saved).
    pub(crate) fn saved(&self) -> i64 {
        let cost = self
            .reason_tokens
            .saturating_add(self.ranged_tokens)
            .saturating_add(self.whole_tokens);
        i64::try_from(self.turned_tokens).unwrap_or(i64::MAX)
            - i64::try_from(cost).unwrap_or(i64::MAX)
    }

    /// Adds another session's figures.
    pub(crate) fn add(&mut self, other: &GuardFigures) {
        self.turned_away += other.turned_away;
        self.turned_tokens = self.turned_tokens.saturating_add(other.turned_tokens);
        self.reason_tokens = self.reason_tokens.saturating_add(other.reason_tokens);
        self.ranged_after += other.ranged_after;
        self.ranged_tokens = self.ranged_tokens.saturating_add(other.ranged_tokens);
        self.whole_after += other.whole_after;
        self.whole_tokens = self.whole_tokens.saturating_add(other.whole_tokens);
    }
}

/// One file as sessions read it, over all sessions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FileReads {
    /// Relative to the project when inside it, else absolute.
    pub(crate) path: String,
    /// Read results.
    pub(crate) reads: u64,
    /// Of which without offset or limit.
    pub(crate) whole_reads: u64,
    /// Of which with an offset or a limit.
    pub(crate) ranged_reads: u64,
    /// Tokens of every read, as the Read tool showed the text.
    pub(crate) tokens: u64,
    /// Sessions that read it.
    pub(crate) sessions: u64,
}

/// A file one session read whole at over the threshold.
#[derive(Debug, Clone, Default)]
pub(crate) struct WholeFile {
    /// The file.
    pub(crate) path: String,
    /// The session.
    pub(crate) session: String,
    /// Whole reads over the threshold in that session.
    pub(crate) reads: u64,
    /// Their tokens.
    pub(crate) tokens: u64,
    /// Edits and searches of the file after its first whole read.
    pub(crate) touches: Vec<Touch>,
}

/// Everything the transcripts say about the project.
#[derive(Debug, Clone, Default)]
pub(crate) struct Summary {
    /// By start time, then id.
    pub(crate) sessions: Vec<Session>,
    /// By tokens, most first, then path.
    pub(crate) files: Vec<FileReads>,
    /// By tokens, most first, then path and session.
    pub(crate) whole: Vec<WholeFile>,
    /// By model, most requests first.
    pub(crate) models: Vec<ModelFigures>,
    /// Calibration pairs (with `Filter::calibrating`), each once.
    pub(crate) samples: Vec<calibrate::Sample>,
    /// Lines skipped in the project's transcripts.
    pub(crate) skipped: Skipped,
    /// Transcript files holding records of the project.
    pub(crate) transcripts: u64,
}

/// Puts the figures of every file together, in the order given (so the
/// result never depends on which thread read what). A request, a read or
/// a compaction written in two files (a resumed session copies its past)
/// counts once.
pub(crate) fn summarize(parts: Vec<FilePart>) -> Summary {
    let mut summary = Summary::default();
    let mut seen_requests: HashSet<u64> = HashSet::new();
    let mut seen_reads: HashSet<u64> = HashSet::new();
    let mut seen_compactions: HashSet<u64> = HashSet::new();
    let mut seen_denials: HashSet<u64> = HashSet::new();
    let mut seen_samples: HashSet<u64> = HashSet::new();
    // Each session with its main-conversation contexts by time and its
    // subagents' contexts.
    type Building = (
        Session,
        Vec<(Millis, u64)>,
        Vec<u64>,
        Vec<(Millis, u64, u64)>,
        bool,
    );
    let mut sessions: BTreeMap<String, Building> = BTreeMap::new();
    let mut files: BTreeMap<String, (FileReads, HashSet<String>)> = BTreeMap::new();
    let mut whole: BTreeMap<(String, String), WholeFile> = BTreeMap::new();
    let mut models: BTreeMap<String, (ModelFigures, HashSet<String>)> = BTreeMap::new();
    for part in parts {
        if !part.in_project {
            continue;
        }
        summary.skipped.add(&part.skipped);
        summary.transcripts += 1;
        for (id, piece) in part.sessions {
            let (session, timeline, side, minutes, unfinished) =
                sessions.entry(id.clone()).or_default();
            session.id.clone_from(&id);
            session.transcripts += 1;
            if let Some((at, text)) = piece.first
                && session.start_ms.is_none_or(|t| at < t)
            {
                session.start_ms = Some(at);
                session.start = Some(text);
            }
            if let Some((at, text)) = piece.last
                && session.end_ms.is_none_or(|t| at > t)
            {
                session.end_ms = Some(at);
                session.end = Some(text);
            }
            for model in piece.models {
                if !session.models.contains(&model) {
                    session.models.push(model);
                }
            }
            for request in piece.requests {
                if !seen_requests.insert(request.key) {
                    continue;
                }
                session.requests += 1;
                session.input_tokens = session.input_tokens.saturating_add(request.input);
                session.cache_creation_tokens = session
                    .cache_creation_tokens
                    .saturating_add(request.cache_creation);
                session.cache_read_tokens =
                    session.cache_read_tokens.saturating_add(request.cache_read);
                session.output_tokens = session.output_tokens.saturating_add(request.output);
                *unfinished |= !request.finished;
                minutes.push((
                    request.at,
                    request.input.saturating_add(request.cache_creation),
                    request.cache_read,
                ));
                let model = request.model.clone().unwrap_or_else(|| "(unknown)".into());
                let (figures, in_sessions) = models.entry(model.clone()).or_default();
                figures.model = model;
                figures.requests += 1;
                figures.input_tokens = figures.input_tokens.saturating_add(request.input);
                figures.cache_creation_tokens = figures
                    .cache_creation_tokens
                    .saturating_add(request.cache_creation);
                figures.cache_read_tokens =
                    figures.cache_read_tokens.saturating_add(request.cache_read);
                figures.output_tokens = figures.output_tokens.saturating_add(request.output);
                in_sessions.insert(id.clone());
                if request.sidechain {
                    session.subagent_requests += 1;
                    side.push(request.context());
                } else {
                    timeline.push((request.at, request.context()));
                }
            }
            for key in piece.compactions {
                if seen_compactions.insert(key) {
                    session.compactions += 1;
                }
            }
            for read in piece.reads {
                if !seen_reads.insert(read.key) {
                    continue;
                }
                session.reads += 1;
                session.read_tokens = session.read_tokens.saturating_add(read.tokens);
                if read.after_denial {
                    let guard = &mut session.guard;
                    if read.whole {
                        guard.whole_after += 1;
                        guard.whole_tokens = guard.whole_tokens.saturating_add(read.tokens);
                    } else {
                        guard.ranged_after += 1;
                        guard.ranged_tokens = guard.ranged_tokens.saturating_add(read.tokens);
                    }
                }
                let (file, readers) = files.entry(read.path.clone()).or_default();
                file.path.clone_from(&read.path);
                file.reads += 1;
                file.tokens = file.tokens.saturating_add(read.tokens);
                if read.whole {
                    file.whole_reads += 1;
                } else {
                    file.ranged_reads += 1;
                }
                readers.insert(id.clone());
            }
            for sample in piece.samples {
                if seen_samples.insert(sample.key) {
                    summary.samples.push(sample);
                }
            }
            for denial in piece.turned {
                if !seen_denials.insert(denial.key) {
                    continue;
                }
                let guard = &mut session.guard;
                guard.turned_away += 1;
                guard.turned_tokens = guard.turned_tokens.saturating_add(denial.whole_tokens);
                guard.reason_tokens = guard.reason_tokens.saturating_add(denial.reason_tokens);
            }
            for (path, read) in piece.whole {
                let entry = whole.entry((path.clone(), id.clone())).or_default();
                entry.path = path;
                entry.session.clone_from(&id);
                entry.reads += read.reads;
                entry.tokens = entry.tokens.saturating_add(read.tokens);
                for touch in read.touches {
                    if !entry.touches.contains(&touch) {
                        entry.touches.push(touch);
                    }
                }
            }
        }
    }
    summary.sessions = sessions
        .into_values()
        .map(
            |(mut session, mut timeline, side, mut minutes, unfinished)| {
                session.output_exact = !unfinished;
                minutes.sort_by_key(|&(at, _, _)| at);
                session.peak_input_per_minute = peak_per_minute(&minutes, |m| m.1);
                session.peak_cache_read_per_minute = peak_per_minute(&minutes, |m| m.2);
                // Stable: requests of the same instant keep the files' order.
                timeline.sort_by_key(|&(at, _)| at);
                session.contexts = timeline.into_iter().map(|(_, c)| c).collect();
                session.peak_context = match session.contexts.iter().max() {
                    Some(&peak) => peak,
                    None => side.into_iter().max().unwrap_or(0),
                };
                session.models.sort();
                session
            },
        )
        .collect();
    summary.sessions.sort_by(|a, b| {
        a.start_ms
            .unwrap_or(Millis::MAX)
            .cmp(&b.start_ms.unwrap_or(Millis::MAX))
            .then_with(|| a.id.cmp(&b.id))
    });
    summary.files = files
        .into_values()
        .map(|(mut file, readers)| {
            file.sessions = readers.len() as u64;
            file
        })
        .collect();
    summary
        .files
        .sort_by(|a, b| b.tokens.cmp(&a.tokens).then_with(|| a.path.cmp(&b.path)));
    summary.models = models
        .into_values()
        .map(|(mut figures, in_sessions)| {
            figures.sessions = in_sessions.len() as u64;
            figures
        })
        .collect();
    summary.models.sort_by(|a, b| {
        b.requests
            .cmp(&a.requests)
            .then_with(|| a.model.cmp(&b.model))
    });
    summary.whole = whole.into_values().collect();
    summary.whole.sort_by(|a, b| {
        b.tokens
            .cmp(&a.tokens)
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.session.cmp(&b.session))
    });
    summary
}

/// The largest sum of `value` over requests within any 60 seconds
/// (`requests` sorted by time; requests of unknown time are left out).
fn peak_per_minute(
    requests: &[(Millis, u64, u64)],
    value: impl Fn(&(Millis, u64, u64)) -> u64,
) -> u64 {
    let timed: Vec<&(Millis, u64, u64)> = requests.iter().filter(|r| r.0 != Millis::MAX).collect();
    let mut peak = 0u64;
    let mut sum = 0u64;
    let mut start = 0;
    for request in &timed {
        sum = sum.saturating_add(value(request));
        while timed[start].0 + 60_000 <= request.0 {
            sum = sum.saturating_sub(value(timed[start]));
            start += 1;
        }
        peak = peak.max(sum);
    }
    peak
}

/// Tokens of Read texts by content and first line, shared by the threads
/// reading transcripts: a text read in many sessions is counted once, and
/// one counted on an earlier run is taken from the cache.
#[derive(Debug)]
pub(crate) struct ReadCosts<'a> {
    known: std::sync::Mutex<HashMap<(u128, u64), u64>>,
    cache: &'a crate::cache::Cache,
    encoding: &'static str,
}

impl<'a> ReadCosts<'a> {
    /// Costs kept in `cache` (or in memory only, with a disabled one) for
    /// counts in `encoding`.
    pub(crate) fn new(cache: &'a crate::cache::Cache, encoding: &'static str) -> ReadCosts<'a> {
        ReadCosts {
            known: Default::default(),
            cache,
            encoding,
        }
    }

    /// The tokens of `text` shown from line `first`, counted by `count`
    /// the first time.
    pub(crate) fn get(&self, text: &str, first: u64, count: impl FnOnce() -> u64) -> u64 {
        let hash = xxhash_rust::xxh3::xxh3_128(text.as_bytes());
        let key = (hash, first);
        let known = self.known.lock().map(|k| k.get(&key).copied());
        if let Ok(Some(tokens)) = known {
            return tokens;
        }
        let tokens = match self.cache.get_text_count(hash, first, self.encoding) {
            Some(tokens) => tokens,
            None => {
                let tokens = count();
                self.cache
                    .put_text_count(hash, first, self.encoding, tokens);
                tokens
            }
        };
        if let Ok(mut known) = self.known.lock() {
            known.insert(key, tokens);
        }
        tokens
    }
}
