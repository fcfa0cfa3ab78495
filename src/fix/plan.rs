//! Choosing which fixes of a file to apply, and applying their edits to its text.
//!
//! Edits replace bytes of the text exactly as it was read and touch nothing else,
//! so quoting, comments, key order, indentation, line endings, a BOM and a missing
//! final newline all survive: the only bytes that change are the edits' own.

use crate::diagnostic::{Applicability, Edit, FileDiagnostics, Fix};

/// What applying a file's fixes would do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The file's text with the applied fixes' edits.
    pub text: String,
    /// Indices (into `FileDiagnostics::diagnostics`) of the diagnostics whose fix is
    /// applied, in position order. A fix whose edits were all already made by an
    /// earlier fix (two uses of one YAML anchor) counts as applied.
    pub applied: Vec<usize>,
    /// Diagnostics whose fix was eligible but is not applied, with why. Diagnostics
    /// without a fix, and unsafe fixes when unsafe fixes are not asked for, are in
    /// neither list.
    pub skipped: Vec<(usize, String)>,
}

impl Plan {
    /// Whether the plan changes the text.
    pub fn changes(&self, old: &str) -> bool {
        self.text != old
    }
}

/// Applies the fixes of `file`'s diagnostics that `--fix` may apply (safe ones, and
/// unsafe ones too when `unsafe_fixes`), in position order.
///
/// A fix is applied whole or not at all: one whose edits fall outside the text,
/// split a character, overlap each other, or overlap an edit already accepted from
/// an earlier fix is skipped with the reason. Edits equal to an accepted one (same
/// span and content) are made once, which is how two diagnostics reached through
/// one YAML anchor share a fix. Two different insertions at the same offset
/// conflict (their order would be a guess), so the later is skipped. An insertion
/// at either end of a replaced range does not conflict: it goes before or after it.
pub fn plan(file: &FileDiagnostics, unsafe_fixes: bool) -> Plan {
    let text: &str = &file.text;
    let mut order: Vec<usize> = (0..file.diagnostics.len()).collect();
    // Already sorted by the engine; the stable sort makes the order a property of
    // this function rather than of its caller.
    order.sort_by_key(|&index| file.diagnostics[index].span.start);

    let mut accepted: Vec<(Edit, usize)> = Vec::new();
    let mut applied = Vec::new();
    let mut skipped = Vec::new();
    for index in order {
        let Some(fix) = eligible(file.diagnostics[index].fix.as_ref(), unsafe_fixes) else {
            continue;
        };
        match admit(text, fix, &accepted) {
            Ok(new_edits) => {
                accepted.extend(new_edits.into_iter().map(|edit| (edit, index)));
                applied.push(index);
            }
            Err(Refusal::Invalid(why)) => skipped.push((index, why)),
            Err(Refusal::Overlaps(other)) => {
                let diagnostic = &file.diagnostics[other];
                let at = file.position(diagnostic.span.start);
                skipped.push((
                    index,
                    format!(
                        "its edits overlap the fix of {} at {}:{}, which is applied first",
                        diagnostic.code, at.line, at.column
                    ),
                ));
            }
        }
    }
    let mut edits: Vec<Edit> = accepted.into_iter().map(|(edit, _)| edit).collect();
    // Ties are insertions before a replacement starting at the same offset.
    edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
    Plan {
        text: apply(text, &edits),
        applied,
        skipped,
    }
}

fn eligible(fix: Option<&Fix>, unsafe_fixes: bool) -> Option<&Fix> {
    fix.filter(|fix| match fix.applicability {
        Applicability::Safe => true,
        Applicability::Unsafe => unsafe_fixes,
    })
}

enum Refusal {
    /// The fix is malformed on its own.
    Invalid(String),
    /// The fix conflicts with the accepted fix of this diagnostic index.
    Overlaps(usize),
}

