//! `permissions.deny` rules for `.claude/settings.json`: the files a session
//! should never read whole, with directories collapsed to `/**` when every
//! priced file below them qualifies; and the translation of a `.claudeignore`
//! (which Claude Code does not read) into the rules that do work.

use std::collections::BTreeMap;

use crate::stats::FileStat;

/// One priced file as the deny planner sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate<'a> {
    /// `/`-separated path relative to the project root.
    pub(crate) path: &'a str,
    /// Why it should be denied, or `None` when a session may read it.
    pub(crate) reason: Option<&'a str>,
    /// Its tokens, to say what the rule saves.
    pub(crate) tokens: u64,
}

/// A ready-to-paste rule and what it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DenyRule {
    /// `Read(./path)` or `Read(./dir/**)`.
    pub(crate) rule: String,
    /// How many priced files it covers.
    pub(crate) files: u64,
    /// Their tokens.
    pub(crate) tokens: u64,
    /// Why (the file's reason, or a summary for a directory).
    pub(crate) reason: String,
}

/// What each priced file would be denied for, if anything.
pub(crate) fn candidates<'f>(
    files: &'f [FileStat],
    limits: &crate::budget::Limits,
) -> Vec<Candidate<'f>> {
    files
        .iter()
        .map(|f| {
            // A file this cheap is never worth a rule that could be wrong.
            let worth = f.read_tokens >= limits.advice_tokens;
            let flagged = f
                .verdicts
                .iter()
                .find(|v| v.flag.deny_worthy())
                .filter(|_| worth);
            let data = worth
                && f.kind == Some(crate::lang::Kind::Data)
                && f.tokens > limits.data_file_tokens;
            let reason = match (flagged, data) {
                (Some(v), _) => Some(v.flag.name()),
                (None, true) => Some("large data file"),
                (None, false) => None,
            };
            Candidate {
                path: &f.path,
                reason,
                tokens: f.tokens,
            }
        })
        .collect()
}

/// Plans the deny rules for `candidates` (every priced file of the scan).
/// A directory other than the root collapses to `Read(./dir/**)` when it
/// holds at least two priced files and all of them qualify. Rules are
/// sorted by path.
pub(crate) fn plan(candidates: &[Candidate<'_>]) -> Vec<DenyRule> {
    #[derive(Default)]
    struct Tally {
        total: u64,
        denied: u64,
        tokens: u64,
    }
    let mut dirs: BTreeMap<&str, Tally> = BTreeMap::new();
    for candidate in candidates {
        for (slash, _) in candidate.path.match_indices('/') {
            let tally = dirs.entry(&candidate.path[..slash]).or_default();
            tally.total += 1;
            if candidate.reason.is_some() {
                tally.denied += 1;
                tally.tokens += candidate.tokens;
            }
        }
    }
    let mut collapsed: Vec<&str> = Vec::new();
    let mut rules = Vec::new();
    // BTreeMap order puts a directory before everything below it.
    for (dir, tally) in &dirs {
        let under_collapsed = collapsed.iter().any(|c| is_below(dir, c));
        let Some(pattern) = pattern(dir) else {
            continue;
        };
        if !under_collapsed && tally.total >= 2 && tally.denied == tally.total {
            collapsed.push(dir);
            rules.push(DenyRule {
                rule: format!("Read(./{pattern}/**)"),
                files: tally.total,
                tokens: tally.tokens,
                reason: format!(
                    "all {} files below are never worth reading whole",
                    tally.total
                ),
            });
        }
    }
    for candidate in candidates {
        let Some(reason) = candidate.reason else {
            continue;
        };
        if collapsed.iter().any(|c| is_below(candidate.path, c)) {
            continue;
        }
        // A name no rule can state exactly gets no rule: a wrong rule
        // denies files the session needs.
        let Some(pattern) = pattern(candidate.path) else {
            continue;
        };
        rules.push(DenyRule {
            rule: format!("Read(./{pattern})"),
            files: 1,
            tokens: candidate.tokens,
            reason: reason.to_string(),
        });
    }
    rules.sort_by(|a, b| a.rule.cmp(&b.rule));
    rules
}

/// A path as a permission-rule pattern matching that path alone: glob
/// characters escaped with a backslash (gitignore syntax, which Claude
/// Code's `Read(...)` rules use). `None` for a path no pattern can state
/// safely: one holding a backslash (a name ctxbudget shows escaped),
/// parentheses, a control character or space at an end.
fn pattern(path: &str) -> Option<String> {
    let unsafe_char = |c: char| matches!(c, '\\' | '(' | ')') || crate::text::is_unsafe(c);
    if path.chars().any(unsafe_char) || path != path.trim() {
        return None;
    }
    let mut out = String::with_capacity(path.len());
    for (i, c) in path.char_indices() {
        let at_segment_start = i == 0 || path.as_bytes()[i - 1] == b'/';
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}')
            || (at_segment_start && matches!(c, '!' | '#'))
        {
            out.push('\\');
        }
        out.push(c);
    }
    Some(out)
}

fn is_below(path: &str, dir: &str) -> bool {
    path.len() > dir.len() && path.starts_with(dir) && path.as_bytes()[dir.len()] == b'/'
}

