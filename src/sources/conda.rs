//! Conda environment files (`environment.yml`): the `dependencies` list and its
//! nested `pip:` list.
//!
//! Conda specs are read with conda's `MatchSpec` meaning, which differs from pip's:
//! - `name==1.26.4` and `name 1.26.4` (a bare version after a space) are exact;
//! - `name=1.26.4` is *fuzzy*: conda reads it as `1.26.4.*`. With three or more
//!   version parts that admits one release in practice (a `1.26.4.1` would be a new
//!   upstream release under the same prefix, which real packages do not publish), so
//!   it is [`Spec::Exact`]; with fewer parts (`numpy=1.26`) it admits every
//!   `1.26.x` and is a [`Spec::Range`];
//! - `>=`, `<`, `!=`, `~=`, `*` and `|` always admit several releases;
//! - `channel::name` and `channel/subdir::name` name the package after `::`;
//!   `name=version=build` pins the build too (still one release).
//!
//! `python` and `pip` are skipped: they choose the interpreter and the installer,
//! not a library, and every environment file names them. The `pip:` entries are
//! lines of a requirements file (conda writes them to one and runs `pip install -r`),
//! so they go through the requirements-file reader, options included.

use super::requirements_txt;
use super::yaml::fields::edit_span;
use super::yaml::tree::{self, Node, ParseErrorKind};
use crate::facts::requirement::{normalize_name, PackageName, Spec};
use crate::facts::{template_marker, Fact, Origin, PackageFact, Problem, ProblemKind};
use crate::span::Span;

/// Reads a conda environment file into package facts. A file whose root has no
/// `dependencies` list yields nothing.
pub fn read(text: &str) -> Vec<Fact> {
    let docs = match tree::parse(text) {
        Ok(docs) => docs,
        Err(err) => {
            let (kind, message) = match err.kind {
                ParseErrorKind::Syntax => {
                    (ProblemKind::Parse, format!("invalid YAML: {}", err.message))
                }
                _ => (
                    ProblemKind::Skipped,
                    format!("not checked: {}", err.message),
                ),
            };
            let at = err.offset.unwrap_or(0).min(text.len());
            return vec![Fact::Problem(Problem {
                origin: Origin::new(Span::at(at), None, ""),
                kind,
                message,
            })];
        }
    };
    let mut facts = Vec::new();
    for doc in &docs {
        let Some(dependencies) = doc.get("dependencies").and_then(Node::as_seq) else {
            continue;
        };
        for (i, item) in dependencies.iter().enumerate() {
            let field = format!("dependencies[{i}]");
            if let Some(spec) = item.as_str() {
                facts.extend(conda_spec(text, item, spec, &field));
            } else if let Some(pip) = item.get("pip").and_then(Node::as_seq) {
                for (j, entry) in pip.iter().enumerate() {
                    read_pip_entry(text, entry, &format!("{field}.pip[{j}]"), &mut facts);
                }
            }
        }
    }
    facts
}

/// One `pip:` entry, read as a requirements-file line, spans moved into the file.
/// An entry whose text is not its bytes (a block or escaped scalar) is located at
/// the whole entry, with no edit spans.
fn read_pip_entry(text: &str, entry: &Node, field: &str, facts: &mut Vec<Fact>) {
    let Some(value) = entry.as_str() else {
        return;
    };
    let edit = edit_span(text, entry);
    for fact in requirements_txt::read(value) {
        let fact = match edit {
            Some(at) => fact.shifted(at.start),
            None => pinned_to(fact, entry.span),
        };
        facts.push(with_field(fact, field));
    }
}

/// The fact located at `span` as a whole, with nothing editable.
fn pinned_to(fact: Fact, span: Span) -> Fact {
    let origin = |o: Origin| Origin {
        span,
        edit_span: None,
        ..o
    };
    match fact {
        Fact::Package(mut p) => {
            p.origin = origin(p.origin);
            if let Some(name) = &mut p.name {
                name.span = span;
            }
            p.pin_at = None;
            p.specifier = None;
            p.shell_redirect = None;
            Fact::Package(p)
        }
        Fact::Include(mut f) => {
            f.origin = origin(f.origin);
            Fact::Include(f)
        }
        Fact::PackageIndex(mut f) => {
            f.origin = origin(f.origin);
            Fact::PackageIndex(f)
        }
        Fact::Problem(mut f) => {
            f.origin = origin(f.origin);
            Fact::Problem(f)
        }
        other => other,
    }
}

/// The fact with the entry's path as its field (`dependencies[3].pip[0]`).
fn with_field(fact: Fact, field: &str) -> Fact {
    match fact {
        Fact::Package(mut f) => {
            f.origin.field = field.to_string();
            Fact::Package(f)
        }
        Fact::Include(mut f) => {
            f.origin.field = field.to_string();
            Fact::Include(f)
        }
        Fact::PackageIndex(mut f) => {
            f.origin.field = field.to_string();
            Fact::PackageIndex(f)
        }
        other => other,
    }
}

