//! `ctxbudget hook`: read one PreToolUse call on stdin, weigh the files it
//! would show whole, and turn the call away with an outline when one costs
//! more than the threshold. Prices only the files named, never walks the
//! project; remembers decisions per file content so a repeated call costs
//! a hash and one small read. Always exits 0: a failing hook must not
//! block the session.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::cache::Cache;
use crate::cli::hook::HookArgs;
use crate::config::hook::HookConfig;
use crate::error::Error;
use crate::exit_code::ExitCode;
use crate::guard::state::{self, Decision};
use crate::guard::{HookCall, Print, Shows, Tool, shown_specially};
use crate::lang::Kind;
use crate::price;
use crate::report;
use crate::report::hook::{Denial, OutlineKind};
use crate::source::Source;
use crate::suggest::outline::{self, Part};
use crate::tokenize::Tokenizer;

/// Hook input larger than this is not read (a Read or Bash call is tiny).
const MAX_INPUT_BYTES: u64 = 4 << 20;

/// Runs the hook on the call in `input`; a denial goes to `out`, an
/// internal problem to `err` as one line.
pub(crate) fn run(
    args: &HookArgs,
    input: &mut dyn Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let decided = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decide(args, input)));
    match decided {
        Ok(Ok(Some(denials))) => {
            // Nothing useful is left to do when stdout is gone.
            let _ = report::hook::deny(&denials, out).and_then(|()| out.flush());
        }
        Ok(Ok(None)) => {}
        Ok(Err(problem)) => {
            // Claude Code shows a hook's stderr in one line of its transcript
            // view; a multi-line config error is folded into it.
            let problem = problem.split_whitespace().collect::<Vec<_>>().join(" ");
            report::warn(err, format_args!("hook: {problem}; the call goes through"));
        }
        Err(_) => report::warn(
            err,
            format_args!("hook: internal error; the call goes through"),
        ),
    }
    Ok(ExitCode::Ok)
}

/// The denials for the call on `input`, `None` to let it through.
fn decide(args: &HookArgs, input: &mut dyn Read) -> Result<Option<Vec<Denial>>, String> {
    let mut bytes = Vec::new();
    input
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            format!(
                "cannot read the call: {}",
                crate::error::plain_io_message(&e)
            )
        })?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Ok(None);
    }
    let Some(call) = HookCall::parse(&bytes) else {
        return Ok(None);
    };
    let Shows::Whole { tool, files } = call.shows() else {
        return Ok(None);
    };
    let Some(root) = project_root(&call) else {
        return Ok(None);
    };
    let Ok(root) = root.canonicalize() else {
        return Ok(None);
    };
    // Without a place to remember a denial, the next read could not be let
    // through: never deny then.
    let Some(state_dir) = crate::cache::default_dir().map(|d| state::dir(&d)) else {
        return Ok(None);
    };
    let config = crate::config::hook::build(args, &root).map_err(|e| e.to_string())?;
    let cwd = call.cwd().map_or_else(|| root.clone(), Path::to_path_buf);
    let mut guard = Guard {
        config: &config,
        tool,
        root: &root,
        tokenizer: None,
        decisions: (!args.no_cache).then(|| state_dir.join("decisions")),
    };
    let mut denials = Vec::new();
    for print in &files {
        let Some((rel, real, source)) = readable(print, &cwd, &root, &config) else {
            continue;
        };
        let Some(denial) = guard.weigh(&rel, &real, &source) else {
            continue;
        };
        let session = call.session();
        let mut decision = Decision {
            at_ms: now_ms(),
            session,
            file: &rel,
            decision: "deny",
            tool: tool.name(),
            whole_tokens: denial.whole_tokens,
            outline_tokens: denial.outline_tokens,
        };
        if state::take_denied(&state_dir, session, &rel) {
            decision.decision = "retry";
            state::record(&state_dir, &decision);
            continue;
        }
        state::remember_denied(&state_dir, session, &rel);
        state::record(&state_dir, &decision);
        denials.push(denial);
    }
    Ok((!denials.is_empty()).then_some(denials))
}

