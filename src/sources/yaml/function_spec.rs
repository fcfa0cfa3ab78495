//! Exported MLRun function objects (`function.yaml`, `fn.export()`), and the same
//! object inlined in a project's `spec.functions[].spec` or a serving function's
//! `spec.function_refs[].spec` (`mlrun-semantics.md` §2.1).

use super::fields::{index, join, push, quoted_key, Collector, Field, FieldKind};
use super::tree::Node;
use crate::facts::ImageRole;

/// Runtime kinds MLRun exports in a function's top-level `kind`. Case-sensitive:
/// Kubernetes' `Job` or `Deployment` are not MLRun functions.
pub const FUNCTION_KINDS: &[&str] = &[
    "job",
    "serving",
    "remote",
    "nuclio",
    "dask",
    "mpijob",
    "spark",
    "remote-spark",
    "databricks",
    "application",
    "handler",
    "local",
];

/// Whether a document is an MLRun function object: a known `kind` and a `spec` map.
/// A blank `kind: ''` is none: MLRun runs it as a local function
/// (MLRun 1.12.1 `run.py:413`), and hub templates leave it blank.
pub fn is_function(doc: &Node) -> bool {
    doc.get_str("kind")
        .is_some_and(|kind| FUNCTION_KINDS.contains(&kind))
        && doc.get_map("spec").is_some()
}

/// Keys of a function's `spec` that only an MLRun function object has together
/// with a `metadata` map (`FunctionSpec._dict_fields`).
const FUNCTION_SPEC_KEYS: &[&str] = &[
    "command",
    "image",
    "build",
    "default_handler",
    "entry_points",
];

/// A function object written without `kind`: MLRun's `import_function` makes it
/// a `job` (MLRun 1.12.1 `run.py:410`, `runtime.setdefault("kind", "job")`).
/// Recognised by shape, so a Kubernetes manifest (which has `kind` and
/// `apiVersion`) or a Helm values file is not taken for one: no `kind` key at
/// all, no `apiVersion`, a `metadata` map and a `spec` map with one of
/// [`FUNCTION_SPEC_KEYS`]. The caller rules out hub items first.
pub fn is_kindless_function(doc: &Node) -> bool {
    doc.get("kind").is_none()
        && doc.get("apiVersion").is_none()
        && doc.get_map("metadata").is_some()
        && doc
            .get_map("spec")
            .is_some_and(|spec| FUNCTION_SPEC_KEYS.iter().any(|key| spec.get(key).is_some()))
}

/// The image, requirement and build fields of one function object at `prefix`
/// (`""` for a whole file). Child functions of a serving graph are not included:
/// see [`function_refs`].
///
/// Not images, on purpose: `spec.nuclio_runtime` and `spec.base_spec.spec.runtime`
/// (`python:3.9` is a runtime name).
pub fn fields<'a>(function: &'a Node, prefix: &str) -> Vec<Field<'a>> {
    let mut out = Vec::new();
    let Some(spec) = function.get_map("spec") else {
        return out;
    };
    let at = |path: &str| join(prefix, path);
    push(
        &mut out,
        at("spec.image"),
        image(ImageRole::Run),
        spec.get("image"),
    );
    if let Some(build) = spec.get_map("build") {
        build_fields(build, &at("spec.build"), &mut out);
    }
    let nuclio_spec = spec.get_map("base_spec").and_then(|b| b.get_map("spec"));
    // `from_image(image)` writes the processor image to the nuclio config's
    // `spec.image` (MLRun 1.12.1 `runtimes/nuclio/function.py:731`): the image
    // the function runs, with no build.
    push(
        &mut out,
        at("spec.base_spec.spec.image"),
        image(ImageRole::Run),
        nuclio_spec.and_then(|s| s.get("image")),
    );
    let nuclio_build = nuclio_spec.and_then(|s| s.get_map("build"));
    if let Some(build) = nuclio_build {
        push(
            &mut out,
            at("spec.base_spec.spec.build.baseImage"),
            image(ImageRole::BuildBase),
            build.get("baseImage"),
        );
        push(
            &mut out,
            at("spec.base_spec.spec.build.commands"),
            FieldKind::Commands,
            build.get("commands"),
        );
    }
    if let Some(config) = spec.get_map("config") {
        let config_path = at("spec.config");
        push(
            &mut out,
            quoted_key(&config_path, "spec.build.baseImage"),
            image(ImageRole::BuildBase),
            config.get("spec.build.baseImage"),
        );
        push(
            &mut out,
            quoted_key(&config_path, "spec.build.commands"),
            FieldKind::Commands,
            config.get("spec.build.commands"),
        );
        let sidecars = config.get("spec.sidecars").and_then(Node::as_seq);
        for (i, sidecar) in sidecars.unwrap_or_default().iter().enumerate() {
            push(
                &mut out,
                join(
                    &index(&quoted_key(&config_path, "spec.sidecars"), i),
                    "image",
                ),
                image(ImageRole::Auxiliary),
                sidecar.get("image"),
            );
        }
    }
    push(
        &mut out,
        at("spec.kfp_image"),
        image(ImageRole::Auxiliary),
        spec.get("kfp_image"),
    );
    push(
        &mut out,
        at("spec.extra_pip"),
        FieldKind::ExtraPip,
        spec.get("extra_pip"),
    );
    if let Some(graph) = spec.get_map("graph") {
        graph_steps(graph, &at("spec.graph"), &mut out);
    }
    out
}