/// Packages that are the environment itself, not a library it installs.
const SKIPPED: &[&str] = &["python", "pip"];

/// One conda spec string, or nothing for `python`, `pip` and unreadable specs.
fn conda_spec(text: &str, node: &Node, spec: &str, field: &str) -> Option<Fact> {
    let edit = edit_span(text, node);
    // Offsets inside `spec` become file offsets only when the scalar is its bytes.
    let at = |start: usize, end: usize| match edit {
        Some(e) => Span::new(e.start + start, e.start + end),
        None => node.span,
    };
    let lead = spec.len() - spec.trim_start().len();
    let body = spec.trim();
    let name_start = lead + body.rfind("::").map_or(0, |i| i + 2);
    let rest = &spec[name_start..];
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    if name.is_empty() || SKIPPED.contains(&name.to_ascii_lowercase().as_str()) {
        return None;
    }
    let name_end = name_start + name_len;
    let version_text = spec[name_end..].trim_end();
    let version_lead = version_text.len() - version_text.trim_start().len();
    let version_start = name_end + version_lead;
    let version = version_text.trim_start();
    let spec_kind = classify(version_text);
    let specifier = (!version.is_empty() && !version.starts_with('['))
        .then(|| at(version_start, version_start + version.len()));
    Some(Fact::Package(PackageFact {
        origin: Origin::new(node.span, edit, field),
        name: Some(PackageName {
            written: name.to_string(),
            normalized: normalize_name(name),
            span: at(name_start, name_end),
        }),
        extras: Vec::new(),
        pin_at: (version.is_empty() && edit.is_some())
            .then(|| Span::at(at(name_end, name_end).start)),
        specifier,
        marker: None,
        spec: spec_kind,
        editable: false,
        hashes: Vec::new(),
        from_constraints: false,
        hashable: false,
        shell_redirect: None,
        kernel: false,
    }))
}

/// The [`Spec`] of what follows a conda package name (see the module docs).
fn classify(after_name: &str) -> Spec {
    let written = after_name.trim();
    if written.is_empty() {
        return Spec::None;
    }
    if template_marker(written).is_some() {
        return Spec::Unverifiable(written.to_string());
    }
    if let Some(bracket) = written.strip_prefix('[') {
        // `name[version='>=1.2', build=...]`: judge the version key alone.
        return bracket_version(bracket).map_or(Spec::None, |v| classify_version(v, false));
    }
    if let Some(fuzzy) = written.strip_prefix('=').filter(|v| !v.starts_with('=')) {
        // `=version[=build]`
        let version = fuzzy.split('=').next().unwrap_or("");
        return classify_version(version, true);
    }
    if let Some(exact) = written.strip_prefix("==") {
        let version = exact.split('=').next().unwrap_or("");
        return classify_version(&format!("=={version}"), false);
    }
    // `name version [build]` or `name >=1.2,<2`.
    let version = written.split_whitespace().next().unwrap_or("");
    classify_version(version, false)
}

/// A conda version spec. `fuzzy` for the `name=version` form.
fn classify_version(version: &str, fuzzy: bool) -> Spec {
    let version = version.trim().trim_matches(['\'', '"']);
    let is_range = version.is_empty()
        || version.contains(['*', '|', ',', '>', '<', '!', '~'])
        || version.starts_with('=') && !version.starts_with("==");
    if is_range {
        let text = if fuzzy {
            format!("={version}")
        } else {
            version.to_string()
        };
        return Spec::Range(text);
    }
    let bare = version.trim_start_matches("==");
    let parts = bare.split('.').count();
    if fuzzy && parts < 3 {
        Spec::Range(format!("={bare}"))
    } else {
        Spec::Exact(bare.to_string())
    }
}

