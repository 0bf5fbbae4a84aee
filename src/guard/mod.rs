//! Claude Code's PreToolUse hook call, read leniently: which files a tool
//! call would show the model whole. Reads JSON; never prints, never writes.

pub(crate) mod bash;
pub(crate) mod state;
pub(crate) mod weigh;

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// The fields of a hook call this guard reads; anything else is ignored,
/// and a field of the wrong type reads as missing.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct HookCall {
    #[serde(default)]
    hook_event_name: Value,
    #[serde(default)]
    session_id: Value,
    #[serde(default)]
    cwd: Value,
    #[serde(default)]
    tool_name: Value,
    #[serde(default)]
    tool_input: Value,
}

/// What a call would show the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Shows {
    /// Nothing this guard weighs: another event or tool, a ranged read,
    /// `allow_large`, PDF pages, a command that prints no file whole.
    Nothing,
    /// These files, whole (paths as written, relative to `cwd` if not
    /// absolute), through this tool.
    Whole {
        /// `Read` or `Bash`.
        tool: Tool,
        /// The files, and how much of each is printed.
        files: Vec<Print>,
    },
}

/// A file a call prints, and how much of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Print {
    /// As written in the call: absolute, or relative to the session's cwd.
    pub(crate) path: PathBuf,
    /// How much of it.
    pub(crate) amount: Amount,
}

/// How much of a file a call prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Amount {
    /// All of it.
    All,
    /// Its first N lines (`head -n N`): all of it when it has no more.
    FirstLines(u64),
    /// Its last N lines (`tail -n N`): all of it when it has no more.
    LastLines(u64),
    /// Its first N bytes (`head -c N`): all of it when it is no larger.
    FirstBytes(u64),
}

impl Amount {
    /// Whether printing this much of a file of `lines` lines and `bytes`
    /// bytes prints all of it.
    pub(crate) fn is_all(self, lines: u64, bytes: u64) -> bool {
        match self {
            Amount::All => true,
            Amount::FirstLines(n) | Amount::LastLines(n) => n >= lines,
            Amount::FirstBytes(n) => n >= bytes,
        }
    }
}

/// The tool a whole read goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Tool {
    /// The Read tool.
    Read,
    /// A shell command.
    Bash,
}

impl Tool {
    /// Claude Code's name for it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Tool::Read => "Read",
            Tool::Bash => "Bash",
        }
    }
}

impl HookCall {
    /// Parses a hook call; `None` when it is not a JSON object.
    pub(crate) fn parse(bytes: &[u8]) -> Option<HookCall> {
        let value: Value = serde_json::from_slice(bytes).ok()?;
        if !value.is_object() {
            return None;
        }
        serde_json::from_value(value).ok()
    }

    /// The session's id (empty when missing).
    pub(crate) fn session(&self) -> &str {
        self.session_id.as_str().unwrap_or("")
    }

    /// The session's working directory, when given and absolute.
    pub(crate) fn cwd(&self) -> Option<&Path> {
        self.cwd.as_str().map(Path::new).filter(|p| p.is_absolute())
    }

    /// What the call would show the model whole.
    pub(crate) fn shows(&self) -> Shows {
        if self.hook_event_name.as_str() != Some("PreToolUse") {
            return Shows::Nothing;
        }
        let input = &self.tool_input;
        match self.tool_name.as_str() {
            Some("Read") => {
                let Some(path) = input.get("file_path").and_then(Value::as_str) else {
                    return Shows::Nothing;
                };
                // Any of these makes the read ranged, paged or deliberate.
                let set = |key: &str| input.get(key).is_some_and(|v| !v.is_null());
                let asked_large = input.get("allow_large").and_then(Value::as_bool) == Some(true);
                if set("offset") || set("limit") || set("pages") || asked_large || path.is_empty() {
                    return Shows::Nothing;
                }
                Shows::Whole {
                    tool: Tool::Read,
                    files: vec![Print {
                        path: PathBuf::from(path),
                        amount: Amount::All,
                    }],
                }
            }
            Some("Bash") => {
                let Some(command) = input.get("command").and_then(Value::as_str) else {
                    return Shows::Nothing;
                };
                let files = bash::whole_prints(command);
                if files.is_empty() {
                    Shows::Nothing
                } else {
                    Shows::Whole {
                        tool: Tool::Bash,
                        files,
                    }
                }
            }
            _ => Shows::Nothing,
        }
    }
}

/// Files the Read tool shows as something other than numbered text lines:
/// images, PDFs (read by pages), notebooks (cells).
pub(crate) fn shown_specially(path: &Path) -> bool {
    const SPECIAL: &[&str] = &[
        "png", "jpg", "jpeg", "gif", "webp", "bmp", "ico", "svgz", "tif", "tiff", "heic", "avif",
        "pdf", "ipynb",
    ];
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SPECIAL.iter().any(|s| e.eq_ignore_ascii_case(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shows(json: &str) -> Shows {
        HookCall::parse(json.as_bytes()).map_or(Shows::Nothing, |c| c.shows())
    }

    #[test]
    fn only_whole_reads_count() {
        let read = |input: &str| {
            shows(&format!(
                r#"{{"hook_event_name":"PreToolUse","tool_name":"Read","tool_input":{input}}}"#
            ))
        };
        assert_eq!(
            read(r#"{"file_path":"/p/a.rs"}"#),
            Shows::Whole {
                tool: Tool::Read,
                files: vec![Print {
                    path: PathBuf::from("/p/a.rs"),
                    amount: Amount::All
                }]
            }
        );
        assert_eq!(
            read(r#"{"file_path":"/p/a.rs","offset":10}"#),
            Shows::Nothing
        );
        assert_eq!(
            read(r#"{"file_path":"/p/a.rs","limit":10}"#),
            Shows::Nothing
        );
        assert_eq!(
            read(r#"{"file_path":"/p/a.pdf","pages":"1-3"}"#),
            Shows::Nothing
        );
        assert_eq!(
            read(r#"{"file_path":"/p/a.rs","allow_large":true}"#),
            Shows::Nothing
        );
        assert_ne!(
            read(r#"{"file_path":"/p/a.rs","offset":null}"#),
            Shows::Nothing
        );
        assert_eq!(read(r#"{"file_path":7}"#), Shows::Nothing);
    }

    #[test]
    fn other_events_tools_and_junk_show_nothing() {
        assert_eq!(shows("not json"), Shows::Nothing);
        assert_eq!(shows("[1,2]"), Shows::Nothing);
        assert_eq!(
            shows(r#"{"tool_name":"Read","tool_input":{"file_path":"/a"}}"#),
            Shows::Nothing
        );
        assert_eq!(
            shows(
                r#"{"hook_event_name":"PostToolUse","tool_name":"Read","tool_input":{"file_path":"/a"}}"#
            ),
            Shows::Nothing
        );
        assert_eq!(
            shows(
                r#"{"hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"/a"}}"#
            ),
            Shows::Nothing
        );
    }

    #[test]
    fn images_pdfs_and_notebooks_are_shown_specially() {
        assert!(shown_specially(Path::new("a/logo.PNG")));
        assert!(shown_specially(Path::new("paper.pdf")));
        assert!(shown_specially(Path::new("nb.ipynb")));
        assert!(!shown_specially(Path::new("main.rs")));
    }
}
