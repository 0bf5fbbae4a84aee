//! `ctxbudget cache`: where the cache lives, and clearing it.

use std::io::Write;

use crate::cache::{Cache, DIR_VARIABLE, default_dir};
use crate::cli::CacheAction;
use crate::error::Error;
use crate::exit_code::ExitCode;

/// Runs a cache action.
pub fn run(action: &CacheAction, out: &mut dyn Write) -> Result<ExitCode, Error> {
    let Some(dir) = default_dir() else {
        return Err(Error::Usage(format!(
            "no cache directory: set {DIR_VARIABLE} or HOME"
        )));
    };
    match action {
        CacheAction::Dir => writeln!(out, "{}", dir.display()).map_err(Error::Output)?,
        CacheAction::Clear => {
            let removed = Cache::new(Some(dir.clone()))
                .clear()
                .map_err(|e| Error::Usage(format!("cannot clear {}: {e}", dir.display())))?;
            writeln!(out, "removed {removed} entries from {}", dir.display())
                .map_err(Error::Output)?;
        }
    }
    Ok(ExitCode::Ok)
}
