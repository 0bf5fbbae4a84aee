//! Symbol spans: every fixture under `tests/fixtures/symbols/` states in its
//! header (`expect: kind qualified_name start-end`) exactly the symbols it
//! must produce; the rest covers counting, flags and limits.

use std::path::{Path, PathBuf};

use crate::util::{Repo, ctxbudget, file};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/symbols")
}

/// A fixture named as `scan` names it: from the project root when this
/// checkout is a git repository (a scanned subdirectory is named from the
/// project root), else from the fixture directory.
fn fixture_file(path: &str) -> PathBuf {
    let from_project = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if from_project.is_file() {
        from_project
    } else {
        fixtures().join(path)
    }
}

fn expectations(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_once("expect: ").map(|(_, e)| e.trim().to_string()))
        .collect()
}

fn scan_fixtures() -> serde_json::Value {
    let outcome = ctxbudget(&fixtures(), &["scan", "--format", "json", "-t", "cl100k"]);
    outcome.expect_code(0);
    outcome.json()
}

#[test]
fn every_fixture_produces_exactly_the_spans_its_header_states() {
    let json = scan_fixtures();
    let mut checked = 0;
    for entry in json["files"].as_array().expect("files") {
        let path = entry["path"].as_str().expect("path");
        let text = std::fs::read_to_string(fixture_file(path)).expect("fixture");
        let want = expectations(&text);
        let got: Vec<String> = entry["symbols"]
            .as_array()
            .expect("symbols")
            .iter()
            .map(|s| {
                format!(
                    "{} {} {}-{}",
                    s["kind"].as_str().expect("kind"),
                    s["qualified_name"].as_str().expect("qualified_name"),
                    s["start_line"],
                    s["end_line"]
                )
            })
            .collect();
        assert!(!want.is_empty(), "{path} states no expectations");
        assert_eq!(got, want, "spans of {path}");
        checked += 1;
    }
    // One per supported language, and two scripts whose `#!` line sits
    // right above a function.
    assert_eq!(checked, 15, "every fixture");
}

