//! The cache of warm runs: each file's facts as its reader found them, kept in
//! `.mlrun_lint_cache/` in the folder `check` runs from, so a run over an
//! unchanged tree parses none of them again, and reads only those it reports on.
//!
//! Only reading is cached. Linking, scope, judging and `# noqa` run on the facts
//! every time, so findings that depend on other files (a function spec judged
//! with its project's default image) stay exact whatever changed elsewhere.
//!
//! An entry is used when the cache was written by this very build (version
//! and a hash of the sources) with the same file size limit, for a file of the
//! same path and kind, and either its size and times are those recorded and
//! the entry is *settled* (its file last written two seconds or more before
//! the run that recorded it began), so the file is not read at all, or the
//! size and hash of the text just read are those recorded, whatever its times
//! say (a fresh checkout, a CI cache restored, `touch`). Anything else (a file of another
//! version, a truncated or corrupt one, a checksum that does not match) is
//! ignored as if there were no cache and replaced by the next run. A cache that
//! cannot be written (a read-only folder) is left as it is: the run's results are
//! the same either way, so neither case is an error. Writes go to a temporary
//! file renamed over the old one, so two runs at once each see a whole cache,
//! never a torn one (the last to finish wins).
//!
//! The file is the entries' facts and cell maps one after the other, then an
//! index of where each is (with its hash), then the index's length and hash.
//! The index also keeps copies of the facts linking reads. A run reads the
//! index only and keeps the file open; a file's pieces have their hash checked
//! when the file is taken, and are then parked where they are (read again, and
//! checked again, when the file is judged), so a warm run never holds the whole
//! cache nor copies it. The open file stays the one read even when another run
//! renames a new cache over it.

use crate::facts::parked::{Piece, Store};
use crate::facts::{Fact, ProblemKind};
use crate::file_at;
use crate::sources::FileKind;
use crate::workspace::ReadFile;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The cache folder's name, in the folder `check` runs from (as `.ruff_cache`).
pub const DIR_NAME: &str = ".mlrun_lint_cache";

/// The file of facts inside [`DIR_NAME`].
const FILE_NAME: &str = "facts.bin";

/// A cache file larger than this is not read (it is replaced): facts take about
/// 700 bytes a file, so 1 GiB is well over a million files' worth, and a stray
/// huge file in the folder must not be loaded whole.
pub const MAX_CACHE_BYTES: u64 = 1 << 30;

/// The first bytes of a cache file: anything else is not one.
const MAGIC: &[u8; 8] = b"mlrlint\x03";

/// What the cache file holds besides its entries: an entry is trusted only under
/// the same tool version, the same build of the readers (a hash of the sources,
/// `build.rs`: a reader or fact layout changed under the same version number
/// must not reuse old facts) and the same file size limit.
#[derive(Serialize, Deserialize, PartialEq, Eq)]
struct Header {
    version: String,
    build: String,
    max_file_bytes: u64,
}

impl Header {
    fn current() -> Self {
        Self {
            version: env!("CARGO_PKG_VERSION").to_string(),
            build: env!("MLRUN_LINT_SOURCE_HASH").to_string(),
            max_file_bytes: crate::engine::max_file_bytes(),
        }
    }
}

/// What identifies the text a file's facts were read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    size: u64,
    /// Modification time, seconds and nanoseconds since the Unix epoch.
    modified: (u64, u32),
    /// Status change time (Unix `ctime`, which no tool can set back as `touch`
    /// or `cp -p` set the modification time), where the system has one.
    changed: Option<(u64, u32)>,
    /// The text's hash: a file rewritten within one tick of the clock, at the
    /// same size, still misses.
    hash: u64,
}

/// How long after a file's last write its stamp is trusted without reading
/// it: the coarsest modification-time resolution in use (FAT's two seconds).
/// A write later than that is sure to leave another time.
const SETTLE: Duration = Duration::from_secs(2);

