//! Notebooks the editor holds as cells: a VS Code notebook (LSP 3.17 notebook
//! synchronisation, one text document per cell) or a jupyterlab-lsp virtual
//! document (cells joined in one document).
//!
//! They are judged by the reader that reads `.ipynb` files, not by a second one:
//! the cells are written as an nbformat 4 notebook (each source line a JSON
//! string on its own line, as Jupyter writes them, so `# noqa` works as in a saved
//! notebook), the engine checks that text as the notebook's path, and the reader's
//! [`CellMap`] takes every span back to a cell and a span of its text. Positions
//! are then counted in the cell's text, and placed at the cell's URI and first
//! line: line 0 of each cell document in VS Code, the cell's block in a virtual
//! document.

use super::actions::{self, FIX_ALL};
use super::convert;
use crate::cells::CellMap;
use crate::diagnostic::{Applicability, Diagnostic, Edit, FileDiagnostics};
use crate::fix;
use crate::rules;
use crate::sources::FileKind;
use crate::span::{Encoding, LineIndex, Span};
use lsp_types as lsp;
use std::path::PathBuf;

/// One cell as the editor holds it.
#[derive(Clone, Debug)]
pub struct CellText {
    /// Where its findings are published: the cell's own document, or the virtual
    /// document holding it.
    pub uri: lsp::Uri,
    /// A Python code cell (others are kept in place but not read).
    pub code: bool,
    pub text: String,
    /// The line of `uri` where the cell's line 0 is.
    pub first_line: u32,
    /// Per line of `text`, whether it is written the same at `uri` (so it can be
    /// edited there); `None` when every line is.
    pub verbatim: Option<Vec<bool>>,
    /// The version published with its diagnostics.
    pub version: Option<i32>,
}

/// A notebook as cells, judged as the notebook file at `path`.
#[derive(Clone, Debug)]
pub struct Cells {
    pub path: PathBuf,
    pub cells: Vec<CellText>,
}

/// One finding placed in a cell.
struct Placed<'f> {
    cell: usize,
    found: &'f Diagnostic,
    shown: lsp::Diagnostic,
}

