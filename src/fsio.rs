//! Reading and writing the files of an untrusted repository safely.
//!
//! Reads: every file is opened once, without blocking (a FIFO or a device
//! never stalls a run), checked on the open handle (a regular file,
//! whatever its name or symlinks say) and read with a hard byte limit (a
//! `/dev/zero` behind a symlink reports size 0 and never ends).
//!
//! Writes: only to a regular file inside the project after symlinks are
//! resolved (unless the user says otherwise on the command line), through
//! a temporary file beside it created with the target's mode, renamed over
//! it only if the target still holds what was read (compare and swap),
//! removed on SIGINT/SIGTERM and by the next run if left behind.
//! Knows nothing of what the bytes mean.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The path is not a regular file: a FIFO, socket, device or directory.
    NotRegular(&'static str),
    /// It holds more than the limit.
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The operating system refused (missing, permissions, a symlink loop).
    Io(io::Error),
}

impl ReadError {
    /// Whether the file is simply absent (not an error for optional files).
    pub(crate) fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }

    /// What went wrong, for a person.
    pub(crate) fn message(&self) -> String {
        match self {
            ReadError::NotRegular(kind) => format!("{kind}, not a regular file"),
            ReadError::TooLarge { limit } => format!("over the {limit}-byte limit"),
            ReadError::Io(e) => crate::error::plain_io_message(e),
        }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// Opens `path` for reading without ever blocking, and checks on the open
/// handle that it is a regular file.
pub(crate) fn open_regular(path: &Path) -> Result<(File, std::fs::Metadata), ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading waits for a writer unless non-blocking.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    #[cfg(debug_assertions)]
    injected_denial(path)?;
    let file = options.open(path).map_err(ReadError::Io)?;
    let metadata = file.metadata().map_err(ReadError::Io)?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular(special_kind(&metadata)));
    }
    Ok((file, metadata))
}

/// Test builds only: a file named by `CTXBUDGET_TEST_DENY_READ` fails to
/// open as a mode-000 file does, so the unreadable-file path is tested
/// even where the tests run as root (who can read anything).
#[cfg(debug_assertions)]
fn injected_denial(path: &Path) -> Result<(), ReadError> {
    match std::env::var_os("CTXBUDGET_TEST_DENY_READ") {
        Some(name) if path.file_name() == Some(name.as_os_str()) => {
            Err(ReadError::Io(io::Error::from_raw_os_error(libc::EACCES)))
        }
        _ => Ok(()),
    }
}

/// Reads at most `limit` bytes of the regular file at `path`; a file
/// holding more is [`ReadError::TooLarge`], whatever its size says.
pub(crate) fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let (file, metadata) = open_regular(path)?;
    if metadata.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    read_handle(file, metadata.len(), limit)
}

