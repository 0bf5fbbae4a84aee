//! The layout the code promises (README "Layout"), read from the sources:
//! stages use only stages to their left, no command calls another, only
//! `report/` prints and only `main.rs` exits.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The stages in data-flow order; a stage may use only those before it.
const STAGES: &[&str] = &[
    "walk", "source", "tokenize", "syntax", "stats", "budget", "suggest", "report",
];

fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut pending = vec![root.clone()];
    let mut files = Vec::new();
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is listable") {
            let path: PathBuf = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(&root)
                    .expect("under src")
                    .to_string_lossy()
                    .replace('\\', "/");
                let text = std::fs::read_to_string(&path).expect("UTF-8 source");
                files.push((rel, code_only(&text)));
            }
        }
    }
    files.sort();
    files
}

/// The text before `#[cfg(test)]`, without comment lines.
fn code_only(text: &str) -> String {
    let before_tests = text.split("#[cfg(test)]").next().unwrap_or(text);
    before_tests
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a file names through `crate::` (grouped imports
/// included: `use crate::{a, b::c}`).
fn uses(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            for part in split_top(group) {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        } else {
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
        rest = after;
    }
    found
}

/// The comma-separated items of a `{...}` group, up to its closing brace.
fn split_top(group: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 1;
    let mut start = 0;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    parts.push(&group[start..i]);
                    return parts;
                }
            }
            ',' if depth == 1 => {
                parts.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts
}

/// The module a source file belongs to (`command/scan.rs` -> `command`).
fn module(rel: &str) -> &str {
    rel.split('/').next().unwrap_or(rel).trim_end_matches(".rs")
}

#[test]
fn stages_use_only_stages_to_their_left() {
    let mut wrong = Vec::new();
    for (rel, code) in sources() {
        let Some(rank) = STAGES.iter().position(|s| *s == module(&rel)) else {
            continue;
        };
        for used in uses(&code) {
            if let Some(used_rank) = STAGES.iter().position(|s| *s == used)
                && used_rank > rank
            {
                wrong.push(format!("{rel} uses {used}"));
            }
        }
    }
    assert!(wrong.is_empty(), "stages pointing the wrong way: {wrong:?}");
}

#[test]
fn no_command_calls_another() {
    let files = sources();
    let commands: Vec<&str> = files
        .iter()
        .filter_map(|(rel, _)| rel.strip_prefix("command/")?.strip_suffix(".rs"))
        .filter(|name| *name != "mod")
        .collect();
    let mut wrong = Vec::new();
    for (rel, code) in &files {
        if module(rel) != "command" {
            continue;
        }
        let sibling = commands
            .iter()
            .any(|name| code.contains(&format!("super::{name}")));
        if uses(code).contains("command") || sibling {
            wrong.push(rel.clone());
        }
    }
    assert!(wrong.is_empty(), "commands importing commands: {wrong:?}");
}

#[test]
fn only_report_prints_and_only_main_exits() {
    let mut wrong = Vec::new();
    for (rel, code) in sources() {
        let prints = ["print!(", "println!(", "eprint!(", "eprintln!(", "dbg!("]
            .iter()
            .any(|m| code.contains(m));
        if prints && module(&rel) != "report" {
            wrong.push(format!("{rel} prints"));
        }
        if code.contains("process::exit") && rel != "main.rs" {
            wrong.push(format!("{rel} exits"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:?}");
}

#[test]
fn the_import_reader_sees_grouped_imports() {
    let code =
        "use crate::{budget::{self, Facts}, stats::Flag};\nlet x = crate::walk::relative(a);";
    let found: Vec<String> = uses(code).into_iter().collect();
    assert_eq!(found, ["budget", "stats", "walk"]);
}
