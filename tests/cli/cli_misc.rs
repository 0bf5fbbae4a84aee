//! The parts of the CLI around the commands: help, completions, man page,
//! pipes.

use std::io::Read;
use std::process::{Command, Stdio};

use crate::util::{Repo, ctxbudget};

#[test]
fn help_teaches_with_examples_and_exit_codes() {
    let repo = Repo::new();
    let outcome = ctxbudget(repo.path(), &["scan", "--help"]);
    outcome.expect_code(0);
    for needle in [
        "Examples:",
        "--fail-on",
        "--tokenizer",
        "Exit codes",
        ".ctxbudgetignore",
    ] {
        assert!(outcome.stdout.contains(needle), "missing {needle:?}");
    }
    ctxbudget(repo.path(), &["--version"]).expect_code(0);
    ctxbudget(repo.path(), &["scan", "--bogus"]).expect_code(2);
}

/// Regression: a doc comment on the subcommand enum's variants replaced
/// each command's long help with its one-line summary.
#[test]
fn every_command_help_carries_its_long_description() {
    let repo = Repo::new();
    for (command, needle) in [
        ("scan", "Walks PATH"),
        ("check", "Loads what Claude Code loads"),
        ("claude-md", "Every byte"),
        ("refs", "Each QUERY is one of"),
        ("sessions", "Per file: every Read result"),
    ] {
        let outcome = ctxbudget(repo.path(), &[command, "--help"]);
        outcome.expect_code(0);
        assert!(
            outcome.stdout.contains(needle),
            "{command} --help lacks {needle:?}:\n{}",
            outcome.stdout
        );
    }
}

#[test]
fn completions_and_man_pages_are_generated_from_the_definitions() {
    let repo = Repo::new();
    for shell in ["bash", "zsh", "fish"] {
        let outcome = ctxbudget(repo.path(), &["completions", shell]);
        outcome.expect_code(0);
        assert!(
            outcome.stdout.contains("fail-on"),
            "{shell} completes scan flags"
        );
    }
    let man = ctxbudget(repo.path(), &["man"]);
    man.expect_code(0);
    assert!(
        man.stdout.contains(".TH ctxbudget"),
        "{}",
        &man.stdout[..200.min(man.stdout.len())]
    );
    let scan = ctxbudget(repo.path(), &["man", "scan"]);
    scan.expect_code(0);
    assert!(
        scan.stdout.contains("max\\-file\\-size"),
        "scan page documents its flags"
    );
    ctxbudget(repo.path(), &["man", "nope"]).expect_code(2);
}

#[test]
fn a_reader_closing_the_pipe_early_is_not_an_error() {
    let repo = Repo::new();
    for i in 0..300 {
        repo.write(&format!("f{i:03}.txt"), format!("file {i}\n"));
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_ctxbudget"))
        .args(["scan", "--format", "json"])
        .current_dir(repo.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}
