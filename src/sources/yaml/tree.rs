//! A generic YAML tree where every value and every map key carries its byte span.
//!
//! Built directly from granit-parser's events: the tree is schema-agnostic, so the
//! MLRun readers can walk any document and still point at exact bytes. Spans are
//! byte ranges into the text given to [`parse`], so a fix can replace them directly.
//!
//! Why events and not a serde deserialiser: the tree was first built through
//! serde-saphyr's `Spanned<T>`, whose deserialiser buffers and replays every map
//! key, fingerprints keys into hash sets and answers each node through serde's
//! visitor layers; that layer cost about a fifth of a whole run's CPU. Here one
//! pass over the events builds the tree, with an explicit stack instead of
//! recursion. What serde-saphyr decided is kept exactly, because the diagnostics
//! (and their snapshots) depend on it: its resource budgets (depth [`MAX_DEPTH`],
//! nodes [`MAX_NODES`] with alias expansions counted, aliases, documents, scalar
//! bytes, the alias/anchor ratio), its alias replay (an alias's `span` is the
//! alias, `defined` the anchored node), YAML 1.2 scalar resolution with strict
//! booleans, merge keys (`<<`: explicit keys win, then merges in order), duplicate
//! keys (all kept in order, last read by [`Node::get`]; after an integer key the
//! last of each is kept, as serde-saphyr does), tags, and its error messages and
//! locations.

use crate::span::Span;
use granit_parser::{ErrorKind, Event, Parser, ScalarStyle, ScanError, StrInput, Tag};
use std::borrow::Cow;
use std::collections::HashSet;
use std::rc::Rc;

/// The deepest nesting of maps and sequences accepted. Real MLRun specs stay under
/// about 12 levels; the cap keeps the recursive tree builder far from the stack
/// limit on any thread (a 100,000-deep `- - - x` must be an error, not an abort).
pub const MAX_DEPTH: usize = 128;

/// The most nodes (maps, sequences, scalars, alias expansions included) a file may
/// hold. The largest real spec seen has under 1,000; the cap makes an alias bomb
/// fail after a fraction of a second even in an unoptimised build.
pub const MAX_NODES: usize = 100_000;

/// Stack of the thread that builds the tree. The builder keeps its nesting on the
/// heap, but merge keys and map keys that are themselves maps are built by
/// recursion, so parsing keeps running on a thread with room for [`MAX_DEPTH`]
/// levels of it. The memory is only reserved; pages are touched as needed.
pub const PARSE_STACK_BYTES: usize = 64 << 20;

thread_local! {
    /// Set on threads started with [`PARSE_STACK_BYTES`] of stack (the engine's
    /// worker pool): [`parse`] runs on them directly. Starting a thread per file
    /// costs more than parsing a typical spec (mapping and unmapping 64 MiB makes
    /// every core flush its TLB), and a run reads thousands of specs.
    static ON_PARSE_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Declares that the current thread was started with at least
/// [`PARSE_STACK_BYTES`] of stack, so YAML is parsed on it without a new thread.
pub fn mark_parse_stack() {
    ON_PARSE_STACK.with(|flag| flag.set(true));
}

/// One YAML value with where it was used (`span`) and where it was written
/// (`defined`). The two differ only for an alias (`*img`) or a merged (`<<`) value:
/// `span` is the alias use, `defined` the anchored node, whose text a fix must edit.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    pub defined: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number; its text as written is the source slice at [`Node::defined`]
    /// (`1.10` must stay `1.10`, not become `1.1`).
    Number,
    String(String),
    Seq(Vec<Node>),
    /// Entries in document order, keys spanned like values.
    Map(Vec<(Node, Node)>),
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under the string key `key`, when this is a map holding it.
    /// With duplicate keys the last wins, as PyYAML (and so MLRun) reads them.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The value under `key` when it is a map (a `spec` that is a string is skipped).
    pub fn get_map(&self, key: &str) -> Option<&Node> {
        self.get(key).filter(|n| n.as_map().is_some())
    }

    /// The value under `key` when it is a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }
}

/// Why a text could not be turned into a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    /// What went wrong, without location or snippet: the parser's message, or
    /// for a resource refusal, which resource ran out.
    pub message: String,
    /// Byte offset of the error in the text, when the parser knows it.
    pub offset: Option<usize>,
}

/// Syntax errors are reported only for recognised files; the two refusals are
/// reported for any file, since they are no judgement on whether it is MLRun's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The text is not valid YAML.
    Syntax,
    /// Maps and sequences nest deeper than [`MAX_DEPTH`]: refused, not parsed.
    TooDeep,
    /// A resource budget is exceeded (alias expansion, node or event count,
    /// scalar bytes): refused, not parsed.
    TooLarge,
    /// The parser could not run or failed unexpectedly.
    Failed,
}

/// Parses every document of `text` (empty documents are skipped).
///
/// Runs on a stack sized for [`MAX_DEPTH`] (the current thread's when it was
/// [marked](mark_parse_stack), else a thread of its own), so the caller's stack
/// does not matter, and a panic inside the parser becomes an error.
pub fn parse(text: &str) -> Result<Vec<Node>, ParseError> {
    let failed = |message: String| ParseError {
        kind: ParseErrorKind::Failed,
        message,
        offset: None,
    };
    if ON_PARSE_STACK.with(std::cell::Cell::get) {
        return std::panic::catch_unwind(|| parse_here(text))
            .unwrap_or_else(|_| Err(failed("the YAML parser failed on this input".into())));
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("yaml-parse".into())
            .stack_size(PARSE_STACK_BYTES)
            .spawn_scoped(scope, || parse_here(text))
            .map_err(|e| failed(format!("could not start the YAML parser: {e}")))?
            .join()
            .unwrap_or_else(|_| Err(failed("the YAML parser failed on this input".into())))
    })
}

fn parse_here(text: &str) -> Result<Vec<Node>, ParseError> {
    parse_events(text).map_err(|fail| fail.into_error(text))
}

/// Every document of the stream, each built as soon as its root event is seen.
fn parse_events(text: &str) -> Result<Vec<Node>, Fail> {
    let mut live = Live::new(text);
    let mut docs = Vec::new();
    let mut fps = Vec::new();
    while let Some(ev) = live.peek()? {
        // A null root (empty, `~`, `null`, `!!null`) is skipped; a custom-tagged one is not.
        if let Kind::Scalar {
            value, tag, style, ..
        } = &ev.kind
        {
            if *tag != SfTag::Other && scalar_is_null(*tag, value, *style) {
                live.next()?;
                continue;
            }
        }
        let root = Builder {
            src: &mut live,
            fps: &mut fps,
            outer_wrap: None,
        }
        .node(Slot::Root)?;
        docs.push(root);
    }
    live.finish()?;
    Ok(docs)
}

// ---------------------------------------------------------------------------
// Errors

/// Where an error is: a byte offset (events carry byte spans), or a line and a
/// 1-based character column (the scanner's errors).
#[derive(Clone, Copy, Debug)]
enum ErrLoc {
    Byte(usize),
    LineCol(usize, usize),
    Unknown,
}

