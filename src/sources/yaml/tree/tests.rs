//! Unit tests of the tree: spans, aliases and merges, scalar resolution, duplicate
//! keys, error messages and locations, and the refusals of hostile input.

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

fn keys<'a>(node: &'a Node<'a>) -> Vec<&'a str> {
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
    let string = |s: &str| Value::String(s.to_string().into());
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
    let syntax =
        |message: &str, offset: usize| (ParseErrorKind::Syntax, message.to_string(), Some(offset));
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