/// When a file was last written, as the system says.
#[derive(Clone, Copy, Debug, Default)]
pub struct Times {
    pub modified: Option<SystemTime>,
    pub changed: Option<SystemTime>,
}

impl Times {
    pub fn of(metadata: &std::fs::Metadata) -> Self {
        #[cfg(unix)]
        let changed = {
            use std::os::unix::fs::MetadataExt;
            u32::try_from(metadata.ctime_nsec()).ok().and_then(|nanos| {
                let secs = u64::try_from(metadata.ctime()).ok()?;
                UNIX_EPOCH.checked_add(Duration::new(secs, nanos))
            })
        };
        #[cfg(not(unix))]
        let changed = None;
        Self {
            modified: metadata.modified().ok(),
            changed,
        }
    }
}

/// Seconds and nanoseconds since the Unix epoch.
fn since_epoch(time: SystemTime) -> Option<(u64, u32)> {
    let since = time.duration_since(UNIX_EPOCH).ok()?;
    Some((since.as_secs(), since.subsec_nanos()))
}

impl Stamp {
    /// The stamp of `text`, just read from a file last modified at `modified`.
    #[cfg(test)]
    pub fn of(text: &str, modified: Option<SystemTime>) -> Option<Self> {
        let times = Times {
            modified,
            changed: None,
        };
        Self::hashed(text.len(), crate::engine::text::hash(text), times)
    }

    /// The stamp of a text of `size` bytes whose [hash](crate::engine::text::hash)
    /// is `hash` (worked out once per read, for this and for reading it again).
    pub fn hashed(size: usize, hash: u64, times: Times) -> Option<Self> {
        Some(Self {
            size: size as u64,
            modified: since_epoch(times.modified?)?,
            changed: times.changed.and_then(since_epoch),
            hash,
        })
    }

    /// The size of the text stamped and its hash.
    pub fn text(&self) -> (usize, u64) {
        (self.size as usize, self.hash)
    }

    /// Whether a file of `size` bytes written at `times` is, by its metadata,
    /// the file stamped.
    fn same_metadata(&self, size: u64, times: Times) -> bool {
        self.size == size
            && times.modified.and_then(since_epoch) == Some(self.modified)
            && times.changed.and_then(since_epoch) == self.changed
    }

    /// Whether the file had been left alone long enough by `now` that any
    /// later write shows in its times: only then is its metadata trusted
    /// without reading the text (the race git calls "racily clean").
    fn settled_by(&self, now: SystemTime) -> bool {
        let at = |(secs, nanos): (u64, u32)| UNIX_EPOCH.checked_add(Duration::new(secs, nanos));
        let last = at(self.modified).max(self.changed.and_then(at));
        last.and_then(|last| last.checked_add(SETTLE))
            .is_some_and(|settled| settled <= now)
    }
}

/// Where one piece of an entry is in the cache file, and its hash.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct Slot {
    at: u64,
    len: u64,
    hash: u64,
}

/// One file's entry in the index: what is known of it, and where its pieces
/// are.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    about: About,
    /// The facts, in [their encoding](crate::facts::parked).
    facts: Slot,
    /// A notebook's cell map, postcard-encoded.
    cells: Option<Slot>,
}

/// What an entry knows of its file.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct About {
    path: String,
    kind: FileKind,
    stamp: Stamp,
    /// Whether the stamp was [settled](Stamp::settled_by) when the text was
    /// last read: only then does an unchanged stamp stand for the text unread.
    settled: bool,
    /// Whether the text mentions `noqa` (what [`FileText`] needs of a text not
    /// read).
    ///
    /// [`FileText`]: crate::engine::FileText
    mentions_noqa: bool,
    /// Copies of the facts linking reads, [encoded](crate::facts::parked::encode)
    /// (a sixth of their size decoded: the index is held through the run), so
    /// that a file taken from the cache is linked without decoding its facts;
    /// empty when there are none.
    linking: Vec<u8>,
}

