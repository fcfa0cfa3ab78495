//! `Pipfile.lock`: Pipenv's lock, JSON with a `_meta` object and `default` and
//! `develop` objects mapping each package name to its entry (`hashes`, `index`,
//! `markers`, `extras`, and `version` as `"==1.2.3"`; VCS, path and editable entries
//! have no `version`).
//!
//! `serde_json` keeps no positions, so each `version` is borrowed as a
//! [`RawValue`]: its text is a slice of the file, and where that slice starts is
//! where the value is. The result is exact without a second JSON parser.

use super::problem;
use crate::facts::requirement::normalize_name;
use crate::facts::{Fact, LockedVersionFact, Origin};
use crate::span::Span;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

const FILE: &str = "Pipfile.lock";

#[derive(Deserialize)]
struct PipfileLock<'a> {
    #[serde(borrow, default)]
    default: Option<BTreeMap<String, Entry<'a>>>,
    #[serde(borrow, default)]
    develop: Option<BTreeMap<String, Entry<'a>>>,
}

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(borrow, default)]
    version: Option<&'a RawValue>,
}

/// Reads a `Pipfile.lock` into `LockedVersion` facts (in file order), or one `Parse`
/// problem.
pub fn read(text: &str) -> Vec<Fact> {
    let lock: PipfileLock = match serde_json::from_str(text) {
        Ok(lock) => lock,
        Err(error) => {
            let (line, column) = (error.line(), error.column());
            let at = offset_of(text, line, column);
            // The location is the problem's span; the message need not repeat it.
            let message = error.to_string();
            let suffix = format!(" at line {line} column {column}");
            let message = message.strip_suffix(&suffix).unwrap_or(&message);
            return vec![problem(one_char(text, at), FILE, message)];
        }
    };
    let sections = [("default", lock.default), ("develop", lock.develop)];
    let mut facts = Vec::new();
    for (section, entries) in sections {
        for (name, entry) in entries.into_iter().flatten() {
            let Some(raw) = entry.version else {
                continue;
            };
            let field = format!("{section}.{name}.version");
            facts.extend(version_fact(text, raw, &name, field));
        }
    }
    facts.sort_by_key(|fact| fact.origin().span.start);
    facts
}

/// The fact for one entry's `version`. Pipenv writes `"==V"`; a version that is a
/// string with another operator (`"*"`) pins nothing and yields nothing, and a
/// version that is not a string is a problem.
fn version_fact(text: &str, raw: &RawValue, name: &str, field: String) -> Option<Fact> {
    let written = raw.get();
    let start = (written.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let span = Span::new(start, start + written.len());
    if text.get(span.start..span.end) != Some(written) {
        return None;
    }
    let Ok(value) = serde_json::from_str::<String>(written) else {
        let message = format!("`{field}` is not a string");
        return Some(problem(span, FILE, &message));
    };
    let operator = ["===", "=="].into_iter().find(|op| value.starts_with(op))?;
    let version = value[operator.len()..].trim().to_string();
    if version.is_empty() {
        return None;
    }
    // The version's own bytes, when the string has no escapes: after the quote and
    // the operator, up to the closing quote.
    let inner = written.get(1..written.len().saturating_sub(1));
    let edit_span = (inner == Some(value.as_str()) && value[operator.len()..] == version)
        .then(|| Span::new(span.start + 1 + operator.len(), span.end - 1));
    Some(Fact::LockedVersion(LockedVersionFact {
        origin: Origin::new(span, edit_span, field),
        name: normalize_name(name),
        version,
    }))
}

/// The byte offset of serde_json's 1-based line and byte column, kept on a
/// character boundary inside `text`. serde_json reports the last byte it read, which
/// for a value of the wrong type is the blank before it: blanks are skipped so the
/// span lands on the value.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let mut at = (line_start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let blanks = text[at..].len() - text[at..].trim_start_matches([' ', '\t', '\r', '\n']).len();
    if blanks < text[at..].len() {
        at += blanks;
    }
    at
}

