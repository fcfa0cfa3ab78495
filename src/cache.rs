//! The cache of warm runs: each file's facts as its reader found them, kept in
//! `.mlrun_lint_cache/` in the folder `check` runs from, so a run over an
//! unchanged tree reads files but parses none of them again.
//!
//! Only reading is cached. Linking, scope, judging and `# noqa` run on the facts
//! every time, so findings that depend on other files (a function spec judged
//! with its project's default image) stay exact whatever changed elsewhere.
//!
//! An entry is used only when the file's path, kind, size, modification time and
//! the hash of the text just read all match, and the cache was written by this
//! very build (version and a hash of the sources) with the same file size limit. Anything else (a file of another
//! version, a truncated or corrupt one, a checksum that does not match) is
//! ignored as if there were no cache and replaced by the next run. A cache that
//! cannot be written (a read-only folder) is left as it is: the run's results are
//! the same either way, so neither case is an error. Writes go to a temporary
//! file renamed over the old one, so two runs at once each see a whole cache,
//! never a torn one (the last to finish wins).

use crate::cells::CellMap;
use crate::facts::{Fact, ProblemKind};
use crate::sources::FileKind;
use crate::workspace::ReadFile;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// The cache folder's name, in the folder `check` runs from (as `.ruff_cache`).
pub const DIR_NAME: &str = ".mlrun_lint_cache";

/// The file of facts inside [`DIR_NAME`].
const FILE_NAME: &str = "facts.bin";

/// A cache file larger than this is not read (it is replaced): facts take about
/// 700 bytes a file, so 1 GiB is well over a million files' worth, and a stray
/// huge file in the folder must not be loaded whole.
pub const MAX_CACHE_BYTES: u64 = 1 << 30;

/// The first bytes of a cache file: anything else is not one.
const MAGIC: &[u8; 8] = b"mlrlint\x01";

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
    /// The text's hash: a file rewritten within one tick of the clock, at the
    /// same size, still misses.
    hash: u64,
}

impl Stamp {
    /// The stamp of `text`, just read from a file last modified at `modified`.
    pub fn of(text: &str, modified: Option<SystemTime>) -> Option<Self> {
        Self::hashed(text.len(), crate::engine::text::hash(text), modified)
    }

    /// The stamp of a text of `size` bytes whose [hash](crate::engine::text::hash)
    /// is `hash` (worked out once per read, for this and for reading it again).
    pub fn hashed(size: usize, hash: u64, modified: Option<SystemTime>) -> Option<Self> {
        let since = modified?.duration_since(UNIX_EPOCH).ok()?;
        Some(Self {
            size: size as u64,
            modified: (since.as_secs(), since.subsec_nanos()),
            hash,
        })
    }
}

/// One file's facts, as written.
#[derive(Serialize)]
struct EntryOut<'a> {
    path: &'a str,
    kind: FileKind,
    stamp: Stamp,
    /// The facts in [their encoding](crate::facts::parked), as a parked file
    /// keeps them: a warm run hands them on without decoding them here.
    facts: Blob<'a>,
    cells: Option<Cow<'a, CellMap>>,
}

/// One file's facts, as read back ([`EntryOut`]'s encoding).
#[derive(Deserialize)]
struct Entry {
    path: String,
    kind: FileKind,
    stamp: Stamp,
    facts: Blob<'static>,
    cells: Option<CellMap>,
}

/// The facts a cache entry gives a file.
pub struct Cached {
    /// The facts, [encoded](crate::facts::parked::decode).
    pub facts: Box<[u8]>,
    pub cells: Option<CellMap>,
}

/// Bytes written as one length and the bytes (postcard's byte strings), not as
/// a sequence of numbers.
struct Blob<'a>(Cow<'a, [u8]>);

impl Serialize for Blob<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Blob<'static> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl serde::de::Visitor<'_> for Bytes {
            type Value = Blob<'static>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E>(self, bytes: &[u8]) -> Result<Self::Value, E> {
                Ok(Blob(Cow::Owned(bytes.to_vec())))
            }
            fn visit_byte_buf<E>(self, bytes: Vec<u8>) -> Result<Self::Value, E> {
                Ok(Blob(Cow::Owned(bytes)))
            }
        }
        deserializer.deserialize_byte_buf(Bytes)
    }
}

/// The cache of one run, loaded at its start and written when its files are read.
pub struct Cache {
    dir: PathBuf,
    /// Entries not looked up yet, by absolute path.
    entries: Mutex<HashMap<String, Entry>>,
    /// How many lookups found their file unchanged.
    hits: AtomicUsize,
}

impl Cache {
    /// The cache in `dir`: its entries when the file there is a whole cache of
    /// this version, none otherwise.
    pub fn load(dir: &Path) -> Self {
        let entries: HashMap<String, Entry> = read_bounded(&dir.join(FILE_NAME))
            .and_then(|bytes| decode(&bytes))
            .unwrap_or_default()
            .into_iter()
            .map(|entry| (entry.path.clone(), entry))
            .collect();
        Self {
            dir: dir.to_path_buf(),
            entries: Mutex::new(entries),
            hits: AtomicUsize::new(0),
        }
    }

