//! MLR203 package-url-unpinned: a requirement installed from a URL whose content
//! the URL does not fix.
//!
//! A branch or tag of a VCS URL moves and an archive at a URL can be replaced;
//! only a full commit hash or a `#sha256=` content hash names one thing. The
//! classification (what counts as a full hash) is the parser's, in
//! [`crate::facts::requirement`]. `mlrun` from a URL is MLR204's: one finding per
//! requirement, from the rule that explains why the client version matters.

use super::package::{installed, installs, is_mlrun};
use super::{why_then, Check, Rule, Scope};
use crate::diagnostic::{Finding, Severity};
use crate::facts::requirement::{Spec, UrlKind};
use crate::facts::Fact;

pub const RULE: Rule = Rule {
    code: "MLR203",
    name: "package-url-unpinned",
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "a VCS requirement without a full commit hash, or an archive URL without `#sha256=`",
    page: include_str!("../../rules/MLR203-package-url-unpinned.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, _scope: &Scope) -> Option<Finding> {
    let package = installed(fact)?;
    let Spec::Url {
        url,
        kind,
        pinned: false,
    } = &package.spec
    else {
        return None;
    };
    if package.name.as_ref().is_some_and(is_mlrun) {
        return None;
    }
    let subject = package.name.as_ref().map_or(url, |name| &name.written);
    let index_release = match &package.name {
        Some(name) => format!(
            "install a released version from an index: `{}==X.Y.Z`",
            name.written
        ),
        None => "install a released version from an index".to_string(),
    };
    let (message, help) = match kind {
        UrlKind::Vcs => (
            format!("`{subject}` is installed from a VCS URL with no full commit hash"),
            why_then(
                &installs(package, "whatever the branch or tag points to"),
                &format!(
                    "end the URL with the full commit hash you tested (`@<40 hex digits>`), or \
                     {index_release}"
                ),
            ),
        ),
        UrlKind::Archive => (
            format!("`{subject}` is installed from an archive URL with no `#sha256=` hash"),
            why_then(
                &installs(package, "whatever the server returns"),
                &format!(
                    "add the archive's hash to the URL (`#sha256=<64 hex digits>`; `pip hash \
                     FILE` prints it), or {index_release}"
                ),
            ),
        ),
    };
    Some(Finding {
        span: package.origin.span,
        message,
        help: Some(help),
        fix: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{check as run, no_client, requirement, span_in};

    #[test]
    fn vcs_branch() {
        let text = "git+https://github.com/v3io/grafwiz";
        let finding = run(&RULE, &Fact::Package(requirement(text)), &no_client());
        assert_eq!(
            finding,
            Some(Finding {
                span: span_in(text, text),
                message: "`grafwiz` is installed from a VCS URL with no full commit hash".into(),
                help: Some(
                    "the build installs whatever the branch or tag points to on build day; end \
                     the URL with the full commit hash you tested (`@<40 hex digits>`), or \
                     install a released version from an index: `grafwiz==X.Y.Z`"
                        .into()
                ),
                fix: None,
            })
        );
    }

    #[test]
    fn vcs_tag_and_short_hash() {
        for text in [
            "pyhive @ git+https://github.com/v3io/PyHive.git@v0.6.999",
            "git+https://github.com/x/y.git@d4ed67b#egg=y",
        ] {
            let finding = run(&RULE, &Fact::Package(requirement(text)), &no_client())
                .unwrap_or_else(|| panic!("{text}"));
            assert_eq!(finding.span, span_in(text, text));
        }
    }

    #[test]
    fn archive_without_hash() {
        let text = "https://x.org/p/pkg-1.0.tar.gz#sha256=abc";
        let finding = run(&RULE, &Fact::Package(requirement(text)), &no_client());
        assert_eq!(
            finding,
            Some(Finding {
                span: span_in(text, text),
                message: "`pkg` is installed from an archive URL with no `#sha256=` hash".into(),
                help: Some(
                    "the build installs whatever the server returns on build day; add the \
                     archive's hash to the URL (`#sha256=<64 hex digits>`; `pip hash FILE` \
                     prints it), or install a released version from an index: `pkg==X.Y.Z`"
                        .into()
                ),
                fix: None,
            })
        );
    }

    #[test]
    fn unnamed_url_is_named_by_its_url() {
        let text = "https://x.org/download/latest";
        let finding = run(&RULE, &Fact::Package(requirement(text)), &no_client()).unwrap();
        assert_eq!(
            finding.message,
            "`https://x.org/download/latest` is installed from an archive URL with no \
             `#sha256=` hash"
        );
        assert!(finding
            .help
            .unwrap()
            .ends_with("or install a released version from an index"));
    }

    #[test]
    fn passes() {
        let sha = "d4ed67bf663e4066517f00397412510d90043653";
        let sha256 = "a".repeat(64);
        for text in [
            format!("git+https://github.com/flairNLP/flair.git@{sha}#egg=flair"),
            format!("https://x.org/p/pkg-1.0.tar.gz#sha256={sha256}"),
            "git+https://github.com/mlrun/mlrun@development".into(),
            "mlrun @ https://github.com/mlrun/mlrun/archive/v1.6.0.zip".into(),
            "file:///tmp/x.whl".into(),
            "pkg @ ./local".into(),
            "git+https://github.com/x/y.git@${REV}".into(),
            "pandas".into(),
        ] {
            let fact = Fact::Package(requirement(&text));
            assert_eq!(run(&RULE, &fact, &no_client()), None, "{text}");
        }
        let mut line = requirement("git+https://github.com/v3io/grafwiz");
        line.from_constraints = true;
        assert_eq!(run(&RULE, &Fact::Package(line), &no_client()), None);
    }
}