/// The character at `at`, or an empty span at the end of the text.
fn one_char(text: &str, at: usize) -> Span {
    let len = text[at..].chars().next().map_or(0, char::len_utf8);
    Span::new(at, at + len)
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::tests::{at, locked, problem_at};
    use super::*;

    pub(in crate::sources::lock) const LOCK: &str = r#"{
    "_meta": {
        "hash": {
            "sha256": "0123"
        },
        "pipfile-spec": 6,
        "requires": {
            "python_version": "3.11"
        },
        "sources": [
            {
                "name": "pypi",
                "url": "https://pypi.org/simple",
                "verify_ssl": true
            }
        ]
    },
    "default": {
        "mlrun": {
            "extras": [
                "s3"
            ],
            "hashes": [
                "sha256:00",
                "sha256:11"
            ],
            "index": "pypi",
            "markers": "python_version >= '3.9'",
            "version": "==1.7.2"
        },
        "private-lib": {
            "git": "https://example.com/private-lib.git",
            "ref": "0123456789abcdef"
        },
        "Typing_Extensions": {
            "hashes": [],
            "version":"==4.12.2"
        }
    },
    "develop": {
        "pytest": {
            "hashes": [],
            "version": "===8.3.3"
        },
        "unpinned": {
            "version": "*"
        }
    }
}
"#;

    #[test]
    fn default_and_develop_packages_in_file_order() {
        assert_eq!(
            locked(LOCK, &read(LOCK)),
            [
                "mlrun 1.7.2 default.mlrun.version",
                "typing-extensions 4.12.2 default.Typing_Extensions.version",
                "pytest 8.3.3 develop.pytest.version",
            ]
        );
    }

    #[test]
    fn spans_are_the_quoted_values() {
        let facts = read(LOCK);
        let spans: Vec<_> = facts.iter().map(|f| at(LOCK, f.origin().span)).collect();
        assert_eq!(spans, ["\"==1.7.2\"", "\"==4.12.2\"", "\"===8.3.3\""]);
    }

    #[test]
    fn escaped_versions_offer_no_edit() {
        let text = r#"{"default": {"six": {"version": "==1.16\u002E0"}}}"#;
        let facts = read(text);
        let [Fact::LockedVersion(f)] = facts.as_slice() else {
            panic!("{facts:?}");
        };
        assert_eq!(f.version, "1.16.0");
        assert_eq!(f.origin.edit_span, None);
    }

    #[test]
    fn malformed_files_are_problems_with_a_place() {
        let text = "{\n  \"default\": {\n    \"six\": {\"version\": \"==1.16.0\",}\n  }\n}\n";
        let problem = problem_at(text, &read(text));
        assert!(
            problem.starts_with("3:35 invalid Pipfile.lock: trailing comma"),
            "{problem}"
        );

        let text = "{\n  \"default\": {\n    \"six\": {\"version\": 1.16}\n  }\n}\n";
        let problem = problem_at(text, &read(text));
        assert_eq!(
            problem,
            "3:24 invalid Pipfile.lock: `default.six.version` is not a string"
        );

        let text = "{\"default\": [\"six\"]}";
        let problem = problem_at(text, &read(text));
        assert!(
            problem.starts_with("1:13 invalid Pipfile.lock: "),
            "{problem}"
        );

        let text = "{\"default\": {\"é\": 1";
        let problem = problem_at(text, &read(text));
        assert!(problem.starts_with("1:"), "{problem}");

        assert_eq!(
            problem_at("", &read("")),
            "1:1 invalid Pipfile.lock: EOF while parsing a value"
        );
    }

    #[test]
    fn empty_sections_yield_nothing() {
        assert!(read(r#"{"_meta": {}, "default": {}, "develop": null}"#).is_empty());
    }
}
