//! Paths: how files are named to users, and when two names are one file.
//!
//! One place, so discovery, the include graph, configuration and every report agree.

use std::path::{Component, Path, PathBuf};

/// The path as users see it: relative to the working directory when under it,
/// with `/` separators on every platform.
pub fn display(path: &Path, cwd: &Path) -> String {
    let relative = if path.is_absolute() {
        path.strip_prefix(cwd).unwrap_or(path)
    } else {
        path
    };
    let shown: Vec<String> = relative
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| escaped(c.as_os_str()))
        .collect();
    let joined = shown.join("/");
    if path.is_absolute() && relative == path {
        // Outside the working directory: keep it absolute.
        format!("/{}", joined.trim_start_matches('/'))
    } else {
        joined
    }
}

/// A path component as text: itself when it is UTF-8, else its valid parts with
/// each invalid byte as `\xNN`, so two such names stay apart in a report and the
/// name can be recognised (`caf\xe9.yaml`), where a lossy `�` would hide both.
fn escaped(component: &std::ffi::OsStr) -> String {
    if let Some(text) = component.to_str() {
        return text.to_string();
    }
    let bytes = component.as_encoded_bytes();
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out
}

/// `a/./b/../c` → `a/c`, without touching the disk (symlinks are not resolved,
/// so the same file is known by the path the user sees).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// What makes two paths the same file: the canonical path when the file exists
/// (`../x/requirements.txt` and `requirements.txt` are one file, read once).
pub fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path))
}

/// Whether two paths name the same file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    identity(a) == identity(b)
}

/// A path as it can be shown on one line: unchanged when it is plain, else in
/// double quotes with control characters, quotes and backslashes escaped
/// (`"a\nb.yaml"`), so a file name cannot forge or break a line of output.
pub fn quote(path: &str) -> String {
    let plain = path
        .chars()
        .all(|c| !c.is_control() && c != '"' && c != '\\' && c != '\u{fffd}');
    if plain && !path.is_empty() {
        return path.to_string();
    }
    let mut quoted = String::from("\"");
    for c in path.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.extend(c.escape_default()),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_are_relative_with_slashes() {
        let cwd = Path::new("/work/repo");
        assert_eq!(display(Path::new("/work/repo/a/b.yaml"), cwd), "a/b.yaml");
        assert_eq!(display(Path::new("./a/b.yaml"), cwd), "a/b.yaml");
        assert_eq!(
            display(Path::new("/elsewhere/x.yaml"), cwd),
            "/elsewhere/x.yaml"
        );
    }

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("../x/./y")), PathBuf::from("../x/y"));
    }

    #[test]
    fn quoting_escapes_what_could_break_a_line() {
        assert_eq!(quote("a/b.yaml"), "a/b.yaml");
        assert_eq!(quote("a\nb.yaml"), "\"a\\nb.yaml\"");
        assert_eq!(quote("a\x1b[31m.txt"), "\"a\\u{1b}[31m.txt\"");
        assert_eq!(quote("say \"hi\".txt"), "\"say \\\"hi\\\".txt\"");
    }
}
