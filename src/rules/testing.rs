//! Fact builders for the rules' unit tests: every test states its input the same way.

use super::{ClientVersion, Rule, Scope};
use crate::diagnostic::Finding;
use crate::facts::{Fact, ImageFact, ImageRole, Origin};
use crate::span::Span;

/// Where test images start in their imaginary file.
pub const AT: usize = 10;

/// An image fact for `text` written at [`AT`], editable (a plain YAML scalar).
pub fn image(text: &str) -> Fact {
    let span = Span::new(AT, AT + text.len());
    let origin = Origin::new(span, Some(span), "spec.image");
    Fact::Image(ImageFact::from_text(text, ImageRole::Run, origin).expect("a non-empty image"))
}

/// The same image, written where no fix can edit it (an escaped string).
pub fn image_without_edit_span(text: &str) -> Fact {
    let span = Span::new(AT, AT + text.len());
    let origin = Origin::new(span, None, "spec.image");
    Fact::Image(ImageFact::from_text(text, ImageRole::Run, origin).expect("a non-empty image"))
}

/// The span of an image fact made by [`image`].
pub fn span_of(text: &str) -> Span {
    Span::new(AT, AT + text.len())
}

/// A scope whose client version comes from `--mlrun-version`.
pub fn client(version: &str) -> Scope {
    Scope {
        client: Some(ClientVersion {
            version: version.into(),
            source: "--mlrun-version".into(),
        }),
        ..Scope::default()
    }
}

pub fn no_client() -> Scope {
    Scope::default()
}

pub fn check(rule: &Rule, fact: &Fact, scope: &Scope) -> Option<Finding> {
    rule.check_fact(fact, scope)
}
