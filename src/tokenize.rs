//! The token counter: one BPE encoder per process, built lazily for the
//! encoding asked for, shared by every thread. Counts are the ordinary
//! encoding of the text (special-token text is plain text), equal to the
//! reference tokenizer's, token for token. Knows nothing of files or flags.

use std::cell::RefCell;
use std::fmt;

/// The tokenizers a user can pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenizerKind {
    /// Claude estimate: the cl100k count times a factor.
    Claude,
    /// OpenAI's `cl100k_base`, exact.
    Cl100k,
    /// OpenAI's `o200k_base`, exact.
    O200k,
}

impl TokenizerKind {
    /// Every kind, in the order `--help` lists them.
    pub const ALL: [TokenizerKind; 3] = [Self::Claude, Self::Cl100k, Self::O200k];

    /// The name users type and reports show.
    pub fn name(self) -> &'static str {
        match self {
            Self::Claude => "claude",
            Self::Cl100k => "cl100k",
            Self::O200k => "o200k",
        }
    }

    /// Whether figures under this kind are estimates (a factor over a BPE
    /// count) rather than exact counts.
    pub fn is_estimate(self) -> bool {
        self == Self::Claude
    }

    /// The BPE encoding that counts for this kind.
    pub fn encoding(self) -> &'static str {
        match self {
            Self::Claude | Self::Cl100k => "cl100k_base",
            Self::O200k => "o200k_base",
        }
    }
}

impl fmt::Display for TokenizerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The Claude estimate's default factor over cl100k (see the docs on Claude Code).
pub const DEFAULT_CLAUDE_FACTOR: f64 = 1.18;

/// The default factor of a Claude model family, from its id
/// (`claude-opus-4-6`, `claude-sonnet-4-5-20250929`, `claude-3-5-sonnet-...`):
/// 1.12 up to 4.6, 1.30 from 4.7 on (a new tokenizer); `None` for an id
/// that names no version. Estimates; the README says where they come from.
pub fn family_factor(model: &str) -> Option<f64> {
    let numbers: Vec<u32> = model
        .split('-')
        .filter(|part| part.len() <= 2)
        .filter_map(|part| part.parse().ok())
        .collect();
    let (major, minor) = match numbers.as_slice() {
        [major, minor, ..] => (*major, *minor),
        [major] => (*major, 0),
        [] => return None,
    };
    Some(if (major, minor) >= (4, 7) { 1.30 } else { 1.12 })
}

/// A chosen tokenizer: the encoder plus the factor applied to its counts.
///
/// Raw counts come from [`Tokenizer::count`]; what reports show comes from
/// [`Tokenizer::scale`], which is the identity for exact encodings.
#[derive(Clone, Copy)]
pub struct Tokenizer {
    kind: TokenizerKind,
    factor: f64,
}

impl fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokenizer")
            .field("kind", &self.kind)
            .field("factor", &self.factor)
            .finish()
    }
}

impl Tokenizer {
    /// The tokenizer for `kind`. `claude_factor` is used only by the Claude
    /// estimate; exact kinds have factor 1. The encoder itself is built on
    /// the first count (once per process): a run answered from the cache
    /// never pays for loading its vocabulary.
    pub fn new(kind: TokenizerKind, claude_factor: f64) -> Tokenizer {
        let factor = if kind.is_estimate() {
            claude_factor
        } else {
            1.0
        };
        Tokenizer { kind, factor }
    }

