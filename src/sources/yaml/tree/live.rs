//! The live event stream: granit-parser's events as serde-saphyr's live stream
//! gives them, anchored nodes recorded, each alias replaced by a replay of its
//! anchor, tags checked, and every event, replayed ones included, charged to the
//! [`Budget`].

use super::budget::{tag_len, Budget, Seen, MAX_REPLAYED_EVENTS};
use super::errors::{ErrLoc, Fail, UNKNOWN_ANCHOR};
use super::events::{span_of, Ev, Kind, Origin, Source};
use super::tags::{check_tag, is_yaml_merge_tag, SfTag, TagNode, YAML_TAG_NAMESPACE};
use super::MAX_DEPTH;
use crate::span::Span;
use granit_parser::{Event, Parser, ScalarStyle, StrInput, Tag};
use std::rc::Rc;

/// An anchored container being recorded until its end.
struct Recording<'a> {
    anchor: usize,
    depth: usize,
    events: Vec<Ev<'a>>,
}

/// The parser's events as serde-saphyr's live event stream gives them: document
/// and stream markers dropped, anchored nodes recorded, each alias replaced by a
/// replay of its anchor's events (tagged with the alias's span), and every event,
/// replayed ones included, charged to the budget.
pub(super) struct Live<'a> {
    parser: Parser<'a, StrInput<'a>>,
    look: Option<Ev<'a>>,
    /// The alias being replayed: anchor, next index, the alias's span.
    replay: Option<(usize, usize, Span)>,
    anchors: Vec<Option<Rc<[Ev<'a>]>>>,
    recording: Vec<Recording<'a>>,
    budget: Budget,
    replayed: usize,
    /// Where the last event was (a breach found at the end is reported there).
    last: ErrLoc,
    done: bool,
}

