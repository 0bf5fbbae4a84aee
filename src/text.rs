//! Showing untrusted text (file names, headings, names from a repository)
//! on a terminal or in a report: control characters and invisible
//! direction overrides are escaped so text can never forge output lines,
//! move the cursor or change colours. Pure.

use std::borrow::Cow;

/// Whether a character must not be shown as is: C0 and C1 controls (line
/// breaks included), DEL, line and paragraph separators, and the
/// bidirectional controls that make text read differently from its bytes.
pub(crate) fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{61c}'
        )
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `text` with every unsafe character written as an escape (`\n`, `\t`,
/// `\x1b`, `\u{202e}`); unchanged (and not copied) when there is none.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write;
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_unsafe(c) && (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if is_unsafe(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// A file name from the operating system as text: unsafe characters
/// escaped as by [`escape`], and bytes that are not UTF-8 written `\xNN`,
/// so two names that differ only in such bytes stay two names.
pub(crate) fn os_name(name: &std::ffi::OsStr) -> Cow<'_, str> {
    if let Some(text) = name.to_str() {
        return escape(text);
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            for c in chunk.valid().chars() {
                push_escaped(&mut out, c);
            }
            for b in chunk.invalid() {
                use std::fmt::Write;
                let _ = write!(out, "\\x{b:02x}");
            }
        }
        Cow::Owned(out)
    }
    #[cfg(not(unix))]
    {
        Cow::Owned(escape(&name.to_string_lossy()).into_owned())
    }
}

/// A run of one kind of character (letters, spaces, punctuation) longer
/// than this is one pre-token piece whose exact BPE count costs far more
/// per byte than ordinary text.
pub(crate) const LONG_RUN: usize = 64 << 10;

/// Bytes of `text` that lie in runs longer than [`LONG_RUN`]: letters
/// (any non-ASCII counts as a letter), whitespace, or punctuation; digits
/// never form long pieces. One pass over the bytes, no allocation.
pub(crate) fn long_run_bytes(text: &str) -> u64 {
    if text.len() <= LONG_RUN {
        return 0;
    }
    // Byte classes: 0 letter (any non-ASCII byte counts as one), 1 space,
    // 2 digit (never a long piece), 3 other.
    const CLASS: [u8; 256] = {
        let mut table = [3u8; 256];
        let mut b = 0;
        while b < 256 {
            table[b] = match b as u8 {
                b'a'..=b'z' | b'A'..=b'Z' | 0x80..=0xff => 0,
                b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => 1,
                b'0'..=b'9' => 2,
                _ => 3,
            };
            b += 1;
        }
        table
    };
    let mut total = 0u64;
    let mut current = 2u8;
    let mut run = 0usize;
    for &b in text.as_bytes() {
        let c = CLASS[b as usize];
        if c == current {
            run += 1;
            continue;
        }
        if run > LONG_RUN && current != 2 {
            total += run as u64;
        }
        current = c;
        run = 1;
    }
    if run > LONG_RUN && current != 2 {
        total += run as u64;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_cannot_forge_output() {
        assert_eq!(escape("plain/path.rs"), "plain/path.rs");
        assert_eq!(escape("a\nb\x1b[31m\u{202e}"), "a\\nb\\x1b[31m\\u{202e}");
    }

    #[cfg(unix)]
    #[test]
    fn names_differing_only_in_invalid_bytes_stay_apart() {
        use std::os::unix::ffi::OsStrExt;
        let a = os_name(std::ffi::OsStr::from_bytes(b"x\xff.rs")).into_owned();
        let b = os_name(std::ffi::OsStr::from_bytes(b"x\xfe.rs")).into_owned();
        assert_eq!(a, "x\\xff.rs");
        assert_ne!(a, b);
    }

    #[test]
    fn long_runs_are_measured_by_kind() {
        let letters = "a".repeat(LONG_RUN + 1);
        assert_eq!(long_run_bytes(&letters), LONG_RUN as u64 + 1);
        let digits = "1".repeat(LONG_RUN * 2);
        assert_eq!(long_run_bytes(&digits), 0);
        let words = "word ".repeat(LONG_RUN);
        assert_eq!(long_run_bytes(&words), 0);
    }
}
