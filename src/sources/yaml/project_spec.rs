//! MLRun project files (`project.yaml`, `project.export()`; `mlrun-semantics.md` §2.2).

use super::fields::{index, join, push, Collector, Field, FieldKind};
use super::function_spec;
use super::tree::Node;
use crate::facts::{Fact, HubRef, HubRefFact, ImageRole};

/// Whether a document is an MLRun project.
pub fn is_project(doc: &Node) -> bool {
    doc.get_str("kind") == Some("project")
}

/// The project-level fields: the default image, the project build and the
/// default requirements.
/// `spec.params.default_image` is a parameter by convention, not an image field.
pub fn fields<'a>(doc: &'a Node<'a>) -> Vec<Field<'a>> {
    let mut out = Vec::new();
    let Some(spec) = doc.get_map("spec") else {
        return out;
    };
    push(
        &mut out,
        "spec.default_image".into(),
        FieldKind::Image(ImageRole::ProjectDefault),
        spec.get("default_image"),
    );
    if let Some(build) = spec.get_map("build") {
        function_spec::build_fields(build, "spec.build", &mut out);
    }
    push(
        &mut out,
        "spec.default_requirements".into(),
        FieldKind::Requirements,
        spec.get("default_requirements"),
    );
    for (i, workflow) in seq(spec.get("workflows")).iter().enumerate() {
        push(
            &mut out,
            join(&index("spec.workflows", i), "image"),
            FieldKind::Image(ImageRole::Auxiliary),
            workflow.get("image"),
        );
    }
    out
}

fn seq<'a>(node: Option<&'a Node<'a>>) -> &'a [Node<'a>] {
    node.and_then(Node::as_seq).unwrap_or_default()
}

/// Records the facts of a project document.
pub fn read(doc: &Node, out: &mut Collector<'_>) {
    out.function_fields(&fields(doc), None);
    let functions = doc.get_map("spec").and_then(|s| s.get("functions"));
    for (i, entry) in seq(functions).iter().enumerate() {
        function_entry(entry, &index("spec.functions", i), out);
    }
}

/// One `spec.functions[]` entry: its image and requirements, its inline function object, its hub
/// reference, and whether it is a function whose image the entry must supply.
fn function_entry(entry: &Node, path: &str, out: &mut Collector<'_>) {
    if entry.as_map().is_none() {
        return;
    }
    let inline = entry.get_map("spec");
    let name = entry.get_str("name").or_else(|| {
        inline
            .and_then(|f| f.get_map("metadata"))
            .and_then(|m| m.get_str("name"))
    });
    let mut fields = Vec::new();
    push(
        &mut fields,
        join(path, "image"),
        FieldKind::Image(ImageRole::Run),
        entry.get("image"),
    );
    push(
        &mut fields,
        join(path, "requirements"),
        FieldKind::Requirements,
        entry.get("requirements"),
    );
    push(
        &mut fields,
        join(path, "requirements_file"),
        FieldKind::RequirementsFile,
        entry.get("requirements_file"),
    );
    if let Some(inline) = inline {
        fields.extend(function_spec::fields(inline, &join(path, "spec")));
    }
    let names_image = out.function_fields(&fields, name);
    if let Some(inline) = inline {
        for child in function_spec::function_refs(inline, &join(path, "spec")) {
            out.function_fields(&child.fields, child.name.or(name));
        }
    }

    let url_node = entry.get("url");
    let url = url_node.and_then(Node::as_str).map(str::trim);
    if let (Some(node), Some(reference)) = (url_node, url.and_then(HubRef::parse)) {
        let origin = out.origin(node, join(path, "url"), name);
        out.facts
            .push(Fact::HubRef(HubRefFact { origin, reference }));
    }

    // An entry's blank `kind` is a job (`kind or "job"`, MLRun 1.12.1
    // `projects/project.py:6783`), unlike a function object's, which runs locally.
    let entry_kind = entry
        .get_str("kind")
        .map(|k| if k.is_empty() { "job" } else { k });
    let kind = entry_kind.or_else(|| inline.and_then(|f| f.get_str("kind")));
    if needs_own_image(url, inline.is_some(), kind) {
        let image = entry.get("image");
        let located = image
            .map(|n| (n, "image", true))
            .or_else(|| entry.get("name").map(|n| (n, "name", false)))
            .or_else(|| url_node.map(|n| (n, "url", false)));
        let (node, key, is_image) = located.unwrap_or((entry, "", false));
        let field = if key.is_empty() {
            path.to_string()
        } else {
            join(path, key)
        };
        out.function(node, &field, is_image, name, kind, names_image);
    }
}

/// Whether the entry's code runs in an image the entry itself must supply: code
/// files and inline objects do; yaml, hub and db urls bring their function's own
/// image, and `local`/`handler` functions run in the client's process.
fn needs_own_image(url: Option<&str>, has_inline_spec: bool, kind: Option<&str>) -> bool {
    if matches!(kind, Some("local" | "handler")) {
        return false;
    }
    let url = url.unwrap_or_default().to_ascii_lowercase();
    if url.starts_with("hub://")
        || url.starts_with("db://")
        || url.ends_with(".yaml")
        || url.ends_with(".yml")
    {
        return false;
    }
    has_inline_spec || url.ends_with(".py") || url.ends_with(".ipynb")
}
