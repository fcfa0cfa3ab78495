//! MLR101 mlrun-image-untagged: an MLRun image with neither tag nor digest.
//!
//! MLRun fills such an image with the *submitting client's* version at run time, so
//! the image in production follows whoever submits the job; behind a registry with
//! a port MLRun adds nothing and the pull resolves `latest` (`mlrun-semantics.md` §1.2).

use super::mlrun_tag::{fix_tag, literal_image, pin_help, text_edit};
use super::{why_then, Check, Rule, Scope};
use crate::diagnostic::{Applicability, Finding, Fix, Severity};
use crate::facts::{Fact, ImageFact, ImageRef, ImageRole, ImageValue, Origin};
use crate::rules::VersionOrigin;

pub const RULE: Rule = Rule {
    code: "MLR101",
    name: "mlrun-image-untagged",
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "an MLRun image with no tag and no digest: MLRun fills the tag from the submitting client's version",
    page: include_str!("../../rules/MLR101-mlrun-image-untagged.md"),
    check: Check::Fact(check),
};

/// A build that names no base image builds on MLRun's default, untagged
/// `mlrun/mlrun` (`mlconf.default_base_image`): nothing is written to edit.
fn default_base(origin: &Origin, image: &ImageRef, scope: &Scope) -> Finding {
    Finding {
        span: origin.span,
        message: format!(
            "the build names no base image: it builds on MLRun's default `{}`, which has no tag",
            image.text
        ),
        help: Some(why_then(
            "MLRun fills the tag from the submitting client's version, so a client upgrade \
             changes the image the build starts from; the default is the client's \
             `mlconf.default_base_image` (`MLRUN_DEFAULT_BASE_IMAGE`)",
            &format!("pass a pinned `base_image`: {}", pin_help(image, scope)),
        )),
        fix: None,
    }
}

