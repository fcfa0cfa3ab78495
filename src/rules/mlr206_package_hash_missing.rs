//! MLR206 package-hash-missing (off by default): an exact pin in a requirements
//! file without `--hash`.
//!
//! `==2.2.2` fixes a version, not the files: a release can gain wheels later and
//! an index can serve different bytes. Only requirements-file lines are judged
//! (`hashable`), because build lists and command lines cannot carry `--hash`. Off by
//! default because hash-pinned files need a tool to keep them up to date.

use super::package::installed;
use super::{why_then, Check, Rule, Scope};
use crate::diagnostic::{Finding, Severity};
use crate::facts::requirement::Spec;
use crate::facts::Fact;

pub const RULE: Rule = Rule {
    code: "MLR206",
    name: "package-hash-missing",
    severity: Severity::Warning,
    enabled_by_default: false,
    summary: "an exact pin in a requirements file without `--hash`",
    page: include_str!("../../rules/MLR206-package-hash-missing.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, _scope: &Scope) -> Option<Finding> {
    let package = installed(fact)?;
    let Spec::Exact(version) = &package.spec else {
        return None;
    };
    let name = package.name.as_ref()?;
    if !package.hashable || !package.hashes.is_empty() {
        return None;
    }
    Some(Finding {
        span: package.origin.span,
        message: format!("`{}` is pinned to {version} without `--hash`", name.written),
        help: Some(why_then(
            "pip checks the version, not the files it downloads, so a replaced or added wheel \
             goes unnoticed",
            "generate the file with hashes (`pip-compile --generate-hashes` or `uv pip compile \
             --generate-hashes`); once one requirement has `--hash`, pip requires one for every \
             requirement",
        )),
        fix: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{check as run, no_client, requirement, span_in};

    fn line(text: &str) -> Fact {
        let mut package = requirement(text);
        package.hashable = true;
        Fact::Package(package)
    }

    #[test]
    fn exact_pin_without_hash() {
        let text = "pandas==2.2.2 ; python_version >= '3.9'";
        assert_eq!(
            run(&RULE, &line(text), &no_client()),
            Some(Finding {
                span: span_in(text, text),
                message: "`pandas` is pinned to 2.2.2 without `--hash`".into(),
                help: Some(
                    "pip checks the version, not the files it downloads, so a replaced or \
                     added wheel goes unnoticed; generate the file with hashes (`pip-compile \
                     --generate-hashes` or `uv pip compile --generate-hashes`); once one \
                     requirement has `--hash`, pip requires one for every requirement"
                        .into()
                ),
                fix: None,
            })
        );
        let finding = run(&RULE, &line("torch===2.1.0+cu118"), &no_client()).unwrap();
        assert!(finding
            .message
            .starts_with("`torch` is pinned to 2.1.0+cu118 "));
    }

    #[test]
    fn passes() {
        let Fact::Package(mut hashed) = line("pandas==2.2.2") else {
            unreachable!("a package fact")
        };
        hashed.hashes = vec!["sha256:abc".into()];
        assert_eq!(run(&RULE, &Fact::Package(hashed), &no_client()), None);
        // A build list or command line cannot carry hashes.
        let inline = Fact::Package(requirement("pandas==2.2.2"));
        assert_eq!(run(&RULE, &inline, &no_client()), None);
        let Fact::Package(mut constraint) = line("pandas==2.2.2") else {
            unreachable!("a package fact")
        };
        constraint.from_constraints = true;
        assert_eq!(run(&RULE, &Fact::Package(constraint), &no_client()), None);
        for text in ["pandas", "pandas>=2", "git+https://github.com/v3io/grafwiz"] {
            assert_eq!(run(&RULE, &line(text), &no_client()), None, "{text}");
        }
    }
}
