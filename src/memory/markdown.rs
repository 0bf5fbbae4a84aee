//! Markdown as Claude Code reads a memory file: block HTML comments are
//! dropped, `@path` imports are found outside code, headings cut the text
//! into sections. Pure functions over text; no I/O.

/// One `@path` import: the 1-based line it is on and the path as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// Line of the importing file.
    pub line: u32,
    /// The path after `@`, trailing punctuation removed.
    pub target: String,
}

/// The fence that opens a code block (``` or ~~~, three or more), if the
/// line is one.
fn fence(line: &str) -> Option<(char, usize)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let c = trimmed.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = trimmed.chars().take_while(|&x| x == c).count();
    (n >= 3).then_some((c, n))
}

/// Tracks fenced code blocks line by line.
#[derive(Debug, Default)]
pub struct Fences {
    open: Option<(char, usize)>,
}

impl Fences {
    /// [`Fences::step`] for a line that may not be valid UTF-8 (fences
    /// are ASCII).
    pub fn step_bytes(&mut self, line: &[u8]) -> bool {
        self.step(&String::from_utf8_lossy(line))
    }

    /// Whether a code block is open after the lines seen so far.
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// Whether this line is part of a code block (its fences included).
    pub fn step(&mut self, line: &str) -> bool {
        match (self.open, fence(line)) {
            (None, Some(f)) => {
                self.open = Some(f);
                true
            }
            (Some((c, n)), Some((c2, n2)))
                if c == c2 && n2 >= n && {
                    let rest = line.trim().trim_start_matches(c);
                    rest.is_empty()
                } =>
            {
                self.open = None;
                true
            }
            (Some(_), _) => true,
            (None, None) => false,
        }
    }
}

/// One line of a memory file as Claude Code loads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'t> {
    /// 1-based line number in the file on disk.
    pub number: u32,
    /// The loaded text of the line, its line ending included.
    pub text: &'t str,
    /// Whether it is inside a fenced code block (fences included).
    pub code: bool,
}

/// The lines that are loaded: block-level HTML comments (a comment that
/// starts a line outside code blocks, through the line where it ends) are
/// dropped, as Claude Code drops them; text after a comment's end on the
/// same line stays. Everything else is kept byte for byte.
pub fn loaded_lines(text: &str) -> Vec<Line<'_>> {
    // A byte-order mark is not text: an import right after it starts the line.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut fences = Fences::default();
    let mut in_comment = false;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let number = i as u32 + 1;
        let mut rest = line;
        if in_comment {
            let Some(end) = line.find("-->") else {
                continue;
            };
            in_comment = false;
            rest = &line[end + 3..];
            if rest.trim().is_empty() {
                continue;
            }
        } else {
            if fences.step(line) {
                out.push(Line {
                    number,
                    text: line,
                    code: true,
                });
                continue;
            }
            if let Some(body) = line.trim_start().strip_prefix("<!--") {
                let Some(end) = body.find("-->") else {
                    in_comment = true;
                    continue;
                };
                rest = &body[end + 3..];
                if rest.trim().is_empty() {
                    continue;
                }
            }
        }
        out.push(Line {
            number,
            text: rest,
            code: false,
        });
    }
    out
}

/// The loaded text: [`loaded_lines`] joined.
pub fn strip_comments(text: &str) -> String {
    loaded_lines(text).iter().map(|l| l.text).collect()
}

/// The `@path` imports among loaded lines: at the start of a line or after
/// whitespace, outside inline code spans and fenced code blocks.
pub fn imports(lines: &[Line<'_>]) -> Vec<Import> {
    let mut found = Vec::new();
    for line in lines.iter().filter(|l| !l.code) {
        let text = line.text;
        let bytes = text.as_bytes();
        let mut at = 0;
        let mut prev_space = true;
        while at < bytes.len() {
            let c = bytes[at];
            if c == b'`' {
                // A code span runs to the next run of exactly as many
                // backticks (CommonMark); an unmatched run is literal text.
                let run = bytes[at..].iter().take_while(|&&b| b == b'`').count();
                at += run;
                if let Some(close) = closing_run(&bytes[at..], run) {
                    at += close + run;
                }
                prev_space = false;
                continue;
            }
            if c == b'@' && prev_space {
                let rest = &text[at + 1..];
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                let target = rest[..end]
                    .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}', '"', '\'']);
                if !target.is_empty() && !target.starts_with('@') {
                    found.push(Import {
                        line: line.number,
                        target: target.to_string(),
                    });
                }
                // The path is one token: skip to the whitespace after it.
                at += 1 + end;
                prev_space = false;
                continue;
            }
            let ch = text[at..].chars().next().unwrap_or(' ');
            prev_space = ch.is_whitespace();
            at += ch.len_utf8();
        }
    }
    found
}

