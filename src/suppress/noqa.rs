//! Inline suppressions: `# noqa` comments.
//!
//! - `# noqa: MLR101, MLR201 reason` at the end of a line suppresses those codes on
//!   that line. Codes are separated by commas and/or spaces (`#noqa:MLR101` works
//!   too); the first word that is not a code starts the reason, which is kept for
//!   people and never parsed.
//! - A bare `# noqa` suppresses every code on its line, as in ruff and flake8.
//!   `# noqa:` followed by no code is not a directive (a typo must not silence a
//!   whole line).
//! - `# mlrun-lint: noqa` on a comment line of the file's header (the lines before
//!   the first one that is not blank, a comment or a YAML document marker)
//!   suppresses the whole file; `# mlrun-lint: noqa: MLR101, MLR102` those codes in
//!   the file.
//!
//! A `#` starts a comment only at the start of a line or after white space, so a
//! URL fragment (`pkg @ https://host/x.zip#egg=pkg`) is never read as one. A
//! `# noqa` inside a quoted YAML or Python string after a space is still read:
//! telling that apart needs the file's grammar, and such strings do not occur in
//! image or package fields.
//!
//! Codes of other tools (`# noqa: E501` for ruff in a Python file) are kept but
//! match none of ours, so a shared comment works for both tools.
//!
//! Lines are 0-based line numbers of the text given to [`Suppressions::parse`]: a
//! caller that parses a notebook cell maps its own lines.

use crate::span::Span;

/// Every `noqa` directive of a text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Suppressions {
    pub directives: Vec<Directive>,
}

/// One `# noqa` or `# mlrun-lint: noqa` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub target: Target,
    /// From the `#` to the end of the line's text (newline excluded).
    pub comment: Span,
    /// From the `#` to the end of the last code (or of `noqa` when there is none).
    pub directive: Span,
    /// The codes named, in order; empty means every code.
    pub codes: Vec<Code>,
    /// What follows the codes, trimmed.
    pub reason: Option<String>,
    /// Whether the comment is alone on its line (only white space before the `#`).
    pub own_line: bool,
}

/// What a directive applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The 0-based line the comment is on.
    Line(usize),
    /// The whole file.
    File,
}

/// A code named in a directive, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Code {
    pub code: String,
    pub span: Span,
}

/// Which directive (and which of its codes, `None` for "every code") suppresses a
/// finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hit {
    pub directive: usize,
    pub code: Option<usize>,
}

impl Suppressions {
    /// Finds every directive in `text`.
    pub fn parse(text: &str) -> Self {
        // Every directive has the word `noqa`; most files have none, and finding
        // that out needs no line splitting.
        if !mentions_noqa(text) {
            return Self::default();
        }
        let mut directives = Vec::new();
        let mut in_header = true;
        let mut offset = 0;
        for (number, raw) in text.split_inclusive('\n').enumerate() {
            let start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            // A byte-order mark is not part of the first line's text.
            let skip = if number == 0 && line.starts_with('\u{feff}') {
                '\u{feff}'.len_utf8()
            } else {
                0
            };
            let content = &line[skip..];
            let base = start + skip;
            let trimmed = content.trim_start();
            if in_header && trimmed.starts_with('#') {
                let hash = content.len() - trimmed.len();
                if let Some(directive) = file_directive(content, hash, base) {
                    directives.push(directive);
                    continue;
                }
            }
            in_header = in_header
                && (trimmed.is_empty()
                    || trimmed.starts_with('#')
                    || trimmed == "---"
                    || trimmed.starts_with("%YAML")
                    || trimmed.starts_with("%TAG"));
            if let Some(directive) = line_directive(content, base, number) {
                directives.push(directive);
            }
        }
        Self { directives }
    }

    /// The directive that suppresses `code` on 0-based `line`, if any (line
    /// directives only).
    pub fn suppresses(&self, line: usize, code: &str) -> Option<Hit> {
        self.find(|target| target == Target::Line(line), code)
    }

    /// The file-level directive that suppresses `code` everywhere in the file.
    pub fn suppresses_file(&self, code: &str) -> Option<Hit> {
        self.find(|target| target == Target::File, code)
    }

    fn find(&self, applies: impl Fn(Target) -> bool, code: &str) -> Option<Hit> {
        self.directives
            .iter()
            .enumerate()
            .filter(|(_, directive)| applies(directive.target))
            .find_map(|(index, directive)| {
                if directive.codes.is_empty() {
                    return Some(Hit {
                        directive: index,
                        code: None,
                    });
                }
                directive
                    .codes
                    .iter()
                    .position(|named| named.code == code)
                    .map(|position| Hit {
                        directive: index,
                        code: Some(position),
                    })
            })
    }
}

