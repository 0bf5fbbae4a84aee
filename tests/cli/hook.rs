//! `ctxbudget hook` driven as Claude Code drives it: a PreToolUse call as
//! JSON on stdin, the decision on stdout, always exit 0.

use std::path::Path;

use serde_json::{Value, json};

use crate::util::{Outcome, Repo, ctxbudget_stdin};

/// A project with a file over the threshold, a small one, a long README
/// and a large data file; a private cache for the guard's state.
struct Project {
    repo: Repo,
    cache: tempfile::TempDir,
}

fn big_python() -> String {
    let mut text = String::from("\"\"\"Orders and their prices.\"\"\"\n\n");
    for i in 0..60 {
        text.push_str(&format!(
            "\n\ndef price_{i}(order, rate):\n    \"\"\"Price {i} of an order, with tax at the given rate.\"\"\"\n    total = 0\n    for line in order.lines:\n        total += line.quantity * line.unit_price * (100 + rate) // 100\n        if total > {i}000:\n            total -= {i}\n    return total\n"
        ));
    }
    text.push_str("\n\nclass Ledger:\n    \"\"\"Every order, by day.\"\"\"\n\n");
    for i in 0..20 {
        text.push_str(&format!(
            "    def day_{i}(self, orders):\n        \"\"\"Orders of day {i}.\"\"\"\n        return [o for o in orders if o.day == {i} and o.total > 0 and not o.cancelled]\n\n"
        ));
    }
    text
}

impl Project {
    fn new() -> Project {
        let repo = Repo::new();
        repo.write("src/orders.py", big_python());
        repo.write("src/small.py", "def one():\n    return 1\n");
        let mut readme = String::from("# Orders\n\nPrices orders.\n");
        for s in 0..12 {
            readme.push_str(&format!("\n## Part {s}\n\n"));
            for _ in 0..40 {
                readme.push_str(
                    "Each order line has a quantity, a unit price and a rate of tax applied.\n",
                );
            }
        }
        repo.write("README.md", readme);
        let mut data = String::new();
        for i in 0..3000 {
            data.push_str(&format!(
                "{i},order-{i},{},{}\n",
                i * 7 % 100,
                i * 13 % 1000
            ));
        }
        repo.write("data/orders.csv", data);
        repo.write("logo.png", b"\x89PNG\r\n\x1a\n");
        Project {
            repo,
            cache: tempfile::tempdir().expect("cache dir"),
        }
    }

    fn path(&self, rel: &str) -> String {
        self.repo.join(rel).to_str().expect("UTF-8").to_string()
    }

    fn call_raw(&self, input: &[u8]) -> Outcome {
        let outcome = ctxbudget_stdin(
            self.repo.path(),
            &["hook"],
            &[("CTXBUDGET_CACHE_DIR", self.cache.path())],
            input,
        );
        outcome.expect_code(0);
        outcome
    }

    fn call(&self, session: &str, tool: &str, input: Value) -> Outcome {
        let call = json!({
            "session_id": session,
            "transcript_path": "/nowhere/transcript.jsonl",
            "cwd": self.repo.path(),
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "tool_name": tool,
            "tool_input": input,
            "tool_use_id": "toolu_01",
        });
        self.call_raw(call.to_string().as_bytes())
    }

    fn read(&self, session: &str, rel: &str) -> Outcome {
        self.call(session, "Read", json!({ "file_path": self.path(rel) }))
    }
}

/// The deny reason, or `None` when the call passes (no output at all).
fn denied(outcome: &Outcome) -> Option<String> {
    if outcome.stdout.is_empty() {
        assert!(outcome.stderr.is_empty(), "{}", outcome.stderr);
        return None;
    }
    let answer: Value = serde_json::from_str(&outcome.stdout).expect("one JSON answer");
    let output = &answer["hookSpecificOutput"];
    assert_eq!(output["hookEventName"], "PreToolUse");
    assert_eq!(output["permissionDecision"], "deny");
    Some(
        output["permissionDecisionReason"]
            .as_str()
            .expect("a reason")
            .to_string(),
    )
}

/// (offset, limit) pairs an outline offers.
fn ranges(reason: &str) -> Vec<(u64, u64)> {
    let re = regex::Regex::new(r"offset=(\d+) limit=(\d+)").expect("regex");
    re.captures_iter(reason)
        .map(|c| (c[1].parse().expect("n"), c[2].parse().expect("n")))
        .collect()
}