/// The project: `CLAUDE_PROJECT_DIR` when set, else the session's cwd.
fn project_root(call: &HookCall) -> Option<PathBuf> {
    std::env::var_os("CLAUDE_PROJECT_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| call.cwd().map(Path::to_path_buf))
}

/// The file a print names, when it is a text file inside the project that
/// the call would show whole: its path from the root and its text.
fn readable(
    print: &Print,
    cwd: &Path,
    root: &Path,
    config: &HookConfig,
) -> Option<(String, PathBuf, Source)> {
    let path = if print.path.is_absolute() {
        print.path.clone()
    } else {
        cwd.join(&print.path)
    };
    if shown_specially(&path) {
        return None;
    }
    let real = path.canonicalize().ok()?;
    real.strip_prefix(root).ok()?;
    let rel = crate::walk::relative(root, &real, false);
    let source = crate::source::read(&real, config.input.max_file_bytes, false).ok()?;
    let lines = source.text.lines().count() as u64;
    if !print.amount.is_all(lines, source.bytes) {
        return None;
    }
    Some((rel, real, source))
}

/// Weighs files for one call, loading the tokenizer only when a file is
/// not already decided.
struct Guard<'a> {
    config: &'a HookConfig,
    tool: Tool,
    root: &'a Path,
    tokenizer: Option<Tokenizer>,
    /// Where decisions are remembered by content (`None`: `--no-cache`).
    decisions: Option<PathBuf>,
}

impl Guard<'_> {
    /// The denial for reading `source` whole, `None` when it is cheap.
    fn weigh(&mut self, rel: &str, real: &Path, source: &Source) -> Option<Denial> {
        let config = self.config;
        let input = &config.input;
        // An upper bound without the tokenizer: a token holds at least one
        // byte, and a line number with its tab is at most three tokens.
        let lines = source.text.lines().count() as u64;
        let bound =
            (source.text.len() as u64 + 3 * lines + 3) as f64 * input.claude_factor.max(1.0);
        if bound <= config.read_tokens as f64 {
            return None;
        }
        let key = self.key(rel, source);
        if let Some(known) = self.recall(&key) {
            return known;
        }
        let tokenizer = self
            .tokenizer
            .get_or_insert_with(|| Tokenizer::new(input.tokenizer, input.claude_factor));
        let stat = price::price_file(
            rel.to_string(),
            source,
            input,
            tokenizer,
            &Cache::disabled(),
        );
        let denial = (stat.read_tokens > config.read_tokens).then(|| {
            let (kind, parts) = parts(&stat, &source.text, tokenizer, config.read_tokens);
            let count = |text: &str| tokenizer.scale(tokenizer.count(text));
            let planned = outline::plan(&parts, config.outline_tokens, &count);
            Denial {
                path: rel.to_string(),
                file_path: real.display().to_string(),
                tool: self.tool,
                whole_tokens: stat.read_tokens,
                lines,
                threshold: config.read_tokens,
                outline_tokens: planned.tokens,
                kind,
                total_parts: parts.len(),
                outline: planned,
            }
        });
        self.remember(&key, denial.as_ref());
        denial
    }

    /// What a decision depends on: the text, where it is, the settings
    /// and this version.
    fn key(&self, rel: &str, source: &Source) -> String {
        let input = &self.config.input;
        let settings = format!(
            "{}\0{}\0{}\0{}\0{}\0{}\0{:?}\0{}\0{}",
            env!("CARGO_PKG_VERSION"),
            rel,
            input.tokenizer.encoding(),
            input.claude_factor,
            self.config.read_tokens,
            self.config.outline_tokens,
            self.tool,
            input.parse.max_bytes,
            self.root.display(),
        );
        let mut bytes = settings.into_bytes();
        bytes.extend_from_slice(source.text.as_bytes());
        format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&bytes))
    }

    /// A decision remembered for this key: `Some(None)` to let it pass.
    fn recall(&self, key: &str) -> Option<Option<Denial>> {
        let path = self.decisions.as_ref()?.join(format!("{key}.json"));
        let bytes = crate::fsio::read_bounded(&path, 1 << 20).ok()?;
        let stored: Option<Denial> = serde_json::from_slice(&bytes).ok()?;
        Some(stored)
    }

    fn remember(&self, key: &str, denial: Option<&Denial>) {
        let Some(dir) = &self.decisions else {
            return;
        };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let Ok(bytes) = serde_json::to_vec(&denial) else {
            return;
        };
        let Ok(mut temp) = tempfile::Builder::new()
            .prefix(".tmp-")
            .rand_bytes(8)
            .tempfile_in(dir)
        else {
            return;
        };
        if temp.write_all(&bytes).is_ok() {
            let _ = temp.persist(dir.join(format!("{key}.json")));
        }
    }
}

