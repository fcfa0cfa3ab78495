//! MLR102 image-untagged: a non-MLRun image with neither tag nor digest.
//!
//! MLRun passes non-MLRun images through as written, so the container runtime
//! pulls `latest`. MLRun images (MLR101) and cluster-built `.` images (MLR109) have
//! their own rules, because MLRun treats them differently.

use super::mlrun_tag::{at_least, literal_image, ClientTag};
use super::{why_then, Check, Rule, Scope};
use crate::diagnostic::{Finding, Severity};
use crate::facts::Fact;

pub const RULE: Rule = Rule {
    code: "MLR102",
    name: "image-untagged",
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "a non-MLRun image with no tag and no digest (resolves `latest`)",
    page: include_str!("../../rules/MLR102-image-untagged.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, scope: &Scope) -> Option<Finding> {
    let (origin, image) = literal_image(fact)?;
    if image.is_mlrun() || image.is_cluster_built() || !image.is_untagged() {
        return None;
    }
    let help = format!(
        "pin a version tag of `{}` (better, tag and `@sha256:` digest); mlrun-lint does not \
         guess versions of non-MLRun images",
        image.repository()
    );
    // MLRun 1.9+ special-cases exactly `python` (§1.2 step 2): users of the
    // `application` kind see it as MLRun's own default.
    let resolved_by_mlrun = !matches!(fact, Fact::Image(f) if f.pulled_as_written);
    let why = if image.text == "python" && resolved_by_mlrun {
        bare_python_why(scope)
    } else {
        LATEST_WHY.to_string()
    };
    Some(Finding {
        span: origin.span,
        message: format!("image `{}` has no tag", image.text),
        help: Some(why_then(&why, &help)),
        fix: None,
    })
}

const LATEST_WHY: &str =
    "it resolves `latest`, and every push to `latest` changes the image in production";

/// What a bare `python` runs as: from MLRun 1.9 `enrich_image_url` writes the
/// submitting client's Python minor version into it (MLRun 1.9.2
/// `utils/helpers.py:882`, 1.12.1 `utils/helpers.py:1036`); before, it stays as
/// written and the pull resolves `latest`.
fn bare_python_why(scope: &Scope) -> String {
    let client = ClientTag::from_scope(scope);
    match client.as_ref().and_then(|c| at_least(&c.tag, 1, 9)) {
        Some(true) => format!(
            "MLRun {} tags a bare `python` with the submitting client's Python minor version \
             (`python:3.11` for a Python 3.11 client), so the image changes with the client's \
             Python and with every patch release of that minor",
            client.map(|c| c.client.version.clone()).unwrap_or_default()
        ),
        Some(false) => format!(
            "MLRun {} passes it through as written, so it resolves `latest`, and every push to \
             `latest` changes the image in production",
            client.map(|c| c.client.version.clone()).unwrap_or_default()
        ),
        None => "before MLRun 1.9 it resolves `latest`; from 1.9 MLRun tags a bare `python` \
                 with the submitting client's Python minor version (`python:3.11` for a Python \
                 3.11 client); either way it moves with every push"
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{check as run, client, image, no_client, span_of};

    #[test]
    fn untagged_image() {
        let finding = run(&RULE, &image("myorg/custom"), &client("1.6.4")).unwrap();
        assert_eq!(
            finding,
            Finding {
                span: span_of("myorg/custom"),
                message: "image `myorg/custom` has no tag".into(),
                help: Some(
                    "it resolves `latest`, and every push to `latest` changes the image in \
                     production; pin a version tag of `myorg/custom` (better, tag and \
                     `@sha256:` digest); mlrun-lint does not guess versions of non-MLRun images"
                        .into()
                ),
                fix: None,
            }
        );
    }

    #[test]
    fn bare_python_says_what_each_release_runs() {
        let help = |scope| run(&RULE, &image("python"), &scope).unwrap().help.unwrap();
        assert_eq!(
            help(client("1.9.2")),
            "MLRun 1.9.2 tags a bare `python` with the submitting client's Python minor version \
             (`python:3.11` for a Python 3.11 client), so the image changes with the client's \
             Python and with every patch release of that minor; pin a version tag of `python` \
             (better, tag and `@sha256:` digest); mlrun-lint does not guess versions of \
             non-MLRun images"
        );
        assert!(help(client("1.8.0")).starts_with(
            "MLRun 1.8.0 passes it through as written, so it resolves `latest`, and every push \
             to `latest` changes the image in production; pin"
        ));
        assert!(help(no_client()).starts_with(
            "before MLRun 1.9 it resolves `latest`; from 1.9 MLRun tags a bare `python` with \
             the submitting client's Python minor version (`python:3.11` for a Python 3.11 \
             client); either way it moves with every push; pin"
        ));
        let other = run(&RULE, &image("ubuntu"), &client("1.9.2")).unwrap();
        assert!(other.help.unwrap().starts_with(LATEST_WHY));
    }

    #[test]
    fn registry_port_is_not_a_tag() {
        let finding = run(&RULE, &image("myhost:5000/repo/nginx"), &no_client()).unwrap();
        assert_eq!(finding.span, span_of("myhost:5000/repo/nginx"));
    }

    #[test]
    fn passes() {
        for text in [
            "python:3.11",
            "ruby@sha256:abc",
            "ruby:3.2@sha256:abc",
            "myhost:5000/repo/nginx:1.25",
            "mlrun/mlrun",
            "quay.io/mlrun/mlrun",
            ".mlrun/func-x",
            ".mlrun-project-image-p",
            "${IMAGE}",
        ] {
            assert_eq!(run(&RULE, &image(text), &no_client()), None, "{text}");
        }
    }
}