    /// The encoder, built on first use.
    fn bpe(&self) -> &'static tiktoken::CoreBpe {
        tiktoken::get_encoding(self.kind.encoding())
            .expect("both encodings are compiled in by the crate features")
    }

    /// Which tokenizer this is.
    pub fn kind(&self) -> TokenizerKind {
        self.kind
    }

    /// The factor applied to BPE counts (1 for exact encodings).
    pub fn factor(&self) -> f64 {
        self.factor
    }

    /// The exact BPE count of `text` under the underlying encoding.
    ///
    /// Runs of whitespace that the pre-tokenizer makes pieces of their own
    /// (a line break with the blanks before it, an indentation but its last
    /// blank) are cut out and counted once per distinct run: the encoder
    /// would send each through its slow general path, and they repeat on
    /// nearly every line. What lies between them is counted by the encoder.
    pub fn count(&self, text: &str) -> u64 {
        let o200k = self.kind == TokenizerKind::O200k;
        let bytes = text.as_bytes();
        let mut total = 0;
        let mut chunk = 0;
        let mut at = 0;
        while let Some(offset) = bytes[at..].iter().position(|&b| is_space(b)) {
            let start = at + offset;
            let end = start + bytes[start..].iter().take_while(|&&b| is_space(b)).count();
            at = end;
            let Some(cut) = space_pieces(bytes, start, end) else {
                continue;
            };
            if cut.from > chunk {
                total += self.bpe().count(&text[chunk..cut.from]) as u64;
            }
            for piece in [cut.first, cut.second].into_iter().flatten() {
                total += self.piece_count(&text[piece.0..piece.1], o200k);
            }
            chunk = cut.resume;
        }
        if chunk < text.len() {
            total += self.bpe().count(&text[chunk..]) as u64;
        }
        total
    }

    /// The count of `piece`, one whole piece of the pre-tokenizer,
    /// remembered per thread: such pieces repeat across lines and files.
    fn piece_count(&self, piece: &str, o200k: bool) -> u64 {
        // Long pieces are rare and would make the memo as large as the text.
        if piece.len() > PIECE_KEY_BYTES {
            return self.bpe().count(piece) as u64;
        }
        PIECES.with(|memo| {
            let mut memo = memo.borrow_mut();
            let memo = &mut memo[usize::from(o200k)];
            if let Some(&count) = memo.get(piece) {
                return count;
            }
            if memo.len() >= PIECES_KEEP {
                memo.clear();
            }
            let count = self.bpe().count(piece) as u64;
            memo.insert(piece.into(), count);
            count
        })
    }

    /// A raw BPE count as reports show it: unchanged for exact encodings,
    /// times the factor (rounded to the nearest token) for the estimate.
    pub fn scale(&self, raw: u64) -> u64 {
        if self.factor == 1.0 {
            raw
        } else {
            (raw as f64 * self.factor).round() as u64
        }
    }

    /// The exact BPE count of `text` as Claude Code's Read tool shows it:
    /// each line prefixed by its 1-based number and a tab.
    pub fn count_as_read(&self, text: &str) -> u64 {
        self.count_as_read_from(text, 1)
    }

    /// [`Tokenizer::count_as_read`] for a part of a file whose first line
    /// is line `first` (a ranged read).
    pub fn count_as_read_from(&self, text: &str, first: u64) -> u64 {
        READ_VIEW.with(|buffer| {
            let mut buffer = buffer.borrow_mut();
            read_view_from(text, first, &mut buffer);
            let count = self.count(&buffer);
            if buffer.capacity() > READ_VIEW_KEEP {
                *buffer = String::new();
            }
            count
        })
    }
}

/// A text's count split into segments that are counted on their own, so
/// that the count of any run of whole lines is a sum of segment counts plus
/// at most two short recounts at its edges.
///
/// A segment starts after a `\n` when the whitespace that follows holds no
/// further `\r` or `\n` (and, for o200k, the next character is not `/`).
/// Both encodings' pre-tokenizers always start a new piece there: no branch
/// of their patterns carries a newline into a following non-newline, except
/// `\s*[\r\n]+` across a run that still holds a newline and o200k's
/// punctuation tail `[\r\n/]*`. Pieces never cross a segment start, so the
/// ordinary encoding of the text is the concatenation of its segments', and
/// counts add up exactly (the corpus tests check this on every file and
/// every symbol).
#[derive(Debug)]
pub struct Segments {
    /// Byte offsets where segments start, then the text's length.
    bounds: Vec<usize>,
    /// `prefix[k]` = tokens of the segments before `bounds[k]`.
    prefix: Vec<u64>,
}

