//! The pipeline: discover files, read each into facts, work out the project each
//! file belongs to, let the enabled rules judge every fact.
//!
//! Reading and judging run in parallel, file by file. Judging waits for all files
//! to be read because a fact's [`Scope`] can depend on other files (the project's
//! `default_image` lives in `project.yaml`, its client pin in `requirements.txt`):
//! [`Workspace`] links them in between.

use crate::cache::{Cache, Cached, Stamp, Times};
use crate::config::{FileSettings, Resolver};
use crate::diagnostic::{Diagnostic, FileDiagnostics, Finding};
use crate::discover::{self, WalkOptions};
use crate::facts::parked::Store;
use crate::facts::{Fact, Origin, Problem, ProblemKind};
use crate::paths;
use crate::report::fingerprint;
use crate::rules::{self, Check, RequirementSet, Rule, Scope};
use crate::sources::python::Linked;
use crate::sources::yaml::tree;
use crate::sources::{self, FileKind};
use crate::span::Span;
use crate::suppress;
use crate::workspace::{GivenVersions, ReadFile, Workspace};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

mod guard;
mod imports;
pub mod text;

pub use imports::MAX_IMPORT_LEVELS;
pub use text::FileText;

/// Files larger than this are not read (MLR003). MLRun specs with embedded source
/// code reach a few hundred KiB; 16 MiB leaves room for anything real while a
/// 200 MB data file that happens to be named `requirements.txt` is never loaded.
/// [`MAX_FILE_BYTES_VAR`] replaces it for a run.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The environment variable that replaces [`MAX_FILE_BYTES`] for a run, in bytes.
/// An environment variable rather than a configuration key: the limit guards the
/// reading of every file, and configuration is per folder, found by reading files.
pub const MAX_FILE_BYTES_VAR: &str = "MLRUN_LINT_MAX_FILE_BYTES";

/// The file size limit in force: [`MAX_FILE_BYTES_VAR`] when it is set to a valid
/// size, [`MAX_FILE_BYTES`] otherwise. The command line refuses an invalid value
/// up front ([`file_size_limit`]), so no run falls back to the default silently.
pub fn max_file_bytes() -> u64 {
    static LIMIT: OnceLock<u64> = OnceLock::new();
    *LIMIT.get_or_init(|| file_size_limit().unwrap_or(MAX_FILE_BYTES))
}

/// The file size limit [`MAX_FILE_BYTES_VAR`] asks for ([`MAX_FILE_BYTES`] when it
/// is not set), or why its value is not a size: a positive whole number of bytes.
pub fn file_size_limit() -> Result<u64, String> {
    let value = match std::env::var(MAX_FILE_BYTES_VAR) {
        Err(std::env::VarError::NotPresent) => return Ok(MAX_FILE_BYTES),
        Err(std::env::VarError::NotUnicode(value)) => value.to_string_lossy().into_owned(),
        Ok(value) => value,
    };
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|&bytes| bytes > 0)
        .ok_or_else(|| {
            format!("{MAX_FILE_BYTES_VAR}=`{value}` is not a file size: give a number of bytes")
        })
}

/// A size limit as people read it: whole MiB when it is, bytes otherwise.
fn describe_limit(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes}-byte")
    }
}

/// Everything `check` needs to know, resolved from flags and configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The configuration of each file, with the command line's overrides.
    pub config: Arc<Resolver>,
    pub walk: WalkOptions,
    /// `--ignore-noqa`: `# noqa` comments suppress nothing (audits).
    pub ignore_noqa: bool,
    /// Whether each finding's [fingerprint](crate::report::fingerprint) is
    /// worked out for [`Reported::fingerprints`]: only a baseline read or
    /// written keys on them (the formats that show fingerprints work out their
    /// own). When not, each fingerprint is empty.
    pub fingerprints: bool,
    /// The folder of the [cache](crate::cache) of warm runs, `None` to read
    /// every file afresh (`--no-cache`, editors, standard input).
    pub cache: Option<PathBuf>,
}

