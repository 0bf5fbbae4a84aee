//! The Claude Code memory-file model: which files a session loads before
//! the first prompt (the hierarchy from the repository root down to the
//! project, `.claude/rules`, `@` imports up to the hop limit), which load
//! on demand, and what is wrong with the imports. Reads files; counts
//! nothing (the caller prices the loaded text).

pub mod block;
pub mod markdown;

use std::path::{Path, PathBuf};

/// How a memory file came to be loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
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
    pub fn name(self) -> &'static str {
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
pub enum FindingKind {
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
    pub fn name(self) -> &'static str {
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
    pub fn is_error(self) -> bool {
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
pub struct Finding {
    /// What.
    pub kind: FindingKind,
    /// The file it is in, as reports name it.
    pub path: String,
    /// Its 1-based line, when it has one.
    pub line: Option<u32>,
    /// What to know and do.
    pub message: String,
}

/// A file loaded at session start.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Where it is.
    pub path: PathBuf,
    /// How reports name it (relative to the project when inside it).
    pub display: String,
    /// How it came to be loaded.
    pub scope: Scope,
    /// The file and line that imported it.
    pub imported_from: Option<(String, u32)>,
    /// Its text on disk (lossy UTF-8).
    pub text: String,
}

/// A file loaded only when a session touches matching files.
#[derive(Debug, Clone)]
pub struct OnDemand {
    /// How reports name it.
    pub display: String,
    /// Why it is not loaded at start.
    pub reason: String,
    /// Its text on disk (lossy UTF-8).
    pub text: String,
}

/// Where to look, and Claude Code's limits.
#[derive(Debug, Clone)]
pub struct Options {
    /// The directory a session starts in.
    pub project: PathBuf,
    /// Add `~/.claude/CLAUDE.md` and `~/.claude/rules/`.
    pub user: bool,
    /// The home directory, for `~` and `--user`.
    pub home: Option<PathBuf>,
    /// Import hops followed from a top file.
    pub max_hops: usize,
    /// Files over this many bytes are not loaded.
    pub max_bytes: u64,
}

/// Import hops Claude Code follows from a top file.
pub const MAX_HOPS: usize = 4;

/// Memory files over this size are skipped by Claude Code.
pub const MAX_BYTES: u64 = 4 << 20;

/// What a session loads, what it loads later, and what is wrong.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Loaded at start, in load order.
    pub loaded: Vec<Loaded>,
    /// Loaded on demand, sorted by path.
    pub on_demand: Vec<OnDemand>,
    /// Problems found while loading.
    pub findings: Vec<Finding>,
    /// Every file the model read or would follow (canonical), for
    /// deciding whether a changed file concerns the check.
    pub touched: Vec<PathBuf>,
}

