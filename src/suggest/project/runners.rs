//! Task runners: tox environments, Makefile targets and justfile recipes.

use super::*;

pub(super) fn tox(text: &str, commands: &mut Vec<Command>) {
    let envs: Vec<String> = ini_value(text, "tox", "envlist")
        .or_else(|| ini_value(text, "tox", "env_list"))
        .unwrap_or_default()
        .split([',', ' ', '\n'])
        .map(str::to_string)
        .collect();
    tox_envs(&envs, "tox.ini", commands);
}

/// `tox -e ENV` for the envs whose name says their purpose, then `tox`.
pub(super) fn tox_envs(envs: &[String], source: &'static str, commands: &mut Vec<Command>) {
    for env in envs
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty() && !e.contains('{'))
    {
        if let Some(purpose) = Purpose::of_name(env).filter(|p| *p != Purpose::Test) {
            commands.push(Command {
                purpose,
                line: format!("tox -e {env}"),
                source,
                declared: true,
            });
        }
    }
    commands.push(Command {
        purpose: Purpose::Test,
        line: "tox".to_string(),
        source,
        declared: true,
    });
}

/// Targets a Makefile defines by name (no patterns, variables or
/// special targets), in file order.
pub(super) fn make_targets(text: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (at, line) in lines.iter().enumerate() {
        if line.starts_with(['\t', ' ', '#', '.']) {
            continue;
        }
        // A target whose recipe publishes, releases or installs is left out
        // whatever its name (fzf's `build` runs goreleaser).
        let recipe: Vec<&str> = lines[at + 1..]
            .iter()
            .take_while(|l| l.starts_with('\t'))
            .copied()
            .collect();
        if recipe.iter().any(|l| is_unsafe_body(l.trim())) {
            continue;
        }
        let Some((head, rest)) = line.split_once(':') else {
            continue;
        };
        if rest.starts_with('=') || head.contains(['=', '$', '%', '(']) {
            continue;
        }
        for target in head.split_whitespace() {
            if target
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
                && seen.insert(target.to_string())
            {
                out.push(target.to_string());
            }
        }
    }
    out
}

/// Recipes a justfile defines (not private `_` ones), in file order.
pub(super) fn just_recipes(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t', '#', '[']) || line.contains(":=") {
            continue;
        }
        let line = line.strip_prefix('@').unwrap_or(line);
        let Some((head, _)) = line.split_once(':') else {
            continue;
        };
        let Some(name) = head.split_whitespace().next() else {
            continue;
        };
        let valid = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if valid && !name.starts_with('_') && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    out
}
