//! MLR109 built-image-mutable-tag: an in-cluster built image (leading `.`) untagged
//! or tagged `latest`.
//!
//! MLRun names a function's build `.mlrun/func-<project>-<name>:<function tag or
//! latest>` and a project's `.mlrun-project-image-<name>` (`mlrun-semantics.md` §1.5):
//! every rebuild overwrites that tag in the cluster registry. These images replace
//! MLR102/MLR103, which skip them: no public registry holds a version to pin to.

use super::mlrun_tag::literal_image;
use super::{why_then, Check, Rule, Scope};
use crate::diagnostic::{Finding, Severity};
use crate::facts::Fact;

pub const RULE: Rule = Rule {
    code: "MLR109",
    name: "built-image-mutable-tag",
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "an in-cluster built image (leading `.`) untagged or tagged `latest`: every rebuild overwrites it",
    page: include_str!("../../rules/MLR109-built-image-mutable-tag.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, _scope: &Scope) -> Option<Finding> {
    let (origin, image) = literal_image(fact)?;
    if !image.is_cluster_built() || image.digest().is_some() {
        return None;
    }
    let (what, first) = match image.tag() {
        None => ("has no tag", "it resolves `latest`"),
        Some("latest") => (
            "is tagged `latest`",
            "`latest` is the tag MLRun gives builds of untagged functions",
        ),
        Some(_) => return None,
    };
    Some(Finding {
        span: origin.span,
        message: format!("cluster-built image `{}` {what}", image.text),
        help: Some(why_then(
            &format!(
                "{first}, and every rebuild overwrites it in the cluster registry, so a rebuild \
                 changes what runs without a change here"
            ),
            "give the build a version tag: set the function's tag (`metadata.tag`, `tag=` in \
             `set_function`), which MLRun uses for its built image, or a versioned target \
             (`spec.build.image`, `build_image(image=...)`)",
        )),
        fix: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::mlr102_image_untagged::RULE as MLR102;
    use crate::rules::mlr103_image_mutable_tag::RULE as MLR103;
    use crate::rules::testing::{check as run, client, image, span_of};

    const HELP: &str = "it resolves `latest`, and every rebuild overwrites it in the cluster \
                        registry, so a rebuild changes what runs without a change here; give \
                        the build a version tag: set the function's tag (`metadata.tag`, \
                        `tag=` in `set_function`), which MLRun uses for its built image, or a \
                        versioned target (`spec.build.image`, `build_image(image=...)`)";

    #[test]
    fn untagged_built_image() {
        let finding = run(&RULE, &image(".mlrun/func-x"), &client("1.6.4")).unwrap();
        assert_eq!(
            finding,
            Finding {
                span: span_of(".mlrun/func-x"),
                message: "cluster-built image `.mlrun/func-x` has no tag".into(),
                help: Some(HELP.into()),
                fix: None,
            }
        );
        // MLR109 replaces the generic rules for these images.
        assert_eq!(
            run(&MLR102, &image(".mlrun/func-x"), &client("1.6.4")),
            None
        );
    }

    #[test]
    fn latest_built_image() {
        let finding = run(&RULE, &image(".mlrun/func-p-f:latest"), &client("1.6.4")).unwrap();
        assert_eq!(
            finding.message,
            "cluster-built image `.mlrun/func-p-f:latest` is tagged `latest`"
        );
        assert_eq!(
            run(&MLR103, &image(".mlrun/func-p-f:latest"), &client("1.6.4")),
            None
        );
        assert!(run(&RULE, &image(".mlrun-project-image-p"), &client("1.6.4")).is_some());
    }

    #[test]
    fn passes() {
        for text in [
            ".mlrun/func-p-f:v2",
            ".mlrun/func-p-f@sha256:abc",
            "mlrun/mlrun",
            "python:latest",
        ] {
            assert_eq!(run(&RULE, &image(text), &client("1.6.4")), None, "{text}");
        }
    }
}
