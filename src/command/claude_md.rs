//! `ctxbudget claude-md`: read the memory file (refusing unbalanced
//! markers before any work), scan and index the project, read what its
//! root files say, plan the block within the budget, then print it, check
//! it against the file, or splice it in and write atomically.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::command::scan;
use crate::config::{ClaudeMdConfig, ClaudeMdMode};
use crate::error::{Error, plain_io_message};
use crate::exit_code::ExitCode;
use crate::memory::block;
use crate::report::TokenizerInfo;
use crate::report::claude_md::{Outcome, Status};
use crate::stats::FileStat;
use crate::suggest::claude_md::{self, Facts, TooSmall};
use crate::suggest::project::{self, RootFiles};
use crate::suggest::refs::{self, FileWords, Index};
use crate::tokenize::Tokenizer;

/// Root files larger than this are not read for commands or descriptions.
const ROOT_FILE_BYTES: u64 = 1 << 20;

/// Runs `claude-md`: the block goes to `out` with `--stdout`, into the
/// file otherwise; what happened goes to `err`.
pub fn run(
    config: &ClaudeMdConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let root = &config.scan.paths[0];
    super::require_root(
        root,
        "pass the project directory; name the file with --file",
    )?;
    let existing = read_existing(&config.file)?;
    if let Some(bytes) = existing
        .as_ref()
        .filter(|_| config.mode != ClaudeMdMode::Stdout)
    {
        block::find(bytes).map_err(|bad| Error::Update {
            path: config.file.clone(),
            message: format!(
                "its ctxbudget markers are unbalanced ({bad})\nhint: fix or remove the marker lines by hand; nothing was written"
            ),
        })?;
    }
    let tokenizer = Tokenizer::new(config.scan.tokenizer, config.scan.claude_factor);
    let own = own_path(root, &config.file);
    let (priced, _skipped) = scan::price(&config.scan, &tokenizer, |stat, source| {
        if is_memory_file(&stat.path) || Some(stat.path.as_str()) == own.as_deref() {
            return None;
        }
        let code = stat.kind == Some(crate::lang::Kind::Code);
        Some(refs::file_words(
            &stat.path,
            &source.text,
            &stat.symbols,
            code,
        ))
    });
    // The memory files are left out: what the block says must not depend
    // on the block, or every run would change it.
    let (files, words): (Vec<FileStat>, Vec<FileWords>) = priced
        .into_iter()
        .filter_map(|(file, words)| words.map(|w| (file, w)))
        .unzip();
    let files_using = Index::build(&files, words).files_using();

    let found = RootListing::read(root);
    let about = project::about(&found.root_files());
    let name = about
        .name
        .clone()
        .or_else(|| directory_name(root))
        .unwrap_or_else(|| "this project".to_string());
    let info = TokenizerInfo {
        kind: tokenizer.kind(),
        factor: tokenizer.factor(),
    };
    let facts = Facts {
        name: &name,
        about: &about,
        files: &files,
        files_using: &files_using,
        limits: &config.scan.limits,
        expensive_tokens: config.expensive_tokens,
        tokenizer: &info.describe(),
    };
    let count = |text: &str| tokenizer.scale(tokenizer.count(text));
    let plan = claude_md::plan(&facts, config.budget, &count).map_err(|TooSmall { frame }| {
        Error::Usage(format!(
            "--budget {} is too small: the block's markers, note and heading alone cost {frame} tokens\nhint: give at least {frame}, or leave --budget out for {}",
            config.budget,
            claude_md::DEFAULT_BUDGET
        ))
    })?;

    let status = |outcome| Status {
        file: config.file.display().to_string(),
        outcome,
        tokens: plan.tokens,
        budget: config.budget,
        kept: plan.kept,
        dropped: plan.dropped,
        tokenizer: info,
    };
    if config.mode == ClaudeMdMode::Stdout {
        out.write_all(plan.text.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush())
            .map_err(Error::Output)?;
        crate::report::claude_md::write_status(&status(Outcome::Printed), err);
        return Ok(ExitCode::Ok);
    }

    let current = existing.clone().unwrap_or_default();
    let new_block = block::encode(&plan.text, block::line_ending(&current));
    let updated = block::splice(&current, &new_block).map_err(|bad| Error::Update {
        path: config.file.clone(),
        message: format!("its ctxbudget markers are unbalanced ({bad})"),
    })?;
    let fresh = existing.is_some() && updated == current;
    let outcome = match config.mode {
        _ if fresh => Outcome::UpToDate,
        ClaudeMdMode::Check if existing.is_none() => Outcome::Missing,
        ClaudeMdMode::Check if block::find(&current).ok().flatten().is_none() => Outcome::NoBlock,
        ClaudeMdMode::Check => Outcome::Stale,
        _ => {
            write_atomically(&config.file, &updated).map_err(|e| Error::Update {
                path: config.file.clone(),
                message: format!(
                    "{}\nhint: check the directory is writable; the file was left as it was",
                    plain_io_message(&e)
                ),
            })?;
            if existing.is_some() {
                Outcome::Updated
            } else {
                Outcome::Created
            }
        }
    };
    crate::report::claude_md::write_status(&status(outcome), err);
    Ok(match outcome {
        Outcome::Missing | Outcome::NoBlock | Outcome::Stale => ExitCode::Findings,
        _ => ExitCode::Ok,
    })
}

