//! Finds the files to price: an `ignore`-based parallel walk that honours
//! `.gitignore` (nested, `.git/info/exclude`, global), `.ignore` and
//! `.ctxbudgetignore`, includes hidden files, never enters VCS metadata, and
//! reports what it could not enter. Opens no file; reading is `source`'s job.

use std::path::{Path, PathBuf};

use globset::{GlobSet, GlobSetBuilder};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{Match, WalkBuilder, WalkState};

use crate::fsio;

/// The project's own ignore file, in gitignore syntax.
pub(crate) const IGNORE_FILE: &str = ".ctxbudgetignore";

/// Version-control metadata directories, never walked.
const VCS_DIRS: [&str; 4] = [".git", ".hg", ".svn", ".jj"];

/// Why a path was not priced. The names are stable (JSON `skipped[].reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum SkipReason {
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
    /// Megabytes of one character kind without a break: no text a session
    /// reads, and the exact count would take minutes.
    LongRun,
}

impl SkipReason {
    /// The stable name used in JSON and reports.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Binary => "binary",
            Self::TooLarge => "too-large",
            Self::NotRegular => "not-regular",
            Self::Symlink => "symlink",
            Self::SymlinkLoop => "symlink-loop",
            Self::Unreadable => "unreadable",
            Self::LongRun => "long-run",
        }
    }
}

/// A path that was not priced, with a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skip {
    pub(crate) reason: SkipReason,
    /// The detail (the OS message, the size, the loop target).
    pub(crate) message: String,
}

/// How to walk, decided by `config` from flags and `ctxbudget.toml`.
#[derive(Debug, Clone, Default)]
pub(crate) struct WalkOptions {
    /// Ignore every ignore file (`--no-ignore`).
    pub(crate) no_ignore: bool,
    /// Follow symbolic links (`--follow`).
    pub(crate) follow: bool,
    /// Keep only files matching one of these globs (empty: keep all).
    pub(crate) include: Vec<String>,
    /// Drop files and directories matching any of these globs.
    pub(crate) exclude: Vec<String>,
    /// Worker threads; 0 picks one per core.
    pub(crate) threads: usize,
}

/// What the walk hands each worker: a file to price, or a path it could
/// not enter, both with the path relative to the walk root.
#[derive(Debug)]
pub(crate) enum Found {
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
    /// A directory the walk entered (the root included), before its
    /// entries: what decides which files it holds is its listing.
    Dir {
        /// Where it is on disk.
        path: PathBuf,
        /// `/`-separated, relative to the root (`.` for the root).
        rel: String,
    },
    /// A path the walk had to leave out.
    Skipped {
        /// `/`-separated, relative to the root.
        rel: String,
        skip: Skip,
    },
}

/// Globs from `--include` / `--exclude`, compiled once. A glob without `/`
/// matches a name at any depth; a glob with `/` matches the path from the root.
#[derive(Debug)]
pub(crate) struct Filter {
    include_names: GlobSet,
    include_paths: GlobSet,
    exclude_names: GlobSet,
    exclude_paths: GlobSet,
    has_include: bool,
}

