//! The cache of warm runs (`.mlrun_lint_cache`): a warm run reports exactly what
//! a cold one does, whatever state the cache is in, and `clean` removes it.

mod common;

use common::{run_cached_in, stderr, stdout, BIN};
use std::fs;
use std::path::Path;
use std::process::Command;

const CACHE_DIR: &str = ".mlrun_lint_cache";
const CACHE_FILE: &str = ".mlrun_lint_cache/facts.bin";

/// `mlrun-lint ARGS` in `dir`, with the cache.
fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    run_cached_in(dir, args, true)
}

/// A small project of every kind of file, with findings of each and one
/// suppressed, so facts, cells and `# noqa` all come through the cache.
fn project(dir: &Path) {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    for entry in ["project.yaml", "requirements.txt"] {
        fs::copy(demo.join(entry), dir.join(entry)).unwrap();
    }
    for function in ["prep", "serve", "train"] {
        let to = dir.join("functions").join(function);
        fs::create_dir_all(&to).unwrap();
        fs::copy(
            demo.join("functions").join(function).join("function.yaml"),
            to.join("function.yaml"),
        )
        .unwrap();
    }
    fs::write(
        dir.join("Dockerfile"),
        "FROM python:3.11\nRUN pip install pandas  # noqa: MLR201\nRUN pip install numpy\n",
    )
    .unwrap();
    fs::write(
        dir.join("deploy.py"),
        "import mlrun\nproject = mlrun.get_or_create_project('p')\n\
         project.set_function('f.py', name='f', image='mlrun/mlrun')\n",
    )
    .unwrap();
    fs::write(
        dir.join("explore.ipynb"),
        r#"{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
  "source": ["%pip install scikit-learn\n", "import mlrun\n"]}],
 "metadata": {}, "nbformat": 4, "nbformat_minor": 5}"#,
    )
    .unwrap();
}

/// `check --output-format json` in `dir` with `extra` flags: (stdout, exit code).
fn check(dir: &Path, extra: &[&str]) -> (String, i32) {
    let mut args = vec!["check", "--output-format", "json"];
    args.extend_from_slice(extra);
    let output = run_in(dir, &args);
    let code = output.status.code().expect("exited normally");
    assert!(code == 0 || code == 1, "exit {code}: {}", stderr(&output));
    (stdout(&output), code)
}

/// What a run that neither reads nor writes the cache reports.
fn uncached(dir: &Path) -> (String, i32) {
    check(dir, &["--no-cache"])
}

#[test]
fn a_warm_run_reports_what_a_cold_one_does() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let expected = uncached(dir.path());
    assert!(!dir.path().join(CACHE_DIR).exists(), "--no-cache wrote one");
    assert!(expected.0.contains("MLR201"), "{}", expected.0);
    let cold = check(dir.path(), &[]);
    assert_eq!(cold, expected);
    assert!(dir.path().join(CACHE_FILE).is_file());
    assert_eq!(
        fs::read_to_string(dir.path().join(CACHE_DIR).join(".gitignore")).unwrap(),
        "# Created by mlrun-lint\n*\n"
    );
    let written = fs::read(dir.path().join(CACHE_FILE)).unwrap();
    let warm = check(dir.path(), &[]);
    assert_eq!(warm, expected);
    // Nothing changed: the cache is not written again.
    assert_eq!(fs::read(dir.path().join(CACHE_FILE)).unwrap(), written);
    // The full report (source lines, notebook cells) agrees too.
    let full = |extra: &[&str]| {
        let mut args = vec!["check"];
        args.extend_from_slice(extra);
        stdout(&run_in(dir.path(), &args))
    };
    assert_eq!(full(&[]), full(&["--no-cache"]));
}

#[test]
fn a_file_changed_since_the_last_run_is_read_again() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    check(dir.path(), &[]);
    same_size_same_time_is_read_again(dir.path());
}

/// A tree whose files all got new times but kept their texts (a fresh
/// checkout, a CI cache restored) is taken from the cache by the texts' hashes:
/// the same report, and the entries written again with the new times.
#[test]
fn a_touched_tree_is_recorded_anew_and_reports_the_same() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let expected = uncached(dir.path());
    assert_eq!(check(dir.path(), &[]), expected);
    let written = fs::read(dir.path().join(CACHE_FILE)).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    for name in [
        "project.yaml",
        "requirements.txt",
        "Dockerfile",
        "deploy.py",
        "explore.ipynb",
    ] {
        fs::File::options()
            .write(true)
            .open(dir.path().join(name))
            .unwrap()
            .set_modified(later)
            .unwrap();
    }
    assert_eq!(check(dir.path(), &[]), expected);
    assert_ne!(fs::read(dir.path().join(CACHE_FILE)).unwrap(), written);
    assert_eq!(check(dir.path(), &[]), expected);
}

