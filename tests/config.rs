//! Configuration end to end: discovery per file, per-file-ignores, severity
//! overrides, excludes, and `fail-on` behaving exactly like the flag.

mod common;

use common::{check_json, run_in};
use serde_json::Value;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const UNTAGGED: &str = "kind: job\nmetadata:\n  name: f\nspec:\n  image: mlrun/mlrun\n";
const TEMPLATED: &str = "kind: job\nmetadata:\n  name: f\nspec:\n  image: ${IMAGE}\n";

/// `path code severity` of each diagnostic.
fn found(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {} {}",
                d["path"].as_str().unwrap_or_default(),
                d["code"].as_str().unwrap_or_default(),
                d["severity"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn closest_configuration_applies_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "mlrun-lint.toml", "ignore = [\"MLR201\"]\n");
    write(root, "requirements.txt", "pandas\n");
    write(root, "function.yaml", UNTAGGED);
    write(
        root,
        "sub/pyproject.toml",
        "[tool.mlrun-lint]\nselect = [\"MLR2\"]\n",
    );
    write(root, "sub/requirements.txt", "pandas\n");
    write(root, "sub/function.yaml", UNTAGGED);
    // No table: does not count, the root configuration applies.
    write(root, "other/pyproject.toml", "[project]\nname = \"x\"\n");
    write(root, "other/requirements.txt", "pandas\n");
    let (diagnostics, code) = check_json(root, &["."]);
    assert_eq!(
        found(&diagnostics),
        [
            "function.yaml MLR101 error",
            "sub/requirements.txt MLR201 error"
        ]
    );
    assert_eq!(code, 1);
    // --config replaces discovery for every file.
    let (diagnostics, _) = check_json(root, &["--config", "sub/pyproject.toml", "."]);
    assert_eq!(
        found(&diagnostics),
        [
            "other/requirements.txt MLR201 error",
            "requirements.txt MLR201 error",
            "sub/requirements.txt MLR201 error"
        ]
    );
    // The command line's --select replaces the configuration's choice.
    let (diagnostics, _) = check_json(root, &["--select", "MLR101", "sub"]);
    assert_eq!(found(&diagnostics), ["sub/function.yaml MLR101 error"]);
}

#[test]
fn per_file_ignores_and_severity_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "mlrun-lint.toml",
        "[per-file-ignores]\n\"legacy/**\" = [\"package-unpinned\"]\n\n[severity]\nMLR101 = \"warning\"\n",
    );
    write(root, "legacy/requirements.txt", "pandas\nnumpy>=1\n");
    write(root, "function.yaml", UNTAGGED);
    let (diagnostics, _) = check_json(root, &["."]);
    assert_eq!(
        found(&diagnostics),
        [
            "function.yaml MLR101 warning",
            "legacy/requirements.txt MLR202 warning"
        ]
    );
}

#[test]
fn severity_off_and_info_change_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let case = |severity: Option<&str>| {
        let case = tempfile::tempdir_in(dir.path()).unwrap();
        write(case.path(), "requirements.txt", "pandas\n");
        if let Some(severity) = severity {
            write(
                case.path(),
                ".mlrun-lint.toml",
                &format!("[severity]\npackage-unpinned = \"{severity}\"\n"),
            );
        }
        let (diagnostics, code) = check_json(case.path(), &["."]);
        (found(&diagnostics), code)
    };
    assert_eq!(
        case(None),
        (vec!["requirements.txt MLR201 error".into()], 1)
    );
    assert_eq!(
        case(Some("info")),
        (vec!["requirements.txt MLR201 info".into()], 0)
    );
    assert_eq!(case(Some("off")), (vec![], 0));
}

#[test]
fn excluded_files_are_not_read_unless_named() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "pyproject.toml",
        "[tool.mlrun-lint]\nextend-exclude = [\"legacy/\", \"*.old.yaml\"]\n",
    );
    write(root, "legacy/requirements.txt", "pandas\n");
    write(root, "fn/function.old.yaml", UNTAGGED);
    write(root, "fn/function.yaml", UNTAGGED);
    let (diagnostics, _) = check_json(root, &["."]);
    assert_eq!(found(&diagnostics), ["fn/function.yaml MLR101 error"]);
    let (diagnostics, _) = check_json(root, &["legacy/requirements.txt"]);
    assert_eq!(
        found(&diagnostics),
        ["legacy/requirements.txt MLR201 error"]
    );
    // `exclude` replaces the built-in list: a `venv` folder is then checked.
    let other = tempfile::tempdir().unwrap();
    write(other.path(), "venv/requirements.txt", "pandas\n");
    let (diagnostics, _) = check_json(other.path(), &["."]);
    assert!(diagnostics.is_empty());
    write(other.path(), "mlrun-lint.toml", "exclude = [\"build/\"]\n");
    let (diagnostics, _) = check_json(other.path(), &["."]);
    assert_eq!(found(&diagnostics), ["venv/requirements.txt MLR201 error"]);
}

/// hadolint#821: a threshold in the configuration must behave exactly like the
/// flag. For each level, every fixture exits the same both ways.
fn fail_on_matches_the_flag(level: &str) {
    let fixtures: &[(&str, &str, &str)] = &[
        ("error", "requirements.txt", "pandas\n"),
        ("warning", "requirements.txt", "pandas>=2\n"),
        ("info", "function.yaml", TEMPLATED),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut codes = Vec::new();
    for (found_level, name, text) in fixtures {
        let flag = tempfile::tempdir_in(dir.path()).unwrap();
        write(flag.path(), name, text);
        let by_flag = run_in(flag.path(), &["check", "--fail-on", level, "."]);
        let config = tempfile::tempdir_in(dir.path()).unwrap();
        write(config.path(), name, text);
        write(
            config.path(),
            "mlrun-lint.toml",
            &format!("fail-on = \"{level}\"\n"),
        );
        let by_config = run_in(config.path(), &["check", "."]);
        assert_eq!(
            by_flag.status.code(),
            by_config.status.code(),
            "{found_level} finding, fail-on {level}"
        );
        codes.push(by_config.status.code().unwrap_or(-1));
        // The flag wins over the configuration.
        let overridden = run_in(config.path(), &["check", "--fail-on", "error", "."]);
        let expected = i32::from(*found_level == "error");
        assert_eq!(overridden.status.code(), Some(expected));
    }
    let expected = match level {
        "error" => [1, 0, 0],
        "warning" => [1, 1, 0],
        _ => [1, 1, 1],
    };
    assert_eq!(codes, expected, "fail-on {level}");
}

#[test]
fn fail_on_error_in_configuration() {
    fail_on_matches_the_flag("error");
}

#[test]
fn fail_on_warning_in_configuration() {
    fail_on_matches_the_flag("warning");
}

#[test]
fn fail_on_info_in_configuration() {
    fail_on_matches_the_flag("info");
}

#[test]
fn configuration_errors_exit_2_with_their_position() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "requirements.txt", "pandas\n");
    write(
        dir.path(),
        "mlrun-lint.toml",
        "[severity]\nMLR201 = \"loud\"\n",
    );
    let output = run_in(dir.path(), &["check", "."]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "mlrun-lint: error: mlrun-lint.toml:2:10: the severity of MLR201 must be `error`, `warning`, `info` or `off`, not `loud`\n"
    );
    assert!(output.stdout.is_empty());
}
