//! MLR201 package-unpinned: a requirement with no version specifier at all.
//!
//! MLRun installs build requirements with pip when it builds the image in the
//! cluster, so a bare name resolves to the newest release on the day of the build.
//! `mlrun` is MLR204's (its version also decides image tags), paths are local
//! code rather than index packages, and a constraints file in effect that pins the
//! package exactly pins it here too.

use super::package::{installs, is_mlrun, name_with_extras, pin_from_sources, unconstrained};
use super::{why_then, Check, Rule, Scope};
use crate::diagnostic::{Finding, Severity};
use crate::facts::requirement::Spec;
use crate::facts::Fact;
use crate::span::Span;

pub const RULE: Rule = Rule {
    code: "MLR201",
    name: "package-unpinned",
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "a requirement with no version specifier",
    page: include_str!("../../rules/MLR201-package-unpinned.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, scope: &Scope) -> Option<Finding> {
    let (package, name) = unconstrained(fact, scope)?;
    if package.spec != Spec::None || is_mlrun(name) {
        return None;
    }
    let span = package.origin.span;
    let Some(redirect) = package.shell_redirect else {
        let (help, fix) = pin_from_sources(package, name, scope);
        return Some(Finding {
            span,
            message: format!("`{}` has no version", name.written),
            help: Some(why_then(&installs(package, "whatever is newest"), &help)),
            fix,
        });
    };
    // `pip install tensorflow>=2.1` looks pinned to a reader but not to the shell:
    // the finding covers the redirection too, so the excerpt shows both halves.
    Some(Finding {
        span: Span::new(span.start, redirect.end.max(span.end)),
        message: format!(
            "`{}` has no version: the unquoted `>`/`<` is a shell redirection",
            name.written
        ),
        help: Some(why_then(
            "pip gets the name alone and installs whatever is newest on build day",
            &format!(
                "quote the requirement so the specifier reaches pip, and pin the release you \
                 tested: `'{}==X.Y.Z'`",
                name_with_extras(package, name)
            ),
        )),
        fix: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{check as run, constrained, no_client, requirement, span_in};

    #[test]
    fn a_kernel_install_says_when_it_floats() {
        let mut package = requirement("pandas");
        package.kernel = true;
        let finding = run(&RULE, &Fact::Package(package), &no_client()).unwrap();
        assert!(finding.help.unwrap().starts_with(
            "the notebook's kernel installs whatever is newest each time the cell runs; pin"
        ));
    }

    #[test]
    fn bare_name() {
        let fact = Fact::Package(requirement("pandas"));
        assert_eq!(
            run(&RULE, &fact, &no_client()),
            Some(Finding {
                span: span_in("pandas", "pandas"),
                message: "`pandas` has no version".into(),
                help: Some(
                    "the build installs whatever is newest on build day; pin the release you \
                     tested: `pandas==X.Y.Z` (or pin it exactly in a constraints file passed \
                     with `-c`)"
                        .into()
                ),
                fix: None,
            })
        );
    }

    #[test]
    fn extras_and_markers() {
        let text = "transformers[torch] ; python_version >= '3.9'";
        let finding = run(&RULE, &Fact::Package(requirement(text)), &no_client()).unwrap();
        assert_eq!(finding.span, span_in(text, text));
        assert_eq!(
            finding.help.as_deref(),
            Some(
                "the build installs whatever is newest on build day; pin the release you \
                 tested: `transformers[torch]==X.Y.Z` (or pin it exactly in a constraints file \
                 passed with `-c`)"
            )
        );
    }

    #[test]
    fn shell_redirect_is_explained() {
        // `pip install tensorflow>=2.1`: the reader gives `tensorflow` with the
        // redirection `>=2.1` right after it.
        let text = "tensorflow>=2.1";
        let mut package = requirement("tensorflow");
        package.shell_redirect = Some(span_in(text, ">=2.1"));
        let finding = run(&RULE, &Fact::Package(package), &no_client()).unwrap();
        assert_eq!(
            finding,
            Finding {
                span: span_in(text, text),
                message: "`tensorflow` has no version: the unquoted `>`/`<` is a shell \
                          redirection"
                    .into(),
                help: Some(
                    "pip gets the name alone and installs whatever is newest on build day; \
                     quote the requirement so the specifier reaches pip, and pin the release \
                     you tested: `'tensorflow==X.Y.Z'`"
                        .into()
                ),
                fix: None,
            }
        );
    }

    #[test]
    fn an_exact_constraint_in_effect_pins() {
        let fact = Fact::Package(requirement("Pandas"));
        assert_eq!(
            run(&RULE, &fact, &constrained(&[("pandas", "2.2.2")])),
            None
        );
        assert!(run(&RULE, &fact, &constrained(&[("numpy", "1.26.4")])).is_some());
    }

    #[test]
    fn passes() {
        for text in [
            "pandas==2.2.2",
            "pandas>=2",
            "mlrun",
            "mlrun[complete]",
            ".",
            "./lib",
            "dist/x-1.0-py3-none-any.whl",
            "git+https://github.com/v3io/grafwiz",
            "pkg==${VERSION}",
        ] {
            let fact = Fact::Package(requirement(text));
            assert_eq!(run(&RULE, &fact, &no_client()), None, "{text}");
        }
        let mut line = requirement("pandas");
        line.from_constraints = true;
        assert_eq!(run(&RULE, &Fact::Package(line), &no_client()), None);
    }
}
