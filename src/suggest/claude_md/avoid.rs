//! Files a session should not read whole: never-read files grouped, data
//! files by glob, costly files with the parts to read instead.

use super::*;

/// Files never worth reading (lock files, generated, minified), grouped,
/// then the costly files with the ranges to read instead.
pub(super) fn avoid(facts: &Facts<'_>, lines: &mut Vec<Line>) {
    let groups = [
        (Flag::Lockfile, "lock files"),
        (Flag::Generated, "generated"),
        (Flag::Minified, "minified"),
    ];
    let mut listed: Vec<&str> = Vec::new();
    for (g, (flag, label)) in groups.into_iter().enumerate() {
        // A file carrying two of these flags is listed once, in the first.
        let mut flagged: Vec<&FileStat> = facts
            .files
            .iter()
            .filter(|f| f.verdicts.iter().any(|v| v.flag == flag))
            .filter(|f| f.read_tokens >= facts.limits.advice_tokens)
            .filter(|f| !listed.contains(&f.path.as_str()))
            .collect();
        if flagged.is_empty() {
            continue;
        }
        listed.extend(flagged.iter().map(|f| f.path.as_str()));
        flagged.sort_by(|a, b| b.tokens.cmp(&a.tokens).then(a.path.cmp(&b.path)));
        let total: u64 = flagged.iter().map(|f| f.tokens).sum();
        let names = first_of(flagged.iter().map(|f| code_span(&f.path)), 4);
        lines.push(Line {
            part: Part::Avoid,
            text: format!("- {label} ({} tokens), never read: {names}", approx(total)),
            value: 80.0 - g as f64,
        });
    }
    data_files(facts, &listed, lines);
    let mut costly: Vec<(usize, &FileStat)> = facts
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| !never_read(f) && f.kind != Some(Kind::Data))
        .filter(|(_, f)| {
            f.read_tokens >= facts.expensive_tokens
                || f.verdicts.iter().any(|v| {
                    matches!(
                        v.flag,
                        Flag::OverReadLimit | Flag::OverLineLimit | Flag::Large
                    )
                })
        })
        .collect();
    costly.sort_by(|a, b| {
        b.1.read_tokens
            .cmp(&a.1.read_tokens)
            .then(a.1.path.cmp(&b.1.path))
    });
    let (elsewhere, own): (Vec<_>, Vec<_>) = costly
        .into_iter()
        .partition(|(_, file)| is_peripheral(&file.path));
    for (i, (f, file)) in own.into_iter().take(12).enumerate() {
        let instead: Vec<String> = parts_to_read(file, &facts.files_using[f])
            .into_iter()
            .map(|s| {
                let symbol = &file.symbols[s];
                format!(
                    "{} {}",
                    code_span(&symbol.span.qualified_name),
                    code_span(&symbol.reference(&file.path))
                )
            })
            .collect();
        let advice = if instead.is_empty() {
            "search it and read only the matching lines".to_string()
        } else {
            format!("read {}", instead.join(", "))
        };
        lines.push(Line {
            part: Part::Avoid,
            text: format!(
                "- {} ({} tokens to read): {advice}",
                code_span(&file.path),
                approx(file.read_tokens)
            ),
            value: 75.0 - 2.0 * i as f64,
        });
    }
    // Tests, examples, docs and vendored code: no part stands for such a
    // file, the session looks for the one it needs; one line lists them.
    if !elsewhere.is_empty() {
        let names = first_of(
            elsewhere
                .iter()
                .map(|(_, f)| format!("{} ({})", code_span(&f.path), approx(f.read_tokens))),
            5,
        );
        lines.push(Line {
            part: Part::Avoid,
            text: format!(
                "- large tests, examples, docs and vendored files (tokens to read); search them and read only the matching lines: {names}"
            ),
            value: 72.0,
        });
    }
}

