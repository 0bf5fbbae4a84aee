//! The refs index kept between runs: a warm `refs` answers exactly as a
//! run without the cache after any change to the tree (edits, new and
//! removed files and directories, ignore rules), and a damaged store is
//! never trusted.

use std::path::{Path, PathBuf};

use crate::util::{Outcome, Repo, ctxbudget_env};

/// Runs `refs --format json` with its own cache, files trusted unread as
/// soon as their times stop changing (test builds only).
fn warm(repo: &Repo, cache: &Path, query: &str) -> Outcome {
    let args = ["refs", "-t", "cl100k", "--format", "json", query];
    ctxbudget_env(
        repo.path(),
        &args,
        &[
            ("CTXBUDGET_CACHE_DIR", cache),
            ("CTXBUDGET_TEST_SETTLED_NANOS", Path::new("0")),
        ],
    )
}

/// The same query without any cache.
fn fresh(repo: &Repo, query: &str) -> Outcome {
    let args = [
        "refs",
        "-t",
        "cl100k",
        "--no-cache",
        "--format",
        "json",
        query,
    ];
    ctxbudget_env(repo.path(), &args, &[])
}

/// Asserts the warm answer is the fresh one; returns its exit code.
#[track_caller]
fn same(repo: &Repo, cache: &Path, query: &str) -> i32 {
    let warm = warm(repo, cache, query);
    let fresh = fresh(repo, query);
    assert_eq!(
        (warm.code, &warm.stdout),
        (fresh.code, &fresh.stdout),
        "{query:?}: the warm answer differs from a run without the cache\nwarm stderr: {}",
        warm.stderr
    );
    warm.code
}

/// The refs store files in `cache` (binary packs that start with its magic).
fn stores(cache: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(cache).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let bytes = std::fs::read(file.path()).unwrap_or_default();
            if bytes.starts_with(b"ctxbudget-refs\n") {
                out.push(file.path());
            }
        }
    }
    out
}

#[test]
fn a_warm_refs_follows_every_change_to_the_tree() {
    let repo = Repo::new();
    let cache = tempfile::tempdir().expect("cache");
    let cache = cache.path();
    repo.write(
        "src/a.py",
        "def alpha():\n    \"\"\"Parse the config.\"\"\"\n    return 1\n",
    )
    .write("src/b.py", "def beta():\n    return 2\n")
    .write(
        "README.md",
        "# Intro\n\nParse things.\n\n## Usage\n\nRun it.\n",
    );
    assert_eq!(same(&repo, cache, "alpha"), 0, "cold");
    assert_eq!(stores(cache).len(), 1, "the index is stored");
    assert_eq!(same(&repo, cache, "alpha"), 0, "warm");
    assert_eq!(same(&repo, cache, "parse config"), 0, "warm, by words");

    // An edit that changes the size, then one that keeps it.
    repo.write(
        "src/a.py",
        "def alpha():\n    \"\"\"Parse the config.\"\"\"\n    return 1\n\n\ndef alpha_two():\n    return 3\n",
    );
    assert_eq!(same(&repo, cache, "alpha_two"), 0);
    repo.write(
        "src/a.py",
        "def gamma():\n    \"\"\"Parse the config.\"\"\"\n    return 1\n\n\ndef alpha_two():\n    return 3\n",
    );
    assert_eq!(same(&repo, cache, "gamma"), 0, "a same-size edit is seen");
    assert_eq!(same(&repo, cache, "alpha"), 0);

    // New files, in an old directory and in a new one.
    repo.write("src/c.py", "def delta():\n    return 4\n");
    assert_eq!(same(&repo, cache, "delta"), 0);
    repo.write("src/deep/er/d.py", "def epsilon():\n    return 5\n");
    assert_eq!(same(&repo, cache, "epsilon"), 0);

    // A removed file, then a new ignore rule.
    std::fs::remove_file(repo.join("src/b.py")).expect("rm");
    assert_eq!(same(&repo, cache, "beta"), 1, "a removed file is gone");
    repo.write(".gitignore", "c.py\n");
    assert_eq!(same(&repo, cache, "delta"), 1, "a new ignore rule applies");
    repo.write(".gitignore", "d.py\n");
    assert_eq!(same(&repo, cache, "delta"), 0, "an edited rule applies");
    assert_eq!(same(&repo, cache, "epsilon"), 1);
    repo.write("src/deep/.ignore", "!d.py\n");
    assert_eq!(
        same(&repo, cache, "epsilon"),
        0,
        "a nested ignore file applies"
    );
    assert_eq!(same(&repo, cache, "usage"), 0, "documents too");

    // Rules the walk reads outside the tree it lists: the repository's
    // `.git/info/exclude`, created, then edited.
    std::fs::create_dir_all(repo.join(".git/info")).expect("mkdir");
    assert_eq!(same(&repo, cache, "gamma"), 0);
    repo.write(".git/info/exclude", "a.py\n");
    assert_eq!(same(&repo, cache, "gamma"), 1, "a new exclude file applies");
    repo.write(".git/info/exclude", "#\n");
    assert_eq!(
        same(&repo, cache, "gamma"),
        0,
        "an edited exclude file applies"
    );
}

