//! The refs corpus kept between runs: every file of the walk priced, with
//! its words, and the index over them, in one file of the cache
//! directory (`v<N>/<hash>.pack`, named from the root like the cache's
//! packs, so `cache clear` removes it).
//!
//! A file is taken from the store without being read when its size,
//! modification and change times and inode are those stored, and those
//! times are older than the store by a margin (a file written in the same
//! second as the store could change again unseen: it is read again, as
//! git does with "racily clean" entries). When no file changed, the
//! stored index is loaded as it is. Otherwise only the changed files are
//! read (without a walk when every directory still holds the entries it
//! held, see [`Stored::check`]), a file whose text is the one stored only
//! takes its new stamp, and the index is patched when few files changed
//! (else built again from the stored words of the others).
//! Everything the figures depend on (ctxbudget's version, grammar tables,
//! span, term and verdict rules, encoding, limits, walk options) keys the whole
//! store.
//!
//! The store is read within a bound and checked (magic, format,
//! checksums, then every number used as an index): a damaged store is
//! ignored and replaced, never trusted. It is written atomically, after
//! the answer ([`Pending`]).

use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_128;

use super::{Corpus, is_code};
use crate::budget::Limits;
use crate::cache::Cache;
use crate::codec::{Reader, Writer};
use crate::config::input::InputConfig;
use crate::error::Error;
use crate::lang::SymbolKind;
use crate::price::{Walked, lock, price_file, price_reusing};
use crate::source::Shape;
use crate::stats::{FileStat, Flag, SymbolStat, Verdict};
use crate::suggest::refs::{self, FileWords, Index, Part};
use crate::syntax::Span;
use crate::tokenize::Tokenizer;
use crate::walk::WalkOptions;

const MAGIC: &[u8; 15] = b"ctxbudget-refs\n";
/// Bumped whenever the layout or the meaning of a field changes (the
/// roles of documents included).
const FORMAT: u32 = 5;
/// [`SETTLED_NANOS`]; test builds take another margin from
/// `CTXBUDGET_TEST_SETTLED_NANOS`, so that tests can reuse files they have
/// just written (whose change time is always now).
fn settled_nanos() -> u128 {
    #[cfg(debug_assertions)]
    if let Some(nanos) = std::env::var("CTXBUDGET_TEST_SETTLED_NANOS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return nanos;
    }
    SETTLED_NANOS
}

/// The magic, the format and each section's length and checksum (main,
/// postings, words, globals).
const HEAD_BYTES: usize = MAGIC.len() + 4 + 4 * (8 + 16);
/// A store larger than this is not loaded (it is rebuilt).
const STORE_BYTES: u64 = 1 << 30;
/// How much older than the store a file's times must be for the file to
/// be trusted unread: more than the coarsest timestamp granularity of
/// common filesystems (FAT keeps two seconds).
const SETTLED_NANOS: u128 = 3_000_000_000;

/// What the file system says about a file, compared instead of reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    len: u64,
    modified: u128,
    changed: u128,
    inode: u64,
}

impl Stamp {
    /// For a file whose stamp could not be taken: never equal to a real
    /// one and never settled.
    pub(crate) const UNKNOWN: Stamp = Stamp {
        len: u64::MAX,
        modified: u128::MAX,
        changed: u128::MAX,
        inode: u64::MAX,
    };

    /// The stamp of the file at `path` (following a link, as reading does).
    pub(crate) fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        let nanos = |t: std::io::Result<SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos())
        };
        #[cfg(unix)]
        let (changed, inode) = {
            use std::os::unix::fs::MetadataExt;
            let changed = u128::try_from(meta.ctime()).unwrap_or(0) * 1_000_000_000
                + u128::try_from(meta.ctime_nsec()).unwrap_or(0);
            (changed, meta.ino())
        };
        #[cfg(not(unix))]
        let (changed, inode) = (0, 0);
        Some(Stamp {
            len: meta.len(),
            modified: nanos(meta.modified()),
            changed,
            inode,
        })
    }

    /// The stamp [`Stamp::of`] gives, from a `stat` result.
    #[cfg(unix)]
    fn of_stat(stat: &rustix::fs::Stat) -> Stamp {
        let nanos = |secs: i64, nsecs: i64| match (u128::try_from(secs), u128::try_from(nsecs)) {
            (Ok(secs), Ok(nsecs)) => secs * 1_000_000_000 + nsecs,
            _ => 0,
        };
        #[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
        let (modified, changed) = (
            nanos(i64::from(stat.st_mtime), stat.st_mtime_nsec as i64),
            u128::try_from(i64::from(stat.st_ctime)).unwrap_or(0) * 1_000_000_000
                + u128::try_from(stat.st_ctime_nsec as i64).unwrap_or(0),
        );
        #[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
        Stamp {
            len: u64::try_from(stat.st_size as i64).unwrap_or(0),
            modified,
            changed,
            inode: stat.st_ino as u64,
        }
    }

    /// Whether the file was last touched well before `built_at`.
    fn settled_before(&self, built_at: u128) -> bool {
        self.modified
            .max(self.changed)
            .saturating_add(settled_nanos())
            < built_at
    }

    /// Its bytes, as stored (for hashing).
    pub(crate) fn to_bytes(self) -> Vec<u8> {
        let mut w = Writer::new();
        self.encode(&mut w);
        w.into_bytes()
    }

    fn encode(&self, w: &mut Writer) {
        w.u64(self.len);
        w.u128(self.modified);
        w.u128(self.changed);
        w.u64(self.inode);
    }

    fn decode(r: &mut Reader<'_>) -> Option<Stamp> {
        Some(Stamp {
            len: r.u64()?,
            modified: r.u128()?,
            changed: r.u128()?,
            inode: r.u64()?,
        })
    }
}

/// One file of the stored walk.
#[derive(Debug)]
struct Record {
    stamp: Stamp,
    /// For a priced file: its number in the stored files, where its words
    /// are in the words section and their checksum (xxh3-64: one file's
    /// words can be read alone). `None` for a file the walk skipped
    /// (binary, too large).
    priced: Option<(usize, Range<usize>, u64)>,
    /// A priced file's content hash (xxh3-128 of its text): a file read
    /// again with the same content is kept with its new stamp.
    content: u128,
    /// Whether its parse failed (maybe a timeout): then it is priced again.
    failed: bool,
    /// Whether it may be taken unread.
    reusable: bool,
}

impl Record {
    /// Whether a file read again with this content hash is the file this
    /// record priced, so that its stored figures and words still hold.
    fn holds(&self, content: u128) -> bool {
        self.priced.is_some() && !self.failed && self.content == content
    }
}

/// A store as loaded: its records at once; its files and index decoded
/// when first wanted (while other threads check the tree); its words read
/// only when the index must be built again.
struct Stored {
    records: FxHashMap<String, Record>,
    /// When it was made: what "settled" is measured against.
    built_at: u128,
    tree: Tree,
    /// How many records are priced files.
    priced: usize,
    decoding: Mutex<Option<Decode>>,
    decoded: OnceLock<Option<Decoded>>,
    /// The words section, read on first use (`None`: damaged).
    words: OnceLock<Option<Vec<u8>>>,
    /// The open store, where the words section is.
    file: Option<std::fs::File>,
    words_section: Section,
}

/// How a store's files and index are decoded, once.
type Decode = Box<dyn FnOnce() -> Option<Decoded> + Send>;

/// A section of the store file read on demand.
#[derive(Debug, Clone, Copy)]
struct Section {
    at: u64,
    length: u64,
    checksum: u128,
}

impl Section {
    /// Its bytes in `file`, when they are intact.
    fn read(&self, file: &std::fs::File) -> Option<Vec<u8>> {
        let bytes = read_at(file, self.at, usize::try_from(self.length).ok()?)?;
        (xxh3_128(&bytes) == self.checksum).then_some(bytes)
    }
}

