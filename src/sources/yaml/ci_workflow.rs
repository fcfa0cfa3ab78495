//! CI workflows whose steps run MLRun's command line: GitHub Actions workflows
//! (`.github/workflows/*.yml`: `jobs.<id>.steps[].run`) and composite actions
//! (`action.yml`: `runs.steps[].run`), and GitLab CI (`.gitlab-ci.yml`: each job's
//! `script`, `before_script`, `after_script`, also the global and `default:` ones).
//! Only their shell scripts are read ([`FieldKind::ShellScript`]): a workflow's
//! `container:` or `services:` images are the CI's own, not MLRun's.

use super::fields::{index, join, push, quoted_key, Field, FieldKind};
use super::tree::Node;
use std::path::Path;

/// GitLab keys that hold a job's shell script.
const GITLAB_SCRIPT_KEYS: &[&str] = &["before_script", "script", "after_script"];

/// Whether `path` names a CI workflow file this module reads.
pub fn is_ci_file(path: &Path) -> bool {
    github_workflow(path) || composite_action(path) || gitlab_ci(path)
}

fn github_workflow(path: &Path) -> bool {
    let parent = path.parent();
    let folder = parent.and_then(Path::file_name);
    let above = parent.and_then(Path::parent).and_then(Path::file_name);
    folder.is_some_and(|f| f == "workflows") && above.is_some_and(|a| a == ".github")
}

fn composite_action(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| name == "action.yml" || name == "action.yaml")
}

fn gitlab_ci(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_ascii_lowercase)
        .is_some_and(|n| n.ends_with(".gitlab-ci.yml") || n.ends_with(".gitlab-ci.yaml"))
}

/// The shell scripts of one workflow document, with the job that runs each.
pub fn scripts<'a>(path: &Path, doc: &'a Node) -> Vec<(Option<&'a str>, Field<'a>)> {
    let mut out = Vec::new();
    if github_workflow(path) {
        let workflow_shell = default_shell(doc);
        for (job, body) in doc
            .get_map("jobs")
            .and_then(Node::as_map)
            .unwrap_or_default()
        {
            let name = job.as_str();
            let at = key_path("jobs", name.unwrap_or_default());
            let shell = default_shell(body).or(workflow_shell);
            steps(body, &join(&at, "steps"), name, shell, &mut out);
        }
    } else if composite_action(path) {
        if let Some(runs) = doc.get_map("runs") {
            steps(runs, "runs.steps", None, None, &mut out);
        }
    } else if gitlab_ci(path) {
        for (key, body) in doc.as_map().unwrap_or_default() {
            let Some(name) = key.as_str() else {
                continue;
            };
            if GITLAB_SCRIPT_KEYS.contains(&name) {
                let mut fields = Vec::new();
                push(
                    &mut fields,
                    name.to_string(),
                    FieldKind::ShellScript,
                    Some(body),
                );
                out.extend(fields.into_iter().map(|f| (None, f)));
                continue;
            }
            if body.as_map().is_none() {
                continue;
            }
            let job = (name != "default").then_some(name);
            let at = key_path("", name);
            for script in GITLAB_SCRIPT_KEYS {
                let mut fields = Vec::new();
                push(
                    &mut fields,
                    join(&at, script),
                    FieldKind::ShellScript,
                    body.get(script),
                );
                out.extend(fields.into_iter().map(|f| (job, f)));
            }
        }
    }
    out
}

/// `prefix.key`, or `prefix["key"]` for a key that is no plain name.
fn key_path(prefix: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if plain {
        join(prefix, key)
    } else {
        quoted_key(prefix, key)
    }
}

/// `defaults.run.shell` of a workflow or job.
fn default_shell<'a>(body: &'a Node<'a>) -> Option<&'a str> {
    body.get_map("defaults")?.get_map("run")?.get_str("shell")
}

/// Whether a step's `shell` runs its script with a POSIX shell: absent (bash on
/// the runners that run MLRun), or `bash`, `sh`, `zsh`, `dash`, `ksh` (with or
/// without arguments such as `bash -e {0}`); `python`, `pwsh`, `cmd` scripts
/// are no shell text.
fn posix_shell(shell: Option<&str>) -> bool {
    let program = shell
        .and_then(|s| s.split_whitespace().next())
        .map(|p| p.rsplit('/').next().unwrap_or(p));
    program.is_none_or(|p| matches!(p, "bash" | "sh" | "zsh" | "dash" | "ksh"))
}

/// A `steps` list's `run` scripts, those run by a POSIX shell.
fn steps<'a>(
    body: &'a Node,
    path: &str,
    job: Option<&'a str>,
    default: Option<&str>,
    out: &mut Vec<(Option<&'a str>, Field<'a>)>,
) {
    let steps = body.get("steps").and_then(Node::as_seq).unwrap_or_default();
    for (i, step) in steps.iter().enumerate() {
        if !posix_shell(step.get_str("shell").or(default)) {
            continue;
        }
        let mut fields = Vec::new();
        push(
            &mut fields,
            join(&index(path, i), "run"),
            FieldKind::ShellScript,
            step.get("run"),
        );
        out.extend(fields.into_iter().map(|f| (job, f)));
    }
}
