//! The generated block inside a memory file: finding it between its
//! markers and putting a new one in its place. Works on bytes, so a file
//! that is not valid UTF-8 keeps every byte it had; every byte outside the
//! markers is kept exactly. Pure: no I/O.

use std::fmt;

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

/// Finds the block: `Ok(None)` when the file has no marker lines at all.
pub fn find(bytes: &[u8]) -> Result<Option<Found>, Unbalanced> {
    let mut begin: Option<(usize, usize)> = None;
    let mut found: Option<Found> = None;
    let mut offset = 0;
    for (n, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let number = n + 1;
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
        offset += line.len() + 1;
    }
    if let Some((line, _)) = begin {
        return Err(Unbalanced {
            line,
            problem: "a begin marker without an end marker after it",
        });
    }
    Ok(found)
}

/// The block as it is on disk, markers included.
pub fn current(bytes: &[u8]) -> Result<Option<&[u8]>, Unbalanced> {
    Ok(find(bytes)?.map(|f| &bytes[f.start..f.end]))
}

/// Whether the file writes its lines with `\r\n`: most of its line ends do.
pub fn uses_crlf(bytes: &[u8]) -> bool {
    let lf = bytes.iter().filter(|&&b| b == b'\n').count();
    let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
    lf > 0 && crlf * 2 > lf
}

/// The block's bytes for this file: `text` (which must start with
/// [`BEGIN`] and end with [`END`], lines ending in `\n`) with the file's
/// own line ends.
pub fn encode(text: &str, crlf: bool) -> Vec<u8> {
    if crlf {
        text.replace('\n', "\r\n").into_bytes()
    } else {
        text.as_bytes().to_vec()
    }
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
            let newline: &[u8] = if uses_crlf(bytes) { b"\r\n" } else { b"\n" };
            out.extend_from_slice(bytes);
            if !bytes.is_empty() {
                if !bytes.ends_with(b"\n") {
                    out.extend_from_slice(newline);
                }
                if !bytes.ends_with(b"\n\n") && !bytes.ends_with(b"\n\r\n") {
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
    fn crlf_files_are_recognised() {
        assert!(uses_crlf(b"a\r\nb\r\nc\n"));
        assert!(!uses_crlf(b"a\nb\r\nc\n"));
        assert!(!uses_crlf(b"no newline"));
        assert_eq!(encode("a\nb", true), b"a\r\nb");
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
            if !out.split(|&b| b == b'\n').any(is_marker) {
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
