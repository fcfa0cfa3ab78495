//! jupyterlab-lsp's virtual documents: a notebook sent as one Python document.
//!
//! jupyterlab-lsp (5.x, on JupyterLab 4's `@jupyterlab/lsp`) opens a notebook
//! `<root>/sub/train.ipynb` as `<root>/.virtual_documents/sub/train.ipynb`
//! (3.x and older: `train.ipynb.py`) whose text is its code cells: each cell's
//! lines, then a line break, cells joined by two blank lines (its
//! `blankLinesBetweenCells`), so `a` and `b` become `a\n\n\nb\n`. IPython
//! syntax is first rewritten into Python by its IPython overrides, line for line:
//!
//! - `%pip install x` → `get_ipython().run_line_magic("pip", " install x")`
//!   (`"` and `\` in the arguments escaped with `\`);
//! - `!pip install x` → `get_ipython().getoutput("pip install x")` (not escaped);
//! - `?x` / `x?` → `get_ipython().run_line_magic('pinfo', 'x')` (two spaces after
//!   the comma for `x?`);
//! - a `%%name args` cell → `get_ipython().run_cell_magic("name", " args",
//!   """<the other lines>""")`, its first line dropped.
//!
//! Here the overrides are undone, so the cells are read as the notebook reader
//! reads `.ipynb` cells (`%pip` and `!pip` lines are pip commands), and findings
//! are placed back by line: jupyterlab-lsp maps a virtual line to the cell line of
//! the same index in its block, with the column unchanged, so a finding at line
//! `k`, column `c` of a cell is published at line `first_line + k`, column `c`.
//! Lines that were rewritten get no edits (their virtual text is not the cell's).
//!
//! The format cannot tell a cell boundary from two blank lines inside a cell; a
//! cell read as two is judged the same way and placed on the same lines.

use std::path::{Path, PathBuf};

/// Where jupyter-lsp puts virtual documents (its `virtual_documents_dir`).
pub const VIRTUAL_FOLDER: &str = ".virtual_documents";

/// What joins two cells' blocks (each block ends with its own line break).
const CELL_GAP: &str = "\n\n\n";

/// Whether the document at `path` (language `language`) is a virtual notebook
/// document: under [`VIRTUAL_FOLDER`] and named `*.ipynb` or `*.ipynb.py`, or
/// any `*.ipynb` whose text the client calls Python.
pub fn is_virtual(path: &Path, language: &str) -> bool {
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let in_folder = path
        .components()
        .any(|part| part.as_os_str() == VIRTUAL_FOLDER);
    (in_folder && (name.ends_with(".ipynb") || name.ends_with(".ipynb.py")))
        || (name.ends_with(".ipynb") && language.eq_ignore_ascii_case("python"))
}

/// The path a document is judged as: a virtual document at its notebook's own
/// place (`<root>/sub/train.ipynb`), so it gets the notebook's project,
/// requirements and configuration; anything else where it is.
pub fn judged_path(path: PathBuf) -> PathBuf {
    let Some(at) = path
        .components()
        .position(|part| part.as_os_str() == VIRTUAL_FOLDER)
    else {
        return path;
    };
    let mut judged: PathBuf = path
        .components()
        .enumerate()
        .filter(|&(index, _)| index != at)
        .map(|(_, part)| part)
        .collect();
    let name = judged
        .file_name()
        .and_then(|name| name.to_str())
        .map(str::to_owned);
    if let Some(notebook) = name
        .as_deref()
        .and_then(|name| name.strip_suffix(".py"))
        .filter(|stem| stem.to_ascii_lowercase().ends_with(".ipynb"))
    {
        judged.set_file_name(notebook);
    }
    judged
}

/// One cell of a virtual document, as the notebook holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VirtualCell {
    /// The cell's source, IPython syntax restored.
    pub text: String,
    /// The virtual document's line where the cell's block starts.
    pub first_line: u32,
    /// For each line of `text`: whether it is written the same in the virtual
    /// document, so an edit there is an edit of the virtual text.
    pub verbatim: Vec<bool>,
}

