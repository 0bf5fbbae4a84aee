//! The README's description: its first real paragraph, without badges,
//! banners, headings or link-only lines.

use crate::memory::markdown::Fences;

/// Longest description kept, in characters.
pub(super) const DESCRIPTION_CHARS: usize = 320;

/// Whitespace collapsed to single spaces, cut at a sentence end (or a
/// word) before [`DESCRIPTION_CHARS`].
pub(super) fn one_paragraph(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() <= DESCRIPTION_CHARS {
        return joined;
    }
    let cut: String = joined.chars().take(DESCRIPTION_CHARS).collect();
    if let Some(end) = cut.rfind(". ").filter(|&e| e >= 40) {
        return cut[..=end].to_string();
    }
    let word = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}...", &cut[..word])
}

/// The README's first paragraph of prose: past front matter, headings,
/// badges, HTML, reStructuredText directives and link-only lines; links
/// become their text.
pub(crate) fn readme_description(text: &str) -> Option<String> {
    let mut paragraph: Vec<&str> = Vec::new();
    let mut lines = text.lines().peekable();
    if lines.peek().is_some_and(|l| l.trim() == "---") {
        lines.next();
        for line in lines.by_ref() {
            if line.trim() == "---" {
                break;
            }
        }
    }
    let mut fences = Fences::default();
    let mut in_directive = false;
    let mut in_html = false;
    let mut paragraphs: Vec<Vec<&str>> = Vec::new();
    for line in lines {
        if fences.step(line) {
            continue;
        }
        let trimmed = line.trim();
        if in_directive {
            if trimmed.is_empty() || line.starts_with([' ', '\t']) {
                continue;
            }
            in_directive = false;
        }
        // An HTML block runs to the next blank line: its text is layout.
        if in_html {
            in_html = !trimmed.is_empty();
            continue;
        }
        if trimmed.starts_with('<') {
            in_html = true;
            if !paragraph.is_empty() {
                paragraphs.push(std::mem::take(&mut paragraph));
            }
            continue;
        }
        let skip = trimmed.is_empty()
            || trimmed.starts_with('#')
            || trimmed.starts_with("![")
            || trimmed.starts_with("[![")
            || trimmed.starts_with('|')
            || trimmed.starts_with('>')
            || is_underline(trimmed)
            || is_link_only(trimmed);
        if trimmed.starts_with("..") {
            in_directive = true;
        }
        // A one-line paragraph underlined by the next line is a heading.
        if is_underline(trimmed) && paragraph.len() == 1 {
            paragraph.clear();
            continue;
        }
        if skip || in_directive {
            if !paragraph.is_empty() {
                paragraphs.push(std::mem::take(&mut paragraph));
            }
            if paragraphs.len() >= 6 {
                break;
            }
            continue;
        }
        paragraph.push(trimmed);
    }
    if !paragraph.is_empty() {
        paragraphs.push(paragraph);
    }
    // The first paragraph that reads as a sentence about the project; none
    // rather than a banner.
    paragraphs.into_iter().find_map(|paragraph| {
        let text = unlink(&paragraph.join(" "));
        let text = one_paragraph(&text);
        let words = text.split_whitespace().count();
        (text.len() >= 20 && words >= 4 && !is_banner(&text)).then_some(text)
    })
}

/// Sponsor, merchandise, "star us" and similar notices: not what the
/// project is.
pub(super) fn is_banner(text: &str) -> bool {
    let lower = text.to_lowercase();
    [
        "sponsor",
        "t-shirt",
        "merch",
        "stickers",
        "donate",
        "donation",
        "backers",
        "patreon",
        "open collective",
        "opencollective",
        "star us",
        "give us a star",
        "give it a star",
        "buy me a coffee",
        "now available",
        "we're hiring",
        "we are hiring",
        "join our discord",
        "join us on",
        "table of contents",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

pub(super) fn is_underline(line: &str) -> bool {
    line.len() >= 3
        && line
            .chars()
            .all(|c| matches!(c, '=' | '-' | '~' | '*' | '^' | '+' | '#'))
}

pub(super) fn is_link_only(line: &str) -> bool {
    let bare = unlink(line);
    let rest = bare.trim_matches(|c: char| c.is_whitespace() || matches!(c, '|' | '-' | '*' | '.'));
    rest.is_empty() || (line.starts_with('[') && line.ends_with(')') && !line.contains(". "))
}

/// `[text](url)` becomes `text`; `**`, `__` and backquotes are kept.
pub(super) fn unlink(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|c| open + c) else {
            break;
        };
        let Some(end) = rest[close..].find(')').map(|e| close + e) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}
