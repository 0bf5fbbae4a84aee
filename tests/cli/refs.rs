//! `ctxbudget refs` on a fixture repository whose right answers are known:
//! overloaded names in several files, nested methods, words found only in
//! a docstring, paths, lines, budgets and the exit codes.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{Outcome, Repo, ctxbudget};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/refs")
}

/// Runs `refs` in the fixture with exact cl100k counts.
fn refs(args: &[&str]) -> Outcome {
    let mut all = vec!["refs", "-t", "cl100k"];
    all.extend_from_slice(args);
    ctxbudget(&fixture(), &all)
}

fn refs_json(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let outcome = refs(&all);
    outcome.expect_code(0);
    outcome.json().as_array().expect("an array").clone()
}

/// The qualified name of each result of a JSON run, in order.
fn qualified_names(outcome: &Outcome) -> Vec<String> {
    outcome
        .json()
        .as_array()
        .expect("an array")
        .iter()
        .map(|r| r["qualified_name"].as_str().expect("a name").to_string())
        .collect()
}

/// `(ref, qualified_name)` of each result.
fn found(results: &[Value]) -> Vec<(String, String)> {
    results
        .iter()
        .map(|r| {
            (
                r["ref"].as_str().expect("ref").to_string(),
                r["qualified_name"].as_str().expect("name").to_string(),
            )
        })
        .collect()
}

#[test]
fn an_overloaded_name_finds_every_definition_in_every_file() {
    let results = refs_json(&["load"]);
    let mut refs: Vec<String> = found(&results).into_iter().map(|(r, _)| r).collect();
    refs.sort();
    assert_eq!(
        refs,
        [
            "@app/config.py#L12-15",
            "@app/config.py#L21-22",
            "@app/loader.py#L12-14"
        ]
    );
    assert!(results.iter().all(|r| r["match"] == "exact"));
}

#[test]
fn a_qualified_name_picks_the_nested_method_in_any_notation() {
    let results = refs_json(&["Config.load"]);
    assert_eq!(
        found(&results),
        [(
            "@app/config.py#L12-15".to_string(),
            "Config.load".to_string()
        )]
    );
    // Rust's notation, and a Python-style dot for a Rust method.
    for query in ["Parser::parse", "Parser.parse"] {
        let results = refs_json(&[query]);
        assert_eq!(
            found(&results),
            [(
                "@lib/parser.rs#L12-20".to_string(),
                "Parser::parse".to_string()
            )],
            "{query}"
        );
    }
}

#[test]
fn names_fall_back_to_case_insensitive_then_subword_matches() {
    let results = refs_json(&["config.LOAD"]);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["qualified_name"], "Config.load");
    assert_eq!(results[0]["match"], "case-insensitive");

    let results = refs_json(&["config_load"]);
    let names: Vec<String> = found(&results).into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["Config.load", "loadConfig"]);
    assert!(results.iter().all(|r| r["match"] == "subword"));
}

#[test]
fn words_found_only_in_a_docstring_find_their_function() {
    let results = refs_json(&["jittered backoff"]);
    assert_eq!(results[0]["qualified_name"], "wait");
    assert_eq!(results[0]["ref"], "@app/config.py#L25-30");
    assert_eq!(results[0]["match"], "text");
    assert!(results[0]["score"].as_f64().expect("a number") > 0.0);
}

#[test]
fn a_path_lists_its_symbols_largest_first_beside_the_whole_file() {
    let results = refs_json(&["app/config.py"]);
    let tokens: Vec<u64> = results
        .iter()
        .map(|r| r["tokens"].as_u64().expect("a count"))
        .collect();
    assert_eq!(results.len(), 6);
    assert!(tokens.windows(2).all(|w| w[0] >= w[1]), "{tokens:?}");
    assert_eq!(results[0]["qualified_name"], "Config");
    let file_tokens = results[0]["file_tokens"].as_u64().expect("a count");
    assert!(tokens[0] < file_tokens);

    let human = refs(&["app/config.py"]);
    human.expect_code(0);
    assert!(
        human
            .stdout
            .contains(&format!("the whole file costs {file_tokens} tokens")),
        "{}",
        human.stdout
    );
}

