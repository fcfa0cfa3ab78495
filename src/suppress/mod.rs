//! What hides findings on purpose: `# noqa` comments ([`noqa`]) and a baseline of
//! accepted findings ([`baseline`]). `--ignore-noqa` bypasses both, for audits.

pub mod baseline;
pub mod noqa;

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::UNUSED_NOQA;
use crate::span::{LineIndex, Span};
use noqa::{Directive, Hit, Suppressions, Target};
use std::collections::BTreeSet;

/// The result of applying a file's `noqa` directives to its diagnostics.
#[derive(Debug)]
pub struct Applied {
    /// Index for index with the diagnostics given: `true` for those still reported.
    pub kept: Vec<bool>,
    /// MLR004 findings: directives, or codes in them, that suppressed nothing.
    pub unused: Vec<Diagnostic>,
}

/// Applies the `noqa` directives of `text` to `diagnostics` (findings in `text`).
/// A finding is suppressed by a file directive naming its code, or by a line
/// directive on the line its span starts or ends on, or on its YAML key's line
/// when the value sits alone on the line after the key (`image:` then the value,
/// or a block scalar): that is where a reader puts the comment.
/// With `report_unused`, directives that suppressed nothing become MLR004 findings.
pub fn apply(text: &str, diagnostics: &[Diagnostic], report_unused: bool) -> Applied {
    let suppressions = Suppressions::parse(text);
    if suppressions.directives.is_empty() {
        return Applied {
            kept: vec![true; diagnostics.len()],
            unused: Vec::new(),
        };
    }
    let lines = LineIndex::new(text);
    let mut used: BTreeSet<Hit> = BTreeSet::new();
    let kept = diagnostics
        .iter()
        .map(|diagnostic| {
            let span = diagnostic.span;
            let start = lines.line_of(span.start.min(text.len()));
            // The end is exclusive: a span ending at a line break ends on that line.
            let end = lines.line_of(span.end.saturating_sub(1).clamp(span.start, text.len()));
            let hit = suppressions
                .suppresses_file(diagnostic.code)
                .or_else(|| suppressions.suppresses(start, diagnostic.code))
                .or_else(|| suppressions.suppresses(end, diagnostic.code))
                .or_else(|| {
                    key_line(text, &lines, span.start)
                        .and_then(|line| suppressions.suppresses(line, diagnostic.code))
                });
            if let Some(hit) = hit {
                used.insert(hit);
            }
            hit.is_none()
        })
        .collect();
    let unused = if report_unused {
        suppressions
            .directives
            .iter()
            .enumerate()
            .filter_map(|(index, directive)| unused(text, &lines, index, directive, &used))
            .collect()
    } else {
        Vec::new()
    };
    Applied { kept, unused }
}

/// The line of the key whose value starts at `offset`, when the value begins its
/// own line and the line before ends (before any comment) with `:` or a block
/// scalar indicator (`key: |`, `key: >-`).
fn key_line(text: &str, lines: &LineIndex, offset: usize) -> Option<usize> {
    let offset = offset.min(text.len());
    let line = lines.line_of(offset);
    let before = text.get(lines.line_start(line)..offset)?;
    if line == 0 || !before.trim().is_empty() {
        return None;
    }
    let previous = text.get(lines.line_start(line - 1)..lines.line_start(line))?;
    let code = match previous.find(" #") {
        Some(at) => &previous[..at],
        None => previous,
    };
    let code = code.trim_end();
    let ends_key = code.ends_with(':')
        || code.rsplit_once(": ").is_some_and(|(_, indicator)| {
            let indicator = indicator.trim();
            indicator.starts_with(['|', '>'])
                && indicator[1..]
                    .chars()
                    .all(|c| matches!(c, '-' | '+') || c.is_ascii_digit())
        });
    ends_key.then_some(line - 1)
}

/// The MLR004 finding for one directive, if some of its own codes suppressed nothing.
///
/// A bare `# noqa` and codes of other tools (`E501`) are never reported: the same
/// comment may serve ruff or flake8 in a Python file, and only they know whether
/// it is used.
fn unused(
    text: &str,
    lines: &LineIndex,
    index: usize,
    directive: &Directive,
    used: &BTreeSet<Hit>,
) -> Option<Diagnostic> {
    let idle: Vec<usize> = (0..directive.codes.len())
        .filter(|&i| directive.codes[i].code.starts_with("MLR"))
        .filter(|&i| {
            !used.contains(&Hit {
                directive: index,
                code: Some(i),
            })
        })
        .collect();
    if idle.is_empty() {
        return None;
    }
    let names: Vec<&str> = idle
        .iter()
        .map(|&i| directive.codes[i].code.as_str())
        .collect();
    let kind = match directive.target {
        Target::File => "`mlrun-lint: noqa`",
        Target::Line(_) => "`noqa`",
    };
    let (message, fix) = if idle.len() == directive.codes.len() {
        (
            format!(
                "unused {kind} directive: {} suppressed nothing",
                names.join(", ")
            ),
            // A comment that gives a reason is someone's note: removing it would
            // lose the note, so it is left for a person to remove.
            directive.reason.is_none().then(|| Fix {
                message: "Remove the comment".into(),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    span: removal(text, lines, directive),
                    content: String::new(),
                }],
            }),
        )
    } else {
        let remaining: Vec<&str> = (0..directive.codes.len())
            .filter(|i| !idle.contains(i))
            .map(|i| directive.codes[i].code.as_str())
            .collect();
        let first = directive.codes.first().map_or(0, |code| code.span.start);
        let last = directive.codes.last().map_or(0, |code| code.span.end);
        (
            format!(
                "unused code{} in {kind} directive: {} suppressed nothing",
                if idle.len() == 1 { "" } else { "s" },
                names.join(", ")
            ),
            Some(Fix {
                message: format!("Remove {}", names.join(", ")),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    span: Span::new(first, last),
                    content: remaining.join(", "),
                }],
            }),
        )
    };
    Some(Diagnostic {
        code: UNUSED_NOQA.code,
        rule: UNUSED_NOQA.name,
        severity: UNUSED_NOQA.severity,
        span: directive.directive,
        message,
        help: Some(match (&directive.reason, &fix) {
            (Some(_), None) => "a suppression that hides nothing hides the next real finding on \
                                this line; its comment gives a reason, so it is not removed \
                                automatically: remove it by hand"
                .into(),
            _ => "a suppression that hides nothing hides the next real finding on this line".into(),
        }),
        fix,
    })
}

