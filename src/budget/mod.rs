//! Limits and verdicts: which files a session should never read whole, and
//! why, in one line each. Pure: takes figures, returns flags.

use crate::source::Shape;
use crate::stats::{Flag, Verdict};
use crate::units::{percent, thousands};

pub(crate) mod generated;

/// The version of the rules that judge a file (its flags and their
/// reasons, generated markers included), bumped on every change to them:
/// stored verdicts are keyed by it.
pub(crate) const RULES: u32 = 1;

/// File names that are dependency lock files in the common ecosystems.
pub(crate) const DEFAULT_LOCKFILES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "bun.lockb",
    "deno.lock",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "pdm.lock",
    "pixi.lock",
    "conda-lock.yml",
    "Gemfile.lock",
    "go.sum",
    "go.work.sum",
    "composer.lock",
    "mix.lock",
    "pubspec.lock",
    "Podfile.lock",
    "Package.resolved",
    "packages.lock.json",
    "paket.lock",
    "gradle.lockfile",
    "flake.lock",
    "cabal.project.freeze",
    "stack.yaml.lock",
    "MODULE.bazel.lock",
    ".terraform.lock.hcl",
];

/// Below this read cost a file gets no deny rule, no "never read" line in
/// CLAUDE.md and no `minified` flag: it is never worth the risk.
pub(crate) const DEFAULT_ADVICE_TOKENS: u64 = 2_000;

/// Every threshold behind the flags; each one configurable.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    /// The context window, in tokens.
    pub(crate) window: u64,
    /// `over-read-limit` above this read cost.
    pub(crate) read_tokens: u64,
    /// `over-line-limit` above this many lines.
    pub(crate) lines: u64,
    /// `large` above this percentage of the window.
    pub(crate) large_percent: f64,
    /// `minified` needs a line at least this long (characters) ...
    pub(crate) minified_line_chars: u64,
    /// ... and an average line at least this long.
    pub(crate) minified_average_chars: u64,
    /// The user's lower-cased generated-code markers, beside the built-in
    /// ones (see [`generated`]).
    pub(crate) generated_markers: Vec<String>,
    /// Built-in generated-code markers switched off, by name.
    pub(crate) disabled_generated_markers: Vec<String>,
    /// Paths never flagged `generated`.
    pub(crate) not_generated: globset::GlobSet,
    /// The globs `not_generated` was built from, as configured.
    pub(crate) not_generated_globs: Vec<String>,
    /// Read cost below which no advice is given (see [`DEFAULT_ADVICE_TOKENS`]).
    pub(crate) advice_tokens: u64,
    /// Lock file names (exact match on the file name).
    pub(crate) lockfiles: Vec<String>,
    /// Data files (by language kind) over this many tokens are advised against.
    pub(crate) data_file_tokens: u64,
    /// `large-symbol` above this many tokens in one symbol.
    pub(crate) symbol_tokens: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            window: 200_000,
            read_tokens: 25_000,
            lines: 2_000,
            large_percent: 5.0,
            minified_line_chars: 2_000,
            minified_average_chars: 200,
            generated_markers: Vec::new(),
            disabled_generated_markers: Vec::new(),
            not_generated: globset::GlobSet::empty(),
            not_generated_globs: Vec::new(),
            advice_tokens: DEFAULT_ADVICE_TOKENS,
            lockfiles: DEFAULT_LOCKFILES.iter().map(|s| s.to_string()).collect(),
            data_file_tokens: 5_000,
            symbol_tokens: 2_000,
        }
    }
}

impl Limits {
    /// The token count above which a file is `large`.
    pub(crate) fn large_tokens(&self) -> u64 {
        (self.window as f64 * self.large_percent / 100.0).round() as u64
    }
}

/// The figures a verdict is made from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Facts<'a> {
    /// `/`-separated path relative to the root.
    pub(crate) rel: &'a str,
    /// The file's text (its first lines are searched for markers).
    pub(crate) text: &'a str,
    /// Lines and line lengths.
    pub(crate) shape: Shape,
    /// Tokens under the selected tokenizer.
    pub(crate) tokens: u64,
    /// Read cost under the selected tokenizer.
    pub(crate) read_tokens: u64,
    /// Whether the text was decoded lossily.
    pub(crate) lossy: bool,
}

/// The flags a file earns, in [`Flag::ALL`] order, each with its reason.
pub(crate) fn judge(facts: &Facts<'_>, limits: &Limits) -> Vec<Verdict> {
    let mut out = Vec::new();
    let mut add = |flag, reason: String| out.push(Verdict { flag, reason });
    if facts.read_tokens > limits.read_tokens {
        add(
            Flag::OverReadLimit,
            format!(
                "read cost {} tokens > {} Read limit",
                thousands(facts.read_tokens),
                thousands(limits.read_tokens)
            ),
        );
    }
    if facts.shape.lines > limits.lines {
        add(
            Flag::OverLineLimit,
            format!(
                "{} lines > {} Read returns",
                thousands(facts.shape.lines),
                thousands(limits.lines)
            ),
        );
    }
    let large = limits.large_tokens();
    if facts.tokens > large {
        add(
            Flag::Large,
            format!(
                "{} tokens = {:.1}% of a {}-token window (limit {}%)",
                thousands(facts.tokens),
                percent(facts.tokens, limits.window),
                thousands(limits.window),
                limits.large_percent
            ),
        );
    }
    // A small minified file costs too little to be worth a deny rule; a
    // file of one record per line (JSON Lines, CSV) has long lines by
    // design, not by minification.
    if facts.read_tokens >= limits.advice_tokens
        && !is_one_record_per_line(facts.rel)
        && let Some(reason) = minified(facts.shape, limits)
    {
        add(Flag::Minified, reason);
    }
    let markers = generated::Markers {
        disabled: &limits.disabled_generated_markers,
        extra: &limits.generated_markers,
    };
    if !limits.not_generated.is_match(facts.rel)
        && let Some(reason) = generated::reason(facts.rel, facts.text, &markers)
    {
        add(Flag::Generated, reason);
    }
    let name = facts.rel.rsplit('/').next().unwrap_or(facts.rel);
    if limits.lockfiles.iter().any(|l| l == name) {
        add(Flag::Lockfile, format!("{name} is a dependency lock file"));
    }
    if facts.lossy {
        add(
            Flag::LossyUtf8,
            "invalid UTF-8, counted with U+FFFD replacements".to_string(),
        );
    }
    out
}

