use super::*;
use crate::diagnostic::FileDiagnostics;
use crate::facts::ImageValue;
use std::sync::Arc;

/// A notebook with the given cells (`(cell_type, source JSON)`).
fn notebook(cells: &[(&str, &str)]) -> String {
    let cells: Vec<String> = cells
        .iter()
        .map(|(kind, source)| {
            format!(
                "  {{\n   \"cell_type\": \"{kind}\",\n   \"metadata\": {{}},\n   \"outputs\": [{{\"text\": [\"image='mlrun/mlrun'\"]}}],\n   \"source\": {source}\n  }}"
            )
        })
        .collect();
    format!(
        "{{\n \"cells\": [\n{}\n ],\n \"metadata\": {{\"kernelspec\": {{\"language\": \"python\"}}}},\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}}\n",
        cells.join(",\n")
    )
}

/// The raw JSON at a fact's span and at its edit span, its cell, line and column.
type Located = (String, Option<String>, Option<usize>, usize, usize);

/// Each fact: the raw JSON at its span, the raw JSON at its edit span, and its
/// cell/line/column as reported.
fn located(text: &str) -> Vec<Located> {
    let (facts, cells) = read(text);
    let file = FileDiagnostics::new("nb.ipynb".into(), Arc::from(text), Vec::new())
        .with_cells(cells.map(Arc::new));
    facts
        .iter()
        .map(|fact| {
            let origin = fact.origin();
            let at = |s: Span| text[s.start..s.end].to_string();
            let position = file.position(origin.span.start);
            (
                at(origin.span),
                origin.edit_span.map(at),
                file.cell(origin.span.start),
                position.line,
                position.column,
            )
        })
        .collect()
}

