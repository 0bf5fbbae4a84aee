//! Text laid out in columns: widths in terminal columns (wide characters
//! count two, ANSI escapes none), padding, and the one table printer.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

/// `text` without ANSI escape sequences.
pub(crate) fn plain(text: &str) -> String {
    anstream::adapter::strip_str(text).to_string()
}

/// The terminal columns `text` takes, ANSI escapes left out.
pub(crate) fn columns(text: &str) -> usize {
    if text.contains('\x1b') {
        plain(text).width()
    } else {
        text.width()
    }
}

/// The longest start of `text` that fits in `max` columns.
pub(crate) fn take_columns(text: &str, max: usize) -> &str {
    let mut used = 0;
    for (at, c) in text.char_indices() {
        used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used > max {
            return &text[..at];
        }
    }
    text
}

/// The longest end of `text` that fits in `max` columns.
pub(crate) fn take_last_columns(text: &str, max: usize) -> &str {
    let mut used = 0;
    for (at, c) in text.char_indices().rev() {
        used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used > max {
            return &text[at + c.len_utf8()..];
        }
    }
    text
}

/// `text` padded with spaces to `width` columns (longer text is kept whole).
pub(crate) fn pad(text: &str, width: usize) -> String {
    let len = columns(text);
    if len >= width {
        text.to_string()
    } else {
        format!("{text}{}", " ".repeat(width - len))
    }
}

/// [`table`] within `max` columns: while a row is wider, the columns of
/// `droppable` go, in that order, then the column `shorten` (if any) is
/// shortened in the middle with `…` down to 12 columns. Lines still too
/// wide are left to the caller's final fitting.
pub(crate) fn table_within(
    out: &mut dyn Write,
    rows: &[Vec<String>],
    right: &[bool],
    max: usize,
    droppable: &[usize],
    shorten: Option<usize>,
) -> io::Result<()> {
    let count = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width_of = |c: usize| {
        rows.iter()
            .filter_map(|r| r.get(c))
            .map(|t| columns(t))
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..count).map(width_of).collect();
    // One leading space, then each column and two spaces between.
    let line = |kept: &[usize]| kept.iter().map(|&c| widths[c] + 2).sum::<usize>() + 1;
    let mut kept: Vec<usize> = (0..count).collect();
    for &c in droppable {
        if line(&kept) <= max {
            break;
        }
        kept.retain(|&k| k != c);
    }
    let over = line(&kept).saturating_sub(max);
    let cut = shorten
        .filter(|c| over > 0 && kept.contains(c))
        .map(|c| (c, widths[c].saturating_sub(over).max(12)));
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            kept.iter()
                .filter_map(|&c| {
                    let cell = row.get(c)?;
                    Some(match cut {
                        // A shortened cell loses its colors.
                        Some((at, width)) if at == c && columns(cell) > width => {
                            shorten_middle(&plain(cell), width)
                        }
                        _ => cell.clone(),
                    })
                })
                .collect()
        })
        .collect();
    let right: Vec<bool> = kept
        .iter()
        .map(|&c| right.get(c).copied().unwrap_or(false))
        .collect();
    table(out, &rows, &right)
}

/// `text` shortened to `width` columns by an `…` in the middle, as fd and
/// bat shorten paths (unchanged when it fits).
pub(crate) fn shorten_middle(text: &str, width: usize) -> String {
    if columns(text) <= width || width < 5 {
        return text.to_string();
    }
    let head = (width - 1) / 2;
    let tail = width - 1 - head;
    format!(
        "{}…{}",
        take_columns(text, head),
        take_last_columns(text, tail)
    )
}

/// Writes rows as columns, two spaces apart; `right[c]` right-aligns
/// column `c`. Widths are terminal columns, ANSI escapes left out.
pub(crate) fn table(out: &mut dyn Write, rows: &[Vec<String>], right: &[bool]) -> io::Result<()> {
    let count = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..count)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|t| columns(t))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::from(" ");
        for (c, cell) in row.iter().enumerate() {
            let pad = " ".repeat(widths[c] - columns(cell));
            line.push(' ');
            if right.get(c).copied().unwrap_or(false) {
                line.push_str(&pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                if c + 1 < row.len() {
                    line.push_str(&pad);
                }
            }
            line.push(' ');
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_terminal_columns() {
        assert_eq!(columns("abc"), 3);
        assert_eq!(columns("\x1b[1mabc\x1b[0m"), 3);
        assert_eq!(columns("日本"), 4);
        assert_eq!(pad("日本", 6), "日本  ");
        assert_eq!(take_columns("日本語", 5), "日本");
        assert_eq!(take_columns("abc", 5), "abc");
        assert_eq!(take_last_columns("日本語", 5), "本語");
        assert_eq!(take_last_columns("abcdef", 2), "ef");
    }

    #[test]
    fn tables_align_by_columns() {
        let rows = vec![
            vec!["a".to_string(), "1".to_string()],
            vec!["日本".to_string(), "22".to_string()],
        ];
        let mut out = Vec::new();
        table(&mut out, &rows, &[false, true]).expect("write");
        assert_eq!(
            String::from_utf8(out).expect("UTF-8"),
            "  a      1\n  日本  22\n"
        );
    }
}