impl<'a> Live<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        let mut options = granit_parser::Options::default();
        // serde-saphyr's parser options for these budgets: the block nesting limit
        // is raised past MAX_DEPTH so the depth budget, not the parser, refuses.
        options.block_nesting_limit = options.block_nesting_limit.max(MAX_DEPTH + 1);
        options.emit_comments = false;
        Live {
            parser: Parser::with_options(StrInput::new(text), options),
            look: None,
            replay: None,
            anchors: Vec::new(),
            recording: Vec::new(),
            budget: Budget::new(),
            replayed: 0,
            last: ErrLoc::Unknown,
            done: false,
        }
    }

    fn reset_document(&mut self) {
        self.replay = None;
        self.recording.clear();
        self.anchors.fill(None);
        self.replayed = 0;
    }

    /// Copies `ev` into every open recording (but the one `skip_last` just opened).
    fn record(&mut self, ev: &Ev<'a>, skip_last: bool) -> Result<(), Fail> {
        let n = self.recording.len();
        if n == 0 {
            return Ok(());
        }
        let bytes = ev.owned_bytes();
        for i in 0..n {
            if skip_last && i == n - 1 {
                continue;
            }
            self.budget
                .observe_anchor_copy(bytes)
                .map_err(|b| Fail::budget(b, self.replay_loc(ev.span)))?;
            self.recording[i].events.push(ev.clone());
        }
        Ok(())
    }

    /// Where a breach found while handling an event at `span` is reported: the
    /// alias being replayed, if any, else the event.
    fn replay_loc(&self, span: Span) -> ErrLoc {
        match self.replay {
            Some((_, _, at)) => ErrLoc::Byte(at.start),
            None => ErrLoc::Byte(span.start),
        }
    }

    fn pull(&mut self) -> Result<Option<Ev<'a>>, Fail> {
        // 1) The alias being replayed.
        if let Some((anchor, idx, at)) = self.replay {
            let events = self.anchors.get(anchor).and_then(Option::as_ref).cloned();
            match events {
                Some(events) if idx < events.len() => {
                    self.replay = Some((anchor, idx + 1, at));
                    let mut ev = events[idx].clone();
                    ev.origin = Origin::Alias(at);
                    self.replayed += 1;
                    if self.replayed > MAX_REPLAYED_EVENTS {
                        return Err(Fail::alias_bomb(ErrLoc::Byte(ev.span.start)));
                    }
                    let seen = match &ev.kind {
                        Kind::Scalar {
                            value, style, tag, ..
                        } => Seen::Scalar {
                            value,
                            style: *style,
                            tag_len: if *tag == SfTag::Merge {
                                MERGE_TAG_LEN
                            } else {
                                0
                            },
                            merge_tag: (*tag == SfTag::Merge).then_some(true),
                            anchor: 0,
                        },
                        Kind::RecursiveAlias { .. } => Seen::Scalar {
                            value: "",
                            style: ScalarStyle::Plain,
                            tag_len: 0,
                            merge_tag: None,
                            anchor: 0,
                        },
                        Kind::SeqStart { .. } => Seen::Start {
                            map: false,
                            tag_len: 0,
                            anchor: 0,
                        },
                        Kind::MapStart { .. } => Seen::Start {
                            map: true,
                            tag_len: 0,
                            anchor: 0,
                        },
                        Kind::SeqEnd => Seen::End { map: false },
                        Kind::MapEnd => Seen::End { map: true },
                    };
                    self.budget
                        .observe(seen)
                        .map_err(|b| Fail::budget(b, ErrLoc::Byte(at.start)))?;
                    self.record(&ev, false)?;
                    self.last = ErrLoc::Byte(ev.span.start);
                    return Ok(Some(ev));
                }
                Some(_) => self.replay = None,
                None => return Err(Fail::syntax(UNKNOWN_ANCHOR, self.last)),
            }
        }

        // 2) The parser.
        if self.done {
            return Ok(None);
        }
        while let Some(item) = self.parser.next() {
            let (event, raw_span) = match item {
                Ok(pair) => pair,
                Err(err) => {
                    self.done = true;
                    return Err(Fail::scan(&err));
                }
            };
            let span = span_of(&raw_span);
            let loc = ErrLoc::Byte(span.start);
            let seen = match &event {
                Event::Scalar(value, style, anchor, tag) => Seen::Scalar {
                    value,
                    style: *style,
                    tag_len: tag_len(tag.as_deref()),
                    merge_tag: tag.as_deref().map(is_yaml_merge_tag),
                    anchor: *anchor,
                },
                Event::SequenceStart(_, anchor, tag) => Seen::Start {
                    map: false,
                    tag_len: tag_len(tag.as_deref()),
                    anchor: *anchor,
                },
                Event::MappingStart(_, anchor, tag) => Seen::Start {
                    map: true,
                    tag_len: tag_len(tag.as_deref()),
                    anchor: *anchor,
                },
                Event::SequenceEnd => Seen::End { map: false },
                Event::MappingEnd => Seen::End { map: true },
                Event::DocumentStart(..) => Seen::DocumentStart,
                Event::Alias(_) => Seen::Other,
                _ => Seen::Other,
            };
            if !matches!(event, Event::Alias(_)) {
                self.budget
                    .observe(seen)
                    .map_err(|b| Fail::budget(b, loc))?;
            }
            match event {
                Event::Scalar(value, style, anchor, tag) => {
                    let kind = SfTag::of(tag.as_deref());
                    check_tag(kind, tag.as_deref(), TagNode::Scalar, span)?;
                    let ev = Ev {
                        kind: Kind::Scalar {
                            value,
                            style,
                            tag: kind,
                            raw_tag: tag.map(|t| t.to_string().into_boxed_str()),
                        },
                        span,
                        origin: Origin::Direct,
                    };
                    self.record(&ev, false)?;
                    if anchor != 0 {
                        self.budget
                            .observe_anchor_copy(ev.owned_bytes())
                            .map_err(|b| Fail::budget(b, loc))?;
                        self.store_anchor(anchor, Rc::from(vec![ev.clone()]));
                    }
                    self.last = loc;
                    return Ok(Some(ev));
                }
                Event::SequenceStart(_, anchor, tag) => {
                    return self.start(false, anchor, tag.as_deref(), span).map(Some);
                }
                Event::MappingStart(_, anchor, tag) => {
                    return self.start(true, anchor, tag.as_deref(), span).map(Some);
                }
                Event::SequenceEnd => return self.end(false, span).map(Some),
                Event::MappingEnd => return self.end(true, span).map(Some),
                Event::Alias(anchor) => {
                    self.budget
                        .observe_alias()
                        .map_err(|b| Fail::budget(b, loc))?;
                    if self.recording.iter().any(|r| r.anchor == anchor) {
                        let ev = Ev {
                            kind: Kind::RecursiveAlias { anchor },
                            span,
                            origin: Origin::Direct,
                        };
                        self.record(&ev, false)?;
                        self.last = loc;
                        return Ok(Some(ev));
                    }
                    if self.anchors.get(anchor).and_then(Option::as_ref).is_none() {
                        return Err(Fail::at(UNKNOWN_ANCHOR, span));
                    }
                    self.replay = Some((anchor, 0, span));
                    return self.pull();
                }
                Event::DocumentStart(..) | Event::DocumentEnd => {
                    self.reset_document();
                    self.last = loc;
                }
                Event::StreamStart | Event::StreamEnd => self.last = loc,
                _ => return Err(Fail::at("unsupported event from granit-parser", span)),
            }
        }
        self.done = true;
        Ok(None)
    }

    fn start(
        &mut self,
        map: bool,
        anchor: usize,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<Ev<'a>, Fail> {
        let kind = SfTag::of(tag);
        let node = if map {
            TagNode::Mapping
        } else {
            TagNode::Sequence
        };
        check_tag(kind, tag, node, span)?;
        let raw_tag = tag.map(|t| t.to_string().into_boxed_str());
        let ev = Ev {
            kind: if map {
                Kind::MapStart { tag: kind, raw_tag }
            } else {
                Kind::SeqStart { tag: kind, raw_tag }
            },
            span,
            origin: Origin::Direct,
        };
        for recording in &mut self.recording {
            recording.depth += 1;
        }
        if anchor != 0 {
            self.budget
                .observe_anchor_copy(ev.owned_bytes())
                .map_err(|b| Fail::budget(b, ErrLoc::Byte(span.start)))?;
            self.recording.push(Recording {
                anchor,
                depth: 1,
                events: vec![ev.clone()],
            });
        }
        self.record(&ev, anchor != 0)?;
        self.last = ErrLoc::Byte(span.start);
        Ok(ev)
    }

    fn end(&mut self, map: bool, span: Span) -> Result<Ev<'a>, Fail> {
        let ev = Ev {
            kind: if map { Kind::MapEnd } else { Kind::SeqEnd },
            span,
            origin: Origin::Direct,
        };
        self.record(&ev, false)?;
        for recording in &mut self.recording {
            recording.depth = recording.depth.saturating_sub(1);
        }
        while self.recording.last().is_some_and(|r| r.depth == 0) {
            if let Some(done) = self.recording.pop() {
                self.store_anchor(done.anchor, Rc::from(done.events));
            }
        }
        self.last = ErrLoc::Byte(span.start);
        Ok(ev)
    }

    fn store_anchor(&mut self, anchor: usize, events: Rc<[Ev<'a>]>) {
        if anchor >= self.anchors.len() {
            self.anchors.resize_with(anchor + 8, || None);
        }
        self.anchors[anchor] = Some(events);
    }

    pub(super) fn finish(&mut self) -> Result<(), Fail> {
        self.budget.finish().map_err(|b| Fail::budget(b, self.last))
    }
}

const MERGE_TAG_LEN: usize = YAML_TAG_NAMESPACE.len() + "merge".len();

impl<'a> Source<'a> for Live<'a> {
    fn peek(&mut self) -> Result<Option<&Ev<'a>>, Fail> {
        if self.look.is_none() {
            self.look = self.pull()?;
        }
        if let Some(ev) = &self.look {
            self.last = ErrLoc::Byte(ev.span.start);
        }
        Ok(self.look.as_ref())
    }

    fn next(&mut self) -> Result<Option<Ev<'a>>, Fail> {
        match self.look.take() {
            Some(ev) => Ok(Some(ev)),
            None => self.pull(),
        }
    }
}