/// A budget that ran out, named and formatted as serde-saphyr's `BudgetBreach`
/// (its `Debug` text is part of the message shown for the ones without a message
/// of their own).
#[derive(Clone, Debug)]
#[expect(
    dead_code,
    reason = "the fields are read through `Debug`, in the message"
)]
enum BudgetBreach {
    Events { events: usize },
    Aliases { aliases: usize },
    Anchors { anchors: usize },
    Depth { depth: usize },
    Documents { documents: usize },
    Nodes { nodes: usize },
    ScalarBytes { total_scalar_bytes: usize },
    MergeKeys { merge_keys: usize },
    AliasAnchorRatio { aliases: usize, anchors: usize },
    SequenceUnbalanced,
    RecordedAnchorEvents { recorded_anchor_events: usize },
    RecordedAnchorBytes { recorded_anchor_bytes: usize },
}

#[derive(Debug)]
struct Fail {
    kind: ParseErrorKind,
    message: String,
    loc: ErrLoc,
}

impl Fail {
    fn syntax(message: impl Into<String>, loc: ErrLoc) -> Self {
        Fail {
            kind: ParseErrorKind::Syntax,
            message: message.into(),
            loc,
        }
    }

    fn at(message: impl Into<String>, span: Span) -> Self {
        Self::syntax(message, ErrLoc::Byte(span.start))
    }

    fn budget(breach: BudgetBreach, loc: ErrLoc) -> Self {
        let (kind, message) = match breach {
            BudgetBreach::Depth { .. } => (
                ParseErrorKind::TooDeep,
                format!("budget breached: {breach:?}"),
            ),
            BudgetBreach::Nodes { .. } => (
                ParseErrorKind::TooLarge,
                format!("it holds more than {MAX_NODES} values once aliases are expanded"),
            ),
            BudgetBreach::Aliases { .. } | BudgetBreach::AliasAnchorRatio { .. } => {
                (ParseErrorKind::TooLarge, ALIAS_BOMB.to_string())
            }
            _ => (
                ParseErrorKind::TooLarge,
                format!("budget breached: {breach:?}"),
            ),
        };
        Fail { kind, message, loc }
    }

    fn alias_bomb(loc: ErrLoc) -> Self {
        Fail {
            kind: ParseErrorKind::TooLarge,
            message: ALIAS_BOMB.to_string(),
            loc,
        }
    }

    fn scan(err: &ScanError) -> Self {
        let mark = err.marker();
        let loc = ErrLoc::LineCol(mark.line(), mark.col() + 1);
        let message = match err.kind() {
            ErrorKind::UnknownAnchor => UNKNOWN_ANCHOR.to_string(),
            _ => err.info(),
        };
        // The scanner refuses flow nesting past its own limit with a plain
        // message; it is the same refusal of a too-deep document.
        let kind = if message.contains("recursion limit") || message.contains("nesting limit") {
            ParseErrorKind::TooDeep
        } else {
            ParseErrorKind::Syntax
        };
        Fail { kind, message, loc }
    }

    fn into_error(self, text: &str) -> ParseError {
        ParseError {
            kind: self.kind,
            message: self.message,
            offset: byte_offset(text, self.loc),
        }
    }
}

const ALIAS_BOMB: &str = "its aliases expand too far (a possible billion-laughs attack)";
const UNKNOWN_ANCHOR: &str = "alias references unknown anchor";
const RECURSIVE_ALIAS: &str = "recursive references require weak recursion types";
const BAD_MERGE: &str = "YAML merge value must be mapping or sequence of mappings";

/// The byte offset of `loc` in `text`. Scanner errors carry only a line and a
/// character column, so those are mapped through the text.
fn byte_offset(text: &str, loc: ErrLoc) -> Option<usize> {
    let (line, column) = match loc {
        ErrLoc::Byte(offset) => return Some(offset).filter(|&o| o <= text.len()),
        ErrLoc::LineCol(line, column) => (line, column),
        ErrLoc::Unknown => return None,
    };
    let line = line.checked_sub(1)?;
    let column = column.saturating_sub(1);
    let line_start = if line == 0 {
        0
    } else {
        text.match_indices('\n').nth(line - 1)?.0 + 1
    };
    let rest = &text[line_start..];
    let line_text = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let within = line_text
        .char_indices()
        .nth(column)
        .map_or(line_text.len(), |(i, _)| i);
    Some(line_start + within)
}

// ---------------------------------------------------------------------------
// Logical events: the parser's, with document markers dropped and aliases replayed

/// Why an event is seen somewhere other than where it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Direct,
    /// Replayed for the alias (`*name`) at this span.
    Alias(Span),
    /// Merged (`<<`) into a map; the span is the merge value's use.
    Merge(Span),
}

#[derive(Clone, Debug)]
enum Kind<'a> {
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
struct Ev<'a> {
    kind: Kind<'a>,
    /// Where the event is written.
    span: Span,
    origin: Origin,
}

impl Ev<'_> {
    /// Where the node this event starts is used: the alias or merge, else itself.
    fn reference(&self) -> Span {
        match self.origin {
            Origin::Alias(at) | Origin::Merge(at) => at,
            Origin::Direct => self.span,
        }
    }

    fn alias(&self) -> Option<Span> {
        match self.origin {
            Origin::Alias(at) => Some(at),
            _ => None,
        }
    }

    /// Bytes an anchor's copy of this event owns (charged to the anchor budget).
    fn owned_bytes(&self) -> usize {
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

fn span_of(span: &granit_parser::Span) -> Span {
    match (span.start.byte_offset(), span.end.byte_offset()) {
        (Some(start), Some(end)) => Span::new(start, end.max(start)),
        _ => Span::default(),
    }
}

/// A source of logical events the tree is built from: the live parser, or a
/// recorded node replayed (for merges and buffered keys).
trait Source<'a> {
    fn peek(&mut self) -> Result<Option<&Ev<'a>>, Fail>;
    fn next(&mut self) -> Result<Option<Ev<'a>>, Fail>;
}

/// The counters of serde-saphyr's `BudgetEnforcer` (whole-stream scope), with the
/// limits [`parse`] has always used: its defaults, depth [`MAX_DEPTH`] and nodes
/// [`MAX_NODES`].
struct Budget {
    events: usize,
    aliases: usize,
    anchors: HashSet<usize>,
    recorded_anchor_events: usize,
    recorded_anchor_bytes: usize,
    documents: usize,
    nodes: usize,
    depth: usize,
    max_depth: usize,
    scalar_bytes: usize,
    merge_keys: usize,
    /// Open containers: for a map, whether its next child is a key; and whether
    /// the container is itself a map value.
    containers: Vec<(bool, bool, bool)>,
}

const MAX_EVENTS: usize = 1_000_000;
const MAX_ALIASES: usize = 50_000;
const MAX_ANCHORS: usize = 50_000;
const MAX_RECORDED_ANCHOR_EVENTS: usize = 1_000_000;
const MAX_RECORDED_ANCHOR_BYTES: usize = 64 * 1024 * 1024;
const MAX_DOCUMENTS: usize = 1_024;
const MAX_SCALAR_BYTES: usize = 64 * 1024 * 1024;
const MAX_MERGE_KEYS: usize = 10_000;
const MAX_REPLAYED_EVENTS: usize = 1_000_000;
const ALIAS_RATIO_MIN_ALIASES: usize = 100;
const ALIAS_RATIO: usize = 10;