/// The result of a run.
#[derive(Debug)]
pub struct Outcome {
    /// How many files were read (or tried).
    pub files_checked: usize,
    /// The files with at least one diagnostic, sorted by path.
    pub files: Vec<FileDiagnostics>,
    /// The [fingerprint](crate::report::fingerprint) of each diagnostic of
    /// `files`, index for index, counted before `# noqa` dropped any (so adding a
    /// suppression does not renumber the findings after it): what baselines key on.
    pub fingerprints: Vec<Vec<String>>,
    /// The path of each file of `files` on disk, index for index: the shown path
    /// escapes what cannot be shown (a name that is not UTF-8), and a fix must
    /// reach the real file.
    pub real_paths: Vec<PathBuf>,
    /// Files named on the command line that are of no kind mlrun-lint reads, as
    /// shown: skipped, with a note on stderr rather than a finding.
    pub skipped: Vec<String>,
    /// Files in the checked tree named like `--fix`'s temporary files, for the
    /// command line to remove those a killed run left ([`crate::fix::remove_stale`]).
    pub temp_files: Vec<PathBuf>,
}

/// One file's findings, as a run hands them on.
#[derive(Debug)]
pub struct Reported {
    pub file: FileDiagnostics,
    /// The [fingerprint](crate::report::fingerprint) of each diagnostic, as in
    /// [`Outcome::fingerprints`].
    pub fingerprints: Vec<String>,
    /// The path of the file on disk, as in [`Outcome::real_paths`].
    pub real_path: PathBuf,
}

/// What a run says besides its files' findings (see [`Outcome`]).
#[derive(Debug, Default)]
pub struct Totals {
    pub files_checked: usize,
    pub skipped: Vec<String>,
    pub temp_files: Vec<PathBuf>,
}

/// Where a streamed run hands the files with findings, in path order, as soon
/// as they are finished (some hundreds at a time, so that their report can be
/// rendered in parallel too); an error ends the run (standard output closed,
/// say).
pub type Sink<'a> = &'a mut (dyn FnMut(Vec<Reported>) -> Result<(), String> + Send);

