//! The nuclio-jupyter magics `code_to_function` turns into a notebook function's
//! spec, and the kernel's own pip: each is judged where it is written, in its cell.

mod common;

use common::{run_in, stdout};

fn notebook(cells: &[&[&str]]) -> String {
    let cells: Vec<serde_json::Value> = cells
        .iter()
        .map(|source| {
            serde_json::json!({
                "cell_type": "code", "metadata": {}, "outputs": [],
                "execution_count": null, "source": source,
            })
        })
        .collect();
    serde_json::json!({
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "language": "python"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    })
    .to_string()
}

#[test]
fn nuclio_magics_and_kernel_pip_are_judged_in_their_cells() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = notebook(&[
        &["import mlrun"],
        &[
            "%nuclio config kind = \"job\"\n",
            "%nuclio config spec.image = \"mlrun/mlrun\"\n",
            "%nuclio config spec.build.baseImage = \"mlrun/mlrun:1.6.4\"\n",
            "%nuclio cmd -c pip install pandas\n",
            "%nuclio config spec.build.commands = [\"pip install pyarrow\"]",
        ],
        &[
            "%%nuclio cmd -c\n",
            "pip install scikit-learn\n",
            "python -m pip install xgboost==2.1.1\n",
        ],
        &["!{sys.executable} -m pip install lightgbm"],
    ]);
    std::fs::write(dir.path().join("train.ipynb"), text).expect("written");
    let output = run_in(
        dir.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--mlrun-version",
            "1.6.4",
            ".",
        ],
    );
    assert_eq!(
        stdout(&output),
        "train.ipynb:2:29: MLR101 MLRun image `mlrun/mlrun` has no tag (cell 2)\n\
         train.ipynb:4:28: MLR201 `pandas` has no version (cell 2)\n\
         train.ipynb:5:52: MLR201 `pyarrow` has no version (cell 2)\n\
         train.ipynb:2:13: MLR201 `scikit-learn` has no version (cell 3)\n\
         train.ipynb:1:34: MLR201 `lightgbm` has no version (cell 4)\n"
    );
    // The image's fix edits the magic's string inside the notebook's JSON.
    common::fix(dir.path(), &["--select", "MLR101", "."]);
    let fixed = std::fs::read_to_string(dir.path().join("train.ipynb")).expect("readable");
    assert!(
        fixed.contains(r#""%nuclio config spec.image = \"mlrun/mlrun:1.6.4\"\n""#),
        "{fixed}"
    );
}