/// `length` bytes of `file` from `at`. The store's sections are read by
/// several threads through copies of one handle, which share a position:
/// each read names its own.
fn read_at(file: &std::fs::File, at: u64, length: usize) -> Option<Vec<u8>> {
    let mut bytes = vec![0; length];
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.read_exact_at(&mut bytes, at).ok()?;
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::FileExt;
        let mut done = 0;
        while done < length {
            let n = file.seek_read(&mut bytes[done..], at + done as u64).ok()?;
            if n == 0 {
                return None;
            }
            done += n;
        }
    }
    #[cfg(not(any(unix, windows)))]
    {
        use std::io::{Seek, SeekFrom};
        let mut file = file;
        file.seek(SeekFrom::Start(at)).ok()?;
        file.read_exact(&mut bytes).ok()?;
    }
    Some(bytes)
}

/// The stored files, by path, and the index over them.
struct Decoded {
    files: Arc<[FileStat]>,
    index: Option<Index>,
}

/// What the walk found at one path, in path order.
enum Found {
    /// Unchanged since the store: its record there.
    Kept(String),
    /// Read again with the content stored: its record there, a new stamp.
    Restamped(String, Stamp),
    /// Priced now: the file, its words, its content hash, its stamp.
    Priced(Box<(FileStat, FileWords)>, u128, Stamp),
    Skipped(String, Stamp),
}

/// The content hash a record keeps (see [`Record::content`]).
fn content_hash(text: &str) -> u128 {
    xxh3_128(text.as_bytes())
}

/// The corpus of [`Corpus::whole`]: from the store where it still holds,
/// and stored again when anything changed. `extra` prices the files the
/// queries name that the walk left out (given the walk's files); a corpus
/// with such files is not stored.
pub(super) fn corpus(
    input: &InputConfig,
    tokenizer: &Tokenizer,
    extra: &Extra<'_>,
    want_fresh: bool,
) -> Result<Corpus, Error> {
    corpus_from(input, tokenizer, extra, true, want_fresh)
}

/// Prices the files the walk left out, given the walk's files.
pub(super) type Extra<'a> = dyn Fn(&[FileStat]) -> Result<Vec<(FileStat, FileWords)>, Error> + 'a;

/// [`corpus`], starting from the store when `use_store` (a store found
/// inconsistent is set aside and the corpus built again without it).
fn corpus_from(
    input: &InputConfig,
    tokenizer: &Tokenizer,
    extra: &Extra<'_>,
    use_store: bool,
    want_fresh: bool,
) -> Result<Corpus, Error> {
    let settings = settings(input, tokenizer);
    let path = store_path(input);
    let stored = path
        .as_deref()
        .filter(|_| use_store)
        .and_then(|p| Stored::load(p, settings));
    let context = Context {
        input,
        tokenizer,
        extra,
        settings,
        path,
        built_at: now(),
        tree: Mutex::new(Tree::default()),
        want_fresh,
    };
    // What stats alone tell of the stored tree.
    let check = stored.as_ref().map_or(Check::Walk, |s| s.check(input));
    // Nothing changed since the store was written: no walk at all.
    if matches!(check, Check::Unchanged)
        && let Some(stored) = stored
    {
        let mut rels: Vec<&String> = stored.records.keys().collect();
        rels.sort_unstable();
        let found = rels
            .into_iter()
            .map(|rel| Found::Kept(rel.clone()))
            .collect();
        // Only a corpus that will be asked whether it still holds needs it.
        if want_fresh {
            *lock(&context.tree) = stored.tree.clone();
        }
        return context.as_stored(found, stored, false);
    }
    let found = match (check, &stored) {
        // The same files, some of them changed: only those are read.
        (Check::Files { stale, dirs }, Some(stored)) => context.refresh(stored, stale, dirs),
        _ => context.walk(stored.as_ref()),
    };
    let unchanged = stored.as_ref().is_some_and(|s| {
        let kept_priced = found
            .iter()
            .filter(|f| match f {
                Found::Kept(rel) | Found::Restamped(rel, _) => {
                    s.records[rel.as_str()].priced.is_some()
                }
                _ => false,
            })
            .count();
        kept_priced == s.priced && !found.iter().any(|f| matches!(f, Found::Priced(..)))
    });
    // Whether the next run would find anything different in the store.
    let store_changed = stored.as_ref().is_none_or(|s| {
        let built_at = context.built_at;
        let differs = |f: &Found| match f {
            Found::Kept(_) => false,
            Found::Restamped(rel, stamp) => {
                s.records[rel.as_str()].stamp != *stamp || stamp.settled_before(built_at)
            }
            _ => true,
        };
        found.len() != s.records.len()
            || found.iter().any(differs)
            || lock(&context.tree).differs(&s.tree, s.built_at, built_at)
    });
    match stored {
        Some(stored) if unchanged => context.as_stored(found, stored, store_changed),
        stored => context.rebuild(found, stored, Vec::new()),
    }
}

/// What one build of the corpus works with.
struct Context<'a> {
    input: &'a InputConfig,
    tokenizer: &'a Tokenizer,
    extra: &'a Extra<'a>,
    settings: u128,
    path: Option<PathBuf>,
    built_at: u128,
    /// What this walk saw of the tree, stored for the next run.
    tree: Mutex<Tree>,
    /// Whether the caller keeps the corpus and wants to tell cheaply
    /// when it no longer holds (see [`Freshness`]).
    want_fresh: bool,
}

/// What besides its files' own stamps tells whether the tree is the one
/// a store was made from.
#[derive(Debug, Clone)]
struct Tree {
    /// Whether the stamps below tell it all: a walk that could not read
    /// a directory or an ignore file, or met a path it cannot name
    /// faithfully, is always walked again.
    complete: bool,
    /// Each directory walked (`.` for the root), its stamp and its
    /// [`listing`]: a file added, removed or renamed in it changes its
    /// times; its listing tells whether it holds other entries since.
    dirs: Vec<(String, Stamp, u128)>,
    /// The files consulted besides the listings (ignore files, `.git`,
    /// the global excludes file), with their stamps (`None`: absent).
    consulted: Vec<(String, Option<Stamp>)>,
}

impl Default for Tree {
    fn default() -> Tree {
        Tree {
            complete: true,
            dirs: Vec::new(),
            consulted: Vec::new(),
        }
    }
}

/// Whether a priced tree still holds, told by stats alone: every file,
/// directory and consulted file it was priced from, with its stamp.
pub(crate) struct Freshness {
    root: PathBuf,
    /// Files and directories under `root` (`.` for itself).
    expected: Vec<(PathBuf, Stamp)>,
    /// Consulted files, by the path the walk used (few: ignore files,
    /// `.git` probes, the global excludes file).
    consulted: Vec<(PathBuf, Option<Stamp>)>,
    /// The global excludes file it was priced with.
    global: Option<String>,
    no_ignore: bool,
}

impl Freshness {
    /// Whether every path still has its stamp (and the user's git
    /// configuration still names the same global excludes file).
    pub(crate) fn holds(&self) -> bool {
        self.holds_while(|| ())
    }

    fn holds_while(&self, meanwhile: impl FnOnce()) -> bool {
        self.changes_while(meanwhile)
            .is_some_and(|changed| changed.is_empty())
    }

    /// The expected paths whose stamp is not the one expected, by their
    /// place in `expected`, with their stamp now (`None`: gone), taken on
    /// several threads while this one does `meanwhile`; `None` when a
    /// consulted file or the global excludes file changed.
    fn changes_while(&self, meanwhile: impl FnOnce()) -> Option<Vec<(usize, Option<Stamp>)>> {
        if !self.no_ignore {
            let global = ignore::gitignore::gitconfig_excludes_path()
                .map(|p| crate::text::os_name(p.as_os_str()).into_owned());
            if global.is_some() && global != self.global {
                return None;
            }
        }
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let chunk = self.expected.len().div_ceil(threads).max(1);
        if !self.consulted.iter().all(|(p, s)| Stamp::of(p) == *s) {
            return None;
        }
        let root = StatRoot::open(&self.root)?;
        let root = &root;
        std::thread::scope(|scope| {
            let parts: Vec<_> = self
                .expected
                .chunks(chunk)
                .enumerate()
                .map(|(n, part)| {
                    scope.spawn(move || {
                        let mut changed = Vec::new();
                        for (i, (path, stamp)) in part.iter().enumerate() {
                            let now = root.stamp(path);
                            if now != Some(*stamp) {
                                changed.push((n * chunk + i, now));
                            }
                        }
                        changed
                    })
                })
                .collect();
            meanwhile();
            let mut changed = Vec::new();
            for part in parts {
                changed.extend(part.join().ok()?);
            }
            Some(changed)
        })
    }
}

