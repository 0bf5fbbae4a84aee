//! Streams one transcript file, line by line, into the figures of the
//! sessions it holds for the project. A line is parsed, used and dropped:
//! memory holds one line, the pending tool calls and one small entry per
//! API request, whatever the file's size.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::io::{self, BufRead};
use std::path::{Component, Path, PathBuf};

use super::record::{Block, Record, ToolInput};
use super::time::{self, Millis};
use super::{Filter, Skipped};
use crate::tokenize::Tokenizer;

/// Lines longer than this are skipped unread (no transcript line is).
pub(crate) const MAX_LINE_BYTES: usize = 256 << 20;

/// A Read result larger than this is counted as unpriced, not tokenized.
pub(crate) const MAX_RESULT_BYTES: usize = 4 << 20;

/// A line buffer larger than this is given back after use.
const KEEP_BUFFER: usize = 16 << 20;

/// Edits and searches kept per whole read, and the bytes kept of each.
const MAX_TOUCHES: usize = 32;

/// An edit or search tells what a whole read was for when it comes within
/// this many tool calls of the read; later ones are other work.
const TOUCH_WINDOW: u32 = 12;
const MAX_TOUCH_BYTES: usize = 4096;

/// Record types Claude Code writes that `sessions` reads or knowingly
/// passes over; any other type is counted as an unknown shape.
const KNOWN_TYPES: &[&str] = &[
    "user",
    "assistant",
    "system",
    "summary",
    "attachment",
    "file-history-snapshot",
    "queue-operation",
    "progress",
    "last-prompt",
    "ai-title",
    "custom-title",
    "permission-mode",
    "tag",
    "agent-name",
    "pr-link",
];

/// One API request, deduplicated within the file.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// Hash of `message.id` and `requestId`.
    pub(crate) key: u64,
    /// When its first line was written.
    pub(crate) at: Millis,
    /// `input_tokens`, counted once.
    pub(crate) input: u64,
    /// `cache_creation_input_tokens`.
    pub(crate) cache_creation: u64,
    /// `cache_read_input_tokens`.
    pub(crate) cache_read: u64,
    /// The last `output_tokens` written for it.
    pub(crate) output: u64,
    /// Made by a subagent.
    pub(crate) sidechain: bool,
    /// The model that answered.
    pub(crate) model: Option<String>,
    /// A line of the response carried its final `stop_reason`: its output
    /// count is the final one (else a lower bound).
    pub(crate) finished: bool,
}

impl Request {
    /// The context the request carried.
    pub(crate) fn context(&self) -> u64 {
        self.input
            .saturating_add(self.cache_creation)
            .saturating_add(self.cache_read)
    }
}

/// One Read result.
#[derive(Debug, Clone)]
pub(crate) struct Read {
    /// Hash of the tool call id (0 when unknown).
    pub(crate) key: u64,
    /// The path, relative to the project when inside it.
    pub(crate) path: String,
    /// No `offset` nor `limit` was given.
    pub(crate) whole: bool,
    /// Tokens of the text as the Read tool showed it.
    pub(crate) tokens: u64,
    /// The Read guard turned away a whole read of this file earlier in
    /// the session.
    pub(crate) after_denial: bool,
}

/// A whole read the Read guard turned away.
#[derive(Debug, Clone)]
pub(crate) struct Turned {
    /// Hash of the tool call id and the path.
    pub(crate) key: u64,
    /// The file, as the guard named it (from the project root).
    pub(crate) path: String,
    /// What reading it whole would have cost.
    pub(crate) whole_tokens: u64,
    /// The share of the reason's tokens (what the model read instead).
    pub(crate) reason_tokens: u64,
}

/// Something a session did to a file after reading it whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Touch {
    /// Text the session wrote into the file (Edit, MultiEdit).
    Edited(String),
    /// A Grep pattern run over the file or a directory holding it.
    Searched(String),
}