impl Segments {
    /// The exact BPE count of the whole text.
    pub fn total(&self) -> u64 {
        self.prefix.last().copied().unwrap_or(0)
    }
}

/// Whether a segment starts at `at` (see [`Segments`]).
fn starts_segment(text: &str, at: usize, o200k: bool) -> bool {
    let rest = &text[at..];
    if o200k && rest.starts_with('/') {
        return false;
    }
    for c in rest.chars() {
        match c {
            '\n' | '\r' => return false,
            c if c.is_whitespace() => continue,
            _ => return true,
        }
    }
    true
}

/// The byte offsets after the first where a segment of `text` starts (see
/// [`Segments`]).
fn segment_starts(text: &str, o200k: bool) -> impl Iterator<Item = usize> + '_ {
    text.match_indices('\n')
        .map(|(newline, _)| newline + 1)
        .filter(move |&at| at < text.len() && starts_segment(text, at, o200k))
}

/// The arrow Claude Code's Read tool put between a line's number and its
/// text up to version 2.1.85 (`"     1→text"`).
const ARROW: &str = "\u{2192}";

/// Regex `\s` on one ASCII byte.
fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ')
}

/// Where the pre-tokenizer's piece that starts with [`ARROW`] ends, in
/// bytes of `after` (the text after the arrow), worked out by hand for the
/// ASCII cases; `None` when the answer depends on a non-ASCII character.
///
/// The arrow is in `[^\s\p{L}\p{N}]`, so in both encodings the piece is
/// the arrow and the letters after it (o200k: a run of capitals, then of
/// small letters, then a contraction), else the arrow, the punctuation
/// after it and a tail of line breaks (o200k: and slashes).
fn arrow_piece_end(after: &[u8], o200k: bool) -> Option<usize> {
    let run = |from: usize, keep: &dyn Fn(u8) -> bool| {
        from + after[from..].iter().take_while(|&&b| keep(b)).count()
    };
    let ascii_next = |at: usize| after.get(at).is_none_or(|b| b.is_ascii());
    let first = match after.first() {
        None => return Some(0),
        Some(&b) => b,
    };
    if first.is_ascii_alphabetic() {
        let end = if o200k {
            let capitals = run(0, &|b| b.is_ascii_uppercase());
            run(capitals, &|b| b.is_ascii_lowercase())
        } else {
            run(0, &|b| b.is_ascii_alphabetic())
        };
        if !ascii_next(end) {
            return None;
        }
        if o200k && after.get(end) == Some(&b'\'') {
            let rest = &after[end + 1..];
            // Case-insensitive `'s` also takes the long s: decide in ASCII only.
            if rest.iter().take(2).any(|b| !b.is_ascii()) {
                return None;
            }
            let lower = |i: usize| rest.get(i).map(|b| b.to_ascii_lowercase());
            let suffix = match (lower(0), lower(1)) {
                (Some(b's' | b't' | b'm' | b'd'), _) => 1,
                (Some(b'r' | b'v'), Some(b'e')) | (Some(b'l'), Some(b'l')) => 2,
                _ => 0,
            };
            if suffix > 0 {
                return Some(end + 1 + suffix);
            }
        }
        return Some(end);
    }
    if !first.is_ascii() {
        return None;
    }
    let punctuation = run(0, &|b| {
        b.is_ascii() && !is_space(b) && !b.is_ascii_alphanumeric()
    });
    if !ascii_next(punctuation) {
        return None;
    }
    Some(run(punctuation, &|b| {
        b == b'\r' || b == b'\n' || (o200k && b == b'/')
    }))
}

thread_local! {
    /// Counts of whole pieces (whitespace runs, pieces an arrow starts) per
    /// encoding (cl100k, o200k).
    static PIECES: RefCell<[rustc_hash::FxHashMap<Box<str>, u64>; 2]> = RefCell::default();
}

