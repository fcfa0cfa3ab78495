//! Environment files (`.env`, `*.env`): the MLRun configuration variables that
//! decide images.
//!
//! MLRun reads its configuration from `MLRUN_`-prefixed variables, and loads env
//! files into them (`~/.mlrun.env` by default, MLRun 1.12.1 `config.py:50`;
//! `mlrun.set_env_from_file`). Two of them name images:
//!
//! - `MLRUN_DEFAULT_BASE_IMAGE` (`default_base_image`, `config.py:105`): the base
//!   of every build that names none (`projects/project.py:4984`,
//!   `runtimes/daskjob.py:207`). Read as a build base image.
//! - `MLRUN_IMAGES_TAG` (`images_tag`, `config.py:80`): the tag MLRun writes into
//!   *every* untagged MLRun image instead of the client's version
//!   (`utils/helpers.py:1044`). Read as the image it makes of `mlrun/mlrun`
//!   (`mlrun/mlrun:<tag>`), located at the tag, with nothing to edit: the image
//!   rules then say what that tag does (a moving `latest`, another release than
//!   the client's).
//!
//! Lines are read as python-dotenv (which MLRun uses) reads them: `KEY=VALUE`,
//! an optional `export `, blanks around `=`, `#` comments, single quotes literal,
//! double quotes with escapes (such a value has no bytes to edit).

use crate::facts::{Fact, ImageFact, ImageRole, Origin};
use crate::span::Span;

const DEFAULT_BASE_IMAGE: &str = "MLRUN_DEFAULT_BASE_IMAGE";
const IMAGES_TAG: &str = "MLRUN_IMAGES_TAG";

/// Reads the image variables of an env file into facts.
pub fn read(text: &str) -> Vec<Fact> {
    let mut facts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some((key, value)) = assignment(line) else {
            continue;
        };
        let Some((value, span, edit)) = value_at(line, value) else {
            continue;
        };
        let span = span.shifted(start);
        let edit = edit.map(|e| e.shifted(start));
        let fact = match key {
            DEFAULT_BASE_IMAGE => ImageFact::from_text(
                &value,
                ImageRole::BuildBase,
                Origin::new(span, edit, DEFAULT_BASE_IMAGE),
            ),
            IMAGES_TAG => ImageFact::from_text(
                &format!("mlrun/mlrun:{value}"),
                ImageRole::Auxiliary,
                Origin::new(span, None, IMAGES_TAG),
            ),
            _ => None,
        };
        facts.extend(fact.map(Fact::Image));
    }
    facts
}

/// The key of a `KEY=VALUE` line and the byte offset of what follows `=`.
fn assignment(line: &str) -> Option<(&str, usize)> {
    let body = line.trim_start();
    let lead = line.len() - body.len();
    let (body, lead) = match body.strip_prefix("export") {
        Some(rest) if rest.starts_with([' ', '\t']) => {
            let trimmed = rest.trim_start();
            (trimmed, lead + (body.len() - trimmed.len()))
        }
        _ => (body, lead),
    };
    let eq = body.find('=')?;
    let key = body[..eq].trim_end();
    let valid = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
    valid.then_some((key, lead + eq + 1))
}

/// The value after `=` at `at` in `line`: its text, the bytes it stands on
/// (quotes included), and the bytes of its text when they are written as is.
/// An empty value is `None`: MLRun then keeps its default.
fn value_at(line: &str, at: usize) -> Option<(String, Span, Option<Span>)> {
    let rest = &line[at..];
    let lead = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let start = at + lead;
    let raw = line[start..].trim_end_matches(['\n', '\r']);
    let (value, span, edit) = match raw.chars().next()? {
        quote @ ('\'' | '"') => {
            let close = raw[1..].find(quote)? + 1;
            let inner = &raw[1..close];
            let escaped = quote == '"' && inner.contains('\\');
            let value = if escaped {
                unescape(inner)
            } else {
                inner.to_string()
            };
            let span = Span::new(start, start + close + 1);
            let edit = (!escaped).then(|| Span::new(start + 1, start + close));
            (value, span, edit)
        }
        _ => {
            let end = raw.find(" #").unwrap_or(raw.len());
            let value = raw[..end].trim_end();
            let span = Span::new(start, start + value.len());
            (value.to_string(), span, Some(span))
        }
    };
    (!value.trim().is_empty()).then_some((value, span, edit))
}

/// python-dotenv's escapes in a double-quoted value.
fn unescape(inner: &str) -> String {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ImageValue;

    fn rows(text: &str) -> Vec<String> {
        read(text)
            .iter()
            .map(|fact| {
                let Fact::Image(f) = fact else {
                    return format!("{fact:?}");
                };
                let o = &f.origin;
                let shown = match &f.value {
                    ImageValue::Literal(image) => image.text.clone(),
                    other => format!("{other:?}"),
                };
                format!(
                    "{:?} {} {shown} [{}] edit={}",
                    f.role,
                    o.field,
                    &text[o.span.start..o.span.end],
                    o.edit_span
                        .map_or("-".into(), |e| format!("<{}>", &text[e.start..e.end]))
                )
            })
            .collect()
    }

    #[test]
    fn image_variables() {
        let text = "# MLRun settings\nMLRUN_DBPATH=http://mlrun-api:8080\nexport MLRUN_DEFAULT_BASE_IMAGE = \"python:3.11\"  # builds\r\nMLRUN_IMAGES_TAG=latest\n";
        assert_eq!(
            rows(text),
            [
                "BuildBase MLRUN_DEFAULT_BASE_IMAGE python:3.11 [\"python:3.11\"] edit=<python:3.11>",
                "Auxiliary MLRUN_IMAGES_TAG mlrun/mlrun:latest [latest] edit=-",
            ]
        );
    }

    #[test]
    fn empty_commented_escaped_and_odd_lines() {
        let text = "MLRUN_IMAGES_TAG=\nMLRUN_DEFAULT_BASE_IMAGE='mlrun/mlrun' # old\n#MLRUN_IMAGES_TAG=1.0.0\nMLRUN_DEFAULT_BASE_IMAGE=\"quay.io/\\x\"\nMLRUN_IMAGES_TAG='unterminated\n=x\nnot a line\n";
        assert_eq!(
            rows(text),
            [
                "BuildBase MLRUN_DEFAULT_BASE_IMAGE mlrun/mlrun ['mlrun/mlrun'] edit=<mlrun/mlrun>",
                "BuildBase MLRUN_DEFAULT_BASE_IMAGE quay.io/x [\"quay.io/\\x\"] edit=-",
            ]
        );
    }
}