/// Reads the rest of an opened regular file, at most `limit` bytes.
pub(crate) fn read_handle(file: File, size_hint: u64, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::with_capacity(size_hint.min(limit).min(64 << 20) as usize + 1);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// [`read_bounded`] decoded as text, invalid UTF-8 replaced by U+FFFD.
pub(crate) fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_bounded(path, limit)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// What a non-regular file is, for messages.
#[cfg(unix)]
pub(crate) fn special_kind(metadata: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = metadata.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

/// What a non-regular file is, for messages.
#[cfg(not(unix))]
pub(crate) fn special_kind(metadata: &std::fs::Metadata) -> &'static str {
    if metadata.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// Kernel filesystems whose files are not data (reading `/proc/kmsg`
/// blocks, `/sys` files change under the reader): never walked.
pub(crate) fn is_special_filesystem(path: &Path) -> bool {
    let Ok(real) = path.canonicalize() else {
        return false;
    };
    ["/proc", "/sys", "/dev"]
        .iter()
        .any(|top| real.starts_with(top))
}

/// Files under `dir` (at most `max_depth` directories down) that `keep`
/// accepts, sorted, and the directories that could not be listed, sorted.
/// Symbolic links are listed, never followed.
pub(crate) fn files_under(
    dir: &Path,
    max_depth: usize,
    keep: impl Fn(&Path, std::fs::FileType) -> bool,
) -> (Vec<PathBuf>, Vec<(PathBuf, io::Error)>) {
    let mut files = Vec::new();
    let mut failed = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .max_depth(max_depth)
    {
        match entry {
            Ok(entry) if keep(entry.path(), entry.file_type()) && entry.depth() > 0 => {
                files.push(entry.into_path());
            }
            Ok(_) => {}
            Err(e) => {
                let path = e
                    .path()
                    .map_or_else(|| dir.to_path_buf(), Path::to_path_buf);
                if let Some(e) = e.into_io_error() {
                    failed.push((path, e));
                }
            }
        }
    }
    files.sort();
    failed.sort_by(|a, b| a.0.cmp(&b.0));
    (files, failed)
}

/// What a temporary file of an atomic write is named after.
const TEMP_PREFIX: &str = ".ctxbudget-tmp-";

/// Whether a file name is one of ctxbudget's temporary files (this
/// version's, or version 0.1's `.NAME.ctxbudget-PID-N.tmp`): never priced.
pub(crate) fn is_temp_name(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX)
        || (name.starts_with('.') && name.ends_with(".tmp") && name.contains(".ctxbudget-"))
}

/// Where a command may write `file`, given the project `root`: the file
/// with every symlink resolved, refused (with the reason) when it is not
/// a regular file or lies outside the project, unless `allow_outside`.
/// A file that does not exist yet is placed under its nearest existing
/// directory, resolved the same way.
pub(crate) fn write_target(
    root: &Path,
    file: &Path,
    allow_outside: bool,
) -> Result<PathBuf, String> {
    let root = root
        .canonicalize()
        .map_err(|e| format!("cannot resolve the project directory: {}", plain(&e)))?;
    let outside = |real: &Path| {
        format!(
            "it resolves to {}, outside the project {}\nhint: name a file inside the project, or pass --allow-outside to write there on purpose",
            real.display(),
            root.display()
        )
    };
    match std::fs::symlink_metadata(file) {
        Ok(_) => {
            let real = file.canonicalize().map_err(|e| {
                format!(
                    "it is a symbolic link that leads nowhere ({})\nhint: fix or remove the link",
                    plain(&e)
                )
            })?;
            let meta = std::fs::metadata(&real).map_err(|e| plain(&e))?;
            if !meta.is_file() {
                return Err(format!(
                    "it is {}, not a regular file; nothing was written",
                    special_kind(&meta)
                ));
            }
            if !allow_outside && !real.starts_with(&root) {
                return Err(outside(&real));
            }
            Ok(real)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let name = file
                .file_name()
                .ok_or_else(|| "it does not name a file".to_string())?;
            let mut missing = vec![name.to_os_string()];
            let mut dir = file.parent().filter(|p| !p.as_os_str().is_empty());
            let base = loop {
                let here = dir.unwrap_or(Path::new("."));
                match std::fs::symlink_metadata(here) {
                    Ok(_) => break here.canonicalize().map_err(|e| plain(&e))?,
                    Err(_) => {
                        let Some(Component::Normal(part)) = here.components().next_back() else {
                            return Err("its directory cannot be resolved".to_string());
                        };
                        missing.push(part.to_os_string());
                        dir = here.parent().filter(|p| !p.as_os_str().is_empty());
                    }
                }
            };
            if !base.is_dir() {
                return Err(format!("{} is not a directory", base.display()));
            }
            let real = missing
                .iter()
                .rev()
                .fold(base, |path, part| path.join(part));
            if !allow_outside && !real.starts_with(&root) {
                return Err(outside(&real));
            }
            Ok(real)
        }
        Err(e) => Err(plain(&e)),
    }
}

fn plain(error: &io::Error) -> String {
    crate::error::plain_io_message(error)
}

/// Why a write did not happen.
#[derive(Debug)]
pub(crate) enum WriteError {
    /// The target changed on disk since it was read.
    Changed,
    /// The target is read-only.
    ReadOnly,
    /// The operating system refused.
    Io(io::Error),
}

impl WriteError {
    /// What to tell the user, with `read_only_hint` saying what to do
    /// about a read-only target.
    pub(crate) fn describe(self, read_only_hint: &str) -> String {
        match self {
            WriteError::Changed => "it changed on disk while ctxbudget was working; nothing was written\nhint: run again".to_string(),
            WriteError::ReadOnly => format!("it is read-only; nothing was written\nhint: {read_only_hint}"),
            WriteError::Io(e) => format!(
                "{}\nhint: check the directory is writable; the file was left as it was",
                plain(&e)
            ),
        }
    }
}

/// Replaces `target` (a path from [`write_target`]) with `bytes` in one
/// step, provided it still holds `expected` (`None`: it did not exist).
/// Keeps the target's permissions and, where allowed, its owner; creates
/// a new file's missing directories.
pub(crate) fn replace(
    target: &Path,
    bytes: &[u8],
    expected: Option<&[u8]>,
) -> Result<(), WriteError> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let old = match std::fs::metadata(target) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(WriteError::Io(e)),
    };
    if old.as_ref().is_some_and(|m| m.permissions().readonly()) {
        return Err(WriteError::ReadOnly);
    }
    if old.is_none() {
        std::fs::create_dir_all(dir).map_err(WriteError::Io)?;
    }
    remove_stale_temps(dir, &name);
    let mut temporary = create_temp(dir, &name, old.as_ref()).map_err(WriteError::Io)?;
    let guard = TempGuard::register(temporary.path().to_path_buf());
    temporary.write_all(bytes).map_err(WriteError::Io)?;
    temporary.as_file().sync_all().map_err(WriteError::Io)?;
    let now = match read_bounded(target, expected.map_or(0, |e| e.len() as u64)) {
        Ok(now) => Some(now),
        Err(e) if e.is_not_found() => None,
        Err(_) => return Err(WriteError::Changed),
    };
    if now.as_deref() != expected {
        // Dropping the temporary file removes it.
        return Err(WriteError::Changed);
    }
    let result = temporary
        .persist(target)
        .map(drop)
        .map_err(|e| WriteError::Io(e.error));
    drop(guard);
    result
}

