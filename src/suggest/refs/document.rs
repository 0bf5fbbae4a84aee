//! A symbol as a document: the words of its name, doc comments, place and
//! body, read once per file.

use super::*;

/// What one symbol contributes to the index, computed next to its file.
#[derive(Debug, Clone, Default)]
pub(crate) struct SymbolDoc {
    /// (term number in the file's table, count per field), by term.
    pub(super) terms: Vec<(u32, [u16; FIELDS])>,
    pub(super) lengths: [u32; FIELDS],
    pub(super) own_uses: u32,
    /// For a document's section: the identifiers its code spans name
    /// (`getchar` in "call `click.getchar()`"), by hash, at most
    /// [`MAX_MENTIONS`].
    pub(super) mentions: Vec<u64>,
    /// A declaration without a body (see [`is_stub`]).
    pub(super) stub: bool,
}

/// How many code names one section may point to.
pub(super) const MAX_MENTIONS: usize = 32;

/// What one file contributes to the index: its terms, one document per
/// symbol (in the file's symbol order) and how often each identifier
/// occurs in its code (by hash: only symbol names are ever looked up).
#[derive(Debug, Clone, Default)]
pub(crate) struct FileWords {
    pub(super) terms: Vec<String>,
    pub(super) docs: Vec<SymbolDoc>,
    pub(super) identifiers: Vec<(u64, u32)>,
}

pub(super) fn ident_hash(ident: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(ident.as_bytes())
}

/// A file's term table, memoised per identifier as written, with how
/// often each identifier is used in code.
pub(super) struct Terms<'t> {
    table: Vec<String>,
    numbers: FxHashMap<String, u32>,
    /// Identifier -> (its term numbers as a range of `flat`, uses).
    memo: FxHashMap<&'t str, Memo>,
    flat: Vec<u32>,
}

#[derive(Clone, Copy)]
pub(super) struct Memo {
    from: u32,
    to: u32,
    uses: u32,
}

impl<'t> Terms<'t> {
    fn new() -> Self {
        Terms {
            table: Vec::new(),
            numbers: FxHashMap::default(),
            memo: FxHashMap::default(),
            flat: Vec::new(),
        }
    }

    /// The memo of one identifier, made on first sight.
    fn memo(&mut self, ident: &'t str) -> &mut Memo {
        if !self.memo.contains_key(ident) {
            let from = self.flat.len() as u32;
            let subwords = words::subwords(ident);
            // `QuerySet` is also "queryset", as people type it.
            let whole = (subwords.len() > 1).then_some(ident);
            for sub in subwords.into_iter().chain(whole) {
                let Some(term) = words::term(sub) else {
                    continue;
                };
                let n = match self.numbers.get(&term) {
                    Some(&n) => n,
                    None => {
                        let n = self.table.len() as u32;
                        self.table.push(term.clone());
                        self.numbers.insert(term, n);
                        n
                    }
                };
                self.flat.push(n);
            }
            let memo = Memo {
                from,
                to: self.flat.len() as u32,
                uses: 0,
            };
            self.memo.insert(ident, memo);
        }
        self.memo.get_mut(ident).expect("just inserted")
    }

    /// The term numbers of a memo.
    fn of(&self, memo: Memo) -> &[u32] {
        &self.flat[memo.from as usize..memo.to as usize]
    }

    /// The term numbers of every identifier in `text`.
    fn all(&mut self, text: &'t str) -> Vec<u32> {
        let mut out = Vec::new();
        for ident in words::identifiers(text) {
            let memo = *self.memo(ident);
            out.extend_from_slice(self.of(memo));
        }
        out
    }
}

/// Whether a symbol declares without defining: a Python `@overload`
/// stub or a body of `...` alone, a TypeScript overload signature or a C
/// prototype ending in `;`. Such a declaration says less than the
/// definition of the same name beside it (see `Index::sort`).
pub(crate) fn is_stub(text: &str, starts: &[usize], span: &crate::syntax::Span) -> bool {
    if span.kind == crate::lang::SymbolKind::Section {
        return false;
    }
    let line = |n: u32| {
        let at = (n as usize).checked_sub(1)?;
        let from = *starts.get(at)?;
        let to = starts.get(at + 1).copied().unwrap_or(text.len());
        text.get(from..to).map(str::trim)
    };
    // The decorators come first, after any comment the span starts with.
    let leading = |l: &&str| {
        l.is_empty() || l.starts_with(['@', '#', '*']) || l.starts_with("//") || l.starts_with("/*")
    };
    let overload = (span.start_line..=span.end_line)
        .map_while(line)
        .take_while(leading)
        .filter_map(|l| l.strip_prefix('@'))
        .any(|decorator| {
            let name = decorator.split(['(', ' ']).next().unwrap_or("");
            name.rsplit('.').next() == Some("overload")
        });
    let last = line(span.end_line).unwrap_or("");
    overload || last.ends_with("...") || last.ends_with(';')
}