#[test]
fn a_store_patched_after_a_few_changes_answers_as_a_fresh_run() {
    let repo = Repo::new();
    let cache = tempfile::tempdir().expect("cache");
    let cache = cache.path();
    let topics = [
        "parse", "render", "config", "cache", "token", "query", "user", "path", "read", "write",
        "split", "load",
    ];
    for (n, topic) in topics.iter().enumerate() {
        let next = topics[(n + 1) % topics.len()];
        repo.write(
            &format!("src/{topic}.py"),
            format!(
                "def {topic}_all(items):\n    \"\"\"The {topic} step, then {next}.\"\"\"\n    return {next}_all(items)\n\n\nclass {Topic}Step:\n    def run(self):\n        return {topic}_all([])\n",
                Topic = topic.to_uppercase()
            ),
        );
    }
    repo.write(
        "docs/guide.md",
        "# Guide\n\n## Loading\n\nCall `load_all` and `parse_all`.\n",
    );
    let queries = [
        "parse_all",
        "run",
        "load step",
        "the parse step then render",
        "loading",
        "guide.md",
    ];
    let all_same = |when: &str| {
        for query in queries {
            let warm = warm(&repo, cache, query);
            let fresh = fresh(&repo, query);
            assert_eq!(
                (warm.code, &warm.stdout),
                (fresh.code, &fresh.stdout),
                "{when}, {query:?}\nwarm stderr: {}",
                warm.stderr
            );
        }
    };
    all_same("cold");
    all_same("warm");
    // One file edited in place: new words, a new name, a name gone.
    repo.write(
        "src/parse.py",
        "def parse_everything(items):\n    \"\"\"Parse every item, then load it.\"\"\"\n    return load_all(items)\n",
    );
    all_same("an edit");
    // One file replaced by a rename, as editors and agents save.
    std::fs::write(
        repo.join("src/.render.py.tmp"),
        "def render_all(items):\n    \"\"\"Render and parse_all the items.\"\"\"\n    return parse_all(items)\n",
    )
    .expect("write");
    std::fs::rename(repo.join("src/.render.py.tmp"), repo.join("src/render.py")).expect("rename");
    all_same("a replaced file");
    // A new file, a removed one, a document that names other code.
    repo.write("src/extra.py", "def parse_all(items):\n    return items\n");
    std::fs::remove_file(repo.join("src/split.py")).expect("rm");
    repo.write(
        "docs/guide.md",
        "# Guide\n\n## Loading\n\nCall `render_all`, then `run`.\n",
    );
    all_same("files added and removed");
    all_same("warm again");
}

#[test]
fn a_damaged_or_foreign_store_is_never_trusted() {
    let repo = Repo::new();
    let cache = tempfile::tempdir().expect("cache");
    let cache = cache.path();
    repo.write("src/a.py", "def alpha():\n    return 1\n")
        .write(
            "src/b.py",
            "def beta():\n    \"\"\"Count the tokens.\"\"\"\n    return 2\n",
        );
    assert_eq!(same(&repo, cache, "alpha"), 0);
    let store = stores(cache).pop().expect("a store");
    let good = std::fs::read(&store).expect("read");
    let damages: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..good.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("flipped", {
            let mut b = good.clone();
            let middle = b.len() / 2;
            b[middle] ^= 0x55;
            b
        }),
        ("last byte", {
            let mut b = good.clone();
            let last = b.len() - 1;
            b[last] ^= 1;
            b
        }),
        ("huge lengths", {
            let mut b = good.clone();
            for byte in b.iter_mut().skip(15).take(40) {
                *byte = 0xff;
            }
            b
        }),
    ];
    for (what, bytes) in damages {
        std::fs::write(&store, &bytes).expect("damage");
        assert_eq!(same(&repo, cache, "alpha"), 0, "{what}");
        assert_eq!(same(&repo, cache, "count tokens"), 0, "{what}, by words");
    }
    // A directory in its place: ignored, and the answer still right.
    std::fs::remove_file(&store).expect("rm");
    std::fs::create_dir(&store).expect("mkdir");
    assert_eq!(
        same(&repo, cache, "beta"),
        0,
        "a directory where the store was"
    );
}

/// The global excludes file is found from the user's configuration; when
/// its path has to be escaped in names (a tab here) it cannot be checked
/// by name, so a file created there later still applies.
#[cfg(unix)]
#[test]
fn a_global_excludes_file_at_an_odd_path_still_applies() {
    let repo = Repo::new();
    let cache = tempfile::tempdir().expect("cache");
    let home = tempfile::tempdir().expect("home");
    let config = home.path().join("con\tfig");
    std::fs::create_dir_all(config.join("git")).expect("mkdir");
    // No other git configuration may name another excludes file.
    let empty = home.path().join("empty.gitconfig");
    std::fs::write(&empty, "").expect("write");
    repo.write("c.py", "def delta():\n    return 4\n");
    let run = |args: &[&str], cached: bool| {
        let mut all = vec!["refs", "-t", "cl100k", "--format", "json"];
        all.extend_from_slice(args);
        let mut vars: Vec<(&str, &Path)> = vec![
            ("HOME", home.path()),
            ("XDG_CONFIG_HOME", config.as_path()),
            ("GIT_CONFIG_GLOBAL", empty.as_path()),
            ("GIT_CONFIG_SYSTEM", empty.as_path()),
        ];
        if cached {
            vars.push(("CTXBUDGET_CACHE_DIR", cache.path()));
            vars.push(("CTXBUDGET_TEST_SETTLED_NANOS", Path::new("0")));
        }
        ctxbudget_env(repo.path(), &all, &vars)
    };
    assert_eq!(run(&["delta"], true).code, 0);
    assert_eq!(run(&["delta"], true).code, 0, "warm");
    std::fs::write(config.join("git/ignore"), "c.py\n").expect("write");
    let warm = run(&["delta"], true);
    let fresh = run(&["--no-cache", "delta"], false);
    assert_eq!((warm.code, &warm.stdout), (fresh.code, &fresh.stdout));
    assert_eq!(warm.code, 1, "the new global rule applies");
}
