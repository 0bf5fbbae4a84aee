//! The cache: a warm run is byte-identical to a cold one, damage is
//! discarded, concurrent runs agree, edits are never served stale.

use std::path::Path;

use crate::util::{Repo, ctxbudget_env};

fn project() -> Repo {
    let repo = Repo::new();
    repo.write(
        "src/lib.rs",
        "/// Adds.\npub fn add(a: u8, b: u8) -> u8 {\n    a + b\n}\n",
    )
    .write("app.py", "class A:\n    def m(self):\n        return 1\n")
    .write("README.md", "# demo\n");
    repo
}

fn scan(repo: &Repo, cache: &Path, extra: &[&str]) -> String {
    let mut args = vec!["scan", "--format", "json"];
    args.extend_from_slice(extra);
    let outcome = ctxbudget_env(repo.path(), &args, &[("CTXBUDGET_CACHE_DIR", cache)]);
    outcome.expect_code(0);
    outcome.stdout
}

fn entries(cache: &Path) -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if entry.path().is_dir() {
                walk(&entry.path(), out);
            } else {
                out.push(entry.path());
            }
        }
    }
    let mut out = Vec::new();
    walk(cache, &mut out);
    out
}

#[test]
fn a_warm_run_is_byte_identical_to_a_cold_one_and_to_no_cache() {
    let repo = project();
    let cache = tempfile::tempdir().expect("cache");
    let cold = scan(&repo, cache.path(), &[]);
    assert_eq!(entries(cache.path()).len(), 1, "one pack for the root");
    let warm = scan(&repo, cache.path(), &[]);
    assert_eq!(cold, warm);
    assert_eq!(cold, scan(&repo, cache.path(), &["--no-cache"]));
    // Other tokenizers and factors are answered correctly from their own keys.
    let o200k = scan(&repo, cache.path(), &["-t", "o200k"]);
    assert_eq!(
        o200k,
        scan(&repo, cache.path(), &["-t", "o200k", "--no-cache"])
    );
    let factor = scan(&repo, cache.path(), &["--claude-factor", "1.3"]);
    assert_eq!(
        factor,
        scan(
            &repo,
            cache.path(),
            &["--claude-factor", "1.3", "--no-cache"]
        )
    );
}

#[test]
fn a_token_only_entry_is_completed_when_symbols_are_asked_for() {
    let repo = project();
    let cache = tempfile::tempdir().expect("cache");
    scan(&repo, cache.path(), &["--no-symbols"]);
    let with = scan(&repo, cache.path(), &[]);
    assert!(with.contains("\"qualified_name\": \"A.m\""), "{with}");
    assert_eq!(with, scan(&repo, cache.path(), &["--no-cache"]));
}

#[test]
fn corrupt_or_truncated_entries_are_discarded() {
    let repo = project();
    let cache = tempfile::tempdir().expect("cache");
    let cold = scan(&repo, cache.path(), &[]);
    for (i, entry) in entries(cache.path()).iter().enumerate() {
        let bytes = std::fs::read(entry).expect("entry");
        let damaged = match i % 3 {
            0 => bytes[..bytes.len() / 2].to_vec(),
            1 => b"garbage".to_vec(),
            _ => {
                let mut b = bytes.clone();
                let at = b.len() - 5;
                b[at] = b'9';
                b
            }
        };
        std::fs::write(entry, damaged).expect("damage");
    }
    assert_eq!(cold, scan(&repo, cache.path(), &[]));
    assert_eq!(
        cold,
        scan(&repo, cache.path(), &[]),
        "and the entries were rewritten"
    );
}

#[test]
fn an_edited_file_is_never_served_from_the_cache() {
    let repo = project();
    let cache = tempfile::tempdir().expect("cache");
    scan(&repo, cache.path(), &[]);
    repo.write(
        "app.py",
        "class A:\n    def renamed(self):\n        return 1\n",
    );
    let after = scan(&repo, cache.path(), &[]);
    assert!(after.contains("A.renamed"), "{after}");
    assert!(!after.contains("A.m\""), "{after}");
}

#[test]
fn concurrent_runs_agree_and_leave_a_sound_cache() {
    let repo = project();
    for i in 0..40 {
        repo.write(
            &format!("pkg/m{i}.py"),
            format!("def f{i}():\n    return {i}\n"),
        );
    }
    let cache = tempfile::tempdir().expect("cache");
    let expected = scan(&repo, cache.path(), &["--no-cache"]);
    let outputs: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| scan(&repo, cache.path(), &[])))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("run"))
            .collect()
    });
    for output in &outputs {
        assert_eq!(output, &expected);
    }
    assert_eq!(scan(&repo, cache.path(), &[]), expected);
    assert!(
        !entries(cache.path())
            .iter()
            .any(|p| p.to_string_lossy().contains(".tmp-")),
        "no temp files left behind"
    );
}

#[test]
fn cache_dir_and_clear() {
    let repo = project();
    let cache = tempfile::tempdir().expect("cache");
    let env = [("CTXBUDGET_CACHE_DIR", cache.path())];
    let dir = ctxbudget_env(repo.path(), &["cache", "dir"], &env);
    assert_eq!(
        dir.expect_code(0).stdout.trim(),
        cache.path().to_string_lossy()
    );
    scan(&repo, cache.path(), &[]);
    let cleared = ctxbudget_env(repo.path(), &["cache", "clear"], &env);
    assert!(
        cleared.expect_code(0).stdout.contains("(1 file removed)"),
        "{}",
        cleared.stdout
    );
    assert!(entries(cache.path()).is_empty());
}
