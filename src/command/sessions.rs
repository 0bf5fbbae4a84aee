//! `ctxbudget sessions`: find the transcripts, stream them on worker
//! threads (one file each at a time), put the figures together in file
//! order, find what to read instead of the costly whole reads, report.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::cache::Cache;
use crate::config::sessions::SessionsConfig;
use crate::error::{Error, plain_io_message};
use crate::exit_code::ExitCode;
use crate::price;
use crate::report::TokenizerInfo;
use crate::report::progress::Progress;
use crate::report::sessions::SessionsReport;
use crate::sessions::reader::{self, FilePart};
use crate::sessions::{self, Filter, ReadCosts, WholeFile};
use crate::stats::FileStat;
use crate::suggest::sessions::{ADVISED_WHOLE_READS, Instead, instead};
use crate::tokenize::Tokenizer;

/// Runs `sessions` and writes its report to `out`; messages go to `err`.
pub(crate) fn run(
    config: &SessionsConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let root = &config.input.paths[0];
    super::require_root(
        root,
        "read sessions of",
        "pass the project directory whose sessions to read",
    )?;
    let (files, problems) = sessions::find(&config.transcripts).map_err(|e| {
        Error::Usage(format!(
            "cannot read transcripts at {}: {}\nhint: Claude Code writes them under ~/.claude/projects (or $CLAUDE_CONFIG_DIR/projects); pass --transcripts DIR",
            config.transcripts.display(),
            plain_io_message(&e)
        ))
    })?;
    for (dir, e) in &problems {
        crate::report::warn(
            err,
            format_args!(
                "cannot list {}: {}; its transcripts are left out",
                dir.display(),
                plain_io_message(e)
            ),
        );
    }

    if config.calibrate {
        return calibrate(config, &files, out, err);
    }
    let tokenizer = Tokenizer::new(config.input.tokenizer, config.input.claude_factor);
    let mut filter = Filter::new(
        root,
        config.since,
        config.sessions.clone(),
        config.whole_read_tokens,
    );
    if config.usage_only {
        filter = filter.usage_only();
    }
    let cache = match &config.input.cache_dir {
        Some(dir) => Cache::open_for(dir, "sessions", std::slice::from_ref(root)),
        None => Cache::disabled(),
    };
    let parts = read_all(&files, &filter, &tokenizer, &cache, config, err);
    let summary = sessions::summarize(parts);

    let instead = advise(root, &summary.whole, config, &tokenizer, &cache);
    cache.persist();
    let report = SessionsReport {
        project: std::path::absolute(root)
            .unwrap_or_else(|_| root.clone())
            .display()
            .to_string(),
        transcripts: config.transcripts.display().to_string(),
        tokenizer: TokenizerInfo {
            kind: tokenizer.kind(),
            factor: tokenizer.factor(),
        },
        window: config.input.limits.window,
        whole_read_tokens: config.whole_read_tokens,
        summary,
        instead,
        top: config.top,
        filtered: config.since.is_some() || !config.sessions.is_empty(),
        reads_priced: !config.usage_only,
    };
    if report.summary.sessions.is_empty() {
        crate::report::warn(
            err,
            format_args!(
                "no Claude Code session of {} found in {} ({} transcript file{} read{})\nhint: sessions are found by the working directory in their records; pass the project with -C DIR",
                report.project,
                report.transcripts,
                files.len(),
                if files.len() == 1 { "" } else { "s" },
                if report.filtered {
                    ", with --since or --session"
                } else {
                    ""
                }
            ),
        );
    }
    crate::report::sessions::write(&report, config.json, config.color, config.width, out)
        .map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    Ok(ExitCode::Ok)
}

/// `--calibrate`: Claude's tokens per cl100k token for each model, from
/// the sessions' own usage figures; `--write` stores them.
fn calibrate(
    config: &SessionsConfig,
    files: &[PathBuf],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, Error> {
    use crate::sessions::calibrate::{self, MIN_PAIRS};
    let root = &config.input.paths[0];
    // Measured against cl100k whatever the selected tokenizer.
    let tokenizer = Tokenizer::new(crate::tokenize::TokenizerKind::Cl100k, 1.0);
    let filter = Filter::new(
        root,
        config.since,
        config.sessions.clone(),
        config.whole_read_tokens,
    )
    .calibrating();
    let parts = read_all(files, &filter, &tokenizer, &Cache::disabled(), config, err);
    let summary = sessions::summarize(parts);
    let found = calibrate::calibrate(&summary.samples);
    let mut written = Vec::new();
    if let Some(file) = &config.write {
        let factors: Vec<(String, f64)> = found
            .iter()
            .filter(|c| c.pairs >= MIN_PAIRS)
            .map(|c| (calibrate::family(&c.model).to_string(), c.factor))
            // Model names come from transcripts: only plain ones become keys.
            .filter(|(family, _)| {
                !family.is_empty()
                    && family.len() <= 100
                    && family
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            })
            .collect();
        if !factors.is_empty() {
            write_factors(root, file, &factors)?;
            written = factors;
        }
    }
    crate::report::sessions::write_calibration(
        &found,
        summary.sessions.len(),
        config.write.as_deref(),
        &written,
        config.json,
        out,
    )
    .map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    Ok(ExitCode::Ok)
}

/// Sets `factors` in the project's ctxbudget.toml, keeping every other
/// line; atomic, inside the project, refused when it changed meanwhile.
fn write_factors(root: &Path, file: &Path, factors: &[(String, f64)]) -> Result<(), Error> {
    let update = |message: String| Error::Update {
        path: file.to_path_buf(),
        message,
    };
    let target = crate::fsio::write_target(root, file, false).map_err(update)?;
    let old = match crate::fsio::read_bounded(&target, 1 << 20) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.is_not_found() => None,
        Err(e) => return Err(update(e.message())),
    };
    let text = match &old {
        Some(bytes) => std::str::from_utf8(bytes)
            .map_err(|_| update("it is not UTF-8 text; nothing was written".into()))?,
        None => "",
    };
    let new = crate::config::file_with_claude_factors(text, factors);
    crate::fsio::replace(&target, new.as_bytes(), old.as_deref())
        .map_err(|e| update(e.describe("make it writable to store the factors")))
}

