//! Lock files: what an install from a lock puts in place, as
//! [`LockedVersion`](crate::facts::Fact::LockedVersion) facts.
//!
//! Each format gets its own reader, because each records a package in its own shape
//! (`uv.lock` and `poetry.lock` as TOML `[[package]]` tables, `pylock.toml` as
//! `[[packages]]`, `Pipfile.lock` as JSON maps of name to entry). Readers report the
//! name PEP 503 normalised and the version as recorded, with an origin at the version
//! value so a diagnostic can show the line that pins it. A file that is not valid in
//! its format yields one `Parse` problem at the place the parser stopped, never a
//! panic; a package with no version (a local or VCS source recorded without one)
//! yields nothing, since it pins nothing.
//!
//! pip-freeze and pip-compile output are requirements files and are read by
//! [`requirements_txt`](super::requirements_txt).

pub mod pipfile_lock;
pub mod poetry_lock;
pub mod pylock;
pub mod uv_lock;

use crate::facts::requirement::normalize_name;
use crate::facts::{Fact, LockedVersionFact, Origin, Problem, ProblemKind};
use crate::span::Span;
use serde::Deserialize;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// The lock formats, each recognised by its file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LockFormat {
    /// `uv.lock`
    Uv,
    /// `poetry.lock`
    Poetry,
    /// `Pipfile.lock`
    Pipfile,
    /// `pylock.toml` and `pylock.NAME.toml` (PEP 751)
    Pylock,
}

impl LockFormat {
    /// The format of the file at `path`, judged by its name (ASCII case ignored, as
    /// for the other file kinds).
    pub fn of(path: &Path) -> Option<Self> {
        let lower = path.file_name()?.to_str()?.to_ascii_lowercase();
        match lower.as_str() {
            "uv.lock" => Some(LockFormat::Uv),
            "poetry.lock" => Some(LockFormat::Poetry),
            "pipfile.lock" => Some(LockFormat::Pipfile),
            "pylock.toml" => Some(LockFormat::Pylock),
            // PEP 751 names a lock for one purpose `pylock.NAME.toml`, NAME not empty.
            _ => lower
                .strip_prefix("pylock.")
                .and_then(|rest| rest.strip_suffix(".toml"))
                .filter(|name| !name.is_empty())
                .map(|_| LockFormat::Pylock),
        }
    }
}

/// Reads a lock file's text into facts, choosing the reader by the file's name; a
/// name that is not a lock file's yields nothing.
pub fn read(path: &Path, text: &str) -> Vec<Fact> {
    match LockFormat::of(path) {
        Some(LockFormat::Uv) => uv_lock::read(text),
        Some(LockFormat::Poetry) => poetry_lock::read(text),
        Some(LockFormat::Pipfile) => pipfile_lock::read(text),
        Some(LockFormat::Pylock) => pylock::read(text),
        None => Vec::new(),
    }
}

/// One package entry of a TOML lock: the only keys read, so that the rest of an
/// entry (sources, wheels, hashes, dependencies, markers) can take any shape.
#[derive(Deserialize)]
struct TomlPackage {
    name: Spanned<String>,
    version: Option<Spanned<String>>,
}

/// Reads the array of tables `key` (`package`, `packages`) of a TOML lock. `file`
/// names the format in problem messages and fields.
fn read_toml_packages(text: &str, key: &str, file: &str) -> Vec<Fact> {
    // The TOML grammar allows no byte-order mark; editors on Windows write one anyway.
    let (body, offset) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, '\u{feff}'.len_utf8()),
        None => (text, 0),
    };
    let packages = match packages_with_spans(body, key) {
        Ok(packages) => packages,
        Err(error) => {
            let span = error.span().map_or(Span::at(0), |s| to_span(s, body));
            return vec![problem(span.shifted(offset), file, error.message())];
        }
    };
    let mut facts = Vec::new();
    for (index, package) in packages.into_iter().enumerate() {
        // An empty version pins nothing, like a missing one.
        let Some(version) = package.version.filter(|v| !v.get_ref().trim().is_empty()) else {
            continue;
        };
        let span = to_span(version.span(), body);
        facts.push(Fact::LockedVersion(LockedVersionFact {
            origin: Origin::new(
                span.shifted(offset),
                string_edit_span(body, span, version.get_ref()).map(|s| s.shifted(offset)),
                format!("{key}[{index}].version"),
            ),
            name: normalize_name(package.name.get_ref()),
            version: version.into_inner(),
        }));
    }
    facts
}

/// The `key` array of a TOML document (empty when absent), its other keys ignored
/// whatever their shape.
fn packages_with_spans(text: &str, key: &str) -> Result<Vec<TomlPackage>, toml::de::Error> {
    #[derive(Deserialize)]
    struct Uv {
        #[serde(default)]
        package: Vec<TomlPackage>,
    }
    #[derive(Deserialize)]
    struct Pep751 {
        #[serde(default)]
        packages: Vec<TomlPackage>,
    }
    if key == "packages" {
        toml::from_str::<Pep751>(text).map(|d| d.packages)
    } else {
        toml::from_str::<Uv>(text).map(|d| d.package)
    }
}

