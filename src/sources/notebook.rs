//! Jupyter notebooks (`.ipynb`): code cells are Python (IPython magics tolerated),
//! `%pip install` / `!pip install` lines are pip commands; markdown, raw cells and
//! outputs are not read.
//!
//! The notebook is parsed as strict JSON with byte ranges (`jsonc-parser`), and
//! every source string is decoded here with a map from each decoded byte back to
//! the raw JSON bytes it came from. The code cells, joined, go to the Python
//! reader; the facts it returns are moved back into raw JSON bytes, so a fix
//! replaces the right bytes and keeps the JSON valid: a span is editable only when
//! its text is written verbatim in the JSON (no escape inside it). The same map,
//! as a [`CellMap`], lets diagnostics be shown as cell, line and column.

use super::python::{self, Interface, Linked};
use crate::cells::{Cell, CellMap, RawMap};
use crate::facts::{Fact, Origin, Problem, ProblemKind};
use crate::span::Span;
use jsonc_parser::ast::{Object, Value};
use jsonc_parser::{CollectOptions, ParseOptions};

/// A notebook's facts, with the map of its cells (`None` when it could not be parsed).
pub fn read(text: &str) -> (Vec<Fact>, Option<CellMap>) {
    let (facts, cells, _) = read_linked(text, &Linked::default());
    (facts, cells)
}

/// [`read`], with what the project's modules give the notebook's code, and the
/// imports of them it makes (see [`python::read_linked`]).
pub fn read_linked(text: &str, linked: &Linked) -> (Vec<Fact>, Option<CellMap>, Interface) {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - body.len();
    let strict = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed = match jsonc_parser::parse_to_ast(body, &CollectOptions::default(), &strict) {
        Ok(parsed) => parsed,
        Err(err) => {
            let range = err.range();
            let span = Span::new(range.start + bom, range.end.max(range.start) + bom);
            return (
                vec![problem(span, format!("invalid JSON: {}", err.kind()))],
                None,
                Interface::default(),
            );
        }
    };
    let Some(root) = parsed.value.as_ref().and_then(Value::as_object) else {
        return (
            vec![problem(
                Span::at(bom),
                "not a Jupyter notebook: the JSON is not an object".into(),
            )],
            None,
            Interface::default(),
        );
    };
    let Some(cells) = notebook_cells(root) else {
        return (
            vec![problem(
                Span::at(bom),
                "not a Jupyter notebook: no `cells` list".into(),
            )],
            None,
            Interface::default(),
        );
    };
    let mut code = Vec::new();
    for (index, cell) in cells.iter().enumerate() {
        let Some(cell) = cell.as_object() else {
            continue;
        };
        let is_code = cell
            .get_string("cell_type")
            .is_some_and(|t| t.value == "code");
        // nbformat 4 calls the source `source`; nbformat 3 code cells, `input`.
        let source = cell.get("source").or_else(|| cell.get("input"));
        if let (true, Some(source)) = (is_code, source) {
            code.push(decode_source(body, bom, index + 1, &source.value));
        }
    }
    let map = CellMap::new(code);
    let (facts, interface) = if is_python(root) {
        read_code(&map, linked)
    } else {
        (Vec::new(), Interface::default())
    };
    (facts, Some(map), interface)
}

fn problem(span: Span, message: String) -> Fact {
    Fact::Problem(Problem {
        origin: Origin::new(span, None, "notebook"),
        kind: ProblemKind::Parse,
        message,
    })
}

/// The notebook's cells: `cells` (nbformat 4), or every worksheet's `cells` (nbformat 3).
fn notebook_cells<'a>(root: &'a Object<'a>) -> Option<Vec<&'a Value<'a>>> {
    if let Some(cells) = root.get_array("cells") {
        return Some(cells.elements.iter().collect());
    }
    let worksheets = root.get_array("worksheets")?;
    Some(
        worksheets
            .elements
            .iter()
            .filter_map(Value::as_object)
            .filter_map(|sheet| sheet.get_array("cells"))
            .flat_map(|cells| cells.elements.iter())
            .collect(),
    )
}

/// Whether the notebook's kernel runs Python (or does not say): an R or Scala
/// notebook's code cells are not Python.
fn is_python(root: &Object<'_>) -> bool {
    let metadata = root.get_object("metadata");
    let language = metadata
        .and_then(|m| m.get_object("kernelspec"))
        .and_then(|k| k.get_string("language"))
        .or_else(|| {
            metadata
                .and_then(|m| m.get_object("language_info"))
                .and_then(|l| l.get_string("name"))
        });
    language.is_none_or(|l| l.value.eq_ignore_ascii_case("python"))
}

/// One cell's source (a string or a list of strings), decoded with its raw map.
fn decode_source(body: &str, bom: usize, number: usize, source: &Value<'_>) -> Cell {
    let strings: Vec<Span> = match source {
        Value::StringLit(s) => vec![Span::new(s.range.start, s.range.end)],
        Value::Array(array) => array
            .elements
            .iter()
            .filter_map(Value::as_string_lit)
            .map(|s| Span::new(s.range.start, s.range.end))
            .collect(),
        _ => Vec::new(),
    };
    let mut text = String::new();
    let mut raw = RawMap::default();
    // Without a source string, the cell is empty where its value is.
    let fallback = match source {
        Value::Array(a) => a.range.start + 1,
        _ => 0,
    };
    let start = strings.first().map_or(fallback, |s| s.start + 1) + bom;
    let mut end = start;
    for string in strings {
        // Without the quotes.
        let content = Span::new(
            string.start + 1,
            string.end.saturating_sub(1).max(string.start + 1),
        );
        decode_string(body, content, bom, &mut text, &mut raw);
        end = content.end + bom;
    }
    Cell::new(number, text, raw, start, end)
}

