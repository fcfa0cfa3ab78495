//! Notebooks the client synchronises as notebooks (LSP 3.17 `notebookDocument/*`,
//! VS Code's notebook editor): their cell structure and each cell's text.

use super::cells::{CellText, Cells};
use super::documents::apply_change;
use crate::span::Encoding;
use lsp_types as lsp;
use std::collections::HashMap;
use std::path::PathBuf;

/// One cell of an open notebook.
#[derive(Clone, Debug)]
pub struct NotebookCell {
    pub uri: lsp::Uri,
    pub kind: lsp::NotebookCellKind,
    pub language: String,
    pub version: i32,
    pub text: String,
}

/// An open notebook.
#[derive(Clone, Debug)]
pub struct Notebook {
    pub uri: lsp::Uri,
    /// Where the notebook is judged (its project, configuration).
    pub path: PathBuf,
    pub version: i32,
    pub cells: Vec<NotebookCell>,
}

impl Notebook {
    pub fn open(path: PathBuf, params: lsp::DidOpenNotebookDocumentParams) -> Self {
        let mut texts: HashMap<String, lsp::TextDocumentItem> = params
            .cell_text_documents
            .into_iter()
            .map(|item| (item.uri.as_str().to_owned(), item))
            .collect();
        let document = params.notebook_document;
        let cells = document
            .cells
            .into_iter()
            .map(|cell| new_cell(cell, &mut texts, &mut HashMap::new()))
            .collect();
        Self {
            uri: document.uri,
            path,
            version: document.version,
            cells,
        }
    }

    /// Applies a `notebookDocument/didChange`: cells added, removed or moved,
    /// their kinds, and their text changes, in the order the protocol gives them.
    pub fn change(&mut self, params: lsp::DidChangeNotebookDocumentParams, encoding: Encoding) {
        self.version = params.notebook_document.version;
        let Some(change) = params.change.cells else {
            return;
        };
        if let Some(structure) = change.structure {
            let mut opened: HashMap<String, lsp::TextDocumentItem> = structure
                .did_open
                .unwrap_or_default()
                .into_iter()
                .map(|item| (item.uri.as_str().to_owned(), item))
                .collect();
            let array = structure.array;
            let start = (array.start as usize).min(self.cells.len());
            let end = start
                .saturating_add(array.delete_count as usize)
                .min(self.cells.len());
            // A moved cell is deleted and inserted again, keeping its text.
            let mut removed: HashMap<String, NotebookCell> = self
                .cells
                .drain(start..end)
                .map(|cell| (cell.uri.as_str().to_owned(), cell))
                .collect();
            let inserted: Vec<NotebookCell> = array
                .cells
                .unwrap_or_default()
                .into_iter()
                .map(|cell| new_cell(cell, &mut opened, &mut removed))
                .collect();
            self.cells.splice(start..start, inserted);
        }
        for cell in change.data.unwrap_or_default() {
            if let Some(held) = self.cell_mut(&cell.document) {
                held.kind = cell.kind;
            }
        }
        for content in change.text_content.unwrap_or_default() {
            if let Some(held) = self.cell_mut(&content.document.uri) {
                for change in content.changes {
                    apply_change(&mut held.text, change, encoding);
                }
                held.version = content.document.version;
            }
        }
    }

    fn cell_mut(&mut self, uri: &lsp::Uri) -> Option<&mut NotebookCell> {
        self.cells.iter_mut().find(|cell| cell.uri == *uri)
    }

    pub fn holds(&self, uri: &lsp::Uri) -> bool {
        self.cells.iter().any(|cell| cell.uri == *uri)
    }

    /// The notebook as cells to judge: Python code cells are code, the rest are
    /// kept in place.
    pub fn cells(&self) -> Cells {
        Cells {
            path: self.path.clone(),
            cells: self
                .cells
                .iter()
                .map(|cell| CellText {
                    uri: cell.uri.clone(),
                    code: cell.kind == lsp::NotebookCellKind::Code
                        && cell.language.eq_ignore_ascii_case("python"),
                    text: cell.text.clone(),
                    first_line: 0,
                    verbatim: None,
                    version: Some(cell.version),
                })
                .collect(),
        }
    }
}

