//! Bad input gets a clear message and the run goes on.

use crate::util::{Repo, file, file_paths, is_root, skipped};

#[test]
fn binary_files_are_skipped_with_the_offset_of_the_nul() {
    let repo = Repo::new();
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0, 0, 0, 13]);
    repo.write("logo.png", png).write("ok.txt", "fine\n");
    let json = repo.scan_json(&[]);
    assert_eq!(file_paths(&json), ["ok.txt"]);
    assert_eq!(json["skipped"][0]["reason"], "binary");
    assert!(
        json["skipped"][0]["message"]
            .as_str()
            .expect("msg")
            .contains("offset 8")
    );
    assert_eq!(json["totals"]["skipped"], 1);
}

#[test]
fn a_nul_after_the_first_8_kib_is_still_text() {
    let repo = Repo::new();
    let mut text = "a".repeat(9000).into_bytes();
    text.push(0);
    repo.write("late-nul.txt", text);
    let json = repo.scan_json(&["-t", "cl100k"]);
    assert_eq!(file_paths(&json), ["late-nul.txt"]);
}

#[test]
fn invalid_utf8_is_counted_lossily_and_flagged() {
    let repo = Repo::new();
    repo.write("latin1.txt", b"caf\xe9 cr\xe8me\n");
    let json = repo.scan_json(&["-t", "cl100k"]);
    let entry = file(&json, "latin1.txt");
    assert_eq!(entry["flags"], serde_json::json!(["lossy-utf8"]));
    let bpe = tiktoken_rs::cl100k_base().expect("vocab");
    let lossy = String::from_utf8_lossy(b"caf\xe9 cr\xe8me\n");
    assert_eq!(entry["tokens"], bpe.encode_ordinary(&lossy).len() as u64);
    let human = repo.run(&["scan"]);
    assert!(human.stdout.contains("invalid UTF-8"), "{}", human.stdout);
}

#[test]
fn files_over_the_size_limit_are_skipped_without_being_read() {
    let repo = Repo::new();
    repo.write("big.txt", "x".repeat(3000))
        .write("small.txt", "x");
    let json = repo.scan_json(&["--max-file-size", "2K"]);
    assert_eq!(file_paths(&json), ["small.txt"]);
    assert_eq!(
        skipped(&json),
        [("big.txt".to_string(), "too-large".to_string())]
    );
    assert!(
        json["skipped"][0]["message"]
            .as_str()
            .expect("msg")
            .contains("--max-file-size")
    );
    let outcome = repo.run(&["scan", "--max-file-size", "12Q"]);
    outcome.expect_code(2);
}

#[test]
fn a_sparse_gigabyte_is_skipped_as_binary_at_once() {
    let repo = Repo::new();
    let file = std::fs::File::create(repo.join("sparse.img")).expect("create");
    file.set_len(1 << 30).expect("sparse");
    let json = repo.scan_json(&[]);
    assert_eq!(
        skipped(&json),
        [("sparse.img".to_string(), "binary".to_string())]
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_is_reported_and_never_opened() {
    let repo = Repo::new();
    repo.write("a.txt", "x");
    let status = std::process::Command::new("mkfifo")
        .arg(repo.join("pipe"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let json = repo.scan_json(&[]);
    assert_eq!(
        skipped(&json),
        [("pipe".to_string(), "not-regular".to_string())]
    );
    assert!(
        json["skipped"][0]["message"]
            .as_str()
            .expect("msg")
            .contains("FIFO")
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_skipped_with_the_os_reason() {
    use std::os::unix::fs::PermissionsExt;
    if is_root() {
        eprintln!("skipped: root can read a mode-000 file");
        return;
    }
    let repo = Repo::new();
    repo.write("secret.txt", "x").write("ok.txt", "y");
    std::fs::set_permissions(
        repo.join("secret.txt"),
        std::fs::Permissions::from_mode(0o000),
    )
    .expect("chmod");
    let json = repo.scan_json(&[]);
    assert_eq!(file_paths(&json), ["ok.txt"]);
    assert_eq!(json["skipped"][0]["reason"], "unreadable");
    assert!(
        json["skipped"][0]["message"]
            .as_str()
            .expect("msg")
            .contains("ermission")
    );
}

/// The same path with the failure injected (test builds only), so it is
/// tested where the tests run as root too.
#[test]
fn an_unreadable_file_is_skipped_even_where_root_could_read_it() {
    let repo = Repo::new();
    repo.write("secret.txt", "x").write("ok.txt", "y");
    let outcome = crate::util::ctxbudget_env(
        repo.path(),
        &["scan", "--format", "json"],
        &[(
            "CTXBUDGET_TEST_DENY_READ",
            std::path::Path::new("secret.txt"),
        )],
    );
    outcome.expect_code(0);
    let json = outcome.json();
    assert_eq!(file_paths(&json), ["ok.txt"]);
    assert_eq!(json["skipped"][0]["path"], "secret.txt");
    assert_eq!(json["skipped"][0]["reason"], "unreadable");
    assert_eq!(json["skipped"][0]["message"], "Permission denied");
    let human = crate::util::ctxbudget_env(
        repo.path(),
        &["scan"],
        &[(
            "CTXBUDGET_TEST_DENY_READ",
            std::path::Path::new("secret.txt"),
        )],
    );
    assert!(human.stdout.contains("secret.txt"), "{}", human.stdout);
}

#[test]
fn a_path_that_does_not_exist_exits_2_with_a_clear_message() {
    let repo = Repo::new();
    let outcome = repo.run(&["scan", "no/such/dir"]);
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("no/such/dir"), "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("No such file"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stdout.is_empty());
}

#[test]
fn pathological_whitespace_and_minified_lines_finish_and_are_flagged() {
    let repo = Repo::new();
    let minified: String = "var a=function(b){return b+1};".repeat(40_000);
    repo.write("bundle.min.js", &minified)
        .write("spaces.txt", " ".repeat(400_000))
        .write(
            "spaces-then-letter.txt",
            format!("{}a", " ".repeat(300_000)),
        );
    let json = repo.scan_json(&["-t", "o200k"]);
    let bundle = file(&json, "bundle.min.js");
    let flags = bundle["flags"].as_array().expect("flags");
    assert!(flags.contains(&"minified".into()), "{flags:?}");
    assert!(flags.contains(&"over-read-limit".into()), "{flags:?}");
    assert_eq!(bundle["lines"], 1);
    let bpe = tiktoken::get_encoding("o200k_base").expect("vocab");
    let spaces = " ".repeat(400_000);
    assert_eq!(
        file(&json, "spaces.txt")["tokens"],
        bpe.count(&spaces) as u64
    );
}

#[test]
fn a_file_given_as_the_root_is_scanned_alone() {
    let repo = Repo::new();
    repo.write("one.py", "print('hi')\n")
        .write("other.py", "x = 1\n");
    let json = repo.scan_json(&["one.py"]);
    assert_eq!(file_paths(&json), ["one.py"]);
    assert_eq!(json["root"], "one.py");
}

#[test]
fn several_roots_are_named_from_the_current_directory() {
    let repo = Repo::new();
    repo.write("a/x.rs", "x")
        .write("b/y.rs", "y")
        .write("c/z.rs", "z");
    let json = repo.scan_json(&["a", "./b/"]);
    assert_eq!(file_paths(&json), ["a/x.rs", "b/y.rs"]);
    assert_eq!(json["root"], ".");
}