#[test]
fn a_path_and_line_gives_the_innermost_symbol() {
    let results = refs_json(&["app/config.py:14"]);
    assert_eq!(
        found(&results),
        [(
            "@app/config.py#L12-15".to_string(),
            "Config.load".to_string()
        )]
    );
    // Line 7 is the class docstring: inside the class, in no method.
    let results = refs_json(&["app/config.py:7"]);
    assert_eq!(results[0]["qualified_name"], "Config");
}

#[test]
fn json_has_every_field_and_tokens_match_scan() {
    let results = refs_json(&["Parser::parse"]);
    let r = &results[0];
    for key in [
        "ref",
        "path",
        "start_line",
        "end_line",
        "name",
        "qualified_name",
        "kind",
        "tokens",
        "file_tokens",
        "score",
    ] {
        assert!(r.get(key).is_some(), "missing {key}: {r}");
    }
    assert_eq!(r["name"], "parse");
    assert_eq!(r["kind"], "method");
    assert_eq!(
        (r["start_line"].as_u64(), r["end_line"].as_u64()),
        (Some(12), Some(20))
    );

    let scan = ctxbudget(
        &fixture(),
        &["scan", "-t", "cl100k", "--format", "json", "lib"],
    );
    let scan = scan.json();
    let file = &scan["files"][0];
    assert_eq!(r["file_tokens"], file["tokens"]);
    let symbol = file["symbols"]
        .as_array()
        .expect("symbols")
        .iter()
        .find(|s| s["qualified_name"] == "Parser::parse")
        .expect("the method in scan");
    assert_eq!(r["tokens"], symbol["tokens"]);
}

#[test]
fn plain_prints_each_reference_once_and_nothing_else() {
    let outcome = refs(&["--plain", "load", "Config.load"]);
    outcome.expect_code(0);
    let lines: Vec<&str> = outcome.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", outcome.stdout);
    assert!(lines.iter().all(|l| l.starts_with('@') && l.contains("#L")));
}

#[test]
fn limit_cuts_each_query_and_says_how_many_more() {
    let outcome = refs(&["--limit", "1", "load"]);
    outcome.expect_code(0);
    assert!(
        outcome.stdout.contains("... and 2 more"),
        "{}",
        outcome.stdout
    );
    assert_eq!(refs_json(&["--limit", "1", "load"]).len(), 1);
    assert_eq!(refs_json(&["--limit", "0", "app/config.py"]).len(), 6);
}

#[test]
fn a_budget_picks_the_best_set_that_fits_and_reports_the_saving() {
    let all = refs_json(&["app/config.py"]);
    let budget = 60;
    let chosen = refs_json(&["--budget", &budget.to_string(), "app/config.py"]);
    let total: u64 = chosen
        .iter()
        .map(|r| r["tokens"].as_u64().expect("a count"))
        .sum();
    assert!(total <= budget, "{total} > {budget}");
    assert!(!chosen.is_empty());
    // No reference lies inside another chosen one.
    for a in &chosen {
        for b in &chosen {
            if a != b {
                let inside = a["start_line"].as_u64() >= b["start_line"].as_u64()
                    && a["end_line"].as_u64() <= b["end_line"].as_u64();
                assert!(!inside, "{a} inside {b}");
            }
        }
    }
    assert!(chosen.len() < all.len());

    let human = refs(&["--budget", "60", "app/config.py"]);
    human.expect_code(0);
    assert!(human.stdout.contains("of a 60 budget"), "{}", human.stdout);
    assert!(human.stdout.contains("saves"), "{}", human.stdout);
}

