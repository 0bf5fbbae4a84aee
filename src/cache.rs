//! The content-addressed cache: per file, the exact counts and symbol spans
//! keyed by a hash of its bytes, the encoding, ctxbudget's version, the
//! grammar tables and the parse limit.
//!
//! Entries are kept in one pack per scanned root, holding the entries of
//! the files that root had on its last run: a warm run reads one file and
//! writes none, a cold run writes one (thousands of small files cost more
//! to create than the work they save), and a pack never grows past its
//! tree. A pack is written atomically (temp file + rename), so concurrent
//! runs never see half of one; the last writer wins. A pack that is
//! corrupt, truncated or of another format is discarded, never trusted.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_128;

use crate::lang::SymbolKind;

/// Bumped whenever the pack format or the meaning of a field changes.
const FORMAT: u32 = 2;
/// The first bytes of every entry.
const MAGIC: &str = "ctxbudget-cache";

/// A pack larger than this is not loaded (it is rebuilt).
const PACK_BYTES: u64 = 1 << 30;

/// The environment variable that moves the cache.
pub(crate) const DIR_VARIABLE: &str = "CTXBUDGET_CACHE_DIR";

/// The cache directory: `CTXBUDGET_CACHE_DIR`, else the platform's cache
/// directory (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches`
/// on macOS, `%LOCALAPPDATA%` on Windows) plus `ctxbudget`.
pub(crate) fn default_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(DIR_VARIABLE).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let home = || {
        std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        std::env::var_os("LOCALAPPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        home().map(|h| h.join("Library/Caches"))
    } else {
        std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| home().map(|h| h.join(".cache")))
    };
    base.map(|b| b.join("ctxbudget"))
}

/// What one file's entry is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    /// xxh3-128 of the file's bytes.
    pub(crate) content: u128,
    /// The BPE encoding counted with.
    pub(crate) encoding: &'static str,
    /// Files above this many bytes were not parsed.
    pub(crate) max_parse_bytes: u64,
}

impl Key {
    /// The key for a file's bytes.
    pub(crate) fn new(bytes: &[u8], encoding: &'static str, max_parse_bytes: u64) -> Key {
        Key {
            content: xxh3_128(bytes),
            encoding,
            max_parse_bytes,
        }
    }

    /// Everything the entry depends on, as one line (stored and compared).
    fn describe(&self) -> String {
        format!(
            "content={:032x} encoding={} ctxbudget={} tables={:032x} spans={} max_parse_bytes={}",
            self.content,
            self.encoding,
            env!("CARGO_PKG_VERSION"),
            *TABLES_FINGERPRINT,
            crate::syntax::RULES,
            self.max_parse_bytes
        )
    }
}

/// The grammar tables and languages as compiled into this binary: a change
/// to any of them invalidates every entry.
pub(crate) static TABLES_FINGERPRINT: LazyLock<u128> = LazyLock::new(|| {
    let mut all = String::from(crate::lang::LANGUAGES_TOML);
    for (name, table) in crate::lang::grammar::TABLES {
        all.push_str(name);
        all.push_str(table);
    }
    for grammar in crate::lang::grammar::GRAMMARS {
        all.push_str(grammar.name);
    }
    xxh3_128(all.as_bytes())
});

/// What is cached for one file: raw BPE counts (before any factor) and,
/// once the file has been parsed, its spans or why there are none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// BPE tokens of the text.
    pub(crate) tokens: u64,
    /// BPE tokens of the Read view.
    pub(crate) read_tokens: u64,
    /// `None` until parsed; then the spans or the reason there are none.
    pub(crate) symbols: Option<Result<Vec<CachedSymbol>, String>>,
}

/// A span with the raw BPE count of its lines (stored as a JSON array).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "SymbolRow", into = "SymbolRow")]
pub(crate) struct CachedSymbol {
    /// See [`crate::syntax::Span`].
    pub(crate) name: String,
    /// See [`crate::syntax::Span`].
    pub(crate) qualified_name: String,
    /// See [`crate::syntax::Span`].
    pub(crate) kind: SymbolKind,
    /// See [`crate::syntax::Span`].
    pub(crate) start_line: u32,
    /// See [`crate::syntax::Span`].
    pub(crate) end_line: u32,
    /// Raw BPE tokens of its lines.
    pub(crate) tokens: u64,
}

