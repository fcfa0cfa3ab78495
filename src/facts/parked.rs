//! A file's facts kept encoded while the run does not need them.
//!
//! Facts are large in memory (a package requirement is over 300 bytes before
//! its strings) and a run once held every file's facts from its reading to the
//! report: most of what a run over a large tree kept. Between the two, linking
//! reads only a few kinds of facts, and most files (those no include reaches and
//! that include nothing) are judged alone. Such a file's facts are parked right
//! after reading: encoded with postcard (the cache's encoding, about a sixth of
//! the size) and decoded again when the file is judged, with copies of the few
//! facts that shape other files' scope kept beside them.

use super::{Fact, Origin, Problem, ProblemKind};
use crate::span::Span;

#[derive(Debug)]
pub struct Parked {
    bytes: Box<[u8]>,
    /// Exactly as long as it needs to be: one per parked file, most empty.
    linking: Box<[Fact]>,
}

impl Parked {
    /// Parks `facts`, keeping copies of those `linking` says other files read.
    /// `None` when they cannot be encoded (they can; the caller then keeps them
    /// as they are).
    pub fn new(facts: &[Fact], linking: impl Fn(&Fact) -> bool) -> Option<Self> {
        let bytes = postcard::to_allocvec(facts).ok()?.into_boxed_slice();
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
        }
    }

    /// The facts, encoded.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The copies of the facts that shape other files' scope.
    pub fn linking(&self) -> &[Fact] {
        &self.linking
    }

    /// The facts, decoded; should they not decode (this run encoded them), one
    /// problem fact saying so (MLR001), rather than a panic.
    pub fn facts(&self) -> Vec<Fact> {
        decode(&self.bytes).unwrap_or_else(|message| {
            vec![Fact::Problem(Problem {
                origin: Origin::new(Span::at(0), None, "file"),
                kind: ProblemKind::ReaderFailed,
                message,
            })]
        })
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
    fn facts_come_back_as_they_were_with_copies_of_those_others_read() {
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