/// An entry of the index as a run holds it (its path is the key): the index
/// is held through the reading of the whole tree, one entry per file, so each
/// is kept small.
#[derive(Debug)]
struct Known {
    kind: FileKind,
    settled: bool,
    mentions_noqa: bool,
    stamp: Stamp,
    linking: Box<[u8]>,
    facts: Slot,
    /// Boxed: one file in a hundred is a notebook.
    cells: Option<Box<Slot>>,
}

impl Known {
    /// `entry` as held, and its path.
    fn of(entry: Entry) -> (Box<str>, Known) {
        let Entry {
            about,
            facts,
            cells,
        } = entry;
        let known = Known {
            kind: about.kind,
            settled: about.settled,
            mentions_noqa: about.mentions_noqa,
            stamp: about.stamp,
            linking: about.linking.into_boxed_slice(),
            facts,
            cells: cells.map(Box::new),
        };
        (about.path.into_boxed_str(), known)
    }

    /// What the index says of the file at `path`, to write again.
    fn about(&self, path: &str) -> About {
        About {
            path: path.to_string(),
            kind: self.kind,
            stamp: self.stamp,
            settled: self.settled,
            mentions_noqa: self.mentions_noqa,
            linking: self.linking.to_vec(),
        }
    }
}

/// The entries of a cache file not looked up yet, by absolute path.
type Index = HashMap<Box<str>, Known>;

/// The facts a cache entry gives a file.
pub struct Cached {
    /// The facts, [encoded](crate::facts::parked::decode), where they are in
    /// the cache file (checked whole when taken).
    pub facts: Piece,
    /// Copies of the facts linking reads.
    pub linking: Vec<Fact>,
    /// A notebook's cell map, encoded, where it is.
    pub cells: Option<Piece>,
}

/// The facts a cache entry gives a file whose text was not read.
pub struct Unread {
    pub cached: Cached,
    /// The stamp of the text the facts were read from.
    pub stamp: Stamp,
    /// Whether that text mentions `noqa`.
    pub mentions_noqa: bool,
}

/// The cache of one run, loaded at its start and written when its files are read.
pub struct Cache {
    dir: PathBuf,
    /// The cache file read, kept open for its entries' pieces: files taken
    /// from the cache are parked where their facts are in it.
    file: Option<Arc<Store>>,
    /// Entries not looked up yet, by absolute path.
    entries: Mutex<Index>,
    /// How many lookups found their file unchanged.
    hits: AtomicUsize,
    /// How many of them found, reading the text, an entry whose record
    /// changes (new times, or now settled): the cache is written again.
    restamped: AtomicUsize,
    /// When the run started, before any file was read.
    started: SystemTime,
}

impl Cache {
    /// The cache in `dir`: its index when the file there is a whole cache of
    /// this version, none otherwise.
    pub fn load(dir: &Path) -> Self {
        let (file, entries) = match open(&dir.join(FILE_NAME)) {
            Some((file, size, entries)) => (Some(Store::written(file, size)), entries),
            None => (None, Index::new()),
        };
        Self {
            dir: dir.to_path_buf(),
            file,
            entries: Mutex::new(entries),
            hits: AtomicUsize::new(0),
            restamped: AtomicUsize::new(0),
            started: SystemTime::now(),
        }
    }

    /// The facts cached for the file at `path` (absolute, of this kind), taken
    /// without reading its text: when the file's size and times are those of
    /// a [settled](Stamp::settled_by) entry. Otherwise the entry stays for
    /// [`take`](Self::take) once the text is read.
    pub fn take_unread(&self, path: &str, kind: FileKind, file: &Path) -> Option<Unread> {
        let metadata = std::fs::metadata(file).ok()?;
        let times = Times::of(&metadata);
        let entry = {
            let mut entries = lock(&self.entries);
            let entry = entries.get(path)?;
            let unchanged = entry.settled
                && entry.kind == kind
                && metadata.is_file()
                && entry.stamp.same_metadata(metadata.len(), times);
            if !unchanged {
                return None;
            }
            entries.remove(path)?
        };
        let cached = self.pieces(&entry)?;
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(Unread {
            cached,
            stamp: entry.stamp,
            mentions_noqa: entry.mentions_noqa,
        })
    }

