//! The command line: `check`, `rule`, `rules` and `server`, as the contract fixes them.

use crate::config::{Overrides, Resolver};
use crate::diagnostic::{FileDiagnostics, Severity};
use crate::discover::WalkOptions;
use crate::engine::{self, Outcome, Settings};
use crate::fix;
use crate::report::{self, OutputFormat, Summary};
use crate::rules;
use crate::selection;
use crate::suppress::baseline::{self, Baseline};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Finds unpinned container images and packages in MLRun projects.
#[derive(Debug, Parser)]
#[command(name = "mlrun-lint", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check files and folders (default: the current folder).
    Check(Box<CheckArgs>),
    /// Print a rule's page: what it flags, why it matters, how to fix it.
    Rule {
        /// A rule code (MLR101) or name (mlrun-image-untagged).
        code_or_name: String,
    },
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        output_format: RulesFormat,
    },
    /// Run the language server over stdio, for editors (see docs/editors.md).
    Server,
    /// Remove the cache of warm runs (`.mlrun_lint_cache`) from the current folder.
    Clean,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Files and folders to check. Files named here are always checked, even when
    /// ignored by .gitignore.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Full)]
    output_format: OutputFormat,
    /// Colour in the `full` report: `auto` (a terminal, unless NO_COLOR is set;
    /// FORCE_COLOR or CLICOLOR_FORCE force it), `always` or `never`.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Rules to run instead of the default set: codes, prefixes (MLR1, MLR20), names, or ALL.
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// Rules to run in addition to the selected ones.
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    extend_select: Vec<String>,
    /// Rules not to run.
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    ignore: Vec<String>,
    /// The MLRun client version the project runs with (X.Y.Z): the tag untagged MLRun
    /// images really get, and the version pins are checked against.
    #[arg(long, value_name = "X.Y.Z")]
    mlrun_version: Option<String>,
    /// Exit 1 on findings at or above this severity [default: warning, or the
    /// configuration's `fail-on`].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Exit 0 even when there are findings (still 2 on errors of use).
    #[arg(long)]
    exit_zero: bool,
    /// Do not respect .gitignore files and the default excludes (virtualenvs, node_modules, caches).
    #[arg(long)]
    no_ignore: bool,
    /// Read every file afresh: neither use nor write the cache of warm runs
    /// (`.mlrun_lint_cache` in the current folder). MLRUN_LINT_NO_CACHE=1 does the same.
    #[arg(long)]
    no_cache: bool,
    /// Apply the safe fixes to the files, then report what remains.
    #[arg(long)]
    fix: bool,
    /// Let `--fix` and `--diff` apply unsafe fixes too (they change what runs).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the unified diff of what `--fix` would change instead of the report,
    /// and write nothing. Exits 1 when there is a diff.
    #[arg(long)]
    diff: bool,
    /// Exit 1 when `--fix` rewrote a file, even if nothing remains (for pre-commit,
    /// so the rewritten files are staged again).
    #[arg(long)]
    exit_non_zero_on_fix: bool,
    #[command(flatten)]
    config: ConfigArgs,
}

/// Configuration, suppressions, baselines, statistics and standard input.
#[derive(Debug, Args)]
struct ConfigArgs {
    /// Use this configuration file for every file instead of looking for
    /// pyproject.toml / mlrun-lint.toml / .mlrun-lint.toml from each file's folder up.
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// A lock or pin source (repeatable): uv.lock, poetry.lock, Pipfile.lock,
    /// pylock.toml, pip-freeze/constraints text. Replaces the configuration's `lock`.
    #[arg(long, value_name = "PATH")]
    lock: Vec<PathBuf>,
    /// A virtualenv whose installed distributions are a pin source (read, never executed).
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,
    /// Report what `# noqa` comments and the baseline would hide (audits).
    #[arg(long)]
    ignore_noqa: bool,
    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "PATH")]
    baseline: Option<PathBuf>,
    /// Record today's findings (after `# noqa`) in this baseline file, then report
    /// as if it were given to --baseline.
    #[arg(long, value_name = "PATH", conflicts_with = "ignore_noqa")]
    write_baseline: Option<PathBuf>,
    /// Print counts per rule instead of the findings.
    #[arg(long)]
    statistics: bool,
    /// Read the file to check from standard input, as if it were at PATH (its kind,
    /// its configuration); paths given are ignored.
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour, for output to a terminal or not (`is_terminal`) in an
    /// environment read through `var`. `always` and `never` win over the
    /// environment; under `auto`, NO_COLOR (any non-empty value) turns colour
    /// off, then FORCE_COLOR or CLICOLOR_FORCE (non-empty, not `0`) turn it on
    /// even in a pipe, and otherwise a terminal decides.
    fn enabled(self, is_terminal: bool, var: impl Fn(&str) -> Option<String>) -> bool {
        let set = |name: &str| var(name).is_some_and(|value| !value.is_empty());
        let forced = |name: &str| var(name).is_some_and(|value| !value.is_empty() && value != "0");
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if set("NO_COLOR") => false,
            ColorChoice::Auto if forced("FORCE_COLOR") || forced("CLICOLOR_FORCE") => true,
            ColorChoice::Auto => is_terminal,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum RulesFormat {
    Text,
    Json,
}

/// Runs the command line and returns the process exit code (0, 1, or 2 for errors
/// of use and internal errors).
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Check(args) => check(*args),
        Command::Rule { code_or_name } => rule(&code_or_name),
        Command::Rules { output_format } => list_rules(output_format),
        Command::Server => Ok(crate::server::run()),
        Command::Clean => clean(),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("mlrun-lint: error: {message}");
            ExitCode::from(2)
        }
    }
}