/// Stats paths below one open directory, so each lookup walks only the
/// part of the path under it, not the root's own path again.
struct StatRoot {
    #[cfg(unix)]
    dir: rustix::fd::OwnedFd,
    #[cfg(not(unix))]
    dir: PathBuf,
}

impl StatRoot {
    fn open(root: &Path) -> Option<StatRoot> {
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            let dir = rustix::fs::open(root, flags, Mode::empty()).ok()?;
            Some(StatRoot { dir })
        }
        #[cfg(not(unix))]
        Some(StatRoot {
            dir: root.to_path_buf(),
        })
    }

    /// The stamp of `path` (below the root, or absolute), following a
    /// link as [`Stamp::of`] does and equal to what it gives.
    fn stamp(&self, path: &Path) -> Option<Stamp> {
        #[cfg(unix)]
        {
            let stat = rustix::fs::statat(&self.dir, path, rustix::fs::AtFlags::empty()).ok()?;
            Some(Stamp::of_stat(&stat))
        }
        #[cfg(not(unix))]
        Stamp::of(&self.dir.join(path))
    }
}

impl Tree {
    /// Whether a store of this tree, seen at `now`, would tell the next
    /// run more than `stored` (seen at `stored_at`) does: a directory or
    /// consulted file changed, or a stamp settled since.
    fn differs(&self, stored: &Tree, stored_at: u128, now: u128) -> bool {
        let settled_since =
            |stamp: &Stamp| !stamp.settled_before(stored_at) && stamp.settled_before(now);
        self.complete != stored.complete
            || self.consulted != stored.consulted
            || self.dirs != stored.dirs
            || stored.dirs.iter().any(|(_, stamp, _)| settled_since(stamp))
    }

    /// The consulted global excludes file, as the walk resolved it.
    fn global(&self) -> Option<String> {
        let global = ignore::gitignore::gitconfig_excludes_path()?;
        let name = crate::text::os_name(global.as_os_str()).into_owned();
        self.consulted
            .iter()
            .any(|(p, _)| *p == name)
            .then_some(name)
    }
}

/// `rel` (`.` for the root itself) under `root`.
fn join(root: &Path, rel: &str) -> PathBuf {
    if rel == "." {
        root.to_path_buf()
    } else {
        root.join(rel)
    }
}

/// Whether `path` is `rel` under `root`, so that the next run can find it
/// from its name alone (names that had to be escaped cannot).
fn faithful(root: &Path, rel: &str, path: &Path) -> bool {
    join(root, rel) == path
}

/// What stats alone tell of a stored tree (see [`Stored::check`]).
enum Check {
    /// Every stamp as stored, and settled: nothing to read.
    Unchanged,
    /// The same files in the same directories: `stale` files (with their
    /// stamps now) must be read again; `dirs` are every directory with its
    /// stamp and listing now.
    Files {
        stale: Vec<(String, Stamp)>,
        dirs: Vec<(String, Stamp, u128)>,
    },
    /// The tree may hold other files: walk it.
    Walk,
}

/// What a directory holds, by name and type, as one hash (never 0, which
/// stands for unknown): a directory whose times changed while its entries
/// did not (a file replaced by a rename, a temporary file come and gone)
/// still holds the same files. `None` when it cannot be listed.
fn listing(dir: &Path) -> Option<u128> {
    let mut entries: Vec<(Vec<u8>, u8)> = Vec::new();
    for entry in std::fs::read_dir(dir).ok()? {
        let entry = entry.ok()?;
        let kind = entry.file_type().ok()?;
        let kind = if kind.is_dir() {
            1
        } else if kind.is_file() {
            2
        } else if kind.is_symlink() {
            3
        } else {
            4
        };
        entries.push((entry.file_name().as_encoded_bytes().to_vec(), kind));
    }
    entries.sort_unstable();
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for (name, kind) in &entries {
        hasher.update(name);
        hasher.update(&[0, *kind]);
    }
    Some(hasher.digest128().max(1))
}

/// A file priced now, or kept with its new stamp when its content is the
/// one stored (its times changed, not its text: a touch, a save of the
/// same text, a file read again because its times had not settled).
fn priced(
    stored: Option<&Stored>,
    stat: FileStat,
    words: FileWords,
    content: u128,
    stamp: Stamp,
) -> Found {
    let same = stored
        .and_then(|s| s.records.get(&stat.path))
        .is_some_and(|r| r.holds(content));
    if same && stamp != Stamp::UNKNOWN {
        Found::Restamped(stat.path, stamp)
    } else {
        Found::Priced(Box::new((stat, words)), content, stamp)
    }
}