#[test]
fn a_budget_smaller_than_every_match_says_so() {
    let outcome = refs(&["--budget", "1", "Config"]);
    outcome.expect_code(1);
    assert!(
        outcome.stderr.contains("raise --budget"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn no_match_suggests_close_names_and_exits_1() {
    let outcome = refs(&["laodall"]);
    outcome.expect_code(1);
    assert!(
        outcome.stderr.contains("no symbol matches"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("load_all"), "{}", outcome.stderr);
    // The other queries still print.
    let outcome = refs(&["zzzqqq", "Config.get"]);
    outcome.expect_code(1);
    assert!(outcome.stdout.contains("Config.get"), "{}", outcome.stdout);
}

#[test]
fn a_path_that_does_not_exist_exits_2() {
    for query in ["app/missing.py", "missing.py", "app/missing.py:3"] {
        let outcome = refs(&[query]);
        outcome.expect_code(2);
        assert!(
            outcome.stderr.contains("no such file or directory"),
            "{query}: {}",
            outcome.stderr
        );
    }
    refs(&["--root", "no-such-dir", "load"]).expect_code(2);
}

#[test]
fn a_file_without_symbols_or_a_line_outside_them_says_why() {
    let repo = Repo::new();
    repo.write("notes.txt", "plain text\n");
    repo.write("README.md", "no headings at all\n");
    let outcome = repo.run(&["refs", "notes.txt"]);
    outcome.expect_code(1);
    assert!(
        outcome.stderr.contains("not parsed for symbols"),
        "{}",
        outcome.stderr
    );
    let outcome = repo.run(&["refs", "README.md"]);
    outcome.expect_code(1);
    assert!(
        outcome.stderr.contains("nothing to reference"),
        "{}",
        outcome.stderr
    );
    // A document's sections are its symbols.
    let results = refs_json(&["README.md"]);
    assert!(
        results.iter().all(|r| r["kind"] == "section"),
        "{results:?}"
    );
    let outcome = refs(&["app/config.py:3"]);
    outcome.expect_code(1);
    assert!(
        outcome.stderr.contains("outside every symbol"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("@app/config.py#L6-18"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_directory_lists_the_symbols_under_it() {
    let results = refs_json(&["lib"]);
    assert!(results.iter().all(|r| r["path"] == "lib/parser.rs"));
    assert_eq!(
        results.len(),
        5,
        "struct, impl, new, parse, and the free parse"
    );
}

#[test]
fn refs_paths_are_relative_to_the_root_from_anywhere() {
    let here = fixture().join("app");
    let outcome = ctxbudget(&here, &["refs", "--root", "..", "--plain", "loader.py:13"]);
    outcome.expect_code(0);
    assert_eq!(outcome.stdout.trim(), "@app/loader.py#L12-14");
}

#[test]
fn ignored_files_are_not_searched_but_can_be_named() {
    let repo = Repo::new();
    repo.write(".gitignore", "build/\n")
        .write("src/a.py", "def visible():\n    return 1\n")
        .write("build/gen.py", "def hidden():\n    return 2\n");
    repo.run(&["refs", "hidden"]).expect_code(1);
    let outcome = repo.run(&["refs", "--plain", "build/gen.py"]);
    outcome.expect_code(0);
    assert_eq!(outcome.stdout.trim(), "@build/gen.py#L1-2");
}

#[test]
fn a_line_past_the_end_says_how_long_the_file_is_and_prints_nothing() {
    let repo = Repo::new();
    repo.write(
        "a.py",
        "def f():\n    return 1\n\n\ndef g():\n    return 2\n",
    );
    let outcome = repo.run(&["refs", "a.py:99"]);
    outcome.expect_code(1);
    assert!(outcome.stdout.is_empty(), "{}", outcome.stdout);
    assert!(
        outcome
            .stderr
            .contains("a.py:99 is past the end: a.py has 6 lines"),
        "{}",
        outcome.stderr
    );
    let outcome = repo.run(&["refs", "NoSuchThingAnywhere", "--budget", "3000"]);
    outcome.expect_code(1);
    assert!(outcome.stdout.is_empty(), "{}", outcome.stdout);
}

#[test]
fn a_budget_keeps_ten_references_unless_told_otherwise() {
    let repo = Repo::new();
    let mut text = String::new();
    for i in 0..30 {
        text.push_str(&format!(
            "def parse_flag_{i}(argv):\n    \"\"\"Parse flag {i}.\"\"\"\n    return argv[{i}]\n\n\n"
        ));
    }
    repo.write("flags.py", text);
    let count = |args: &[&str]| {
        let mut all = vec!["refs", "parse flag", "--plain"];
        all.extend_from_slice(args);
        let outcome = repo.run(&all);
        outcome.expect_code(0);
        outcome.stdout.lines().count()
    };
    assert_eq!(count(&["--budget", "100000"]), 10);
    assert_eq!(count(&["--budget", "100000", "--limit", "3"]), 3);
    assert_eq!(count(&["--budget", "100000", "--limit", "0"]), 30);
}

#[test]
fn the_definition_comes_before_its_overload_stubs_and_examples_weigh_less() {
    let repo = Repo::new();
    repo.write(
        "src/termui.py",
        "import typing as t\n\n\n@t.overload\ndef prompt(text: str) -> str: ...\n\n\n@t.overload\ndef prompt(text: str, hide: bool) -> str: ...\n\n\ndef prompt(text, hide=False):\n    \"\"\"Prompt the user for input, hidden for passwords.\"\"\"\n    value = input(text)\n    if hide:\n        value = value.strip()\n    return value\n\n\ndef progressbar(items):\n    \"\"\"Show a progress bar while iterating.\"\"\"\n    for item in items:\n        yield item\n",
    );
    repo.write(
        "examples/termui/progress.py",
        "def progress_bar_demo():\n    \"\"\"A progress bar demo: show a progress bar.\"\"\"\n    return 1\n",
    );
    let first = |query: &str| {
        let outcome = repo.run(&["refs", query, "--plain", "--limit", "1"]);
        outcome.expect_code(0);
        outcome.stdout.trim().to_string()
    };
    assert_eq!(first("prompt"), "@src/termui.py#L12-17");
    assert_eq!(first("progress bar"), "@src/termui.py#L20-23");
    assert_eq!(
        first("progress bar demo examples"),
        "@examples/termui/progress.py#L1-3",
        "a query naming examples is about them"
    );
    assert_eq!(
        first("progress bar example"),
        "@examples/termui/progress.py#L1-3",
        "in any word form"
    );
}

#[test]
fn stubs_give_way_when_their_definition_is_listed() {
    let repo = Repo::new();
    repo.write(
        "src/editor.py",
        "import typing as t\n\n\nclass Editor:\n    @t.overload\n    def edit(self, text: str) -> str: ...\n\n    @t.overload\n    def edit(self, text: None) -> None: ...\n\n    def edit(self, text):\n        \"\"\"Open the text in the user's editor.\"\"\"\n        return launch(text)\n\n\ndef edit(text=None):\n    \"\"\"Edit text in an editor: open it, wait, return the result.\"\"\"\n    return Editor().edit(text)\n",
    );
    repo.write(
        "src/parse.ts",
        "export function parse(input: string): Tree;\nexport function parse(input: Buffer): Tree;\nexport function parse(input: string | Buffer): Tree {\n  const text = String(input);\n  return build(text);\n}\n\nexport function parseTree(tree: Tree): Tree {\n  return tree;\n}\n",
    );
    repo.write(
        "src/term.py",
        "import os, sys\n\nif os.name == \"nt\":\n    def getchar(echo):\n        \"\"\"Read one key from the console.\"\"\"\n        return msvcrt.getwch()\nelse:\n    def getchar(echo):\n        \"\"\"Read one key from the terminal.\"\"\"\n        fd = sys.stdin.fileno()\n        return os.read(fd, 32).decode()\n",
    );
    let listed = |args: &[&str]| {
        let mut all = vec!["refs"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--plain"]);
        let outcome = repo.run(&all);
        outcome.expect_code(0);
        outcome
            .stdout
            .lines()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    // Both definitions answer before any stub of theirs.
    assert_eq!(
        listed(&["open text in an editor", "--limit", "2"]),
        ["@src/editor.py#L11-13", "@src/editor.py#L16-18"]
    );
    let outcome = repo.run(&["refs", "open text in an editor", "--format", "json"]);
    outcome.expect_code(0);
    let all: Vec<String> = outcome
        .json()
        .as_array()
        .expect("an array")
        .iter()
        .map(|r| r["ref"].as_str().expect("ref").to_string())
        .collect();
    assert_eq!(
        all[all.len() - 2..],
        ["@src/editor.py#L5-6", "@src/editor.py#L8-9"],
        "the stubs last: {all:?}"
    );
    // TypeScript overload signatures, by name.
    let all = listed(&["parse", "--limit", "0"]);
    assert_eq!(
        all,
        [
            "@src/parse.ts#L3-6",
            "@src/parse.ts#L1-1",
            "@src/parse.ts#L2-2"
        ]
    );
    // Two definitions with bodies (one per platform) are both definitions.
    assert_eq!(
        listed(&["read one key", "--limit", "2"]),
        ["@src/term.py#L8-11", "@src/term.py#L4-6"]
    );
}

#[test]
fn a_rust_type_brings_its_trait_impls() {
    let repo = Repo::new();
    repo.write(
        "src/lib.rs",
        "pub trait Flag {\n    fn name(&self) -> &str;\n}\n\n/// The most matches to report.\npub struct MaxCount;\n\nimpl Flag for MaxCount {\n    fn name(&self) -> &str {\n        \"max-count\"\n    }\n}\n",
    );
    let outcome = repo.run(&["refs", "MaxCount", "--plain", "--limit", "0"]);
    outcome.expect_code(0);
    let found: Vec<&str> = outcome.stdout.lines().collect();
    assert!(found.contains(&"@src/lib.rs#L5-6"), "{found:?}");
    assert!(
        found.contains(&"@src/lib.rs#L8-12"),
        "the trait impl: {found:?}"
    );
}

#[test]
fn a_go_type_brings_its_methods_from_any_file_of_the_package() {
    let repo = Repo::new();
    repo.write(
        "server.go",
        "package web\n\n// Server serves.\ntype Server struct {\n\taddr string\n}\n\n// Start starts it.\nfunc (s *Server) Start() error {\n\treturn nil\n}\n\nfunc NewServer() *Server { return &Server{} }\n",
    );
    repo.write(
        "stop.go",
        "package web\n\nfunc (s *Server) Stop() {}\n\ntype Client struct{}\n\nfunc (c *Client) Stop() {}\n",
    );
    let outcome = repo.run(&["refs", "Server", "--plain", "--limit", "0"]);
    outcome.expect_code(0);
    let found: Vec<&str> = outcome.stdout.lines().collect();
    assert_eq!(found[0], "@server.go#L3-6", "the type first: {found:?}");
    assert!(found.contains(&"@server.go#L8-11"), "{found:?}");
    assert!(found.contains(&"@stop.go#L3-3"), "{found:?}");
    assert!(
        !found.contains(&"@stop.go#L7-7"),
        "another type's: {found:?}"
    );
    assert!(
        !found.contains(&"@server.go#L13-13"),
        "a function: {found:?}"
    );
}

#[test]
fn a_member_beside_its_container_is_counted_once_and_attached_once() {
    let repo = Repo::new();
    repo.write(
        "cart.py",
        "class Cart:\n    \"\"\"A cart of items.\"\"\"\n\n    def total(self):\n        \"\"\"The cart total.\"\"\"\n        return sum(self.items)\n",
    );
    let plain = repo.run(&["refs", "cart total", "--plain"]);
    plain.expect_code(0);
    assert_eq!(plain.stdout.trim(), "@cart.py#L1-6", "the member is inside");
    let human = repo.run(&["refs", "cart total", "-t", "cl100k"]);
    assert!(
        human.stdout.contains("(inside @cart.py#L1-6)"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("\n1 reference: "), "{}", human.stdout);
}

#[test]
fn a_restructuredtext_document_is_referenced_by_section() {
    let repo = Repo::new();
    repo.write(
        "docs/guide.rst",
        "=====\nGuide\n=====\n\nIntro.\n\nInstall\n-------\n\nRun pip.\n\nFrom source\n~~~~~~~~~~~\n\nBuild it.\n\nUsage\n-----\n\nCall it.\n",
    );
    let outcome = repo.run(&["refs", "docs/guide.rst", "--format", "json"]);
    outcome.expect_code(0);
    let found: Vec<(String, String)> = outcome
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| {
            (
                r["ref"].as_str().expect("ref").to_string(),
                r["qualified_name"].as_str().expect("name").to_string(),
            )
        })
        .collect();
    assert!(
        found.contains(&("@docs/guide.rst#L7-16".into(), "Guide > Install".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "@docs/guide.rst#L12-16".into(),
            "Guide > Install > From source".into()
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&("@docs/guide.rst#L17-20".into(), "Guide > Usage".into())),
        "{found:?}"
    );
}

#[test]
fn words_meet_code_through_word_forms_synonyms_and_numbers() {
    let repo = Repo::new();
    repo.write(
        "src/termui.py",
        "class Result:\n    @property\n    def output(self):\n        \"\"\"The output as a string.\"\"\"\n        return self.stdout\n\n\nclass UsageError(Exception):\n    def show(self, file=None):\n        \"\"\"Show the error message.\"\"\"\n        print(self.message, file=file)\n\n\ndef echo_via_pager(text):\n    \"\"\"Send long text through a pager.\"\"\"\n    return _pipepager(text)\n",
    );
    repo.write(
        "src/validators.py",
        "class EmailValidator:\n    \"\"\"Check that a value is an email address.\"\"\"\n    def __call__(self, value):\n        return '@' in value\n\n\ndef validate_ipv46_address(value):\n    \"\"\"Check that a value is an IPv4 or IPv6 address.\"\"\"\n    return value\n",
    );
    repo.write(
        "src/shortcuts.py",
        "class ForwardDescriptor:\n    def get_object(self, instance):\n        \"\"\"The related object of an instance.\"\"\"\n        return instance.related\n\n\ndef get_object_or_404(klass, *args):\n    \"\"\"The object, or a 404 error when there is none.\"\"\"\n    return klass.get(*args)\n",
    );
    let first = |query: &str| {
        let outcome = repo.run(&["refs", query, "--format", "json", "--limit", "1"]);
        outcome.expect_code(0);
        outcome.json()[0]["qualified_name"]
            .as_str()
            .expect("a name")
            .to_string()
    };
    assert_eq!(
        first("show long output in a pager"),
        "echo_via_pager",
        "to show is to echo"
    );
    assert_eq!(
        first("validate email address"),
        "EmailValidator",
        "a validator validates"
    );
    assert_eq!(
        first("get object or 404"),
        "get_object_or_404",
        "a number in a name is a word of it"
    );
}

#[test]
fn a_method_is_found_by_its_class_and_its_own_name() {
    let repo = Repo::new();
    repo.write(
        "src/query.py",
        "class QuerySet:\n    \"\"\"A lazy database lookup.\"\"\"\n\n    def filter(self, *args, **kwargs):\n        \"\"\"A new QuerySet of the objects that match.\"\"\"\n        return self._chain(args, kwargs)\n\n    def _chain(self, args, kwargs):\n        return self\n",
    );
    repo.write(
        "src/admin/filters.py",
        "class ListFilter:\n    \"\"\"A filter in the admin's side bar.\"\"\"\n\n    def queryset(self, request, queryset):\n        \"\"\"The filtered queryset.\"\"\"\n        return queryset\n",
    );
    // "filter" is a commoner word than "queryset" here, as in most projects.
    repo.write(
        "src/templates/filters.py",
        "def filter_choices(choices):\n    return choices\n\n\ndef filter_empty(values):\n    return [v for v in values if v]\n\n\ndef apply_filter(filter, value):\n    return filter(value)\n",
    );
    let outcome = repo.run(&["refs", "queryset filter", "--plain", "--limit", "1"]);
    outcome.expect_code(0);
    assert_eq!(outcome.stdout.trim(), "@src/query.py#L4-6");
}

#[test]
fn a_function_nested_in_a_function_weighs_less_than_one_of_the_same_name() {
    let repo = Repo::new();
    repo.write(
        "src/help.py",
        "def help_option(*names):\n    def format_help(formatter):\n        \"\"\"Write the help text.\"\"\"\n        formatter.write(names)\n\n    return format_help\n\n\ndef format_help(formatter, command):\n    \"\"\"Write the help text of a command into the formatter, with its\n    usage, its options and its epilog, wrapped to the terminal width.\"\"\"\n    formatter.write_usage(command.usage)\n    formatter.write_options(command.options)\n    formatter.write_epilog(command.epilog)\n",
    );
    let outcome = repo.run(&["refs", "write help text", "--plain", "--limit", "1"]);
    outcome.expect_code(0);
    assert_eq!(outcome.stdout.trim(), "@src/help.py#L9-14");
}

#[test]
fn a_section_about_the_words_lifts_the_code_it_names() {
    let repo = Repo::new();
    repo.write(
        "docs/usage.md",
        "# Usage\n\n## Waiting for a key press\n\nCall `term.pause()` to stop until the user presses any key.\n",
    );
    repo.write(
        "src/term.py",
        "def pause(info=None):\n    \"\"\"Stop until the user acts.\"\"\"\n    return _getch()\n\n\ndef _getch():\n    return 0\n\n\ndef key_name(code):\n    \"\"\"The name of a code.\"\"\"\n    return str(code)\n",
    );
    let outcome = repo.run(&["refs", "wait for a key press", "--format", "json"]);
    outcome.expect_code(0);
    let names = qualified_names(&outcome);
    let at = |name: &str| names.iter().position(|n| n == name);
    assert!(at("pause").is_some(), "{names:?}");
    assert!(at("pause") < at("key_name"), "{names:?}");
}

#[test]
fn a_constructor_does_not_take_its_class_name_match() {
    let repo = Repo::new();
    repo.write(
        "src/main/java/TypeAdapter.java",
        "/** Converts objects to and from JSON. */\npublic abstract class TypeAdapter<T> {\n  public TypeAdapter() {}\n\n  /** Writes one value. */\n  public abstract void write(JsonWriter out, T value);\n\n  /** Reads one value. */\n  public abstract T read(JsonReader in);\n}\n",
    );
    repo.write(
        "src/main/java/GsonBuilder.java",
        "public final class GsonBuilder {\n  /** Registers a type adapter for the type. */\n  public GsonBuilder registerTypeAdapter(Type type, Object typeAdapter) {\n    factories.add(typeAdapter);\n    return this;\n  }\n}\n",
    );
    let outcome = repo.run(&["refs", "type adapter", "--format", "json"]);
    outcome.expect_code(0);
    let names = qualified_names(&outcome);
    let at = |name: &str| names.iter().position(|n| n == name).expect(name);
    // The empty constructor is named after its class, not about it.
    assert!(
        at("TypeAdapter") < at("TypeAdapter.TypeAdapter"),
        "{names:?}"
    );
    assert!(
        at("GsonBuilder.registerTypeAdapter") < at("TypeAdapter.TypeAdapter"),
        "{names:?}"
    );
}
