//! Claude Code's settings file as `init` edits it: the Read guard hook and
//! deny rules merged into whatever the file already holds, and taken out
//! again by what a record says `init` added. Every key, hook and rule
//! that was there stays as it was, in its place; nothing is added twice.
//! Pure: text in, text out.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The hook command `init` adds (the binary is taken from `PATH`).
pub(crate) const HOOK_COMMAND: &str = "ctxbudget hook";

/// The tools the guard looks at.
pub(crate) const HOOK_MATCHER: &str = "Read|Bash";

/// Seconds Claude Code waits for the hook before letting the call through
/// (its default is ten minutes).
pub(crate) const HOOK_TIMEOUT_SECONDS: u64 = 30;

/// The `PreToolUse` entry `init` adds.
pub(crate) fn hook_group() -> Value {
    serde_json::json!({
        "matcher": HOOK_MATCHER,
        "hooks": [{
            "type": "command",
            "command": HOOK_COMMAND,
            "timeout": HOOK_TIMEOUT_SECONDS,
        }],
    })
}

/// A settings file as read: its object, and how it was laid out so a
/// rewrite keeps the indentation and the final newline.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// The top-level object, keys in file order.
    pub(crate) root: Map<String, Value>,
    indent: String,
    final_newline: bool,
}

impl Settings {
    /// Parses a settings file's text (empty or blank text is `{}`). The
    /// error names the line and column.
    pub(crate) fn parse(text: &str) -> Result<Settings, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Ok(Settings {
                root: Map::new(),
                indent: "  ".to_string(),
                final_newline: true,
            });
        }
        let value: Value = serde_json::from_str(text).map_err(|e| {
            format!(
                "it is not valid JSON (line {}, column {}: {}); nothing was written\nhint: fix the file (settings files take no comments or trailing commas) and run again",
                e.line(),
                e.column(),
                strip_position(&e.to_string())
            )
        })?;
        let Value::Object(root) = value else {
            return Err(
                "it holds JSON that is not an object; nothing was written\nhint: a settings file is one JSON object"
                    .to_string(),
            );
        };
        Ok(Settings {
            root,
            indent: detect_indent(text),
            final_newline: text.ends_with('\n'),
        })
    }

    /// The file's text, laid out as it was.
    pub(crate) fn render(&self) -> String {
        use serde::Serialize as _;
        let mut bytes = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(self.indent.as_bytes());
        let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, formatter);
        // A map of JSON values always serializes.
        let _ = self.root.serialize(&mut serializer);
        let mut text = String::from_utf8(bytes).unwrap_or_default();
        if self.final_newline {
            text.push('\n');
        }
        text
    }
}

/// serde_json appends " at line N column M", which the message already says.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |at| &message[..at])
}

/// The indentation of the first indented line (two spaces when none is).
fn detect_indent(text: &str) -> String {
    text.lines()
        .skip(1)
        .map(|line| {
            let width = line.len() - line.trim_start_matches([' ', '\t']).len();
            &line[..width]
        })
        .find(|indent| !indent.is_empty())
        .map_or_else(|| "  ".to_string(), str::to_string)
}

/// What `init` added to one settings file, kept so `--remove` takes out
/// exactly that.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Added {
    /// Whether `init` added the hook entry.
    #[serde(default)]
    pub(crate) hook: bool,
    /// The deny rules `init` added (not those that were there before).
    #[serde(default)]
    pub(crate) deny: Vec<String>,
    /// Containers `init` created (`hooks`, `hooks.PreToolUse`,
    /// `permissions`, `permissions.deny`, `mcpServers`), removed again
    /// when left empty.
    #[serde(default)]
    pub(crate) created: Vec<String>,
    /// Whether `init` added the MCP server entry (`.mcp.json`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) mcp: bool,
}

/// The record `init` keeps beside the settings files it edited: what it
/// added to each, by file name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Record {
    /// The record's format.
    pub(crate) version: u32,
    /// What `init` added, per settings file name.
    #[serde(default)]
    pub(crate) files: std::collections::BTreeMap<String, Added>,
}

impl Record {
    /// The record's format version.
    pub(crate) const VERSION: u32 = 1;

