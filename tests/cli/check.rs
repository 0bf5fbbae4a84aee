//! `ctxbudget check` on fixture projects built for each loading and import
//! rule: the hierarchy, rules with and without `paths:`, imports in code,
//! cycles, missing files, a 6-deep chain, CRLF, a file over 4 MiB, budgets
//! and exit codes.

use serde_json::Value;

use crate::util::{Outcome, Repo, ctxbudget_env};

/// A project `proj` inside a git repository, with a CLAUDE.md at the root.
fn project() -> Repo {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.join(".git")).expect("a .git dir");
    repo.write("CLAUDE.md", "# Repository\nShared by every project.\n");
    repo
}

fn check(repo: &Repo, args: &[&str]) -> Outcome {
    let mut all = vec!["check", "-t", "cl100k", "--root", "proj"];
    all.extend_from_slice(args);
    // A home without memory files, so --user finds only what a test puts there.
    ctxbudget_env(repo.path(), &all, &[("HOME", &repo.join("home"))])
}

fn check_json(repo: &Repo, args: &[&str], code: i32) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let outcome = check(repo, &all);
    outcome.expect_code(code);
    outcome.json()
}

fn paths(json: &Value, key: &str) -> Vec<String> {
    json[key]
        .as_array()
        .expect("an array")
        .iter()
        .map(|f| f["path"].as_str().expect("a path").to_string())
        .collect()
}

fn kinds(json: &Value) -> Vec<(String, String, Option<u64>)> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().expect("kind").to_string(),
                f["path"].as_str().expect("path").to_string(),
                f["line"].as_u64(),
            )
        })
        .collect()
}

#[test]
fn the_hierarchy_loads_root_first_and_rules_with_paths_wait() {
    let repo = project();
    repo.write("proj/CLAUDE.md", "# Project\nrules\n")
        .write("proj/.claude/CLAUDE.md", "# Also project\n")
        .write("proj/.claude/rules/always.md", "Always loaded.\n")
        .write("proj/.claude/rules/nested/too.md", "Also always.\n")
        .write(
            "proj/.claude/rules/ts.md",
            "---\npaths:\n  - \"src/**/*.ts\"\n---\nTypeScript only.\n",
        )
        .write("proj/CLAUDE.local.md", "my notes\n")
        .write("proj/sub/CLAUDE.md", "# Sub\nonly when reading sub/\n")
        .write("proj/empty/CLAUDE.md", "  \n")
        .write("proj/blank.md", "");
    std::fs::create_dir_all(repo.join("proj/.claude")).expect("dir");
    let json = check_json(&repo, &[], 0);
    assert_eq!(
        paths(&json, "files"),
        [
            "../CLAUDE.md",
            "CLAUDE.md",
            ".claude/CLAUDE.md",
            ".claude/rules/always.md",
            ".claude/rules/nested/too.md",
            "CLAUDE.local.md"
        ]
    );
    assert_eq!(
        paths(&json, "on_demand"),
        [".claude/rules/ts.md", "sub/CLAUDE.md"]
    );
    let files = json["files"].as_array().expect("files");
    let sum: u64 = files
        .iter()
        .map(|f| f["tokens"].as_u64().expect("tokens"))
        .sum();
    let overhead = json["overhead_per_file"].as_u64().expect("overhead");
    assert_eq!(
        json["startup_tokens"].as_u64(),
        Some(sum + overhead * files.len() as u64)
    );
    assert_eq!(json["status"], "ok");
    assert_eq!(files[5]["scope"], "local");
    assert_eq!(files[3]["scope"], "rule");
}

