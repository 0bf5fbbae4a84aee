//! The content-addressed cache: per file, the exact counts and symbol spans
//! keyed by a hash of its bytes, the encoding, ctxbudget's version, the
//! grammar tables and the parse limit. One entry per file under the cache
//! directory, written atomically (temp file + rename) so concurrent runs
//! never see half an entry. An entry that is corrupt, truncated or written
//! for another key is discarded, never trusted.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_128;

/// Bumped whenever the entry format or the meaning of a field changes.
const FORMAT: u32 = 1;
/// The first bytes of every entry.
const MAGIC: &str = "ctxbudget-cache";

/// The environment variable that moves the cache.
pub const DIR_VARIABLE: &str = "CTXBUDGET_CACHE_DIR";

/// The cache directory: `CTXBUDGET_CACHE_DIR`, else the platform's cache
/// directory (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches`
/// on macOS, `%LOCALAPPDATA%` on Windows) plus `ctxbudget`.
pub fn default_dir() -> Option<PathBuf> {
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
pub struct Key {
    /// xxh3-128 of the file's bytes.
    pub content: u128,
    /// The BPE encoding counted with.
    pub encoding: &'static str,
    /// Files above this many bytes were not parsed.
    pub max_parse_bytes: u64,
}

impl Key {
    /// The key for a file's bytes.
    pub fn new(bytes: &[u8], encoding: &'static str, max_parse_bytes: u64) -> Key {
        Key {
            content: xxh3_128(bytes),
            encoding,
            max_parse_bytes,
        }
    }

    /// Everything the entry depends on, as one line (stored and compared).
    fn describe(&self) -> String {
        format!(
            "content={:032x} encoding={} ctxbudget={} tables={:032x} max_parse_bytes={}",
            self.content,
            self.encoding,
            env!("CARGO_PKG_VERSION"),
            *TABLES_FINGERPRINT,
            self.max_parse_bytes
        )
    }

    fn file_name(&self) -> String {
        format!("{:032x}", xxh3_128(self.describe().as_bytes()))
    }
}

/// The grammar tables and languages as compiled into this binary: a change
/// to any of them invalidates every entry.
static TABLES_FINGERPRINT: LazyLock<u128> = LazyLock::new(|| {
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
pub struct Entry {
    /// BPE tokens of the text.
    pub tokens: u64,
    /// BPE tokens of the Read view.
    pub read_tokens: u64,
    /// `None` until parsed; then the spans or the reason there are none.
    pub symbols: Option<Result<Vec<CachedSymbol>, String>>,
}

/// A span with the raw BPE count of its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedSymbol {
    /// See [`crate::syntax::Span`].
    pub name: String,
    /// See [`crate::syntax::Span`].
    pub qualified_name: String,
    /// See [`crate::syntax::Span`].
    pub kind: String,
    /// See [`crate::syntax::Span`].
    pub start_line: u32,
    /// See [`crate::syntax::Span`].
    pub end_line: u32,
    /// Raw BPE tokens of its lines.
    pub tokens: u64,
}

/// A cache directory, or nothing (`--no-cache`, or no directory known).
#[derive(Debug, Clone)]
pub struct Cache {
    dir: Option<PathBuf>,
}

impl Cache {
    /// A cache in `dir`; `None` disables it.
    pub fn new(dir: Option<PathBuf>) -> Cache {
        Cache { dir }
    }

    /// Where the entries live.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn path(&self, key: &Key) -> Option<PathBuf> {
        let name = key.file_name();
        Some(
            self.dir
                .as_ref()?
                .join(format!("v{FORMAT}"))
                .join(&name[..2])
                .join(name),
        )
    }

    /// The entry for `key`, if one is stored and intact.
    pub fn get(&self, key: &Key) -> Option<Entry> {
        let bytes = std::fs::read(self.path(key)?).ok()?;
        decode(&bytes, key)
    }

    /// Stores `entry` for `key`. Failures (read-only disk, full disk) are
    /// ignored: the cache only ever saves time.
    pub fn put(&self, key: &Key, entry: &Entry) {
        let Some(path) = self.path(key) else {
            return;
        };
        let Some(dir) = path.parent() else {
            return;
        };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let Ok(mut temp) = tempfile_in(dir) else {
            return;
        };
        let written = temp
            .1
            .write_all(&encode(key, entry))
            .and_then(|()| temp.1.flush());
        if written.is_err() || std::fs::rename(&temp.0, &path).is_err() {
            let _ = std::fs::remove_file(&temp.0);
        }
    }

    /// Removes every entry; returns how many files were removed.
    pub fn clear(&self) -> std::io::Result<u64> {
        let Some(dir) = &self.dir else {
            return Ok(0);
        };
        let mut removed = 0;
        for version in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let name = version.file_name();
            if !name.to_string_lossy().starts_with('v') || !version.path().is_dir() {
                continue; // not ours: leave it
            }
            for entry in walk_files(&version.path()) {
                std::fs::remove_file(&entry)?;
                removed += 1;
            }
            std::fs::remove_dir_all(version.path())?;
        }
        Ok(removed)
    }
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk_files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A new, uniquely named file in `dir` for an atomic write.
fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let unique = format!(
        ".tmp-{}-{}-{:?}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::thread::current().id()
    )
    .replace(['(', ')'], "");
    let path = dir.join(unique);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    Ok((path, file))
}