/// Builds one file's documents from its text and symbols. `code` says
/// whether its identifiers count as uses of symbol names.
pub(crate) fn file_words(path: &str, text: &str, symbols: &[SymbolStat], code: bool) -> FileWords {
    if symbols.is_empty() && !code {
        return FileWords::default();
    }
    let starts = stats::line_starts(text);
    let order = outer_first(symbols);
    let parent = parents(symbols);
    // The innermost symbol owning each line.
    let mut owner = vec![usize::MAX; starts.len()];
    for &i in &order {
        let span = &symbols[i].span;
        let from = (span.start_line as usize).saturating_sub(1);
        let to = (span.end_line as usize).min(starts.len());
        for slot in owner.iter_mut().take(to).skip(from) {
            *slot = i;
        }
    }

    let mut terms = Terms::new();
    let mut fields: Vec<FxHashMap<u32, [u16; FIELDS]>> = vec![FxHashMap::default(); symbols.len()];
    let mut lengths = vec![[0u32; FIELDS]; symbols.len()];
    let mut add = |symbol: usize, field: usize, term: u32| {
        let slot = fields[symbol].entry(term).or_default();
        slot[field] = slot[field].saturating_add(1);
        lengths[symbol][field] += 1;
    };
    let mut own_uses = vec![0u32; symbols.len()];

    let mut mentions: Vec<Vec<u64>> = vec![Vec::new(); symbols.len()];
    let mut block = None;
    for (line, &owner) in owner.iter().enumerate() {
        let from = starts[line];
        let to = starts.get(line + 1).copied().unwrap_or(text.len());
        let line_text = &text[from..to];
        if owner != usize::MAX && symbols[owner].span.kind == crate::lang::SymbolKind::Section {
            let named = &mut mentions[owner];
            for ident in code_span_identifiers(line_text) {
                let hash = ident_hash(ident);
                if named.len() < MAX_MENTIONS && !named.contains(&hash) {
                    named.push(hash);
                }
            }
        }
        let is_doc = classify(line_text, &mut block);
        let field = if is_doc { DOC } else { BODY };
        for ident in words::identifiers(line_text) {
            let memo = terms.memo(ident);
            if code && !is_doc {
                memo.uses += 1;
            }
            let memo = *memo;
            if owner == usize::MAX {
                continue;
            }
            for &term in terms.of(memo) {
                add(owner, field, term);
            }
            // A use of a symbol's name inside its own lines is no reference.
            let mut around = owner;
            while around != usize::MAX {
                if symbols[around].span.name == ident {
                    own_uses[around] += 1;
                }
                around = parent[around];
            }
        }
    }

    let dirs_and_stem = match path.rsplit_once('.') {
        Some((stem, ext)) if !ext.contains('/') => stem,
        _ => path,
    };
    let place = terms.all(dirs_and_stem);
    for (i, symbol) in symbols.iter().enumerate() {
        let span = &symbol.span;
        for term in terms.all(&span.name) {
            add(i, NAME, term);
            if parent[i] != usize::MAX {
                add(parent[i], BODY, term);
            }
        }
        for &term in &place {
            add(i, PLACE, term);
        }
        let segments = qualified_segments(&span.qualified_name);
        if let Some((_, enclosing)) = segments.split_last() {
            for segment in enclosing {
                for term in terms.all(segment) {
                    add(i, PLACE, term);
                }
            }
        }
    }

    // A name is as long as its subwords: the whole identifier, indexed so
    // that "queryset" finds `QuerySet`, is another spelling, not a word.
    for (i, symbol) in symbols.iter().enumerate() {
        let mut subwords = 0;
        words::terms(&symbol.span.name, |_| subwords += 1);
        lengths[i][NAME] = subwords;
    }

    let docs = symbols
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let mut doc_terms: Vec<(u32, [u16; FIELDS])> = fields[i].drain().collect();
            doc_terms.sort_unstable_by_key(|t| t.0);
            SymbolDoc {
                terms: doc_terms,
                lengths: lengths[i],
                own_uses: own_uses[i],
                mentions: std::mem::take(&mut mentions[i]),
                stub: is_stub(text, &starts, &symbols[i].span),
            }
        })
        .collect();
    FileWords {
        terms: terms.table,
        docs,
        identifiers: terms
            .memo
            .iter()
            .filter(|(_, m)| m.uses > 0)
            .map(|(ident, m)| (ident_hash(ident), m.uses))
            .collect(),
    }
}