    /// The facts cached for the file at `path` (absolute), if they were read from
    /// a file of this kind and a text of this size and hash (`stamp`'s: facts
    /// depend on the text only, not on when it was written), and read back
    /// whole. The entry is taken either way: a stale one is replaced by what
    /// the run reads.
    pub fn take(&self, path: &str, kind: FileKind, stamp: Stamp) -> Option<Cached> {
        let entry = lock(&self.entries).remove(path)?;
        if entry.kind != kind || entry.stamp.text() != stamp.text() {
            return None;
        }
        let restamped = entry.stamp != stamp || (!entry.settled && stamp.settled_by(self.started));
        let cached = self.pieces(&entry)?;
        self.hits.fetch_add(1, Ordering::Relaxed);
        if restamped {
            self.restamped.fetch_add(1, Ordering::Relaxed);
        }
        Some(cached)
    }

    /// An entry's facts and cell map where they are, when they read back
    /// whole.
    fn pieces(&self, entry: &Known) -> Option<Cached> {
        let linking = match entry.linking.is_empty() {
            true => Vec::new(),
            false => crate::facts::parked::decode(&entry.linking).ok()?,
        };
        let facts = self.checked(entry.facts)?;
        let cells = match entry.cells.as_deref() {
            Some(&slot) => Some(self.checked(slot)?),
            None => None,
        };
        Some(Cached {
            facts,
            linking,
            cells,
        })
    }

    /// Where `slot` is, if its bytes are still what was written.
    fn checked(&self, slot: Slot) -> Option<Piece> {
        self.piece(slot)?;
        Some(Piece {
            store: self.file.clone()?,
            at: slot.at,
            len: usize::try_from(slot.len).ok()?,
            hash: Some(slot.hash),
        })
    }

    /// The bytes of `slot` in the file read, if they are still what was written.
    fn piece(&self, slot: Slot) -> Option<Vec<u8>> {
        let bytes = self
            .file
            .as_ref()?
            .get(slot.at, usize::try_from(slot.len).ok()?)
            .ok()?;
        (checksum(&bytes) == slot.hash).then_some(bytes)
    }

    /// Writes the cache: an entry for each of `read` (a file with its absolute
    /// path and stamp) whose facts can be reused, and the entries of files this
    /// run did not read that `keep` keeps (files outside the folders walked).
    /// Skipped when that would write the same entries again; a failure leaves the
    /// old cache in place.
    pub fn save<'a>(
        self,
        read: impl IntoIterator<Item = (&'a ReadFile, &'a str, Stamp)>,
        keep: impl Fn(&str) -> bool,
    ) {
        let fresh: Vec<(&ReadFile, &str, Stamp)> = read
            .into_iter()
            .filter(|(file, _, _)| reusable(file) && file.kind.is_some())
            .collect();
        let hits = self.hits.load(Ordering::Relaxed);
        let left = std::mem::take(&mut *lock(&self.entries));
        let kept: Vec<(&Box<str>, &Known)> = left.iter().filter(|(path, _)| keep(path)).collect();
        // Every entry to write a hit and nothing pruned: the file on disk
        // already says all this.
        let restamped = self.restamped.load(Ordering::Relaxed);
        if fresh.len() == hits && kept.len() == left.len() && restamped == 0 {
            return;
        }
        let pieces = fresh
            .into_iter()
            .map(|(file, path, stamp)| {
                let facts = match &file.parked {
                    Some(parked) => parked.bytes().ok()?,
                    None => Cow::Owned(crate::facts::parked::encode(&file.facts)?),
                };
                let cells = match (&file.cells, &file.parked) {
                    (Some(cells), _) => Some(Cow::Owned(postcard::to_allocvec(&**cells).ok()?)),
                    (None, Some(parked)) => parked.cell_bytes().transpose().ok()?,
                    (None, None) => None,
                };
                Some(Written {
                    about: About {
                        path: path.to_string(),
                        kind: file.kind?,
                        stamp,
                        settled: stamp.settled_by(self.started),
                        mentions_noqa: file.text.may_hold_noqa(),
                        linking: linking_bytes(&file.linking_copies())?,
                    },
                    facts,
                    cells,
                })
            })
            .chain(kept.into_iter().map(|(path, entry)| {
                let facts = Cow::Owned(self.piece(entry.facts)?);
                let cells = match entry.cells.as_deref() {
                    Some(&slot) => Some(Cow::Owned(self.piece(slot)?)),
                    None => None,
                };
                Some(Written {
                    about: entry.about(path),
                    facts,
                    cells,
                })
            }))
            .flatten();
        let _ = write(&self.dir, pieces);
    }
}

