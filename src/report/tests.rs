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
fn json_lines_snapshot() {
    insta::assert_snapshot!(rendered(&fixture(), OutputFormat::JsonLines, false));
}

#[test]
fn sarif_snapshot() {
    insta::assert_snapshot!(rendered(&fixture(), OutputFormat::Sarif, false));
}

#[test]
fn github_snapshot() {
    insta::assert_snapshot!(rendered(&fixture(), OutputFormat::Github, false));
}

#[test]
fn gitlab_snapshot() {
    insta::assert_snapshot!(rendered(&fixture(), OutputFormat::Gitlab, false));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(rendered(&fixture(), OutputFormat::Junit, false));
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
            files_checked: None,
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

/// Inside pre-commit the user cannot add `--fix` to the run that failed: the
/// summary names the fix hook instead, and only the advice line changes.
#[test]
fn summary_inside_pre_commit_points_to_the_fix_hook() {
    let text = |summary: Summary, advice: FixAdvice| SummaryText { summary, advice }.to_string();
    let both = Summary::of(&fixture());
    assert_eq!(text(both, FixAdvice::Flags), both.to_string());
    assert_eq!(
        text(both, FixAdvice::PreCommitHook),
        "Found 10 problems (5 errors, 4 warnings, 1 info).\n\
         [*] 1 fixable by the `mlrun-lint-fix` pre-commit hook \
         (3 more with `args: [--unsafe-fixes]`)."
    );
    let safe_only = Summary {
        errors: 1,
        fixable_safe: 1,
        ..Summary::default()
    };
    assert_eq!(
        text(safe_only, FixAdvice::PreCommitHook),
        "Found 1 problem (1 error).\n[*] 1 fixable by the `mlrun-lint-fix` pre-commit hook."
    );
    let unsafe_only = Summary {
        errors: 2,
        fixable_unsafe: 1,
        ..Summary::default()
    };
    assert_eq!(
        text(unsafe_only, FixAdvice::PreCommitHook),
        "Found 2 problems (2 errors).\n\
         1 fixable by the `mlrun-lint-fix` hook with `args: [--unsafe-fixes]`."
    );
    let nothing_fixable = Summary {
        warnings: 1,
        ..Summary::default()
    };
    assert_eq!(
        text(nothing_fixable, FixAdvice::PreCommitHook),
        "Found 1 problem (1 warning)."
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
            for format in [
                OutputFormat::Json,
                OutputFormat::JsonLines,
                OutputFormat::Sarif,
                OutputFormat::Github,
                OutputFormat::Gitlab,
                OutputFormat::Junit,
            ] {
                rendered(files, format, false);
            }
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

fn json_of(files: &[FileDiagnostics]) -> Vec<serde_json::Value> {
    let json: serde_json::Value =
        serde_json::from_str(&rendered(files, OutputFormat::Json, false)).unwrap();
    json.as_array().unwrap().clone()
}

#[test]
fn json_lines_are_the_json_objects_one_per_line() {
    let lines = rendered(&fixture(), OutputFormat::JsonLines, false);
    let from_lines: Vec<serde_json::Value> = lines
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(from_lines, json_of(&fixture()));
    assert_eq!(rendered(&[], OutputFormat::JsonLines, false), "");
}

/// One parsed `::command properties::message` line, unescaped.
struct WorkflowCommand {
    command: String,
    properties: Vec<(String, String)>,
    message: String,
}

impl WorkflowCommand {
    fn property(&self, key: &str) -> &str {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no property {key}"))
    }
}

/// The runner's reading of a workflow command: properties split at `,` and `=`,
/// then `%XX` escapes undone.
fn parse_workflow_command(line: &str) -> WorkflowCommand {
    let unescape = |text: &str| {
        text.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let rest = line.strip_prefix("::").unwrap();
    let (command, rest) = rest.split_once(' ').unwrap();
    let (properties, message) = rest.split_once("::").unwrap();
    WorkflowCommand {
        command: command.into(),
        properties: properties
            .split(',')
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap();
                (key.into(), unescape(value))
            })
            .collect(),
        message: unescape(message),
    }
}

#[test]
fn github_commands_carry_every_diagnostic_exactly() {
    let files = fixture();
    let output = rendered(&files, OutputFormat::Github, false);
    let json = json_of(&files);
    assert_eq!(output.lines().count(), json.len());
    for (line, object) in output.lines().zip(&json) {
        let command = parse_workflow_command(line);
        let expected = match object["severity"].as_str().unwrap() {
            "error" => "error",
            "warning" => "warning",
            _ => "notice",
        };
        assert_eq!(command.command, expected);
        let keys: Vec<&str> = command.properties.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["file", "line", "col", "endLine", "endColumn", "title"]
        );
        assert_eq!(command.property("file"), object["path"]);
        assert_eq!(
            command.property("line"),
            object["start"]["line"].to_string()
        );
        assert_eq!(
            command.property("col"),
            object["start"]["column"].to_string()
        );
        assert_eq!(
            command.property("endLine"),
            object["end"]["line"].to_string()
        );
        assert_eq!(
            command.property("endColumn"),
            object["end"]["column"].to_string()
        );
        assert_eq!(command.property("title"), object["code"]);
        assert_eq!(command.message, object["message"]);
    }
}

#[test]
fn github_escapes_properties_and_messages() {
    let path = "odd, dir:1/100%/f.yaml";
    let message = "50% done: a,b\r\nnext::line";
    let file = FileDiagnostics::new(
        path.into(),
        Arc::from("x\n"),
        vec![Diagnostic {
            message: message.into(),
            ..diagnostic(
                "MLR201",
                "package-unpinned",
                Severity::Info,
                Span::new(0, 1),
            )
        }],
    );
    let output = rendered(&[file], OutputFormat::Github, false);
    assert_eq!(output.lines().count(), 1, "{output}");
    assert_eq!(
        output,
        "::notice file=odd%2C dir%3A1/100%25/f.yaml,line=1,col=1,endLine=1,endColumn=2,\
         title=MLR201::50%25 done: a,b%0D%0Anext::line\n"
    );
    let command = parse_workflow_command(output.trim_end());
    assert_eq!(command.property("file"), path);
    assert_eq!(command.message, message);
}

#[test]
fn gitlab_has_the_required_fields_and_stable_unique_fingerprints() {
    let output = rendered(&fixture(), OutputFormat::Gitlab, false);
    let issues: serde_json::Value = serde_json::from_str(&output).unwrap();
    let issues = issues.as_array().unwrap();
    let json = json_of(&fixture());
    assert_eq!(issues.len(), json.len());
    for (issue, object) in issues.iter().zip(&json) {
        assert_eq!(
            issue["description"],
            format!(
                "{} {}",
                object["code"].as_str().unwrap(),
                object["message"].as_str().unwrap()
            )
        );
        assert_eq!(issue["check_name"], object["code"]);
        let severity = match object["severity"].as_str().unwrap() {
            "error" => "major",
            "warning" => "minor",
            _ => "info",
        };
        assert_eq!(issue["severity"], severity);
        assert_eq!(issue["location"]["path"], object["path"]);
        assert_eq!(issue["location"]["positions"]["begin"], object["start"]);
        assert_eq!(issue["location"]["positions"]["end"], object["end"]);
        assert_eq!(issue["fingerprint"].as_str().unwrap().len(), 16);
    }
    let mut fingerprints: Vec<&str> = issues
        .iter()
        .map(|issue| issue["fingerprint"].as_str().unwrap())
        .collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), issues.len(), "fingerprints are unique");
    assert_eq!(output, rendered(&fixture(), OutputFormat::Gitlab, false));
    assert_eq!(rendered(&[], OutputFormat::Gitlab, false), "[]\n");
}