/// A progress line on stderr while a run is long enough to wonder about: only
/// when stderr is a terminal and not in CI (`CI` set), from [`Progress::DELAY`]
/// on, rewritten in place and erased when the run ends, so pipes, logs and
/// short runs never see it.
struct Progress {
    done: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// How long a run goes before the line appears.
    const DELAY: std::time::Duration = std::time::Duration::from_millis(500);
    const TICK: std::time::Duration = std::time::Duration::from_millis(100);

    fn start() -> Self {
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let wanted = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let thread = wanted.then(|| {
            let done = done.clone();
            std::thread::spawn(move || {
                let started = std::time::Instant::now();
                let mut shown = String::new();
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::sleep(Self::TICK);
                    if started.elapsed() >= Self::DELAY {
                        // Drawn again only when it changes: a terminal log
                        // (`script`, tmux history) keeps one copy per change.
                        let line = Self::line(engine::files_read(), engine::findings_so_far());
                        if line != shown {
                            eprint!("\r\x1b[2K{line}");
                            shown = line;
                        }
                    }
                }
                if !shown.is_empty() {
                    eprint!("\r\x1b[2K");
                }
            })
        });
        Self { done, thread }
    }

    /// The line's text: files read, and findings once files are being judged.
    fn line(read: usize, found: Option<usize>) -> String {
        let files = format!("{read} {} read", if read == 1 { "file" } else { "files" });
        match found {
            None => format!("Checking: {files}"),
            Some(found) => format!(
                "Checking: {files}, {found} {} so far",
                if found == 1 { "finding" } else { "findings" }
            ),
        }
    }

    fn stop(mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `check`, with a [`Progress`] line stopped before anything is printed.
/// Whether [`NO_CACHE_VAR`] asks for `--no-cache`: set to anything but nothing.
fn no_cache_from_env() -> bool {
    std::env::var_os(NO_CACHE_VAR).is_some_and(|value| !value.is_empty())
}

/// The environment variable that acts as `--no-cache` for every run (as
/// `RUFF_NO_CACHE` does for ruff): for CI jobs and test suites that must not
/// write into the tree they run in.
const NO_CACHE_VAR: &str = "MLRUN_LINT_NO_CACHE";

/// `mlrun-lint clean`: removes the current folder's cache, saying so (as `ruff
/// clean` does).
fn clean() -> Result<ExitCode, String> {
    let cwd = std::env::current_dir().map_err(|err| format!("no working directory: {err}"))?;
    match crate::cache::clean(&cwd) {
        Ok(true) => eprintln!("Removed the cache at {}", crate::cache::DIR_NAME),
        Ok(false) => eprintln!(
            "No cache to remove ({} is not here)",
            crate::cache::DIR_NAME
        ),
        Err(err) => {
            return Err(format!(
                "cannot remove the cache at {}: {err}",
                crate::cache::DIR_NAME
            ))
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check(args: CheckArgs) -> Result<ExitCode, String> {
    let mut progress = Some(Progress::start());
    let mut stop = || {
        if let Some(progress) = progress.take() {
            progress.stop();
        }
    };
    let result = check_run(args, &mut stop);
    stop();
    result
}

fn check_run(
    args: CheckArgs,
    stop_progress: &mut (dyn FnMut() + Send),
) -> Result<ExitCode, String> {
    // Temporary files written before this moment are another run's.
    let started = std::time::SystemTime::now();
    // A bad limit must stop the run, not fall back to the default unnoticed.
    engine::file_size_limit()?;
    let mlrun_version = args
        .mlrun_version
        .as_deref()
        .map(|version| {
            rules::client_version(version).map_err(|why| format!("--mlrun-version {why}"))
        })
        .transpose()?;
    if args.select.as_ref().is_some_and(|select| {
        select
            .iter()
            .all(|item| item.split([',', ' ']).all(|part| part.trim().is_empty()))
    }) {
        return Err(
            "--select names no rule: give codes, prefixes (MLR1), names or ALL; to run nothing, \
             do not run mlrun-lint"
                .into(),
        );
    }
    if args.config.statistics && !args.output_format.writes_statistics() {
        return Err(format!(
            "--statistics prints a table (--output-format full or concise) or JSON (json); it \
             cannot be written as {}",
            args.output_format.name()
        ));
    }
    let overrides = Overrides {
        select: args
            .select
            .as_deref()
            .map(selection::parse_list)
            .transpose()?,
        extend_select: selection::parse_list(&args.extend_select)?,
        ignore: selection::parse_list(&args.ignore)?,
        mlrun_version,
        lock: args.config.lock.clone(),
        python: args.config.python.clone(),
        fail_on: args.fail_on.map(FailOn::severity),
    };
    let cwd = std::env::current_dir().map_err(|err| format!("no working directory: {err}"))?;
    let resolver = Resolver::new(&cwd, args.config.config.as_deref(), overrides)
        .map_err(|err| err.to_string())?;
    let fail_on = resolver
        .fail_on()
        .map_err(|err| resolver.describe(&err))?
        .unwrap_or(Severity::Warning);
    let settings = Settings {
        config: Arc::new(resolver),
        walk: WalkOptions {
            respect_ignores: !args.no_ignore,
        },
        ignore_noqa: args.config.ignore_noqa,
        fingerprints: args.config.baseline.is_some() || args.config.write_baseline.is_some(),
        cache: (!args.no_cache && !no_cache_from_env()).then(|| cwd.join(crate::cache::DIR_NAME)),
    };
    if args.config.stdin_filename.is_some() && (args.fix || args.diff) {
        return Err(
            "--fix and --diff rewrite files on disk; they cannot be used with --stdin-filename"
                .into(),
        );
    }
    if args.diff {
        return diff(&args, &settings, stop_progress);
    }
    let color = args.color.enabled(std::io::stdout().is_terminal(), |name| {
        std::env::var_os(name).map(|value| value.to_string_lossy().into_owned())
    });
    let layout = report::Layout {
        color,
        width: report_width(std::io::stdout().is_terminal(), |name| {
            std::env::var(name).ok()
        }),
    };
    // Standard output flushes at every newline; a large report is written in
    // many small pieces, so it goes through one buffer (a write call per 8 KiB,
    // not per line).
    let stdout = std::io::BufWriter::new(std::io::stdout());
    if args.fix {
        return check_fixed(
            &args,
            &settings,
            layout,
            stdout,
            fail_on,
            started,
            stop_progress,
        );
    }
    let Some(path) = &args.config.stdin_filename else {
        return check_streamed(
            &args,
            &settings,
            layout,
            stdout,
            fail_on,
            started,
            stop_progress,
        );
    };
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|err| format!("cannot read standard input: {err}"))?;
    let outcome = engine::check_text(path, text, &settings)?;
    stop_progress();
    notes(&outcome.temp_files, &outcome.skipped, started, &cwd);
    let files_checked = outcome.files_checked;
    let files = apply_baseline(outcome, &args.config)?;
    let mut output = Output::start(&args, layout, stdout);
    output.files(&files)?;
    let (summary, _) = output.finish(args.output_format, files_checked)?;
    let failed = summary.any_at_or_above(fail_on);
    Ok(ExitCode::from(u8::from(failed && !args.exit_zero)))
}

/// A `check` of paths: each file is reported (or counted, or taken into the
/// baseline being written) as the run finishes it, so the run never holds
/// every finding (and every text) of a large tree at once. The progress line
/// stops before the first line of the report.
fn check_streamed(
    args: &CheckArgs,
    settings: &Settings,
    layout: report::Layout,
    stdout: impl Write + Send,
    fail_on: Severity,
    started: std::time::SystemTime,
    stop_progress: &mut (dyn FnMut() + Send),
) -> Result<ExitCode, String> {
    let accepted = accepted_baseline(args)?;
    let mut reporting = Reporting::start(args, accepted.as_ref(), layout, stdout);
    let mut progress = Some(stop_progress);
    let totals = engine::check_streamed(&args.paths, settings, &mut |reported| {
        if let Some(stop) = progress.take() {
            stop();
        }
        reporting.files(reported)
    })?;
    if let Some(stop) = progress.take() {
        stop();
    }
    reporting.write_baseline(args)?;
    let cwd = std::env::current_dir().unwrap_or_default();
    notes(&totals.temp_files, &totals.skipped, started, &cwd);
    let (summary, _) = reporting
        .output
        .finish(args.output_format, totals.files_checked)?;
    let failed = summary.any_at_or_above(fail_on);
    Ok(ExitCode::from(u8::from(failed && !args.exit_zero)))
}

/// `check --fix`: the rounds of fixes, each a streamed check whose files are
/// fixed as they are finished; the files of the last round are reported (to
/// a spill first, since only a round's end says it is the last), so `--fix`
/// over a large tree holds no more than a check of it.
fn check_fixed(
    args: &CheckArgs,
    settings: &Settings,
    layout: report::Layout,
    mut stdout: impl Write,
    fail_on: Severity,
    started: std::time::SystemTime,
    stop_progress: &mut (dyn FnMut() + Send),
) -> Result<ExitCode, String> {
    let accepted = accepted_baseline(args)?;
    let mut report = FixReport {
        args,
        layout,
        accepted: accepted.as_ref(),
        round: None,
    };
    let applied = fix::apply(&args.paths, settings, args.unsafe_fixes, &mut report)?;
    stop_progress();
    warn(&applied.warnings);
    eprintln!(
        "{}",
        fixed_line("Fixed", "No fixes applied.", applied.fixed, applied.files)
    );
    if applied.interrupted {
        eprintln!("mlrun-lint: interrupted: no other file was changed");
        return Ok(ExitCode::from(fix::interrupt::EXIT_INTERRUPTED));
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    notes(
        &applied.totals.temp_files,
        &applied.totals.skipped,
        started,
        &cwd,
    );
    let Some(mut reporting) = report.round else {
        return Err("the fixes ended without a check".into());
    };
    reporting.write_baseline(args)?;
    let (summary, spill) = reporting
        .output
        .finish(args.output_format, applied.totals.files_checked)?;
    write_output(spill.copy_to(&mut stdout).and_then(|()| stdout.flush()))?;
    let failed =
        summary.any_at_or_above(fail_on) || (applied.files > 0 && args.exit_non_zero_on_fix);
    Ok(ExitCode::from(u8::from(failed && !args.exit_zero)))
}

/// The baseline whose findings are not reported: `--baseline`, unless one is
/// being written or `# noqa` comments are ignored (and the baseline with them).
fn accepted_baseline(args: &CheckArgs) -> Result<Option<Baseline>, String> {
    match (&args.config.baseline, &args.config.write_baseline) {
        (Some(path), None) if !args.config.ignore_noqa => Ok(Some(Baseline::load(path)?)),
        _ => Ok(None),
    }
}

/// What a run does with each file it reports, as it finishes it: a baseline
/// being written takes its findings (and none is reported), a baseline given
/// drops those it accepts, and the rest go to the report (or the
/// `--statistics` counts).
struct Reporting<'a, W: Write> {
    accepted: Option<&'a Baseline>,
    /// The entries of the baseline being written (`--write-baseline`).
    taken: Option<Vec<baseline::Entry>>,
    output: Output<W>,
}

impl<'a, W: Write> Reporting<'a, W> {
    fn start(
        args: &CheckArgs,
        accepted: Option<&'a Baseline>,
        layout: report::Layout,
        out: W,
    ) -> Self {
        Self {
            accepted,
            taken: args.config.write_baseline.is_some().then(Vec::new),
            output: Output::start(args, layout, out),
        }
    }

    /// Reports `files`, in path order.
    fn files(&mut self, files: Vec<engine::Reported>) -> Result<(), String> {
        let kept: Vec<FileDiagnostics> = files
            .into_iter()
            .filter_map(|file| self.kept(file))
            .collect();
        self.output.files(&kept)
    }

    /// What is left of `reported` to report.
    fn kept(&mut self, reported: engine::Reported) -> Option<FileDiagnostics> {
        let engine::Reported {
            mut file,
            fingerprints,
            ..
        } = reported;
        if let Some(taken) = &mut self.taken {
            taken.extend(baseline_entries(&file, &fingerprints));
            return None;
        }
        if let Some(accepted) = self.accepted {
            let mut accepted_here = file
                .diagnostics
                .iter()
                .zip(&fingerprints)
                .map(|(diagnostic, fingerprint)| {
                    accepted.contains(&file.path, diagnostic.code, fingerprint)
                })
                .collect::<Vec<bool>>()
                .into_iter();
            file.diagnostics
                .retain(|_| !accepted_here.next().unwrap_or(false));
            if file.diagnostics.is_empty() {
                return None;
            }
        }
        Some(file)
    }

    /// Writes the baseline being written, if one is.
    fn write_baseline(&mut self, args: &CheckArgs) -> Result<(), String> {
        match (args.config.write_baseline.as_deref(), self.taken.take()) {
            (Some(path), Some(taken)) => write_baseline(path, taken),
            _ => Ok(()),
        }
    }
}

/// `--fix`'s report: each round's files go to a [`Reporting`] of their own
/// over a spill; the last round's is the report.
struct FixReport<'a> {
    args: &'a CheckArgs,
    layout: report::Layout,
    accepted: Option<&'a Baseline>,
    round: Option<Reporting<'a, report::Spill>>,
}

impl fix::Report for FixReport<'_> {
    fn round(&mut self) {
        self.round = Some(Reporting::start(
            self.args,
            self.accepted,
            self.layout,
            report::Spill::temporary(),
        ));
    }

    fn files(&mut self, files: Vec<engine::Reported>) -> Result<(), String> {
        match &mut self.round {
            Some(reporting) => reporting.files(files),
            None => Ok(()),
        }
    }
}

/// Where a run's findings go, file by file: the report, or the `--statistics`
/// counts (written at the end).
enum Output<W: Write> {
    Report(report::Stream<W>),
    Statistics(report::Statistics, W),
}

impl<W: Write> Output<W> {
    fn start(args: &CheckArgs, layout: report::Layout, out: W) -> Self {
        match args.config.statistics {
            true => Output::Statistics(report::Statistics::default(), out),
            false => Output::Report(report::Stream::start(args.output_format, layout, out)),
        }
    }

    /// Reports `files`, in path order.
    fn files(&mut self, files: &[FileDiagnostics]) -> Result<(), String> {
        match self {
            Output::Report(stream) => stream
                .files(files)
                .map_err(|err| format!("cannot write the report: {err}")),
            Output::Statistics(statistics, _) => {
                files.iter().for_each(|file| statistics.add(file));
                Ok(())
            }
        }
    }

    /// Ends the report of a run that read `files_checked` files (or writes the
    /// counts), and returns the summary the exit code comes from, and where
    /// the report went.
    fn finish(self, format: OutputFormat, files_checked: usize) -> Result<(Summary, W), String> {
        match self {
            Output::Report(stream) => stream
                .finish(Some(files_checked))
                .map_err(|err| format!("cannot write the report: {err}")),
            Output::Statistics(statistics, mut out) => {
                let summary = statistics.summary();
                write_output(statistics.write(format, &mut out))?;
                write_output(out.flush())?;
                Ok((summary, out))
            }
        }
    }
}

/// `file`'s findings as baseline entries, with their fingerprints.
fn baseline_entries<'a>(
    file: &'a FileDiagnostics,
    fingerprints: &'a [String],
) -> impl Iterator<Item = baseline::Entry> + 'a {
    file.diagnostics
        .iter()
        .zip(fingerprints)
        .map(|(diagnostic, fingerprint)| baseline::Entry {
            path: file.path.clone(),
            code: diagnostic.code.into(),
            fingerprint: fingerprint.clone(),
            message: diagnostic.message.clone(),
        })
}

