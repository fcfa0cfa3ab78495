//! Fixes: planning them on a file's text, checking the result, writing it safely,
//! and showing it as a diff.
//!
//! The rules' fixes are byte edits on the text exactly as read ([`plan`]), so a
//! fix changes the image reference and nothing around it: Renovate and people
//! keep editing the same file, and a reformat would fight them. Before anything is
//! written the new text is read again by the same reader ([`verify`]); the write
//! itself is atomic and refuses to overwrite a change made since the read
//! ([`write_atomically`]). [`apply`] and [`preview`] put these together for the
//! command line's `--fix` and `--diff`.

mod diff;
pub mod interrupt;
mod plan;
mod write;

pub use diff::unified_diff;
pub use plan::{plan, Plan};
pub use write::{remove_stale, temp_file_pid, write_atomically, TEMP_MARKER};

use crate::diagnostic::FileDiagnostics;
use crate::engine::{self, Reported, Settings, Totals};
use crate::facts::{Fact, ProblemKind};
use crate::paths;
use crate::sources::FileKind;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Fails when `new_text` does not read as well as `old_text` did: it has more
/// parse or skipped-file problems, or it grew past the size limit. A fix must
/// never turn a checked file into one mlrun-lint (or MLRun) cannot read.
pub fn verify(path: &Path, kind: FileKind, old_text: &str, new_text: &str) -> Result<(), String> {
    if new_text.len() as u64 > engine::max_file_bytes() {
        return Err("the fixed file would be over the size limit".into());
    }
    let unreadable = |text: &str| -> Vec<String> {
        engine::read_guarded(kind, path, text)
            .facts
            .into_iter()
            .filter_map(|fact| match fact {
                Fact::Problem(problem)
                    if matches!(
                        problem.kind,
                        ProblemKind::Parse | ProblemKind::Skipped | ProblemKind::ReaderFailed
                    ) =>
                {
                    Some(problem.message)
                }
                _ => None,
            })
            .collect()
    };
    let before = unreadable(old_text).len();
    let after = unreadable(new_text);
    if after.len() > before {
        let first = after.into_iter().next().unwrap_or_default();
        return Err(format!("the fixed file would not parse ({first})"));
    }
    Ok(())
}

/// Stops `--fix` from rewriting files forever when fixes keep making new fixes.
pub const MAX_ROUNDS: usize = 10;

/// What `--fix` did.
#[derive(Debug)]
pub struct Applied {
    /// What the last round's check says besides its files (those went to the
    /// report as it finished them).
    pub totals: Totals,
    /// How many diagnostics had their fix applied.
    pub fixed: usize,
    /// How many files were rewritten.
    pub files: usize,
    /// Fixes that were not applied, and files that were not written, with why.
    pub warnings: Vec<String>,
    /// Whether an interrupt (SIGINT, SIGTERM) stopped the rounds early: the
    /// files written before it are fixed, the others untouched.
    pub interrupted: bool,
}

/// Where `--fix` hands the files each round checks and does not rewrite. A
/// round is the last when it rewrites nothing, which is known only at its
/// end: so every round's files are handed on, and a new round says the files
/// of the one before were not the report.
pub trait Report: Send {
    /// A round starts: the files handed on before are not the report.
    fn round(&mut self);
    /// Files of the round, in path order, with the findings left in them.
    fn files(&mut self, files: Vec<Reported>) -> Result<(), String>;
}

/// Where the rounds of fixes go: the files on disk (`--fix`), or memory
/// (`--diff`), which then feeds each round's text back to the next check.
trait Store: Sync {
    /// Replaces `path`'s text `old` with `new`.
    fn write(&self, path: &Path, shown: &str, old: &str, new: &str) -> Result<(), String>;
    /// The text a file has in this store, when it differs from the disk.
    fn text(&self, path: &Path) -> Option<String>;
    /// Whether to stop before the next file.
    fn interrupted(&self) -> bool;
}

