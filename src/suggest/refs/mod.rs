//! `refs` ranking: which symbols answer a query, best first, and which set
//! of them fits a token budget. Pure: the command hands in priced files and
//! their text, this module hands back positions and scores.
//!
//! A symbol is a document with four fields: its name (subwords), its doc
//! comments and docstrings, its place (path components and enclosing
//! names) and the identifiers of its body (nested symbols keep their own
//! lines; their names stay in the parent's body). Free words are ranked by
//! BM25F over those fields, with the names weighed apart and a section
//! of the docs lending to the code it names; names are matched exactly,
//! then ignoring case, then by subwords. Ties go to the symbol whose name
//! the rest of the code uses most.

use std::cmp::Ordering;
use std::collections::HashMap;

use rustc_hash::FxHashMap;

use crate::lang::SymbolKind;
use crate::stats::{self, FileStat, SymbolStat};
use crate::suggest::paths::is_peripheral;
use crate::suggest::words;

mod document;
mod patch;
mod stored;
mod weigh;

use document::ident_hash;
pub(crate) use document::{FileWords, file_words, qualified_segments};
pub(crate) use patch::{LoadGlobals, Part};
use weigh::{Joined, Naming, Role, resolve_mentions, roles, spelling};

/// The bytes of one posting: the document (u32), then its count in each
/// field (u16), little-endian.
const POSTING_BYTES: usize = 4 + 2 * FIELDS;

/// Every term's postings end to end, [`POSTING_BYTES`] each: built here,
/// or the stored bytes themselves (a query reads the few terms it needs,
/// so a loaded index decodes none of them up front).
struct Postings {
    bytes: std::sync::Arc<Vec<u8>>,
    /// Where they start in `bytes`.
    at: usize,
    /// How many there are.
    count: usize,
}

impl Postings {
    /// The `count` postings at `at` in `bytes` (`None` when they do not fit).
    fn new(bytes: std::sync::Arc<Vec<u8>>, at: usize, count: usize) -> Option<Postings> {
        let end = count.checked_mul(POSTING_BYTES)?.checked_add(at)?;
        (end <= bytes.len()).then_some(Postings { bytes, at, count })
    }

    /// How many postings there are.
    fn len(&self) -> usize {
        self.count
    }

    /// Postings `from..to` as bytes (empty when out of range).
    fn get(&self, from: usize, to: usize) -> &[u8] {
        let start = self.at + from * POSTING_BYTES;
        let end = self.at + to * POSTING_BYTES;
        self.bytes.get(start..end).unwrap_or(&[])
    }

    /// All of them, as stored.
    fn all(&self) -> &[u8] {
        self.get(0, self.len())
    }
}

/// Reads stored postings: their bytes, or `None` when they are damaged.
pub(crate) type LoadPostings = Box<dyn Fn() -> Option<Vec<u8>> + Send + Sync>;

/// The postings, built here or read on first use from where they are
/// kept (a name query never needs them).
struct LazyPostings {
    loaded: std::sync::OnceLock<Postings>,
    load: Option<LoadPostings>,
    /// How many there are meant to be.
    count: usize,
}

impl LazyPostings {
    fn get(&self) -> &Postings {
        self.loaded.get_or_init(|| {
            let bytes = self.load.as_ref().and_then(|load| load());
            // Damaged postings (never expected: they carry a checksum)
            // answer nothing rather than something wrong.
            let bytes = bytes
                .filter(|b| b.len() == self.count * POSTING_BYTES)
                .unwrap_or_default();
            let count = bytes.len() / POSTING_BYTES;
            Postings::new(std::sync::Arc::new(bytes), 0, count).unwrap_or_else(|| Postings {
                bytes: std::sync::Arc::new(Vec::new()),
                at: 0,
                count: 0,
            })
        })
    }
}

/// One term's postings.
struct PostingList<'a> {
    bytes: &'a [u8],
    /// How many documents the index has: a posting naming another is
    /// left out (only a damaged store could hold one).
    documents: usize,
}

