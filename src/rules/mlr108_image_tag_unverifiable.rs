//! MLR108 image-tag-unverifiable (info): an image built from a variable, an
//! f-string, a `{placeholder}` or an `ARG` with no default.
//!
//! Such a reference is neither pinned nor unpinned as far as the files show, so it
//! is reported as information, never as MLR101/MLR102: flagging every templated
//! image as untagged is the most common complaint about image linters.

use super::{why_then, Check, Rule, Scope};
use crate::diagnostic::{Finding, Severity};
use crate::facts::{Fact, ImageFact, ImageValue};

pub const RULE: Rule = Rule {
    code: "MLR108",
    name: "image-tag-unverifiable",
    severity: Severity::Info,
    enabled_by_default: true,
    summary: "an image whose name or tag comes from a variable, f-string, `{placeholder}` or a Dockerfile `ARG` with no default",
    page: include_str!("../../rules/MLR108-image-tag-unverifiable.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, _scope: &Scope) -> Option<Finding> {
    let Fact::Image(ImageFact {
        origin,
        value: ImageValue::Unverifiable { text, reason },
        ..
    }) = fact
    else {
        return None;
    };
    Some(Finding {
        span: origin.span,
        message: format!("image `{text}` comes from {reason}"),
        help: Some(why_then(
            "whether it is pinned cannot be verified here",
            "make sure the value is a pinned image (`repo/name:1.2.3`, or `mlrun/mlrun:X.Y.Z` \
             for MLRun); a literal default mlrun-lint can read (a Dockerfile `ARG` default, a \
             module-level constant) is judged like any written image",
        )),
        fix: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{ImageRole, Origin};
    use crate::rules::testing::{check as run, image, no_client, span_of};
    use crate::span::Span;

    #[test]
    fn placeholder() {
        let finding = run(&RULE, &image("mlrun/mlrun:{version}"), &no_client()).unwrap();
        assert_eq!(
            finding,
            Finding {
                span: span_of("mlrun/mlrun:{version}"),
                message: "image `mlrun/mlrun:{version}` comes from a `{placeholder}`".into(),
                help: Some(
                    "whether it is pinned cannot be verified here; make sure the value is a \
                     pinned image (`repo/name:1.2.3`, or `mlrun/mlrun:X.Y.Z` for MLRun); a \
                     literal default mlrun-lint can read (a Dockerfile `ARG` default, a \
                     module-level constant) is judged like any written image"
                        .into()
                ),
                fix: None,
            }
        );
    }

    #[test]
    fn python_variable() {
        let fact = Fact::Image(ImageFact {
            origin: Origin::new(Span::new(40, 45), None, "image="),
            role: ImageRole::Run,
            value: ImageValue::Unverifiable {
                text: "image".into(),
                reason: "a Python variable".into(),
            },
            pulled_as_written: false,
        });
        let finding = run(&RULE, &fact, &no_client()).unwrap();
        assert_eq!(finding.span, Span::new(40, 45));
        assert_eq!(
            finding.message,
            "image `image` comes from a Python variable"
        );
    }

    #[test]
    fn literals_pass() {
        for text in ["mlrun/mlrun", "python", "weird$"] {
            assert_eq!(run(&RULE, &image(text), &no_client()), None, "{text}");
        }
    }
}