impl Outcome {
    /// The outcome of a streamed run, its files collected.
    fn collect(run: impl FnOnce(Sink<'_>) -> Result<Totals, String>) -> Result<Self, String> {
        let mut reported = Vec::new();
        let totals = run(&mut |files| {
            reported.extend(files);
            Ok(())
        })?;
        let mut outcome = Outcome {
            files_checked: totals.files_checked,
            files: Vec::with_capacity(reported.len()),
            fingerprints: Vec::with_capacity(reported.len()),
            real_paths: Vec::with_capacity(reported.len()),
            skipped: totals.skipped,
            temp_files: totals.temp_files,
        };
        for file in reported {
            outcome.files.push(file.file);
            outcome.fingerprints.push(file.fingerprints);
            outcome.real_paths.push(file.real_path);
        }
        Ok(outcome)
    }
}

/// Checks `paths` (files and folders). Files and folders that the configuration
/// excludes are not read, unless named in `paths`.
pub fn check(paths: &[PathBuf], settings: &Settings) -> Result<Outcome, String> {
    Outcome::collect(|sink| check_streamed(paths, settings, sink))
}

/// [`check`], handing each file with findings to `sink` as soon as it is
/// finished, in path order: what the command line reports as it goes, so a run
/// over a large tree never holds every finding and every text at once.
pub fn check_streamed(
    paths: &[PathBuf],
    settings: &Settings,
    sink: Sink<'_>,
) -> Result<Totals, String> {
    check_streamed_overlaid(paths, settings, &|_| None, sink)
}

/// [`check_streamed`], with each file's text taken from `overlay` when it has
/// one: what `--diff` uses to check the text a round of fixes would write,
/// without writing.
pub fn check_streamed_overlaid(
    paths: &[PathBuf],
    settings: &Settings,
    overlay: Overlay<'_>,
    sink: Sink<'_>,
) -> Result<Totals, String> {
    on_workers(|| check_on_workers(paths, settings, overlay, sink))
}

fn check_on_workers(
    paths: &[PathBuf],
    settings: &Settings,
    overlay: Overlay<'_>,
    sink: Sink<'_>,
) -> Result<Totals, String> {
    let resolver = settings.config.clone();
    let exclude: discover::ExcludeFn =
        Arc::new(move |path, is_dir| resolver.exclusion(path, is_dir));
    // The cache is loaded while the tree is walked.
    let (discovered, cache) = rayon::join(
        || discover::candidates_excluding(paths, settings.walk, exclude),
        || settings.cache.as_deref().map(Cache::load),
    );
    let discovered = discovered?;
    // A file named on the command line (a pre-commit hook, `check $(git diff
    // --name-only)`) that is of no kind mlrun-lint reads is not a finding: it is
    // skipped with a note.
    let (candidates, skipped): (Vec<_>, Vec<_>) = discovered
        .candidates
        .into_iter()
        .partition(|candidate| candidate.kind.is_some() || candidate.unwalked.is_some());
    let store = Store::new();
    // Each candidate is let go once read (its path lives on in its file).
    let read_one = |candidate: discover::Candidate| match &candidate.unwalked {
        Some(why) => (
            unreadable(&candidate.path, None, Unread::new(why.clone())),
            None,
        ),
        None => {
            let cached = cache.as_ref().and_then(|cache| {
                let absolute = settings.config.absolute(&candidate.path);
                Some((cache, absolute.to_str()?.to_string()))
            });
            let (file, stamped) = read_through(
                &candidate.path,
                candidate.kind,
                overlay,
                cached,
                Some(&store),
            );
            let file = ReadFile {
                context_only: candidate.context_only,
                ..file
            };
            (file, stamped)
        }
    };
    // The stamps of what was read, for the cache to keep, beside the files:
    // a run without a cache has none to hold.
    let (read, stamps): (Vec<ReadFile>, Vec<Option<Stamped>>) = match cache {
        Some(_) => candidates.into_par_iter().map(read_one).unzip(),
        None => (
            candidates
                .into_par_iter()
                .map(|candidate| read_one(candidate).0)
                .collect(),
            Vec::new(),
        ),
    };
    if let Some(cache) = cache {
        // Entries of files under the folders walked that this run did not
        // read are of files gone or now excluded: dropped.
        let walked: Vec<PathBuf> = paths
            .iter()
            .filter(|path| path.is_dir())
            .map(|path| settings.config.absolute(path))
            .collect();
        let stamped = read.iter().zip(&stamps).filter_map(|(file, stamped)| {
            let (path, stamp) = stamped.as_ref()?;
            Some((file, path.as_str(), *stamp))
        });
        cache.save(stamped, |path| {
            !walked.iter().any(|root| Path::new(path).starts_with(root))
        });
    }
    drop(stamps);
    let cwd = std::env::current_dir().unwrap_or_default();
    let files_checked = check_read_with(read, settings, overlay, sink)?;
    Ok(Totals {
        files_checked,
        skipped: skipped
            .iter()
            .map(|candidate| paths::quote(&paths::display(&candidate.path, &cwd)))
            .collect(),
        temp_files: discovered.temp_files,
    })
}

/// Checks `text` as if it were the file at `path` (`--stdin-filename`, editors):
/// its kind comes from the name, its configuration from the folder, the files it
/// includes (`-r`, `-c`) are read from disk, and so are the files that shape its
/// scope (the project spec and requirements around it), as for a file named alone.
pub fn check_text(path: &Path, text: String, settings: &Settings) -> Result<Outcome, String> {
    check_text_with(path, text, settings, &|_| None)
}

/// The text of a file as an editor holds it (unsaved changes), or `None` to read
/// it from disk.
pub type Overlay<'a> = &'a (dyn Fn(&Path) -> Option<String> + Sync);

/// [`check_text`], with the other files read through `overlay` first: an editor's
/// unsaved requirements file shapes the project spec open beside it, so the
/// language server and a later `check` of the saved files agree.
pub fn check_text_with(
    path: &Path,
    text: String,
    settings: &Settings,
    overlay: Overlay<'_>,
) -> Result<Outcome, String> {
    Outcome::collect(|sink| {
        on_workers(|| check_text_on_workers(path, text, settings, overlay, sink))
    })
}

fn check_text_on_workers(
    path: &Path,
    text: String,
    settings: &Settings,
    overlay: Overlay<'_>,
    sink: Sink<'_>,
) -> Result<Totals, String> {
    // The text given (standard input, an editor's buffer) is a file read too.
    FILES_READ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let kind = FileKind::of(path);
    let limit = max_file_bytes();
    let file = match kind {
        // The same refusal as for a file on disk: an editor's buffer or standard
        // input over the limit is not parsed either.
        Some(_) if text.len() as u64 > limit => unreadable(
            path,
            kind,
            Unread::new(over_limit(text.len() as u64, limit)),
        ),
        Some(known) => {
            let read = read_guarded(known, path, &text);
            ReadFile::of(path, kind, FileText::Held(Arc::from(text)), read)
        }
        None => unreadable(path, kind, Unread::new(UNKNOWN_KIND)),
    };
    let mut files = vec![file];
    let named = path.to_path_buf();
    let context = discover::context_of(&[&named]);
    files.extend(
        context
            .par_iter()
            .filter(|candidate| !paths::same_file(&candidate.path, path))
            .map(|candidate| ReadFile {
                context_only: true,
                ..read_overlaid(&candidate.path, candidate.kind, overlay)
            })
            .collect::<Vec<_>>(),
    );
    let files_checked = check_read_with(files, settings, overlay, sink)?;
    Ok(Totals {
        files_checked,
        ..Totals::default()
    })
}

/// How many files this process has read so far, for the command line's progress
/// line: an atomic counter costs nothing next to a file read.
static FILES_READ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many files this process has read so far (every run, every round of `--fix`).
pub fn files_read() -> usize {
    FILES_READ.load(std::sync::atomic::Ordering::Relaxed)
}

/// Findings reported so far by the judging pass under way (a file's count is
/// added when its `# noqa` comments have been applied), for the progress line.
/// `usize::MAX` until a pass starts: files are all read before any is judged,
/// and "0 findings" while reading would be a claim the run cannot make yet.
static FINDINGS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(usize::MAX);

/// The findings reported so far by the judging pass under way, `None` while no
/// file has been judged yet.
pub fn findings_so_far() -> Option<usize> {
    let found = FINDINGS.load(std::sync::atomic::Ordering::Relaxed);
    (found != usize::MAX).then_some(found)
}

/// [`read_file`], taking the text from `overlay` when it has the file.
fn read_overlaid(path: &Path, kind: Option<FileKind>, overlay: Overlay<'_>) -> ReadFile {
    read_through(path, kind, overlay, None, None).0
}

/// A file's key in the cache (its absolute path) and the stamp of the text read.
type Stamped = (String, Stamp);

/// [`read_overlaid`], through `cache` (with the file's key in it) when given:
/// also returns the stamp of the text read from disk, for the cache to keep.
fn read_through(
    path: &Path,
    kind: Option<FileKind>,
    overlay: Overlay<'_>,
    cache: Option<(&Cache, String)>,
    park: Option<&Arc<Store>>,
) -> (ReadFile, Option<Stamped>) {
    FILES_READ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    match (kind, overlay(path)) {
        (Some(known), Some(text)) => {
            let read = read_guarded(known, path, &text);
            let file = ReadFile::of(path, kind, FileText::Held(Arc::from(text)), read);
            (file, None)
        }
        _ => read_file(path, kind, cache, park),
    }
}

/// Runs `work` on the engine's worker pool, whose threads have the stack the YAML
/// parser needs, so it parses on them instead of starting a thread per file.
/// Should the pool fail to start, `work` runs where it is called (rayon's global
/// pool, a parser thread per YAML file): slower, same result.
fn on_workers<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("mlrun-lint-{i}"))
            .stack_size(tree::PARSE_STACK_BYTES)
            .start_handler(|_| tree::mark_parse_stack())
            .build()
            .ok()
    });
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

