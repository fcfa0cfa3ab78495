//! SARIF output against the official SARIF 2.1.0 schema, and the rules GitHub code
//! scanning adds on top of it (1-based regions, relative URIs under `%SRCROOT%`,
//! `ruleIndex` pointing at the right rule, unique fingerprints).
//!
//! The schema lives in `../shared/schemas/` beside the repository, which a fresh
//! clone does not have: there, the schema check is skipped with a note and only the
//! checks written here run. The schema is checked with Python's `jsonschema` in a
//! virtualenv made once per test run under Cargo's target tmp folder.

mod common;

use common::{run_in, stdout};
use mlrun_lint::diagnostic::{Applicability, Diagnostic, Edit, FileDiagnostics, Fix, Severity};
use mlrun_lint::report::{self, OutputFormat};
use mlrun_lint::span::Span;
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn span_of(text: &str, needle: &str, nth: usize) -> Span {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} not in the text"))
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
        message: format!("{rule} here"),
        help: None,
        fix: None,
    }
}

/// A realistic run: every severity, safe and unsafe fixes (a replacement and an
/// insertion), CRLF and non-ASCII text, two identical findings in one file, a
/// parse error and a skipped file (notifications), a path with a space, and a
/// file outside the working directory (absolute).
fn realistic() -> Vec<FileDiagnostics> {
    let function = "kind: job\r\nmetadata:\r\n  name: josé\r\nspec:\r\n  image: mlrun/mlrun\r\n  build:\r\n    base_image: python:latest\r\n    commands: []\r\n";
    let image = span_of(function, "mlrun/mlrun", 0);
    let latest = span_of(function, "latest", 0);
    let function_yaml = FileDiagnostics::new(
        "functions/my train/function.yaml".into(),
        Arc::from(function),
        vec![
            Diagnostic {
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
                fix: Some(Fix {
                    message: "Replace `latest` with `3.11`".into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        span: latest,
                        content: "3.11".into(),
                    }],
                }),
                ..diagnostic("MLR103", "image-mutable-tag", Severity::Error, latest)
            },
            diagnostic(
                "MLR107",
                "image-implicit-default",
                Severity::Warning,
                span_of(function, "spec:", 0),
            ),
        ],
    );
    let requirements = "pandas\nnumpy>=1.0\npandas\n";
    let requirements_txt = FileDiagnostics::new(
        "requirements.txt".into(),
        Arc::from(requirements),
        vec![
            diagnostic(
                "MLR201",
                "package-unpinned",
                Severity::Error,
                span_of(requirements, "pandas", 0),
            ),
            diagnostic(
                "MLR202",
                "package-not-exact",
                Severity::Warning,
                span_of(requirements, "numpy>=1.0", 0),
            ),
            diagnostic(
                "MLR201",
                "package-unpinned",
                Severity::Error,
                span_of(requirements, "pandas", 1),
            ),
            diagnostic(
                "MLR108",
                "image-tag-unverifiable",
                Severity::Info,
                Span::at(requirements.len()),
            ),
        ],
    );
    let broken = "kind: job\nspec: [\n";
    let broken_yaml = FileDiagnostics::new(
        "broken/function.yaml".into(),
        Arc::from(broken),
        vec![Diagnostic {
            message: "did not find expected node content\n  at line 3".into(),
            ..diagnostic(
                "MLR001",
                "parse-error",
                Severity::Error,
                Span::at(broken.len()),
            )
        }],
    );
    let skipped = FileDiagnostics::new(
        "data/blob.yaml".into(),
        Arc::from(""),
        vec![diagnostic(
            "MLR003",
            "file-skipped",
            Severity::Warning,
            Span::at(0),
        )],
    );
    let outside = "image: busybox\n";
    let outside_yaml = FileDiagnostics::new(
        "/elsewhere/function.yaml".into(),
        Arc::from(outside),
        vec![diagnostic(
            "MLR102",
            "image-untagged",
            Severity::Error,
            span_of(outside, "busybox", 0),
        )],
    );
    vec![
        function_yaml,
        requirements_txt,
        broken_yaml,
        skipped,
        outside_yaml,
    ]
}

fn sarif_of(files: &[FileDiagnostics]) -> String {
    let mut out = Vec::new();
    report::render(files, OutputFormat::Sarif, false, &mut out).expect("rendered");
    String::from_utf8(out).expect("UTF-8")
}

/// SARIF documents to check: the realistic set, an empty run, and the binary's
/// own output on the demo project and the rule fixtures.
fn documents() -> Vec<(&'static str, String)> {
    let binary = run_in(
        repo(),
        &[
            "check",
            "--output-format",
            "sarif",
            "fixtures/demo",
            "fixtures/rules",
            "--select",
            "ALL",
        ],
    );
    assert!(
        matches!(binary.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&binary.stderr)
    );
    vec![
        ("realistic", sarif_of(&realistic())),
        ("empty", sarif_of(&[])),
        ("binary on fixtures", stdout(&binary)),
    ]
}

/// Calls `visit` on every object in `value`, depth first.
fn walk<'a>(value: &'a Value, visit: &mut impl FnMut(&'a serde_json::Map<String, Value>)) {
    match value {
        Value::Object(map) => {
            visit(map);
            map.values().for_each(|child| walk(child, visit));
        }
        Value::Array(items) => items.iter().for_each(|child| walk(child, visit)),
        _ => {}
    }
}

