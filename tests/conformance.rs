//! Conformance: one unpinned snippet and one pinned twin for every MLRun entry
//! point in `tests/conformance/entry_points.toml`. The unpinned snippet must get
//! its rule, the twin nothing at all. `docs/coverage.md` is generated from the
//! same file: this test fails when it is stale and rewrites it when run with
//! `UPDATE_COVERAGE=1`.

mod common;

use common::check_json;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct Manifest {
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    entry: String,
    surface: String,
    rule: String,
    source: String,
    unpinned: String,
    pinned: String,
    file: Option<String>,
}

fn manifest() -> Manifest {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/entry_points.toml");
    let text = std::fs::read_to_string(path).expect("the manifest is readable");
    toml::from_str(&text).expect("the manifest is valid")
}

/// Writes `snippet` as its surface's file in `dir` (`python` snippets as a
/// notebook cell when `surface` says `notebook`); returns the file's name.
fn write(dir: &Path, entry: &Entry, surface: &str, snippet: &str) -> String {
    let (name, text) = match surface {
        "python" => (
            "project_setup.py".to_string(),
            format!(
                "import mlrun\n\nproject = mlrun.get_or_create_project(\"p\", \"./\")\n{snippet}\n"
            ),
        ),
        "notebook" => {
            let cell = |source: &str| {
                serde_json::json!({"cell_type": "code", "metadata": {}, "outputs": [],
                                   "execution_count": null, "source": source})
            };
            let first = match entry.surface.as_str() {
                "python" => "import mlrun\nproject = mlrun.get_or_create_project(\"p\", \"./\")",
                _ => "import mlrun",
            };
            let notebook = serde_json::json!({
                "cells": [cell(first), cell(snippet)],
                "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5,
            });
            ("notebook.ipynb".to_string(), notebook.to_string())
        }
        "yaml" | "shell" | "ci" | "env" => (
            entry.file.clone().expect("the entry names its file"),
            snippet.to_string(),
        ),
        other => panic!("{}: unknown surface {other}", entry.entry),
    };
    let path = dir.join(&name);
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("created");
    std::fs::write(path, text).expect("written");
    name
}

fn codes(entry: &Entry, surface: &str, snippet: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let name = write(dir.path(), entry, surface, snippet);
    let (diagnostics, _) = check_json(dir.path(), &["--mlrun-version", "1.12.1", &name]);
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn every_entry_point_is_judged_and_its_pinned_twin_is_silent() {
    let mut failures = Vec::new();
    for entry in manifest().entry {
        // Python entry points are SDK calls wherever they are written: in a `.py`
        // file and in a notebook cell alike.
        let surfaces: &[&str] = match entry.surface.as_str() {
            "python" => &["python", "notebook"],
            other => &[other],
        };
        for surface in surfaces {
            let unpinned = codes(&entry, surface, &entry.unpinned);
            if !unpinned.contains(&entry.rule) {
                failures.push(format!(
                    "{} ({surface}): expected {}, got {unpinned:?}",
                    entry.entry, entry.rule
                ));
            }
            let pinned = codes(&entry, surface, &entry.pinned);
            if !pinned.is_empty() {
                failures.push(format!(
                    "{} ({surface}) pinned twin: expected nothing, got {pinned:?}",
                    entry.entry
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn coverage_page() -> String {
    let mut out = String::from(
        "# Coverage\n\n\
         Every MLRun entry point mlrun-lint judges, the rule that judges it, and where MLRun \
         defines it\n(MLRun 1.12.1, a path under `site-packages`). Generated from \
         `tests/conformance/entry_points.toml`\nby `UPDATE_COVERAGE=1 cargo test --test \
         conformance`; each row is a conformance case (an unpinned\nsnippet that must get the \
         rule and a pinned twin that must get nothing), and `scripts/oracle-tests`\nchecks \
         each source line against the installed MLRun. See [what is scanned](what-is-scanned.md) \
         for\nthe whole list of fields and calls.\n\n\
         | entry point | in | rule | MLRun source |\n|---|---|---|---|\n",
    );
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut pages: Vec<String> = std::fs::read_dir(rules)
        .expect("rules/ is readable")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    pages.sort();
    for entry in manifest().entry {
        let page = pages
            .iter()
            .find(|page| page.starts_with(&format!("{}-", entry.rule)))
            .unwrap_or_else(|| panic!("{} has no page in rules/", entry.rule));
        out.push_str(&format!(
            "| `{}` | {} | [{}](../rules/{page}) | `{}` |\n",
            entry.entry.replace('|', "\\|"),
            match entry.surface.as_str() {
                "python" => "python, notebook",
                other => other,
            },
            entry.rule,
            entry.source
        ));
    }
    out
}

#[test]
fn coverage_page_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/coverage.md");
    let expected = coverage_page();
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != expected {
        if std::env::var_os("UPDATE_COVERAGE").is_some() {
            std::fs::write(&path, expected).expect("written");
        } else {
            panic!(
                "docs/coverage.md is stale; run `UPDATE_COVERAGE=1 cargo test --test conformance`"
            );
        }
    }
}