#[test]
fn every_registered_grammar_has_a_fixture() {
    let json = scan_fixtures();
    let languages: std::collections::BTreeSet<&str> = json["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["language"].as_str())
        .collect();
    for grammar in ctxbudget::lang::grammar::GRAMMARS {
        assert!(
            languages.contains(grammar.name),
            "no fixture for {}",
            grammar.name
        );
    }
}

#[test]
fn a_symbol_costs_exactly_the_lines_its_reference_attaches() {
    let json = scan_fixtures();
    let bpe = tiktoken_rs::cl100k_base().expect("vocab");
    for entry in json["files"].as_array().expect("files") {
        let path = entry["path"].as_str().expect("path");
        let text = std::fs::read_to_string(fixture_file(path)).expect("fixture");
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        for symbol in entry["symbols"].as_array().expect("symbols") {
            let start = symbol["start_line"].as_u64().expect("start") as usize;
            let end = symbol["end_line"].as_u64().expect("end") as usize;
            let slice: String = lines[start - 1..end].concat();
            assert_eq!(
                symbol["tokens"],
                bpe.encode_ordinary(&slice).len() as u64,
                "{path} {}",
                symbol["qualified_name"]
            );
        }
    }
}

#[test]
fn no_symbols_parses_nothing() {
    let outcome = ctxbudget(&fixtures(), &["scan", "--format", "json", "--no-symbols"]);
    let json = outcome.expect_code(0).json();
    for entry in json["files"].as_array().expect("files") {
        assert_eq!(entry["symbols"], serde_json::json!([]), "{}", entry["path"]);
    }
}

#[test]
fn a_large_symbol_is_flagged_with_its_reference() {
    let repo = Repo::new();
    let body: String = (0..400)
        .map(|i| format!("    let v{i} = compute({i});\n"))
        .collect();
    repo.write(
        "src/big.rs",
        format!("fn small() {{}}\n\nfn huge() {{\n{body}}}\n"),
    );
    let json = repo.scan_json(&["-t", "cl100k"]);
    let entry = file(&json, "src/big.rs");
    assert_eq!(entry["flags"], serde_json::json!(["large-symbol"]));
    let human = repo.run(&["scan", "-t", "cl100k"]).stdout;
    assert!(human.contains("huge is "), "{human}");
    assert!(human.contains("@src/big.rs#L3-404"), "{human}");
    assert!(human.contains("Top symbols"), "{human}");
    repo.write("ctxbudget.toml", "[scan]\nlarge_symbol_tokens = 100000\n");
    let json = repo.scan_json(&["-t", "cl100k"]);
    assert_eq!(file(&json, "src/big.rs")["flags"], serde_json::json!([]));
}

#[test]
fn a_file_over_the_parse_limit_is_counted_and_flagged_no_symbols() {
    let repo = Repo::new();
    repo.write("ctxbudget.toml", "[scan]\nmax_parse_bytes = 100\n")
        .write("long.py", "def f():\n    return 1\n".repeat(20))
        .write("short.py", "def g():\n    pass\n");
    let json = repo.scan_json(&["-t", "cl100k"]);
    let long = file(&json, "long.py");
    assert_eq!(long["flags"], serde_json::json!(["no-symbols"]));
    assert!(
        long["tokens"].as_u64().expect("tokens") > 0,
        "still counted"
    );
    assert_eq!(file(&json, "short.py")["symbols"][0]["name"], "g");
    let human = repo.run(&["scan"]).stdout;
    assert!(human.contains("parse limit"), "{human}");
}

#[test]
fn broken_source_still_yields_the_spans_that_can_be_recovered() {
    let repo = Repo::new();
    repo.write(
        "broken.py",
        "def good():\n    return 1\n\ndef half(:\n    x = \n\nclass Fine:\n    def ok(self):\n        pass\n",
    );
    let json = repo.scan_json(&["-t", "cl100k"]);
    let names: Vec<&str> = file(&json, "broken.py")["symbols"]
        .as_array()
        .expect("symbols")
        .iter()
        .map(|s| s["qualified_name"].as_str().expect("name"))
        .collect();
    assert!(names.contains(&"good"), "{names:?}");
    assert!(names.contains(&"Fine.ok"), "{names:?}");
}

#[test]
fn dump_spans_shows_the_language_and_every_span() {
    let outcome = ctxbudget(
        &fixtures(),
        &["scan", "--dump-spans", "rust.rs", "-t", "cl100k"],
    );
    outcome.expect_code(0);
    assert!(
        outcome
            .stdout
            .starts_with("rust.rs: language rust, grammar rust"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("Config::load"),
        "{}",
        outcome.stdout
    );
}

#[test]
fn a_parse_over_the_timeout_is_flagged_and_never_cached() {
    let repo = Repo::new();
    let big: String = (0..40_000)
        .map(|i| format!("def f{i}(a, b):\n    return [a * b for _ in range({i})]\n"))
        .collect();
    repo.write("ctxbudget.toml", "[scan]\nparse_timeout_ms = 1\n")
        .write("big.py", &big);
    for run in ["cold", "again"] {
        let json = repo.scan_json(&["-t", "cl100k"]);
        let entry = file(&json, "big.py");
        let flags = entry["flags"].as_array().expect("flags");
        assert!(flags.contains(&"no-symbols".into()), "{run}: {flags:?}");
        assert_eq!(entry["symbols"], serde_json::json!([]), "{run}");
        let human = repo.run(&["scan"]).stdout;
        assert!(
            human.contains("parse timed out after 1 ms"),
            "{run}: {human}"
        );
    }
    // With time to finish, the same file parses: the timeout was not cached.
    repo.write("ctxbudget.toml", "");
    let json = repo.scan_json(&["-t", "cl100k"]);
    assert_eq!(
        file(&json, "big.py")["symbols"].as_array().map(Vec::len),
        Some(40_000)
    );
}

/// Regression: 20,000 nested `mod a {` overflowed a worker's stack and
/// aborted the whole scan; the walk now stops at a fixed depth.
#[test]
fn deeply_nested_definitions_do_not_overflow_the_stack() {
    let repo = Repo::new();
    let n = 20_000;
    repo.write(
        "deep.rs",
        format!("{}{}", "mod a {\n".repeat(n), "}\n".repeat(n)),
    )
    .write("ok.rs", "fn ok() {}\n");
    let json = repo.scan_json(&["-t", "cl100k"]);
    let deep = file(&json, "deep.rs")["symbols"].as_array().map(Vec::len);
    assert!(deep.is_some_and(|n| (100..=300).contains(&n)), "{deep:?}");
    assert_eq!(file(&json, "ok.rs")["symbols"][0]["name"], "ok");
}