impl Context<'_> {
    /// Walks the tree, pricing what the store does not hold as it is.
    fn walk(&self, stored: Option<&Stored>) -> Vec<Found> {
        let input = self.input;
        let root = &input.paths[0];
        let walk_tree = &self.tree;
        let (walked, consulted) = price_reusing(
            input,
            self.tokenizer,
            |rel, path, symlink| {
                if !symlink && !faithful(root, rel, path) {
                    lock(walk_tree).complete = false;
                }
                let stamp = (!symlink).then(|| Stamp::of(path)).flatten();
                match (stored, stamp) {
                    (Some(stored), Some(stamp)) => match stored.records.get(rel) {
                        Some(record) if record.reusable && record.stamp == stamp => Ok(()),
                        _ => Err(Some(stamp)),
                    },
                    (None, stamp) => Err(stamp),
                    (_, None) => Err(None),
                }
            },
            // Stamped before it is listed: an entry added while the walk
            // runs changes it again.
            |path| (Stamp::of(path), listing(path)),
            |stat, source| {
                let words =
                    refs::file_words(&stat.path, &source.text, &stat.symbols, is_code(stat));
                (words, content_hash(&source.text))
            },
        );
        let mut tree = lock(&self.tree).clone();
        tree.consulted = consulted
            .iter()
            .map(|p| {
                (
                    crate::text::os_name(p.as_os_str()).into_owned(),
                    Stamp::of(p),
                )
            })
            .collect();
        // A path that had to be escaped could not be found again by its name.
        tree.complete &= consulted
            .iter()
            .all(|p| p.to_str() == Some(&*crate::text::os_name(p.as_os_str())));
        let mut found = Vec::with_capacity(walked.len());
        for w in walked {
            match w {
                Walked::Known { rel } => found.push(Found::Kept(rel)),
                Walked::Priced {
                    stat,
                    also: (words, content),
                    state,
                } => {
                    // A file that could not be stamped is stored as never
                    // matching: it is read again next time.
                    let stamp = state.unwrap_or(Stamp::UNKNOWN);
                    found.push(priced(stored, stat, words, content, stamp));
                }
                Walked::Skipped {
                    skipped,
                    state: Some(Some(stamp)),
                } => found.push(Found::Skipped(skipped.path, stamp)),
                // An unfollowed link: its directory's listing says all.
                Walked::Skipped {
                    state: Some(None), ..
                } => {}
                // A directory or ignore file that could not be read: a later
                // walk may read it, and nothing here would tell.
                Walked::Skipped { state: None, .. } => tree.complete = false,
                Walked::Dir {
                    rel,
                    path,
                    state: (stamp, listing),
                } => {
                    tree.complete &=
                        stamp.is_some() && listing.is_some() && faithful(root, &rel, &path);
                    tree.dirs
                        .push((rel, stamp.unwrap_or(Stamp::UNKNOWN), listing.unwrap_or(0)));
                }
            }
        }
        *lock(&self.tree) = tree;
        found
    }

    /// The stored tree's files, without a walk: the `stale` ones (with
    /// their stamps, taken before this) read again, the others kept.
    /// `dirs` are the directories as they are now.
    fn refresh(
        &self,
        stored: &Stored,
        stale: Vec<(String, Stamp)>,
        dirs: Vec<(String, Stamp, u128)>,
    ) -> Vec<Found> {
        let input = self.input;
        let root = &input.paths[0];
        // Read-only: the store keeps what is priced here.
        let cache = match &input.cache_dir {
            Some(dir) => Cache::open(dir, &input.paths),
            None => Cache::disabled(),
        };
        let tokenizer = self.tokenizer;
        let cache = &cache;
        let price = |(rel, stamp): &(String, Stamp)| -> Found {
            match crate::source::read(&join(root, rel), input.max_file_bytes, false) {
                Ok(source) => {
                    let content = content_hash(&source.text);
                    // Its times changed, not its text: nothing to price.
                    if stored.records[rel.as_str()].holds(content) {
                        return Found::Restamped(rel.clone(), *stamp);
                    }
                    let stat = price_file(rel.clone(), &source, input, tokenizer, cache);
                    let words =
                        refs::file_words(&stat.path, &source.text, &stat.symbols, is_code(&stat));
                    priced(Some(stored), stat, words, content, *stamp)
                }
                Err(_) => Found::Skipped(rel.clone(), *stamp),
            }
        };
        // Many changed files (a checkout) are read on every core.
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let chunk = stale.len().div_ceil(threads).max(4);
        let mut read: FxHashMap<String, Found> = std::thread::scope(|scope| {
            let parts: Vec<_> = stale
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|s| (s.0.clone(), price(s)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().unwrap_or_default())
                .collect()
        });
        let mut rels: Vec<&String> = stored.records.keys().collect();
        rels.sort_unstable();
        let found = rels
            .into_iter()
            .map(|rel| read.remove(rel).unwrap_or_else(|| Found::Kept(rel.clone())))
            .collect();
        let mut tree = stored.tree.clone();
        tree.dirs = dirs;
        *lock(&self.tree) = tree;
        found
    }
    /// The corpus built without the store: for a store found inconsistent
    /// after its checksums passed (never expected).
    fn start_over(&self) -> Result<Corpus, Error> {
        corpus_from(
            self.input,
            self.tokenizer,
            self.extra,
            false,
            self.want_fresh,
        )
    }

    /// The corpus when no file changed: the stored files and index.
    fn as_stored(
        &self,
        found: Vec<Found>,
        stored: Stored,
        store_changed: bool,
    ) -> Result<Corpus, Error> {
        let Some(files) = stored.decoded().map(|d| Arc::clone(&d.files)) else {
            // Checked by its checksum, so never expected: start over.
            return self.start_over();
        };
        let named = (self.extra)(&files)?;
        if !named.is_empty() {
            return self.rebuild(found, Some(stored), named);
        }
        let fresh = self.freshness(&found, Some(&stored));
        let mut stored = stored;
        let index = stored
            .decoded
            .get_mut()
            .and_then(|d| d.as_mut())
            .and_then(|d| d.index.take());
        let Some(index) = index.map(Arc::new) else {
            return self.start_over();
        };
        let pending = self.pending(store_changed, found, stored, Vec::new(), &index);
        Ok(Corpus {
            files,
            index: Some(index),
            fresh,
            pending,
        })
    }

    /// The corpus when something changed: the files kept come from the
    /// store, the others were just read. The stored index is patched when
    /// the changed files are a minority (see [`Index::patch`]), else the
    /// index is built again from every file's words. The corpus is stored
    /// unless `named` (files the walk left out, priced already or still to
    /// price) holds any.
    fn rebuild(
        &self,
        found: Vec<Found>,
        mut stored: Option<Stored>,
        named: Vec<(FileStat, FileWords)>,
    ) -> Result<Corpus, Error> {
        let mut files = Vec::with_capacity(found.len());
        let mut parts = Vec::with_capacity(found.len());
        let mut new_words = Vec::new();
        for f in &found {
            match f {
                Found::Kept(rel) | Found::Restamped(rel, _) => {
                    let Some(stored) = &stored else { continue };
                    let Some((n, ..)) = &stored.records[rel].priced else {
                        continue;
                    };
                    let Some(stat) = stored.decoded().and_then(|d| d.files.get(*n)) else {
                        return self.start_over();
                    };
                    files.push(stat.clone());
                    parts.push(Part::Kept(*n));
                }
                Found::Priced(priced, ..) => {
                    let (stat, file_words) = &**priced;
                    let mut w = Writer::new();
                    file_words.encode(&mut w);
                    new_words.push(w.into_bytes());
                    files.push(stat.clone());
                    parts.push(Part::New(file_words.clone()));
                }
                Found::Skipped(..) => {}
            }
        }
        let named = if named.is_empty() {
            (self.extra)(&files)?
        } else {
            named
        };
        let storable = named.is_empty();
        for (stat, file_words) in named {
            files.push(stat);
            parts.push(Part::New(file_words));
        }
        let files: Arc<[FileStat]> = files.into();
        let Some(index) = self.index(&files, parts, stored.as_mut()) else {
            // Stored words or globals that do not fit (checked by their
            // checksums, so never expected): start over.
            return self.start_over();
        };
        let index = Arc::new(index);
        let fresh = storable
            .then(|| self.freshness(&found, stored.as_ref()))
            .flatten();
        let base = stored.unwrap_or_else(Stored::empty);
        let pending = self.pending(storable, found, base, new_words, &index);
        Ok(Corpus {
            files,
            index: Some(index),
            fresh,
            pending,
        })
    }

    /// The index over `files`, made of `parts`: the stored index patched
    /// when few files changed, else built from every file's words (the
    /// kept files' from the store). `None` when the store's words or
    /// globals do not fit.
    fn index(
        &self,
        files: &Arc<[FileStat]>,
        parts: Vec<Part>,
        stored: Option<&mut Stored>,
    ) -> Option<Index> {
        let words_of = |stored: &Stored, range: &Range<usize>, symbols: usize| {
            FileWords::decode(
                &mut Reader::new(stored.words()?.get(range.clone())?),
                symbols,
            )
        };
        let Some(stored) = stored else {
            let words = parts
                .into_iter()
                .map(|part| match part {
                    Part::New(words) => Some(words),
                    Part::Kept(_) => None,
                })
                .collect::<Option<Vec<FileWords>>>()?;
            return Some(Index::build(Arc::clone(files), words));
        };
        // Where each stored file's words are, by its number in the stored
        // files, with their checksum.
        let mut ranges: Vec<Option<(Range<usize>, u64)>> = vec![None; stored.priced];
        for record in stored.records.values() {
            if let Some((n, range, checksum)) = &record.priced {
                *ranges.get_mut(*n)? = Some((range.clone(), *checksum));
            }
        }
        let mut kept = vec![false; stored.priced];
        for part in &parts {
            if let Part::Kept(n) = part {
                *kept.get_mut(*n)? = true;
            }
        }
        let fresh = parts.iter().filter(|p| matches!(p, Part::New(_))).count();
        let gone = kept.iter().filter(|&&k| !k).count();
        let base = stored.decoded().map(|d| Arc::clone(&d.files))?;
        let index = stored
            .decoded
            .get_mut()
            .and_then(|d| d.as_mut())
            .and_then(|d| d.index.take());
        if let Some(index) = index
            && 2 * (fresh + gone) <= parts.len().max(1)
        {
            // Only the words of the files gone are read.
            let gone = (0..stored.priced)
                .filter(|&n| !kept[n])
                .map(|n| {
                    let (range, checksum) = ranges[n].as_ref()?;
                    let bytes = stored.words_of(range, *checksum)?;
                    FileWords::decode(&mut Reader::new(&bytes), base[n].symbols.len())
                })
                .collect::<Option<Vec<FileWords>>>()?;
            return index.patch(Arc::clone(files), parts, &gone);
        }
        let words = parts
            .into_iter()
            .map(|part| match part {
                Part::New(words) => Some(words),
                Part::Kept(n) => words_of(stored, &ranges[n].as_ref()?.0, base[n].symbols.len()),
            })
            .collect::<Option<Vec<FileWords>>>()?;
        Some(Index::build(Arc::clone(files), words))
    }

    /// What tells, by stats alone, that the tree is still the one just
    /// priced, when the walk saw everything (else the caller has to walk
    /// to know). Each file was stamped before it was read and each
    /// directory before it was listed, so a later change shows, as it
    /// would to a fresh walk: unlike the store, which a later process
    /// trusts, this needs no settled times, except for the consulted
    /// files, stamped after the walk read them.
    fn freshness(&self, found: &[Found], stored: Option<&Stored>) -> Option<Freshness> {
        if !self.want_fresh
            || self.input.paths.len() != 1
            || self.input.project_relative
            || self.input.walk.follow
        {
            return None;
        }
        let tree = lock(&self.tree);
        if !tree.complete {
            return None;
        }
        let root = &self.input.paths[0];
        let settled = |s: &Stamp| s.settled_before(self.built_at);
        let mut expected = Vec::with_capacity(found.len() + tree.dirs.len() + tree.consulted.len());
        for f in found {
            let (rel, stamp) = match f {
                Found::Kept(rel) => (rel.as_str(), stored?.records.get(rel)?.stamp),
                Found::Restamped(rel, stamp) => (rel.as_str(), *stamp),
                Found::Priced(priced, _, stamp) => (priced.0.path.as_str(), *stamp),
                Found::Skipped(rel, stamp) => (rel.as_str(), *stamp),
            };
            if stamp == Stamp::UNKNOWN {
                return None;
            }
            expected.push((PathBuf::from(rel), stamp));
        }
        for (rel, stamp, _) in &tree.dirs {
            if *stamp == Stamp::UNKNOWN {
                return None;
            }
            expected.push((PathBuf::from(rel), *stamp));
        }
        let mut consulted = Vec::with_capacity(tree.consulted.len());
        for (path, stamp) in &tree.consulted {
            if stamp.as_ref().is_some_and(|s| !settled(s)) {
                return None;
            }
            consulted.push((PathBuf::from(path), *stamp));
        }
        Some(Freshness {
            root: root.clone(),
            expected,
            consulted,
            global: tree.global(),
            no_ignore: self.input.walk.no_ignore,
        })
    }

    /// The store of this walk, to be written later (when `wanted` and the
    /// cache is on): kept records from `base`, new ones as found;
    /// `new_words` holds the encoded words of each newly priced file, in
    /// order; `index` is the corpus's index.
    fn pending(
        &self,
        wanted: bool,
        found: Vec<Found>,
        base: Stored,
        new_words: Vec<Vec<u8>>,
        index: &Arc<Index>,
    ) -> Pending {
        let Some(path) = self.path.as_ref().filter(|_| wanted) else {
            return Pending::default();
        };
        let write = StoreWrite {
            path: path.clone(),
            settings: self.settings,
            built_at: self.built_at,
            tree: lock(&self.tree).clone(),
            simple: self.input.paths.len() == 1
                && !self.input.project_relative
                && !self.input.walk.follow,
            found,
            base,
            new_words,
            index: Arc::clone(index),
        };
        Pending(Some(Box::new(move || write.run())))
    }
}

