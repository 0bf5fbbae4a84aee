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
use crate::report::init::{Change, InitReport};
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
    let settings_path = target(&config.settings)?;
    let record_path = target(&config.record)?;
    let backup_path = target(&backup_name(&config.settings))?;

    let old = read_existing(&config.settings, &settings_path)?;
    let old_text = match &old {
        Some(bytes) => std::str::from_utf8(bytes).map_err(|_| Error::Update {
            path: config.settings.clone(),
            message: "it is not UTF-8 text; nothing was written".into(),
        })?,
        None => "",
    };
    let mut edited = Settings::parse(old_text).map_err(|message| Error::Update {
        path: config.settings.clone(),
        message,
    })?;
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
    let key = config
        .settings
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let before = record.files.get(&key).cloned().unwrap_or_default();

    let mut rules: Vec<DenyRule> = Vec::new();
    let (change, added) = match config.mode {
        InitMode::Add => {
            let advised = if config.deny {
                rules = advised_rules(config);
                Some(rules.iter().map(|r| r.rule.clone()).collect::<Vec<_>>())
            } else {
                None
            };
            let merge = settings::merge(&mut edited, config.hook, advised.as_deref(), &before)
                .map_err(|message| Error::Update {
                    path: config.settings.clone(),
                    message,
                })?;
            let added = merge.added.clone();
            (Change::Merged(merge), added)
        }
        InitMode::Remove => {
            let removal =
                settings::remove(&mut edited, &before).map_err(|message| Error::Update {
                    path: config.settings.clone(),
                    message,
                })?;
            (Change::Removed(removal), Added::default())
        }
    };
    let new_text = if change.changed() {
        edited.render()
    } else {
        old_text.to_string()
    };
    if added.is_empty() {
        record.files.remove(&key);
    } else {
        record.files.insert(key, added);
    }
    let new_record = (!record.files.is_empty()).then(|| record.render());
    let record_changes = new_record.as_deref().map(str::as_bytes) != old_record.as_deref();

    let mut report = InitReport {
        settings: shown(&config.settings),
        record: shown(&config.record),
        backup: None,
        dry_run: config.dry_run,
        had_record: old_record.is_some(),
        change,
        rules,
        old: old_text.to_string(),
        new: new_text.clone(),
        prepared: None,
        color: config.color,
    };

    if !config.dry_run {
        if report.change.changed() && old.is_some() {
            let readonly =
                std::fs::metadata(&settings_path).is_ok_and(|m| m.permissions().readonly());
            if readonly {
                return Err(Error::Update {
                    path: config.settings.clone(),
                    message: "it is read-only; nothing was written\nhint: make it writable, or run with --dry-run and apply the diff by hand".into(),
                });
            }
        }
        if report.change.changed() {
            if let Some(old) = &old {
                let current = read_existing(&backup_name(&config.settings), &backup_path)?;
                write(&backup_path, old, current.as_deref())?;
                report.backup = Some(shown(&backup_name(&config.settings)));
            }
            write(&settings_path, new_text.as_bytes(), old.as_deref())?;
        }
        if record_changes {
            match &new_record {
                Some(text) => write(&record_path, text.as_bytes(), old_record.as_deref())?,
                None => std::fs::remove_file(&record_path).map_err(|source| Error::Io {
                    action: "remove",
                    path: config.record.clone(),
                    source,
                })?,
            }
        }
        if let Some(guard) = &config.guard {
            report.prepared = Some(prepare_hook(config, guard));
        }
    }
    report::init::write(&report, out).map_err(Error::Output)?;
    if !on_path("ctxbudget") && config.mode == InitMode::Add && config.hook {
        report::warn(
            err,
            format_args!(
                "ctxbudget is not on PATH, so Claude Code cannot run the hook (it would fail without blocking anything)\nhint: install it where your shell finds it: cargo install --locked --path <the ctxbudget checkout>"
            ),
        );
    }
    Ok(ExitCode::Ok)
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
fn shown(path: &Path) -> String {
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
        message: match e {
            fsio::WriteError::Changed => {
                "it changed while ctxbudget was working; nothing was written\nhint: run init again".into()
            }
            fsio::WriteError::ReadOnly => {
                "it is read-only; nothing was written\nhint: make it writable, or run with --dry-run and apply the diff by hand".into()
            }
            fsio::WriteError::Io(e) => crate::error::plain_io_message(&e),
        },
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
