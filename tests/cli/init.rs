//! `ctxbudget init`: the hook and deny rules merged into Claude Code's
//! settings files of many shapes, a second run that writes nothing,
//! `--remove` back to the bytes before, and every refusal writing nothing.

use std::path::Path;

use serde_json::{Value, json};

use crate::util::{Outcome, Repo, ctxbudget_env, ctxbudget_stdin};

/// A project with a lock file worth a deny rule and a source file over the
/// hook's threshold.
fn project() -> (Repo, tempfile::TempDir) {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.join(".git")).expect("git dir");
    let mut lock = String::from("{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n");
    for i in 0..600 {
        lock.push_str(&format!(
            "    \"node_modules/p{i}\": {{\"version\": \"1.0.{i}\", \"integrity\": \"sha512-{i:0>60}\"}},\n"
        ));
    }
    lock.push_str("    \"\": {}\n  }\n}\n");
    repo.write("package-lock.json", lock);
    let mut code = String::new();
    for i in 0..400 {
        code.push_str(&format!(
            "def price_{i}(order, rate):\n    return sum(l.quantity * l.unit_price for l in order.lines) * (100 + rate) // 100 - {i}\n\n\n"
        ));
    }
    repo.write("src/orders.py", code);
    repo.write("src/small.py", "x = 1\n");
    (repo, tempfile::tempdir().expect("cache"))
}

fn init(repo: &Repo, cache: &tempfile::TempDir, args: &[&str]) -> Outcome {
    let mut all = vec!["init"];
    all.extend_from_slice(args);
    ctxbudget_env(
        repo.path(),
        &all,
        &[
            ("CTXBUDGET_CACHE_DIR", cache.path()),
            ("HOME", &repo.join("home")),
        ],
    )
}

fn settings(repo: &Repo, name: &str) -> Value {
    let text = std::fs::read_to_string(repo.join(name)).expect("settings written");
    serde_json::from_str(&text).expect("valid JSON")
}

fn read(repo: &Repo, rel: &str) -> String {
    std::fs::read_to_string(repo.join(rel)).expect("readable")
}

const SETTINGS: &str = ".claude/settings.json";

#[test]
fn a_new_project_gets_the_hook_and_the_rules_scan_advises() {
    let (repo, cache) = project();
    let outcome = init(&repo, &cache, &[]);
    outcome.expect_code(0);
    let value = settings(&repo, SETTINGS);
    assert_eq!(
        value["hooks"]["PreToolUse"],
        json!([{"matcher": "Read|Bash", "hooks": [{"type": "command", "command": "ctxbudget hook", "timeout": 30}]}])
    );
    assert_eq!(
        value["permissions"]["deny"],
        json!(["Read(./package-lock.json)"])
    );
    // The same rules scan prints.
    let scan = repo.scan_json(&[]);
    assert_eq!(value["permissions"]["deny"], scan["advice"]["deny"]);
    assert!(
        outcome.stdout.contains("Read(./package-lock.json)"),
        "{}",
        outcome.stdout
    );
    assert!(
        !repo.join(".claude/settings.json.ctxbudget.bak").exists(),
        "nothing to back up"
    );
}

