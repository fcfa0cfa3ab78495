//! The edges of a run (issue 16): a reader's panic costs one file, not the run;
//! nothing is skipped without a word; fixes never lose a byte or a pin.
//!
//! Each case runs the real binary and asserts its exact output and exit code.

mod common;

use common::{code, run_in, stderr, stdout};
use std::fs;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create the folder");
    }
    fs::write(path, text).expect("write the file");
}

/// A notebook on which Ruff's parser reaches an `unreachable!` (one code cell:
/// `import mlrun`, `import x[`, `/`), found by fuzzing the notebook reader.
const RUFF_PANIC_NOTEBOOK: &str = include_str!("data/panic/ruff-unreachable.ipynb");

#[test]
fn a_reader_panic_is_mlr001_for_that_file_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "crash.ipynb", RUFF_PANIC_NOTEBOOK);
    write(dir.path(), "requirements.txt", "pandas\n");
    let out = run_in(
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
        stdout(&out),
        "crash.ipynb:1:1: MLR001 the Python parser failed here: internal error: entered \
         unreachable code: IPython escape command expression is only allowed for % and ! (at \
         ruff_python_parser-0.0.10/src/parser/expression.rs:2975)\n\
         requirements.txt:1:1: MLR201 `pandas` has no version: the build installs whatever is \
         newest on build day\n"
    );
    // The panic is in the finding, not on stderr as a backtrace.
    assert_eq!(stderr(&out), "");
    assert_eq!(code(&out), 1);
}
