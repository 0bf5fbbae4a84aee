//! Counts equal the reference tokenizer's, file by file; the Claude
//! estimate is labelled and scaled; the read cost is the numbered view.

use std::path::Path;

use crate::util::{Repo, file};

/// A small tree of texts that stress the pre-tokenizer.
fn tricky_repo() -> Repo {
    let repo = Repo::new();
    repo.write(
        "code.rs",
        "fn main() {\n    let x = 1_000_000;\t// tab\n\n\n    println!(\"{x}\");\n}\n",
    )
    .write("crlf.txt", "line one\r\nline two\r\n\r\n")
    .write(
        "special.md",
        "<|endoftext|> and <|fim_prefix|> are plain text here\n",
    )
    .write("unicode.txt", "naïve café — 你好，世界！ 🚀🎉 e\u{301}\n")
    .write(
        "spaces.txt",
        format!("{}x\n{}\n", " ".repeat(5000), "\t".repeat(300)),
    )
    .write("no-final-newline.py", "def f():\n    return 1")
    .write("empty.txt", "");
    repo
}

fn reference(encoding: &str, text: &str) -> u64 {
    let bpe = match encoding {
        "cl100k" => tiktoken_rs::cl100k_base(),
        _ => tiktoken_rs::o200k_base(),
    }
    .expect("vocab");
    bpe.encode_ordinary(text).len() as u64
}

fn numbered(text: &str) -> String {
    text.split_inclusive('\n')
        .enumerate()
        .map(|(i, line)| format!("{}\t{line}", i + 1))
        .collect()
}

#[test]
fn every_file_count_equals_the_reference_tokenizer() {
    let repo = tricky_repo();
    for encoding in ["cl100k", "o200k"] {
        let json = repo.scan_json(&["--tokenizer", encoding]);
        assert_eq!(json["tokenizer"]["factor"], 1.0);
        assert_eq!(json["tokenizer"]["estimate"], false);
        let mut sum = 0;
        for entry in json["files"].as_array().expect("files") {
            let path = entry["path"].as_str().expect("path");
            let text = std::fs::read_to_string(repo.join(path)).expect("fixture");
            assert_eq!(
                entry["tokens"],
                reference(encoding, &text),
                "{encoding} {path}"
            );
            assert_eq!(
                entry["read_tokens"],
                reference(encoding, &numbered(&text)),
                "{encoding} read cost of {path}"
            );
            sum += entry["tokens"].as_u64().expect("tokens");
        }
        assert_eq!(
            json["totals"]["tokens"], sum,
            "totals are the sum of the files"
        );
    }
}

#[test]
fn claude_estimate_is_the_cl100k_count_times_the_factor_and_says_so() {
    let repo = tricky_repo();
    let exact = repo.scan_json(&["--tokenizer", "cl100k"]);
    let estimate = repo.scan_json(&[]);
    assert_eq!(estimate["tokenizer"]["name"], "claude");
    assert_eq!(estimate["tokenizer"]["encoding"], "cl100k_base");
    assert_eq!(estimate["tokenizer"]["factor"], 1.18);
    assert_eq!(estimate["tokenizer"]["estimate"], true);
    let raw = file(&exact, "code.rs")["tokens"].as_u64().expect("tokens");
    let scaled = (raw as f64 * 1.18).round() as u64;
    assert_eq!(file(&estimate, "code.rs")["tokens"], scaled);

    let custom = repo.scan_json(&["--claude-factor", "1.5"]);
    assert_eq!(custom["tokenizer"]["factor"], 1.5);
    assert_eq!(
        file(&custom, "code.rs")["tokens"],
        (raw as f64 * 1.5).round() as u64
    );

    let human = repo.run(&["scan"]);
    assert!(
        human
            .stdout
            .contains("Claude estimate = cl100k_base count x 1.18"),
        "{}",
        human.stdout
    );
}

