//! Package manifests: what Cargo.toml, package.json, deno.json, pyproject.toml and
//! composer.json say about the project and the commands they define.

use super::*;

pub(super) fn cargo(
    text: &str,
    root: &RootFiles<'_>,
    about: &mut About,
    commands: &mut Vec<Command>,
) {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return;
    };
    let package = doc.get("package").and_then(|p| p.as_table());
    if let Some(package) = package {
        about.name = package.get("name").and_then(string);
        about.description = package.get("description").and_then(string);
    }
    let workspace_table = doc.get("workspace").and_then(|w| w.as_table());
    let workspace = workspace_table.is_some() && package.is_none();
    // A root package with workspace members and no default-members: plain
    // `cargo test` tests the root package alone.
    let members = workspace_table
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
        .is_some_and(|m| m.iter().any(|v| v.as_str().is_some_and(|s| s != ".")));
    let defaults = workspace_table.is_some_and(|w| w.contains_key("default-members"));
    let every = workspace || (members && !defaults);
    let all = if every { " --workspace" } else { "" };
    infer(
        commands,
        Purpose::Build,
        &format!("cargo build{all}"),
        "Cargo.toml",
    );
    infer(
        commands,
        Purpose::Test,
        &format!("cargo test{all}"),
        "Cargo.toml",
    );
    infer(
        commands,
        Purpose::Lint,
        &format!("cargo clippy{all} --all-targets"),
        "Cargo.toml",
    );
    let fmt = if every {
        "cargo fmt --all"
    } else {
        "cargo fmt"
    };
    infer(commands, Purpose::Format, fmt, "Cargo.toml");
    let has_bin = doc.contains_key("bin") || root.has("src/main.rs");
    if has_bin && !workspace {
        infer(commands, Purpose::Run, "cargo run --", "Cargo.toml");
    }
}

pub(super) fn string(value: &toml::Value) -> Option<String> {
    value.as_str().map(one_paragraph).filter(|s| !s.is_empty())
}

pub(super) fn package_json(
    text: &str,
    root: &RootFiles<'_>,
    about: &mut About,
    commands: &mut Vec<Command>,
) {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    if about.name.is_none() {
        about.name = doc.get("name").and_then(|v| v.as_str()).map(str::to_string);
    }
    if about.description.is_none() {
        about.description = doc
            .get("description")
            .and_then(|v| v.as_str())
            .map(one_paragraph)
            .filter(|s| !s.is_empty());
    }
    let runner = if root.has("pnpm-lock.yaml") {
        "pnpm"
    } else if root.has("yarn.lock") {
        "yarn"
    } else if root.has("bun.lockb") || root.has("bun.lock") {
        "bun"
    } else {
        "npm"
    };
    let Some(scripts) = doc.get("scripts").and_then(|s| s.as_object()) else {
        return;
    };
    // serde_json keeps keys sorted, so the order is stable.
    for (name, body) in scripts {
        if body.as_str().is_some_and(is_unsafe_body) {
            continue;
        }
        let line = match (runner, name.as_str()) {
            ("npm", "test" | "start") => format!("npm {name}"),
            ("npm", _) => format!("npm run {name}"),
            _ => format!("{runner} {name}"),
        };
        push_task(commands, name, line, "package.json");
    }
}

pub(super) fn deno(text: &str, commands: &mut Vec<Command>) {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    if let Some(tasks) = doc.get("tasks").and_then(|s| s.as_object()) {
        for name in tasks.keys() {
            push_task(commands, name, format!("deno task {name}"), "deno.json");
        }
    }
    infer(commands, Purpose::Test, "deno test", "deno.json");
    infer(commands, Purpose::Lint, "deno lint", "deno.json");
    infer(commands, Purpose::Format, "deno fmt", "deno.json");
}