/// What removing a directive's comment deletes: its whole line when the comment is
/// alone on it, else the comment and the white space before it.
fn removal(text: &str, lines: &LineIndex, directive: &Directive) -> Span {
    let comment = directive.comment;
    let line = lines.line_of(comment.start);
    if directive.own_line {
        let end = if line + 1 < lines.line_count() {
            lines.line_start(line + 1)
        } else {
            text.len()
        };
        return Span::new(lines.line_start(line), end);
    }
    let before = text[..comment.start].trim_end_matches([' ', '\t']);
    Span::new(before.len(), comment.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn diagnostic(text: &str, code: &'static str, needle: &str) -> Diagnostic {
        let start = text.find(needle).expect("needle in text");
        Diagnostic {
            code,
            rule: "rule",
            severity: Severity::Error,
            span: Span::new(start, start + needle.len()),
            message: "m".into(),
            help: None,
            fix: None,
        }
    }

    fn fixed(text: &str, diagnostic: &Diagnostic) -> String {
        let edit = &diagnostic.fix.as_ref().expect("a fix").edits[0];
        format!(
            "{}{}{}",
            &text[..edit.span.start],
            edit.content,
            &text[edit.span.end..]
        )
    }

    #[test]
    fn line_file_and_next_line_suppressions() {
        let text = "# mlrun-lint: noqa: MLR105\nspec:\n  image: # noqa: MLR101\n    mlrun/ml-models\n  other: python # noqa: MLR102 pinned upstream\n  last: python\n  tag: v1 # noqa: MLR103\n  script: |  # noqa: MLR201\n    pip install pandas\n";
        let diagnostics = [
            diagnostic(text, "MLR101", "mlrun/ml-models"),
            diagnostic(text, "MLR105", "mlrun/ml-models"),
            diagnostic(text, "MLR102", "python # noqa"),
            diagnostic(text, "MLR102", "python\n"),
            diagnostic(text, "MLR201", "pandas"),
        ];
        let applied = apply(text, &diagnostics, true);
        // A value alone on the line after its key is reached from the key's
        // line; a value after other text on its line is not.
        assert_eq!(applied.kept, [false, false, false, true, true]);
        assert_eq!(applied.unused.len(), 2);
        assert_eq!(
            applied.unused[0].message,
            "unused `noqa` directive: MLR103 suppressed nothing"
        );
        assert_eq!(
            fixed(text, &applied.unused[0]),
            text.replace("tag: v1 # noqa: MLR103", "tag: v1")
        );
    }

    #[test]
    fn multi_line_spans_are_suppressed_from_their_last_line() {
        let text = "image: >-\n  mlrun/mlrun # noqa: MLR101\n";
        let start = text.find(">-").unwrap();
        let mut spanning = diagnostic(text, "MLR101", "mlrun/mlrun");
        spanning.span = Span::new(start, text.find(" # noqa").unwrap());
        assert_eq!(apply(text, &[spanning], false).kept, [false]);
        let text = "image: >-  # noqa: MLR101\n  mlrun/mlrun\n";
        let value = diagnostic(text, "MLR101", "mlrun/mlrun");
        assert_eq!(apply(text, &[value], false).kept, [false]);
    }

    #[test]
    fn an_own_line_comment_covers_the_next_line() {
        let text =
            "FROM python:3.11\n# noqa: MLR102 pinned by the platform team\nFROM ubuntu AS b\n";
        let ubuntu = diagnostic(text, "MLR102", "ubuntu");
        assert_eq!(apply(text, &[ubuntu], true).kept, [false]);
        let text = "# noqa\nFROM ubuntu\n";
        let ubuntu = diagnostic(text, "MLR102", "ubuntu");
        assert_eq!(apply(text, &[ubuntu], true).kept, [true]);
    }

    #[test]
    fn unused_codes_and_own_line_comments() {
        // The own-line comment covers the blank line below it: nothing to suppress.
        let text =
            "pandas==2.2.2  # noqa: MLR201, E501, MLR202\n# noqa: MLR201\n\nnumpy # noqa: MLR201\n";
        let numpy = diagnostic(text, "MLR201", "numpy");
        let applied = apply(text, &[numpy], true);
        assert_eq!(applied.kept, [false]);
        let messages: Vec<&str> = applied.unused.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "unused codes in `noqa` directive: MLR201, MLR202 suppressed nothing",
                "unused `noqa` directive: MLR201 suppressed nothing",
            ]
        );
        assert_eq!(
            fixed(text, &applied.unused[0]),
            text.replace("MLR201, E501, MLR202", "E501")
        );
        assert_eq!(
            fixed(text, &applied.unused[1]),
            text.replace("# noqa: MLR201\n\n", "\n")
        );
        // Bare directives and foreign-only directives are never reported.
        let text = "a # noqa\nb # noqa: E501\n";
        assert!(apply(text, &[], true).unused.is_empty());
    }
}
