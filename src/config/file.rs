//! `ctxbudget.toml`: found, read within a bound, parsed with every unknown
//! key refused, and values checked with the line they are on.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::Error;
use crate::tokenize::TokenizerKind;

/// The config file looked for at the scanned root.
pub(crate) const CONFIG_FILE: &str = "ctxbudget.toml";

/// A config file larger than this is refused.
const CONFIG_BYTES: u64 = 1 << 20;

/// The file's shape. Unknown keys are errors that list the allowed ones.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    pub(super) tokenizer: Option<TokenizerKind>,
    pub(super) claude_factor: Option<Factor>,
    pub(super) model: Option<String>,
    #[serde(default)]
    pub(super) claude_factors: std::collections::BTreeMap<String, Factor>,
    pub(super) window: Option<Positive>,
    #[serde(default)]
    pub(super) scan: ScanSection,
    #[serde(default)]
    pub(super) check: CheckSection,
    #[serde(default)]
    pub(super) claude_md: ClaudeMdSection,
    #[serde(default)]
    pub(super) sessions: SessionsSection,
    #[serde(default)]
    pub(super) hook: HookSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HookSection {
    pub(super) read_tokens: Option<Positive>,
    pub(super) outline_tokens: Option<Positive>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SessionsSection {
    pub(super) transcripts: Option<PathBuf>,
    pub(super) whole_read_tokens: Option<Positive>,
    pub(super) top: Option<Count>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClaudeMdSection {
    pub(super) budget: Option<Positive>,
    pub(super) file: Option<PathBuf>,
    pub(super) expensive_tokens: Option<Positive>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CheckSection {
    pub(super) max_tokens: Option<Positive>,
    pub(super) max_file_chars: Option<Positive>,
    pub(super) max_file_lines: Option<Positive>,
    pub(super) strict: Option<bool>,
    pub(super) user: Option<bool>,
    pub(super) file_overhead_tokens: Option<Count>,
    pub(super) max_import_hops: Option<Hops>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ScanSection {
    #[serde(default)]
    pub(super) include: Vec<String>,
    #[serde(default)]
    pub(super) exclude: Vec<String>,
    pub(super) max_file_size: Option<Spanned<SizeValue>>,
    #[serde(default)]
    pub(super) fail_on: Vec<Spanned<String>>,
    pub(super) read_limit: Option<Positive>,
    pub(super) line_limit: Option<Positive>,
    pub(super) large_percent: Option<Percent>,
    pub(super) minified_line_chars: Option<Positive>,
    pub(super) minified_average_chars: Option<Positive>,
    #[serde(default)]
    pub(super) generated_markers: Vec<String>,
    #[serde(default)]
    pub(super) disabled_generated_markers: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) not_generated: Vec<String>,
    pub(super) advice_tokens: Option<Positive>,
    #[serde(default)]
    pub(super) lockfiles: Vec<String>,
    pub(super) data_file_tokens: Option<Positive>,
    pub(super) top: Option<Positive>,
    pub(super) large_symbol_tokens: Option<Positive>,
    pub(super) max_parse_bytes: Option<Positive>,
    pub(super) parse_timeout_ms: Option<Positive>,
    pub(super) symbols: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum SizeValue {
    Bytes(i64),
    Text(String),
}

/// Values a key may hold, checked while the file is parsed, so an error
/// names the line and column (as an unknown key's does).
macro_rules! checked {
    ($(#[$doc:meta])* $name:ident($inner:ty) from $raw:ty, |$v:ident| $ok:expr, $what:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub(super) struct $name(pub(super) $inner);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let $v = <$raw>::deserialize(d)?;
                match $ok {
                    Some(value) => Ok($name(value)),
                    None => Err(serde::de::Error::custom(format!("{} {}", $v, $what))),
                }
            }
        }
    };
}

checked!(
    /// A positive integer (tokens, lines, characters, milliseconds).
    Positive(u64) from i64, |v| (v > 0).then_some(v as u64), "is not allowed: must be a positive integer"
);
checked!(
    /// Zero or a positive integer.
    Count(u64) from i64, |v| (v >= 0).then_some(v as u64), "is not allowed: must be zero or a positive integer"
);
checked!(
    /// Import hops `check` follows: at most 64 (Claude Code follows 4).
    Hops(usize) from i64, |v| (1..=64).contains(&v).then_some(v as usize), "is not allowed: must be from 1 to 64 (Claude Code follows 4)"
);
checked!(
    /// The Claude estimate's factor over cl100k: above 0, at most 10.
    Factor(f64) from f64, |v| (v.is_finite() && v > 0.0 && v <= 10.0).then_some(v), "is not allowed: must be a number above 0 and at most 10"
);
checked!(
    /// A share of the window in percent: above 0, at most 100.
    Percent(f64) from f64, |v| (v.is_finite() && v > 0.0 && v <= 100.0).then_some(v), "is not allowed: must be a number above 0 and at most 100"
);

/// Reads and checks a config file's text. `path` is only for messages.
fn parse_file(path: &Path, text: &str) -> Result<FileConfig, Error> {
    toml::from_str(text).map_err(|e| Error::Config {
        path: path.to_path_buf(),
        message: e.to_string().trim_end().to_string(),
    })
}

/// A value error naming the key, its line and what is allowed.
fn bad_value(
    path: &Path,
    text: &str,
    key: &str,
    span: std::ops::Range<usize>,
    allowed: &str,
) -> Error {
    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
    Error::Config {
        path: path.to_path_buf(),
        message: format!("line {line}: `{key}` = {}: {allowed}", text[span].trim()),
    }
}

/// Where the config file is: `--config`, else `ctxbudget.toml` at the root.
fn config_path(explicit: Option<&Path>, paths: &[PathBuf]) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    let root = match paths {
        [one] if one.is_dir() => one.clone(),
        [one] => one.parent().map(Path::to_path_buf).unwrap_or_default(),
        _ => PathBuf::from("."),
    };
    let candidate = root.join(CONFIG_FILE);
    candidate.is_file().then_some(candidate)
}

/// A config file read and parsed (or the defaults when there is none),
/// with what its error messages need.
pub(super) struct Loaded {
    pub(super) file: FileConfig,
    pub(super) text: String,
    pub(super) path: PathBuf,
}

impl Loaded {
    /// Reads `--config`, else `ctxbudget.toml` at the root of `paths`.
    pub(super) fn read(explicit: Option<&Path>, paths: &[PathBuf]) -> Result<Loaded, Error> {
        let Some(path) = config_path(explicit, paths) else {
            return Ok(Loaded {
                file: FileConfig::default(),
                text: String::new(),
                path: PathBuf::from(CONFIG_FILE),
            });
        };
        let text = crate::fsio::read_bounded(&path, CONFIG_BYTES)
            .map_err(|e| e.message())
            .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "it is not UTF-8".to_string()))
            .map_err(|why| Error::Config {
                path: path.clone(),
                message: format!("cannot read it: {why}"),
            })?;
        Ok(Loaded {
            file: parse_file(&path, &text)?,
            text,
            path,
        })
    }

    pub(super) fn bad(&self, key: &str, span: std::ops::Range<usize>, allowed: &str) -> Error {
        bad_value(&self.path, &self.text, key, span, allowed)
    }
}