    /// The record as written (pretty JSON, final newline).
    pub(crate) fn render(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

impl Added {
    /// Whether `init` has nothing of its own in the file.
    pub(crate) fn is_empty(&self) -> bool {
        !self.hook && !self.mcp && self.deny.is_empty() && self.created.is_empty()
    }
}

/// What a merge did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Merge {
    /// The hook entry was added now.
    pub(crate) hook_added: bool,
    /// A hook running `ctxbudget hook` was already there.
    pub(crate) hook_present: bool,
    /// Rules added now.
    pub(crate) deny_added: Vec<String>,
    /// Rules `init` had added before that are no longer advised, taken out.
    pub(crate) deny_retired: Vec<String>,
    /// Advised rules that were already there.
    pub(crate) deny_present: usize,
    /// The MCP server entry was added now (`.mcp.json`).
    pub(crate) mcp_added: bool,
    /// A server running `ctxbudget mcp` was already there.
    pub(crate) mcp_present: bool,
    /// What `init` has added to the file after this merge.
    pub(crate) added: Added,
}

impl Merge {
    /// Whether the file changes.
    pub(crate) fn changed(&self) -> bool {
        self.hook_added
            || self.mcp_added
            || !self.deny_added.is_empty()
            || !self.deny_retired.is_empty()
    }
}

impl Removal {
    /// Whether the file changes.
    pub(crate) fn changed(&self) -> bool {
        self.hooks_removed > 0 || self.mcp_removed || !self.deny_removed.is_empty()
    }
}

/// Merges the hook (when `hook`) and the advised `rules` (`None`: leave
/// the rules as they are) into `settings`. `before` is what an earlier
/// `init` recorded: its rules that are no longer advised are taken out,
/// the rest kept. Errors when a key the merge needs has the wrong shape
/// (nothing is changed then).
pub(crate) fn merge(
    settings: &mut Settings,
    hook: bool,
    rules: Option<&[String]>,
    before: &Added,
) -> Result<Merge, String> {
    check_shapes(&settings.root)?;
    let root = &mut settings.root;
    let mut merge = Merge::default();
    let mut created = before.created.clone();
    let mut create = |name: &str, created_now: bool| {
        if created_now && !created.iter().any(|c| c == name) {
            created.push(name.to_string());
        }
    };

    merge.hook_present = pre_tool_use(root).is_some_and(|groups| {
        groups
            .iter()
            .any(|g| group_hooks(g).is_some_and(|h| h.iter().any(is_ctxbudget_hook)))
    });
    if hook && !merge.hook_present {
        let (hooks, fresh) = object_entry(root, "hooks");
        create("hooks", fresh);
        let (groups, fresh) = array_entry(hooks, "PreToolUse");
        create("hooks.PreToolUse", fresh);
        groups.push(hook_group());
        merge.hook_added = true;
    }
    let hook_is_ours = merge.hook_added || (before.hook && merge.hook_present);

    let Some(rules) = rules else {
        let mut ours = before.deny.clone();
        if let Some(deny) = deny_rules(root) {
            ours.retain(|r| deny.iter().any(|v| v.as_str() == Some(r.as_str())));
        } else {
            ours.clear();
        }
        merge.added = Added {
            hook: hook_is_ours,
            deny: ours,
            created,
            mcp: false,
        };
        return Ok(merge);
    };
    let mut ours: Vec<String> = Vec::new();
    let stale: Vec<&String> = before.deny.iter().filter(|r| !rules.contains(r)).collect();
    if let Some(deny) = deny_rules(root) {
        for rule in &stale {
            if let Some(at) = deny.iter().position(|v| v.as_str() == Some(rule.as_str())) {
                deny.remove(at);
                merge.deny_retired.push((*rule).clone());
            }
        }
    }
    if !rules.is_empty() {
        let (permissions, fresh) = object_entry(root, "permissions");
        create("permissions", fresh);
        let (deny, fresh) = array_entry(permissions, "deny");
        create("permissions.deny", fresh);
        for rule in rules {
            let present = deny.iter().any(|v| v.as_str() == Some(rule.as_str()));
            let recorded = before.deny.contains(rule);
            if present {
                if recorded {
                    ours.push(rule.clone());
                } else {
                    merge.deny_present += 1;
                }
            } else {
                deny.push(Value::String(rule.clone()));
                merge.deny_added.push(rule.clone());
                ours.push(rule.clone());
            }
        }
    }
    // Containers emptied by retiring rules go when init made them.
    drop_empty(root, &mut created);
    merge.added = Added {
        hook: hook_is_ours,
        deny: ours,
        created,
        mcp: false,
    };
    Ok(merge)
}

/// What a removal did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Removal {
    /// Hook entries running `ctxbudget hook` taken out.
    pub(crate) hooks_removed: usize,
    /// Rules taken out.
    pub(crate) deny_removed: Vec<String>,
    /// Recorded rules no longer in the file (removed by hand).
    pub(crate) deny_missing: usize,
    /// The MCP server entry taken out.
    pub(crate) mcp_removed: bool,
}

