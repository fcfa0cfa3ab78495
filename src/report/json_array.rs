//! A pretty-printed JSON array written one element at a time, byte for byte what
//! `serde_json::to_writer_pretty` writes for the whole array: a streamed report
//! never holds its elements, and its output stays the one tools already parse.
//!
//! serde_json's pretty printer is regular: an array at nesting `level` opens with
//! `[`, puts each element on a new line indented one level deeper, separates them
//! with `,`, and closes on a line of its own at `level`; an empty array is `[]`.
//! Each element is printed by [`Nested`], serde_json's pretty formatter started
//! that many levels deep (serde_json's own cannot be started there).

use serde::Serialize;
use std::io::{self, Write};

/// One indentation step of serde_json's pretty printer.
const INDENT: &[u8] = b"  ";

/// An array being written at nesting `level` (0 for a document that is the array).
pub(super) struct JsonArray {
    level: usize,
    /// No element written yet.
    empty: bool,
}

impl JsonArray {
    pub(super) fn at_level(level: usize) -> Self {
        Self { level, empty: true }
    }

    /// Writes `value` as the array's next element.
    pub(super) fn element(
        &mut self,
        value: &impl Serialize,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        out.write_all(if self.empty { b"[\n" } else { b",\n" })?;
        let depth = self.level + 1;
        indent(out, depth)?;
        let mut serializer = serde_json::Serializer::with_formatter(out, Nested::at(depth));
        value.serialize(&mut serializer)?;
        self.empty = false;
        Ok(())
    }

    /// A new array at the same level, to render elements [appended](Self::append)
    /// to this one later.
    pub(super) fn part(&self) -> Self {
        Self::at_level(self.level)
    }

    /// Writes the elements of `part`, an array of its own at the same level
    /// and not closed (what [`element`](Self::element) writes from a new
    /// array), as this array's next elements: its opening becomes the separator.
    pub(super) fn append(&mut self, part: &[u8], out: &mut dyn Write) -> io::Result<()> {
        let Some(elements) = part.strip_prefix(b"[\n") else {
            return Ok(());
        };
        out.write_all(if self.empty { b"[\n" } else { b",\n" })?;
        self.empty = false;
        out.write_all(elements)
    }

    /// Writes the array's end (or, when it has no element, the whole `[]`).
    pub(super) fn close(self, out: &mut dyn Write) -> io::Result<()> {
        if self.empty {
            return out.write_all(b"[]");
        }
        out.write_all(b"\n")?;
        indent(out, self.level)?;
        out.write_all(b"]")
    }
}

/// serde_json's `PrettyFormatter` (two-space indents), started `depth` levels
/// deep: its output is what the whole document would hold at that depth.
struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn at(depth: usize) -> Self {
        Self {
            depth,
            has_value: false,
        }
    }

    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            indent(out, self.depth)?;
        }
        out.write_all(bracket)
    }

    fn next<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        indent(out, self.depth)
    }
}

fn indent<W: ?Sized + Write>(out: &mut W, depth: usize) -> io::Result<()> {
    for _ in 0..depth {
        out.write_all(INDENT)?;
    }
    Ok(())
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.next(out, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.next(out, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The array written element by element, at `level` inside `wrap`'s object.
    fn streamed(values: &[serde_json::Value]) -> String {
        let mut out = Vec::new();
        let mut array = JsonArray::at_level(0);
        for value in values {
            array.element(value, &mut out).unwrap();
        }
        array.close(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_what_serde_json_writes_for_the_whole_array() {
        let cases = [
            vec![],
            vec![json!({})],
            vec![json!({"a": 1, "b": [], "c": [1, {"d": "x\ny"}], "e": {"f": null}})],
            vec![json!("s"), json!([]), json!({"g": [[]]}), json!(3.5)],
        ];
        for values in cases {
            assert_eq!(
                streamed(&values),
                serde_json::to_string_pretty(&values).unwrap()
            );
        }
    }

    #[test]
    fn an_array_nested_in_an_object_is_indented_as_its_level_asks() {
        let values = vec![json!({"a": [1, 2]}), json!({"b": {}})];
        let mut out = b"{\n  \"k\": ".to_vec();
        let mut array = JsonArray::at_level(1);
        for value in &values {
            array.element(value, &mut out).unwrap();
        }
        array.close(&mut out).unwrap();
        out.extend_from_slice(b"\n}");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            serde_json::to_string_pretty(&json!({ "k": values })).unwrap()
        );
    }
}
