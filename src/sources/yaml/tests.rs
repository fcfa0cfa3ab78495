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

/// Builds that leave `with_mlrun` unset or write `false`: [`rows`] leaves them
/// out (the tests of the fields around them predate them), [`builds`] shows them.
fn is_quiet_build(fact: &Fact) -> bool {
    matches!(fact, Fact::Build(b) if b.with_mlrun != Some(true) && !b.sets_project_default)
}

/// Each build as `field [text at span] with_mlrun=… base=… installs_mlrun=…`.
fn builds(path: &str, text: &str) -> Vec<String> {
    read(Path::new(path), text)
        .iter()
        .filter_map(|fact| match fact {
            Fact::Build(b) => Some(format!(
                "{} [{}] with_mlrun={:?} base={} installs_mlrun={}",
                b.origin.field,
                at(text, b.origin.span),
                b.with_mlrun,
                b.base_image.as_deref().unwrap_or("-"),
                b.installs_mlrun
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn builds_on_a_base_image_leave_with_mlrun_to_mlrun_unless_written() {
    let text = "kind: job\nmetadata: {name: t}\nspec:\n  build:\n    base_image: python:3.11\n    \
                commands: ['pip install mlrun[complete]==1.6.4']\n---\nkind: job\nmetadata: {name: u}\n\
                spec:\n  build: {base_image: python:3.11, with_mlrun: false}\n---\nkind: job\n\
                metadata: {name: v}\nspec:\n  build: {requirements: [x==1]}\n";
    assert_eq!(
        builds("function.yaml", text),
        [
            "spec.build.base_image [python:3.11] with_mlrun=None base=python:3.11 installs_mlrun=true",
            "spec.build.with_mlrun [false] with_mlrun=Some(false) base=python:3.11 installs_mlrun=false",
        ]
    );
}

/// One line per fact, with the source text at its spans.
fn rows(path: &str, text: &str) -> Vec<String> {
    read(Path::new(path), text)
        .iter()
        .filter(|fact| !is_quiet_build(fact))
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
                        ImageValue::FollowsClient { .. } => " follows-client",
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
                    f.with_mlrun.map_or("unset".to_string(), |w| w.to_string()),
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
            "package spec.build.requirements[0] [pandas] edit=<pandas> fn=trainer",
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
            "package spec.functions[0].requirements[0] [mlrun==1.3.3] edit=<mlrun==1.3.3> fn=train",
            "function spec.functions[0].image [mlrun/mlrun:1.3.3] edit=<mlrun/mlrun:1.3.3> fn=train kind=job names_image=true",
            "image Run spec.functions[1].image [*img] edit=<mlrun/mlrun:1.3.3> fn=serve",
            "package spec.functions[1].requirements[0] [*id001] edit=<mlrun==1.3.3> fn=serve",
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
            "package spec.requirements[0] [plotly] edit=<plotly> fn=describe",
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
    // The hub's blank template (`kind: ''`): its fields, but no function.
    assert_rows(
        "item.yaml",
        "name: t\nspec:\n  image: mlrun/mlrun\n  kind: ''\n  requirements: []\n",
        &["image Run spec.image [mlrun/mlrun] edit=<mlrun/mlrun> fn=t"],
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
    // Shaped like a function but with no `metadata`, or with `apiVersion`: not one.
    let kindless = "spec:\n  image: mlrun/mlrun\n  command: x.py\n";
    let manifest = "apiVersion: v1\nmetadata:\n  name: f\nspec:\n  image: mlrun/mlrun\n";
    for (name, text) in [
        ("deployment.yaml", deployment),
        ("job.yaml", job),
        ("values.yaml", helm),
        (".github/workflows/ci.yml", workflow),
        ("compose.yaml", compose),
        ("function_without_kind.yaml", kindless),
        ("manifest.yaml", manifest),
        ("list.yaml", "- kind: job\n  spec: {image: x}\n"),
    ] {
        assert_eq!(rows(name, text), Vec::<String>::new(), "{name}");
    }
}

/// MLRun imports a function object with no `kind` as a job (`run.py:410`); a
/// blank `kind: ''` runs locally and is no function object at all.
#[test]
fn kindless_functions_are_jobs_and_blank_kinds_are_not_functions() {
    let text = "metadata:\n  name: f\nspec:\n  command: train.py\n  image: mlrun/mlrun\n";
    assert_rows(
        "function.yaml",
        text,
        &[
            "image Run spec.image [mlrun/mlrun] edit=<mlrun/mlrun> fn=f",
            "function spec.image [mlrun/mlrun] edit=<mlrun/mlrun> fn=f kind=- names_image=true",
        ],
    );
    let blank = "kind: ''\nmetadata:\n  name: f\nspec:\n  image: mlrun/mlrun\n";
    assert_rows("function.yaml", blank, &[]);
}

/// `from_image`'s processor image, serving graph steps from the hub and their
/// requirements, and hub URLs of child functions.
#[test]
fn processor_images_graph_steps_and_child_hub_urls() {
    let text = r#"kind: serving
metadata:
  name: srv
spec:
  image: ''
  base_spec:
    spec:
      image: acme/processor:1.0
  function_refs:
  - url: hub://v2-model-server
    name: child
  graph:
    kind: router
    routes:
      a:
        kind: hub_task
        class_name: hub://clean_text:1.0.0
        requirements: [nltk]
      b:
        class_name: mymodule.Model
        steps:
          c: {class_name: "hub://src/x"}
"#;
    assert_rows(
        "function.yaml",
        text,
        &[
            "image Run spec.base_spec.spec.image [acme/processor:1.0] edit=<acme/processor:1.0> fn=srv",
            "hub spec.graph.routes[\"a\"].class_name [hub://clean_text:1.0.0] fn=srv name=clean_text tag=1.0.0",
            "package spec.graph.routes[\"a\"].requirements[0] [nltk] edit=<nltk> fn=srv",
            "hub spec.graph.routes[\"b\"].steps[\"c\"].class_name [\"hub://src/x\"] fn=srv name=x tag=-",
            "hub spec.function_refs[0].url [hub://v2-model-server] fn=child name=v2-model-server tag=-",
            "function spec.image [''] edit=<> fn=srv kind=serving names_image=true",
        ],
    );
}

/// CI steps that run MLRun's command line; the CI's own images are not read.
#[test]
fn ci_workflow_steps_run_mlrun_commands() {
    let github = r#"name: deploy
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    container:
      image: python:3.11
    steps:
    - uses: actions/checkout@v4
    - run: mlrun build -b mlrun/mlrun function.yaml
    - name: run
      run: |
        pip install mlrun==1.6.4
        mlrun run --image "python:3.11" --kind job train.py
    - shell: python
      run: print("mlrun build -b not-shell")
    - shell: bash -e {0}
      run: mlrun build -b ubuntu
  other:
    defaults:
      run:
        shell: pwsh
    steps:
    - run: mlrun build -b not-posix
"#;
    assert_rows(
        ".github/workflows/deploy.yml",
        github,
        &[
            "image BuildBase jobs.build.steps[1].run [mlrun/mlrun] edit=<mlrun/mlrun> fn=build",
            "image Run jobs.build.steps[2].run [\"python:3.11\"] edit=<python:3.11> fn=build",
            "image BuildBase jobs.build.steps[4].run [ubuntu] edit=<ubuntu> fn=build",
        ],
    );
    assert_rows("ci/deploy.yml", github, &[]);
    let gitlab = r#"before_script:
- mlrun build -b ubuntu
default:
  script: mlrun run --image mlrun/mlrun:1.6.4 x.py
.template:
  script:
  - - mlrun build -c "pip install pandas"
deploy job:
  image: python:3.11
  script:
  - echo mlrun build -b not-run
  - mlrun build -i .mlrun/func-p-f:latest
"#;
    assert_rows(
        ".gitlab-ci.yml",
        gitlab,
        &[
            "image BuildBase before_script[0] [ubuntu] edit=<ubuntu> fn=-",
            "image Run default.script [mlrun/mlrun:1.6.4] edit=<mlrun/mlrun:1.6.4> fn=-",
            "package [\".template\"].script[0][0] [pandas] edit=<pandas> fn=.template",
            "image BuildTarget [\"deploy job\"].script[1] [.mlrun/func-p-f:latest] edit=<.mlrun/func-p-f:latest> fn=deploy job",
        ],
    );
    let action =
        "runs:\n  using: composite\n  steps:\n  - run: mlrun build -b python\n    shell: bash\n";
    assert_rows(
        "action.yml",
        action,
        &["image BuildBase runs.steps[0].run [python] edit=<python> fn=-"],
    );
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
        "kind: job\nspec:\n  build: {requirements: {a: b}, commands: 3, extra: [x], with_mlrun: 'true'}\n  extra_pip: 3\n",
        "kind: job\nspec:\n  build: {requirements: [[a], {b: c}, null, 3.10], commands: [[x], null]}\n",
        "kind: project\nspec:\n  default_requirements: {a: 1}\n  functions: [{requirements_file: [x], requirements: 7}]\n",
        "kind: job\nspec:\n  extra_pip: ''\n  build:\n    extra: \"RUN\"\n    commands: ['', pip, pip install]\n",
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

#[test]
fn function_build_requirements_commands_and_extra() {
    let text = r#"kind: job
metadata:
  name: trainer
spec:
  image: python:3.9
  build:
    base_image: python:3.9-slim
    with_mlrun: true
    requirements:
    - pandas==2.1.4
    - "scikit-learn>=1.3"
    - 'xgboost==2.0 # pinned for the model'
    - |
      block-pkg~=1.0
    - not a requirement!!
    - '# a comment'
    - ''
    - lightgbm
    commands:
    - apt-get update && pip install requests==2.31 'numpy<2' && echo done
    - python -m pip install a==1 b~=2.0 c~=2
    - |
      pip install \
        block-cmd==1
    - "pip install \"esc==1\""
    extra: |
      FROM x
      run pip install --index-url http://pypi.local/simple \
          extra-a==1 extra-b
      # RUN pip install commented==1
      ENV A=1
"#;
    assert_rows(
        "function.yaml",
        text,
        &[
            "image Run spec.image [python:3.9] edit=<python:3.9> fn=trainer",
            "image BuildBase spec.build.base_image [python:3.9-slim] edit=<python:3.9-slim> fn=trainer",
            "package spec.build.requirements[0] [pandas==2.1.4] edit=<pandas==2.1.4> fn=trainer",
            "package spec.build.requirements[1] [scikit-learn>=1.3] edit=<scikit-learn>=1.3> fn=trainer",
            // MLRun cuts an inline ` #` comment off a requirement.
            "package spec.build.requirements[2] [xgboost==2.0] edit=<xgboost==2.0> fn=trainer",
            // A literal block's lines are file lines: exact spans, and a fix can edit them.
            "package spec.build.requirements[3] [block-pkg~=1.0] edit=<block-pkg~=1.0> fn=trainer",
            "problem Parse @267 [not a requirement!!] invalid requirement: Expected one of `@`, `(`, `<`, `=`, `>`, `~`, `!`, `;`, found `a`",
            "package spec.build.requirements[7] [lightgbm] edit=<lightgbm> fn=trainer",
            "package spec.build.commands[0] [requests==2.31] edit=<requests==2.31> fn=trainer",
            "package spec.build.commands[0] [numpy<2] edit=<numpy<2> fn=trainer",
            "package spec.build.commands[1] [a==1] edit=<a==1> fn=trainer",
            "package spec.build.commands[1] [b~=2.0] edit=<b~=2.0> fn=trainer",
            "problem Parse @459 [c~=2] The ~= operator requires at least two segments in the release version",
            "package spec.build.commands[2] [block-cmd==1] edit=<block-cmd==1> fn=trainer",
            // Escapes: the facts stand on the whole scalar, with no fix.
            "package spec.build.commands[3] [\"pip install \\\"esc==1\\\"\"] edit=- fn=trainer",
            "index IndexUrl spec.build.extra [http://pypi.local/simple] http://pypi.local/simple",
            "package spec.build.extra [extra-a==1] edit=<extra-a==1> fn=trainer",
            "package spec.build.extra [extra-b] edit=<extra-b> fn=trainer",
            "build spec.build.with_mlrun [true] fn=trainer with_mlrun=true base=python:3.9-slim",
            "function spec.image [python:3.9] edit=<python:3.9> fn=trainer kind=job names_image=true",
        ],
    );
    // Name and specifier spans land on their bytes, in quoted and block scalars too.
    let facts = read(Path::new("function.yaml"), text);
    let parts: Vec<(String, String)> = facts
        .iter()
        .filter_map(|f| match f {
            Fact::Package(p) => Some((
                at(text, p.name.as_ref()?.span).to_string(),
                p.specifier.map_or("-", |s| at(text, s)).to_string(),
            )),
            _ => None,
        })
        .collect();
    let expected = [
        ("pandas", "==2.1.4"),
        ("scikit-learn", ">=1.3"),
        ("xgboost", "==2.0"),
        ("block-pkg", "~=1.0"),
        ("lightgbm", "-"),
        ("requests", "==2.31"),
        ("numpy", "<2"),
        ("a", "==1"),
        ("b", "~=2.0"),
        ("block-cmd", "==1"),
        // Collapsed onto the escaped scalar.
        (
            "\"pip install \\\"esc==1\\\"\"",
            "\"pip install \\\"esc==1\\\"\"",
        ),
        ("extra-a", "==1"),
        ("extra-b", "-"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    assert_eq!(parts, expected);
}

#[test]
fn nuclio_serving_and_dask_package_fields() {
    let text = r#"kind: serving
metadata: {name: router}
spec:
  image: mlrun/mlrun
  base_spec:
    spec:
      build:
        commands: ['pip install tensorflow>=2.1', "pip install requests pillow"]
  config:
    spec.build.commands:
    - pip install -r extra.txt
  function_refs:
  - name: enrich
    url: enrich.py
    requirements: [nltk==3.8]
---
kind: dask
metadata: {name: cluster}
spec:
  image: mlrun/mlrun
  extra_pip: dask-ml>=2023.1   pandas==2.0 --index-url http://pypi.local/simple
---
kind: dask
metadata: {name: odd}
spec:
  extra_pip: "it's==1"
"#;
    assert_rows("function.yaml", text, &[
            "image Run spec.image [mlrun/mlrun] edit=<mlrun/mlrun> fn=router",
            "package spec.base_spec.spec.build.commands[0] [tensorflow] edit=<tensorflow> fn=router",
            "package spec.base_spec.spec.build.commands[1] [requests] edit=<requests> fn=router",
            "package spec.base_spec.spec.build.commands[1] [pillow] edit=<pillow> fn=router",
            "include Requirements spec.config[\"spec.build.commands\"][0] [extra.txt] fn=router extra.txt",
            "package spec.function_refs[0].requirements[0] [nltk==3.8] edit=<nltk==3.8> fn=enrich",
            "function spec.image [mlrun/mlrun] edit=<mlrun/mlrun> fn=router kind=serving names_image=true",
            "image Run spec.image [mlrun/mlrun] edit=<mlrun/mlrun> fn=cluster",
            "package spec.extra_pip [dask-ml>=2023.1] edit=<dask-ml>=2023.1> fn=cluster",
            "package spec.extra_pip [pandas==2.0] edit=<pandas==2.0> fn=cluster",
            "index IndexUrl spec.extra_pip [http://pypi.local/simple] http://pypi.local/simple",
            "function spec.image [mlrun/mlrun] edit=<mlrun/mlrun> fn=cluster kind=dask names_image=true",
            "package spec.extra_pip [\"it's==1\"] edit=- fn=odd",
            "function metadata.name [odd] edit=- fn=odd kind=dask names_image=false",
        ]);
}

#[test]
fn project_package_fields() {
    let text = r#"kind: project
metadata: {name: demo}
spec:
  default_requirements: mlflow==2.9
  build:
    base_image: python:3.11
    with_mlrun: true
    requirements: [mlrun==1.6.4]
    commands: [pip install boto3]
  functions:
  - url: a.py
    name: single
    image: mlrun/mlrun
    requirements: "pandas==2.0"
  - url: b.py
    name: spaced
    image: mlrun/mlrun
    requirements: pandas numpy
  - url: c.py
    name: from-file
    image: mlrun/mlrun
    requirements: requirements.txt
    requirements_file: ./reqs/c.txt
  - name: inline
    spec:
      kind: job
      metadata: {name: inline}
      spec:
        build:
          base_image: python:3.9
          with_mlrun: true
          requirements: [torch]
  - url: d.py
    name: no-mlrun
    image: mlrun/mlrun
    spec:
      kind: job
      spec:
        build: {with_mlrun: false, requirements: [x==1]}
---
kind: project
metadata: {name: listed}
spec:
  default_requirements: [a==1, b]
"#;
    assert_rows("project.yaml", text, &[
            "image BuildBase spec.build.base_image [python:3.11] edit=<python:3.11> fn=-",
            "package spec.build.requirements[0] [mlrun==1.6.4] edit=<mlrun==1.6.4> fn=-",
            "package spec.build.commands[0] [boto3] edit=<boto3> fn=-",
            "build spec.build.with_mlrun [true] fn=- with_mlrun=true base=python:3.11",
            "package spec.default_requirements [mlflow==2.9] edit=<mlflow==2.9> fn=-",
            "image Run spec.functions[0].image [mlrun/mlrun] edit=<mlrun/mlrun> fn=single",
            "package spec.functions[0].requirements [pandas==2.0] edit=<pandas==2.0> fn=single",
            "function spec.functions[0].image [mlrun/mlrun] edit=<mlrun/mlrun> fn=single kind=- names_image=true",
            "image Run spec.functions[1].image [mlrun/mlrun] edit=<mlrun/mlrun> fn=spaced",
            "problem Parse @375 [pandas numpy] invalid requirement: Expected one of `@`, `(`, `<`, `=`, `>`, `~`, `!`, `;`, found `n`",
            "function spec.functions[1].image [mlrun/mlrun] edit=<mlrun/mlrun> fn=spaced kind=- names_image=true",
            "image Run spec.functions[2].image [mlrun/mlrun] edit=<mlrun/mlrun> fn=from-file",
            "include Requirements spec.functions[2].requirements [requirements.txt] fn=from-file requirements.txt",
            "include Requirements spec.functions[2].requirements_file [./reqs/c.txt] fn=from-file ./reqs/c.txt",
            "function spec.functions[2].image [mlrun/mlrun] edit=<mlrun/mlrun> fn=from-file kind=- names_image=true",
            "image BuildBase spec.functions[3].spec.spec.build.base_image [python:3.9] edit=<python:3.9> fn=inline",
            "package spec.functions[3].spec.spec.build.requirements[0] [torch] edit=<torch> fn=inline",
            "build spec.functions[3].spec.spec.build.with_mlrun [true] fn=inline with_mlrun=true base=python:3.9",
            "function spec.functions[3].name [inline] edit=- fn=inline kind=job names_image=true",
            "image Run spec.functions[4].image [mlrun/mlrun] edit=<mlrun/mlrun> fn=no-mlrun",
            "package spec.functions[4].spec.spec.build.requirements[0] [x==1] edit=<x==1> fn=no-mlrun",
            "function spec.functions[4].image [mlrun/mlrun] edit=<mlrun/mlrun> fn=no-mlrun kind=job names_image=true",
            "package spec.default_requirements[0] [a==1] edit=<a==1> fn=-",
            "package spec.default_requirements[1] [b] edit=<b> fn=-",
        ]);
}

#[test]
fn hub_item_package_fields() {
    let text = r#"apiVersion: v1
name: azureml
mlrunVersion: 1.4.0
spec:
  image: mlrun/mlrun
  requirements:
  - azureml-core==1.54.0
  - plotly
  extra_spec:
    build:
      with_mlrun: true
      commands:
      - apt-get update && apt-get install -y gcc
      - python -m pip install azureml-train-automl-client==1.54.0
"#;
    assert_rows("item.yaml", text, &[
            "version mlrunVersion [1.4.0] edit=<1.4.0> 1.4.0",
            "image Run spec.image [mlrun/mlrun] edit=<mlrun/mlrun> fn=azureml",
            "package spec.requirements[0] [azureml-core==1.54.0] edit=<azureml-core==1.54.0> fn=azureml",
            "package spec.requirements[1] [plotly] edit=<plotly> fn=azureml",
            "package spec.extra_spec.build.commands[1] [azureml-train-automl-client==1.54.0] edit=<azureml-train-automl-client==1.54.0> fn=azureml",
            "build spec.extra_spec.build.with_mlrun [true] fn=azureml with_mlrun=true base=-",
            "function spec.image [mlrun/mlrun] edit=<mlrun/mlrun> fn=azureml kind=- names_image=true",
        ]);
}

#[test]
fn aliased_requirement_lists_are_facts_at_each_use() {
    // The shape of igz-us-sales/mlrun-github-actions-demo's project.yaml.
    let text = r#"kind: project
spec:
  functions:
  - url: hub://v2_model_server
    name: serving
    image: mlrun/mlrun:1.3.3
    requirements: &id001
    - mlrun==1.3.3
    - 'PyGithub==1.59.0'
  - url: src/simulate_traffic.py
    name: simulate-traffic
    kind: nuclio
    image: mlrun/mlrun:1.3.3
    requirements: *id001
"#;
    // Each use is a fact at the alias; its fix edits the anchored item.
    assert_rows(
        "project.yaml",
        text,
        &[
            "image Run spec.functions[0].image [mlrun/mlrun:1.3.3] edit=<mlrun/mlrun:1.3.3> fn=serving",
            "package spec.functions[0].requirements[0] [mlrun==1.3.3] edit=<mlrun==1.3.3> fn=serving",
            "package spec.functions[0].requirements[1] [PyGithub==1.59.0] edit=<PyGithub==1.59.0> fn=serving",
            "hub spec.functions[0].url [hub://v2_model_server] fn=serving name=v2_model_server tag=-",
            "image Run spec.functions[1].image [mlrun/mlrun:1.3.3] edit=<mlrun/mlrun:1.3.3> fn=simulate-traffic",
            "package spec.functions[1].requirements[0] [*id001] edit=<mlrun==1.3.3> fn=simulate-traffic",
            "package spec.functions[1].requirements[1] [*id001] edit=<PyGithub==1.59.0> fn=simulate-traffic",
            "function spec.functions[1].image [mlrun/mlrun:1.3.3] edit=<mlrun/mlrun:1.3.3> fn=simulate-traffic kind=nuclio names_image=true",
        ],
    );
}

#[test]
fn crlf_and_bom_keep_package_spans_exact() {
    let text = "\u{feff}kind: job\r\nmetadata: {name: w}\r\nspec:\r\n  build:\r\n    requirements:\r\n    - 'pandas==2.0'\r\n    commands:\r\n    - |\r\n      pip install a==1 \\\r\n        b==2\r\n    extra: |\r\n      RUN pip install \\\r\n        c==3\r\n";
    assert_rows(
        "function.yaml",
        text,
        &[
            "package spec.build.requirements[0] [pandas==2.0] edit=<pandas==2.0> fn=w",
            "package spec.build.commands[0] [a==1] edit=<a==1> fn=w",
            "package spec.build.commands[0] [b==2] edit=<b==2> fn=w",
            "package spec.build.extra [c==3] edit=<c==3> fn=w",
            "function metadata.name [w] edit=- fn=w kind=job names_image=false",
        ],
    );
}

#[test]
fn truncated_specs_do_not_panic() {
    let text = "kind: job\nmetadata: {name: t}\nspec:\n  extra_pip: \"a>=1 'b'\"\n  build:\n    with_mlrun: true\n    requirements:\n    - |\n      x==1\n    - 'y ; python_version > \"3\"'\n    commands:\n    - >\n      pip install \\\n        z\n    extra: |\n      RUN pip install \\\n";
    for (end, _) in text.char_indices() {
        let _ = read(Path::new("function.yaml"), &text[..end]);
    }
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
                // The corpus is valid YAML; a requirement or command pip would
                // reject is shown for review, not failed on.
                Fact::Problem(p) => {
                    assert!(
                        origin.field.starts_with("spec"),
                        "{}: {:?} {}",
                        path.display(),
                        p.kind,
                        p.message
                    );
                    let line = text[..origin.span.start].matches('\n').count() + 1;
                    println!(
                        "problem {}:{line} {} [{}] {}",
                        path.display(),
                        origin.field,
                        &text[origin.span.start..origin.span.end],
                        p.message
                    );
                    format!("{file} problem {}", normalise(&origin.field))
                }
                Fact::Function(f) => format!("{file} function names_image={}", f.names_image),
                Fact::HubRef(_) => format!("{file} hub ref"),
                Fact::ClientVersion(_) => format!("{file} client version"),
                Fact::Package(p) => {
                    // An editable requirement's name is its written bytes.
                    if let (Some(_), Some(name)) = (origin.edit_span, &p.name) {
                        let at_name = &text[name.span.start..name.span.end];
                        assert_eq!(at_name, name.written, "{}", path.display());
                    }
                    format!("{file} package {}", normalise(&origin.field))
                }
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
