//! Byte spans into a file's original text, and the one place where they become
//! lines and columns.
//!
//! Every fact and diagnostic carries a [`Span`] of bytes into the text exactly as it
//! was read, so a fix can replace those bytes and nothing else. Lines and columns are
//! only derived when something is shown to a person or a tool, through [`LineIndex`],
//! so every output format agrees on them.

use serde::Serialize;

/// A half-open range of bytes `start..end` into a file's original text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// An empty span at `offset` (an insertion point).
    pub const fn at(offset: usize) -> Self {
        Self {
            start: offset,
            end: offset,
        }
    }

    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The span shifted right by `offset` bytes (from a sub-slice to the whole file).
    pub const fn shifted(self, offset: usize) -> Self {
        Self {
            start: self.start + offset,
            end: self.end + offset,
        }
    }
}

/// A 1-based line and 1-based column counted in characters (Unicode scalar values),
/// as the contract asks for every output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LineColumn {
    pub line: usize,
    pub column: usize,
}

/// Line starts of a text, to turn byte offsets into lines and columns.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self { line_starts }
    }

    /// The 0-based line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line.min(self.line_starts.len() - 1)]
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 1-based line and character column of `offset` in `text`. An offset inside
    /// a multi-byte character, or past the end, is clamped to a character boundary.
    pub fn line_column(&self, text: &str, offset: usize) -> LineColumn {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let column = text[start..offset].chars().count() + 1;
        LineColumn {
            line: line + 1,
            column,
        }
    }

    /// The 0-based line and UTF-16 code-unit column of `offset`, as the Language
    /// Server Protocol counts by default.
    pub fn line_utf16_column(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let column = text[start..offset].encode_utf16().count();
        (line, column)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "a: José\nimage: x\n";
        let index = LineIndex::new(text);
        let offset = text.find("image").unwrap();
        assert_eq!(
            index.line_column(text, offset),
            LineColumn { line: 2, column: 1 }
        );
        let after_e = text.find('\n').unwrap();
        assert_eq!(
            index.line_column(text, after_e),
            LineColumn { line: 1, column: 8 }
        );
    }

    #[test]
    fn crlf_lines_and_end_of_text() {
        let text = "a\r\nb";
        let index = LineIndex::new(text);
        assert_eq!(
            index.line_column(text, 3),
            LineColumn { line: 2, column: 1 }
        );
        assert_eq!(
            index.line_column(text, 4),
            LineColumn { line: 2, column: 2 }
        );
        let emoji = "a😀b";
        assert_eq!(LineIndex::new(emoji).line_utf16_column(emoji, 5), (0, 3));
    }
}
