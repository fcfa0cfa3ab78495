//! The documents open in the editor: their text as the editor holds it, which wins
//! over the file on disk, for the document itself and for the files it depends on.

use crate::config;
use crate::sources::FileKind;
use crate::span::{Encoding, LineIndex};
use lsp_types as lsp;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::convert;

/// One open document.
#[derive(Clone, Debug)]
pub struct Document {
    /// The URI as the client sent it: the key the client expects back.
    pub uri: lsp::Uri,
    /// Where the document lives on disk (what its kind, configuration and project
    /// are judged from).
    pub path: PathBuf,
    pub version: i32,
    pub text: String,
    /// A jupyterlab-lsp virtual document: a notebook's cells as Python.
    pub virtual_notebook: bool,
}

/// Applies one `didChange` content change to `text`: the whole text, or a range
/// of it.
pub fn apply_change(
    text: &mut String,
    change: lsp::TextDocumentContentChangeEvent,
    encoding: Encoding,
) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            let lines = LineIndex::new(text);
            let span = convert::span(&lines, text, range, encoding);
            text.replace_range(span.start..span.end, &change.text);
        }
    }
}

impl Document {
    /// Applies one `didChange` content change: the whole text, or a range of it.
    pub fn apply(&mut self, change: lsp::TextDocumentContentChangeEvent, encoding: Encoding) {
        apply_change(&mut self.text, change, encoding);
    }

    /// Whether the document is a notebook read as its JSON text: edits inside it
    /// are JSON edits, so a `# noqa` comment cannot be added as text.
    pub fn is_notebook(&self) -> bool {
        FileKind::of(&self.path) == Some(FileKind::Notebook)
    }
}

/// Whether a change to the file at `path` can change the findings of *other*
/// files: a project spec (default image), a requirements or constraints file or a
/// lock (pins), a configuration file (rules, versions, locks).
pub fn shapes_others(path: &Path) -> bool {
    let configuration = path
        .file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| config::FILE_NAMES.contains(&name));
    configuration
        || FileKind::of(path).is_some_and(|kind| kind.shapes_scope() || kind == FileKind::Lock)
}

/// The open documents, by URI.
#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<String, Document>,
}

impl Documents {
    pub fn open(&mut self, document: Document) {
        self.open.insert(document.uri.as_str().to_owned(), document);
    }

    pub fn close(&mut self, uri: &lsp::Uri) -> Option<Document> {
        self.open.remove(uri.as_str())
    }

    pub fn get(&self, uri: &lsp::Uri) -> Option<&Document> {
        self.open.get(uri.as_str())
    }

    pub fn get_mut(&mut self, uri: &lsp::Uri) -> Option<&mut Document> {
        self.open.get_mut(uri.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Document> {
        self.open.values()
    }

    /// The text of every open document that stands for a file on disk, by path:
    /// what a lint on a worker reads instead of those files.
    pub fn snapshot(&self) -> HashMap<PathBuf, String> {
        self.open
            .values()
            .filter(|document| !document.virtual_notebook)
            .map(|document| (document.path.clone(), document.text.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn document(text: &str) -> Document {
        Document {
            uri: lsp::Uri::from_str("file:///p/requirements.txt").unwrap(),
            path: PathBuf::from("/p/requirements.txt"),
            version: 1,
            text: text.into(),
            virtual_notebook: false,
        }
    }

    #[test]
    fn incremental_changes_count_in_the_negotiated_encoding() {
        let mut open = document("é😀 mlrun\r\npandas\n");
        let position = |line, character| lsp::Position { line, character };
        // After "é😀 " in UTF-16 (1 + 2 + 1 units), insert a pin after "mlrun".
        open.apply(
            lsp::TextDocumentContentChangeEvent {
                range: Some(lsp::Range::new(position(0, 9), position(0, 9))),
                range_length: None,
                text: "==1.6.4".into(),
            },
            Encoding::Utf16,
        );
        assert_eq!(open.text, "é😀 mlrun==1.6.4\r\npandas\n");
        open.apply(
            lsp::TextDocumentContentChangeEvent {
                range: Some(lsp::Range::new(position(1, 0), position(1, 6))),
                range_length: None,
                text: "numpy".into(),
            },
            Encoding::Utf8,
        );
        assert_eq!(open.text, "é😀 mlrun==1.6.4\r\nnumpy\n");
        open.apply(
            lsp::TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "x\n".into(),
            },
            Encoding::Utf16,
        );
        assert_eq!(open.text, "x\n");
    }

    #[test]
    fn files_that_shape_others() {
        for path in [
            "/p/requirements.txt",
            "/p/project.yaml",
            "/p/uv.lock",
            "/p/pyproject.toml",
            "/p/.mlrun-lint.toml",
            "/p/constraints.txt",
        ] {
            assert!(shapes_others(Path::new(path)), "{path}");
        }
        for path in ["/p/train.py", "/p/Dockerfile", "/p/notes.md", "/p/x.ipynb"] {
            assert!(!shapes_others(Path::new(path)), "{path}");
        }
    }
}
