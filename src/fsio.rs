//! Reading repository files safely: every file is opened once, without
//! blocking (a FIFO or a device never stalls a run), checked on the open
//! handle (a regular file, whatever its name or symlinks say) and read
//! with a hard byte limit (a `/dev/zero` behind a symlink reports size 0
//! and never ends). Knows nothing of what the bytes mean.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
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
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }

    /// What went wrong, for a person.
    pub fn message(&self) -> String {
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
pub fn open_regular(path: &Path) -> Result<(File, std::fs::Metadata), ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading waits for a writer unless non-blocking.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path).map_err(ReadError::Io)?;
    let metadata = file.metadata().map_err(ReadError::Io)?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular(special_kind(&metadata)));
    }
    Ok((file, metadata))
}

/// Reads at most `limit` bytes of the regular file at `path`; a file
/// holding more is [`ReadError::TooLarge`], whatever its size says.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let (file, metadata) = open_regular(path)?;
    if metadata.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    read_handle(file, metadata.len(), limit)
}

/// Reads the rest of an opened regular file, at most `limit` bytes.
pub fn read_handle(file: File, size_hint: u64, limit: u64) -> Result<Vec<u8>, ReadError> {
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
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_bounded(path, limit)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// What a non-regular file is, for messages.
#[cfg(unix)]
pub fn special_kind(metadata: &std::fs::Metadata) -> &'static str {
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
pub fn special_kind(metadata: &std::fs::Metadata) -> &'static str {
    if metadata.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// Kernel filesystems whose files are not data (reading `/proc/kmsg`
/// blocks, `/sys` files change under the reader): never walked.
pub fn is_special_filesystem(path: &Path) -> bool {
    let Ok(real) = path.canonicalize() else {
        return false;
    };
    ["/proc", "/sys", "/dev"]
        .iter()
        .any(|top| real.starts_with(top))
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
