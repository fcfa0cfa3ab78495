//! `cargo bench`: the whole check of a small MLRun monorepo, and the readers that
//! dominate it (YAML specs, requirements files), measured in-process with divan.
//!
//! The tree is generated into a temporary folder once per run: by
//! `../shared/bench/gen_monorepo.py` (20 projects, seed 42) when it and `python3`
//! are there, else by [`mini_tree`], a few hand-written projects of the same
//! shapes. Whole-process figures (start-up, output, peak memory, the ratio to
//! `rg`) come from `scripts/bench`; see docs/performance.md.

use mlrun_lint::config::{Overrides, Resolver};
use mlrun_lint::discover::WalkOptions;
use mlrun_lint::engine::{self, Settings};
use mlrun_lint::report::{self, OutputFormat};
use mlrun_lint::sources::{dockerfile, requirements_txt, yaml};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

fn main() {
    divan::main();
}

/// The generated tree, made on first use and kept for the whole run.
fn tree() -> &'static Path {
    static TREE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &TREE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("a temporary folder for the bench tree");
            let root = dir.path().join("tree");
            if !generate(&root) {
                mini_tree(&root);
            }
            (dir, root)
        })
        .1
}

/// Runs the shared generator; `false` when it is not there or fails.
fn generate(root: &Path) -> bool {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen_monorepo.py");
    script.is_file()
        && std::process::Command::new("python3")
            .arg(&script)
            .args(["--projects", "20", "--seed", "42", "--out"])
            .arg(root)
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
}

/// A few projects of the generator's shapes, for machines without ../shared.
fn mini_tree(root: &Path) {
    for project in 0..20 {
        let base = root.join(format!("projects/p{project:02}"));
        let write = |name: &str, text: &str| {
            let path = base.join(name);
            std::fs::create_dir_all(path.parent().expect("a parent folder"))
                .expect("bench tree folder");
            std::fs::write(path, text).expect("bench tree file");
        };
        write("project.yaml", PROJECT_YAML);
        write("requirements.txt", REQUIREMENTS);
        write(
            "Dockerfile",
            "FROM python:3.11-slim\nRUN pip install pandas mlrun==1.7.2\n",
        );
        write(
            "src/setup.py",
            "import mlrun\nfn = mlrun.code_to_function('t', image='mlrun/mlrun', requirements=['pandas'])\n",
        );
        for function in 0..4 {
            write(&format!("f{function}/function.yaml"), &function_yaml());
        }
    }
}

const PROJECT_YAML: &str = "kind: project
metadata:
  name: demo
spec:
  default_image: mlrun/mlrun
  functions:
  - name: trainer
    url: hub://auto-trainer
  - name: f0
    spec:
      kind: job
      image: mlrun/mlrun:1.7.2
  build:
    base_image: python:3.11
    requirements:
    - pandas
    - scikit-learn>=1.3
";

const REQUIREMENTS: &str = "# project requirements
--index-url https://pypi.internal.example/simple
pandas==2.1.4
numpy>=1.26
scikit-learn
mlrun[complete]~=1.7.0
requests==2.31.0 \\
    --hash=sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f
git+https://github.com/acme-ml/featurekit.git@main#egg=featurekit
torch==2.2.1 ; sys_platform == 'linux'
";

/// A function spec with a 20 KiB base64 `functionSourceCode`, as MLRun exports.
fn function_yaml() -> String {
    let blob = "ZGVmIGhhbmRsZXIoY29udGV4dCk6CiAgICBwYXNzCg==".repeat(470);
    format!(
        "kind: job
metadata:
  name: trainer
  project: demo
spec:
  image: mlrun/mlrun
  build:
    base_image: mlrun/mlrun:1.7.2
    functionSourceCode: {blob}
    requirements:
    - pandas==2.1.4
    - xgboost
    commands:
    - pip install lightgbm \"scikit-learn>=1.3\"
  env:
  - name: LOG_LEVEL
    value: info
"
    )
}

fn settings() -> Settings {
    let cwd = std::env::current_dir().unwrap_or_default();
    let resolver =
        Resolver::new(&cwd, None, Overrides::default()).expect("the default configuration");
    Settings {
        config: Arc::new(resolver),
        walk: WalkOptions {
            respect_ignores: true,
        },
        ignore_noqa: false,
        fingerprints: false,
        cache: None,
    }
}

/// Discover, read, link, judge and finish every file of the tree (no output).
#[divan::bench(sample_count = 20)]
fn check_tree(bencher: divan::Bencher) {
    let paths = vec![tree().to_path_buf()];
    let settings = settings();
    bencher.bench(|| engine::check(&paths, &settings).map(|outcome| outcome.files.len()));
}

/// One function spec with an embedded source blob, read into facts. Outside the
/// engine's workers the parser starts a thread of its own per file: that cost is
/// included, as for any caller other than `engine::check`.
#[divan::bench]
fn read_function_yaml(bencher: divan::Bencher) {
    let text = function_yaml();
    let path = Path::new("f0/function.yaml");
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| yaml::read(path, divan::black_box(&text)).len());
}

