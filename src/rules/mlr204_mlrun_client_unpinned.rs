//! MLR204 mlrun-client-unpinned: the `mlrun` package not pinned to one release.
//!
//! The client version is not just another library's: MLRun fills every untagged
//! MLRun image with the submitting client's version and checks the client against
//! the server (`mlrun-semantics.md` §1.2, §5), so a floating client makes images
//! and compatibility float too. It replaces MLR201/MLR202 for `mlrun`, and MLR203
//! for `mlrun` from a URL (`git+…/mlrun@development`), so each requirement gets
//! one finding.
//!
//! With a known client version that PyPI could serve (no local `+` part), the fix
//! writes `==X.Y.Z`: inserted after the name and extras when there is no
//! specifier, or in place of a range that already admits X.Y.Z. The fix is always
//! unsafe: today's sources of the client version (`--mlrun-version`, a hub item's
//! `mlrunVersion`) say which client runs the project, not what pip resolves for
//! this requirement, which is the newest release in range. A URL is not rewritten:
//! swapping a source tree for a release is a decision, not a pin.

use super::package::{admits, editable, is_mlrun, name_with_extras, unconstrained};
use super::{why_then, Check, ClientVersion, Rule, Scope, VersionOrigin};
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::facts::requirement::{PackageName, Spec};
use crate::facts::{Fact, PackageFact};
use pep440_rs::Version;
use std::str::FromStr;

pub const RULE: Rule = Rule {
    code: "MLR204",
    name: "mlrun-client-unpinned",
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "the `mlrun` package (any extras) not pinned exactly: image tags and server \
              compatibility follow it",
    page: include_str!("../../rules/MLR204-mlrun-client-unpinned.md"),
    check: Check::Fact(check),
};

/// Why the client floats, for the message.
enum Floating<'a> {
    NoVersion,
    Range(&'a str),
    Url,
}

fn check(fact: &Fact, scope: &Scope) -> Option<Finding> {
    let (package, name) = unconstrained(fact, scope)?;
    if !is_mlrun(name) {
        return None;
    }
    let floating = match &package.spec {
        Spec::None => Floating::NoVersion,
        Spec::Range(specifier) => Floating::Range(specifier.as_str()),
        Spec::Url { pinned: false, .. } => Floating::Url,
        _ => return None,
    };
    let follows = "MLRun image tags and server compatibility follow the client version, which \
                   becomes";
    let when = if package.kernel {
        "each time the cell runs"
    } else {
        "on build day"
    };
    let (message, why) = match floating {
        Floating::NoVersion => (
            format!("`{}` has no version", name.written),
            format!("{follows} whatever is newest {when}"),
        ),
        Floating::Range(specifier) => (
            format!(
                "`{}` is not pinned to one release (`{specifier}`)",
                name.written
            ),
            format!("{follows} whatever is newest in that range {when}"),
        ),
        Floating::Url => (
            format!(
                "`{}` is installed from a URL that does not fix its content",
                name.written
            ),
            format!("{follows} whatever the URL serves {when}"),
        ),
    };
    let (help, fix) = help_and_fix(package, name, &floating, scope);
    Some(Finding {
        span: package.origin.span,
        message,
        help: Some(why_then(&why, &help)),
        fix,
    })
}

