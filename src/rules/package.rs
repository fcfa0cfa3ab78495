//! What the package rules (MLR201–MLR206) share: which requirements they judge at
//! all, how they name a package in messages, and the MLRun client pin.
//!
//! Every package rule skips the same requirements, for the same reasons, so the
//! exclusions live here once: a constraints file's own lines install nothing, a pin
//! in a constraints file in effect pins the requirement it constrains, and `mlrun`
//! itself belongs to MLR204 because its version decides more than a library's does.

use super::Scope;
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::facts::requirement::{PackageName, Spec};
use crate::facts::{Fact, PackageFact};
use crate::span::Span;
use pep440_rs::{Version, VersionSpecifiers};
use std::str::FromStr;

pub use crate::facts::requirement::MLRUN_PACKAGE as MLRUN;

/// Who installs `what` and when, for the package rules' reasons: a build, on
/// build day, or a notebook's kernel (`%pip`), each time the cell runs.
pub fn installs(package: &PackageFact, what: &str) -> String {
    if package.kernel {
        format!("the notebook's kernel installs {what} each time the cell runs")
    } else {
        format!("the build installs {what} on build day")
    }
}

/// A requirement some package rule should judge: a package fact that installs
/// something (not a constraints-file line).
pub fn installed(fact: &Fact) -> Option<&PackageFact> {
    match fact {
        Fact::Package(package) if !package.from_constraints => Some(package),
        _ => None,
    }
}

/// A named requirement whose version a constraints file in effect does not pin:
/// the ones MLR201/MLR202/MLR204 judge by their own specifier. With
/// `-c constraints.txt` holding `pandas==2.2.2`, a bare `pandas` installs exactly
/// 2.2.2, so it is pinned (`SPEC.md`).
pub fn unconstrained<'a>(
    fact: &'a Fact,
    scope: &Scope,
) -> Option<(&'a PackageFact, &'a PackageName)> {
    let package = installed(fact)?;
    let name = package.name.as_ref()?;
    (!scope.constraints.contains_key(&name.normalized)).then_some((package, name))
}

/// Whether the requirement is the MLRun client (`mlrun`, `mlrun[complete]`, `MLRun`).
pub fn is_mlrun(name: &PackageName) -> bool {
    name.normalized == MLRUN
}

/// The requirement's name with its extras, as a user would write it in a pin
/// (`transformers[torch]`), so a suggested `==X.Y.Z` can be pasted in place.
pub fn name_with_extras(package: &PackageFact, name: &PackageName) -> String {
    if package.extras.is_empty() {
        name.written.clone()
    } else {
        format!("{}[{}]", name.written, package.extras.join(","))
    }
}

/// The help of MLR201/MLR202 (both say the same thing: pin the tested release).
/// mlrun-lint has no version source for other packages yet, so it names none.
pub fn pin_help(package: &PackageFact, name: &PackageName) -> String {
    format!(
        "pin the release you tested: `{}==X.Y.Z` (or pin it exactly in a constraints file \
         passed with `-c`)",
        name_with_extras(package, name)
    )
}

/// Whether the specifier as written admits `version`; the legacy parenthesised
/// form (`(>=1.6)`) and a trailing comma (`>=1.6,`) are read as pip reads them.
pub fn admits(specifier: &str, version: &Version) -> bool {
    let inner = specifier.trim();
    let inner = inner
        .strip_prefix('(')
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or(inner)
        .trim_end()
        .trim_end_matches(',');
    VersionSpecifiers::from_str(inner).is_ok_and(|specifiers| specifiers.contains(version))
}

/// `span` when the fix may edit it: only inside the requirement's `edit_span`,
/// whose bytes are exactly the text the spans were computed from.
pub fn editable(package: &PackageFact, span: Span) -> Option<Span> {
    let bounds = package.origin.edit_span?;
    (bounds.start <= span.start && span.end <= bounds.end).then_some(span)
}

/// The help and fix of MLR201/MLR202: pin to the version a pin source gives (a
/// lock file, `--python`), when one names the package and the version is one the
/// requirement admits. With no source the help names none (no version is invented).
pub fn pin_from_sources(
    package: &PackageFact,
    name: &PackageName,
    scope: &Scope,
) -> (String, Option<Fix>) {
    let requirement = name_with_extras(package, name);
    let Some(pinned) = scope.versions.get(&name.normalized) else {
        return (pin_help(package, name), None);
    };
    let pin = format!("{requirement}=={}", pinned.version);
    let Ok(version) = Version::from_str(&pinned.version) else {
        return (pin_help(package, name), None);
    };
    let span = match &package.spec {
        Spec::None if package.shell_redirect.is_none() => package.pin_at,
        Spec::Range(specifier) if admits(specifier, &version) => package.specifier,
        Spec::Range(specifier) => {
            return (
                format!(
                    "{} records {}, which `{specifier}` excludes; pin the release you tested: \
                     `{requirement}==X.Y.Z`",
                    pinned.source, pinned.version
                ),
                None,
            );
        }
        _ => None,
    };
    let fix = span
        .and_then(|span| editable(package, span))
        .map(|span| Fix {
            message: format!("Pin `{pin}`"),
            // A lock file says what the project installs today: pinning to it changes
            // nothing. An environment only says what happens to be installed there.
            applicability: if pinned.observed {
                Applicability::Unsafe
            } else {
                Applicability::Safe
            },
            edits: vec![Edit {
                span,
                content: format!("=={}", pinned.version),
            }],
        });
    (
        format!("pin `{pin}`, the version {} records", pinned.source),
        fix,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::requirement::{parse_requirement, SpanMap};
    use std::collections::BTreeMap;
    use std::sync::Arc;

    fn fact(text: &str) -> Fact {
        let req = parse_requirement(text).expect("a valid requirement");
        Fact::Package(req.into_fact(&SpanMap::slice(0), "requirement"))
    }

    #[test]
    fn constraints_lines_and_constrained_packages_are_not_judged() {
        let scope = Scope {
            constraints: Arc::new(BTreeMap::from([("scikit-learn".into(), "1.3.0".into())])),
            ..Scope::default()
        };
        assert!(unconstrained(&fact("Scikit_Learn>=1"), &scope).is_none());
        assert!(unconstrained(&fact("pandas"), &scope).is_some());
        let Fact::Package(mut line) = fact("pandas") else {
            unreachable!("a package fact")
        };
        line.from_constraints = true;
        assert!(installed(&Fact::Package(line)).is_none());
        // A requirement that names no package has nothing a constraint could pin.
        assert!(unconstrained(&fact("./local"), &scope).is_none());
    }

    #[test]
    fn names_and_extras() {
        let Fact::Package(package) = fact("MLRun[complete, s3]>=1.6") else {
            unreachable!("a package fact")
        };
        let name = package.name.as_ref().expect("named");
        assert!(is_mlrun(name));
        assert_eq!(name_with_extras(&package, name), "MLRun[complete,s3]");
    }
}