/// Takes out what `added` says `init` added.
pub(crate) fn remove(settings: &mut Settings, added: &Added) -> Result<Removal, String> {
    check_shapes(&settings.root)?;
    let root = &mut settings.root;
    let mut removal = Removal::default();
    if added.hook
        && let Some(groups) = pre_tool_use(root)
    {
        for group in groups.iter_mut() {
            if let Some(hooks) = group_hooks_mut(group) {
                let before = hooks.len();
                hooks.retain(|h| !is_ctxbudget_hook(h));
                removal.hooks_removed += before - hooks.len();
            }
        }
        groups.retain(|g| group_hooks(g).is_none_or(|h| !h.is_empty()));
    }
    if let Some(deny) = deny_rules(root) {
        for rule in &added.deny {
            match deny.iter().position(|v| v.as_str() == Some(rule.as_str())) {
                Some(at) => {
                    deny.remove(at);
                    removal.deny_removed.push(rule.clone());
                }
                None => removal.deny_missing += 1,
            }
        }
    } else {
        removal.deny_missing = added.deny.len();
    }
    if added.mcp
        && let Some(servers) = root.get_mut(MCP_SERVERS).and_then(Value::as_object_mut)
    {
        let before = servers.len();
        servers.retain(|_, server| !is_ctxbudget_server(server));
        removal.mcp_removed = servers.len() < before;
    }
    let mut created = added.created.clone();
    drop_empty(root, &mut created);
    Ok(removal)
}

/// The key of a project's `.mcp.json` that lists servers.
const MCP_SERVERS: &str = "mcpServers";

/// The server entry `init` adds to `.mcp.json`.
pub(crate) fn mcp_server() -> Value {
    serde_json::json!({ "command": "ctxbudget", "args": ["mcp"] })
}

/// Merges the MCP server into a project's `.mcp.json` (as `ctxbudget`,
/// or `ctxbudget-mcp` when that name is taken by another server), unless
/// a server already runs `ctxbudget mcp`.
pub(crate) fn merge_mcp(settings: &mut Settings, before: &Added) -> Result<Merge, String> {
    if let Some(servers) = settings.root.get(MCP_SERVERS)
        && !servers.is_object()
    {
        return Err(format!(
            "its \"{MCP_SERVERS}\" is not an object; nothing was written\nhint: fix it by hand (Claude Code would not read it either)"
        ));
    }
    let mut merge = Merge::default();
    let mut created = before.created.clone();
    let (servers, fresh) = object_entry(&mut settings.root, MCP_SERVERS);
    if fresh && !created.iter().any(|c| c == MCP_SERVERS) {
        created.push(MCP_SERVERS.to_string());
    }
    merge.mcp_present = servers.values().any(is_ctxbudget_server);
    if !merge.mcp_present {
        let name = ["ctxbudget", "ctxbudget-mcp", "ctxbudget-tools"]
            .into_iter()
            .find(|n| !servers.contains_key(*n));
        let Some(name) = name else {
            return Err("its server names ctxbudget, ctxbudget-mcp and ctxbudget-tools are all taken; nothing was written".into());
        };
        servers.insert(name.to_string(), mcp_server());
        merge.mcp_added = true;
    }
    merge.added = Added {
        mcp: merge.mcp_added || (before.mcp && merge.mcp_present),
        created,
        ..Added::default()
    };
    Ok(merge)
}

/// Whether an `.mcp.json` server entry runs `ctxbudget mcp`.
fn is_ctxbudget_server(server: &Value) -> bool {
    let Some(command) = server.get("command").and_then(Value::as_str) else {
        return false;
    };
    let name = command.rsplit(['/', '\\']).next().unwrap_or(command);
    let first_arg = server
        .get("args")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str);
    matches!(name, "ctxbudget" | "ctxbudget.exe") && first_arg == Some("mcp")
}