/// A new temporary file in `dir`, created with the old file's mode from
/// the start (never readable by more people than the file it replaces).
/// Named `.ctxbudget-tmp-PID-RANDOM-NAME`, so a later run can tell whose
/// it is; removed when dropped unless persisted.
fn create_temp(
    dir: &Path,
    name: &str,
    old: Option<&std::fs::Metadata>,
) -> io::Result<tempfile::NamedTempFile> {
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    let suffix = format!("-{name}");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(&suffix).rand_bytes(8);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = old.map_or(0o666, |m| m.permissions().mode() & 0o7777);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let file = builder.tempfile_in(dir)?;
    if let Some(old) = old {
        // The umask may have narrowed the mode: set it exactly, and keep
        // the owner where the system lets us.
        let _ = file.as_file().set_permissions(old.permissions());
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = std::os::unix::fs::fchown(file.as_file(), Some(old.uid()), Some(old.gid()));
        }
    }
    Ok(file)
}

/// Removes temporary files of `name` left by runs that were killed: ours
/// by their process id when it is no longer running, version 0.1's by age.
fn remove_stale_temps(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let suffix = format!("-{name}");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let stale = if let Some(rest) = file_name.strip_prefix(TEMP_PREFIX) {
            let Some(ids) = rest.strip_suffix(suffix.as_str()) else {
                continue;
            };
            let pid = ids.split('-').next().and_then(|p| p.parse::<u32>().ok());
            pid.is_some_and(|pid| pid != std::process::id() && !process_alive(pid))
        } else {
            file_name.starts_with(&format!(".{name}.ctxbudget-")) && file_name.ends_with(".tmp")
        };
        let regular = entry.file_type().is_ok_and(|t| t.is_file());
        if stale && regular {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether a process is running (where the system says; else assume so).
fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        proc.join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Temporary files being written, removed if the process is interrupted.
static TEMPS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Removes the temporary files of writes still under way (the binary's
/// interrupt handler calls this before it exits; without it an interrupt
/// leaves the file for the next run to remove).
pub(crate) fn remove_pending_temps() {
    for path in TEMPS.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        let _ = std::fs::remove_file(path);
    }
}

struct TempGuard(PathBuf);

impl TempGuard {
    fn register(path: PathBuf) -> TempGuard {
        TEMPS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.clone());
        TempGuard(path)
    }
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        TEMPS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|p| *p != self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().expect("dir");
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo on this system
        }
        assert!(matches!(
            read_bounded(&fifo, 10),
            Err(ReadError::NotRegular(_))
        ));
    }

    #[test]
    fn an_endless_device_is_refused() {
        let zero = Path::new("/dev/zero");
        if zero.exists() {
            assert!(matches!(
                read_bounded(zero, 10),
                Err(ReadError::NotRegular(_))
            ));
        }
    }

    #[test]
    fn a_write_refuses_a_changed_or_read_only_target_and_leaves_no_temp() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("CLAUDE.md");
        std::fs::write(&file, "old").expect("write");
        assert!(matches!(
            replace(&file, b"new", Some(b"older")),
            Err(WriteError::Changed)
        ));
        assert!(matches!(
            replace(&file, b"new", None),
            Err(WriteError::Changed)
        ));
        replace(&file, b"new", Some(b"old")).expect("unchanged since read");
        assert_eq!(std::fs::read(&file).expect("read"), b"new");
        let mut ro = std::fs::metadata(&file).expect("meta").permissions();
        ro.set_readonly(true);
        std::fs::set_permissions(&file, ro).expect("chmod");
        assert!(matches!(
            replace(&file, b"x", Some(b"new")),
            Err(WriteError::ReadOnly)
        ));
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["CLAUDE.md"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_private_file_stays_private_and_stale_temps_go() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("CLAUDE.md");
        std::fs::write(&file, "old").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let stale = dir
            .path()
            .join(format!("{TEMP_PREFIX}999999999-0-CLAUDE.md"));
        let old_style = dir.path().join(".CLAUDE.md.ctxbudget-12-0.tmp");
        std::fs::write(&stale, "left").expect("write");
        std::fs::write(&old_style, "left").expect("write");
        let temp = create_temp(
            dir.path(),
            "CLAUDE.md",
            Some(&std::fs::metadata(&file).expect("meta")),
        )
        .expect("temp");
        let mode = std::fs::metadata(temp.path())
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let name = temp
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name");
        assert!(is_temp_name(name), "{name}");
        drop(temp);
        replace(&file, b"new", Some(b"old")).expect("write");
        assert!(!stale.exists() && !old_style.exists());
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(
            is_temp_name(".ctxbudget-tmp-1-2-CLAUDE.md")
                && is_temp_name(".CLAUDE.md.ctxbudget-1-2.tmp")
        );
    }

    #[cfg(unix)]
    #[test]
    fn writes_stay_inside_the_project() {
        let project = tempfile::tempdir().expect("dir");
        let outside = tempfile::tempdir().expect("dir");
        let root = project.path();
        let target = outside.path().join("authorized_keys");
        std::fs::write(&target, "key").expect("write");
        std::os::unix::fs::symlink(&target, root.join("CLAUDE.md")).expect("ln");
        std::os::unix::fs::symlink(outside.path(), root.join(".claude")).expect("ln");
        assert!(write_target(root, &root.join("CLAUDE.md"), false).is_err());
        assert!(write_target(root, &root.join(".claude/CLAUDE.md"), false).is_err());
        assert!(write_target(root, &root.join("../x/y.md"), false).is_err());
        assert!(write_target(root, Path::new("/dev/null"), true).is_err());
        assert!(write_target(root, &root.join("CLAUDE.md"), true).is_ok());
        let inside = write_target(root, &root.join("new/dir/AGENTS.md"), false).expect("inside");
        assert!(inside.starts_with(root.canonicalize().expect("real")));
    }

    #[test]
    fn the_limit_is_hard() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("f");
        std::fs::write(&file, b"12345").expect("write");
        assert_eq!(read_bounded(&file, 5).expect("fits"), b"12345");
        assert!(matches!(
            read_bounded(&file, 4),
            Err(ReadError::TooLarge { limit: 4 })
        ));
        assert!(read_bounded(&dir.path().join("none"), 4).is_err_and(|e| e.is_not_found()));
    }
}