/// Storing a corpus, left for after the answer. Dropped, it runs then.
#[derive(Default)]
pub(crate) struct Pending(Option<Job>);

/// A store write.
type Job = Box<dyn FnOnce() + Send + Sync>;

impl Pending {
    /// Writes the store now.
    pub(crate) fn run(mut self) {
        if let Some(job) = self.0.take() {
            job();
        }
    }

    /// Writes the store on another thread, one write at a time. A store
    /// still waiting when a newer one comes is never written: the newer
    /// one says more, and a burst of edits keeps at most two corpora
    /// alive for writing.
    pub(crate) fn spawn(mut self) {
        let Some(job) = self.0.take() else {
            return;
        };
        *lock(&NEXT) = Some(job);
        if WRITING.swap(true, Ordering::SeqCst) {
            return;
        }
        std::thread::spawn(|| {
            // The writer yields to the threads answering calls: on Linux
            // the nice value is the calling thread's own.
            #[cfg(target_os = "linux")]
            if let Ok(nice) = rustix::process::getpriority_process(None) {
                let _ = rustix::process::setpriority_process(None, (nice + 10).min(19));
            }
            loop {
                loop {
                    let job = lock(&NEXT).take();
                    let Some(job) = job else { break };
                    job();
                }
                WRITING.store(false, Ordering::SeqCst);
                // A store left after the last look, while this thread
                // still held the flag, would wait: look once more.
                if lock(&NEXT).is_none() || WRITING.swap(true, Ordering::SeqCst) {
                    return;
                }
            }
        });
    }

    /// Returns once no store write started by [`Pending::spawn`] is under
    /// way or waiting.
    pub(crate) fn wait_for_writes() {
        while WRITING.load(Ordering::SeqCst) || lock(&NEXT).is_some() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
}

/// The store write waiting for the writing thread (see [`Pending::spawn`]).
static NEXT: Mutex<Option<Job>> = Mutex::new(None);
/// Whether the writing thread runs.
static WRITING: AtomicBool = AtomicBool::new(false);

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(job) = self.0.take() {
            job();
        }
    }
}

/// Everything one store write needs, owned, so that it can wait.
struct StoreWrite {
    path: PathBuf,
    settings: u128,
    built_at: u128,
    tree: Tree,
    /// One root, walked as it is (what a stat-only check needs).
    simple: bool,
    found: Vec<Found>,
    base: Stored,
    new_words: Vec<Vec<u8>>,
    index: Arc<Index>,
}

impl StoreWrite {
    /// Writes the store. Failures are ignored: the store only ever saves
    /// time.
    fn run(self) {
        let StoreWrite {
            path,
            settings,
            built_at,
            tree,
            simple,
            found,
            base,
            new_words,
            index,
        } = self;
        let mut main = Writer::new();
        let mut stats = Writer::new();
        let mut words: Vec<u8> = Vec::new();
        main.u128(settings);
        main.u128(built_at);
        main.len(found.len());
        let mut new_words = new_words.iter();
        for f in &found {
            let (rel, stamp, priced) = match f {
                Found::Kept(rel) | Found::Restamped(rel, _) => {
                    let record = &base.records[rel];
                    let priced = match &record.priced {
                        Some((n, range, _)) => {
                            let stat = base.decoded().and_then(|d| d.files.get(*n));
                            let old = base.words().and_then(|all| all.get(range.clone()));
                            let (Some(stat), Some(old)) = (stat, old) else {
                                return;
                            };
                            Some((stat, old, record.content))
                        }
                        None => None,
                    };
                    let stamp = match f {
                        Found::Restamped(_, stamp) => *stamp,
                        _ => record.stamp,
                    };
                    (rel.as_str(), stamp, priced)
                }
                Found::Priced(priced, content, stamp) => {
                    let stat = &priced.0;
                    let encoded = new_words.next().map_or(&[][..], Vec::as_slice);
                    (stat.path.as_str(), *stamp, Some((stat, encoded, *content)))
                }
                Found::Skipped(rel, stamp) => (rel.as_str(), *stamp, None),
            };
            main.str(rel);
            stamp.encode(&mut main);
            match priced {
                Some((stat, encoded, content)) => {
                    let failed = stat.verdicts.iter().any(|v| v.flag == Flag::NoSymbols);
                    main.u8(if failed { 2 } else { 1 });
                    main.u64(words.len() as u64);
                    main.len(encoded.len());
                    main.u64(xxhash_rust::xxh3::xxh3_64(encoded));
                    main.u128(content);
                    encode_stat(&mut stats, stat);
                    words.extend_from_slice(encoded);
                }
                None => main.u8(0),
            }
        }
        main.u8(u8::from(tree.complete && simple));
        main.len(tree.dirs.len());
        for (rel, stamp, listing) in &tree.dirs {
            main.str(rel);
            stamp.encode(&mut main);
            main.u128(*listing);
        }
        main.len(tree.consulted.len());
        for (path, stamp) in &tree.consulted {
            main.str(path);
            match stamp {
                Some(stamp) => {
                    main.u8(1);
                    stamp.encode(&mut main);
                }
                None => main.u8(0),
            }
        }
        main.blob(&stats.into_bytes());
        let mut encoded = Writer::new();
        index.encode(&mut encoded);
        let postings = index.postings_bytes();
        let Some(globals) = index.globals_bytes() else {
            return;
        };
        main.blob(&encoded.into_bytes());
        let main = main.into_bytes();
        let mut head = Writer::new();
        head.u32(FORMAT);
        for section in [&main[..], postings, &words, &globals] {
            head.u64(section.len() as u64);
            head.u128(xxh3_128(section));
        }
        let head = head.into_bytes();
        crate::cache::write_pack_parts(&path, &[MAGIC, &head, &main, postings, &words, &globals]);
    }
}

