//! Wrappers of the SDK imported from the project's own modules are judged at
//! their calls in whatever way the importing file is checked: in a tree, named
//! alone (pre-commit), from standard input (editors), and from a notebook. The
//! whole-tree messages are pinned by the MLR101 fixture's snapshot.

mod common;

use common::{check_json, run_in, stdout};
use std::path::{Path, PathBuf};

fn modules_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules/MLR101/modules")
}

/// (path, cell, line, column, code) of each diagnostic.
fn positions(diagnostics: &[serde_json::Value]) -> Vec<(String, u64, u64, u64, String)> {
    diagnostics
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap_or_default().to_string(),
                d["cell"].as_u64().unwrap_or(0),
                d["start"]["line"].as_u64().unwrap_or(0),
                d["start"]["column"].as_u64().unwrap_or(0),
                d["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn at(path: &str, line: u64, column: u64, code: &str) -> (String, u64, u64, u64, String) {
    (path.to_string(), 0, line, column, code.to_string())
}

/// The call-site findings of `project_setup.py`, as in the whole-tree run.
fn call_sites(path: &str) -> Vec<(String, u64, u64, u64, String)> {
    vec![
        at(path, 10, 63, "MLR101"),
        at(path, 10, 103, "MLR201"),
        at(path, 12, 31, "MLR301"),
        at(path, 14, 46, "MLR101"),
        at(path, 17, 36, "MLR101"),
        at(path, 17, 66, "MLR201"),
    ]
}

#[test]
fn a_file_named_alone_reads_the_wrappers_it_imports_from_disk() {
    let (diagnostics, code) = check_json(
        &modules_fixture(),
        &["--mlrun-version", "1.6.4", "project_setup.py"],
    );
    assert_eq!(code, 1);
    // helpers.py and pkg/steps.py are read for their wrappers only: nothing of
    // theirs is reported.
    assert_eq!(positions(&diagnostics), call_sites("project_setup.py"));
}

#[test]
fn standard_input_reads_the_wrappers_its_file_would_import() {
    let dir = modules_fixture();
    let text = std::fs::read_to_string(dir.join("project_setup.py")).expect("fixture");
    let mut child = std::process::Command::new(common::BIN)
        .args([
            "check",
            "--output-format",
            "json",
            "--mlrun-version",
            "1.6.4",
            "--stdin-filename",
            "project_setup.py",
            "-",
        ])
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("written");
    let output = child.wait_with_output().expect("finishes");
    let diagnostics: Vec<serde_json::Value> =
        serde_json::from_slice(&output.stdout).expect("JSON output");
    assert_eq!(positions(&diagnostics), call_sites("project_setup.py"));
}

#[test]
fn a_notebook_calling_an_imported_wrapper_is_judged_at_the_call() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("helpers.py"),
        "import mlrun\n\n\ndef register(project, name, image):\n    \
         return project.set_function(\"f.py\", name=name, image=image)\n",
    )
    .expect("written");
    let cells = serde_json::json!({
        "cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
             "source": ["import mlrun\n", "from helpers import register"]},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
             "source": ["project = mlrun.get_or_create_project(\"p\", \"./\")\n",
                        "register(project, \"train\", \"python:3.11-slim\")\n",
                        "register(project, \"serve\", image=\"mlrun/mlrun\")"]}
        ],
        "metadata": {"kernelspec": {"name": "python3", "language": "python"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5
    });
    std::fs::write(dir.path().join("setup.ipynb"), cells.to_string()).expect("written");
    let (diagnostics, code) = check_json(dir.path(), &["--mlrun-version", "1.6.4", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        positions(&diagnostics),
        vec![("setup.ipynb".to_string(), 2, 3, 34, "MLR101".to_string())]
    );
    assert_eq!(
        diagnostics[0]["message"],
        "MLRun image `mlrun/mlrun` has no tag"
    );
    assert_eq!(
        diagnostics[0]["fix"]["edits"],
        serde_json::json!([{"start": {"line": 3, "column": 46}, "end": {"line": 3, "column": 46},
                            "content": ":1.6.4"}])
    );
    // In the tree, every call passes the helper's parameter: nothing in
    // helpers.py. Named alone, its callers are unknown, and MLR108 says so.
    let output = run_in(
        dir.path(),
        &["check", "--output-format", "concise", "helpers.py"],
    );
    assert_eq!(
        stdout(&output),
        "helpers.py:5:58: MLR108 image `image` comes from parameter `image` of `register`, \
         which no call in this file passes\n"
    );
}
