//! A file's facts kept encoded while the run does not need them.
//!
//! Facts are large in memory (a package requirement is over 300 bytes before
//! its strings) and a run once held every file's facts from its reading to the
//! report: most of what a run over a large tree kept. Between the two, linking
//! reads only a few kinds of facts of most files. So a file's facts are parked
//! right after reading: encoded with postcard (the cache's encoding, about a
//! sixth of the size), with copies of the facts linking reads kept beside them,
//! and decoded again when they are judged (a file that includes others, or is
//! included, is decoded once more for its requirement sets). What linking
//! concludes about the file (problems with its includes, that it is a
//! constraints file) is kept with them and applied on decoding.
//!
//! The encoded facts wait in a [`Store`], an anonymous temporary file in
//! `TMPDIR` (deleted by the system when the run ends, however it ends), so they
//! are not part of the run's memory either; when that file cannot be made or
//! written, they wait in memory.

use super::{Fact, Origin, Problem, ProblemKind};
use crate::cells::CellMap;
use crate::span::Span;
use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Where a run's parked facts wait, written and read at offsets from any
/// thread.
#[derive(Debug)]
pub struct Store {
    file: Option<std::fs::File>,
    /// The end of what was written: the next facts go there.
    end: AtomicU64,
}

impl Store {
    /// A store in a new anonymous temporary file, or in memory when there is
    /// none.
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            file: tempfile::tempfile().ok(),
            end: AtomicU64::new(0),
        })
    }

    /// A store that keeps everything in memory, as on a system with no
    /// temporary file.
    #[cfg(test)]
    pub fn in_memory() -> Arc<Self> {
        Arc::new(Self {
            file: None,
            end: AtomicU64::new(0),
        })
    }

    /// Writes `bytes`, and says where.
    fn put(&self, bytes: &[u8]) -> std::io::Result<u64> {
        let file = self.file.as_ref().ok_or(std::io::ErrorKind::Unsupported)?;
        let at = self.end.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        crate::file_at::write_all_at(file, bytes, at)?;
        Ok(at)
    }

    /// The `len` bytes written at `at`.
    pub fn get(&self, at: u64, len: usize) -> std::io::Result<Vec<u8>> {
        let file = self.file.as_ref().ok_or(std::io::ErrorKind::Unsupported)?;
        crate::file_at::read_at(file, len, at)
    }

    /// A store over a file already written (the [cache](crate::cache)'s,
    /// opened read-only), whose pieces are read where they are.
    pub fn written(file: std::fs::File, len: u64) -> Arc<Self> {
        Arc::new(Self {
            file: Some(file),
            end: AtomicU64::new(len),
        })
    }
}

/// Encoded facts or a cell map in a [`Store`]: this run's, or the cache file
/// (a piece another run wrote, parked where it is).
#[derive(Clone, Debug)]
pub struct Piece {
    pub store: Arc<Store>,
    pub at: u64,
    pub len: usize,
    /// For a piece another run wrote: what its bytes must hash to when read
    /// back, or they are not used.
    pub hash: Option<u64>,
}

/// Encoded facts, in memory or in a [`Store`].
#[derive(Debug)]
enum Bytes {
    Memory(Box<[u8]>),
    Stored(Piece),
}

impl Bytes {
    /// `bytes`, moved to `store` when it takes them.
    fn keep(bytes: Box<[u8]>, store: &Arc<Store>) -> Self {
        match store.put(&bytes) {
            Ok(at) => Bytes::Stored(Piece {
                store: store.clone(),
                at,
                len: bytes.len(),
                hash: None,
            }),
            Err(_) => Bytes::Memory(bytes),
        }
    }

    fn get(&self) -> Result<Cow<'_, [u8]>, String> {
        match self {
            Bytes::Memory(bytes) => Ok(Cow::Borrowed(bytes)),
            Bytes::Stored(piece) => {
                let bytes = piece
                    .store
                    .get(piece.at, piece.len)
                    .map_err(|err| format!("parked facts could not be read back: {err}"))?;
                match piece.hash {
                    Some(hash) if crate::engine::text::hash_bytes(&bytes) != hash => Err(
                        "parked facts could not be read back: the cache file changed under the run"
                            .into(),
                    ),
                    _ => Ok(Cow::Owned(bytes)),
                }
            }
        }
    }
}