/// `text` (a ctxbudget.toml, maybe empty) with `factors` set in its
/// `[claude_factors]` table: existing keys replaced in place, new ones
/// added at the table's end, the table appended when missing; every other
/// line kept as it was.
pub(crate) fn with_claude_factors(text: &str, factors: &[(String, f64)]) -> String {
    const HEADER: &str = "[claude_factors]";
    let line_of = |key: &str, factor: f64| format!("{} = {factor:.3}", toml_key(key));
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header = lines.iter().position(|l| l.trim() == HEADER);
    let Some(header) = header else {
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(HEADER);
        out.push('\n');
        for (key, factor) in factors {
            out.push_str(&line_of(key, *factor));
            out.push('\n');
        }
        return out;
    };
    let end = lines[header + 1..]
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .map_or(lines.len(), |at| header + 1 + at);
    let mut insert_at = end;
    while insert_at > header + 1 && lines[insert_at - 1].trim().is_empty() {
        insert_at -= 1;
    }
    for (key, factor) in factors {
        let quoted = toml_key(key);
        let existing = (header + 1..insert_at).find(|&i| {
            let line = lines[i].trim_start();
            line.split('=')
                .next()
                .is_some_and(|k| k.trim() == quoted || k.trim() == key.as_str())
        });
        match existing {
            Some(i) => lines[i] = line_of(key, *factor),
            None => {
                lines.insert(insert_at, line_of(key, *factor));
                insert_at += 1;
            }
        }
    }
    let mut out = lines.join("\n");
    if text.ends_with('\n') || text.is_empty() {
        out.push('\n');
    }
    out
}

