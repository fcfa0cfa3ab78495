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

use super::{Fact, Origin, Problem, ProblemKind};
use crate::span::Span;

#[derive(Debug)]
pub struct Parked {
    bytes: Box<[u8]>,
    /// Exactly as long as it needs to be: one per parked file, most empty.
    linking: Box<[Fact]>,
    /// Facts linking added (problems with includes), after the file's own.
    added: Vec<Fact>,
    /// Linking found the file to be a constraints file: its packages constrain.
    constraints: bool,
}

impl Parked {
    /// Parks `facts`, keeping copies of those `linking` says linking reads.
    /// `None` when they cannot be encoded (they can; the caller then keeps them
    /// as they are).
    pub fn new(facts: &[Fact], linking: impl Fn(&Fact) -> bool) -> Option<Self> {
        let bytes = encode(facts)?.into_boxed_slice();
        Some(Self::with_bytes(bytes, facts, linking))
    }

    /// Parks `facts`, already encoded as `bytes` (facts taken from the cache,
    /// which keeps them in this encoding).
    pub fn with_bytes(bytes: Box<[u8]>, facts: &[Fact], linking: impl Fn(&Fact) -> bool) -> Self {
        Self {
            bytes,
            linking: facts
                .iter()
                .filter(|fact| linking(fact))
                .cloned()
                .collect::<Vec<_>>()
                .into_boxed_slice(),
            added: Vec::new(),
            constraints: false,
        }
    }

    /// The facts as read, encoded (what the cache keeps).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
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
        let mut facts = decode(&self.bytes).unwrap_or_else(|message| {
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
        let parked = Parked::new(
            &facts,
            |fact| matches!(fact, Fact::Problem(p) if p.kind == ProblemKind::Skipped),
        )
        .unwrap();
        assert_eq!(parked.facts(), facts);
        assert_eq!(parked.linking(), &facts[1..]);
        assert_eq!(parked.bytes(), encode(&facts).unwrap().as_slice());
    }

    #[test]
    fn what_linking_concludes_is_applied_on_decoding() {
        let package = crate::sources::requirements_txt::read("pandas==2.0\n");
        let mut parked = Parked::new(&package, |_| false).unwrap();
        parked.mark_constraints();
        parked.add(problem(ProblemKind::IncludeNotFound, "gone"));
        let facts = parked.facts();
        assert!(matches!(&facts[0], Fact::Package(p) if p.from_constraints));
        assert_eq!(facts[1], problem(ProblemKind::IncludeNotFound, "gone"));
        assert_eq!(parked.bytes(), encode(&package).unwrap().as_slice());
    }

    #[test]
    fn bytes_that_are_not_facts_are_a_problem_not_a_panic() {
        let parked = Parked::with_bytes(Box::new([0xff, 0xff, 0xff]), &[], |_| false);
        assert!(matches!(
            parked.facts().as_slice(),
            [Fact::Problem(Problem {
                kind: ProblemKind::ReaderFailed,
                ..
            })]
        ));
    }
}