/// One requirements file (pins, ranges, hashes, markers, a VCS URL) read into facts.
#[divan::bench]
fn read_requirements(bencher: divan::Bencher) {
    let text = REQUIREMENTS.repeat(10);
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| requirements_txt::read(divan::black_box(&text)).len());
}

/// `RUN pip install` over N continued lines: each package's span goes through the
/// instruction's span map, so this grows linearly only while the map's lookups
/// are bisections (they once scanned it: 12 s at 100,000 lines).
#[divan::bench(args = [1_000, 10_000, 100_000])]
fn read_dockerfile_continued_install(bencher: divan::Bencher, lines: usize) {
    let packages: Vec<String> = (0..lines).map(|i| format!("pkg{i}")).collect();
    let text = format!(
        "FROM python:3.11\nRUN pip install {}\n",
        packages.join(" \\\n  ")
    );
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| dockerfile::read(divan::black_box(&text)).len());
}

/// N stages, each built `FROM` the one before by name: naming a stage must not
/// search the earlier ones.
#[divan::bench(args = [1_000, 10_000, 40_000])]
fn read_dockerfile_many_stages(bencher: divan::Bencher, stages: usize) {
    let mut text = String::from("FROM python:3.11 AS s0\n");
    for i in 1..stages {
        text.push_str(&format!("FROM s{} AS s{i}\nRUN echo {i}\n", i - 1));
    }
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| dockerfile::read(divan::black_box(&text)).len());
}

/// The input shapes whose cost once grew faster than their size, each as one
/// file of about 2 MiB: checked and rendered as JSON (columns are worked out when
/// rendering, so that is where one of them was quadratic). Each must take well
/// under 2 s in a release build.
const TWO_MIB: usize = 2 << 20;

/// The file name and text of shape `shape` at about [`TWO_MIB`].
fn large_shape(shape: &str) -> (&'static str, String) {
    let packages = |prefix: &str, budget: usize| {
        let mut line = String::from(prefix);
        let mut i = 0;
        while line.len() < budget {
            line.push_str(&format!(" pkg{i}"));
            i += 1;
        }
        line
    };
    let repeat = |pattern: &dyn Fn(usize) -> String| {
        let mut text = String::new();
        let mut i = 0;
        while text.len() < TWO_MIB {
            text.push_str(&pattern(i));
            i += 1;
        }
        text
    };
    match shape {
        // 200,000 findings on one line: columns were counted from the line's start.
        "dockerfile_one_run_line" => (
            "Dockerfile",
            format!("FROM python:3.11\n{}\n", packages("RUN pip install", TWO_MIB)),
        ),
        "dockerfile_many_from" => (
            "Dockerfile",
            repeat(&|i| format!("FROM python:3.{} AS s{i}\nRUN pip install pandas\n", i % 12)),
        ),
        "yaml_one_build_command" => (
            "function.yaml",
            format!(
                "kind: job\nmetadata:\n  name: f\nspec:\n  image: mlrun/mlrun\n  build:\n    commands:\n    - \"{}\"\n",
                packages("pip install", TWO_MIB)
            ),
        ),
        "requirements_many_lines" => ("requirements.txt", repeat(&|i| format!("pkg{i}>=1.0\n"))),
        // Each declaration once looked through every fact of the module.
        "python_many_calls" => (
            "project_setup.py",
            format!(
                "import mlrun\nproject = mlrun.get_or_create_project('p')\n{}",
                repeat(&|i| format!(
                    "project.set_function('f{i}.py', name='f{i}', image='mlrun/mlrun')\n"
                ))
            ),
        ),
        "notebook_one_pip_line" => {
            let source = packages("import mlrun\\n%pip install", TWO_MIB);
            (
                "notebook.ipynb",
                format!(
                    "{{\"cells\": [{{\"cell_type\": \"code\", \"execution_count\": null, \"metadata\": {{}}, \"outputs\": [], \"source\": [\"{source}\"]}}], \"metadata\": {{}}, \"nbformat\": 4, \"nbformat_minor\": 5}}\n"
                ),
            )
        }
        other => panic!("no shape {other}"),
    }
}

/// One ~2 MiB file of each shape above, checked and its report rendered.
#[divan::bench(
    args = [
        "dockerfile_one_run_line",
        "dockerfile_many_from",
        "yaml_one_build_command",
        "requirements_many_lines",
        "python_many_calls",
        "notebook_one_pip_line",
    ],
    sample_count = 3,
    sample_size = 1
)]
fn check_large_file(bencher: divan::Bencher, shape: &str) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (name, text) = large_shape(shape);
    let path = dir.path().join(name);
    std::fs::write(&path, &text).expect("the shape written");
    let paths = vec![path];
    let settings = settings();
    let layout = report::Layout {
        color: false,
        width: report::DEFAULT_WIDTH,
    };
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| {
            let outcome = engine::check(&paths, &settings).expect("checked");
            let mut sink = std::io::sink();
            report::render_run(&outcome.files, OutputFormat::Json, layout, None, &mut sink)
                .expect("rendered");
            outcome
                .files
                .iter()
                .map(|f| f.diagnostics.len())
                .sum::<usize>()
        });
}
