//! One orchestrator per subcommand: the only code that calls several
//! stages. Each takes a finished configuration and writers.

pub mod cache;
pub mod check;
pub mod claude_md;
pub mod refs;
pub mod scan;
pub mod sessions;

/// The `--root` directory a command works in: it must exist and be a
/// directory; `hint` says what to pass instead.
pub fn require_root(root: &std::path::Path, hint: &str) -> Result<(), crate::error::Error> {
    use crate::error::Error;
    let meta = std::fs::metadata(root).map_err(|source| Error::BadPath {
        path: root.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(Error::Usage(format!(
            "--root {} is not a directory\nhint: {hint}",
            root.display()
        )));
    }
    Ok(())
}
