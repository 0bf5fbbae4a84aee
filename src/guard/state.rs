//! What the guard remembers between calls, in the cache directory: per
//! session, the files it just turned away (so the next whole read of one
//! passes: never a trap), and a ledger of its decisions. Bounded: a
//! session keeps at most [`MAX_DENIED`] files, state older than
//! [`STATE_DAYS`] days is removed, the ledger is rotated past
//! [`LEDGER_BYTES`].

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// Files remembered per session.
const MAX_DENIED: usize = 256;

/// Session state untouched this long is removed.
const STATE_DAYS: u64 = 7;

/// The ledger is moved aside (one old generation kept) past this size.
const LEDGER_BYTES: u64 = 8 << 20;

/// A session state file larger than this is ignored (and replaced).
const STATE_BYTES: u64 = 256 << 10;

/// The guard's directory in the cache.
pub(crate) fn dir(cache: &Path) -> PathBuf {
    cache.join("guard")
}

/// The files turned away in one session, oldest first.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Denied {
    files: Vec<String>,
}

fn session_file(dir: &Path, session: &str) -> PathBuf {
    let hash = xxhash_rust::xxh3::xxh3_64(session.as_bytes());
    dir.join("sessions").join(format!("{hash:016x}.json"))
}

fn load(path: &Path) -> Denied {
    crate::fsio::read_bounded(path, STATE_BYTES)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

fn store(path: &Path, denied: &Denied) {
    let Some(parent) = path.parent() else {
        return;
    };
    if std::fs::create_dir_all(parent).is_err() {
        return;
    }
    let Ok(bytes) = serde_json::to_vec(denied) else {
        return;
    };
    let Ok(mut temp) = tempfile::Builder::new()
        .prefix(".tmp-")
        .rand_bytes(8)
        .tempfile_in(parent)
    else {
        return;
    };
    if temp.write_all(&bytes).is_ok() {
        let _ = temp.persist(path);
    }
}

/// Where decisions are remembered by file content, under the guard's
/// directory.
pub(crate) fn decisions_dir(state: &Path) -> PathBuf {
    state.join("decisions")
}

/// Whether `file` was turned away earlier in `session`; if so it is
/// forgotten, so this read passes and a later one is weighed again.
pub(crate) fn take_denied(dir: &Path, session: &str, file: &str) -> bool {
    let path = session_file(dir, session);
    let mut denied = load(&path);
    let Some(at) = denied.files.iter().position(|f| f == file) else {
        return false;
    };
    denied.files.remove(at);
    store(&path, &denied);
    true
}

/// Remembers that `file` was turned away in `session`.
pub(crate) fn remember_denied(dir: &Path, session: &str, file: &str) {
    let path = session_file(dir, session);
    let mut denied = load(&path);
    denied.files.retain(|f| f != file);
    denied.files.push(file.to_string());
    if denied.files.len() > MAX_DENIED {
        let extra = denied.files.len() - MAX_DENIED;
        denied.files.drain(..extra);
    }
    store(&path, &denied);
    remove_old_sessions(&dir.join("sessions"));
}

/// Removes session state files (by their exact names) untouched for
/// [`STATE_DAYS`] days.
fn remove_old_sessions(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    let age = Duration::from_secs(STATE_DAYS * 24 * 3600);
    for entry in entries.flatten().take(10_000) {
        let name = entry.file_name();
        let ours = name.to_str().is_some_and(|n| {
            n.strip_suffix(".json")
                .is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        });
        let old = entry
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| m.modified().ok())
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|d| d > age);
        if ours && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// One decision, as the ledger records it.
#[derive(Debug, Serialize)]
pub(crate) struct Decision<'a> {
    /// Milliseconds since the Unix epoch.
    pub(crate) at_ms: u128,
    /// The session.
    pub(crate) session: &'a str,
    /// The file, relative to the project.
    pub(crate) file: &'a str,
    /// `deny`, or `retry` (a whole read let through after a deny).
    pub(crate) decision: &'a str,
    /// The tool (`Read` or `Bash`).
    pub(crate) tool: &'a str,
    /// What reading the file whole costs.
    pub(crate) whole_tokens: u64,
    /// What the outline offered instead costs.
    pub(crate) outline_tokens: u64,
}

/// Appends a decision to the ledger (`guard/ledger.jsonl`), moving a full
/// ledger aside first. Failures are ignored: the ledger is a record, not a
/// dependency.
pub(crate) fn record(dir: &Path, decision: &Decision<'_>) {
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let ledger = dir.join("ledger.jsonl");
    if std::fs::symlink_metadata(&ledger).is_ok_and(|m| m.len() > LEDGER_BYTES) {
        let _ = std::fs::rename(&ledger, dir.join("ledger.1.jsonl"));
    }
    let Ok(mut line) = serde_json::to_string(decision) else {
        return;
    };
    line.push('\n');
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    if let Ok(mut file) = options.open(&ledger) {
        // One write of one line: concurrent hooks do not interleave lines.
        let _ = file.write_all(line.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_denied_file_passes_once_then_is_weighed_again() {
        let cache = tempfile::tempdir().expect("dir");
        let dir = dir(cache.path());
        assert!(!take_denied(&dir, "s1", "big.rs"));
        remember_denied(&dir, "s1", "big.rs");
        assert!(!take_denied(&dir, "s2", "big.rs"), "another session");
        assert!(take_denied(&dir, "s1", "big.rs"));
        assert!(!take_denied(&dir, "s1", "big.rs"));
    }

    #[test]
    fn a_session_remembers_a_bounded_number_of_files() {
        let cache = tempfile::tempdir().expect("dir");
        let dir = dir(cache.path());
        for i in 0..MAX_DENIED + 10 {
            remember_denied(&dir, "s", &format!("f{i}"));
        }
        assert!(!take_denied(&dir, "s", "f0"));
        assert!(take_denied(&dir, "s", &format!("f{}", MAX_DENIED + 9)));
    }

    #[test]
    fn the_ledger_gets_one_line_per_decision() {
        let cache = tempfile::tempdir().expect("dir");
        let dir = dir(cache.path());
        for decision in ["deny", "retry"] {
            record(
                &dir,
                &Decision {
                    at_ms: 1,
                    session: "s",
                    file: "a.rs",
                    decision,
                    tool: "Read",
                    whole_tokens: 9_000,
                    outline_tokens: 300,
                },
            );
        }
        let text = std::fs::read_to_string(dir.join("ledger.jsonl")).expect("ledger");
        assert_eq!(text.lines().count(), 2);
        assert!(text.contains("\"decision\":\"retry\""));
    }
}
