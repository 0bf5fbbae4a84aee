//! `ctxbudget cache`: where the cache lives, and clearing it.

use std::io::Write;

use crate::cache::{DIR_VARIABLE, clear, default_dir};
use crate::cli::CacheAction;
use crate::error::Error;
use crate::exit_code::ExitCode;
use crate::report;

/// Runs a cache action.
pub(crate) fn run(action: &CacheAction, out: &mut dyn Write) -> Result<ExitCode, Error> {
    let Some(dir) = default_dir() else {
        return Err(Error::Usage(format!(
            "no cache directory: set {DIR_VARIABLE} or HOME"
        )));
    };
    match action {
        CacheAction::Dir => report::cache::dir(&dir, out).map_err(Error::Output)?,
        CacheAction::Clear => {
            let removed = clear(&dir).map_err(|source| Error::Io {
                action: "clear",
                path: dir.clone(),
                source,
            })?;
            report::cache::cleared(&dir, removed, out).map_err(Error::Output)?;
        }
    }
    Ok(ExitCode::Ok)
}