impl PostingList<'_> {
    fn len(&self) -> usize {
        self.bytes.len() / POSTING_BYTES
    }

    fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn iter(&self) -> impl Iterator<Item = (u32, [u16; FIELDS])> + '_ {
        self.bytes.chunks_exact(POSTING_BYTES).filter_map(|p| {
            let doc = u32::from_le_bytes([p[0], p[1], p[2], p[3]]);
            let count = |i: usize| u16::from_le_bytes([p[4 + 2 * i], p[5 + 2 * i]]);
            ((doc as usize) < self.documents)
                .then(|| (doc, [count(0), count(1), count(2), count(3)]))
        })
    }
}

/// The average length of each field, at least 1.
fn average_lengths(lengths: &[[u32; FIELDS]]) -> [f64; FIELDS] {
    let mut average = [0.0; FIELDS];
    for l in lengths {
        for (a, &n) in average.iter_mut().zip(l) {
            *a += f64::from(n);
        }
    }
    for a in &mut average {
        *a = (*a / lengths.len().max(1) as f64).max(1.0);
    }
    average
}

/// The fields of a symbol's document, in this order everywhere.
const FIELDS: usize = 4;
const NAME: usize = 0;
const DOC: usize = 1;
const PLACE: usize = 2;
const BODY: usize = 3;
/// How much a word counts in each field (BM25F weights).
const WEIGHT: [f64; FIELDS] = [4.0, 2.0, 1.5, 1.0];
/// How strongly each field's length normalises its counts.
const LENGTH_NORM: [f64; FIELDS] = [0.3, 0.75, 0.3, 0.75];
/// BM25's saturation constant.
const K1: f64 = 1.2;
/// How much a query term in the name adds, times its idf and the share
/// of the name the query covers.
const NAME_WEIGHT: f64 = 1.5;
/// How much the enclosing name adds, against the symbol's own name.
const PARENT_WEIGHT: f64 = 0.5;
/// What a function defined inside another function is worth: a helper
/// of its parent, rarely what a question is about.
const NESTED_FACTOR: f64 = 0.6;
/// How much each e-fold of other files using a symbol's name adds.
const SPREAD_WEIGHT: f64 = 0.05;
/// How many symbols may share a name that a section points to.
const MAX_MENTION_TARGETS: usize = 4;
/// What share of a section's score goes to the code it names.
const MENTION_WEIGHT: f64 = 0.3;
/// What a synonym or abbreviation of a query word counts for.
const SYNONYM_WEIGHT: f64 = 0.5;
/// What a symbol in test code is worth, unless the query mentions tests.
const TEST_FACTOR: f64 = 0.5;

/// How a result was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Match {
    /// The name, or the end of the qualified name, as written.
    Exact,
    /// The same, ignoring case.
    CaseInsensitive,
    /// Every subword of the query is a subword of the name.
    Subword,
    /// Free words, ranked by BM25F.
    Text,
    /// A symbol of the file or directory asked for.
    Path,
    /// The innermost symbol around the line asked for.
    Line,
}

impl Match {
    /// The name used in JSON and messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Match::Exact => "exact",
            Match::CaseInsensitive => "case-insensitive",
            Match::Subword => "subword",
            Match::Text => "text",
            Match::Path => "path",
            Match::Line => "line",
        }
    }
}

/// One ranked symbol: `files[file].symbols[symbol]`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hit {
    /// Index of the file in the priced files.
    pub(crate) file: usize,
    /// Index of the symbol in that file.
    pub(crate) symbol: usize,
    /// Higher is better; comparable within one query.
    pub(crate) score: f64,
    /// How it was found.
    pub(crate) matched: Match,
    /// How often its name appears in the code outside its own lines.
    pub(crate) references: u32,
}

/// Every symbol of every file, searchable by name and by free words.
pub(crate) struct Index {
    files: std::sync::Arc<[FileStat]>,
    /// Document number -> (file, symbol).
    docs: Vec<(u32, u32)>,
    lengths: Vec<[u32; FIELDS]>,
    average: [f64; FIELDS],
    /// The terms, sorted: term `t` is `term_text[term_ends[t-1]..term_ends[t]]`.
    term_text: String,
    term_ends: Vec<u32>,
    /// Term `t`'s postings are postings `posting_starts[t]..posting_starts[t + 1]`
    /// of `postings`: (document, count per field), by document.
    posting_starts: Vec<u32>,
    postings: LazyPostings,
    references: Vec<u32>,
    /// How many other files use each document's name in their code.
    spread: Vec<u32>,
    /// What each document is, beyond its words: [`Role`] bits.
    roles: Vec<u16>,
    /// Document `d`'s section points to the code symbols
    /// `mentioned[mention_starts[d]..mention_starts[d + 1]]`.
    mention_starts: Vec<u32>,
    mentioned: Vec<u32>,
    /// What patching the index needs besides it: built here, or read on
    /// first use from where it is kept (a query never needs it).
    globals: patch::LazyGlobals,
}