/// The cells of a virtual document's text.
pub fn cells(text: &str) -> Vec<VirtualCell> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut cells = Vec::new();
    let mut start = 0;
    let mut line = 0u32;
    loop {
        let end = body[start..]
            .find(CELL_GAP)
            .map_or(body.len(), |at| start + at);
        let block = &body[start..end];
        cells.push(restore(block, line));
        if end == body.len() {
            return cells;
        }
        let lines = block.matches('\n').count() + CELL_GAP.len();
        line = line.saturating_add(u32::try_from(lines).unwrap_or(u32::MAX));
        start = end + CELL_GAP.len();
    }
}

const CELL_MAGIC: &str = "get_ipython().run_cell_magic(\"";
const GETOUTPUT: &str = "get_ipython().getoutput(\"";
const LINE_MAGIC: &str = "get_ipython().run_line_magic(\"";
const PINFO: &str = "get_ipython().run_line_magic('pinfo";

/// One block's cell, the overrides undone.
fn restore(block: &str, first_line: u32) -> VirtualCell {
    if let Some(text) = restore_cell_magic(block) {
        let verbatim = vec![false; text.split('\n').count()];
        return VirtualCell {
            text,
            first_line,
            verbatim,
        };
    }
    let mut text = String::with_capacity(block.len());
    let mut verbatim = Vec::new();
    for (index, line) in block.split('\n').enumerate() {
        if index > 0 {
            text.push('\n');
        }
        match restore_line(line) {
            Some(restored) => {
                text.push_str(&restored);
                verbatim.push(false);
            }
            None => {
                text.push_str(line);
                verbatim.push(true);
            }
        }
    }
    VirtualCell {
        text,
        first_line,
        verbatim,
    }
}

/// `get_ipython().run_cell_magic("name", " args", """content""")` as
/// `%%name args` and its content lines.
fn restore_cell_magic(block: &str) -> Option<String> {
    let rest = block.strip_prefix(CELL_MAGIC)?;
    let (name, rest) = rest.split_once("\", \"")?;
    let (args, content) = split_unescaped(rest, "\", \"\"\"")?;
    let content = content.strip_suffix("\"\"\")")?;
    Some(format!(
        "%%{name}{}\n{}",
        unescape(args),
        content.replace("\\\"\\\"\\\"", "\"\"\"")
    ))
}

/// One line's IPython syntax, or `None` when the line was not rewritten.
fn restore_line(line: &str) -> Option<String> {
    if let Some(at) = line.find(GETOUTPUT) {
        let command = line[at + GETOUTPUT.len()..].strip_suffix("\")")?;
        return Some(format!("{}!{command}", &line[..at]));
    }
    if let Some(at) = line.find(LINE_MAGIC) {
        let rest = &line[at + LINE_MAGIC.len()..];
        let (name, args) = rest.split_once("\", \"")?;
        let args = args.strip_suffix("\")")?;
        return Some(format!("{}%{name}{}", &line[..at], unescape(args)));
    }
    if let Some(at) = line.find(PINFO) {
        let rest = &line[at + PINFO.len()..];
        let (marks, rest) = match rest.strip_prefix("2'") {
            Some(rest) => ("??", rest),
            None => ("?", rest.strip_prefix('\'')?),
        };
        let name = rest.strip_suffix("')")?;
        let prefix = &line[..at];
        if let Some(name) = name.strip_prefix(",  '") {
            return Some(format!("{prefix}{name}{marks}"));
        }
        let name = name.strip_prefix(", '")?;
        return Some(format!("{prefix}{marks}{name}"));
    }
    None
}

/// `text` split at the first `separator` not escaped by a backslash.
fn split_unescaped<'t>(text: &'t str, separator: &str) -> Option<(&'t str, &'t str)> {
    let mut from = 0;
    loop {
        let at = from + text[from..].find(separator)?;
        let backslashes = text[..at].bytes().rev().take_while(|&b| b == b'\\').count();
        if backslashes % 2 == 0 {
            return Some((&text[..at], &text[at + separator.len()..]));
        }
        from = at + 1;
    }
}

/// Undoes the overrides' escape: `\"` and `\\` become `"` and `\`.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(next @ ('"' | '\\')) => out.push(next),
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