/// `--write-baseline`: writes `entries` to `path`, and says how many.
fn write_baseline(path: &Path, entries: Vec<baseline::Entry>) -> Result<(), String> {
    let count = entries.len();
    baseline::write(path, entries)?;
    eprintln!(
        "mlrun-lint: wrote {count} finding{} to {}",
        if count == 1 { "" } else { "s" },
        path.display()
    );
    Ok(())
}

/// The notes on standard error after a run: temporary files an interrupted
/// `--fix` left (removed now), and files named that are of no kind read.
fn notes(temp_files: &[PathBuf], skipped: &[String], started: std::time::SystemTime, cwd: &Path) {
    for removed in fix::remove_stale(temp_files, started) {
        eprintln!(
            "mlrun-lint: note: removed {}, a temporary file left by an interrupted `--fix`",
            crate::paths::quote(&crate::paths::display(&removed, cwd))
        );
    }
    for skipped in skipped {
        eprintln!(
            "mlrun-lint: note: {skipped} skipped: mlrun-lint does not read this kind of file"
        );
    }
}

/// `--diff`: the diffs on stdout instead of the report, nothing written; exit 1
/// when `--fix` would change something, as ruff does.
fn diff(
    args: &CheckArgs,
    settings: &Settings,
    stop_progress: &mut (dyn FnMut() + Send),
) -> Result<ExitCode, String> {
    let preview = fix::preview(&args.paths, settings, args.unsafe_fixes)?;
    stop_progress();
    write_output(std::io::stdout().lock().write_all(preview.diff.as_bytes()))?;
    warn(&preview.warnings);
    eprintln!(
        "{}",
        fixed_line(
            "Would fix",
            "No fixes to apply.",
            preview.fixable,
            preview.files
        )
    );
    let changed = !preview.diff.is_empty();
    Ok(ExitCode::from(u8::from(changed && !args.exit_zero)))
}

