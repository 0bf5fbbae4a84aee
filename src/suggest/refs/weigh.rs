//! What a symbol's score owes to more than its words: what the document
//! is ([`Role`]: peripheral code, a section, a nested function), what its
//! names are worth against a query ([`Naming`]), and which code a
//! document's section names. Pure, like the rest of the ranking.

use super::*;

/// Bits saying what a document is, beyond its words.
pub(super) struct Role;

impl Role {
    /// In tests, examples, docs, benchmarks, fixtures, vendored or
    /// generated files.
    pub(super) const PERIPHERAL: u16 = 1;
    /// A document's section: read about code, not code.
    pub(super) const SECTION: u16 = 2;
    /// A function defined inside a function: a helper of its parent.
    pub(super) const NESTED: u16 = 4;
    /// A declaration without a body: an overload stub, a signature.
    pub(super) const STUB: u16 = 8;
}

/// A name or query as its letters and digits alone, lower-cased:
/// "get object or 404", `get_object_or_404` and `GetObjectOr404` are all
/// "getobjector404".
pub(super) fn spelling(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Two query words that a name may write as one: "progress bar" and
/// `progressbar`.
pub(super) struct Joined {
    pub(super) whole: String,
    pub(super) parts: [String; 2],
}

/// What a query's words are worth in names, for [`Index::by_text`].
pub(super) struct Naming<'q> {
    /// Each term's idf times its weight (synonyms count for less).
    pub(super) worth: FxHashMap<&'q str, f64>,
    pub(super) joined: Vec<Joined>,
    /// The query as [`spelling`] gives it.
    pub(super) typed: String,
    /// What the query's own terms are worth together.
    pub(super) all: f64,
}

impl Naming<'_> {
    /// What a symbol's names add to its score: its own name as much as
    /// the query covers it, the enclosing name half that ("queryset
    /// filter" is `QuerySet.filter` more than `ListFilter.queryset`),
    /// and the whole query once more when it spells either ("get object
    /// or 404", "queryset filter" for `QuerySet.filter`).
    pub(super) fn score(&self, span: &crate::syntax::Span) -> f64 {
        let segments = qualified_segments(&span.qualified_name);
        // A constructor (Java's `JsonParser.JsonParser`) is named after
        // its class: the name is the class's, and only the class gets it.
        if let [.., parent, own] = segments.as_slice()
            && parent == own
            && *own == span.name
        {
            let (worth, coverage) = self.cover(parent);
            return NAME_WEIGHT * PARENT_WEIGHT * worth * coverage;
        }
        let (own, coverage) = self.cover(&span.name);
        let mut score = NAME_WEIGHT * own * coverage;
        let mut spelled = spelling(&span.name) == self.typed;
        if let [.., parent, _] = segments.as_slice() {
            let (worth, coverage) = self.cover(parent);
            score += NAME_WEIGHT * PARENT_WEIGHT * worth * coverage;
            spelled |= spelling(parent) + &spelling(&span.name) == self.typed;
        }
        if spelled {
            score += NAME_WEIGHT * self.all;
        }
        score
    }

    /// What the query's terms found in `name` are worth (each counted
    /// once), and the share of the name they account for: `load` is all
    /// about "load", `load_fixture_labels` only partly, and `QuerySet`
    /// wholly about "queryset". Two query words a name joins count as
    /// both words.
    fn cover(&self, name: &str) -> (f64, f64) {
        let mut subwords: Vec<String> = Vec::new();
        words::terms(name, |t| subwords.push(t));
        let whole = (subwords.len() > 1).then(|| words::term(name)).flatten();
        let mut found: Vec<&str> = Vec::new();
        let mut credit = |term: &str| -> bool {
            let parts: Vec<&str> = if self.worth.contains_key(term) {
                vec![term]
            } else if let Some(pair) = self.joined.iter().find(|j| j.whole == term) {
                pair.parts.iter().map(String::as_str).collect()
            } else {
                return false;
            };
            for part in parts {
                if let Some((&key, _)) = self.worth.get_key_value(part)
                    && !found.contains(&key)
                {
                    found.push(key);
                }
            }
            true
        };
        let covered = subwords.iter().filter(|t| credit(t)).count();
        let mut coverage = covered as f64 / subwords.len().max(1) as f64;
        // A name of several subwords that the query wrote whole.
        if whole.is_some_and(|w| credit(&w)) {
            coverage = 1.0;
        }
        let total = found.iter().map(|t| self.worth[t]).sum();
        (total, coverage)
    }
}

/// Which code symbols each section's code spans name, as CSR lists
/// (starts, documents). A name defined in more than
/// [`MAX_MENTION_TARGETS`] places says too little to point anywhere.
pub(super) fn resolve_mentions(
    files: &[FileStat],
    docs: &[(u32, u32)],
    roles: &[u16],
    mentions: &[Vec<u64>],
) -> (Vec<u32>, Vec<u32>) {
    let mut by_name: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
    for (d, &(f, s)) in docs.iter().enumerate() {
        if roles[d] & Role::SECTION == 0 {
            let name = &files[f as usize].symbols[s as usize].span.name;
            by_name.entry(ident_hash(name)).or_default().push(d as u32);
        }
    }
    let mut starts = Vec::with_capacity(docs.len() + 1);
    let mut mentioned = Vec::new();
    starts.push(0);
    for named in mentions {
        for hash in named {
            if let Some(targets) = by_name.get(hash)
                && targets.len() <= MAX_MENTION_TARGETS
            {
                mentioned.extend_from_slice(targets);
            }
        }
        starts.push(mentioned.len() as u32);
    }
    (starts, mentioned)
}

/// The [`Role`] bits of each document.
pub(super) fn roles(files: &[FileStat], docs: &[(u32, u32)], stubs: &[bool]) -> Vec<u16> {
    // What a file is, and where each symbol sits in it, once per file.
    let per_file: Vec<(u16, Vec<usize>)> = files
        .iter()
        .map(|file| {
            let peripheral = is_peripheral(&file.path)
                || file
                    .verdicts
                    .iter()
                    .any(|v| v.flag == crate::stats::Flag::Generated);
            let role = if peripheral { Role::PERIPHERAL } else { 0 };
            (role, document::parents(&file.symbols))
        })
        .collect();
    let function = |kind: SymbolKind| matches!(kind, SymbolKind::Function | SymbolKind::Method);
    docs.iter()
        .zip(stubs)
        .map(|(&(f, s), &stub)| {
            let file = &files[f as usize];
            let (mut role, parents) = (per_file[f as usize].0, &per_file[f as usize].1);
            let span = &file.symbols[s as usize].span;
            if span.kind == SymbolKind::Section {
                role |= Role::SECTION;
            }
            let parent = parents[s as usize];
            if function(span.kind)
                && parent != usize::MAX
                && function(file.symbols[parent].span.kind)
            {
                role |= Role::NESTED;
            }
            if stub {
                role |= Role::STUB;
            }
            role
        })
        .collect()
}
