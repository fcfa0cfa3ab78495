//! Notebook cells: where each cell's source lies in the notebook's raw JSON, and
//! how raw byte offsets become a cell number with a line and column inside it.
//!
//! Facts and diagnostics keep byte spans into the file as read (the JSON text), so
//! fixes edit the right bytes. People and tools, though, think of a notebook as
//! cells: the [`CellMap`] a notebook reader builds lets [`FileDiagnostics`]
//! answer positions in those terms, the one place where that happens.
//!
//! [`FileDiagnostics`]: crate::diagnostic::FileDiagnostics

use crate::span::{LineColumn, LineIndex, Span};

/// The code and markdown cells of one notebook, in file order.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct CellMap {
    cells: Vec<Cell>,
}

/// One cell's source, decoded from its JSON strings.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Cell {
    /// 1-based position among all the notebook's cells, as Jupyter numbers them.
    pub number: usize,
    /// The source as Jupyter shows it (the JSON strings decoded and joined).
    pub text: String,
    lines: LineIndex,
    /// Where each byte of `text` was decoded from.
    raw: RawMap,
    /// From the first source string's content to the last one's end.
    extent: Span,
}

/// For each byte of a cell's decoded text, the raw bytes of the character it was
/// decoded from (`\n` is two raw bytes, `\u00e9` six, for one or two decoded
/// bytes), kept as runs: a run of bytes written verbatim, or one escaped
/// character. A pair of offsets per decoded byte made a notebook's map sixteen
/// times the size of its source.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RawMap {
    pieces: Vec<Piece>,
    /// Decoded bytes mapped so far.
    len: usize,
}

#[derive(Clone, Copy, Debug, serde::Serialize, serde::Deserialize)]
struct Piece {
    /// The first decoded byte of the piece.
    decoded: usize,
    /// The first raw byte of the piece.
    raw: usize,
    /// Decoded bytes in the piece.
    len: usize,
    /// Raw bytes in the piece: `len` when verbatim, the whole escape otherwise.
    raw_len: usize,
    verbatim: bool,
}

impl RawMap {
    /// Maps the next decoded character, `len` bytes, to the raw bytes `from..to`.
    pub fn push(&mut self, len: usize, from: usize, to: usize) {
        let verbatim = to - from == len;
        if let Some(last) = self.pieces.last_mut() {
            if verbatim && last.verbatim && last.raw + last.raw_len == from {
                last.len += len;
                last.raw_len += len;
                self.len += len;
                return;
            }
        }
        self.pieces.push(Piece {
            decoded: self.len,
            raw: from,
            len,
            raw_len: to - from,
            verbatim,
        });
        self.len += len;
    }

    /// The raw bytes decoded byte `offset` came from, `None` past the end.
    fn byte(&self, offset: usize) -> Option<(usize, usize)> {
        let index = self
            .pieces
            .partition_point(|piece| piece.decoded <= offset)
            .checked_sub(1)?;
        let piece = self.pieces[index];
        if offset >= piece.decoded + piece.len {
            return None;
        }
        Some(if piece.verbatim {
            let at = piece.raw + offset - piece.decoded;
            (at, at + 1)
        } else {
            (piece.raw, piece.raw + piece.raw_len)
        })
    }

    /// How many decoded bytes come from raw bytes before `raw`.
    fn decoded_before(&self, raw: usize) -> usize {
        let Some(index) = self
            .pieces
            .partition_point(|piece| piece.raw < raw)
            .checked_sub(1)
        else {
            return 0;
        };
        let piece = self.pieces[index];
        piece.decoded
            + if piece.verbatim {
                piece.len.min(raw - piece.raw)
            } else {
                piece.len
            }
    }
}

impl Cell {
    /// A cell decoded from raw JSON: `raw[i]` gives the raw bytes of `text`'s byte
    /// `i`; `end` is where the source ends in the raw text (before the closing quote
    /// of its last string), which is also where an insertion at its end goes.
    pub fn new(number: usize, text: String, raw: RawMap, start: usize, end: usize) -> Self {
        let lines = LineIndex::new(&text);
        Self {
            number,
            text,
            lines,
            raw,
            extent: Span::new(start, end.max(start)),
        }
    }

    /// The raw offset where decoded byte `offset` starts (the end of the source for
    /// an offset at or past the end).
    pub fn raw_start(&self, offset: usize) -> usize {
        self.raw.byte(offset).map_or(self.extent.end, |r| r.0)
    }

    /// The raw offset right after decoded byte `offset - 1`, for span ends.
    pub fn raw_end(&self, offset: usize) -> usize {
        match offset.checked_sub(1).and_then(|last| self.raw.byte(last)) {
            Some(r) => r.1,
            None => self.raw_start(offset),
        }
    }

    /// Whether the decoded bytes `span` are written verbatim in the raw text, one raw
    /// byte each and without a gap, so replacing those raw bytes edits the source.
    pub fn is_verbatim(&self, span: Span) -> bool {
        if span.start > span.end || span.end > self.raw.len {
            return false;
        }
        let first = self.raw_start(span.start);
        (span.start..span.end).all(|offset| {
            self.raw.byte(offset).is_some_and(|(start, end)| {
                end == start + 1 && start == first + offset - span.start
            })
        })
    }