/// Data files (CSV, JSON, XML, ...) over the data threshold: one line, with
/// files of one name under one directory collapsed to a glob
/// (`benchsuite/runs/**/raw.csv`), and of one extension in one directory
/// to `dir/*.ext`.
pub(super) fn data_files(facts: &Facts<'_>, listed: &[&str], lines: &mut Vec<Line>) {
    let mut data: Vec<&FileStat> = facts
        .files
        .iter()
        .filter(|f| f.kind == Some(Kind::Data))
        .filter(|f| f.tokens > facts.limits.data_file_tokens)
        .filter(|f| f.read_tokens >= facts.limits.advice_tokens)
        .filter(|f| !listed.contains(&f.path.as_str()))
        .collect();
    if data.is_empty() {
        return;
    }
    data.sort_by(|a, b| b.tokens.cmp(&a.tokens).then(a.path.cmp(&b.path)));
    let total: u64 = data.iter().map(|f| f.tokens).sum();
    let name_of = |path: &str| path.rsplit('/').next().unwrap_or(path).to_string();
    let dir_of = |path: &str| path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    // (glob, files, tokens), largest first.
    let mut groups: Vec<(String, u64, u64)> = Vec::new();
    let group = |glob: String, files: &[&FileStat]| {
        let tokens = files.iter().map(|f| f.tokens).sum();
        (glob, files.len() as u64, tokens)
    };
    let mut by_name: BTreeMap<String, Vec<&FileStat>> = BTreeMap::new();
    for file in &data {
        by_name.entry(name_of(&file.path)).or_default().push(file);
    }
    let mut rest: Vec<&FileStat> = Vec::new();
    for (name, files) in by_name {
        if files.len() < 3 {
            rest.extend(files);
            continue;
        }
        let mut common = dir_of(&files[0].path);
        for file in &files[1..] {
            let dir = dir_of(&file.path);
            while !(common.is_empty() || dir == common || dir.starts_with(&format!("{common}/"))) {
                common = dir_of(&common);
            }
        }
        let glob = if common.is_empty() {
            format!("**/{name}")
        } else {
            format!("{common}/**/{name}")
        };
        groups.push(group(glob, &files));
    }
    let mut by_dir: BTreeMap<(String, String), Vec<&FileStat>> = BTreeMap::new();
    for file in rest {
        let name = name_of(&file.path);
        let ext = name
            .rsplit_once('.')
            .map_or(String::new(), |(_, e)| e.to_string());
        by_dir
            .entry((dir_of(&file.path), ext))
            .or_default()
            .push(file);
    }
    for ((dir, ext), files) in by_dir {
        if files.len() >= 3 && !ext.is_empty() {
            let glob = if dir.is_empty() {
                format!("*.{ext}")
            } else {
                format!("{dir}/*.{ext}")
            };
            groups.push(group(glob, &files));
        } else {
            for file in files {
                groups.push((file.path.clone(), 1, file.tokens));
            }
        }
    }
    groups.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let names = first_of(
        groups.iter().map(|(glob, files, _)| {
            if *files > 1 {
                format!("{} ({files} files)", code_span(glob))
            } else {
                code_span(glob)
            }
        }),
        5,
    );
    lines.push(Line {
        part: Part::Avoid,
        text: format!(
            "- data files ({} tokens), search them, never read whole: {names}",
            approx(total)
        ),
        value: 77.0,
    });
}

/// The first `shown` items joined with commas, then `N more`.
pub(super) fn first_of(items: impl ExactSizeIterator<Item = String>, shown: usize) -> String {
    let total = items.len();
    let mut names: Vec<String> = items.take(shown).collect();
    if total > shown {
        names.push(format!("{} more", total - shown));
    }
    names.join(", ")
}

/// Whether a file is one never worth reading (lock file, generated,
/// minified).
pub(super) fn never_read(file: &FileStat) -> bool {
    file.verdicts.iter().any(|v| v.flag.deny_worthy())
}

/// Up to three of a file's symbols to read instead of the whole: the most
/// used that cost at most a quarter of the file, by line.
pub(super) fn parts_to_read(file: &FileStat, files_using: &[u32]) -> Vec<usize> {
    let cap = (file.tokens / 4).max(1);
    let weights = weights(file, files_using, &BTreeMap::new());

    let mut order: Vec<(f64, usize)> = weights
        .into_iter()
        .enumerate()
        .filter_map(|(s, w)| w.map(|w| (w, s)))
        .filter(|&(_, s)| file.symbols[s].tokens <= cap)
        // A part is worth naming when it holds real logic: a few-line
        // accessor or a bare declaration is no substitute for the file.
        .filter(|&(_, s)| file.symbols[s].tokens >= MIN_PART_TOKENS.max(file.tokens / 100))
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen: Vec<usize> = order.into_iter().take(3).map(|(_, s)| s).collect();
    chosen.sort_unstable();
    chosen
}

/// The fewest tokens a symbol needs to be named as a part to read instead
/// of its whole file.
pub(super) const MIN_PART_TOKENS: u64 = 100;
