use super::*;
use crate::engine::judge;
use crate::rules::{self, ClientVersion, Scope};
use crate::sources;
use proptest::prelude::*;
use std::sync::Arc;

#[test]
fn verify_accepts_a_fix_that_still_parses() {
    let path = Path::new("function.yaml");
    let old = "kind: job\nspec:\n  image: mlrun/mlrun\n";
    let new = "kind: job\nspec:\n  image: mlrun/mlrun:1.6.4\n";
    assert_eq!(verify(path, FileKind::Yaml, old, new), Ok(()));
}

#[test]
fn verify_refuses_a_fix_that_breaks_the_file() {
    let path = Path::new("function.yaml");
    let old = "kind: job\nspec:\n  image: mlrun/mlrun\n";
    let new = "kind: job\nspec:\n  image: \"mlrun/mlrun\n";
    let err = verify(path, FileKind::Yaml, old, new).expect_err("refused");
    assert!(err.contains("would not parse"), "{err}");
}

#[test]
fn verify_tolerates_problems_the_file_already_had() {
    let path = Path::new("requirements.txt");
    let old = "numpy==1.26.4\n--bogus-option\n";
    assert_eq!(verify(path, FileKind::Requirements, old, old), Ok(()));
}

// --- property: fixes keep specs readable and reach a fixed point -------------

/// Every rule judges; the client version makes MLR101's safe fix and MLR104's
/// unsafe one possible.
fn diagnostics_of(text: &str) -> FileDiagnostics {
    let path = Path::new("function.yaml");
    let facts = sources::read(FileKind::Yaml, path, text).facts;
    let scope = Scope {
        client: Some(ClientVersion {
            version: "1.6.4".into(),
            source: "--mlrun-version".into(),
            origin: crate::rules::VersionOrigin::Declared,
        }),
        ..Scope::default()
    };
    let rules: Vec<&rules::Rule> = rules::ALL.to_vec();
    FileDiagnostics::new(
        "function.yaml".into(),
        Arc::from(text),
        judge(&facts, &scope, &rules),
    )
}

fn parse_problems(text: &str) -> usize {
    sources::read(FileKind::Yaml, Path::new("function.yaml"), text)
        .facts
        .iter()
        .filter(|fact| matches!(fact, Fact::Problem(p) if p.kind == ProblemKind::Parse))
        .count()
}

const IMAGES: &[&str] = &[
    "mlrun/mlrun",
    "mlrun/mlrun:1.6.4",
    "mlrun/mlrun:1.5.0",
    "mlrun/mlrun:latest",
    "mlrun/mlrun-gpu",
    "mlrun/ml-models",
    "mlrun/ml-base",
    "quay.io/mlrun/mlrun",
    "registry:5000/mlrun/mlrun",
    "python:3.11-slim",
    "python",
    "nginx:latest",
];

/// A value as YAML writes it: plain, single- or double-quoted.
fn quoted(image: &str, style: u8) -> String {
    match style {
        0 => image.to_string(),
        1 => format!("'{image}'"),
        _ => format!("\"{image}\""),
    }
}

prop_compose! {
    /// A small function spec with the spellings that fixes must survive.
    fn spec()(
        run in 0..IMAGES.len(),
        base in 0..IMAGES.len(),
        run_style in 0u8..3,
        base_style in 0u8..3,
        comments in any::<bool>(),
        crlf in any::<bool>(),
        bom in any::<bool>(),
        final_newline in any::<bool>(),
        alias in any::<bool>(),
    ) -> String {
        let eol = if crlf { "\r\n" } else { "\n" };
        let comment = if comments { "  # pinned? é" } else { "" };
        let anchor = if alias { "&img " } else { "" };
        let base_value = if alias {
            "*img".to_string()
        } else {
            quoted(IMAGES[base], base_style)
        };
        let lines = [
            "kind: job".to_string(),
            "metadata:".to_string(),
            "  name: trainer".to_string(),
            "spec:".to_string(),
            format!("  image: {anchor}{}{comment}", quoted(IMAGES[run], run_style)),
            "  build:".to_string(),
            format!("    base_image: {base_value}{comment}"),
        ];
        let mut text = String::from(if bom { "\u{feff}" } else { "" });
        text.push_str(&lines.join(eol));
        if final_newline {
            text.push_str(eol);
        }
        text
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Safe fixes: one `--fix` round parses, keeps every line break and the BOM,
    /// and a second round has nothing to do.
    #[test]
    fn safe_fixes_are_idempotent(text in spec()) {
        let once = plan(&diagnostics_of(&text), false);
        prop_assert_eq!(parse_problems(&once.text), 0, "{}", once.text);
        prop_assert_eq!(once.text.matches('\n').count(), text.matches('\n').count());
        prop_assert_eq!(once.text.matches('\r').count(), text.matches('\r').count());
        prop_assert_eq!(once.text.starts_with('\u{feff}'), text.starts_with('\u{feff}'));
        let twice = plan(&diagnostics_of(&once.text), false);
        prop_assert!(!twice.changes(&once.text), "{:?} -> {:?}", once.text, twice.text);
    }

    /// All fixes: every round parses, and `--fix --unsafe-fixes` reaches a file
    /// with no fix left within three rounds (a rename can make the new name
    /// fixable, as `mlrun/ml-models` → `mlrun/mlrun` → `mlrun/mlrun:1.6.4`).
    #[test]
    fn all_fixes_reach_a_fixed_point(text in spec()) {
        let mut current = text.clone();
        for _ in 0..3 {
            let next = plan(&diagnostics_of(&current), true);
            prop_assert_eq!(parse_problems(&next.text), 0, "{}", next.text);
            prop_assert!(next.skipped.is_empty() || next.changes(&current));
            current = next.text;
        }
        let last = diagnostics_of(&current);
        let left: Vec<&str> = last
            .diagnostics
            .iter()
            .filter(|d| d.fix.is_some())
            .map(|d| d.code)
            .collect();
        prop_assert!(left.is_empty(), "{:?} still fixable in {:?}", left, current);
    }
}
