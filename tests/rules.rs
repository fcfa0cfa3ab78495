//! Per-rule fixtures. Each folder `fixtures/rules/<CODE>/` is a small tree of real
//! file kinds; a line ending in `# expect: CODE[, CODE]` must get exactly those
//! diagnostics (any rule), and every other line none. Where a trailing comment
//! would change the line's meaning (a Dockerfile `FROM` or `ARG`, which has no
//! end-of-line comments), a comment line `# expect-next: CODE[, CODE]` says it
//! for the line below. The folder's own rule is
//! selected even when it is off by default; an optional `args` file adds flags.
//! A snapshot then pins the exact messages, help, fixes and columns.

mod common;

use common::{check_json, describe};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixture_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures/rules exists")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable") {
        let path = entry.expect("readable").path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// (path, line, code) for every `expect:` marker in the folder.
fn expected(dir: &Path) -> BTreeSet<(String, u64, String)> {
    let mut files = Vec::new();
    files_under(dir, &mut files);
    let mut expected = BTreeSet::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let relative = file
            .strip_prefix(dir)
            .expect("under the folder")
            .to_string_lossy()
            .replace('\\', "/");
        for (index, line) in text.lines().enumerate() {
            let marker = match line.split_once("expect: ") {
                Some((_, codes)) => Some((index + 1, codes)),
                None => line
                    .split_once("expect-next: ")
                    .map(|(_, codes)| (index + 2, codes)),
            };
            if let Some((line_number, codes)) = marker {
                for code in codes.split([',', ' ']).filter(|c| c.starts_with("MLR")) {
                    expected.insert((relative.clone(), line_number as u64, code.to_string()));
                }
            }
        }
    }
    expected
}

#[test]
fn every_rule_fixture_reports_exactly_its_markers() {
    let dirs = fixture_dirs();
    assert!(!dirs.is_empty());
    for dir in dirs {
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut args = vec!["--extend-select".to_string(), code.clone()];
        if let Ok(extra) = std::fs::read_to_string(dir.join("args")) {
            args.extend(extra.split_whitespace().map(str::to_string));
        }
        args.push(".".into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (diagnostics, _) = check_json(&dir, &args);
        let actual: BTreeSet<(String, u64, String)> = diagnostics
            .iter()
            .map(|d| {
                (
                    d["path"].as_str().unwrap().to_string(),
                    d["start"]["line"].as_u64().unwrap(),
                    d["code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(actual, expected(&dir), "fixtures/rules/{code}");
        assert!(
            actual.iter().any(|(_, _, c)| *c == code),
            "fixtures/rules/{code} must show {code} at least once"
        );
        insta::assert_snapshot!(format!("rule_{code}"), describe(&diagnostics));
    }
}
