//! Whole outputs of every command, human and JSON, on the `shop` fixture
//! project and the sessions fixture, compared with `tests/snapshots/`.
//! A difference fails with a diff; `SNAPSHOTS=overwrite cargo test`
//! rewrites the snapshots to review with `git diff`.

use std::path::Path;

use snapbox::{Assert, Data};

use crate::util::{Outcome, Repo, copy, ctxbudget};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// The `shop` project copied into a fresh directory (no repository above
/// it, no cache from other tests).
fn shop() -> Repo {
    let repo = Repo::new();
    copy(&Path::new(FIXTURES).join("shop"), repo.path(), None);
    repo
}

/// Asserts `actual` equals the snapshot `name`, with `root` (as given and
/// with its links resolved) shown as `[ROOT]`.
#[track_caller]
fn snapshot(name: &str, actual: &str, root: Option<&Path>) {
    let mut shown = actual.to_string();
    if let Some(root) = root {
        let real = root.canonicalize().expect("the root exists");
        for path in [real.as_path(), root] {
            shown = shown.replace(path.to_str().expect("a UTF-8 temp path"), "[ROOT]");
        }
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    Assert::new()
        .action_env(snapbox::assert::DEFAULT_ACTION_ENV)
        .eq(shown, Data::read_from(&path, None).raw());
}

#[track_caller]
fn run(repo: &Repo, args: &[&str], code: i32) -> Outcome {
    let outcome = ctxbudget(repo.path(), args);
    outcome.expect_code(code);
    outcome
}

#[test]
fn scan_human() {
    let repo = shop();
    let outcome = run(&repo, &["scan", "--no-cache", "--tree"], 0);
    snapshot("scan.txt", &outcome.stdout, None);
}

#[test]
fn scan_json() {
    let repo = shop();
    let outcome = run(&repo, &["scan", "--no-cache", "--format", "json"], 0);
    snapshot("scan.json", &outcome.stdout, None);
}

#[test]
fn scan_markdown() {
    let repo = shop();
    let outcome = run(&repo, &["scan", "--no-cache", "--format", "markdown"], 0);
    snapshot("scan.md", &outcome.stdout, None);
}

#[test]
fn scan_fail_on_names_the_flags_on_stderr() {
    let repo = shop();
    let outcome = run(
        &repo,
        &["scan", "--no-cache", "--fail-on", "lockfile,minified"],
        1,
    );
    snapshot("scan-fail-on.stderr.txt", &outcome.stderr, None);
}

#[test]
fn check_human() {
    let repo = shop();
    let outcome = run(&repo, &["check", "--max-tokens", "60"], 1);
    snapshot("check.txt", &outcome.stdout, Some(repo.path()));
    snapshot("check.stderr.txt", &outcome.stderr, Some(repo.path()));
}

#[test]
fn check_json() {
    let repo = shop();
    let outcome = run(&repo, &["check", "--format", "json"], 0);
    snapshot("check.json", &outcome.stdout, Some(repo.path()));
}

#[test]
fn claude_md_block() {
    let repo = shop();
    let outcome = run(&repo, &["claude-md", "--no-cache", "--stdout"], 0);
    snapshot("claude-md.txt", &outcome.stdout, None);
}

#[test]
fn claude_md_writes_the_block_into_the_file() {
    let repo = shop();
    run(&repo, &["claude-md", "--no-cache"], 0);
    let written = std::fs::read_to_string(repo.join("CLAUDE.md")).expect("CLAUDE.md");
    snapshot("claude-md-file.txt", &written, None);
}

#[test]
fn refs_human() {
    let repo = shop();
    let outcome = run(
        &repo,
        &["refs", "--no-cache", "cart total", "apply discount"],
        0,
    );
    snapshot("refs.txt", &outcome.stdout, None);
}

#[test]
fn refs_json() {
    let repo = shop();
    let args = [
        "refs",
        "--no-cache",
        "--format",
        "json",
        "receipt",
        "--budget",
        "400",
    ];
    let outcome = run(&repo, &args, 0);
    snapshot("refs.json", &outcome.stdout, None);
}

#[test]
fn refs_plain() {
    let repo = shop();
    let outcome = run(
        &repo,
        &[
            "refs",
            "--no-cache",
            "--plain",
            "Cart.add",
            "src/shop/pricing.py:9",
        ],
        0,
    );
    snapshot("refs-plain.txt", &outcome.stdout, None);
}

/// The sessions fixture: a project and its transcripts, `@ROOT@` filled in.
fn sessions() -> (Repo, tempfile::TempDir) {
    let project = Repo::new();
    copy(
        &Path::new(FIXTURES).join("sessions/project"),
        project.path(),
        None,
    );
    let transcripts = tempfile::tempdir().expect("temp dir");
    let root = project.path().to_str().expect("a UTF-8 temp path");
    copy(
        &Path::new(FIXTURES).join("sessions/transcripts"),
        transcripts.path(),
        Some(root),
    );
    (project, transcripts)
}

#[test]
fn sessions_human() {
    let (project, transcripts) = sessions();
    let dir = transcripts.path().to_str().expect("UTF-8");
    let args = [
        "sessions",
        "--no-cache",
        "-t",
        "cl100k",
        "--transcripts",
        dir,
    ];
    let outcome = run(&project, &args, 0);
    let shown = outcome.stdout.replace(dir, "[TRANSCRIPTS]");
    snapshot("sessions.txt", &shown, Some(project.path()));
}

#[test]
fn sessions_json() {
    let (project, transcripts) = sessions();
    let dir = transcripts.path().to_str().expect("UTF-8");
    let args = [
        "sessions",
        "--no-cache",
        "-t",
        "cl100k",
        "--format",
        "json",
        "--transcripts",
        dir,
    ];
    let outcome = run(&project, &args, 0);
    let shown = outcome.stdout.replace(dir, "[TRANSCRIPTS]");
    snapshot("sessions.json", &shown, Some(project.path()));
}