    /// The facts cached for the file at `path` (absolute), if they were read from
    /// a file of this kind and stamp. The entry is taken either way: a stale one
    /// is replaced by what the run reads.
    pub fn take(&self, path: &str, kind: FileKind, stamp: Stamp) -> Option<Cached> {
        let entry = lock(&self.entries).remove(path)?;
        if entry.kind != kind || entry.stamp != stamp {
            return None;
        }
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(Cached {
            facts: entry.facts.0.into_owned().into_boxed_slice(),
            cells: entry.cells,
        })
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
        let fresh: Vec<EntryOut<'_>> = read
            .into_iter()
            .filter(|(file, _, _)| reusable(file))
            .filter_map(|(file, path, stamp)| {
                let facts = match &file.parked {
                    Some(parked) => parked.bytes().ok()?,
                    None => Cow::Owned(crate::facts::parked::encode(&file.facts)?),
                };
                Some(EntryOut {
                    path,
                    kind: file.kind?,
                    stamp,
                    facts: Blob(facts),
                    cells: match &file.cells {
                        Some(cells) => Some(Cow::Borrowed(&**cells)),
                        // Parked with the facts: decoded for this entry alone.
                        None => file
                            .cells()
                            .map(|cells| Cow::Owned(Arc::unwrap_or_clone(cells))),
                    },
                })
            })
            .collect();
        let hits = self.hits.into_inner();
        let left = self
            .entries
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let kept: Vec<&Entry> = left.values().filter(|entry| keep(&entry.path)).collect();
        // Every entry to write a hit and nothing pruned: the file on disk
        // already says all this.
        if fresh.len() == hits && kept.len() == left.len() {
            return;
        }
        let carried = kept.into_iter().map(|entry| EntryOut {
            path: &entry.path,
            kind: entry.kind,
            stamp: entry.stamp,
            facts: Blob(Cow::Borrowed(&entry.facts.0)),
            cells: entry.cells.as_ref().map(Cow::Borrowed),
        });
        let entries: Vec<EntryOut<'_>> = fresh.into_iter().chain(carried).collect();
        let _ = write(&self.dir, &entries);
    }
}

/// Whether `file`'s facts can be reused as they are: not when its reader failed
/// (a later version may not), and not for a Python module that imports or wraps
/// another's functions, whose facts depend on the other modules.
fn reusable(file: &ReadFile) -> bool {
    let interface = &file.interface;
    interface.imports.is_empty()
        && interface.wrappers.is_empty()
        && !file.facts.iter().any(|fact| {
            matches!(fact, Fact::Problem(problem) if problem.kind == ProblemKind::ReaderFailed)
        })
}

/// The bytes of the file at `path`, unless it cannot be read or is over
/// [`MAX_CACHE_BYTES`].
fn read_bounded(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    if size > MAX_CACHE_BYTES {
        return None;
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_CACHE_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    (bytes.len() as u64 <= MAX_CACHE_BYTES).then_some(bytes)
}

/// The entries of a cache file's bytes, or `None` when they are not a whole
/// cache of this version.
fn decode(bytes: &[u8]) -> Option<Vec<Entry>> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (sum, body) = rest.split_first_chunk::<8>()?;
    if u64::from_le_bytes(*sum) != checksum(body) {
        return None;
    }
    let (header, body): (Header, _) = postcard::take_from_bytes(body).ok()?;
    if header != Header::current() {
        return None;
    }
    let (entries, rest): (Vec<Entry>, _) = postcard::take_from_bytes(body).ok()?;
    rest.is_empty().then_some(entries)
}

/// The cache file's bytes: [`MAGIC`], the checksum of the rest, the header, the
/// entries.
fn encode(entries: &[EntryOut<'_>]) -> Option<Vec<u8>> {
    let mut body = postcard::to_stdvec(&Header::current()).ok()?;
    body.extend(postcard::to_stdvec(entries).ok()?);
    let mut bytes = Vec::with_capacity(MAGIC.len() + 8 + body.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&checksum(&body).to_le_bytes());
    bytes.extend(body);
    Some(bytes)
}

fn checksum(bytes: &[u8]) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write(bytes);
    hasher.finish()
}

/// Writes `entries` as the cache in `dir`, creating the folder (ignored by git
/// and marked as a cache for backup tools) when it is not there.
fn write(dir: &Path, entries: &[EntryOut<'_>]) -> Option<()> {
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
    let bytes = encode(entries)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(FILE_NAME).suffix(".tmp");
    // Created as any file is (the umask applies), not private as temporary
    // files are: whoever may read the tree may use its cache.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut file = builder.tempfile_in(dir).ok()?;
    file.write_all(&bytes).ok()?;
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