/// What the budget sees of one event.
enum Seen<'e> {
    Scalar {
        value: &'e str,
        style: ScalarStyle,
        tag_len: usize,
        /// `None` untagged, `Some(true)` the YAML merge tag, `Some(false)` another.
        merge_tag: Option<bool>,
        anchor: usize,
    },
    Start {
        map: bool,
        tag_len: usize,
        anchor: usize,
    },
    End {
        map: bool,
    },
    DocumentStart,
    Other,
}

impl Budget {
    fn new() -> Self {
        Budget {
            events: 0,
            aliases: 0,
            anchors: HashSet::new(),
            recorded_anchor_events: 0,
            recorded_anchor_bytes: 0,
            documents: 0,
            nodes: 0,
            depth: 0,
            max_depth: 0,
            scalar_bytes: 0,
            merge_keys: 0,
            containers: Vec::new(),
        }
    }

    fn observe(&mut self, seen: Seen) -> Result<(), BudgetBreach> {
        self.events += 1;
        if self.events > MAX_EVENTS {
            return Err(BudgetBreach::Events {
                events: self.events,
            });
        }
        match seen {
            Seen::Scalar {
                value,
                style,
                tag_len,
                merge_tag,
                anchor,
            } => {
                self.bump_nodes()?;
                self.bump_scalar_bytes(value.len().saturating_add(tag_len))?;
                self.record_anchor(anchor)?;
                if let Some((true, expecting_key, _)) = self.containers.last_mut() {
                    if *expecting_key {
                        let plain = matches!(style, ScalarStyle::Plain);
                        if value == "<<"
                            && (merge_tag == Some(true) || merge_tag.is_none() && plain)
                        {
                            self.merge_keys += 1;
                            if self.merge_keys > MAX_MERGE_KEYS {
                                return Err(BudgetBreach::MergeKeys {
                                    merge_keys: self.merge_keys,
                                });
                            }
                        }
                        *expecting_key = false;
                    } else {
                        *expecting_key = true;
                    }
                }
            }
            Seen::Start {
                map,
                tag_len,
                anchor,
            } => {
                self.bump_nodes()?;
                self.depth = self.depth.saturating_add(1);
                self.max_depth = self.max_depth.max(self.depth);
                if self.max_depth > MAX_DEPTH {
                    return Err(BudgetBreach::Depth {
                        depth: self.max_depth,
                    });
                }
                self.bump_scalar_bytes(tag_len)?;
                let from_value = match self.containers.last_mut() {
                    Some((true, expecting_key, _)) if *expecting_key => {
                        *expecting_key = false;
                        false
                    }
                    Some((true, _, _)) => true,
                    _ => false,
                };
                self.containers.push((map, true, from_value));
                self.record_anchor(anchor)?;
            }
            Seen::End { map } => {
                self.depth = self
                    .depth
                    .checked_sub(1)
                    .ok_or(BudgetBreach::SequenceUnbalanced)?;
                let from_value = match self.containers.pop() {
                    Some((was_map, _, from_value)) if was_map == map => from_value,
                    _ => return Err(BudgetBreach::SequenceUnbalanced),
                };
                if from_value {
                    if let Some((true, expecting_key, _)) = self.containers.last_mut() {
                        *expecting_key = true;
                    }
                }
            }
            Seen::DocumentStart => {
                self.documents += 1;
                if self.documents > MAX_DOCUMENTS {
                    return Err(BudgetBreach::Documents {
                        documents: self.documents,
                    });
                }
            }
            Seen::Other => {}
        }
        Ok(())
    }

    /// An alias token: counted, without advancing a map's key/value state (its
    /// replayed events do that).
    fn observe_alias(&mut self) -> Result<(), BudgetBreach> {
        self.events += 1;
        if self.events > MAX_EVENTS {
            return Err(BudgetBreach::Events {
                events: self.events,
            });
        }
        self.aliases += 1;
        if self.aliases > MAX_ALIASES {
            return Err(BudgetBreach::Aliases {
                aliases: self.aliases,
            });
        }
        Ok(())
    }

    fn observe_anchor_copy(&mut self, owned_bytes: usize) -> Result<(), BudgetBreach> {
        self.recorded_anchor_events = self.recorded_anchor_events.saturating_add(1);
        if self.recorded_anchor_events > MAX_RECORDED_ANCHOR_EVENTS {
            return Err(BudgetBreach::RecordedAnchorEvents {
                recorded_anchor_events: self.recorded_anchor_events,
            });
        }
        self.recorded_anchor_bytes = self.recorded_anchor_bytes.saturating_add(owned_bytes);
        if self.recorded_anchor_bytes > MAX_RECORDED_ANCHOR_BYTES {
            return Err(BudgetBreach::RecordedAnchorBytes {
                recorded_anchor_bytes: self.recorded_anchor_bytes,
            });
        }
        Ok(())
    }

    fn bump_nodes(&mut self) -> Result<(), BudgetBreach> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(BudgetBreach::Nodes { nodes: self.nodes });
        }
        Ok(())
    }

    fn bump_scalar_bytes(&mut self, bytes: usize) -> Result<(), BudgetBreach> {
        self.scalar_bytes = self.scalar_bytes.saturating_add(bytes);
        if self.scalar_bytes > MAX_SCALAR_BYTES {
            return Err(BudgetBreach::ScalarBytes {
                total_scalar_bytes: self.scalar_bytes,
            });
        }
        Ok(())
    }

    fn record_anchor(&mut self, anchor: usize) -> Result<(), BudgetBreach> {
        if anchor != 0 && self.anchors.insert(anchor) && self.anchors.len() > MAX_ANCHORS {
            return Err(BudgetBreach::Anchors {
                anchors: self.anchors.len(),
            });
        }
        Ok(())
    }

    /// The check made once the whole stream is read: many aliases of few anchors.
    fn finish(&self) -> Result<(), BudgetBreach> {
        let anchors = self.anchors.len();
        if self.aliases >= ALIAS_RATIO_MIN_ALIASES
            && (anchors == 0 || self.aliases > ALIAS_RATIO.saturating_mul(anchors))
        {
            return Err(BudgetBreach::AliasAnchorRatio {
                aliases: self.aliases,
                anchors,
            });
        }
        Ok(())
    }
}

