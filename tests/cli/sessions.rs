//! `ctxbudget sessions` on the synthetic transcripts of
//! `tests/fixtures/sessions/`: two sessions of a small project (one with a
//! subagent, a response written over three lines, ranged and whole Reads,
//! an edit; the other with a compaction, a search, an unknown record, a
//! record of another project and a last line cut in half) and a third
//! session of another project whose path starts like ours. `@ROOT@` in
//! the fixtures becomes the temporary project's path.

use std::path::Path;

use serde_json::Value;
use tempfile::TempDir;

use crate::util::{Repo, copy, ctxbudget_env};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sessions");

/// The project and its transcripts, with `@ROOT@` filled in.
struct Setup {
    project: Repo,
    transcripts: TempDir,
}

impl Setup {
    fn new() -> Setup {
        Setup::with_transcripts("transcripts")
    }

    /// The fixture project with the transcripts of `FIXTURES/dir`.
    fn with_transcripts(dir: &str) -> Setup {
        let project = Repo::new();
        copy(&Path::new(FIXTURES).join("project"), project.path(), None);
        let transcripts = tempfile::tempdir().expect("temp dir");
        let root = project.path().to_str().expect("a UTF-8 temp path");
        copy(
            &Path::new(FIXTURES).join(dir),
            transcripts.path(),
            Some(root),
        );
        Setup {
            project,
            transcripts,
        }
    }

    fn run(&self, args: &[&str]) -> crate::util::Outcome {
        self.run_env(args, &[])
    }

    /// `sessions` over the transcripts, with extra environment variables.
    fn run_env(&self, args: &[&str], env: &[(&str, &Path)]) -> crate::util::Outcome {
        let dir = self.transcripts.path().to_str().expect("UTF-8");
        let mut all = vec!["sessions", "--transcripts", dir, "-t", "cl100k"];
        all.extend_from_slice(args);
        ctxbudget_env(self.project.path(), &all, env)
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        let outcome = self.run(&all);
        outcome.expect_code(0);
        outcome.json()
    }

    fn transcript(&self, rel: &str) -> std::path::PathBuf {
        self.transcripts.path().join(rel)
    }
}

/// The reference count of `text` as the Read tool shows it from `first`.
fn read_cost(text: &str, first: usize) -> u64 {
    let bpe = tiktoken_rs::cl100k_base().expect("vocab");
    let shown: String = text
        .split_inclusive('\n')
        .enumerate()
        .map(|(i, line)| format!("{}\t{line}", first + i))
        .collect();
    bpe.encode_ordinary(&shown).len() as u64
}

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(Path::new(FIXTURES).join("project").join(rel)).expect("fixture")
}

fn session<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no session {id} in {json:#}"))
}

fn file<'a>(json: &'a Value, path: &str) -> &'a Value {
    json["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no file {path} in {json:#}"))
}

