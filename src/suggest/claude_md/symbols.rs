//! The symbols the rest of the code leans on most, weighed by how many
//! files use their names.

use super::*;

/// Symbol kinds that are not a unit to read on their own.
pub(super) const SKIPPED_KINDS: &[SymbolKind] =
    &[SymbolKind::Impl, SymbolKind::Module, SymbolKind::Namespace];

/// The fewest tokens of a type without members worth naming as a range
/// to read: under it is a marker (`struct File;`) or a one-line alias.
const MIN_TYPE_TOKENS: u64 = 24;

/// How much the rest of the code leans on each symbol of a file, `None`
/// for symbols not worth pointing at: overload stubs (a smaller symbol of
/// the same name in the file), nested inside a function, in a
/// test module, dunder or very short names, standard-library names,
/// types under [`MIN_TYPE_TOKENS`], impl blocks and modules, used by no other
/// file. The weight is the files using the name, shared among
/// the symbols of that name (`same_name`, when known), and lowered for a
/// single lower-case word (`app`, `name`), which is often a variable, and
/// for methods, whose bare names many types share.
pub(super) fn weights(
    file: &FileStat,
    files_using: &[u32],
    same_name: &BTreeMap<&str, u32>,
) -> Vec<Option<f64>> {
    let mut open: Vec<(u32, bool)> = Vec::new();
    let mut out = Vec::with_capacity(file.symbols.len());
    // Of symbols of one name and kind in one file (Python `@overload`
    // stubs, TypeScript overload signatures), only the largest, the
    // definition, is worth pointing at (a Rust struct and its impl are
    // of two kinds).
    let mut largest: BTreeMap<(&str, SymbolKind), usize> = BTreeMap::new();
    for (s, symbol) in file.symbols.iter().enumerate() {
        let best = largest
            .entry((symbol.span.qualified_name.as_str(), symbol.span.kind))
            .or_insert(s);
        if symbol.tokens > file.symbols[*best].tokens {
            *best = s;
        }
    }
    for (s, symbol) in file.symbols.iter().enumerate() {
        let span = &symbol.span;
        while open.last().is_some_and(|&(end, _)| end < span.start_line) {
            open.pop();
        }
        let in_function = open.iter().any(|&(_, function)| function);
        open.push((span.end_line, span.kind.is_callable()));
        let name = span.name.as_str();
        let users = files_using.get(s).copied().unwrap_or(0);
        let in_test_module = span
            .qualified_name
            .split([':', '.'])
            .any(|part| matches!(part, "tests" | "test"));
        // A one-line symbol (a function, an alias), a tiny method (an
        // accessor such as `is_dir`) or a tiny type (`struct File;`) is
        // no part worth reading on its own.
        let too_small = span.end_line == span.start_line
            || (span.kind == SymbolKind::Method && symbol.tokens < 40)
            || (!span.kind.is_callable()
                && symbol.tokens < MIN_TYPE_TOKENS
                && file
                    .symbols
                    .get(s + 1)
                    .is_none_or(|next| next.span.start_line > span.end_line));
        let stub = largest.get(&(span.qualified_name.as_str(), span.kind)) != Some(&s);
        if users == 0
            || stub
            || in_function
            || in_test_module
            || too_small
            || name.chars().count() < 3
            || name.starts_with("__")
            || LANGUAGE_NAMES.contains(&name)
            || file
                .language
                .is_some_and(|l| super::intro::standard_names(l).contains(&name))
            || SKIPPED_KINDS.contains(&span.kind)
        {
            out.push(None);
            continue;
        }
        let shared = f64::from(same_name.get(name).copied().unwrap_or(1).max(1));
        let plain_word = name.chars().all(|c| c.is_ascii_lowercase());
        // As in aider's repository map: a long name of several subwords
        // (`parse_human_readable_size`, `WalkParallel`) is seldom anything
        // but the project's own, a single short word often is.
        let subwords = crate::suggest::words::subwords(name).len();
        let distinct = if plain_word {
            0.35
        } else if subwords >= 2 && name.len() >= 8 {
            1.5
        } else {
            1.0
        };
        // A method's bare name is shared by every type that has one, and
        // a plain-word method (`get`, `super`) by half the code.
        let kind = match span.kind {
            SymbolKind::Method if plain_word => 0.1,
            SymbolKind::Method => 0.5,
            SymbolKind::Function | SymbolKind::Macro => 0.8,
            _ => 1.0,
        };
        // A name that is also a directory or module on the file's path is
        // counted in every import of it.
        let is_path_part = file
            .path
            .split('/')
            .any(|part| part.split('.').next() == Some(name));
        if is_path_part {
            out.push(None);
            continue;
        }
        out.push(Some(f64::from(users) / shared * distinct * kind));
    }
    out
}

/// The symbols the rest of the code uses most (see [`weights`]), test
/// code, examples, docs and flagged files left out, at most three per
/// file, none costing over half of `expensive_tokens`.
pub(super) fn symbols(facts: &Facts<'_>, lines: &mut Vec<Line>) {
    let mut same_name: BTreeMap<&str, u32> = BTreeMap::new();
    for file in facts.files {
        for symbol in &file.symbols {
            *same_name.entry(symbol.span.name.as_str()).or_default() += 1;
        }
    }
    let mut ranked: Vec<(f64, usize, usize)> = Vec::new();
    for (f, file) in facts.files.iter().enumerate() {
        if is_peripheral(&file.path) || never_read(file) {
            continue;
        }
        for (s, weight) in weights(file, &facts.files_using[f], &same_name)
            .into_iter()
            .enumerate()
        {
            // Document sections are read, not used by code.
            let section = file.symbols[s].span.kind == crate::lang::SymbolKind::Section;
            if let (Some(weight), false) = (weight, section) {
                ranked.push((weight, f, s));
            }
        }
    }
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let mut per_file: BTreeMap<usize, usize> = BTreeMap::new();
    let mut shown = 0;
    for (_, f, s) in ranked {
        let file = &facts.files[f];
        let symbol = &file.symbols[s];
        let in_file = per_file.entry(f).or_default();
        // A range costing over half of what makes a file expensive is no
        // cheap read (a 15k-token class): its methods are the parts to read.
        if *in_file == 3 || symbol.tokens * 2 > facts.expensive_tokens {
            continue;
        }
        *in_file += 1;
        lines.push(Line {
            part: Part::Symbols,
            text: format!(
                "- {} {} {} ({} tokens)",
                code_span(&symbol.span.qualified_name),
                symbol.span.kind,
                code_span(&symbol.reference(&file.path)),
                approx(symbol.tokens)
            ),
            value: 60.0 - 1.5 * shown as f64,
        });
        shown += 1;
        if shown == 20 {
            break;
        }
    }
}
