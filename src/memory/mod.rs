//! The Claude Code memory-file model: which files a session loads before
//! the first prompt (the hierarchy from the repository root down to the
//! project, `.claude/rules`, `@` imports up to the hop limit), which load
//! on demand, and what is wrong with the imports. Reads files; counts
//! nothing (the caller prices the loaded text).

pub mod block;
pub(crate) mod cost;
pub mod markdown;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// How a memory file came to be loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Scope {
    /// `~/.claude/CLAUDE.md`.
    User,
    /// `~/.claude/rules/**/*.md`.
    UserRule,
    /// `CLAUDE.md` or `.claude/CLAUDE.md` in the project or a parent.
    Project,
    /// `.claude/rules/**/*.md` without `paths:`.
    Rule,
    /// `CLAUDE.local.md` (personal, usually not committed).
    Local,
    /// Pulled in by an `@` import.
    Import,
}

impl Scope {
    /// The name used in reports and JSON.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Scope::User => "user",
            Scope::UserRule => "user-rule",
            Scope::Project => "project",
            Scope::Rule => "rule",
            Scope::Local => "local",
            Scope::Import => "import",
        }
    }
}

/// What is wrong, found while loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum FindingKind {
    /// An `@` import names no file.
    MissingImport,
    /// An `@` import leads back to a file on its own chain.
    ImportCycle,
    /// An `@` import is more hops from the top file than Claude Code follows.
    ImportTooDeep,
    /// An `@` import leaves the project: it needs a one-time approval.
    ImportOutsideProject,
    /// A memory file over the size Claude Code loads at all.
    TooLarge,
    /// A memory file that cannot be read.
    Unreadable,
    /// The startup cost is over `--max-tokens`.
    OverTokens,
    /// One file is over `--max-file-chars`.
    OverFileChars,
    /// One file is over `--max-file-lines`.
    OverFileLines,
}

impl FindingKind {
    /// The name used in reports and JSON.
    pub(crate) fn name(self) -> &'static str {
        match self {
            FindingKind::MissingImport => "missing-import",
            FindingKind::ImportCycle => "import-cycle",
            FindingKind::ImportTooDeep => "import-too-deep",
            FindingKind::ImportOutsideProject => "import-outside-project",
            FindingKind::TooLarge => "too-large",
            FindingKind::Unreadable => "unreadable",
            FindingKind::OverTokens => "over-tokens",
            FindingKind::OverFileChars => "over-file-chars",
            FindingKind::OverFileLines => "over-file-lines",
        }
    }

    /// Whether it fails the check by default (the rest are warnings,
    /// errors too under `--strict`).
    pub(crate) fn is_error(self) -> bool {
        matches!(
            self,
            FindingKind::MissingImport
                | FindingKind::ImportTooDeep
                | FindingKind::TooLarge
                | FindingKind::Unreadable
                | FindingKind::OverTokens
                | FindingKind::OverFileChars
        )
    }
}

/// One finding, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) kind: FindingKind,
    /// The file it is in, as reports name it.
    pub(crate) path: String,
    /// Its 1-based line, when it has one.
    pub(crate) line: Option<u32>,
    /// What to know and do.
    pub(crate) message: String,
}

/// A file loaded at session start.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    /// How reports name it (relative to the project when inside it).
    pub(crate) display: String,
    /// How it came to be loaded.
    pub(crate) scope: Scope,
    /// The file and line that imported it.
    pub(crate) imported_from: Option<(String, u32)>,
    /// Its text on disk (lossy UTF-8).
    pub(crate) text: String,
    /// Whether it lies outside the project (an import that leaves it):
    /// reports name it and its cost, never its content.
    pub(crate) outside: bool,
}

/// A file loaded only when a session touches matching files.
#[derive(Debug, Clone)]
pub(crate) struct OnDemand {
    /// How reports name it.
    pub(crate) display: String,
    /// Why it is not loaded at start.
    pub(crate) reason: String,
    /// Its text on disk (lossy UTF-8).
    pub(crate) text: String,
}

/// Where to look, and Claude Code's limits.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// The directory a session starts in.
    pub(crate) project: PathBuf,
    /// Add `~/.claude/CLAUDE.md` and `~/.claude/rules/`.
    pub(crate) user: bool,
    /// The home directory, for `~` and `--user`.
    pub(crate) home: Option<PathBuf>,
    /// Import hops followed from a top file.
    pub(crate) max_hops: usize,
    /// Files over this many bytes are not loaded.
    pub(crate) max_bytes: u64,
}

