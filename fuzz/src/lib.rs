//! The bodies of mlrun-lint's fuzz targets, one function per target.
//!
//! Each target feeds arbitrary bytes to one reader (or to the whole check-and-fix
//! pipeline) and asserts what must hold for any input, beyond "no panic":
//!
//! - every span a fact or a diagnostic carries lies within the text and on
//!   character boundaries (a fix replaces those bytes, a report slices them);
//! - every fix's edits do too, and positions (line, column, notebook cell) can
//!   be computed for every diagnostic;
//! - `fix_roundtrip`: applying all fixes keeps a file that read cleanly readable,
//!   and repeated fixing settles (a fix may enable another, within `--fix`'s
//!   round limit), after which fixing again changes nothing.
//!
//! The same functions run the committed crash inputs as ordinary tests
//! (`tests/fuzz_regressions.rs` includes this file by path), so a regression
//! fails `cargo test` on stable without the fuzzer.
//!
//! Targets that need a file name (YAML, locks, configuration, fixes) take it from
//! the input's first byte, so one corpus entry is one reproducible case.

use mlrun_lint::config::{Config, Overrides, Resolver};
use mlrun_lint::diagnostic::FileDiagnostics;
use mlrun_lint::discover::WalkOptions;
use mlrun_lint::engine::{self, Settings};
use mlrun_lint::facts::{Fact, ProblemKind};
use mlrun_lint::fix;
use mlrun_lint::rules::{self, ClientVersion, Scope};
use mlrun_lint::selection::Selector;
use mlrun_lint::sources::{self, conda, dockerfile, lock, notebook, pip_command, python};
use mlrun_lint::sources::{env_file, requirements_txt, shell, yaml, FileKind};
use mlrun_lint::span::Span;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// A target's body: any bytes in, a panic when an invariant breaks.
pub type Target = fn(&[u8]);

/// Every target by name, for running saved inputs outside the fuzzer.
pub const TARGETS: &[(&str, Target)] = &[
    ("yaml_spec", yaml_spec),
    ("requirements_txt", requirements_txt),
    ("pip_command", pip_command),
    ("python", python),
    ("notebook", notebook),
    ("dockerfile", dockerfile),
    ("conda", conda),
    ("lock", lock),
    ("config", config),
    ("fix_roundtrip", fix_roundtrip),
];

/// The client version the rules judge against (MLR104 compares with it, MLR101's
/// fix pins to it).
const CLIENT_VERSION: &str = "1.7.2";

/// Files are given names under a folder that does not exist, so the pipeline's
/// look-ups around a file (configuration, project context, includes) find nothing
/// and each input is judged on its own.
const FOLDER: &str = "/nonexistent-mlrun-lint-fuzz/project";

/// Names for the YAML target: hub items are recognised by name as well as shape.
const YAML_NAMES: &[&str] = &["function.yaml", "project.yaml", "item.yaml", "spec.yml"];
const LOCK_NAMES: &[&str] = &["uv.lock", "poetry.lock", "Pipfile.lock", "pylock.toml"];
const CONFIG_NAMES: &[&str] = &["mlrun-lint.toml", "pyproject.toml"];
/// Names for `fix_roundtrip`: every kind whose findings carry fixes.
const FIX_NAMES: &[&str] = &[
    "function.yaml",
    "requirements.txt",
    "project.yaml",
    "Dockerfile",
    "setup.py",
    "notebook.ipynb",
    "environment.yml",
];

/// The input's first byte picks one of `names`; the rest is the text.
fn named<'a>(data: &'a [u8], names: &[&'static str]) -> Option<(&'static str, &'a str)> {
    let (&choice, rest) = data.split_first()?;
    let text = std::str::from_utf8(rest).ok()?;
    Some((names[usize::from(choice) % names.len()], text))
}