/// Files left alone two seconds before a run are taken from the cache by their
/// size and times, unread: a warm run still reports what a cold one does, and
/// a file rewritten at the same size with its modification time put back is
/// still read again (its status change time moved).
#[test]
fn a_settled_tree_is_taken_unread_and_a_rewrite_still_seen() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let expected = uncached(dir.path());
    assert_eq!(check(dir.path(), &[]), expected);
    let written = fs::read(dir.path().join(CACHE_FILE)).unwrap();
    assert_eq!(check(dir.path(), &[]), expected);
    assert_eq!(fs::read(dir.path().join(CACHE_FILE)).unwrap(), written);
    if cfg!(unix) {
        same_size_same_time_is_read_again(dir.path());
    }
}

/// Rewrites the Dockerfile of [`project`] at the same size and modification
/// time, adds a file and removes one: a warm run sees all three.
fn same_size_same_time_is_read_again(dir: &Path) {
    let dockerfile = dir.join("Dockerfile");
    let modified = fs::metadata(&dockerfile).unwrap().modified().unwrap();
    // The same size and, put back, the same modification time: only the text
    // differs.
    let before = fs::read_to_string(&dockerfile).unwrap();
    let after = before.replace("numpy", "scipy");
    assert_eq!(before.len(), after.len());
    fs::write(&dockerfile, &after).unwrap();
    fs::File::options()
        .write(true)
        .open(&dockerfile)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    let warm = check(dir, &[]);
    assert!(warm.0.contains("scipy") && !warm.0.contains("numpy"));
    assert_eq!(warm, uncached(dir));
    // A file added and one removed.
    fs::write(dir.join("requirements-dev.txt"), "pytest\n").unwrap();
    fs::remove_file(dir.join("deploy.py")).unwrap();
    let warm = check(dir, &[]);
    assert!(warm.0.contains("pytest") && !warm.0.contains("deploy.py"));
    assert_eq!(warm, uncached(dir));
}

#[test]
fn a_garbage_or_truncated_cache_is_ignored_and_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let expected = uncached(dir.path());
    check(dir.path(), &[]);
    let good = fs::read(dir.path().join(CACHE_FILE)).unwrap();
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    for bad in [
        b"garbage".to_vec(),
        Vec::new(),
        good[..good.len() / 3].to_vec(),
        flipped,
    ] {
        fs::write(dir.path().join(CACHE_FILE), &bad).unwrap();
        assert_eq!(check(dir.path(), &[]), expected);
        assert_eq!(fs::read(dir.path().join(CACHE_FILE)).unwrap(), good);
    }
}

#[test]
fn a_cache_that_cannot_be_written_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let expected = uncached(dir.path());
    // A file where the folder should be: nothing can be written under it,
    // whoever runs the check (root included).
    fs::write(dir.path().join(CACHE_DIR), "not a folder").unwrap();
    assert_eq!(check(dir.path(), &[]), expected);
    assert_eq!(
        fs::read_to_string(dir.path().join(CACHE_DIR)).unwrap(),
        "not a folder"
    );
    fs::remove_file(dir.path().join(CACHE_DIR)).unwrap();
    // A read-only folder (which stops writes unless the check runs as root).
    check(dir.path(), &[]);
    let cache = dir.path().join(CACHE_DIR);
    set_read_only(&cache, true);
    fs::write(dir.path().join("requirements-dev.txt"), "pytest\n").unwrap();
    let warm = check(dir.path(), &[]);
    set_read_only(&cache, false);
    assert_eq!(warm, uncached(dir.path()));
}

fn set_read_only(path: &Path, read_only: bool) {
    let mut permissions = fs::metadata(path).unwrap().permissions();
    permissions.set_readonly(read_only);
    fs::set_permissions(path, permissions).unwrap();
}

#[test]
fn two_runs_at_once_share_the_cache_safely() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let expected = uncached(dir.path());
    for _ in 0..3 {
        let spawn = || {
            Command::new(BIN)
                .args(["check", "--output-format", "json"])
                .current_dir(dir.path())
                .env("NO_COLOR", "1")
                .env_remove("MLRUN_LINT_NO_CACHE")
                .output()
                .unwrap()
        };
        let (first, second) = std::thread::scope(|scope| {
            let first = scope.spawn(spawn);
            let second = scope.spawn(spawn);
            (first.join().unwrap(), second.join().unwrap())
        });
        for output in [first, second] {
            assert_eq!((stdout(&output), output.status.code().unwrap()), expected);
        }
        fs::remove_dir_all(dir.path().join(CACHE_DIR)).unwrap();
    }
}

#[test]
fn the_environment_variable_turns_the_cache_off() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let output = common::run_in(dir.path(), &["check", "--output-format", "json"]);
    assert_eq!(stdout(&output), uncached(dir.path()).0);
    assert!(!dir.path().join(CACHE_DIR).exists());
}

#[test]
fn clean_removes_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    check(dir.path(), &[]);
    assert!(dir.path().join(CACHE_DIR).is_dir());
    let cleaned = run_in(dir.path(), &["clean"]);
    assert_eq!(cleaned.status.code(), Some(0));
    assert_eq!(stderr(&cleaned), "Removed the cache at .mlrun_lint_cache\n");
    assert!(!dir.path().join(CACHE_DIR).exists());
    let again = run_in(dir.path(), &["clean"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        stderr(&again),
        "No cache to remove (.mlrun_lint_cache is not here)\n"
    );
}