/// A file read whole at over the threshold, and what followed.
#[derive(Debug, Clone, Default)]
pub(crate) struct WholeRead {
    /// Whole reads over the threshold.
    pub(crate) reads: u64,
    /// Their tokens.
    pub(crate) tokens: u64,
    /// Edits and searches of the file soon after such a read.
    pub(crate) touches: Vec<Touch>,
    /// Tool calls of the session since the latest such read.
    calls_since: u32,
}

/// What one file says about one session.
#[derive(Debug, Default)]
pub(crate) struct SessionPart {
    /// Earliest and latest record counted, with their text.
    pub(crate) first: Option<(Millis, String)>,
    /// Latest record counted.
    pub(crate) last: Option<(Millis, String)>,
    /// Models that answered.
    pub(crate) models: Vec<String>,
    /// API requests, in the order of their first line.
    pub(crate) requests: Vec<Request>,
    /// Hashes of the `uuid`s of compaction markers.
    pub(crate) compactions: Vec<u64>,
    /// Read results, in order.
    pub(crate) reads: Vec<Read>,
    /// Files read whole over the threshold.
    pub(crate) whole: BTreeMap<String, WholeRead>,
    /// Whole reads the Read guard turned away, in order.
    pub(crate) turned: Vec<Turned>,
    /// Calibration pairs measured.
    pub(crate) samples: Vec<super::calibrate::Sample>,
}

/// What one transcript file holds for the project.
#[derive(Debug, Default)]
pub struct FilePart {
    /// Sessions by id.
    pub(crate) sessions: BTreeMap<String, SessionPart>,
    /// Lines skipped, by reason.
    pub(crate) skipped: Skipped,
    /// Whether any record of the project was found (else the file, and
    /// its skipped lines, belong to someone else).
    pub(crate) in_project: bool,
}

/// A Read call waiting for its result.
#[derive(Debug)]
struct Call {
    path: String,
    ranged: bool,
}

/// Reading state of one file.
struct Reader<'a> {
    filter: &'a Filter,
    /// The session of records that name none (the file's stem).
    fallback_session: Option<String>,
    tokenizer: &'a Tokenizer,
    counts: &'a dyn Fn(&str, u64) -> u64,
    part: FilePart,
    /// Whether the latest record with a `cwd` was inside the project.
    here: Option<bool>,
    /// The latest `cwd` seen, for relative paths.
    cwd: Option<String>,
    calls: HashMap<String, Call>,
    requests: HashMap<(String, u64), usize>,
    /// Calibration state per session (main conversation only).
    pairings: HashMap<String, super::calibrate::Pairing>,
}

/// `counts(text, AS_SHOWN)` counts a text as it is (no line numbers).
pub const AS_SHOWN: u64 = 0;

/// Streams `input` (one transcript) into the project's figures. `counts`
/// gives the tokens of a Read text shown from a first line number, or of
/// a text as it is for [`AS_SHOWN`] (the caller caches it). `name` (the
/// file's stem) is the session of records that name none. Each record
/// counts for the directory it ran in: while the file's records run
/// elsewhere, a line that cannot mention the project's path is passed
/// over unparsed (it is someone else's).
pub fn read(
    input: impl BufRead,
    name: Option<&str>,
    filter: &Filter,
    tokenizer: &Tokenizer,
    counts: &dyn Fn(&str, u64) -> u64,
) -> io::Result<FilePart> {
    let mut reader = Reader {
        filter,
        fallback_session: name.map(str::to_string),
        tokenizer,
        counts,
        part: FilePart::default(),
        here: None,
        cwd: None,
        calls: HashMap::new(),
        requests: HashMap::new(),
        pairings: HashMap::new(),
    };
    let mut input = input;
    let mut line = Vec::new();
    loop {
        let complete = match read_line(&mut input, &mut line, MAX_LINE_BYTES)? {
            None => break,
            Some(complete) => complete,
        };
        if !complete {
            reader.part.skipped.too_long += 1;
        } else if !line.iter().all(u8::is_ascii_whitespace)
            && (reader.here != Some(false) || filter.may_mention(&line))
        {
            reader.line(&line);
        }
        if line.capacity() > KEEP_BUFFER {
            line = Vec::new();
        }
    }
    reader.part.in_project = !reader.part.sessions.is_empty();
    Ok(reader.part)
}

