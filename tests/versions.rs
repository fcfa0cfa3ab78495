//! Version sources end to end: lock files in the project, `--lock`, `--python`,
//! and the applicability each gives a fix (issue: pin to the versions the project
//! actually runs).

mod common;

use common::{run_in, stdout};
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

const UV_LOCK: &str = r#"version = 1
requires-python = ">=3.9"

[[package]]
name = "pandas"
version = "2.2.2"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "scikit-learn"
version = "1.4.2"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "MLRun"
version = "1.6.4"
source = { registry = "https://pypi.org/simple" }
"#;

#[test]
fn a_lock_file_in_the_project_pins_safely() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "uv.lock", UV_LOCK);
    write(
        dir.path(),
        "requirements.txt",
        "pandas  # the data frames\r\nscikit-learn>=1.3\r\nnumpy<1.20\r\n",
    );
    write(
        dir.path(),
        "fn/function.yaml",
        "kind: job\nmetadata:\n  name: f\nspec:\n  image: \"mlrun/mlrun\"\n",
    );
    let output = run_in(dir.path(), &["check", "--fix", "."]);
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "Fixed 3 problems in 2 files.\n"
    );
    assert_eq!(
        read(dir.path(), "requirements.txt"),
        "pandas==2.2.2  # the data frames\r\nscikit-learn==1.4.2\r\nnumpy<1.20\r\n"
    );
    // The image follows the client version the lock file records.
    assert_eq!(
        read(dir.path(), "fn/function.yaml"),
        "kind: job\nmetadata:\n  name: f\nspec:\n  image: \"mlrun/mlrun:1.6.4\"\n"
    );
    // numpy is not in the lock: no version is invented, the finding stays.
    let output = run_in(dir.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(
        stdout(&output),
        "requirements.txt:3:1: MLR202 `numpy` is not pinned to one release (`<1.20`)\n"
    );
}

#[test]
fn help_names_the_source_and_refuses_versions_outside_the_range() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "poetry.lock", "[[package]]\nname = \"pandas\"\nversion = \"1.5.3\"\n\n[metadata]\nlock-version = \"2.0\"\n");
    write(dir.path(), "requirements.txt", "pandas>=2.0\n");
    let output = run_in(dir.path(), &["check", "--output-format", "json", "."]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json[0]["help"],
        "the build installs whatever is newest in that range on build day; poetry.lock records \
         1.5.3, which `>=2.0` excludes; pin the release you tested: `pandas==X.Y.Z`"
    );
    assert_eq!(json[0]["fix"], serde_json::Value::Null);
}

#[test]
fn explicit_lock_wins_over_the_projects_and_freeze_text_counts() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "uv.lock", UV_LOCK);
    write(
        dir.path(),
        "deploy/frozen.txt",
        "pandas==2.1.0\n# a comment\nnumpy==1.26.4\n",
    );
    write(dir.path(), "requirements.txt", "pandas\nnumpy\n");
    let output = run_in(
        dir.path(),
        &["check", "--fix", "--lock", "deploy/frozen.txt", "."],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        read(dir.path(), "requirements.txt"),
        "pandas==2.1.0\nnumpy==1.26.4\n"
    );
}

#[test]
fn an_environment_is_only_an_unsafe_source() {
    let dir = tempfile::tempdir().unwrap();
    let site = "venv/lib/python3.11/site-packages";
    write(
        dir.path(),
        &format!("{site}/pandas-2.2.1.dist-info/METADATA"),
        "Metadata-Version: 2.1\nName: pandas\nVersion: 2.2.1\n\nLong description.\n",
    );
    write(dir.path(), "requirements.txt", "pandas\n");
    let fix = |extra: &[&str]| {
        let mut args = vec!["check", "--fix", "--python", "venv"];
        args.extend_from_slice(extra);
        args.push("requirements.txt");
        run_in(dir.path(), &args)
    };
    fix(&[]);
    assert_eq!(read(dir.path(), "requirements.txt"), "pandas\n");
    fix(&["--unsafe-fixes"]);
    assert_eq!(read(dir.path(), "requirements.txt"), "pandas==2.2.1\n");
}

#[test]
fn a_missing_or_broken_lock_given_by_name_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "requirements.txt", "pandas\n");
    write(dir.path(), "broken/uv.lock", "[[package]\nname = 1\n");
    for (lock, message) in [
        (
            "nope.lock",
            "mlrun-lint: error: --lock nope.lock: No such file or directory (os error 2)\n",
        ),
        (
            "broken/uv.lock",
            "mlrun-lint: error: --lock broken/uv.lock:1:",
        ),
    ] {
        let output = run_in(dir.path(), &["check", "--lock", lock, "."]);
        assert_eq!(output.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&output.stderr).starts_with(message),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn the_mlrun_pin_of_the_project_makes_the_client_fix_safe() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "requirements.txt", "mlrun==1.6.4\n");
    write(
        dir.path(),
        "fn/function.yaml",
        "kind: job\nmetadata:\n  name: f\nspec:\n  image: mlrun/mlrun:1.6.4\n  build:\n    requirements:\n    - mlrun[complete]>=1.6\n",
    );
    run_in(dir.path(), &["check", "--fix", "."]);
    assert!(read(dir.path(), "fn/function.yaml").contains("- mlrun[complete]==1.6.4\n"));
}
