//! `ctxbudget claude-md`: read the memory file (refusing unbalanced
//! markers before any work), scan and index the project, read what its
//! root files say, plan the block within the budget, then print it, check
//! it against the file, or splice it in and write atomically.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::Path;

use crate::config::claude_md::{ClaudeMdConfig, ClaudeMdMode};
use crate::error::Error;
use crate::exit_code::ExitCode;
use crate::memory::block;
use crate::price;
use crate::report::TokenizerInfo;
use crate::report::claude_md::{Outcome, Status};
use crate::stats::FileStat;
use crate::suggest::claude_md::{self, Facts, TooSmall};
use crate::suggest::project::{self, RootFiles};
use crate::suggest::refs::{self, FileWords, Index};
use crate::tokenize::Tokenizer;

/// Root files larger than this are not read for commands or descriptions.
const ROOT_FILE_BYTES: u64 = 1 << 20;

/// A memory file larger than this is not updated (Claude Code skips
/// memory files over 4 MiB altogether).
const MEMORY_FILE_BYTES: u64 = 16 << 20;

/// Runs `claude-md`: the block goes to `out` with `--stdout`, into the
/// file otherwise; what happened goes to `err`.
pub(crate) fn run(
    config: &ClaudeMdConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let root = &config.input.paths[0];
    super::require_root(
        root,
        "describe",
        "pass the project directory; name the file with --file",
    )?;
    // Where the block goes, every symlink resolved: never outside the
    // project unless the user said so on the command line.
    let target = match config.mode {
        ClaudeMdMode::Stdout => None,
        _ => Some(
            crate::fsio::write_target(root, &config.file, config.allow_outside).map_err(
                |message| Error::Update {
                    path: config.file.clone(),
                    message,
                },
            )?,
        ),
    };
    let existing = match &target {
        Some(target) => read_existing(&config.file, target)?,
        None => None,
    };
    if let Some(bytes) = &existing {
        if let Some(encoding) = block::foreign_encoding(bytes) {
            return Err(Error::Update {
                path: config.file.clone(),
                message: format!(
                    "it is {encoding}, not UTF-8 text; a block written into it would corrupt it\nhint: convert it to UTF-8; nothing was written"
                ),
            });
        }
        block::find(bytes).map_err(|bad| Error::Update {
            path: config.file.clone(),
            message: format!(
                "its ctxbudget markers are unbalanced ({bad})\nhint: fix or remove the marker lines by hand; nothing was written"
            ),
        })?;
    }
    let tokenizer = Tokenizer::new(config.input.tokenizer, config.input.claude_factor);
    let own = own_path(root, &config.file);
    let (priced, _skipped) = price::price(&config.input, &tokenizer, |stat, source| {
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
    let files: std::sync::Arc<[FileStat]> = files.into();
    let files_using = Index::build(std::sync::Arc::clone(&files), words).files_using();

    let found = RootListing::read(root);
    let about = project::about(&found.root_files(main_language(&files)));
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
        limits: &config.input.limits,
        expensive_tokens: config.expensive_tokens,
        tokenizer: &info.describe(),
    };
    let count = |text: &str| tokenizer.scale(tokenizer.count(text));
    let plan = claude_md::plan(&facts, config.budget, &count).map_err(|TooSmall { frame }| {
        Error::Usage(format!(
            "--budget {} is too small: the block's heading alone costs {frame} tokens (the markers and note are HTML comments, which cost nothing)\nhint: give at least {frame}, or leave --budget out for {}",
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
            let target = target.as_deref().unwrap_or(&config.file);
            crate::fsio::replace(target, &updated, existing.as_deref()).map_err(|e| {
                let message = e.describe("make it writable if the block belongs in it");
                Error::Update {
                    path: config.file.clone(),
                    message,
                }
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

/// The language most of the project's code is written in, by tokens.
fn main_language(files: &[FileStat]) -> Option<&'static str> {
    let mut by_language: std::collections::BTreeMap<&'static str, u64> = Default::default();
    for file in files
        .iter()
        .filter(|f| f.kind == Some(crate::lang::Kind::Code))
    {
        if let Some(language) = file.language {
            *by_language.entry(language).or_default() += file.tokens;
        }
    }
    by_language
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(language, _)| language)
}

/// The memory file's bytes (read at its resolved `target`), `None` when
/// it does not exist yet.
fn read_existing(shown: &Path, target: &Path) -> Result<Option<Vec<u8>>, Error> {
    match crate::fsio::read_bounded(target, MEMORY_FILE_BYTES) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(Error::Update {
            path: shown.to_path_buf(),
            message: format!(
                "cannot read it: {}\nhint: name a readable file with --file",
                e.message()
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
                let text = crate::fsio::read_text(&root.join(name), ROOT_FILE_BYTES).ok()?;
                Some((name, text))
            })
            .collect();
        RootListing { names, dirs, texts }
    }

    fn root_files<'a>(&'a self, language: Option<&'a str>) -> RootFiles<'a> {
        RootFiles {
            texts: self.texts.iter().map(|(n, t)| (*n, t.as_str())).collect(),
            names: self.names.iter().map(String::as_str).collect(),
            dirs: self.dirs.iter().map(String::as_str).collect(),
            language,
        }
    }
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