const UNKNOWN_KIND: &str = "mlrun-lint does not recognise this kind of file by its name";

/// How many files are judged and finished together before they are handed on:
/// enough to keep the workers busy, few enough that their texts and findings
/// are a small part of what a run holds.
const FINISH_BATCH: usize = 512;

/// Links, judges and finishes `read`, handing each file with findings to
/// `sink` in path order; returns how many files were checked.
fn check_read_with(
    mut read: Vec<ReadFile>,
    settings: &Settings,
    overlay: Overlay<'_>,
    sink: Sink<'_>,
) -> Result<usize, String> {
    imports::link(&mut read, overlay);
    // Linking was the last step that reads whole texts.
    for file in &mut read {
        file.text.release();
    }
    let mut workspace = Workspace::link(read, &|path| {
        read_overlaid(path, Some(FileKind::Requirements), overlay)
    });
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown: Vec<String> = workspace
        .files
        .iter()
        .map(|file| paths::display(&file.path, &cwd))
        .collect();
    let configured: Vec<Arc<FileSettings>> = workspace
        .files
        .iter()
        .map(|file| settings.config.settings_for(&file.path))
        .collect::<Result<_, _>>()
        .map_err(|err| settings.config.describe(&err))?;
    let given = given_versions(&configured)?;
    let scope_of = |workspace: &Workspace, index: usize| {
        let settings = &configured[index];
        let declared = settings
            .mlrun_version
            .as_deref()
            .map(|version| (version, settings.mlrun_version_source.as_str()));
        workspace.scope(index, declared, &given[index])
    };
    FINDINGS.store(0, std::sync::atomic::Ordering::Relaxed);
    let set_rules = set_rules(&configured);
    // The sets of files that are not parked reach across files: judged now,
    // their findings wait for the file each lands in. A set finding reached
    // from two sets (a file included by two requirements files) is kept once.
    let mut from_sets: Vec<Vec<Diagnostic>> = vec![Vec::new(); workspace.files.len()];
    if !set_rules.is_empty() {
        workspace.for_each_linked_set(&shown, |owner, set| {
            judge_set(
                &set,
                &set_rules,
                &scope_of(&workspace, owner),
                |file, finding| {
                    if !from_sets[file].contains(&finding) {
                        from_sets[file].push(finding);
                    }
                },
            );
        });
    }
    let files_checked = workspace
        .files
        .iter()
        .filter(|file| !file.context_only)
        .count();
    // The report's order, path first; files are finished batch by batch in it.
    let mut order: Vec<usize> = (0..workspace.files.len())
        .filter(|&index| !workspace.files[index].context_only)
        .collect();
    order.sort_by(|&a, &b| shown[a].cmp(&shown[b]));
    for batch in order.chunks(FINISH_BATCH) {
        let from_sets: Vec<Vec<Diagnostic>> = batch
            .iter()
            .map(|&index| std::mem::take(&mut from_sets[index]))
            .collect();
        let finished: Vec<Option<Reported>> = batch
            .par_iter()
            .zip(from_sets)
            .map(|(&index, from_sets)| {
                let file = &workspace.files[index];
                let scope = scope_of(&workspace, index);
                let rules = &configured[index].rules;
                let facts = file.facts();
                let mut diagnostics = judged(&facts, &scope, rules);
                let mut from_sets = from_sets;
                if !set_rules.is_empty() && workspace.is_alone(index) {
                    // The file's sets hold its own facts only, so what they
                    // find lands in it.
                    for (_, set) in workspace.sets_owned_by(index, &|_| &facts, &shown) {
                        judge_set(&set, &set_rules, &scope, |file, finding| {
                            if file == index {
                                from_sets.push(finding);
                            }
                        });
                    }
                }
                for finding in from_sets {
                    if !diagnostics.contains(&finding) {
                        diagnostics.push(finding);
                    }
                }
                let mut mentions_noqa = file.text.may_hold_noqa();
                if diagnostics.is_empty() && !mentions_noqa {
                    return None;
                }
                let text = match file.text.clone().get(|| reread(&file.path)) {
                    Ok(text) => text,
                    Err(text::Changed(now)) => {
                        diagnostics = judge(&[changed_while_checked()], &scope, rules);
                        let now: Arc<str> = Arc::from(now.unwrap_or_default());
                        mentions_noqa = crate::suppress::noqa::mentions_noqa(&now);
                        now
                    }
                };
                let judged = Judged {
                    shown: shown[index].clone(),
                    text,
                    mentions_noqa,
                    cells: file.cells(),
                    diagnostics,
                };
                let real_path = settings.config.absolute(&file.path);
                finish(judged, &real_path, &configured[index], settings).map(
                    |(file, fingerprints)| Reported {
                        file,
                        fingerprints,
                        real_path,
                    },
                )
            })
            .collect();
        // Other files' scopes read what linking kept of a file, never its
        // facts: a file reported is let go.
        for &index in batch {
            let file = &mut workspace.files[index];
            file.facts = Vec::new();
            file.parked = None;
            file.cells = None;
        }
        let reported: Vec<Reported> = finished.into_iter().flatten().collect();
        if !reported.is_empty() {
            sink(reported)?;
        }
    }
    Ok(files_checked)
}

