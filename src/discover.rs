//! Finding the files to check.
//!
//! The walk is ripgrep's (`ignore`): parallel, honouring `.gitignore` (also outside
//! a git repository, since generated trees and unpacked archives have none) and a
//! short list of folders that never hold a project's own specs. Files are kept or
//! dropped by name alone ([`FileKind::of`]), so nothing is opened that is not a
//! candidate. Files named on the command line are always checked, and so are files
//! git tracks that an ignore file matches: git ignores only untracked files
//! ([`tracked_but_ignored`]).

mod git_index;

use crate::paths::identity;
use crate::sources::FileKind;
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Folders skipped by default: version control, virtual environments, installed
/// packages and caches (any other folder holding a `pyvenv.cfg` is a virtual
/// environment too). `--no-ignore` lifts all but version control.
const EXCLUDED_DIRS: &[&str] = &[
    ".venv",
    "venv",
    "site-packages",
    "dist-packages",
    "node_modules",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".ipynb_checkpoints",
    ".eggs",
];

/// Version-control metadata: never a project file, whatever the flags.
const VCS_DIRS: &[&str] = &[".git", ".hg", ".svn"];

/// A file to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub path: PathBuf,
    /// `None` for a file named on the command line whose kind mlrun-lint does not read.
    pub kind: Option<FileKind>,
    /// Read only for what it says about other files (a project's default image,
    /// its `mlrun` pin), never reported: see [`context_of`].
    pub context_only: bool,
    /// Why the walk could not look into this entry (an unreadable folder, a path
    /// too long for the system): reported as MLR003, never passed over.
    pub unwalked: Option<String>,
}

#[derive(Clone, Copy, Debug)]
pub struct WalkOptions {
    /// Honour `.gitignore` files and [`EXCLUDED_DIRS`].
    pub respect_ignores: bool,
}

/// What the configuration says about one entry of the walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exclusion {
    /// Excluded by `exclude`/`extend-exclude`: not walked into, not checked.
    Excluded,
    /// Kept even if a built-in exclude names it (the configuration's `exclude`
    /// replaces the built-in list).
    Kept,
    /// Nothing configured: the built-in excludes decide.
    Default,
}

/// Decides [`Exclusion`] for a path met by the walk (`true` for a folder).
pub type ExcludeFn = Arc<dyn Fn(&Path, bool) -> Exclusion + Send + Sync>;

/// What discovery found under the paths checked.
#[derive(Debug, Default)]
pub struct Discovered {
    /// The files to check, sorted and without duplicates.
    pub candidates: Vec<Candidate>,
    /// Files named like a `--fix` temporary file ([`crate::fix::temp_file_pid`]):
    /// met by the walk, or beside a file named on the command line with that
    /// file's name in them. Whether one is a leftover is for the caller to judge.
    pub temp_files: Vec<PathBuf>,
}

/// The candidate files under `paths`, sorted and without duplicates. A path that
/// does not exist is an error, so a typo in CI does not pass as "no findings".
pub fn candidates(paths: &[PathBuf], options: WalkOptions) -> Result<Vec<Candidate>, String> {
    candidates_excluding(paths, options, Arc::new(|_, _| Exclusion::Default))
        .map(|found| found.candidates)
}

/// [`candidates`], with configured excludes: `exclude` decides for every file and
/// folder met below the roots (never for the paths given, which are always checked).
pub fn candidates_excluding(
    paths: &[PathBuf],
    options: WalkOptions,
    exclude: ExcludeFn,
) -> Result<Discovered, String> {
    let mut found = Vec::new();
    let mut roots = Vec::new();
    for path in paths {
        let metadata =
            std::fs::metadata(path).map_err(|err| format!("{}: {err}", path.display()))?;
        if metadata.is_dir() {
            roots.push(path.clone());
        } else {
            found.push(Candidate {
                path: path.clone(),
                kind: FileKind::of(path),
                context_only: false,
                unwalked: None,
            });
        }
    }
    let mut temp_files = temp_files_beside(&found);
    let mut symlinks = false;
    if let Some((first, rest)) = roots.split_first() {
        let walked = walk(first, rest, options, exclude.clone());
        symlinks = walked.symlinks;
        found.extend(walked.candidates);
        temp_files.extend(walked.temp_files);
        if options.respect_ignores {
            let tracked = tracked_but_ignored(&roots, &found, &exclude);
            found.extend(tracked);
        }
    }
    temp_files.sort();
    temp_files.dedup();
    found.sort_by(|a, b| a.path.cmp(&b.path));
    // `check a.yaml ./a.yaml .` names one file three times: keep the first. One
    // folder walked without symbolic links names every file once, so the
    // canonical paths (several system calls per file) are only worked out when
    // two names could be one file.
    let mut seen = std::collections::HashSet::new();
    if paths.len() > 1 || roots.is_empty() || symlinks {
        found.retain(|c| seen.insert(identity(&c.path)));
    }
    let named: Vec<&PathBuf> = paths.iter().filter(|p| p.is_file()).collect();
    let context: Vec<Candidate> = context_of(&named)
        .into_iter()
        .filter(|c| seen.insert(identity(&c.path)))
        .collect();
    found.extend(context);
    Ok(Discovered {
        candidates: found,
        temp_files,
    })
}

