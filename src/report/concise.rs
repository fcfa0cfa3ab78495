//! `concise`: exactly `{path}:{line}:{column}: {code} {message}` per diagnostic and
//! nothing else, so scripts (and editors' problem matchers) can parse every line.

use super::Located;
use std::io::{self, Write};

pub(super) fn render(diagnostics: &[Located<'_>], out: &mut dyn Write) -> io::Result<()> {
    for located in diagnostics {
        let diagnostic = located.diagnostic;
        writeln!(
            out,
            "{}:{}:{}: {} {}",
            located.file.path,
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