/// Pieces remembered per encoding and thread before the memo starts over.
const PIECES_KEEP: usize = 1 << 16;

/// The longest piece remembered, in bytes.
const PIECE_KEY_BYTES: usize = 64;

/// The whitespace pieces cut out of a text (see [`Tokenizer::count`]).
#[derive(Debug, PartialEq)]
struct SpacePieces {
    /// Where the text before the pieces ends.
    from: usize,
    /// A run through its last line break, then blanks up to (not
    /// including) the last one, as byte ranges.
    first: Option<(usize, usize)>,
    second: Option<(usize, usize)>,
    /// Where the text after the pieces starts.
    resume: usize,
}

/// The pieces the pre-tokenizer makes of the ASCII whitespace run
/// `bytes[start..end]`, in both encodings, or `None` when it makes none
/// of its own or the answer depends on a non-ASCII neighbour.
///
/// A run is preceded by a piece that ends it: letters, digits, or
/// punctuation whose tail takes the line breaks right after it (o200k's
/// also takes slashes: a run of breaks alone there is left whole). Of what
/// is left, `\s*[\r\n]+` takes through the last line break, then
/// `\s+(?!\S)` all the blanks but the last, which starts the next piece,
/// or all of them at the end of the text.
fn space_pieces(bytes: &[u8], start: usize, end: usize) -> Option<SpacePieces> {
    let before = start.checked_sub(1).map(|i| bytes[i]);
    if before.is_some_and(|b| !b.is_ascii()) || bytes.get(end).is_some_and(|b| !b.is_ascii()) {
        return None;
    }
    let mut from = start;
    if before.is_some_and(|b| !b.is_ascii_alphanumeric()) {
        from += bytes[start..end]
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        if from == end {
            return None;
        }
    }
    let mut blanks = from;
    let mut first = None;
    if let Some(last) = bytes[from..end]
        .iter()
        .rposition(|&b| b == b'\r' || b == b'\n')
    {
        blanks = from + last + 1;
        first = Some((from, blanks));
    }
    let (second, resume) = if end == bytes.len() {
        ((blanks < end).then_some((blanks, end)), end)
    } else if end - blanks >= 2 {
        (Some((blanks, end - 1)), end - 1)
    } else {
        (None, blanks)
    };
    if first.is_none() && second.is_none() {
        return None;
    }
    Some(SpacePieces {
        from,
        first,
        second,
        resume,
    })
}

impl Tokenizer {
    /// The exact BPE count of a tool result's text as a transcript records
    /// it; the same as [`Tokenizer::count`], faster on Read results in the
    /// arrow format, whose arrows would each send the pre-tokenizer down
    /// its slow non-ASCII path. Such text is counted segment by segment
    /// (see [`Segments`]); a segment `"  12→rest"` as the count of the
    /// number, of the piece the arrow starts (remembered) and of the rest,
    /// which are pieces of their own in both encodings.
    pub fn count_result(&self, text: &str) -> u64 {
        if !text.contains(ARROW) {
            return self.count(text);
        }
        let o200k = self.kind == TokenizerKind::O200k;
        let mut start = 0;
        let mut total = 0;
        for end in segment_starts(text, o200k).chain(std::iter::once(text.len())) {
            total += self.count_numbered_segment(&text[start..end], o200k);
            start = end;
        }
        total
    }

