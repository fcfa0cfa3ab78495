//! Snapshots of every format on one hand-built set of findings that covers the
//! awkward cases (non-ASCII before a span, CRLF, tabs, a long line, empty spans,
//! a span at the end of the file, an empty file), plus exact checks of the contract.

use super::*;
use crate::diagnostic::{Edit, Fix};
use crate::span::Span;
use std::sync::Arc;

/// The byte span of the `nth` (0-based) occurrence of `needle` in `text`.
fn find(text: &str, needle: &str, nth: usize) -> Span {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} not in the fixture"))
        .0;
    Span::new(start, start + needle.len())
}

fn diagnostic(
    code: &'static str,
    rule: &'static str,
    severity: Severity,
    span: Span,
) -> Diagnostic {
    Diagnostic {
        code,
        rule,
        severity,
        span,
        message: String::new(),
        help: None,
        fix: None,
    }
}

const FUNCTION_YAML: &str = concat!(
    "kind: job\n",
    "metadata:\n",
    "  name: trainer\n",
    "  labels: {owner: \"José Ñúñez\", base: \"mlrun/ml-models\"}\n",
    "spec:\n",
    "  image: mlrun/mlrun\n",
    "  build:\n",
    "    base_image: python:latest\n",
    "    commands:\n",
    "    - pip install --index-url https://pypi.example.com/simple/ --extra-index-url ",
    "https://mirror.example.com/pypi/simple/ --trusted-host mirror.example.com ",
    "requests==2.32.3 pandas\n",
);

const REQUIREMENTS: &str = "pandas>=2.0\r\n\tnumpy  # tab-indented\r\nscikit-learn";

fn function_yaml() -> FileDiagnostics {
    let text = FUNCTION_YAML;
    let image = find(text, "mlrun/mlrun", 0);
    let latest = find(text, "latest", 0);
    let diagnostics = vec![
        Diagnostic {
            message: "MLRun image `mlrun/ml-models` was removed in MLRun 1.5.0".into(),
            help: Some("Use `mlrun/mlrun` with the version the project runs with".into()),
            ..diagnostic(
                "MLR105",
                "mlrun-image-deprecated",
                Severity::Warning,
                find(text, "mlrun/ml-models", 0),
            )
        },
        Diagnostic {
            message: "MLRun image `mlrun/mlrun` has no tag: it follows the client version".into(),
            help: Some("Pin the image to the MLRun version the project runs with".into()),
            fix: Some(Fix {
                message: "Pin the image to `mlrun/mlrun:1.6.4`".into(),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    span: Span::at(image.end),
                    content: ":1.6.4".into(),
                }],
            }),
            ..diagnostic("MLR101", "mlrun-image-untagged", Severity::Error, image)
        },
        Diagnostic {
            message: "Image `python:latest` uses the moving tag `latest`".into(),
            fix: Some(Fix {
                message: "Replace `latest` with `3.11`, the version it resolves to today".into(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    span: latest,
                    content: "3.11".into(),
                }],
            }),
            ..diagnostic("MLR103", "image-mutable-tag", Severity::Error, latest)
        },
        Diagnostic {
            message: "The build installs whatever MLRun client version submits it".into(),
            help: Some("Add `mlrun==X.Y.Z` to the build's requirements".into()),
            fix: Some(Fix {
                message: "Add the project's MLRun client, `mlrun==1.6.4`".into(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    span: Span::at(find(text, "    commands:", 0).start),
                    content: "    with_mlrun: true\n    requirements:\n    - mlrun==1.6.4\n".into(),
                }],
            }),
            ..diagnostic(
                "MLR207",
                "build-mlrun-version-implicit",
                Severity::Warning,
                Span::new(find(text, "build:", 0).start, latest.end),
            )
        },
        Diagnostic {
            message: "Package `pandas` has no version specifier".into(),
            help: Some("Pin it exactly: `pandas==X.Y.Z`".into()),
            ..diagnostic(
                "MLR201",
                "package-unpinned",
                Severity::Error,
                find(text, "pandas", 0),
            )
        },
    ];
    FileDiagnostics::new("project/function.yaml".into(), Arc::from(text), diagnostics)
}