/// Whether `text` has `noqa` in any case anywhere: the `q` is searched for in
/// blocks a compiler can check many bytes of at once, and only a block holding
/// one is looked at closely.
pub fn mentions_noqa(text: &str) -> bool {
    const BLOCK: usize = 64;
    let bytes = text.as_bytes();
    let is_q = |byte: u8| byte | 0x20 == b'q';
    bytes.chunks(BLOCK).enumerate().any(|(block, chunk)| {
        if !chunk.iter().fold(false, |found, &byte| found | is_q(byte)) {
            return false;
        }
        let base = block * BLOCK;
        chunk.iter().enumerate().any(|(i, &byte)| {
            let at = base + i;
            is_q(byte)
                && at >= 2
                && bytes
                    .get(at - 2..at + 2)
                    .is_some_and(|word| word.eq_ignore_ascii_case(b"noqa"))
        })
    })
}

/// `# mlrun-lint: noqa[: CODES]` with its `#` at byte `hash` of `content`.
fn file_directive(content: &str, hash: usize, base: usize) -> Option<Directive> {
    let after = &content[hash + 1..];
    let rest = after.trim_start();
    let tool = rest.get(..11)?;
    if !tool.eq_ignore_ascii_case("mlrun-lint:") {
        return None;
    }
    let from = hash + 1 + (after.len() - rest.len()) + 11;
    let mut directive = directive_at(content, hash, from, base)?;
    directive.target = Target::File;
    Some(directive)
}

/// The first `# noqa` comment of a line.
fn line_directive(content: &str, base: usize, number: usize) -> Option<Directive> {
    content.char_indices().find_map(|(hash, c)| {
        let starts_comment = c == '#'
            && content[..hash]
                .chars()
                .next_back()
                .is_none_or(char::is_whitespace);
        if !starts_comment {
            return None;
        }
        let mut directive = directive_at(content, hash, hash + 1, base)?;
        // `# noqa: CODE` alone on its line covers the next line, for lines that
        // cannot end in a comment (a Dockerfile `FROM`), as hadolint's
        // `# hadolint ignore=` does. A bare `# noqa` there covers nothing.
        let covers_next = directive.own_line && !directive.codes.is_empty();
        directive.target = Target::Line(number + usize::from(covers_next));
        Some(directive)
    })
}

/// Parses `noqa[: CODES] [reason]` from byte `from` of `content` (after white
/// space), for the comment whose `#` is at `hash`. `base` is where `content` starts
/// in the file.
fn directive_at(content: &str, hash: usize, from: usize, base: usize) -> Option<Directive> {
    let rest = &content[from..];
    let mut at = from + (rest.len() - rest.trim_start().len());
    let keyword = content.get(at..at + 4)?;
    if !keyword.eq_ignore_ascii_case("noqa") {
        return None;
    }
    at += 4;
    if !content[at..]
        .chars()
        .next()
        .is_none_or(|c| c.is_whitespace() || c == ':' || c == ',')
    {
        return None;
    }
    let mut end_of_directive = at;
    let after_keyword = &content[at..];
    let spaced = after_keyword.trim_start();
    let colon = spaced.starts_with(':');
    if colon {
        at += after_keyword.len() - spaced.len() + 1;
    }
    let mut codes = Vec::new();
    let mut reason = None;
    loop {
        let rest = &content[at..];
        let token_start = at + (rest.len() - rest.trim_start_matches([' ', '\t', ',']).len());
        let token_rest = &content[token_start..];
        if token_rest.is_empty() {
            break;
        }
        // A notebook's line is a JSON string: `# noqa: MLR201\n",` ends the code at
        // the escape, so `\` and `"` end a token too.
        let token_len = token_rest
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | '\\' | '"'))
            .unwrap_or(token_rest.len());
        let token = &token_rest[..token_len];
        if is_code(token) {
            codes.push(Code {
                code: token.to_string(),
                span: Span::new(base + token_start, base + token_start + token_len),
            });
            at = token_start + token_len;
            end_of_directive = at;
        } else {
            reason = Some(token_rest.trim_end().to_string());
            break;
        }
    }
    if colon && codes.is_empty() {
        return None;
    }
    Some(Directive {
        target: Target::File,
        comment: Span::new(base + hash, base + content.len()),
        directive: Span::new(base + hash, base + end_of_directive),
        codes,
        reason,
        own_line: content[..hash].trim().is_empty(),
    })
}

