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
#[derive(Default)]
struct Fences {
    open: Option<(char, usize)>,
}

impl Fences {
    /// Whether this line is part of a code block (its fences included).
    fn step(&mut self, line: &str) -> bool {
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
        let mut in_code = false;
        let mut prev: Option<char> = None;
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            if c == '`' {
                in_code = !in_code;
            } else if c == '@' && !in_code && prev.is_none_or(char::is_whitespace) {
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
                while chars.peek().is_some_and(|&(_, c)| !c.is_whitespace()) {
                    chars.next();
                }
                prev = Some('x');
                continue;
            }
            prev = Some(c);
        }
    }
    found
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
