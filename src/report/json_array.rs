//! A pretty-printed JSON array written one element at a time, byte for byte what
//! `serde_json::to_writer_pretty` writes for the whole array: a streamed report
//! never holds its elements, and its output stays the one tools already parse.
//!
//! serde_json's pretty printer is regular: an array at nesting `level` opens with
//! `[`, puts each element on a new line indented one level deeper, separates them
//! with `,`, and closes on a line of its own at `level`; an empty array is `[]`.
//! Strings never hold a raw newline (it is escaped), so indenting every line of an
//! element printed on its own gives the element as the whole array would print it.

use serde::Serialize;
use std::io::{self, Write};

/// One indentation step of serde_json's pretty printer.
const INDENT: &[u8] = b"  ";

/// An array being written at nesting `level` (0 for a document that is the array).
pub(super) struct JsonArray {
    level: usize,
    elements: usize,
}

impl JsonArray {
    pub(super) fn at_level(level: usize) -> Self {
        Self { level, elements: 0 }
    }

    /// Writes `value` as the array's next element.
    pub(super) fn element(
        &mut self,
        value: &impl Serialize,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        out.write_all(if self.elements == 0 { b"[\n" } else { b",\n" })?;
        let depth = self.level + 1;
        write_indent(out, depth)?;
        serde_json::to_writer_pretty(&mut Indented { out, depth }, value)?;
        self.elements += 1;
        Ok(())
    }

    /// Writes the array's end (or, when it has no element, the whole `[]`).
    pub(super) fn close(self, out: &mut dyn Write) -> io::Result<()> {
        if self.elements == 0 {
            return out.write_all(b"[]");
        }
        out.write_all(b"\n")?;
        write_indent(out, self.level)?;
        out.write_all(b"]")
    }
}

fn write_indent(out: &mut dyn Write, depth: usize) -> io::Result<()> {
    for _ in 0..depth {
        out.write_all(INDENT)?;
    }
    Ok(())
}

/// Indents every line after the first by `depth` steps.
struct Indented<'a> {
    out: &'a mut dyn Write,
    depth: usize,
}

impl Write for Indented<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(newline) = rest.iter().position(|&byte| byte == b'\n') {
            self.out.write_all(&rest[..=newline])?;
            write_indent(self.out, self.depth)?;
            rest = &rest[newline + 1..];
        }
        self.out.write_all(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
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