/// Reads one line into `line` (without its newline). `None` at the end;
/// `Some(false)` when the line was longer than `max` bytes and was passed
/// over (never held whole).
fn read_line(input: &mut impl BufRead, line: &mut Vec<u8>, max: usize) -> io::Result<Option<bool>> {
    line.clear();
    let mut seen = false;
    let mut too_long = false;
    loop {
        let buffer = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buffer.is_empty() {
            return Ok(seen.then_some(!too_long));
        }
        seen = true;
        let (chunk, used, done) = match buffer.iter().position(|&b| b == b'\n') {
            Some(n) => (&buffer[..n], n + 1, true),
            None => (buffer, buffer.len(), false),
        };
        if !too_long && line.len() + chunk.len() <= max {
            line.extend_from_slice(chunk);
        } else if !too_long {
            too_long = true;
            *line = Vec::new();
        }
        input.consume(used);
        if done {
            return Ok(Some(!too_long));
        }
    }
}

impl Reader<'_> {
    fn line(&mut self, line: &[u8]) {
        let parsed = if self.filter.usage_only {
            serde_json::from_slice::<super::record::UsageRecord>(line).map(Record::from)
        } else {
            serde_json::from_slice::<Record>(line)
        };
        let record: Record = match parsed {
            Ok(record) => record,
            // JSON, but not an object: a record of no known type.
            Err(e) if e.classify() == serde_json::error::Category::Data => {
                self.part.skipped.unknown("");
                return;
            }
            Err(_) => {
                self.part.skipped.not_json += 1;
                return;
            }
        };
        if let Some(cwd) = &record.cwd {
            self.here = Some(self.filter.is_in_project(cwd));
            self.cwd = Some(cwd.clone());
        }
        let kind = record.kind.as_deref().unwrap_or("");
        if !KNOWN_TYPES.contains(&kind) {
            self.part.skipped.unknown(kind);
            return;
        }
        // Only records after a working directory in the project count: a
        // file that never says where it ran is nobody's.
        if self.here != Some(true) {
            return;
        }
        let named = record
            .session_id
            .clone()
            .or_else(|| record.session_id_snake.clone());
        let session = match (named, kind) {
            (Some(session), _) => session,
            (None, "user" | "assistant" | "system") => match &self.fallback_session {
                Some(name) => name.clone(),
                None => {
                    self.part.skipped.malformed += 1;
                    return;
                }
            },
            // Summaries, snapshots and titles belong to no session's figures.
            (None, _) => return,
        };
        // A transcript is input too: a session id never prints controls.
        let session = crate::text::escape(&session).into_owned();
        if !self.filter.wants_session(&session) {
            return;
        }
        let at = record.timestamp.as_deref().and_then(time::parse);
        if let (Some(since), Some(at)) = (self.filter.since, at)
            && at < since
        {
            return;
        }
        match kind {
            "assistant" => self.assistant(&session, &record, at),
            "user" => {
                if self.filter.calibrate && record.is_sidechain != Some(true) {
                    self.pair_user(&session, &record);
                }
                self.user(&session, &record);
            }
            "attachment" => {
                if self.filter.calibrate && record.is_sidechain != Some(true) {
                    self.pairings.entry(session.clone()).or_default().other();
                }
            }
            "system" => {
                if record.subtype.as_deref() == Some("compact_boundary") {
                    self.pairings.remove(&session);
                    let key = hash(record.uuid.as_deref().unwrap_or(""), "");
                    self.session(&session).compactions.push(key);
                }
            }
            _ => return,
        }
        if let (Some(at), Some(text)) = (at, &record.timestamp) {
            let part = self.session(&session);
            if part.first.as_ref().is_none_or(|(t, _)| at < *t) {
                part.first = Some((at, text.clone()));
            }
            if part.last.as_ref().is_none_or(|(t, _)| at > *t) {
                part.last = Some((at, text.clone()));
            }
        }
    }

    fn session(&mut self, id: &str) -> &mut SessionPart {
        if !self.part.sessions.contains_key(id) {
            self.part
                .sessions
                .insert(id.to_string(), SessionPart::default());
        }
        self.part.sessions.get_mut(id).expect("inserted just above")
    }

    fn assistant(&mut self, session: &str, record: &Record, at: Option<Millis>) {
        let Some(message) = &record.message else {
            self.part.skipped.malformed += 1;
            return;
        };
        let sidechain = record.is_sidechain == Some(true);
        let synthetic = message.model.as_deref() == Some("<synthetic>");
        // A transcript is input too: a model name never prints controls.
        let model = message
            .model
            .as_deref()
            .map(|m| crate::text::escape(m).into_owned());
        if let (Some(id), Some(usage), false) = (&message.id, &message.usage, synthetic) {
            let key = hash(id, record.request_id.as_deref().unwrap_or(""));
            let output = usage.output_tokens.unwrap_or(0);
            let slot = (session.to_string(), key);
            let finished = message.stop_reason.is_some();
            if let Some(&index) = self.requests.get(&slot) {
                // The same response again: its usage repeats, its output grows.
                let request = &mut self.session(session).requests[index];
                request.output = output;
                request.finished |= finished;
            } else {
                let part = self.session(session);
                part.requests.push(Request {
                    key,
                    at: at.unwrap_or(Millis::MAX),
                    input: usage.input_tokens.unwrap_or(0),
                    cache_creation: usage.cache_creation_input_tokens.unwrap_or(0),
                    cache_read: usage.cache_read_input_tokens.unwrap_or(0),
                    output,
                    sidechain,
                    model: model.clone(),
                    finished,
                });
                let index = part.requests.len() - 1;
                self.requests.insert(slot, index);
            }
            if self.filter.calibrate && !sidechain {
                let thinking = message
                    .content
                    .iter()
                    .flatten()
                    .filter_map(|b| b.0.as_ref())
                    .any(|b| b.kind.as_deref() == Some("thinking"));
                let context = usage
                    .input_tokens
                    .unwrap_or(0)
                    .saturating_add(usage.cache_creation_input_tokens.unwrap_or(0))
                    .saturating_add(usage.cache_read_input_tokens.unwrap_or(0));
                let sample = self
                    .pairings
                    .entry(session.to_string())
                    .or_default()
                    .response(key, context, output, model.as_deref(), thinking);
                if let Some(sample) = sample {
                    self.session(session).samples.push(sample);
                }
            }
            if let Some(model) = &model {
                let part = self.session(session);
                if !part.models.contains(model) {
                    part.models.push(model.clone());
                }
            }
        }
        for block in message
            .content
            .iter()
            .flatten()
            .filter_map(|b| b.0.as_ref())
        {
            if block.kind.as_deref() == Some("tool_use") {
                self.tool_use(session, block);
            }
        }
    }

    fn tool_use(&mut self, session: &str, block: &Block) {
        if self.filter.usage_only {
            return;
        }
        let (Some(name), Some(input)) = (block.name.as_deref(), &block.input) else {
            return;
        };
        if let Some(part) = self.part.sessions.get_mut(session) {
            for whole in part.whole.values_mut() {
                whole.calls_since = whole.calls_since.saturating_add(1);
            }
        }
        match name {
            "Read" => {
                let (Some(id), Some(path)) = (&block.id, &input.file_path) else {
                    return;
                };
                let path = self.project_path(path);
                let ranged = input.offset.is_some() || input.limit.is_some();
                self.calls.insert(id.clone(), Call { path, ranged });
            }
            "Edit" | "MultiEdit" | "Write" => {
                let Some(path) = &input.file_path else {
                    return;
                };
                let path = self.project_path(path);
                for text in written(input) {
                    self.touch(session, |p| p == path, Touch::Edited(clip(text)));
                }
            }
            "Grep" => {
                let Some(pattern) = &input.pattern else {
                    return;
                };
                let scope = input.path.as_deref().map(|p| self.project_path(p));
                let touch = Touch::Searched(clip(pattern));
                self.touch(session, |p| under(p, scope.as_deref()), touch);
            }
            _ => {}
        }
    }

    /// Notes `touch` on every file read whole in the session, a few calls
    /// ago, that `applies` to.
    fn touch(&mut self, session: &str, applies: impl Fn(&str) -> bool, touch: Touch) {
        let Some(part) = self.part.sessions.get_mut(session) else {
            return;
        };
        for (path, whole) in &mut part.whole {
            if whole.calls_since <= TOUCH_WINDOW
                && applies(path)
                && whole.touches.len() < MAX_TOUCHES
                && !whole.touches.contains(&touch)
            {
                whole.touches.push(touch.clone());
            }
        }
    }

    /// What a main-conversation user record brings into the context, for
    /// calibration: tool results (measured in cl100k when large enough),
    /// or anything else.
    fn pair_user(&mut self, session: &str, record: &Record) {
        use super::calibrate::MIN_RESULT_TOKENS;
        let blocks: Vec<&Block> = record.blocks().collect();
        let pairing = self.pairings.entry(session.to_string()).or_default();
        if blocks.is_empty() {
            // A prompt in plain text.
            pairing.other();
            return;
        }
        for block in blocks {
            if block.kind.as_deref() != Some("tool_result") {
                pairing.other();
                continue;
            }
            let text = block.content.as_deref().unwrap_or("");
            // A token holds at least one byte: a shorter text is too small.
            let tokens = if text.len() as u64 >= MIN_RESULT_TOKENS && text.len() <= MAX_RESULT_BYTES
            {
                self.tokenizer.count_result(text)
            } else {
                0
            };
            pairing.result(tokens);
        }
    }

    fn user(&mut self, session: &str, record: &Record) {
        if self.filter.usage_only {
            return;
        }
        let results: Vec<&Block> = record
            .blocks()
            .filter(|b| b.kind.as_deref() == Some("tool_result"))
            .collect();
        // The structured result describes the record's one tool result;
        // with several, each is counted from its own text.
        let file = record
            .tool_use_result
            .as_ref()
            .and_then(|r| r.file.as_ref())
            .filter(|_| results.len() == 1);
        for result in results {
            let Some(id) = &result.tool_use_id else {
                continue;
            };
            if result.is_error == Some(true) {
                self.calls.remove(id);
                if let Some(text) = &result.content {
                    self.denied(session, id, text);
                }
                continue;
            }
            let Some(call) = self.calls.remove(id) else {
                continue;
            };
            // The text the model was shown is counted as recorded, in
            // whichever line-number format its version wrote (reminders
            // included). Only when it is absent is the view rebuilt from
            // the structured result's raw text and first line. Claude Code
            // returns at most 256 KiB of a file: a result far larger is
            // not one, and pricing it exactly could take minutes.
            let recorded = result.content.as_deref().filter(|t| !t.is_empty());
            let rebuilt = file.and_then(|f| f.content.as_deref().map(|c| (f, c)));
            let shown = recorded.or(rebuilt.map(|(_, c)| c)).unwrap_or("");
            if shown.len() > MAX_RESULT_BYTES
                || crate::text::long_run_bytes(shown) > crate::source::MAX_LONG_RUN_BYTES
            {
                self.part.skipped.unpriced_reads += 1;
                continue;
            }
            let tokens = match (recorded, rebuilt) {
                (Some(text), _) => (self.counts)(text, AS_SHOWN),
                (None, Some((file, text))) => {
                    let start = file.start_line.unwrap_or(1).max(1);
                    (self.counts)(text, start)
                }
                (None, None) => continue,
            };
            let whole = !call.ranged;
            self.read_done(session, id, call.path, whole, tokens);
        }
    }

    /// Notes the whole reads the Read guard turned away in an error result.
    fn denied(&mut self, session: &str, id: &str, text: &str) {
        if text.len() > MAX_RESULT_BYTES {
            return;
        }
        let turned = super::guard::turned_away(text);
        if turned.is_empty() {
            return;
        }
        let reason = self.tokenizer.scale(self.tokenizer.count(text));
        let share = reason / turned.len() as u64;
        let part = self.session(session);
        for (path, whole_tokens) in turned {
            let path = crate::text::escape(&path).into_owned();
            part.turned.push(Turned {
                key: hash(id, &path),
                path,
                whole_tokens,
                reason_tokens: share,
            });
        }
    }

    fn read_done(&mut self, session: &str, id: &str, path: String, whole: bool, tokens: u64) {
        let threshold = self.filter.whole_read_tokens;
        let part = self.session(session);
        let after_denial = part.turned.iter().any(|t| t.path == path);
        if whole && tokens > threshold {
            let entry = part.whole.entry(path.clone()).or_default();
            entry.reads += 1;
            entry.tokens = entry.tokens.saturating_add(tokens);
            entry.calls_since = 0;
        }
        part.reads.push(Read {
            key: hash(id, ""),
            path,
            whole,
            tokens,
            after_denial,
        });
    }

    /// A tool's path as the report shows it: relative to the project when
    /// inside it, else absolute; `.` and `..` resolved by name; unsafe
    /// characters escaped.
    fn project_path(&self, path: &str) -> String {
        let raw = Path::new(path);
        let full = if raw.is_absolute() {
            raw.to_path_buf()
        } else {
            self.cwd
                .as_deref()
                .map_or_else(|| raw.to_path_buf(), |cwd| Path::new(cwd).join(raw))
        };
        let full = normalize(&full);
        let shown = self
            .filter
            .relative(&full)
            .unwrap_or_else(|| full.to_string_lossy().into_owned());
        // A transcript is input too: its paths never print control characters.
        crate::text::escape(&shown).into_owned()
    }
}