/// The files on disk, written one at a time, atomically, under the paths
/// checked (`roots`). Temporary files of killed runs are removed by the command
/// line after any run ([`write::remove_stale`]).
struct Disk {
    roots: Vec<PathBuf>,
}

impl Store for Disk {
    fn write(&self, path: &Path, _shown: &str, old: &str, new: &str) -> Result<(), String> {
        write::link_inside(path, &self.roots)?;
        write_atomically(path, old, new)
    }

    fn text(&self, _path: &Path) -> Option<String> {
        None
    }

    fn interrupted(&self) -> bool {
        interrupt::requested()
    }
}

/// The files as `--fix` would leave them, in memory: by identity, the path
/// shown, the text on disk and the text after the rounds so far. A round's
/// files are read before any is judged, so what it writes is read by the next.
struct Memory {
    roots: Vec<PathBuf>,
    files: Mutex<HashMap<PathBuf, (String, String, String)>>,
}

impl Memory {
    fn files(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, (String, String, String)>> {
        self.files
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Store for Memory {
    fn write(&self, path: &Path, shown: &str, old: &str, new: &str) -> Result<(), String> {
        // What the disk write would refuse up front, refused here too, so the
        // diff holds only what `--fix` writes.
        write::writable(path)?;
        write::link_inside(path, &self.roots)?;
        let mut files = self.files();
        let entry = files
            .entry(paths::identity(path))
            .or_insert_with(|| (shown.to_string(), old.to_string(), String::new()));
        entry.2 = new.to_string();
        Ok(())
    }

    fn text(&self, path: &Path) -> Option<String> {
        let files = self.files();
        if files.is_empty() {
            return None;
        }
        let (_, _, text) = files.get(&paths::identity(path))?;
        Some(text.clone())
    }

    fn interrupted(&self) -> bool {
        false
    }
}

/// Checks `paths`, applies the eligible fixes and writes the files they change,
/// then checks again, until nothing more changes. Fixes skipped because they
/// overlapped one applied first get their turn in the next round, so a second
/// `--fix` run has nothing left to do. A file whose fixed text does not verify or
/// cannot be written is left as it is, with a warning, and is not tried again.
/// An interrupt stops the rounds between two files: the file being written is
/// finished (its rename is atomic), no other is started.
///
/// Each round is a streamed check: a file is fixed as soon as it is finished,
/// and the files left as they are go to `report`, so `--fix` over a large tree
/// holds no more than a check of it does.
pub fn apply(
    paths: &[PathBuf],
    settings: &Settings,
    unsafe_fixes: bool,
    report: &mut dyn Report,
) -> Result<Applied, String> {
    interrupt::watch();
    let disk = Disk {
        roots: paths.to_vec(),
    };
    rounds(paths, settings, unsafe_fixes, &disk, report)
}

/// The rounds of [`apply`], into `store`.
fn rounds(
    paths: &[PathBuf],
    settings: &Settings,
    unsafe_fixes: bool,
    store: &dyn Store,
    report: &mut dyn Report,
) -> Result<Applied, String> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut refused: HashSet<String> = HashSet::new();
    let mut rewritten: BTreeSet<String> = BTreeSet::new();
    let mut fixed = 0;
    let mut warnings = Vec::new();
    let mut interrupted = false;
    for round in 1.. {
        report.round();
        // Fixes skipped in this round: warned about when it is the last.
        let mut skipped = Vec::new();
        let mut planned = false;
        let text = |path: &Path| store.text(path);
        // Whether a file the round finished is left as it is (and so reported).
        let mut left_as_is = |reported: &Reported| {
            let file = &reported.file;
            if refused.contains(&file.path) {
                return true;
            }
            let plan = plan(file, unsafe_fixes);
            if !plan.changes(&file.text) {
                skipped.extend(skipped_warnings(file, &plan));
                return true;
            }
            planned = true;
            if round > MAX_ROUNDS {
                warnings.push(format!(
                    "{}: fixes not written: they still changed the file after {MAX_ROUNDS} rounds",
                    file.path
                ));
                return true;
            }
            if interrupted || store.interrupted() {
                interrupted = true;
                return true;
            }
            let path = cwd.join(&reported.real_path);
            let written = verify(&path, kind_of(&path), &file.text, &plan.text)
                .and_then(|()| store.write(&path, &file.path, &file.text, &plan.text));
            match written {
                Ok(()) => {
                    fixed += plan.applied.len();
                    rewritten.insert(file.path.clone());
                    false
                }
                Err(why) => {
                    warnings.push(format!("{}: fixes not written: {why}", file.path));
                    refused.insert(file.path.clone());
                    true
                }
            }
        };
        let totals = engine::check_streamed_overlaid(paths, settings, &text, &mut |finished| {
            let left: Vec<Reported> = finished.into_iter().filter(&mut left_as_is).collect();
            report.files(left)
        })?;
        if !planned {
            // Nothing more changes: what is still skipped stays skipped.
            warnings.extend(skipped);
        }
        // A round that planned nothing left every file as it checked it (as
        // does the round past the last one allowed, or an interrupted one): its
        // files are the report. Otherwise the files it wrote are checked again,
        // with the files around them.
        if !planned || round > MAX_ROUNDS || interrupted {
            return Ok(Applied {
                totals,
                fixed,
                files: rewritten.len(),
                warnings,
                interrupted,
            });
        }
    }
    unreachable!("the rounds end when one plans nothing, or after MAX_ROUNDS")
}

/// A [`Report`] that keeps nothing: `--diff` shows the texts, not the findings.
struct Discard;

impl Report for Discard {
    fn round(&mut self) {}

    fn files(&mut self, _files: Vec<Reported>) -> Result<(), String> {
        Ok(())
    }
}

/// What `--diff` would show.
#[derive(Debug, Default)]
pub struct Preview {
    /// The unified diffs of every file `--fix` would rewrite, one after another,
    /// in path order.
    pub diff: String,
    /// How many diagnostics `--fix` would fix.
    pub fixable: usize,
    /// How many files `--fix` would rewrite.
    pub files: usize,
    /// Fixes that would not be applied, with why.
    pub warnings: Vec<String>,
}

/// What `--fix` would write, as diffs: the same rounds as [`apply`] (a fix may
/// enable another, up to [`MAX_ROUNDS`]), each checked on the text the rounds
/// before it would have written, with nothing written.
pub fn preview(
    paths: &[PathBuf],
    settings: &Settings,
    unsafe_fixes: bool,
) -> Result<Preview, String> {
    let memory = Memory {
        roots: paths.to_vec(),
        files: Mutex::new(HashMap::new()),
    };
    let applied = rounds(paths, settings, unsafe_fixes, &memory, &mut Discard)?;
    let files = memory
        .files
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut changed: Vec<_> = files
        .into_values()
        .filter(|(_, old, new)| old != new)
        .collect();
    changed.sort();
    Ok(Preview {
        diff: changed
            .iter()
            .map(|(shown, old, new)| unified_diff(shown, old, new))
            .collect(),
        fixable: applied.fixed,
        files: changed.len(),
        warnings: applied
            .warnings
            .into_iter()
            .map(|warning| warning.replace(": fixes not written: ", ": fixes not applied: "))
            .collect(),
    })
}

/// The reader a file with fixes was read with. Files are read by the kind of their
/// name, except files reached through an include (`-r other.in`), which are always
/// read as requirements: so a file with fixes whose name says nothing is one.
fn kind_of(path: &Path) -> FileKind {
    FileKind::of(path).unwrap_or(FileKind::Requirements)
}

fn skipped_warnings(file: &FileDiagnostics, plan: &Plan) -> Vec<String> {
    plan.skipped
        .iter()
        .map(|(index, why)| {
            let diagnostic = &file.diagnostics[*index];
            let at = file.position(diagnostic.span.start);
            format!(
                "{}:{}:{}: {} fix not applied: {why}",
                file.path, at.line, at.column, diagnostic.code
            )
        })
        .collect()
}

#[cfg(test)]
mod tests;