impl Index {
    /// Indexes `files` with the words computed for each (same order).
    pub(crate) fn build(files: std::sync::Arc<[FileStat]>, words: Vec<FileWords>) -> Index {
        let mut uses: FxHashMap<u64, u32> = FxHashMap::default();
        let mut docs = Vec::new();
        let mut lengths = Vec::new();
        let mut own_uses = Vec::new();
        let mut numbers: FxHashMap<String, u32> = FxHashMap::default();
        let mut by_term: Vec<Vec<(u32, [u16; FIELDS])>> = Vec::new();
        let mut files_using: FxHashMap<u64, u32> = FxHashMap::default();
        let mut used_at_home: Vec<bool> = Vec::new();
        let mut mentions: Vec<Vec<u64>> = Vec::new();
        let mut stubs: Vec<bool> = Vec::new();
        for (f, file_words) in words.into_iter().enumerate() {
            for &(hash, n) in &file_words.identifiers {
                *uses.entry(hash).or_default() += n;
                *files_using.entry(hash).or_default() += 1;
            }
            let here: rustc_hash::FxHashSet<u64> =
                file_words.identifiers.iter().map(|&(h, _)| h).collect();
            used_at_home.extend(
                files[f]
                    .symbols
                    .iter()
                    .map(|s| here.contains(&ident_hash(&s.span.name))),
            );
            let global: Vec<u32> = file_words
                .terms
                .into_iter()
                .map(|term| {
                    let next = numbers.len() as u32;
                    let n = *numbers.entry(term).or_insert(next);
                    if n == next {
                        by_term.push(Vec::new());
                    }
                    n
                })
                .collect();
            for (s, doc) in file_words.docs.into_iter().enumerate() {
                let id = docs.len() as u32;
                docs.push((f as u32, s as u32));
                lengths.push(doc.lengths);
                own_uses.push(doc.own_uses);
                mentions.push(doc.mentions);
                stubs.push(doc.stub);
                for (term, counts) in doc.terms {
                    by_term[global[term as usize] as usize].push((id, counts));
                }
            }
        }
        // Terms in sorted order, their postings laid end to end.
        let mut sorted: Vec<(String, u32)> = numbers.into_iter().collect();
        sorted.sort_unstable();
        let mut term_text = String::new();
        let mut term_ends = Vec::with_capacity(sorted.len());
        let mut posting_starts = Vec::with_capacity(sorted.len() + 1);
        let total: usize = by_term.iter().map(Vec::len).sum();
        let mut postings = Vec::with_capacity(total * POSTING_BYTES);
        posting_starts.push(0);
        for (term, n) in sorted {
            // A term only met outside every symbol finds nothing.
            if by_term[n as usize].is_empty() {
                continue;
            }
            term_text.push_str(&term);
            term_ends.push(term_text.len() as u32);
            for &(doc, counts) in &by_term[n as usize] {
                postings.extend_from_slice(&doc.to_le_bytes());
                for count in counts {
                    postings.extend_from_slice(&count.to_le_bytes());
                }
            }
            posting_starts.push((postings.len() / POSTING_BYTES) as u32);
        }
        let count = postings.len() / POSTING_BYTES;
        let postings = LazyPostings {
            loaded: std::sync::OnceLock::from(
                Postings::new(std::sync::Arc::new(postings), 0, count)
                    .expect("built to hold exactly `count` postings"),
            ),
            load: None,
            count,
        };
        let references = docs
            .iter()
            .zip(&own_uses)
            .map(|(&(f, s), &own)| {
                let name = &files[f as usize].symbols[s as usize].span.name;
                uses.get(&ident_hash(name))
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(own)
            })
            .collect();
        let spread = docs
            .iter()
            .zip(&used_at_home)
            .map(|(&(f, s), &home)| {
                let name = &files[f as usize].symbols[s as usize].span.name;
                let n = files_using.get(&ident_hash(name)).copied().unwrap_or(0);
                n.saturating_sub(u32::from(home))
            })
            .collect();
        let roles = roles(&files, &docs, &stubs);
        let (mention_starts, mentioned) = resolve_mentions(&files, &docs, &roles, &mentions);
        let mut identifiers: FxHashMap<u64, (u32, u32)> = FxHashMap::default();
        identifiers.reserve(uses.len());
        for (hash, n) in uses {
            identifiers.insert(hash, (n, files_using.get(&hash).copied().unwrap_or(0)));
        }
        Index {
            files,
            docs,
            average: average_lengths(&lengths),
            lengths,
            term_text,
            term_ends,
            posting_starts,
            postings,
            references,
            spread,
            roles,
            mention_starts,
            mentioned,
            globals: patch::LazyGlobals::built(patch::Globals {
                identifiers,
                own_uses,
                home: used_at_home,
                mentions,
            }),
        }
    }