/// A key as TOML writes it: quoted unless bare-safe.
fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if bare {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_name_the_key_the_line_and_the_allowed_ones() {
        let text = "tokenizer = \"cl100k\"\n[scan]\nread_limt = 5\n";
        let error = parse_file(Path::new("ctxbudget.toml"), text).expect_err("typo");
        let message = error.to_string();
        assert!(message.contains("line 3"), "{message}");
        assert!(message.contains("read_limt"), "{message}");
        assert!(message.contains("read_limit"), "{message}");
    }

    #[test]
    fn bad_enum_values_list_what_is_allowed() {
        let error = parse_file(Path::new("c.toml"), "tokenizer = \"gpt2\"\n").expect_err("bad");
        let message = error.to_string();
        assert!(
            message.contains("gpt2") && message.contains("cl100k"),
            "{message}"
        );
    }

    #[test]
    fn values_are_checked_where_they_are_written() {
        let error = parse_file(Path::new("c.toml"), "[scan]\nread_limit = 0\n").expect_err("zero");
        let message = error.to_string();
        assert!(
            message.contains("line 2") && message.contains("positive"),
            "{message}"
        );
        let error = parse_file(Path::new("c.toml"), "claude_factor = 11.0\n").expect_err("big");
        assert!(error.to_string().contains("at most 10"), "{error}");
        let error =
            parse_file(Path::new("c.toml"), "[check]\nmax_import_hops = 65\n").expect_err("hops");
        assert!(error.to_string().contains("from 1 to 64"), "{error}");
        let file =
            parse_file(Path::new("c.toml"), "[sessions]\ntop = 0\n").expect("zero is a count");
        assert_eq!(file.sessions.top, Some(Count(0)));
    }

    #[test]
    fn claude_factors_are_set_in_place_and_the_rest_is_kept() {
        let text = "tokenizer = \"claude\"\n\n[claude_factors]\nclaude-opus-4-6 = 1.100 # measured\n\n[scan]\ntop = 5\n";
        let out = with_claude_factors(
            text,
            &[
                ("claude-opus-4-6".into(), 1.234),
                ("claude-sonnet-4-5".into(), 1.1),
            ],
        );
        assert_eq!(
            out,
            "tokenizer = \"claude\"\n\n[claude_factors]\nclaude-opus-4-6 = 1.234\nclaude-sonnet-4-5 = 1.100\n\n[scan]\ntop = 5\n"
        );
        let parsed: FileConfig = toml::from_str(&out).expect("still valid");
        assert_eq!(parsed.claude_factors.len(), 2);
        assert_eq!(
            with_claude_factors("", &[("a.b".into(), 1.0)]),
            "[claude_factors]\n\"a.b\" = 1.000\n"
        );
    }
}
