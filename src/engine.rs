//! The pipeline: discover files, read each into facts, work out the project each
//! file belongs to, let the enabled rules judge every fact.
//!
//! Reading and judging run in parallel, file by file. Judging waits for all files
//! to be read because a fact's [`Scope`] can depend on other files (the project's
//! `default_image` lives in `project.yaml`, its client pin in `requirements.txt`):
//! [`Workspace`] links them in between.

use crate::diagnostic::{Diagnostic, FileDiagnostics, Finding};
use crate::discover::{self, WalkOptions};
use crate::facts::{Fact, Origin, Problem, ProblemKind};
use crate::rules::{Check, Rule, Scope};
use crate::selection::Selection;
use crate::sources::{self, FileKind};
use crate::span::Span;
use crate::workspace::{ReadFile, Workspace};
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files larger than this are not read (MLR003). MLRun specs with embedded source
/// code reach a few hundred KiB; 16 MiB leaves room for anything real.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Everything `check` needs to know, resolved from flags (and later configuration).
#[derive(Clone, Debug)]
pub struct Settings {
    pub selection: Selection,
    /// The MLRun client version given with `--mlrun-version`.
    pub mlrun_version: Option<String>,
    pub walk: WalkOptions,
}

/// The result of a run.
#[derive(Debug)]
pub struct Outcome {
    /// How many files were read (or tried).
    pub files_checked: usize,
    /// The files with at least one diagnostic, sorted by path.
    pub files: Vec<FileDiagnostics>,
}

/// Checks `paths` (files and folders).
pub fn check(paths: &[PathBuf], settings: &Settings) -> Result<Outcome, String> {
    let candidates = discover::candidates(paths, settings.walk)?;
    let read: Vec<ReadFile> = candidates
        .par_iter()
        .map(|candidate| ReadFile {
            context_only: candidate.context_only,
            ..read_file(&candidate.path, candidate.kind)
        })
        .collect();
    let workspace = Workspace::link(read, &|path| read_file(path, Some(FileKind::Requirements)));
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown: Vec<String> = workspace
        .files
        .iter()
        .map(|file| display_path(&file.path, &cwd))
        .collect();
    let rules = settings.selection.enabled_rules();
    let version = settings.mlrun_version.as_deref();
    let mut found: Vec<Vec<Diagnostic>> = (0..workspace.files.len())
        .into_par_iter()
        .map(|index| {
            let scope = workspace.scope(index, version);
            judge(&workspace.files[index].facts, &scope, &rules)
        })
        .collect();
    let set_rules: Vec<&Rule> = rules
        .iter()
        .copied()
        .filter(|rule| matches!(rule.check, Check::Set(_)))
        .collect();
    if !set_rules.is_empty() {
        for (owner, set) in workspace.requirement_sets(&shown) {
            let scope = workspace.scope(owner, version);
            for rule in &set_rules {
                for finding in rule.check_set(&set, &scope) {
                    found[finding.file].push(diagnostic(rule, finding.finding));
                }
            }
        }
    }
    let files_checked = workspace.files.len();
    let mut files: Vec<FileDiagnostics> = workspace
        .files
        .into_iter()
        .zip(shown)
        .zip(found)
        .filter(|((file, _), diagnostics)| !file.context_only && !diagnostics.is_empty())
        .map(|((file, path), mut diagnostics)| {
            sort_and_dedup(&mut diagnostics);
            FileDiagnostics::new(path, file.text, diagnostics).with_cells(file.cells)
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Outcome {
        files_checked,
        files,
    })
}

fn diagnostic(rule: &Rule, finding: Finding) -> Diagnostic {
    Diagnostic {
        code: rule.code,
        rule: rule.name,
        severity: rule.severity,
        span: finding.span,
        message: finding.message,
        help: finding.help,
        fix: finding.fix,
    }
}

/// Position order, then code; a set finding reached from two sets is reported once.
fn sort_and_dedup(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.code, a.span.end, &a.message).cmp(&(
            b.span.start,
            b.code,
            b.span.end,
            &b.message,
        ))
    });
    diagnostics.dedup_by(|a, b| a.span == b.span && a.code == b.code && a.message == b.message);
}

