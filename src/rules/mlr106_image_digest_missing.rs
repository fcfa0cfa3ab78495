//! MLR106 image-digest-missing (off by default): a tagged image not also pinned by digest.
//!
//! A tag is a name that can be re-pushed; only a digest names one exact image. Off
//! by default because digest pins without a bot to bump them are churn. Untagged
//! images are MLR101/MLR102's, and cluster-built `.` images have no digest a
//! project could know before the build.

use super::mlrun_tag::literal_image;
use super::{why_then, Check, Rule, Scope};
use crate::diagnostic::{Finding, Severity};
use crate::facts::Fact;

pub const RULE: Rule = Rule {
    code: "MLR106",
    name: "image-digest-missing",
    severity: Severity::Warning,
    enabled_by_default: false,
    summary: "a tagged image not also pinned by `@sha256:` digest",
    page: include_str!("../../rules/MLR106-image-digest-missing.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, _scope: &Scope) -> Option<Finding> {
    let (origin, image) = literal_image(fact)?;
    if image.is_cluster_built() || image.digest().is_some() {
        return None;
    }
    image.tag()?;
    Some(Finding {
        span: origin.span,
        message: format!("image `{}` is pinned by tag only", image.text),
        help: Some(why_then(
            "a tag can be re-pushed with different content, only an `@sha256:` digest names \
             one exact image",
            &format!(
                "look up the digest (`docker buildx imagetools inspect {}`) and write \
                 `{}@sha256:<digest>`, keeping the tag for readers and update bots",
                image.text, image.text
            ),
        )),
        fix: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{check as run, image, no_client, span_of};

    #[test]
    fn off_by_default() {
        const { assert!(!RULE.enabled_by_default) };
    }

    #[test]
    fn tag_without_digest() {
        let finding = run(&RULE, &image("python:3.11"), &no_client()).unwrap();
        assert_eq!(
            finding,
            Finding {
                span: span_of("python:3.11"),
                message: "image `python:3.11` is pinned by tag only".into(),
                help: Some(
                    "a tag can be re-pushed with different content, only an `@sha256:` digest \
                     names one exact image; look up the digest (`docker buildx imagetools \
                     inspect python:3.11`) and write `python:3.11@sha256:<digest>`, keeping \
                     the tag for readers and update bots"
                        .into()
                ),
                fix: None,
            }
        );
        assert!(run(&RULE, &image("mlrun/mlrun:latest"), &no_client()).is_some());
    }

    #[test]
    fn passes() {
        for text in [
            "python:3.11@sha256:abc",
            "ruby@sha256:abc",
            "python",
            "mlrun/mlrun",
            "localhost:5000/mlrun/mlrun",
            ".mlrun/func-p-f:v2",
            "repo:${TAG}",
        ] {
            assert_eq!(run(&RULE, &image(text), &no_client()), None, "{text}");
        }
    }
}
