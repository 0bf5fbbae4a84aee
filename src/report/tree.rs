//! `--tree`: the directory tree with each entry's tokens and share of the
//! total, children largest first, small entries folded into one line.

use std::collections::HashMap;
use std::io::{self, Write};

use super::ScanReport;
use super::style::Style;
use super::table::columns;
use crate::units::{percent, thousands};

/// One line of the tree before it is laid out.
struct Row {
    prefix: String,
    name: String,
    tokens: u64,
    folded: bool,
    is_dir: bool,
}

/// An entry below a directory.
struct Child<'a> {
    name: &'a str,
    path: &'a str,
    tokens: u64,
    is_dir: bool,
}

/// The parent directory of `path` (`.` at the top) and where its name starts.
fn parent_of(path: &str) -> (&str, usize) {
    match path.rfind('/') {
        Some(slash) => (&path[..slash], slash + 1),
        None => (".", 0),
    }
}

/// The tree as rows, depth first, children by tokens then name.
fn rows(report: &ScanReport, min_share: f64) -> Vec<Row> {
    let mut children: HashMap<&str, Vec<Child<'_>>> = HashMap::new();
    for dir in report.dirs.iter().filter(|d| d.path != ".") {
        let (parent, name_at) = parent_of(&dir.path);
        children.entry(parent).or_default().push(Child {
            name: &dir.path[name_at..],
            path: &dir.path,
            tokens: dir.tokens,
            is_dir: true,
        });
    }
    for file in &report.files {
        let (parent, name_at) = parent_of(&file.path);
        children.entry(parent).or_default().push(Child {
            name: &file.path[name_at..],
            path: &file.path,
            tokens: file.tokens,
            is_dir: false,
        });
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| b.tokens.cmp(&a.tokens).then_with(|| a.name.cmp(b.name)));
    }
    let total = report.totals.tokens;
    let threshold = total as f64 * min_share / 100.0;
    let mut out = vec![Row {
        prefix: String::new(),
        name: report.root.clone(),
        tokens: total,
        folded: false,
        is_dir: true,
    }];
    descend(".", "", &children, threshold, &mut out);
    out
}

fn descend(
    dir: &str,
    indent: &str,
    children: &HashMap<&str, Vec<Child<'_>>>,
    threshold: f64,
    out: &mut Vec<Row>,
) {
    let Some(list) = children.get(dir) else {
        return;
    };
    let shown: Vec<&Child<'_>> = list
        .iter()
        .filter(|c| c.tokens as f64 >= threshold)
        .collect();
    let folded: Vec<&Child<'_>> = list
        .iter()
        .filter(|c| (c.tokens as f64) < threshold)
        .collect();
    for (i, child) in shown.iter().enumerate() {
        let last = i + 1 == shown.len() && folded.is_empty();
        out.push(Row {
            prefix: format!("{indent}{}", if last { "└── " } else { "├── " }),
            name: if child.is_dir {
                format!("{}/", child.name)
            } else {
                child.name.to_string()
            },
            tokens: child.tokens,
            folded: false,
            is_dir: child.is_dir,
        });
        if child.is_dir {
            let deeper = format!("{indent}{}", if last { "    " } else { "│   " });
            descend(child.path, &deeper, children, threshold, out);
        }
    }
    if !folded.is_empty() {
        out.push(Row {
            prefix: format!("{indent}└── "),
            name: format!("... {} more, each under the --min-share", folded.len()),
            tokens: folded.iter().map(|c| c.tokens).sum(),
            folded: true,
            is_dir: false,
        });
    }
}

/// Writes the tree as aligned text.
pub(crate) fn write_text(
    report: &ScanReport,
    min_share: f64,
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let rows = rows(report, min_share);
    let width = rows
        .iter()
        .map(|r| columns(&r.prefix) + columns(&r.name))
        .max()
        .unwrap_or(0);
    let total = report.totals.tokens;
    for row in rows {
        let used = columns(&row.prefix) + columns(&row.name);
        let name = if row.folded {
            style.dim(&row.name)
        } else if row.is_dir {
            style.path(&row.name)
        } else {
            row.name.clone()
        };
        writeln!(
            out,
            "{}{}{}  {:>12}  {:>5.1}%",
            row.prefix,
            name,
            " ".repeat(width - used),
            thousands(row.tokens),
            percent(row.tokens, total)
        )?;
    }
    Ok(())
}
