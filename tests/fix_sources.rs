//! `--fix` in the source kinds beyond YAML and requirements files: Python SDK
//! calls, Dockerfiles, notebooks and conda `environment.yml`. The exact bytes of
//! every fixed file are asserted (line endings, quotes and JSON escapes kept), and
//! a second run changes nothing.

mod common;

use common::{code, fix, stderr, stdout};
use std::path::Path;

type Case = (&'static str, Vec<u8>, Vec<u8>);

fn write_all(dir: &Path, cases: &[Case]) {
    for (name, before, _) in cases {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).expect("mkdir");
        std::fs::write(path, before).expect("write");
    }
}

fn assert_bytes(dir: &Path, cases: &[Case], after: impl Fn(&Case) -> &Vec<u8>) {
    for case in cases {
        let actual = std::fs::read(dir.join(case.0)).expect("read");
        assert_eq!(
            String::from_utf8_lossy(&actual),
            String::from_utf8_lossy(after(case)),
            "{}",
            case.0
        );
    }
}

fn crlf(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

/// A notebook as Jupyter writes it (indent 1, `\"` escapes, a trailing newline),
/// with `cell` as the source lines of its only code cell (after a markdown cell).
fn notebook(cell: &[&str]) -> String {
    let source: Vec<String> = cell
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let line = line.replace('"', "\\\"");
            if i + 1 < cell.len() {
                format!("    \"{line}\\n\"")
            } else {
                format!("    \"{line}\"")
            }
        })
        .collect();
    format!(
        "{{\n \"cells\": [\n  {{\n   \"cell_type\": \"markdown\",\n   \"id\": \"a0\",\n   \
         \"metadata\": {{}},\n   \"source\": [\n    \"# image: mlrun/mlrun\"\n   ]\n  }},\n  \
         {{\n   \"cell_type\": \"code\",\n   \"execution_count\": 1,\n   \"id\": \"b1\",\n   \
         \"metadata\": {{}},\n   \"outputs\": [],\n   \"source\": [\n{}\n   ]\n  }}\n ],\n \
         \"metadata\": {{\n  \"kernelspec\": {{\n   \"display_name\": \"Python 3\",\n   \
         \"language\": \"python\",\n   \"name\": \"python3\"\n  }}\n }},\n \"nbformat\": 4,\n \
         \"nbformat_minor\": 5\n}}\n",
        source.join(",\n")
    )
}

/// Safe fixes: MLR101 pins an untagged MLRun image to the client version.
fn image_cases() -> Vec<Case> {
    let py = |image: &str| {
        format!(
            "import mlrun\n\nfn = mlrun.code_to_function(\n    \"trainer\",\n    \
             filename=\"train.py\",\n    kind=\"job\",\n    image={image},\n)\n"
        )
        .into_bytes()
    };
    let cell = |image: &str| {
        notebook(&[
            "import mlrun",
            "",
            "project = mlrun.get_or_create_project(\"fraud\", context=\"./\")",
            &format!("project.set_function(\"train.py\", name=\"train\", image=\"{image}\")"),
        ])
        .into_bytes()
    };
    vec![
        (
            "double.py",
            py("\"mlrun/mlrun\""),
            py("\"mlrun/mlrun:1.6.4\""),
        ),
        ("single.py", py("'mlrun/mlrun'"), py("'mlrun/mlrun:1.6.4'")),
        (
            "triple.py",
            py("'''mlrun/mlrun-gpu'''"),
            py("'''mlrun/mlrun-gpu:1.6.4'''"),
        ),
        (
            "attribute.py",
            b"import mlrun\n\nfn = mlrun.new_function(\"etl\", kind=\"job\", image=\"mlrun/mlrun:1.6.4\")\n\
              fn.spec.image = \"mlrun/mlrun\"  # was pinned\n"
                .to_vec(),
            b"import mlrun\n\nfn = mlrun.new_function(\"etl\", kind=\"job\", image=\"mlrun/mlrun:1.6.4\")\n\
              fn.spec.image = \"mlrun/mlrun:1.6.4\"  # was pinned\n"
                .to_vec(),
        ),
        ("train.ipynb", cell("mlrun/mlrun"), cell("mlrun/mlrun:1.6.4")),
    ]
}

