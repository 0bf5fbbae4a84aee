//! `ctxbudget sessions`: find the transcripts, stream them on worker
//! threads (one file each at a time), put the figures together in file
//! order, find what to read instead of the costly whole reads, report.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::cache::Cache;
use crate::command::scan;
use crate::config::SessionsConfig;
use crate::error::{Error, plain_io_message};
use crate::exit_code::ExitCode;
use crate::report::TokenizerInfo;
use crate::report::progress::Progress;
use crate::report::sessions::{Instead, SessionsReport, Why};
use crate::sessions::reader::{self, FilePart, Touch};
use crate::sessions::{self, Filter, ReadCosts, WholeFile};
use crate::stats::FileStat;
use crate::suggest::refs;
use crate::tokenize::Tokenizer;

/// Whole reads that get references to read instead (the costliest).
const ADVISED_WHOLE_READS: usize = 25;

/// References offered for one whole read.
const REFERENCES_PER_READ: usize = 3;

/// Runs `sessions` and writes its report to `out`; messages go to `err`.
pub fn run(
    config: &SessionsConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let root = &config.scan.paths[0];
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
        let _ = writeln!(
            err,
            "ctxbudget: cannot list {}: {}; its transcripts are left out",
            dir.display(),
            plain_io_message(e)
        );
    }

    let tokenizer = Tokenizer::new(config.scan.tokenizer, config.scan.claude_factor);
    let filter = Filter::new(
        root,
        config.since,
        config.sessions.clone(),
        config.whole_read_tokens,
    );
    let parts = read_all(&files, &filter, &tokenizer, config, err);
    let summary = sessions::summarize(parts);

    let instead = advise(root, &summary.whole, config, &tokenizer);
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
        window: config.scan.limits.window,
        whole_read_tokens: config.whole_read_tokens,
        summary,
        instead,
        top: config.top,
        filtered: config.since.is_some() || !config.sessions.is_empty(),
    };
    if report.summary.sessions.is_empty() {
        let _ = writeln!(
            err,
            "ctxbudget: no Claude Code session of {} found in {} ({} transcript file{} read{})\nhint: sessions are found by the working directory in their records; pass the project with -C DIR",
            report.project,
            report.transcripts,
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            if report.filtered {
                ", with --since or --session"
            } else {
                ""
            }
        );
    }
    crate::report::sessions::write(&report, config.json, config.color, out)
        .map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    Ok(ExitCode::Ok)
}

/// Streams every file on worker threads; returns their parts in file
/// order. A file that cannot be read is reported and left out.
fn read_all(
    files: &[PathBuf],
    filter: &Filter,
    tokenizer: &Tokenizer,
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
    let threads = match config.scan.walk.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(files.len().max(1));
    let next = AtomicUsize::new(0);
    let bytes_done = AtomicU64::new(0);
    let results: Mutex<Vec<Option<Result<FilePart, String>>>> =
        Mutex::new((0..files.len()).map(|_| None).collect());
    let costs = ReadCosts::default();
    let count = |text: &str, first: u64| {
        costs.get(text, first, || {
            tokenizer.scale(tokenizer.count_as_read_from(text, first))
        })
    };
    let progress = Progress::labelled(config.scan.progress, "reading transcripts");
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
                let _ = writeln!(
                    err,
                    "ctxbudget: cannot read {}: {message}; left out",
                    files[i].display()
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
) -> Vec<Vec<Instead>> {
    let cache = match &config.scan.cache_dir {
        Some(dir) => Cache::open(dir, std::slice::from_ref(&root.to_path_buf())),
        None => Cache::disabled(),
    };
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
                    crate::source::read(&root.join(&read.path), config.scan.max_file_bytes, false)
                        .ok()
                        .map(|source| {
                            let stat = scan::price_file(
                                read.path.clone(),
                                &source,
                                &config.scan,
                                tokenizer,
                                &cache,
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

/// Up to [`REFERENCES_PER_READ`] symbols of `file` (whose current text is
/// `text`) for what the session did after reading it whole. Without a
/// clue, the largest symbols that cost at most `cap` and half the file.
fn instead(file: &FileStat, text: &str, touches: &[Touch], cap: u64) -> Vec<Instead> {
    let mut chosen: Vec<(usize, Why)> = Vec::new();
    let add = |symbol: usize, why: Why, chosen: &mut Vec<(usize, Why)>| {
        if chosen.len() < REFERENCES_PER_READ && !chosen.iter().any(|(s, _)| *s == symbol) {
            chosen.push((symbol, why));
        }
    };
    for touch in touches {
        if let Touch::Edited(written) = touch
            && let Some(line) = line_of(text, written)
            && let Some(symbol) = refs::at_line(file, line)
        {
            add(symbol, Why::Edited, &mut chosen);
        }
    }
    for touch in touches {
        if let Touch::Searched(pattern) = touch
            && let Some(search) = Search::new(pattern)
        {
            for (index, line) in text.lines().enumerate() {
                if search.matches(line)
                    && let Some(symbol) = refs::at_line(file, index as u32 + 1)
                {
                    add(symbol, Why::Searched, &mut chosen);
                }
            }
        }
    }
    if chosen.is_empty() {
        for symbol in refs::in_file(file) {
            let tokens = file.symbols[symbol].tokens;
            if tokens * 2 <= file.tokens && tokens <= cap {
                add(symbol, Why::Largest, &mut chosen);
            }
        }
    }
    chosen
        .into_iter()
        .map(|(s, why)| {
            let symbol = &file.symbols[s];
            Instead {
                reference: symbol.reference(&file.path),
                qualified_name: symbol.span.qualified_name.clone(),
                kind: symbol.span.kind.clone(),
                tokens: symbol.tokens,
                why,
            }
        })
        .collect()
}

/// The 1-based line where `written` (its first non-blank line) now
/// starts in `text`, when it is there.
fn line_of(text: &str, written: &str) -> Option<u32> {
    let needle = written.lines().map(str::trim).find(|l| l.len() >= 3)?;
    let at = text.find(needle)?;
    Some(text[..at].matches('\n').count() as u32 + 1)
}

/// A Grep pattern run again over a file's current lines: as a regular
/// expression (the syntax Grep's ripgrep takes), else as plain text.
enum Search {
    Pattern(regex::Regex),
    Text(String),
}

impl Search {
    fn new(pattern: &str) -> Option<Search> {
        if pattern.trim().len() < 2 {
            return None;
        }
        Some(match regex::Regex::new(pattern) {
            Ok(re) => Search::Pattern(re),
            Err(_) => Search::Text(pattern.to_string()),
        })
    }

    fn matches(&self, line: &str) -> bool {
        match self {
            Search::Pattern(re) => re.is_match(line),
            Search::Text(text) => line.contains(text.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Search, line_of};

    #[test]
    fn edits_are_found_by_their_first_real_line() {
        let text = "a\nb\n    def load(self):\n        pass\n";
        assert_eq!(line_of(text, "\n  def load(self):\n  x"), Some(3));
        assert_eq!(line_of(text, "zz"), None);
        assert_eq!(line_of(text, "nothing like it"), None);
    }

    #[test]
    fn searches_run_as_ripgrep_patterns_else_as_text() {
        let search = Search::new(r"def\s+apply_discount").expect("a search");
        assert!(search.matches("def  apply_discount(cart):"));
        assert!(!search.matches("    x = apply_discount(cart)"));
        let broken = Search::new("load(").expect("a search");
        assert!(broken.matches("    load(x)"));
        assert!(Search::new(" ").is_none());
    }
}