fn tag_len(tag: Option<&Tag>) -> usize {
    tag.map_or(0, |tag| {
        let (handle, suffix) = tag.parts();
        handle.len().saturating_add(suffix.len())
    })
}

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
struct Live<'a> {
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
    fn new(text: &'a str) -> Self {
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

    fn finish(&mut self) -> Result<(), Fail> {
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

/// A recorded node replayed.
struct Replay<'a> {
    events: std::vec::IntoIter<Ev<'a>>,
    look: Option<Ev<'a>>,
}

impl<'a> Replay<'a> {
    fn new(events: Vec<Ev<'a>>) -> Self {
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
fn merged(mut events: Vec<Ev<'_>>, at: Span) -> Vec<Ev<'_>> {
    for ev in &mut events {
        if !matches!(ev.origin, Origin::Alias(_)) {
            ev.origin = Origin::Merge(at);
        }
    }
    events
}

// ---------------------------------------------------------------------------
// Tags (serde-saphyr's classification)

const YAML_TAG_NAMESPACE: &str = "tag:yaml.org,2002:";

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum SfTag {
    None,
    Int,
    Float,
    Bool,
    Null,
    Seq,
    Map,
    TimeStamp,
    Time,
    Binary,
    String,
    Merge,
    Value,
    NonSpecific,
    Include,
    Degrees,
    Radians,
    Other,
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum TagNode {
    Scalar,
    Sequence,
    Mapping,
}

impl SfTag {
    fn of(tag: Option<&Tag>) -> SfTag {
        let Some(tag) = tag else {
            return SfTag::None;
        };
        for prefix in [
            "!include",
            "tag:yaml.org,2002:include",
            "tag:yaml.org,2002:!include",
        ] {
            if let Some(rest) = tag.suffix_in_namespace(prefix) {
                if rest.is_empty() || rest.starts_with('#') {
                    return SfTag::Include;
                }
            }
        }
        if let Some(core) = tag.core_suffix().and_then(core_suffix_tag) {
            return core;
        }
        if is_yaml_merge_tag(tag) {
            return SfTag::Merge;
        }
        if tag
            .suffix_in_namespace(YAML_TAG_NAMESPACE)
            .is_some_and(|suffix| suffix == "value")
        {
            return SfTag::Value;
        }
        if let Some(suffix) = tag.suffix_in_namespace(YAML_TAG_NAMESPACE) {
            return tag_name(suffix.strip_prefix('!').unwrap_or(&suffix));
        }
        let Some(suffix) = tag.suffix_in_namespace("!") else {
            return SfTag::Other;
        };
        match suffix.as_ref() {
            "" | "!" => SfTag::NonSpecific,
            "!timestamp" => SfTag::TimeStamp,
            "!binary" => SfTag::Binary,
            name => match name.strip_prefix('!') {
                Some(name) => core_suffix_tag(name).unwrap_or(SfTag::Other),
                None => tag_name(name),
            },
        }
    }

    const fn requires(self) -> Option<TagNode> {
        match self {
            SfTag::Int
            | SfTag::Float
            | SfTag::Bool
            | SfTag::Null
            | SfTag::TimeStamp
            | SfTag::Time
            | SfTag::Binary
            | SfTag::String
            | SfTag::Merge
            | SfTag::Value
            | SfTag::Include
            | SfTag::Degrees
            | SfTag::Radians => Some(TagNode::Scalar),
            SfTag::Seq => Some(TagNode::Sequence),
            SfTag::Map => Some(TagNode::Mapping),
            SfTag::None | SfTag::NonSpecific | SfTag::Other => None,
        }
    }

    fn forces_string(self) -> bool {
        matches!(self, SfTag::String | SfTag::NonSpecific)
    }

    fn is_robotics(self) -> bool {
        matches!(self, SfTag::Time | SfTag::Degrees | SfTag::Radians)
    }

    fn can_parse_into_string(self) -> bool {
        matches!(
            self,
            SfTag::None
                | SfTag::String
                | SfTag::Merge
                | SfTag::Value
                | SfTag::Other
                | SfTag::Include
                | SfTag::NonSpecific
        )
    }

    fn is_core(self) -> bool {
        matches!(
            self,
            SfTag::Int
                | SfTag::Float
                | SfTag::Bool
                | SfTag::Null
                | SfTag::Seq
                | SfTag::Map
                | SfTag::String
        )
    }
}

fn tag_name(name: &str) -> SfTag {
    match name {
        "int" => SfTag::Int,
        "float" => SfTag::Float,
        "bool" => SfTag::Bool,
        "null" => SfTag::Null,
        "seq" => SfTag::Seq,
        "map" => SfTag::Map,
        "str" => SfTag::String,
        "timestamp" => SfTag::TimeStamp,
        "time" => SfTag::Time,
        "binary" => SfTag::Binary,
        "include" => SfTag::Include,
        "degrees" => SfTag::Degrees,
        "radians" => SfTag::Radians,
        _ => SfTag::Other,
    }
}

fn core_suffix_tag(suffix: &str) -> Option<SfTag> {
    match suffix {
        "null" => Some(SfTag::Null),
        "bool" => Some(SfTag::Bool),
        "int" => Some(SfTag::Int),
        "float" => Some(SfTag::Float),
        "map" => Some(SfTag::Map),
        "seq" => Some(SfTag::Seq),
        "str" => Some(SfTag::String),
        _ => None,
    }
}

fn is_yaml_merge_tag(tag: &Tag) -> bool {
    tag.suffix_in_namespace(YAML_TAG_NAMESPACE)
        .is_some_and(|suffix| suffix == "merge")
}

/// A tag on the wrong kind of node (`!!str` on a map) is refused.
fn check_tag(kind: SfTag, tag: Option<&Tag>, node: TagNode, span: Span) -> Result<(), Fail> {
    match kind.requires() {
        Some(required) if required != node => {
            if kind == SfTag::Include {
                Err(Fail::at(
                    "!include currently only supports the scalar form: !include <path>",
                    span,
                ))
            } else {
                let tag = tag.map_or_else(String::new, Tag::original);
                Err(Fail::at(format!("unsupported tag `{tag}`"), span))
            }
        }
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------
// Scalars (serde-saphyr's `deserialize_any` with strict booleans)

fn yaml_trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r', '\n'])
}

fn parse_yaml12_bool(s: &str) -> Option<bool> {
    match yaml_trim(s) {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn scalar_is_nullish(value: &str, style: ScalarStyle) -> bool {
    matches!(style, ScalarStyle::Plain) && matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

fn scalar_is_null(tag: SfTag, value: &str, style: ScalarStyle) -> bool {
    tag == SfTag::Null
        || (!tag.is_core()
            && !tag.forces_string()
            && !matches!(tag, SfTag::Binary | SfTag::TimeStamp)
            && !tag.is_robotics()
            && scalar_is_nullish(value, style))
}

/// Digits in `radix`, single underscores allowed between them.
fn parse_digits(digits: &str, radix: u32) -> Option<u128> {
    let mut val: u128 = 0;
    let mut saw = false;
    let bytes = digits.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let d = match b {
            b'_' => {
                let prev_ok = i > 0 && bytes[i - 1] != b'_';
                let next_ok = i + 1 < bytes.len() && bytes[i + 1] != b'_';
                if !prev_ok || !next_ok {
                    return None;
                }
                continue;
            }
            b'0'..=b'9' => u32::from(b - b'0'),
            b'a'..=b'f' if radix > 10 => 10 + u32::from(b - b'a'),
            b'A'..=b'F' if radix > 10 => 10 + u32::from(b - b'A'),
            _ => return None,
        };
        if d >= radix {
            return None;
        }
        val = val.checked_mul(u128::from(radix))?;
        val = val.checked_add(u128::from(d))?;
        saw = true;
    }
    saw.then_some(val)
}

fn radix_and_digits(rest: &str) -> (u32, &str) {
    if let Some(r) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        (16, r)
    } else if let Some(r) = rest.strip_prefix("0o").or_else(|| rest.strip_prefix("0O")) {
        (8, r)
    } else if let Some(r) = rest.strip_prefix("0b").or_else(|| rest.strip_prefix("0B")) {
        (2, r)
    } else {
        (10, rest)
    }
}

/// A YAML integer as sign and magnitude (`None`: not an integer, or out of the
/// i128 range when negative / u128 range when not).
fn parse_int(s: &str, signed: bool) -> Option<(bool, u128)> {
    let t = yaml_trim(s);
    let (neg, rest) = match t.strip_prefix('+') {
        Some(r) => (false, r),
        None => match t.strip_prefix('-') {
            Some(_) if !signed => return None,
            Some(r) => (true, r),
            None => (false, t),
        },
    };
    let (radix, digits) = radix_and_digits(rest);
    if radix == 10 && digits.starts_with('0') && digits != "0" {
        return None;
    }
    let mag = parse_digits(digits, radix)?;
    if signed {
        let limit = if neg {
            (i128::MAX as u128) + 1
        } else {
            i128::MAX as u128
        };
        if mag > limit {
            return None;
        }
    }
    Some((neg && mag != 0, mag))
}

fn fits_i64(neg: bool, mag: u128) -> bool {
    if neg {
        mag <= (i64::MAX as u128) + 1
    } else {
        mag <= i64::MAX as u128
    }
}

fn is_signed_nan(t: &str) -> bool {
    t.strip_prefix(['+', '-'])
        .is_some_and(|unsigned| matches!(unsigned, ".nan" | ".NaN" | ".NAN"))
}

fn leading_zero_decimal(t: &str) -> bool {
    let s = yaml_trim(t);
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// YAML 1.2 floats, non-finite spellings and f64 overflow (`1e999`) included.
fn parse_float(s: &str, tag: SfTag) -> Option<f64> {
    let t = yaml_trim(s);
    if tag == SfTag::Float && is_signed_nan(t) {
        return Some(f64::NAN);
    }
    let (negative, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    match unsigned {
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" if negative => return Some(f64::NEG_INFINITY),
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        _ => {}
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => return Some(v),
        _ => {}
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if !unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_infinite() => Some(v),
        _ => None,
    }
}

fn number_or_non_finite(v: f64, raw: &str) -> Result<Value, String> {
    if v.is_finite() {
        Ok(Value::Number)
    } else {
        Err(format!(
            "non-finite float `{raw}` rejected by the configured policy"
        ))
    }
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    fn val(b: u8) -> Option<u32> {
        Some(u32::from(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let cleaned: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !cleaned.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(cleaned.len() / 4 * 3);
    let total = cleaned.len() / 4;
    for (idx, chunk) in cleaned.chunks_exact(4).enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 0 && idx + 1 != total {
            return None;
        }
        let a = val(chunk[0])?;
        let b = val(chunk[1])?;
        let c = match chunk[2] {
            b'=' if pad < 2 => return None,
            b'=' => 0,
            byte => val(byte)?,
        };
        let d = match chunk[3] {
            b'=' if pad == 0 => return None,
            b'=' => 0,
            byte => val(byte)?,
        };
        if (pad == 2 && (b & 0x0F) != 0) || (pad == 1 && (c & 0x03) != 0) || pad > 2 {
            return None;
        }
        let triple = (a << 18) | (b << 12) | (c << 6) | d;
        out.push(((triple >> 16) & 0xFF) as u8);
        if pad < 2 {
            out.push(((triple >> 8) & 0xFF) as u8);
        }
        if pad == 0 {
            out.push((triple & 0xFF) as u8);
        }
    }
    Some(out)
}

/// A scalar's value as serde-saphyr's `deserialize_any` gives it to an untyped
/// visitor; the error is its message (the location is the scalar's).
fn resolve(value: Cow<'_, str>, style: ScalarStyle, tag: SfTag) -> Result<Value, String> {
    match tag {
        SfTag::Null => return Ok(Value::Null),
        SfTag::Bool => {
            return parse_yaml12_bool(&value)
                .map(Value::Bool)
                .ok_or_else(|| "invalid boolean (strict mode expects true/false)".to_string());
        }
        SfTag::Int => {
            let signed = yaml_trim(&value).starts_with('-');
            let ty = if signed { "i64" } else { "u64" };
            return match parse_int(&value, signed) {
                Some((neg, mag)) if !signed || fits_i64(neg, mag) => {
                    if signed || u64::try_from(mag).is_ok() {
                        Ok(Value::Number)
                    } else {
                        Err(format!("invalid {ty}"))
                    }
                }
                _ => Err(format!("invalid {ty}")),
            };
        }
        SfTag::Float | SfTag::Time | SfTag::Degrees | SfTag::Radians => {
            if tag != SfTag::Float {
                return Err("invalid floating point".to_string());
            }
            let v = parse_float(&value, tag).ok_or_else(|| "invalid floating point".to_string())?;
            return number_or_non_finite(v, &value);
        }
        _ => {}
    }
    if scalar_is_null(tag, &value, style) {
        return Ok(Value::Null);
    }
    let plain = matches!(style, ScalarStyle::Plain);
    if !plain || !tag.can_parse_into_string() || tag == SfTag::Binary || tag.forces_string() {
        if tag == SfTag::Binary {
            let data =
                decode_base64(&value).ok_or_else(|| "invalid !!binary base64".to_string())?;
            return String::from_utf8(data).map(Value::String).map_err(|_| {
                "!!binary scalar is not valid UTF-8 so cannot be stored into string. \
                 If you just use !!binary for documentation/annotation, set ignore_binary_tag_for_string in Options"
                    .to_string()
            });
        }
        if !tag.can_parse_into_string() {
            return Err("cannot deserialize tagged scalar into string".to_string());
        }
        return Ok(Value::String(value.into_owned()));
    }
    if let Some(b) = parse_yaml12_bool(&value) {
        return Ok(Value::Bool(b));
    }
    let t = yaml_trim(&value);
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if matches!(unsigned.as_bytes(), [b'0', b'X' | b'O' | b'B', ..]) || is_signed_nan(t) {
        return Ok(Value::String(value.into_owned()));
    }
    if t.starts_with('-') {
        if !leading_zero_decimal(t) {
            if let Some((neg, mag)) = parse_int(t, true) {
                if fits_i64(neg, mag) {
                    return Ok(Value::Number);
                }
            }
        }
    } else if let Some((_, mag)) = parse_int(t, false) {
        if u64::try_from(mag).is_ok() {
            return Ok(Value::Number);
        }
    }
    if let Some(v) = parse_float(&value, tag) {
        return number_or_non_finite(v, &value);
    }
    Ok(Value::String(value.into_owned()))
}

// ---------------------------------------------------------------------------
// Key identity (serde-saphyr's key fingerprints), for merges and integer keys

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KeyTag {
    Semantic(SfTag),
    Custom(Box<str>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Fp<'a> {
    Recursive(usize),
    /// Integer identity, independent of spelling (`1`, `0x1`, `+1`).
    Integer {
        negative: bool,
        magnitude: u128,
    },
    Scalar {
        value: Cow<'a, str>,
        tag: KeyTag,
    },
    Sequence {
        tag: KeyTag,
        elements: Vec<Fp<'a>>,
    },
    Mapping {
        tag: KeyTag,
        entries: Vec<(Fp<'a>, Fp<'a>)>,
    },
}

impl Fp<'_> {
    fn contains_integer(&self) -> bool {
        match self {
            Fp::Integer { .. } => true,
            Fp::Sequence { elements, .. } => elements.iter().any(Fp::contains_integer),
            Fp::Mapping { entries, .. } => entries
                .iter()
                .any(|(k, v)| k.contains_integer() || v.contains_integer()),
            Fp::Scalar { .. } | Fp::Recursive(_) => false,
        }
    }
}

fn key_tag(tag: SfTag, raw_tag: Option<&str>, implicit: SfTag) -> KeyTag {
    if tag == SfTag::Other
        || (implicit == SfTag::Map && tag == SfTag::Map && raw_tag == Some("!map"))
    {
        if let Some(raw) = raw_tag {
            return KeyTag::Custom(raw.into());
        }
    }
    let tag = if matches!(tag, SfTag::None | SfTag::NonSpecific) {
        implicit
    } else if implicit == SfTag::String && tag.can_parse_into_string() {
        SfTag::String
    } else {
        tag
    };
    KeyTag::Semantic(tag)
}

fn scalar_fp<'a>(
    value: &Cow<'a, str>,
    style: ScalarStyle,
    tag: SfTag,
    raw_tag: Option<&str>,
) -> Fp<'a> {
    if tag == SfTag::Int || (tag == SfTag::None && matches!(style, ScalarStyle::Plain)) {
        let signed = yaml_trim(value).starts_with('-');
        if let Some((negative, magnitude)) = parse_int(value, signed) {
            return Fp::Integer {
                negative,
                magnitude,
            };
        }
    }
    let tag = if tag == SfTag::None && scalar_is_null(tag, value, style) {
        SfTag::Null
    } else {
        tag
    };
    Fp::Scalar {
        value: value.clone(),
        tag: key_tag(tag, raw_tag, SfTag::String),
    }
}

/// The fingerprint of the node starting at `events[*at]`; moves `at` past it.
fn node_fp<'a>(events: &[Ev<'a>], at: &mut usize) -> Fp<'a> {
    let ev = &events[*at];
    *at += 1;
    match &ev.kind {
        Kind::RecursiveAlias { anchor } => Fp::Recursive(*anchor),
        Kind::Scalar {
            value,
            style,
            tag,
            raw_tag,
        } => scalar_fp(value, *style, *tag, raw_tag.as_deref()),
        Kind::SeqStart { tag, raw_tag } => {
            let tag = key_tag(*tag, raw_tag.as_deref(), SfTag::Seq);
            let mut elements = Vec::new();
            while *at < events.len() && !matches!(events[*at].kind, Kind::SeqEnd) {
                elements.push(node_fp(events, at));
            }
            *at += 1;
            Fp::Sequence { tag, elements }
        }
        Kind::MapStart { tag, raw_tag } => {
            let tag = key_tag(*tag, raw_tag.as_deref(), SfTag::Map);
            let mut entries = Vec::new();
            while *at < events.len() && !matches!(events[*at].kind, Kind::MapEnd) {
                let key = node_fp(events, at);
                let value = node_fp(events, at);
                entries.push((key, value));
            }
            *at += 1;
            entries.sort();
            Fp::Mapping { tag, entries }
        }
        Kind::SeqEnd | Kind::MapEnd => Fp::Recursive(usize::MAX),
    }
}

/// The index just past the node starting at `events[start]`.
fn node_end(events: &[Ev<'_>], start: usize) -> usize {
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

fn is_merge_key(ev: &Ev<'_>) -> bool {
    matches!(&ev.kind, Kind::Scalar { value, tag, style, .. }
        if value == "<<" && (*tag == SfTag::Merge || *tag == SfTag::None && matches!(style, ScalarStyle::Plain)))
}

/// A key and its value, recorded, not yet built (merged entries, and the entries
/// of a map after an integer key, are built only if they survive).
struct Entry<'a> {
    key: Vec<Ev<'a>>,
    fp: Fp<'a>,
    value: Vec<Ev<'a>>,
}

/// Keeps the last entry of each key, in order (serde-saphyr's last-wins policy
/// for buffered entries).
fn last_wins(entries: Vec<Entry<'_>>) -> Vec<Entry<'_>> {
    let mut seen = HashSet::with_capacity(entries.len());
    let mut kept: Vec<Entry<'_>> = entries
        .into_iter()
        .rev()
        .filter(|e| seen.insert(e.fp.clone()))
        .collect();
    kept.reverse();
    kept
}

// ---------------------------------------------------------------------------
// The tree builder

/// Where a node sits in its parent. An error inside a map value or a sequence
/// item that was replayed for an alias is reported at the alias (serde-saphyr
/// wraps those errors with the alias's location); keys and roots are not.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Slot {
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
    Seq(Vec<Node>),
    Map(Box<MapFrame<'a>>),
}

struct MapFrame<'a> {
    entries: Vec<(Node, Node)>,
    /// The key read, waiting for its value.
    key: Option<Node>,
    /// Where this map's key fingerprints start in the shared list.
    fp_start: usize,
    /// Entries merged in with `<<`, in merge order, not yet filtered or built.
    merges: Vec<Entry<'a>>,
}

/// Builds one node from a source, iteratively: maps and sequences are frames on
/// an explicit stack, so nesting costs heap, not call stack.
struct Builder<'s, 'f, 'a, S> {
    src: &'s mut S,
    /// Fingerprints of the keys of the maps being built, each map's after its
    /// parent's (only read when a map merges or meets an integer key).
    fps: &'f mut Vec<Fp<'a>>,
    /// The alias an error in this node is reported at, from the context that
    /// started this builder (a merge or a buffered key).
    outer_wrap: Option<Span>,
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
    ) -> Result<Node, Fail> {
        let mut replay = Replay::new(events);
        Builder {
            src: &mut replay,
            fps: self.fps,
            outer_wrap: wrap,
        }
        .node(slot)
    }

    fn node(mut self, slot: Slot) -> Result<Node, Fail> {
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
    fn end(&mut self, stack: &mut Vec<Frame<'a>>) -> Result<Node, Fail> {
        self.src.next()?;
        self.end_read(stack)
    }

    /// Completes the frame on top of `stack`, whose end was read.
    fn end_read(&mut self, stack: &mut Vec<Frame<'a>>) -> Result<Node, Fail> {
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
    fn finish(&mut self, frame: Frame<'a>, stack: &[Frame<'a>]) -> Result<Node, Fail> {
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

/// The entries a `<<` value merges (a map, or a sequence of maps), read where it
/// is used: each map's reference is its own use (its alias, or itself).
fn merge_value<'a>(
    events: Vec<Ev<'a>>,
    fail: &dyn Fn(&str, Span) -> Fail,
) -> Result<Vec<Entry<'a>>, Fail> {
    match &events[0].kind {
        Kind::MapStart { .. } => {
            let at = events[0].reference();
            merged_entries(merged(events, at), fail)
        }
        Kind::SeqStart { .. } => {
            let mut out = Vec::new();
            let mut i = 1;
            while i < events.len() && !matches!(events[i].kind, Kind::SeqEnd) {
                let end = node_end(&events, i);
                let element = events[i..end].to_vec();
                let at = element[0].reference();
                out.extend(merged_entries(merged(element, at), fail)?);
                i = end;
            }
            Ok(out)
        }
        Kind::RecursiveAlias { .. } => Err(fail(RECURSIVE_ALIAS, events[0].span)),
        _ => Err(fail(BAD_MERGE, events[0].span)),
    }
}

/// The entries of a merged node (serde-saphyr's `pending_entries_from_events`):
/// null merges nothing, a map its entries (the last of each key, then its own
/// merges), a sequence each element's in turn.
fn merged_entries<'a>(
    events: Vec<Ev<'a>>,
    fail: &dyn Fn(&str, Span) -> Fail,
) -> Result<Vec<Entry<'a>>, Fail> {
    match &events[0].kind {
        Kind::RecursiveAlias { .. } => Err(fail(RECURSIVE_ALIAS, events[0].span)),
        Kind::Scalar {
            value, style, tag, ..
        } => {
            if scalar_is_null(*tag, value, *style) {
                Ok(Vec::new())
            } else {
                Err(fail(BAD_MERGE, events[0].span))
            }
        }
        Kind::SeqStart { .. } => {
            let mut out = Vec::new();
            let mut i = 1;
            while i < events.len() && !matches!(events[i].kind, Kind::SeqEnd) {
                let end = node_end(&events, i);
                let element = events[i..end].to_vec();
                let at = element[0].reference();
                out.extend(merged_entries(merged(element, at), fail)?);
                i = end;
            }
            Ok(out)
        }
        Kind::MapStart { .. } => {
            let mut fields = Vec::new();
            let mut nested = Vec::new();
            let mut i = 1;
            while i < events.len() && !matches!(events[i].kind, Kind::MapEnd) {
                if matches!(events[i].kind, Kind::RecursiveAlias { .. }) {
                    return Err(fail(RECURSIVE_ALIAS, events[i].span));
                }
                let key_end = node_end(&events, i);
                let value_end = node_end(&events, key_end);
                if key_end - i == 1 && is_merge_key(&events[i]) {
                    let value = &events[key_end..value_end];
                    match &value[0].kind {
                        Kind::Scalar {
                            value: text,
                            style,
                            tag,
                            ..
                        } if scalar_is_null(*tag, text, *style) => {}
                        _ => nested.extend(merge_value(value.to_vec(), fail)?),
                    }
                } else {
                    let key = events[i..key_end].to_vec();
                    let fp = node_fp(&key, &mut 0);
                    fields.push(Entry {
                        key,
                        fp,
                        value: events[key_end..value_end].to_vec(),
                    });
                }
                i = value_end;
            }
            let mut entries = last_wins(fields);
            entries.extend(nested);
            Ok(entries)
        }
        Kind::SeqEnd | Kind::MapEnd => Err(fail(BAD_MERGE, events[0].span)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    /// The product promises a diagnostic within a second (release build); an
    /// unoptimised test build on a shared machine gets ten times that, which
    /// still catches an exponential blow-up.
    const BOUND: Duration = Duration::from_secs(if cfg!(debug_assertions) { 10 } else { 1 });

    fn refused(text: &str) -> ParseError {
        let started = Instant::now();
        let result = parse(text);
        assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
        match result {
            Err(err) => err,
            Ok(_) => panic!("parsed, expected a refusal"),
        }
    }

    #[test]
    fn keys_and_values_carry_byte_spans() {
        let text = "kind: job # c\nspec:\n  image: \"mlrun/mlrun\"\n  args: [a, 'b']\n";
        let docs = parse(text).unwrap();
        let [doc] = docs.as_slice() else { panic!() };
        let (key, value) = &doc.as_map().unwrap()[0];
        assert_eq!(slice(text, key.span), "kind");
        assert_eq!(slice(text, value.span), "job");
        let image = doc.get("spec").unwrap().get("image").unwrap();
        assert_eq!(slice(text, image.span), "\"mlrun/mlrun\"");
        assert_eq!(image.as_str(), Some("mlrun/mlrun"));
        let args = doc
            .get("spec")
            .unwrap()
            .get("args")
            .unwrap()
            .as_seq()
            .unwrap();
        assert_eq!(slice(text, args[1].span), "'b'");
    }

    #[test]
    fn every_document_is_read_and_empty_ones_skipped() {
        let text = "a: 1\n---\n---\nb: [x]\n...\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert!(docs[1].get("b").is_some());
    }

    #[test]
    fn alias_span_is_the_use_and_defined_is_the_anchor() {
        let text = "a: &img mlrun/mlrun\nb: *img\nbase: &m {image: x}\nc: *m\nd:\n  <<: *m\n";
        let docs = parse(text).unwrap();
        let b = docs[0].get("b").unwrap();
        assert_eq!(slice(text, b.span), "*img");
        assert_eq!(slice(text, b.defined), "mlrun/mlrun");
        let c_image = docs[0].get("c").unwrap().get("image").unwrap();
        assert_eq!(slice(text, c_image.defined), "x");
        let merged = docs[0].get("d").unwrap().get("image").unwrap();
        assert_eq!(slice(text, merged.defined), "x");
    }

    #[test]
    fn yaml_1_1_booleans_stay_strings_and_numbers_keep_their_text() {
        let text = "n: y\non: yes\nv: 1.10\nt: true\n";
        let doc = &parse(text).unwrap()[0];
        assert_eq!(doc.get_str("n"), Some("y"));
        assert_eq!(doc.get_str("on"), Some("yes"));
        let v = doc.get("v").unwrap();
        assert_eq!((&v.value, slice(text, v.defined)), (&Value::Number, "1.10"));
        assert_eq!(doc.get("t").unwrap().value, Value::Bool(true));
    }

    #[test]
    fn duplicate_keys_last_wins_as_in_pyyaml() {
        let doc = &parse("image: a\nimage: b\n").unwrap()[0];
        assert_eq!(doc.get_str("image"), Some("b"));
    }

    fn keys(node: &Node) -> Vec<&str> {
        node.as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str().unwrap())
            .collect()
    }

    #[test]
    fn merged_entries_follow_the_explicit_ones_and_are_spanned_at_the_alias() {
        let text = "a: &a {x: 1, y: 2}\nc:\n  y: 3\n  <<: *a\n  z: 4\n";
        let c = parse(text).unwrap()[0].get("c").unwrap().clone();
        // Explicit keys first (in order), then merged keys the map lacks.
        assert_eq!(keys(&c), ["y", "z", "x"]);
        let (x_key, x_value) = &c.as_map().unwrap()[2];
        assert_eq!(slice(text, x_key.span), "*a");
        assert_eq!(slice(text, x_key.defined), "x");
        assert_eq!(slice(text, x_value.span), "*a");
        assert_eq!(slice(text, x_value.defined), "1");
        assert_eq!(slice(text, c.get("y").unwrap().defined), "3");
    }

    #[test]
    fn a_sequence_merge_takes_each_key_from_the_first_map_with_it() {
        let text = "c:\n  <<: [{x: 1}, {x: 2, y: 2}]\n";
        let c = parse(text).unwrap()[0].get("c").unwrap().clone();
        assert_eq!(keys(&c), ["x", "y"]);
        let entries = c.as_map().unwrap();
        // An inline map merged is spanned at its own opening brace.
        assert_eq!(entries[0].0.span, Span::new(10, 11));
        assert_eq!(slice(text, entries[0].1.defined), "1");
        assert_eq!(entries[1].0.span, Span::new(18, 19));
        assert_eq!(slice(text, entries[1].1.defined), "2");
        // A null merge merges nothing; a scalar one is refused.
        let doc = &parse("c:\n  <<: ~\n  a: 1\n").unwrap()[0];
        assert_eq!(keys(doc.get("c").unwrap()), ["a"]);
        let err = parse("c:\n  <<: 5\n").unwrap_err();
        assert_eq!(
            (err.kind, err.message.as_str(), err.offset),
            (
                ParseErrorKind::Syntax,
                "YAML merge value must be mapping or sequence of mappings",
                Some(9)
            )
        );
    }

    #[test]
    fn duplicate_keys_are_all_kept_but_integer_ones_keep_the_last() {
        let text = "a: 1\na: 2\n";
        let doc = &parse(text).unwrap()[0];
        let entries = doc.as_map().unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(slice(text, entries[1].1.span), "2");
        assert_eq!(slice(text, doc.get("a").unwrap().span), "2");
        // serde-saphyr resolves integer keys by value and keeps the last entry.
        let text = "1: a\n0x1: b\n";
        let doc = &parse(text).unwrap()[0];
        let [(key, value)] = doc.as_map().unwrap() else {
            panic!("{doc:?}")
        };
        assert_eq!((&key.value, slice(text, key.span)), (&Value::Number, "0x1"));
        assert_eq!(value.as_str(), Some("b"));
    }

    #[test]
    fn tags_and_odd_scalars_resolve_as_serde_saphyr_did() {
        let text = "a: !!str 1\nb: !!binary aGVsbG8=\nc: !!null x\nd: !custom 12\ne: ! 12\n\
                    f: -.nan\ng: 0X1F\nh: 012\ni: y\nj: 'true'\nk: True\nl: ~\nm:\n";
        let doc = &parse(text).unwrap()[0];
        let value = |key: &str| doc.get(key).unwrap().value.clone();
        let string = |s: &str| Value::String(s.to_string());
        assert_eq!(value("a"), string("1"));
        assert_eq!(value("b"), string("hello"));
        assert_eq!(value("c"), Value::Null);
        assert_eq!(value("d"), Value::Number);
        assert_eq!(value("e"), string("12"));
        assert_eq!(value("f"), string("-.nan"));
        assert_eq!(value("g"), string("0X1F"));
        assert_eq!(value("h"), Value::Number);
        assert_eq!(value("i"), string("y"));
        assert_eq!(value("j"), string("true"));
        assert_eq!(value("k"), Value::Bool(true));
        assert_eq!(value("l"), Value::Null);
        assert_eq!(value("m"), Value::Null);
        assert_eq!(slice(text, doc.get("b").unwrap().span), "aGVsbG8=");
    }

    #[test]
    fn scalars_serde_saphyr_refused_are_refused_at_the_same_place() {
        let refused = |text: &str| {
            let err = parse(text).unwrap_err();
            (err.kind, err.message, err.offset)
        };
        let syntax = |message: &str, offset: usize| {
            (ParseErrorKind::Syntax, message.to_string(), Some(offset))
        };
        assert_eq!(
            refused("a: .nan\n"),
            syntax(
                "non-finite float `.nan` rejected by the configured policy",
                3
            )
        );
        assert_eq!(
            refused("a: !!seq x\n"),
            syntax("unsupported tag `!!seq`", 9)
        );
        assert_eq!(refused("a: !!int x\n"), syntax("invalid u64", 9));
        assert_eq!(
            refused("a: !!binary aGVsbG8\n"),
            syntax("invalid !!binary base64", 12)
        );
        // An anchored value is read where it is defined, so that is where it fails.
        assert_eq!(
            refused("a: &v {k: !!bool x}\nb: *v\n"),
            syntax("invalid boolean (strict mode expects true/false)", 17)
        );
        assert_eq!(
            refused("a: &a [*a]\n"),
            syntax("recursive references require weak recursion types", 7)
        );
        assert_eq!(
            refused("a: *nope\n"),
            syntax("alias references unknown anchor", 3)
        );
    }

    #[test]
    fn many_aliases_of_few_anchors_and_many_documents_are_refused() {
        let mut text = String::from("a: &a 1\n");
        for i in 0..150 {
            text.push_str(&format!("k{i}: *a\n"));
        }
        assert_eq!(refused(&text).kind, ParseErrorKind::TooLarge);
        let err = refused(&"---\n".repeat(1030));
        assert_eq!(
            (err.kind, err.message.as_str()),
            (
                ParseErrorKind::TooLarge,
                "budget breached: Documents { documents: 1025 }"
            )
        );
    }

    #[test]
    fn crlf_and_bom_keep_byte_spans() {
        let text = "\u{feff}kind: job\r\nspec:\r\n  image: 'mlrun/mlrun'\r\n";
        let doc = &parse(text).unwrap()[0];
        let image = doc.get("spec").unwrap().get("image").unwrap();
        assert_eq!(slice(text, image.span), "'mlrun/mlrun'");
        let kind = doc.get("kind").unwrap();
        assert_eq!(slice(text, kind.span), "job");
    }

    #[test]
    fn syntax_error_has_a_byte_offset() {
        let text = "kind: job\nspec: é\n  image: a: b\n";
        let err = parse(text).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::Syntax);
        let offset = err.offset.unwrap();
        assert!(text.is_char_boundary(offset));
        assert_eq!(line_of(text, offset), 3, "{err:?}");
    }

    fn line_of(text: &str, offset: usize) -> usize {
        text[..offset].matches('\n').count() + 1
    }

    #[test]
    fn nesting_up_to_the_limit_parses_on_a_test_thread() {
        // Test threads have a small stack: the tree builder must fit in it.
        let depth = MAX_DEPTH - 1;
        let mut text = String::new();
        for level in 0..depth {
            text.push_str(&" ".repeat(level * 2));
            text.push_str("a:\n");
        }
        text.push_str(&" ".repeat(depth * 2));
        text.push_str("b: image\n");
        assert!(parse(&text).is_ok());
        let flow = format!("{}x{}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse(&flow).is_ok());
    }

    #[test]
    fn a_marked_thread_parses_deep_nesting_itself() {
        // The engine's workers are started with PARSE_STACK_BYTES and marked; the
        // parser must run on them, to the depth limit and past it, without a thread.
        let flow = |depth: usize| format!("{}x{}", "[".repeat(depth), "]".repeat(depth));
        let worker = std::thread::Builder::new()
            .stack_size(PARSE_STACK_BYTES)
            .spawn(move || {
                mark_parse_stack();
                (
                    parse(&flow(MAX_DEPTH - 1)).is_ok(),
                    parse(&flow(MAX_DEPTH + 10)).is_err(),
                )
            });
        let (deep_ok, too_deep_refused) = worker
            .ok()
            .and_then(|handle| handle.join().ok())
            .unwrap_or((false, false));
        assert!(deep_ok);
        assert!(too_deep_refused);
    }

    #[test]
    fn deep_block_sequence_is_refused_quickly() {
        let text = format!("{}x", "- ".repeat(100_000));
        assert_eq!(refused(&text).kind, ParseErrorKind::TooDeep);
    }

    #[test]
    fn deep_flow_nesting_is_refused_quickly() {
        let seqs = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(refused(&seqs).kind, ParseErrorKind::TooDeep);
        let maps = format!("{}x{}", "{a: ".repeat(100_000), "}".repeat(100_000));
        assert_eq!(refused(&maps).kind, ParseErrorKind::TooDeep);
    }

    #[test]
    fn billion_laughs_is_refused_quickly() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for pair in names.windows(2) {
            let (prev, next) = (pair[0], pair[1]);
            let refs = vec![format!("*{prev}"); 9].join(",");
            text.push_str(&format!("{next}: &{next} [{refs}]\n"));
        }
        let err = refused(&text);
        assert_eq!(err.kind, ParseErrorKind::TooLarge, "{err:?}");
    }
}
