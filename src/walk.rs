//! Finds the files to price: an `ignore`-based parallel walk that honours
//! `.gitignore` (nested, `.git/info/exclude`, global), `.ignore` and
//! `.ctxbudgetignore`, includes hidden files, never enters VCS metadata, and
//! reports what it could not enter. Opens no file; reading is `source`'s job.

use std::path::{Path, PathBuf};

use globset::{GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};

/// The project's own ignore file, in gitignore syntax.
pub const IGNORE_FILE: &str = ".ctxbudgetignore";

/// Version-control metadata directories, never walked.
const VCS_DIRS: [&str; 4] = [".git", ".hg", ".svn", ".jj"];

/// Why a path was not priced. The names are stable (JSON `skipped[].reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    /// NUL bytes near the start: not text.
    Binary,
    /// Larger than the configured maximum file size.
    TooLarge,
    /// A FIFO, socket or device: reading it could block or never end.
    NotRegular,
    /// A symbolic link, not followed without `--follow`.
    Symlink,
    /// A symbolic link that leads back into its own ancestors.
    SymlinkLoop,
    /// The operating system refused to read or list it.
    Unreadable,
}

impl SkipReason {
    /// The stable name used in JSON and reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Binary => "binary",
            Self::TooLarge => "too-large",
            Self::NotRegular => "not-regular",
            Self::Symlink => "symlink",
            Self::SymlinkLoop => "symlink-loop",
            Self::Unreadable => "unreadable",
        }
    }
}

/// A path that was not priced, with a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// Why.
    pub reason: SkipReason,
    /// The detail (the OS message, the size, the loop target).
    pub message: String,
}

/// How to walk, decided by `config` from flags and `ctxbudget.toml`.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Ignore every ignore file (`--no-ignore`).
    pub no_ignore: bool,
    /// Follow symbolic links (`--follow`).
    pub follow: bool,
    /// Keep only files matching one of these globs (empty: keep all).
    pub include: Vec<String>,
    /// Drop files and directories matching any of these globs.
    pub exclude: Vec<String>,
    /// Worker threads; 0 picks one per core.
    pub threads: usize,
}

/// What the walk hands each worker: a file to price, or a path it could
/// not enter, both with the path relative to the walk root.
#[derive(Debug)]
pub enum Found {
    /// A candidate file (or, without `--follow`, a symlink to report).
    File {
        /// Where it is on disk.
        path: PathBuf,
        /// `/`-separated, relative to the root (the file name for a file root).
        rel: String,
        /// Whether the entry is a symlink that was not followed (with
        /// `--follow` the walker reports the target instead).
        symlink: bool,
    },
    /// A path the walk had to leave out.
    Skipped {
        /// `/`-separated, relative to the root.
        rel: String,
        /// Why.
        skip: Skip,
    },
}

/// Globs from `--include` / `--exclude`, compiled once. A glob without `/`
/// matches a name at any depth; a glob with `/` matches the path from the root.
#[derive(Debug)]
pub struct Filter {
    include_names: GlobSet,
    include_paths: GlobSet,
    exclude_names: GlobSet,
    exclude_paths: GlobSet,
    has_include: bool,
}

impl Filter {
    /// Compiles the include and exclude globs; a bad glob names its flag.
    pub fn new(options: &WalkOptions) -> Result<Filter, String> {
        let (include_names, include_paths) = split_globs(&options.include, "--include")?;
        let (exclude_names, exclude_paths) = split_globs(&options.exclude, "--exclude")?;
        Ok(Filter {
            include_names,
            include_paths,
            exclude_names,
            exclude_paths,
            has_include: !options.include.is_empty(),
        })
    }

    fn excluded(&self, rel: &str) -> bool {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        self.exclude_names.is_match(name) || self.exclude_paths.is_match(rel)
    }

    fn included(&self, rel: &str) -> bool {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        !self.has_include || self.include_names.is_match(name) || self.include_paths.is_match(rel)
    }
}

fn split_globs(globs: &[String], flag: &str) -> Result<(GlobSet, GlobSet), String> {
    let mut names = GlobSetBuilder::new();
    let mut paths = GlobSetBuilder::new();
    for raw in globs {
        let pattern = raw.trim_start_matches("./").trim_start_matches('/');
        let pattern = pattern.trim_end_matches('/');
        let glob = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("invalid {flag} glob {raw:?}: {e}"))?;
        if pattern.contains('/') {
            paths.add(glob);
        } else {
            names.add(glob);
        }
    }
    let build = |b: GlobSetBuilder| b.build().map_err(|e| format!("invalid {flag} globs: {e}"));
    Ok((build(names)?, build(paths)?))
}

