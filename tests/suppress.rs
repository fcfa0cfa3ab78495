//! Suppressions end to end: each `noqa` form in YAML and requirements files,
//! MLR004, `--ignore-noqa`, baselines, `--statistics` and `--stdin-filename`.

mod common;

use common::{check_json, run_in, stdout};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `path:line code` of each diagnostic.
fn found(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}:{} {}",
                d["path"].as_str().unwrap_or_default(),
                d["start"]["line"],
                d["code"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a/function.yaml",
        "kind: job\nmetadata:\n  name: a\nspec:\n  image: mlrun/mlrun # noqa: MLR101 tag follows the client on purpose\n  build:\n    base_image: python  # noqa\n",
    );
    write(
        root,
        "b/function.yaml",
        "# mlrun-lint: noqa\nkind: job\nmetadata:\n  name: b\nspec:\n  image: mlrun/mlrun\n",
    );
    write(
        root,
        "c/function.yaml",
        "---\n# mlrun-lint: noqa: MLR101\nkind: job\nmetadata:\n  name: c\nspec:\n  image: mlrun/mlrun\n  build:\n    base_image: python\n",
    );
    write(
        root,
        "requirements.txt",
        "pandas  # noqa: MLR201\nnumpy>=1 #noqa:MLR202,MLR201 range reviewed\nscipy\nflair @ https://x/flair.zip#egg=flair\n",
    );
    dir
}

#[test]
fn each_noqa_form_suppresses_what_it_names() {
    let dir = project();
    let (diagnostics, _) = check_json(dir.path(), &["."]);
    assert_eq!(
        found(&diagnostics),
        [
            "c/function.yaml:9 MLR102",
            "c/function.yaml:9 MLR207",
            "requirements.txt:3 MLR201",
            "requirements.txt:4 MLR203"
        ]
    );
}

#[test]
fn ignore_noqa_reports_everything() {
    let dir = project();
    let (diagnostics, _) = check_json(dir.path(), &["--ignore-noqa", "."]);
    assert_eq!(
        found(&diagnostics),
        [
            "a/function.yaml:5 MLR101",
            "a/function.yaml:7 MLR102",
            "a/function.yaml:7 MLR207",
            "b/function.yaml:6 MLR101",
            "c/function.yaml:7 MLR101",
            "c/function.yaml:9 MLR102",
            "c/function.yaml:9 MLR207",
            "requirements.txt:1 MLR201",
            "requirements.txt:2 MLR202",
            "requirements.txt:3 MLR201",
            "requirements.txt:4 MLR203"
        ]
    );
}

#[test]
fn unused_noqa_is_reported_when_selected() {
    let dir = project();
    let (diagnostics, _) = check_json(dir.path(), &["--extend-select", "MLR004", "."]);
    let unused: Vec<(String, String, String)> = diagnostics
        .iter()
        .filter(|d| d["code"] == "MLR004")
        .map(|d| {
            (
                found(std::slice::from_ref(d)).join(""),
                d["message"].as_str().unwrap_or_default().to_string(),
                d["fix"]["edits"][0]["content"]
                    .as_str()
                    .unwrap_or("?")
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        unused,
        [(
            "requirements.txt:2 MLR004".to_string(),
            "unused code in `noqa` directive: MLR201 suppressed nothing".to_string(),
            "MLR202".to_string()
        )]
    );
    assert_eq!(
        diagnostics.iter().find(|d| d["code"] == "MLR004").unwrap()["severity"],
        "warning"
    );
    // Off by default, and gone with --ignore-noqa.
    let (diagnostics, _) = check_json(dir.path(), &["."]);
    assert!(diagnostics.iter().all(|d| d["code"] != "MLR004"));
    let (diagnostics, _) = check_json(
        dir.path(),
        &["--extend-select", "MLR004", "--ignore-noqa", "."],
    );
    assert!(diagnostics.iter().all(|d| d["code"] != "MLR004"));
}

#[test]
fn baseline_keeps_old_findings_quiet_when_lines_move() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "requirements.txt", "pandas\nnumpy  # noqa: MLR201\n");
    let written = run_in(root, &["check", "--write-baseline", "baseline.json", "."]);
    assert_eq!(written.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&written.stderr),
        "mlrun-lint: wrote 1 finding to baseline.json\n"
    );
    let baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("baseline.json")).unwrap())
            .unwrap();
    assert_eq!(baseline["version"], 1);
    assert_eq!(baseline["tool"], "mlrun-lint");
    assert_eq!(baseline["findings"][0]["path"], "requirements.txt");
    assert_eq!(baseline["findings"][0]["code"], "MLR201");
    assert_eq!(baseline["findings"].as_array().map(Vec::len), Some(1));
    // Five lines above the old finding, and a new finding below it.
    write(
        root,
        "requirements.txt",
        "# a\n# b\n\n# c\n\npandas\nnumpy  # noqa: MLR201\nscipy\n",
    );
    let (diagnostics, code) = check_json(root, &["--baseline", "baseline.json", "."]);
    assert_eq!(found(&diagnostics), ["requirements.txt:8 MLR201"]);
    assert_eq!(code, 1);
    // An audit sees through the baseline too.
    let (diagnostics, _) = check_json(root, &["--baseline", "baseline.json", "--ignore-noqa", "."]);
    assert_eq!(diagnostics.len(), 3);
}

