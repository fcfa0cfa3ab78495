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
