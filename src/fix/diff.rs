//! What `--diff` prints: the change `--fix` would make, as a unified diff.

use similar::TextDiff;

/// A unified diff from `old` to `new` with `--- a/path` / `+++ b/path` headers and
/// three lines of context, the form `git apply` and `patch -p1` take. Lines keep
/// their own endings (a CRLF file's `\r` is in the output), and a last line without
/// one is followed by `\ No newline at end of file`. Empty when nothing changes.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    // A path with control characters is quoted and escaped as git does, so the
    // header stays one line.
    let quoted = |side: &str| {
        let header = format!("{side}/{path}");
        crate::paths::quote(&header)
    };
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&quoted("a"), &quoted("b"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_snapshot() {
        let old =
            "kind: job\nmetadata:\n  name: trainer\n  tag: ''\nspec:\n  command: train.py\n  \
                   args: []\n  image: mlrun/mlrun  # the runtime\n  build:\n    base_image: \
                   mlrun/mlrun\n";
        let new = old.replace("mlrun/mlrun", "mlrun/mlrun:1.6.4");
        insta::assert_snapshot!(unified_diff("fn/function.yaml", old, &new));
    }

    #[test]
    fn crlf_and_missing_final_newline() {
        let diff = unified_diff(
            "f.yaml",
            "a: 1\r\nimage: mlrun/mlrun",
            "a: 1\r\nimage: mlrun/mlrun:1.6.4",
        );
        assert_eq!(
            diff,
            "--- a/f.yaml\n+++ b/f.yaml\n@@ -1,2 +1,2 @@\n a: 1\r\n-image: mlrun/mlrun\n\\ No newline at end of file\n+image: mlrun/mlrun:1.6.4\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn no_change_no_diff() {
        assert_eq!(unified_diff("f.yaml", "a\n", "a\n"), "");
    }
}
