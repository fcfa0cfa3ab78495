//! Byte spans into a file's original text, and the one place where they become
//! lines and columns.
//!
//! Every fact and diagnostic carries a [`Span`] of bytes into the text exactly as it
//! was read, so a fix can replace those bytes and nothing else. Lines and columns are
//! only derived when something is shown to a person or a tool, through [`LineIndex`],
//! so every output format agrees on them.

use serde::Serialize;

/// A half-open range of bytes `start..end` into a file's original text.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, serde::Deserialize,
)]
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
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Characters and UTF-16 units before each [`BLOCK`] boundary of the text,
    /// made on the first column asked of a line longer than a block: counting
    /// from the line's start each time made 200,000 findings on one 2 MB line
    /// (`pip install a b c …`) take half a minute.
    #[serde(skip)]
    blocks: std::sync::OnceLock<Vec<Units>>,
}

/// A column counted from its line's start this far or less is counted directly;
/// past it, from the nearest [`LineIndex`] block boundary before it.
const BLOCK: usize = 256;

/// Characters and UTF-16 code units in a stretch of text.
#[derive(Clone, Copy, Debug, Default)]
struct Units {
    chars: usize,
    utf16: usize,
}

impl Units {
    /// Counted on bytes, so a stretch may start or end inside a character: each
    /// character is counted at its first byte (any byte but a continuation byte),
    /// and one of four bytes takes two UTF-16 units.
    fn of(bytes: &[u8]) -> Self {
        let chars = bytes.iter().filter(|&&b| (b as i8) >= -0x40).count();
        let wide = bytes.iter().filter(|&&b| b >= 0xF0).count();
        Self {
            chars,
            utf16: chars + wide,
        }
    }
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
        Self {
            line_starts,
            blocks: std::sync::OnceLock::new(),
        }
    }

    /// `encoding`'s code units in `text[start..offset]` (both character
    /// boundaries), in time bounded by [`BLOCK`] however long the line.
    fn units_between(&self, text: &str, start: usize, offset: usize, encoding: Encoding) -> usize {
        if offset - start <= BLOCK || encoding == Encoding::Utf8 {
            return encoding.units(&text[start..offset]);
        }
        let blocks = self.blocks.get_or_init(|| {
            let mut before = Units::default();
            let mut blocks = vec![before];
            for block in text.as_bytes().chunks(BLOCK) {
                let units = Units::of(block);
                before.chars += units.chars;
                before.utf16 += units.utf16;
                blocks.push(before);
            }
            blocks
        });
        let prefix = |at: usize| {
            let block = at / BLOCK;
            let tail = Units::of(&text.as_bytes()[block * BLOCK..at]);
            let before = blocks[block];
            match encoding {
                Encoding::Utf16 => before.utf16 + tail.utf16,
                _ => before.chars + tail.chars,
            }
        };
        prefix(offset) - prefix(start)
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
        let column = self.units_between(text, start, offset, Encoding::Utf32) + 1;
        LineColumn {
            line: line + 1,
            column,
        }
    }

    /// The 0-based line and the column of `offset` counted in `encoding`'s code
    /// units (the Language Server Protocol's negotiated position encoding). An
    /// offset inside a character, or past the end, is clamped as in
    /// [`line_column`](Self::line_column).
    pub fn line_unit_column(
        &self,
        text: &str,
        offset: usize,
        encoding: Encoding,
    ) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        (line, self.units_between(text, start, offset, encoding))
    }

    /// The byte offset of 0-based `line` and `column` counted in `encoding`'s code
    /// units: the reverse of [`line_unit_column`](Self::line_unit_column), for
    /// positions an editor sends. As the protocol asks, a column past the end of
    /// its line means the line's end (before its `\r\n` or `\n`), a line past the
    /// end means the end of the text, and a column inside a character (half a
    /// surrogate pair) means the start of that character.
    pub fn offset_of(&self, text: &str, line: usize, column: usize, encoding: Encoding) -> usize {
        let Some(&start) = self.line_starts.get(line) else {
            return text.len();
        };
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(text.len(), |&next| next);
        let content = text[start..end].trim_end_matches(['\n', '\r']);
        let mut counted = 0;
        for (at, character) in content.char_indices() {
            let width = encoding.width(character);
            if counted + width > column {
                return start + at;
            }
            counted += width;
        }
        start + content.len()
    }
}

