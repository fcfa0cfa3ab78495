//! The tree builder: one node from a [`Source`] of events, maps and sequences
//! kept as frames on an explicit stack, keys fingerprinted, merges applied, and
//! errors reported where serde-saphyr reported them.

use super::errors::{ErrLoc, Fail, BAD_MERGE, RECURSIVE_ALIAS};
use super::events::{Ev, Kind, Origin, Replay, Source};
use super::keys::{is_merge_key, last_wins, node_fp, scalar_fp, Entry, Fp};
use super::merge::merge_value;
use super::scalars::{resolve, scalar_is_null};
use super::{Node, Value};
use crate::span::Span;
use std::collections::HashSet;

/// Where a node sits in its parent. An error inside a map value or a sequence
/// item that was replayed for an alias is reported at the alias (serde-saphyr
/// wraps those errors with the alias's location); keys and roots are not.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Slot {
    Root,
    Key,
    Value,
    Item,
}

impl Slot {
    fn wraps(self) -> bool {
        matches!(self, Slot::Value | Slot::Item)
    }
}

/// What the next event is, without borrowing it.
#[derive(Clone, Copy)]
enum Peeked {
    Scalar,
    Start,
    SeqEnd(Span),
    MapEnd(Span),
    Recursive(Span),
}

impl Peeked {
    fn of(ev: &Ev<'_>) -> Self {
        match ev.kind {
            Kind::Scalar { .. } => Peeked::Scalar,
            Kind::SeqStart { .. } | Kind::MapStart { .. } => Peeked::Start,
            Kind::SeqEnd => Peeked::SeqEnd(ev.span),
            Kind::MapEnd => Peeked::MapEnd(ev.span),
            Kind::RecursiveAlias { .. } => Peeked::Recursive(ev.span),
        }
    }
}

struct Frame<'a> {
    span: Span,
    defined: Span,
    alias: Option<Span>,
    slot: Slot,
    kind: FrameKind<'a>,
}

enum FrameKind<'a> {
    Seq(Vec<Node<'a>>),
    Map(Box<MapFrame<'a>>),
}

struct MapFrame<'a> {
    entries: Vec<(Node<'a>, Node<'a>)>,
    /// The key read, waiting for its value.
    key: Option<Node<'a>>,
    /// Where this map's key fingerprints start in the shared list.
    fp_start: usize,
    /// Entries merged in with `<<`, in merge order, not yet filtered or built.
    merges: Vec<Entry<'a>>,
}

/// Builds one node from a source, iteratively: maps and sequences are frames on
/// an explicit stack, so nesting costs heap, not call stack.
pub(super) struct Builder<'s, 'f, 'a, S> {
    pub(super) src: &'s mut S,
    /// Fingerprints of the keys of the maps being built, each map's after its
    /// parent's (only read when a map merges or meets an integer key).
    pub(super) fps: &'f mut Vec<Fp<'a>>,
    /// The alias an error in this node is reported at, from the context that
    /// started this builder (a merge or a buffered key).
    pub(super) outer_wrap: Option<Span>,
}