/// Whether `file`'s facts can be reused as they are: not when its reader failed
/// (a later version may not), and not for a Python module that imports or wraps
/// another's functions, whose facts depend on the other modules.
fn reusable(file: &ReadFile) -> bool {
    let interface = file.interface();
    interface.imports.is_empty()
        && interface.wrappers.is_empty()
        && !file.facts.iter().any(|fact| {
            matches!(fact, Fact::Problem(problem) if problem.kind == ProblemKind::ReaderFailed)
        })
}

/// The size of the end of a cache file: the index's length and its hash.
const FOOTER: u64 = 16;

/// The cache file at `path`, open, and its index, or `None` when it is not a
/// whole cache of this version.
fn open(path: &Path) -> Option<(File, u64, Index)> {
    let file = File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    if size > MAX_CACHE_BYTES || size < MAGIC.len() as u64 + FOOTER {
        return None;
    }
    if file_at::read_at(&file, MAGIC.len(), 0).ok()? != MAGIC {
        return None;
    }
    let footer = file_at::read_at(&file, FOOTER as usize, size - FOOTER).ok()?;
    let (len, hash) = footer.split_at(8);
    let len = u64::from_le_bytes(len.try_into().ok()?);
    let hash = u64::from_le_bytes(hash.try_into().ok()?);
    let start = (size - FOOTER).checked_sub(len)?;
    if start < MAGIC.len() as u64 {
        return None;
    }
    let index = file_at::read_at(&file, usize::try_from(len).ok()?, start).ok()?;
    if checksum(&index) != hash {
        return None;
    }
    let (header, rest): (Header, _) = postcard::take_from_bytes(&index).ok()?;
    if header != Header::current() {
        return None;
    }
    let within = Bounds {
        start: MAGIC.len() as u64,
        end: start,
    };
    let mut decoder = postcard::Deserializer::from_bytes(rest);
    let entries = serde::de::DeserializeSeed::deserialize(within, &mut decoder).ok()?;
    decoder
        .finalize()
        .ok()?
        .is_empty()
        .then_some((file, size, entries))
}

/// Where an entry's pieces may lie in its cache file: after the magic bytes,
/// before the index. Decodes an index (a sequence of [`Entry`]) straight into
/// an [`Index`], with no list of all the entries beside it; an entry whose
/// pieces lie elsewhere fails the whole index.
#[derive(Clone, Copy)]
struct Bounds {
    start: u64,
    end: u64,
}