type SymbolRow = (String, String, SymbolKind, u32, u32, u64);

impl From<SymbolRow> for CachedSymbol {
    fn from(row: SymbolRow) -> CachedSymbol {
        let (name, qualified_name, kind, start_line, end_line, tokens) = row;
        CachedSymbol {
            name,
            qualified_name,
            kind,
            start_line,
            end_line,
            tokens,
        }
    }
}

impl From<CachedSymbol> for SymbolRow {
    fn from(s: CachedSymbol) -> SymbolRow {
        (
            s.name,
            s.qualified_name,
            s.kind,
            s.start_line,
            s.end_line,
            s.tokens,
        )
    }
}

/// The cache for one scan: the pack of its root, loaded once, and the
/// entries this run used or computed, written back by [`Cache::persist`].
#[derive(Debug)]
pub(crate) struct Cache {
    pack: Option<PathBuf>,
    /// The pack's entries, read on first use: a run that needs none of
    /// them (a warm `refs`) never decodes the pack.
    loaded: OnceLock<HashMap<String, String>>,
    seen: Mutex<HashMap<String, String>>,
    changed: AtomicBool,
    /// How many entries of the last run this run did not use are kept
    /// (none for a scan, whose pack holds exactly its tree).
    keep_unused: AtomicUsize,
}

/// Unused entries a command's own pack keeps (see [`Cache::open_for`]):
/// about 9 MB of read counts.
const KEEP_UNUSED: usize = 100_000;

impl Cache {
    /// No cache: every lookup misses and nothing is written.
    pub(crate) fn disabled() -> Cache {
        Cache {
            pack: None,
            loaded: OnceLock::from(HashMap::new()),
            seen: Mutex::new(HashMap::new()),
            changed: AtomicBool::new(false),
            keep_unused: AtomicUsize::new(0),
        }
    }

    /// The cache of the scan of `roots` in `dir`, with its pack loaded
    /// (a damaged pack loads as empty).
    pub(crate) fn open(dir: &Path, roots: &[PathBuf]) -> Cache {
        Cache::open_scope(dir, &scope_of(roots), 0)
    }

    /// The scan's cache of `roots` for a run that prices only part of the
    /// tree (the rest it already knows): entries it does not use are kept,
    /// so the scan's pack is not cut down to the few files it priced.
    pub(crate) fn open_partial(dir: &Path, roots: &[PathBuf]) -> Cache {
        Cache::open_scope(dir, &scope_of(roots), usize::MAX)
    }

    /// The cache of another command's run over `roots` (`command` names
    /// it): a pack of its own, so that it never empties the scan's, which
    /// also keeps up to [`KEEP_UNUSED`] entries this run did not use (a
    /// `sessions --since` run does not forget the older reads).
    pub(crate) fn open_for(dir: &Path, command: &str, roots: &[PathBuf]) -> Cache {
        Cache::open_scope(dir, &format!("{command}\n{}", scope_of(roots)), KEEP_UNUSED)
    }

    fn open_scope(dir: &Path, scope: &str, keep_unused: usize) -> Cache {
        Cache {
            pack: Some(pack_path(dir, scope)),
            loaded: OnceLock::new(),
            seen: Mutex::new(HashMap::new()),
            changed: AtomicBool::new(false),
            keep_unused: AtomicUsize::new(keep_unused),
        }
    }

    /// The entry for `key`, if the pack holds an intact one.
    pub(crate) fn get(&self, key: &Key) -> Option<Entry> {
        self.get_value(key.describe())
    }

    /// Keeps none of the entries this run did not use: it saw the whole
    /// tree, so the pack holds exactly that tree.
    pub(crate) fn trim_unused(&self) {
        self.keep_unused.store(0, Ordering::Relaxed);
    }

    /// Remembers `entry` for `key`, to be written by [`Cache::persist`].
    pub(crate) fn put(&self, key: &Key, entry: &Entry) {
        self.put_value(key.describe(), entry);
    }

    /// The exact token count of a text a session was shown (a tool
    /// result, or a file's text numbered from line `first`), if known.
    pub(crate) fn get_text_count(&self, text: u128, first: u64, encoding: &str) -> Option<u64> {
        self.get_value(text_key(text, first, encoding))
    }

    /// Remembers a count for [`Cache::get_text_count`].
    pub(crate) fn put_text_count(&self, text: u128, first: u64, encoding: &str, tokens: u64) {
        self.put_value(text_key(text, first, encoding), &tokens);
    }

