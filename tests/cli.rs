//! The command line end to end: exit codes, output formats on the demo project,
//! `rule` and `rules`.

mod common;

use common::{run_in, stdout};
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn write(dir: &Path, name: &str, text: &[u8]) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const UNTAGGED: &str = "kind: job\nmetadata:\n  name: f\nspec:\n  image: mlrun/mlrun\n";
const PINNED: &str = "kind: job\nmetadata:\n  name: f\nspec:\n  image: mlrun/mlrun:1.6.4\n";
const DEPRECATED: &str = "kind: job\nmetadata:\n  name: f\nspec:\n  image: mlrun/ml-base:1.6.4\n";
const TEMPLATED: &str = "kind: job\nmetadata:\n  name: f\nspec:\n  image: ${IMAGE}\n";

#[test]
fn demo_output_formats() {
    for format in ["full", "concise", "json"] {
        let output = run_in(
            repo(),
            &["check", "--output-format", format, "fixtures/demo"],
        );
        assert_eq!(output.status.code(), Some(1), "{format}");
        insta::assert_snapshot!(format!("demo_{format}"), stdout(&output));
    }
}

/// Every contract format name is accepted, and a clean run still writes a
/// well-formed report (CI uploads it whatever the result).
#[test]
fn every_output_format_name_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "function.yaml", PINNED.as_bytes());
    let clean = |format: &str| {
        let output = run_in(dir.path(), &["check", "--output-format", format, "."]);
        assert_eq!(output.status.code(), Some(0), "{format}");
        stdout(&output)
    };
    assert_eq!(clean("json-lines"), "");
    assert_eq!(clean("github"), "");
    assert_eq!(clean("gitlab"), "[]\n");
    let sarif: serde_json::Value = serde_json::from_str(&clean("sarif")).unwrap();
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    let junit = clean("junit");
    assert!(junit.contains("<testsuite name=\"mlrun-lint\" tests=\"1\" failures=\"0\""));
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let code = |files: &[(&str, &str)], args: &[&str]| {
        let case = tempfile::tempdir_in(dir.path()).unwrap();
        for (name, text) in files {
            write(case.path(), name, text.as_bytes());
        }
        let mut all = vec!["check", "--output-format", "concise"];
        all.extend_from_slice(args);
        all.push(".");
        run_in(case.path(), &all).status.code()
    };
    assert_eq!(code(&[("function.yaml", PINNED)], &[]), Some(0));
    assert_eq!(code(&[("function.yaml", UNTAGGED)], &[]), Some(1));
    assert_eq!(
        code(&[("function.yaml", UNTAGGED)], &["--exit-zero"]),
        Some(0)
    );
    // A warning fails at the default threshold (warning) but not at `error`.
    assert_eq!(code(&[("function.yaml", DEPRECATED)], &[]), Some(1));
    assert_eq!(
        code(&[("function.yaml", DEPRECATED)], &["--fail-on", "error"]),
        Some(0)
    );
    // Info findings fail only at `--fail-on info` (inclusive).
    assert_eq!(code(&[("function.yaml", TEMPLATED)], &[]), Some(0));
    assert_eq!(
        code(&[("function.yaml", TEMPLATED)], &["--fail-on", "info"]),
        Some(1)
    );
    // Ignoring the only finding's rule passes.
    assert_eq!(
        code(&[("function.yaml", UNTAGGED)], &["--ignore", "MLR101"]),
        Some(0)
    );
    assert_eq!(
        code(&[("function.yaml", UNTAGGED)], &["--select", "MLR102"]),
        Some(0)
    );
    assert_eq!(
        code(
            &[("function.yaml", UNTAGGED)],
            &[
                "--ignore",
                "MLR1",
                "--extend-select",
                "mlrun-image-untagged"
            ]
        ),
        Some(1)
    );
}

