//! MLR104 mlrun-image-version-mismatch: an MLRun image whose version tag is not the
//! project's MLRun client version.
//!
//! The image holds the MLRun that executes the job; the client is the MLRun that
//! serialised it. A `-pyNN` suffix only picks the Python variant of one release
//! (`mlrun-semantics.md` §1.3), so it is stripped from both sides before comparing.

use super::mlrun_tag::{literal_image, python_suffix, text_edit, ClientTag};
use super::{why_then, Check, Rule, Scope};
use crate::diagnostic::{Applicability, Finding, Fix, Severity};
use crate::facts::Fact;

pub const RULE: Rule = Rule {
    code: "MLR104",
    name: "mlrun-image-version-mismatch",
    severity: Severity::Warning,
    enabled_by_default: true,
    summary:
        "an MLRun image whose version tag differs from the project's pinned MLRun client version",
    page: include_str!("../../rules/MLR104-mlrun-image-version-mismatch.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, scope: &Scope) -> Option<Finding> {
    let (origin, image) = literal_image(fact)?;
    if !image.is_mlrun() {
        return None;
    }
    let version = image.tag_version()?;
    let client = ClientTag::from_scope(scope)?;
    if client.matches(version) {
        return None;
    }
    let tag = image.tag()?;
    let tag_range = image.tag_range()?;
    let suffix = python_suffix(tag);
    let new_tag = format!("{}{}", client.tag, suffix.unwrap_or_default());
    let message = format!(
        "MLRun image `{}` runs MLRun {version}, not the client's {}",
        image.text, client.client.version
    );
    let why = format!(
        "the project's MLRun client is {} (from {}), so jobs would run on a different MLRun \
         than the one that submits them",
        client.client.version, client.client.source
    );
    // A kept suffix must name an image MLRun publishes for the client's release.
    let suffix_published = suffix.is_none_or(|s| client.python_variant(image) == Some(s));
    let mut help = if suffix_published {
        format!(
            "use `{}:{new_tag}` so the image matches the client, or change the client pin if \
             MLRun {version} is intended",
            image.repository()
        )
    } else {
        format!(
            "use the `{}` image of the project's Python for `{}` (MLRun publishes no `{}` \
             variant of it), or change the client pin if MLRun {version} is intended",
            image.repository(),
            client.tag,
            suffix.unwrap_or_default()
        )
    };
    if let Some(kfp_suffix) = client.kfp_tag_suffix(image) {
        help.push_str(&format!(
            "; MLRun {} appends `{kfp_suffix}` to a written `mlrun-kfp` tag for clients on \
             Python 3.9, so they run `{}{kfp_suffix}`",
            client.client.version, image.text
        ));
    }
    // No fix when a digest pins the old image (a new tag beside it would lie), when
    // the image is obsolete (its new tag may not exist: MLR105 says what replaces
    // it), or when the suffix has no image at the client's release.
    let fixable =
        suffix_published && image.digest().is_none() && image.deprecated_mlrun_image().is_none();
    let fix = fixable
        .then(|| text_edit(origin, image, tag_range, new_tag.clone()))
        .flatten()
        .map(|edit| Fix {
            message: format!("Replace `{tag}` with `{new_tag}`"),
            // Changes the MLRun version the job runs on.
            applicability: Applicability::Unsafe,
            edits: vec![edit],
        });
    Some(Finding {
        span: origin.span,
        message,
        help: Some(why_then(&why, &help)),
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
    fn older_image_than_client() {
        let finding = run(&RULE, &image("mlrun/mlrun:1.5.0"), &client("1.6.4")).unwrap();
        assert_eq!(
            finding,
            Finding {
                span: span_of("mlrun/mlrun:1.5.0"),
                message: "MLRun image `mlrun/mlrun:1.5.0` runs MLRun 1.5.0, not the client's \
                          1.6.4"
                    .into(),
                help: Some(
                    "the project's MLRun client is 1.6.4 (from --mlrun-version), so jobs would \
                     run on a different MLRun than the one that submits them; use \
                     `mlrun/mlrun:1.6.4` so the image matches the client, or change the client \
                     pin if MLRun 1.5.0 is intended"
                        .into()
                ),
                fix: Some(Fix {
                    message: "Replace `1.5.0` with `1.6.4`".into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        span: Span::new(AT + 12, AT + 17),
                        content: "1.6.4".into()
                    }],
                }),
            }
        );
    }

    #[test]
    fn kfp_tag_on_1_10_says_what_python_3_9_clients_run() {
        let finding = run(&RULE, &image("mlrun/mlrun-kfp:1.10.0"), &client("1.10.4")).unwrap();
        assert_eq!(
            finding.help.as_deref(),
            Some(
                "the project's MLRun client is 1.10.4 (from --mlrun-version), so jobs would run \
                 on a different MLRun than the one that submits them; use \
                 `mlrun/mlrun-kfp:1.10.4` so the image matches the client, or change the client \
                 pin if MLRun 1.10.0 is intended; MLRun 1.10.4 appends `-py39` to a written \
                 `mlrun-kfp` tag for clients on Python 3.9, so they run \
                 `mlrun/mlrun-kfp:1.10.0-py39`"
            )
        );
        let on_1_12 = run(&RULE, &image("mlrun/mlrun-kfp:1.10.0"), &client("1.12.1")).unwrap();
        assert!(!on_1_12.help.unwrap().contains("-py39"));
    }

    #[test]
    fn python_suffix_is_kept() {
        let finding = run(
            &RULE,
            &image("quay.io/mlrun/mlrun:1.9.1-py39"),
            &client("1.9.2"),
        )
        .unwrap();
        let fix = finding.fix.unwrap();
        assert_eq!(fix.message, "Replace `1.9.1-py39` with `1.9.2-py39`");
        assert_eq!(
            fix.edits,
            vec![Edit {
                span: Span::new(AT + 20, AT + 30),
                content: "1.9.2-py39".into()
            }]
        );
    }

    #[test]
    fn unpublished_suffix_gets_no_fix() {
        let finding = run(&RULE, &image("mlrun/mlrun:1.10.0-py39"), &client("1.11.0")).unwrap();
        assert_eq!(
            finding.help.as_deref(),
            Some(
                "the project's MLRun client is 1.11.0 (from --mlrun-version), so jobs would \
                 run on a different MLRun than the one that submits them; use the \
                 `mlrun/mlrun` image of the project's Python for `1.11.0` (MLRun publishes no \
                 `-py39` variant of it), or change the client pin if MLRun 1.10.0 is intended"
            )
        );
        assert_eq!(finding.fix, None);
    }

    #[test]
    fn digest_or_obsolete_image_gets_no_fix() {
        let pinned = run(
            &RULE,
            &image("mlrun/mlrun:1.5.0@sha256:abc"),
            &client("1.6.4"),
        )
        .unwrap();
        assert_eq!(pinned.fix, None);
        let obsolete = run(&RULE, &image("mlrun/ml-models:1.4.1"), &client("1.6.4")).unwrap();
        assert_eq!(obsolete.fix, None);
    }

    #[test]
    fn passes() {
        for (text, version) in [
            ("mlrun/mlrun:1.6.4", "1.6.4"),
            ("mlrun/mlrun:1.6.4-py39", "1.6.4"),
            ("mlrun/mlrun:1.9.2-py39", "1.9.2"),
            ("mlrun/mlrun:1.7.0-rc1", "1.7.0rc1"),
            ("mlrun/mlrun:1.7.0-abc", "1.7.0+abc"),
            ("mlrun/mlrun:latest", "1.6.4"),
            ("mlrun/mlrun", "1.6.4"),
            ("python:3.11", "1.6.4"),
            ("mlrun/mlrun:1.5.0", "0.0.0+unstable"),
        ] {
            assert_eq!(
                run(&RULE, &image(text), &client(version)),
                None,
                "{text} with {version}"
            );
        }
        assert_eq!(run(&RULE, &image("mlrun/mlrun:1.5.0"), &no_client()), None);
    }
}
