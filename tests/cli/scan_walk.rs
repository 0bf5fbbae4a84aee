//! Which files a scan sees: ignore files, hidden files, VCS metadata, globs,
//! symlinks.

use crate::util::{Repo, ctxbudget_env, file_paths, skipped};

/// A repository exercising every ignore source at once.
fn ignore_repo() -> Repo {
    let repo = Repo::new();
    repo.write(".git/HEAD", "ref: refs/heads/main\n")
        .write(".git/config", "[core]\n")
        .write(".git/info/exclude", "excluded-by-git.txt\n")
        .write(".gitignore", "/generated/\n*.log\nnode_modules/\n")
        .write("sub/.gitignore", "*.tmp\ninner/scratch/\n")
        .write(".ignore", "ignored-by-dot-ignore.md\n")
        .write(".ctxbudgetignore", "fixtures/big/\n")
        .write("src/main.rs", "fn main() {}\n")
        .write(".github/workflows/ci.yml", "on: push\n")
        .write(".env.example", "KEY=value\n")
        .write("generated/bundle.js", "var x = 1;\n")
        .write("node_modules/pkg/index.js", "module.exports = 1;\n")
        .write("debug.log", "log line\n")
        .write("keep.tmp", "top-level tmp is not ignored\n")
        .write("sub/notes.tmp", "nested rule applies here\n")
        .write("sub/inner/cache.tmp", "and below\n")
        .write("sub/inner/scratch/dump.txt", "dump\n")
        .write("sub/inner/kept.py", "x = 1\n")
        .write("excluded-by-git.txt", "x\n")
        .write("ignored-by-dot-ignore.md", "x\n")
        .write("fixtures/big/data.json", "{}\n")
        .write("fixtures/small.json", "{}\n");
    repo
}

#[test]
fn every_ignore_source_is_honoured_and_vcs_metadata_is_never_walked() {
    let repo = ignore_repo();
    let json = repo.scan_json(&[]);
    assert_eq!(
        file_paths(&json),
        [
            ".ctxbudgetignore",
            ".env.example",
            ".github/workflows/ci.yml",
            ".gitignore",
            ".ignore",
            "fixtures/small.json",
            "keep.tmp",
            "src/main.rs",
            "sub/.gitignore",
            "sub/inner/kept.py",
        ]
    );
    assert!(skipped(&json).is_empty(), "{:?}", skipped(&json));
}

#[test]
fn no_ignore_sees_ignored_files_but_still_not_git_metadata() {
    let repo = ignore_repo();
    let paths = file_paths(&repo.scan_json(&["--no-ignore"]));
    for expected in [
        "debug.log",
        "generated/bundle.js",
        "node_modules/pkg/index.js",
        "sub/notes.tmp",
    ] {
        assert!(
            paths.iter().any(|p| p == expected),
            "{expected} missing: {paths:?}"
        );
    }
    assert!(!paths.iter().any(|p| p.starts_with(".git/")), "{paths:?}");
}

#[test]
fn gitignore_applies_without_a_git_directory() {
    let repo = Repo::new();
    repo.write(".gitignore", "dist/\n")
        .write("dist/a.js", "x")
        .write("a.js", "x");
    assert_eq!(file_paths(&repo.scan_json(&[])), [".gitignore", "a.js"]);
}

#[test]
fn include_narrows_and_exclude_prunes_without_overriding_ignores() {
    let repo = ignore_repo();
    let json = repo.scan_json(&["--include", "*.py", "--include", "src/**"]);
    assert_eq!(file_paths(&json), ["src/main.rs", "sub/inner/kept.py"]);
    let json = repo.scan_json(&["--exclude", "sub", "--exclude", "*.json"]);
    let paths = file_paths(&json);
    assert!(
        !paths
            .iter()
            .any(|p| p.starts_with("sub/") || p.ends_with(".json")),
        "{paths:?}"
    );
    assert!(paths.iter().any(|p| p == "src/main.rs"));
    // --include cannot bring back what .gitignore hides.
    let json = repo.scan_json(&["--include", "*.log"]);
    assert!(file_paths(&json).is_empty());
}

