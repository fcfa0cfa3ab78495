//! The one seam between the MLRun schemas and facts: schema walkers name the
//! fields they find as [`Field`]s (a readable path, what the field holds, the
//! spanned node), and [`Collector`] turns them into facts with exact spans.
//!
//! Adding a new kind of field (package requirements, build commands) is a new
//! [`FieldKind`] variant, the walkers pushing it, and one arm in
//! [`Collector::field`]; the span logic is shared.

use super::tree::{Node, Value};
use crate::facts::{Fact, FunctionFact, ImageFact, ImageRole, Origin};
use crate::span::Span;
use std::borrow::Cow;

/// What a field holds, which decides the fact it becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A container image reference used for the given purpose.
    Image(ImageRole),
}

/// A field of interest found by a schema walker.
#[derive(Clone, Debug)]
pub struct Field<'a> {
    /// Readable path from the document root (`spec.functions[2].image`).
    pub path: String,
    pub kind: FieldKind,
    pub node: &'a Node,
}

/// Pushes `node` as a field when it is present.
pub fn push<'a>(out: &mut Vec<Field<'a>>, path: String, kind: FieldKind, node: Option<&'a Node>) {
    if let Some(node) = node {
        out.push(Field { path, kind, node });
    }
}

/// `prefix.key`, or `key` at the root.
pub fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// `prefix[index]`.
pub fn index(prefix: &str, index: usize) -> String {
    format!("{prefix}[{index}]")
}

/// `prefix["key"]`, for flat keys that contain dots (`spec.config["spec.build.baseImage"]`).
pub fn quoted_key(prefix: &str, key: &str) -> String {
    format!("{prefix}[{key:?}]")
}

/// The text of a scalar as MLRun would read it into a string field: a string's
/// value, or a number's source text (`1.10` stays `1.10`). `None` for anything else.
pub fn scalar_text<'t>(text: &'t str, node: &'t Node) -> Option<Cow<'t, str>> {
    match &node.value {
        Value::String(s) => Some(Cow::Borrowed(s.as_str())),
        Value::Number => text
            .get(node.defined.start..node.defined.end)
            .map(|raw| Cow::Borrowed(raw.trim())),
        _ => None,
    }
}

/// The bytes whose text is exactly the node's value, when there are such bytes.
///
/// Checked against the source, never assumed: a plain single-line scalar is its
/// whole span; a single- or double-quoted one on one line without escapes is the
/// inside of its quotes; block scalars, multi-line scalars and escapes have none.
/// For an alias this is the anchored scalar, the text a fix must change.
pub fn edit_span(text: &str, node: &Node) -> Option<Span> {
    let span = node.defined;
    let raw = text.get(span.start..span.end)?;
    let value = scalar_text(text, node)?;
    if raw.contains(['\n', '\r']) {
        return None;
    }
    if raw == value && !raw.starts_with(['\'', '"']) {
        return (!is_block_scalar_content(text, span.start)).then_some(span);
    }
    let quote = raw.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = raw.strip_prefix(quote)?.strip_suffix(quote)?;
    let escaped = match quote {
        '"' => inner.contains('\\'),
        _ => inner.contains("''"),
    };
    (!escaped && inner == value).then(|| Span::new(span.start + 1, span.end - 1))
}

/// Whether a scalar starting at `start` is the content of a `|` / `>` block
/// scalar: it opens its line, and the previous non-blank line ends with a block
/// header (`|`, `>-`, `|2+`, optionally followed by a comment).
fn is_block_scalar_content(text: &str, start: usize) -> bool {
    let before = &text[..start];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    if !before[line_start..].trim().is_empty() {
        return false;
    }
    let Some(previous) = before[..line_start]
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
    else {
        return false;
    };
    let code = match previous.find(" #") {
        Some(comment) => &previous[..comment],
        None => previous,
    };
    code.split_whitespace().last().is_some_and(|token| {
        let mut chars = token.chars();
        matches!(chars.next(), Some('|' | '>'))
            && chars.all(|c| c == '-' || c == '+' || c.is_ascii_digit())
    })
}

/// Turns fields into facts for one file.
pub struct Collector<'t> {
    text: &'t str,
    pub facts: Vec<Fact>,
}

impl<'t> Collector<'t> {
    pub fn new(text: &'t str) -> Self {
        Self {
            text,
            facts: Vec::new(),
        }
    }