    /// [`Tokenizer::count_result`] of one segment.
    fn count_numbered_segment(&self, segment: &str, o200k: bool) -> u64 {
        let bytes = segment.as_bytes();
        let digits_from = bytes.iter().take_while(|&&b| b == b' ').count();
        let digits_to = digits_from
            + bytes[digits_from..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
        if digits_to == digits_from || !segment[digits_to..].starts_with(ARROW) {
            return self.count(segment);
        }
        let after = digits_to + ARROW.len();
        let Some(piece_end) = arrow_piece_end(&bytes[after..], o200k).map(|n| after + n) else {
            return self.count(segment);
        };
        let piece_count = self.piece_count(&segment[digits_to..piece_end], o200k);
        self.count(&segment[..digits_to]) + piece_count + self.count(&segment[piece_end..])
    }

    /// Counts `text` segment by segment (see [`Segments`]).
    pub fn segments(&self, text: &str) -> Segments {
        let o200k = self.kind == TokenizerKind::O200k;
        let mut bounds = vec![0];
        bounds.extend(segment_starts(text, o200k));
        bounds.push(text.len());
        let mut prefix = Vec::with_capacity(bounds.len());
        prefix.push(0);
        let mut total = 0;
        for pair in bounds.windows(2) {
            total += self.count(&text[pair[0]..pair[1]]);
            prefix.push(total);
        }
        Segments { bounds, prefix }
    }

    /// The exact BPE count of `text[start..end]`, where `start` is a line
    /// start and `end` follows a `\n` or is the end of `text`, using the
    /// segment counts of `segments` (built from the same `text`).
    pub fn count_lines(&self, text: &str, segments: &Segments, start: usize, end: usize) -> u64 {
        self.count_lines_memo(text, segments, start, end, &mut EdgeCounts::default())
    }

    /// [`Tokenizer::count_lines`] for many ranges of one text: the short
    /// recounts at range edges are remembered in `memo`, so ranges sharing
    /// an edge (nested symbols on one long line) count it once, and the
    /// work stays linear in the text's size.
    pub fn count_lines_memo(
        &self,
        text: &str,
        segments: &Segments,
        start: usize,
        end: usize,
        memo: &mut EdgeCounts,
    ) -> u64 {
        let mut count = |from: usize, to: usize| {
            *memo
                .0
                .entry((from, to))
                .or_insert_with(|| self.count(&text[from..to]))
        };
        let bounds = &segments.bounds;
        // First segment start at or after `start`, last at or before `end`.
        let first = bounds.partition_point(|&b| b < start);
        let last = bounds.partition_point(|&b| b <= end).saturating_sub(1);
        if first >= bounds.len() || last < first || bounds[first] >= end {
            return count(start, end);
        }
        let head = if bounds[first] > start {
            count(start, bounds[first])
        } else {
            0
        };
        let tail = if bounds[last] < end {
            count(bounds[last], end)
        } else {
            0
        };
        head + (segments.prefix[last] - segments.prefix[first]) + tail
    }
}

/// Counts of range edges already recounted (see
/// [`Tokenizer::count_lines_memo`]), keyed by byte range.
#[derive(Debug, Default)]
pub struct EdgeCounts(rustc_hash::FxHashMap<(usize, usize), u64>);

/// Larger per-thread buffers are dropped after use instead of kept.
const READ_VIEW_KEEP: usize = 4 << 20;

thread_local! {
    static READ_VIEW: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Writes into `out` the text as the Read tool presents it: `N\t` before
/// every line, lines kept with their own endings. An empty text stays empty.
pub fn read_view(text: &str, out: &mut String) {
    read_view_from(text, 1, out);
}

/// [`read_view`] numbering lines from `first`.
pub fn read_view_from(text: &str, first: u64, out: &mut String) {
    use std::fmt::Write;
    out.clear();
    out.reserve(text.len() + text.len() / 8 + 16);
    for (index, line) in text.split_inclusive('\n').enumerate() {
        // Writing to a String cannot fail.
        let _ = write!(out, "{}\t", first + index as u64);
        out.push_str(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_view_numbers_every_line_and_keeps_endings() {
        let mut out = String::new();
        read_view("a\r\nb\n\nlast", &mut out);
        assert_eq!(out, "1\ta\r\n2\tb\n3\t\n4\tlast");
        read_view("", &mut out);
        assert_eq!(out, "");
        read_view("one\n", &mut out);
        assert_eq!(out, "1\tone\n");
        read_view_from("x\ny\n", 99, &mut out);
        assert_eq!(out, "99\tx\n100\ty\n");
    }

    #[test]
    fn segments_add_up_to_the_whole_and_to_every_line_range() {
        let texts = [
            "fn a() {\n    1\n}\n\n\n/// doc\nfn b() {}\n",
            "x = 1\n  \n\t\ny = 2\n\u{a0}\nz\r\n\r\nw\n",
            "}\n//c\n/x\n!\n/\n",
            "",
            "no newline",
            "\n\n\n",
        ];
        for kind in [TokenizerKind::Cl100k, TokenizerKind::O200k] {
            let tokenizer = Tokenizer::new(kind, 1.0);
            for text in texts {
                let segments = tokenizer.segments(text);
                assert_eq!(segments.total(), tokenizer.count(text), "{kind} {text:?}");
                let starts: Vec<usize> = std::iter::once(0)
                    .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                    .filter(|&i| i < text.len())
                    .chain(std::iter::once(text.len()))
                    .collect();
                for (i, &a) in starts.iter().enumerate() {
                    for &b in &starts[i + 1..] {
                        assert_eq!(
                            tokenizer.count_lines(text, &segments, a, b),
                            tokenizer.count(&text[a..b]),
                            "{kind} {:?}",
                            &text[a..b]
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn claude_estimate_scales_and_exact_kinds_do_not() {
        let claude = Tokenizer::new(TokenizerKind::Claude, 1.18);
        assert_eq!(claude.scale(100), 118);
        assert_eq!(claude.scale(0), 0);
        let exact = Tokenizer::new(TokenizerKind::O200k, 1.18);
        assert_eq!(exact.factor(), 1.0);
        assert_eq!(exact.scale(12345), 12345);
    }

    /// Texts chosen to break tokenizers: whitespace runs of every kind, the
    /// boundaries of the pre-tokenizer's branches, contractions, numbers,
    /// special-token text, scripts without spaces, emoji and combining marks.
    fn tricky_strings() -> Vec<String> {
        let mut out: Vec<String> = [
            "",
            " ",
            "\n",
            "\r\n",
            "\t",
            "  \n  ",
            " \n\n x",
            "\u{a0}",
            "\u{3000}x",
            "<|endoftext|>",
            "<|fim_prefix|>x<|endofprompt|>",
            "don't I'LL we'Ve",
            "1234567890",
            "3.14159e-10",
            "٣٤٥ ١٢",
            "x=1;y=22;z=333;",
            "a//b/*c*/",
            "你好，世界！",
            "🚀🎉 emoji 🤖",
            "e\u{301}\u{302}",
            "Ǆǅǆ ᾈᾉ",
            "ABCdefGHI",
            "!!!\n/path",
            "?\r\n\r\n",
            "   x",
            "\t\t\tfn main() {}\n",
            "ﬁ ﬂ ß ẞ",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for n in [
            1, 2, 3, 15, 16, 17, 63, 64, 65, 79, 80, 81, 127, 128, 129, 1000, 4099,
        ] {
            for unit in [
                " ", "\n", "\t", " \n", "\r\n", "\u{a0}", "a", "1", "!", "ab ",
            ] {
                out.push(unit.repeat(n));
                out.push(format!("{}x", unit.repeat(n)));
                out.push(format!("x{}", unit.repeat(n)));
            }
        }
        out
    }

    #[test]
    fn counts_equal_the_reference_port_on_tricky_strings() {
        let oracle_cl = tiktoken_rs::cl100k_base().expect("vocab");
        let oracle_o2 = tiktoken_rs::o200k_base().expect("vocab");
        let cl = Tokenizer::new(TokenizerKind::Cl100k, 1.0);
        let o2 = Tokenizer::new(TokenizerKind::O200k, 1.0);
        for text in tricky_strings() {
            let want = oracle_cl.encode_ordinary(&text).len() as u64;
            assert_eq!(cl.count(&text), want, "cl100k on {text:?}");
            let want = oracle_o2.encode_ordinary(&text).len() as u64;
            assert_eq!(o2.count(&text), want, "o200k on {text:?}");
        }
    }

    /// `text` as Read results showed it up to 2.1.85: `"     1→line"`.
    fn arrow_view(text: &str, first: u64) -> String {
        text.split_inclusive('\n')
            .enumerate()
            .map(|(i, line)| format!("{:>6}{ARROW}{line}", first + i as u64))
            .collect()
    }

    #[test]
    fn whitespace_and_arrow_shortcuts_count_as_the_encoder() {
        let cl = Tokenizer::new(TokenizerKind::Cl100k, 1.0);
        let o2 = Tokenizer::new(TokenizerKind::O200k, 1.0);
        let mut texts = tricky_strings();
        // Every ASCII byte after the arrow, alone and before a letter,
        // a capital, a contraction, a slash and a non-ASCII character.
        for b in 0u8..128 {
            let c = char::from(b);
            for tail in [
                "", "a", "Ab", "'s", "'S x", "'re", "'ll", "/", "\n", "é", "\u{17f}", "→",
            ] {
                texts.push(format!("{c}{tail}"));
                texts.push(format!("{c}{c}{tail}\n"));
            }
        }
        // Random lines over a small alphabet that hits every branch.
        let alphabet: Vec<char> = "aZq's  tRE/\\\n\n\r\t\u{b}\u{c} 1;_-(é→ſ\u{a0}"
            .chars()
            .collect();
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            let mut line = String::new();
            for _ in 0..(state % 24) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                line.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            texts.push(line);
        }
        for text in texts {
            for view in [
                arrow_view(&text, 1),
                arrow_view(&text, 99_998),
                text.clone(),
            ] {
                let (plain_cl, plain_o2) =
                    (cl.bpe().count(&view) as u64, o2.bpe().count(&view) as u64);
                assert_eq!(cl.count(&view), plain_cl, "cl100k {view:?}");
                assert_eq!(o2.count(&view), plain_o2, "o200k {view:?}");
                assert_eq!(cl.count_result(&view), plain_cl, "cl100k {view:?}");
                assert_eq!(o2.count_result(&view), plain_o2, "o200k {view:?}");
            }
        }
    }

    #[test]
    fn counts_equal_the_reference_port_on_this_projects_sources() {
        let oracle = tiktoken_rs::cl100k_base().expect("vocab");
        let oracle_o2 = tiktoken_rs::o200k_base().expect("vocab");
        let cl = Tokenizer::new(TokenizerKind::Cl100k, 1.0);
        let o2 = Tokenizer::new(TokenizerKind::O200k, 1.0);
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        for entry in ignore::WalkBuilder::new(root).build().flatten() {
            let Ok(bytes) = std::fs::read(entry.path()) else {
                continue;
            };
            if !entry.path().is_file() || bytes.contains(&0) {
                continue;
            }
            let text = String::from_utf8_lossy(&bytes);
            let path = entry.path().display();
            assert_eq!(
                cl.count(&text),
                oracle.encode_ordinary(&text).len() as u64,
                "{path}"
            );
            assert_eq!(
                o2.count(&text),
                oracle_o2.encode_ordinary(&text).len() as u64,
                "{path}"
            );
            let mut view = String::new();
            read_view(&text, &mut view);
            assert_eq!(
                cl.count_as_read(&text),
                oracle.encode_ordinary(&view).len() as u64
            );
            let arrows = arrow_view(&text, 1);
            assert_eq!(cl.count_result(&arrows), cl.count(&arrows), "{path}");
            assert_eq!(o2.count_result(&arrows), o2.count(&arrows), "{path}");
            checked += 1;
        }
        assert!(checked > 20, "walked only {checked} files");
    }
}