/// `docker build` pulls an untagged `FROM mlrun/mlrun` as `latest` (MLRun fills no
/// tag there), so pinning it changes the image: an unsafe fix.
fn dockerfile_cases() -> Vec<Case> {
    let dockerfile = "# the runtime\nFROM mlrun/mlrun AS runtime\nCOPY src/ /app/\n\n\
                      FROM runtime\n";
    let pinned = dockerfile.replace("mlrun/mlrun ", "mlrun/mlrun:1.6.4 ");
    vec![
        (
            "lf/Dockerfile",
            dockerfile.as_bytes().to_vec(),
            pinned.as_bytes().to_vec(),
        ),
        ("crlf/Dockerfile", crlf(dockerfile), crlf(&pinned)),
    ]
}

/// Unsafe fixes: MLR204 pins the `mlrun` package to the client version (it
/// changes what installs today).
fn client_cases() -> Vec<Case> {
    let py = |requirement: &str| {
        format!(
            "import mlrun\n\nproject = mlrun.get_or_create_project(\"fraud\", context=\"./\")\n\
             project.set_function(\n    \"train.py\",\n    name=\"train\",\n    \
             image=\"mlrun/mlrun:1.6.4\",\n    requirements=[\"pandas==2.2.2\", {requirement}],\n)\n"
        )
        .into_bytes()
    };
    let dockerfile = |pin: &str| {
        format!(
            "FROM python:3.11-slim\nRUN pip install --no-cache-dir \\\n    pandas==2.2.2 \\\n    \
             mlrun{pin}\n"
        )
    };
    let cell = |pin: &str| {
        notebook(&[
            &format!("!pip install mlrun{pin} pandas==2.2.2"),
            "import mlrun",
        ])
        .into_bytes()
    };
    let conda = |pin: &str| {
        format!(
            "name: fraud\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip\n  \
             - pip:\n    - mlrun{pin}  # the client\n    - pandas==2.2.2\n"
        )
        .into_bytes()
    };
    vec![
        ("client/double.py", py("\"mlrun\""), py("\"mlrun==1.6.4\"")),
        ("client/single.py", py("'mlrun'"), py("'mlrun==1.6.4'")),
        (
            "client/lf/Dockerfile",
            dockerfile("").into_bytes(),
            dockerfile("==1.6.4").into_bytes(),
        ),
        (
            "client/crlf/Dockerfile",
            crlf(&dockerfile("")),
            crlf(&dockerfile("==1.6.4")),
        ),
        ("client/install.ipynb", cell(""), cell("==1.6.4")),
        ("client/env/environment.yml", conda(""), conda("==1.6.4")),
    ]
}

#[test]
fn safe_fixes_pin_mlrun_images_in_python_dockerfiles_and_notebooks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = image_cases();
    write_all(dir.path(), &cases);

    let first = fix(dir.path(), &[]);
    assert_eq!(code(&first), 0, "stderr: {}", stderr(&first));
    assert_eq!(stdout(&first), "", "nothing remains to report");
    assert_eq!(stderr(&first), "Fixed 5 problems in 5 files.\n");
    assert_bytes(dir.path(), &cases, |case| &case.2);
    let fixed = std::fs::read(dir.path().join("train.ipynb")).expect("read");
    serde_json::from_slice::<serde_json::Value>(&fixed).expect("the notebook is still JSON");

    let second = fix(dir.path(), &["--unsafe-fixes"]);
    assert_eq!(code(&second), 0, "stderr: {}", stderr(&second));
    assert_eq!(stderr(&second), "No fixes applied.\n");
    assert_bytes(dir.path(), &cases, |case| &case.2);
}