/// Appends the decoded JSON string `body[content]` to `text`, and to `raw` the raw
/// bytes (shifted by `bom`) of each decoded byte.
fn decode_string(body: &str, content: Span, bom: usize, text: &mut String, raw: &mut RawMap) {
    let Some(s) = body.get(content.start..content.end) else {
        return;
    };
    let at = content.start + bom;
    let mut push = |c: char, from: usize, to: usize, text: &mut String| {
        raw.push(c.len_utf8(), at + from, at + to);
        text.push(c);
    };
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < s.len() {
        if bytes[i] != b'\\' {
            let c = s[i..].chars().next().unwrap_or('\u{fffd}');
            push(c, i, i + c.len_utf8(), text);
            i += c.len_utf8();
            continue;
        }
        let simple = match bytes.get(i + 1) {
            Some(b'"') => Some('"'),
            Some(b'\\') => Some('\\'),
            Some(b'/') => Some('/'),
            Some(b'b') => Some('\u{8}'),
            Some(b'f') => Some('\u{c}'),
            Some(b'n') => Some('\n'),
            Some(b'r') => Some('\r'),
            Some(b't') => Some('\t'),
            _ => None,
        };
        if let Some(c) = simple {
            push(c, i, i + 2, text);
            i += 2;
            continue;
        }
        let hex = |at: usize| {
            s.get(at..at + 4)
                .and_then(|h| u32::from_str_radix(h, 16).ok())
        };
        let Some(unit) = (bytes.get(i + 1) == Some(&b'u'))
            .then(|| hex(i + 2))
            .flatten()
        else {
            // Strict parsing refused other escapes already; keep the byte as it is.
            push('\\', i, i + 1, text);
            i += 1;
            continue;
        };
        // A surrogate pair `\uD83D\uDE00` is one character from twelve raw bytes.
        let low = (0xD800..0xDC00).contains(&unit)
            && s.get(i + 6..i + 8) == Some("\\u")
            && hex(i + 8).is_some_and(|low| (0xDC00..0xE000).contains(&low));
        if low {
            let low = hex(i + 8).unwrap_or_default();
            let c = char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                .unwrap_or('\u{fffd}');
            push(c, i, i + 12, text);
            i += 12;
        } else {
            push(char::from_u32(unit).unwrap_or('\u{fffd}'), i, i + 6, text);
            i += 6;
        }
    }
}

/// The facts of the code cells: their sources joined by `\n` (as Ruff's notebook
/// parser expects) are read as Python, and every span is moved to raw JSON bytes.
fn read_code(map: &CellMap, linked: &Linked) -> (Vec<Fact>, Interface) {
    let mut source = String::new();
    let mut ranges = Vec::new();
    for cell in map.cells() {
        if !ranges.is_empty() {
            source.push('\n');
        }
        let start = source.len();
        source.push_str(&cell.text);
        ranges.push(Span::new(start, source.len()));
    }
    let (facts, interface) = python::read_cells(&source, &ranges, linked);
    let to_raw = Raw {
        cells: map.cells(),
        ranges: &ranges,
    };
    let facts = facts.into_iter().map(|fact| to_raw.fact(fact)).collect();
    (facts, interface)
}

/// Moves spans of the joined code text to raw JSON bytes.
struct Raw<'a> {
    cells: &'a [Cell],
    /// Each cell's range in the joined text.
    ranges: &'a [Span],
}

impl Raw<'_> {
    /// The cell holding joined offset `offset`, and its start in the joined text.
    fn cell(&self, offset: usize) -> Option<(&Cell, usize)> {
        let index = self
            .ranges
            .partition_point(|r| r.start <= offset)
            .checked_sub(1)?;
        Some((&self.cells[index], self.ranges[index].start))
    }

    fn span(&self, span: Span) -> Span {
        let Some((cell, base)) = self.cell(span.start) else {
            return span;
        };
        let start = cell.raw_start(span.start - base);
        let end = if span.is_empty() {
            start
        } else {
            let end = (span.end - base).min(cell.text.len());
            cell.raw_end(end).max(start)
        };
        Span::new(start, end)
    }

    /// An editable span stays editable only when its text is verbatim in the JSON.
    fn edit_span(&self, span: Span) -> Option<Span> {
        let (cell, base) = self.cell(span.start)?;
        let local = Span::new(span.start - base, span.end.saturating_sub(base));
        cell.is_verbatim(local).then(|| self.span(span))
    }

    fn fact(&self, fact: Fact) -> Fact {
        let mut fact = fact;
        if let Fact::Package(package) = &mut fact {
            if let Some(name) = &mut package.name {
                name.span = self.span(name.span);
            }
            package.pin_at = package.pin_at.map(|s| self.span(s));
            package.specifier = package.specifier.map(|s| self.span(s));
            package.shell_redirect = package.shell_redirect.map(|s| self.span(s));
        }
        let origin = fact.origin_mut();
        origin.edit_span = origin.edit_span.and_then(|s| self.edit_span(s));
        origin.span = self.span(origin.span);
        fact
    }
}

#[cfg(test)]
mod tests;