/// Where a run of exactly `run` backticks starts in `bytes`, if one does.
fn closing_run(bytes: &[u8], run: usize) -> Option<usize> {
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'`' {
            let n = bytes[at..].iter().take_while(|&&b| b == b'`').count();
            if n == run {
                return Some(at);
            }
            at += n;
        } else {
            at += 1;
        }
    }
    None
}

/// Repository text (a name, a path, a command) as an inline code span
/// that stays inert in a memory file: control characters and line breaks
/// become spaces, and the span's fence is longer than any run of
/// backticks inside, so nothing in it can close the span, start a line,
/// open an `@` import or form a marker.
pub fn code_span(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if is_unsafe_char(c) { ' ' } else { c })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in clean.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // A span whose text starts or ends with a backtick (or a space) needs a
    // space inside each fence, which CommonMark strips.
    let pad = clean.starts_with(['`', ' ']) || clean.ends_with(['`', ' ']);
    if pad {
        format!("{fence} {clean} {fence}")
    } else {
        format!("{fence}{clean}{fence}")
    }
}

/// Repository prose (a description) made inert for a memory file: on one
/// line, without control characters, with `@`, backticks, `<` and `>`
/// escaped so it can open no import, code span, HTML comment or marker.
pub fn inert_prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            c if is_unsafe_char(c) => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            '@' | '`' | '<' | '>' | '*' | '_' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

/// Characters that must not reach generated text (see
/// [`crate::text::is_unsafe`]), and the byte-order mark.
fn is_unsafe_char(c: char) -> bool {
    crate::text::is_unsafe(c) || c == '\u{feff}'
}

/// A heading section of the loaded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading line as written (`## Build`), or `(before the first heading)`.
    pub heading: String,
    /// Its 1-based line in the file on disk.
    pub line: u32,
    /// Its loaded text.
    pub text: String,
}

/// ATX headings (`#` to `######` and a space) outside code blocks cut the
/// loaded lines into sections, each running to the next heading of any
/// level; text before the first heading is a section when not blank.
pub fn sections(lines: &[Line<'_>]) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut current = Section {
        heading: "(before the first heading)".to_string(),
        line: 1,
        text: String::new(),
    };
    for line in lines {
        if !line.code && is_heading(line.text) {
            let done = std::mem::replace(
                &mut current,
                Section {
                    heading: line.text.trim().to_string(),
                    line: line.number,
                    text: String::new(),
                },
            );
            out.push(done);
        }
        current.text.push_str(line.text);
    }
    if !current.text.trim().is_empty() {
        out.push(current);
    }
    out.retain(|s| !s.text.trim().is_empty());
    out
}

fn is_heading(line: &str) -> bool {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return false;
    }
    let hashes = trimmed.chars().take_while(|&c| c == '#').count();
    (1..=6).contains(&hashes)
        && trimmed[hashes..]
            .chars()
            .next()
            .is_none_or(|c| c == ' ' || c == '\t' || c == '\r' || c == '\n')
}

/// The `paths:` globs of a rule file's YAML front matter, if it has any:
/// `paths: "src/**"`, `paths: [a, b]` or a `- item` list.
pub fn front_matter_paths(text: &str) -> Option<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines();
    if lines.next()?.trim_end() != "---" {
        return None;
    }
    let mut paths: Option<Vec<String>> = None;
    let mut in_list = false;
    for line in lines {
        let trimmed = line.trim_end();
        if trimmed == "---" {
            break;
        }
        if in_list {
            if let Some(item) = trimmed.trim_start().strip_prefix("- ") {
                paths.get_or_insert_with(Vec::new).push(unquote(item));
                continue;
            }
            in_list = false;
        }
        if let Some(value) = trimmed.strip_prefix("paths:") {
            let value = value.trim();
            if value.is_empty() {
                in_list = true;
                paths.get_or_insert_with(Vec::new);
            } else if let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
                paths = Some(
                    inner
                        .split(',')
                        .map(unquote)
                        .filter(|s| !s.is_empty())
                        .collect(),
                );
            } else {
                paths = Some(
                    value
                        .split(',')
                        .map(unquote)
                        .filter(|s| !s.is_empty())
                        .collect(),
                );
            }
        }
    }
    paths
}