/// The memory file's bytes, `None` when it does not exist yet.
fn read_existing(path: &Path) -> Result<Option<Vec<u8>>, Error> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::Update {
            path: path.to_path_buf(),
            message: format!(
                "cannot read it: {}\nhint: name a readable file with --file",
                plain_io_message(&e)
            ),
        }),
    }
}

/// Whether a path (relative to the root) is one Claude Code loads as
/// memory: these are left out of the figures the block shows.
fn is_memory_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name == "CLAUDE.md"
        || name == "CLAUDE.local.md"
        || rel.starts_with(".claude/")
        || rel.contains("/.claude/")
}

/// The memory file's path relative to the root, when it lies inside it.
fn own_path(root: &Path, file: &Path) -> Option<String> {
    let root = fs::canonicalize(root).ok()?;
    let parent = file.parent().filter(|p| !p.as_os_str().is_empty());
    let dir = fs::canonicalize(parent.unwrap_or(Path::new("."))).ok()?;
    let rel = dir.join(file.file_name()?);
    let rel = rel.strip_prefix(&root).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

fn directory_name(root: &Path) -> Option<String> {
    let full = fs::canonicalize(root).ok()?;
    Some(full.file_name()?.to_string_lossy().into_owned())
}

/// What the project root holds, with the text of the files that describe
/// the project.
struct RootListing {
    names: BTreeSet<String>,
    dirs: BTreeSet<String>,
    texts: Vec<(&'static str, String)>,
}

impl RootListing {
    fn read(root: &Path) -> RootListing {
        let mut names = BTreeSet::new();
        let mut dirs = BTreeSet::new();
        if let Ok(entries) = fs::read_dir(root) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                match entry.file_type() {
                    Ok(t) if t.is_dir() => {
                        dirs.insert(name);
                    }
                    Ok(_) => {
                        names.insert(name);
                    }
                    Err(_) => {}
                }
            }
        }
        if root.join("src").join("main.rs").is_file() {
            names.insert("src/main.rs".to_string());
        }
        let texts = project::MANIFESTS
            .iter()
            .chain(project::READMES)
            .filter(|name| names.contains(**name))
            .filter_map(|&name| {
                let path = root.join(name);
                let small = fs::metadata(&path).is_ok_and(|m| m.len() <= ROOT_FILE_BYTES);
                let bytes = fs::read(&path).ok().filter(|_| small)?;
                Some((name, String::from_utf8_lossy(&bytes).into_owned()))
            })
            .collect();
        RootListing { names, dirs, texts }
    }

    fn root_files(&self) -> RootFiles<'_> {
        RootFiles {
            texts: self.texts.iter().map(|(n, t)| (*n, t.as_str())).collect(),
            names: self.names.iter().map(String::as_str).collect(),
            dirs: self.dirs.iter().map(String::as_str).collect(),
        }
    }
}

/// Replaces `path` with `bytes` in one step: a temporary file beside it,
/// flushed to disk, given the old file's permissions, renamed over it. A
/// symbolic link is followed, so the link stays a link. A new file's
/// directory is created.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?
        .to_string_lossy()
        .into_owned();
    let permissions = fs::metadata(&target).ok().map(|m| m.permissions());
    if permissions.is_none() {
        // A new file: its directory (e.g. `.claude/`) may not exist yet.
        fs::create_dir_all(&dir)?;
    }
    for attempt in 0..100u32 {
        let temporary = dir.join(format!(
            ".{name}.ctxbudget-{}-{attempt}.tmp",
            std::process::id()
        ));
        let mut file = match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
        {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        let written = file
            .write_all(bytes)
            .and_then(|()| file.sync_all())
            .and_then(|()| match &permissions {
                Some(p) => fs::set_permissions(&temporary, p.clone()),
                None => Ok(()),
            })
            .and_then(|()| fs::rename(&temporary, &target));
        if written.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        return written;
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free name for a temporary file",
    ))
}

#[cfg(test)]
mod tests {
    use super::is_memory_file;

    #[test]
    fn memory_files_are_recognised_anywhere() {
        for path in [
            "CLAUDE.md",
            "sub/CLAUDE.md",
            "CLAUDE.local.md",
            ".claude/rules/a.md",
            "pkg/.claude/CLAUDE.md",
        ] {
            assert!(is_memory_file(path), "{path}");
        }
        for path in ["README.md", "docs/claude.md", "claude/x.md"] {
            assert!(!is_memory_file(path), "{path}");
        }
    }
}
