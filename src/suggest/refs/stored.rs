//! The index and each file's words as bytes, for the cache: a warm `refs`
//! loads them instead of reading and indexing every file again.
//!
//! Decoding checks every number it will later index with (documents,
//! symbols, terms, posting ranges), so a damaged record is refused here
//! and never makes a lookup panic.

use super::*;
use crate::codec::{Reader, Writer};
use document::SymbolDoc;

impl FileWords {
    pub(crate) fn encode(&self, w: &mut Writer) {
        w.len(self.terms.len());
        for term in &self.terms {
            w.str(term);
        }
        w.len(self.docs.len());
        for doc in &self.docs {
            let terms: Vec<u32> = doc.terms.iter().map(|&(t, _)| t).collect();
            let counts: Vec<u16> = doc.terms.iter().flat_map(|&(_, c)| c).collect();
            w.u32s(&terms);
            w.u16s(&counts);
            w.u32s(&doc.lengths);
            w.u32(doc.own_uses);
            w.len(doc.mentions.len());
            for &hash in &doc.mentions {
                w.u64(hash);
            }
            w.u8(u8::from(doc.stub));
        }
        w.len(self.identifiers.len());
        for &(hash, n) in &self.identifiers {
            w.u64(hash);
            w.u32(n);
        }
    }

    /// The words of a file with `symbols` symbols, or `None` when the
    /// bytes are not such a record.
    pub(crate) fn decode(r: &mut Reader<'_>, symbols: usize) -> Option<FileWords> {
        let n = r.len(4)?;
        let terms = (0..n)
            .map(|_| r.str().map(str::to_string))
            .collect::<Option<Vec<String>>>()?;
        let n = r.len(4)?;
        if n > symbols {
            return None;
        }
        let mut docs = Vec::with_capacity(n);
        for _ in 0..n {
            let numbers = r.u32s()?;
            let counts = r.u16s()?;
            let lengths: [u32; FIELDS] = r.u32s()?.try_into().ok()?;
            let own_uses = r.u32()?;
            let n = r.len(8)?;
            if n > super::document::MAX_MENTIONS {
                return None;
            }
            let mentions = (0..n).map(|_| r.u64()).collect::<Option<Vec<u64>>>()?;
            let stub = match r.u8()? {
                0 => false,
                1 => true,
                _ => return None,
            };
            if counts.len() != numbers.len() * FIELDS
                || numbers.iter().any(|&t| t as usize >= terms.len())
            {
                return None;
            }
            let terms = numbers
                .into_iter()
                .zip(counts.chunks_exact(FIELDS))
                .map(|(t, c)| Some((t, c.try_into().ok()?)))
                .collect::<Option<Vec<(u32, [u16; FIELDS])>>>()?;
            docs.push(SymbolDoc {
                terms,
                lengths,
                own_uses,
                mentions,
                stub,
            });
        }
        let n = r.len(12)?;
        let identifiers = (0..n)
            .map(|_| Some((r.u64()?, r.u32()?)))
            .collect::<Option<Vec<(u64, u32)>>>()?;
        Some(FileWords {
            terms,
            docs,
            identifiers,
        })
    }
}

impl Index {
    /// The postings, as [`Index::decode`] reads them back.
    pub(crate) fn postings_bytes(&self) -> &[u8] {
        self.postings.get().all()
    }

    /// The index without its files and postings (they are stored apart).
    pub(crate) fn encode(&self, w: &mut Writer) {
        let (files, symbols): (Vec<u32>, Vec<u32>) = self.docs.iter().copied().unzip();
        w.u32s(&files);
        w.u32s(&symbols);
        let lengths: Vec<u32> = self.lengths.iter().flatten().copied().collect();
        w.u32s(&lengths);
        w.str(&self.term_text);
        w.u32s(&self.term_ends);
        w.u32s(&self.posting_starts);

        w.u32s(&self.references);
        w.u32s(&self.spread);
        w.u16s(&self.roles);
        w.u32s(&self.mention_starts);
        w.u32s(&self.mentioned);
    }

    /// The index over `files` as [`Index::encode`] wrote it, its
    /// postings read by `load` when a query first needs them (and what a
    /// patch needs by `load_globals`, when one is made); `None` when
    /// the bytes do not describe an index of these files.
    pub(crate) fn decode(
        r: &mut Reader<'_>,
        files: std::sync::Arc<[FileStat]>,
        load: LoadPostings,
        load_globals: LoadGlobals,
    ) -> Option<Index> {
        let doc_files = r.u32s()?;
        let doc_symbols = r.u32s()?;
        if doc_files.len() != doc_symbols.len() {
            return None;
        }
        let docs: Vec<(u32, u32)> = doc_files.into_iter().zip(doc_symbols).collect();
        let valid = |&(f, s): &(u32, u32)| {
            files
                .get(f as usize)
                .is_some_and(|file| (s as usize) < file.symbols.len())
        };
        if !docs.iter().all(valid) {
            return None;
        }
        let flat = r.u32s()?;
        if flat.len() != docs.len() * FIELDS {
            return None;
        }
        let lengths = flat
            .chunks_exact(FIELDS)
            .map(|c| c.try_into().ok())
            .collect::<Option<Vec<[u32; FIELDS]>>>()?;
        let term_text = r.str()?.to_string();
        let term_ends = r.u32s()?;
        let mut from = 0;
        for &end in &term_ends {
            let end = end as usize;
            if end < from || !term_text.is_char_boundary(end) {
                return None;
            }
            from = end;
        }
        let posting_starts = r.u32s()?;
        let ordered =
            posting_starts.first() == Some(&0) && posting_starts.windows(2).all(|w| w[0] <= w[1]);
        if posting_starts.len() != term_ends.len() + 1 || !ordered {
            return None;
        }
        // Each posting's document is checked as it is read.
        let postings = LazyPostings {
            loaded: std::sync::OnceLock::new(),
            load: Some(load),
            count: posting_starts.last().map_or(0, |&n| n as usize),
        };
        let references = r.u32s()?;
        let spread = r.u32s()?;
        let roles = r.u16s()?;
        let mention_starts = r.u32s()?;
        let mentioned = r.u32s()?;
        let mentions_fit = mention_starts.len() == docs.len() + 1
            && mention_starts.first() == Some(&0)
            && mention_starts.windows(2).all(|w| w[0] <= w[1])
            && mention_starts.last().map(|&n| n as usize) == Some(mentioned.len())
            && mentioned.iter().all(|&d| (d as usize) < docs.len());
        if !mentions_fit {
            return None;
        }
        if references.len() != docs.len() || spread.len() != docs.len() || roles.len() != docs.len()
        {
            return None;
        }
        let documents = docs.len();
        Some(Index {
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
            globals: patch::LazyGlobals::stored(load_globals, documents),
            mention_starts,
            mentioned,
        })
    }
}
