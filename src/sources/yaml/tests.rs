//! Reader tests: exact facts (field, role, source text at `span` and
//! `edit_span`, function) for every field read, and no facts for YAML that is
//! not MLRun's.

use super::*;
use crate::facts::{ImageFact, ImageValue};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn at(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

/// One line per fact, with the source text at its spans.
fn rows(path: &str, text: &str) -> Vec<String> {
    read(Path::new(path), text)
        .iter()
        .map(|fact| {
            let o = fact.origin();
            let span = at(text, o.span);
            let edit = o
                .edit_span
                .map_or("-".to_string(), |e| format!("<{}>", at(text, e)));
            let function = o.function.as_deref().unwrap_or("-");
            match fact {
                Fact::Image(f) => {
                    let unverifiable = match &f.value {
                        ImageValue::Unverifiable { .. } => " unverifiable",
                        ImageValue::Literal(_) => "",
                    };
                    format!(
                        "image {:?} {} [{span}] edit={edit} fn={function}{unverifiable}",
                        f.role, o.field
                    )
                }
                Fact::Function(f) => format!(
                    "function {} [{span}] edit={edit} fn={function} kind={} names_image={}",
                    o.field,
                    f.kind.as_deref().unwrap_or("-"),
                    f.names_image
                ),
                Fact::HubRef(f) => format!(
                    "hub {} [{span}] fn={function} name={} tag={}",
                    o.field,
                    f.reference.name,
                    f.reference.tag.as_deref().unwrap_or("-")
                ),
                Fact::ClientVersion(f) => {
                    format!("version {} [{span}] edit={edit} {}", o.field, f.version)
                }
                Fact::Problem(p) => {
                    format!(
                        "problem {:?} @{} [{span}] {}",
                        p.kind, o.span.start, p.message
                    )
                }
                Fact::Package(_) => {
                    format!("package {} [{span}] edit={edit} fn={function}", o.field)
                }
                Fact::Build(f) => format!(
                    "build {} [{span}] fn={function} with_mlrun={} base={}",
                    o.field,
                    f.with_mlrun,
                    f.base_image.as_deref().unwrap_or("-")
                ),
                Fact::Include(f) => format!(
                    "include {:?} {} [{span}] fn={function} {}",
                    f.kind, o.field, f.path
                ),
                Fact::PackageIndex(f) => {
                    format!("index {:?} {} [{span}] {}", f.option, o.field, f.value)
                }
                Fact::LockedVersion(f) => {
                    format!("locked {} [{span}] {} {}", o.field, f.name, f.version)
                }
            }
        })
        .collect()
}

fn assert_rows(path: &str, text: &str, expected: &[&str]) {
    let actual = rows(path, text);
    assert_eq!(actual, expected, "\nactual:\n{}", actual.join("\n"));
}

#[test]
fn job_function_images() {
    let text = r#"kind: job
metadata:
  name: trainer
spec:
  image: mlrun/mlrun
  nuclio_runtime: python:3.9
  runtime: python:3.9
  kfp_image: "mlrun/mlrun:1.6.4"
  build:
    base_image: 'python:3.9-bullseye'
    image: .mlrun/func-p-trainer:latest
    requirements: [pandas]
"#;
    assert_rows(
        "function.yaml",
        text,
        &[
            "image Run spec.image [mlrun/mlrun] edit=<mlrun/mlrun> fn=trainer",
            "image BuildBase spec.build.base_image ['python:3.9-bullseye'] edit=<python:3.9-bullseye> fn=trainer",
            "image BuildTarget spec.build.image [.mlrun/func-p-trainer:latest] edit=<.mlrun/func-p-trainer:latest> fn=trainer",
            "image Auxiliary spec.kfp_image [\"mlrun/mlrun:1.6.4\"] edit=<mlrun/mlrun:1.6.4> fn=trainer",
            "function spec.image [mlrun/mlrun] edit=<mlrun/mlrun> fn=trainer kind=job names_image=true",
        ],
    );
}

#[test]
fn nuclio_function_images_and_runtime_names() {
    let text = r#"kind: remote
metadata:
  name: stream
spec:
  image: ''
  nuclio_runtime: python:3.9
  base_spec:
    spec:
      runtime: python:3.9
      build:
        baseImage: mlrun/mlrun
  config:
    spec.build.baseImage: mlrun/mlrun:1.7.0
    spec.sidecars:
    - name: proxy
      image: envoyproxy/envoy:v1.30
    - name: nameless
"#;
    assert_rows(
        "fn.yaml",
        text,
        &[
            "image BuildBase spec.base_spec.spec.build.baseImage [mlrun/mlrun] edit=<mlrun/mlrun> fn=stream",
            "image BuildBase spec.config[\"spec.build.baseImage\"] [mlrun/mlrun:1.7.0] edit=<mlrun/mlrun:1.7.0> fn=stream",
            "image Auxiliary spec.config[\"spec.sidecars\"][0].image [envoyproxy/envoy:v1.30] edit=<envoyproxy/envoy:v1.30> fn=stream",
            "function spec.image [''] edit=<> fn=stream kind=remote names_image=true",
        ],
    );
}

#[test]
fn serving_child_functions() {
    let text = r#"kind: serving
metadata: {name: router}
spec:
  image: mlrun/mlrun
  function_refs:
  - name: enrich
    url: enrich.py
    image: mlrun/mlrun:1.6.0
  - name: infer
    spec:
      kind: job
      spec:
        image: mlrun/mlrun-gpu
---
kind: serving
metadata: {name: router2}
spec:
  function_refs:
    child: {image: python:3.11}
"#;
    assert_rows(
        "function.yaml",
        text,
        &[
            "image Run spec.image [mlrun/mlrun] edit=<mlrun/mlrun> fn=router",
            "image Run spec.function_refs[0].image [mlrun/mlrun:1.6.0] edit=<mlrun/mlrun:1.6.0> fn=enrich",
            "image Run spec.function_refs[1].spec.spec.image [mlrun/mlrun-gpu] edit=<mlrun/mlrun-gpu> fn=infer",
            "function spec.image [mlrun/mlrun] edit=<mlrun/mlrun> fn=router kind=serving names_image=true",
            "image Run spec.function_refs[\"child\"].image [python:3.11] edit=<python:3.11> fn=child",
            "function metadata.name [router2] edit=- fn=router2 kind=serving names_image=false",
        ],
    );
}

#[test]
fn function_without_image_is_located_at_its_image_name_or_kind() {
    assert_rows(
        "function.yaml",
        "kind: job\nmetadata:\n  name: a\nspec:\n  image: ''\n  build:\n    base_image: ''\n",
        &["function spec.image [''] edit=<> fn=a kind=job names_image=false"],
    );
    assert_rows(
        "function.yaml",
        "kind: dask\nmetadata:\n  name: b\nspec:\n  replicas: 2\n",
        &["function metadata.name [b] edit=- fn=b kind=dask names_image=false"],
    );
    assert_rows(
        "function.yaml",
        "kind: mpijob\nspec: {}\n",
        &["function kind [mpijob] edit=- fn=- kind=mpijob names_image=false"],
    );
}

#[test]
fn templated_images_are_unverifiable_but_name_an_image() {
    let text = "kind: job\nmetadata: {name: t}\nspec:\n  image: ${REGISTRY}/app:{tag}\n";
    assert_rows(
        "function.yaml",
        text,
        &[
            "image Run spec.image [${REGISTRY}/app:{tag}] edit=<${REGISTRY}/app:{tag}> fn=t unverifiable",
            "function spec.image [${REGISTRY}/app:{tag}] edit=<${REGISTRY}/app:{tag}> fn=t kind=job names_image=true",
        ],
    );
}

#[test]
fn project_images_functions_and_hub_refs() {
    let text = r#"kind: project
metadata:
  name: demo
spec:
  params:
    default_image: not/an-image-field
  default_image: yonishelach/mlrun-llm
  build:
    base_image: mlrun/mlrun:1.6.4
    image: .mlrun-project-image-demo
  functions:
  - url: src/train.py
    name: train
    kind: job
    image: &img mlrun/mlrun:1.3.3
    requirements: &id001
    - mlrun==1.3.3
  - url: src/serve.py
    name: serve
    kind: nuclio
    image: *img
    requirements: *id001
  - url: src/prep.ipynb
    name: prep
  - url: hub://describe
    name: describe
  - url: hub://v2_model_server:1.2.0
    name: serving
    image: mlrun/mlrun
  - url: db://demo/other
    name: other
  - url: functions/loaded.yaml
    name: loaded
  - url: src/local.py
    name: local
    kind: local
  - name: inline
    spec:
      kind: job
      metadata: {name: inline-meta}
      spec:
        image: ''
        build: {base_image: python:3.9}
  workflows:
  - path: src/workflow.py
    name: main
    image: mlrun/mlrun-kfp
  - path: src/other.py
    name: plain
"#;
    assert_rows(
        "project.yaml",
        text,
        &[
            "image ProjectDefault spec.default_image [yonishelach/mlrun-llm] edit=<yonishelach/mlrun-llm> fn=-",
            "image BuildBase spec.build.base_image [mlrun/mlrun:1.6.4] edit=<mlrun/mlrun:1.6.4> fn=-",
            "image BuildTarget spec.build.image [.mlrun-project-image-demo] edit=<.mlrun-project-image-demo> fn=-",
            "image Auxiliary spec.workflows[0].image [mlrun/mlrun-kfp] edit=<mlrun/mlrun-kfp> fn=-",
            "image Run spec.functions[0].image [mlrun/mlrun:1.3.3] edit=<mlrun/mlrun:1.3.3> fn=train",
            "function spec.functions[0].image [mlrun/mlrun:1.3.3] edit=<mlrun/mlrun:1.3.3> fn=train kind=job names_image=true",
            "image Run spec.functions[1].image [*img] edit=<mlrun/mlrun:1.3.3> fn=serve",
            "function spec.functions[1].image [*img] edit=<mlrun/mlrun:1.3.3> fn=serve kind=nuclio names_image=true",
            "function spec.functions[2].name [prep] edit=- fn=prep kind=- names_image=false",
            "hub spec.functions[3].url [hub://describe] fn=describe name=describe tag=-",
            "image Run spec.functions[4].image [mlrun/mlrun] edit=<mlrun/mlrun> fn=serving",
            "hub spec.functions[4].url [hub://v2_model_server:1.2.0] fn=serving name=v2_model_server tag=1.2.0",
            "image BuildBase spec.functions[8].spec.spec.build.base_image [python:3.9] edit=<python:3.9> fn=inline",
            "function spec.functions[8].name [inline] edit=- fn=inline kind=job names_image=true",
        ],
    );
}

#[test]
fn hub_item_images_version_and_function() {
    let text = r#"apiVersion: v1
name: describe
version: 1.2.0
mlrunVersion: 1.10
spec:
  filename: describe.py
  kind: job
  image: mlrun/mlrun
  requirements: [plotly]
  extra_spec:
    build:
      base_image: mlrun/ml-base
      image: .describe
"#;
    assert_rows(
        "item.yaml",
        text,
        &[
            "version mlrunVersion [1.10] edit=<1.10> 1.10",
            "image Run spec.image [mlrun/mlrun] edit=<mlrun/mlrun> fn=describe",
            "image BuildBase spec.extra_spec.build.base_image [mlrun/ml-base] edit=<mlrun/ml-base> fn=describe",
            "image BuildTarget spec.extra_spec.build.image [.describe] edit=<.describe> fn=describe",
            "function spec.image [mlrun/mlrun] edit=<mlrun/mlrun> fn=describe kind=job names_image=true",
        ],
    );
    // Recognised by shape under another name; a quoted version is its value.
    assert_rows(
        "describe.yml",
        "name: d\nmlrunVersion: '1.7.0'\nspec:\n  image: ''\n",
        &[
            "version mlrunVersion ['1.7.0'] edit=<1.7.0> 1.7.0",
            "function spec.image [''] edit=<> fn=d kind=- names_image=false",
        ],
    );
    // Recognised by name even without a version.
    assert_rows(
        "item.yml",
        "name: e\nspec: {image: python:3.6-jessie}\n",
        &[
            "image Run spec.image [python:3.6-jessie] edit=<python:3.6-jessie> fn=e",
            "function spec.image [python:3.6-jessie] edit=<python:3.6-jessie> fn=e kind=- names_image=true",
        ],
    );
}

#[test]
fn multi_document_files_read_every_document() {
    let text = "kind: job\nmetadata: {name: a}\nspec: {image: x/a:1}\n---\nkind: Deployment\nspec: {image: x/b}\n---\nkind: project\nspec: {default_image: x/c:2}\n";
    assert_rows(
        "all.yaml",
        text,
        &[
            "image Run spec.image [x/a:1] edit=<x/a:1> fn=a",
            "function spec.image [x/a:1] edit=<x/a:1> fn=a kind=job names_image=true",
            "image ProjectDefault spec.default_image [x/c:2] edit=<x/c:2> fn=-",
        ],
    );
}

#[test]
fn crlf_bom_and_non_ascii_keep_spans_exact() {
    let text = "\u{feff}kind: job\r\nmetadata:\r\n  name: José-Ñúñez ✓\r\nspec:\r\n  description: \"naïve — ✓\"\r\n  image: \"mlrun/mlrun:1.6.4\"\r\n  build:\r\n    base_image: python:3.9 # ✓\r\n";
    assert_rows(
        "function.yaml",
        text,
        &[
            "image Run spec.image [\"mlrun/mlrun:1.6.4\"] edit=<mlrun/mlrun:1.6.4> fn=José-Ñúñez ✓",
            "image BuildBase spec.build.base_image [python:3.9] edit=<python:3.9> fn=José-Ñúñez ✓",
            "function spec.image [\"mlrun/mlrun:1.6.4\"] edit=<mlrun/mlrun:1.6.4> fn=José-Ñúñez ✓ kind=job names_image=true",
        ],
    );
}

#[test]
fn block_and_escaped_images_are_reported_without_an_edit_span() {
    let text = "kind: job\nmetadata: {name: b}\nspec:\n  image: >-\n    mlrun/mlrun\n  kfp_image: \"mlrun\\/mlrun\"\n";
    let rows = rows("function.yaml", text);
    assert!(
        rows[0].starts_with("image Run spec.image [mlrun/mlrun\n")
            && rows[0].ends_with("] edit=- fn=b"),
        "{rows:?}"
    );
    assert_eq!(
        rows[1],
        "image Auxiliary spec.kfp_image [\"mlrun\\/mlrun\"] edit=- fn=b"
    );
}

#[test]
fn other_yaml_yields_nothing() {
    let deployment = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
      - name: api
        image: mlrun/mlrun-api:latest
"#;
    let job = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  image: busybox\n";
    let helm = "image:\n  repository: mlrun/mlrun\n  tag: latest\nspec:\n  image: x\n";
    let workflow = r#"name: CI
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    container:
      image: python:3.9
    steps:
    - uses: actions/checkout@v4
"#;
    let compose = "services:\n  jupyter:\n    image: mlrun/jupyter\n";
    let kindless = "metadata:\n  name: f\nspec:\n  image: mlrun/mlrun\n";
    for (name, text) in [
        ("deployment.yaml", deployment),
        ("job.yaml", job),
        ("values.yaml", helm),
        (".github/workflows/ci.yml", workflow),
        ("compose.yaml", compose),
        ("function_without_kind.yaml", kindless),
        ("list.yaml", "- kind: job\n  spec: {image: x}\n"),
    ] {
        assert_eq!(rows(name, text), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn syntax_errors_are_reported_only_for_mlrun_files() {
    let broken = "kind: job\nspec:\n  image: [mlrun/mlrun\n";
    let rows_named = rows("function.yaml", broken);
    assert_eq!(rows_named.len(), 1, "{rows_named:?}");
    assert!(
        rows_named[0].starts_with("problem Parse @"),
        "{rows_named:?}"
    );
    assert!(rows_named[0].contains("invalid YAML: "), "{rows_named:?}");
    // Recognised by its `kind:` line under any name, with the same location.
    assert_eq!(rows("svc.yml", broken), rows_named);

    let located = rows("project.yaml", "kind: project\nspec:\n  a: b\n    c: d\n");
    assert_eq!(located.len(), 1);
    assert!(located[0].starts_with("problem Parse @"), "{located:?}");
    let offset: usize = located[0]["problem Parse @".len()..]
        .split(' ')
        .next()
        .and_then(|o| o.parse().ok())
        .unwrap();
    assert_eq!(
        offset,
        "kind: project\nspec:\n  a: b\n    c".len(),
        "{located:?}"
    );

    let helm_template =
        "metadata:\n  name: {{ .Release.Name }}\n  labels: {{- include \"x\" . | nindent 4 }}\n";
    assert_eq!(
        rows("templates/deploy.yaml", helm_template),
        Vec::<String>::new()
    );
    let jinja = "name: {{ name }}  {# comment #}\nmlrunVersion: ''\nspec:\n  image: {{ image }\n";
    assert_eq!(
        rows("function_item_template.yaml", jinja),
        Vec::<String>::new()
    );
    for template in [helm_template, jinja] {
        assert!(tree::parse(template).is_err(), "{template:?} parsed");
    }
}

#[test]
fn refusals_are_reported_for_any_yaml() {
    // Located where the 129th level opens.
    let deep = format!("{}x", "- ".repeat(100_000));
    assert_rows(
        "values.yaml",
        &deep,
        &["problem Skipped @256 [-] not checked: YAML nesting is deeper than 128 levels"],
    );
    let mut bomb = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (prev, next) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        let refs = vec![format!("*{prev}"); 9].join(", ");
        bomb.push_str(&format!("{next}: &{next} [{refs}]\n"));
    }
    let rows = rows("values.yaml", &bomb);
    assert_eq!(rows.len(), 1);
    assert!(rows[0].starts_with("problem Skipped @"), "{rows:?}");
    assert!(
        rows[0].ends_with("not checked: YAML too large to read safely: it holds more than 100000 values once aliases are expanded"),
        "{rows:?}"
    );
}

#[test]
fn odd_shapes_are_skipped_quietly() {
    let cases = [
        "kind: job\nspec: just a string\n",
        "kind: project\nspec: [1, 2]\n",
        "kind: project\nspec:\n  functions: {a: {image: x}}\n  workflows: oops\n",
        "kind: project\nspec:\n  functions: [1, [x], {spec: 3, url: 7}]\n",
        "kind: serving\nspec:\n  function_refs: 3\n  config: [x]\n  build: []\n  base_spec: {spec: []}\n",
        "- 1\n- 2\n",
        "plain scalar document\n",
        "",
        "---\n...\n",
        "mlrunVersion: [1]\nspec: {image: {a: b}}\n",
    ];
    for text in cases {
        for row in rows("function.yaml", text) {
            assert!(
                !row.starts_with("image") && !row.starts_with("problem"),
                "{text:?}: {row}"
            );
        }
    }
    // A number where an image belongs is taken as its source text; a list is not an image.
    assert_rows(
        "function.yaml",
        "kind: job\nmetadata: {name: n}\nspec:\n  image: 3.10\n  kfp_image: [a]\n",
        &[
            "image Run spec.image [3.10] edit=<3.10> fn=n",
            "function spec.image [3.10] edit=<3.10> fn=n kind=job names_image=true",
        ],
    );
}

/// Runs the reader over every YAML file of the research corpus, when it is
/// present (`MLRUN_LINT_CORPUS`, default `/work/shared/corpus`), and prints counts.
/// `cargo test --lib sources::yaml::tests::corpus -- --ignored --nocapture`
#[test]
#[ignore = "needs the research corpus outside the repository"]
fn corpus() {
    let root = PathBuf::from(
        std::env::var("MLRUN_LINT_CORPUS").unwrap_or_else(|_| "/work/shared/corpus".into()),
    );
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if crate::sources::FileKind::of(&path).is_some() {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let started = std::time::Instant::now();
        let facts = read(path, &text);
        assert!(started.elapsed().as_secs() < 2, "{}", path.display());
        let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let file = if ["function.yaml", "project.yaml", "item.yaml"].contains(&file) {
            file
        } else {
            "other"
        };
        *counts.entry(format!("{file} files")).or_default() += 1;
        for fact in &facts {
            let origin = fact.origin();
            assert!(
                text.get(origin.span.start..origin.span.end).is_some(),
                "{}",
                path.display()
            );
            if let Some(edit) = origin.edit_span {
                assert!(text.get(edit.start..edit.end).is_some());
            }
            let key = match fact {
                Fact::Image(ImageFact { role, value, .. }) => {
                    if let (Some(edit), ImageValue::Literal(r)) = (origin.edit_span, value) {
                        assert_eq!(&text[edit.start..edit.end], r.text, "{}", path.display());
                    }
                    let kind = if origin.field == "spec.image" && file == "function.yaml" {
                        facts
                            .iter()
                            .find_map(|f| match f {
                                Fact::Function(f) => f.kind.clone(),
                                _ => None,
                            })
                            .unwrap_or_default()
                    } else {
                        String::new()
                    };
                    format!("{file} image {role:?} {} {kind}", normalise(&origin.field))
                }
                Fact::Problem(p) => {
                    panic!("{}: {:?} {}", path.display(), p.kind, p.message)
                }
                Fact::Function(f) => format!("{file} function names_image={}", f.names_image),
                Fact::HubRef(_) => format!("{file} hub ref"),
                Fact::ClientVersion(_) => format!("{file} client version"),
                Fact::Package(_) => format!("{file} package {}", normalise(&origin.field)),
                Fact::Include(_) => format!("{file} include {}", normalise(&origin.field)),
                Fact::Build(_) => format!("{file} build {}", normalise(&origin.field)),
                Fact::PackageIndex(_) => {
                    format!("{file} index option {}", normalise(&origin.field))
                }
                Fact::LockedVersion(_) => format!("{file} locked version"),
            };
            *counts.entry(key).or_default() += 1;
        }
        if file == "other" && !facts.is_empty() {
            println!(
                "other YAML with facts: {} ({})",
                path.display(),
                facts.len()
            );
        }
    }
    for (key, count) in &counts {
        println!("{count:5} {key}");
    }
}

fn normalise(field: &str) -> String {
    let mut out = String::new();
    let mut in_index = false;
    for c in field.chars() {
        match c {
            '[' if !in_index => {
                in_index = true;
                out.push_str("[]");
            }
            ']' if in_index => in_index = false,
            _ if in_index => {}
            c => out.push(c),
        }
    }
    out
}
