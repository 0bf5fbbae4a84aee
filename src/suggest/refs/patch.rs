//! Patching an index instead of building it again: when a few files of
//! many changed, the documents and postings of the others are carried
//! over and only what the changed files touch is redone. The result is
//! the index [`Index::build`] makes from every file's words, to the byte
//! (a test compares them); building needs every file's words, patching
//! only the changed files' old and new ones.

use std::sync::{Arc, OnceLock};

use super::*;
use crate::codec::{Reader, Writer};

/// What a patch needs beyond the index: the counts that tie documents to
/// other files (each identifier's uses in code and the files using it),
/// and per document what its file alone decided (its name's uses in its
/// own lines, whether its file uses its name, its section's mentions, by
/// name).
pub(crate) struct Globals {
    /// Identifier hash -> (uses in code, files whose code uses it).
    pub(super) identifiers: FxHashMap<u64, (u32, u32)>,
    pub(super) own_uses: Vec<u32>,
    pub(super) home: Vec<bool>,
    pub(super) mentions: Vec<Vec<u64>>,
}

/// Reads stored globals: their bytes, or `None` when they are damaged.
pub(crate) type LoadGlobals = Box<dyn Fn() -> Option<Vec<u8>> + Send + Sync>;

/// The globals, built with the index or read on first use.
pub(super) struct LazyGlobals {
    loaded: OnceLock<Option<Globals>>,
    /// How to read them, and how many documents they are for.
    load: Option<(LoadGlobals, usize)>,
}

impl LazyGlobals {
    pub(super) fn built(globals: Globals) -> LazyGlobals {
        LazyGlobals {
            loaded: OnceLock::from(Some(globals)),
            load: None,
        }
    }

    pub(super) fn stored(load: LoadGlobals, documents: usize) -> LazyGlobals {
        LazyGlobals {
            loaded: OnceLock::new(),
            load: Some((load, documents)),
        }
    }

    fn get(&self) -> Option<&Globals> {
        self.loaded
            .get_or_init(|| {
                let (load, documents) = self.load.as_ref()?;
                Globals::decode(&load()?, *documents)
            })
            .as_ref()
    }

    fn take(self) -> Option<Globals> {
        self.get()?;
        self.loaded.into_inner().flatten()
    }
}

impl Globals {
    fn encode(&self, w: &mut Writer) {
        let mut identifiers: Vec<(u64, (u32, u32))> =
            self.identifiers.iter().map(|(&h, &n)| (h, n)).collect();
        identifiers.sort_unstable();
        w.len(identifiers.len());
        for (hash, (uses, files)) in identifiers {
            w.u64(hash);
            w.u32(uses);
            w.u32(files);
        }
        w.u32s(&self.own_uses);
        let home: Vec<u8> = self.home.iter().map(|&h| u8::from(h)).collect();
        w.blob(&home);
        let mut starts = Vec::with_capacity(self.mentions.len() + 1);
        starts.push(0u32);
        for named in &self.mentions {
            starts.push(starts[starts.len() - 1] + named.len() as u32);
        }
        w.u32s(&starts);
        for &hash in self.mentions.iter().flatten() {
            w.u64(hash);
        }
    }

    /// The globals of an index of `documents` documents, or `None` when
    /// the bytes are not such a record.
    fn decode(bytes: &[u8], documents: usize) -> Option<Globals> {
        let mut r = Reader::new(bytes);
        let n = r.len(16)?;
        let mut identifiers = FxHashMap::default();
        identifiers.reserve(n);
        for _ in 0..n {
            let (hash, uses, files) = (r.u64()?, r.u32()?, r.u32()?);
            if uses == 0 || files == 0 || identifiers.insert(hash, (uses, files)).is_some() {
                return None;
            }
        }
        let own_uses = r.u32s()?;
        let home = r.blob()?;
        let starts = r.u32s()?;
        let fits = own_uses.len() == documents
            && home.len() == documents
            && home.iter().all(|&h| h <= 1)
            && starts.len() == documents + 1
            && starts.first() == Some(&0)
            && starts
                .windows(2)
                .all(|w| w[0] <= w[1] && (w[1] - w[0]) as usize <= document::MAX_MENTIONS);
        if !fits {
            return None;
        }
        let mut mentions = Vec::with_capacity(documents);
        for w in starts.windows(2) {
            let named = (w[0]..w[1])
                .map(|_| r.u64())
                .collect::<Option<Vec<u64>>>()?;
            mentions.push(named);
        }
        if !r.is_done() {
            return None;
        }
        Some(Globals {
            identifiers,
            own_uses,
            home: home.iter().map(|&h| h == 1).collect(),
            mentions,
        })
    }
}