/// The `permissions.deny` block for `.claude/settings.json`, as JSON text.
pub(crate) fn settings_block<'r>(rules: impl IntoIterator<Item = &'r str>) -> String {
    let deny: Vec<&str> = rules.into_iter().collect();
    let value = serde_json::json!({ "permissions": { "deny": deny } });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

impl DenyRule {
    /// The rule text of each planned rule, for [`settings_block`].
    pub(crate) fn texts(rules: &[DenyRule]) -> impl Iterator<Item = &str> {
        rules.iter().map(|r| r.rule.as_str())
    }
}

/// What a `.claudeignore` becomes as deny rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Translation {
    /// Equivalent `Read(...)` rules, in file order.
    pub(crate) rules: Vec<String>,
    /// Lines that cannot be expressed as deny rules (negations), with
    /// their line numbers.
    pub(crate) unsupported: Vec<(usize, String)>,
}

/// Translates gitignore-style `.claudeignore` lines into `Read(...)` rules:
/// anchored patterns (a leading or inner `/`) stay relative to the root,
/// others match at any depth (`./**/name`); a pattern that names a
/// directory also denies everything below it.
pub(crate) fn translate_claudeignore(text: &str) -> Translation {
    let mut out = Translation::default();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('!') {
            out.unsupported.push((index + 1, line.to_string()));
            continue;
        }
        let dir_only = line.ends_with('/');
        let pattern = line.trim_end_matches('/');
        let anchored = pattern.starts_with('/') || pattern.contains('/');
        let pattern = pattern.trim_start_matches('/');
        if pattern.is_empty() {
            continue;
        }
        let base = if anchored || pattern.starts_with("**/") {
            format!("./{pattern}")
        } else {
            format!("./**/{pattern}")
        };
        let last = pattern.rsplit('/').next().unwrap_or(pattern);
        let may_be_dir = dir_only || !(last.contains('.') || last.contains('*'));
        if !dir_only {
            out.rules.push(format!("Read({base})"));
        }
        if may_be_dir && !base.ends_with("/**") {
            out.rules.push(format!("Read({base}/**)"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate<'a>(path: &'a str, reason: Option<&'a str>) -> Candidate<'a> {
        Candidate {
            path,
            reason,
            tokens: 10,
        }
    }

    fn rules(plan: &[DenyRule]) -> Vec<&str> {
        plan.iter().map(|r| r.rule.as_str()).collect()
    }

    /// A minified file named `**/*` gave the advice `Read(./**/*)`, which
    /// denies every read.
    #[test]
    fn glob_characters_in_names_are_escaped_or_left_out() {
        assert_eq!(
            pattern("a/**/*.min.js").as_deref(),
            Some("a/\\*\\*/\\*.min.js")
        );
        assert_eq!(pattern("x/[id].js").as_deref(), Some("x/\\[id\\].js"));
        assert_eq!(pattern("!bang.js").as_deref(), Some("\\!bang.js"));
        assert_eq!(pattern("bad\\x1b.js"), None);
        assert_eq!(pattern("p(1).js"), None);
        assert_eq!(pattern("plain/file.js").as_deref(), Some("plain/file.js"));
    }

    #[test]
    fn a_directory_collapses_only_when_every_file_qualifies() {
        let candidates = [
            candidate("Cargo.lock", Some("lock file")),
            candidate("dist/a.min.js", Some("minified")),
            candidate("dist/sub/b.min.js", Some("minified")),
            candidate("src/gen.rs", Some("generated")),
            candidate("src/main.rs", None),
        ];
        let plan = plan(&candidates);
        assert_eq!(
            rules(&plan),
            [
                "Read(./Cargo.lock)",
                "Read(./dist/**)",
                "Read(./src/gen.rs)"
            ]
        );
        assert_eq!(plan[1].files, 2);
        assert_eq!(plan[1].tokens, 20);
    }

    #[test]
    fn a_single_file_directory_stays_a_file_rule() {
        let plan = plan(&[candidate("gen/only.rs", Some("generated"))]);
        assert_eq!(rules(&plan), ["Read(./gen/only.rs)"]);
    }

    #[test]
    fn sibling_names_sharing_a_prefix_are_not_below() {
        assert!(is_below("dist/a", "dist"));
        assert!(!is_below("distro/a", "dist"));
        assert!(!is_below("dist", "dist"));
    }

    #[test]
    fn claudeignore_patterns_become_read_rules() {
        let t = translate_claudeignore(
            "# deps\nnode_modules/\n/build\n*.log\ndocs/api.md\n!keep.log\n",
        );
        assert_eq!(
            t.rules,
            [
                "Read(./**/node_modules/**)",
                "Read(./build)",
                "Read(./build/**)",
                "Read(./**/*.log)",
                "Read(./docs/api.md)",
            ]
        );
        assert_eq!(t.unsupported, [(6, "!keep.log".to_string())]);
    }

    #[test]
    fn settings_block_is_valid_json() {
        let plan = plan(&[candidate("yarn.lock", Some("lock file"))]);
        let block = settings_block(DenyRule::texts(&plan));
        let value: serde_json::Value = serde_json::from_str(&block).expect("json");
        assert_eq!(value["permissions"]["deny"][0], "Read(./yarn.lock)");
    }
}