/// Readers take text: the engine refuses bytes that are not UTF-8 (MLR003)
/// before any reader sees them.
fn utf8(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

pub fn yaml_spec(data: &[u8]) {
    if let Some((name, text)) = named(data, YAML_NAMES) {
        let facts = yaml::read(Path::new(name), text);
        judge(text, &facts, None);
    }
}

pub fn requirements_txt(data: &[u8]) {
    if let Some(text) = utf8(data) {
        judge(text, &requirements_txt::read(text), None);
    }
}

/// Shell text: `pip install`s, and on the same input the `mlrun build`/`run` lines
/// of the shell reader and the env file reader (no target of their own, so the
/// CI smoke run takes no longer).
pub fn pip_command(data: &[u8]) {
    if let Some(text) = utf8(data) {
        judge(text, &pip_command::read(text), None);
        judge(text, &shell::read(text), None);
        judge(text, &env_file::read(text), None);
    }
}

pub fn python(data: &[u8]) {
    if let Some(text) = utf8(data) {
        if let Some(facts) = past_ruff_panics(|| python::read(text)) {
            judge(text, &facts, None);
        }
    }
}

pub fn notebook(data: &[u8]) {
    if let Some(text) = utf8(data) {
        if let Some((facts, cells)) = past_ruff_panics(|| notebook::read(text)) {
            judge(text, &facts, cells.map(Arc::new));
        }
    }
}

/// Runs a Python reader, treating a panic raised inside Ruff's parser as a known
/// upstream bug: the engine's panic guard turns it into MLR001 for the file
/// (`engine/guard.rs`), so it cannot end a run, and fuzzing would otherwise stop
/// at the first of them instead of looking for mlrun-lint's own. Any other panic
/// still reaches the previous hook (libFuzzer's, which aborts: a crash).
fn past_ruff_panics<R>(read: impl FnOnce() -> R) -> Option<R> {
    use std::cell::Cell;
    thread_local! {
        static IN_RUFF: Cell<bool> = const { Cell::new(false) };
    }
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_ruff = info
                .location()
                .is_some_and(|at| at.file().contains("ruff_python_parser"));
            IN_RUFF.with(|flag| flag.set(in_ruff));
            if !in_ruff {
                previous(info);
            }
        }));
    });
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)) {
        Ok(read) => Some(read),
        Err(payload) if IN_RUFF.with(Cell::get) => {
            drop(payload);
            None
        }
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

pub fn dockerfile(data: &[u8]) {
    if let Some(text) = utf8(data) {
        judge(text, &dockerfile::read(text), None);
    }
}

pub fn conda(data: &[u8]) {
    if let Some(text) = utf8(data) {
        judge(text, &conda::read(text), None);
    }
}

pub fn lock(data: &[u8]) {
    if let Some((name, text)) = named(data, LOCK_NAMES) {
        judge(text, &lock::read(Path::new(name), text), None);
    }
}

/// Configuration errors are shown as `path:line:column`: the position must be
/// inside the text (line 0 means "the file as a whole").
pub fn config(data: &[u8]) {
    let Some((name, text)) = named(data, CONFIG_NAMES) else {
        return;
    };
    if let Err(err) = Config::parse(Path::new(name), text) {
        let lines = text.split('\n').count();
        assert!(
            err.line <= lines,
            "error on line {} of {lines}: {err}",
            err.line
        );
        let _ = err.to_string();
    }
}

/// Checks the text as the named file with every rule and a client version, plans
/// every fix (unsafe ones too) and applies it, round after round as `--fix` does,
/// and asserts that a file that read cleanly still reads cleanly after each round
/// (what `--fix` verifies before writing) and that the rounds settle within
/// [`fix::MAX_ROUNDS`]: one fix may enable another (a deprecated image renamed,
/// then pinned), but fixing must never go on for ever.
pub fn fix_roundtrip(data: &[u8]) {
    let Some((name, text)) = named(data, FIX_NAMES) else {
        return;
    };
    let path = Path::new(FOLDER).join(name);
    let kind = FileKind::of(&path).expect("every name is a known kind");
    let clean = parses(kind, &path, text);
    let mut current = text.to_string();
    for _ in 0..=fix::MAX_ROUNDS {
        let Some(file) = check(&path, &current) else {
            return;
        };
        let plan = fix::plan(&file, true);
        if !plan.changes(&current) {
            return;
        }
        if clean {
            if let Err(why) = fix::verify(&path, kind, &current, &plan.text) {
                panic!(
                    "fixes broke the file: {why}\n--- before\n{current}\n--- after\n{}",
                    plan.text
                );
            }
        }
        current = plan.text;
    }
    panic!(
        "fixes still change the file after {} rounds\n--- input\n{text}\n--- last\n{current}",
        fix::MAX_ROUNDS
    );
}

/// The whole pipeline on one text, as `--stdin-filename` runs it: every rule,
/// set rules and suppressions included. `None` when nothing was found.
fn check(path: &Path, text: &str) -> Option<FileDiagnostics> {
    let outcome = engine::check_text(path, text.to_string(), settings()).expect("no configuration");
    let file = outcome.files.into_iter().next()?;
    check_diagnostics(&file);
    Some(file)
}

fn settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let overrides = Overrides {
            select: Some(vec![Selector::parse("ALL").expect("ALL selects every rule")]),
            mlrun_version: Some(CLIENT_VERSION.into()),
            ..Overrides::default()
        };
        let resolver = Resolver::new(Path::new(FOLDER), None, overrides)
            .unwrap_or_else(|err| panic!("no configuration file is read: {err}"));
        Settings {
            config: Arc::new(resolver),
            walk: WalkOptions {
                respect_ignores: true,
            },
            ignore_noqa: false,
            fingerprints: false,
            cache: None,
        }
    })
}

