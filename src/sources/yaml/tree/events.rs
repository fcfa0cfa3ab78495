//! Logical events: the parser's, with document markers dropped and aliases
//! replayed. The tree is built from them whatever their [`Source`]: the live
//! parser ([`Live`](super::live::Live)) or a recorded node ([`Replay`]).

use super::errors::Fail;
use super::tags::SfTag;
use crate::span::Span;
use granit_parser::ScalarStyle;
use std::borrow::Cow;

/// Why an event is seen somewhere other than where it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Origin {
    Direct,
    /// Replayed for the alias (`*name`) at this span.
    Alias(Span),
    /// Merged (`<<`) into a map; the span is the merge value's use.
    Merge(Span),
}

#[derive(Clone, Debug)]
pub(super) enum Kind<'a> {
    Scalar {
        value: Cow<'a, str>,
        style: ScalarStyle,
        tag: SfTag,
        /// The tag as the parser resolved it (`tag:yaml.org,2002:str`, `!foo`).
        raw_tag: Option<Box<str>>,
    },
    SeqStart {
        tag: SfTag,
        raw_tag: Option<Box<str>>,
    },
    SeqEnd,
    MapStart {
        tag: SfTag,
        raw_tag: Option<Box<str>>,
    },
    MapEnd,
    /// An alias inside the node its anchor names (`&a [*a]`).
    RecursiveAlias {
        anchor: usize,
    },
}

#[derive(Clone, Debug)]
pub(super) struct Ev<'a> {
    pub(super) kind: Kind<'a>,
    /// Where the event is written.
    pub(super) span: Span,
    pub(super) origin: Origin,
}

impl Ev<'_> {
    /// Where the node this event starts is used: the alias or merge, else itself.
    pub(super) fn reference(&self) -> Span {
        match self.origin {
            Origin::Alias(at) | Origin::Merge(at) => at,
            Origin::Direct => self.span,
        }
    }

    pub(super) fn alias(&self) -> Option<Span> {
        match self.origin {
            Origin::Alias(at) => Some(at),
            _ => None,
        }
    }

    /// Bytes an anchor's copy of this event owns (charged to the anchor budget).
    pub(super) fn owned_bytes(&self) -> usize {
        match &self.kind {
            Kind::Scalar { value, raw_tag, .. } => {
                let value = match value {
                    Cow::Borrowed(_) => 0,
                    Cow::Owned(v) => v.len(),
                };
                value.saturating_add(raw_tag.as_deref().map_or(0, str::len))
            }
            Kind::SeqStart { raw_tag, .. } | Kind::MapStart { raw_tag, .. } => {
                raw_tag.as_deref().map_or(0, str::len)
            }
            _ => 0,
        }
    }
}

pub(super) fn span_of(span: &granit_parser::Span) -> Span {
    match (span.start.byte_offset(), span.end.byte_offset()) {
        (Some(start), Some(end)) => Span::new(start, end.max(start)),
        _ => Span::default(),
    }
}

/// A source of logical events the tree is built from: the live parser, or a
/// recorded node replayed (for merges and buffered keys).
pub(super) trait Source<'a> {
    fn peek(&mut self) -> Result<Option<&Ev<'a>>, Fail>;
    fn next(&mut self) -> Result<Option<Ev<'a>>, Fail>;
}

/// A recorded node replayed.
pub(super) struct Replay<'a> {
    events: std::vec::IntoIter<Ev<'a>>,
    look: Option<Ev<'a>>,
}

impl<'a> Replay<'a> {
    pub(super) fn new(events: Vec<Ev<'a>>) -> Self {
        Replay {
            events: events.into_iter(),
            look: None,
        }
    }
}

impl<'a> Source<'a> for Replay<'a> {
    fn peek(&mut self) -> Result<Option<&Ev<'a>>, Fail> {
        if self.look.is_none() {
            self.look = self.events.next();
        }
        Ok(self.look.as_ref())
    }

    fn next(&mut self) -> Result<Option<Ev<'a>>, Fail> {
        Ok(self.look.take().or_else(|| self.events.next()))
    }
}

/// Merged (`<<`) into a map from the value at `at`: every event not replayed for
/// an alias is seen at the merge.
pub(super) fn merged(mut events: Vec<Ev<'_>>, at: Span) -> Vec<Ev<'_>> {
    for ev in &mut events {
        if !matches!(ev.origin, Origin::Alias(_)) {
            ev.origin = Origin::Merge(at);
        }
    }
    events
}

/// The index just past the node starting at `events[start]`.
pub(super) fn node_end(events: &[Ev<'_>], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < events.len() {
        match events[i].kind {
            Kind::SeqStart { .. } | Kind::MapStart { .. } => depth += 1,
            Kind::SeqEnd | Kind::MapEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
        if depth == 0 {
            break;
        }
    }
    i
}
