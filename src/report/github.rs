//! `github`: GitHub Actions workflow commands, which the runner turns into
//! annotations on the pull request's files:
//! `::error file={path},line={l},col={c},endLine={el},endColumn={ec},title={CODE}::{message}`.
//!
//! The runner splits a command at `::` and its properties at `,` and `:`, and ends
//! it at a line break, so values are escaped the way the Actions toolkit does
//! (`%` first, so an escape is never escaped twice); otherwise a message with a
//! colon or a path with a comma would cut the annotation short.

use super::Located;
use crate::diagnostic::Severity;
use std::io::{self, Write};

pub(super) fn render(diagnostics: &[Located<'_>], out: &mut dyn Write) -> io::Result<()> {
    for located in diagnostics {
        let diagnostic = located.diagnostic;
        let command = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        // Annotations go on lines of the file as stored (a notebook's JSON).
        let (start, end) = located.raw_range();
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&located.file.path),
            start.line,
            start.column,
            end.line,
            end.column,
            property(diagnostic.code),
            message(&diagnostic.message),
        )?;
    }
    Ok(())
}

/// A command's message: only what would end the command or look like an escape.
fn message(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: also the property separators.
fn property(text: &str) -> String {
    message(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_actions_toolkit() {
        assert_eq!(message("100% a:b,c\r\nd"), "100%25 a:b,c%0D%0Ad");
        assert_eq!(property("100% a:b,c\r\nd"), "100%25 a%3Ab%2Cc%0D%0Ad");
        assert_eq!(
            property("%3A"),
            "%253A",
            "an escape in the input stays text"
        );
    }
}