fn unquote(text: &str) -> String {
    text.trim().trim_matches(['"', '\'']).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_outside_code_and_comments_only() {
        let text = "See @docs/a.md and @b.md.\n`@not/this` but @yes\n```\n@fenced.md\n```\nmail me@example.com\n@~/home.md\n<!-- @hidden.md -->\n";
        let found: Vec<(u32, String)> = imports(&loaded_lines(text))
            .into_iter()
            .map(|i| (i.line, i.target))
            .collect();
        let want: Vec<(u32, String)> =
            [(1, "docs/a.md"), (1, "b.md"), (2, "yes"), (7, "~/home.md")]
                .into_iter()
                .map(|(l, t)| (l, t.to_string()))
                .collect();
        assert_eq!(found, want);
    }

    /// Backticks toggled code on and off one at a time, so a double-backtick
    /// span holding one backtick exposed what followed as a live import.
    #[test]
    fn code_spans_follow_commonmark_and_a_bom_starts_the_line() {
        let found = |text: &str| -> Vec<String> {
            imports(&loaded_lines(text))
                .into_iter()
                .map(|i| i.target)
                .collect()
        };
        assert!(found("``a` @x`` b").is_empty());
        assert_eq!(found("`` unclosed @y"), ["y"]);
        assert_eq!(found("\u{feff}@first.md"), ["first.md"]);
        assert!(found("x\\@not").is_empty());
    }

    #[test]
    fn generated_text_is_inert_whatever_it_holds() {
        for nasty in [
            "x` @~/.ssh/id_rsa `y.min.js",
            "a\n<!-- ctxbudget:end -->\n@evil",
            "``",
            "` @a `",
            " @lead",
            "\u{1b}[31mred\u{202e}",
        ] {
            for text in [code_span(nasty), inert_prose(nasty)] {
                let line = format!("- {text} @real");
                let imports = imports(&loaded_lines(&line));
                let targets: Vec<&str> = imports.iter().map(|i| i.target.as_str()).collect();
                assert_eq!(targets, ["real"], "{nasty:?} gave {line:?}");
                assert!(!line.contains('\n') && !line.chars().any(char::is_control));
            }
        }
    }

    #[test]
    fn block_comments_go_and_everything_else_stays() {
        let text = "a\n<!-- one -->\nb\n<!--\nmany\n-->\n```\n<!-- kept in code -->\n```\ninline <!-- kept --> text\n";
        assert_eq!(
            strip_comments(text),
            "a\nb\n```\n<!-- kept in code -->\n```\ninline <!-- kept --> text\n"
        );
    }

    #[test]
    fn headings_cut_sections_outside_code_with_lines_on_disk() {
        let text = "intro\n<!--\nx\n-->\n# One\nx\n```\n# not a heading\n```\n## Two\r\ny\n";
        let found: Vec<(String, u32)> = sections(&loaded_lines(text))
            .into_iter()
            .map(|s| (s.heading, s.line))
            .collect();
        assert_eq!(
            found,
            [
                ("(before the first heading)".to_string(), 1),
                ("# One".to_string(), 5),
                ("## Two".to_string(), 10)
            ]
        );
    }

    #[test]
    fn rule_front_matter_paths_in_every_shape() {
        assert_eq!(
            front_matter_paths("---\npaths: \"src/**/*.ts\"\n---\nbody"),
            Some(vec!["src/**/*.ts".to_string()])
        );
        assert_eq!(
            front_matter_paths("---\npaths:\n  - a/**\n  - 'b/*.py'\n---\n"),
            Some(vec!["a/**".to_string(), "b/*.py".to_string()])
        );
        assert_eq!(
            front_matter_paths("---\npaths: [x, y]\n---\n"),
            Some(vec!["x".to_string(), "y".to_string()])
        );
        assert_eq!(front_matter_paths("---\ntitle: t\n---\n"), None);
        assert_eq!(front_matter_paths("no front matter"), None);
    }
}