/// The `version=` value inside `[...]`.
fn bracket_version(inside: &str) -> Option<&str> {
    let inside = inside.strip_suffix(']').unwrap_or(inside);
    inside.split(',').find_map(|part| {
        let (key, value) = part.split_once('=')?;
        (key.trim() == "version").then(|| value.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(v: &str) -> Spec {
        Spec::Exact(v.into())
    }
    fn range(v: &str) -> Spec {
        Spec::Range(v.into())
    }

    #[test]
    fn conda_specs_by_their_conda_meaning() {
        let cases: Vec<(&str, Option<(&str, Spec)>)> = vec![
            ("numpy", Some(("numpy", Spec::None))),
            ("numpy==1.26.4", Some(("numpy", exact("1.26.4")))),
            ("numpy=1.26.4", Some(("numpy", exact("1.26.4")))),
            ("numpy=1.26", Some(("numpy", range("=1.26")))),
            ("numpy=1.26.*", Some(("numpy", range("=1.26.*")))),
            (
                "numpy=1.26.4=py311h64a7726_0",
                Some(("numpy", exact("1.26.4"))),
            ),
            ("numpy>=1.2", Some(("numpy", range(">=1.2")))),
            ("numpy >=1.2,<2", Some(("numpy", range(">=1.2,<2")))),
            ("numpy 1.26.4", Some(("numpy", exact("1.26.4")))),
            ("numpy 1.26.4 py311_0", Some(("numpy", exact("1.26.4")))),
            ("numpy 1.8*", Some(("numpy", range("1.8*")))),
            (
                "numpy 1.26.4|1.26.5",
                Some(("numpy", range("1.26.4|1.26.5"))),
            ),
            ("conda-forge::numpy=1.26", Some(("numpy", range("=1.26")))),
            (
                "conda-forge/linux-64::scikit-learn==1.4.2",
                Some(("scikit-learn", exact("1.4.2"))),
            ),
            ("numpy[version='>=1.2']", Some(("numpy", range(">=1.2")))),
            ("pytorch::pytorch", Some(("pytorch", Spec::None))),
            (
                "numpy=${NUMPY}",
                Some(("numpy", Spec::Unverifiable("=${NUMPY}".into()))),
            ),
            ("python=3.11", None),
            ("python", None),
            ("pip", None),
            ("conda-forge::python>=3.9", None),
            ("", None),
            ("==1.0", None),
        ];
        for (spec, expected) in cases {
            let text = format!("dependencies:\n  - \"{spec}\"\n");
            let facts = read(&text);
            let got = facts.iter().find_map(|f| match f {
                Fact::Package(p) => Some((p.name.clone()?.written, p.spec.clone())),
                _ => None,
            });
            let expected = expected.map(|(n, s)| (n.to_string(), s));
            assert_eq!(got, expected, "{spec}");
        }
    }

    #[test]
    fn spans_are_exact() {
        let text = "name: env\nchannels: [conda-forge]\ndependencies:\n  - conda-forge::numpy>=1.2\n  - 'pandas'\n  - pip\n  - pip:\n    - requests==2.31.0\n    - \"mlrun[complete]==1.7.0\"\n    - -r requirements-extra.txt\n    - --index-url http://pypi.internal/simple\n";
        let facts = read(text);
        let slice = |s: Span| &text[s.start..s.end];
        let rows: Vec<String> = facts
            .iter()
            .map(|f| match f {
                Fact::Package(p) => format!(
                    "{} [{}] edit={:?} name=[{}] spec={:?} specifier={:?}",
                    p.origin.field,
                    slice(p.origin.span),
                    p.origin.edit_span.map(slice),
                    slice(p.name.as_ref().unwrap().span),
                    p.spec,
                    p.specifier.map(slice),
                ),
                Fact::Include(i) => format!(
                    "{} include [{}] {}",
                    i.origin.field,
                    slice(i.origin.span),
                    i.path
                ),
                Fact::PackageIndex(i) => {
                    format!("{} index [{}]", i.origin.field, slice(i.origin.span))
                }
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            rows,
            [
                "dependencies[0] [conda-forge::numpy>=1.2] edit=Some(\"conda-forge::numpy>=1.2\") name=[numpy] spec=Range(\">=1.2\") specifier=Some(\">=1.2\")",
                "dependencies[1] ['pandas'] edit=Some(\"pandas\") name=[pandas] spec=None specifier=None",
                "dependencies[3].pip[0] [requests==2.31.0] edit=Some(\"requests==2.31.0\") name=[requests] spec=Exact(\"2.31.0\") specifier=Some(\"==2.31.0\")",
                "dependencies[3].pip[1] [mlrun[complete]==1.7.0] edit=Some(\"mlrun[complete]==1.7.0\") name=[mlrun] spec=Exact(\"1.7.0\") specifier=Some(\"==1.7.0\")",
                "dependencies[3].pip[2] include [requirements-extra.txt] requirements-extra.txt",
                "dependencies[3].pip[3] index [http://pypi.internal/simple]",
            ]
        );
        // An unpinned conda package gets an insertion point right after its name.
        let pandas = facts.iter().find_map(|f| match f {
            Fact::Package(p) if p.spec == Spec::None => p.pin_at,
            _ => None,
        });
        assert_eq!(pandas, Some(Span::at(text.find("pandas'").unwrap() + 6)));
    }

    #[test]
    fn block_scalars_are_located_whole() {
        let text = "dependencies:\n  - >-\n    numpy>=1\n";
        let facts = read(text);
        let Some(Fact::Package(p)) = facts.first() else {
            panic!("{facts:?}");
        };
        assert_eq!(p.origin.edit_span, None);
        assert_eq!(p.spec, range(">=1"));
        assert_eq!(p.name.as_ref().unwrap().span, p.origin.span);
    }

    #[test]
    fn not_an_environment_file_and_broken_yaml() {
        assert!(read("name: x\nchannels: [a]\n").is_empty());
        assert!(read("dependencies: numpy\n").is_empty());
        let facts = read("dependencies:\n  - [unclosed\n");
        assert!(matches!(&facts[..], [Fact::Problem(p)] if p.kind == ProblemKind::Parse));
    }
}