fn help_and_fix(
    package: &PackageFact,
    name: &PackageName,
    floating: &Floating,
    scope: &Scope,
) -> (String, Option<Fix>) {
    let requirement = name_with_extras(package, name);
    let Some(client) = &scope.client else {
        return (
            format!(
                "pin the release the project's MLRun server runs: `{requirement}==X.Y.Z`; pass \
                 --mlrun-version and mlrun-lint names it and offers a fix"
            ),
            None,
        );
    };
    let Some(version) = release(client) else {
        return (
            format!(
                "pin the release the project's MLRun server runs: `{requirement}==X.Y.Z`; the \
                 client version {} from {} is not a release on PyPI, pass --mlrun-version with \
                 a released version",
                client.version, client.source
            ),
            None,
        );
    };
    let pin = format!("{requirement}=={}", client.version);
    let provenance = format!("client version {} from {}", client.version, client.source);
    let edit = match floating {
        Floating::NoVersion => package.pin_at,
        Floating::Range(specifier) if admits(specifier, &version) => package.specifier,
        Floating::Range(specifier) => {
            return (
                format!(
                    "the {provenance} is outside `{specifier}`; pin the release the project's \
                     MLRun server runs: `{requirement}==X.Y.Z`"
                ),
                None,
            );
        }
        Floating::Url => {
            return (
                format!("install the released client instead of a URL: `{pin}` ({provenance})"),
                None,
            );
        }
    };
    let fix = edit
        .and_then(|span| editable(package, span))
        .map(|span| Fix {
            message: format!("Pin `{pin}`"),
            // Safe only when the project itself pins that client elsewhere (an exact
            // pin or a lock file): then the build installs it today already. A
            // declared or observed version changes what the build installs.
            applicability: if client.origin == VersionOrigin::ProjectPin {
                Applicability::Safe
            } else {
                Applicability::Unsafe
            },
            edits: vec![Edit {
                span,
                content: format!("=={}", client.version),
            }],
        });
    (format!("pin `{pin}` ({provenance})"), fix)
}