/// Import hops Claude Code follows from a top file.
pub(crate) const MAX_HOPS: usize = 4;

/// Memory files over this size are skipped by Claude Code.
pub(crate) const MAX_BYTES: u64 = 4 << 20;

/// What a session loads, what it loads later, and what is wrong.
#[derive(Debug, Clone, Default)]
pub(crate) struct Model {
    /// Loaded at start, in load order.
    pub(crate) loaded: Vec<Loaded>,
    /// Loaded on demand, sorted by path.
    pub(crate) on_demand: Vec<OnDemand>,
    /// Problems found while loading.
    pub(crate) findings: Vec<Finding>,
    /// Every file the model read or would follow (canonical), for
    /// deciding whether a changed file concerns the check.
    pub(crate) touched: Vec<PathBuf>,
}

/// The directory holding `.git` at or above `project`, if any.
pub(crate) fn repository_root(project: &Path) -> Option<PathBuf> {
    project
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Loads the memory files of `options.project` as Claude Code would.
pub(crate) fn load(options: &Options) -> Model {
    let project = options
        .project
        .canonicalize()
        .unwrap_or_else(|_| options.project.clone());
    let top = repository_root(&project).unwrap_or_else(|| project.clone());
    let mut loader = Loader {
        options,
        project: project.clone(),
        boundary: top.clone(),
        model: Model::default(),
        seen: HashSet::new(),
    };

    if options.user
        && let Some(home) = &options.home
    {
        let claude = home.join(".claude");
        loader.top_file(&claude.join("CLAUDE.md"), Scope::User);
        loader.rules(&claude.join("rules"), Scope::UserRule);
    }
    // Root first, down to the project.
    let mut dirs: Vec<&Path> = project
        .ancestors()
        .take_while(|d| d.starts_with(&top))
        .collect();
    dirs.reverse();
    for dir in dirs {
        loader.top_file(&dir.join("CLAUDE.md"), Scope::Project);
        loader.top_file(&dir.join(".claude").join("CLAUDE.md"), Scope::Project);
        loader.rules(&dir.join(".claude").join("rules"), Scope::Rule);
        loader.top_file(&dir.join("CLAUDE.local.md"), Scope::Local);
    }
    loader.subdirectories();
    let mut model = loader.model;
    model.on_demand.sort_by(|a, b| a.display.cmp(&b.display));
    model.touched.sort();
    model.touched.dedup();
    model
}

struct Loader<'o> {
    options: &'o Options,
    project: PathBuf,
    /// Imports outside this directory leave the project.
    boundary: PathBuf,
    model: Model,
    /// Canonical paths already loaded.
    seen: HashSet<PathBuf>,
}

