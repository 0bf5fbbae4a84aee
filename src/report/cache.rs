//! What `ctxbudget cache` prints: where the cache is, what clearing removed.

use std::io::{self, Write};
use std::path::Path;

/// `cache dir`: the directory, one line.
pub(crate) fn dir(dir: &Path, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", dir.display())
}

/// `cache clear`: the directory and how many files went.
pub(crate) fn cleared(dir: &Path, removed: u64, out: &mut dyn Write) -> io::Result<()> {
    let noun = if removed == 1 { "file" } else { "files" };
    writeln!(out, "cleared {} ({removed} {noun} removed)", dir.display())
}
