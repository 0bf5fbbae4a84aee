//! A file's outline as a session reads it: its parts (symbols, document
//! sections, else line chunks), each with the Read `offset`/`limit` that
//! fetches it and what that read costs, chosen to fit a token cap, largest
//! first when not all fit, printed in file order with members under their
//! containers. Pure: takes the parts and a counter, returns lines.

/// One part of a file that can be read on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    /// What it is (`class Cart`, `## Install`, `lines 1-400`).
    pub(crate) label: String,
    /// First line, 1-based.
    pub(crate) start: u32,
    /// Last line, 1-based, inclusive.
    pub(crate) end: u32,
    /// What a Read of exactly these lines costs.
    pub(crate) read_tokens: u64,
    /// Too costly to read at once itself: listed for its members, without
    /// Read parameters.
    pub(crate) too_large: bool,
}

impl Part {
    /// The Read `limit` for these lines.
    pub(crate) fn limit(&self) -> u32 {
        self.end.saturating_sub(self.start) + 1
    }
}

/// The parts that fit, as printed lines, and how many were left out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Outline {
    /// One line per part kept, in file order, members indented under the
    /// kept part that contains them.
    pub(crate) lines: Vec<String>,
    /// Parts left out for the cap.
    pub(crate) omitted: usize,
    /// What the kept lines cost, by `count`.
    pub(crate) tokens: u64,
}

/// Keeps the largest parts whose lines fit in `cap` tokens (as `count`
/// prices a line), then prints them in file order. A part inside another
/// kept part is indented under it.
pub(crate) fn plan(parts: &[Part], cap: u64, count: &dyn Fn(&str) -> u64) -> Outline {
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| {
        parts[b]
            .read_tokens
            .cmp(&parts[a].read_tokens)
            .then(parts[a].start.cmp(&parts[b].start))
    });
    // A line's cost does not depend on its indent by more than a token or
    // two; price it at the deepest indent it could get.
    let mut kept: Vec<usize> = Vec::new();
    let mut used = 0u64;
    for &i in &order {
        let cost = count(&render(&parts[i], 4));
        if used + cost > cap {
            continue;
        }
        used += cost;
        kept.push(i);
    }
    kept.sort_by(|&a, &b| {
        parts[a]
            .start
            .cmp(&parts[b].start)
            .then(parts[b].end.cmp(&parts[a].end))
    });
    let mut open: Vec<u32> = Vec::new();
    let mut lines = Vec::with_capacity(kept.len());
    for &i in &kept {
        let part = &parts[i];
        while open
            .last()
            .is_some_and(|&end| end < part.end || part.start > end)
        {
            open.pop();
        }
        lines.push(render(part, open.len().min(4)));
        open.push(part.end);
    }
    let tokens = lines.iter().map(|l| count(l)).sum();
    Outline {
        omitted: parts.len() - kept.len(),
        lines,
        tokens,
    }
}

fn render(part: &Part, depth: usize) -> String {
    let indent = "  ".repeat(depth);
    let tokens = crate::units::thousands(part.read_tokens);
    if part.too_large {
        format!(
            "{indent}- {} (lines {}-{}, {tokens} tokens: read its parts)",
            part.label, part.start, part.end
        )
    } else {
        format!(
            "{indent}- {}: offset={} limit={} ({tokens} tokens)",
            part.label,
            part.start,
            part.limit()
        )
    }
}

/// Line ranges of about `target` tokens each covering `lines` lines whose
/// whole read costs `total`: for files with no symbols or sections.
pub(crate) fn chunks(lines: u32, total: u64, target: u64) -> Vec<(u32, u32)> {
    if lines == 0 {
        return Vec::new();
    }
    let pieces = total.div_ceil(target.max(1)).clamp(1, u64::from(lines));
    let per = u64::from(lines).div_ceil(pieces) as u32;
    let mut out = Vec::new();
    let mut start = 1;
    while start <= lines {
        let end = (start + per - 1).min(lines);
        out.push((start, end));
        start = end + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(label: &str, start: u32, end: u32, read_tokens: u64) -> Part {
        Part {
            label: label.to_string(),
            start,
            end,
            read_tokens,
            too_large: false,
        }
    }

    fn words(text: &str) -> u64 {
        text.split_whitespace().count() as u64
    }

    #[test]
    fn members_sit_under_their_container_in_file_order() {
        let parts = [
            part("class A", 1, 20, 300),
            part("method A.f", 2, 10, 120),
            part("method A.g", 11, 20, 150),
            part("function h", 22, 30, 90),
        ];
        let outline = plan(&parts, 1_000, &words);
        assert_eq!(
            outline.lines,
            [
                "- class A: offset=1 limit=20 (300 tokens)",
                "  - method A.f: offset=2 limit=9 (120 tokens)",
                "  - method A.g: offset=11 limit=10 (150 tokens)",
                "- function h: offset=22 limit=9 (90 tokens)",
            ]
        );
        assert_eq!(outline.omitted, 0);
    }

    #[test]
    fn the_largest_parts_are_kept_when_not_all_fit() {
        let parts = [
            part("function small", 1, 2, 10),
            part("function big", 3, 90, 900),
            part("function mid", 91, 99, 100),
        ];
        // Each line is 7 words; room for two.
        let outline = plan(&parts, 14, &words);
        assert_eq!(outline.omitted, 1);
        assert!(outline.lines[0].contains("big") && outline.lines[1].contains("mid"));
        assert!(outline.tokens <= 14);
    }

    #[test]
    fn chunks_cover_every_line_once() {
        assert_eq!(chunks(10, 100, 40), [(1, 4), (5, 8), (9, 10)]);
        assert_eq!(chunks(3, 10_000, 10), [(1, 1), (2, 2), (3, 3)]);
        assert_eq!(chunks(5, 10, 100), [(1, 5)]);
        assert!(chunks(0, 0, 10).is_empty());
    }
}