#[test]
fn broken_or_missing_baselines_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "requirements.txt", "pandas\n");
    let missing = run_in(dir.path(), &["check", "--baseline", "nope.json", "."]);
    assert_eq!(missing.status.code(), Some(2));
    write(
        dir.path(),
        "broken.json",
        "{\"version\": 1,\n\"findings\": [\n",
    );
    let broken = run_in(dir.path(), &["check", "--baseline", "broken.json", "."]);
    assert_eq!(broken.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(
        stderr.starts_with("mlrun-lint: error: broken.json:3:0: not a mlrun-lint baseline"),
        "{stderr}"
    );
}

#[test]
fn statistics_count_per_rule() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "requirements.txt", "pandas\nscipy\nnumpy>=1\n");
    write(
        dir.path(),
        "function.yaml",
        "kind: job\nmetadata:\n  name: f\nspec:\n  image: mlrun/mlrun\n",
    );
    let output = run_in(dir.path(), &["check", "--statistics", "."]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("statistics_text", stdout(&output));
    let output = run_in(
        dir.path(),
        &["check", "--statistics", "--output-format", "json", "."],
    );
    insta::assert_snapshot!("statistics_json", stdout(&output));
}

#[test]
fn stdin_is_checked_as_the_named_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "sub/mlrun-lint.toml",
        "[severity]\nMLR201 = \"info\"\n",
    );
    write(root, "sub/base.txt", "scipy\n");
    // A file on disk with the same name is not what is checked.
    write(root, "sub/requirements.txt", "numpy==1.26.4\n");
    let mut child = Command::new(common::BIN)
        .args([
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "sub/requirements.txt",
            "ignored-path",
        ])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"-r base.txt\npandas  # noqa: MLR201\nrequests\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    // Severity info from sub's configuration: exit 0 under the default fail-on.
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!("stdin_concise", stdout(&output));
}

#[test]
fn notebook_cells_python_and_dockerfiles_take_noqa_comments() {
    let dir = tempfile::tempdir().unwrap();
    let cell = [
        "import mlrun\\n",
        "fn = mlrun.code_to_function(\\\"f\\\", image=\\\"mlrun/mlrun\\\")  # noqa: MLR101 follows the client\\n",
        "other = mlrun.code_to_function(\\\"g\\\", image=\\\"mlrun/mlrun\\\")\\n",
        "%pip install pandas  # noqa: MLR201\\n",
    ]
    .map(|line| format!("    \"{line}\""))
    .join(",\n");
    write(
        dir.path(),
        "nb.ipynb",
        &format!(
            "{{\n \"cells\": [\n  {{\n   \"cell_type\": \"code\",\n   \"execution_count\": null,\n   \"metadata\": {{}},\n   \"outputs\": [],\n   \"source\": [\n{cell}\n   ]\n  }}\n ],\n \"metadata\": {{}},\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}}\n"
        ),
    );
    write(
        dir.path(),
        "app.py",
        "import mlrun\nfn = mlrun.code_to_function(\"f\", image=\"python\")  # noqa: MLR102\n",
    );
    // A FROM line cannot end in a comment: a `# noqa:` line above it covers it.
    write(
        dir.path(),
        "Dockerfile",
        "# noqa: MLR102 the platform team pins it\nFROM ubuntu AS base\nRUN pip install pandas  # noqa: MLR201\nFROM python\n",
    );
    let (diagnostics, _) = check_json(dir.path(), &["--extend-select", "MLR004", "."]);
    assert_eq!(
        found(&diagnostics),
        [
            "Dockerfile:4 MLR102".to_string(),
            "nb.ipynb:3 MLR101".to_string(),
        ]
    );
}