/// Streams every file on worker threads; returns their parts in file
/// order. A file that cannot be read is reported and left out.
fn read_all(
    files: &[PathBuf],
    filter: &Filter,
    tokenizer: &Tokenizer,
    cache: &Cache,
    config: &SessionsConfig,
    err: &mut dyn Write,
) -> Vec<FilePart> {
    // Largest first, so one big file does not start last.
    let mut order: Vec<(u64, usize)> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (std::fs::metadata(f).map_or(0, |m| m.len()), i))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let threads = match config.input.walk.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(files.len().max(1));
    let next = AtomicUsize::new(0);
    let bytes_done = AtomicU64::new(0);
    let results: Mutex<Vec<Option<Result<FilePart, String>>>> =
        Mutex::new((0..files.len()).map(|_| None).collect());
    let costs = ReadCosts::new(cache, tokenizer.kind().encoding());
    let count = |text: &str, first: u64| {
        tokenizer.scale(costs.get(text, first, || {
            if first == reader::AS_SHOWN {
                tokenizer.count_result(text)
            } else {
                tokenizer.count_as_read_from(text, first)
            }
        }))
    };
    let progress = Progress::labelled(config.input.progress, "reading transcripts");
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(size, i)) = order.get(k) else {
                        break;
                    };
                    // Opened without blocking and checked on the handle: a
                    // transcript swapped for a FIFO is reported, not waited on.
                    let result = crate::fsio::open_regular(&files[i])
                        .map_err(|e| e.message())
                        .and_then(|(f, _)| {
                            reader::read(
                                BufReader::with_capacity(1 << 20, f),
                                files[i].file_stem().and_then(|s| s.to_str()),
                                filter,
                                tokenizer,
                                &count,
                            )
                            .map_err(|e| plain_io_message(&e))
                        });
                    let total = bytes_done.fetch_add(size, Ordering::Relaxed) + size;
                    progress.file_done(total);
                    if let Ok(mut results) = results.lock() {
                        results[i] = Some(result);
                    }
                }
            });
        }
    });
    progress.finish();
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut parts = Vec::with_capacity(files.len());
    for (i, result) in results.into_iter().enumerate() {
        match result {
            Some(Ok(part)) => parts.push(part),
            Some(Err(message)) => {
                crate::report::warn(
                    err,
                    format_args!("cannot read {}: {message}; left out", files[i].display()),
                );
            }
            None => {}
        }
    }
    parts
}

/// For the costliest whole reads of files in the project, the ranges to
/// read instead: what the session then edited, else what it searched for,
/// else the file's largest symbols (each at most the whole-read threshold
/// and half the file).
fn advise(
    root: &Path,
    whole: &[WholeFile],
    config: &SessionsConfig,
    tokenizer: &Tokenizer,
    cache: &Cache,
) -> Vec<Vec<Instead>> {
    let mut priced: Vec<(String, Option<(FileStat, String)>)> = Vec::new();
    whole
        .iter()
        .enumerate()
        .map(|(k, read)| {
            if k >= ADVISED_WHOLE_READS || Path::new(&read.path).is_absolute() {
                return Vec::new();
            }
            if !priced.iter().any(|(p, _)| *p == read.path) {
                let stat =
                    crate::source::read(&root.join(&read.path), config.input.max_file_bytes, false)
                        .ok()
                        .map(|source| {
                            let stat = price::price_file(
                                read.path.clone(),
                                &source,
                                &config.input,
                                tokenizer,
                                cache,
                            );
                            (stat, source.text)
                        });
                priced.push((read.path.clone(), stat));
            }
            match priced.iter().find(|(p, _)| *p == read.path) {
                Some((_, Some((stat, text)))) => {
                    instead(stat, text, &read.touches, config.whole_read_tokens)
                }
                _ => Vec::new(),
            }
        })
        .collect()
}