/// A rule code of any tool, as ruff and flake8 write them: capital letters, then digits.
fn is_code(token: &str) -> bool {
    let digits = token.trim_start_matches(|c: char| c.is_ascii_uppercase());
    digits.len() < token.len() && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noqa_is_found_in_any_case_and_across_block_edges() {
        for at in [0, 1, 60, 61, 62, 63, 64, 126, 127, 200] {
            for word in ["noqa", "NOQA", "NoQa"] {
                let text = format!("{}{word}{}", "x".repeat(at), "y".repeat(3));
                assert!(mentions_noqa(&text), "{word} at {at}");
            }
        }
        assert!(mentions_noqa("noqa"));
        assert!(!mentions_noqa(""));
        assert!(!mentions_noqa("qa no q noq oqa nqa squash"));
        assert!(!mentions_noqa(&"q".repeat(300)));
    }

    /// A directive as the tests compare it: target, codes, reason.
    type Parsed = (Target, Vec<String>, Option<String>);

    fn parsed(text: &str) -> Vec<Parsed> {
        Suppressions::parse(text)
            .directives
            .into_iter()
            .map(|d| {
                (
                    d.target,
                    d.codes.into_iter().map(|c| c.code).collect(),
                    d.reason,
                )
            })
            .collect()
    }

    fn one(text: &str) -> Option<Parsed> {
        let mut all = parsed(text);
        assert!(all.len() <= 1, "{text}: {all:?}");
        all.pop()
    }

    #[test]
    fn line_directives() {
        let line = |codes: &[&str], reason: Option<&str>| {
            Some((
                Target::Line(0),
                codes.iter().map(|c| c.to_string()).collect(),
                reason.map(str::to_string),
            ))
        };
        let cases: &[(&str, Option<Parsed>)] = &[
            ("pandas  # noqa: MLR201", line(&["MLR201"], None)),
            (
                "pandas # noqa: MLR201, MLR202",
                line(&["MLR201", "MLR202"], None),
            ),
            (
                "pandas # noqa: MLR201 MLR202",
                line(&["MLR201", "MLR202"], None),
            ),
            (
                "pandas # noqa:MLR201,MLR202",
                line(&["MLR201", "MLR202"], None),
            ),
            ("pandas #noqa:MLR201", line(&["MLR201"], None)),
            ("pandas # NOQA: MLR201", line(&["MLR201"], None)),
            ("pandas # noqa : MLR201", line(&["MLR201"], None)),
            (
                "image: python # noqa: MLR102 base image pinned upstream",
                line(&["MLR102"], Some("base image pinned upstream")),
            ),
            (
                "x # noqa: MLR102, E501 -- reviewed",
                line(&["MLR102", "E501"], Some("-- reviewed")),
            ),
            ("pandas # noqa", line(&[], None)),
            ("pandas # noqa  ", line(&[], None)),
            ("pandas # noqa because", line(&[], Some("because"))),
            (
                "pandas # type: ignore # noqa: MLR201",
                line(&["MLR201"], None),
            ),
            // Not directives.
            ("pandas # noqa:", None),
            ("pandas # noqa: because", None),
            ("pandas # noqaMLR201", None),
            ("pandas # not noqa", None),
            ("pkg @ https://x/y#egg=z", None),
            ("pkg @ https://x/y#noqa:MLR203", None),
            ("pandas # mlrun-lint: noqa", None),
        ];
        for (text, expected) in cases {
            assert_eq!(&one(text), expected, "{text}");
        }
    }

    #[test]
    fn url_fragment_then_a_real_comment() {
        let text = "pkg @ https://x/y.zip#egg=pkg # noqa: MLR203 vendored\n";
        assert_eq!(
            one(text),
            Some((
                Target::Line(0),
                vec!["MLR203".into()],
                Some("vendored".into())
            ))
        );
    }

    #[test]
    fn file_directives_only_in_the_header() {
        let text = "\u{feff}# mlrun-lint: noqa\nkind: job\n";
        assert_eq!(one(text), Some((Target::File, vec![], None)));
        let text = "---\n# comment\n\n#mlrun-lint:noqa: MLR101, MLR102 legacy\nkind: job\n";
        assert_eq!(
            one(text),
            Some((
                Target::File,
                vec!["MLR101".into(), "MLR102".into()],
                Some("legacy".into())
            ))
        );
        // After the first line of content it is not a file directive.
        assert_eq!(parsed("kind: job\n# mlrun-lint: noqa\n"), vec![]);
        // A line directive on a header comment line stays a line directive, for the
        // line below it (a comment alone on its line covers the next line).
        assert_eq!(
            one("# noqa: MLR101\n"),
            Some((Target::Line(1), vec!["MLR101".into()], None))
        );
    }

    #[test]
    fn lookups_and_spans() {
        let text = "a\nimage: python # noqa: MLR102, MLR103\nb # noqa\r\n";
        let found = Suppressions::parse(text);
        assert_eq!(
            found.suppresses(1, "MLR103"),
            Some(Hit {
                directive: 0,
                code: Some(1)
            })
        );
        assert_eq!(found.suppresses(1, "MLR101"), None);
        assert_eq!(found.suppresses(0, "MLR102"), None);
        assert_eq!(
            found.suppresses(2, "MLR999"),
            Some(Hit {
                directive: 1,
                code: None
            })
        );
        assert_eq!(found.suppresses_file("MLR102"), None);
        let first = &found.directives[0];
        assert_eq!(
            &text[first.comment.start..first.comment.end],
            "# noqa: MLR102, MLR103"
        );
        assert_eq!(
            &text[first.codes[1].span.start..first.codes[1].span.end],
            "MLR103"
        );
        assert!(!first.own_line);
        let bare = &found.directives[1];
        assert_eq!(&text[bare.comment.start..bare.comment.end], "# noqa");
        assert_eq!(&text[bare.directive.start..bare.directive.end], "# noqa");
    }

    #[test]
    fn never_panics_on_odd_text() {
        for text in [
            "#",
            "# ",
            "# noqa:,",
            "é # noqa: MLRé1",
            "#\u{feff}noqa",
            "\u{feff}",
            "# mlrun-lint",
        ] {
            let _ = Suppressions::parse(text);
        }
    }
}
