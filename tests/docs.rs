//! The README's rule table is generated from the registry; this test fails when it
//! is stale and rewrites it when run with `UPDATE_README=1`.

use mlrun_lint::rules;
use std::path::Path;

const START: &str = "<!-- rules-table -->\n";
const END: &str = "<!-- /rules-table -->\n";

fn table() -> String {
    let mut out = String::from("| code | name | default | flags |\n|---|---|---|---|\n");
    for rule in rules::ALL {
        let severity = if rule.enabled_by_default {
            rule.severity.as_str()
        } else {
            "off"
        };
        out.push_str(&format!(
            "| [{code}](rules/{code}-{name}.md) | `{name}` | {severity} | {summary} |\n",
            code = rule.code,
            name = rule.name,
            summary = rule.summary.replace('|', "\\|"),
        ));
    }
    out
}

#[test]
fn readme_rule_table_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme
        .find(START)
        .expect("README has the rules-table marker")
        + START.len();
    let end = readme[start..].find(END).map_or(start, |i| start + i);
    let expected = table();
    if readme[start..end] != expected {
        if std::env::var_os("UPDATE_README").is_some() {
            let updated = format!(
                "{}{expected}{END}{}",
                &readme[..start],
                &readme[end..].trim_start_matches(END)
            );
            std::fs::write(&path, updated).unwrap();
        } else {
            panic!("README rule table is stale; run `UPDATE_README=1 cargo test --test docs`");
        }
    }
}

/// The commands of the README's GitLab job, in order.
fn gitlab_script(readme: &str) -> Vec<String> {
    let section = &readme[readme.find("## GitLab CI").expect("a GitLab CI section")..];
    let block = &section[section.find("```yaml\n").expect("a YAML snippet")..];
    let block = &block[..block[8..].find("```").expect("a closed snippet") + 8];
    block
        .lines()
        .skip_while(|line| line.trim() != "script:")
        .skip(1)
        .take_while(|line| line.starts_with("    "))
        .filter_map(|line| line.trim().strip_prefix("- "))
        .map(str::to_string)
        .collect()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// GitLab runs a job's `script:` lines in one shell and stops at the first that
/// fails. On a project with findings the README's job must still write both
/// reports, and then fail.
#[cfg(unix)]
#[test]
fn readme_gitlab_job_writes_both_reports_and_fails_on_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let script = gitlab_script(&readme);
    assert_eq!(script.len(), 2, "{script:?}");
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root.join("fixtures/demo"), dir.path());
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_mlrun-lint"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut statuses = Vec::new();
    for command in &script {
        let status = std::process::Command::new("sh")
            .args(["-c", command])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .status()
            .unwrap();
        statuses.push(status.code());
        if !status.success() {
            break;
        }
    }
    // Every line ran; the last, the check that decides the job, failed it.
    assert_eq!(statuses, [Some(0), Some(1)]);
    let junit = std::fs::read_to_string(dir.path().join("mlrun-lint-junit.xml")).unwrap();
    assert!(junit.starts_with("<?xml"), "{junit}");
    assert!(junit.contains("<failure"), "{junit}");
    let quality = std::fs::read_to_string(dir.path().join("gl-code-quality-report.json")).unwrap();
    let quality: serde_json::Value = serde_json::from_str(&quality).unwrap();
    assert!(!quality.as_array().unwrap().is_empty());
}

/// Every relative link in the README and in `docs/` names a file of this
/// repository (the reference moved to `docs/`; a stale link would point nowhere).
#[test]
fn relative_links_in_the_docs_resolve() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        pages.push(entry.unwrap().path());
    }
    let mut broken = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for (at, _) in text.match_indices("](") {
            let rest = &text[at + 2..];
            let target = &rest[..rest.find(')').unwrap_or(0)];
            let file = target.split('#').next().unwrap_or_default();
            if file.is_empty() || target.contains("://") {
                continue;
            }
            if !page.parent().unwrap().join(file).exists() {
                broken.push(format!("{}: {target}", page.display()));
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
}