impl Filter {
    /// Compiles the include and exclude globs; a bad glob names its flag.
    pub(crate) fn new(options: &WalkOptions) -> Result<Filter, String> {
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
///
/// Returns the files besides the walked directories' listings whose
/// presence or content decided what the walk found: the ignore files it
/// read, the ones it looked for above the root, the `.git` it looked for
/// to find the repository, `.git/info/exclude` and the user's global
/// excludes file. Together with the directories' and files' own times,
/// they tell whether a new walk would find the same files.
pub(crate) fn walk<F>(root: &Path, options: &WalkOptions, filter: &Filter, visit: F) -> Vec<PathBuf>
where
    F: Fn(Found) + Sync,
{
    let mut builder = WalkBuilder::new(root);
    // The repository's own ignore files are read by `IgnoreRules` (bounded,
    // never blocking); the walker reads only the user's global excludes.
    builder
        .hidden(false)
        .follow_links(options.follow)
        .require_git(false)
        .threads(options.threads)
        .git_ignore(false)
        .git_global(!options.no_ignore)
        .git_exclude(false)
        .ignore(false)
        .parents(false);
    let root_owned = root.to_path_buf();
    let is_file_root = root.is_file();
    let rules = std::sync::Arc::new(IgnoreRules::new(root, !options.no_ignore && !is_file_root));
    let in_filter = std::sync::Arc::clone(&rules);
    let follow = options.follow;
    builder.filter_entry(move |entry| {
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if is_dir && entry.depth() > 0 && VCS_DIRS.iter().any(|d| entry.file_name() == *d) {
            return false;
        }
        if follow && is_dir && entry.path_is_symlink() && fsio::is_special_filesystem(entry.path())
        {
            return false;
        }
        // ctxbudget's own temporary files (an interrupted write) are not data.
        if !is_dir && entry.file_name().to_str().is_some_and(fsio::is_temp_name) {
            return false;
        }
        let ignored = in_filter.ignored(entry.path(), is_dir);
        // An ignore file that could not be read is reported once, by the
        // rules, with what that means (its rules are not applied).
        !ignored && (is_dir || !in_filter.is_problem(entry.path()))
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
                        visit(Found::Dir {
                            path: entry.path().to_path_buf(),
                            rel,
                        });
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
    for (path, skip) in rules.problems() {
        visit(Found::Skipped {
            rel: relative(root, &path, is_file_root),
            skip,
        });
    }
    let mut consulted = rules.consulted();
    if !options.no_ignore {
        consulted.extend(ignore::gitignore::gitconfig_excludes_path());
    }
    consulted.sort();
    consulted.dedup();
    consulted
}

/// The ignore files a walk honours, read by us so that each is opened
/// once, without blocking, and bounded: `.ctxbudgetignore` over `.ignore`
/// over `.gitignore` over `.git/info/exclude`, deeper directories first,
/// from the walk root up to the repository root (the nearest ancestor
/// holding `.git`), as git and ripgrep rank them. An ignore file that is
/// not a small regular file is reported and left out; the walk goes on.
struct IgnoreRules {
    /// The walk root as given (entry paths start with it).
    root: PathBuf,
    /// The walk root, absolute.
    absolute: PathBuf,
    /// The top directory whose rules apply (the repository root, or the
    /// walk root outside any repository).
    top: PathBuf,
    enabled: bool,
    /// Per directory, the rules that apply in it (see [`IgnoreRules::chain`]).
    dirs: std::sync::RwLock<std::collections::HashMap<PathBuf, Chain>>,
    problems: std::sync::Mutex<Vec<(PathBuf, Skip)>>,
    /// The paths looked at beyond the walked listings (see [`walk`]).
    consulted: std::sync::Mutex<Vec<PathBuf>>,
}

/// The directories whose rules apply in one directory, deepest first:
/// only those with an ignore file or a `.git`.
type Chain = std::sync::Arc<[std::sync::Arc<DirRules>]>;

/// The rules of one directory.
#[derive(Default)]
struct DirRules {
    custom: Option<Gitignore>,
    ignore: Option<Gitignore>,
    git: Option<Gitignore>,
    exclude: Option<Gitignore>,
    has_git: bool,
}

/// Ignore files larger than this are not read.
const IGNORE_FILE_BYTES: u64 = 1 << 20;

impl IgnoreRules {
    fn new(root: &Path, enabled: bool) -> IgnoreRules {
        let absolute = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        let mut consulted = Vec::new();
        let top = absolute
            .ancestors()
            .find(|dir| {
                consulted.push(dir.join(".git"));
                dir.join(".git").exists()
            })
            .unwrap_or(&absolute)
            .to_path_buf();
        IgnoreRules {
            root: root.to_path_buf(),
            absolute,
            top,
            enabled,
            dirs: Default::default(),
            problems: Default::default(),
            consulted: std::sync::Mutex::new(consulted),
        }
    }

    /// Whether the entry at `path` (a path the walker produced) is ignored.
    fn ignored(&self, path: &Path, is_dir: bool) -> bool {
        if !self.enabled {
            return false;
        }
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        let path = self.absolute.join(rel);
        let Some(parent) = path.parent().filter(|p| p.starts_with(&self.top)) else {
            return false;
        };
        let (mut custom, mut ignore, mut git, mut exclude) =
            (Match::None, Match::None, Match::None, Match::None);
        let mut saw_git = false;
        for rules in self.chain(parent).iter() {
            let check = |m: &mut Match<()>, g: &Option<Gitignore>| {
                if m.is_none()
                    && let Some(g) = g
                {
                    *m = g.matched(&path, is_dir).map(|_| ());
                }
            };
            check(&mut custom, &rules.custom);
            check(&mut ignore, &rules.ignore);
            if !saw_git {
                check(&mut git, &rules.git);
                check(&mut exclude, &rules.exclude);
            }
            saw_git |= rules.has_git;
        }
        let verdict = if !custom.is_none() {
            custom
        } else if !ignore.is_none() {
            ignore
        } else if !git.is_none() {
            git
        } else {
            exclude
        };
        verdict.is_ignore()
    }

    /// The rules that apply in `dir` (under the top), deepest first: its
    /// own, then its parent's chain. Built once per directory, from the
    /// nearest directory already known down (no recursion: a deep tree
    /// cannot exhaust the stack).
    fn chain(&self, dir: &Path) -> Chain {
        let known = |d: &Path| {
            self.dirs
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .get(d)
                .cloned()
        };
        if let Some(found) = known(dir) {
            return found;
        }
        let mut missing = Vec::new();
        let mut chain: Chain = std::sync::Arc::new([]);
        for d in dir.ancestors().take_while(|d| d.starts_with(&self.top)) {
            if let Some(found) = known(d) {
                chain = found;
                break;
            }
            missing.push(d);
        }
        for d in missing.into_iter().rev() {
            let own = self.own_rules(d);
            let any = own.has_git
                || own.custom.is_some()
                || own.ignore.is_some()
                || own.git.is_some()
                || own.exclude.is_some();
            if any {
                chain = std::iter::once(std::sync::Arc::new(own))
                    .chain(chain.iter().cloned())
                    .collect();
            }
            let mut dirs = self.dirs.write().unwrap_or_else(|e| e.into_inner());
            chain = std::sync::Arc::clone(dirs.entry(d.to_path_buf()).or_insert(chain));
        }
        chain
    }

    /// The ignore files of one directory. Those it holds are consulted
    /// files (see [`walk`]); above the walk root, whose listings the walk
    /// does not read, so are those it does not hold.
    fn own_rules(&self, dir: &Path) -> DirRules {
        let has_git = dir.join(".git").exists();
        let exclude = dir.join(".git").join("info").join("exclude");
        let candidates = [
            dir.join(IGNORE_FILE),
            dir.join(".ignore"),
            dir.join(".gitignore"),
        ];
        let [custom, ignore, git] = candidates.map(|file| {
            let rules = self.load(dir, &file);
            (rules, file)
        });
        let above_root = dir != self.absolute && self.absolute.starts_with(dir);
        let exclude = has_git.then(|| (self.load(dir, &exclude), exclude));
        let mut consulted = self.consulted.lock().unwrap_or_else(|e| e.into_inner());
        for (rules, file) in [&custom, &ignore, &git] {
            if rules.is_some() || above_root {
                consulted.push(file.clone());
            }
        }
        if above_root {
            consulted.push(dir.join(".git"));
        }
        if let Some((_, file)) = &exclude {
            consulted.push(file.clone());
        }
        DirRules {
            custom: custom.0,
            ignore: ignore.0,
            git: git.0,
            exclude: exclude.and_then(|e| e.0),
            has_git,
        }
    }

    /// One ignore file's rules: `None` when it is absent, reported when it
    /// cannot be read safely.
    fn load(&self, dir: &Path, file: &Path) -> Option<Gitignore> {
        let text = match fsio::read_text(file, IGNORE_FILE_BYTES) {
            Ok(text) => text,
            Err(e) if e.is_not_found() => return None,
            Err(e) => {
                let (reason, what) = match &e {
                    fsio::ReadError::NotRegular(_) => (SkipReason::NotRegular, e.message()),
                    fsio::ReadError::TooLarge { .. } => (SkipReason::TooLarge, e.message()),
                    fsio::ReadError::Io(_) => (SkipReason::Unreadable, e.message()),
                };
                // Report it under the path the user scanned.
                let shown = file
                    .strip_prefix(&self.absolute)
                    .map(|rel| self.root.join(rel))
                    .unwrap_or_else(|_| file.to_path_buf());
                self.problems
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((
                        shown,
                        Skip {
                            reason,
                            message: format!(
                                "ignore file not read ({what}); its rules are not applied"
                            ),
                        },
                    ));
                return None;
            }
        };
        let mut builder = GitignoreBuilder::new(dir);
        for line in text.lines() {
            // A bad line is skipped, as git does.
            let _ = builder.add_line(Some(file.to_path_buf()), line);
        }
        builder.build().ok()
    }

    /// Whether `path` (as the walker gives it) is an ignore file that
    /// could not be read.
    fn is_problem(&self, path: &Path) -> bool {
        self.problems
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|(p, _)| p == path)
    }

    fn consulted(&self) -> Vec<PathBuf> {
        std::mem::take(&mut *self.consulted.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn problems(&self) -> Vec<(PathBuf, Skip)> {
        std::mem::take(&mut *self.problems.lock().unwrap_or_else(|e| e.into_inner()))
    }
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

/// `path` relative to `root`, `/`-separated, unsafe characters escaped
/// (see [`crate::text::os_name`]); the file name when the root
/// itself is a file; `.` for the root.
pub(crate) fn relative(root: &Path, path: &Path, is_file_root: bool) -> String {
    if is_file_root {
        return path
            .file_name()
            .map(|n| crate::text::os_name(n).into_owned())
            .unwrap_or_else(|| crate::text::os_name(path.as_os_str()).into_owned());
    }
    let stripped = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for component in stripped.components() {
        if let std::path::Component::Normal(part) = component {
            if !out.is_empty() {
                out.push('/');
            }
            // Names are shown and used as text: control characters and
            // bytes that are not UTF-8 are escaped, never passed through.
            out.push_str(&crate::text::os_name(part));
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