#[test]
fn code_cells_are_read_and_located_by_cell_line_and_column() {
    let text = notebook(&[
        (
            "markdown",
            r#"["import mlrun\n", "fn = mlrun.code_to_function(image='md:1')"]"#,
        ),
        (
            "code",
            r#"["import mlrun\n", "\n", "fn = mlrun.code_to_function(\n", "    image=\"mlrun/mlrun\")"]"#,
        ),
        ("raw", r#""mlrun.code_to_function(image='raw:1')""#),
        (
            "code",
            r#""project.set_function('hub://describe', image='python:3.9')""#,
        ),
    ]);
    assert_eq!(
        located(&text),
        [
            (
                r#"\"mlrun/mlrun\""#.to_string(),
                Some("mlrun/mlrun".to_string()),
                Some(2),
                4,
                11
            ),
            (
                "'hub://describe'".to_string(),
                Some("hub://describe".to_string()),
                Some(4),
                1,
                22
            ),
            (
                "'python:3.9'".to_string(),
                Some("python:3.9".to_string()),
                Some(4),
                1,
                46
            ),
        ]
    );
}

#[test]
fn escapes_in_json_keep_spans_exact_and_edits_verbatim() {
    // `\u00e9` before the call shifts raw bytes but not the cell column count;
    // `\"` inside the literal makes it not editable in place; `\t` too.
    let text = notebook(&[(
        "code",
        r#"["import mlrun\n", "x = '\u00e9'; fn = mlrun.code_to_function(image='mlrun/mlrun')\n", "mlrun.code_to_function(image=\"a\\\"b:1\")\n", "mlrun.code_to_function(image='c:\t1')"]"#,
    )]);
    let facts = located(&text);
    assert_eq!(
        facts[0],
        (
            "'mlrun/mlrun'".to_string(),
            Some("mlrun/mlrun".to_string()),
            Some(1),
            2,
            44
        )
    );
    assert_eq!(facts[1].0, r#"\"a\\\"b:1\""#);
    assert_eq!(facts[1].1, None);
    assert_eq!(facts[2].1, None);
    assert_eq!((facts[2].3, facts[2].4), (4, 30));
}

#[test]
fn surrogate_pairs_decode_to_one_character() {
    let text = notebook(&[(
        "code",
        r#""import mlrun\nx = '\ud83d\ude00'; mlrun.code_to_function(image='a:1')""#,
    )]);
    let facts = located(&text);
    assert_eq!(facts[0].0, "'a:1'");
    // `x = '😀'; ` is 9 characters, `mlrun.code_to_function(image=` 29.
    assert_eq!((facts[0].2, facts[0].3, facts[0].4), (Some(1), 2, 39));
}

#[test]
fn pip_magics_are_package_facts_with_raw_spans() {
    let text = notebook(&[
        (
            "code",
            r#"["%pip install pandas==2.0 'numpy>=1'\n", "!pip install lxml\n", "import mlrun"]"#,
        ),
        (
            "code",
            r##"["# %pip install decoy\n", "s = '!pip install decoy'"]"##,
        ),
    ]);
    let (facts, _) = read(&text);
    let packages: Vec<(String, Option<String>)> = facts
        .iter()
        .filter_map(|fact| match fact {
            Fact::Package(p) => Some((
                text[p.origin.span.start..p.origin.span.end].to_string(),
                p.origin.edit_span.map(|s| text[s.start..s.end].to_string()),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        packages,
        [
            ("pandas==2.0".to_string(), Some("pandas==2.0".to_string())),
            // pip reads the shell word without its quotes: the bytes inside them.
            ("numpy>=1".to_string(), Some("numpy>=1".to_string())),
            ("lxml".to_string(), Some("lxml".to_string())),
        ]
    );
    // A pin inserted at the raw insertion point keeps the JSON valid and lands
    // right after the name.
    let Fact::Package(lxml) = facts
        .iter()
        .rfind(|f| matches!(f, Fact::Package(_)))
        .unwrap()
    else {
        unreachable!()
    };
    let at = lxml.pin_at.unwrap().start;
    let fixed = format!("{}==4.9{}", &text[..at], &text[at..]);
    assert!(serde_json::from_str::<serde_json::Value>(&fixed).is_ok());
    assert!(fixed.contains(r#""!pip install lxml==4.9\n""#));
}

#[test]
fn notebooks_that_do_not_import_mlrun_or_are_not_python_give_nothing() {
    let text = notebook(&[("code", r#""%pip install pandas\nclient.run(image='x')""#)]);
    assert!(read(&text).0.is_empty());
    let r = notebook(&[(
        "code",
        r#""import mlrun\nmlrun.code_to_function(image='x')""#,
    )])
    .replace("\"language\": \"python\"", "\"language\": \"R\"");
    assert!(read(&r).0.is_empty());
}

#[test]
fn invalid_json_is_a_parse_problem_where_it_breaks() {
    let text = "{\n \"cells\": [\n  {\"cell_type\": \"code\", \"source\": \"x\",}\n ]\n}\n";
    let (facts, cells) = read(text);
    assert!(cells.is_none());
    let [Fact::Problem(problem)] = facts.as_slice() else {
        panic!("{facts:?}")
    };
    assert_eq!(problem.kind, ProblemKind::Parse);
    assert!(
        problem.message.starts_with("invalid JSON"),
        "{}",
        problem.message
    );
    let line = text[..problem.origin.span.start].matches('\n').count() + 1;
    assert_eq!(line, 3);
    for text in ["", "[]", "{\"metadata\": {}}", "\u{feff}{\"cells\": 3}"] {
        let (facts, _) = read(text);
        assert!(
            matches!(facts.as_slice(), [Fact::Problem(p)] if p.kind == ProblemKind::Parse),
            "{text:?}: {facts:?}"
        );
    }
}

#[test]
fn python_syntax_errors_in_one_cell_do_not_hide_the_others() {
    let text = notebook(&[
        ("code", r#""import mlrun""#),
        ("code", r#""def broken(:""#),
        ("code", r#""mlrun.code_to_function(image=f'a:{v}')""#),
    ]);
    let (facts, _) = read(&text);
    assert!(matches!(
        &facts[..],
        [Fact::Image(image)] if matches!(image.value, ImageValue::Unverifiable { .. })
    ));
}

#[test]
fn old_nbformat_and_odd_cells_never_panic() {
    let v3 = r#"{"worksheets": [{"cells": [{"cell_type": "code", "input": ["import mlrun\n", "mlrun.new_function(image='x:1')"]}]}], "metadata": {}}"#;
    assert_eq!(read(v3).0.len(), 1);
    for text in [
        r#"{"cells": [1, null, {"cell_type": "code"}, {"cell_type": "code", "source": []}, {"cell_type": "code", "source": [1, "\u0000"]}]}"#,
        r#"{"cells": [{"cell_type": "code", "source": "\ud800 import mlrun"}]}"#,
    ] {
        let _ = located(text);
    }
}

/// Reads every notebook under `MLRUN_LINT_CORPUS` (e.g. `/work/shared/corpus`):
/// none may be a problem; prints fact counts and a sample of positions.
#[test]
#[ignore = "needs MLRUN_LINT_CORPUS"]
fn corpus_notebooks_read_without_problems() {
    let Ok(root) = std::env::var("MLRUN_LINT_CORPUS") else {
        return;
    };
    let mut paths = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(root)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "ipynb") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    let mut sample = Vec::new();
    let mut problems = Vec::new();
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let (facts, cells) = read(&text);
        let file = FileDiagnostics::new(
            path.display().to_string(),
            Arc::from(text.as_str()),
            Vec::new(),
        )
        .with_cells(cells.map(Arc::new));
        for fact in &facts {
            let kind = format!("{fact:?}");
            let kind = kind.split('(').next().unwrap_or_default().to_string();
            *counts.entry(kind).or_default() += 1;
            if let Fact::Problem(problem) = fact {
                problems.push(format!("{}: {}", path.display(), problem.message));
            }
            let span = fact.origin().span;
            if sample.len() < 10
                && matches!(fact, Fact::Image(_) | Fact::Package(_))
                && paths.len() > 1
            {
                let at = file.position(span.start);
                sample.push(format!(
                    "{}:cell {}:{}:{}: {}",
                    path.display(),
                    file.cell(span.start).unwrap_or(0),
                    at.line,
                    at.column,
                    &text[span.start..span.end]
                ));
            }
        }
    }
    println!("{} notebooks; facts by kind: {counts:?}", paths.len());
    for line in &sample {
        println!("  {line}");
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