/// The edits of `fix` not already accepted, if the fix can be applied whole.
fn admit(text: &str, fix: &Fix, accepted: &[(Edit, usize)]) -> Result<Vec<Edit>, Refusal> {
    if fix.edits.is_empty() {
        return Err(Refusal::Invalid("the fix has no edits".into()));
    }
    for edit in &fix.edits {
        let span = edit.span;
        if span.start > span.end || span.end > text.len() {
            return Err(Refusal::Invalid(format!(
                "an edit spans bytes {}..{}, outside the file's {} bytes",
                span.start,
                span.end,
                text.len()
            )));
        }
        if !text.is_char_boundary(span.start) || !text.is_char_boundary(span.end) {
            return Err(Refusal::Invalid(format!(
                "an edit at bytes {}..{} splits a character",
                span.start, span.end
            )));
        }
    }
    let mut new_edits: Vec<Edit> = Vec::new();
    for edit in &fix.edits {
        if accepted.iter().any(|(other, _)| other == edit) || new_edits.contains(edit) {
            continue;
        }
        if let Some((_, owner)) = accepted.iter().find(|(other, _)| conflict(edit, other)) {
            return Err(Refusal::Overlaps(*owner));
        }
        if new_edits.iter().any(|other| conflict(edit, other)) {
            return Err(Refusal::Invalid("the fix's own edits overlap".into()));
        }
        new_edits.push(edit.clone());
    }
    Ok(new_edits)
}

/// Whether two different edits cannot both be applied with one clear result.
fn conflict(a: &Edit, b: &Edit) -> bool {
    let (a, b) = (a.span, b.span);
    match (a.is_empty(), b.is_empty()) {
        (true, true) => a.start == b.start,
        (true, false) => b.start < a.start && a.start < b.end,
        (false, true) => a.start < b.start && b.start < a.end,
        (false, false) => a.start < b.end && b.start < a.end,
    }
}