/// Ten lines added above every finding: the positions move, the fingerprints don't.
#[test]
fn fingerprints_survive_lines_moving() {
    let moved: Vec<FileDiagnostics> = fixture()
        .into_iter()
        .map(|file| {
            let prefix = "# moved\n".repeat(10);
            let text = format!("{prefix}{}", file.text);
            let shift = |span: Span| span.shifted(prefix.len());
            let diagnostics = file
                .diagnostics
                .iter()
                .cloned()
                .map(|mut diagnostic| {
                    diagnostic.span = shift(diagnostic.span);
                    diagnostic
                })
                .collect();
            FileDiagnostics::new(file.path.clone(), Arc::from(text), diagnostics)
        })
        .collect();
    let fingerprints_of = |files: &[FileDiagnostics]| -> Vec<(String, u64, String)> {
        let issues: serde_json::Value =
            serde_json::from_str(&rendered(files, OutputFormat::Gitlab, false)).unwrap();
        issues
            .as_array()
            .unwrap()
            .iter()
            .map(|issue| {
                (
                    issue["check_name"].as_str().unwrap().to_string(),
                    issue["location"]["positions"]["begin"]["line"]
                        .as_u64()
                        .unwrap(),
                    issue["fingerprint"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let before = fingerprints_of(&fixture());
    let after = fingerprints_of(&moved);
    assert_eq!(before.len(), after.len());
    for ((code, line, fingerprint), (code_after, line_after, fingerprint_after)) in
        before.iter().zip(&after)
    {
        assert_eq!(code, code_after);
        assert_eq!(line + 10, *line_after);
        assert_eq!(fingerprint, fingerprint_after, "{code} at line {line}");
    }
}

fn sarif_of(files: &[FileDiagnostics]) -> serde_json::Value {
    serde_json::from_str(&rendered(files, OutputFormat::Sarif, false)).unwrap()
}

#[test]
fn sarif_results_point_at_their_rules_with_one_based_regions() {
    let sarif = sarif_of(&fixture());
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "mlrun-lint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    for (rule, registered) in rules.iter().zip(crate::rules::ALL) {
        assert_eq!(rule["id"], registered.code);
        assert_eq!(rule["help"]["markdown"], registered.page);
        let uri = rule["helpUri"].as_str().unwrap();
        assert!(
            uri.ends_with(&format!(
                "/rules/{}-{}.md",
                registered.code, registered.name
            )),
            "{uri}"
        );
    }
    let results = run["results"].as_array().unwrap();
    let json = json_of(&fixture());
    assert_eq!(results.len(), json.len(), "nothing is dropped");
    let gitlab: serde_json::Value =
        serde_json::from_str(&rendered(&fixture(), OutputFormat::Gitlab, false)).unwrap();
    for ((result, object), issue) in results.iter().zip(&json).zip(gitlab.as_array().unwrap()) {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(result["ruleId"], object["code"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], object["path"]);
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &location["region"];
        assert_eq!(region["startLine"], object["start"]["line"]);
        assert_eq!(region["startColumn"], object["start"]["column"]);
        assert_eq!(region["endLine"], object["end"]["line"]);
        assert_eq!(region["endColumn"], object["end"]["column"]);
        assert_eq!(
            result["partialFingerprints"]["mlrunLint/v1"], issue["fingerprint"],
            "SARIF and GitLab agree on identity"
        );
        assert_eq!(result["fixes"].is_array(), !object["fix"].is_null());
    }
    // The fixture uses codes the registry does not have yet: each still gets a rule.
    let ids: Vec<&str> = rules
        .iter()
        .map(|rule| rule["id"].as_str().unwrap())
        .collect();
    for code in ["MLR101", "MLR108", "MLR207"] {
        assert_eq!(ids.iter().filter(|id| **id == code).count(), 1, "{code}");
    }
    // The skipped file is a notification too.
    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notifications.len(), 1);
    assert_eq!(notifications[0]["associatedRule"]["id"], "MLR003");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn sarif_fix_replaces_the_edited_region() {
    let sarif = sarif_of(&[function_yaml()]);
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|result| result["ruleId"] == "MLR101")
        .unwrap()
        .clone();
    let fix = &result["fixes"][0];
    assert_eq!(
        fix["description"]["text"],
        "Pin the image to `mlrun/mlrun:1.6.4`"
    );
    assert_eq!(fix["properties"]["applicability"], "safe");
    let change = &fix["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "project/function.yaml");
    let replacement = &change["replacements"][0];
    assert_eq!(
        replacement["deletedRegion"],
        serde_json::json!({"startLine": 6, "startColumn": 21, "endLine": 6, "endColumn": 21})
    );
    assert_eq!(replacement["insertedContent"]["text"], ":1.6.4");
}

#[test]
fn sarif_of_nothing_still_lists_the_rules() {
    let sarif = sarif_of(&[]);
    let run = &sarif["runs"][0];
    assert_eq!(run["results"], serde_json::json!([]));
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        crate::rules::ALL.len()
    );
}

/// The value of `name="..."` in `tag`, with the XML escapes undone.
fn xml_attribute(tag: &str, name: &str) -> String {
    let start = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
    let end = start + tag[start..].find('"').unwrap();
    xml_unescape(&tag[start..end])
}

fn xml_unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#13;", "\r")
        .replace("&#10;", "\n")
        .replace("&#9;", "\t")
        .replace("&amp;", "&")
}

#[test]
fn junit_has_one_failing_testcase_per_diagnostic() {
    let output = rendered(&fixture(), OutputFormat::Junit, false);
    assert!(output.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    let json = json_of(&fixture());
    let suite = output
        .lines()
        .find(|line| line.trim_start().starts_with("<testsuite "))
        .unwrap();
    assert_eq!(xml_attribute(suite, "name"), "mlrun-lint");
    assert_eq!(xml_attribute(suite, "tests"), json.len().to_string());
    assert_eq!(xml_attribute(suite, "failures"), json.len().to_string());
    // Each test case: its opening tag, its failure tag, and the failure's text.
    let cases: Vec<(&str, &str, String)> = output
        .split("<testcase ")
        .skip(1)
        .map(|case| {
            let failure_start = case.find("<failure ").unwrap();
            let failure = &case[failure_start..];
            let body_start = failure.find('>').unwrap() + 1;
            let body_end = failure.find("</failure>").unwrap();
            (
                &case[..case.find('>').unwrap()],
                &failure[..body_start],
                xml_unescape(&failure[body_start..body_end]),
            )
        })
        .collect();
    assert_eq!(cases.len(), json.len());
    assert_eq!(output.matches("</testcase>").count(), json.len());
    for ((case, failure, body), object) in cases.iter().zip(&json) {
        let path = object["path"].as_str().unwrap();
        let code = object["code"].as_str().unwrap();
        let location = format!(
            "{path}:{}:{}",
            object["start"]["line"], object["start"]["column"]
        );
        assert_eq!(
            xml_attribute(&format!(" {case}"), "name"),
            format!("{code} {location}")
        );
        assert_eq!(xml_attribute(case, "classname"), path);
        assert_eq!(xml_attribute(failure, "type"), code);
        assert_eq!(xml_attribute(failure, "message"), object["message"]);
        assert!(body.contains(object["message"].as_str().unwrap()), "{body}");
        assert!(body.contains(&format!("at {location}")), "{body}");
        if let Some(help) = object["help"].as_str() {
            assert!(body.contains(&format!("help: {help}")), "{body}");
        }
    }
}

#[test]
fn junit_escapes_markup_and_forbidden_characters() {
    let message = "a <b> & \"c\" 'd'\u{1}\u{1b}[0m\r\nnext";
    let file = FileDiagnostics::new(
        "x&y.yaml".into(),
        Arc::from("x\n"),
        vec![Diagnostic {
            message: message.into(),
            ..diagnostic(
                "MLR201",
                "package-unpinned",
                Severity::Error,
                Span::new(0, 1),
            )
        }],
    );
    let output = rendered(&[file], OutputFormat::Junit, false);
    assert!(
        !output
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t'),
        "{output:?}"
    );
    let failure = output
        .lines()
        .find(|line| line.trim_start().starts_with("<failure "))
        .unwrap();
    assert_eq!(
        xml_attribute(failure, "message"),
        "a <b> & \"c\" 'd'\u{fffd}\u{fffd}[0m\r\nnext"
    );
    let case = output
        .lines()
        .find(|line| line.trim_start().starts_with("<testcase "))
        .unwrap();
    assert_eq!(xml_attribute(case, "classname"), "x&y.yaml");
}

#[test]
fn junit_of_nothing_is_one_passing_testcase() {
    let output = rendered(&[skipped_free()], OutputFormat::Junit, false);
    assert_eq!(output.matches("<testcase ").count(), 1);
    assert!(!output.contains("<failure"));
    assert!(output.contains("tests=\"1\" failures=\"0\""));
}

/// A notebook whose second code cell (the fourth cell) has an untagged image on
/// its second line, after an escaped quote and a `\u00e9` on the first.
const NOTEBOOK: &str = concat!(
    "{\n \"cells\": [\n",
    "  {\"cell_type\": \"markdown\", \"source\": \"# image='x'\"},\n",
    "  {\"cell_type\": \"code\", \"source\": [\"import mlrun\"]},\n",
    "  {\"cell_type\": \"raw\", \"source\": \"\"},\n",
    "  {\"cell_type\": \"code\", \"source\": [\"s = \\\"\\u00e9\\\"\\n\", \"fn = mlrun.new_function(image='mlrun/mlrun')\"]}\n",
    " ],\n \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5\n}\n",
);

fn notebook() -> FileDiagnostics {
    let (facts, cells) = crate::sources::notebook::read(NOTEBOOK);
    let origin = facts[0].origin();
    let edit = origin.edit_span.expect("the image is verbatim in the JSON");
    let diagnostics = vec![Diagnostic {
        message: "untagged".into(),
        fix: Some(Fix {
            message: "Pin it".into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                span: Span::at(edit.end),
                content: ":1.6.4".into(),
            }],
        }),
        ..diagnostic(
            "MLR101",
            "mlrun-image-untagged",
            Severity::Error,
            origin.span,
        )
    }];
    FileDiagnostics::new("nb.ipynb".into(), Arc::from(NOTEBOOK), diagnostics)
        .with_cells(cells.map(Arc::new))
}

#[test]
fn notebooks_are_located_by_cell_in_every_format() {
    let files = [notebook()];
    // concise keeps SPEC's shape, with the line and column in the cell, and
    // names the cell at the end of the message.
    assert_eq!(
        rendered(&files, OutputFormat::Concise, false),
        "nb.ipynb:2:31: MLR101 untagged (cell 4)\n"
    );
    let json = &json_of(&files)[0];
    assert_eq!(json["cell"], 4);
    assert_eq!(json["start"], serde_json::json!({"line": 2, "column": 31}));
    assert_eq!(json["end"], serde_json::json!({"line": 2, "column": 44}));
    assert_eq!(
        json["fix"]["edits"][0]["start"],
        serde_json::json!({"line": 2, "column": 43})
    );
    let full = rendered(&files, OutputFormat::Full, false);
    assert!(full.contains("--> nb.ipynb:cell 4:2:31"), "{full}");
    assert!(
        full.contains("fn = mlrun.new_function(image='mlrun/mlrun')"),
        "{full}"
    );
    assert!(
        rendered(&files, OutputFormat::Junit, false).contains("nb.ipynb:cell 4:2:31"),
        "junit"
    );
    // Formats that annotate file lines point at the JSON line of the source.
    let raw_line = NOTEBOOK[..NOTEBOOK.find("'mlrun/mlrun'").unwrap()]
        .matches('\n')
        .count()
        + 1;
    let github = rendered(&files, OutputFormat::Github, false);
    assert!(
        github.starts_with(&format!("::error file=nb.ipynb,line={raw_line},")),
        "{github}"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&rendered(&files, OutputFormat::Sarif, false)).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["cell"], 4);
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        raw_line
    );
    let gitlab: serde_json::Value =
        serde_json::from_str(&rendered(&files, OutputFormat::Gitlab, false)).unwrap();
    assert_eq!(
        gitlab[0]["location"]["positions"]["begin"]["line"],
        raw_line
    );
    // The fix, applied to the raw bytes, keeps the notebook valid JSON.
    let fix = &files[0].diagnostics[0].fix.as_ref().unwrap().edits[0];
    let fixed = format!(
        "{}{}{}",
        &NOTEBOOK[..fix.span.start],
        fix.content,
        &NOTEBOOK[fix.span.end..]
    );
    let value: serde_json::Value = serde_json::from_str(&fixed).unwrap();
    assert_eq!(
        value["cells"][3]["source"][1],
        "fn = mlrun.new_function(image='mlrun/mlrun:1.6.4')"
    );
}

/// A streamed run hands the report its files a batch at a time, each file's
/// part rendered on a thread of its own: the bytes are those of the whole run
/// rendered at once, in every format, a file with nothing to report among them.
#[test]
fn files_rendered_in_parallel_are_the_report_rendered_at_once() {
    let mut files = fixture();
    files.push(skipped_free());
    files.sort_by(|a, b| a.path.cmp(&b.path));
    for &format in <OutputFormat as clap::ValueEnum>::value_variants() {
        let layout = Layout {
            color: false,
            width: DEFAULT_WIDTH,
        };
        let mut stream = Stream::start(format, layout, Vec::new());
        stream.files(&files[..2]).unwrap();
        stream.files(&files[2..]).unwrap();
        let (summary, out) = stream.finish(None).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            rendered(&files, format, false),
            "{format:?}"
        );
        let total: usize = files.iter().map(|file| file.diagnostics.len()).sum();
        assert_eq!(summary.total(), total);
    }
}