#[test]
fn errors_of_use_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["check", "does-not-exist"],
        vec!["check", "--select", "MLR999", "."],
        vec!["check", "--mlrun-version", "one.two", "."],
        vec!["check", "--output-format", "xml", "."],
        vec!["rule", "MLR999"],
        vec!["no-such-command"],
    ] {
        let output = run_in(dir.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn gitignore_and_default_excludes_are_respected_unless_no_ignore() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitignore", b"generated/\n");
    write(dir.path(), "generated/function.yaml", UNTAGGED.as_bytes());
    write(
        dir.path(),
        ".venv/lib/python3.11/site-packages/x/function.yaml",
        UNTAGGED.as_bytes(),
    );
    write(
        dir.path(),
        "node_modules/x/function.yaml",
        UNTAGGED.as_bytes(),
    );
    write(dir.path(), "src/function.yaml", UNTAGGED.as_bytes());
    let concise = |args: &[&str]| {
        let mut all = vec!["check", "--output-format", "concise"];
        all.extend_from_slice(args);
        stdout(&run_in(dir.path(), &all))
    };
    assert_eq!(
        concise(&["."]),
        "src/function.yaml:5:10: MLR101 MLRun image `mlrun/mlrun` has no tag\n"
    );
    // A file named explicitly is checked even though .gitignore excludes it.
    assert!(
        concise(&["generated/function.yaml"]).starts_with("generated/function.yaml:5:10: MLR101")
    );
    let all = concise(&["--no-ignore", "."]);
    assert_eq!(all.lines().count(), 4, "{all}");
}

/// Git ignores only untracked files: a tracked file an ignore file matches is
/// committed and deployed, so it is checked; an untracked one beside it is not.
#[test]
fn files_git_tracks_are_checked_even_when_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir.path())
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    write(
        dir.path(),
        "app/generated/tracked/function.yaml",
        UNTAGGED.as_bytes(),
    );
    write(dir.path(), "app/.venv/function.yaml", UNTAGGED.as_bytes());
    git(&["add", "app"]);
    git(&["commit", "-qm", "specs"]);
    write(dir.path(), ".gitignore", b"generated/\n");
    write(
        dir.path(),
        "app/generated/untracked/function.yaml",
        UNTAGGED.as_bytes(),
    );
    write(dir.path(), "app/src/function.yaml", UNTAGGED.as_bytes());
    let concise = |folder: &str| {
        stdout(&run_in(
            &dir.path().join(folder),
            &["check", "--output-format", "concise", "."],
        ))
    };
    // The built-in excludes (`.venv`) still hold; only ignore files give way.
    assert_eq!(
        concise("."),
        "app/generated/tracked/function.yaml:5:10: MLR101 MLRun image `mlrun/mlrun` has no tag\n\
         app/src/function.yaml:5:10: MLR101 MLRun image `mlrun/mlrun` has no tag\n"
    );
    // From a folder below the repository's top, too.
    assert_eq!(
        concise("app"),
        "generated/tracked/function.yaml:5:10: MLR101 MLRun image `mlrun/mlrun` has no tag\n\
         src/function.yaml:5:10: MLR101 MLRun image `mlrun/mlrun` has no tag\n"
    );
    // Removed from the work tree but still in the index: nothing to read.
    std::fs::remove_file(dir.path().join("app/generated/tracked/function.yaml")).unwrap();
    assert_eq!(
        concise("."),
        "app/src/function.yaml:5:10: MLR101 MLRun image `mlrun/mlrun` has no tag\n"
    );
}

#[test]
fn unreadable_candidates_are_reported_not_skipped_silently() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad/function.yaml",
        b"kind: job\nspec:\n  image: \xff\xfe\n",
    );
    write(dir.path(), "notes.txt", b"not a candidate\n");
    let output = run_in(dir.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(
        stdout(&output),
        "bad/function.yaml:3:10: MLR003 not checked: the file is not UTF-8 text\n"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn rule_pages_and_list() {
    let list = stdout(&run_in(repo(), &["rules"]));
    insta::assert_snapshot!("rules_text", list);
    let json = stdout(&run_in(repo(), &["rules", "--output-format", "json"]));
    insta::assert_snapshot!("rules_json", json);
    let page = stdout(&run_in(repo(), &["rule", "MLR101"]));
    assert!(
        page.starts_with("# MLR101 mlrun-image-untagged\n"),
        "{page}"
    );
    assert_eq!(
        stdout(&run_in(repo(), &["rule", "mlrun-image-untagged"])),
        page
    );
}

#[test]
fn a_file_named_alone_is_judged_in_its_projects_scope() {
    // What a pre-commit hook or an editor does: name one changed file.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "project.yaml",
        b"kind: project\nmetadata:\n  name: p\nspec:\n  default_image: acme/base:1.0\n  functions: []\n",
    );
    write(dir.path(), "requirements.txt", b"mlrun==1.6.4\npandas\n");
    write(
        dir.path(),
        "fns/train/function.yaml",
        b"kind: job\nmetadata:\n  name: train\nspec:\n  image: ''\n---\nkind: job\nmetadata:\n  name: old\nspec:\n  image: mlrun/mlrun:1.5.2\n",
    );
    let output = run_in(
        dir.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "fns/train/function.yaml",
        ],
    );
    // No MLR107 (the project gives a default image), MLR104 against the pinned
    // client, and nothing from the context files themselves (pandas is unpinned).
    assert_eq!(
        stdout(&output),
        "fns/train/function.yaml:11:10: MLR104 MLRun image `mlrun/mlrun:1.5.2` runs MLRun \
         1.5.2, not the client's 1.6.4\n"
    );
}