/// The bytes inside the quotes of a one-line string literal whose text is exactly
/// `value` (no escapes), where a fix could edit; `None` for any other literal.
fn string_edit_span(text: &str, span: Span, value: &str) -> Option<Span> {
    let inner = Span::new(span.start + 1, span.end.checked_sub(1)?);
    let quote = text.get(span.start..span.start + 1)?;
    let closing = text.get(inner.end..span.end)?;
    let exact = (quote == "\"" || quote == "'")
        && closing == quote
        && text.get(inner.start..inner.end) == Some(value);
    exact.then_some(inner)
}

/// A parser's byte range as a [`Span`], kept inside `text`.
fn to_span(range: Range<usize>, text: &str) -> Span {
    let end = range.end.min(text.len());
    Span::new(range.start.min(end), end)
}

/// A `Parse` problem at `span` of a lock file.
fn problem(span: Span, file: &str, message: &str) -> Fact {
    Fact::Problem(Problem {
        origin: Origin::new(span, None, file),
        kind: ProblemKind::Parse,
        message: format!("invalid {file}: {message}"),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The text at a span.
    pub(crate) fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    /// Every fact as `name version field`, checking on the way that each span is the
    /// version value as written and its edit span the version itself.
    pub(crate) fn locked(text: &str, facts: &[Fact]) -> Vec<String> {
        facts
            .iter()
            .map(|fact| match fact {
                Fact::LockedVersion(f) => {
                    let edit = f.origin.edit_span.expect("an edit span");
                    assert_eq!(at(text, edit), f.version);
                    assert!(at(text, f.origin.span).contains(&f.version));
                    format!("{} {} {}", f.name, f.version, f.origin.field)
                }
                other => panic!("not a locked version: {other:?}"),
            })
            .collect()
    }

    /// The one problem read from `text`, as `line:column message` (1-based).
    pub(crate) fn problem_at(text: &str, facts: &[Fact]) -> String {
        let [Fact::Problem(p)] = facts else {
            panic!("expected one problem, got {facts:?}");
        };
        assert_eq!(p.kind, ProblemKind::Parse);
        let before = &text[..p.origin.span.start];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        format!("{line}:{column} {}", p.message)
    }

    #[test]
    fn formats_by_name() {
        let format = |p: &str| LockFormat::of(Path::new(p));
        assert_eq!(format("uv.lock"), Some(LockFormat::Uv));
        assert_eq!(format("a/b/poetry.lock"), Some(LockFormat::Poetry));
        assert_eq!(format("Pipfile.lock"), Some(LockFormat::Pipfile));
        assert_eq!(format("pylock.toml"), Some(LockFormat::Pylock));
        assert_eq!(format("pylock.dev.toml"), Some(LockFormat::Pylock));
        assert_eq!(format("pylock.a.b.toml"), Some(LockFormat::Pylock));
        for name in [
            "pylock..toml",
            "Pipfile",
            "pyproject.toml",
            "x.lock",
            "uv.lock.bak",
        ] {
            assert_eq!(format(name), None, "{name}");
        }
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let text = "\u{feff}[[package]]\nname = \"six\"\nversion = \"1.16.0\"\n";
        let facts = read(Path::new("uv.lock"), text);
        assert_eq!(locked(text, &facts), ["six 1.16.0 package[0].version"]);
    }

    /// Every prefix of every sample lock reads without a panic, with spans inside
    /// the text on character boundaries.
    #[test]
    fn truncated_files_never_panic() {
        let samples = [
            ("uv.lock", uv_lock::tests::LOCK),
            ("poetry.lock", poetry_lock::tests::LOCK),
            ("Pipfile.lock", pipfile_lock::tests::LOCK),
            ("pylock.toml", pylock::tests::LOCK),
        ];
        for (name, lock) in samples {
            for (end, _) in lock.char_indices().step_by(3) {
                let text = &lock[..end];
                for fact in read(Path::new(name), text) {
                    let origin = fact.origin();
                    for span in std::iter::once(origin.span).chain(origin.edit_span) {
                        assert!(text.get(span.start..span.end).is_some(), "{name} {end}");
                    }
                }
            }
        }
    }

    #[test]
    fn unknown_names_yield_nothing() {
        assert!(read(Path::new("requirements.txt"), "six==1.16.0").is_empty());
    }

    #[test]
    fn escaped_or_multiline_versions_offer_no_edit() {
        let text = "[[package]]\nname = \"a\"\nversion = \"1.0\\u002E1\"\n\
                    [[package]]\nname = \"b\"\nversion = '''2.0'''\n\
                    [[package]]\nname = \"c\"\nversion = '3.0'\n";
        let facts = uv_lock::read(text);
        let edits: Vec<_> = facts
            .iter()
            .map(|f| f.origin().edit_span.map(|s| at(text, s)))
            .collect();
        assert_eq!(edits, [None, None, Some("3.0")]);
        let spans: Vec<_> = facts.iter().map(|f| at(text, f.origin().span)).collect();
        assert_eq!(spans, ["\"1.0\\u002E1\"", "'''2.0'''", "'3.0'"]);
    }
}