#[test]
fn a_whole_read_of_an_expensive_file_is_turned_away_with_its_outline() {
    let project = Project::new();
    let reason = denied(&project.read("s1", "src/orders.py")).expect("denied");
    assert!(
        reason.starts_with("ctxbudget: src/orders.py costs "),
        "{reason}"
    );
    assert!(reason.contains(&project.path("src/orders.py")), "{reason}");
    assert!(reason.contains("- class Ledger"), "{reason}");
    assert!(
        reason.contains("  - method Ledger.day_3: offset="),
        "{reason}"
    );
    assert!(
        reason.contains("Read it again without offset and limit"),
        "{reason}"
    );
    // Every range is a symbol's span as scan reports it.
    let scan = project.repo.scan_json(&["--no-cache"]);
    let file = crate::util::file(&scan, "src/orders.py");
    let spans: Vec<(u64, u64)> = file["symbols"]
        .as_array()
        .expect("symbols")
        .iter()
        .map(|s| {
            let start = s["start_line"].as_u64().expect("start");
            let end = s["end_line"].as_u64().expect("end");
            (start, end - start + 1)
        })
        .collect();
    let offered = ranges(&reason);
    assert!(offered.len() > 10, "{reason}");
    for range in &offered {
        assert!(
            spans.contains(range),
            "{range:?} is no symbol's span: {spans:?}"
        );
    }
}

#[test]
fn the_next_whole_read_after_a_denial_passes_then_the_guard_weighs_again() {
    let project = Project::new();
    assert!(denied(&project.read("s2", "src/orders.py")).is_some());
    assert!(
        denied(&project.read("s2", "src/orders.py")).is_none(),
        "never a trap"
    );
    assert!(denied(&project.read("s2", "src/orders.py")).is_some());
    // Another session is weighed on its own.
    assert!(denied(&project.read("other", "src/orders.py")).is_some());
}

#[test]
fn ranged_deliberate_small_outside_special_and_missing_reads_pass() {
    let project = Project::new();
    let file = project.path("src/orders.py");
    for input in [
        json!({"file_path": file, "offset": 10, "limit": 40}),
        json!({"file_path": file, "limit": 40}),
        json!({"file_path": file, "allow_large": true}),
        json!({"file_path": project.path("src/small.py")}),
        json!({"file_path": project.path("logo.png")}),
        json!({"file_path": project.path("src/missing.py")}),
        json!({"file_path": "/etc/hostname"}),
    ] {
        let outcome = project.call("s3", "Read", input.clone());
        assert!(denied(&outcome).is_none(), "{input}: {}", outcome.stdout);
    }
}

#[test]
fn junk_other_events_and_other_tools_pass_silently() {
    let project = Project::new();
    for input in [
        &b""[..],
        b"not json",
        b"[1, 2, 3]",
        b"{\"hook_event_name\": 7}",
        b"\xff\xfe\x00",
    ] {
        let outcome = project.call_raw(input);
        assert!(
            outcome.stdout.is_empty() && outcome.stderr.is_empty(),
            "{outcome:?}"
        );
    }
    let write = project.call(
        "s4",
        "Write",
        json!({"file_path": project.path("src/orders.py"), "content": "x"}),
    );
    assert!(denied(&write).is_none());
    let post = json!({
        "session_id": "s4", "cwd": project.repo.path(), "hook_event_name": "PostToolUse",
        "tool_name": "Read", "tool_input": {"file_path": project.path("src/orders.py")},
    });
    assert!(denied(&project.call_raw(post.to_string().as_bytes())).is_none());
}

#[test]
fn a_subagent_call_is_weighed_the_same() {
    let project = Project::new();
    let call = json!({
        "session_id": "s5", "cwd": project.repo.path(), "hook_event_name": "PreToolUse",
        "tool_name": "Read", "tool_input": {"file_path": project.path("src/orders.py")},
        "agent_id": "a1b2", "agent_type": "Explore",
    });
    assert!(denied(&project.call_raw(call.to_string().as_bytes())).is_some());
}

