use super::*;
use crate::facts::{ImageFact, ImageValue};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Runs the reader over every YAML file of the research corpus, when it is
/// present (`MLRUN_LINT_CORPUS`, default `/work/shared/corpus`), and prints counts.
/// `cargo test --lib sources::yaml::tests::corpus -- --ignored --nocapture`
#[test]
#[ignore = "needs the research corpus outside the repository"]
fn corpus() {
    let root = PathBuf::from(
        std::env::var("MLRUN_LINT_CORPUS").unwrap_or_else(|_| "/work/shared/corpus".into()),
    );
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if crate::sources::FileKind::of(&path).is_some() {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let started = std::time::Instant::now();
        let facts = read(path, &text);
        assert!(started.elapsed().as_secs() < 2, "{}", path.display());
        let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let file = if ["function.yaml", "project.yaml", "item.yaml"].contains(&file) {
            file
        } else {
            "other"
        };
        *counts.entry(format!("{file} files")).or_default() += 1;
        for fact in &facts {
            let origin = fact.origin();
            assert!(
                text.get(origin.span.start..origin.span.end).is_some(),
                "{}",
                path.display()
            );
            if let Some(edit) = origin.edit_span {
                assert!(text.get(edit.start..edit.end).is_some());
            }
            let key = match fact {
                Fact::Image(ImageFact { role, value, .. }) => {
                    if let (Some(edit), ImageValue::Literal(r)) = (origin.edit_span, value) {
                        assert_eq!(&text[edit.start..edit.end], r.text, "{}", path.display());
                    }
                    let kind = if origin.field == "spec.image" && file == "function.yaml" {
                        facts
                            .iter()
                            .find_map(|f| match f {
                                Fact::Function(f) => f.kind.clone(),
                                _ => None,
                            })
                            .unwrap_or_default()
                    } else {
                        String::new()
                    };
                    format!("{file} image {role:?} {} {kind}", normalise(&origin.field))
                }
                Fact::Problem(p) => {
                    println!("PROBLEM {}: {:?} {}", path.display(), p.kind, p.message);
                    format!("{file} problem {:?}", p.kind)
                }
                Fact::Function(f) => format!("{file} function names_image={}", f.names_image),
                Fact::HubRef(_) => format!("{file} hub ref"),
                Fact::ClientVersion(_) => format!("{file} client version"),
                Fact::Package(_) => format!("{file} package"),
            };
            *counts.entry(key).or_default() += 1;
        }
        if file == "other" && !facts.is_empty() {
            println!("OTHER WITH FACTS {}: {}", path.display(), facts.len());
        }
    }
    for (key, count) in &counts {
        println!("{count:5} {key}");
    }
}

fn normalise(field: &str) -> String {
    let mut out = String::new();
    let mut in_index = false;
    for c in field.chars() {
        match c {
            '[' if !in_index => {
                in_index = true;
                out.push_str("[]");
            }
            ']' if in_index => in_index = false,
            _ if in_index => {}
            c => out.push(c),
        }
    }
    out
}