impl Stored {
    fn empty() -> Stored {
        Stored {
            records: FxHashMap::default(),
            built_at: 0,
            tree: Tree::default(),
            priced: 0,
            decoding: Mutex::new(None),
            decoded: OnceLock::from(Some(Decoded {
                files: Arc::new([]),
                index: None,
            })),
            words: OnceLock::from(Some(Vec::new())),
            file: None,
            words_section: Section {
                at: 0,
                length: 0,
                checksum: 0,
            },
        }
    }

    /// The store at `path` when it is intact and made with `settings`.
    /// Its records are read here; its files and index start decoding on
    /// another thread; its words section is checked when it is read.
    fn load(path: &Path, settings: u128) -> Option<Stored> {
        let (mut file, meta) = crate::fsio::open_regular(path).ok()?;
        if meta.len() > STORE_BYTES {
            return None;
        }
        let mut head = [0u8; HEAD_BYTES];
        file.read_exact(&mut head).ok()?;
        let mut r = Reader::new(head.strip_prefix(MAGIC.as_slice())?);
        if r.u32()? != FORMAT {
            return None;
        }
        let main_length = r.u64()?;
        let main_checksum = r.u128()?;
        let postings = Section {
            at: HEAD_BYTES as u64 + main_length,
            length: r.u64()?,
            checksum: r.u128()?,
        };
        let words = Section {
            at: postings.at.checked_add(postings.length)?,
            length: r.u64()?,
            checksum: r.u128()?,
        };
        let globals = Section {
            at: words.at.checked_add(words.length)?,
            length: r.u64()?,
            checksum: r.u128()?,
        };
        if globals.at.checked_add(globals.length)? != meta.len() {
            return None;
        }
        let words_length = words.length;
        let mut main = vec![0u8; usize::try_from(main_length).ok()?];
        file.read_exact(&mut main).ok()?;
        if xxh3_128(&main) != main_checksum {
            return None;
        }
        let mut r = Reader::new(&main);
        if r.u128()? != settings {
            return None;
        }
        let built_at = r.u128()?;
        let n = r.len(8)?;
        let mut records = FxHashMap::default();
        records.reserve(n);
        let mut priced = 0;
        let mut previous: Option<&str> = None;
        for _ in 0..n {
            let rel = r.str()?;
            // Sorted and unique, as written.
            if previous.is_some_and(|p| p >= rel) {
                return None;
            }
            previous = Some(rel);
            let stamp = Stamp::decode(&mut r)?;
            let tag = r.u8()?;
            let words = match tag {
                0 => None,
                1 | 2 => {
                    let from = usize::try_from(r.u64()?).ok()?;
                    let to = from.checked_add(r.u32()? as usize)?;
                    if to as u64 > words_length {
                        return None;
                    }
                    priced += 1;
                    Some((priced - 1, from..to, r.u64()?))
                }
                _ => return None,
            };
            let content = if words.is_some() { r.u128()? } else { 0 };
            let record = Record {
                stamp,
                priced: words,
                content,
                failed: tag == 2,
                // A parse that failed (tag 2) may have timed out on a busy
                // machine: such a file is priced again every time.
                reusable: stamp.settled_before(built_at) && tag != 2,
            };
            records.insert(rel.to_string(), record);
        }
        let complete = r.u8()? == 1;
        let n = r.len(8)?;
        let dirs = (0..n)
            .map(|_| Some((r.str()?.to_string(), Stamp::decode(&mut r)?, r.u128()?)))
            .collect::<Option<Vec<(String, Stamp, u128)>>>()?;
        let n = r.len(5)?;
        let consulted = (0..n)
            .map(|_| {
                let path = r.str()?.to_string();
                let stamp = match r.u8()? {
                    0 => None,
                    1 => Some(Stamp::decode(&mut r)?),
                    _ => return None,
                };
                Some((path, stamp))
            })
            .collect::<Option<Vec<(String, Option<Stamp>)>>>()?;
        let tree = Tree {
            complete,
            dirs,
            consulted,
        };
        let stats_at = main.len() - r.rest();
        let stats_length = r.blob()?.len();
        let index_at = main.len() - r.rest();
        r.blob()?;
        if !r.is_done() {
            return None;
        }
        let count = priced;
        let for_postings = file.try_clone().ok()?;
        let for_globals = file.try_clone().ok()?;
        let decoding: Decode = Box::new(move || {
            let mut r = Reader::new(main.get(stats_at + 4..stats_at + 4 + stats_length)?);
            let files = (0..count)
                .map(|_| decode_stat(&mut r))
                .collect::<Option<Vec<FileStat>>>()?;
            let files: Arc<[FileStat]> = files.into();
            let load: refs::LoadPostings = Box::new(move || postings.read(&for_postings));
            let load_globals: refs::LoadGlobals = Box::new(move || globals.read(&for_globals));
            let mut r = Reader::new(main.get(index_at + 4..)?);
            let index = Index::decode(&mut r, Arc::clone(&files), load, load_globals);
            Some(Decoded { files, index })
        });
        Some(Stored {
            records,
            built_at,
            tree,
            priced,
            decoding: Mutex::new(Some(decoding)),
            decoded: OnceLock::new(),
            words: OnceLock::new(),
            file: Some(file),
            words_section: words,
        })
    }

    /// What stats alone tell of the tree this store was made from: every
    /// directory, file and consulted file has the stamp stored, each
    /// settled when stored (unchanged); or only files changed, in
    /// directories that hold the same entries (read those again); or the
    /// tree may hold other files (walk). A directory's times change when
    /// an entry is added, removed or renamed in it, a file's when it is
    /// written; a directory whose times changed is listed again.
    fn check(&self, input: &InputConfig) -> Check {
        let tree = &self.tree;
        let settled = |s: &Stamp| s.settled_before(self.built_at);
        if !tree.complete
            || input.paths.len() != 1
            || input.project_relative
            || input.walk.follow
            || self.records.values().any(|r| r.stamp == Stamp::UNKNOWN)
            || !tree
                .consulted
                .iter()
                .filter_map(|(_, s)| s.as_ref())
                .all(settled)
        {
            return Check::Walk;
        }
        let root = &input.paths[0];
        let files: Vec<(&String, &Record)> = self.records.iter().collect();
        let mut expected: Vec<(PathBuf, Stamp)> = Vec::with_capacity(files.len() + tree.dirs.len());
        expected.extend(files.iter().map(|(rel, r)| (PathBuf::from(rel), r.stamp)));
        expected.extend(tree.dirs.iter().map(|(rel, s, _)| (PathBuf::from(rel), *s)));
        let freshness = Freshness {
            root: root.clone(),
            expected,
            consulted: tree
                .consulted
                .iter()
                .map(|(p, s)| (PathBuf::from(p), *s))
                .collect(),
            global: tree.global(),
            no_ignore: input.walk.no_ignore,
        };
        // The files and index are decoded while other threads stat.
        let Some(changed) = freshness.changes_while(|| {
            self.decoded();
        }) else {
            return Check::Walk;
        };
        let mut now: FxHashMap<usize, Stamp> = FxHashMap::default();
        for (at, stamp) in changed {
            let Some(stamp) = stamp else {
                return Check::Walk;
            };
            now.insert(at, stamp);
        }
        let mut stale = Vec::new();
        for (at, (rel, record)) in files.iter().enumerate() {
            let now = now.get(&at).copied().unwrap_or(record.stamp);
            if now != record.stamp || !record.reusable {
                stale.push(((*rel).clone(), now));
            }
        }
        let mut dirs = Vec::with_capacity(tree.dirs.len());
        let mut same_dirs = true;
        for (at, (rel, stamp, listed)) in tree.dirs.iter().enumerate() {
            let now = now.get(&(files.len() + at)).copied().unwrap_or(*stamp);
            if now == *stamp && settled(stamp) {
                dirs.push((rel.clone(), now, *listed));
                continue;
            }
            same_dirs = false;
            match listing(&join(root, rel)) {
                Some(again) if again == *listed => dirs.push((rel.clone(), now, again)),
                _ => return Check::Walk,
            }
        }
        if stale.is_empty() && same_dirs {
            return Check::Unchanged;
        }
        stale.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Check::Files { stale, dirs }
    }