#[test]
fn every_key_hook_and_rule_already_there_is_kept_in_place_and_a_second_run_writes_nothing() {
    let (repo, cache) = project();
    let before = r#"{
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "model": "opus",
  "env": {
    "Z_LAST": "1",
    "A_FIRST": "2"
  },
  "permissions": {
    "allow": [
      "Bash(npm test)"
    ],
    "deny": [
      "Read(./.env)",
      "Read(./package-lock.json)"
    ],
    "defaultMode": "acceptEdits"
  },
  "hooks": {
    "PreToolUse": [
      {
        "matcher": "Bash",
        "hooks": [
          {
            "type": "command",
            "command": "./scripts/check-bash.sh"
          }
        ]
      }
    ],
    "PostToolUse": [
      {
        "matcher": "Edit",
        "hooks": [
          {
            "type": "command",
            "command": "cargo fmt"
          }
        ]
      }
    ]
  }
}
"#;
    repo.write(SETTINGS, before);
    init(&repo, &cache, &[]).expect_code(0);
    let after = read(&repo, SETTINGS);
    let value: Value = serde_json::from_str(&after).expect("JSON");
    let old: Value = serde_json::from_str(before).expect("JSON");
    // Everything that was there is there, in the same order.
    let keys = |v: &Value| {
        v.as_object()
            .expect("test value")
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&value), keys(&old));
    assert_eq!(keys(&value["env"]), ["Z_LAST", "A_FIRST"]);
    assert_eq!(
        value["permissions"]["deny"], old["permissions"]["deny"],
        "the rule was already there"
    );
    assert_eq!(value["permissions"]["defaultMode"], "acceptEdits");
    assert_eq!(value["hooks"]["PostToolUse"], old["hooks"]["PostToolUse"]);
    let groups = value["hooks"]["PreToolUse"].as_array().expect("test value");
    assert_eq!(groups.len(), 2);
    assert_eq!(
        groups[0], old["hooks"]["PreToolUse"][0],
        "the user's hook stays first"
    );
    assert_eq!(groups[1]["hooks"][0]["command"], "ctxbudget hook");
    // Only the added lines differ: the file keeps its layout.
    let added: Vec<&str> = after.lines().filter(|l| !before.contains(l)).collect();
    assert!(
        added.iter().all(|l| !l.contains("Bash(npm test)")),
        "{added:?}"
    );
    assert_eq!(read(&repo, ".claude/settings.json.ctxbudget.bak"), before);

    // The second run: the same bytes, no write at all.
    let modified = std::fs::metadata(repo.join(SETTINGS))
        .expect("test value")
        .modified()
        .expect("test value");
    let record = read(&repo, ".claude/ctxbudget-init.json");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = init(&repo, &cache, &[]);
    second.expect_code(0);
    assert!(second.stdout.contains("up to date"), "{}", second.stdout);
    assert_eq!(read(&repo, SETTINGS), after);
    assert_eq!(read(&repo, ".claude/ctxbudget-init.json"), record);
    assert_eq!(
        std::fs::metadata(repo.join(SETTINGS))
            .expect("test value")
            .modified()
            .expect("test value"),
        modified
    );

    // --remove takes out exactly what init added: the bytes before.
    init(&repo, &cache, &["--remove"]).expect_code(0);
    assert_eq!(read(&repo, SETTINGS), before);
    assert!(!repo.join(".claude/ctxbudget-init.json").exists());
}

#[test]
fn a_hook_that_already_runs_ctxbudget_is_not_added_twice_nor_removed() {
    let (repo, cache) = project();
    let before = json!({"hooks": {"PreToolUse": [{"matcher": "Read", "hooks": [
        {"type": "command", "command": "/opt/bin/ctxbudget hook --read-tokens 9000"}]}]}});
    repo.write(
        SETTINGS,
        serde_json::to_string_pretty(&before).expect("test value"),
    );
    let outcome = init(&repo, &cache, &["--no-deny"]);
    outcome.expect_code(0);
    assert!(
        outcome.stdout.contains("already there"),
        "{}",
        outcome.stdout
    );
    assert_eq!(settings(&repo, SETTINGS), before);
    init(&repo, &cache, &["--remove"]).expect_code(0);
    assert_eq!(
        settings(&repo, SETTINGS),
        before,
        "init did not add it, so it stays"
    );
}

#[test]
fn shapes_claude_code_writes_merge_cleanly() {
    for (name, before) in [
        ("empty file", ""),
        ("empty object", "{}"),
        ("one line", r#"{"model":"sonnet"}"#),
        (
            "tabs",
            "{\n\t\"model\": \"sonnet\",\n\t\"permissions\": {\n\t\t\"deny\": []\n\t}\n}\n",
        ),
        ("empty hooks", "{\n  \"hooks\": {}\n}\n"),
        ("byte order mark", "\u{feff}{\"model\": \"sonnet\"}"),
    ] {
        let (repo, cache) = project();
        repo.write(SETTINGS, before);
        init(&repo, &cache, &[]).expect_code(0);
        let value = settings(&repo, SETTINGS);
        assert_eq!(
            value["hooks"]["PreToolUse"][0]["hooks"][0]["command"], "ctxbudget hook",
            "{name}"
        );
        assert_eq!(
            value["permissions"]["deny"][0], "Read(./package-lock.json)",
            "{name}"
        );
        if name == "tabs" {
            assert!(read(&repo, SETTINGS).contains("\n\t\"model\""), "tabs kept");
        }
        init(&repo, &cache, &["--remove"]).expect_code(0);
        let back: Value =
            serde_json::from_str(read(&repo, SETTINGS).trim_start_matches('\u{feff}'))
                .unwrap_or(json!({}));
        let old: Value =
            serde_json::from_str(before.trim_start_matches('\u{feff}')).unwrap_or(json!({}));
        assert_eq!(back, old, "{name}: --remove gives the same settings back");
    }
}

#[test]
fn invalid_json_and_wrong_shapes_are_refused_naming_the_line_and_nothing_is_written() {
    for (before, needle) in [
        ("{\n  \"model\": \"opus\",\n}\n", "line 3"),
        ("{\n  // a comment\n  \"model\": \"opus\"\n}\n", "line 2"),
        ("[\"not\", \"an\", \"object\"]", "not an object"),
        ("{\"hooks\": [\"wrong\"]}", "\"hooks\" is not an object"),
        (
            "{\"permissions\": {\"deny\": \"Read(./x)\"}}",
            "\"permissions.deny\" is not an array",
        ),
    ] {
        let (repo, cache) = project();
        repo.write(SETTINGS, before);
        let outcome = init(&repo, &cache, &[]);
        outcome.expect_code(2);
        assert!(
            outcome.stderr.contains(needle),
            "{needle}: {}",
            outcome.stderr
        );
        assert!(
            outcome.stderr.contains(".claude/settings.json"),
            "{}",
            outcome.stderr
        );
        assert_eq!(read(&repo, SETTINGS), before);
        assert!(!repo.join(".claude/ctxbudget-init.json").exists());
        assert!(!repo.join(".claude/settings.json.ctxbudget.bak").exists());
    }
}

#[test]
fn a_read_only_settings_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let (repo, cache) = project();
    repo.write(SETTINGS, "{}\n");
    let path = repo.join(SETTINGS);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("test value");
    let outcome = init(&repo, &cache, &[]);
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("read-only"), "{}", outcome.stderr);
    assert_eq!(read(&repo, SETTINGS), "{}\n");
    assert!(!repo.join(".claude/settings.json.ctxbudget.bak").exists());
}