/// How a column counts the characters before it: the position encodings of the
/// Language Server Protocol (`utf-8`, `utf-16`, `utf-32`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes.
    Utf8,
    /// UTF-16 code units: a character outside the Basic Multilingual Plane counts 2.
    Utf16,
    /// Unicode scalar values.
    Utf32,
}

impl Encoding {
    /// How many code units `character` takes.
    pub fn width(self, character: char) -> usize {
        match self {
            Encoding::Utf8 => character.len_utf8(),
            Encoding::Utf16 => character.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }

    /// How many code units `text` takes.
    pub fn units(self, text: &str) -> usize {
        match self {
            Encoding::Utf8 => text.len(),
            Encoding::Utf16 => text.encode_utf16().count(),
            Encoding::Utf32 => text.chars().count(),
        }
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
    fn columns_on_a_line_longer_than_a_block_count_what_a_scan_counts() {
        // Mixed widths (1-, 2-, 3- and 4-byte characters) on one line of several
        // blocks, after a short first line: every column through the block
        // table equals the plain count from the line's start.
        let words = ["pkg", "é", "€", "😀"];
        let mut text = String::from("FROM x\nRUN pip install");
        for i in 0..3 * BLOCK {
            text.push(' ');
            text.push_str(words[i % words.len()]);
        }
        text.push('\n');
        let index = LineIndex::new(&text);
        let start = index.line_start(1);
        let offsets = (start..text.len()).filter(|&o| text.is_char_boundary(o));
        for offset in offsets.step_by(97) {
            let plain = text[start..offset].chars().count() + 1;
            assert_eq!(
                index.line_column(&text, offset),
                LineColumn {
                    line: 2,
                    column: plain
                },
                "offset {offset}"
            );
            let utf16 = text[start..offset].encode_utf16().count();
            assert_eq!(
                index.line_unit_column(&text, offset, Encoding::Utf16),
                (1, utf16)
            );
        }
    }

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
        assert_eq!(
            LineIndex::new(emoji).line_unit_column(emoji, 5, Encoding::Utf16),
            (0, 3)
        );
    }

    #[test]
    fn unit_columns_in_every_encoding_and_back() {
        // 'é' is 2 bytes, 1 UTF-16 unit; '😀' is 4 bytes, 2 UTF-16 units.
        let text = "x: é😀b\r\nimage: y\n";
        let index = LineIndex::new(text);
        let b = text.find('b').unwrap();
        for (encoding, column) in [
            (Encoding::Utf8, 9),
            (Encoding::Utf16, 6),
            (Encoding::Utf32, 5),
        ] {
            assert_eq!(index.line_unit_column(text, b, encoding), (0, column));
            assert_eq!(index.offset_of(text, 0, column, encoding), b);
        }
        let image = text.find("image").unwrap();
        assert_eq!(index.line_unit_column(text, image, Encoding::Utf16), (1, 0));
        assert_eq!(index.offset_of(text, 1, 0, Encoding::Utf16), image);
    }

    #[test]
    fn offsets_clamp_like_the_protocol_says() {
        let text = "a😀\r\nb";
        let index = LineIndex::new(text);
        // Past the end of the line: before the CRLF.
        assert_eq!(index.offset_of(text, 0, 99, Encoding::Utf16), 5);
        // Half a surrogate pair: the start of the character.
        assert_eq!(index.offset_of(text, 0, 2, Encoding::Utf16), 1);
        // Past the last line: the end of the text.
        assert_eq!(index.offset_of(text, 7, 0, Encoding::Utf8), text.len());
        // Inside a multi-byte character in UTF-8: its start.
        assert_eq!(index.offset_of(text, 0, 3, Encoding::Utf8), 1);
        // An offset inside the character maps to its start in every encoding.
        assert_eq!(index.line_unit_column(text, 3, Encoding::Utf16), (0, 1));
        // The end of a text without a final newline.
        assert_eq!(
            index.line_unit_column(text, text.len(), Encoding::Utf32),
            (1, 1)
        );
    }
}