#[test]
fn claude_factor_comes_from_the_config_file_and_the_flag_wins() {
    let repo = Repo::new();
    repo.write("ctxbudget.toml", "claude_factor = 2.0\n")
        .write("a.txt", "hello world\n");
    let json = repo.scan_json(&[]);
    assert_eq!(json["tokenizer"]["factor"], 2.0);
    let json = repo.scan_json(&["--claude-factor", "1.25"]);
    assert_eq!(json["tokenizer"]["factor"], 1.25);
    let json = repo.scan_json(&["--tokenizer", "o200k"]);
    assert_eq!(
        json["tokenizer"]["factor"], 1.0,
        "exact encodings never scale"
    );
}

#[test]
fn lines_bytes_and_an_empty_file() {
    let repo = tricky_repo();
    let json = repo.scan_json(&["-t", "cl100k"]);
    let empty = file(&json, "empty.txt");
    assert_eq!(
        (empty["tokens"].as_u64(), empty["lines"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(empty["read_tokens"], 0);
    let code = file(&json, "code.rs");
    assert_eq!(code["lines"], 6);
    assert_eq!(code["language"], "rust");
    assert_eq!(file(&json, "no-final-newline.py")["lines"], 2);
    assert_eq!(file(&json, "crlf.txt")["lines"], 3);
    assert_eq!(file(&json, "unicode.txt")["language"], "text");
}

/// Runs over real corpora when `CTXBUDGET_CORPORA` names a directory built
/// by the corpus script (CI does this): every file and every symbol of
/// `medium-py` and `rust-vendor`, both encodings, against the reference port.
#[test]
#[ignore = "needs CTXBUDGET_CORPORA; run with --ignored"]
fn corpora_counts_equal_the_reference_tokenizer() {
    let root = std::env::var("CTXBUDGET_CORPORA").expect("set CTXBUDGET_CORPORA");
    let cl = tiktoken_rs::cl100k_base().expect("vocab");
    let o2 = tiktoken_rs::o200k_base().expect("vocab");
    for corpus in ["medium-py", "rust-vendor"] {
        let dir = Path::new(&root).join(corpus);
        assert!(dir.is_dir(), "{} is missing", dir.display());
        for (encoding, bpe) in [("cl100k", &cl), ("o200k", &o2)] {
            let outcome = crate::util::ctxbudget(
                &dir,
                &[
                    "scan",
                    "--format",
                    "json",
                    "-t",
                    encoding,
                    "--no-ignore",
                    "--no-cache",
                ],
            );
            outcome.expect_code(0);
            let json = outcome.json();
            let files = json["files"].as_array().expect("files");
            assert!(files.len() > 1000, "{corpus}: only {} files", files.len());
            let mut mismatches = Vec::new();
            let mut symbols = 0;
            for entry in files {
                let path = entry["path"].as_str().expect("path");
                let bytes = std::fs::read(dir.join(path)).expect("read");
                let text = String::from_utf8_lossy(&bytes);
                let want = bpe.encode_ordinary(&text).len() as u64;
                if entry["tokens"] != want {
                    mismatches.push(format!("{path}: {} != {want}", entry["tokens"]));
                }
                let lines: Vec<&str> = text.split_inclusive('\n').collect();
                for symbol in entry["symbols"].as_array().expect("symbols") {
                    let start = symbol["start_line"].as_u64().expect("start") as usize;
                    let end = symbol["end_line"].as_u64().expect("end") as usize;
                    let want = bpe.encode_ordinary(&lines[start - 1..end].concat()).len() as u64;
                    if symbol["tokens"] != want {
                        mismatches.push(format!(
                            "{path} {}: {} != {want}",
                            symbol["qualified_name"], symbol["tokens"]
                        ));
                    }
                    symbols += 1;
                }
            }
            assert!(
                mismatches.is_empty(),
                "{corpus} {encoding}: {} of {} files differ: {:?}",
                mismatches.len(),
                files.len(),
                &mismatches[..mismatches.len().min(10)]
            );
            eprintln!(
                "{corpus} {encoding}: {} files and {symbols} symbols, all equal",
                files.len()
            );
        }
    }
}
