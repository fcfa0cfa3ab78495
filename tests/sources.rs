//! Sources whose files cannot carry `# expect:` markers. A notebook is JSON: its
//! diagnostics are asserted here in full, with the cell (1-based, counting every
//! cell) and the line and column inside the cell's decoded source.

mod common;

use common::check_json;
use serde_json::{json, Value};
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sources")
        .join(name)
}

fn at(line: u64, column: u64) -> Value {
    json!({ "line": line, "column": column })
}

/// `fixtures/sources/notebook/train.ipynb` is an nbformat 4.5 notebook as Jupyter
/// writes it: markdown and raw cells, outputs (stream, execute_result with HTML)
/// that mention `image: python` and `%pip install`, all of which are not code.
/// Cell 2 holds `%pip` / `!pip` lines; cell 5 a multi-line `set_function`; cell 7 a
/// JSON escape (`\/`) inside an image and a Python escape (`\u003e`) inside a
/// requirement, which are reported on the decoded text and offer no fix, plus a
/// non-ASCII character before the image (columns count characters).
#[test]
fn notebook_diagnostics_are_exact_with_cells() {
    let dir = fixture("notebook");
    let (diagnostics, code) = check_json(&dir, &["--mlrun-version", "1.6.4", "."]);
    assert_eq!(code, 1);
    let mlr101 = |image: &str, cell: u64, start: Value, end: Value, fix: Value| {
        json!({
            "code": "MLR101",
            "rule": "mlrun-image-untagged",
            "severity": "error",
            "message": format!("MLRun image `{image}` has no tag"),
            "path": "train.ipynb",
            "cell": cell,
            "start": start,
            "end": end,
            "help": format!(
                "MLRun fills the tag from the submitting client's version, so a client upgrade \
                 changes the image in production; pin it to `{image}:1.6.4` (client version \
                 1.6.4 from --mlrun-version)"
            ),
            "fix": fix,
        })
    };
    let expected = json!([
        {
            "code": "MLR201",
            "rule": "package-unpinned",
            "severity": "error",
            "message": "`pandas` has no version",
            "path": "train.ipynb",
            "cell": 2,
            "start": at(1, 14),
            "end": at(1, 20),
            "help": "the notebook's kernel installs whatever is newest each time the cell runs; \
                     pin the release you tested: `pandas==X.Y.Z` (or pin it exactly in a \
                     constraints file passed with `-c`)",
            "fix": null,
        },
        {
            "code": "MLR204",
            "rule": "mlrun-client-unpinned",
            "severity": "error",
            "message": "`mlrun` has no version",
            "path": "train.ipynb",
            "cell": 2,
            "start": at(2, 14),
            "end": at(2, 19),
            "help": "MLRun image tags and server compatibility follow the client version, \
                     which becomes whatever is newest each time the cell runs; pin `mlrun==1.6.4` \
                     (client version 1.6.4 from --mlrun-version)",
            "fix": {
                "message": "Pin `mlrun==1.6.4`",
                "applicability": "unsafe",
                "edits": [{ "start": at(2, 19), "end": at(2, 19), "content": "==1.6.4" }],
            },
        },
        mlr101(
            "mlrun/mlrun",
            5,
            at(5, 11),
            at(5, 24),
            json!({
                "message": "Pin the image to `mlrun/mlrun:1.6.4`",
                "applicability": "safe",
                "edits": [{ "start": at(5, 23), "end": at(5, 23), "content": ":1.6.4" }],
            }),
        ),
        mlr101("mlrun/mlrun-gpu", 7, at(2, 82), at(2, 99), Value::Null),
        {
            "code": "MLR202",
            "rule": "package-not-exact",
            "severity": "warning",
            "message": "`scikit-learn` is not pinned to one release (`>=1.4`)",
            "path": "train.ipynb",
            "cell": 7,
            "start": at(3, 26),
            "end": at(3, 50),
            "help": "the build installs whatever is newest in that range on build day; pin the \
                     release you tested: `scikit-learn==X.Y.Z` (or pin it exactly in a \
                     constraints file passed with `-c`)",
            "fix": null,
        },
    ]);
    assert_eq!(Value::Array(diagnostics), expected);
}

/// `fixtures/sources/notebook-flow/helpers.ipynb`: a helper defined in one cell and
/// called in a later one is an SDK entry point; the literal passed at the call is
/// judged there, with a fix that edits only it; the pinned call stays silent.
#[test]
fn notebook_helpers_from_earlier_cells_are_followed_to_their_calls() {
    let dir = fixture("notebook-flow");
    let (diagnostics, code) = check_json(&dir, &["--mlrun-version", "1.6.4", "."]);
    assert_eq!(code, 1);
    let expected = json!([{
        "code": "MLR101",
        "rule": "mlrun-image-untagged",
        "severity": "error",
        "message": "MLRun image `mlrun/mlrun` has no tag",
        "path": "helpers.ipynb",
        "cell": 2,
        "start": at(2, 34),
        "end": at(2, 47),
        "help": "MLRun fills the tag from the submitting client's version, so a client upgrade \
                 changes the image in production; pin it to `mlrun/mlrun:1.6.4` (client \
                 version 1.6.4 from --mlrun-version)",
        "fix": {
            "message": "Pin the image to `mlrun/mlrun:1.6.4`",
            "applicability": "safe",
            "edits": [{ "start": at(2, 46), "end": at(2, 46), "content": ":1.6.4" }],
        },
    }]);
    assert_eq!(Value::Array(diagnostics), expected);
}
