//! What rules say about facts: diagnostics, their severity, and their fixes.

use crate::cells::CellMap;
use crate::span::{LineColumn, LineIndex, Span};
use serde::Serialize;
use std::sync::Arc;

/// How serious a finding is. Ordered so that `Error > Warning > Info`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// Whether a fix may be applied without a person looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// The fix keeps the project's behaviour as it runs today: `--fix` applies it.
    Safe,
    /// The fix changes what runs (or rests on a guess): only `--unsafe-fixes` applies it.
    Unsafe,
}

/// Replace the bytes of `span` with `content`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub content: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, in the imperative ("Pin the image to `mlrun/mlrun:1.6.4`").
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// What a rule found about one fact: everything but the rule's identity and the
/// severity in force, which the engine adds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

/// A finding with the rule that made it and the severity it is reported at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub rule: &'static str,
    pub severity: Severity,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

/// One checked file: its text as read and what was found in it, sorted by position.
#[derive(Clone, Debug)]
pub struct FileDiagnostics {
    /// The path as shown to the user: relative to the working directory when under
    /// it, with `/` separators.
    pub path: String,
    pub text: Arc<str>,
    pub lines: LineIndex,
    pub diagnostics: Vec<Diagnostic>,
    /// A notebook's cells: positions are then given inside the cell.
    pub cells: Option<Arc<CellMap>>,
}

impl FileDiagnostics {
    pub fn new(path: String, text: Arc<str>, diagnostics: Vec<Diagnostic>) -> Self {
        let lines = LineIndex::new(&text);
        Self {
            path,
            text,
            lines,
            diagnostics,
            cells: None,
        }
    }

    /// The same file, read as a notebook with these cells.
    pub fn with_cells(mut self, cells: Option<Arc<CellMap>>) -> Self {
        self.cells = cells;
        self
    }

    /// The 1-based line and character column of a byte offset: inside its cell for
    /// a notebook (see [`cell`](Self::cell)), in the file otherwise.
    pub fn position(&self, offset: usize) -> LineColumn {
        match self.cells.as_ref().and_then(|cells| cells.locate(offset)) {
            Some(at) => at.position,
            None => self.raw_position(offset),
        }
    }

    /// The 1-based notebook cell holding a byte offset; `None` outside notebooks
    /// and outside every cell's source (a JSON syntax error).
    pub fn cell(&self, offset: usize) -> Option<usize> {
        self.cells
            .as_ref()
            .and_then(|cells| cells.locate(offset))
            .map(|at| at.cell)
    }

    /// The line and column in the file as stored, whatever its kind: for formats
    /// that annotate file lines (SARIF regions, GitHub annotations, GitLab).
    pub fn raw_position(&self, offset: usize) -> LineColumn {
        self.lines.line_column(&self.text, offset)
    }
}
