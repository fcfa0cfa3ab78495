//! `--fix`, `--unsafe-fixes`, `--diff` and `--exit-non-zero-on-fix` on the real
//! binary, with the exact bytes of every fixed file asserted: a fix changes the
//! image reference and nothing else.

mod common;

use common::{code, fix, run_in, stderr, stdout};
use std::path::Path;

const HEAD: &str = "kind: job\nmetadata:\n  name: trainer\nspec:\n";

fn spec(image_line: &str) -> String {
    format!("{HEAD}{image_line}\n")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).expect("write the spec");
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).expect("read the spec")
}

/// Each spelling an image can have in a spec, before and after `--fix`.
fn cases() -> Vec<(&'static str, Vec<u8>, Vec<u8>)> {
    let crlf = |text: &str| text.replace('\n', "\r\n").into_bytes();
    let plain = spec("  image: mlrun/mlrun");
    let pinned = spec("  image: mlrun/mlrun:1.6.4");
    vec![
        (
            "double.yaml",
            spec("  image: \"mlrun/mlrun\"").into_bytes(),
            spec("  image: \"mlrun/mlrun:1.6.4\"").into_bytes(),
        ),
        (
            "single.yaml",
            spec("  image: 'mlrun/mlrun'").into_bytes(),
            spec("  image: 'mlrun/mlrun:1.6.4'").into_bytes(),
        ),
        (
            "comment.yaml",
            spec("  image: mlrun/mlrun   # the runtime, see README").into_bytes(),
            spec("  image: mlrun/mlrun:1.6.4   # the runtime, see README").into_bytes(),
        ),
        ("crlf.yaml", crlf(&plain), crlf(&pinned)),
        (
            "bom.yaml",
            format!("\u{feff}{plain}").into_bytes(),
            format!("\u{feff}{pinned}").into_bytes(),
        ),
        (
            "no-final-newline.yaml",
            plain.trim_end().as_bytes().to_vec(),
            pinned.trim_end().as_bytes().to_vec(),
        ),
        (
            "alias.yaml",
            spec("  image: &img mlrun/mlrun\n  build:\n    base_image: *img").into_bytes(),
            spec("  image: &img mlrun/mlrun:1.6.4\n  build:\n    base_image: *img").into_bytes(),
        ),
        (
            "multi.yaml",
            format!("---\n{plain}---\n# second\n{HEAD}  image: mlrun/mlrun-gpu\n").into_bytes(),
            format!("---\n{pinned}---\n# second\n{HEAD}  image: mlrun/mlrun-gpu:1.6.4\n")
                .into_bytes(),
        ),
    ]
}

#[test]
fn fix_pins_every_spelling_in_place_and_a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, before, _) in cases() {
        write(dir.path(), name, &before);
    }
    let first = fix(dir.path(), &[]);
    assert_eq!(code(&first), 0, "stderr: {}", stderr(&first));
    assert_eq!(stdout(&first), "", "nothing remains to report");
    // Two diagnostics share the alias's fix; the multi-document file has two.
    assert_eq!(stderr(&first), "Fixed 10 problems in 8 files.\n");
    for (name, _, after) in cases() {
        assert_eq!(
            String::from_utf8_lossy(&read(dir.path(), name)),
            String::from_utf8_lossy(&after),
            "{name}"
        );
    }

    let second = fix(dir.path(), &["--exit-non-zero-on-fix"]);
    assert_eq!(code(&second), 0, "stderr: {}", stderr(&second));
    assert_eq!(stderr(&second), "No fixes applied.\n");
    for (name, _, after) in cases() {
        assert_eq!(read(dir.path(), name), after, "{name}");
    }
}

#[test]
fn diff_prints_what_fix_would_write_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let before = spec("  image: \"mlrun/mlrun\"  # pinned below");
    write(dir.path(), "function.yaml", before.as_bytes());
    let args = ["check", "--mlrun-version", "1.6.4", "--diff"];
    let output = run_in(dir.path(), &args);
    assert_eq!(code(&output), 1, "stderr: {}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "--- a/function.yaml\n+++ b/function.yaml\n@@ -2,4 +2,4 @@\n metadata:\n   name: trainer\n \
         spec:\n-  image: \"mlrun/mlrun\"  # pinned below\n+  image: \"mlrun/mlrun:1.6.4\"  # pinned below\n"
    );
    assert_eq!(stderr(&output), "Would fix 1 problem in 1 file.\n");
    assert_eq!(read(dir.path(), "function.yaml"), before.as_bytes());

    // Nothing to fix: no diff, exit 0, even with findings left (no client version).
    let output = run_in(dir.path(), &["check", "--diff"]);
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "No fixes to apply.\n");
}

#[test]
fn unsafe_fixes_need_the_flag() {
    let dir = tempfile::tempdir().expect("temp dir");
    let before = spec("  image: mlrun/ml-models");
    write(dir.path(), "function.yaml", before.as_bytes());

    let safe_only = fix(dir.path(), &[]);
    assert_eq!(code(&safe_only), 1, "the findings remain");
    assert_eq!(stderr(&safe_only), "No fixes applied.\n");
    assert!(
        stdout(&safe_only).contains("MLR105"),
        "{}",
        stdout(&safe_only)
    );
    assert_eq!(read(dir.path(), "function.yaml"), before.as_bytes());

    // The rename (unsafe) comes with the pin to the client's version: one edit
    // that also settles MLR101's finding on the same image.
    let with_unsafe = fix(dir.path(), &["--unsafe-fixes"]);
    assert_eq!(code(&with_unsafe), 0, "stderr: {}", stderr(&with_unsafe));
    assert_eq!(stdout(&with_unsafe), "");
    assert_eq!(stderr(&with_unsafe), "Fixed 1 problem in 1 file.\n");
    assert_eq!(
        read(dir.path(), "function.yaml"),
        spec("  image: mlrun/mlrun:1.6.4").as_bytes()
    );
}