#[test]
fn dockerfile_from_is_pinned_only_with_unsafe_fixes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = dockerfile_cases();
    write_all(dir.path(), &cases);
    let safe = fix(dir.path(), &[]);
    assert_eq!(code(&safe), 1, "the findings remain");
    assert_eq!(stderr(&safe), "No fixes applied.\n");
    assert_bytes(dir.path(), &cases, |case| &case.1);
    let first = fix(dir.path(), &["--unsafe-fixes"]);
    assert_eq!(code(&first), 0, "stderr: {}", stderr(&first));
    assert_eq!(stderr(&first), "Fixed 2 problems in 2 files.\n");
    assert_bytes(dir.path(), &cases, |case| &case.2);
}

#[test]
fn unsafe_fixes_pin_the_mlrun_client_in_every_source_kind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = client_cases();
    write_all(dir.path(), &cases);

    // Safe fixes only: the pins change what installs today, so nothing is written.
    let safe = fix(dir.path(), &[]);
    assert_eq!(code(&safe), 1, "the findings remain");
    assert_eq!(stderr(&safe), "No fixes applied.\n");
    assert_eq!(
        stdout(&safe).matches("MLR204").count(),
        6,
        "{}",
        stdout(&safe)
    );
    assert_bytes(dir.path(), &cases, |case| &case.1);

    let first = fix(dir.path(), &["--unsafe-fixes"]);
    assert_eq!(code(&first), 0, "stderr: {}", stderr(&first));
    assert_eq!(stdout(&first), "");
    assert_eq!(stderr(&first), "Fixed 6 problems in 6 files.\n");
    assert_bytes(dir.path(), &cases, |case| &case.2);
    let fixed = std::fs::read(dir.path().join("client/install.ipynb")).expect("read");
    serde_json::from_slice::<serde_json::Value>(&fixed).expect("the notebook is still JSON");

    let second = fix(dir.path(), &["--unsafe-fixes"]);
    assert_eq!(code(&second), 0, "stderr: {}", stderr(&second));
    assert_eq!(stderr(&second), "No fixes applied.\n");
    assert_bytes(dir.path(), &cases, |case| &case.2);
}

/// `mlrun build -b` / `mlrun run --image` in a shell script and a CI step, and
/// `MLRUN_DEFAULT_BASE_IMAGE` in an env file: the value's own bytes are pinned,
/// quotes and the rest of the line kept; the `MLRUN_IMAGES_TAG` image is made by
/// MLRun from the tag, so it has nothing to edit.
#[test]
fn shell_ci_and_env_file_images_are_pinned_in_place() {
    let script = "#!/bin/sh\nmlrun build -b mlrun/mlrun -c 'pip install pandas==2.2.2' f.yaml\n\
                  mlrun run --image=\"quay.io/mlrun/mlrun\" -i data.csv t.py\n";
    let workflow = "on: [push]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n    \
                    - run: |\n        mlrun build -bmlrun/mlrun-gpu f.yaml\n";
    let env = "export MLRUN_DEFAULT_BASE_IMAGE='mlrun/mlrun' # builds\nMLRUN_IMAGES_TAG=latest\n";
    let cases: Vec<Case> = vec![
        (
            "deploy.sh",
            script.as_bytes().to_vec(),
            script
                .replace("-b mlrun/mlrun ", "-b mlrun/mlrun:1.6.4 ")
                .replace("mlrun/mlrun\"", "mlrun/mlrun:1.6.4\"")
                .into_bytes(),
        ),
        (
            ".github/workflows/deploy.yml",
            crlf(workflow),
            crlf(&workflow.replace("mlrun-gpu ", "mlrun-gpu:1.6.4 ")),
        ),
        (
            ".env",
            env.as_bytes().to_vec(),
            env.replace("'mlrun/mlrun'", "'mlrun/mlrun:1.6.4'")
                .into_bytes(),
        ),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    write_all(dir.path(), &cases);
    let first = fix(dir.path(), &[]);
    assert_eq!(code(&first), 1, "MLRUN_IMAGES_TAG=latest remains");
    assert_eq!(stderr(&first), "Fixed 4 problems in 3 files.\n");
    assert_eq!(
        stdout(&first),
        ".env:2:18: MLR103 MLRun image `mlrun/mlrun:latest` uses the moving tag `latest`\n"
    );
    assert_bytes(dir.path(), &cases, |case| &case.2);
}