#[test]
fn imports_resolve_from_the_importing_file_and_skip_code() {
    let repo = project();
    repo.write(
        "proj/CLAUDE.md",
        "# P\nSee @docs/a.md and `@docs/in-span.md`.\n```\n@docs/fenced.md\n```\n<!-- @docs/commented.md -->\n",
    )
    .write("proj/docs/a.md", "# A\n@b.md\n@b.md again, loaded once\n")
    .write("proj/docs/b.md", "# B\nbody\n");
    let json = check_json(&repo, &[], 0);
    assert_eq!(
        paths(&json, "files"),
        ["../CLAUDE.md", "CLAUDE.md", "docs/a.md", "docs/b.md"]
    );
    assert_eq!(json["files"][3]["imported_from"], "docs/a.md:2");
    assert!(kinds(&json).is_empty(), "{json}");
}

#[test]
fn a_missing_import_is_an_error_with_file_and_line() {
    let repo = project();
    repo.write("proj/CLAUDE.md", "# P\n\nRead @docs/gone.md first.\n");
    let json = check_json(&repo, &[], 1);
    assert_eq!(
        kinds(&json),
        [(
            "missing-import".to_string(),
            "CLAUDE.md".to_string(),
            Some(3)
        )]
    );
    assert_eq!(json["status"], "over");
}

#[test]
fn a_cycle_is_reported_once_and_is_a_warning_unless_strict() {
    let repo = project();
    repo.write("proj/CLAUDE.md", "# P\n@a.md\n")
        .write("proj/a.md", "@b.md\n")
        .write("proj/b.md", "@a.md\n");
    let json = check_json(&repo, &[], 0);
    assert_eq!(
        kinds(&json),
        [("import-cycle".to_string(), "b.md".to_string(), Some(1))]
    );
    let message = json["findings"][0]["message"].as_str().expect("message");
    assert!(message.contains("a.md -> b.md -> a.md"), "{message}");
    check_json(&repo, &["--strict"], 1);
}

#[test]
fn a_six_deep_chain_stops_after_four_hops() {
    let repo = project();
    repo.write("proj/CLAUDE.md", "# P\n@d1.md\n");
    for i in 1..=6 {
        repo.write(
            &format!("proj/d{i}.md"),
            format!("level {i} @d{}.md\n", i + 1),
        );
    }
    repo.write("proj/d7.md", "the end\n");
    let json = check_json(&repo, &[], 1);
    let files = paths(&json, "files");
    assert_eq!(
        files,
        [
            "../CLAUDE.md",
            "CLAUDE.md",
            "d1.md",
            "d2.md",
            "d3.md",
            "d4.md"
        ]
    );
    assert_eq!(
        kinds(&json),
        [("import-too-deep".to_string(), "d4.md".to_string(), Some(1))]
    );
}

#[test]
fn imports_outside_the_repository_are_flagged_and_user_files_are_opt_in() {
    // The repository is proj/ itself; home is beside it.
    let repo = Repo::new();
    std::fs::create_dir_all(repo.join("proj/.git")).expect("a .git dir");
    repo.write("proj/CLAUDE.md", "# P\n@~/notes.md\n")
        .write("home/notes.md", "personal notes\n")
        .write("home/.claude/CLAUDE.md", "# Me\nmy defaults\n")
        .write("home/.claude/rules/style.md", "my style\n");
    let json = check_json(&repo, &[], 0);
    assert_eq!(
        kinds(&json),
        [(
            "import-outside-project".to_string(),
            "CLAUDE.md".to_string(),
            Some(2)
        )]
    );
    assert!(paths(&json, "files").contains(&"~/notes.md".to_string()));
    let json = check_json(&repo, &["--user"], 0);
    let files = paths(&json, "files");
    assert_eq!(
        files[..2],
        ["~/.claude/CLAUDE.md", "~/.claude/rules/style.md"]
    );
}

