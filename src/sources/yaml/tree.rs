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
//!
//! Those decisions (the budgets and their limits, alias replay, scalar
//! resolution, merge and key rules, messages) are ported from serde-saphyr 2.2.0,
//! © its authors, used under its MIT license (the crate is MIT OR Apache-2.0);
//! the modules below say which part of serde-saphyr each follows.

use crate::span::Span;
use builder::{Builder, Slot};
use errors::Fail;
use events::{Kind, Source};
use live::Live;
use scalars::scalar_is_null;
use std::borrow::Cow;
use tags::SfTag;

mod budget;
mod builder;
mod errors;
mod events;
mod keys;
mod live;
mod merge;
mod scalars;
mod tags;

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
///
/// Strings borrow from the text where they are written as they read (most
/// are: plain and simply quoted scalars), so a tree costs few allocations.
#[derive(Clone, Debug, PartialEq)]
pub struct Node<'a> {
    pub value: Value<'a>,
    pub span: Span,
    pub defined: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    /// A number; its text as written is the source slice at [`Node::defined`]
    /// (`1.10` must stay `1.10`, not become `1.1`).
    Number,
    String(Cow<'a, str>),
    Seq(Vec<Node<'a>>),
    /// Entries in document order, keys spanned like values.
    Map(Vec<(Node<'a>, Node<'a>)>),
}

impl<'a> Node<'a> {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node<'a>]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node<'a>, Node<'a>)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under the string key `key`, when this is a map holding it.
    /// With duplicate keys the last wins, as PyYAML (and so MLRun) reads them.
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.as_map()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The value under `key` when it is a map (a `spec` that is a string is skipped).
    pub fn get_map(&self, key: &str) -> Option<&Node<'a>> {
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
pub fn parse(text: &str) -> Result<Vec<Node<'_>>, ParseError> {
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

fn parse_here(text: &str) -> Result<Vec<Node<'_>>, ParseError> {
    parse_events(text).map_err(|fail| fail.into_error(text))
}

/// Every document of the stream, each built as soon as its root event is seen.
fn parse_events(text: &str) -> Result<Vec<Node<'_>>, Fail> {
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

#[cfg(test)]
mod tests;