fn check(fact: &Fact, scope: &Scope) -> Option<Finding> {
    if let Fact::Image(ImageFact {
        origin,
        value: ImageValue::FollowsClient { image, text },
        ..
    }) = fact
    {
        return Some(follows_client(origin, image, text, scope));
    }
    let (origin, image) = literal_image(fact)?;
    if !image.is_mlrun() || !image.is_untagged() || image.is_cluster_built() {
        return None;
    }
    // Untagged and undigested, a `:` can only be a registry port, which defeats
    // MLRun's "no `:` anywhere" test for filling the tag; and an image a container
    // build pulls as written never meets MLRun at all.
    let pulled_as_written = matches!(fact, Fact::Image(f) if f.pulled_as_written);
    let fills_tag = image.mlrun_fills_tag() && !pulled_as_written;
    if matches!(fact, Fact::Image(f) if f.role == ImageRole::DefaultBuildBase) {
        return Some(default_base(origin, image, scope));
    }
    let message = format!("MLRun image `{}` has no tag", image.text);
    let why = if fills_tag {
        "MLRun fills the tag from the submitting client's version, so a client upgrade \
         changes the image in production"
    } else if pulled_as_written {
        "it is pulled as written, with no client version to fill it in, so it resolves \
         `latest`"
    } else {
        "behind a registry with a port, MLRun adds no tag and the pull resolves `latest`"
    };
    let help = why_then(why, &pin_help(image, scope));
    // Only where MLRun fills the tag does writing the client's tag keep what runs
    // today; behind a port today's image is `latest`, and pinning would change it.
    let fix = fix_tag(image, scope).and_then(|client| {
        let end = image.repository_end();
        let edit = text_edit(origin, image, (end, end), format!(":{}", client.tag))?;
        Some(Fix {
            message: format!("Pin the image to `{}`", client.pinned(image)),
            // Clients on an older Python get a `-pyNN` image for these releases, so
            // the plain tag is what runs today only for some of them; a version
            // seen in an environment is not necessarily the project's client.
            // Where MLRun fills no tag, today's image is `latest`: pinning
            // changes what runs.
            applicability: if !fills_tag
                || client.python_variant(image).is_some()
                || client.client.origin == VersionOrigin::Environment
            {
                Applicability::Unsafe
            } else {
                Applicability::Safe
            },
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

/// `f"mlrun/mlrun:{mlrun.__version__}"`: the tag MLRun itself would fill in, written
/// out. The image still follows whichever client runs the code, so it is judged as
/// an untagged one; no fix, since the expression is not a literal to edit.
fn follows_client(origin: &Origin, image: &ImageRef, text: &str, scope: &Scope) -> Finding {
    Finding {
        span: origin.span,
        message: format!("MLRun image `{text}` takes its tag from the running client"),
        help: Some(why_then(
            &format!(
                "as MLRun does for an untagged `{}`, a client upgrade changes the image in \
                 production",
                image.text
            ),
            &pin_help(image, scope),
        )),
        fix: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Edit;
    use crate::facts::{ImageFact, ImageRole, Origin};
    use crate::rules::testing::{
        check as run, client, image, image_without_edit_span, no_client, span_of, AT,
    };
    use crate::span::Span;

    #[test]
    fn untagged_mlrun_image_with_client_gets_safe_fix() {
        let finding = run(&RULE, &image("mlrun/mlrun"), &client("1.6.4")).unwrap();
        assert_eq!(
            finding,
            Finding {
                span: span_of("mlrun/mlrun"),
                message: "MLRun image `mlrun/mlrun` has no tag".into(),
                help: Some(
                    "MLRun fills the tag from the submitting client's version, so a client \
                     upgrade changes the image in production; pin it to `mlrun/mlrun:1.6.4` \
                     (client version 1.6.4 from --mlrun-version)"
                        .into()
                ),
                fix: Some(Fix {
                    message: "Pin the image to `mlrun/mlrun:1.6.4`".into(),
                    applicability: Applicability::Safe,
                    edits: vec![Edit {
                        span: Span::at(AT + 11),
                        content: ":1.6.4".into()
                    }],
                }),
            }
        );
    }

    #[test]
    fn python_variant_releases_get_unsafe_fix_and_note() {
        let finding = run(&RULE, &image("quay.io/mlrun/mlrun-gpu"), &client("1.9.2")).unwrap();
        assert_eq!(
            finding.help.as_deref(),
            Some(
                "MLRun fills the tag from the submitting client's version, so a client upgrade \
                 changes the image in production; pin it to `quay.io/mlrun/mlrun-gpu:1.9.2` \
                 (client version 1.9.2 from --mlrun-version); MLRun gives clients on Python \
                 3.9 the `1.9.2-py39` image instead; add `-py39` if the project runs Python 3.9"
            )
        );
        let fix = finding.fix.unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(
            fix.edits,
            vec![Edit {
                span: Span::at(AT + 23),
                content: ":1.9.2".into()
            }]
        );
    }

    #[test]
    fn registry_port_gets_port_message_and_an_unsafe_fix() {
        let finding = run(
            &RULE,
            &image("localhost:5000/mlrun/mlrun"),
            &client("1.6.4"),
        )
        .unwrap();
        assert_eq!(
            finding.message,
            "MLRun image `localhost:5000/mlrun/mlrun` has no tag"
        );
        assert_eq!(
            finding.help.as_deref(),
            Some(
                "behind a registry with a port, MLRun adds no tag and the pull resolves \
                  `latest`; pin it to `localhost:5000/mlrun/mlrun:1.6.4` (client version 1.6.4 \
                  from --mlrun-version)"
            )
        );
        // Today's image is `latest`: pinning changes what runs, so only --unsafe-fixes.
        let fix = finding.fix.unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(
            fix.message,
            "Pin the image to `localhost:5000/mlrun/mlrun:1.6.4`"
        );
    }

    #[test]
    fn without_client_version_help_names_the_sources() {
        let finding = run(&RULE, &image("quay.io/mlrun/mlrun"), &no_client()).unwrap();
        assert_eq!(
            finding.help.as_deref(),
            Some(
                "MLRun fills the tag from the submitting client's version, so a client upgrade \
                 changes the image in production; pin it to the tag of the project's MLRun \
                 client (`quay.io/mlrun/mlrun:X.Y.Z`); pass --mlrun-version or pin \
                 `mlrun==X.Y.Z` in the project's requirements and mlrun-lint will name the \
                 exact tag"
            )
        );
        assert_eq!(finding.fix, None);
        let dev = run(&RULE, &image("mlrun/mlrun"), &client("0.0.0+unstable")).unwrap();
        assert_eq!(
            dev.help.as_deref(),
            Some(
                "MLRun fills the tag from the submitting client's version, so a client upgrade \
                 changes the image in production; pin it to the tag of the project's MLRun \
                 client (`mlrun/mlrun:X.Y.Z`); the client version 0.0.0+unstable from \
                 --mlrun-version is a development build with no release image; pass \
                 --mlrun-version with a released version"
            )
        );
        assert_eq!(dev.fix, None);
    }

    #[test]
    fn obsolete_image_points_at_replacement_without_fix() {
        let finding = run(&RULE, &image("mlrun/ml-models"), &client("1.6.4")).unwrap();
        assert_eq!(
            finding.help.as_deref(),
            Some(
                "MLRun fills the tag from the submitting client's version, so a client upgrade \
                 changes the image in production; `mlrun/ml-models` is obsolete (MLR105); pin \
                 its replacement to `mlrun/mlrun:1.6.4` (client version 1.6.4 from \
                 --mlrun-version)"
            )
        );
        assert_eq!(finding.fix, None);
    }

    #[test]
    fn quoted_value_edits_inside_the_quotes() {
        // `image: "mlrun/mlrun"`: the span holds the quotes, the edit span the text.
        let origin = Origin::new(Span::new(7, 20), Some(Span::new(8, 19)), "spec.image");
        let fact =
            Fact::Image(ImageFact::from_text("mlrun/mlrun", ImageRole::Run, origin).unwrap());
        let finding = run(&RULE, &fact, &client("1.6.4")).unwrap();
        assert_eq!(finding.span, Span::new(7, 20));
        assert_eq!(
            finding.fix.unwrap().edits,
            vec![Edit {
                span: Span::at(19),
                content: ":1.6.4".into()
            }]
        );
    }

    #[test]
    fn no_edit_span_no_fix() {
        let finding = run(
            &RULE,
            &image_without_edit_span("mlrun/mlrun"),
            &client("1.6.4"),
        )
        .unwrap();
        assert_eq!(finding.fix, None);
    }

    #[test]
    fn passes() {
        for text in [
            "mlrun/mlrun:1.6.4",
            "mlrun/mlrun@sha256:abc",
            "mlrun/mlrun:1.6.4@sha256:abc",
            "mlrun/mlrun:latest",
            "python",
            "mlrunx/mlrun",
            ".mlrun/func-x",
            "mlrun/mlrun:{version}",
        ] {
            assert_eq!(run(&RULE, &image(text), &client("1.6.4")), None, "{text}");
        }
    }
}