#[derive(Debug)]
pub struct Parked {
    bytes: Bytes,
    /// Exactly as long as it needs to be: one per parked file, most empty.
    linking: Box<[Fact]>,
    /// Facts linking added (problems with includes), after the file's own.
    added: Vec<Fact>,
    /// Linking found the file to be a constraints file: its packages constrain.
    constraints: bool,
    /// A notebook's cell map (positions inside cells), parked with the facts
    /// (boxed: one parked file in a hundred is a notebook).
    cells: Option<Box<Bytes>>,
}

impl Parked {
    /// Parks `facts`, keeping copies of those `linking` says linking reads.
    /// `None` when they cannot be encoded (they can; the caller then keeps them
    /// as they are).
    pub fn new(
        facts: &[Fact],
        linking: impl Fn(&Fact) -> bool,
        store: &Arc<Store>,
    ) -> Option<Self> {
        let bytes = encode(facts)?.into_boxed_slice();
        Some(Self::with_bytes(bytes, facts, linking, store))
    }

    /// Parks `facts`, already encoded as `bytes`.
    fn with_bytes(
        bytes: Box<[u8]>,
        facts: &[Fact],
        linking: impl Fn(&Fact) -> bool,
        store: &Arc<Store>,
    ) -> Self {
        Self {
            bytes: Bytes::keep(bytes, store),
            linking: facts
                .iter()
                .filter(|fact| linking(fact))
                .cloned()
                .collect::<Vec<_>>()
                .into_boxed_slice(),
            added: Vec::new(),
            constraints: false,
            cells: None,
        }
    }

    /// Facts (and a cell map) parked where the cache keeps them, with the
    /// copies of those linking reads that the cache kept beside them.
    pub fn in_place(facts: Piece, linking: Vec<Fact>, cells: Option<Piece>) -> Self {
        Self {
            bytes: Bytes::Stored(facts),
            linking: linking.into_boxed_slice(),
            added: Vec::new(),
            constraints: false,
            cells: cells.map(|piece| Box::new(Bytes::Stored(piece))),
        }
    }

    /// Parks a notebook's cell map with the facts; `false` when it cannot be
    /// encoded (the caller keeps it).
    pub fn park_cells(&mut self, cells: &CellMap, store: &Arc<Store>) -> bool {
        match postcard::to_allocvec(cells) {
            Ok(bytes) => {
                self.cells = Some(Box::new(Bytes::keep(bytes.into_boxed_slice(), store)));
                true
            }
            Err(_) => false,
        }
    }

    /// The parked cell map, encoded (what the cache keeps), or why it could not
    /// be read back.
    pub fn cell_bytes(&self) -> Option<Result<Cow<'_, [u8]>, String>> {
        self.cells.as_deref().map(Bytes::get)
    }

    /// The parked cell map, if one was parked and it can be read back (should it
    /// not, positions are given in the notebook's JSON instead of its cells).
    pub fn cells(&self) -> Option<Arc<CellMap>> {
        let bytes = self.cells.as_ref()?.get().ok()?;
        postcard::from_bytes(&bytes).ok().map(Arc::new)
    }

    /// The facts as read, encoded (what the cache keeps), or why they could
    /// not be read back from the store.
    pub fn bytes(&self) -> Result<Cow<'_, [u8]>, String> {
        self.bytes.get()
    }

    /// The copies of the facts linking reads.
    pub fn linking(&self) -> &[Fact] {
        &self.linking
    }

    /// Adds a fact linking found, after the file's own.
    pub fn add(&mut self, fact: Fact) {
        self.added.push(fact);
    }

    /// Marks the file's packages as read from a constraints file.
    pub fn mark_constraints(&mut self) {
        self.constraints = true;
    }

    /// The facts, decoded, with what linking concluded applied; should they not
    /// decode (this run encoded them), one problem fact saying so (MLR001),
    /// rather than a panic.
    pub fn facts(&self) -> Vec<Fact> {
        let decoded = self.bytes().and_then(|bytes| decode(&bytes));
        let mut facts = decoded.unwrap_or_else(|message| {
            vec![Fact::Problem(Problem {
                origin: Origin::new(Span::at(0), None, "file"),
                kind: ProblemKind::ReaderFailed,
                message,
            })]
        });
        if self.constraints {
            mark_constraints(&mut facts);
        }
        facts.extend(self.added.iter().cloned());
        facts
    }
}

/// Marks `facts`' packages as read from a constraints file (`-c`): they
/// constrain versions but install nothing.
pub fn mark_constraints(facts: &mut [Fact]) {
    for fact in facts {
        if let Fact::Package(package) = fact {
            package.from_constraints = true;
        }
    }
}

