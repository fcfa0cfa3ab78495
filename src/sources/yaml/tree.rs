//! A generic YAML tree where every value and every map key carries its byte span.
//!
//! Built on serde-saphyr's `Spanned<T>` so that its resource budgets (alias bombs,
//! node counts, nesting depth) stay on: the tree is schema-agnostic, so the MLRun
//! readers can walk any document and still point at exact bytes. Spans are byte
//! ranges into the text given to [`parse`], so a fix can replace them directly.

use crate::span::Span;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Budget, DuplicateKeyPolicy, Location, Options, Spanned};
use std::fmt;

/// The deepest nesting of maps and sequences accepted. Real MLRun specs stay under
/// about 12 levels; the cap keeps the recursive tree builder far from the stack
/// limit on any thread (a 100,000-deep `- - - x` must be an error, not an abort).
pub const MAX_DEPTH: usize = 128;

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
    /// The parser's message, without location or snippet.
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
}

/// The options every parse uses: serde-saphyr's default budgets with the depth
/// raised to [`MAX_DEPTH`], and duplicate keys accepted (last wins) because
/// PyYAML, which MLRun uses, accepts them.
fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = DuplicateKeyPolicy::LastWins;
    // `n`, `y`, `on`, `no` stay strings: they are keys and names in the wild, and
    // no field read here is a boolean.
    options.strict_booleans = true;
    options.with_snippet = false;
    options
}

/// Parses every document of `text` (empty documents are skipped).
pub fn parse(text: &str) -> Result<Vec<Node>, ParseError> {
    let docs: Vec<Spanned<Node>> =
        serde_saphyr::from_multiple_with_options(text, options()).map_err(|e| error(text, &e))?;
    Ok(docs.into_iter().map(node).collect())
}

fn error(text: &str, err: &serde_saphyr::Error) -> ParseError {
    let inner = err.without_snippet();
    let message = serde_saphyr::MessageFormatter::format_message(
        &serde_saphyr::DefaultMessageFormatter,
        inner,
    )
    .into_owned();
    let kind = match inner {
        serde_saphyr::Error::Budget {
            breach: BudgetBreach::Depth { .. },
            ..
        } => ParseErrorKind::TooDeep,
        serde_saphyr::Error::Budget { .. }
        | serde_saphyr::Error::AliasReplayLimitExceeded { .. }
        | serde_saphyr::Error::AliasExpansionLimitExceeded { .. }
        | serde_saphyr::Error::AliasReplayStackDepthExceeded { .. } => ParseErrorKind::TooLarge,
        // The scanner refuses flow nesting past its own limit with a plain
        // message; it is the same refusal of a too-deep document.
        _ if message.contains("recursion limit") || message.contains("nesting limit") => {
            ParseErrorKind::TooDeep
        }
        _ => ParseErrorKind::Syntax,
    };
    ParseError {
        kind,
        message,
        offset: err.location().and_then(|l| byte_offset(text, &l)),
    }
}

/// The byte offset of `location` in `text`. Scanner errors carry only a line and
/// a character column, so those are mapped through the text.
fn byte_offset(text: &str, location: &Location) -> Option<usize> {
    if let Some(offset) = location.span().byte_offset() {
        return usize::try_from(offset).ok().filter(|&o| o <= text.len());
    }
    let line = usize::try_from(location.line()).ok()?.checked_sub(1)?;
    let column = usize::try_from(location.column()).ok()?.saturating_sub(1);
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

fn span_of(location: &Location) -> Span {
    let span = location.span();
    match (span.byte_offset(), span.byte_len()) {
        (Some(start), Some(len)) => {
            let start = usize::try_from(start).unwrap_or(usize::MAX);
            Span::new(
                start,
                start.saturating_add(usize::try_from(len).unwrap_or(0)),
            )
        }
        _ => Span::default(),
    }
}

fn node(spanned: Spanned<Node>) -> Node {
    Node {
        value: spanned.value.value,
        span: span_of(&spanned.referenced),
        defined: span_of(&spanned.defined),
    }
}

/// Deserializing a bare `Node` yields its value only; the spans are filled in by
/// the enclosing `Spanned<Node>` (every child and the document root ask for one).
impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = deserializer.deserialize_any(ValueVisitor)?;
        Ok(Node {
            value,
            span: Span::default(),
            defined: Span::default(),
        })
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Value, E> {
        Ok(Value::Number)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Value, E> {
        Ok(Value::Number)
    }

    fn visit_i128<E>(self, _: i128) -> Result<Value, E> {
        Ok(Value::Number)
    }

    fn visit_u128<E>(self, _: u128) -> Result<Value, E> {
        Ok(Value::Number)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Value, E> {
        Ok(Value::Number)
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    /// `!!binary` and similar: not text any field of interest can hold.
    fn visit_bytes<E>(self, _: &[u8]) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(node(item));
        }
        Ok(Value::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Node>>()? {
            let value = map.next_value::<Spanned<Node>>()?;
            entries.push((node(key), node(value)));
        }
        Ok(Value::Map(entries))
    }
}