    /// The stored files and index, once decoded; `None` when damaged.
    fn decoded(&self) -> Option<&Decoded> {
        self.decoded
            .get_or_init(|| {
                let decode = self
                    .decoding
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take()?;
                let decoded = decode()?;
                // Each record names its own file.
                let consistent = self.records.iter().all(|(rel, record)| {
                    record
                        .priced
                        .as_ref()
                        .is_none_or(|(n, ..)| decoded.files.get(*n).is_some_and(|f| f.path == *rel))
                });
                consistent.then_some(decoded)
            })
            .as_ref()
    }

    /// The words at `range` of the words section, read alone unless the
    /// section is read already; `None` when they do not match `checksum`.
    fn words_of(&self, range: &Range<usize>, checksum: u64) -> Option<Vec<u8>> {
        let bytes = match self.words.get() {
            Some(all) => all.as_ref()?.get(range.clone())?.to_vec(),
            None => {
                let at = self.words_section.at.checked_add(range.start as u64)?;
                read_at(self.file.as_ref()?, at, range.len())?
            }
        };
        (xxhash_rust::xxh3::xxh3_64(&bytes) == checksum).then_some(bytes)
    }

    /// The words section, read from the open store on first use; `None`
    /// when it is damaged.
    fn words(&self) -> Option<&[u8]> {
        self.words
            .get_or_init(|| self.words_section.read(self.file.as_ref()?))
            .as_deref()
    }
}

fn now() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// A hash of everything a priced file or its words depend on besides its
/// bytes. Each settings struct is taken apart field by field, so a field
/// added later fails to compile here until it is accounted for.
fn settings(input: &InputConfig, tokenizer: &Tokenizer) -> u128 {
    let InputConfig {
        project_relative,
        paths,
        walk,
        filter: _, // compiled from `walk.include` and `walk.exclude`
        tokenizer: _,
        claude_factor: _, // in `tokenizer.factor()`
        limits,
        max_file_bytes,
        progress: _,
        symbols,
        parse,
        cache_dir: _,
    } = input;
    let WalkOptions {
        no_ignore,
        follow,
        include,
        exclude,
        threads: _,
    } = walk;
    let Limits {
        window,
        read_tokens,
        lines,
        large_percent,
        minified_line_chars,
        minified_average_chars,
        generated_markers,
        disabled_generated_markers,
        not_generated: _, // compiled from `not_generated_globs`
        not_generated_globs,
        advice_tokens,
        lockfiles,
        data_file_tokens,
        symbol_tokens,
    } = limits;
    let described = format!(
        "ctxbudget={} format={FORMAT} words={} spans={} verdicts={} tables={:032x} encoding={} factor={} \
         project_relative={project_relative} paths={paths:?} no_ignore={no_ignore} \
         follow={follow} include={include:?} exclude={exclude:?} window={window} \
         read_tokens={read_tokens} lines={lines} large_percent={large_percent} \
         minified={minified_line_chars},{minified_average_chars} \
         generated={generated_markers:?} disabled={disabled_generated_markers:?} \
         not_generated={not_generated_globs:?} advice={advice_tokens} \
         lockfiles={lockfiles:?} data={data_file_tokens} symbol={symbol_tokens} \
         max_file_bytes={max_file_bytes} symbols={symbols} parse_bytes={}",
        env!("CARGO_PKG_VERSION"),
        crate::suggest::words::RULES,
        crate::syntax::RULES,
        crate::budget::RULES,
        *crate::cache::TABLES_FINGERPRINT,
        tokenizer.kind().encoding(),
        tokenizer.factor(),
        parse.max_bytes,
    );
    xxh3_128(described.as_bytes())
}

fn encode_stat(w: &mut Writer, f: &FileStat) {
    w.str(&f.path);
    w.opt_str(f.language);
    w.u64(f.bytes);
    w.u64(f.shape.lines);
    w.u64(f.shape.longest_line);
    w.u64(f.shape.chars);
    w.u64(f.tokens);
    w.u64(f.read_tokens);
    w.len(f.verdicts.len());
    for v in &f.verdicts {
        w.u8(Flag::ALL
            .iter()
            .position(|&g| g == v.flag)
            .map_or(u8::MAX, |i| i as u8));
        w.str(&v.reason);
    }
    w.len(f.symbols.len());
    for s in &f.symbols {
        w.str(&s.span.name);
        w.str(&s.span.qualified_name);
        let kind = SymbolKind::ALL.iter().position(|&k| k == s.span.kind);
        w.u8(kind.map_or(u8::MAX, |i| i as u8));
        w.u32(s.span.start_line);
        w.u32(s.span.end_line);
        w.u64(s.tokens);
    }
}

fn decode_stat(r: &mut Reader<'_>) -> Option<FileStat> {
    let path = r.str()?.to_string();
    let language = match r.opt_str()? {
        Some(name) => Some(crate::lang::all().iter().find(|l| l.name == name)?),
        None => None,
    };
    let bytes = r.u64()?;
    let shape = Shape {
        lines: r.u64()?,
        longest_line: r.u64()?,
        chars: r.u64()?,
    };
    let tokens = r.u64()?;
    let read_tokens = r.u64()?;
    let n = r.len(5)?;
    let verdicts = (0..n)
        .map(|_| {
            Some(Verdict {
                flag: *Flag::ALL.get(usize::from(r.u8()?))?,
                reason: r.str()?.to_string(),
            })
        })
        .collect::<Option<Vec<Verdict>>>()?;
    let n = r.len(25)?;
    let symbols = (0..n)
        .map(|_| {
            let name = r.str()?.to_string();
            let qualified_name = r.str()?.to_string();
            let kind = *SymbolKind::ALL.get(usize::from(r.u8()?))?;
            let (start_line, end_line) = (r.u32()?, r.u32()?);
            if start_line == 0 || end_line < start_line {
                return None;
            }
            Some(SymbolStat {
                span: Span {
                    name,
                    qualified_name,
                    kind,
                    start_line,
                    end_line,
                },
                tokens: r.u64()?,
            })
        })
        .collect::<Option<Vec<SymbolStat>>>()?;
    Some(FileStat {
        path,
        language: language.map(|l| l.name.as_str()),
        kind: language.map(|l| l.kind),
        grammar: language.and_then(|l| l.grammar.as_deref()),
        bytes,
        shape,
        tokens,
        read_tokens,
        verdicts,
        symbols,
    })
}

