//! `json`: one array of diagnostics with exactly the keys the contract lists.
//! Positions are 1-based lines and character columns, edits included, so a tool
//! never has to know our byte offsets. `json-lines` writes the same objects.

use super::json_array::JsonArray;
use super::Located;
use crate::diagnostic::{Applicability, Severity};
use crate::span::LineColumn;
use serde::Serialize;
use std::io::{self, Write};

/// One diagnostic as `json` and `json-lines` write it.
#[derive(Serialize)]
pub(super) struct JsonDiagnostic<'a> {
    code: &'a str,
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    path: &'a str,
    /// The 1-based notebook cell; only for notebooks, where lines count in the cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    cell: Option<usize>,
    start: LineColumn,
    end: LineColumn,
    help: Option<&'a str>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    message: &'a str,
    applicability: Applicability,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    start: LineColumn,
    end: LineColumn,
    content: &'a str,
}

/// Writes each diagnostic as the array's next object.
pub(super) fn render(
    diagnostics: &[Located<'_>],
    array: &mut JsonArray,
    out: &mut dyn Write,
) -> io::Result<()> {
    for located in diagnostics {
        array.element(&object(located), out)?;
    }
    Ok(())
}

pub(super) fn object<'a>(located: &Located<'a>) -> JsonDiagnostic<'a> {
    let file = located.file;
    let diagnostic = located.diagnostic;
    JsonDiagnostic {
        code: diagnostic.code,
        rule: diagnostic.rule,
        severity: diagnostic.severity,
        message: &diagnostic.message,
        path: &file.path,
        cell: located.cell,
        start: located.start,
        end: located.end(),
        help: diagnostic.help.as_deref(),
        fix: diagnostic.fix.as_ref().map(|fix| JsonFix {
            message: &fix.message,
            applicability: fix.applicability,
            edits: fix
                .edits
                .iter()
                .map(|edit| JsonEdit {
                    start: file.position(edit.span.start),
                    end: file.position(edit.span.end),
                    content: &edit.content,
                })
                .collect(),
        }),
    }
}
