//! `ctxbudget mcp` spoken to as a client does: JSON-RPC lines on stdin,
//! answers on stdout, the server gone when stdin closes. Malformed lines,
//! unknown tools and paths outside the root get errors, never a crash.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const SHOP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/shop");

/// The server's answers to `lines`, by id (`null` for parse errors), and
/// whether it exited by itself within 30 s of stdin closing.
fn session(root: &Path, lines: &[String]) -> (HashMap<String, Vec<Value>>, bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ctxbudget"))
        .args(["mcp", "-t", "cl100k", "--root"])
        .arg(root)
        .env("CTXBUDGET_CACHE_DIR", crate::util::shared_cache())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let mut stdin = child.stdin.take().expect("piped");
    let mut text = lines.join("\n");
    text.push('\n');
    stdin.write_all(text.as_bytes()).expect("requests written");
    drop(stdin);
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        out
    });
    let start = Instant::now();
    let exited = loop {
        if child.try_wait().expect("wait").is_some() {
            break true;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            break false;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = reader.join().expect("reader");
    let mut answers: HashMap<String, Vec<Value>> = HashMap::new();
    for line in out.lines() {
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("stdout holds only protocol ({e}): {line:?}"));
        answers
            .entry(value["id"].to_string())
            .or_default()
            .push(value);
    }
    (answers, exited)
}

fn initialize() -> Vec<String> {
    vec![
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "test", "version": "1"}}})
        .to_string(),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
    ]
}

fn call(id: u64, tool: &str, arguments: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": tool, "arguments": arguments}})
    .to_string()
}

fn text(answer: &Value) -> &str {
    answer["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("a text answer: {answer}"))
}

fn one(answers: &HashMap<String, Vec<Value>>, id: u64) -> &Value {
    let list = answers
        .get(&id.to_string())
        .unwrap_or_else(|| panic!("no answer to {id}: {answers:?}"));
    assert_eq!(list.len(), 1, "{list:?}");
    &list[0]
}

#[test]
fn tools_answer_with_scans_figures_and_the_server_exits_at_eof() {
    let mut lines = initialize();
    lines.push(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}).to_string());
    lines.push(call(3, "outline", json!({"path": "src/shop/cart.py"})));
    lines.push(call(4, "refs", json!({"query": "Cart.total"})));
    lines.push(call(
        5,
        "cost",
        json!({"paths": ["src/shop/cart.py", "src"]}),
    ));
    let (answers, exited) = session(Path::new(SHOP), &lines);
    assert!(exited, "the server exits when stdin closes");
    let info = one(&answers, 1);
    assert_eq!(info["result"]["serverInfo"]["name"], "ctxbudget");
    let mut names: Vec<&str> = one(&answers, 2)["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["cost", "outline", "refs"]);

    let repo = crate::util::Repo::new();
    crate::util::copy(Path::new(SHOP), repo.path(), None);
    let scan = repo.scan_json(&["-t", "cl100k"]);
    let cart = crate::util::file(&scan, "src/shop/cart.py");
    let outline = text(one(&answers, 3));
    assert!(
        outline.starts_with(&format!(
            "src/shop/cart.py: 42 lines, {} tokens to Read whole.",
            cart["read_tokens"]
        )),
        "{outline}"
    );
    let spans: Vec<(u64, u64)> = cart["symbols"]
        .as_array()
        .expect("symbols")
        .iter()
        .map(|s| {
            let start = s["start_line"].as_u64().expect("start");
            (start, s["end_line"].as_u64().expect("end") - start + 1)
        })
        .collect();
    let offered: Vec<(u64, u64)> = regex::Regex::new(r"offset=(\d+) limit=(\d+)")
        .expect("regex")
        .captures_iter(outline)
        .map(|c| (c[1].parse().expect("n"), c[2].parse().expect("n")))
        .collect();
    assert_eq!(offered.len(), spans.len(), "{outline}");
    assert!(offered.iter().all(|r| spans.contains(r)), "{outline}");

    let refs = text(one(&answers, 4));
    let total = cart["symbols"]
        .as_array()
        .expect("symbols")
        .iter()
        .find(|s| s["qualified_name"] == "Cart.total")
        .expect("Cart.total in scan");
    let line = format!(
        "@src/shop/cart.py#L{}-{}  Cart.total  method  {} tokens",
        total["start_line"], total["end_line"], total["tokens"]
    );
    assert!(refs.contains(&line), "{line} in {refs}");

    let cost = text(one(&answers, 5));
    assert!(
        cost.contains(&format!(
            "src/shop/cart.py: {} tokens, read {}",
            cart["tokens"], cart["read_tokens"]
        )),
        "{cost}"
    );
    assert!(cost.contains("src/: "), "{cost}");
}