/// `text` with `edits` (sorted, not overlapping, on character boundaries) applied.
fn apply(text: &str, edits: &[Edit]) -> String {
    let grown: usize = edits.iter().map(|edit| edit.content.len()).sum();
    let mut out = String::with_capacity(text.len() + grown);
    let mut copied = 0;
    for edit in edits {
        out.push_str(&text[copied..edit.span.start]);
        out.push_str(&edit.content);
        copied = edit.span.end;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Diagnostic, Severity};
    use crate::span::Span;
    use std::sync::Arc;

    fn edit(start: usize, end: usize, content: &str) -> Edit {
        Edit {
            span: Span::new(start, end),
            content: content.into(),
        }
    }

    fn diagnostic(at: usize, applicability: Applicability, edits: Vec<Edit>) -> Diagnostic {
        Diagnostic {
            code: "MLR101",
            rule: "mlrun-image-untagged",
            severity: Severity::Error,
            span: Span::new(at, at),
            message: "m".into(),
            help: None,
            fix: Some(Fix {
                message: "f".into(),
                applicability,
                edits,
            }),
        }
    }

    fn safe(at: usize, edits: Vec<Edit>) -> Diagnostic {
        diagnostic(at, Applicability::Safe, edits)
    }

    fn file(text: &str, diagnostics: Vec<Diagnostic>) -> FileDiagnostics {
        FileDiagnostics::new("f.yaml".into(), Arc::from(text), diagnostics)
    }

    /// An insertion of `content` right after the first `needle` in `text`.
    fn after(text: &str, needle: &str, content: &str) -> Edit {
        let end = text.find(needle).expect("needle in text") + needle.len();
        edit(end, end, content)
    }

    #[test]
    fn edits_change_only_their_bytes() {
        let text = "\u{feff}spec:\r\n  image: \"mlrun/mlrun\"  # keep\r\n  x: 'mlrun/mlrun'";
        let first = after(text, "\"mlrun/mlrun", ":1.6.4");
        let second = after(text, "'mlrun/mlrun", ":1.6.4");
        let plan = plan(
            &file(text, vec![safe(1, vec![first]), safe(2, vec![second])]),
            false,
        );
        assert_eq!(
            plan.text,
            "\u{feff}spec:\r\n  image: \"mlrun/mlrun:1.6.4\"  # keep\r\n  x: 'mlrun/mlrun:1.6.4'"
        );
        assert_eq!(plan.applied, vec![0, 1]);
        assert!(plan.skipped.is_empty());
    }

    #[test]
    fn identical_edits_are_applied_once() {
        let text = "a: &img mlrun/mlrun\nb: *img\n";
        let shared = after(text, "mlrun/mlrun", ":1.6.4");
        let plan = plan(
            &file(
                text,
                vec![safe(3, vec![shared.clone()]), safe(23, vec![shared])],
            ),
            false,
        );
        assert_eq!(plan.text, "a: &img mlrun/mlrun:1.6.4\nb: *img\n");
        assert_eq!(plan.applied, vec![0, 1]);
    }

    #[test]
    fn overlapping_fix_is_skipped_whole() {
        let text = "image: mlrun/ml-models other: x\n";
        let rename = edit(13, 22, "mlrun");
        let inside = edit(15, 15, "!");
        // The second fix has one harmless edit and one overlapping edit: neither applies.
        let harmless = edit(30, 31, "y");
        let plan = plan(
            &file(
                text,
                vec![safe(7, vec![rename]), safe(8, vec![harmless, inside])],
            ),
            false,
        );
        assert_eq!(plan.text, "image: mlrun/mlrun other: x\n");
        assert_eq!(plan.applied, vec![0]);
        assert_eq!(plan.skipped.len(), 1);
        assert_eq!(plan.skipped[0].0, 1);
        assert!(
            plan.skipped[0].1.contains("MLR101 at 1:8"),
            "{}",
            plan.skipped[0].1
        );
    }

    #[test]
    fn insertions_at_one_offset_from_two_fixes_keep_the_first() {
        let text = "image: mlrun/mlrun\n";
        let plan = plan(
            &file(
                text,
                vec![
                    safe(7, vec![edit(18, 18, ":1.6.4")]),
                    safe(7, vec![edit(18, 18, ":1.7.0")]),
                ],
            ),
            false,
        );
        assert_eq!(plan.text, "image: mlrun/mlrun:1.6.4\n");
        assert_eq!(plan.applied, vec![0]);
        assert_eq!(plan.skipped[0].0, 1);
    }

    #[test]
    fn insertion_at_the_end_of_a_replacement_follows_it() {
        let text = "image: mlrun/ml-models\n";
        let plan = plan(
            &file(
                text,
                vec![
                    safe(7, vec![edit(22, 22, ":1.6.4")]),
                    safe(8, vec![edit(13, 22, "mlrun")]),
                ],
            ),
            false,
        );
        assert_eq!(plan.text, "image: mlrun/mlrun:1.6.4\n");
        assert_eq!(plan.applied, vec![0, 1]);
    }

    #[test]
    fn unsafe_fixes_need_the_flag() {
        let text = "image: mlrun/ml-models\n";
        let diagnostics = vec![diagnostic(
            7,
            Applicability::Unsafe,
            vec![edit(13, 22, "mlrun")],
        )];
        let without = plan(&file(text, diagnostics.clone()), false);
        assert_eq!(without.text, text);
        assert!(without.applied.is_empty() && without.skipped.is_empty());
        assert!(!without.changes(text));
        let with = plan(&file(text, diagnostics), true);
        assert_eq!(with.text, "image: mlrun/mlrun\n");
        assert!(with.changes(text));
    }

    #[test]
    fn bad_edits_are_skipped_with_a_reason() {
        let text = "image: é\n";
        let plan = plan(
            &file(
                text,
                vec![
                    safe(0, vec![edit(8, 8, "x")]),
                    safe(1, vec![edit(5, 99, "x")]),
                    safe(2, vec![edit(6, 5, "x")]),
                    safe(3, vec![]),
                    safe(4, vec![edit(0, 2, "a"), edit(1, 3, "b")]),
                ],
            ),
            false,
        );
        assert_eq!(plan.text, text);
        assert!(plan.applied.is_empty());
        let reasons: Vec<&str> = plan.skipped.iter().map(|(_, why)| why.as_str()).collect();
        assert!(reasons[0].contains("splits a character"), "{reasons:?}");
        assert!(reasons[1].contains("outside the file"), "{reasons:?}");
        assert!(reasons[2].contains("outside the file"), "{reasons:?}");
        assert!(reasons[3].contains("no edits"), "{reasons:?}");
        assert!(reasons[4].contains("own edits overlap"), "{reasons:?}");
    }

    #[test]
    fn multi_byte_text_and_missing_final_newline_survive() {
        let text = "# José's spec 🚀\nimage: mlrun/mlrun";
        let plan = plan(
            &file(
                text,
                vec![safe(20, vec![after(text, "mlrun/mlrun", ":1.6.4")])],
            ),
            false,
        );
        assert_eq!(plan.text, "# José's spec 🚀\nimage: mlrun/mlrun:1.6.4");
    }

    #[test]
    fn fixes_apply_in_position_order_whatever_the_list_order() {
        let text = "image: mlrun/mlrun\n";
        let plan = plan(
            &file(
                text,
                vec![
                    safe(9, vec![edit(18, 18, ":late")]),
                    safe(7, vec![edit(18, 18, ":early")]),
                ],
            ),
            false,
        );
        assert_eq!(plan.text, "image: mlrun/mlrun:early\n");
        assert_eq!(plan.applied, vec![1]);
        assert_eq!(plan.skipped[0].0, 0);
    }
}
