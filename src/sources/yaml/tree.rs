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

/// The most nodes (maps, sequences, scalars, alias expansions included) a file may
/// hold. The largest real spec seen has under 1,000; the cap makes an alias bomb
/// fail after a fraction of a second even in an unoptimised build.
pub const MAX_NODES: usize = 100_000;

/// Stack of the thread that builds the tree. Building recurses once per nesting
/// level, and an unoptimised build needs up to ~50 KiB a level, so [`MAX_DEPTH`]
/// levels would overflow a 2 MiB test or worker thread. The memory is only
/// reserved; pages are touched as the recursion goes.
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

/// The options every parse uses: serde-saphyr's default budgets with the depth
/// raised to [`MAX_DEPTH`], and duplicate keys accepted (last wins) because
/// PyYAML, which MLRun uses, accepts them.
fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_nodes = MAX_NODES;
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
    let docs: Vec<Spanned<Node>> =
        serde_saphyr::from_multiple_with_options(text, options()).map_err(|e| error(text, &e))?;
    Ok(docs.into_iter().map(node).collect())
}

fn error(text: &str, err: &serde_saphyr::Error) -> ParseError {
    let inner = original_error(err);
    let message = serde_saphyr::MessageFormatter::format_message(
        &serde_saphyr::DefaultMessageFormatter,
        inner,
    )
    .into_owned();
    let (kind, message) = match inner {
        serde_saphyr::Error::Budget {
            breach: BudgetBreach::Depth { .. },
            ..
        } => (ParseErrorKind::TooDeep, message),
        serde_saphyr::Error::Budget {
            breach: BudgetBreach::Nodes { .. },
            ..
        } => (
            ParseErrorKind::TooLarge,
            format!("it holds more than {MAX_NODES} values once aliases are expanded"),
        ),
        serde_saphyr::Error::Budget {
            breach: BudgetBreach::Aliases { .. } | BudgetBreach::AliasAnchorRatio { .. },
            ..
        }
        | serde_saphyr::Error::AliasReplayLimitExceeded { .. }
        | serde_saphyr::Error::AliasExpansionLimitExceeded { .. }
        | serde_saphyr::Error::AliasReplayStackDepthExceeded { .. } => (
            ParseErrorKind::TooLarge,
            "its aliases expand too far (a possible billion-laughs attack)".to_string(),
        ),
        serde_saphyr::Error::Budget { .. } => (ParseErrorKind::TooLarge, message),
        // The scanner refuses flow nesting past its own limit with a plain
        // message; it is the same refusal of a too-deep document.
        _ if message.contains("recursion limit") || message.contains("nesting limit") => {
            (ParseErrorKind::TooDeep, message)
        }
        _ => (ParseErrorKind::Syntax, message),
    };
    ParseError {
        kind,
        message,
        offset: err.location().and_then(|l| byte_offset(text, &l)),
    }
}

/// The error itself, out of the wrappers that add snippets or alias locations.
fn original_error(mut err: &serde_saphyr::Error) -> &serde_saphyr::Error {
    while let serde_saphyr::Error::AliasError { error, .. }
    | serde_saphyr::Error::WithSnippet { error, .. } = err
    {
        err = error;
    }
    err
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