impl Cells {
    /// The cells as an nbformat 4 notebook, for the notebook reader.
    pub fn ipynb(&self) -> String {
        let mut out = String::from("{\n \"cells\": [");
        for (index, cell) in self.cells.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            let kind = if cell.code { "code" } else { "raw" };
            out.push_str("\n  {\n   \"cell_type\": \"");
            out.push_str(kind);
            out.push_str("\",\n   \"metadata\": {},\n   \"source\": [");
            for (number, line) in cell.text.split_inclusive('\n').enumerate() {
                if number > 0 {
                    out.push(',');
                }
                out.push_str("\n    ");
                out.push_str(&json_string(line));
            }
            out.push_str("\n   ]\n  }");
        }
        out.push_str(
            "\n ],\n \"metadata\": {\"language_info\": {\"name\": \"python\"}},\n \
             \"nbformat\": 4,\n \"nbformat_minor\": 5\n}\n",
        );
        out
    }

    /// Every finding of `file` (the engine's result on [`Cells::ipynb`]) by the
    /// URI it is published at; only URIs with findings are listed.
    pub fn diagnostics(
        &self,
        file: &FileDiagnostics,
        encoding: Encoding,
    ) -> Vec<(lsp::Uri, Option<i32>, Vec<lsp::Diagnostic>)> {
        let mut by_uri: Vec<(lsp::Uri, Option<i32>, Vec<lsp::Diagnostic>)> = Vec::new();
        for placed in self.place(file, encoding) {
            let cell = &self.cells[placed.cell];
            match by_uri.iter_mut().find(|(uri, _, _)| *uri == cell.uri) {
                Some((_, _, shown)) => shown.push(placed.shown),
                None => by_uri.push((cell.uri.clone(), cell.version, vec![placed.shown])),
            }
        }
        by_uri
    }

    /// The URIs that findings can be published at.
    pub fn uris(&self) -> Vec<lsp::Uri> {
        let mut uris: Vec<lsp::Uri> = Vec::new();
        for cell in &self.cells {
            if !uris.contains(&cell.uri) {
                uris.push(cell.uri.clone());
            }
        }
        uris
    }

    fn place<'f>(&self, file: &'f FileDiagnostics, encoding: Encoding) -> Vec<Placed<'f>> {
        if self.cells.is_empty() {
            return Vec::new();
        }
        file.diagnostics
            .iter()
            .map(|found| {
                // Outside every cell (a notebook not checked at all): its first cell.
                let (cell, local) = self
                    .locate(file.cells.as_deref(), found.span)
                    .unwrap_or((0, Span::at(0)));
                let mut shown = convert::diagnostic(file, found, encoding);
                shown.range = self.range(cell, local, encoding);
                Placed { cell, found, shown }
            })
            .collect()
    }

    /// The cell holding a span of the notebook text, and the span in its text.
    fn locate(&self, map: Option<&CellMap>, span: Span) -> Option<(usize, Span)> {
        let (cell, local) = map?.cell_span(span)?;
        let index = cell.number.checked_sub(1)?;
        (index < self.cells.len()).then_some((index, local))
    }

    /// A span of cell `index`'s text as a range at its URI.
    fn range(&self, index: usize, local: Span, encoding: Encoding) -> lsp::Range {
        let cell = &self.cells[index];
        let mut range = convert::range(&LineIndex::new(&cell.text), &cell.text, local, encoding);
        range.start.line = range.start.line.saturating_add(cell.first_line);
        range.end.line = range.end.line.saturating_add(cell.first_line);
        range
    }

    /// Whether a span of cell `index`'s text can be edited at its URI.
    fn editable(&self, index: usize, local: Span) -> bool {
        let cell = &self.cells[index];
        let Some(verbatim) = &cell.verbatim else {
            return true;
        };
        let lines = LineIndex::new(&cell.text);
        let (first, last) = (lines.line_of(local.start), lines.line_of(local.end));
        (first..=last).all(|line| verbatim.get(line).copied().unwrap_or(false))
    }

    /// An edit of the notebook text as an edit at a cell's URI; `None` when it
    /// does not fall inside one cell line the URI holds as it is.
    fn edit(
        &self,
        map: Option<&CellMap>,
        edit: &Edit,
        encoding: Encoding,
    ) -> Option<(lsp::Uri, lsp::TextEdit)> {
        let (cell, local) = self.locate(map, edit.span)?;
        self.cell_edit(cell, local, unescape_json(&edit.content), encoding)
    }

    fn cell_edit(
        &self,
        cell: usize,
        local: Span,
        content: String,
        encoding: Encoding,
    ) -> Option<(lsp::Uri, lsp::TextEdit)> {
        self.editable(cell, local).then(|| {
            (
                self.cells[cell].uri.clone(),
                lsp::TextEdit {
                    range: self.range(cell, local, encoding),
                    new_text: content,
                },
            )
        })
    }

    /// The code actions at `range` of `uri` (a cell document, or the virtual
    /// document): each finding's fix, `# noqa` in the cell, and fix-all over the
    /// whole notebook.
    pub fn code_actions(
        &self,
        file: &FileDiagnostics,
        uri: &lsp::Uri,
        range: lsp::Range,
        only: Option<&[lsp::CodeActionKind]>,
        encoding: Encoding,
    ) -> Vec<lsp::CodeActionOrCommand> {
        let map = file.cells.as_deref();
        let mut found = Vec::new();
        if actions::wanted(only, lsp::CodeActionKind::QUICKFIX.as_str()) {
            for placed in self.place(file, encoding) {
                let here = self.cells[placed.cell].uri == *uri
                    && placed.shown.range.start <= range.end
                    && range.start <= placed.shown.range.end;
                if !here {
                    continue;
                }
                found.extend(self.quick_fix(map, &placed, encoding));
                found.extend(self.suppress(file, &placed, encoding));
            }
        }
        if actions::wanted(only, FIX_ALL) {
            found.extend(self.fix_all(file, encoding));
        }
        found
            .into_iter()
            .map(lsp::CodeActionOrCommand::CodeAction)
            .collect()
    }

    fn quick_fix(
        &self,
        map: Option<&CellMap>,
        placed: &Placed<'_>,
        encoding: Encoding,
    ) -> Option<lsp::CodeAction> {
        let fix = placed.found.fix.as_ref()?;
        let edits = fix
            .edits
            .iter()
            .map(|edit| self.edit(map, edit, encoding))
            .collect::<Option<Vec<_>>>()?;
        let safe = fix.applicability == Applicability::Safe;
        Some(lsp::CodeAction {
            title: actions::fix_title(placed.found, fix),
            kind: Some(lsp::CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![placed.shown.clone()]),
            edit: Some(workspace_edit(edits)),
            is_preferred: Some(safe),
            ..lsp::CodeAction::default()
        })
    }

    fn suppress(
        &self,
        file: &FileDiagnostics,
        placed: &Placed<'_>,
        encoding: Encoding,
    ) -> Option<lsp::CodeAction> {
        if placed.found.code == rules::UNUSED_NOQA.code {
            return None;
        }
        let (cell, local) = self.locate(file.cells.as_deref(), placed.found.span)?;
        let text = &self.cells[cell].text;
        let edit = actions::noqa_edit(text, &LineIndex::new(text), local.start, placed.found.code)?;
        let edit = self.cell_edit(cell, edit.span, edit.content, encoding)?;
        Some(lsp::CodeAction {
            title: format!("Suppress {} on this line", placed.found.code),
            kind: Some(lsp::CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![placed.shown.clone()]),
            edit: Some(workspace_edit(vec![edit])),
            ..lsp::CodeAction::default()
        })
    }

    /// The safe fixes `check --fix` would apply to the notebook, as edits of the
    /// cells they change: a whole cell document, or the changed lines of a
    /// virtual document (none when a changed line is not written there as is).
    fn fix_all(&self, file: &FileDiagnostics, encoding: Encoding) -> Option<lsp::CodeAction> {
        let plan = fix::plan(file, false);
        if !plan.changes(&file.text) {
            return None;
        }
        fix::verify(&self.path, FileKind::Notebook, &file.text, &plan.text).ok()?;
        let fixed = cell_sources(&plan.text)?;
        if fixed.len() != self.cells.len() {
            return None;
        }
        let mut edits = Vec::new();
        for (index, (cell, new)) in self.cells.iter().zip(&fixed).enumerate() {
            if cell.text == *new {
                continue;
            }
            if cell.verbatim.is_none() {
                edits.push(self.cell_edit(
                    index,
                    Span::new(0, cell.text.len()),
                    new.clone(),
                    encoding,
                )?);
                continue;
            }
            let old_lines: Vec<&str> = cell.text.split('\n').collect();
            let new_lines: Vec<&str> = new.split('\n').collect();
            if old_lines.len() != new_lines.len() {
                return None;
            }
            let mut start = 0;
            for (old, new) in old_lines.iter().zip(&new_lines) {
                if old != new {
                    let span = Span::new(start, start + old.len());
                    edits.push(self.cell_edit(index, span, (*new).to_owned(), encoding)?);
                }
                start += old.len() + 1;
            }
        }
        Some(lsp::CodeAction {
            title: "Fix all safe mlrun-lint problems in this notebook".into(),
            kind: Some(lsp::CodeActionKind::new(FIX_ALL)),
            edit: Some(workspace_edit(edits)),
            ..lsp::CodeAction::default()
        })
    }
}

