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
    /// For each byte of `text`, the raw bytes of the character it was decoded
    /// from (`\n` is two raw bytes, `\u00e9` six, for one or two decoded bytes).
    raw: Vec<(usize, usize)>,
    /// From the first source string's content to the last one's end.
    extent: Span,
}

impl Cell {
    /// A cell decoded from raw JSON: `raw[i]` gives the raw bytes of `text`'s byte
    /// `i`; `end` is where the source ends in the raw text (before the closing quote
    /// of its last string), which is also where an insertion at its end goes.
    pub fn new(
        number: usize,
        text: String,
        raw: Vec<(usize, usize)>,
        start: usize,
        end: usize,
    ) -> Self {
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
        self.raw.get(offset).map_or(self.extent.end, |r| r.0)
    }

    /// The raw offset right after decoded byte `offset - 1`, for span ends.
    pub fn raw_end(&self, offset: usize) -> usize {
        match offset.checked_sub(1).and_then(|last| self.raw.get(last)) {
            Some(r) => r.1,
            None => self.raw_start(offset),
        }
    }

    /// Whether the decoded bytes `span` are written verbatim in the raw text, one raw
    /// byte each and without a gap, so replacing those raw bytes edits the source.
    pub fn is_verbatim(&self, span: Span) -> bool {
        let Some(bytes) = self.raw.get(span.start..span.end) else {
            return false;
        };
        bytes
            .iter()
            .enumerate()
            .all(|(i, &(start, end))| end == start + 1 && start == self.raw_start(span.start) + i)
    }

    /// The decoded offset of a raw offset in this cell (the next decoded character
    /// when `raw` falls inside an escape).
    fn decoded(&self, raw: usize) -> usize {
        self.raw.partition_point(|&(start, _)| start < raw)
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
        let mut raw = Vec::new();
        let mut at = start;
        let mut rest = raw_text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("\\n") {
                text.push('\n');
                raw.push((at, at + 2));
                at += 2;
                rest = after;
            } else {
                let c = rest.chars().next().unwrap_or_default();
                for i in 0..c.len_utf8() {
                    raw.push((at + i, at + i + 1));
                }
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
