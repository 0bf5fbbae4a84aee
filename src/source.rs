//! Reads one file for pricing: its text (lossily decoded when it is not
//! valid UTF-8) and the facts a report needs about its shape, or the reason
//! it cannot be priced. Never blocks on FIFOs or devices, never loads more
//! than the first 8 KiB of a binary or oversized file.

use std::io::Read;
use std::path::Path;

use crate::error::plain_io_message;
use crate::fsio::ReadError;
use crate::walk::{Skip, SkipReason};

/// How much of the start of a file is searched for NUL bytes.
pub(crate) const BINARY_PROBE: usize = 8 * 1024;

/// A file with more bytes than this in very long runs of one kind of
/// character (see [`crate::text::long_run_bytes`]) is not counted.
pub(crate) const MAX_LONG_RUN_BYTES: u64 = 1 << 20;

/// A file ready to be counted.
#[derive(Debug)]
pub(crate) struct Source {
    /// The text; invalid UTF-8 sequences replaced by U+FFFD.
    pub(crate) text: String,
    /// The size on disk in bytes.
    pub(crate) bytes: u64,
    /// Whether the file was not valid UTF-8 and `text` is a lossy decoding.
    pub(crate) lossy: bool,
}

/// Reads `path`, refusing what is not a regular text file under `max_bytes`.
/// `unfollowed_symlink` is the walker saying the path is a symlink it did
/// not follow (without `--follow`): it is reported, not read.
pub(crate) fn read(path: &Path, max_bytes: u64, unfollowed_symlink: bool) -> Result<Source, Skip> {
    if unfollowed_symlink {
        let target = std::fs::read_link(path)
            .map(|t| format!(" to {}", t.display()))
            .unwrap_or_default();
        return Err(Skip {
            reason: SkipReason::Symlink,
            message: format!("symbolic link{target}, not followed (use --follow)"),
        });
    }
    let (mut file, metadata) = crate::fsio::open_regular(path).map_err(|e| match e {
        ReadError::NotRegular(kind) => Skip {
            reason: SkipReason::NotRegular,
            message: format!("{kind}, not a regular file"),
        },
        ReadError::Io(e) => unreadable(e),
        ReadError::TooLarge { limit } => too_large(limit, max_bytes),
    })?;
    let mut head = Vec::with_capacity(BINARY_PROBE);
    (&mut file)
        .take(BINARY_PROBE as u64)
        .read_to_end(&mut head)
        .map_err(unreadable)?;
    if let Some(message) = binary(&head) {
        return Err(Skip {
            reason: SkipReason::Binary,
            message,
        });
    }
    if metadata.len() > max_bytes {
        return Err(too_large(metadata.len(), max_bytes));
    }
    let mut bytes = head;
    if bytes.len() == BINARY_PROBE {
        let rest = max_bytes.saturating_sub(BINARY_PROBE as u64);
        let more = crate::fsio::read_handle(file, metadata.len(), rest).map_err(|e| match e {
            ReadError::Io(e) => unreadable(e),
            _ => Skip {
                reason: SkipReason::TooLarge,
                message: format!(
                    "grew to over {max_bytes} bytes while being read (raise the limit with --max-file-size)"
                ),
            },
        })?;
        bytes.extend_from_slice(&more);
    }
    let size = bytes.len() as u64;
    // Checked on the bytes: lossy decoding only ever shortens runs.
    if let Ok(text) = std::str::from_utf8(&bytes) {
        let long = crate::text::long_run_bytes(text);
        if long > MAX_LONG_RUN_BYTES {
            return Err(Skip {
                reason: SkipReason::LongRun,
                message: format!(
                    "{long} bytes in runs of one kind of character longer than {} KiB: not text a session reads, and counting it exactly would take minutes",
                    crate::text::LONG_RUN >> 10
                ),
            });
        }
    }
    let (text, lossy) = match String::from_utf8(bytes) {
        Ok(text) => (text, false),
        Err(error) => (String::from_utf8_lossy(error.as_bytes()).into_owned(), true),
    };
    Ok(Source {
        text,
        bytes: size,
        lossy,
    })
}

