//! MLR202 package-not-exact: a specifier that admits more than one release.
//!
//! `>=`, `~=`, `<`, `!=` and `==1.*` are resolved again by every build, so they
//! float like a bare name, only within bounds. A warning rather than MLR201's error:
//! a range is at least a conscious choice. hadolint's DL3013 counts these as pinned
//! (`anchors.md` §2 item 15); this rule exists so that they are not.

use super::package::{installs, is_mlrun, pin_from_sources, unconstrained};
use super::{why_then, Check, Rule, Scope};
use crate::diagnostic::{Finding, Severity};
use crate::facts::requirement::Spec;
use crate::facts::Fact;

pub const RULE: Rule = Rule {
    code: "MLR202",
    name: "package-not-exact",
    severity: Severity::Warning,
    enabled_by_default: true,
    summary:
        "a specifier that admits more than one release (`>=`, `~=`, `<`, `!=`, `==1.*`, ranges)",
    page: include_str!("../../rules/MLR202-package-not-exact.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, scope: &Scope) -> Option<Finding> {
    let (package, name) = unconstrained(fact, scope)?;
    let Spec::Range(specifier) = &package.spec else {
        return None;
    };
    if is_mlrun(name) {
        return None;
    }
    let (help, fix) = pin_from_sources(package, name, scope);
    Some(Finding {
        span: package.origin.span,
        message: format!(
            "`{}` is not pinned to one release (`{specifier}`)",
            name.written
        ),
        help: Some(why_then(
            &installs(package, "whatever is newest in that range"),
            &help,
        )),
        fix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{check as run, constrained, no_client, requirement, span_in};

    #[test]
    fn compatible_release() {
        let text = "keybert~=0.7.0 ; python_version >= '3.8'";
        let fact = Fact::Package(requirement(text));
        assert_eq!(
            run(&RULE, &fact, &no_client()),
            Some(Finding {
                span: span_in(text, text),
                message: "`keybert` is not pinned to one release (`~=0.7.0`)".into(),
                help: Some(
                    "the build installs whatever is newest in that range on build day; pin the \
                     release you tested: `keybert==X.Y.Z` (or pin it exactly in a constraints \
                     file passed with `-c`)"
                        .into()
                ),
                fix: None,
            })
        );
    }

    #[test]
    fn every_range_shape() {
        for (text, specifier) in [
            ("tensorflow>=2.1", ">=2.1"),
            ("protobuf<=3.20.1", "<=3.20.1"),
            ("six!=1.0", "!=1.0"),
            ("numpy==1.26.*", "==1.26.*"),
            ("pandas >= 1.0, < 2.0", ">= 1.0, < 2.0"),
            ("Django (>=3.2)", "(>=3.2)"),
            ("uvicorn[standard]>0.20", ">0.20"),
        ] {
            let finding = run(&RULE, &Fact::Package(requirement(text)), &no_client())
                .unwrap_or_else(|| panic!("{text}"));
            assert!(
                finding.message.contains(&format!("(`{specifier}`)")),
                "{text}: {}",
                finding.message
            );
            assert_eq!(finding.span, span_in(text, text), "{text}");
        }
    }

    #[test]
    fn an_exact_constraint_in_effect_pins() {
        let fact = Fact::Package(requirement("scikit-learn>=1.3"));
        let scope = constrained(&[("scikit-learn", "1.3.2")]);
        assert_eq!(run(&RULE, &fact, &scope), None);
    }

    #[test]
    fn passes() {
        for text in [
            "pandas==2.2.2",
            "pandas==2.2.2,!=2.2.1",
            "torch===2.1.0+cu118",
            "pandas",
            "mlrun>=1.6",
            "mlrun[complete]~=1.6.0",
            "pkg>=${VERSION}",
            "git+https://github.com/v3io/grafwiz",
        ] {
            let fact = Fact::Package(requirement(text));
            assert_eq!(run(&RULE, &fact, &no_client()), None, "{text}");
        }
        let mut line = requirement("pandas>=2");
        line.from_constraints = true;
        assert_eq!(run(&RULE, &Fact::Package(line), &no_client()), None);
    }
}
