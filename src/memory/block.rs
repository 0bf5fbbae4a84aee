//! The generated block inside a memory file: finding it between its
//! markers and putting a new one in its place. Works on bytes, so a file
//! that is not valid UTF-8 keeps every byte it had; every byte outside the
//! markers is kept exactly. Pure: no I/O.

use std::fmt;

use super::markdown::Fences;

/// The line that opens the generated block.
pub const BEGIN: &str = "<!-- ctxbudget:begin -->";
/// The line that closes it.
pub const END: &str = "<!-- ctxbudget:end -->";

/// Where the block is: byte offsets of the first byte of [`BEGIN`] and
/// one past the last byte of [`END`]. What lies on the marker lines
/// around the markers themselves (indentation, a `\r`) stays outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// Offset of the begin marker.
    pub start: usize,
    /// Offset just past the end marker.
    pub end: usize,
}

/// Markers that do not make one block, so the file cannot be updated
/// without guessing which text is the user's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unbalanced {
    /// 1-based line of the marker at fault.
    pub line: usize,
    /// What is wrong there.
    pub problem: &'static str,
}

impl fmt::Display for Unbalanced {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.problem)
    }
}

/// A marker line: the marker alone on its line, maybe with whitespace
/// around it. A marker quoted inside other text is not one.
fn marker_at(line: &[u8], marker: &str) -> Option<usize> {
    let start = line.iter().position(|b| !b.is_ascii_whitespace())?;
    let end = line.iter().rposition(|b| !b.is_ascii_whitespace())? + 1;
    (&line[start..end] == marker.as_bytes()).then_some(start)
}

/// The lines of a file as Markdown sees them: ended by `\n`, `\r\n` or a
/// lone `\r`; each with its byte offset, without its line ending.
fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at > bytes.len() || (at == bytes.len() && at > 0) {
            return None;
        }
        let start = at;
        let rest = &bytes[start..];
        match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(end) => {
                let ending = if rest[end] == b'\r' && rest.get(end + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                at = start + end + ending;
                Some((start, &rest[..end]))
            }
            None => {
                at = bytes.len() + 1;
                Some((start, rest))
            }
        }
    })
}

const BOM: &[u8] = b"\xef\xbb\xbf";

/// Finds the block: `Ok(None)` when the file has no marker lines at all.
/// Marker lines inside fenced code blocks are examples, not markers; a
/// byte-order mark before a first-line marker is skipped.
pub fn find(bytes: &[u8]) -> Result<Option<Found>, Unbalanced> {
    let mut begin: Option<(usize, usize)> = None;
    let mut found: Option<Found> = None;
    let mut fences = Fences::default();
    let mut open_fence: Option<usize> = None;
    for (n, (offset, line)) in lines(bytes).enumerate() {
        let number = n + 1;
        let (offset, line) = match line.strip_prefix(BOM) {
            Some(rest) if offset == 0 => (BOM.len(), rest),
            _ => (offset, line),
        };
        let was_open = open_fence.is_some();
        if fences.step_bytes(line) {
            if !was_open {
                open_fence = Some(number);
            } else if !fences.is_open() {
                open_fence = None;
            }
            continue;
        }
        if let Some(at) = marker_at(line, BEGIN) {
            if found.is_some() {
                return Err(Unbalanced {
                    line: number,
                    problem: "a second generated block; keep one pair of markers",
                });
            }
            if begin.is_some() {
                return Err(Unbalanced {
                    line: number,
                    problem: "a begin marker inside the block; the previous one is not closed",
                });
            }
            begin = Some((number, offset + at));
        } else if let Some(at) = marker_at(line, END) {
            let Some((_, start)) = begin.take() else {
                return Err(Unbalanced {
                    line: number,
                    problem: "an end marker without a begin marker before it",
                });
            };
            found = Some(Found {
                start,
                end: offset + at + END.len(),
            });
        }
    }
    if let Some((line, _)) = begin {
        return Err(Unbalanced {
            line,
            problem: "a begin marker without an end marker after it",
        });
    }
    if let Some(line) = open_fence {
        // A block appended after it would be code, never found again.
        return Err(Unbalanced {
            line,
            problem: "a code fence that is never closed; close it so the generated block stays outside code",
        });
    }
    Ok(found)
}

/// The text encoding of a file that is not UTF-8 text (a UTF-16 or UTF-32
/// byte-order mark, or NUL bytes), which a UTF-8 block would corrupt.
pub fn foreign_encoding(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\xff\xfe\0\0") || bytes.starts_with(b"\0\0\xfe\xff") {
        Some("UTF-32")
    } else if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        Some("UTF-16")
    } else if bytes.contains(&0) {
        Some("binary (it holds NUL bytes)")
    } else {
        None
    }
}

/// The block as it is on disk, markers included.
pub fn current(bytes: &[u8]) -> Result<Option<&[u8]>, Unbalanced> {
    Ok(find(bytes)?.map(|f| &bytes[f.start..f.end]))
}