/// `MAGIC FORMAT checksum\nkey\njson`, the checksum over `key\njson`.
fn encode(key: &Key, entry: &Entry) -> Vec<u8> {
    let body = format!(
        "{}\n{}",
        key.describe(),
        serde_json::to_string(entry).unwrap_or_default()
    );
    let mut out = format!("{MAGIC} {FORMAT} {:032x}\n", xxh3_128(body.as_bytes())).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

fn decode(bytes: &[u8], key: &Key) -> Option<Entry> {
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
    let (described, json) = body.split_once('\n')?;
    if described != key.describe() {
        return None; // another file's entry under a colliding name
    }
    serde_json::from_str(json).ok()
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
                kind: "function".into(),
                start_line: 1,
                end_line: 3,
                tokens: 9,
            }])),
        }
    }

    #[test]
    fn an_entry_round_trips_and_any_damage_discards_it() {
        let key = Key::new(b"fn f() {}", "cl100k_base", 1 << 20);
        let bytes = encode(&key, &entry());
        assert_eq!(decode(&bytes, &key), Some(entry()));
        for cut in [0, 10, bytes.len() / 2, bytes.len() - 1] {
            assert_eq!(decode(&bytes[..cut], &key), None, "truncated at {cut}");
        }
        let mut flipped = bytes.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 1;
        assert_eq!(decode(&flipped, &key), None, "bit flip");
        let other = Key::new(b"other bytes", "cl100k_base", 1 << 20);
        assert_eq!(decode(&bytes, &other), None, "foreign entry");
        let o200k = Key {
            encoding: "o200k_base",
            ..key
        };
        assert_eq!(decode(&bytes, &o200k), None, "other encoding");
    }

    #[test]
    fn put_then_get_and_clear() {
        let dir = tempfile::tempdir().expect("dir");
        let cache = Cache::new(Some(dir.path().to_path_buf()));
        let key = Key::new(b"x", "cl100k_base", 1);
        assert_eq!(cache.get(&key), None);
        cache.put(&key, &entry());
        assert_eq!(cache.get(&key), Some(entry()));
        std::fs::write(dir.path().join("not-ours.txt"), "keep").expect("write");
        assert_eq!(cache.clear().expect("clear"), 1);
        assert_eq!(cache.get(&key), None);
        assert!(
            dir.path().join("not-ours.txt").exists(),
            "clear leaves foreign files"
        );
    }
}
