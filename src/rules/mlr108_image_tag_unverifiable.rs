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
    let message = format!("image `{}` comes from {}", elide(text), elide_code(reason));
    // The headline shortens long code; the help then says it whole.
    let whole = if message == format!("image `{text}` comes from {reason}") {
        String::new()
    } else {
        format!(" (`{text}`: {reason})")
    };
    Some(Finding {
        span: origin.span,
        message,
        help: Some(why_then(
            &format!("whether it is pinned cannot be verified here{whole}"),
            "make sure the value is a pinned image (`repo/name:1.2.3`, or `mlrun/mlrun:X.Y.Z` \
             for MLRun); a literal default mlrun-lint can read (a Dockerfile `ARG` default, a \
             module-level constant) is judged like any written image",
        )),
        fix: None,
    })
}

/// Code quoted in a headline longer than this is shortened with `…`.
const MAX_QUOTED_CHARS: usize = 40;

/// `code`, cut to [`MAX_QUOTED_CHARS`] characters with `…` (and made one line).
fn elide(code: &str) -> String {
    let flat: String = code.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX_QUOTED_CHARS {
        return flat;
    }
    let mut short: String = flat.chars().take(MAX_QUOTED_CHARS - 1).collect();
    short.push('…');
    short
}

/// `text` with each backquoted span [`elide`]d.
fn elide_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        // Odd parts are inside backquotes.
        out.push_str(&if i % 2 == 1 {
            elide(part)
        } else {
            part.to_string()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_code_is_shortened_in_the_headline_and_whole_in_the_help() {
        let long = "f\"{registry}/{image_name_prefix}-some-addition:{function.metadata.tag}\"";
        let fact = Fact::Image(ImageFact {
            origin: crate::facts::Origin::new(Span::new(0, 4), None, "image"),
            role: ImageRole::Run,
            value: ImageValue::Unverifiable {
                text: long.into(),
                reason: "an f-string whose `function.metadata.tag` is an attribute".into(),
            },
            pulled_as_written: false,
        });
        let finding = run(&RULE, &fact, &no_client()).unwrap();
        assert_eq!(
            finding.message,
            "image `f\"{registry}/{image_name_prefix}-some-a…` comes from an f-string whose \
             `function.metadata.tag` is an attribute"
        );
        assert!(finding.help.unwrap().starts_with(&format!(
            "whether it is pinned cannot be verified here (`{long}`: an f-string whose"
        )));
    }
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