fn unreadable(error: std::io::Error) -> Skip {
    Skip {
        reason: SkipReason::Unreadable,
        message: plain_io_message(&error),
    }
}

/// Why the first bytes of a file say it is not text: a NUL byte, a known
/// binary signature (PDF, images, archives, compressed data, fonts, media:
/// a PDF can run 20 KB before its first NUL), or a share of control bytes
/// no text has (compressed data without a signature, such as Brotli).
pub(crate) fn binary(head: &[u8]) -> Option<String> {
    if let Some(at) = head.iter().position(|&b| b == 0) {
        return Some(format!("NUL byte at offset {at}: binary content"));
    }
    // Signatures of formats that are text (PEM keys, RTF, markup) prove nothing.
    let textual = |k: &infer::Type| {
        k.matcher_type() == infer::MatcherType::Text
            || matches!(
                k.extension(),
                "pem" | "rtf" | "xml" | "html" | "svg" | "sh" | "ps" | "eps"
            )
    };
    if let Some(kind) = infer::get(head).filter(|k| !textual(k)) {
        return Some(format!(
            "starts like {} ({}): binary content",
            kind.extension(),
            kind.mime_type()
        ));
    }
    // Controls other than tab, line breaks, form feed and escape (ANSI
    // colours in logs) are rare in text and common in compressed data.
    let controls = head
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)) || b == 0x7f)
        .count();
    if controls >= 8 && controls * 20 > head.len() {
        return Some(format!(
            "{controls} control bytes in the first {} bytes: binary content",
            head.len()
        ));
    }
    None
}

fn too_large(size: u64, max_bytes: u64) -> Skip {
    Skip {
        reason: SkipReason::TooLarge,
        message: format!(
            "{size} bytes, over the {max_bytes}-byte limit (raise it with --max-file-size)"
        ),
    }
}

/// The shape of a text: what flags and reports need, found in one pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Shape {
    /// Lines as an editor numbers them (a final newline does not start one).
    pub(crate) lines: u64,
    /// Characters in the longest line, without its line ending.
    pub(crate) longest_line: u64,
    /// Characters in all lines, without line endings.
    pub(crate) chars: u64,
}

/// Measures `text` in one pass over its bytes.
pub(crate) fn shape(text: &str) -> Shape {
    let mut shape = Shape::default();
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let body = body.strip_suffix('\r').unwrap_or(body);
        let chars = body.bytes().filter(|&b| (b & 0xC0) != 0x80).count() as u64;
        shape.lines += 1;
        shape.chars += chars;
        shape.longest_line = shape.longest_line.max(chars);
    }
    shape
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ky's `media/logo.ai` (a PDF, first NUL at byte 20,539) and
    /// ripgrep's `sherlock.br` (Brotli, no signature) were priced as text.
    #[test]
    fn binary_content_is_known_beyond_the_first_nul() {
        let pdf = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n".repeat(50);
        assert!(binary(&pdf).is_some_and(|m| m.contains("pdf")));
        let mut state = 7u64;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % 255 + 1) as u8
            })
            .collect();
        assert!(binary(&noise).is_some_and(|m| m.contains("control bytes")));
        for text in [
            &b"caf\xe9 cr\xe8me, latin-1 text\n"[..],
            b"\x1b[31mred\x1b[0m log line\n\x0c",
            b"<?xml version=\"1.0\"?><svg></svg>",
            b"#!/bin/sh\necho hi\n",
            b"-----BEGIN PGP PUBLIC KEY BLOCK-----\nVersion: 1\n\nmQINBFE9\n",
            b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        ] {
            assert_eq!(binary(text), None, "{text:?}");
        }
    }

    #[test]
    fn shape_counts_lines_like_an_editor() {
        assert_eq!(shape(""), Shape::default());
        assert_eq!(shape("a").lines, 1);
        assert_eq!(shape("a\n").lines, 1);
        assert_eq!(shape("a\n\n").lines, 2);
        let s = shape("héllo\r\nxy\n");
        assert_eq!((s.lines, s.longest_line, s.chars), (2, 5, 7));
    }
}