/// Refuses a file whose `hooks`, `hooks.PreToolUse`, `permissions` or
/// `permissions.deny` is not the shape Claude Code reads: a merge could
/// only lose what is there.
fn check_shapes(root: &Map<String, Value>) -> Result<(), String> {
    let wrong = |key: &str, shape: &str| {
        Err(format!(
            "its \"{key}\" is not {shape}; nothing was written\nhint: fix it by hand (Claude Code would not read it either)"
        ))
    };
    if let Some(hooks) = root.get("hooks") {
        let Some(hooks) = hooks.as_object() else {
            return wrong("hooks", "an object");
        };
        if let Some(groups) = hooks.get("PreToolUse") {
            let Some(groups) = groups.as_array() else {
                return wrong("hooks.PreToolUse", "an array");
            };
            if groups.iter().any(|g| !g.is_object()) {
                return wrong("hooks.PreToolUse", "an array of objects");
            }
        }
    }
    if let Some(permissions) = root.get("permissions") {
        let Some(permissions) = permissions.as_object() else {
            return wrong("permissions", "an object");
        };
        if permissions.get("deny").is_some_and(|d| !d.is_array()) {
            return wrong("permissions.deny", "an array");
        }
    }
    Ok(())
}

/// Whether a hook entry runs `ctxbudget hook` (by any path to the binary,
/// with any flags).
fn is_ctxbudget_hook(hook: &Value) -> bool {
    let Some(command) = hook.get("command").and_then(Value::as_str) else {
        return false;
    };
    let mut words = command.split_whitespace();
    let program = words.next().unwrap_or_default().trim_matches(['"', '\'']);
    let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
    matches!(name, "ctxbudget" | "ctxbudget.exe") && words.next() == Some("hook")
}

fn group_hooks(group: &Value) -> Option<&Vec<Value>> {
    group.get("hooks").and_then(Value::as_array)
}

fn group_hooks_mut(group: &mut Value) -> Option<&mut Vec<Value>> {
    group.get_mut("hooks").and_then(Value::as_array_mut)
}

fn pre_tool_use(root: &mut Map<String, Value>) -> Option<&mut Vec<Value>> {
    root.get_mut("hooks")?.get_mut("PreToolUse")?.as_array_mut()
}

fn deny_rules(root: &mut Map<String, Value>) -> Option<&mut Vec<Value>> {
    root.get_mut("permissions")?.get_mut("deny")?.as_array_mut()
}

/// The object under `key`, created at the end when missing (`true`).
/// The shape was checked before.
fn object_entry<'m>(
    map: &'m mut Map<String, Value>,
    key: &str,
) -> (&'m mut Map<String, Value>, bool) {
    let fresh = !map.contains_key(key);
    let value = map
        .entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    (value.as_object_mut().expect("made an object"), fresh)
}

/// The array under `key`, created at the end when missing (`true`).
fn array_entry<'m>(map: &'m mut Map<String, Value>, key: &str) -> (&'m mut Vec<Value>, bool) {
    let fresh = !map.contains_key(key);
    let value = map
        .entry(key.to_string())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !value.is_array() {
        *value = Value::Array(Vec::new());
    }
    (value.as_array_mut().expect("made an array"), fresh)
}

