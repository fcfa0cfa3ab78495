//! `junit`: JUnit XML for CI test reports (GitLab `artifacts:reports:junit`,
//! Jenkins, Azure). One `<testsuite>` named mlrun-lint, one failing `<testcase>`
//! per diagnostic; with no diagnostics, one passing test case, so the CI page
//! shows that the check ran rather than nothing at all.
//!
//! Everything user-controlled (paths, messages) is escaped, and characters XML 1.0
//! cannot carry at all (most C0 controls) are replaced with U+FFFD: a parser
//! rejects the whole report over a single one.

use super::spill::Spill;
use super::Located;
use std::fmt::Write as _;
use std::io::{self, Write};

/// A JUnit report under way: its opening tags count the failures, so the test
/// cases wait in a [`Spill`] until the last file is in.
pub(super) struct Pending {
    cases: Spill,
    failures: usize,
}

impl Pending {
    pub(super) fn new() -> Self {
        Self {
            cases: Spill::temporary(),
            failures: 0,
        }
    }

    /// Adds a failing test case per diagnostic.
    pub(super) fn write(&mut self, diagnostics: &[Located<'_>]) -> io::Result<()> {
        let mut xml = String::new();
        for located in diagnostics {
            test_case(located, &mut xml);
        }
        self.failures += diagnostics.len();
        self.cases.write_all(xml.as_bytes())
    }

    /// Writes the whole report: the counts, the test cases, the closing tags.
    pub(super) fn finish(self, out: &mut dyn Write) -> io::Result<()> {
        let failures = self.failures;
        let tests = failures.max(1);
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        // `write!` into a `String` cannot fail; the results are ignored for that reason.
        let _ = writeln!(
            xml,
            "<testsuites name=\"mlrun-lint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
        );
        let _ = writeln!(
            xml,
            "  <testsuite name=\"mlrun-lint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">"
        );
        if failures == 0 {
            xml.push_str("    <testcase name=\"mlrun-lint\" classname=\"mlrun-lint\"/>\n");
        }
        out.write_all(xml.as_bytes())?;
        self.cases.copy_to(out)?;
        out.write_all(b"  </testsuite>\n</testsuites>\n")
    }
}

/// One diagnostic's failing test case.
fn test_case(located: &Located<'_>, xml: &mut String) {
    let diagnostic = located.diagnostic;
    let path = &located.file.path;
    let location = located.location();
    let mut body = format!(
        "{} {} ({}): {}\nat {location}",
        diagnostic.severity.as_str(),
        diagnostic.code,
        diagnostic.rule,
        diagnostic.message
    );
    if let Some(help) = &diagnostic.help {
        let _ = write!(body, "\nhelp: {help}");
    }
    let _ = writeln!(
        xml,
        "    <testcase name=\"{}\" classname=\"{}\">",
        escape(
            &format!("{} {location}", diagnostic.code),
            Context::Attribute
        ),
        escape(path, Context::Attribute),
    );
    let _ = writeln!(
        xml,
        "      <failure message=\"{}\" type=\"{}\">{}</failure>",
        escape(&diagnostic.message, Context::Attribute),
        escape(diagnostic.code, Context::Attribute),
        escape(&body, Context::Text),
    );
    xml.push_str("    </testcase>\n");
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    /// Inside `"..."`: a parser turns raw tabs and line breaks into spaces, so they
    /// are written as character references to survive.
    Attribute,
    /// Element content: line breaks are kept, but a `\r` would be normalised away.
    Text,
}

/// `text` as XML 1.0 character data.
fn escape(text: &str, context: Context) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' if context == Context::Attribute => escaped.push_str("&quot;"),
            '\'' if context == Context::Attribute => escaped.push_str("&apos;"),
            '\r' => escaped.push_str("&#13;"),
            '\n' | '\t' if context == Context::Attribute => {
                let _ = write!(escaped, "&#{};", u32::from(c));
            }
            '\n' | '\t' => escaped.push(c),
            // Not allowed in XML 1.0 even as a character reference.
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => escaped.push('\u{fffd}'),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_forbidden_characters() {
        assert_eq!(
            escape("a&b<c>d\"e'f", Context::Attribute),
            "a&amp;b&lt;c&gt;d&quot;e&apos;f"
        );
        assert_eq!(
            escape("a&b<c>d\"e'f", Context::Text),
            "a&amp;b&lt;c&gt;d\"e'f"
        );
        assert_eq!(
            escape("x\u{0}y\u{1b}z\u{fffe}", Context::Text),
            "x\u{fffd}y\u{fffd}z\u{fffd}"
        );
        assert_eq!(escape("a\r\n\tb", Context::Text), "a&#13;\n\tb");
        assert_eq!(escape("a\r\n\tb", Context::Attribute), "a&#13;&#10;&#9;b");
    }
}