    /// The postings of `term`: (document, count per field), by document.
    fn postings(&self, term: &str) -> PostingList<'_> {
        let text = |t: usize| {
            let from = if t == 0 {
                0
            } else {
                self.term_ends[t - 1] as usize
            };
            &self.term_text[from..self.term_ends[t] as usize]
        };
        let (mut low, mut high) = (0, self.term_ends.len());
        while low < high {
            let middle = low + (high - low) / 2;
            match text(middle).cmp(term) {
                Ordering::Less => low = middle + 1,
                Ordering::Greater => high = middle,
                Ordering::Equal => {
                    let from = self.posting_starts[middle] as usize;
                    let to = self.posting_starts[middle + 1] as usize;
                    return PostingList {
                        bytes: self.postings.get().get(from, to),
                        documents: self.docs.len(),
                    };
                }
            }
        }
        PostingList {
            bytes: &[],
            documents: 0,
        }
    }

    /// Per file, per symbol: how many other code files use its name.
    pub(crate) fn files_using(&self) -> Vec<Vec<u32>> {
        let mut out: Vec<Vec<u32>> = self
            .files
            .iter()
            .map(|f| vec![0; f.symbols.len()])
            .collect();
        for (&(f, s), &n) in self.docs.iter().zip(&self.spread) {
            out[f as usize][s as usize] = n;
        }
        out
    }

    fn symbol(&self, doc: usize) -> &SymbolStat {
        let (f, s) = self.docs[doc];
        &self.files[f as usize].symbols[s as usize]
    }

    fn hit(&self, doc: usize, score: f64, matched: Match) -> Hit {
        let (f, s) = self.docs[doc];
        Hit {
            file: f as usize,
            symbol: s as usize,
            score,
            matched,
            references: self.references[doc],
        }
    }

    /// Symbols named `query` (plain or qualified): exact matches if there
    /// are any, else case-insensitive ones, else subword ones.
    pub(crate) fn by_name(&self, query: &str) -> Vec<Hit> {
        let wanted = qualified_segments(query);
        if wanted.is_empty() {
            return Vec::new();
        }
        let lower: Vec<String> = wanted.iter().map(|s| s.to_lowercase()).collect();
        let last = lower.last().map_or("", String::as_str);
        let mut exact = Vec::new();
        let mut folded = Vec::new();
        for doc in 0..self.docs.len() {
            let span = &self.symbol(doc).span;
            // A trait's impl for a type (`Flag for MaxCount`) belongs to the
            // type's name, as its inherent impl does.
            let qualified = match span.qualified_name.rsplit_once(" for ") {
                Some((_, ty)) if span.kind == crate::lang::SymbolKind::Impl => ty,
                _ => span.qualified_name.as_str(),
            };
            // Cheap test first: the qualified name must end with the last part.
            let tail = qualified
                .len()
                .checked_sub(last.len())
                .and_then(|at| qualified.get(at..));
            if tail.is_none_or(|t| t.to_lowercase() != last) {
                continue;
            }
            let segments = qualified_segments(qualified);
            if segments.len() < wanted.len() {
                continue;
            }
            let tail = &segments[segments.len() - wanted.len()..];
            if tail == wanted.as_slice() {
                exact.push(self.hit(doc, 1.0, Match::Exact));
            } else if tail.iter().zip(&lower).all(|(a, b)| a.to_lowercase() == *b) {
                folded.push(self.hit(doc, 0.9, Match::CaseInsensitive));
            }
        }
        let mut hits = if !exact.is_empty() {
            self.add_receiver_methods(&mut exact, &wanted);
            exact
        } else if !folded.is_empty() {
            folded
        } else {
            self.by_subwords(query)
        };
        self.sort(&mut hits);
        hits
    }

    /// A Go type's methods belong to its name as a Rust type's impl blocks
    /// do: they are declared apart from the type (in any file of the
    /// package), so when `hits` holds a Go type named `wanted`, its
    /// methods (`Type.Method`) follow it, ranked just below.
    fn add_receiver_methods(&self, hits: &mut Vec<Hit>, wanted: &[&str]) {
        let is_go = |doc: usize| self.files[self.docs[doc].0 as usize].grammar == Some("go");
        let types = hits.iter().any(|hit| {
            let span = &self.files[hit.file].symbols[hit.symbol].span;
            self.files[hit.file].grammar == Some("go")
                && matches!(
                    span.kind,
                    SymbolKind::Struct | SymbolKind::Interface | SymbolKind::Type
                )
        });
        if !types {
            return;
        }
        for doc in 0..self.docs.len() {
            let span = &self.symbol(doc).span;
            if span.kind != SymbolKind::Method || !is_go(doc) {
                continue;
            }
            let segments = qualified_segments(&span.qualified_name);
            if segments.len() == wanted.len() + 1 && segments[..wanted.len()] == *wanted {
                hits.push(self.hit(doc, 0.95, Match::Exact));
            }
        }
    }

    /// Symbols whose qualified name holds every subword of `query`; the
    /// fewer other subwords the name has, the better.
    fn by_subwords(&self, query: &str) -> Vec<Hit> {
        let mut wanted: Vec<String> = Vec::new();
        words::terms(query, |t| wanted.push(t));
        wanted.sort();
        wanted.dedup();
        if wanted.is_empty() {
            return Vec::new();
        }
        // Only documents holding the rarest wanted term can hold them all.
        let Some(rarest) = wanted
            .iter()
            .map(|t| self.postings(t))
            .min_by_key(PostingList::len)
        else {
            return Vec::new();
        };
        let mut hits = Vec::new();
        for doc in rarest.iter().map(|(doc, _)| doc as usize) {
            let span = &self.symbol(doc).span;
            let mut have: Vec<String> = Vec::new();
            words::terms(&span.qualified_name, |t| have.push(t));
            if wanted.iter().all(|w| have.contains(w)) {
                let mut name: Vec<String> = Vec::new();
                words::terms(&span.name, |t| name.push(t));
                let covered = name.iter().filter(|t| wanted.contains(t)).count();
                let coverage = covered as f64 / name.len().max(1) as f64;
                hits.push(self.hit(doc, 0.5 + 0.3 * coverage, Match::Subword));
            }
        }
        hits
    }

    /// Symbols ranked for the free words of `query` (and, for less, their
    /// synonyms): BM25F over the doc, place and body fields, plus what
    /// [`Naming::score`] gives for the names (a symbol named after the
    /// words beats one that mentions them a lot), plus a share of the
    /// score of a document section that names the symbol; times the
    /// document's [`Index::prior`].
    pub(crate) fn by_text(&self, query: &str) -> Vec<Hit> {
        let mut wanted: Vec<String> = Vec::new();
        words::query_terms(query, |t| wanted.push(t));
        // Two words written as one in a name: "progress bar" finds
        // `progressbar`, "file name" finds `filename`.
        let joined: Vec<Joined> = wanted
            .windows(2)
            .filter(|pair| pair[0].len() >= 2 && pair[1].len() >= 2)
            .map(|pair| Joined {
                whole: format!("{}{}", pair[0], pair[1]),
                parts: [pair[0].clone(), pair[1].clone()],
            })
            .collect();
        wanted.sort();
        wanted.dedup();
        // A query that names peripheral code (tests, examples, docs,
        // benchmarks, fixtures, vendored code) is about it.
        let about_tests = [
            "test",
            "spec",
            "example",
            "bench",
            "benchmark",
            "doc",
            "fixture",
            "vendor",
            "generated",
        ]
        .into_iter()
        .filter_map(words::term)
        .any(|t| wanted.contains(&t));
        // Synonyms and abbreviations of the query's words count for less.
        let mut expanded: Vec<String> = Vec::new();
        for term in &wanted {
            for other in words::synonyms(term) {
                if !wanted.contains(other) && !expanded.contains(other) {
                    expanded.push(other.clone());
                }
            }
        }
        let weighted_terms = wanted
            .iter()
            .map(|t| (t, 1.0))
            .chain(expanded.iter().map(|t| (t, SYNONYM_WEIGHT)));
        let n = self.docs.len() as f64;
        // Per document: the BM25F sum, and whether its name holds a term.
        let mut scores: FxHashMap<u32, (f64, bool)> = FxHashMap::default();
        // Each term's idf times its weight, for names around the symbol.
        let mut worth: FxHashMap<&str, f64> = FxHashMap::default();
        for (term, weight) in weighted_terms {
            let postings = self.postings(term);
            if postings.is_empty() {
                continue;
            }
            let df = postings.len() as f64;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            worth.insert(term, weight * idf);
            for (doc, counts) in postings.iter() {
                let lengths = &self.lengths[doc as usize];
                let weighted: f64 = [DOC, PLACE, BODY]
                    .into_iter()
                    .map(|f| {
                        let norm = 1.0 - LENGTH_NORM[f]
                            + LENGTH_NORM[f] * f64::from(lengths[f]) / self.average[f];
                        WEIGHT[f] * f64::from(counts[f]) / norm
                    })
                    .sum();
                let entry = scores.entry(doc).or_default();
                entry.0 += weight * idf * weighted / (K1 + weighted);
                entry.1 |= counts[NAME] > 0;
            }
        }
        // Joined words count in names only.
        for term in &joined {
            for (doc, _) in self
                .postings(&term.whole)
                .iter()
                .filter(|(_, c)| c[NAME] > 0)
            {
                scores.entry(doc).or_default().1 = true;
            }
        }
        let all = wanted.iter().filter_map(|t| worth.get(t.as_str())).sum();
        let naming = Naming {
            worth,
            joined,
            typed: spelling(query),
            all,
        };
        let raw: Vec<(u32, f64)> = scores
            .into_iter()
            .map(|(doc, (text, in_name))| {
                let names = if in_name {
                    naming.score(&self.symbol(doc as usize).span)
                } else {
                    0.0
                };
                (doc, text + names)
            })
            .collect();
        // A section about the words points to the code it names: click's
        // "Waiting for Key Press" names `pause`. Each symbol takes the best
        // share any section gives it, split among what the section names.
        let mut pointed: FxHashMap<u32, f64> = FxHashMap::default();
        for &(doc, score) in &raw {
            let d = doc as usize;
            let targets = &self.mentioned
                [self.mention_starts[d] as usize..self.mention_starts[d + 1] as usize];
            if targets.is_empty() {
                continue;
            }
            let share =
                MENTION_WEIGHT * score * self.prior(d, about_tests) / (targets.len() as f64).sqrt();
            for &target in targets {
                let best = pointed.entry(target).or_default();
                *best = best.max(share);
            }
        }
        let mut totals: FxHashMap<u32, f64> = raw.into_iter().collect();
        for (doc, share) in pointed {
            *totals.entry(doc).or_default() += share;
        }
        let mut hits: Vec<Hit> = totals
            .into_iter()
            .map(|(doc, score)| {
                let d = doc as usize;
                self.hit(d, score * self.prior(d, about_tests), Match::Text)
            })
            .collect();
        self.sort(&mut hits);
        hits
    }

    /// What a document's score is multiplied by for what it is, beyond
    /// its words: peripheral code and sections count half unless the
    /// query is about them, nested functions less, and code the rest of
    /// the project uses more (a gentle prior: a symbol used in 100 other
    /// files gains a quarter).
    fn prior(&self, doc: usize, about_tests: bool) -> f64 {
        let role = self.roles[doc];
        let mut factor = 1.0 + SPREAD_WEIGHT * f64::from(self.spread[doc]).ln_1p();
        if !about_tests && role & (Role::PERIPHERAL | Role::SECTION) != 0 {
            factor *= TEST_FACTOR;
        }
        if role & Role::NESTED != 0 {
            factor *= NESTED_FACTOR;
        }
        factor
    }

    /// Best first: score, then how much the code uses the name, then the
    /// smaller symbol, then position (so output never depends on hashing).
    fn sort(&self, hits: &mut Vec<Hit>) {
        hits.sort_by(|a, b| {
            let same = (a.score - b.score).abs() <= 1e-9 * a.score.abs().max(b.score.abs());
            let by_score = if same {
                Ordering::Equal
            } else {
                b.score.total_cmp(&a.score)
            };
            by_score
                .then(b.references.cmp(&a.references))
                .then_with(|| self.tokens(a).cmp(&self.tokens(b)))
                .then_with(|| self.files[a.file].path.cmp(&self.files[b.file].path))
                .then(a.symbol.cmp(&b.symbol))
        });
        self.definitions_before_stubs(hits);
    }

    /// Puts the definition with a body before its overload stubs and
    /// bodiless declarations. Among hits of one name in one file, the
    /// definitions take the places the name earned, largest first (a
    /// platform's variant after the larger one); the stubs (Python
    /// `@overload`, TypeScript overload signatures) of a name whose
    /// definition is listed go last, since the definition says what they
    /// say and more. Where no definition is listed, the stubs stay.
    fn definitions_before_stubs(&self, hits: &mut Vec<Hit>) {
        // Documents are in (file, symbol) order.
        let stub = |hit: &Hit| {
            self.docs
                .binary_search(&(hit.file as u32, hit.symbol as u32))
                .is_ok_and(|d| self.roles[d] & Role::STUB != 0)
        };
        let mut groups: FxHashMap<(usize, &str), Vec<usize>> = FxHashMap::default();
        for (at, hit) in hits.iter().enumerate() {
            let name = self.files[hit.file].symbols[hit.symbol]
                .span
                .qualified_name
                .as_str();
            groups.entry((hit.file, name)).or_default().push(at);
        }
        let mut last = vec![false; hits.len()];
        for places in groups.values().filter(|p| p.len() > 1) {
            let defined = places.iter().any(|&at| !stub(&hits[at]));
            let mut members: Vec<Hit> = places.iter().map(|&at| hits[at].clone()).collect();
            // Definitions first, each kind largest first; the sort is
            // stable, so equal sizes keep their order.
            members.sort_by_key(|h| (stub(h), std::cmp::Reverse(self.tokens(h))));
            for (&at, mut hit) in places.iter().zip(members) {
                // Each place keeps its score: the definition inherits the
                // best place its name earned.
                hit.score = hits[at].score;
                last[at] = defined && stub(&hit);
                hits[at] = hit;
            }
        }
        if !last.contains(&true) {
            return;
        }
        let mut moved = Vec::new();
        let mut at = 0;
        hits.retain(|hit| {
            at += 1;
            if last[at - 1] {
                moved.push(hit.clone());
            }
            !last[at - 1]
        });
        hits.extend(moved);
        // Scores read best first, as everywhere else.
        for at in 1..hits.len() {
            hits[at].score = hits[at].score.min(hits[at - 1].score);
        }
    }

    fn tokens(&self, hit: &Hit) -> u64 {
        self.files[hit.file].symbols[hit.symbol].tokens
    }

    /// Up to `n` symbol names closest to `query` in spelling or subwords,
    /// for "did you mean".
    pub(crate) fn suggestions(&self, query: &str, n: usize) -> Vec<String> {
        // Compared without case or separators: "laodall" is close to `load_all`.
        let plain = |name: &str| name.to_lowercase().replace(['_', '-', '$'], "");
        let wanted = qualified_segments(query)
            .last()
            .map(|s| plain(s))
            .unwrap_or_default();
        // No symbol name is a few edits from a very long query.
        if wanted.is_empty() || wanted.chars().count() > 64 {
            return Vec::new();
        }
        let mut wanted_terms: Vec<String> = Vec::new();
        words::terms(query, |t| wanted_terms.push(t));
        let mut best: HashMap<&str, (usize, u32)> = HashMap::new();
        for doc in 0..self.docs.len() {
            let span = &self.symbol(doc).span;
            let name = plain(&span.name);
            let mut shared = false;
            words::terms(&span.name, |t| shared |= wanted_terms.contains(&t));
            let limit = (wanted.chars().count() / 3).max(2);
            // Lengths apart by more than the limit cannot be within it.
            if !shared && wanted.len().abs_diff(name.len()) > 4 * limit {
                continue;
            }
            let mut distance = strsim::levenshtein(&wanted, &name);
            if shared {
                distance = distance.min(wanted.len().max(name.len()) / 2);
            }
            if distance > limit && !shared {
                continue;
            }
            let entry = best
                .entry(span.qualified_name.as_str())
                .or_insert((distance, 0));
            entry.0 = entry.0.min(distance);
            entry.1 = entry.1.max(self.references[doc]);
        }
        let mut ranked: Vec<(&str, (usize, u32))> = best.into_iter().collect();
        ranked.sort_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)).then(a.0.cmp(b.0)));
        ranked
            .into_iter()
            .take(n)
            .map(|(name, _)| name.to_string())
            .collect()
    }
}

