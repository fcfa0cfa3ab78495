//! MLR105 mlrun-image-deprecated: an MLRun image MLRun has removed or deprecated.
//!
//! `mlrun/ml-models` and `mlrun/ml-models-gpu` have no release after 1.4.x, so a
//! function on them cannot follow a client upgrade; `mlrun/ml-base` is deprecated in
//! 1.10 and silently rewritten to `mlrun/mlrun`, still in 1.12 (`mlrun-semantics.md`
//! §1.2, §1.4).
//! Judged whatever the tag: an old, pinned tag is exactly the stuck case.

use super::mlrun_tag::{at_least, literal_image, text_edit, ClientTag};
use super::{Check, Rule, Scope};
use crate::diagnostic::{Applicability, Finding, Fix, Severity};
use crate::facts::image_ref::DeprecatedImage;
use crate::facts::{Fact, ImageRef, Origin};

pub const RULE: Rule = Rule {
    code: "MLR105",
    name: "mlrun-image-deprecated",
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "mlrun/ml-models, mlrun/ml-models-gpu (removed in 1.5.0), mlrun/ml-base (deprecated in 1.10.0)",
    page: include_str!("../../rules/MLR105-mlrun-image-deprecated.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, scope: &Scope) -> Option<Finding> {
    let (origin, image) = literal_image(fact)?;
    let deprecated = image.deprecated_mlrun_image()?;
    let help = if deprecated.name == "ml-base" {
        // MLRun 1.10.4 `utils/helpers.py:1024` and 1.12.1 `utils/helpers.py:1069`:
        // the rewrite is still there in 1.12 (only its FutureWarning is gone).
        format!(
            "MLRun 1.10 and later (1.12 included) run `{}` in its place when the tag (or, \
             untagged, the client's version) is 1.10.0 or later: use that image; for those \
             tags it is what already runs",
            deprecated.replacement
        )
    } else {
        format!(
            "use `{}`; `mlrun/{}` bundled ML frameworks it does not, so add the ones the \
             function imports to its build requirements",
            deprecated.replacement, deprecated.name
        )
    };
    Some(Finding {
        span: origin.span,
        message: format!(
            "MLRun image `{}` is obsolete, {}",
            image.text, deprecated.status
        ),
        help: Some(help),
        fix: rename_fix(origin, image, deprecated, scope),
    })
}

/// Renames the image to its replacement, keeping registry and tag, when the result
/// clearly exists and is pinned: no digest (it would name the old image), and a
/// tag that is a release the replacement is published for. An untagged image or
/// a moving tag is renamed only together with the pin to the client's version
/// (`mlrun/ml-models` → `mlrun/mlrun:1.6.4`): renamed alone it would write the
/// unpinned image MLR101 and MLR103 report. With no client version known, no fix.
fn rename_fix(
    origin: &Origin,
    image: &ImageRef,
    deprecated: &DeprecatedImage,
    scope: &Scope,
) -> Option<Fix> {
    if image.digest().is_some() {
        return None;
    }
    let new_name = deprecated.replacement.strip_prefix("mlrun/")?;
    let end = image.repository_end();
    let start = end.checked_sub(deprecated.name.len())?;
    let (range, content, replacement) = if image.tag().is_none() || image.moving_tag().is_some() {
        let client = ClientTag::from_scope(scope)?;
        if !replacement_published(deprecated.replacement, &client.tag).unwrap_or(false) {
            return None;
        }
        let pinned = format!("{}:{}", deprecated.replacement, client.tag);
        (
            (start, image.text.len()),
            format!("{new_name}:{}", client.tag),
            pinned,
        )
    } else {
        let published = image
            .tag_version()
            .and_then(|version| replacement_published(deprecated.replacement, version))
            .unwrap_or(false);
        if !published {
            return None;
        }
        (
            (start, end),
            new_name.to_string(),
            deprecated.replacement.to_string(),
        )
    };
    let edit = text_edit(origin, image, range, content)?;
    Some(Fix {
        message: format!("Replace `mlrun/{}` with `{replacement}`", deprecated.name),
        // A different image with different contents.
        applicability: Applicability::Unsafe,
        edits: vec![edit],
    })
}

/// Whether MLRun publishes the replacement image for `version`: `mlrun/mlrun-gpu`
/// exists from 1.5.0, `mlrun/mlrun` for every release.
fn replacement_published(replacement: &str, version: &str) -> Option<bool> {
    match replacement {
        "mlrun/mlrun-gpu" => at_least(version, 1, 5),
        _ => Some(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Edit;
    use crate::rules::testing::{check as run, client, image, no_client, span_of, AT};
    use crate::span::Span;

    #[test]
    fn removed_image_is_renamed_with_the_pin() {
        let finding = run(&RULE, &image("mlrun/ml-models"), &client("1.6.4")).unwrap();
        assert_eq!(
            finding,
            Finding {
                span: span_of("mlrun/ml-models"),
                message: "MLRun image `mlrun/ml-models` is obsolete, removed in MLRun 1.5.0"
                    .into(),
                help: Some(
                    "use `mlrun/mlrun`; `mlrun/ml-models` bundled ML frameworks it does not, so add \
                     the ones the function imports to its build requirements"
                        .into()
                ),
                fix: Some(Fix {
                    message: "Replace `mlrun/ml-models` with `mlrun/mlrun:1.6.4`".into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        span: Span::new(AT + 6, AT + 15),
                        content: "mlrun:1.6.4".into()
                    }],
                }),
            }
        );
    }

    #[test]
    fn deprecated_base_keeps_registry_and_tag() {
        let finding = run(&RULE, &image("quay.io/mlrun/ml-base:1.6.4"), &no_client()).unwrap();
        assert_eq!(
            finding.message,
            "MLRun image `quay.io/mlrun/ml-base:1.6.4` is obsolete, deprecated in MLRun 1.10.0"
        );
        assert_eq!(
            finding.help.as_deref(),
            Some(
                "MLRun 1.10 and later (1.12 included) run `mlrun/mlrun` in its place when the \
                 tag (or, untagged, the client's version) is 1.10.0 or later: use that image; \
                 for those tags it is what already runs"
            )
        );
        assert_eq!(
            finding.fix.unwrap().edits,
            vec![Edit {
                span: Span::new(AT + 14, AT + 21),
                content: "mlrun".into()
            }]
        );
    }

    #[test]
    fn no_fix_when_the_result_is_unclear() {
        for text in [
            "mlrun/ml-models-gpu:1.4.1",        // mlrun-gpu starts at 1.5.0
            "mlrun/ml-models:1.4.1@sha256:abc", // the digest names the old image
            "guy/x/mlrun/ml-models:tf243",      // a custom tag
        ] {
            let finding = run(&RULE, &image(text), &no_client()).unwrap();
            assert_eq!(finding.fix, None, "{text}");
        }
        let gpu = run(&RULE, &image("mlrun/ml-models-gpu"), &client("1.6.4")).unwrap();
        assert_eq!(gpu.fix.unwrap().edits[0].content, "mlrun-gpu:1.6.4");
        // Before 1.5.0 there is no `mlrun/mlrun-gpu` to pin to.
        let old = run(&RULE, &image("mlrun/ml-models-gpu"), &client("1.4.1")).unwrap();
        assert_eq!(old.fix, None);
    }

    /// Renamed alone, an untagged or moving image would be written unpinned: the
    /// very thing MLR101 and MLR103 report. Without a client version, no fix.
    #[test]
    fn no_rename_without_the_pin() {
        for text in ["mlrun/ml-models", "mlrun/ml-models:latest", "mlrun/ml-base"] {
            let finding = run(&RULE, &image(text), &no_client()).unwrap();
            assert_eq!(finding.fix, None, "{text}");
        }
        let moving = run(&RULE, &image("mlrun/ml-models:latest"), &client("1.6.4")).unwrap();
        assert_eq!(
            moving.fix.unwrap().edits,
            vec![Edit {
                span: Span::new(AT + 6, AT + 22),
                content: "mlrun:1.6.4".into()
            }]
        );
    }

    #[test]
    fn passes() {
        for text in [
            "mlrun/mlrun",
            "mlrun/mlrun-gpu:1.6.4",
            "myorg/ml-models",
            "ml-base",
        ] {
            assert_eq!(run(&RULE, &image(text), &no_client()), None, "{text}");
        }
    }
}
