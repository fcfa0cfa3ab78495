//! Code actions: each finding's fix as a quick fix, "fix all safe problems" for the
//! file, and "suppress on this line" through a `# noqa` comment.

use crate::diagnostic::{Applicability, Diagnostic, Edit, FileDiagnostics};
use crate::fix;
use crate::rules;
use crate::sources::FileKind;
use crate::span::{Encoding, LineIndex, Span};
use crate::suppress::noqa::{Suppressions, Target};
use lsp_types as lsp;
use std::collections::HashMap;

use super::convert;
use super::documents::Document;

/// The kind of the "fix all" action, under `source.fixAll` so editors run it on
/// save when asked to (`editor.codeActionsOnSave`).
pub const FIX_ALL: &str = "source.fixAll.mlrun-lint";

/// The code actions for `range` (bytes) of `document`, whose findings are `file`
/// (the engine's result on the document's current text), limited to the kinds
/// the client asked for (`only`).
pub fn code_actions(
    document: &Document,
    file: &FileDiagnostics,
    range: Span,
    only: Option<&[lsp::CodeActionKind]>,
    encoding: Encoding,
) -> Vec<lsp::CodeActionOrCommand> {
    let wanted = |kind: &str| wanted(only, kind);
    let mut actions = Vec::new();
    if wanted(lsp::CodeActionKind::QUICKFIX.as_str()) {
        for found in file
            .diagnostics
            .iter()
            .filter(|found| touches(found.span, range))
        {
            let shown = convert::diagnostic(file, found, encoding);
            if let Some(action) = quick_fix(document, file, found, &shown, encoding) {
                actions.push(action);
            }
            if let Some(action) = suppress(document, file, found, &shown, encoding) {
                actions.push(action);
            }
        }
    }
    if wanted(FIX_ALL) {
        actions.extend(fix_all(document, file, encoding));
    }
    actions
        .into_iter()
        .map(lsp::CodeActionOrCommand::CodeAction)
        .collect()
}

