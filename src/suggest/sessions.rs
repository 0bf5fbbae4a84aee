//! What a session should have read instead of a costly whole file: the
//! symbols it then edited, else those holding what it searched for, else
//! the file's largest symbols that are still a real saving.

use serde::Serialize;

use crate::lang::SymbolKind;
use crate::sessions::reader::Touch;
use crate::stats::FileStat;
use crate::suggest::refs;

/// Whole reads that get references to read instead (the costliest).
pub(crate) const ADVISED_WHOLE_READS: usize = 25;

/// References offered for one whole read.
const REFERENCES_PER_READ: usize = 3;

/// Why a range is offered instead of a whole read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Why {
    /// The session edited it after the read.
    Edited,
    /// The session searched for a word in it after the read.
    Searched,
    /// Nothing is known of what the session wanted: among the largest.
    Largest,
}

impl Why {
    /// The stable name (JSON `why`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Why::Edited => "edited",
            Why::Searched => "searched",
            Why::Largest => "largest",
        }
    }
}

/// A range to read instead of a whole file.
#[derive(Debug, Clone)]
pub(crate) struct Instead {
    /// `@path#Lstart-end`.
    pub(crate) reference: String,
    /// The symbol's qualified name.
    pub(crate) qualified_name: String,
    /// function, class, ...
    pub(crate) kind: SymbolKind,
    /// Tokens of its lines.
    pub(crate) tokens: u64,
    /// Why this one.
    pub(crate) why: Why,
}

/// Up to [`REFERENCES_PER_READ`] symbols of `file` (whose current text is
/// `text`) for what the session did after reading it whole. Without a
/// clue, the largest symbols that cost at most `cap` and half the file.
pub(crate) fn instead(file: &FileStat, text: &str, touches: &[Touch], cap: u64) -> Vec<Instead> {
    let mut chosen: Vec<(usize, Why)> = Vec::new();
    let add = |symbol: usize, why: Why, chosen: &mut Vec<(usize, Why)>| {
        if chosen.len() < REFERENCES_PER_READ && !chosen.iter().any(|(s, _)| *s == symbol) {
            chosen.push((symbol, why));
        }
    };
    for touch in touches {
        if let Touch::Edited(written) = touch
            && let Some(line) = line_of(text, written)
            && let Some(symbol) = refs::at_line(file, line)
        {
            add(symbol, Why::Edited, &mut chosen);
        }
    }
    for touch in touches {
        if let Touch::Searched(pattern) = touch
            && let Some(search) = Search::new(pattern)
        {
            for (index, line) in text.lines().enumerate() {
                if search.matches(line)
                    && let Some(symbol) = refs::at_line(file, index as u32 + 1)
                {
                    add(symbol, Why::Searched, &mut chosen);
                }
            }
        }
    }
    if chosen.is_empty() {
        for symbol in refs::in_file(file) {
            let tokens = file.symbols[symbol].tokens;
            if tokens * 2 <= file.tokens && tokens <= cap {
                add(symbol, Why::Largest, &mut chosen);
            }
        }
    }
    chosen
        .into_iter()
        .map(|(s, why)| {
            let symbol = &file.symbols[s];
            Instead {
                reference: symbol.reference(&file.path),
                qualified_name: symbol.span.qualified_name.clone(),
                kind: symbol.span.kind,
                tokens: symbol.tokens,
                why,
            }
        })
        .collect()
}

/// The 1-based line where `written` (its first non-blank line) now
/// starts in `text`, when it is there.
fn line_of(text: &str, written: &str) -> Option<u32> {
    let needle = written.lines().map(str::trim).find(|l| l.len() >= 3)?;
    let at = text.find(needle)?;
    Some(text[..at].matches('\n').count() as u32 + 1)
}

/// A Grep pattern run again over a file's current lines: as a regular
/// expression (the syntax Grep's ripgrep takes), else as plain text.
enum Search {
    Pattern(regex::Regex),
    Text(String),
}

impl Search {
    fn new(pattern: &str) -> Option<Search> {
        if pattern.trim().len() < 2 {
            return None;
        }
        Some(match regex::Regex::new(pattern) {
            Ok(re) => Search::Pattern(re),
            Err(_) => Search::Text(pattern.to_string()),
        })
    }

    fn matches(&self, line: &str) -> bool {
        match self {
            Search::Pattern(re) => re.is_match(line),
            Search::Text(text) => line.contains(text.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Search, line_of};

    #[test]
    fn edits_are_found_by_their_first_real_line() {
        let text = "a\nb\n    def load(self):\n        pass\n";
        assert_eq!(line_of(text, "\n  def load(self):\n  x"), Some(3));
        assert_eq!(line_of(text, "zz"), None);
        assert_eq!(line_of(text, "nothing like it"), None);
    }

    #[test]
    fn searches_run_as_ripgrep_patterns_else_as_text() {
        let search = Search::new(r"def\s+apply_discount").expect("a search");
        assert!(search.matches("def  apply_discount(cart):"));
        assert!(!search.matches("    x = apply_discount(cart)"));
        let broken = Search::new("load(").expect("a search");
        assert!(broken.matches("    load(x)"));
        assert!(Search::new(" ").is_none());
    }
}