/// The temporary files a fix of each file named on the command line would have
/// left beside it (`.<name>.mlrun-lint-fix.…`), reading each folder once.
fn temp_files_beside(named: &[Candidate]) -> Vec<PathBuf> {
    let mut by_folder: std::collections::BTreeMap<PathBuf, Vec<String>> = Default::default();
    for candidate in named {
        let (Some(folder), Some(name)) = (candidate.path.parent(), candidate.path.file_name())
        else {
            continue;
        };
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        by_folder
            .entry(folder.to_path_buf())
            .or_default()
            .push(format!(
                ".{}{}",
                name.to_string_lossy(),
                crate::fix::TEMP_MARKER
            ));
    }
    let mut found = Vec::new();
    for (folder, prefixes) in by_folder {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            if crate::fix::temp_file_pid(name).is_some()
                && prefixes
                    .iter()
                    .any(|prefix| name.starts_with(prefix.as_str()))
            {
                found.push(entry.path());
            }
        }
    }
    found
}

/// The files that shape the scope of files named on the command line: the YAML
/// specs and requirements files in their folders and the folders above them (up
/// to the working directory, or the repository root for files outside it).
///
/// A pre-commit hook or an editor names one `function.yaml`; its project's
/// `default_image` and `mlrun==` pin live in `project.yaml` and
/// `requirements.txt`. Without them the file would be judged differently than
/// in a full run.
pub fn context_of(named: &[&PathBuf]) -> Vec<Candidate> {
    let mut folders = std::collections::BTreeSet::new();
    for file in named {
        let start = file.parent().unwrap_or(Path::new(""));
        for folder in start.ancestors() {
            let listed = if folder.as_os_str().is_empty() {
                Path::new(".")
            } else {
                folder
            };
            if !folders.insert(listed.to_path_buf()) {
                break;
            }
            if folder.as_os_str().is_empty() || listed.join(".git").exists() {
                break;
            }
        }
    }
    let mut context = Vec::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let kind = FileKind::of(&path);
            if kind.is_some_and(FileKind::shapes_scope)
                && entry.file_type().is_ok_and(|t| t.is_file())
            {
                context.push(Candidate {
                    path: path
                        .strip_prefix("./")
                        .map(Path::to_path_buf)
                        .unwrap_or(path),
                    kind,
                    context_only: true,
                    unwalked: None,
                });
            }
        }
    }
    context.sort_by(|a, b| a.path.cmp(&b.path));
    context
}

/// The files under `roots` that git tracks, that the walk left out, and that only
/// an ignore file can have left out: not in a built-in excluded folder, not
/// excluded by the configuration, present on disk and of a kind mlrun-lint reads.
/// Git applies `.gitignore` to untracked files only, so a tracked file it matches
/// is still committed, deployed and run.
fn tracked_but_ignored(
    roots: &[PathBuf],
    walked: &[Candidate],
    exclude: &ExcludeFn,
) -> Vec<Candidate> {
    let known: std::collections::HashSet<&Path> = walked.iter().map(|c| c.path.as_path()).collect();
    let mut found = Vec::new();
    for root in roots {
        let Ok(absolute) = std::fs::canonicalize(root) else {
            continue;
        };
        let Some((top, git_dir)) = git_index::repository_of(&absolute) else {
            continue;
        };
        let Some(paths) = git_index::tracked_paths(&git_dir) else {
            continue;
        };
        let Ok(below) = absolute.strip_prefix(&top) else {
            continue;
        };
        for tracked in paths {
            let Ok(relative) = Path::new(&tracked).strip_prefix(below) else {
                continue;
            };
            let path = root.join(relative);
            let Some(kind) = FileKind::of(&path) else {
                continue;
            };
            if known.contains(path.as_path())
                || !kept_by_default_excludes(root, relative, exclude)
                || !path.symlink_metadata().is_ok_and(|m| m.is_file())
            {
                continue;
            }
            found.push(Candidate {
                path,
                kind: Some(kind),
                context_only: false,
                unwalked: None,
            });
        }
    }
    found
}

