//! Errors that stop a run (exit 2). Problems with one file are not errors:
//! they become skip records and the run goes on.

use std::fmt;
use std::path::PathBuf;

/// A reason the run could not do its job. Every message says what to do.
#[derive(Debug)]
pub enum Error {
    /// A path given on the command line does not exist or cannot be opened.
    BadPath {
        /// What the command could not do with it (`scan`, `check`, ...).
        action: &'static str,
        /// The path as the user gave it.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// `ctxbudget.toml` (or `--config`) could not be read or is invalid.
    Config {
        /// The config file.
        path: PathBuf,
        /// A message naming the key, the line and what is allowed.
        message: String,
    },
    /// An argument combination or value that cannot work.
    Usage(String),
    /// A file ctxbudget was asked to update cannot be updated safely.
    Update {
        /// The file.
        path: PathBuf,
        /// What is wrong, with what to do.
        message: String,
    },
    /// A file or directory ctxbudget had to read or change failed at the
    /// operating system.
    Io {
        /// What ctxbudget was doing (`clear`, `open`, ...).
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Writing the report failed (other than a closed pipe).
    Output(std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadPath {
                action,
                path,
                source,
            } => write!(
                f,
                "cannot {action} {}: {}\nhint: check the path exists and is readable",
                path.display(),
                plain_io_message(source)
            ),
            Error::Config { path, message } => {
                write!(f, "invalid config {}: {message}", path.display())
            }
            Error::Usage(message) => write!(f, "{message}"),
            Error::Update { path, message } => {
                write!(f, "cannot update {}: {message}", path.display())
            }
            Error::Io {
                action,
                path,
                source,
            } => write!(
                f,
                "cannot {action} {}: {}",
                path.display(),
                plain_io_message(source)
            ),
            Error::Output(source) => write!(f, "cannot write the report: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::BadPath { source, .. } | Error::Io { source, .. } | Error::Output(source) => {
                Some(source)
            }
            Error::Config { .. } | Error::Usage(_) | Error::Update { .. } => None,
        }
    }
}

/// An I/O error's message without Rust's `(os error N)` suffix, for people.
pub fn plain_io_message(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

/// Whether an output error is a reader closing the pipe (`| head`), which
/// is a normal way for a run to end.
pub fn is_broken_pipe(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::BrokenPipe
}
