//! One orchestrator per subcommand: the only code that calls several
//! stages. Each takes a finished configuration and writers.

pub(crate) mod cache;
pub(crate) mod check;
pub(crate) mod claude_md;
pub(crate) mod hook;
pub(crate) mod init;
pub(crate) mod mcp;
pub(crate) mod refs;
pub(crate) mod scan;
pub(crate) mod sessions;

use std::path::Path;

use crate::error::Error;

/// A path a command was given to read: it must exist, be readable (a
/// directory that can be listed, a regular file that can be opened) and
/// not lie on a kernel filesystem (`/proc`, `/sys`, `/dev`), whose files
/// block or never end. `action` names the command in the message.
pub(crate) fn require_readable(path: &Path, action: &'static str) -> Result<(), Error> {
    let bad = |source| Error::BadPath {
        action,
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(bad)?;
    if crate::fsio::is_special_filesystem(path) {
        return Err(bad(std::io::Error::other(
            "it is on a kernel filesystem (/proc, /sys, /dev), whose files are not data",
        )));
    }
    if meta.is_dir() {
        std::fs::read_dir(path).map_err(bad)?;
    } else {
        crate::fsio::open_regular(path).map_err(|e| match e {
            crate::fsio::ReadError::Io(e) => bad(e),
            other => bad(std::io::Error::other(other.message())),
        })?;
    }
    Ok(())
}

/// The `--root` directory a command works in: it must exist, be a
/// readable directory; `hint` says what to pass instead.
pub(crate) fn require_root(root: &Path, action: &'static str, hint: &str) -> Result<(), Error> {
    require_readable(root, action)?;
    if !root.is_dir() {
        return Err(Error::Usage(format!(
            "--root {} is not a directory\nhint: {hint}",
            root.display()
        )));
    }
    Ok(())
}