/// What GitHub code scanning needs beyond the schema; runs without `../shared`.
#[test]
fn sarif_meets_code_scanning_rules() {
    for (name, document) in documents() {
        let sarif: Value = serde_json::from_str(&document).expect("SARIF is JSON");
        assert_eq!(sarif["version"], "2.1.0", "{name}");
        let runs = sarif["runs"].as_array().expect("runs");
        assert_eq!(runs.len(), 1, "{name}");
        let run = &runs[0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        let mut regions = 0;
        walk(&sarif, &mut |object| {
            for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                if let Some(value) = object.get(key) {
                    regions += 1;
                    assert!(
                        value.as_u64().is_some_and(|v| v >= 1),
                        "{name}: {key} {value}"
                    );
                }
            }
            if let Some(uri) = object.get("uri").and_then(Value::as_str) {
                match object.get("uriBaseId") {
                    Some(base) => {
                        assert_eq!(base, "%SRCROOT%", "{name}");
                        assert!(!uri.starts_with('/'), "{name}: {uri} is relative");
                        assert!(!uri.contains(':'), "{name}: {uri} has no scheme");
                    }
                    None => assert!(uri.starts_with("https://") || uri.starts_with("file:///")),
                }
                assert!(!uri.contains(' ') && !uri.contains('\\'), "{name}: {uri}");
            }
        });
        let results = run["results"].as_array().expect("results");
        let mut fingerprints = HashSet::new();
        for result in results {
            let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[index]["id"], result["ruleId"], "{name}");
            let fingerprint = result["partialFingerprints"]["mlrunLint/v1"]
                .as_str()
                .expect("a fingerprint");
            assert!(
                fingerprints.insert(fingerprint),
                "{name}: {fingerprint} twice"
            );
        }
        for notification in run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let rule = &notification["associatedRule"];
            let index = rule["index"].as_u64().expect("index") as usize;
            assert_eq!(rules[index]["id"], rule["id"], "{name}");
        }
        if name == "realistic" {
            assert_eq!(results.len(), 10, "nothing dropped");
            assert!(regions >= 10 * 4);
            let notified: Vec<&str> = run["invocations"][0]["toolExecutionNotifications"]
                .as_array()
                .expect("notifications")
                .iter()
                .map(|n| n["associatedRule"]["id"].as_str().unwrap_or_default())
                .collect();
            assert_eq!(notified, ["MLR001", "MLR003"]);
        }
    }
}

/// The official schema, when `../shared` is beside the repository.
fn schema_path() -> Option<PathBuf> {
    let path = repo().join("../shared/schemas/sarif-schema-2.1.0.json");
    path.is_file().then_some(path)
}

/// A virtualenv with `jsonschema`, made once per test run (and reused by later
/// runs while the target folder lives). `None` when there is no `python3`.
fn validator_python() -> Option<&'static Path> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sarif-venv");
            let python = if cfg!(windows) {
                venv.join("Scripts").join("python.exe")
            } else {
                venv.join("bin").join("python")
            };
            let run = |program: &Path, args: &[&str]| {
                Command::new(program)
                    .args(args)
                    .output()
                    .map_err(|err| err.to_string())
            };
            if !python.is_file() {
                let venv_arg = venv.to_str().expect("a UTF-8 target path");
                // System site packages: an installed jsonschema is reused, so
                // the check also works offline where one is present.
                match run(
                    Path::new("python3"),
                    &["-m", "venv", "--system-site-packages", venv_arg],
                ) {
                    Err(err) => {
                        eprintln!("note: no python3 ({err}); SARIF schema check skipped");
                        return None;
                    }
                    Ok(output) => assert!(
                        output.status.success(),
                        "python3 -m venv failed: {}",
                        String::from_utf8_lossy(&output.stderr)
                    ),
                }
            }
            let output = run(
                &python,
                &[
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "jsonschema",
                ],
            )
            .expect("the venv's python runs");
            assert!(
                output.status.success(),
                "pip install jsonschema failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            Some(python)
        })
        .as_deref()
}

const VALIDATE: &str = r#"
import json, sys
import jsonschema
with open(sys.argv[1], encoding="utf-8") as f:
    schema = json.load(f)
validator = jsonschema.Draft4Validator(schema)
failed = False
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    for error in validator.iter_errors(document):
        failed = True
        print(f"{path}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
sys.exit(1 if failed else 0)
"#;

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let Some(schema) = schema_path() else {
        eprintln!("note: ../shared/schemas is absent (a fresh clone); SARIF schema check skipped");
        return;
    };
    let Some(python) = validator_python() else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temp dir");
    let script = dir.path().join("validate.py");
    std::fs::write(&script, VALIDATE).expect("script written");
    let mut args = vec![script.clone(), schema];
    for (i, (_, document)) in documents().into_iter().enumerate() {
        let path = dir.path().join(format!("{i}.sarif"));
        std::fs::write(&path, document).expect("SARIF written");
        args.push(path);
    }
    let output = Command::new(python)
        .args(&args)
        .output()
        .expect("the validator runs");
    assert!(
        output.status.success(),
        "SARIF does not match the schema:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // The validator itself must reject what GitHub rejects (a 0 start line).
    let broken = sarif_of(&realistic()).replacen("\"startLine\": 1,", "\"startLine\": 0,", 1);
    let broken_path = dir.path().join("broken.sarif");
    std::fs::write(&broken_path, broken).expect("SARIF written");
    let rejected = Command::new(python)
        .args([&args[0], &args[1], &broken_path])
        .output()
        .expect("the validator runs");
    assert!(
        !rejected.status.success(),
        "the validator accepted startLine 0"
    );
}