    /// The decoded offset of a raw offset in this cell (the next decoded character
    /// when `raw` falls inside an escape).
    fn decoded(&self, raw: usize) -> usize {
        self.raw.decoded_before(raw)
    }
}

/// A position inside a notebook cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellPosition {
    /// 1-based cell number among all cells.
    pub cell: usize,
    /// 1-based line and character column inside the cell's source.
    pub position: LineColumn,
}

impl CellMap {
    pub fn new(cells: Vec<Cell>) -> Self {
        Self { cells }
    }

    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    /// The cell holding raw span `span` (by its start), and the span in the cell's
    /// text, for showing the source as Jupyter shows it.
    pub fn cell_span(&self, span: Span) -> Option<(&Cell, Span)> {
        let cell = self.cell_at(span.start)?;
        let start = cell.decoded(span.start);
        let end = cell.decoded(span.end.min(cell.extent.end)).max(start);
        Some((cell, Span::new(start, end)))
    }

    fn cell_at(&self, offset: usize) -> Option<&Cell> {
        let index = self
            .cells
            .partition_point(|cell| cell.extent.start <= offset)
            .checked_sub(1)?;
        let cell = &self.cells[index];
        (offset <= cell.extent.end).then_some(cell)
    }

    /// The cell holding raw offset `offset`, with the line and column inside it;
    /// `None` outside every cell's source (a JSON syntax error, cell metadata).
    pub fn locate(&self, offset: usize) -> Option<CellPosition> {
        let cell = self.cell_at(offset)?;
        let decoded = cell.decoded(offset);
        Some(CellPosition {
            cell: cell.number,
            position: cell.lines.line_column(&cell.text, decoded),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cell whose text is written verbatim at `start`, except that `\n` stands for
    /// the two raw bytes `\n`.
    fn cell(number: usize, start: usize, raw_text: &str) -> Cell {
        let mut text = String::new();
        let mut raw = RawMap::default();
        let mut at = start;
        let mut rest = raw_text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("\\n") {
                text.push('\n');
                raw.push(1, at, at + 2);
                at += 2;
                rest = after;
            } else {
                let c = rest.chars().next().unwrap_or_default();
                raw.push(c.len_utf8(), at, at + c.len_utf8());
                text.push(c);
                at += c.len_utf8();
                rest = &rest[c.len_utf8()..];
            }
        }
        Cell::new(number, text, raw, start, at)
    }

    #[test]
    fn raw_offsets_become_cell_lines_and_columns() {
        let map = CellMap::new(vec![cell(1, 10, "ab\\ncd"), cell(3, 40, "xé\\nyz")]);
        let at = |offset| {
            map.locate(offset)
                .map(|p| (p.cell, p.position.line, p.position.column))
        };
        assert_eq!(at(10), Some((1, 1, 1)));
        assert_eq!(at(14), Some((1, 2, 1)));
        assert_eq!(at(16), Some((1, 2, 3)));
        assert_eq!(at(5), None);
        assert_eq!(at(20), None);
        // `é` is two bytes: `y` on line 2 starts at raw 40 + 1 + 2 + 2.
        assert_eq!(at(45), Some((3, 2, 1)));
        assert_eq!(at(41), Some((3, 1, 2)));
    }

    #[test]
    fn runs_map_every_byte_as_a_pair_per_byte_would() {
        // Verbatim runs (ASCII and multi-byte), escapes of one to twelve raw
        // bytes, a gap between two JSON strings: each decoded byte and each raw
        // offset answers as the plain list of (start, end) per decoded byte does.
        let characters: [(usize, usize); 9] = [
            (1, 1),
            (1, 1),
            (2, 2),
            (1, 2),
            (3, 3),
            (2, 6),
            (4, 12),
            (1, 1),
            (4, 4),
        ];
        let mut map = RawMap::default();
        let mut plain: Vec<(usize, usize)> = Vec::new();
        let mut at = 7;
        for round in 0..40 {
            let (len, raw_len) = characters[round % characters.len()];
            map.push(len, at, at + raw_len);
            for i in 0..len {
                plain.push(if len == raw_len {
                    (at + i, at + i + 1)
                } else {
                    (at, at + raw_len)
                });
            }
            // Every seventh character ends a JSON string: `", "` before the next.
            at += raw_len + if round % 7 == 6 { 4 } else { 0 };
        }
        for offset in 0..plain.len() + 2 {
            assert_eq!(
                map.byte(offset),
                plain.get(offset).copied(),
                "byte {offset}"
            );
        }
        for raw in 0..at + 2 {
            let expected = plain.partition_point(|&(start, _)| start < raw);
            assert_eq!(map.decoded_before(raw), expected, "raw {raw}");
        }
        assert!(
            map.pieces.len() < plain.len() / 2,
            "{} pieces",
            map.pieces.len()
        );
    }

    #[test]
    fn verbatim_spans_have_no_escapes() {
        let c = cell(1, 10, "ab\\ncd");
        assert!(c.is_verbatim(Span::new(0, 2)));
        assert!(!c.is_verbatim(Span::new(1, 3)));
        assert!(c.is_verbatim(Span::new(3, 5)));
        assert!(!c.is_verbatim(Span::new(3, 9)));
        assert_eq!((c.raw_start(3), c.raw_end(5)), (14, 16));
        assert_eq!(c.raw_start(5), 16);
    }
}