/// Whether the walk, ignore files aside, would have kept `root/relative`: no folder
/// on the way is version control, a built-in exclude or a virtual environment
/// (unless the configuration keeps it), and the configuration excludes neither
/// a folder on the way nor the file.
fn kept_by_default_excludes(root: &Path, relative: &Path, exclude: &ExcludeFn) -> bool {
    let mut dir = root.to_path_buf();
    let mut components = relative.components().peekable();
    while let Some(component) = components.next() {
        let path = dir.join(component);
        let is_dir = components.peek().is_some();
        let name = component.as_os_str().to_string_lossy();
        if is_dir && VCS_DIRS.contains(&name.as_ref()) {
            return false;
        }
        match exclude(&path, is_dir) {
            Exclusion::Excluded => return false,
            Exclusion::Kept => {}
            Exclusion::Default => {
                if is_dir
                    && (EXCLUDED_DIRS.contains(&name.as_ref()) || path.join("pyvenv.cfg").is_file())
                {
                    return false;
                }
            }
        }
        dir = path;
    }
    true
}

/// What a walk found.
struct Walked {
    candidates: Vec<Candidate>,
    /// Whether any candidate is a symbolic link (so may be another candidate).
    symlinks: bool,
    /// Regular files named like a `--fix` temporary file.
    temp_files: Vec<PathBuf>,
}

fn walk(first: &Path, rest: &[PathBuf], options: WalkOptions, exclude: ExcludeFn) -> Walked {
    let mut builder = WalkBuilder::new(first);
    for root in rest {
        builder.add(root);
    }
    builder
        .hidden(false)
        .parents(options.respect_ignores)
        .ignore(options.respect_ignores)
        .git_ignore(options.respect_ignores)
        .git_global(options.respect_ignores)
        .git_exclude(options.respect_ignores)
        .require_git(false)
        .follow_links(false);
    let respect_ignores = options.respect_ignores;
    builder.filter_entry(move |entry| {
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        // Files of no interest are dropped by name later; asking the configuration
        // about them would only cost time.
        if entry.depth() == 0 || (!is_dir && FileKind::of(entry.path()).is_none()) {
            return true;
        }
        let name = entry.file_name().to_string_lossy();
        if is_dir && VCS_DIRS.contains(&name.as_ref()) {
            return false;
        }
        match exclude(entry.path(), is_dir) {
            Exclusion::Excluded => false,
            Exclusion::Kept => true,
            Exclusion::Default => {
                !is_dir
                    || !(respect_ignores
                        && (EXCLUDED_DIRS.contains(&name.as_ref())
                            || entry.path().join("pyvenv.cfg").is_file()))
            }
        }
    });
    let found = Mutex::new(Vec::new());
    let temp_files = Mutex::new(Vec::new());
    let symlinks = std::sync::atomic::AtomicBool::new(false);
    builder.build_parallel().run(|| {
        let found = &found;
        let temp_files = &temp_files;
        let symlinks = &symlinks;
        Box::new(move |entry| {
            // A folder the walk cannot enter is reported (MLR003) with why; a
            // file we cannot read is reported when it is opened.
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    if let Some((path, why)) = walk_error(&err) {
                        found
                            .lock()
                            .unwrap_or_else(|poisoned| poisoned.into_inner())
                            .push(Candidate {
                                path,
                                kind: None,
                                context_only: false,
                                unwalked: Some(why),
                            });
                    }
                    return WalkState::Continue;
                }
            };
            if entry.file_type().is_some_and(|t| t.is_dir()) {
                return WalkState::Continue;
            }
            if let Some(kind) = FileKind::of(entry.path()) {
                if entry.path_is_symlink() {
                    symlinks.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                let candidate = Candidate {
                    path: entry.into_path(),
                    kind: Some(kind),
                    context_only: false,
                    unwalked: None,
                };
                found
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .push(candidate);
            } else if entry.file_type().is_some_and(|t| t.is_file())
                && entry
                    .file_name()
                    .to_str()
                    .and_then(crate::fix::temp_file_pid)
                    .is_some()
            {
                temp_files
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .push(entry.into_path());
            }
            WalkState::Continue
        })
    });
    Walked {
        candidates: found
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
        symlinks: symlinks.into_inner(),
        temp_files: temp_files
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
    }
}

/// The entry a walk error is about and why, for MLR003: `None` for errors about
/// no entry (a bad `.gitignore` line is the ignore file's business, not a skip).
fn walk_error(err: &ignore::Error) -> Option<(PathBuf, String)> {
    match err {
        ignore::Error::WithPath { path, err } => {
            let why = match err.as_ref() {
                ignore::Error::Io(io) => describe_io(io),
                other => other.to_string(),
            };
            Some((path.clone(), format!("cannot read this folder: {why}")))
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error(err)
        }
        _ => None,
    }
}

/// An I/O error as a reason: the system's words, with the limit named for a path
/// too long to open.
fn describe_io(err: &std::io::Error) -> String {
    if err.kind() == std::io::ErrorKind::InvalidFilename {
        return format!("the path is longer than the system allows ({err})");
    }
    err.to_string()
}
