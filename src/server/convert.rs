//! Between the engine's byte spans and the protocol's positions, diagnostics and
//! edits. Positions go through [`LineIndex`] in the negotiated [`Encoding`] only.

use crate::diagnostic::{Diagnostic, Edit, FileDiagnostics, Severity};
use crate::report::rule_page_url;
use crate::rules;
use crate::span::{Encoding, LineIndex, Span};
use lsp_types as lsp;
use std::path::PathBuf;
use std::str::FromStr;

/// The `source` of every diagnostic the server publishes.
pub const SOURCE: &str = "mlrun-lint";

/// A byte span of `text` as a protocol range.
pub fn range(lines: &LineIndex, text: &str, span: Span, encoding: Encoding) -> lsp::Range {
    lsp::Range {
        start: position(lines, text, span.start, encoding),
        end: position(lines, text, span.end, encoding),
    }
}

fn position(lines: &LineIndex, text: &str, offset: usize, encoding: Encoding) -> lsp::Position {
    let (line, character) = lines.line_unit_column(text, offset, encoding);
    lsp::Position {
        line: saturate(line),
        character: saturate(character),
    }
}

/// A protocol range as a byte span of `text` (start and end ordered).
pub fn span(lines: &LineIndex, text: &str, range: lsp::Range, encoding: Encoding) -> Span {
    let offset = |at: lsp::Position| {
        lines.offset_of(text, at.line as usize, at.character as usize, encoding)
    };
    let (start, end) = (offset(range.start), offset(range.end));
    Span::new(start.min(end), start.max(end))
}

/// Files over four billion lines do not exist; saturating beats a panic.
fn saturate(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// One finding as the protocol shows it: code, severity, message, the exact range,
/// and a link to the rule's page.
pub fn diagnostic(
    file: &FileDiagnostics,
    found: &Diagnostic,
    encoding: Encoding,
) -> lsp::Diagnostic {
    let href = rules::find(found.code)
        .and_then(|rule| lsp::Uri::from_str(&rule_page_url(rule.code, rule.name)).ok());
    lsp::Diagnostic {
        range: range(&file.lines, &file.text, found.span, encoding),
        severity: Some(severity(found.severity)),
        code: Some(lsp::NumberOrString::String(found.code.into())),
        code_description: href.map(|href| lsp::CodeDescription { href }),
        source: Some(SOURCE.into()),
        message: found.message.clone(),
        // An unused `# noqa` is dead text: editors grey it out.
        tags: (found.code == rules::UNUSED_NOQA.code)
            .then(|| vec![lsp::DiagnosticTag::UNNECESSARY]),
        ..lsp::Diagnostic::default()
    }
}

fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    }
}

/// The engine's byte edits as protocol text edits.
pub fn text_edits(
    file: &FileDiagnostics,
    edits: &[Edit],
    encoding: Encoding,
) -> Vec<lsp::TextEdit> {
    edits
        .iter()
        .map(|edit| lsp::TextEdit {
            range: range(&file.lines, &file.text, edit.span, encoding),
            new_text: edit.content.clone(),
        })
        .collect()
}

/// The local path of a `file:` URI, percent-decoded; `None` for other schemes
/// (`untitled:`, a notebook cell's `vscode-notebook-cell:`), which have no
/// project around them on disk.
pub fn path_of(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file:///p`, or `file://localhost/p`; another host is not a local file.
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(at) if rest[..at].eq_ignore_ascii_case("localhost") => &rest[at..],
        _ => return None,
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode(path)?;
    // `/C:/x` on Windows is `C:/x`.
    let windows_drive = cfg!(windows)
        && decoded.as_bytes().get(2) == Some(&b':')
        && decoded
            .as_bytes()
            .get(1)
            .is_some_and(u8::is_ascii_alphabetic);
    Some(PathBuf::from(if windows_drive {
        &decoded[1..]
    } else {
        &decoded[..]
    }))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = text.get(at + 1..at + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Applicability, Fix};

    fn file(text: &str, diagnostics: Vec<Diagnostic>) -> FileDiagnostics {
        FileDiagnostics::new("f.yaml".into(), text.into(), diagnostics)
    }

    fn untagged(span: Span) -> Diagnostic {
        Diagnostic {
            code: "MLR101",
            rule: "mlrun-image-untagged",
            severity: Severity::Error,
            span,
            message: "untagged".into(),
            help: None,
            fix: Some(Fix {
                message: "Pin".into(),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    span: Span::at(span.end),
                    content: ":1.6.4".into(),
                }],
            }),
        }
    }

    fn at(line: u32, character: u32) -> lsp::Position {
        lsp::Position { line, character }
    }

    #[test]
    fn ranges_count_in_the_negotiated_encoding() {
        // The image follows an emoji (2 UTF-16 units, 4 bytes) on a CRLF line.
        let text = "# 😀\r\nx: 😀 mlrun/mlrun\r\n";
        let start = text.find("mlrun/").unwrap();
        let found = untagged(Span::new(start, start + "mlrun/mlrun".len()));
        let file = file(text, vec![found.clone()]);
        for (encoding, column) in [
            (Encoding::Utf16, 6),
            (Encoding::Utf8, 8),
            (Encoding::Utf32, 5),
        ] {
            let shown = diagnostic(&file, &found, encoding);
            assert_eq!(shown.range.start, at(1, column));
            assert_eq!(shown.range.end, at(1, column + 11));
            assert_eq!(span(&file.lines, text, shown.range, encoding), found.span);
        }
    }

    #[test]
    fn diagnostics_carry_code_link_source_and_severity() {
        let text = "image: mlrun/mlrun\n";
        let found = untagged(Span::new(7, 18));
        let shown = diagnostic(&file(text, vec![found.clone()]), &found, Encoding::Utf16);
        assert_eq!(
            shown.code,
            Some(lsp::NumberOrString::String("MLR101".into()))
        );
        assert_eq!(shown.severity, Some(lsp::DiagnosticSeverity::ERROR));
        assert_eq!(shown.source.as_deref(), Some(SOURCE));
        let href = shown.code_description.unwrap().href;
        assert!(href
            .as_str()
            .ends_with("/rules/MLR101-mlrun-image-untagged.md"));
    }

    #[test]
    fn edits_become_text_edits() {
        let text = "image: mlrun/mlrun\n";
        let found = untagged(Span::new(7, 18));
        let file = file(text, vec![found.clone()]);
        let edits = text_edits(&file, &found.fix.unwrap().edits, Encoding::Utf16);
        assert_eq!(edits.len(), 1);
        assert_eq!(edits[0].range, lsp::Range::new(at(0, 18), at(0, 18)));
        assert_eq!(edits[0].new_text, ":1.6.4");
    }

    #[test]
    fn file_uris_become_paths() {
        assert_eq!(
            path_of("file:///tmp/my%20project/project.yaml"),
            Some(PathBuf::from("/tmp/my project/project.yaml"))
        );
        assert_eq!(
            path_of("file://localhost/tmp/a.yaml"),
            Some(PathBuf::from("/tmp/a.yaml"))
        );
        assert_eq!(path_of("untitled:Untitled-1"), None);
        assert_eq!(path_of("file://server/share/a.yaml"), None);
        assert_eq!(path_of("file:///bad%zz"), None);
    }
}