/// The columns the `full` report's help lines are wrapped to: the terminal's
/// width when standard output is one, else a positive `COLUMNS`, else
/// [`report::DEFAULT_WIDTH`].
fn report_width(is_terminal: bool, var: impl Fn(&str) -> Option<String>) -> usize {
    let columns = || {
        var("COLUMNS")
            .and_then(|value| value.trim().parse::<usize>().ok())
            .filter(|&columns| columns > 0)
    };
    is_terminal
        .then(terminal_width)
        .flatten()
        .or_else(columns)
        .unwrap_or(report::DEFAULT_WIDTH)
}

/// Standard output's terminal width, from the kernel (`TIOCGWINSZ`).
#[cfg(unix)]
fn terminal_width() -> Option<usize> {
    // SAFETY: `winsize` is plain integers, so all zeroes is a valid value, and
    // TIOCGWINSZ writes one `winsize` into the pointer it is given.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let read = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (read && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

/// Elsewhere `COLUMNS` or the default width decide.
#[cfg(not(unix))]
fn terminal_width() -> Option<usize> {
    None
}

/// Fixes not applied go to stderr, so machine-readable reports stay clean; their
/// diagnostics stay in the report.
fn warn(warnings: &[String]) {
    for warning in warnings {
        eprintln!("mlrun-lint: warning: {warning}");
    }
}

/// "Fixed 3 problems in 2 files." / "Would fix 1 problem in 1 file.", or `none`.
fn fixed_line(verb: &str, none: &str, problems: usize, files: usize) -> String {
    if problems == 0 {
        return none.into();
    }
    format!(
        "{verb} {problems} {} in {files} {}.",
        if problems == 1 { "problem" } else { "problems" },
        if files == 1 { "file" } else { "files" }
    )
}

/// `--write-baseline` and `--baseline`: the findings left to report. With
/// `--ignore-noqa`, the baseline hides nothing (it is still written).
fn apply_baseline(outcome: Outcome, args: &ConfigArgs) -> Result<Vec<FileDiagnostics>, String> {
    let accepted = match (&args.write_baseline, &args.baseline) {
        (Some(path), _) => {
            let entries: Vec<baseline::Entry> = outcome
                .files
                .iter()
                .zip(&outcome.fingerprints)
                .flat_map(|(file, fingerprints)| baseline_entries(file, fingerprints))
                .collect();
            write_baseline(path, entries.clone())?;
            Baseline::from_entries(&entries)
        }
        (None, Some(path)) => Baseline::load(path)?,
        (None, None) => return Ok(outcome.files),
    };
    if args.ignore_noqa {
        return Ok(outcome.files);
    }
    Ok(outcome
        .files
        .into_iter()
        .zip(outcome.fingerprints)
        .filter_map(|(mut file, fingerprints)| {
            let keep: Vec<bool> = file
                .diagnostics
                .iter()
                .zip(&fingerprints)
                .map(|(diagnostic, fingerprint)| {
                    !accepted.contains(&file.path, diagnostic.code, fingerprint)
                })
                .collect();
            let mut keep = keep.into_iter();
            file.diagnostics.retain(|_| keep.next().unwrap_or(true));
            (!file.diagnostics.is_empty()).then_some(file)
        })
        .collect())
}

fn rule(code_or_name: &str) -> Result<ExitCode, String> {
    let rule = rules::find(code_or_name)
        .ok_or_else(|| format!("no rule `{code_or_name}`; `mlrun-lint rules` lists them"))?;
    write_output(std::io::stdout().lock().write_all(rule.page.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}

fn list_rules(format: RulesFormat) -> Result<ExitCode, String> {
    let mut out = String::new();
    match format {
        RulesFormat::Text => {
            for rule in rules::ALL {
                let severity = if rule.enabled_by_default {
                    rule.severity.as_str()
                } else {
                    "off"
                };
                out.push_str(&format!(
                    "{}  {:<30} {:<8} {}\n",
                    rule.code, rule.name, severity, rule.summary
                ));
            }
        }
        RulesFormat::Json => {
            let list: Vec<_> = rules::ALL
                .iter()
                .map(|rule| {
                    serde_json::json!({
                        "code": rule.code,
                        "name": rule.name,
                        "severity": rule.severity,
                        "enabled_by_default": rule.enabled_by_default,
                        "summary": rule.summary,
                    })
                })
                .collect();
            out = serde_json::to_string_pretty(&list).map_err(|err| err.to_string())? + "\n";
        }
    }
    write_output(std::io::stdout().lock().write_all(out.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}

/// A closed pipe (`mlrun-lint ... | head`) is not an error worth reporting.
fn write_output(result: std::io::Result<()>) -> Result<(), String> {
    match result {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write the report: {err}"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::ColorChoice;

    #[test]
    fn colour_follows_the_flag_then_the_environment_then_the_terminal() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| value.to_string())
            }
        };
        assert!(ColorChoice::Auto.enabled(true, env(&[])));
        assert!(!ColorChoice::Auto.enabled(false, env(&[])));
        assert!(!ColorChoice::Auto.enabled(true, env(&[("NO_COLOR", "1")])));
        assert!(ColorChoice::Auto.enabled(true, env(&[("NO_COLOR", "")])));
        assert!(ColorChoice::Auto.enabled(false, env(&[("FORCE_COLOR", "1")])));
        assert!(!ColorChoice::Auto.enabled(false, env(&[("FORCE_COLOR", "0")])));
        assert!(ColorChoice::Auto.enabled(false, env(&[("CLICOLOR_FORCE", "1")])));
        assert!(!ColorChoice::Auto.enabled(false, env(&[("NO_COLOR", "1"), ("FORCE_COLOR", "1")])));
        assert!(ColorChoice::Always.enabled(false, env(&[("NO_COLOR", "1")])));
        assert!(!ColorChoice::Never.enabled(true, env(&[("FORCE_COLOR", "1")])));
    }

    #[test]
    fn the_progress_line_counts_files_then_findings() {
        use super::Progress;
        assert_eq!(Progress::line(0, None), "Checking: 0 files read");
        assert_eq!(Progress::line(1, None), "Checking: 1 file read");
        assert_eq!(
            Progress::line(1208, Some(0)),
            "Checking: 1208 files read, 0 findings so far"
        );
        assert_eq!(
            Progress::line(1208, Some(1)),
            "Checking: 1208 files read, 1 finding so far"
        );
        assert_eq!(
            Progress::line(12181, Some(26000)),
            "Checking: 12181 files read, 26000 findings so far"
        );
    }

    #[test]
    fn report_width_is_the_terminal_s_else_columns_else_100() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| value.to_string())
            }
        };
        assert_eq!(super::report_width(false, env(&[])), 100);
        assert_eq!(super::report_width(false, env(&[("COLUMNS", "72")])), 72);
        assert_eq!(super::report_width(false, env(&[("COLUMNS", "0")])), 100);
        assert_eq!(super::report_width(false, env(&[("COLUMNS", "wide")])), 100);
    }
}