#[test]
fn crlf_files_count_their_sections_and_html_comments_cost_nothing() {
    let repo = project();
    repo.write(
        "proj/CLAUDE.md",
        "# One\r\nshort\r\n## Two\r\na much longer section with many more words in it\r\n",
    );
    let json = check_json(&repo, &[], 0);
    let file = &json["files"][1];
    let sections = file["sections"].as_array().expect("sections");
    assert_eq!(sections[0]["heading"], "## Two");
    assert_eq!(sections[0]["line"], 3);
    assert_eq!(sections[1]["heading"], "# One");
    let before = file["tokens"].as_u64().expect("tokens");

    repo.write(
        "proj/CLAUDE.md",
        "# One\r\nshort\r\n<!-- ctxbudget:begin -->\r\n<!--\r\na long comment that\r\ncosts nothing\r\n-->\r\n## Two\r\na much longer section with many more words in it\r\n",
    );
    let json = check_json(&repo, &[], 0);
    assert_eq!(json["files"][1]["tokens"].as_u64(), Some(before));
}

#[test]
fn a_file_over_4_mib_is_skipped_as_claude_code_does() {
    let repo = project();
    repo.write("proj/CLAUDE.md", "# P\n@big.md\n")
        .write("proj/big.md", "word ".repeat((4 << 20) / 5 + 10));
    let json = check_json(&repo, &[], 1);
    assert_eq!(
        kinds(&json),
        [("too-large".to_string(), "CLAUDE.md".to_string(), Some(2))]
    );
    assert!(!paths(&json, "files").contains(&"big.md".to_string()));
}

#[test]
fn budgets_fail_with_how_far_over_and_what_to_trim() {
    let repo = project();
    let long = "x ".repeat(300);
    let mut text = String::from("# Small\nok\n## Big part\n");
    for _ in 0..210 {
        text.push_str(&long);
        text.push('\n');
    }
    repo.write("proj/CLAUDE.md", &text);

    // 211+ lines: a warning by default, an error with --strict.
    let json = check_json(&repo, &["--max-file-chars", "1000000"], 0);
    assert_eq!(kinds(&json)[0].0, "over-file-lines");
    check_json(&repo, &["--max-file-chars", "1000000", "--strict"], 1);

    // Over the 40,000-character default.
    let outcome = check(&repo, &[]);
    outcome.expect_code(1);
    assert!(
        outcome.stdout.contains("over-file-chars"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("trim first: ## Big part"),
        "{}",
        outcome.stdout
    );

    // Over --max-tokens, naming the biggest section.
    let outcome = check(
        &repo,
        &["--max-file-chars", "1000000", "--max-tokens", "100"],
    );
    outcome.expect_code(1);
    assert!(
        outcome.stdout.contains("over --max-tokens 100"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("CLAUDE.md:3 ## Big part"),
        "{}",
        outcome.stdout
    );

    // The same budgets from ctxbudget.toml.
    repo.write(
        "proj/ctxbudget.toml",
        "[check]\nmax_tokens = 100\nmax_file_chars = 1000000\n",
    );
    check(&repo, &[]).expect_code(1);
    repo.write("proj/ctxbudget.toml", "[check]\nmax_tokns = 100\n");
    let outcome = check(&repo, &[]);
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("max_tokens"), "{}", outcome.stderr);
}

#[test]
fn changed_files_that_are_not_memory_files_pass_quietly() {
    let repo = project();
    repo.write("proj/CLAUDE.md", "# P\n@docs/a.md\n@docs/gone.md\n")
        .write("proj/docs/a.md", "A\n")
        .write("proj/src/main.rs", "fn main() {}\n");
    let outcome = check(&repo, &["proj/src/main.rs"]);
    outcome.expect_code(0);
    assert!(outcome.stdout.is_empty());
    // An imported file, or the missing one, makes the check run.
    check(&repo, &["proj/docs/a.md"]).expect_code(1);
    check(&repo, &["proj/docs/gone.md"]).expect_code(1);
}

#[test]
fn no_memory_files_is_fine_and_a_missing_root_exits_2() {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.join("proj")).expect("dir");
    let outcome = check(&repo, &[]);
    outcome.expect_code(0);
    assert!(outcome.stdout.contains("(none"), "{}", outcome.stdout);
    let outcome = ctxbudget_env(repo.path(), &["check", "--root", "nope"], &[]);
    outcome.expect_code(2);
}