/// Walks `root` on several threads, calling `visit` for every file found
/// and every path left out. The order of calls is not defined; callers sort.
pub fn walk<F>(root: &Path, options: &WalkOptions, filter: &Filter, visit: F)
where
    F: Fn(Found) + Sync,
{
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .follow_links(options.follow)
        .require_git(false)
        .threads(options.threads)
        .git_ignore(!options.no_ignore)
        .git_global(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .ignore(!options.no_ignore)
        .parents(!options.no_ignore);
    if !options.no_ignore {
        builder.add_custom_ignore_filename(IGNORE_FILE);
    }
    let root_owned = root.to_path_buf();
    let is_file_root = root.is_file();
    builder.filter_entry(move |entry| {
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        !(is_dir && entry.depth() > 0 && VCS_DIRS.iter().any(|d| entry.file_name() == *d))
    });
    builder.build_parallel().run(|| {
        let visit = &visit;
        let root = &root_owned;
        Box::new(move |result| {
            match result {
                Ok(entry) => {
                    let Some(file_type) = entry.file_type() else {
                        return WalkState::Continue; // stdin; never produced here
                    };
                    let rel = relative(root, entry.path(), is_file_root);
                    if file_type.is_dir() {
                        if entry.depth() > 0 && filter.excluded(&rel) {
                            return WalkState::Skip;
                        }
                        return WalkState::Continue;
                    }
                    if filter.excluded(&rel) || !filter.included(&rel) {
                        return WalkState::Continue;
                    }
                    visit(Found::File {
                        path: entry.path().to_path_buf(),
                        rel,
                        symlink: file_type.is_symlink(),
                    });
                }
                Err(error) => visit(skip_from_error(root, &error, is_file_root)),
            }
            WalkState::Continue
        })
    });
}

/// Turns a walk error (a loop, a directory that cannot be listed) into a
/// skip record naming the path.
fn skip_from_error(root: &Path, error: &ignore::Error, is_file_root: bool) -> Found {
    let mut path = None;
    let mut loop_to = None;
    let mut io = None;
    let mut current = error;
    loop {
        match current {
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert_with(|| p.clone());
                current = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                current = err;
            }
            ignore::Error::Loop { ancestor, child } => {
                path.get_or_insert_with(|| child.clone());
                loop_to = Some(ancestor.clone());
                break;
            }
            ignore::Error::Io(e) => {
                io = Some(crate::error::plain_io_message(e));
                break;
            }
            other => {
                io = Some(other.to_string());
                break;
            }
        }
    }
    let rel = path
        .as_deref()
        .map(|p| relative(root, p, is_file_root))
        .unwrap_or_else(|| ".".to_string());
    let skip = match loop_to {
        Some(ancestor) => Skip {
            reason: SkipReason::SymlinkLoop,
            message: format!(
                "symbolic link loops back to {}",
                relative(root, &ancestor, is_file_root)
            ),
        },
        None => Skip {
            reason: SkipReason::Unreadable,
            message: io.unwrap_or_else(|| error.to_string()),
        },
    };
    Found::Skipped { rel, skip }
}

/// `path` relative to `root`, `/`-separated; the file name when the root
/// itself is a file; `.` for the root.
pub fn relative(root: &Path, path: &Path, is_file_root: bool) -> String {
    if is_file_root {
        return path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_string_lossy().into_owned());
    }
    let stripped = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for component in stripped.components() {
        if let std::path::Component::Normal(part) = component {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(&part.to_string_lossy());
        }
    }
    if out.is_empty() { ".".to_string() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_without_slash_match_names_and_with_slash_match_paths() {
        let options = WalkOptions {
            include: vec!["*.rs".into(), "docs/**/*.md".into()],
            exclude: vec!["gen_*".into(), "/vendor".into()],
            ..WalkOptions::default()
        };
        let filter = Filter::new(&options).expect("valid globs");
        assert!(filter.included("src/deep/main.rs"));
        assert!(filter.included("docs/a/b.md"));
        assert!(!filter.included("README.md"));
        assert!(filter.excluded("src/gen_parser.rs"));
        assert!(filter.excluded("vendor"));
        assert!(!filter.excluded("src/vendor.rs"));
    }

    #[test]
    fn bad_glob_names_the_flag() {
        let options = WalkOptions {
            exclude: vec!["a[".into()],
            ..WalkOptions::default()
        };
        let error = Filter::new(&options).expect_err("unclosed class");
        assert!(error.contains("--exclude"), "{error}");
    }

    #[test]
    fn relative_paths_are_slash_separated() {
        let root = Path::new("/r");
        assert_eq!(relative(root, Path::new("/r/a/b.rs"), false), "a/b.rs");
        assert_eq!(relative(root, Path::new("/r"), false), ".");
        assert_eq!(relative(root, Path::new("/r/x.rs"), true), "x.rs");
    }
}