/// Texts an Edit, MultiEdit or Write call puts in the file.
fn written(input: &ToolInput) -> Vec<&str> {
    let mut texts: Vec<&str> = input.new_string.as_deref().into_iter().collect();
    texts.extend(
        input
            .edits
            .iter()
            .flatten()
            .filter_map(|e| e.0.as_ref()?.new_string.as_deref()),
    );
    texts
}

/// Whether `path` is `scope` or inside it; no scope is the whole project.
fn under(path: &str, scope: Option<&str>) -> bool {
    match scope {
        None | Some("") | Some(".") => !Path::new(path).is_absolute(),
        Some(scope) => {
            path == scope
                || path
                    .strip_prefix(scope)
                    .is_some_and(|rest| rest.starts_with('/'))
        }
    }
}

fn clip(text: &str) -> String {
    if text.len() <= MAX_TOUCH_BYTES {
        return text.to_string();
    }
    let mut end = MAX_TOUCH_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// Resolves `.` and `..` by name, without touching the disk.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A 64-bit hash of two strings, the same for the whole run.
pub(crate) fn hash(a: &str, b: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    a.hash(&mut hasher);
    b.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::TokenizerKind;

    #[test]
    fn long_lines_are_passed_over_and_a_last_line_needs_no_newline() {
        let text = b"short\nthis line is too long\n\nlast";
        let mut input = io::BufReader::with_capacity(4, &text[..]);
        let mut line = Vec::new();
        let mut seen = Vec::new();
        while let Some(complete) = read_line(&mut input, &mut line, 10).expect("in memory") {
            seen.push((complete, String::from_utf8_lossy(&line).into_owned()));
        }
        let expected = [(true, "short"), (false, ""), (true, ""), (true, "last")];
        let expected: Vec<(bool, String)> =
            expected.iter().map(|(c, t)| (*c, t.to_string())).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn paths_are_made_relative_to_the_project_and_siblings_stay_outside() {
        let filter = Filter::new(Path::new("/work/shop"), None, Vec::new(), 1);
        assert!(filter.is_in_project("/work/shop"));
        assert!(filter.is_in_project("/work/shop/src/../lib"));
        assert!(!filter.is_in_project("/work/shop-old"));
        assert!(!filter.is_in_project("/work"));
        let call = |id: &str, path: &str| serde_json::json!({"type": "tool_use", "id": id, "name": "Read", "input": {"file_path": path}});
        let result = |id: &str| serde_json::json!({"type": "tool_result", "tool_use_id": id, "content": "1\tx"});
        let lines = [
            serde_json::json!({"type": "assistant", "sessionId": "s", "cwd": "/work/shop/src",
                "message": {"id": "m", "content": [call("t1", "../README.md"), call("t2", "/etc/hosts")]}}),
            serde_json::json!({"type": "user", "sessionId": "s", "cwd": "/work/shop/src",
                "message": {"content": [result("t1"), result("t2")]}}),
        ];
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let tokenizer = Tokenizer::new(TokenizerKind::Cl100k, 1.0);
        let count = |text: &str, first: u64| tokenizer.count_as_read_from(text, first);
        let part = read(text.as_bytes(), None, &filter, &tokenizer, &count).expect("in memory");
        let paths: Vec<&str> = part.sessions["s"]
            .reads
            .iter()
            .map(|r| r.path.as_str())
            .collect();
        assert_eq!(paths, ["README.md", "/etc/hosts"]);
        // Without a structured result, the text the model saw is counted.
        assert!(
            part.sessions["s"]
                .reads
                .iter()
                .all(|r| r.whole && r.tokens > 0)
        );
    }

    #[test]
    fn only_edits_and_searches_soon_after_a_whole_read_tell_what_it_was_for() {
        let filter = Filter::new(Path::new("/p"), None, Vec::new(), 1);
        let record = |kind: &str, content: serde_json::Value, extra: serde_json::Value| {
            let mut r = serde_json::json!({"type": kind, "sessionId": "s", "cwd": "/p",
                "message": {"id": format!("m{}", content), "content": [content]}});
            if let (Some(r), Some(extra)) = (r.as_object_mut(), extra.as_object()) {
                r.extend(extra.clone());
            }
            format!("{r}\n")
        };
        let call = |id: &str, name: &str, input: serde_json::Value| {
            record(
                "assistant",
                serde_json::json!({"type": "tool_use", "id": id, "name": name, "input": input}),
                serde_json::json!({}),
            )
        };
        let read = |id: &str| {
            call(id, "Read", serde_json::json!({"file_path": "/p/a.py"}))
                + &record(
                    "user",
                    serde_json::json!({"type": "tool_result", "tool_use_id": id}),
                    serde_json::json!({"toolUseResult": {"file": {"content": "def a():\n    return 1\n", "startLine": 1}}}),
                )
        };
        let grep =
            |id: &str, pattern: &str| call(id, "Grep", serde_json::json!({"pattern": pattern}));
        let mut text = read("r1") + &grep("g1", "early");
        for k in 0..TOUCH_WINDOW {
            text += &call(
                &format!("b{k}"),
                "Bash",
                serde_json::json!({"command": "ls"}),
            );
        }
        text += &grep("g2", "late");
        text += &read("r2");
        text += &grep("g3", "again");
        let tokenizer = Tokenizer::new(TokenizerKind::Cl100k, 1.0);
        let count = |text: &str, first: u64| tokenizer.count_as_read_from(text, first);
        let part = read_transcript(&text, &filter, &tokenizer, &count);
        let whole = &part.sessions["s"].whole["a.py"];
        assert_eq!(whole.reads, 2);
        let searched: Vec<&Touch> = whole.touches.iter().collect();
        assert_eq!(
            searched,
            [
                &Touch::Searched("early".into()),
                &Touch::Searched("again".into())
            ]
        );
    }

    fn read_transcript(
        text: &str,
        filter: &Filter,
        tokenizer: &Tokenizer,
        count: &dyn Fn(&str, u64) -> u64,
    ) -> FilePart {
        read(text.as_bytes(), None, filter, tokenizer, count).expect("in memory")
    }
}