fn requirements() -> FileDiagnostics {
    let text = REQUIREMENTS;
    let diagnostics = vec![
        Diagnostic {
            message: "Package `pandas` admits more than one release (`>=2.0`)".into(),
            help: Some("Pin it exactly: `pandas==2.2.3`".into()),
            fix: Some(Fix {
                message: "Pin `pandas==2.2.3`".into(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    span: find(text, ">=2.0", 0),
                    content: "==2.2.3".into(),
                }],
            }),
            ..diagnostic(
                "MLR202",
                "package-not-exact",
                Severity::Warning,
                find(text, "pandas>=2.0", 0),
            )
        },
        Diagnostic {
            message: "Package `numpy` has no version specifier".into(),
            ..diagnostic(
                "MLR201",
                "package-unpinned",
                Severity::Error,
                find(text, "numpy", 0),
            )
        },
        Diagnostic {
            message: "Package `scikit-learn` has no version specifier".into(),
            help: Some("Pin it exactly: `scikit-learn==X.Y.Z`".into()),
            ..diagnostic(
                "MLR201",
                "package-unpinned",
                Severity::Error,
                find(text, "scikit-learn", 0),
            )
        },
        Diagnostic {
            message: "No lock file pins this requirements file".into(),
            ..diagnostic(
                "MLR108",
                "image-tag-unverifiable",
                Severity::Info,
                Span::at(text.len()),
            )
        },
    ];
    FileDiagnostics::new("requirements.txt".into(), Arc::from(text), diagnostics)
}

fn skipped() -> FileDiagnostics {
    let diagnostics = vec![Diagnostic {
        message: "File not checked: it is not UTF-8".into(),
        ..diagnostic("MLR003", "file-skipped", Severity::Warning, Span::at(0))
    }];
    FileDiagnostics::new("data/blob.yaml".into(), Arc::from(""), diagnostics)
}

/// Given out of order on purpose: reporters sort.
fn fixture() -> Vec<FileDiagnostics> {
    vec![requirements(), function_yaml(), skipped()]
}