/// The directory holding `.git` at or above `project`, if any.
pub fn repository_root(project: &Path) -> Option<PathBuf> {
    project
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Loads the memory files of `options.project` as Claude Code would.
pub fn load(options: &Options) -> Model {
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
        seen: Vec::new(),
    };

    if options.user
        && let Some(home) = &options.home
    {
        let claude = home.join(".claude");
        loader.top_file(&claude.join("CLAUDE.md"), Scope::User);
        for rule in markdown_files(&claude.join("rules")) {
            loader.rule(&rule, Scope::UserRule);
        }
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
        for rule in markdown_files(&dir.join(".claude").join("rules")) {
            loader.rule(&rule, Scope::Rule);
        }
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
    seen: Vec<PathBuf>,
}

impl Loader<'_> {
    /// How reports name a path: relative to the project when inside it,
    /// `~/...` under home, `../...` for the project's parents.
    fn display(&self, path: &Path) -> String {
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
    fn read(&mut self, path: &Path, cited: Option<(&str, u32)>) -> Option<String> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let display = self.display(path);
        let (at_path, at_line) = match cited {
            Some((file, line)) => (file.to_string(), Some(line)),
            None => (display.clone(), None),
        };
        if meta.len() > self.options.max_bytes {
            self.model.findings.push(Finding {
                kind: FindingKind::TooLarge,
                path: at_path,
                line: at_line,
                message: format!(
                    "{display} is {} bytes, over the {} MiB Claude Code loads: it is skipped entirely; split it or move detail into files read on demand",
                    meta.len(),
                    self.options.max_bytes >> 20
                ),
            });
            return None;
        }
        match std::fs::read(path) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                (!text.trim().is_empty()).then_some(text)
            }
            Err(e) => {
                self.model.findings.push(Finding {
                    kind: FindingKind::Unreadable,
                    path: at_path,
                    line: at_line,
                    message: format!(
                        "cannot read {display}: {}",
                        crate::error::plain_io_message(&e)
                    ),
                });
                None
            }
        }
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
        self.seen.push(real.clone());
        let lines = markdown::loaded_lines(&text);
        let imports = markdown::imports(&lines);
        let display = self.display(&real);
        self.model.loaded.push(Loaded {
            path: real.clone(),
            display: display.clone(),
            scope,
            imported_from: None,
            text,
        });
        let mut chain = vec![real];
        self.follow(&display, imports, &mut chain, scope);
    }

    fn rule(&mut self, path: &Path, scope: Scope) {
        let real = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        self.model.touched.push(real.clone());
        let Ok(bytes) = std::fs::read(path) else {
            self.top_file(path, scope);
            return;
        };
        let text = String::from_utf8_lossy(&bytes);
        match markdown::front_matter_paths(&text) {
            Some(globs) => self.model.on_demand.push(OnDemand {
                display: self.display(&real),
                reason: format!("rule for paths {}", globs.join(", ")),
                text: text.into_owned(),
            }),
            None => self.top_file(path, scope),
        }
    }

    /// Follows the imports of the file at the end of `chain`.
    fn follow(
        &mut self,
        from: &str,
        imports: Vec<markdown::Import>,
        chain: &mut Vec<PathBuf>,
        top_scope: Scope,
    ) {
        let base = chain
            .last()
            .and_then(|p| p.parent())
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for import in imports {
            let target = self.resolve(&base, &import.target);
            let at = |kind, message| Finding {
                kind,
                path: from.to_string(),
                line: Some(import.line),
                message,
            };
            let Some(real) = target.canonicalize().ok().filter(|p| p.is_file()) else {
                self.model.touched.push(target.clone());
                self.model.findings.push(at(
                    FindingKind::MissingImport,
                    format!(
                        "@{} names no file ({}); Claude Code skips it silently: fix the path or remove the line",
                        import.target,
                        self.display(&target)
                    ),
                ));
                continue;
            };
            self.model.touched.push(real.clone());
            if chain.contains(&real) {
                let cycle: Vec<String> = chain
                    .iter()
                    .skip_while(|p| **p != real)
                    .chain(std::iter::once(&real))
                    .map(|p| self.display(p))
                    .collect();
                self.model.findings.push(at(
                    FindingKind::ImportCycle,
                    format!("import cycle: {}", cycle.join(" -> ")),
                ));
                continue;
            }
            if self.seen.contains(&real) {
                continue;
            }
            let hops = chain.len();
            if hops > self.options.max_hops {
                self.model.findings.push(at(
                    FindingKind::ImportTooDeep,
                    format!(
                        "@{} is {} imports away from {}; Claude Code follows {} and never loads it: import it from a file nearer the top",
                        import.target,
                        hops,
                        self.display(&chain[0]),
                        self.options.max_hops
                    ),
                ));
                continue;
            }
            let user_file = matches!(top_scope, Scope::User | Scope::UserRule);
            if !user_file && !real.starts_with(&self.boundary) {
                self.model.findings.push(at(
                    FindingKind::ImportOutsideProject,
                    format!(
                        "@{} is outside the project ({}): Claude Code asks once for approval and skips it until then (counted here as loaded)",
                        import.target,
                        self.display(&real)
                    ),
                ));
            }
            let Some(text) = self.read(&real, Some((from, import.line))) else {
                continue;
            };
            self.seen.push(real.clone());
            let display = self.display(&real);
            let nested = markdown::imports(&markdown::loaded_lines(&text));
            self.model.loaded.push(Loaded {
                path: real.clone(),
                display: display.clone(),
                scope: Scope::Import,
                imported_from: Some((from.to_string(), import.line)),
                text,
            });
            chain.push(real);
            self.follow(&display, nested, chain, top_scope);
            chain.pop();
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
    /// files there.
    fn subdirectories(&mut self) {
        let walker = ignore::WalkBuilder::new(&self.project)
            .hidden(false)
            .require_git(false)
            .filter_entry(|e| !matches!(e.file_name().to_str(), Some(".git" | "node_modules")))
            .build();
        for entry in walker.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if !(name == "CLAUDE.md" || name == "CLAUDE.local.md") || entry.depth() == 0 {
                continue;
            }
            let Some(dir) = path.parent() else {
                continue;
            };
            // The project's own files (and .claude/CLAUDE.md) load at start.
            if dir == self.project || dir == self.project.join(".claude") {
                continue;
            }
            let Ok(bytes) = std::fs::read(path) else {
                continue;
            };
            let real = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
            self.model.touched.push(real.clone());
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if text.trim().is_empty() {
                continue;
            }
            let dir_display = self.display(dir);
            self.model.on_demand.push(OnDemand {
                display: self.display(&real),
                reason: format!("loaded when a session reads files in {dir_display}/"),
                text,
            });
        }
    }
}

/// Every `*.md` under `dir`, sorted (none when it does not exist).
fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut files: Vec<PathBuf> = walkdir(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() && depth < 16 => stack.push((path, depth + 1)),
                Ok(t) if t.is_file() || t.is_symlink() => out.push(path),
                _ => {}
            }
        }
    }
    out
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
