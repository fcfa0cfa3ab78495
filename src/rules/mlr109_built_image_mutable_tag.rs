//! MLR109 built-image-mutable-tag: an in-cluster built image (leading `.`) untagged
//! or tagged `latest`.
//!
//! MLRun names a function's build `.mlrun/func-<project>-<name>:<function tag or
//! latest>` and a project's `.mlrun-project-image-<name>` (`mlrun-semantics.md` §1.5):
//! every rebuild overwrites that tag in the cluster registry. These images replace
//! MLR102/MLR103, which skip them: no public registry holds a version to pin to.

use super::mlrun_tag::{literal_image, missing_version_hint, text_edit, ClientTag};
use super::{why_then, Check, Rule, Scope};
use crate::diagnostic::{Applicability, Finding, Fix, Severity};
use crate::facts::image_ref::MOVING_TAGS;
use crate::facts::{Fact, ImageRef, ImageRole, Origin};

pub const RULE: Rule = Rule {
    code: "MLR109",
    name: "built-image-mutable-tag",
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "an in-cluster built image (leading `.`) untagged or tagged `latest`: every rebuild overwrites it",
    page: include_str!("../../rules/MLR109-built-image-mutable-tag.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, scope: &Scope) -> Option<Finding> {
    let (origin, image) = literal_image(fact)?;
    if !image.is_cluster_built() || image.digest().is_some() {
        return None;
    }
    if let Some(name) = mirrored_mlrun_image(image) {
        return mirrored(origin, image, name, scope);
    }
    if matches!(fact, Fact::Image(f) if f.role == ImageRole::DefaultBuildTarget) {
        return Some(Finding {
            span: origin.span,
            message: format!(
                "the build names no target image: MLRun builds `{}`, tagged `latest`",
                image.text
            ),
            help: Some(why_then(
                "an untagged function's build is tagged `latest`, and every rebuild overwrites \
                 it in the cluster registry, so a rebuild changes what runs without a change here",
                "give the function a tag (`tag=` in `set_function`), which its built image \
                 takes, or pass a versioned target (`build_function(..., image=...)`)",
            )),
            fix: None,
        });
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

/// The images MLRun publishes for functions to run on, by name.
const MLRUN_RUNTIME_IMAGES: &[&str] = &[
    "mlrun",
    "mlrun-gpu",
    "mlrun-kfp",
    "ml-base",
    "ml-models",
    "ml-models-gpu",
];

/// `.mlrun/mlrun`: MLRun's own image, mirrored into the cluster's registry, not a
/// build MLRun makes. Its name, when the `.` path ends in one of MLRun's images.
fn mirrored_mlrun_image(image: &ImageRef) -> Option<&str> {
    let (_, name) = image.repository().strip_prefix('.')?.rsplit_once('/')?;
    MLRUN_RUNTIME_IMAGES.contains(&name).then_some(name)
}

/// MLRun fills no tag into a `.` name: `enrich_image_url` sees no `mlrun/` prefix and
/// no `/mlrun/` in `.mlrun/mlrun` (MLRun 1.12.1 `utils/helpers.py:1064`), then
/// `full_image_path` puts the cluster registry in front of it as written
/// (`runtimes/base.py:721`). So what runs is whatever that registry holds under the
/// written tag, or `latest`; nobody rebuilds it, so the pin is an MLRun release.
fn mirrored(origin: &Origin, image: &ImageRef, name: &str, scope: &Scope) -> Option<Finding> {
    let what = match image.tag() {
        None => "has no tag",
        Some(tag) if MOVING_TAGS.contains(&tag) => "has a moving tag",
        Some(_) => return None,
    };
    let why = format!(
        "it is MLRun's own `{name}` image from the cluster's registry, and MLRun fills no tag \
         into a `.` name, so it runs whatever that registry holds as `{}`, which changes with \
         every push of it there",
        image.tag().unwrap_or("latest")
    );
    let client = ClientTag::from_scope(scope);
    let help = match &client {
        Some(client) => format!(
            "pin the MLRun release the project runs: `{}:{}` ({})",
            image.repository(),
            client.tag,
            client.provenance()
        ),
        None => format!(
            "pin the MLRun release the project runs (`{}:X.Y.Z`); {}",
            image.repository(),
            missing_version_hint(scope)
        ),
    };
    let fix = client.and_then(|client| {
        let range = image
            .tag_range()
            .map(|(start, end)| (start - 1, end))
            .unwrap_or((image.repository_end(), image.repository_end()));
        let edit = text_edit(origin, image, range, format!(":{}", client.tag))?;
        Some(Fix {
            message: format!("Pin the image to `{}:{}`", image.repository(), client.tag),
            // Today's image is the registry's `latest`: pinning changes what runs.
            applicability: Applicability::Unsafe,
            edits: vec![edit],
        })
    });
    Some(Finding {
        span: origin.span,
        message: format!("MLRun image `{}` {what}", image.text),
        help: Some(why_then(&why, &help)),
        fix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Edit;
    use crate::rules::mlr102_image_untagged::RULE as MLR102;
    use crate::rules::mlr103_image_mutable_tag::RULE as MLR103;
    use crate::rules::testing::{check as run, client, image, no_client, span_of, AT};
    use crate::span::Span;

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
    fn mirrored_mlrun_image_is_pinned_to_a_release() {
        let finding = run(&RULE, &image(".mlrun/mlrun"), &client("1.12.1")).unwrap();
        assert_eq!(
            finding,
            Finding {
                span: span_of(".mlrun/mlrun"),
                message: "MLRun image `.mlrun/mlrun` has no tag".into(),
                help: Some(
                    "it is MLRun's own `mlrun` image from the cluster's registry, and MLRun \
                     fills no tag into a `.` name, so it runs whatever that registry holds as \
                     `latest`, which changes with every push of it there; pin the MLRun \
                     release the project runs: `.mlrun/mlrun:1.12.1` (client version 1.12.1 \
                     from --mlrun-version)"
                        .into()
                ),
                fix: Some(Fix {
                    message: "Pin the image to `.mlrun/mlrun:1.12.1`".into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        span: Span::at(AT + 12),
                        content: ":1.12.1".into()
                    }],
                }),
            }
        );
        let latest = run(&RULE, &image(".mlrun/mlrun-gpu:latest"), &no_client()).unwrap();
        assert_eq!(
            latest.message,
            "MLRun image `.mlrun/mlrun-gpu:latest` has a moving tag"
        );
        assert!(latest.help.unwrap().ends_with(
            "pin the MLRun release the project runs (`.mlrun/mlrun-gpu:X.Y.Z`); pass \
             --mlrun-version or pin `mlrun==X.Y.Z` in the project's requirements and \
             mlrun-lint will name the exact tag"
        ));
        let replaced = run(&RULE, &image(".mlrun/mlrun:latest"), &client("1.6.4")).unwrap();
        assert_eq!(
            replaced.fix.unwrap().edits,
            vec![Edit {
                span: Span::new(AT + 12, AT + 19),
                content: ":1.6.4".into()
            }]
        );
        assert_eq!(
            run(&RULE, &image(".mlrun/mlrun:1.6.4"), &client("1.6.4")),
            None
        );
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