/// What to offer instead of the whole file: its symbols, else its Markdown
/// sections, else chunks of lines; each with what reading it costs.
fn parts(
    stat: &crate::stats::FileStat,
    text: &str,
    tokenizer: &Tokenizer,
    threshold: u64,
) -> (OutlineKind, Vec<Part>) {
    let starts = crate::stats::line_starts(text);
    let slice = |start: u32, end: u32| {
        let from = starts
            .get(start as usize - 1)
            .copied()
            .unwrap_or(text.len());
        let to = starts.get(end as usize).copied().unwrap_or(text.len());
        &text[from.min(to)..to]
    };
    let cost = |start: u32, end: u32| {
        tokenizer.scale(tokenizer.count_as_read_from(slice(start, end), u64::from(start)))
    };
    let lines = starts.len() as u32;
    let mark = |mut parts: Vec<Part>| {
        for part in &mut parts {
            part.too_large = part.read_tokens > threshold;
        }
        parts
    };
    if !stat.symbols.is_empty() {
        let parts = stat
            .symbols
            .iter()
            .map(|s| Part {
                label: format!(
                    "{} {}",
                    s.span.kind,
                    crate::text::escape(&s.span.qualified_name)
                ),
                start: s.span.start_line,
                end: s.span.end_line,
                read_tokens: cost(s.span.start_line, s.span.end_line),
                too_large: false,
            })
            .collect();
        return (OutlineKind::Symbols, mark(parts));
    }
    if stat.kind == Some(Kind::Markup) || stat.language == Some("markdown") {
        let sections = sections(text, lines);
        if sections.len() > 1 {
            let parts = sections
                .into_iter()
                .map(|(heading, start, end)| Part {
                    label: heading,
                    start,
                    end,
                    read_tokens: cost(start, end),
                    too_large: false,
                })
                .collect();
            return (OutlineKind::Sections, mark(parts));
        }
    }
    let parts = outline::chunks(lines, stat.read_tokens, threshold / 2)
        .into_iter()
        .map(|(start, end)| Part {
            label: format!("lines {start}-{end}"),
            start,
            end,
            read_tokens: cost(start, end),
            too_large: false,
        })
        .collect();
    (OutlineKind::Chunks, mark(parts))
}

/// Markdown headings outside code fences, each running to the next
/// heading of the same or a higher level: (heading, first line, last line).
fn sections(text: &str, lines: u32) -> Vec<(String, u32, u32)> {
    let mut fences = crate::memory::markdown::Fences::default();
    let mut found: Vec<(usize, String, u32)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if fences.step(line) {
            continue;
        }
        let level = line.bytes().take_while(|&b| b == b'#').count();
        if (1..=6).contains(&level) && line[level..].starts_with([' ', '\t']) {
            let heading: String = crate::text::escape(line.trim()).chars().take(80).collect();
            found.push((level, heading, index as u32 + 1));
        }
    }
    let mut out = Vec::with_capacity(found.len() + 1);
    if let Some(&(_, _, first)) = found.first()
        && first > 1
    {
        out.push(("(before the first heading)".to_string(), 1, first - 1));
    }
    for (i, (level, heading, start)) in found.iter().enumerate() {
        let end = found[i + 1..]
            .iter()
            .find(|(l, _, _)| l <= level)
            .map_or(lines, |(_, _, next)| next - 1);
        out.push((heading.clone(), *start, end.max(*start)));
    }
    out
}

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

#[cfg(test)]
mod tests {
    use super::sections;

    #[test]
    fn sections_run_to_the_next_heading_of_their_level() {
        let text = "intro\n# A\ntext\n## A.1\nmore\n```\n# not a heading\n```\n# B\nend\n";
        let found = sections(text, 10);
        assert_eq!(
            found,
            [
                ("(before the first heading)".to_string(), 1, 1),
                ("# A".to_string(), 2, 8),
                ("## A.1".to_string(), 4, 8),
                ("# B".to_string(), 9, 10),
            ]
        );
    }
}