/// Where the store of `input`'s walk is, when the cache is on.
pub(super) fn store_path(input: &InputConfig) -> Option<PathBuf> {
    let dir = input.cache_dir.as_ref()?;
    let scope = format!("refs\n{}", crate::cache::scope_of(&input.paths));
    Some(crate::cache::pack_path(dir, &scope))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn symbol(name: &str, qualified: &str, lines: (u32, u32), tokens: u64) -> SymbolStat {
        SymbolStat {
            span: Span {
                name: name.to_string(),
                qualified_name: qualified.to_string(),
                kind: SymbolKind::Function,
                start_line: lines.0,
                end_line: lines.1,
            },
            tokens,
        }
    }

    /// Two priced files with their words, as a walk would give them.
    fn corpus() -> (Vec<FileStat>, Vec<FileWords>) {
        let python = crate::lang::detect(Path::new("a.py")).expect("python");
        let sources = [
            (
                "src/config.py",
                "def load_config(path):\n    \"\"\"Parse the config file.\"\"\"\n    return parse(path)\n",
                vec![symbol("load_config", "load_config", (1, 3), 20)],
            ),
            (
                "src/parse.py",
                "def parse(text):\n    return text.split()\n\n\ndef tokens(text):\n    return parse(text)\n",
                vec![
                    symbol("parse", "parse", (1, 2), 12),
                    symbol("tokens", "tokens", (5, 6), 11),
                ],
            ),
            (
                "docs/usage.md",
                "# Loading settings\n\nCall `load_config(path)` to read them.\n",
                vec![{
                    let mut section = symbol("Loading settings", "Loading settings", (1, 3), 14);
                    section.span.kind = SymbolKind::Section;
                    section
                }],
            ),
        ];
        let mut files = Vec::new();
        let mut words = Vec::new();
        for (path, text, symbols) in sources {
            let stat = FileStat {
                path: path.to_string(),
                language: Some(python.name.as_str()),
                kind: Some(python.kind),
                grammar: python.grammar.as_deref(),
                bytes: text.len() as u64,
                shape: crate::source::shape(text),
                tokens: 40,
                read_tokens: 48,
                verdicts: vec![Verdict {
                    flag: Flag::LargeSymbol,
                    reason: "a reason".to_string(),
                }],
                symbols,
            };
            words.push(refs::file_words(path, text, &stat.symbols, true));
            files.push(stat);
        }
        (files, words)
    }

    #[test]
    fn a_store_waiting_to_be_written_gives_way_to_a_newer_one() {
        use std::sync::mpsc::channel;
        let (started, on_start) = channel();
        let (release, on_release) = channel::<()>();
        let (ran, on_ran) = channel();
        let job = |name: &'static str| {
            let ran = ran.clone();
            Pending(Some(Box::new(move || ran.send(name).expect("send"))))
        };
        let ran_first = ran.clone();
        // Channels are not Sync: each end the first job holds goes in a Mutex.
        let (started, on_release) = (Mutex::new(started), Mutex::new(on_release));
        Pending(Some(Box::new(move || {
            lock(&started).send(()).expect("send");
            lock(&on_release).recv().expect("released");
            ran_first.send("first").expect("send");
        })))
        .spawn();
        on_start.recv().expect("the first write starts");
        job("second").spawn();
        job("third").spawn();
        release.send(()).expect("release");
        let wait = std::time::Duration::from_secs(10);
        assert_eq!(on_ran.recv_timeout(wait), Ok("first"));
        assert_eq!(
            on_ran.recv_timeout(wait),
            Ok("third"),
            "the newest is written"
        );
        drop(ran);
        assert!(
            on_ran
                .recv_timeout(std::time::Duration::from_millis(200))
                .is_err()
        );
        // Nothing is left under way or waiting: what a server waits for
        // before it exits.
        Pending::wait_for_writes();
        assert!(!WRITING.load(Ordering::SeqCst) && lock(&NEXT).is_none());
    }

    #[test]
    fn a_file_and_its_words_round_trip() {
        let (files, words) = corpus();
        for (stat, file_words) in files.iter().zip(&words) {
            let mut w = Writer::new();
            encode_stat(&mut w, stat);
            let bytes = w.into_bytes();
            let back = decode_stat(&mut Reader::new(&bytes)).expect("decodes");
            assert_eq!(format!("{back:?}"), format!("{stat:?}"));
            let mut w = Writer::new();
            file_words.encode(&mut w);
            let bytes = w.into_bytes();
            let back = FileWords::decode(&mut Reader::new(&bytes), stat.symbols.len());
            assert_eq!(format!("{back:?}"), format!("{:?}", Some(file_words)));
            assert!(
                FileWords::decode(&mut Reader::new(&bytes), 0).is_none() || stat.symbols.is_empty(),
                "words for more symbols than the file has are refused"
            );
        }
    }

    #[test]
    fn a_stored_index_answers_as_the_index_it_was_made_from() {
        let (files, words) = corpus();
        let files: Arc<[FileStat]> = files.into();
        let built = Index::build(Arc::clone(&files), words);
        let mut w = Writer::new();
        built.encode(&mut w);
        let bytes = w.into_bytes();
        let postings = built.postings_bytes().to_vec();
        let load: refs::LoadPostings = Box::new(move || Some(postings.clone()));
        let globals = built.globals_bytes().expect("globals");
        let no_globals = || -> refs::LoadGlobals { Box::new(|| None) };
        let load_globals: refs::LoadGlobals = Box::new(move || Some(globals.clone()));
        let loaded = Index::decode(
            &mut Reader::new(&bytes),
            Arc::clone(&files),
            load,
            load_globals,
        )
        .expect("decodes");
        assert_eq!(loaded.globals_bytes(), built.globals_bytes());
        for query in ["parse config", "tokens", "split text", "loading settings"] {
            assert_eq!(loaded.by_text(query), built.by_text(query), "{query}");
        }
        for name in ["parse", "load_config", "Tokens"] {
            assert_eq!(loaded.by_name(name), built.by_name(name), "{name}");
        }
        assert!(!built.by_text("parse config").is_empty());
        // Damaged postings answer nothing rather than something wrong.
        let load: refs::LoadPostings = Box::new(|| Some(vec![1, 2, 3]));
        let damaged = Index::decode(
            &mut Reader::new(&bytes),
            Arc::clone(&files),
            load,
            no_globals(),
        )
        .expect("decodes");
        assert!(
            damaged.globals_bytes().is_none(),
            "damaged globals are none"
        );
        assert!(damaged.by_text("parse config").is_empty());
        // An index of other files is refused.
        let none: Arc<[FileStat]> = Arc::new([]);
        let load: refs::LoadPostings = Box::new(|| None);
        assert!(Index::decode(&mut Reader::new(&bytes), none, load, no_globals()).is_none());
    }

    #[test]
    fn a_file_is_trusted_unread_only_once_its_times_have_settled() {
        let stamp = Stamp {
            len: 1,
            modified: 10_000_000_000,
            changed: 11_000_000_000,
            inode: 7,
        };
        assert!(stamp.settled_before(11_000_000_000 + SETTLED_NANOS + 1));
        assert!(!stamp.settled_before(11_000_000_000 + SETTLED_NANOS));
        assert!(
            !stamp.settled_before(10_500_000_000 + SETTLED_NANOS + 1),
            "ctime counts"
        );
        assert!(!Stamp::UNKNOWN.settled_before(u128::MAX));
    }

    #[test]
    fn a_stamp_below_an_open_root_equals_the_stamp_by_path() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).expect("dirs");
        std::fs::write(root.join("a/b/file.txt"), "some text\n").expect("file");
        #[cfg(unix)]
        std::os::unix::fs::symlink("b/file.txt", root.join("a/link")).expect("link");
        let open = StatRoot::open(root).expect("opens");
        for rel in [".", "a", "a/b", "a/b/file.txt", "a/link", "missing"] {
            let by_path = Stamp::of(&join(root, rel));
            assert_eq!(open.stamp(Path::new(rel)), by_path, "{rel}");
        }
        assert!(open.stamp(Path::new("missing")).is_none());
        let absolute = root.join("a/b/file.txt");
        assert_eq!(open.stamp(&absolute), Stamp::of(&absolute));
        assert!(
            StatRoot::open(&root.join("a/b/file.txt")).is_none(),
            "a file is no root"
        );
    }
}