#[test]
fn requests_are_counted_once_with_their_last_output_and_contexts() {
    let setup = Setup::new();
    let json = setup.json(&[]);
    let ids: Vec<&str> = json["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["sess-aaaa-1111", "sess-bbbb-2222"], "by start time");

    // Three lines of msg_01 are one request with output 40; the subagent's
    // msg_04 is one with output 30; the <synthetic> line is no request.
    let first = session(&json, "sess-aaaa-1111");
    assert_eq!(first["requests"], 4);
    assert_eq!(first["subagent_requests"], 1);
    assert_eq!(first["input_tokens"], 10 + 5 + 3 + 7);
    assert_eq!(first["cache_creation_tokens"], 1000 + 3000 + 200 + 500);
    assert_eq!(first["cache_read_tokens"], 1010 + 4015);
    assert_eq!(first["output_tokens"], 40 + 120 + 50 + 30);
    // Contexts of the main conversation only; the subagent has its own.
    assert_eq!(first["contexts"], serde_json::json!([1010, 4015, 4218]));
    assert_eq!(first["peak_context"], 4218);
    assert_eq!(first["compactions"], 0);
    assert_eq!(first["transcript_files"], 2);
    assert_eq!(first["start"], "2026-11-01T09:00:00.000Z");
    let models = serde_json::json!(["claude-opus-4-5-20251101", "claude-sonnet-4-5-20250929"]);
    assert_eq!(first["models"], models);

    // The record written in another project and the cut line add nothing.
    let second = session(&json, "sess-bbbb-2222");
    assert_eq!(second["requests"], 2);
    assert_eq!(second["input_tokens"], 150);
    assert_eq!(second["cache_creation_tokens"], 25_000);
    assert_eq!(second["output_tokens"], 380);
    assert_eq!(second["contexts"], serde_json::json!([20_100, 5_050]));
    assert_eq!(second["peak_context"], 20_100);
    assert_eq!(second["compactions"], 1);
    assert_eq!(second["end"], "2026-11-10T14:31:00.000Z");
}

#[test]
fn reads_are_priced_as_the_read_tool_shows_them() {
    let setup = Setup::new();
    let json = setup.json(&[]);
    let app = fixture("src/app.py");
    let util = fixture("src/util.py");
    let util_lines: String = util.split_inclusive('\n').skip(1).take(3).collect();

    let app_reads = file(&json, "src/app.py");
    assert_eq!(app_reads["reads"], 2);
    assert_eq!(app_reads["whole_reads"], 2);
    assert_eq!(app_reads["ranged_reads"], 0);
    assert_eq!(app_reads["sessions"], 2);
    assert_eq!(app_reads["tokens"], 2 * read_cost(&app, 1));

    let util_reads = file(&json, "src/util.py");
    assert_eq!(util_reads["reads"], 2);
    assert_eq!(util_reads["whole_reads"], 1);
    assert_eq!(util_reads["ranged_reads"], 1);
    assert_eq!(
        util_reads["tokens"],
        read_cost(&util, 1) + read_cost(&util_lines, 2)
    );

    // Most tokens first; nothing of the other project.
    let paths: Vec<&str> = json["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    assert_eq!(paths, ["src/app.py", "src/util.py"]);
    assert!(!json.to_string().contains("secret.py"), "{json:#}");
    assert!(!json.to_string().contains("sess-cccc"), "{json:#}");
}

#[test]
fn whole_reads_get_the_ranges_the_session_edited_or_searched() {
    let setup = Setup::new();
    let json = setup.json(&["--whole-read-tokens", "50"]);
    let whole = json["whole_reads"].as_array().expect("whole_reads");
    let instead = |path: &str, session: &str| -> Vec<(String, String)> {
        let entry = whole
            .iter()
            .find(|w| w["path"] == path && w["session"] == session)
            .unwrap_or_else(|| panic!("no whole read of {path} in {session}: {json:#}"));
        entry["instead"]
            .as_array()
            .expect("instead")
            .iter()
            .map(|i| {
                (
                    i["ref"].as_str().expect("ref").to_string(),
                    i["why"].as_str().expect("why").to_string(),
                )
            })
            .collect()
    };
    // Session 1 edited checkout's body after reading the file whole.
    assert_eq!(
        instead("src/app.py", "sess-aaaa-1111"),
        [("@src/app.py#L26-30".to_string(), "edited".to_string())]
    );
    // Session 2 grepped `def\s+apply_discount`: the pattern, not the word.
    assert_eq!(
        instead("src/app.py", "sess-bbbb-2222"),
        [("@src/app.py#L19-23".to_string(), "searched".to_string())]
    );
    // The subagent read util.py whole and did nothing after: its largest.
    let util = instead("src/util.py", "sess-aaaa-1111");
    assert_eq!(
        util[0],
        ("@src/util.py#L4-6".to_string(), "largest".to_string())
    );

    // Over the default threshold, none of these small files is listed.
    assert_eq!(setup.json(&[])["whole_reads"], serde_json::json!([]));
}

#[test]
fn bad_lines_are_counted_and_skipped_never_fatal() {
    let setup = Setup::new();
    let json = setup.json(&[]);
    // The cut line and the unknown record of session 2; the other
    // project's bad line is not ours to count.
    assert_eq!(json["skipped_lines"], 2);
    assert_eq!(json["skipped"]["not_json"], 1);
    assert_eq!(json["skipped"]["unknown_types"]["widget-state"], 1);

    // Binary junk, invalid UTF-8, wrong types where numbers and objects
    // belong: the lines are skipped or read for what they hold.
    let root = setup.project.path().to_str().expect("UTF-8");
    let mut junk = b"\x00\x01\xff\xfe garbage\n".to_vec();
    junk.extend_from_slice(
        format!(
            "{{\"type\":\"assistant\",\"sessionId\":\"sess-junk\",\"cwd\":\"{root}\",\"timestamp\":\"2026-11-12T00:00:00Z\",\"requestId\":7,\"message\":{{\"id\":\"m\",\"usage\":\"lots\",\"content\":42}}}}\n\
             {{\"type\":\"user\",\"sessionId\":\"sess-junk\",\"cwd\":\"{root}\",\"message\":{{\"content\":[\"text\",{{\"type\":\"tool_result\",\"content\":{{}}}}]}},\"toolUseResult\":\"Error: no such file\"}}\n\
             [1,2,3]\n\"just a string\"\n\n"
        )
        .as_bytes(),
    );
    std::fs::write(setup.transcript("-ROOT/sess-junk.jsonl"), junk).expect("write");
    let json = setup.json(&[]);
    assert_eq!(json["skipped"]["not_json"], 2, "{:#}", json["skipped"]);
    assert_eq!(
        json["skipped"]["unknown_types"][""], 2,
        "{:#}",
        json["skipped"]
    );
    let junk = session(&json, "sess-junk");
    assert_eq!(junk["requests"], 0);
}

#[test]
fn a_resumed_session_copying_its_past_counts_it_once() {
    let setup = Setup::new();
    let before = setup.json(&[]);
    std::fs::copy(
        setup.transcript("-ROOT/sess-aaaa-1111.jsonl"),
        setup.transcript("-ROOT/sess-aaaa-1111-resumed.jsonl"),
    )
    .expect("copy");
    let after = setup.json(&[]);
    // The same figures; only the count of files holding the session grows.
    let mut expected = before["sessions"].clone();
    expected[0]["transcript_files"] = Value::from(3);
    assert_eq!(after["sessions"], expected, "{after:#}");
    assert_eq!(after["files"], before["files"]);
}

#[test]
fn since_and_session_narrow_the_records() {
    let setup = Setup::new();
    let ids = |json: &Value| -> Vec<String> {
        json["sessions"]
            .as_array()
            .expect("sessions")
            .iter()
            .map(|s| s["id"].as_str().expect("id").to_string())
            .collect()
    };
    assert_eq!(
        ids(&setup.json(&["--since", "2026-11-05"])),
        ["sess-bbbb-2222"]
    );
    assert_eq!(
        ids(&setup.json(&["--since", "2026-11-01T09:00:04Z"])),
        ["sess-aaaa-1111", "sess-bbbb-2222"]
    );
    // From 09:00:04 on, session 1 keeps its later requests only (two of
    // the main conversation, one of the subagent at 09:01).
    let late = setup.json(&["--since", "2026-11-01T09:00:04Z", "--session", "sess-aaaa"]);
    assert_eq!(ids(&late), ["sess-aaaa-1111"]);
    assert_eq!(late["sessions"][0]["requests"], 3);
    assert_eq!(
        late["sessions"][0]["contexts"],
        serde_json::json!([4015, 4218])
    );
    assert_eq!(ids(&setup.json(&["--since", "1d"])), Vec::<String>::new());

    let bad = setup.run(&["--since", "last tuesday"]);
    bad.expect_code(2);
    assert!(bad.stderr.contains("--since"), "{}", bad.stderr);
}

#[test]
fn the_human_report_names_sessions_files_and_skips() {
    let setup = Setup::new();
    let outcome = setup.run(&["--whole-read-tokens", "50"]);
    outcome.expect_code(0);
    let text = &outcome.stdout;
    for expected in [
        "2 sessions, 2026-11-01 09:00 to 2026-11-10 14:31 UTC",
        "4 (1 by subagents)",
        "20,100 (10%)",
        "Files read: 2 files, 4 reads",
        "src/app.py",
        "@src/app.py#L26-30  checkout  function",
        "(edited)",
        "2 lines skipped: 1 not JSON, 1 of unknown record types (widget-state: 1)",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in:\n{text}");
    }
}

#[test]
fn missing_transcripts_and_other_projects_are_told_apart() {
    let setup = Setup::new();
    let missing = setup
        .project
        .run(&["sessions", "--transcripts", "no-such-dir"]);
    missing.expect_code(2);
    assert!(
        missing.stderr.contains("--transcripts"),
        "{}",
        missing.stderr
    );

    // A transcript that never says where it ran is nobody's: neither its
    // sessions nor its bad lines count.
    std::fs::write(
        setup.transcript("-ROOT/sess-nowhere.jsonl"),
        "{\"type\":\"assistant\",\"sessionId\":\"sess-nowhere\",\"requestId\":\"r\",\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":5}}}\nnot json\n",
    )
    .expect("write");
    let json = setup.json(&[]);
    assert_eq!(
        json["sessions"].as_array().map(Vec::len),
        Some(2),
        "{json:#}"
    );
    assert_eq!(json["skipped_lines"], 2);

    // A project with no sessions: empty figures, a note, exit 0.
    let elsewhere = Repo::new();
    let dir = setup.transcripts.path().to_str().expect("UTF-8");
    let outcome = elsewhere.run(&["sessions", "--transcripts", dir, "--format", "json"]);
    outcome.expect_code(0);
    assert_eq!(outcome.json()["sessions"], serde_json::json!([]));
    assert!(
        outcome.stderr.contains("no Claude Code session"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn transcripts_default_to_the_claude_config_dir() {
    let setup = Setup::new();
    let config = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(config.path().join("projects")).expect("mkdir");
    copy(
        setup.transcripts.path(),
        &config.path().join("projects"),
        None,
    );
    let outcome = ctxbudget_env(
        setup.project.path(),
        &["sessions", "--format", "json"],
        &[("CLAUDE_CONFIG_DIR", config.path())],
    );
    outcome.expect_code(0);
    assert_eq!(outcome.json()["sessions"].as_array().map(Vec::len), Some(2));
}

/// A Read result of 50 MB of spaces took 34 s and 1.1 GB; two requests
/// at u64::MAX wrapped the totals to nonsense.
#[test]
fn huge_read_results_are_not_priced_and_sums_saturate() {
    let setup = Setup::new();
    let root = setup.project.path().to_str().expect("UTF-8");
    let spaces = " ".repeat(6 << 20);
    let max = u64::MAX;
    let text = format!(
        "{{\"type\":\"assistant\",\"sessionId\":\"sess-big\",\"cwd\":\"{root}\",\"timestamp\":\"2026-11-12T00:00:00Z\",\"requestId\":\"r1\",\"message\":{{\"id\":\"m1\",\"model\":\"claude-x\",\"usage\":{{\"input_tokens\":{max},\"output_tokens\":1}},\"content\":[{{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"Read\",\"input\":{{\"file_path\":\"{root}/big.txt\"}}}}]}}}}\n\
         {{\"type\":\"user\",\"sessionId\":\"sess-big\",\"cwd\":\"{root}\",\"timestamp\":\"2026-11-12T00:00:01Z\",\"message\":{{\"content\":[{{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":\"{spaces}\"}}]}}}}\n\
         {{\"type\":\"assistant\",\"sessionId\":\"sess-big\",\"cwd\":\"{root}\",\"timestamp\":\"2026-11-12T00:00:02Z\",\"requestId\":\"r2\",\"message\":{{\"id\":\"m2\",\"model\":\"claude-x\",\"usage\":{{\"input_tokens\":{max},\"output_tokens\":1}},\"content\":[{{\"type\":\"text\",\"text\":\"ok\"}}]}}}}\n"
    );
    std::fs::write(setup.transcript("-ROOT/sess-big.jsonl"), text).expect("write");
    let json = setup.json(&[]);
    assert_eq!(
        json["skipped"]["unpriced_reads"], 1,
        "{:#}",
        json["skipped"]
    );
    let big = session(&json, "sess-big");
    assert_eq!(big["input_tokens"], u64::MAX, "{big:#}");
    assert_eq!(big["requests"], 2);
}

/// The project with the transcripts of `tests/fixtures/sessions/transcripts-2.1.39/`:
/// one session written the way Claude Code 2.1.39 wrote them (`→` line
/// numbers, a system reminder after each Read, `session_id` on some
/// records, current record types, a move into `src/`, no final
/// `stop_reason`, two models).
fn older() -> Setup {
    Setup::with_transcripts("transcripts-2.1.39")
}

/// The text each Read result showed the model, as recorded.
fn recorded_results(setup: &Setup) -> Vec<String> {
    let text =
        std::fs::read_to_string(setup.transcript("-ROOT/sess-dddd-4444.jsonl")).expect("fixture");
    let mut shown = Vec::new();
    for line in text.lines() {
        let record: Value = serde_json::from_str(line).expect("JSON");
        for block in record["message"]["content"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if block["type"] == "tool_result" {
                let content = &block["content"];
                shown.push(match content.as_str() {
                    Some(text) => text.to_string(),
                    None => content
                        .as_array()
                        .expect("blocks")
                        .iter()
                        .map(|b| b["text"].as_str().expect("text").to_string())
                        .collect(),
                });
            }
        }
    }
    shown
}

#[test]
fn reads_cost_the_text_the_model_was_shown_in_either_line_number_format() {
    let setup = older();
    let json = setup.json(&[]);
    let bpe = tiktoken_rs::cl100k_base().expect("vocab");
    let shown = recorded_results(&setup);
    assert_eq!(shown.len(), 2);
    assert!(shown[0].starts_with("     1\u{2192}"), "{}", shown[0]);
    assert!(shown[0].contains("<system-reminder>"));
    let app = file(&json, "src/app.py");
    assert_eq!(app["tokens"], bpe.encode_ordinary(&shown[0]).len() as u64);
    let util = file(&json, "src/util.py");
    assert_eq!(util["tokens"], bpe.encode_ordinary(&shown[1]).len() as u64);
    assert_eq!(util["ranged_reads"], 1);
    // The same file in the current format costs less than the older view.
    assert!(app["tokens"].as_u64().expect("n") > read_cost(&fixture("src/app.py"), 1));
}

#[test]
fn every_record_spelling_and_current_type_is_accounted_for() {
    let setup = older();
    let json = setup.json(&[]);
    assert_eq!(json["skipped_lines"], 0, "{:#}", json["skipped"]);
    let sessions = json["sessions"].as_array().expect("sessions");
    assert_eq!(
        sessions.len(),
        1,
        "session_id, sessionId and the file's name are one session"
    );
    let s = &sessions[0];
    assert_eq!(s["id"], "sess-dddd-4444");
    assert_eq!(s["requests"], 3);
    assert_eq!(s["input_tokens"], 35);
    assert_eq!(
        s["output_exact"], false,
        "no response recorded a final stop_reason"
    );
    // Two models, by requests.
    let models: Vec<(&str, u64)> = json["models"]
        .as_array()
        .expect("models")
        .iter()
        .map(|m| {
            (
                m["model"].as_str().expect("name"),
                m["requests"].as_u64().expect("n"),
            )
        })
        .collect();
    assert_eq!(
        models,
        [("claude-sonnet-4-5-20250929", 2), ("claude-opus-4-6", 1)]
    );
    // Input per minute: the first two requests fall within 60 s.
    assert_eq!(s["peak_input_per_minute"], 20 + 3000 + 10 + 600);
    let human = setup.run(&[]);
    assert!(human.stdout.contains("a lower bound"), "{}", human.stdout);
    assert!(human.stdout.contains("claude-opus-4-6"), "{}", human.stdout);
}

#[test]
fn a_session_counts_for_the_directory_each_record_ran_in() {
    let setup = older();
    let dir = setup.transcripts.path().to_str().expect("UTF-8");
    let sub = setup.project.join("src");
    let outcome = crate::util::ctxbudget(
        &sub,
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
    let s = session(&json, "sess-dddd-4444");
    assert_eq!(
        s["requests"], 2,
        "only the requests made after the move into src/"
    );
    assert_eq!(s["reads"], 1);
    assert_eq!(file(&json, "util.py")["ranged_reads"], 1);
}

/// A transcript whose usage numbers were built from a chosen factor: each
/// request's context grows by the previous output plus `factor` times
/// the cl100k tokens of the one tool result in between.
fn calibration_transcript(root: &str) -> String {
    let bpe = tiktoken_rs::cl100k_base().expect("vocab");
    let mut lines = Vec::new();
    let mut context = 12_000u64;
    let mut n = 0;
    let mut push = |kind: &str, body: Value| {
        n += 1;
        let mut record = serde_json::json!({
            "type": kind, "sessionId": "sess-cal", "cwd": root, "isSidechain": false,
            "uuid": format!("u{n}"), "timestamp": format!("2026-11-21T10:{:02}:{:02}.000Z", n / 60, n % 60),
        });
        for (k, v) in body.as_object().expect("object") {
            record[k] = v.clone();
        }
        lines.push(record.to_string());
    };
    for (model, factor, pairs) in [("claude-test-a", 1.15, 8), ("claude-test-b-4-7", 1.30, 6)] {
        for step in 0..=pairs {
            let output = 40 + step as u64;
            let id = format!("{model}-{step}");
            let thinking = step == 3 && model == "claude-test-a";
            let mut content = vec![
                serde_json::json!({"type": "tool_use", "id": format!("t-{id}"), "name": "Bash", "input": {"command": "cat log"}}),
            ];
            if thinking {
                content.insert(
                    0,
                    serde_json::json!({"type": "thinking", "thinking": "hmm", "signature": "s"}),
                );
            }
            push(
                "assistant",
                serde_json::json!({"requestId": format!("r-{id}"), "message": {
                "id": format!("m-{id}"), "role": "assistant", "model": model, "content": content,
                "stop_reason": "tool_use",
                "usage": {"input_tokens": 5, "cache_creation_input_tokens": 100, "cache_read_input_tokens": context - 105, "output_tokens": output}}}),
            );
            let text: String = (0..(300 + 37 * step))
                .map(|i| {
                    format!(
                        "line {i} of the build log: compiled module_{i} in {}ms\n",
                        i * 7 % 97
                    )
                })
                .collect();
            let tokens = bpe.encode_ordinary(&text).len() as u64;
            push(
                "user",
                serde_json::json!({"message": {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": format!("t-{id}"), "content": text}]}}),
            );
            // A prompt spoils the next pair of model a.
            if step == 5 && model == "claude-test-a" {
                push(
                    "user",
                    serde_json::json!({"message": {"role": "user", "content": "also check the tests"}}),
                );
            }
            context += output + (factor * tokens as f64).round() as u64;
        }
        // The model changes: the pair across the change is not measured.
        context += 500;
    }
    lines.join("\n") + "\n"
}

#[test]
fn calibration_recovers_the_factor_each_model_was_built_with() {
    let setup = Setup::new();
    let root = setup.project.path().to_str().expect("UTF-8");
    std::fs::write(
        setup.transcript("-ROOT/sess-cal.jsonl"),
        calibration_transcript(root),
    )
    .expect("write");
    let json = setup.json(&["--calibrate", "--session", "sess-cal"]);
    let found = json["calibration"].as_array().expect("calibration");
    let a = found
        .iter()
        .find(|c| c["model"] == "claude-test-a")
        .expect("model a");
    let b = found
        .iter()
        .find(|c| c["model"] == "claude-test-b-4-7")
        .expect("model b");
    // 8 pairs, less the one after thinking and the one after a prompt.
    assert_eq!(a["pairs"], 6, "{json:#}");
    assert_eq!(b["pairs"], 6);
    for (c, factor) in [(a, 1.15), (b, 1.30)] {
        for key in ["factor", "p25", "p75"] {
            let got = c[key].as_f64().expect("number");
            assert!(
                (got - factor).abs() < 0.002,
                "{key} {got} for {factor}: {c}"
            );
        }
    }
    // --write stores them; --model picks them up.
    let outcome = setup.run(&["--calibrate", "--session", "sess-cal", "--write"]);
    outcome.expect_code(0);
    let toml = std::fs::read_to_string(setup.project.join("ctxbudget.toml")).expect("written");
    assert!(
        toml.contains("[claude_factors]\nclaude-test-a = 1.150\nclaude-test-b-4-7 = 1.300\n"),
        "{toml}"
    );
    let scan = setup
        .project
        .scan_json(&["--model", "claude-test-b-4-7-20270101"]);
    assert_eq!(scan["tokenizer"]["factor"], 1.3, "{:#}", scan["tokenizer"]);
    // An unmeasured model gets its family's default.
    let scan = setup.project.scan_json(&["--model", "claude-opus-4-6"]);
    assert_eq!(scan["tokenizer"]["factor"], 1.12);
}

#[test]
fn usage_only_gives_the_same_usage_without_pricing_reads() {
    let setup = Setup::new();
    let full = setup.json(&[]);
    let usage = setup.json(&["--usage-only"]);
    assert_eq!(usage["reads_priced"], false);
    assert_eq!(full["reads_priced"], true);
    assert!(usage["files"].as_array().expect("files").is_empty());
    for (a, b) in full["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .zip(usage["sessions"].as_array().expect("sessions"))
    {
        for key in [
            "id",
            "requests",
            "input_tokens",
            "cache_creation_tokens",
            "cache_read_tokens",
            "output_tokens",
            "contexts",
        ] {
            assert_eq!(a[key], b[key], "{key}");
        }
        assert_eq!(b["reads"], 0);
    }
    let human = setup.run(&["--usage-only"]);
    assert!(
        human.stdout.contains("Reads not priced"),
        "{}",
        human.stdout
    );
}

#[test]
fn read_counts_come_from_the_cache_on_later_runs_with_the_same_report() {
    let setup = older();
    let cache = tempfile::tempdir().expect("temp dir");
    let run = |extra: &[&str]| {
        let mut args = vec!["--format", "json"];
        args.extend_from_slice(extra);
        let outcome = setup.run_env(&args, &[("CTXBUDGET_CACHE_DIR", cache.path())]);
        outcome.expect_code(0);
        outcome.stdout
    };
    let cold = run(&[]);
    let packs: Vec<_> = std::fs::read_dir(cache.path().join("v2"))
        .expect("the run wrote its pack")
        .flatten()
        .collect();
    assert_eq!(packs.len(), 1, "one pack for the project's sessions");
    let pack = std::fs::read_to_string(packs[0].path()).expect("pack");
    assert!(pack.contains("text="), "read counts are kept: {pack}");
    assert_eq!(run(&[]), cold, "a warm run reports the same");
    assert_eq!(
        run(&["--no-cache"]),
        cold,
        "and so does one without the cache"
    );
    // A damaged pack is ignored, not trusted: a count changed by hand
    // (the checksum no longer holds) would change the report.
    let tampered: String = pack
        .lines()
        .map(|line| match line.split_once('\t') {
            Some((key, _)) if key.starts_with("text=") => format!("{key}\t1\n"),
            _ => format!("{line}\n"),
        })
        .collect();
    assert_ne!(tampered, pack);
    std::fs::write(packs[0].path(), tampered).expect("write");
    assert_eq!(run(&[]), cold);
}

#[test]
fn the_human_report_fits_the_terminal_width() {
    let setup = Setup::new();
    let narrow = setup.run_env(&[], &[("COLUMNS", Path::new("80"))]);
    narrow.expect_code(0);
    for line in narrow.stdout.lines() {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}\n{}",
            line.chars().count(),
            narrow.stdout
        );
    }
    assert!(narrow.stdout.contains("cache read"), "{}", narrow.stdout);
    let wide = setup.run(&[]);
    assert!(wide.stdout.contains("cache write"), "{}", wide.stdout);
}