#[test]
fn shell_commands_that_print_a_file_whole_are_turned_away() {
    let project = Project::new();
    let bash = |session: &str, command: &str| {
        denied(&project.call(
            session,
            "Bash",
            json!({"command": command, "description": "show"}),
        ))
    };
    let reason = bash("s6", "cat src/orders.py").expect("cat is a whole read");
    assert!(reason.contains("run the same command again"), "{reason}");
    assert!(bash("s7", "head -n 100000 src/orders.py").is_some());
    assert!(
        bash("s8", "cd src && less orders.py").is_none(),
        "cwd is the session's, not src/"
    );
    assert!(bash("s9", "cat src/orders.py | grep def").is_none());
    assert!(bash("s9", "head -n 20 src/orders.py").is_none());
    assert!(bash("s9", "cat src/small.py").is_none());
    assert!(bash("s9", "cat src/orders.py > /tmp/copy.py").is_none());
    assert!(bash("s9", "grep -n price src/orders.py").is_none());
}

#[test]
fn documents_are_outlined_by_section_and_data_by_line_ranges() {
    let project = Project::new();
    let readme = denied(&project.read("s10", "README.md")).expect("a long README");
    assert!(readme.contains("these sections"), "{readme}");
    assert!(
        readme.contains("- section Orders > Part 3: offset="),
        "{readme}"
    );
    let data = denied(&project.read("s10", "data/orders.csv")).expect("a large CSV");
    assert!(data.contains("these line ranges"), "{data}");
    let lines = 3000;
    let mut next = 1;
    for (offset, limit) in ranges(&data) {
        assert_eq!(offset, next, "{data}");
        next = offset + limit;
    }
    assert_eq!(next, lines + 1, "the ranges cover the file");
}

#[test]
fn the_threshold_and_outline_cap_come_from_the_project_config() {
    let project = Project::new();
    project
        .repo
        .write("ctxbudget.toml", "[hook]\nread_tokens = 100000\n");
    assert!(denied(&project.read("s11", "src/orders.py")).is_none());
    project.repo.write(
        "ctxbudget.toml",
        "[hook]\nread_tokens = 50\noutline_tokens = 100\n",
    );
    let reason = denied(&project.read("s12", "src/small.py"));
    assert!(reason.is_none(), "a 10-token file is under any bound");
    let reason = denied(&project.read("s12", "src/orders.py")).expect("denied");
    assert!(ranges(&reason).len() < 8, "{reason}");
}