/// A document and its count per field.
type Posting = (u32, [u16; FIELDS]);

/// One file of a patched index, in the order of its new files.
#[derive(Debug)]
pub(crate) enum Part {
    /// File `n` of the index patched, unchanged.
    Kept(usize),
    /// A file read again, or new, with its words.
    New(FileWords),
}

impl Index {
    /// The globals as bytes, for the store (`None` when they could not be
    /// read: a damaged store).
    pub(crate) fn globals_bytes(&self) -> Option<Vec<u8>> {
        let mut w = Writer::new();
        self.globals.get()?.encode(&mut w);
        Some(w.into_bytes())
    }

    /// This index over `files`, made of `parts` (one per file, in the
    /// same order): a kept file brings its documents and postings; a new
    /// one its words. `gone` holds the words this index had for every
    /// file not kept (changed or removed): their counts are taken back.
    /// `None` when the globals or postings cannot be had (a damaged store)
    /// or the parts do not fit this index.
    pub(crate) fn patch(
        self,
        files: Arc<[FileStat]>,
        parts: Vec<Part>,
        gone: &[FileWords],
    ) -> Option<Index> {
        if parts.len() != files.len() {
            return None;
        }
        // Where each old file's documents are (they are in file order).
        let old_files = self.files.len();
        let mut old_starts = vec![0u32; old_files + 1];
        for &(f, _) in &self.docs {
            *old_starts.get_mut(f as usize + 1)? += 1;
        }
        for f in 0..old_files {
            old_starts[f + 1] += old_starts[f];
        }
        let old_postings = self.postings.get();
        if old_postings.len() != self.postings.count {
            return None;
        }
        let Globals {
            mut identifiers,
            own_uses: mut old_own,
            home: old_home,
            mentions: mut old_mentions,
        } = self.globals.take()?;

        // The counts tying documents to other files.
        for words in gone {
            for &(hash, n) in &words.identifiers {
                let entry = identifiers.get_mut(&hash)?;
                entry.0 = entry.0.checked_sub(n)?;
                entry.1 = entry.1.checked_sub(1)?;
                if entry.1 == 0 {
                    identifiers.remove(&hash);
                }
            }
        }
        for part in &parts {
            if let Part::New(words) = part {
                for &(hash, n) in &words.identifiers {
                    let entry = identifiers.entry(hash).or_default();
                    entry.0 += n;
                    entry.1 += 1;
                }
            }
        }

        // The documents, old ones renumbered, new ones in their file's place.
        let mut docs = Vec::with_capacity(self.docs.len());
        let mut lengths = Vec::with_capacity(self.docs.len());
        let mut own_uses = Vec::with_capacity(self.docs.len());
        let mut home = Vec::with_capacity(self.docs.len());
        let mut mentions = Vec::with_capacity(self.docs.len());
        let mut roles = Vec::with_capacity(self.docs.len());
        let mut renumbered = vec![u32::MAX; self.docs.len()];
        let mut fresh: FxHashMap<String, Vec<Posting>> = FxHashMap::default();
        let mut kept = vec![false; old_files];
        for (f, part) in parts.into_iter().enumerate() {
            match part {
                Part::Kept(old) => {
                    let range =
                        old_starts[old] as usize..old_starts.get(old + 1).copied()? as usize;
                    if std::mem::replace(kept.get_mut(old)?, true) {
                        return None;
                    }
                    if range.len() != files[f].symbols.len() {
                        return None;
                    }
                    for d in range {
                        renumbered[d] = docs.len() as u32;
                        docs.push((f as u32, self.docs[d].1));
                        lengths.push(self.lengths[d]);
                        own_uses.push(std::mem::take(&mut old_own[d]));
                        home.push(old_home[d]);
                        mentions.push(std::mem::take(&mut old_mentions[d]));
                        roles.push(self.roles[d]);
                    }
                }
                Part::New(words) => {
                    let symbols = &files[f].symbols;
                    if words.docs.len() > symbols.len() {
                        return None;
                    }
                    let here: rustc_hash::FxHashSet<u64> =
                        words.identifiers.iter().map(|&(h, _)| h).collect();
                    let first = docs.len();
                    let mut stubs = Vec::with_capacity(words.docs.len());
                    for (s, doc) in words.docs.into_iter().enumerate() {
                        let id = docs.len() as u32;
                        docs.push((f as u32, s as u32));
                        lengths.push(doc.lengths);
                        own_uses.push(doc.own_uses);
                        home.push(here.contains(&ident_hash(&symbols[s].span.name)));
                        mentions.push(doc.mentions);
                        stubs.push(doc.stub);
                        for (term, counts) in doc.terms {
                            let text = words.terms.get(term as usize)?;
                            match fresh.get_mut(text.as_str()) {
                                Some(list) => list.push((id, counts)),
                                None => {
                                    fresh.insert(text.clone(), vec![(id, counts)]);
                                }
                            }
                        }
                    }
                    roles.extend(super::roles(&files, &docs[first..], &stubs));
                }
            }
        }

        let first_moved = renumbered
            .iter()
            .enumerate()
            .position(|(d, &n)| n != d as u32)
            .map_or(u32::MAX, |d| d as u32);
        // The terms, old and new in one sorted run; each term's postings
        // by document, as a build lays them.
        let mut added: Vec<(String, Vec<Posting>)> = fresh.into_iter().collect();
        added.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let old_term = |t: usize| {
            let from = if t == 0 {
                0
            } else {
                self.term_ends[t - 1] as usize
            };
            &self.term_text[from..self.term_ends[t] as usize]
        };
        let mut term_text = String::with_capacity(self.term_text.len());
        let mut term_ends = Vec::with_capacity(self.term_ends.len());
        let mut posting_starts = Vec::with_capacity(self.posting_starts.len());
        let mut postings: Vec<u8> = Vec::with_capacity(old_postings.all().len());
        posting_starts.push(0u32);
        let (mut t, mut a) = (0, 0);
        while t < self.term_ends.len() || a < added.len() {
            let order = match (t < self.term_ends.len(), added.get(a)) {
                (true, Some((text, _))) => old_term(t).cmp(text),
                (true, None) => Ordering::Less,
                (false, _) => Ordering::Greater,
            };
            let term = if order == Ordering::Greater {
                added[a].0.as_str()
            } else {
                old_term(t)
            };
            let mut unmoved: &[u8] = &[];
            let mut moved: &[u8] = &[];
            if order != Ordering::Greater {
                let from = self.posting_starts[t] as usize;
                let to = self.posting_starts[t + 1] as usize;
                let bytes = old_postings.get(from, to);
                // Documents before the first one moved keep their number:
                // their postings are copied as they are.
                let doc = |i: usize| {
                    let p = &bytes[i * POSTING_BYTES..];
                    u32::from_le_bytes([p[0], p[1], p[2], p[3]])
                };
                let (mut low, mut high) = (0, bytes.len() / POSTING_BYTES);
                while low < high {
                    let middle = low + (high - low) / 2;
                    if doc(middle) < first_moved {
                        low = middle + 1;
                    } else {
                        high = middle;
                    }
                }
                (unmoved, moved) = bytes.split_at(low * POSTING_BYTES);
                t += 1;
            }
            let new: &[Posting] = if order != Ordering::Less {
                a += 1;
                &added[a - 1].1
            } else {
                &[]
            };
            let start = postings.len();
            // New documents come after every unmoved one.
            postings.extend_from_slice(unmoved);
            if new.is_empty() {
                // Copied, then renumbered in place; a posting of a document
                // gone is dropped.
                let tail = postings.len();
                postings.extend_from_slice(moved);
                let (mut read, mut write) = (tail, tail);
                while read < postings.len() {
                    let p = &postings[read..read + 4];
                    let doc = u32::from_le_bytes([p[0], p[1], p[2], p[3]]) as usize;
                    let n = *renumbered.get(doc)?;
                    if n != u32::MAX {
                        postings.copy_within(read + 4..read + POSTING_BYTES, write + 4);
                        postings[write..write + 4].copy_from_slice(&n.to_le_bytes());
                        write += POSTING_BYTES;
                    }
                    read += POSTING_BYTES;
                }
                postings.truncate(write);
            } else {
                let mut old = Vec::with_capacity(moved.len() / POSTING_BYTES);
                for p in moved.chunks_exact(POSTING_BYTES) {
                    let doc = u32::from_le_bytes([p[0], p[1], p[2], p[3]]) as usize;
                    match *renumbered.get(doc)? {
                        u32::MAX => {}
                        n => old.push((n, &p[4..])),
                    }
                }
                let (mut i, mut j) = (0, 0);
                while i < old.len() || j < new.len() {
                    if j == new.len() || (i < old.len() && old[i].0 < new[j].0) {
                        postings.extend_from_slice(&old[i].0.to_le_bytes());
                        postings.extend_from_slice(old[i].1);
                        i += 1;
                    } else {
                        postings.extend_from_slice(&new[j].0.to_le_bytes());
                        for count in new[j].1 {
                            postings.extend_from_slice(&count.to_le_bytes());
                        }
                        j += 1;
                    }
                }
            }
            // A term left without postings is no term.
            if postings.len() == start {
                continue;
            }
            term_text.push_str(term);
            term_ends.push(term_text.len() as u32);
            posting_starts.push((postings.len() / POSTING_BYTES) as u32);
        }
        let count = postings.len() / POSTING_BYTES;
        let postings = LazyPostings {
            loaded: OnceLock::from(Postings::new(Arc::new(postings), 0, count)?),
            load: None,
            count,
        };

        let name_of = |&(f, s): &(u32, u32)| &files[f as usize].symbols[s as usize].span.name;
        let mut references = Vec::with_capacity(docs.len());
        let mut spread = Vec::with_capacity(docs.len());
        for (d, doc) in docs.iter().enumerate() {
            let (uses, using) = identifiers
                .get(&ident_hash(name_of(doc)))
                .copied()
                .unwrap_or((0, 0));
            references.push(uses.saturating_sub(own_uses[d]));
            spread.push(using.saturating_sub(u32::from(home[d])));
        }
        let (mention_starts, mentioned) = resolve_mentions(&files, &docs, &roles, &mentions);
        Some(Index {
            files,
            average: average_lengths(&lengths),
            docs,
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
            globals: LazyGlobals::built(Globals {
                identifiers,
                own_uses,
                home,
                mentions,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::SymbolStat;

    /// A small deterministic generator (no dependency for one test).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % n
        }
    }

    const WORDS: [&str; 12] = [
        "load", "config", "parse", "token", "split", "render", "cache", "path", "read", "write",
        "user", "query",
    ];

    /// A Python file or a Markdown document made of random words.
    fn text(rng: &mut Lcg, markdown: bool) -> String {
        let name = |rng: &mut Lcg| {
            let parts = 1 + rng.next(2);
            (0..parts)
                .map(|_| WORDS[rng.next(WORDS.len())])
                .collect::<Vec<_>>()
                .join("_")
        };
        let mut text = String::new();
        if markdown {
            for _ in 0..1 + rng.next(3) {
                let (a, b, c) = (name(rng), name(rng), name(rng));
                text.push_str(&format!("# {a}\n\nCall `{b}` to {c}.\n\n"));
            }
            return text;
        }
        text.push_str("import os\n\n");
        for _ in 0..rng.next(4) {
            let f = name(rng);
            if rng.next(3) == 0 {
                text.push_str(&format!("@overload\ndef {f}(x: int) -> int: ...\n\n"));
            }
            let (a, b, c, d, e) = (name(rng), name(rng), name(rng), name(rng), name(rng));
            text.push_str(&format!(
                "def {f}({a}):\n    \"\"\"{b} the {c}.\"\"\"\n    return {d}({e})\n\n"
            ));
        }
        if rng.next(2) == 0 {
            let (a, b, c) = (name(rng), name(rng), name(rng));
            text.push_str(&format!(
                "class {a}:\n    def {b}(self):\n        return {c}\n"
            ));
        }
        text
    }

    /// A file priced as a walk would: spans from the real grammar, words
    /// from the text.
    fn priced(path: &str, text: &str) -> (FileStat, FileWords) {
        let language = crate::lang::detect(std::path::Path::new(path)).expect("a language");
        let grammar = language.grammar.as_deref();
        let spans = match grammar
            .and_then(crate::lang::grammar::get)
            .and_then(Result::ok)
        {
            Some(grammar) => {
                crate::syntax::spans(grammar, text, Default::default()).expect("parses")
            }
            None => crate::syntax::markdown_sections(text),
        };
        let stat = FileStat {
            path: path.to_string(),
            language: Some(language.name.as_str()),
            kind: Some(language.kind),
            grammar: language.grammar.as_deref(),
            bytes: text.len() as u64,
            shape: crate::source::shape(text),
            tokens: 10,
            read_tokens: 10,
            verdicts: Vec::new(),
            symbols: spans
                .into_iter()
                .map(|span| SymbolStat { span, tokens: 5 })
                .collect(),
        };
        let code = stat.kind == Some(crate::lang::Kind::Code);
        let words = file_words(path, text, &stat.symbols, code);
        (stat, words)
    }

    /// A new file: a document one time in five.
    fn file(rng: &mut Lcg, n: usize) -> (FileStat, FileWords) {
        let markdown = rng.next(5) == 0;
        let path = if markdown {
            format!("docs/d{n:02}.md")
        } else {
            format!("src/m{n:02}.py")
        };
        priced(&path, &text(rng, markdown))
    }

    fn bytes(index: &Index) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let mut w = Writer::new();
        index.encode(&mut w);
        (
            w.into_bytes(),
            index.postings_bytes().to_vec(),
            index.globals_bytes().expect("globals"),
        )
    }

    #[test]
    fn a_patched_index_is_the_index_built_from_every_file() {
        let mut rng = Lcg(7);
        let mut patched_some = 0;
        for round in 0..200 {
            let count = 1 + rng.next(8);
            let mut next = count;
            let mut old: Vec<(FileStat, FileWords)> =
                (0..count).map(|n| file(&mut rng, n)).collect();
            old.sort_by(|a, b| a.0.path.cmp(&b.0.path));
            // Each old file is kept, changed or removed; new files come in.
            let mut new: Vec<(FileStat, FileWords, Option<usize>)> = Vec::new();
            let mut gone = Vec::new();
            for (n, (stat, words)) in old.iter().enumerate() {
                match rng.next(4) {
                    0 => gone.push(words.clone()),
                    1 => {
                        gone.push(words.clone());
                        let markdown = stat.path.ends_with(".md");
                        let (stat, words) = priced(&stat.path, &text(&mut rng, markdown));
                        new.push((stat, words, None));
                    }
                    _ => new.push((stat.clone(), words.clone(), Some(n))),
                }
            }
            for _ in 0..rng.next(3) {
                let (stat, words) = file(&mut rng, next);
                next += 1;
                new.push((stat, words, None));
            }
            new.sort_by(|a, b| a.0.path.cmp(&b.0.path));

            let old_files: Arc<[FileStat]> = old.iter().map(|(s, _)| s.clone()).collect();
            let base = Index::build(old_files, old.iter().map(|(_, w)| w.clone()).collect());
            let files: Arc<[FileStat]> = new.iter().map(|(s, _, _)| s.clone()).collect();
            let built = Index::build(
                Arc::clone(&files),
                new.iter().map(|(_, w, _)| w.clone()).collect(),
            );
            let parts = new
                .into_iter()
                .map(|(_, words, kept)| match kept {
                    Some(n) => Part::Kept(n),
                    None => Part::New(words),
                })
                .collect();
            let patched = base
                .patch(Arc::clone(&files), parts, &gone)
                .expect("patches");
            assert!(bytes(&patched) == bytes(&built), "round {round}");
            patched_some += usize::from(!built.docs.is_empty());
        }
        assert!(patched_some > 100, "most rounds index something");
    }

    #[test]
    fn a_patch_that_does_not_fit_the_index_is_refused() {
        let mut rng = Lcg(11);
        let (stat, words) = priced("src/a.py", &text(&mut rng, false));
        let files: Arc<[FileStat]> = vec![stat].into();
        let base = || Index::build(Arc::clone(&files), vec![words.clone()]);
        // A file kept twice, a kept file that is not there, words taken
        // back that the index never had.
        assert!(
            base()
                .patch(Arc::clone(&files), vec![Part::Kept(1)], &[])
                .is_none()
        );
        let two: Arc<[FileStat]> = vec![files[0].clone(), files[0].clone()].into();
        assert!(
            base()
                .patch(two, vec![Part::Kept(0), Part::Kept(0)], &[])
                .is_none()
        );
        let unknown = FileWords {
            identifiers: vec![(1, 1)],
            ..FileWords::default()
        };
        assert!(
            base()
                .patch(Arc::clone(&files), vec![Part::Kept(0)], &[unknown])
                .is_none()
        );
    }
}
