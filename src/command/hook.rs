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
use crate::guard::weigh::{Denial, Guard};
use crate::guard::{HookCall, Print, Shows, shown_specially};
use crate::report;
use crate::source::Source;

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
    let decisions = (!args.no_cache).then(|| state::decisions_dir(&state_dir));
    let mut guard = Guard::new(&config, &root, decisions, Cache::disabled());
    let mut denials = Vec::new();
    for print in &files {
        let Some((rel, real, source)) = readable(print, &cwd, &root, &config) else {
            continue;
        };
        let Some(denial) = guard.weigh(&rel, &real, &source, tool) else {
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

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}