/// The steps of a serving graph (`spec.graph`): a flow's `steps`, a router's
/// `routes`, nested as deep as the file nests them (the YAML tree's depth limit
/// bounds it). A step whose `class_name` is `hub://…` is loaded from the hub when
/// the graph is built and run (MLRun 1.12.1 `serving/states.py:3995` and
/// `:3725`); its `requirements` (a `hub_task` step's) are merged into the
/// function's build requirements on deploy (`runtimes/nuclio/serving.py:1082`).
fn graph_steps<'a>(graph: &'a Node, path: &str, out: &mut Vec<Field<'a>>) {
    for key in ["steps", "routes"] {
        let Some(steps) = graph.get_map(key) else {
            continue;
        };
        let base = join(path, key);
        for (name, step) in steps.as_map().unwrap_or_default() {
            let at = quoted_key(&base, name.as_str().unwrap_or_default());
            push(
                out,
                join(&at, "class_name"),
                FieldKind::HubRef,
                step.get("class_name"),
            );
            push(
                out,
                join(&at, "requirements"),
                FieldKind::Requirements,
                step.get("requirements"),
            );
            graph_steps(step, &at, out);
        }
    }
}

/// The fields of an MLRun `build` map (ImageBuilder) at `path`: a function's
/// `spec.build`, a project's `spec.build`, a hub item's `spec.extra_spec.build`.
pub fn build_fields<'a>(build: &'a Node, path: &str, out: &mut Vec<Field<'a>>) {
    let at = |key: &str| join(path, key);
    push(
        out,
        at("base_image"),
        image(ImageRole::BuildBase),
        build.get("base_image"),
    );
    push(
        out,
        at("image"),
        image(ImageRole::BuildTarget),
        build.get("image"),
    );
    push(
        out,
        at("requirements"),
        FieldKind::Requirements,
        build.get("requirements"),
    );
    push(
        out,
        at("commands"),
        FieldKind::Commands,
        build.get("commands"),
    );
    push(
        out,
        at("extra"),
        FieldKind::DockerfileLines,
        build.get("extra"),
    );
    out.push(Field {
        path: path.to_string(),
        kind: FieldKind::Build,
        node: build,
    });
}

fn image(role: ImageRole) -> FieldKind {
    FieldKind::Image(role)
}

/// A child function of a serving graph (`spec.function_refs`).
pub struct ChildFunction<'a> {
    pub name: Option<&'a str>,
    pub fields: Vec<Field<'a>>,
}

/// The child functions of a serving function at `prefix`: each one's `image` (a
/// run image), its `requirements` and, when its `spec` is a function object, that object's fields.
/// MLRun exports `function_refs` as a list; a map keyed by name is read too.
pub fn function_refs<'a>(function: &'a Node, prefix: &str) -> Vec<ChildFunction<'a>> {
    let Some(refs) = function
        .get_map("spec")
        .and_then(|s| s.get("function_refs"))
    else {
        return Vec::new();
    };
    let base = join(prefix, "spec.function_refs");
    let entries: Vec<(String, Option<&str>, &Node)> = match (refs.as_seq(), refs.as_map()) {
        (Some(items), _) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (index(&base, i), item.get_str("name"), item))
            .collect(),
        (_, Some(entries)) => entries
            .iter()
            .map(|(key, item)| {
                let key = key.as_str();
                let path = quoted_key(&base, key.unwrap_or_default());
                (path, item.get_str("name").or(key), item)
            })
            .collect(),
        _ => Vec::new(),
    };
    entries
        .into_iter()
        .map(|(path, name, item)| {
            let mut fields = Vec::new();
            push(
                &mut fields,
                join(&path, "image"),
                image(ImageRole::Run),
                item.get("image"),
            );
            push(
                &mut fields,
                join(&path, "requirements"),
                FieldKind::Requirements,
                item.get("requirements"),
            );
            // `FunctionReference.to_function` imports a `hub://` url from the hub
            // (MLRun 1.12.1 `runtimes/function_reference.py:88`).
            push(
                &mut fields,
                join(&path, "url"),
                FieldKind::HubRef,
                item.get("url"),
            );
            if let Some(spec) = item.get_map("spec") {
                fields.extend(self::fields(spec, &join(&path, "spec")));
            }
            ChildFunction { name, fields }
        })
        .collect()
}

/// Records the facts of a whole function file's document: its images, its child
/// functions' images, and the function itself.
pub fn read(doc: &Node, out: &mut Collector<'_>) {
    let name = doc.get_map("metadata").and_then(|m| m.get_str("name"));
    let names_image = out.function_fields(&fields(doc, ""), name);
    for child in function_refs(doc, "") {
        out.function_fields(&child.fields, child.name.or(name));
    }
    let spec_image = doc.get_map("spec").and_then(|s| s.get("image"));
    let metadata_name = doc.get_map("metadata").and_then(|m| m.get("name"));
    let kind = doc.get("kind");
    let located = match (spec_image, metadata_name, kind) {
        (Some(image), _, _) => Some((image, "spec.image", true)),
        (None, Some(name), _) => Some((name, "metadata.name", false)),
        (None, None, Some(kind)) => Some((kind, "kind", false)),
        (None, None, None) => None,
    };
    if let Some((node, path, is_image)) = located {
        out.function(node, path, is_image, name, doc.get_str("kind"), names_image);
    }
}