/// Every finding of every enabled rule on `facts`, sorted by position then code.
pub fn judge(facts: &[Fact], scope: &Scope, rules: &[&Rule]) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = facts
        .iter()
        .flat_map(|fact| {
            rules
                .iter()
                .filter_map(move |rule| rule.check_fact(fact, scope).map(|f| diagnostic(rule, f)))
        })
        .collect();
    sort_and_dedup(&mut diagnostics);
    diagnostics
}

/// Reads a file into facts. Anything that stops the file being read becomes a
/// `Problem` fact (MLR003), never an error that ends the run.
fn read_file(path: &Path, kind: Option<FileKind>) -> ReadFile {
    let path = path.to_path_buf();
    let skipped = |unread: Unread| ReadFile {
        path: path.clone(),
        kind,
        context_only: false,
        text: Arc::from(unread.text),
        facts: vec![Fact::Problem(Problem {
            origin: Origin::new(Span::at(unread.offset), None, "file"),
            kind: ProblemKind::Skipped,
            message: format!("not checked: {}", unread.message),
        })],
        cells: None,
    };
    let Some(known) = kind else {
        return skipped(Unread::new(
            "mlrun-lint does not recognise this kind of file by its name",
        ));
    };
    let text = match read_text(&path) {
        Ok(text) => text,
        Err(unread) => return skipped(unread),
    };
    let read = sources::read(known, &path, &text);
    ReadFile {
        kind,
        context_only: false,
        path,
        text: Arc::from(text),
        facts: read.facts,
        cells: read.cells,
    }
}

/// Why a file was not read, and where, for the MLR003 diagnostic.
struct Unread {
    message: String,
    /// What can be shown of the file (the lossy text of a file that is not UTF-8).
    text: String,
    offset: usize,
}

impl Unread {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            text: String::new(),
            offset: 0,
        }
    }
}

/// The file's text, if it is a readable regular file of UTF-8 within the size limit.
fn read_text(path: &Path) -> Result<String, Unread> {
    let metadata = std::fs::metadata(path)
        .map_err(|err| Unread::new(format!("cannot read the file: {err}")))?;
    if !metadata.is_file() {
        return Err(Unread::new("not a regular file"));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(Unread::new(format!(
            "the file is {} bytes, over the {} MiB limit",
            metadata.len(),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|err| Unread::new(format!("cannot read the file: {err}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Unread::new(format!(
            "the file grew over the {} MiB limit while it was read",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    String::from_utf8(bytes).map_err(|err| {
        // The lossy text keeps every byte before the first invalid one in place,
        // so the diagnostic can point at it.
        let offset = err.utf8_error().valid_up_to();
        Unread {
            message: "the file is not UTF-8 text".into(),
            text: String::from_utf8_lossy(err.as_bytes()).into_owned(),
            offset,
        }
    })
}

/// The path as users see it: relative to the working directory when under it,
/// with `/` separators on every platform.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let relative = if path.is_absolute() {
        path.strip_prefix(cwd).unwrap_or(path)
    } else {
        path
    };
    let shown: Vec<String> = relative
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let joined = shown.join("/");
    if path.is_absolute() && relative == path {
        // Outside the working directory: keep it absolute.
        format!("/{}", joined.trim_start_matches('/'))
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_are_relative_with_slashes() {
        let cwd = Path::new("/work/repo");
        assert_eq!(
            display_path(Path::new("/work/repo/a/b.yaml"), cwd),
            "a/b.yaml"
        );
        assert_eq!(display_path(Path::new("./a/b.yaml"), cwd), "a/b.yaml");
        assert_eq!(
            display_path(Path::new("/elsewhere/x.yaml"), cwd),
            "/elsewhere/x.yaml"
        );
    }
}
