//! MLRun YAML specs: exported functions, projects and function-hub items.
//!
//! The file is parsed once into a spanned [`tree`]; each document is then
//! recognised by content ([`function_spec`], [`project_spec`], [`hub_item`]) and
//! its fields of interest become facts through [`fields`]: images, hub
//! references, functions, client versions, and the packages a build installs
//! (requirement lists, `pip install`s in build commands and Dockerfile `RUN`s,
//! dask `extra_pip`, requirements files, `with_mlrun` builds). YAML that is not an
//! MLRun spec (Kubernetes manifests, Helm values, CI workflows) yields nothing,
//! even when it has `image:` keys: those are not MLRun's to judge. CI workflows
//! are read only for the `mlrun` commands their steps run ([`ci_workflow`]).

pub mod ci_workflow;
pub mod fields;
pub mod function_spec;
pub mod hub_item;
pub mod project_spec;
pub mod tree;

use crate::facts::{Fact, Origin, Problem, ProblemKind};
use crate::span::Span;
use std::path::Path;
use tree::{ParseError, ParseErrorKind, MAX_DEPTH};

/// Reads a YAML file into facts. YAML that is not an MLRun spec yields no facts.
///
/// A file too deep or too large to parse safely is reported as skipped whatever
/// it is; a syntax error only when the file is recognisably an MLRun spec, since
/// Helm templates and Jinja sources are not valid YAML by design.
pub fn read(path: &Path, text: &str) -> Vec<Fact> {
    let docs = match tree::parse(text) {
        Ok(docs) => docs,
        Err(err) => return problem(path, text, &err).into_iter().collect(),
    };
    let mut out = fields::Collector::new(text);
    for doc in &docs {
        if project_spec::is_project(doc) {
            project_spec::read(doc, &mut out);
        } else if function_spec::is_function(doc)
            || (function_spec::is_kindless_function(doc) && !hub_item::is_hub_item(path, doc))
        {
            function_spec::read(doc, &mut out);
        } else if hub_item::is_hub_item(path, doc) {
            hub_item::read(doc, &mut out);
        } else if ci_workflow::is_ci_file(path) {
            for (job, field) in ci_workflow::scripts(path, doc) {
                out.field(&field, job);
            }
        }
    }
    out.facts
}

fn problem(path: &Path, text: &str, err: &ParseError) -> Option<Fact> {
    let (kind, message) = match err.kind {
        ParseErrorKind::Syntax if !looks_like_mlrun(path, text) => return None,
        ParseErrorKind::Syntax => (ProblemKind::Parse, format!("invalid YAML: {}", err.message)),
        ParseErrorKind::TooDeep => (
            ProblemKind::Skipped,
            format!("not checked: YAML nesting is deeper than {MAX_DEPTH} levels"),
        ),
        ParseErrorKind::TooLarge => (
            ProblemKind::Skipped,
            format!(
                "not checked: YAML too large to read safely: {}",
                err.message
            ),
        ),
        ParseErrorKind::Failed => (
            ProblemKind::Skipped,
            format!("not checked: {}", err.message),
        ),
    };
    let offset = err.offset.unwrap_or(0).min(text.len());
    let char_len = text[offset..].chars().next().map_or(0, char::len_utf8);
    Some(Fact::Problem(Problem {
        origin: Origin::new(Span::new(offset, offset + char_len), None, ""),
        kind,
        message,
    }))
}

/// Whether a file that failed to parse is recognisably an MLRun spec: by its name
/// (`function.yaml`, `project.yaml`, `item.yaml`), or a top-level line
/// `kind: <MLRun kind>`. A syntax error is only news for those; not
/// `mlrunVersion:`, which the hub's Jinja item templates also carry.
fn looks_like_mlrun(path: &Path, text: &str) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let by_name = ["function", "project", "item"]
        .iter()
        .any(|stem| name == format!("{stem}.yaml") || name == format!("{stem}.yml"));
    by_name
        || text.lines().any(|line| {
            line.strip_prefix("kind:").is_some_and(|kind| {
                let kind = kind.trim().trim_matches(['"', '\'']);
                kind == "project" || function_spec::FUNCTION_KINDS.contains(&kind)
            })
        })
}

#[cfg(test)]
mod tests;