#[test]
fn a_settings_file_linked_outside_the_project_is_refused() {
    let (repo, cache) = project();
    let outside = tempfile::tempdir().expect("test value");
    std::fs::write(outside.path().join("settings.json"), "{}\n").expect("test value");
    std::fs::create_dir_all(repo.join(".claude")).expect("test value");
    std::os::unix::fs::symlink(outside.path().join("settings.json"), repo.join(SETTINGS))
        .expect("test value");
    let outcome = init(&repo, &cache, &[]);
    outcome.expect_code(2);
    assert!(
        outcome.stderr.contains("outside the project"),
        "{}",
        outcome.stderr
    );
    assert_eq!(
        std::fs::read_to_string(outside.path().join("settings.json")).expect("test value"),
        "{}\n"
    );
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let (repo, cache) = project();
    repo.write(SETTINGS, "{\n  \"model\": \"opus\"\n}\n");
    let outcome = init(&repo, &cache, &["--dry-run"]);
    outcome.expect_code(0);
    assert!(
        outcome.stdout.contains("--- a/.claude/settings.json"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("+++ b/.claude/settings.json"),
        "{}",
        outcome.stdout
    );
    let added: Vec<&str> = outcome
        .stdout
        .lines()
        .filter(|l| l.starts_with("+ "))
        .collect();
    assert!(
        added
            .iter()
            .any(|l| l.trim_start_matches(['+', ' ']) == "\"Read(./package-lock.json)\""),
        "{added:?}"
    );
    assert!(
        added
            .iter()
            .any(|l| l.trim_start_matches(['+', ' ']) == "\"command\": \"ctxbudget hook\","),
        "{added:?}"
    );
    assert!(
        outcome
            .stdout
            .contains("-  \"model\": \"opus\"\n+  \"model\": \"opus\","),
        "{}",
        outcome.stdout
    );
    assert_eq!(read(&repo, SETTINGS), "{\n  \"model\": \"opus\"\n}\n");
    assert!(!repo.join(".claude/ctxbudget-init.json").exists());
}

#[test]
fn rules_init_added_that_are_no_longer_advised_are_taken_out_but_not_the_users() {
    let (repo, cache) = project();
    repo.write(
        SETTINGS,
        "{\"permissions\": {\"deny\": [\"Read(./mine.txt)\"]}}",
    );
    init(&repo, &cache, &[]).expect_code(0);
    std::fs::remove_file(repo.join("package-lock.json")).expect("test value");
    let outcome = init(&repo, &cache, &[]);
    outcome.expect_code(0);
    assert!(
        outcome.stdout.contains("no longer advises"),
        "{}",
        outcome.stdout
    );
    assert_eq!(
        settings(&repo, SETTINGS)["permissions"]["deny"],
        json!(["Read(./mine.txt)"])
    );
}

#[test]
fn local_and_user_scopes_write_their_own_files() {
    let (repo, cache) = project();
    init(&repo, &cache, &["--local"]).expect_code(0);
    assert!(repo.join(".claude/settings.local.json").exists());
    assert!(!repo.join(SETTINGS).exists());
    let outcome = init(&repo, &cache, &["--user"]);
    outcome.expect_code(0);
    let user = settings(&repo, "home/.claude/settings.json");
    assert_eq!(
        user["hooks"]["PreToolUse"][0]["hooks"][0]["command"],
        "ctxbudget hook"
    );
    assert!(
        user.get("permissions").is_none(),
        "deny rules are per project"
    );
    init(&repo, &cache, &["--user", "--remove"]).expect_code(0);
    assert_eq!(settings(&repo, "home/.claude/settings.json"), json!({}));
}

#[test]
fn the_hook_answers_from_the_cache_init_prepared() {
    let (repo, cache) = project();
    init(&repo, &cache, &["--no-deny"]).expect_code(0);
    let decisions = cache.path().join("guard/decisions");
    let prepared = std::fs::read_dir(&decisions)
        .map(|d| d.count())
        .unwrap_or(0);
    assert!(prepared >= 1, "init weighed the large file");
    let call = json!({
        "session_id": "s1",
        "cwd": repo.path(),
        "hook_event_name": "PreToolUse",
        "tool_name": "Read",
        "tool_input": {"file_path": repo.join("src/orders.py")},
    });
    let outcome = ctxbudget_stdin(
        repo.path(),
        &["hook"],
        &[("CTXBUDGET_CACHE_DIR", cache.path())],
        call.to_string().as_bytes(),
    );
    outcome.expect_code(0);
    assert!(outcome.stdout.contains("\"deny\""), "{}", outcome.stdout);
    let after = std::fs::read_dir(&decisions)
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(
        after, prepared,
        "the hook found init's decision: it wrote no new one"
    );
}

#[test]
fn the_plugin_installs_the_same_hook_init_writes_at_the_crate_version() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let load = |rel: &str| -> Value {
        let text = std::fs::read_to_string(manifest.join(rel)).expect("plugin file");
        serde_json::from_str(&text).expect("plugin JSON")
    };
    let (repo, cache) = project();
    init(&repo, &cache, &["--no-deny"]).expect_code(0);
    let written = settings(&repo, SETTINGS);
    let plugin_hooks = load("hooks/hooks.json");
    assert_eq!(plugin_hooks["hooks"], written["hooks"]);
    let plugin = load(".claude-plugin/plugin.json");
    assert_eq!(plugin["name"], "ctxbudget");
    assert_eq!(
        plugin["mcpServers"],
        settings(&repo, ".mcp.json")["mcpServers"],
        "the plugin's server is the one init adds"
    );
    assert_eq!(plugin["version"], env!("CARGO_PKG_VERSION"));
    let marketplace = load(".claude-plugin/marketplace.json");
    assert_eq!(marketplace["plugins"][0]["name"], plugin["name"]);
    assert_eq!(marketplace["plugins"][0]["source"], "./");
    assert_eq!(marketplace["plugins"][0]["version"], plugin["version"]);
}