    pub fn text(&self) -> &'t str {
        self.text
    }

    /// Where `node` stands: its use site, and the editable bytes of its definition.
    pub fn origin(&self, node: &Node, path: impl Into<String>, function: Option<&str>) -> Origin {
        Origin::new(node.span, edit_span(self.text, node), path)
            .with_function(function.map(str::to_string))
    }

    /// Records one field's fact, if its value is usable. Returns whether it names
    /// something (a non-empty image), which is what [`FunctionFact::names_image`] counts.
    pub fn field(&mut self, field: &Field<'_>, function: Option<&str>) -> bool {
        match field.kind {
            FieldKind::Image(role) => {
                let Some(value) = scalar_text(self.text, field.node) else {
                    return false;
                };
                let origin = self.origin(field.node, field.path.as_str(), function);
                match ImageFact::from_text(&value, role, origin) {
                    Some(fact) => {
                        self.facts.push(Fact::Image(fact));
                        true
                    }
                    None => false,
                }
            }
        }
    }

    /// Records every field of one function; returns whether any of them names the
    /// function's own image (run image, build base or build target).
    pub fn function_fields(&mut self, fields: &[Field<'_>], function: Option<&str>) -> bool {
        let mut names_image = false;
        for field in fields {
            let named = self.field(field, function);
            names_image |= named && names_own_image(field.kind);
        }
        names_image
    }

    /// Records that a function is declared, located at `node`. The editable span
    /// is only given when `node` is the run image itself, the value a fix would fill.
    pub fn function(
        &mut self,
        node: &Node,
        path: &str,
        is_image: bool,
        function: Option<&str>,
        kind: Option<&str>,
        names_image: bool,
    ) {
        let mut origin = self.origin(node, path, function);
        if !is_image {
            origin.edit_span = None;
        }
        self.facts.push(Fact::Function(FunctionFact {
            origin,
            kind: kind.map(str::to_string),
            names_image,
        }));
    }
}

/// Image roles that name the image a function itself runs on or is built from.
fn names_own_image(kind: FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::Image(ImageRole::Run | ImageRole::BuildBase | ImageRole::BuildTarget)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::yaml::tree::parse;

    /// The text at each value's edit span, for the map entries of `text`.
    fn edits(text: &str) -> Vec<(String, Option<String>)> {
        let docs = parse(text).unwrap();
        docs[0]
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                let edit = edit_span(text, v).map(|s| text[s.start..s.end].to_string());
                (k.as_str().unwrap_or_default().to_string(), edit)
            })
            .collect()
    }

    fn edit_of(text: &str, key: &str) -> Option<String> {
        edits(text)
            .into_iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, e)| e)
    }

    #[test]
    fn plain_and_simply_quoted_scalars_are_editable() {
        let text = "a: mlrun/mlrun  # note\nb: \"mlrun/mlrun:1.6\"\nc: 'python:3.9'\nd: ''\n";
        assert_eq!(edit_of(text, "a").as_deref(), Some("mlrun/mlrun"));
        assert_eq!(edit_of(text, "b").as_deref(), Some("mlrun/mlrun:1.6"));
        assert_eq!(edit_of(text, "c").as_deref(), Some("python:3.9"));
        // An empty quoted value is an insertion point between its quotes.
        let docs = parse(text).unwrap();
        let d = docs[0].get("d").unwrap();
        let span = edit_span(text, d).unwrap();
        assert!(span.is_empty());
        assert_eq!(&text[span.start - 1..span.end + 1], "''");
    }

    #[test]
    fn escapes_block_and_multi_line_scalars_are_not_editable() {
        let text = concat!(
            "a: \"mlrun\\/mlrun\"\n",
            "b: 'it''s'\n",
            "c: |\n  mlrun/mlrun\n",
            "d: >-\n  mlrun/mlrun\n",
            "e: |-  # comment\n  mlrun/mlrun\n",
            "f: mlrun/\n  mlrun\n",
            "g: \"mlrun/\n  mlrun\"\n",
        );
        for key in ["a", "b", "c", "d", "e", "f", "g"] {
            assert_eq!(edit_of(text, key), None, "{key}");
        }
    }

    #[test]
    fn a_plain_value_on_its_own_line_is_editable() {
        let text = "a:\n  # why\n  mlrun/mlrun\n";
        assert_eq!(edit_of(text, "a").as_deref(), Some("mlrun/mlrun"));
    }

    #[test]
    fn an_alias_edits_its_anchored_scalar() {
        let text = "a: &img 'mlrun/mlrun'\nb: *img\n";
        let docs = parse(text).unwrap();
        let b = docs[0].get("b").unwrap();
        assert_eq!(&text[b.span.start..b.span.end], "*img");
        let edit = edit_span(text, b).unwrap();
        assert_eq!(edit.start, text.find("mlrun").unwrap());
        assert_eq!(&text[edit.start..edit.end], "mlrun/mlrun");
    }

    #[test]
    fn numbers_are_their_source_text() {
        let text = "v: 1.10\n";
        let docs = parse(text).unwrap();
        let v = docs[0].get("v").unwrap();
        assert_eq!(scalar_text(text, v).as_deref(), Some("1.10"));
        assert_eq!(edit_of(text, "v").as_deref(), Some("1.10"));
    }

    #[test]
    fn paths_read_like_the_spec() {
        assert_eq!(join("", "spec.image"), "spec.image");
        assert_eq!(
            join(&index("spec.functions", 2), "image"),
            "spec.functions[2].image"
        );
        assert_eq!(
            quoted_key("spec.config", "spec.build.baseImage"),
            "spec.config[\"spec.build.baseImage\"]"
        );
    }
}