impl<'a, S: Source<'a>> Builder<'_, '_, 'a, S> {
    /// The alias at which an error inside the innermost frame of `stack` (and
    /// inside `own`, when the failing node itself is a replayed value or item) is
    /// reported: the outermost such one, as each wrapping replaces the last.
    fn wrap(&self, stack: &[Frame<'a>], own: Option<(Option<Span>, Slot)>) -> Option<Span> {
        if self.outer_wrap.is_some() {
            return self.outer_wrap;
        }
        for frame in stack {
            if frame.alias.is_some() && frame.slot.wraps() {
                return frame.alias;
            }
        }
        match own {
            Some((Some(alias), slot)) if slot.wraps() => Some(alias),
            _ => None,
        }
    }

    fn fail(
        &self,
        stack: &[Frame<'a>],
        own: Option<(Option<Span>, Slot)>,
        message: impl Into<String>,
        at: Span,
    ) -> Fail {
        let at = self.wrap(stack, own).unwrap_or(at);
        Fail::at(message, at)
    }

    fn next_ev(&mut self) -> Result<Ev<'a>, Fail> {
        self.src
            .next()?
            .ok_or_else(|| Fail::syntax("unexpected end of input", ErrLoc::Unknown))
    }

    /// The events of the next node, whole.
    fn capture(&mut self) -> Result<Vec<Ev<'a>>, Fail> {
        let first = self.next_ev()?;
        let mut depth = usize::from(matches!(
            first.kind,
            Kind::SeqStart { .. } | Kind::MapStart { .. }
        ));
        let mut events = vec![first];
        while depth > 0 {
            let ev = self.next_ev()?;
            match ev.kind {
                Kind::SeqStart { .. } | Kind::MapStart { .. } => depth += 1,
                Kind::SeqEnd | Kind::MapEnd => depth -= 1,
                _ => {}
            }
            events.push(ev);
        }
        Ok(events)
    }

    /// Builds a recorded node in `slot`, as serde-saphyr replays a buffered one.
    fn replayed(
        &mut self,
        events: Vec<Ev<'a>>,
        slot: Slot,
        wrap: Option<Span>,
    ) -> Result<Node<'a>, Fail> {
        let mut replay = Replay::new(events);
        Builder {
            src: &mut replay,
            fps: self.fps,
            outer_wrap: wrap,
        }
        .node(slot)
    }

    pub(super) fn node(mut self, slot: Slot) -> Result<Node<'a>, Fail> {
        let mut stack: Vec<Frame<'a>> = Vec::new();
        loop {
            let (slot, map_key) = match stack.last() {
                None => (slot, false),
                Some(Frame {
                    kind: FrameKind::Seq(_),
                    ..
                }) => (Slot::Item, false),
                Some(Frame {
                    kind: FrameKind::Map(map),
                    ..
                }) => {
                    if map.key.is_some() {
                        (Slot::Value, false)
                    } else {
                        (Slot::Key, true)
                    }
                }
            };
            let what = match self.src.peek()? {
                None => return Err(Fail::syntax("unexpected end of input", ErrLoc::Unknown)),
                Some(ev) => Peeked::of(ev),
            };
            let completed = match what {
                Peeked::SeqEnd(_) if slot == Slot::Item => self.end(&mut stack)?,
                Peeked::MapEnd(_) if map_key => self.end(&mut stack)?,
                Peeked::Recursive(at) => return Err(self.fail(&stack, None, RECURSIVE_ALIAS, at)),
                Peeked::Scalar | Peeked::Start if map_key => {
                    if self.key(&mut stack)? {
                        continue;
                    }
                    // The map ended while its entries were buffered after an integer key.
                    self.end_read(&mut stack)?
                }
                Peeked::Scalar => {
                    let ev = self.next_ev()?;
                    let (span, defined, alias) = (ev.reference(), ev.span, ev.alias());
                    let Kind::Scalar {
                        value, style, tag, ..
                    } = ev.kind
                    else {
                        unreachable!("peeked a scalar")
                    };
                    match resolve(value, style, tag) {
                        Ok(value) => Node {
                            value,
                            span,
                            defined,
                        },
                        Err(message) => {
                            return Err(self.fail(&stack, Some((alias, slot)), message, defined));
                        }
                    }
                }
                Peeked::Start => {
                    let ev = self.next_ev()?;
                    let kind = if matches!(ev.kind, Kind::MapStart { .. }) {
                        FrameKind::Map(Box::new(MapFrame {
                            entries: Vec::new(),
                            key: None,
                            fp_start: self.fps.len(),
                            merges: Vec::new(),
                        }))
                    } else {
                        FrameKind::Seq(Vec::new())
                    };
                    stack.push(Frame {
                        span: ev.reference(),
                        defined: ev.span,
                        alias: ev.alias(),
                        slot,
                        kind,
                    });
                    continue;
                }
                Peeked::SeqEnd(at) | Peeked::MapEnd(at) => {
                    return Err(Fail::at("unexpected container end", at));
                }
            };
            match stack.last_mut() {
                None => return Ok(completed),
                Some(Frame {
                    kind: FrameKind::Seq(items),
                    ..
                }) => items.push(completed),
                Some(Frame {
                    kind: FrameKind::Map(map),
                    ..
                }) => match map.key.take() {
                    Some(key) => map.entries.push((key, completed)),
                    None => map.key = Some(completed),
                },
            }
        }
    }

    /// Consumes the end of the frame on top of `stack` and completes it.
    fn end(&mut self, stack: &mut Vec<Frame<'a>>) -> Result<Node<'a>, Fail> {
        self.src.next()?;
        self.end_read(stack)
    }

    /// Completes the frame on top of `stack`, whose end was read.
    fn end_read(&mut self, stack: &mut Vec<Frame<'a>>) -> Result<Node<'a>, Fail> {
        let Some(frame) = stack.pop() else {
            return Err(Fail::syntax("unexpected end of input", ErrLoc::Unknown));
        };
        self.finish(frame, stack)
    }

    /// Reads the next key of the map on top of `stack` (a merge, or a key and,
    /// after an integer key, the rest of the map buffered). Returns `false` when
    /// that consumed the map's end.
    fn key(&mut self, stack: &mut [Frame<'a>]) -> Result<bool, Fail> {
        let scalar = matches!(self.src.peek()?.map(Peeked::of), Some(Peeked::Scalar));
        if scalar {
            let ev = self.next_ev()?;
            if is_merge_key(&ev) {
                self.merge(stack)?;
                return Ok(true);
            }
            let Kind::Scalar {
                value,
                style,
                tag,
                raw_tag,
            } = ev.kind
            else {
                unreachable!("peeked a scalar")
            };
            let fp = scalar_fp(&value, style, tag, raw_tag.as_deref());
            if fp.contains_integer() {
                let key = vec![Ev {
                    kind: Kind::Scalar {
                        value,
                        style,
                        tag,
                        raw_tag,
                    },
                    span: ev.span,
                    origin: ev.origin,
                }];
                return self.buffer_rest(stack, key, fp);
            }
            let (span, defined, alias) = (
                match ev.origin {
                    Origin::Alias(at) | Origin::Merge(at) => at,
                    Origin::Direct => ev.span,
                },
                ev.span,
                match ev.origin {
                    Origin::Alias(at) => Some(at),
                    _ => None,
                },
            );
            let node = match resolve(value, style, tag) {
                Ok(value) => Node {
                    value,
                    span,
                    defined,
                },
                Err(message) => {
                    return Err(self.fail(stack, Some((alias, Slot::Key)), message, defined))
                }
            };
            self.fps.push(fp);
            if let Some(Frame {
                kind: FrameKind::Map(map),
                ..
            }) = stack.last_mut()
            {
                map.key = Some(node);
            }
            return Ok(true);
        }
        // A sequence or map as a key: buffered whole, then built.
        let events = self.capture()?;
        let fp = node_fp(&events, &mut 0);
        if fp.contains_integer() {
            return self.buffer_rest(stack, events, fp);
        }
        let wrap = self.wrap(stack, None);
        let node = self.replayed(events, Slot::Key, wrap)?;
        self.fps.push(fp);
        if let Some(Frame {
            kind: FrameKind::Map(map),
            ..
        }) = stack.last_mut()
        {
            map.key = Some(node);
        }
        Ok(true)
    }

    /// After an integer key (whose identity can differ from its spelling),
    /// serde-saphyr buffers the rest of the map and keeps the last of each key:
    /// the same here, up to the map's end, which is consumed.
    fn buffer_rest(
        &mut self,
        stack: &mut [Frame<'a>],
        key: Vec<Ev<'a>>,
        fp: Fp<'a>,
    ) -> Result<bool, Fail> {
        let mut buffered = Vec::new();
        let value = self.capture()?;
        buffered.push(Entry { key, fp, value });
        loop {
            let end = matches!(self.src.peek()?.map(Peeked::of), Some(Peeked::MapEnd(_)));
            if end {
                self.src.next()?;
                break;
            }
            let key = self.capture()?;
            if key.len() == 1 && is_merge_key(&key[0]) {
                self.merge(stack)?;
                continue;
            }
            let fp = node_fp(&key, &mut 0);
            let value = self.capture()?;
            buffered.push(Entry { key, fp, value });
        }
        let wrap = self.wrap(stack, None);
        for entry in last_wins(buffered) {
            let key = self.replayed(entry.key, Slot::Key, wrap)?;
            let value = self.replayed(entry.value, Slot::Value, wrap)?;
            self.fps.push(entry.fp);
            if let Some(Frame {
                kind: FrameKind::Map(map),
                ..
            }) = stack.last_mut()
            {
                map.entries.push((key, value));
            }
        }
        Ok(false)
    }

    /// Reads the value of a `<<` key of the map on top of `stack` into its merges.
    fn merge(&mut self, stack: &mut [Frame<'a>]) -> Result<(), Fail> {
        let wrap = self.wrap(stack, None);
        let fail = |message: &str, at: Span| Fail::at(message, wrap.unwrap_or(at));
        let (null, what) = match self.src.peek()? {
            None => return Err(Fail::syntax("unexpected end of input", ErrLoc::Unknown)),
            Some(ev) => {
                let null = matches!(&ev.kind, Kind::Scalar { value, style, tag, .. }
                    if scalar_is_null(*tag, value, *style));
                (null, Peeked::of(ev))
            }
        };
        if null {
            self.src.next()?;
            return Ok(());
        }
        let events = match what {
            Peeked::Recursive(at) => return Err(fail(RECURSIVE_ALIAS, at)),
            Peeked::Start => self.capture()?,
            Peeked::SeqEnd(at) | Peeked::MapEnd(at) => return Err(fail(BAD_MERGE, at)),
            Peeked::Scalar => {
                let ev = self.next_ev()?;
                return Err(fail(BAD_MERGE, ev.span));
            }
        };
        let entries = merge_value(events, &fail)?;
        if let Some(Frame {
            kind: FrameKind::Map(map),
            ..
        }) = stack.last_mut()
        {
            map.merges.extend(entries);
        }
        Ok(())
    }

    /// Completes a frame whose end was read: a sequence, or a map with its
    /// merged entries added (those whose key it does not already have).
    fn finish(&mut self, frame: Frame<'a>, stack: &[Frame<'a>]) -> Result<Node<'a>, Fail> {
        let value = match frame.kind {
            FrameKind::Seq(items) => Value::Seq(items),
            FrameKind::Map(map) => {
                let MapFrame {
                    mut entries,
                    fp_start,
                    merges,
                    ..
                } = *map;
                if !merges.is_empty() {
                    let mut seen: HashSet<Fp<'a>> = self.fps[fp_start..].iter().cloned().collect();
                    let wrap = self.wrap(stack, None).or_else(|| {
                        (frame.alias.is_some() && frame.slot.wraps())
                            .then_some(frame.alias)
                            .flatten()
                    });
                    for entry in merges {
                        if !seen.insert(entry.fp) {
                            continue;
                        }
                        let key = self.replayed(entry.key, Slot::Key, wrap)?;
                        let value = self.replayed(entry.value, Slot::Value, wrap)?;
                        entries.push((key, value));
                    }
                }
                self.fps.truncate(fp_start);
                Value::Map(entries)
            }
        };
        Ok(Node {
            value,
            span: frame.span,
            defined: frame.defined,
        })
    }
}