/// Each cell's source in an nbformat 4 notebook's text.
fn cell_sources(ipynb: &str) -> Option<Vec<String>> {
    let notebook: serde_json::Value = serde_json::from_str(ipynb).ok()?;
    notebook
        .get("cells")?
        .as_array()?
        .iter()
        .map(|cell| {
            let lines = cell.get("source")?.as_array()?;
            lines
                .iter()
                .map(|line| line.as_str())
                .collect::<Option<String>>()
        })
        .collect()
}

fn workspace_edit(edits: Vec<(lsp::Uri, lsp::TextEdit)>) -> lsp::WorkspaceEdit {
    let mut by_uri: Vec<(lsp::Uri, Vec<lsp::TextEdit>)> = Vec::new();
    for (uri, edit) in edits {
        match by_uri.iter_mut().find(|(held, _)| *held == uri) {
            Some((_, held)) => held.push(edit),
            None => by_uri.push((uri, vec![edit])),
        }
    }
    lsp::WorkspaceEdit {
        changes: Some(by_uri.into_iter().collect()),
        ..lsp::WorkspaceEdit::default()
    }
}

fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// A fix's replacement text is raw notebook JSON; in a cell it is the text it
/// stands for.
fn unescape_json(content: &str) -> String {
    if !content.contains('\\') {
        return content.to_owned();
    }
    serde_json::from_str(&format!("\"{content}\"")).unwrap_or_else(|_| content.to_owned())
}

#[cfg(test)]
mod tests;