    /// The pack's entries, read and checked on the first call (a damaged
    /// pack reads as empty).
    fn loaded(&self) -> &HashMap<String, String> {
        self.loaded.get_or_init(|| {
            self.pack
                .as_ref()
                .and_then(|pack| crate::fsio::read_bounded(pack, PACK_BYTES).ok())
                .and_then(|bytes| decode_pack(&bytes))
                .unwrap_or_default()
        })
    }

    fn get_value<T: serde::de::DeserializeOwned>(&self, described: String) -> Option<T> {
        self.pack.as_ref()?;
        let json = self.loaded().get(&described)?;
        let value = serde_json::from_str(json).ok()?;
        lock(&self.seen).insert(described, json.clone());
        Some(value)
    }

    fn put_value<T: Serialize>(&self, described: String, value: &T) {
        if self.pack.is_none() {
            return;
        }
        let Ok(json) = serde_json::to_string(value) else {
            return;
        };
        self.changed.store(true, Ordering::Relaxed);
        lock(&self.seen).insert(described, json);
    }

    /// Writes the pack when this run changed anything (new entries, or
    /// files gone since the last run). Failures (read-only or full disk)
    /// are ignored: the cache only ever saves time.
    pub(crate) fn persist(&self) {
        let Some(pack) = &self.pack else {
            return;
        };
        let mut seen = lock(&self.seen);
        let changed = self.changed.load(Ordering::Relaxed);
        // Nothing was asked of the pack and nothing added: it stands.
        if !changed && self.loaded.get().is_none() {
            return;
        }
        let loaded = self.loaded();
        let keep_unused = self.keep_unused.load(Ordering::Relaxed);
        let same = !changed
            && (keep_unused > 0
                || (seen.len() == loaded.len() && seen.keys().all(|k| loaded.contains_key(k))));
        if same {
            return;
        }
        if keep_unused > 0 {
            let mut unused: Vec<(&String, &String)> = loaded
                .iter()
                .filter(|(k, _)| !seen.contains_key(*k))
                .collect();
            unused.sort_unstable();
            for (key, json) in unused.into_iter().take(keep_unused) {
                seen.insert(key.clone(), json.clone());
            }
        }
        write_pack(pack, &encode_pack(&seen));
    }
}

/// Puts `bytes` at `path` in the cache directory atomically: a temporary
/// file beside it (named `.tmp-PID-RANDOM`, which [`clear`] knows, and
/// removed when dropped unless persisted), then renamed over it. Failures
/// (a read-only or full disk) are ignored: the cache only ever saves time.
pub(crate) fn write_pack(path: &Path, bytes: &[u8]) {
    write_pack_parts(path, &[bytes]);
}

/// [`write_pack`] of `parts` end to end (never copied into one buffer).
pub(crate) fn write_pack_parts(path: &Path, parts: &[&[u8]]) {
    let Some(dir) = path.parent() else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(mut temp) = tempfile::Builder::new()
        .prefix(&format!(".tmp-{}-", std::process::id()))
        .rand_bytes(8)
        .tempfile_in(dir)
    else {
        return;
    };
    let written = parts.iter().all(|part| temp.write_all(part).is_ok());
    if written && temp.flush().is_ok() {
        let _ = temp.persist(path);
    }
}

/// Where the pack of `scope` lives in the cache directory `dir`:
/// `v<FORMAT>/<hash>.pack`, a name [`clear`] knows as its own.
pub(crate) fn pack_path(dir: &Path, scope: &str) -> PathBuf {
    let name = format!("{:032x}.pack", xxh3_128(scope.as_bytes()));
    dir.join(format!("v{FORMAT}")).join(name)
}