/// The symbol flags: the largest symbol over the limit (with how many
/// more are), or why symbols are unknown. `symbols` holds (qualified name,
/// reference, tokens).
pub(crate) fn judge_symbols(
    symbols: &[(&str, String, u64)],
    no_symbols: Option<&str>,
    limits: &Limits,
) -> Vec<Verdict> {
    let mut out = Vec::new();
    let mut over: Vec<&(&str, String, u64)> = symbols
        .iter()
        .filter(|(_, _, tokens)| *tokens > limits.symbol_tokens)
        .collect();
    over.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
    if let Some((name, reference, tokens)) = over.first() {
        let more = match over.len() - 1 {
            0 => String::new(),
            n => format!(" (and {n} more)"),
        };
        out.push(Verdict {
            flag: Flag::LargeSymbol,
            reason: format!(
                "{name} is {} tokens > {}: {reference}{more}",
                thousands(*tokens),
                thousands(limits.symbol_tokens)
            ),
        });
    }
    if let Some(why) = no_symbols {
        out.push(Verdict {
            flag: Flag::NoSymbols,
            reason: why.to_string(),
        });
    }
    out
}

/// Whether the file's name says it holds one record per line.
fn is_one_record_per_line(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    [".jsonl", ".ndjson", ".csv", ".tsv", ".psv"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// Whether a file of this shape is `minified` (known before counting).
pub(crate) fn is_minified(shape: Shape, limits: &Limits) -> bool {
    minified(shape, limits).is_some()
}

fn minified(shape: Shape, limits: &Limits) -> Option<String> {
    if shape.lines == 0 {
        return None;
    }
    let average = shape.chars / shape.lines;
    (shape.longest_line >= limits.minified_line_chars && average >= limits.minified_average_chars)
        .then(|| {
            format!(
                "longest line {} chars, average {} chars",
                thousands(shape.longest_line),
                thousands(average)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::shape;

    fn facts<'a>(rel: &'a str, text: &'a str, tokens: u64) -> Facts<'a> {
        Facts {
            rel,
            text,
            shape: shape(text),
            tokens,
            read_tokens: tokens,
            lossy: false,
        }
    }

    fn flags(verdicts: &[Verdict]) -> Vec<&'static str> {
        verdicts.iter().map(|v| v.flag.name()).collect()
    }

    #[test]
    fn thresholds_are_strictly_exceeded() {
        let limits = Limits::default();
        assert!(judge(&facts("a.rs", "x", 10_000), &limits).is_empty());
        assert_eq!(
            flags(&judge(&facts("a.rs", "x", 10_001), &limits)),
            ["large"]
        );
        assert_eq!(
            flags(&judge(&facts("a.rs", "x", 25_001), &limits)),
            ["over-read-limit", "large"]
        );
    }

    #[test]
    fn lockfiles_match_the_file_name_only() {
        let limits = Limits::default();
        assert_eq!(
            flags(&judge(&facts("sub/Cargo.lock", "", 1), &limits)),
            ["lockfile"]
        );
        assert!(judge(&facts("Cargo.lock.md", "", 1), &limits).is_empty());
    }

    #[test]
    fn generated_markers_are_found_only_in_the_leading_comments() {
        let limits = Limits::default();
        let top = "// Code generated by protoc. DO NOT EDIT.\nfn x() {}\n";
        let verdicts = judge(&facts("a.go", top, 1), &limits);
        assert!(
            verdicts[0].reason.starts_with("line 1 says"),
            "{verdicts:?}"
        );
        let deep = "fn x() {}\n// @generated\n";
        assert!(judge(&facts("a.rs", deep, 1), &limits).is_empty());
    }

    #[test]
    fn records_of_one_line_each_are_not_minified() {
        let line = format!("{{\"type\":\"user\",\"text\":\"{}\"}}\n", "x".repeat(2_500));
        let text = line.repeat(20);
        for rel in ["logs/session.jsonl", "data/rows.CSV"] {
            let verdicts = judge(&facts(rel, &text, 20_000), &Limits::default());
            assert!(
                verdicts.iter().all(|v| v.flag != Flag::Minified),
                "{rel}: {verdicts:?}"
            );
        }
        let verdicts = judge(&facts("data/rows.json", &text, 20_000), &Limits::default());
        assert!(verdicts.iter().any(|v| v.flag == Flag::Minified));
    }

    #[test]
    fn minified_needs_a_long_line_and_a_long_average() {
        let limits = Limits::default();
        let one_long_line = format!("{}\n{}", "x".repeat(3000), "short\n".repeat(100));
        assert!(judge(&facts("a.js", &one_long_line, 1), &limits).is_empty());
        let bundle = "x".repeat(3000);
        assert_eq!(
            flags(&judge(
                &facts("a.min.js", &bundle, DEFAULT_ADVICE_TOKENS),
                &limits
            )),
            ["minified"]
        );
        // A 3,000-character one-line fixture costs too little to deny.
        assert!(judge(&facts("fixture.json", &bundle, 700), &limits).is_empty());
    }
}