#[test]
fn exit_non_zero_on_fix_fails_the_run_that_rewrote() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "function.yaml",
        spec("  image: mlrun/mlrun").as_bytes(),
    );
    let first = fix(dir.path(), &["--exit-non-zero-on-fix"]);
    assert_eq!(code(&first), 1, "stderr: {}", stderr(&first));
    assert_eq!(stdout(&first), "");
    let second = fix(dir.path(), &["--exit-non-zero-on-fix"]);
    assert_eq!(code(&second), 0, "stderr: {}", stderr(&second));
}

#[test]
fn a_file_that_cannot_be_written_keeps_its_bytes_and_its_finding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let before = spec("  image: mlrun/mlrun");
    let path = dir.path().join("function.yaml");
    write(dir.path(), "function.yaml", before.as_bytes());
    let mut permissions = std::fs::metadata(&path).expect("stat").permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&path, permissions).expect("chmod");

    let output = fix(dir.path(), &[]);
    assert_eq!(code(&output), 1, "the finding remains");
    assert_eq!(
        stderr(&output),
        "mlrun-lint: warning: function.yaml: fixes not written: it is read-only\n\
         No fixes applied.\n"
    );
    assert!(stdout(&output).contains("MLR101"), "{}", stdout(&output));
    assert_eq!(read(dir.path(), "function.yaml"), before.as_bytes());
}

#[test]
fn moving_and_mismatched_mlrun_tags_are_rewritten_only_with_unsafe_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let before = "kind: job\nmetadata:\n  name: t\nspec:\n  image: 'mlrun/mlrun:latest'  # MLR103\n  build:\n    base_image: quay.io/mlrun/mlrun:1.5.2\r\n";
    let after = "kind: job\nmetadata:\n  name: t\nspec:\n  image: 'mlrun/mlrun:1.6.4'  # MLR103\n  build:\n    base_image: quay.io/mlrun/mlrun:1.6.4\r\n";
    write(dir.path(), "function.yaml", before.as_bytes());
    // Both change what runs: --fix alone leaves them.
    let safe = fix(dir.path(), &[]);
    assert_eq!(stderr(&safe), "No fixes applied.\n");
    assert_eq!(read(dir.path(), "function.yaml"), before.as_bytes());
    let unsafe_run = fix(dir.path(), &["--unsafe-fixes"]);
    assert_eq!(stderr(&unsafe_run), "Fixed 2 problems in 1 file.\n");
    assert_eq!(read(dir.path(), "function.yaml"), after.as_bytes());
}

#[test]
fn an_unused_noqa_is_removed_and_a_used_one_kept() {
    let dir = tempfile::tempdir().unwrap();
    let before = "pandas==2.2.2  # noqa: MLR201\nnumpy  # noqa: MLR201 tested on every release\n";
    write(dir.path(), "requirements.txt", before.as_bytes());
    let output = run_in(
        dir.path(),
        &["check", "--fix", "--extend-select", "MLR004", "."],
    );
    assert_eq!(stderr(&output), "Fixed 1 problem in 1 file.\n");
    assert_eq!(
        read(dir.path(), "requirements.txt"),
        b"pandas==2.2.2\nnumpy  # noqa: MLR201 tested on every release\n"
    );
}

/// `--fix` fixes files as each round of checking finishes them and reports
/// the files of the last round only: what is left, once, after every rewrite.
#[test]
fn the_report_is_what_the_last_round_left_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "a.yaml",
        spec("  image: mlrun/mlrun").as_bytes(),
    );
    write(dir.path(), "b.yaml", spec("  image: python").as_bytes());
    let gpu = spec("  image: &i mlrun/mlrun-gpu\n  build:\n    base_image: *i");
    write(dir.path(), "c.yaml", gpu.as_bytes());
    for (flags, report) in [
        (&[][..], "b.yaml:5:10: MLR102 image `python` has no tag\n"),
        (&["--statistics"][..], "1\tMLR102\t[ ] image-untagged\n"),
    ] {
        let fixed = tempfile::tempdir().expect("temp dir");
        for name in ["a.yaml", "b.yaml", "c.yaml"] {
            write(fixed.path(), name, &read(dir.path(), name));
        }
        let run = fix(fixed.path(), flags);
        assert_eq!(code(&run), 1, "stderr: {}", stderr(&run));
        assert_eq!(stdout(&run), report, "{flags:?}");
        assert_eq!(stderr(&run), "Fixed 3 problems in 2 files.\n");
        assert_eq!(
            read(fixed.path(), "a.yaml"),
            spec("  image: mlrun/mlrun:1.6.4").into_bytes()
        );
        let pinned = spec("  image: &i mlrun/mlrun-gpu:1.6.4\n  build:\n    base_image: *i");
        assert_eq!(read(fixed.path(), "c.yaml"), pinned.into_bytes());
    }
}