impl Bounds {
    fn hold(&self, slot: &Slot) -> bool {
        slot.at >= self.start
            && slot
                .at
                .checked_add(slot.len)
                .is_some_and(|end| end <= self.end)
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Bounds {
    type Value = Index;

    fn deserialize<D: serde::Deserializer<'de>>(self, decoder: D) -> Result<Index, D::Error> {
        decoder.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Bounds {
    type Value = Index;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a cache index")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Index, A::Error> {
        // The length is the file's word: a bound, not an allocation.
        let mut index = Index::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
        while let Some(entry) = seq.next_element::<Entry>()? {
            let whole =
                self.hold(&entry.facts) && entry.cells.as_ref().is_none_or(|s| self.hold(s));
            if !whole {
                return Err(serde::de::Error::custom("a piece outside the cache file"));
            }
            let (path, known) = Known::of(entry);
            index.insert(path, known);
        }
        Ok(index)
    }
}

/// What an entry keeps of `linking` (a file's copies of the facts linking
/// reads): their encoding, nothing when there are none.
fn linking_bytes(linking: &[Fact]) -> Option<Vec<u8>> {
    match linking.is_empty() {
        true => Some(Vec::new()),
        false => crate::facts::parked::encode(linking),
    }
}

/// One entry to write: what the index says of a file, and its pieces.
struct Written<'a> {
    about: About,
    facts: Cow<'a, [u8]>,
    cells: Option<Cow<'a, [u8]>>,
}

/// The hash that checks a piece of the cache file: the one texts are
/// recognised by, over bytes.
fn checksum(bytes: &[u8]) -> u64 {
    crate::engine::text::hash_bytes(bytes)
}

/// Writes `entries` as the cache in `dir`, one after the other and then the
/// index, creating the folder (ignored by git and marked as a cache for backup
/// tools) when it is not there.
fn write<'a>(dir: &Path, entries: impl Iterator<Item = Written<'a>>) -> Option<()> {
    if !dir.is_dir() {
        std::fs::create_dir_all(dir).ok()?;
        std::fs::write(dir.join(".gitignore"), "# Created by mlrun-lint\n*\n").ok()?;
        std::fs::write(
            dir.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n\
             # This file is a cache directory tag created by mlrun-lint.\n",
        )
        .ok()?;
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(FILE_NAME).suffix(".tmp");
    // Created as any file is (the umask applies), not private as temporary
    // files are: whoever may read the tree may use its cache.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let file = builder.tempfile_in(dir).ok()?;
    let mut out = std::io::BufWriter::new(file);
    out.write_all(MAGIC).ok()?;
    let mut at = MAGIC.len() as u64;
    let mut put = |out: &mut std::io::BufWriter<_>, bytes: &[u8]| -> Option<Slot> {
        out.write_all(bytes).ok()?;
        let slot = Slot {
            at,
            len: bytes.len() as u64,
            hash: checksum(bytes),
        };
        at += slot.len;
        Some(slot)
    };
    // The index is encoded entry by entry as the pieces are written (a list
    // of all the entries would be most of what the run holds at its end),
    // then given the length postcard puts before a sequence.
    let mut index = Vec::new();
    let mut count: usize = 0;
    for written in entries {
        let facts = put(&mut out, &written.facts)?;
        let cells = match written.cells {
            Some(cells) => Some(put(&mut out, &cells)?),
            None => None,
        };
        let entry = Entry {
            about: written.about,
            facts,
            cells,
        };
        index = postcard::to_extend(&entry, index).ok()?;
        count += 1;
    }
    let mut bytes = postcard::to_stdvec(&Header::current()).ok()?;
    bytes.extend(postcard::to_stdvec(&count).ok()?);
    bytes.extend(index);
    out.write_all(&bytes).ok()?;
    out.write_all(&(bytes.len() as u64).to_le_bytes()).ok()?;
    out.write_all(&checksum(&bytes).to_le_bytes()).ok()?;
    let file = out.into_inner().ok()?;
    file.persist(dir.join(FILE_NAME)).ok()?;
    Some(())
}

/// Removes the cache in `root` (`mlrun-lint clean`): `Ok(false)` when there was
/// none.
pub fn clean(root: &Path) -> std::io::Result<bool> {
    let dir = root.join(DIR_NAME);
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests;