/// [`judge`] under the [panic guard](guard): a rule that panics on a file leaves
/// one MLR001 finding saying so, and the run goes on.
fn judged(facts: &[Fact], scope: &Scope, rules: &[&Rule]) -> Vec<Diagnostic> {
    guard::catch(|| judge(facts, scope, rules)).unwrap_or_else(|panic| {
        let failed = Fact::Problem(Problem {
            origin: Origin::new(Span::at(0), None, "file"),
            kind: ProblemKind::ReaderFailed,
            message: format!("a rule failed on this file: {panic}"),
        });
        judge(&[failed], scope, rules)
    })
}

/// Every set rule enabled for some file. A set spans files that may have
/// different settings: every set rule enabled anywhere runs, and each file's
/// settings keep or drop what lands in it.
fn set_rules(configured: &[Arc<FileSettings>]) -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = configured
        .iter()
        .flat_map(|file| file.rules.iter().copied())
        .filter(|rule| matches!(rule.check, Check::Set(_)))
        .collect();
    rules.sort_by_key(|rule| rule.code);
    rules.dedup_by_key(|rule| rule.code);
    rules
}

/// The findings of `rules` on `set`, judged in `scope` (its owner's), handed
/// to `found` with the file each lands in.
fn judge_set(
    set: &RequirementSet<'_>,
    rules: &[&Rule],
    scope: &Scope,
    mut found: impl FnMut(usize, Diagnostic),
) {
    for rule in rules {
        for finding in rule.check_set(set, scope) {
            found(finding.file, diagnostic(rule, finding.finding));
        }
    }
}