pub(super) fn pyproject(
    text: &str,
    root: &RootFiles<'_>,
    about: &mut About,
    commands: &mut Vec<Command>,
) {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return;
    };
    let project = doc.get("project").and_then(|p| p.as_table());
    let tool = doc.get("tool").and_then(|t| t.as_table());
    let poetry = tool
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.as_table());
    for table in [project, poetry].into_iter().flatten() {
        if about.name.is_none() {
            about.name = table.get("name").and_then(string);
        }
        if about.description.is_none() {
            about.description = table.get("description").and_then(string);
        }
    }
    let prefix = if root.has("uv.lock") {
        "uv run "
    } else if root.has("poetry.lock") || poetry.is_some() {
        "poetry run "
    } else if root.has("pdm.lock") {
        "pdm run "
    } else {
        ""
    };
    let has_tool = |name: &str| tool.is_some_and(|t| t.contains_key(name));
    let tests_dir = root.dirs.contains("tests") || root.dirs.contains("test");
    if has_tool("pytest") || tests_dir {
        infer(
            commands,
            Purpose::Test,
            &format!("{prefix}pytest"),
            "pyproject.toml",
        );
    }
    if has_tool("ruff") {
        infer(
            commands,
            Purpose::Lint,
            &format!("{prefix}ruff check ."),
            "pyproject.toml",
        );
        infer(
            commands,
            Purpose::Format,
            &format!("{prefix}ruff format ."),
            "pyproject.toml",
        );
    }
    if has_tool("mypy") {
        // With `files` or `packages` configured, mypy checks those: a path on
        // the command line would override them.
        let configured = tool
            .and_then(|t| t.get("mypy"))
            .and_then(|m| m.as_table())
            .is_some_and(|m| m.contains_key("files") || m.contains_key("packages"));
        let line = if configured {
            format!("{prefix}mypy")
        } else {
            format!("{prefix}mypy .")
        };
        infer(commands, Purpose::Lint, &line, "pyproject.toml");
    }
    // tox configured in pyproject.toml: native `env_list`, or the legacy ini.
    if let Some(tox_table) = tool.and_then(|t| t.get("tox")).and_then(|t| t.as_table()) {
        let envs: Vec<String> = match tox_table.get("env_list").or(tox_table.get("envlist")) {
            Some(toml::Value::Array(list)) => list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => tox_table
                .get("legacy_tox_ini")
                .and_then(|v| v.as_str())
                .and_then(|ini| ini_value(ini, "tox", "envlist"))
                .map(|list| list.split([',', ' ', '\n']).map(str::to_string).collect())
                .unwrap_or_default(),
        };
        tox_envs(&envs, "pyproject.toml", commands);
    }
    if has_tool("black") && !has_tool("ruff") {
        infer(
            commands,
            Purpose::Format,
            &format!("{prefix}black ."),
            "pyproject.toml",
        );
    }
    if let Some(scripts) = project
        .and_then(|p| p.get("scripts"))
        .and_then(|s| s.as_table())
        && let Some(name) = scripts.keys().next()
    {
        infer(
            commands,
            Purpose::Run,
            &format!("{prefix}{name}"),
            "pyproject.toml",
        );
    }
}

pub(super) fn composer(text: &str, commands: &mut Vec<Command>) {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    if let Some(scripts) = doc.get("scripts").and_then(|s| s.as_object()) {
        for name in scripts.keys() {
            push_task(
                commands,
                name,
                format!("composer run {name}"),
                "composer.json",
            );
        }
    }
}

/// A key of an INI section (`setup.cfg`, `tox.ini`), with its
/// continuation lines joined.
pub(super) fn ini_value(text: &str, section: &str, key: &str) -> Option<String> {
    let mut in_section = false;
    let mut value: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            if value.is_some() {
                break;
            }
            in_section = trimmed.trim_matches(['[', ']']).trim() == section;
            continue;
        }
        if !in_section {
            continue;
        }
        if let Some(v) = value.as_mut() {
            if line.starts_with([' ', '\t']) && !trimmed.is_empty() {
                v.push(' ');
                v.push_str(trimmed);
                continue;
            }
            break;
        }
        if let Some((k, v)) = trimmed.split_once(['=', ':'])
            && k.trim() == key
        {
            value = Some(v.trim().to_string());
        }
    }
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}