/// Facts encoded as [`Parked`] and the cache keep them.
pub fn encode(facts: &[Fact]) -> Option<Vec<u8>> {
    postcard::to_allocvec(facts).ok()
}

/// Facts from their encoding.
pub fn decode(bytes: &[u8]) -> Result<Vec<Fact>, String> {
    postcard::from_bytes(bytes).map_err(|err| format!("parked facts do not decode: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(kind: ProblemKind, message: &str) -> Fact {
        Fact::Problem(Problem {
            origin: Origin::new(Span::new(1, 4), None, "image"),
            kind,
            message: message.into(),
        })
    }

    #[test]
    fn facts_come_back_as_they_were_with_copies_of_those_linking_reads() {
        let facts = vec![
            problem(ProblemKind::Parse, "one"),
            problem(ProblemKind::Skipped, "two"),
        ];
        for store in [Store::new(), Store::in_memory()] {
            let parked = Parked::new(
                &facts,
                |fact| matches!(fact, Fact::Problem(p) if p.kind == ProblemKind::Skipped),
                &store,
            )
            .unwrap();
            assert_eq!(parked.facts(), facts);
            assert_eq!(parked.linking(), &facts[1..]);
            assert_eq!(parked.bytes().unwrap(), encode(&facts).unwrap());
        }
    }

    #[test]
    fn what_linking_concludes_is_applied_on_decoding() {
        let package = crate::sources::requirements_txt::read("pandas==2.0\n");
        let mut parked = Parked::new(&package, |_| false, &Store::new()).unwrap();
        parked.mark_constraints();
        parked.add(problem(ProblemKind::IncludeNotFound, "gone"));
        let facts = parked.facts();
        assert!(matches!(&facts[0], Fact::Package(p) if p.from_constraints));
        assert_eq!(facts[1], problem(ProblemKind::IncludeNotFound, "gone"));
        assert!(parked.cells().is_none());
        assert!(parked.park_cells(&CellMap::default(), &Store::new()));
        assert!(parked.cells().is_some());
        assert_eq!(parked.bytes().unwrap(), encode(&package).unwrap());
    }

    #[test]
    fn facts_of_many_threads_land_apart_in_the_store() {
        let store = Store::new();
        let parked: Vec<(Vec<Fact>, Parked)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..8)
                .map(|i| {
                    let store = store.clone();
                    scope.spawn(move || {
                        (0..50)
                            .map(|j| {
                                let facts = vec![problem(ProblemKind::Parse, &format!("{i}-{j}"))];
                                let parked = Parked::new(&facts, |_| false, &store).unwrap();
                                (facts, parked)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap())
                .collect()
        });
        for (facts, parked) in &parked {
            assert!(matches!(parked.bytes, Bytes::Stored(_)));
            assert_eq!(&parked.facts(), facts);
        }
    }

    /// A cache piece whose bytes no longer hash as written (the cache file
    /// rewritten in place under the run) is not decoded: the file gets one
    /// problem saying so.
    #[test]
    fn a_piece_changed_under_the_run_is_a_problem_not_its_bytes() {
        let facts = vec![problem(ProblemKind::Parse, "one")];
        let store = Store::new();
        let bytes = encode(&facts).unwrap();
        let at = store.put(&bytes).unwrap();
        let piece = |hash| Piece {
            store: store.clone(),
            at,
            len: bytes.len(),
            hash: Some(hash),
        };
        let right = crate::engine::text::hash_bytes(&bytes);
        assert_eq!(Parked::in_place(piece(right), vec![], None).facts(), facts);
        let changed = Parked::in_place(piece(right ^ 1), vec![], None).facts();
        assert!(matches!(
            changed.as_slice(),
            [Fact::Problem(Problem { kind: ProblemKind::ReaderFailed, message, .. })]
                if message == "parked facts could not be read back: the cache file changed under the run"
        ));
    }

    #[test]
    fn bytes_that_are_not_facts_are_a_problem_not_a_panic() {
        let parked =
            Parked::with_bytes(Box::new([0xff, 0xff, 0xff]), &[], |_| false, &Store::new());
        assert!(matches!(
            parked.facts().as_slice(),
            [Fact::Problem(Problem {
                kind: ProblemKind::ReaderFailed,
                ..
            })]
        ));
    }
}