/// The line ending most of the file's lines use: `\n` (also for a file
/// with none), `\r\n` or a lone `\r`.
pub fn line_ending(bytes: &[u8]) -> &'static str {
    let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
    let lf = bytes.iter().filter(|&&b| b == b'\n').count() - crlf;
    let cr = bytes.iter().filter(|&&b| b == b'\r').count() - crlf;
    if crlf > lf && crlf >= cr && crlf > 0 {
        "\r\n"
    } else if cr > lf && cr > crlf {
        "\r"
    } else {
        "\n"
    }
}

/// The block's bytes for this file: `text` (which must start with
/// [`BEGIN`] and end with [`END`], lines ending in `\n`) with the file's
/// own line ends.
pub fn encode(text: &str, ending: &str) -> Vec<u8> {
    text.replace('\n', ending).into_bytes()
}

/// The file with `block` in place of its generated block, or appended
/// after a blank line when it has none. Bytes outside the markers are
/// copied unchanged; an appended block ends its line.
pub fn splice(bytes: &[u8], block: &[u8]) -> Result<Vec<u8>, Unbalanced> {
    let mut out = Vec::with_capacity(bytes.len() + block.len() + 2);
    match find(bytes)? {
        Some(found) => {
            out.extend_from_slice(&bytes[..found.start]);
            out.extend_from_slice(block);
            out.extend_from_slice(&bytes[found.end..]);
        }
        None => {
            let newline = line_ending(bytes).as_bytes();
            out.extend_from_slice(bytes);
            if !bytes.is_empty() {
                let ends_line = bytes.ends_with(b"\n") || bytes.ends_with(b"\r");
                if !ends_line {
                    out.extend_from_slice(newline);
                }
                let blank = [b"\n\n".as_slice(), b"\n\r\n", b"\r\r", b"\r\n\r\n"]
                    .iter()
                    .any(|end| bytes.ends_with(end));
                if !blank {
                    out.extend_from_slice(newline);
                }
            }
            out.extend_from_slice(block);
            out.extend_from_slice(newline);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(body: &str) -> Vec<u8> {
        format!("{BEGIN}\n{body}\n{END}").into_bytes()
    }

    #[test]
    fn a_file_without_markers_gets_the_block_after_a_blank_line() {
        let out = splice(b"# Notes\nkeep me", &block("x")).expect("no markers");
        assert_eq!(
            out,
            format!("# Notes\nkeep me\n\n{BEGIN}\nx\n{END}\n").as_bytes()
        );
        let out = splice(b"", &block("x")).expect("empty");
        assert_eq!(out, format!("{BEGIN}\nx\n{END}\n").as_bytes());
    }

    #[test]
    fn the_block_is_replaced_and_nothing_else_moves() {
        let before = format!("a\r\n  {BEGIN}  \r\nold\r\n{END}\r\ntail \u{0}\u{ff}");
        let out = splice(before.as_bytes(), &block("new")).expect("balanced");
        assert_eq!(
            out,
            format!("a\r\n  {BEGIN}\nnew\n{END}\r\ntail \u{0}\u{ff}").as_bytes()
        );
    }

    #[test]
    fn invalid_utf8_outside_the_block_survives() {
        let mut file = b"\xff\xfe user \xc3\x28\n".to_vec();
        file.extend_from_slice(&block("old"));
        file.extend_from_slice(b"\n\x80 after");
        let out = splice(&file, &block("new")).expect("balanced");
        assert!(out.starts_with(b"\xff\xfe user \xc3\x28\n"));
        assert!(out.ends_with(b"\n\x80 after"));
    }

    #[test]
    fn a_marker_quoted_in_prose_is_not_a_marker() {
        let file = format!("use `{BEGIN}` to mark\nx {END}\n");
        assert_eq!(find(file.as_bytes()), Ok(None));
    }

    #[test]
    fn unbalanced_markers_are_refused_with_their_line() {
        let cases = [
            (format!("a\n{BEGIN}\nb\n"), 2),
            (format!("{END}\n{BEGIN}\n"), 1),
            (format!("{BEGIN}\n{BEGIN}\n{END}\n"), 2),
            (format!("{BEGIN}\n{END}\n\n{BEGIN}\n{END}\n"), 4),
        ];
        for (file, line) in cases {
            let error = find(file.as_bytes()).expect_err(&file);
            assert_eq!(error.line, line, "{file}");
            assert!(splice(file.as_bytes(), &block("x")).is_err());
        }
    }

    #[test]
    fn line_endings_are_recognised() {
        assert_eq!(line_ending(b"a\r\nb\r\nc\n"), "\r\n");
        assert_eq!(line_ending(b"a\nb\r\nc\n"), "\n");
        assert_eq!(line_ending(b"no newline"), "\n");
        assert_eq!(line_ending(b"a\rb\rc"), "\r");
        assert_eq!(encode("a\nb", "\r\n"), b"a\r\nb");
    }

    /// Markers in a fenced example were taken as the real block.
    #[test]
    fn markers_inside_a_code_fence_are_examples() {
        let example = format!("# Docs\n```\n{BEGIN}\nexample\n{END}\n```\n");
        assert_eq!(find(example.as_bytes()), Ok(None));
        let out = splice(example.as_bytes(), &block("x")).expect("fine");
        assert!(out.starts_with(example.as_bytes()));
        let found = find(&out).expect("one block").expect("found");
        assert_eq!(&out[found.start..found.end], &block("x")[..]);
        let unclosed = "```\nno end\n";
        assert!(find(unclosed.as_bytes()).is_err());
    }

    /// A CR-only file got a second block on every run; a BOM before a
    /// first-line marker read as "an end marker without a begin".
    #[test]
    fn cr_only_files_and_a_leading_bom_keep_one_block() {
        let first = splice(
            b"a\rb\r",
            &encode(&String::from_utf8_lossy(&block("x")), "\r"),
        )
        .expect("no markers");
        let again = splice(&first, &encode(&String::from_utf8_lossy(&block("x")), "\r"))
            .expect("one block");
        assert_eq!(first, again);
        let bom = format!("\u{feff}{BEGIN}\nold\n{END}\n");
        let out = splice(bom.as_bytes(), &block("new")).expect("found");
        assert_eq!(out, format!("\u{feff}{BEGIN}\nnew\n{END}\n").as_bytes());
        assert_eq!(foreign_encoding(b"\xff\xfea\0"), Some("UTF-16"));
        assert_eq!(foreign_encoding(b"plain"), None);
    }

    /// A small deterministic generator (xorshift), so the property test
    /// needs no extra crate and every failure reproduces from its seed.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Random user text: pieces chosen to be hard on the parser (partial
    /// markers, markers inside other text, CR, CRLF, NUL, invalid UTF-8,
    /// fences), never a line that is a marker on its own.
    fn user_text(rng: &mut Rng) -> Vec<u8> {
        let pieces: [&[u8]; 16] = [
            b"\n",
            b"\r\n",
            b"\r",
            b" ",
            b"# Heading",
            b"text",
            b"```",
            b"<!--",
            b"-->",
            b"<!-- ctxbudget:begin",
            b"x <!-- ctxbudget:begin -->",
            b"<!-- ctxbudget:end --> y",
            b"<!-- ctxbudget:end -- >",
            b"\xff\xfe",
            b"\0",
            "\u{e9}\u{1F600}".as_bytes(),
        ];
        loop {
            let mut out = Vec::new();
            for _ in 0..rng.below(40) {
                out.extend_from_slice(pieces[rng.below(pieces.len())]);
            }
            let is_marker =
                |line: &[u8]| marker_at(line, BEGIN).is_some() || marker_at(line, END).is_some();
            // Fences must close, or the block after them would be code.
            let mut fences = Fences::default();
            for (_, line) in lines(&out) {
                fences.step_bytes(line);
            }
            if !lines(&out).any(|(_, line)| is_marker(line)) && !fences.is_open() {
                return out;
            }
        }
    }

    #[test]
    fn user_text_around_the_markers_survives_any_number_of_regenerations() {
        for seed in 1..=3000u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            // The markers stand on their own lines.
            let mut before = user_text(&mut rng);
            before.push(b'\n');
            let mut after = b"\n".to_vec();
            after.extend(user_text(&mut rng));
            // Half the files start with a block between the user's text,
            // half have none and get one appended.
            let mut file = before.clone();
            let had_block = rng.below(2) == 0;
            if had_block {
                file.extend_from_slice(&block("first"));
                file.extend_from_slice(&after);
            }
            assert_eq!(
                find(&file).map(|f| f.is_some()),
                Ok(had_block),
                "seed {seed}"
            );
            let mut previous = file.clone();
            for round in 0..4 {
                let body = format!("round {round}\n{}", "line\n".repeat(rng.below(5)));
                let new_block = block(body.trim_end());
                let next = splice(&previous, &new_block).expect("balanced");
                let found = find(&next).expect("still balanced").expect("a block");
                assert_eq!(&next[found.start..found.end], &new_block[..], "seed {seed}");
                assert!(next.starts_with(&before), "seed {seed} round {round}");
                if had_block {
                    assert_eq!(&next[..found.start], &before[..], "seed {seed}");
                    assert_eq!(&next[found.end..], &after[..], "seed {seed}");
                } else {
                    // What was appended around the block is fixed after the
                    // first write.
                    let first = splice(&file, &new_block).expect("balanced");
                    assert_eq!(next, first, "seed {seed} round {round}");
                }
                // Writing the same block again changes nothing.
                assert_eq!(splice(&next, &new_block).expect("balanced"), next);
                previous = next;
            }
        }
    }
}