/// A file's text read again for its report, `None` when it cannot be.
fn reread(path: &Path) -> Option<String> {
    read_text(path).ok().map(|(text, _)| text)
}

/// What is said of a file whose text changed between its reading and its
/// report: the facts no longer match the text, so nothing is reported on it.
fn changed_while_checked() -> Fact {
    Fact::Problem(Problem {
        origin: Origin::new(Span::at(0), None, "file"),
        kind: ProblemKind::Skipped,
        message: "not checked: the file changed while mlrun-lint was checking it; check it again"
            .into(),
    })
}

/// The `--lock`/`--python` versions in force for each file, read once per distinct
/// pair of sources.
fn given_versions(configured: &[Arc<FileSettings>]) -> Result<Vec<Arc<GivenVersions>>, String> {
    let mut read: HashMap<(Vec<PathBuf>, Option<PathBuf>), Arc<GivenVersions>> = HashMap::new();
    configured
        .iter()
        .map(|settings| {
            let key = (settings.lock.clone(), settings.python.clone());
            if let Some(given) = read.get(&key) {
                return Ok(given.clone());
            }
            let given = Arc::new(GivenVersions::load(&key.0, key.1.as_deref())?);
            read.insert(key, given.clone());
            Ok(given)
        })
        .collect()
}

/// One file's diagnostics as reported: the file's settings applied (rules not
/// enabled here, `per-file-ignores` and `off` dropped, severity overrides put in
/// force), fingerprints taken, then `# noqa` applied (adding MLR004 findings when
/// the rule is enabled). `None` when nothing is left to report.
///
/// Most files of a tree have no finding: for them nothing is built (no line
/// index, no fingerprint) and their text is only searched for `noqa`.
fn finish(
    file: Judged,
    path: &Path,
    settings: &FileSettings,
    run: &Settings,
) -> Option<(FileDiagnostics, Vec<String>)> {
    let configure = |diagnostics: Vec<Diagnostic>| -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .filter_map(|mut diagnostic| {
                let rule = rules::find(diagnostic.code)?;
                diagnostic.severity = settings.severity_of(rule)?;
                (!settings.ignores(path, rule)).then_some(diagnostic)
            })
            .collect()
    };
    let Judged {
        shown,
        text,
        mentions_noqa,
        cells,
        diagnostics,
    } = file;
    let fingerprints_of = |diagnostics: &[Diagnostic]| match run.fingerprints {
        true => fingerprint::of_diagnostics(&shown, &text, diagnostics),
        false => vec![String::new(); diagnostics.len()],
    };
    let mut diagnostics = configure(diagnostics);
    sort(&mut diagnostics);
    let mut fingerprints = fingerprints_of(&diagnostics);
    // A text with no `noqa` in it has no directive to apply or find unused.
    if !run.ignore_noqa && mentions_noqa {
        let report_unused = settings.severity_of(rules::UNUSED_NOQA).is_some();
        let applied = suppress::apply(&text, &diagnostics, report_unused);
        if applied.unused.is_empty() && applied.kept.iter().all(|&kept| kept) {
            // Nothing suppressed, nothing added: the order is already the one
            // the pairs below would be sorted into.
        } else {
            let mut kept = applied.kept.iter();
            let mut pairs: Vec<(Diagnostic, String)> = diagnostics
                .into_iter()
                .zip(fingerprints)
                .filter(|_| kept.next().copied().unwrap_or(true))
                .collect();
            let unused = configure(applied.unused);
            pairs.extend(
                fingerprints_of(&unused)
                    .into_iter()
                    .zip(unused)
                    .map(|(fingerprint, diagnostic)| (diagnostic, fingerprint)),
            );
            pairs.sort_by(|(a, _), (b, _)| {
                (a.span.start, a.code, a.span.end).cmp(&(b.span.start, b.code, b.span.end))
            });
            (diagnostics, fingerprints) = pairs.into_iter().unzip();
        }
    }
    FINDINGS.fetch_add(diagnostics.len(), std::sync::atomic::Ordering::Relaxed);
    (!diagnostics.is_empty()).then(|| {
        let file = FileDiagnostics::new(shown, text, diagnostics).with_cells(cells);
        (file, fingerprints)
    })
}

