//! `concise`: exactly `{path}:{line}:{column}: {code} {message}` per diagnostic and
//! nothing else, so scripts (and editors' problem matchers) can parse every line.
//!
//! A path with control characters (or quotes, backslashes, escaped bytes) is
//! quoted and escaped ([`paths::quote`]), so a file name cannot break or forge a
//! line. In a notebook the line and column are inside the cell Jupyter shows,
//! and the message ends with `(cell N)`: without it the position would point
//! at no line a person can find.

use super::Located;
use crate::paths;
use std::io::{self, Write};

pub(super) fn render(diagnostics: &[Located<'_>], out: &mut dyn Write) -> io::Result<()> {
    for located in diagnostics {
        let diagnostic = located.diagnostic;
        let cell = located
            .cell
            .map(|cell| format!(" (cell {cell})"))
            .unwrap_or_default();
        writeln!(
            out,
            "{}:{}:{}: {} {}{cell}",
            paths::quote(&located.file.path),
            located.start.line,
            located.start.column,
            diagnostic.code,
            one_line(&diagnostic.message)
        )?;
    }
    Ok(())
}

/// A message on one line: a line break (a parser's message may carry several)
/// would otherwise make the next line look like a diagnostic of its own.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
