//! MLR103 image-mutable-tag: a tag that moves by design (`latest`, `nightly`, …).
//!
//! The list is explicit ([`crate::facts::image_ref::MOVING_TAGS`]): guessing
//! mutability from a tag's shape flags commit hashes and build names. MLRun keeps an
//! explicit tag as written, so `mlrun/mlrun:latest` is *not* replaced by the client's
//! version. Cluster-built `.` images are MLR109's.

use super::mlrun_tag::{fix_tag, literal_image, pin_help, text_edit};
use super::{why_then, Check, Rule, Scope};
use crate::diagnostic::{Applicability, Finding, Fix, Severity};
use crate::facts::Fact;

pub const RULE: Rule = Rule {
    code: "MLR103",
    name: "image-mutable-tag",
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "an image tag that moves by design: latest, unstable, dev, development, edge, nightly, main, master",
    page: include_str!("../../rules/MLR103-image-mutable-tag.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, scope: &Scope) -> Option<Finding> {
    let (origin, image) = literal_image(fact)?;
    if image.is_cluster_built() {
        return None;
    }
    let tag = image.moving_tag()?;
    let tag_range = image.tag_range()?;
    if !image.is_mlrun() {
        return Some(Finding {
            span: origin.span,
            message: format!("image `{}` uses the moving tag `{tag}`", image.text),
            help: Some(why_then(
                "the tag is re-pointed on every push, so the image in production changes with \
                 no change to this project",
                &format!(
                    "pin a version tag of `{}` (better, tag and `@sha256:` digest); mlrun-lint \
                     does not guess versions of non-MLRun images",
                    image.repository()
                ),
            )),
            fix: None,
        });
    }
    let message = format!("MLRun image `{}` uses the moving tag `{tag}`", image.text);
    let help = why_then(
        "MLRun keeps an explicit tag as written instead of using the client's version, so \
         production runs whatever was pushed last",
        &pin_help(image, scope),
    );
    let fix = fix_tag(image, scope).and_then(|client| {
        let edit = text_edit(origin, image, tag_range, client.tag.clone())?;
        Some(Fix {
            message: format!("Replace `{tag}` with `{}`", client.tag),
            // It changes which image runs: from whatever `latest` is today to the client's.
            applicability: Applicability::Unsafe,
            edits: vec![edit],
        })
    });
    Some(Finding {
        span: origin.span,
        message,
        help: Some(help),
        fix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Edit;
    use crate::rules::testing::{check as run, client, image, no_client, span_of, AT};
    use crate::span::Span;

    #[test]
    fn mlrun_latest_gets_unsafe_client_tag_fix() {
        let finding = run(&RULE, &image("mlrun/mlrun:latest"), &client("1.6.4")).unwrap();
        assert_eq!(
            finding,
            Finding {
                span: span_of("mlrun/mlrun:latest"),
                message: "MLRun image `mlrun/mlrun:latest` uses the moving tag `latest`".into(),
                help: Some(
                    "MLRun keeps an explicit tag as written instead of using the client's \
                     version, so production runs whatever was pushed last; pin it to \
                     `mlrun/mlrun:1.6.4` (client version 1.6.4 from --mlrun-version)"
                        .into()
                ),
                fix: Some(Fix {
                    message: "Replace `latest` with `1.6.4`".into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        span: Span::new(AT + 12, AT + 18),
                        content: "1.6.4".into()
                    }],
                }),
            }
        );
    }

    #[test]
    fn mlrun_moving_tag_behind_port_without_client() {
        let finding = run(
            &RULE,
            &image("registry:5000/mlrun/mlrun:unstable"),
            &no_client(),
        )
        .unwrap();
        assert_eq!(
            finding.help.as_deref(),
            Some(
                "MLRun keeps an explicit tag as written instead of using the client's version, \
                 so production runs whatever was pushed last; pin it to the tag of the \
                 project's MLRun client (`registry:5000/mlrun/mlrun:X.Y.Z`); pass \
                 --mlrun-version or pin `mlrun==X.Y.Z` in the project's requirements and \
                 mlrun-lint will name the exact tag"
            )
        );
        assert_eq!(finding.fix, None);
    }

    #[test]
    fn obsolete_mlrun_image_gets_no_tag_fix() {
        let finding = run(&RULE, &image("mlrun/ml-models:latest"), &client("1.6.4")).unwrap();
        assert_eq!(
            finding.help.as_deref(),
            Some(
                "MLRun keeps an explicit tag as written instead of using the client's version, \
                 so production runs whatever was pushed last; `mlrun/ml-models` is obsolete \
                 (MLR105); pin its replacement to `mlrun/mlrun:1.6.4` (client version 1.6.4 \
                 from --mlrun-version)"
            )
        );
        assert_eq!(finding.fix, None);
    }

    #[test]
    fn other_images_get_no_invented_version() {
        let finding = run(&RULE, &image("vllm/vllm-openai:latest"), &client("1.6.4")).unwrap();
        assert_eq!(
            finding,
            Finding {
                span: span_of("vllm/vllm-openai:latest"),
                message: "image `vllm/vllm-openai:latest` uses the moving tag `latest`".into(),
                help: Some(
                    "the tag is re-pointed on every push, so the image in production changes \
                     with no change to this project; pin a version tag of `vllm/vllm-openai` \
                     (better, tag and `@sha256:` digest); mlrun-lint does not guess versions \
                     of non-MLRun images"
                        .into()
                ),
                fix: None,
            }
        );
        for text in [
            "yhaviv/mlrun:dev",
            "img:nightly",
            "img:main",
            "img:master",
            "img:edge",
            "img:development",
        ] {
            assert!(run(&RULE, &image(text), &no_client()).is_some(), "{text}");
        }
    }

    #[test]
    fn passes() {
        for text in [
            "mlrun/mlrun",
            "mlrun/mlrun:1.6.4",
            "mlrun/mlrun:latest@sha256:abc",
            "app:befacaad",
            "app:3f2c1e9a7b",
            "app:stable-2024",
            "app:Latest-build",
            ".mlrun/func-p-f:latest",
            "python",
        ] {
            assert_eq!(run(&RULE, &image(text), &client("1.6.4")), None, "{text}");
        }
    }
}