/// The canonical paths of `roots`, one per line.
pub(crate) fn scope_of(roots: &[PathBuf]) -> String {
    let scope: Vec<String> = roots
        .iter()
        .map(|r| {
            std::fs::canonicalize(r)
                .unwrap_or_else(|_| r.clone())
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    scope.join("\n")
}

/// The key of a shown text's count (see [`Cache::get_text_count`]).
fn text_key(text: u128, first: u64, encoding: &str) -> String {
    format!(
        "text={text:032x} first={first} encoding={encoding} ctxbudget={}",
        env!("CARGO_PKG_VERSION")
    )
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes the packs ctxbudget wrote into `dir`: in each of its own pack
/// directories (`v1` up to the current format), the files named as it
/// names them (`<hash>.pack` and its temporary files), then the directory
/// when nothing else is left in it. Never follows a symbolic link and
/// never touches anything else; returns how many files were removed.
pub(crate) fn clear(dir: &Path) -> std::io::Result<u64> {
    let mut removed = 0;
    for format in 1..=FORMAT {
        let version = dir.join(format!("v{format}"));
        match std::fs::symlink_metadata(&version) {
            Ok(meta) if meta.is_dir() => {}
            _ => continue,
        }
        for entry in std::fs::read_dir(&version)? {
            let entry = entry?;
            let name = entry.file_name();
            let ours = name.to_str().is_some_and(is_own_file_name);
            if ours && entry.file_type()?.is_file() {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        // Fails, harmlessly, when something not ours is still inside.
        let _ = std::fs::remove_dir(&version);
    }
    Ok(removed)
}

/// Whether a name is one ctxbudget gives the files of a pack directory.
fn is_own_file_name(name: &str) -> bool {
    if let Some(hash) = name.strip_suffix(".pack") {
        return hash.len() == 32 && hash.bytes().all(|b| b.is_ascii_hexdigit());
    }
    name.strip_prefix(".tmp-").is_some_and(|rest| {
        let mut parts = rest.split('-');
        let numeric = |p: Option<&str>| {
            p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        };
        let random = |p: Option<&str>| {
            p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
        };
        numeric(parts.next()) && random(parts.next()) && parts.next().is_none()
    })
}

/// `MAGIC FORMAT checksum\n` then one `key\tjson\n` line per entry, sorted;
/// the checksum covers everything after the first line.
fn encode_pack(entries: &HashMap<String, String>) -> Vec<u8> {
    let mut keys: Vec<&String> = entries.keys().collect();
    keys.sort();
    let mut body = String::new();
    for key in keys {
        body.push_str(key);
        body.push('\t');
        body.push_str(&entries[key]);
        body.push('\n');
    }
    let mut out = format!("{MAGIC} {FORMAT} {:032x}\n", xxh3_128(body.as_bytes())).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

fn decode_pack(bytes: &[u8]) -> Option<HashMap<String, String>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (header, body) = text.split_once('\n')?;
    let mut parts = header.split(' ');
    if parts.next()? != MAGIC || parts.next()? != FORMAT.to_string() {
        return None;
    }
    let checksum = u128::from_str_radix(parts.next()?, 16).ok()?;
    if parts.next().is_some() || xxh3_128(body.as_bytes()) != checksum {
        return None;
    }
    let mut entries = HashMap::new();
    for line in body.lines() {
        let (key, json) = line.split_once('\t')?;
        entries.insert(key.to_string(), json.to_string());
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            tokens: 10,
            read_tokens: 14,
            symbols: Some(Ok(vec![CachedSymbol {
                name: "f".into(),
                qualified_name: "m.f".into(),
                kind: SymbolKind::Function,
                start_line: 1,
                end_line: 3,
                tokens: 9,
            }])),
        }
    }

    #[test]
    fn a_pack_round_trips_and_any_damage_discards_it() {
        let mut entries = HashMap::new();
        entries.insert(
            "k1".to_string(),
            serde_json::to_string(&entry()).expect("json"),
        );
        entries.insert("k2".to_string(), "{}".to_string());
        let bytes = encode_pack(&entries);
        assert_eq!(decode_pack(&bytes), Some(entries));
        for cut in [0, 10, bytes.len() / 2, bytes.len() - 1] {
            assert_eq!(decode_pack(&bytes[..cut]), None, "truncated at {cut}");
        }
        let mut flipped = bytes.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 1;
        assert_eq!(decode_pack(&flipped), None, "bit flip");
    }

    #[test]
    fn text_counts_persist_in_a_pack_of_their_own() {
        let dir = tempfile::tempdir().expect("dir");
        let roots = [dir.path().to_path_buf()];
        let scan = Cache::open(dir.path(), &roots);
        let key = Key::new(b"x", "cl100k_base", 1);
        scan.put(&key, &entry());
        scan.persist();
        let sessions = Cache::open_for(dir.path(), "sessions", &roots);
        assert_eq!(sessions.get_text_count(7, 1, "cl100k_base"), None);
        sessions.put_text_count(7, 1, "cl100k_base", 42);
        sessions.persist();
        let again = Cache::open_for(dir.path(), "sessions", &roots);
        assert_eq!(again.get_text_count(7, 1, "cl100k_base"), Some(42));
        // A run that uses only other counts keeps this one.
        let other = Cache::open_for(dir.path(), "sessions", &roots);
        other.put_text_count(9, 1, "cl100k_base", 5);
        other.persist();
        let third = Cache::open_for(dir.path(), "sessions", &roots);
        assert_eq!(third.get_text_count(9, 1, "cl100k_base"), Some(5));
        assert_eq!(third.get_text_count(7, 1, "cl100k_base"), Some(42));
        assert_eq!(
            again.get_text_count(7, 2, "cl100k_base"),
            None,
            "first line"
        );
        assert_eq!(again.get_text_count(7, 1, "o200k_base"), None, "encoding");
        assert_eq!(again.get_text_count(8, 1, "cl100k_base"), None, "text");
        assert_eq!(
            Cache::open(dir.path(), &roots).get(&key),
            Some(entry()),
            "the scan's pack is left as it was"
        );
    }

    #[test]
    fn entries_persist_per_root_and_keys_separate_encodings() {
        let dir = tempfile::tempdir().expect("dir");
        let roots = [dir.path().to_path_buf()];
        let key = Key::new(b"x", "cl100k_base", 1);
        let cache = Cache::open(dir.path(), &roots);
        assert_eq!(cache.get(&key), None);
        cache.put(&key, &entry());
        cache.persist();
        let again = Cache::open(dir.path(), &roots);
        assert_eq!(again.get(&key), Some(entry()));
        assert_eq!(
            again.get(&Key {
                encoding: "o200k_base",
                ..key
            }),
            None
        );
        let elsewhere = Cache::open(dir.path(), &[dir.path().join("sub")]);
        assert_eq!(elsewhere.get(&key), None, "another root has its own pack");
        std::fs::write(dir.path().join("not-ours.txt"), "keep").expect("write");
        assert_eq!(clear(dir.path()).expect("clear"), 1);
        assert_eq!(Cache::open(dir.path(), &roots).get(&key), None);
        assert!(
            dir.path().join("not-ours.txt").exists(),
            "clear leaves foreign files"
        );
    }

    /// `cache clear` removed every `v*` directory (a `videos/`, a `venv/`)
    /// and followed symlinks out of the cache.
    #[cfg(unix)]
    #[test]
    fn clear_removes_only_its_own_files_and_never_follows_a_link() {
        let cache = tempfile::tempdir().expect("dir");
        let outside = tempfile::tempdir().expect("dir");
        let c = cache.path();
        std::fs::create_dir_all(c.join("videos")).expect("mkdir");
        std::fs::write(c.join("videos/m.mp4"), "x").expect("write");
        std::fs::create_dir_all(c.join(format!("v{FORMAT}"))).expect("mkdir");
        std::fs::write(outside.path().join("keep"), "y").expect("write");
        std::os::unix::fs::symlink(outside.path(), c.join(format!("v{FORMAT}/link"))).expect("ln");
        let pack = c.join(format!("v{FORMAT}/{}.pack", "a".repeat(32)));
        std::fs::write(&pack, "p").expect("write");
        std::fs::write(c.join(format!("v{FORMAT}/notes.txt")), "mine").expect("write");
        std::os::unix::fs::symlink(outside.path(), c.join("v1")).expect("ln");
        assert_eq!(clear(c).expect("clear"), 1);
        assert!(!pack.exists());
        assert!(c.join("videos/m.mp4").exists());
        assert!(outside.path().join("keep").exists());
        assert!(c.join(format!("v{FORMAT}/notes.txt")).exists());
        assert!(is_own_file_name(".tmp-12-0"));
        assert!(is_own_file_name(".tmp-12-aZ09xYq1"));
        assert!(!is_own_file_name(".tmp-12-a.b"));
        assert!(!is_own_file_name(".tmp-12"));
        assert!(!is_own_file_name("x.pack"));
    }

    #[test]
    fn a_symbol_is_stored_as_a_compact_row() {
        let json = serde_json::to_string(&entry()).expect("json");
        assert!(json.contains(r#"["f","m.f","function",1,3,9]"#), "{json}");
    }
}