/// Whether the client asked for actions of `kind` (`only` lists kinds and their
/// parents: `source` covers `source.fixAll.mlrun-lint`).
pub fn wanted(only: Option<&[lsp::CodeActionKind]>, kind: &str) -> bool {
    only.is_none_or(|kinds| {
        kinds.iter().any(|asked| {
            let asked = asked.as_str();
            kind == asked
                || kind
                    .strip_prefix(asked)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

/// `Fix MLR101: <message>`, marked `(unsafe)` when the fix changes what runs.
pub fn fix_title(found: &Diagnostic, fix: &crate::diagnostic::Fix) -> String {
    let safe = fix.applicability == Applicability::Safe;
    format!(
        "Fix {}: {}{}",
        found.code,
        fix.message,
        if safe { "" } else { " (unsafe)" }
    )
}

/// Whether a finding's span meets the requested range; an empty range (the
/// cursor) touching either end of a span counts.
fn touches(span: Span, range: Span) -> bool {
    span.start <= range.end && range.start <= span.end
}

/// The finding's own fix: `Fix MLR101: <message>`, marked `(unsafe)` when it
/// changes what runs, and preferred (applied by "auto fix") only when safe.
fn quick_fix(
    document: &Document,
    file: &FileDiagnostics,
    found: &Diagnostic,
    shown: &lsp::Diagnostic,
    encoding: Encoding,
) -> Option<lsp::CodeAction> {
    let fix = found.fix.as_ref()?;
    let safe = fix.applicability == Applicability::Safe;
    Some(lsp::CodeAction {
        title: fix_title(found, fix),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![shown.clone()]),
        edit: Some(workspace_edit(
            document,
            convert::text_edits(file, &fix.edits, encoding),
        )),
        is_preferred: Some(safe),
        ..lsp::CodeAction::default()
    })
}

/// `Suppress MLR101 on this line`: a `# noqa` comment at the end of the finding's
/// first line. Not offered in a notebook read as JSON (the comment would land in
/// the JSON, not in the cell), nor for MLR004 (which is about a `# noqa` itself).
fn suppress(
    document: &Document,
    file: &FileDiagnostics,
    found: &Diagnostic,
    shown: &lsp::Diagnostic,
    encoding: Encoding,
) -> Option<lsp::CodeAction> {
    if document.is_notebook() || found.code == rules::UNUSED_NOQA.code {
        return None;
    }
    let edit = noqa_edit(&file.text, &file.lines, found.span.start, found.code)?;
    Some(lsp::CodeAction {
        title: format!("Suppress {} on this line", found.code),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![shown.clone()]),
        edit: Some(workspace_edit(
            document,
            convert::text_edits(file, &[edit], encoding),
        )),
        ..lsp::CodeAction::default()
    })
}

/// The edit that suppresses `code` on the line holding `offset`: the code added to
/// the line's `# noqa:` list when it has one, else ` # noqa: CODE` at the end of
/// the line (before its line break). `None` when the line already suppresses it.
pub fn noqa_edit(text: &str, lines: &LineIndex, offset: usize, code: &str) -> Option<Edit> {
    let line = lines.line_of(offset.min(text.len()));
    let existing = Suppressions::parse(text)
        .directives
        .into_iter()
        .find(|directive| directive.target == Target::Line(line));
    if let Some(directive) = existing {
        if directive.codes.is_empty() || directive.codes.iter().any(|named| named.code == code) {
            return None;
        }
        return Some(Edit {
            span: Span::at(directive.directive.end),
            content: format!(", {code}"),
        });
    }
    let start = lines.line_start(line);
    let end = if line + 1 < lines.line_count() {
        lines.line_start(line + 1)
    } else {
        text.len()
    };
    let content = text[start..end].trim_end_matches(['\n', '\r']);
    Some(Edit {
        span: Span::at(start + content.len()),
        content: format!(" # noqa: {code}"),
    })
}

/// `Fix all safe problems in this file`: the safe fixes `check --fix` would apply
/// in its first round, as one edit of the whole text, offered only when they
/// change it and the result still reads as well as before.
fn fix_all(
    document: &Document,
    file: &FileDiagnostics,
    encoding: Encoding,
) -> Option<lsp::CodeAction> {
    let plan = fix::plan(file, false);
    if !plan.changes(&file.text) {
        return None;
    }
    let kind = FileKind::of(&document.path).unwrap_or(FileKind::Requirements);
    fix::verify(&document.path, kind, &file.text, &plan.text).ok()?;
    let whole = Span::new(0, file.text.len());
    Some(lsp::CodeAction {
        title: "Fix all safe mlrun-lint problems in this file".into(),
        kind: Some(lsp::CodeActionKind::new(FIX_ALL)),
        edit: Some(workspace_edit(
            document,
            vec![lsp::TextEdit {
                range: convert::range(&file.lines, &file.text, whole, encoding),
                new_text: plan.text,
            }],
        )),
        ..lsp::CodeAction::default()
    })
}

fn workspace_edit(document: &Document, edits: Vec<lsp::TextEdit>) -> lsp::WorkspaceEdit {
    lsp::WorkspaceEdit {
        changes: Some(HashMap::from([(document.uri.clone(), edits)])),
        ..lsp::WorkspaceEdit::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Fix, Severity};
    use std::path::PathBuf;
    use std::str::FromStr;

    fn noqa(text: &str, offset: usize, code: &str) -> Option<String> {
        let edit = noqa_edit(text, &LineIndex::new(text), offset, code)?;
        let mut out = text.to_owned();
        out.replace_range(edit.span.start..edit.span.end, &edit.content);
        Some(out)
    }

    #[test]
    fn noqa_goes_at_the_end_of_the_line() {
        assert_eq!(
            noqa("a: 1\nimage: mlrun/mlrun\nb: 2\n", 12, "MLR101").as_deref(),
            Some("a: 1\nimage: mlrun/mlrun # noqa: MLR101\nb: 2\n")
        );
        // Before a CRLF, and at the end of a text without a final newline.
        assert_eq!(
            noqa("image: x\r\n", 7, "MLR102").as_deref(),
            Some("image: x # noqa: MLR102\r\n")
        );
        assert_eq!(
            noqa("pandas", 0, "MLR201").as_deref(),
            Some("pandas # noqa: MLR201")
        );
        // After a comment that is not a directive.
        assert_eq!(
            noqa("image: x  # the base\n", 7, "MLR102").as_deref(),
            Some("image: x  # the base # noqa: MLR102\n")
        );
    }

    #[test]
    fn noqa_extends_an_existing_list() {
        assert_eq!(
            noqa("image: x  # noqa: MLR103 why\n", 7, "MLR102").as_deref(),
            Some("image: x  # noqa: MLR103, MLR102 why\n")
        );
        assert_eq!(noqa("image: x  # noqa: MLR102\n", 7, "MLR102"), None);
        assert_eq!(noqa("image: x  # noqa\n", 7, "MLR102"), None);
    }

    fn document(path: &str, text: &str) -> Document {
        Document {
            uri: lsp::Uri::from_str(&format!("file://{path}")).unwrap(),
            path: PathBuf::from(path),
            version: 1,
            text: text.into(),
            virtual_notebook: false,
        }
    }

    fn finding(span: Span, applicability: Applicability) -> Diagnostic {
        Diagnostic {
            code: "MLR101",
            rule: "mlrun-image-untagged",
            severity: Severity::Error,
            span,
            message: "untagged".into(),
            help: None,
            fix: Some(Fix {
                message: "Pin the image to `mlrun/mlrun:1.6.4`".into(),
                applicability,
                edits: vec![Edit {
                    span: Span::at(span.end),
                    content: ":1.6.4".into(),
                }],
            }),
        }
    }

    fn titles(actions: &[lsp::CodeActionOrCommand]) -> Vec<String> {
        actions
            .iter()
            .map(|action| match action {
                lsp::CodeActionOrCommand::CodeAction(action) => action.title.clone(),
                lsp::CodeActionOrCommand::Command(command) => command.title.clone(),
            })
            .collect()
    }

    #[test]
    fn actions_for_a_finding_under_the_cursor() {
        let text = "kind: project\nspec:\n  default_image: mlrun/mlrun\n";
        let start = text.find("mlrun/").unwrap();
        let span = Span::new(start, start + 11);
        let open = document("/p/project.yaml", text);
        let file = FileDiagnostics::new(
            "project.yaml".into(),
            text.into(),
            vec![finding(span, Applicability::Safe)],
        );
        let actions = code_actions(&open, &file, Span::at(start + 3), None, Encoding::Utf16);
        assert_eq!(
            titles(&actions),
            [
                "Fix MLR101: Pin the image to `mlrun/mlrun:1.6.4`",
                "Suppress MLR101 on this line",
                "Fix all safe mlrun-lint problems in this file",
            ]
        );
        let lsp::CodeActionOrCommand::CodeAction(quick) = &actions[0] else {
            panic!("a code action");
        };
        assert_eq!(quick.is_preferred, Some(true));
        let edits = &quick.edit.as_ref().unwrap().changes.as_ref().unwrap()[&open.uri];
        assert_eq!(edits[0].new_text, ":1.6.4");
        assert_eq!(edits[0].range.start, lsp::Position::new(2, 28));
        // Elsewhere in the file only "fix all" is offered; with `only`, just that kind.
        let away = code_actions(&open, &file, Span::at(0), None, Encoding::Utf16);
        assert_eq!(
            titles(&away),
            ["Fix all safe mlrun-lint problems in this file"]
        );
        let only = [lsp::CodeActionKind::QUICKFIX];
        let quick_only = code_actions(&open, &file, span, Some(&only), Encoding::Utf16);
        assert_eq!(quick_only.len(), 2);
        let source = [lsp::CodeActionKind::SOURCE];
        let source_only = code_actions(&open, &file, span, Some(&source), Encoding::Utf16);
        assert_eq!(
            titles(&source_only),
            ["Fix all safe mlrun-lint problems in this file"]
        );
    }

    #[test]
    fn unsafe_fixes_are_labelled_and_not_in_fix_all() {
        let text = "image: mlrun/mlrun\n";
        let open = document("/p/function.yaml", text);
        let file = FileDiagnostics::new(
            "function.yaml".into(),
            text.into(),
            vec![finding(Span::new(7, 18), Applicability::Unsafe)],
        );
        let actions = code_actions(&open, &file, Span::at(8), None, Encoding::Utf16);
        assert_eq!(
            titles(&actions),
            [
                "Fix MLR101: Pin the image to `mlrun/mlrun:1.6.4` (unsafe)",
                "Suppress MLR101 on this line",
            ]
        );
        let lsp::CodeActionOrCommand::CodeAction(quick) = &actions[0] else {
            panic!("a code action");
        };
        assert_eq!(quick.is_preferred, Some(false));
    }

    #[test]
    fn notebooks_get_no_noqa_action() {
        let text = r#"{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}"#;
        let open = document("/p/x.ipynb", text);
        let file = FileDiagnostics::new(
            "x.ipynb".into(),
            text.into(),
            vec![Diagnostic {
                fix: None,
                ..finding(Span::new(1, 6), Applicability::Safe)
            }],
        );
        assert!(code_actions(&open, &file, Span::at(2), None, Encoding::Utf16).is_empty());
    }
}