fn rendered(files: &[FileDiagnostics], format: OutputFormat, color: bool) -> String {
    let mut out = Vec::new();
    render(files, format, color, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn full_snapshot() {
    insta::assert_snapshot!(rendered(&fixture(), OutputFormat::Full, false));
}

#[test]
fn concise_snapshot() {
    insta::assert_snapshot!(rendered(&fixture(), OutputFormat::Concise, false));
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(rendered(&fixture(), OutputFormat::Json, false));
}

#[test]
fn concise_is_exactly_path_line_column_code_message() {
    let output = rendered(&[function_yaml()], OutputFormat::Concise, true);
    assert_eq!(
        output.lines().nth(1),
        Some(
            "project/function.yaml:6:10: MLR101 MLRun image `mlrun/mlrun` has no tag: it follows the client version"
        )
    );
    assert_eq!(output.lines().count(), 5, "no summary or blank lines");
}

#[test]
fn concise_keeps_a_multi_line_message_on_one_line() {
    let text = "a: [\n";
    let file = FileDiagnostics::new(
        "broken.yaml".into(),
        Arc::from(text),
        vec![Diagnostic {
            message: "did not find expected node\n  at line 2\n".into(),
            ..diagnostic("MLR001", "parse-error", Severity::Error, Span::at(5))
        }],
    );
    assert_eq!(
        rendered(&[file], OutputFormat::Concise, false),
        "broken.yaml:2:1: MLR001 did not find expected node at line 2\n"
    );
}

#[test]
fn json_has_exactly_the_contract_keys() {
    let output = rendered(&fixture(), OutputFormat::Json, false);
    let value: serde_json::Value = serde_json::from_str(&output).unwrap();
    let array = value.as_array().unwrap();
    assert_eq!(array.len(), 10);
    let keys = |value: &serde_json::Value| -> Vec<String> {
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    let position_keys = ["column", "line"];
    for object in array {
        assert_eq!(
            keys(object),
            ["code", "end", "fix", "help", "message", "path", "rule", "severity", "start"]
        );
        assert_eq!(keys(&object["start"]), position_keys);
        assert_eq!(keys(&object["end"]), position_keys);
        let fix = &object["fix"];
        if !fix.is_null() {
            assert_eq!(keys(fix), ["applicability", "edits", "message"]);
            for edit in fix["edits"].as_array().unwrap() {
                assert_eq!(keys(edit), ["content", "end", "start"]);
                assert_eq!(keys(&edit["start"]), position_keys);
            }
        }
    }
    let unsafe_fix = array
        .iter()
        .find(|object| object["code"] == "MLR202")
        .unwrap();
    assert_eq!(unsafe_fix["fix"]["applicability"], "unsafe");
    assert!(array.iter().any(|object| object["help"].is_null()));
}

#[test]
fn json_of_nothing_is_an_empty_array() {
    assert_eq!(rendered(&[], OutputFormat::Json, false), "[]\n");
    assert_eq!(
        rendered(&[skipped_free()], OutputFormat::Json, false),
        "[]\n"
    );
}

fn skipped_free() -> FileDiagnostics {
    FileDiagnostics::new("clean.yaml".into(), Arc::from("image: a:1\n"), Vec::new())
}

#[test]
fn every_format_sorts_by_path_line_column_code() {
    let text = "image: x\n";
    let mut late = diagnostic(
        "MLR103",
        "image-mutable-tag",
        Severity::Error,
        Span::new(7, 8),
    );
    late.message = "late".into();
    let mut same_place = diagnostic("MLR102", "image-untagged", Severity::Error, Span::new(7, 8));
    same_place.message = "same place, lower code".into();
    let early = diagnostic(
        "MLR107",
        "image-implicit-default",
        Severity::Warning,
        Span::at(0),
    );
    let b = FileDiagnostics::new(
        "b.yaml".into(),
        Arc::from(text),
        vec![late, same_place, early],
    );
    let a = FileDiagnostics::new(
        "a.yaml".into(),
        Arc::from(text),
        vec![diagnostic(
            "MLR201",
            "package-unpinned",
            Severity::Error,
            Span::at(3),
        )],
    );
    let expected = [
        ("a.yaml", 1, 4, "MLR201"),
        ("b.yaml", 1, 1, "MLR107"),
        ("b.yaml", 1, 8, "MLR102"),
        ("b.yaml", 1, 8, "MLR103"),
    ];
    let files = [b, a];
    let json: serde_json::Value =
        serde_json::from_str(&rendered(&files, OutputFormat::Json, false)).unwrap();
    let from_json: Vec<(&str, u64, u64, &str)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|object| {
            (
                object["path"].as_str().unwrap(),
                object["start"]["line"].as_u64().unwrap(),
                object["start"]["column"].as_u64().unwrap(),
                object["code"].as_str().unwrap(),
            )
        })
        .collect();
    let expected_json: Vec<(&str, u64, u64, &str)> = expected
        .iter()
        .map(|&(path, line, column, code)| (path, line, column, code))
        .collect();
    assert_eq!(from_json, expected_json);
    let concise = rendered(&files, OutputFormat::Concise, false);
    let from_concise: Vec<String> = concise
        .lines()
        .map(|line| line.split(' ').next().unwrap().to_string())
        .collect();
    let expected_concise: Vec<String> = expected
        .iter()
        .map(|(path, line, column, _)| format!("{path}:{line}:{column}:"))
        .collect();
    assert_eq!(from_concise, expected_concise);
}

/// `full` finds its own lines and columns inside the excerpt it draws; they must be
/// the ones every other format reports.
#[test]
fn full_locations_agree_with_concise() {
    let files = fixture();
    let full = rendered(&files, OutputFormat::Full, false);
    let from_full: Vec<&str> = full
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("--> "))
        .collect();
    let concise = rendered(&files, OutputFormat::Concise, false);
    let from_concise: Vec<&str> = concise
        .lines()
        .map(|line| line.split(": ").next().unwrap())
        .collect();
    assert_eq!(from_full, from_concise);
}

#[test]
fn full_colours_only_when_asked() {
    let plain = rendered(&fixture(), OutputFormat::Full, false);
    assert!(!plain.contains('\x1b'));
    assert!(
        !plain.contains('\r'),
        "a CRLF's \\r must not reach the terminal"
    );
    let coloured = rendered(&fixture(), OutputFormat::Full, true);
    assert!(coloured.contains("\x1b["));
}

#[test]
fn full_of_nothing_is_the_summary_alone() {
    assert_eq!(
        rendered(&[skipped_free()], OutputFormat::Full, false),
        "All checked: no problems found.\n"
    );
}

#[test]
fn summary_counts_severities_and_fixes() {
    let summary = Summary::of(&fixture());
    assert_eq!(
        summary,
        Summary {
            errors: 5,
            warnings: 4,
            infos: 1,
            fixable_safe: 1,
            fixable_unsafe: 3,
        }
    );
    assert!(summary.any_at_or_above(Severity::Error));
    let warnings_only = Summary {
        warnings: 1,
        ..Summary::default()
    };
    assert!(!warnings_only.any_at_or_above(Severity::Error));
    assert!(warnings_only.any_at_or_above(Severity::Warning));
    assert!(warnings_only.any_at_or_above(Severity::Info));
    assert_eq!(warnings_only.to_string(), "Found 1 problem (1 warning).");
    let unsafe_only = Summary {
        errors: 2,
        fixable_unsafe: 1,
        ..Summary::default()
    };
    assert_eq!(
        unsafe_only.to_string(),
        "Found 2 problems (2 errors).\n1 fixable with `--fix --unsafe-fixes`."
    );
}

/// No span or edit, however wrong (past the end, inside a character, reversed,
/// overlapping, on a CRLF's `\n`), may make a reporter panic, leave a `\r` in the
/// excerpt, or move `full`'s location away from the other formats'.
#[test]
fn no_span_makes_a_reporter_panic() {
    let text = "a\r\né\t\n😀z";
    let offsets = 0..text.len() + 3;
    for start in offsets.clone() {
        for end in offsets.clone() {
            let span = Span::new(start, end);
            let fix = Fix {
                message: "fix".into(),
                applicability: Applicability::Safe,
                edits: vec![
                    Edit {
                        span,
                        content: "x\r\ny".into(),
                    },
                    Edit {
                        span: Span::at(end),
                        content: String::new(),
                    },
                ],
            };
            let file = FileDiagnostics::new(
                "f.txt".into(),
                Arc::from(text),
                vec![Diagnostic {
                    help: Some("h".into()),
                    fix: Some(fix),
                    ..diagnostic("MLR201", "package-unpinned", Severity::Error, span)
                }],
            );
            let files = std::slice::from_ref(&file);
            rendered(files, OutputFormat::Json, true);
            let concise = rendered(files, OutputFormat::Concise, true);
            let full = rendered(files, OutputFormat::Full, false);
            assert!(!full.contains('\r'), "{start}..{end}: {full}");
            let location = concise.split(": ").next().unwrap();
            assert!(
                full.contains(&format!("--> {location}\n")),
                "{start}..{end}: {concise}{full}"
            );
        }
    }
}

/// A fix that keeps a CRLF file's line endings shows its new lines without a `␍`.
#[test]
fn full_shows_crlf_insertions_as_plain_lines() {
    let text = "a: 1\r\nb: 2\r\n";
    let file = FileDiagnostics::new(
        "f.yaml".into(),
        Arc::from(text),
        vec![Diagnostic {
            message: "m".into(),
            fix: Some(Fix {
                message: "Add `c`".into(),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    span: Span::at(6),
                    content: "c: 3\r\n".into(),
                }],
            }),
            ..diagnostic(
                "MLR201",
                "package-unpinned",
                Severity::Error,
                Span::new(6, 7),
            )
        }],
    );
    let full = rendered(&[file], OutputFormat::Full, false);
    assert!(full.contains("2 + c: 3\n"), "{full}");
    assert!(!full.contains('␍') && !full.contains('\r'), "{full}");
}
