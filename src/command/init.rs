//! `ctxbudget init`: merge the Read guard hook and the advised deny rules
//! into Claude Code's settings (or take out what an earlier run added),
//! keeping a backup and a record; then count, once, the files the hook
//! would turn away so it answers them from its cache.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cache::Cache;
use crate::config::init::{InitConfig, InitMode, Scope};
use crate::error::Error;
use crate::exit_code::ExitCode;
use crate::fsio;
use crate::guard::weigh::{self, Guard};
use crate::guard::{shown_specially, state};
use crate::price;
use crate::report;
use crate::report::init::{Change, FileReport, InitReport};
use crate::suggest::deny::{self, DenyRule};
use crate::suggest::settings::{self, Added, Record, Settings};
use crate::tokenize::Tokenizer;

/// Settings and record files larger than this are refused (Claude Code's
/// are a few KiB).
const MAX_SETTINGS_BYTES: u64 = 4 << 20;

/// Runs `init`; the report goes to `out`, warnings to `err`.
pub(crate) fn run(
    config: &InitConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, Error> {
    super::require_root(
        &config.root,
        "set up",
        "pass the project directory with -C DIR",
    )?;
    // The user's own settings lie outside the project by design; nothing a
    // repository holds can choose that (it is a flag).
    let allow_outside = config.scope == Scope::User;
    let target = |path: &Path| {
        fsio::write_target(&config.root, path, allow_outside).map_err(|message| Error::Update {
            path: path.to_path_buf(),
            message,
        })
    };
    let record_path = target(&config.record)?;
    let old_record = read_existing(&config.record, &record_path)?;
    let mut record = match &old_record {
        Some(bytes) => serde_json::from_slice::<Record>(bytes).map_err(|e| Error::Update {
            path: config.record.clone(),
            message: format!(
                "it is not a record ctxbudget wrote (line {}, column {}); nothing was written\nhint: restore it from git, or remove it (init then treats everything in the settings file as yours)",
                e.line(),
                e.column()
            ),
        })?,
        None => Record::default(),
    };
    record.version = Record::VERSION;

    let mut rules: Vec<DenyRule> = Vec::new();
    let mut edits = Vec::new();
    // Every file is read and edited in memory first: a problem with any
    // of them writes nothing.
    let settings_key = file_key(&config.settings);
    let before = record.files.get(&settings_key).cloned().unwrap_or_default();
    let settings = edit(&config.settings, &target, |edited| match config.mode {
        InitMode::Add => {
            let advised = if config.deny {
                rules = advised_rules(config);
                Some(rules.iter().map(|r| r.rule.clone()).collect::<Vec<_>>())
            } else {
                None
            };
            settings::merge(edited, config.hook, advised.as_deref(), &before).map(Change::Merged)
        }
        InitMode::Remove => settings::remove(edited, &before).map(Change::Removed),
    })?;
    edits.push((settings_key, settings));
    if let Some(mcp) = &config.mcp {
        // Keyed by its name beside the settings files' names: `.mcp.json`
        // lives at the root, the record in `.claude/`.
        let key = ".mcp.json".to_string();
        let before = record.files.get(&key).cloned().unwrap_or_default();
        let file = edit(mcp, &target, |edited| match config.mode {
            InitMode::Add => settings::merge_mcp(edited, &before).map(Change::Merged),
            InitMode::Remove => settings::remove(edited, &before).map(Change::Removed),
        })?;
        edits.push((key, file));
    }
    for (key, file) in &edits {
        let added = match &file.change {
            Change::Merged(merge) => merge.added.clone(),
            Change::Removed(_) => Added::default(),
        };
        if added.is_empty() {
            record.files.remove(key);
        } else {
            record.files.insert(key.clone(), added);
        }
    }
    let new_record = (!record.files.is_empty()).then(|| record.render());
    let record_changes = new_record.as_deref().map(str::as_bytes) != old_record.as_deref();

    if !config.dry_run {
        for (_, file) in &edits {
            // Every backup is checked before anything is written.
            if file.change.changed() && file.old.is_some() {
                target(&backup_name(&file.target))?;
            }
            if file.change.changed()
                && file.old.is_some()
                && std::fs::metadata(&file.target).is_ok_and(|m| m.permissions().readonly())
            {
                return Err(Error::Update {
                    path: PathBuf::from(&file.report.path),
                    message: "it is read-only; nothing was written\nhint: make it writable, or run with --dry-run and apply the diff by hand".into(),
                });
            }
        }
    }
    let mut files = Vec::new();
    for (_, file) in edits {
        let mut shown = file.report;
        if !config.dry_run && file.change.changed() {
            if let Some(old) = &file.old {
                // Resolved and checked like the file itself: a backup name
                // the repository planted as a link out of it is refused.
                let backup = target(&backup_name(&file.target))?;
                let current = read_existing(&backup, &backup)?;
                write(&backup, old, current.as_deref())?;
                shown.backup = Some(shown_path(&backup_name(Path::new(&shown.path))));
            }
            write(&file.target, shown.new.as_bytes(), file.old.as_deref())?;
        }
        shown.change = file.change;
        files.push(shown);
    }
    if !config.dry_run && record_changes {
        match &new_record {
            Some(text) => write(&record_path, text.as_bytes(), old_record.as_deref())?,
            None => std::fs::remove_file(&record_path).map_err(|source| Error::Io {
                action: "remove",
                path: config.record.clone(),
                source,
            })?,
        }
    }
    let prepared = match (&config.guard, config.dry_run) {
        (Some(guard), false) => Some(prepare_hook(config, guard)),
        _ => None,
    };
    let report = InitReport {
        files,
        record: shown_path(&config.record),
        dry_run: config.dry_run,
        had_record: old_record.is_some(),
        rules,
        prepared,
        color: config.color,
    };
    report::init::write(&report, out).map_err(Error::Output)?;
    if !on_path("ctxbudget")
        && config.mode == InitMode::Add
        && (config.hook || config.mcp.is_some())
    {
        report::warn(
            err,
            format_args!(
                "ctxbudget is not on PATH, so Claude Code cannot run it (the hook would fail without blocking anything)\nhint: install it where your shell finds it: cargo install --locked --path <the ctxbudget checkout>"
            ),
        );
    }
    Ok(ExitCode::Ok)
}

/// One file `init` edits, edited in memory.
struct Edit {
    /// Where it is written (symbolic links resolved).
    target: PathBuf,
    /// Its bytes before (`None`: it did not exist).
    old: Option<Vec<u8>>,
    /// What changed.
    change: Change,
    /// What the report says about it.
    report: FileReport,
}

/// Reads `path` (through `target`, which resolves and checks it), parses
/// it and applies `apply`.
fn edit(
    path: &Path,
    target: &dyn Fn(&Path) -> Result<PathBuf, Error>,
    apply: impl FnOnce(&mut Settings) -> Result<Change, String>,
) -> Result<Edit, Error> {
    let real = target(path)?;
    let old = read_existing(path, &real)?;
    let old_text = match &old {
        Some(bytes) => std::str::from_utf8(bytes).map_err(|_| Error::Update {
            path: path.to_path_buf(),
            message: "it is not UTF-8 text; nothing was written".into(),
        })?,
        None => "",
    };
    let mut edited = Settings::parse(old_text).map_err(|message| Error::Update {
        path: path.to_path_buf(),
        message,
    })?;
    let change = apply(&mut edited).map_err(|message| Error::Update {
        path: path.to_path_buf(),
        message,
    })?;
    let new_text = if change.changed() {
        edited.render()
    } else {
        old_text.to_string()
    };
    Ok(Edit {
        target: real,
        report: FileReport {
            path: shown_path(path),
            backup: None,
            change: change.clone(),
            old: old_text.to_string(),
            new: new_text,
        },
        old,
        change,
    })
}

/// The record's key for a settings file: its name.
fn file_key(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The deny rules `scan` advises for the project.
fn advised_rules(config: &InitConfig) -> Vec<DenyRule> {
    let input = &config.input;
    let tokenizer = Tokenizer::new(input.tokenizer, input.claude_factor);
    let (files, _) = price::price(input, &tokenizer, |_, _| ());
    let files: Vec<_> = files.into_iter().map(|(file, ())| file).collect();
    deny::plan(&deny::candidates(&files, &input.limits))
}

/// Weighs, as the hook will, every file of the project that may cost more
/// than its threshold, so its decisions are in the cache. Returns how
/// many files the hook will turn away.
fn prepare_hook(config: &InitConfig, guard_config: &crate::config::hook::HookConfig) -> usize {
    let Some(cache_dir) = crate::cache::default_dir() else {
        return 0;
    };
    let Ok(root) = config.root.canonicalize() else {
        return 0;
    };
    let input = &guard_config.input;
    let tokenizer = Tokenizer::new(input.tokenizer, input.claude_factor);
    // Only paths are collected on the walk; each file is read again below,
    // one at a time, so memory stays at one file.
    let (files, _) = price::price(input, &tokenizer, |_, source| {
        weigh::may_be_expensive(guard_config, source)
    });
    let cache = match &input.cache_dir {
        Some(dir) => Cache::open(dir, &input.paths),
        None => Cache::disabled(),
    };
    let decisions = state::decisions_dir(&state::dir(&cache_dir));
    let mut guard = Guard::new(guard_config, &root, Some(decisions), cache);
    let mut denied = 0;
    for (file, maybe) in files {
        if !maybe {
            continue;
        }
        let path = root.join(&file.path);
        if shown_specially(&path) {
            continue;
        }
        let Ok(real) = path.canonicalize() else {
            continue;
        };
        if !real.starts_with(&root) {
            continue;
        }
        let rel = crate::walk::relative(&root, &real, false);
        let Ok(source) = crate::source::read(&real, input.max_file_bytes, false) else {
            continue;
        };
        if guard
            .weigh(&rel, &real, &source, crate::guard::Tool::Read)
            .is_some()
        {
            denied += 1;
        }
    }
    denied
}

/// A path as the user reads it: `./.claude/x` as `.claude/x`.
fn shown_path(path: &Path) -> String {
    let text = path.display().to_string();
    text.strip_prefix("./").map_or(text.clone(), str::to_string)
}

/// `settings.json` -> `settings.json.ctxbudget.bak`.
fn backup_name(settings: &Path) -> PathBuf {
    let mut name = settings.file_name().unwrap_or_default().to_os_string();
    name.push(".ctxbudget.bak");
    settings.with_file_name(name)
}

/// The bytes of a file `init` may replace, `None` when it does not exist.
fn read_existing(shown: &Path, real: &Path) -> Result<Option<Vec<u8>>, Error> {
    match fsio::read_bounded(real, MAX_SETTINGS_BYTES) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(Error::Update {
            path: shown.to_path_buf(),
            message: format!("{}; nothing was written", e.message()),
        }),
    }
}

fn write(path: &Path, bytes: &[u8], expected: Option<&[u8]>) -> Result<(), Error> {
    fsio::replace(path, bytes, expected).map_err(|e| Error::Update {
        path: path.to_path_buf(),
        message: e.describe("make it writable, or run with --dry-run and apply the diff by hand"),
    })
}

/// Whether `program` is an executable file in a `PATH` directory.
fn on_path(program: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        let candidate = dir.join(program);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(&candidate)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        }
        #[cfg(not(unix))]
        {
            candidate.with_extension("exe").is_file() || candidate.is_file()
        }
    })
}