/// The client version as a release pip could install: PyPI has no local versions
/// (`0.0.0+unstable` is a development client, `1.7.0+abc` a private build).
fn release(client: &ClientVersion) -> Option<Version> {
    Version::from_str(&client.version)
        .ok()
        .filter(|version| !version.is_local())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{
        check as run, client, constrained, no_client, requirement, span_in, AT,
    };
    use crate::span::Span;

    fn mlrun_fix(pin: &str, span: Span, content: &str) -> Option<Fix> {
        Some(Fix {
            message: format!("Pin `{pin}`"),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                span,
                content: content.into(),
            }],
        })
    }

    #[test]
    fn bare_mlrun_with_client_inserts_the_pin() {
        let text = "mlrun[complete] ; python_version >= '3.9'";
        let finding = run(&RULE, &Fact::Package(requirement(text)), &client("1.6.4"));
        assert_eq!(
            finding,
            Some(Finding {
                span: span_in(text, text),
                message: "`mlrun` has no version".into(),
                help: Some(
                    "MLRun image tags and server compatibility follow the client version, \
                     which becomes whatever is newest on build day; pin \
                     `mlrun[complete]==1.6.4` (client version 1.6.4 from --mlrun-version)"
                        .into()
                ),
                fix: mlrun_fix(
                    "mlrun[complete]==1.6.4",
                    Span::at(AT + "mlrun[complete]".len()),
                    "==1.6.4"
                ),
            })
        );
    }

    #[test]
    fn range_with_extras_admitting_the_client_is_replaced() {
        let text = "mlrun[complete]>=1.6";
        let finding = run(&RULE, &Fact::Package(requirement(text)), &client("1.6.4"));
        assert_eq!(
            finding,
            Some(Finding {
                span: span_in(text, text),
                message: "`mlrun` is not pinned to one release (`>=1.6`)".into(),
                help: Some(
                    "MLRun image tags and server compatibility follow the client version, \
                     which becomes whatever is newest in that range on build day; pin \
                     `mlrun[complete]==1.6.4` (client version 1.6.4 from --mlrun-version)"
                        .into()
                ),
                fix: mlrun_fix("mlrun[complete]==1.6.4", span_in(text, ">=1.6"), "==1.6.4"),
            })
        );
    }

    #[test]
    fn legacy_parentheses_and_compatible_release() {
        let text = "MLRun (~=1.6.0)";
        let finding = run(&RULE, &Fact::Package(requirement(text)), &client("1.6.4")).unwrap();
        assert_eq!(
            finding.fix,
            mlrun_fix("MLRun==1.6.4", span_in(text, "(~=1.6.0)"), "==1.6.4")
        );
        let text = "mlrun>=1.6, ";
        let finding = run(&RULE, &Fact::Package(requirement(text)), &client("1.6.4")).unwrap();
        assert_eq!(
            finding.fix,
            mlrun_fix("mlrun==1.6.4", span_in(text, ">=1.6,"), "==1.6.4")
        );
    }

    #[test]
    fn range_excluding_the_client_gets_no_fix() {
        let text = "mlrun>=1.7,<1.8";
        let finding = run(&RULE, &Fact::Package(requirement(text)), &client("1.6.4")).unwrap();
        assert_eq!(
            finding.help.as_deref(),
            Some(
                "MLRun image tags and server compatibility follow the client version, which \
                 becomes whatever is newest in that range on build day; the client version \
                 1.6.4 from --mlrun-version is outside `>=1.7,<1.8`; pin the release the \
                 project's MLRun server runs: `mlrun==X.Y.Z`"
            )
        );
        assert_eq!(finding.fix, None);
    }

    #[test]
    fn unknown_or_development_client_gets_no_fix() {
        let fact = Fact::Package(requirement("mlrun~=1.6"));
        let finding = run(&RULE, &fact, &no_client()).unwrap();
        assert_eq!(
            finding.help.as_deref(),
            Some(
                "MLRun image tags and server compatibility follow the client version, which \
                 becomes whatever is newest in that range on build day; pin the release the \
                 project's MLRun server runs: `mlrun==X.Y.Z`; pass --mlrun-version and \
                 mlrun-lint names it and offers a fix"
            )
        );
        assert_eq!(finding.fix, None);
        let finding = run(&RULE, &fact, &client("0.0.0+unstable")).unwrap();
        assert_eq!(
            finding.help.as_deref(),
            Some(
                "MLRun image tags and server compatibility follow the client version, which \
                 becomes whatever is newest in that range on build day; pin the release the \
                 project's MLRun server runs: `mlrun==X.Y.Z`; the client version \
                 0.0.0+unstable from --mlrun-version is not a release on PyPI, pass \
                 --mlrun-version with a released version"
            )
        );
        assert_eq!(finding.fix, None);
    }

    #[test]
    fn url_is_reported_without_fix() {
        let text = "git+https://github.com/mlrun/mlrun@development";
        let finding = run(&RULE, &Fact::Package(requirement(text)), &client("1.6.4"));
        assert_eq!(
            finding,
            Some(Finding {
                span: span_in(text, text),
                message: "`mlrun` is installed from a URL that does not fix its content".into(),
                help: Some(
                    "MLRun image tags and server compatibility follow the client version, \
                     which becomes whatever the URL serves on build day; install the released \
                     client instead of a URL: `mlrun==1.6.4` (client version 1.6.4 from \
                     --mlrun-version)"
                        .into()
                ),
                fix: None,
            })
        );
    }

    #[test]
    fn no_fix_without_an_edit_span() {
        let mut package = requirement("mlrun");
        package.origin.edit_span = None;
        let finding = run(&RULE, &Fact::Package(package), &client("1.6.4")).unwrap();
        assert_eq!(finding.fix, None);
        assert_eq!(
            finding.help.as_deref(),
            Some(
                "MLRun image tags and server compatibility follow the client version, which \
                  becomes whatever is newest on build day; pin `mlrun==1.6.4` (client version \
                  1.6.4 from --mlrun-version)"
            )
        );
    }

    #[test]
    fn passes() {
        let sha = "d4ed67bf663e4066517f00397412510d90043653";
        for text in [
            "mlrun==1.6.4".to_string(),
            "mlrun[complete]==1.6.4".into(),
            "mlrun===1.6.4".into(),
            "mlrun==${MLRUN_VERSION}".into(),
            format!("mlrun @ git+https://github.com/mlrun/mlrun@{sha}"),
            "mlrun-pipelines-kfp".into(),
            "pandas".into(),
        ] {
            let fact = Fact::Package(requirement(&text));
            assert_eq!(run(&RULE, &fact, &client("1.6.4")), None, "{text}");
        }
        let fact = Fact::Package(requirement("mlrun"));
        assert_eq!(run(&RULE, &fact, &constrained(&[("mlrun", "1.6.4")])), None);
        let mut line = requirement("mlrun");
        line.from_constraints = true;
        assert_eq!(run(&RULE, &Fact::Package(line), &no_client()), None);
    }
}