#[test]
fn malformed_lines_unknown_tools_and_outside_paths_get_errors_and_the_server_goes_on() {
    let outside = tempfile::tempdir().expect("dir");
    std::fs::write(outside.path().join("secret.txt"), "secret\n").expect("write");
    let mut lines = initialize();
    lines.push("this is not JSON {".to_string());
    lines.push("x".repeat(5 << 20));
    lines.push(call(2, "no_such_tool", json!({})));
    lines.push(call(
        3,
        "outline",
        json!({"path": outside.path().join("secret.txt")}),
    ));
    lines.push(call(
        4,
        "outline",
        json!({"path": "../../../../etc/passwd"}),
    ));
    lines.push(call(5, "outline", json!({})));
    lines.push(call(6, "refs", json!({"query": 42})));
    lines.push(call(7, "cost", json!({"paths": []})));
    lines.push(
        json!({"jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": "x"}).to_string(),
    );
    lines.push(call(9, "outline", json!({"path": "src"})));
    lines.push(json!({"jsonrpc": "2.0", "id": 10, "method": "ping"}).to_string());
    let (answers, exited) = session(Path::new(SHOP), &lines);
    assert!(exited);
    let parse_errors = answers.get("null").map_or(0, |list| {
        list.iter().filter(|a| a["error"]["code"] == -32700).count()
    });
    assert_eq!(parse_errors, 2, "{answers:?}");
    assert_eq!(one(&answers, 2)["error"]["code"], -32602);
    for id in [3, 4, 5, 6, 7, 9] {
        let answer = one(&answers, id);
        assert_eq!(answer["result"]["isError"], true, "{id}: {answer}");
    }
    assert!(text(one(&answers, 3)).contains("outside the project"));
    assert!(!text(one(&answers, 3)).contains("secret\n"));
    assert!(
        one(&answers, 10)["result"].is_object(),
        "the server goes on"
    );
}

/// The server keeps its index between calls; a file edited, added or
/// removed between two calls is seen by the second (with stamps trusted
/// at once, so the stat-only check is the one that decides).
#[test]
fn a_warm_server_sees_every_edit_between_calls() {
    sees_every_edit_between_calls(Some("0"));
}

/// The same with the real settle margin: every stamp is fresh when the
/// server rebuilds, so it checks by the stamps it took before reading.
#[test]
fn a_warm_server_sees_every_edit_right_after_it_rebuilt() {
    sees_every_edit_between_calls(None);
}

fn sees_every_edit_between_calls(settle_margin: Option<&str>) {
    use std::io::BufRead;
    let repo = crate::util::Repo::new();
    let cache = tempfile::tempdir().expect("cache");
    repo.write("src/a.py", "def alpha():\n    return 1\n")
        .write("src/b.py", "def beta():\n    return 2\n");
    let mut server = Command::new(env!("CARGO_BIN_EXE_ctxbudget"));
    server
        .args(["mcp", "-t", "cl100k", "--root"])
        .arg(repo.path())
        .env("CTXBUDGET_CACHE_DIR", cache.path());
    if let Some(nanos) = settle_margin {
        server.env("CTXBUDGET_TEST_SETTLED_NANOS", nanos);
    }
    let mut child = server
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let mut stdin = child.stdin.take().expect("piped");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("piped"));
    let mut ask = |line: String, id: u64| -> Value {
        writeln!(stdin, "{line}").expect("written");
        stdin.flush().expect("flushed");
        loop {
            let mut answer = String::new();
            assert!(
                stdout.read_line(&mut answer).expect("read") > 0,
                "server gone"
            );
            let value: Value = serde_json::from_str(&answer).expect("JSON");
            if value["id"] == json!(id) {
                return value;
            }
        }
    };
    let mut lines = initialize().into_iter();
    let init = lines.next().expect("initialize");
    let initialized = lines.next().expect("initialized");
    // The notification rides along with the first request.
    ask(format!("{init}\n{initialized}"), 1);
    let refs = |id: u64, query: &str| call(id, "refs", json!({"query": query}));
    assert!(text(&ask(refs(2, "gamma"), 2)).contains("no symbol"));
    assert!(text(&ask(refs(3, "alpha"), 3)).contains("@src/a.py#L1-2"));
    // Same size: only the times and the contents tell.
    repo.write("src/a.py", "def gamma():\n    return 1\n");
    let answer = ask(refs(4, "gamma"), 4);
    assert!(text(&answer).contains("@src/a.py#L1-2"), "{answer}");
    repo.write("src/new/c.py", "def delta():\n    return 3\n");
    let answer = ask(refs(5, "delta"), 5);
    assert!(text(&answer).contains("@src/new/c.py#L1-2"), "{answer}");
    std::fs::remove_file(repo.join("src/b.py")).expect("rm");
    let answer = ask(refs(6, "beta"), 6);
    assert!(!text(&answer).contains("src/b.py"), "{answer}");
    drop(stdin);
    let _ = child.wait();
}