/// The identifiers inside a line's code spans: between backticks, as
/// Markdown (`` `click.getchar()` ``) and reStructuredText (``` ``x`` ```,
/// ``:func:`echo` ``) write code in prose. A span left open at the end
/// of the line names nothing.
pub(super) fn code_span_identifiers(line: &str) -> impl Iterator<Item = &str> {
    // Each run of backticks opens or closes a span: ``x`` as `x`.
    let mut spans = Vec::new();
    let mut inside: Option<usize> = None;
    let mut at = 0;
    let bytes = line.as_bytes();
    while at < bytes.len() {
        if bytes[at] != b'`' {
            at += 1;
            continue;
        }
        let run = at;
        while at < bytes.len() && bytes[at] == b'`' {
            at += 1;
        }
        match inside.take() {
            Some(from) => spans.push(&line[from..run]),
            None => inside = Some(at),
        }
    }
    spans.into_iter().flat_map(words::identifiers)
}

/// Symbol numbers by start line, an enclosing symbol before the ones
/// it holds.
fn outer_first(symbols: &[SymbolStat]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..symbols.len()).collect();
    order.sort_by_key(|&i| {
        let s = &symbols[i].span;
        (s.start_line, std::cmp::Reverse(s.end_line))
    });
    order
}

/// Each symbol's innermost enclosing symbol, `usize::MAX` for none.
pub(super) fn parents(symbols: &[SymbolStat]) -> Vec<usize> {
    let mut parent = vec![usize::MAX; symbols.len()];
    let mut open: Vec<usize> = Vec::new();
    for i in outer_first(symbols) {
        let span = &symbols[i].span;
        while let Some(&top) = open.last() {
            if symbols[top].span.end_line >= span.start_line {
                break;
            }
            open.pop();
        }
        if let Some(&top) = open.last() {
            parent[i] = top;
        }
        open.push(i);
    }
    parent
}

/// Whether a line is comment or docstring text, tracking block comments
/// and triple-quoted strings across lines in `block` (the closing
/// delimiter, and whether the block is documentation).
pub(super) fn classify(line: &str, block: &mut Option<(&'static str, bool)>) -> bool {
    let trimmed = line.trim_start();
    if let Some((close, doc)) = *block {
        if trimmed.contains(close) {
            *block = None;
        }
        return doc;
    }
    if trimmed.starts_with("//") || trimmed.starts_with('*') {
        return true;
    }
    if let Some(rest) = trimmed.strip_prefix('#') {
        // `# text`, `#!`, `##` are comments; `#[derive]`, `#include` are code.
        return rest.is_empty() || rest.starts_with([' ', '\t', '#', '!', '\r', '\n']);
    }
    if let Some(rest) = trimmed.strip_prefix("/*") {
        if !rest.contains("*/") {
            *block = Some(("*/", true));
        }
        return true;
    }
    let unprefixed = trimmed.trim_start_matches(['r', 'b', 'u', 'f', 'R', 'B', 'U', 'F']);
    for quote in ["\"\"\"", "'''"] {
        if let Some(rest) = unprefixed.strip_prefix(quote) {
            if !rest.contains(quote) {
                *block = Some((quote, true));
            }
            return true;
        }
    }
    // Code that opens a string or comment it does not close.
    for quote in ["\"\"\"", "'''"] {
        if trimmed.matches(quote).count() % 2 == 1 {
            *block = Some((quote, false));
            return false;
        }
    }
    if let Some(at) = trimmed.find("/*")
        && !trimmed[at..].contains("*/")
    {
        *block = Some(("*/", true));
    }
    false
}

/// The parts of a qualified name in any language's notation:
/// `Config.load`, `Parser::parse`, `App\\Http\\Kernel`, `Foo#bar`.
pub(crate) fn qualified_segments(name: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = name;
    while !rest.is_empty() {
        let cut = ["::", ".", "#", "->", "\\", "/"]
            .iter()
            .filter_map(|sep| rest.find(sep).map(|at| (at, sep.len())))
            .min();
        match cut {
            Some((at, len)) => {
                out.push(&rest[..at]);
                rest = &rest[at + len..];
            }
            None => {
                out.push(rest);
                break;
            }
        }
    }
    out.retain(|s| !s.is_empty());
    out
}