/// A file judged, before its settings and `# noqa` comments are applied.
struct Judged {
    /// The path as shown.
    shown: String,
    text: Arc<str>,
    /// Whether `text` mentions `noqa` (found when it was first read).
    mentions_noqa: bool,
    cells: Option<Arc<crate::cells::CellMap>>,
    diagnostics: Vec<Diagnostic>,
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

/// Position order, then code. Two facts can give the same diagnostic (`pip install
/// x x`, or two requirements collapsed onto one escaped string): both are kept.
fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.code, a.span.end, &a.message).cmp(&(
            b.span.start,
            b.code,
            b.span.end,
            &b.message,
        ))
    });
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
    sort(&mut diagnostics);
    diagnostics
}

/// Reads a file into facts, or takes them from `cache` when it has them for
/// this very text, and [parks](ReadFile::park) them in `park` when given (files
/// found by the walk; not those linking reads for others). Anything that stops
/// the file being read becomes a `Problem` fact (MLR003), never an error that
/// ends the run.
fn read_file(
    path: &Path,
    kind: Option<FileKind>,
    cache: Option<(&Cache, String)>,
    park: Option<&Arc<Store>>,
) -> (ReadFile, Option<Stamped>) {
    let Some(known) = kind else {
        return (unreadable(path, kind, Unread::new(UNKNOWN_KIND)), None);
    };
    // A file whose size and times are those of a settled cache entry is not
    // read at all: its text is read again only if it has a report.
    if let Some((cache, key)) = &cache {
        if let Some(unread) = cache.take_unread(key, known, path) {
            let (len, hash) = unread.stamp.text();
            let text = FileText::unread(len, hash, unread.mentions_noqa);
            let file = from_cache(path, known, text, unread.cached);
            return (file, Some((key.clone(), unread.stamp)));
        }
    }
    let (text, times) = match read_text(path) {
        Ok(read) => read,
        Err(unread) => return (unreadable(path, kind, unread), None),
    };
    let hash = text::hash(&text);
    let cache =
        cache.and_then(|(cache, key)| Some((cache, key, Stamp::hashed(text.len(), hash, times)?)));
    let cached = cache
        .as_ref()
        .and_then(|(cache, key, stamp)| cache.take(key, known, *stamp));
    if let Some(cached) = cached {
        let text = FileText::released(&text, hash);
        let file = from_cache(path, known, text, cached);
        return (file, cache.map(|(_, key, stamp)| (key, stamp)));
    }
    let read = read_guarded(known, path, &text);
    // The text is let go now, unless linking Python modules reads it again:
    // it is read again for the report only if the file has one.
    let text = if read.interface.is_empty() {
        FileText::released(&text, hash)
    } else {
        FileText::from_disk(text, hash)
    };
    let mut file = ReadFile::of(path, kind, text, read);
    if let Some(store) = park {
        file.park(store);
    }
    // Kept facts stay until the end: without the slack their vector grew with.
    file.facts.shrink_to_fit();
    (file, cache.map(|(_, key, stamp)| (key, stamp)))
}