#[test]
fn a_broken_config_lets_the_call_through_with_one_line_on_stderr() {
    let project = Project::new();
    project
        .repo
        .write("ctxbudget.toml", "[hook]\nread_tokenz = 1\n");
    let outcome = project.read("s13", "src/orders.py");
    assert!(outcome.stdout.is_empty());
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("the call goes through"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn every_decision_is_in_the_ledger() {
    let project = Project::new();
    project.read("s14", "src/orders.py");
    project.read("s14", "src/orders.py");
    let ledger =
        std::fs::read_to_string(Path::new(project.cache.path()).join("guard/ledger.jsonl"))
            .expect("a ledger");
    let decisions: Vec<Value> = ledger
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(decisions.len(), 2);
    assert_eq!(decisions[0]["decision"], "deny");
    assert_eq!(decisions[1]["decision"], "retry");
    assert_eq!(decisions[0]["file"], "src/orders.py");
    assert!(decisions[0]["whole_tokens"].as_u64().expect("n") > 5_000);
}

/// One transcript line of the session `s9` in `root`.
fn record(root: &Path, kind: &str, uuid: &str, message: Value, extra: Value) -> String {
    let mut line = json!({
        "type": kind,
        "uuid": uuid,
        "sessionId": "s9",
        "cwd": root,
        "timestamp": format!("2026-11-20T10:00:{:02}.000Z", uuid.len()),
        "isSidechain": false,
        "message": message,
    });
    if let (Some(line), Some(extra)) = (line.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            line.insert(k.clone(), v.clone());
        }
    }
    line.to_string()
}

#[test]
fn sessions_reports_what_the_guard_turned_away_and_what_followed() {
    let project = Project::new();
    let root = project.repo.path();
    let file = project.path("src/orders.py");
    let hook = ctxbudget_stdin(
        root,
        &["hook", "-t", "cl100k"],
        &[("CTXBUDGET_CACHE_DIR", project.cache.path())],
        json!({"session_id": "s9", "cwd": root, "hook_event_name": "PreToolUse",
               "tool_name": "Read", "tool_input": {"file_path": file}})
        .to_string()
        .as_bytes(),
    );
    let reason = denied(&hook).expect("denied");
    let whole: u64 = regex::Regex::new(r"costs ([\d,]+) tokens")
        .expect("regex")
        .captures(&reason)
        .expect("a cost")[1]
        .replace(',', "")
        .parse()
        .expect("a number");
    let text = std::fs::read_to_string(&file).expect("fixture");
    let part: String = text
        .lines()
        .skip(9)
        .take(10)
        .map(|l| format!("{l}\n"))
        .collect();
    // As Claude Code 2.1.86 and later show a file: `N<TAB>line`.
    let numbered = |text: &str, first: usize| -> String {
        text.split_inclusive('\n')
            .enumerate()
            .map(|(i, line)| format!("{}\t{line}", first + i))
            .collect()
    };
    let tool_use = |id: &str, input: Value| {
        json!({"role": "assistant", "id": format!("m-{id}"), "model": "claude-opus-4-5",
               "content": [{"type": "tool_use", "id": id, "name": "Read", "input": input}],
               "usage": {"input_tokens": 1, "output_tokens": 1}})
    };
    let result = |id: &str, content: &str, error: bool| {
        json!({"role": "user", "content": [{"type": "tool_result", "tool_use_id": id,
               "content": content, "is_error": error}]})
    };
    let file_result = |content: &str, start: u64, lines: u64| {
        json!({"toolUseResult": {"type": "text", "file": {"filePath": file, "content": content,
               "numLines": lines, "startLine": start, "totalLines": text.lines().count()}}})
    };
    let lines = [
        record(
            root,
            "assistant",
            "a",
            tool_use("t1", json!({"file_path": file})),
            json!({}),
        ),
        record(root, "user", "bb", result("t1", &reason, true), json!({})),
        record(
            root,
            "assistant",
            "ccc",
            tool_use("t2", json!({"file_path": file, "offset": 10, "limit": 10})),
            json!({}),
        ),
        record(
            root,
            "user",
            "dddd",
            result("t2", &numbered(&part, 10), false),
            file_result(&part, 10, 10),
        ),
        record(
            root,
            "assistant",
            "eeeee",
            tool_use("t3", json!({"file_path": file})),
            json!({}),
        ),
        record(
            root,
            "user",
            "ffffff",
            result("t3", &numbered(&text, 1), false),
            file_result(&text, 1, 0),
        ),
    ];
    let transcripts = tempfile::tempdir().expect("dir");
    std::fs::create_dir_all(transcripts.path().join("p")).expect("mkdir");
    std::fs::write(
        transcripts.path().join("p/s9.jsonl"),
        lines.join("\n") + "\n",
    )
    .expect("write");
    let dir = transcripts.path().to_str().expect("UTF-8");
    let outcome = crate::util::ctxbudget(
        root,
        &[
            "sessions",
            "--transcripts",
            dir,
            "-t",
            "cl100k",
            "--format",
            "json",
        ],
    );
    outcome.expect_code(0);
    let json = outcome.json();
    let guard = &json["sessions"][0]["guard"];
    let bpe = tiktoken_rs::cl100k_base().expect("vocab");
    let reason_tokens = bpe.encode_ordinary(&reason).len() as u64;
    assert_eq!(guard["turned_away"], 1, "{json:#}");
    assert_eq!(guard["turned_tokens"], whole);
    assert_eq!(guard["reason_tokens"], reason_tokens);
    assert_eq!(guard["ranged_reads_after"], 1);
    assert_eq!(guard["whole_reads_after"], 1);
    let ranged = guard["ranged_tokens_after"].as_u64().expect("n");
    let again = guard["whole_tokens_after"].as_u64().expect("n");
    assert_eq!(
        again, whole,
        "the read let through costs what the guard said"
    );
    assert_eq!(
        guard["saved_tokens"].as_i64().expect("n"),
        whole as i64 - (reason_tokens + ranged + again) as i64
    );
    let human = crate::util::ctxbudget(root, &["sessions", "--transcripts", dir, "-t", "cl100k"]);
    assert!(
        human
            .stdout
            .contains("Read guard (ctxbudget hook): 1 whole read turned away"),
        "{}",
        human.stdout
    );
}
