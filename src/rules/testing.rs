//! Fact builders for the rules' unit tests: every test states its input the same way.

use super::{ClientVersion, Rule, Scope};
use crate::diagnostic::Finding;
use crate::facts::requirement::{parse_requirement, SpanMap};
use crate::facts::{Fact, ImageFact, ImageRole, IndexFact, IndexOption, Origin, PackageFact};
use crate::span::Span;
use std::collections::BTreeMap;
use std::sync::Arc;

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
            origin: crate::rules::VersionOrigin::Declared,
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

/// A requirement fact for `text` written at [`AT`] of a requirements-file line,
/// built by the same parser the readers use, so spans are realistic.
pub fn requirement(text: &str) -> PackageFact {
    parse_requirement(text)
        .expect("a valid requirement")
        .into_fact(&SpanMap::slice(AT), "requirements.txt")
}

/// The file span of the first `part` inside a requirement made by [`requirement`].
pub fn span_in(text: &str, part: &str) -> Span {
    let start = AT + text.find(part).expect("part of the text");
    Span::new(start, start + part.len())
}

/// An index option fact whose value `value` is written at [`AT`].
pub fn index(option: IndexOption, value: &str) -> Fact {
    let span = Span::new(AT, AT + value.len());
    Fact::PackageIndex(IndexFact {
        origin: Origin::new(span, Some(span), "requirements.txt"),
        option,
        value: value.into(),
    })
}

/// A scope whose constraints files pin these (PEP 503 name, version) pairs.
pub fn constrained(pins: &[(&str, &str)]) -> Scope {
    Scope {
        constraints: Arc::new(
            pins.iter()
                .map(|(name, version)| (name.to_string(), version.to_string()))
                .collect::<BTreeMap<_, _>>(),
        ),
        ..Scope::default()
    }
}