/// The symbols of one file, largest first.
pub(crate) fn in_file(file: &FileStat) -> Vec<usize> {
    let mut order: Vec<usize> = (0..file.symbols.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&file.symbols[a], &file.symbols[b]);
        b.tokens
            .cmp(&a.tokens)
            .then(a.span.start_line.cmp(&b.span.start_line))
    });
    order
}

/// The innermost symbol whose lines include `line`.
pub(crate) fn at_line(file: &FileStat, line: u32) -> Option<usize> {
    file.symbols
        .iter()
        .enumerate()
        .filter(|(_, s)| s.span.start_line <= line && line <= s.span.end_line)
        .min_by_key(|(_, s)| {
            (
                s.span.end_line - s.span.start_line,
                std::cmp::Reverse(s.span.start_line),
            )
        })
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::document::{classify, code_span_identifiers, is_stub};
    use super::*;

    #[test]
    fn qualified_names_split_in_every_notation() {
        assert_eq!(qualified_segments("Config.load"), ["Config", "load"]);
        assert_eq!(qualified_segments("a::B::c"), ["a", "B", "c"]);
        assert_eq!(
            qualified_segments("App\\Kernel->boot"),
            ["App", "Kernel", "boot"]
        );
        assert_eq!(qualified_segments("load"), ["load"]);
        assert_eq!(
            qualified_segments("impl Display for Config"),
            ["impl Display for Config"]
        );
    }

    #[test]
    fn declarations_without_bodies_are_stubs() {
        let stub = |text: &str| {
            let span = crate::syntax::Span {
                name: "f".into(),
                qualified_name: "f".into(),
                kind: SymbolKind::Function,
                start_line: 1,
                end_line: text.lines().count() as u32,
            };
            is_stub(text, &crate::stats::line_starts(text), &span)
        };
        assert!(stub(
            "# A comment first.\n@typing.overload\ndef f(x: int) -> int:\n    \"\"\"Doc.\"\"\"\n"
        ));
        assert!(stub("@overload\ndef f(x: str) -> str: ..."));
        assert!(stub("def f(\n    x: str,\n) -> str: ..."));
        assert!(stub("export function f(o: { a: string }): void;"));
        assert!(!stub("@functools.cache\ndef f(x):\n    return x\n"));
        assert!(!stub("def f(x):\n    print(\"loading...\")\n"));
        assert!(!stub("export function f(o: string): void {\n  g(o);\n}"));
        assert!(!stub("@overloaded\ndef f(x):\n    return x\n"));
    }

    #[test]
    fn code_spans_name_code_in_markdown_and_restructuredtext() {
        fn found(line: &str) -> Vec<&str> {
            code_span_identifiers(line).collect()
        }
        assert_eq!(
            found("Call `click.getchar()` or {func}`pause`."),
            ["click", "getchar", "pause"]
        );
        assert_eq!(
            found("Use ``echo_via_pager`` and :meth:`Context.invoke`"),
            ["echo_via_pager", "Context", "invoke"]
        );
        assert!(found("a `span left open").is_empty());
        assert!(found("no code here").is_empty());
    }

    #[test]
    fn comments_and_docstrings_are_told_from_code() {
        let text = "def f():\n    \"\"\"Retries\n    with backoff.\n    \"\"\"\n    x = '''a\n    b'''\n    # note\n    #[attr]\n    /* c\n    d */\n    y()\n";
        let mut block = None;
        let kinds: Vec<bool> = text.lines().map(|l| classify(l, &mut block)).collect();
        assert_eq!(
            kinds,
            [
                false, true, true, true, false, false, true, false, true, true, false
            ]
        );
    }
}