/// A file whose facts the cache gave: parked where they are in the cache
/// file, and decoded only when the file is judged.
fn from_cache(path: &Path, kind: FileKind, text: FileText, cached: Cached) -> ReadFile {
    let mut file = ReadFile::of(path, Some(kind), text, sources::Read::default());
    file.park_in_place(cached.facts, cached.linking, cached.cells);
    file
}

/// [`sources::read`] under the [panic guard](guard): a reader that panics on the
/// file leaves one MLR001 fact naming the reader and where it failed, and the
/// run goes on with the other files.
pub(crate) fn read_guarded(kind: FileKind, path: &Path, text: &str) -> sources::Read {
    read_guarded_with(kind, path, text, &Linked::default())
}

/// [`read_guarded`], with what the project's other Python modules give the file.
fn read_guarded_with(kind: FileKind, path: &Path, text: &str, linked: &Linked) -> sources::Read {
    guard::catch(|| sources::read_linked(kind, path, text, linked)).unwrap_or_else(|panic| {
        sources::Read {
            facts: vec![Fact::Problem(Problem {
                origin: Origin::new(Span::at(0), None, "file"),
                kind: ProblemKind::ReaderFailed,
                message: format!("{} failed here: {panic}", reader_name(kind)),
            })],
            cells: None,
            interface: Default::default(),
        }
    })
}

/// The part of mlrun-lint that reads files of `kind`, as a finding names it.
fn reader_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Yaml => "the YAML reader",
        FileKind::Requirements => "the requirements reader",
        FileKind::Lock => "the lock file reader",
        FileKind::Dockerfile => "the Dockerfile reader",
        FileKind::CondaEnvironment => "the conda environment reader",
        FileKind::Python | FileKind::Notebook => "the Python parser",
        FileKind::Shell => "the shell script reader",
        FileKind::EnvFile => "the env file reader",
    }
}

/// A file that could not be read: one `Problem` fact saying why.
fn unreadable(path: &Path, kind: Option<FileKind>, unread: Unread) -> ReadFile {
    ReadFile {
        path: path.to_path_buf(),
        kind,
        context_only: false,
        text: FileText::Held(Arc::from(unread.text)),
        facts: vec![Fact::Problem(Problem {
            origin: Origin::new(Span::at(unread.offset), None, "file"),
            kind: ProblemKind::Skipped,
            message: format!("not checked: {}", unread.message),
        })],
        cells: None,
        interface: Default::default(),
        parked: None,
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

/// Why a file of `bytes` bytes is not read under the size limit `limit`.
fn over_limit(bytes: u64, limit: u64) -> String {
    format!(
        "the file is {bytes} bytes, over the {} limit (set {MAX_FILE_BYTES_VAR} to raise it)",
        describe_limit(limit)
    )
}

/// Opens `path` for reading without waiting: a FIFO or a device under a
/// candidate name must be refused as not a regular file, not block the run
/// until a writer comes (on a regular file the flag changes nothing).
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// The file's text, if it is a readable regular file of UTF-8 within the size
/// limit, and when it was last modified.
fn read_text(path: &Path) -> Result<(String, Times), Unread> {
    let cannot = |err: std::io::Error| Unread::new(format!("cannot read the file: {err}"));
    // Opened once, its size asked of the open file: one path lookup per file.
    let file = open_without_blocking(path).map_err(cannot)?;
    let metadata = file.metadata().map_err(cannot)?;
    if !metadata.is_file() {
        return Err(Unread::new("not a regular file"));
    }
    let limit = max_file_bytes();
    let raise = format!("set {MAX_FILE_BYTES_VAR} to raise it");
    if metadata.len() > limit {
        return Err(Unread::new(over_limit(metadata.len(), limit)));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(Unread::new(format!(
            "the file grew over the {} limit while it was read ({raise})",
            describe_limit(limit)
        )));
    }
    let times = Times::of(&metadata);
    let text = String::from_utf8(bytes).map_err(|err| {
        // The lossy text keeps every byte before the first invalid one in place,
        // so the diagnostic can point at it.
        let offset = err.utf8_error().valid_up_to();
        Unread {
            message: "the file is not UTF-8 text".into(),
            text: String::from_utf8_lossy(err.as_bytes()).into_owned(),
            offset,
        }
    })?;
    Ok((text, times))
}

#[cfg(test)]
mod tests;