impl Loader<'_> {
    /// How reports name a path: relative to the project when inside it,
    /// `~/...` under home, `../...` for the project's parents.
    fn display(&self, path: &Path) -> String {
        crate::text::escape(&self.display_raw(path)).into_owned()
    }

    fn display_raw(&self, path: &Path) -> String {
        if let Ok(rel) = path.strip_prefix(&self.project) {
            return slash(rel);
        }
        if let Some(home) = &self.options.home
            && let Ok(rel) = path.strip_prefix(home)
        {
            return format!("~/{}", slash(rel));
        }
        let mut up = String::new();
        for dir in self.project.ancestors().skip(1) {
            up.push_str("../");
            if let Ok(rel) = path.strip_prefix(dir) {
                return format!("{up}{}", slash(rel));
            }
        }
        slash(path)
    }

    /// Reads a memory file: `None` when it is absent, empty, or reported.
    /// Opened once, without blocking, and read with a hard limit: a FIFO or
    /// a device in its place is reported, never waited on.
    fn read(&mut self, path: &Path, cited: Option<(&str, u32)>) -> Option<String> {
        let display = self.display(path);
        let (at_path, at_line) = match cited {
            Some((file, line)) => (file.to_string(), Some(line)),
            None => (display.clone(), None),
        };
        let error = match crate::fsio::read_bounded(path, self.options.max_bytes) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                return (!text.trim().is_empty()).then_some(text);
            }
            Err(e) if e.is_not_found() => return None,
            Err(e) => e,
        };
        let (kind, message) = match &error {
            crate::fsio::ReadError::TooLarge { .. } => (
                FindingKind::TooLarge,
                format!(
                    "{display} is over the {} MiB Claude Code loads: it is skipped entirely; split it or move detail into files read on demand",
                    self.options.max_bytes >> 20
                ),
            ),
            _ => (
                FindingKind::Unreadable,
                format!("cannot read {display}: {}", error.message()),
            ),
        };
        self.model.findings.push(Finding {
            kind,
            path: at_path,
            line: at_line,
            message,
        });
        None
    }

    fn top_file(&mut self, path: &Path, scope: Scope) {
        let real = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if self.seen.contains(&real) {
            return;
        }
        self.model.touched.push(real.clone());
        let Some(text) = self.read(path, None) else {
            return;
        };
        self.seen.insert(real.clone());
        let lines = markdown::loaded_lines(&text);
        let imports = markdown::imports(&lines);
        let display = self.display(&real);
        self.model.loaded.push(Loaded {
            display: display.clone(),
            scope,
            imported_from: None,
            text,
            outside: false,
        });
        self.follow(display, imports, real, scope);
    }

    /// The rule files under a `rules/` directory, with the directories
    /// that could not be listed reported (their rules are not loaded).
    fn rules(&mut self, dir: &Path, scope: Scope) {
        let (files, failed) = markdown_files(dir);
        for (path, error) in failed {
            let display = self.display(&path);
            self.model.findings.push(Finding {
                kind: FindingKind::Unreadable,
                path: display.clone(),
                line: None,
                message: format!(
                    "cannot list {display}: {}; the rules in it are not counted",
                    crate::error::plain_io_message(&error)
                ),
            });
        }
        for rule in files {
            self.rule(&rule, scope);
        }
    }

    fn rule(&mut self, path: &Path, scope: Scope) {
        let real = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        self.model.touched.push(real.clone());
        let Ok(text) = crate::fsio::read_text(path, self.options.max_bytes) else {
            // top_file reads it again and reports why it cannot be loaded.
            self.top_file(path, scope);
            return;
        };
        match markdown::front_matter_paths(&text) {
            Some(globs) => self.model.on_demand.push(OnDemand {
                display: self.display(&real),
                reason: format!("rule for paths {}", globs.join(", ")),
                text,
            }),
            None => self.top_file(path, scope),
        }
    }

    /// Follows the imports of a top file, depth first, without recursion
    /// (a chain of thousands of imports costs a stack of as many frames
    /// on the heap, never the thread's stack).
    fn follow(
        &mut self,
        display: String,
        imports: Vec<markdown::Import>,
        top: PathBuf,
        top_scope: Scope,
    ) {
        struct Frame {
            display: String,
            imports: std::vec::IntoIter<markdown::Import>,
            path: PathBuf,
        }
        let user_file = matches!(top_scope, Scope::User | Scope::UserRule);
        let mut on_chain: HashSet<PathBuf> = HashSet::from([top.clone()]);
        let mut stack = vec![Frame {
            display,
            imports: imports.into_iter(),
            path: top,
        }];
        while let Some(frame) = stack.last_mut() {
            let Some(import) = frame.imports.next() else {
                if let Some(done) = stack.pop() {
                    on_chain.remove(&done.path);
                }
                continue;
            };
            let from = frame.display.clone();
            let base = frame
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let outside_parent = frame_outside(&frame.path, &self.boundary, user_file);
            let target = self.resolve(&base, &import.target);
            let at = |kind, message| Finding {
                kind,
                path: from.clone(),
                line: Some(import.line),
                message,
            };
            let Some(real) = target.canonicalize().ok().filter(|p| p.is_file()) else {
                self.model.touched.push(target.clone());
                let finding = at(
                    FindingKind::MissingImport,
                    format!(
                        "@{} names no file ({}); Claude Code skips it silently: fix the path or remove the line",
                        crate::text::escape(&import.target),
                        self.display(&target)
                    ),
                );
                self.model.findings.push(finding);
                continue;
            };
            self.model.touched.push(real.clone());
            if on_chain.contains(&real) {
                let cycle: Vec<String> = stack
                    .iter()
                    .map(|f| &f.path)
                    .skip_while(|p| **p != real)
                    .chain(std::iter::once(&real))
                    .map(|p| self.display(p))
                    .collect();
                let finding = at(
                    FindingKind::ImportCycle,
                    format!("import cycle: {}", cycle.join(" -> ")),
                );
                self.model.findings.push(finding);
                continue;
            }
            if self.seen.contains(&real) {
                continue;
            }
            let hops = stack.len();
            if hops > self.options.max_hops {
                let finding = at(
                    FindingKind::ImportTooDeep,
                    format!(
                        "@{} is {} imports away from {}; Claude Code follows {} and never loads it: import it from a file nearer the top",
                        crate::text::escape(&import.target),
                        hops,
                        self.display(&stack[0].path),
                        self.options.max_hops
                    ),
                );
                self.model.findings.push(finding);
                continue;
            }
            let outside = !user_file && !real.starts_with(&self.boundary);
            if outside && !outside_parent {
                let finding = at(
                    FindingKind::ImportOutsideProject,
                    format!(
                        "@{} is outside the project ({}): Claude Code asks once for approval and skips it until then (counted here as loaded)",
                        crate::text::escape(&import.target),
                        self.display(&real)
                    ),
                );
                self.model.findings.push(finding);
            }
            let Some(text) = self.read(&real, Some((&from, import.line))) else {
                continue;
            };
            self.seen.insert(real.clone());
            let display = self.display(&real);
            let nested = markdown::imports(&markdown::loaded_lines(&text));
            self.model.loaded.push(Loaded {
                display: display.clone(),
                scope: Scope::Import,
                imported_from: Some((from, import.line)),
                text,
                outside,
            });
            on_chain.insert(real.clone());
            stack.push(Frame {
                display,
                imports: nested.into_iter(),
                path: real,
            });
        }
    }

    fn resolve(&self, base: &Path, target: &str) -> PathBuf {
        if let Some(rest) = target.strip_prefix("~/")
            && let Some(home) = &self.options.home
        {
            return home.join(rest);
        }
        let path = Path::new(target);
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            base.join(path)
        }
    }

    /// `CLAUDE.md` files below the project: loaded when a session reads
    /// files there. Found by the same walk as `scan` (ignore files read
    /// safely, VCS metadata and `node_modules` left out).
    fn subdirectories(&mut self) {
        let options = crate::walk::WalkOptions {
            exclude: vec!["node_modules".to_string()],
            include: vec!["CLAUDE.md".to_string(), "CLAUDE.local.md".to_string()],
            ..crate::walk::WalkOptions::default()
        };
        let Ok(filter) = crate::walk::Filter::new(&options) else {
            return;
        };
        let found = std::sync::Mutex::new(Vec::new());
        crate::walk::walk(&self.project, &options, &filter, |entry| {
            if let crate::walk::Found::File { path, .. } = entry {
                found.lock().unwrap_or_else(|e| e.into_inner()).push(path);
            }
        });
        let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
        found.sort();
        for path in found {
            let Some(dir) = path.parent() else {
                continue;
            };
            // The project's own files (and .claude/CLAUDE.md) load at start.
            if dir == self.project || dir == self.project.join(".claude") {
                continue;
            }
            let real = path.canonicalize().unwrap_or_else(|_| path.clone());
            self.model.touched.push(real.clone());
            let Some(text) = self.read(&path, None) else {
                continue;
            };
            let dir_display = self.display(dir);
            self.model.on_demand.push(OnDemand {
                display: self.display(&real),
                reason: format!("loaded when a session reads files in {dir_display}/"),
                text,
            });
        }
    }
}

/// Whether the file at `path` is itself outside the project (its own
/// imports were already reported with it).
fn frame_outside(path: &Path, boundary: &Path, user_file: bool) -> bool {
    !user_file && !path.starts_with(boundary)
}

/// Every `*.md` under `dir`, sorted (none when it does not exist), and
/// the directories below it that could not be listed.
fn markdown_files(dir: &Path) -> (Vec<PathBuf>, Vec<(PathBuf, std::io::Error)>) {
    if !dir.is_dir() {
        return (Vec::new(), Vec::new());
    }
    crate::fsio::files_under(dir, 17, |path, kind| {
        (kind.is_file() || kind.is_symlink()) && path.extension().is_some_and(|e| e == "md")
    })
}

fn slash(path: &Path) -> String {
    if path.is_absolute() {
        return path.to_string_lossy().replace('\\', "/");
    }
    let text = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    if text.is_empty() { ".".into() } else { text }
}