/// Removes the containers in `created` that are empty now, innermost
/// first, and forgets them.
fn drop_empty(root: &mut Map<String, Value>, created: &mut Vec<String>) {
    if created.iter().any(|c| c == MCP_SERVERS) && root.get(MCP_SERVERS).is_some_and(is_empty) {
        root.remove(MCP_SERVERS);
        created.retain(|c| c != MCP_SERVERS);
    }
    for (outer, inner) in [("hooks", "PreToolUse"), ("permissions", "deny")] {
        let path = format!("{outer}.{inner}");
        if created.contains(&path)
            && let Some(object) = root.get_mut(outer).and_then(Value::as_object_mut)
            && object.get(inner).is_some_and(is_empty)
        {
            object.remove(inner);
            created.retain(|c| *c != path);
        }
        if created.iter().any(|c| c == outer) && root.get(outer).is_some_and(is_empty) {
            root.remove(outer);
            created.retain(|c| c != outer);
        }
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn an_empty_file_gets_the_hook_and_rules() {
        let mut settings = Settings::parse("").expect("test value");
        let merge = merge(
            &mut settings,
            true,
            Some(&rules(&["Read(./a.lock)"])),
            &Added::default(),
        )
        .expect("test value");
        assert!(merge.hook_added);
        assert_eq!(merge.deny_added, ["Read(./a.lock)"]);
        let text = settings.render();
        let value: Value = serde_json::from_str(&text).expect("test value");
        assert_eq!(value["hooks"]["PreToolUse"][0], hook_group());
        assert_eq!(value["permissions"]["deny"][0], "Read(./a.lock)");
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn existing_keys_keep_their_order_and_layout() {
        let text = "{\n    \"zeta\": 1,\n    \"alpha\": {\"b\": 2, \"a\": 1},\n    \"permissions\": {\"allow\": [\"Bash(ls)\"], \"deny\": [\"Read(./x)\"]}\n}";
        let mut settings = Settings::parse(text).expect("test value");
        let merge = merge(
            &mut settings,
            false,
            Some(&rules(&["Read(./x)", "Read(./y)"])),
            &Added::default(),
        )
        .expect("test value");
        assert_eq!(merge.deny_present, 1);
        assert_eq!(merge.deny_added, ["Read(./y)"]);
        let out = settings.render();
        assert!(!out.ends_with('\n'), "no final newline before, none after");
        let keys: Vec<&str> = [
            "\"zeta\"",
            "\"alpha\"",
            "\"b\"",
            "\"a\"",
            "\"permissions\"",
            "\"allow\"",
            "\"deny\"",
        ]
        .into_iter()
        .collect();
        let mut at = 0;
        for key in keys {
            let found = out[at..]
                .find(key)
                .unwrap_or_else(|| panic!("{key} after {at} in {out}"));
            at += found;
        }
        assert!(
            out.contains("\n    \"zeta\""),
            "four-space indent kept: {out}"
        );
        // Only the rule init added is recorded as ours.
        assert_eq!(merge.added.deny, ["Read(./y)"]);
    }

    #[test]
    fn a_second_merge_changes_nothing() {
        let mut settings = Settings::parse("{}").expect("test value");
        let first = merge(
            &mut settings,
            true,
            Some(&rules(&["Read(./a)"])),
            &Added::default(),
        )
        .expect("test value");
        let once = settings.render();
        let mut again = Settings::parse(&once).expect("test value");
        let second = merge(&mut again, true, Some(&rules(&["Read(./a)"])), &first.added)
            .expect("test value");
        assert_eq!(again.render(), once);
        assert!(!second.hook_added && second.hook_present);
        assert!(second.deny_added.is_empty());
        assert_eq!(second.added, first.added);
    }

    #[test]
    fn a_hook_already_running_ctxbudget_is_not_added_twice() {
        let text = r#"{"hooks":{"PreToolUse":[{"matcher":"Read","hooks":[{"type":"command","command":"/usr/local/bin/ctxbudget hook --read-tokens 8000"}]}]}}"#;
        let mut settings = Settings::parse(text).expect("test value");
        let merge = merge(&mut settings, true, None, &Added::default()).expect("test value");
        assert!(merge.hook_present && !merge.hook_added);
        assert!(
            !merge.added.hook,
            "a hook written by hand is not init's to remove"
        );
    }

    #[test]
    fn other_hooks_stay_beside_ours() {
        let text = r#"{"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"lint.sh"}]}],"Stop":[]}}"#;
        let mut settings = Settings::parse(text).expect("test value");
        merge(&mut settings, true, None, &Added::default()).expect("test value");
        let value: Value = serde_json::from_str(&settings.render()).expect("test value");
        let groups = value["hooks"]["PreToolUse"].as_array().expect("test value");
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0]["hooks"][0]["command"], "lint.sh");
        assert!(value["hooks"]["Stop"].is_array());
    }

    #[test]
    fn remove_takes_out_exactly_what_init_added() {
        let text =
            "{\n  \"permissions\": {\n    \"deny\": [\n      \"Read(./mine)\"\n    ]\n  }\n}\n";
        let mut settings = Settings::parse(text).expect("test value");
        let merge = merge(
            &mut settings,
            true,
            Some(&rules(&["Read(./mine)", "Read(./new)"])),
            &Added::default(),
        )
        .expect("test value");
        let removal = remove(&mut settings, &merge.added).expect("test value");
        assert_eq!(removal.hooks_removed, 1);
        assert_eq!(removal.deny_removed, ["Read(./new)"]);
        assert_eq!(settings.render(), text, "back to the bytes it had");
    }

    #[test]
    fn rules_no_longer_advised_are_retired_but_not_the_users() {
        let mut settings =
            Settings::parse(r#"{"permissions":{"deny":["Read(./users)"]}}"#).expect("test value");
        let first = merge(
            &mut settings,
            false,
            Some(&rules(&["Read(./old)"])),
            &Added::default(),
        )
        .expect("test value");
        let second = merge(
            &mut settings,
            false,
            Some(&rules(&["Read(./new)"])),
            &first.added,
        )
        .expect("test value");
        assert_eq!(second.deny_retired, ["Read(./old)"]);
        let value: Value = serde_json::from_str(&settings.render()).expect("test value");
        assert_eq!(
            value["permissions"]["deny"],
            serde_json::json!(["Read(./users)", "Read(./new)"])
        );
    }

    #[test]
    fn wrong_shapes_and_invalid_json_are_refused_with_the_line() {
        let error = Settings::parse("{\n  \"a\": 1,\n}\n").expect_err("an error");
        assert!(error.contains("line 3"), "{error}");
        assert!(Settings::parse("[1]").is_err());
        for text in [
            r#"{"hooks": []}"#,
            r#"{"hooks": {"PreToolUse": {}}}"#,
            r#"{"hooks": {"PreToolUse": [1]}}"#,
            r#"{"permissions": []}"#,
            r#"{"permissions": {"deny": "Read(./x)"}}"#,
        ] {
            let mut settings = Settings::parse(text).expect("test value");
            assert!(
                merge(
                    &mut settings,
                    true,
                    Some(&rules(&["Read(./x)"])),
                    &Added::default()
                )
                .is_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn the_mcp_server_is_added_once_beside_others_and_removed_exactly() {
        let text = "{\n  \"mcpServers\": {\n    \"ctxbudget\": {\n      \"command\": \"npx\",\n      \"args\": [\n        \"other\"\n      ]\n    }\n  }\n}\n";
        let mut settings = Settings::parse(text).expect("test value");
        let merge = merge_mcp(&mut settings, &Added::default()).expect("test value");
        assert!(merge.mcp_added && merge.added.mcp);
        let value: Value = serde_json::from_str(&settings.render()).expect("test value");
        assert_eq!(
            value["mcpServers"]["ctxbudget"]["command"], "npx",
            "the user's server stays"
        );
        assert_eq!(value["mcpServers"]["ctxbudget-mcp"], mcp_server());
        let again = merge_mcp(&mut settings, &merge.added).expect("test value");
        assert!(!again.changed() && again.added.mcp);
        let removal = remove(&mut settings, &again.added).expect("test value");
        assert!(removal.mcp_removed);
        assert_eq!(settings.render(), text);

        let mut empty = Settings::parse("").expect("test value");
        let merge = merge_mcp(&mut empty, &Added::default()).expect("test value");
        remove(&mut empty, &merge.added).expect("test value");
        assert_eq!(empty.render(), "{}\n");
        assert!(
            merge_mcp(
                &mut Settings::parse("{\"mcpServers\": []}").expect("test value"),
                &Added::default()
            )
            .is_err()
        );
    }

    #[test]
    fn only_ctxbudget_hook_commands_are_ours() {
        let hook = |c: &str| serde_json::json!({ "type": "command", "command": c });
        assert!(is_ctxbudget_hook(&hook("ctxbudget hook")));
        assert!(is_ctxbudget_hook(&hook(
            "\"/opt/bin/ctxbudget\" hook -t o200k"
        )));
        assert!(!is_ctxbudget_hook(&hook("ctxbudget scan")));
        assert!(!is_ctxbudget_hook(&hook("my-ctxbudget hook")));
        assert!(!is_ctxbudget_hook(
            &serde_json::json!({ "type": "command" })
        ));
    }
}
