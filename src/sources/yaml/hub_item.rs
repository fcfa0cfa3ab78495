//! Function-hub items (`item.yaml`; `mlrun-semantics.md` §2.3): the hub turns one
//! into a function with `spec.image` and `spec.extra_spec` merged into its spec.

use super::fields::{push, scalar_text, Collector, Field, FieldKind};
use super::function_spec;
use super::tree::Node;
use crate::facts::{ClientVersionFact, Fact, ImageRole};
use std::path::Path;

/// Whether the file is a hub item: named `item.yaml`/`item.yml`, or a document
/// with `mlrunVersion` and a `spec` map.
pub fn is_hub_item(path: &Path, doc: &Node) -> bool {
    doc.as_map().is_some() && (is_item_file_name(path) || has_item_shape(doc))
}

pub fn is_item_file_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| matches!(n.to_ascii_lowercase().as_str(), "item.yaml" | "item.yml"))
}

fn has_item_shape(doc: &Node) -> bool {
    doc.get("mlrunVersion").is_some() && doc.get_map("spec").is_some()
}

/// The image, requirement and build fields of a hub item (`extra_spec` is
/// merged into the generated function's spec, so its `build` reads like one).
pub fn fields<'a>(doc: &'a Node<'a>) -> Vec<Field<'a>> {
    let mut out = Vec::new();
    let Some(spec) = doc.get_map("spec") else {
        return out;
    };
    push(
        &mut out,
        "spec.image".into(),
        FieldKind::Image(ImageRole::Run),
        spec.get("image"),
    );
    push(
        &mut out,
        "spec.requirements".into(),
        FieldKind::Requirements,
        spec.get("requirements"),
    );
    let build = spec.get_map("extra_spec").and_then(|e| e.get_map("build"));
    if let Some(build) = build {
        function_spec::build_fields(build, "spec.extra_spec.build", &mut out);
    }
    out
}

/// Records the facts of a hub item document.
pub fn read(doc: &Node, out: &mut Collector<'_>) {
    let name = doc.get_str("name");
    if let Some(node) = doc.get("mlrunVersion") {
        // A number (`1.1`) keeps its source text, so `1.10` is not read as `1.1`.
        if let Some(version) = scalar_text(out.text(), node).filter(|v| !v.is_empty()) {
            let version = version.into_owned();
            let origin = out.origin(node, "mlrunVersion", name);
            out.facts
                .push(Fact::ClientVersion(ClientVersionFact { origin, version }));
        }
    }
    let Some(spec) = doc.get_map("spec") else {
        return;
    };
    let names_image = out.function_fields(&fields(doc), name);
    // The hub's blank item template (`kind: ''`) describes no function yet.
    if spec.get_str("kind") == Some("") {
        return;
    }
    let located = spec
        .get("image")
        .map(|n| (n, "spec.image", true))
        .or_else(|| doc.get("name").map(|n| (n, "name", false)))
        .unwrap_or((doc, "", false));
    let (node, path, is_image) = located;
    out.function(
        node,
        path,
        is_image,
        name,
        spec.get_str("kind"),
        names_image,
    );
}