#[test]
fn a_bad_glob_is_a_usage_error() {
    let repo = Repo::new();
    let outcome = repo.run(&["scan", "--exclude", "src/[oops"]);
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("--exclude"), "{}", outcome.stderr);
}

#[test]
fn ctxbudget_toml_globs_and_flags_add_up() {
    let repo = Repo::new();
    repo.write("ctxbudget.toml", "[scan]\nexclude = [\"docs\"]\n")
        .write("docs/a.md", "x")
        .write("src/a.rs", "x")
        .write("src/b.py", "x");
    let json = repo.scan_json(&["--exclude", "*.py"]);
    assert_eq!(file_paths(&json), ["ctxbudget.toml", "src/a.rs"]);
}

#[cfg(unix)]
#[test]
fn symlinks_are_reported_not_followed_and_loops_never_hang() {
    use std::os::unix::fs::symlink;
    let repo = Repo::new();
    repo.write("real/a.rs", "fn a() {}\n");
    symlink(repo.join("real"), repo.join("link-to-real")).expect("symlink");
    symlink(repo.join("real/a.rs"), repo.join("file-link.rs")).expect("symlink");
    symlink(repo.path(), repo.join("real/loop")).expect("symlink");
    symlink(repo.join("missing"), repo.join("dangling")).expect("symlink");

    let json = repo.scan_json(&[]);
    assert_eq!(file_paths(&json), ["real/a.rs"]);
    let skips = skipped(&json);
    for path in ["dangling", "file-link.rs", "link-to-real", "real/loop"] {
        assert!(
            skips.contains(&(path.to_string(), "symlink".to_string())),
            "{path} not reported as symlink: {skips:?}"
        );
    }

    let json = repo.scan_json(&["--follow"]);
    let paths = file_paths(&json);
    assert!(paths.contains(&"file-link.rs".to_string()), "{paths:?}");
    assert!(
        paths.contains(&"link-to-real/a.rs".to_string()),
        "{paths:?}"
    );
    let skips = skipped(&json);
    assert!(
        skips.iter().any(|(_, reason)| reason == "symlink-loop"),
        "loop not reported: {skips:?}"
    );
    assert!(
        skips.contains(&("dangling".to_string(), "unreadable".to_string())),
        "{skips:?}"
    );
}

#[test]
fn the_global_gitignore_is_honoured_and_no_ignore_drops_it() {
    let home = Repo::new();
    home.write(".config/git/ignore", "*.secret\n");
    let repo = Repo::new();
    repo.write("a.rs", "x").write("keys.secret", "x");
    let env = [
        ("HOME", home.path()),
        ("XDG_CONFIG_HOME", &home.join(".config")),
    ];
    let outcome = ctxbudget_env(repo.path(), &["scan", "--format", "json"], &env);
    assert_eq!(file_paths(&outcome.expect_code(0).json()), ["a.rs"]);
    let outcome = ctxbudget_env(
        repo.path(),
        &["scan", "--format", "json", "--no-ignore"],
        &env,
    );
    assert_eq!(
        file_paths(&outcome.expect_code(0).json()),
        ["a.rs", "keys.secret"]
    );
}

#[test]
fn dump_files_lists_every_path_and_its_fate() {
    let repo = Repo::new();
    repo.write("a.rs", "fn a() {}\n").write("b.bin", b"\0\0");
    let outcome = repo.run(&["scan", "--dump-files", "-t", "cl100k"]);
    outcome.expect_code(0);
    let lines: Vec<&str> = outcome.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("priced\ta.rs\trust\t"), "{lines:?}");
    assert!(
        lines[1].starts_with("skipped\tb.bin\tbinary\t"),
        "{lines:?}"
    );
}