/// A cell as listed by the client, with its text from the documents it opened
/// (or, for a moved cell, the text it had).
fn new_cell(
    cell: lsp::NotebookCell,
    opened: &mut HashMap<String, lsp::TextDocumentItem>,
    removed: &mut HashMap<String, NotebookCell>,
) -> NotebookCell {
    let key = cell.document.as_str().to_owned();
    if let Some(item) = opened.remove(&key) {
        return NotebookCell {
            uri: cell.document,
            kind: cell.kind,
            language: item.language_id,
            version: item.version,
            text: item.text,
        };
    }
    match removed.remove(&key) {
        Some(held) => NotebookCell {
            kind: cell.kind,
            ..held
        },
        None => NotebookCell {
            uri: cell.document,
            kind: cell.kind,
            language: "python".into(),
            version: 0,
            text: String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn uri(text: &str) -> lsp::Uri {
        lsp::Uri::from_str(text).unwrap()
    }

    fn item(name: &str, text: &str) -> lsp::TextDocumentItem {
        lsp::TextDocumentItem {
            uri: uri(&format!("vscode-notebook-cell:/p/x.ipynb#{name}")),
            language_id: "python".into(),
            version: 1,
            text: text.into(),
        }
    }

    fn cell(name: &str) -> lsp::NotebookCell {
        lsp::NotebookCell {
            kind: lsp::NotebookCellKind::Code,
            document: uri(&format!("vscode-notebook-cell:/p/x.ipynb#{name}")),
            metadata: None,
            execution_summary: None,
        }
    }

    fn texts(notebook: &Notebook) -> Vec<&str> {
        notebook.cells.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn cells_are_added_moved_removed_and_edited() {
        let mut notebook = Notebook::open(
            PathBuf::from("/p/x.ipynb"),
            lsp::DidOpenNotebookDocumentParams {
                notebook_document: lsp::NotebookDocument {
                    uri: uri("file:///p/x.ipynb"),
                    notebook_type: "jupyter-notebook".into(),
                    version: 1,
                    metadata: None,
                    cells: vec![cell("a"), cell("b")],
                },
                cell_text_documents: vec![item("a", "import mlrun\n"), item("b", "x = 1\n")],
            },
        );
        assert_eq!(texts(&notebook), ["import mlrun\n", "x = 1\n"]);
        let change = |structure, text_content| lsp::DidChangeNotebookDocumentParams {
            notebook_document: lsp::VersionedNotebookDocumentIdentifier {
                version: 2,
                uri: uri("file:///p/x.ipynb"),
            },
            change: lsp::NotebookDocumentChangeEvent {
                metadata: None,
                cells: Some(lsp::NotebookDocumentCellChange {
                    structure,
                    data: None,
                    text_content,
                }),
            },
        };
        // Insert `c` first; move `b` before `a` (delete both, insert both).
        notebook.change(
            change(
                Some(lsp::NotebookDocumentCellChangeStructure {
                    array: lsp::NotebookCellArrayChange {
                        start: 0,
                        delete_count: 0,
                        cells: Some(vec![cell("c")]),
                    },
                    did_open: Some(vec![item("c", "%pip install pandas\n")]),
                    did_close: None,
                }),
                None,
            ),
            Encoding::Utf16,
        );
        notebook.change(
            change(
                Some(lsp::NotebookDocumentCellChangeStructure {
                    array: lsp::NotebookCellArrayChange {
                        start: 1,
                        delete_count: 2,
                        cells: Some(vec![cell("b"), cell("a")]),
                    },
                    did_open: None,
                    did_close: None,
                }),
                None,
            ),
            Encoding::Utf16,
        );
        assert_eq!(
            texts(&notebook),
            ["%pip install pandas\n", "x = 1\n", "import mlrun\n"]
        );
        notebook.change(
            change(
                None,
                Some(vec![lsp::NotebookDocumentChangeTextContent {
                    document: lsp::VersionedTextDocumentIdentifier {
                        uri: uri("vscode-notebook-cell:/p/x.ipynb#b"),
                        version: 5,
                    },
                    changes: vec![lsp::TextDocumentContentChangeEvent {
                        range: Some(lsp::Range::new(
                            lsp::Position::new(0, 4),
                            lsp::Position::new(0, 5),
                        )),
                        range_length: None,
                        text: "2".into(),
                    }],
                }]),
            ),
            Encoding::Utf16,
        );
        assert_eq!(notebook.cells[1].text, "x = 2\n");
        assert_eq!(notebook.cells[1].version, 5);
        assert_eq!(notebook.version, 2);
        // Removing a cell.
        notebook.change(
            change(
                Some(lsp::NotebookDocumentCellChangeStructure {
                    array: lsp::NotebookCellArrayChange {
                        start: 0,
                        delete_count: 1,
                        cells: None,
                    },
                    did_open: None,
                    did_close: Some(vec![lsp::TextDocumentIdentifier {
                        uri: uri("vscode-notebook-cell:/p/x.ipynb#c"),
                    }]),
                }),
                None,
            ),
            Encoding::Utf16,
        );
        assert_eq!(texts(&notebook), ["x = 2\n", "import mlrun\n"]);
        assert!(!notebook.holds(&uri("vscode-notebook-cell:/p/x.ipynb#c")));
    }
}