/// Whether the text reads without a parse or skipped-file problem.
fn parses(kind: FileKind, path: &Path, text: &str) -> bool {
    !sources::read(kind, path, text).facts.iter().any(|fact| {
        matches!(fact, Fact::Problem(p) if matches!(p.kind, ProblemKind::Parse | ProblemKind::Skipped))
    })
}

/// Checks the facts' spans, then judges them with every fact rule and checks the
/// diagnostics.
fn judge(text: &str, facts: &[Fact], cells: Option<Arc<mlrun_lint::cells::CellMap>>) {
    check_facts(text, facts);
    let scope = Scope {
        client: Some(ClientVersion {
            version: CLIENT_VERSION.into(),
            source: "fuzz".into(),
            origin: mlrun_lint::rules::VersionOrigin::Declared,
        }),
        ..Scope::default()
    };
    let diagnostics = engine::judge(facts, &scope, rules::ALL);
    let file = FileDiagnostics::new("fuzz".into(), Arc::from(text), diagnostics).with_cells(cells);
    check_diagnostics(&file);
}

/// Every span of every fact is within `text` and on character boundaries.
pub fn check_facts(text: &str, facts: &[Fact]) {
    for fact in facts {
        let origin = fact.origin();
        check_span(text, origin.span, "fact span", fact);
        if let Some(edit) = origin.edit_span {
            check_span(text, edit, "fact edit span", fact);
        }
        if let Fact::Package(package) = fact {
            let spans = [package.pin_at, package.specifier, package.shell_redirect];
            for span in spans.into_iter().flatten() {
                check_span(text, span, "package span", fact);
            }
            if let Some(name) = &package.name {
                check_span(text, name.span, "package name span", fact);
            }
        }
    }
}

/// Every diagnostic and fix edit is within the text, and has a position.
fn check_diagnostics(file: &FileDiagnostics) {
    for diagnostic in &file.diagnostics {
        check_span(&file.text, diagnostic.span, "diagnostic span", diagnostic);
        let start = file.position(diagnostic.span.start);
        let end = file.position(diagnostic.span.end);
        assert!(start.line >= 1 && start.column >= 1 && end.line >= 1 && end.column >= 1);
        let _ = file.cell(diagnostic.span.start);
        for edit in diagnostic.fix.iter().flat_map(|fix| &fix.edits) {
            check_span(&file.text, edit.span, "fix edit", diagnostic);
        }
    }
}

fn check_span(text: &str, span: Span, what: &str, owner: &dyn std::fmt::Debug) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} {span:?} outside the text's {} bytes: {owner:?}",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} {span:?} splits a character: {owner:?}"
    );
}