#[test]
fn the_mcp_server_joins_the_servers_already_in_mcp_json_and_leaves_with_remove() {
    let (repo, cache) = project();
    let before =
        "{\n  \"mcpServers\": {\n    \"github\": {\n      \"command\": \"gh-mcp\"\n    }\n  }\n}\n";
    repo.write(".mcp.json", before);
    init(&repo, &cache, &["--no-deny"]).expect_code(0);
    let value = settings(&repo, ".mcp.json");
    let servers: Vec<&String> = value["mcpServers"]
        .as_object()
        .expect("servers")
        .keys()
        .collect();
    assert_eq!(servers, ["github", "ctxbudget"]);
    let second = init(&repo, &cache, &["--no-deny"]);
    assert!(
        second
            .stdout
            .contains(".mcp.json: the MCP server is already there"),
        "{}",
        second.stdout
    );
    init(&repo, &cache, &["--remove"]).expect_code(0);
    assert_eq!(read(&repo, ".mcp.json"), before);
    let (repo, cache) = project();
    init(&repo, &cache, &["--no-mcp"]).expect_code(0);
    assert!(!repo.join(".mcp.json").exists());
}

#[test]
fn a_backup_name_linked_out_of_the_project_is_refused() {
    let (repo, cache) = project();
    repo.write(SETTINGS, "{}\n");
    let outside = tempfile::tempdir().expect("dir");
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "keep me\n").expect("write");
    std::os::unix::fs::symlink(&victim, repo.join(".claude/settings.json.ctxbudget.bak"))
        .expect("ln");
    let outcome = init(&repo, &cache, &[]);
    outcome.expect_code(2);
    assert!(
        outcome.stderr.contains("outside the project"),
        "{}",
        outcome.stderr
    );
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep me\n");
    assert_eq!(read(&repo, SETTINGS), "{}\n", "nothing written");
}
