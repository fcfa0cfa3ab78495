//! MLR102 image-untagged: a non-MLRun image with neither tag nor digest.
//!
//! MLRun passes non-MLRun images through as written, so the container runtime
//! pulls `latest`. MLRun images (MLR101) and cluster-built `.` images (MLR109) have
//! their own rules, because MLRun treats them differently.

use super::mlrun_tag::literal_image;
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

fn check(fact: &Fact, _scope: &Scope) -> Option<Finding> {
    let (origin, image) = literal_image(fact)?;
    if image.is_mlrun() || image.is_cluster_built() || !image.is_untagged() {
        return None;
    }
    let mut help = format!(
        "pin a version tag of `{}` (better, tag and `@sha256:` digest); mlrun-lint does not \
         guess versions of non-MLRun images",
        image.repository()
    );
    // MLRun 1.9+ special-cases exactly `python` (§1.2 step 2); say so, since users
    // of the `application` kind see it as MLRun's own default.
    let resolved_by_mlrun = !matches!(fact, Fact::Image(f) if f.pulled_as_written);
    if image.text == "python" && resolved_by_mlrun {
        help.push_str(
            "; MLRun 1.9 and later tag a bare `python` with the client's Python minor version \
             (`python:3.11`), which still moves with every patch release",
        );
    }
    Some(Finding {
        span: origin.span,
        message: format!("image `{}` has no tag", image.text),
        help: Some(why_then(
            "it resolves `latest`, and every push to `latest` changes the image in production",
            &help,
        )),
        fix: None,
    })
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
    fn bare_python_explains_mlrun_special_case() {
        let finding = run(&RULE, &image("python"), &no_client()).unwrap();
        assert_eq!(finding.message, "image `python` has no tag");
        assert!(finding.help.unwrap().ends_with(
            "MLRun 1.9 and later tag a bare `python` with the client's Python minor version \
             (`python:3.11`), which still moves with every patch release"
        ));
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
