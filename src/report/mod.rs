//! Reporters: turn the diagnostics of checked files into one of the contract's
//! `--output-format`s.
//!
//! Every format reads lines and columns through [`FileDiagnostics::position`] only,
//! so all of them agree on where a finding is. In a notebook that is the line and
//! column inside the cell, with the cell beside it; formats that annotate lines of
//! the file as stored (SARIF, GitHub, GitLab) use [`FileDiagnostics::raw_position`]. Every format also walks the
//! findings in the same order, [`sorted`], whatever order the caller used.

mod concise;
pub mod fingerprint;
mod full;
mod github;
mod gitlab;
mod json;
mod json_array;
mod json_lines;
mod junit;
mod sarif;
mod spill;
mod statistics;
pub use spill::Spill;
pub use statistics::Statistics;
mod wrap;

pub(crate) use sarif::rule_page_url;

use crate::diagnostic::{Applicability, Diagnostic, FileDiagnostics, Severity};
use crate::span::LineColumn;
use rayon::prelude::*;
use std::fmt;
use std::io::{self, Write};

/// The contract's output formats. The `clap` names (`json-lines`, `sarif`, ...) are
/// the contract's `--output-format` values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Rich human report: source excerpt, underline, help, fix, and a summary line.
    #[default]
    Full,
    /// One line per diagnostic: `{path}:{line}:{column}: {code} {message}`.
    Concise,
    /// One JSON array of diagnostics.
    Json,
    /// The `json` objects, one per line.
    JsonLines,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands, which annotate the pull request.
    Github,
    /// GitLab Code Quality JSON, for the merge request widget.
    Gitlab,
    /// JUnit XML: one test case per diagnostic, for CI test reports.
    Junit,
}

impl OutputFormat {
    /// Whether `--statistics` can be written in this format: its table (`full`,
    /// `concise`) or its JSON array (`json`). The others are formats of findings
    /// for tools, which a count table would only break.
    pub fn writes_statistics(self) -> bool {
        matches!(
            self,
            OutputFormat::Full | OutputFormat::Concise | OutputFormat::Json
        )
    }

    /// The `--output-format` value, as typed.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Full => "full",
            OutputFormat::Concise => "concise",
            OutputFormat::Json => "json",
            OutputFormat::JsonLines => "json-lines",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Github => "github",
            OutputFormat::Gitlab => "gitlab",
            OutputFormat::Junit => "junit",
        }
    }
}

/// Counts over all reported diagnostics: the CLI derives its exit code from them,
/// and the `full` report ends with their [`Display`](fmt::Display).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Diagnostics whose fix `--fix` applies.
    pub fixable_safe: usize,
    /// Diagnostics whose fix only `--fix --unsafe-fixes` applies.
    pub fixable_unsafe: usize,
    /// How many files the run read, when known: a clean run says it, and a run
    /// that read nothing says that rather than "All checked".
    pub files_checked: Option<usize>,
}

impl Summary {
    #[cfg(test)]
    pub fn of(files: &[FileDiagnostics]) -> Self {
        let mut summary = Summary::default();
        for diagnostic in files.iter().flat_map(|file| &file.diagnostics) {
            summary.count(diagnostic);
        }
        summary
    }

    /// Counts one more diagnostic.
    fn count(&mut self, diagnostic: &Diagnostic) {
        match diagnostic.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
        match diagnostic.fix.as_ref().map(|fix| fix.applicability) {
            Some(Applicability::Safe) => self.fixable_safe += 1,
            Some(Applicability::Unsafe) => self.fixable_unsafe += 1,
            None => {}
        }
    }

    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }

    /// Whether any diagnostic is at or above `severity` (the `--fail-on` test,
    /// inclusive as the contract says).
    pub fn any_at_or_above(&self, severity: Severity) -> bool {
        match severity {
            Severity::Error => self.errors > 0,
            Severity::Warning => self.errors + self.warnings > 0,
            Severity::Info => self.total() > 0,
        }
    }
}

/// The closing lines of the `full` report, e.g.
/// "Found 3 problems (2 errors, 1 warning).\n[*] 1 fixable with `--fix`."
/// Fix counts name the flag that applies them, so the reader knows what to run.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        SummaryText {
            summary: *self,
            advice: FixAdvice::Flags,
        }
        .fmt(f)
    }
}

/// Where the summary sends the reader to apply fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixAdvice {
    /// On the command line: the flags, `--fix` and `--fix --unsafe-fixes`.
    Flags,
    /// Inside a pre-commit hook, where the user cannot add a flag to the run
    /// that failed: the `mlrun-lint-fix` hook, and its `args` for unsafe fixes.
    PreCommitHook,
}

impl FixAdvice {
    /// `PreCommitHook` when pre-commit runs us: it sets `PRE_COMMIT=1` in every
    /// hook's environment (`pre_commit/commands/run.py`).
    pub fn from_env() -> Self {
        if std::env::var_os("PRE_COMMIT").is_some_and(|value| value == "1") {
            FixAdvice::PreCommitHook
        } else {
            FixAdvice::Flags
        }
    }
}

/// The summary lines with their fix advice; only the advice differs.
#[derive(Clone, Copy, Debug)]
pub struct SummaryText {
    pub summary: Summary,
    pub advice: FixAdvice,
}

impl fmt::Display for SummaryText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let SummaryText { summary, advice } = *self;
        let total = summary.total();
        if total == 0 {
            return match summary.files_checked {
                Some(0) => f.write_str(
                    "No files checked: none of the paths given holds a file mlrun-lint reads.",
                ),
                Some(checked) => write!(
                    f,
                    "All checked: {checked} {}, no problems found.",
                    plural(checked, "file", "files")
                ),
                None => f.write_str("All checked: no problems found."),
            };
        }
        let parts: Vec<String> = [
            (summary.errors, "error", "errors"),
            (summary.warnings, "warning", "warnings"),
            (summary.infos, "info", "info"),
        ]
        .into_iter()
        .filter(|&(count, _, _)| count > 0)
        .map(|(count, one, many)| format!("{count} {}", plural(count, one, many)))
        .collect();
        write!(
            f,
            "Found {total} {} ({}).",
            plural(total, "problem", "problems"),
            parts.join(", ")
        )?;
        match (advice, summary.fixable_safe, summary.fixable_unsafe) {
            (_, 0, 0) => Ok(()),
            (FixAdvice::Flags, 0, unsafe_) => {
                write!(f, "\n{unsafe_} fixable with `--fix --unsafe-fixes`.")
            }
            (FixAdvice::Flags, safe, 0) => write!(f, "\n[*] {safe} fixable with `--fix`."),
            (FixAdvice::Flags, safe, unsafe_) => write!(
                f,
                "\n[*] {safe} fixable with `--fix` ({unsafe_} more with `--fix --unsafe-fixes`)."
            ),
            (FixAdvice::PreCommitHook, 0, unsafe_) => write!(
                f,
                "\n{unsafe_} fixable by the `mlrun-lint-fix` hook with `args: [--unsafe-fixes]`."
            ),
            (FixAdvice::PreCommitHook, safe, 0) => {
                write!(
                    f,
                    "\n[*] {safe} fixable by the `mlrun-lint-fix` pre-commit hook."
                )
            }
            (FixAdvice::PreCommitHook, safe, unsafe_) => write!(
                f,
                "\n[*] {safe} fixable by the `mlrun-lint-fix` pre-commit hook \
                 ({unsafe_} more with `args: [--unsafe-fixes]`)."
            ),
        }
    }
}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 {
        one
    } else {
        many
    }
}

pub use full::DEFAULT_WIDTH;

/// How the `full` report is laid out for whoever reads it; the other formats
/// ignore it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Colour, decided by the caller from the terminal, `--color` and `NO_COLOR`.
    pub color: bool,
    /// The columns help lines are wrapped to.
    pub width: usize,
}

/// Write `files`' diagnostics to `out` in `format`. `color` only matters for
/// `full`; the caller decides it from the terminal and `NO_COLOR`.
pub fn render(
    files: &[FileDiagnostics],
    format: OutputFormat,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let layout = Layout {
        color,
        width: DEFAULT_WIDTH,
    };
    render_run(files, format, layout, None, out)
}

/// [`render`], for a run that read `files_checked` files (the `full` report's
/// last line says how many when nothing was found).
pub fn render_run(
    files: &[FileDiagnostics],
    format: OutputFormat,
    layout: Layout,
    files_checked: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut stream = Stream::start(format, layout, out);
    let diagnostics = sorted(files);
    for group in diagnostics.chunk_by(|a, b| a.file.path == b.file.path) {
        stream.write(group)?;
    }
    stream.finish(files_checked).map(drop)
}

/// A report written as a run finishes its files: [`Stream::file`] once per file,
/// in path order, then [`Stream::finish`]. The run never holds every finding
/// (and every text they point into) until the end, and the bytes are those
/// [`render_run`] writes for the same files, which it does through a stream.
pub struct Stream<W: Write> {
    out: W,
    layout: Layout,
    body: Body,
    summary: Summary,
    /// The reader went away (`mlrun-lint check | head`): nothing more is
    /// written, and the findings are still counted for the exit code.
    closed: bool,
}

/// What each format keeps between files.
enum Body {
    Full,
    Concise,
    Json(json_array::JsonArray),
    JsonLines,
    Sarif(sarif::Pending),
    Github,
    Gitlab(json_array::JsonArray),
    Junit(junit::Pending),
}

impl<W: Write> Stream<W> {
    /// Starts a report in `format` on `out`.
    pub fn start(format: OutputFormat, layout: Layout, out: W) -> Self {
        let body = match format {
            OutputFormat::Full => Body::Full,
            OutputFormat::Concise => Body::Concise,
            OutputFormat::Json => Body::Json(json_array::JsonArray::at_level(0)),
            OutputFormat::JsonLines => Body::JsonLines,
            OutputFormat::Sarif => Body::Sarif(sarif::Pending::new()),
            OutputFormat::Github => Body::Github,
            OutputFormat::Gitlab => Body::Gitlab(json_array::JsonArray::at_level(0)),
            OutputFormat::Junit => Body::Junit(junit::Pending::new()),
        };
        Self {
            out,
            layout,
            body,
            summary: Summary::default(),
            closed: false,
        }
    }

    /// Writes `file`'s diagnostics. Files must come in path order, as the
    /// contract's order is path first.
    pub fn file(&mut self, file: &FileDiagnostics) -> io::Result<()> {
        self.write(&sorted(std::slice::from_ref(file)))
    }

    /// Writes the diagnostics of `files`, in path order: the bytes [`file`]
    /// writes for each in turn, each file's part rendered on its own thread.
    /// Only SARIF and JUnit, which keep what comes after in the stream's
    /// state, render file by file here.
    ///
    /// [`file`]: Stream::file
    pub fn files(&mut self, files: &[FileDiagnostics]) -> io::Result<()> {
        if matches!(self.body, Body::Sarif(_) | Body::Junit(_)) {
            return files.iter().try_for_each(|file| self.file(file));
        }
        for diagnostic in files.iter().flat_map(|file| &file.diagnostics) {
            self.summary.count(diagnostic);
        }
        if self.closed {
            return Ok(());
        }
        let (body, layout) = (&self.body, self.layout);
        let parts: Vec<Vec<u8>> = files
            .par_iter()
            .map(|file| {
                let mut part = Vec::new();
                let diagnostics = sorted(std::slice::from_ref(file));
                // An array's elements are rendered as an array of their own,
                // whose opening then becomes the separator the stream needs.
                match body {
                    Body::Full => full::render(&diagnostics, layout, &mut part),
                    Body::Concise => concise::render(&diagnostics, &mut part),
                    Body::Json(array) => json::render(&diagnostics, &mut array.part(), &mut part),
                    Body::JsonLines => json_lines::render(&diagnostics, &mut part),
                    Body::Github => github::render(&diagnostics, &mut part),
                    Body::Gitlab(array) => {
                        gitlab::render(&diagnostics, &mut array.part(), &mut part)
                    }
                    Body::Sarif(_) | Body::Junit(_) => Ok(()),
                }
                .map(|()| part)
            })
            .collect::<io::Result<_>>()?;
        for part in parts {
            let written = match &mut self.body {
                Body::Json(array) | Body::Gitlab(array) => array.append(&part, &mut self.out),
                _ => self.out.write_all(&part),
            };
            self.closed_on(written)?;
            if self.closed {
                break;
            }
        }
        Ok(())
    }

    /// Writes the diagnostics of one file, sorted.
    fn write(&mut self, diagnostics: &[Located<'_>]) -> io::Result<()> {
        for located in diagnostics {
            self.summary.count(located.diagnostic);
        }
        if self.closed {
            return Ok(());
        }
        let out: &mut dyn Write = &mut self.out;
        let written = match &mut self.body {
            Body::Full => full::render(diagnostics, self.layout, out),
            Body::Concise => concise::render(diagnostics, out),
            Body::Json(array) => json::render(diagnostics, array, out),
            Body::JsonLines => json_lines::render(diagnostics, out),
            Body::Sarif(pending) => pending.write(diagnostics),
            Body::Github => github::render(diagnostics, out),
            Body::Gitlab(array) => gitlab::render(diagnostics, array, out),
            Body::Junit(pending) => pending.write(diagnostics),
        };
        self.closed_on(written)
    }

    /// `result`, except that a closed pipe closes the stream instead.
    fn closed_on(&mut self, result: io::Result<()>) -> io::Result<()> {
        match result {
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            result => result,
        }
    }

    /// Ends the report of a run that read `files_checked` files, and returns the
    /// counts of all it wrote (what the exit code is decided on), and where it
    /// was written.
    pub fn finish(self, files_checked: Option<usize>) -> io::Result<(Summary, W)> {
        let summary = Summary {
            files_checked,
            ..self.summary
        };
        let Stream {
            mut out,
            body,
            closed,
            ..
        } = self;
        if closed {
            return Ok((summary, out));
        }
        match end(body, summary, &mut out).and_then(|()| out.flush()) {
            Err(err) if err.kind() != io::ErrorKind::BrokenPipe => Err(err),
            _ => Ok((summary, out)),
        }
    }
}

/// Writes what a format writes after its last file.
fn end(body: Body, summary: Summary, out: &mut dyn Write) -> io::Result<()> {
    match body {
        Body::Full => {
            let text = SummaryText {
                summary,
                advice: FixAdvice::from_env(),
            };
            writeln!(out, "{text}")
        }
        Body::Json(array) | Body::Gitlab(array) => {
            array.close(out)?;
            writeln!(out)
        }
        Body::Sarif(pending) => pending.finish(out),
        Body::Junit(pending) => pending.finish(out),
        Body::Concise | Body::JsonLines | Body::Github => Ok(()),
    }
}

/// One diagnostic with the file it is in and its start, looked up once.
struct Located<'a> {
    file: &'a FileDiagnostics,
    /// Where `diagnostic` is in `file.diagnostics`, to find its fingerprint.
    index: usize,
    diagnostic: &'a Diagnostic,
    /// The notebook cell of the start, when the file is a notebook.
    cell: Option<usize>,
    /// Line and column (inside the cell for a notebook).
    start: LineColumn,
}

impl Located<'_> {
    fn end(&self) -> LineColumn {
        self.file.position(self.diagnostic.span.end)
    }

    /// `path:line:column`, or `path:cell N:line:column` in a notebook (as ruff
    /// writes notebook locations), for formats that show a location as text.
    fn location(&self) -> String {
        let at = self.start;
        match self.cell {
            Some(cell) => format!("{}:cell {cell}:{}:{}", self.file.path, at.line, at.column),
            None => format!("{}:{}:{}", self.file.path, at.line, at.column),
        }
    }

    /// The start and end as lines of the file as stored (the JSON of a notebook),
    /// for formats that annotate file lines.
    fn raw_range(&self) -> (LineColumn, LineColumn) {
        let span = self.diagnostic.span;
        (
            self.file.raw_position(span.start),
            self.file.raw_position(span.end),
        )
    }
}

/// All diagnostics in the contract's order: path, line, column, code. The sort is
/// stable, so findings equal on all four keep the order the rules gave them.
fn sorted(files: &[FileDiagnostics]) -> Vec<Located<'_>> {
    let mut located: Vec<Located<'_>> = files
        .iter()
        .flat_map(|file| {
            file.diagnostics
                .iter()
                .enumerate()
                .map(move |(index, diagnostic)| Located {
                    file,
                    index,
                    diagnostic,
                    cell: file.cell(diagnostic.span.start),
                    start: file.position(diagnostic.span.start),
                })
        })
        .collect();
    // In a notebook, cell order comes before the line inside the cell.
    located.sort_by(|a, b| {
        (a.file.path.as_str(), a.cell, a.start, a.diagnostic.code).cmp(&(
            b.file.path.as_str(),
            b.cell,
            b.start,
            b.diagnostic.code,
        ))
    });
    located
}

/// The [`fingerprint`] of each of `diagnostics`, in the same order. Fingerprints
/// are computed per file (occurrences count within a file), once per file: the
/// sorted list keeps a file's diagnostics together.
fn fingerprints(diagnostics: &[Located<'_>]) -> Vec<String> {
    let mut current: Option<(&FileDiagnostics, Vec<String>)> = None;
    diagnostics
        .iter()
        .map(|located| {
            let fresh = match &current {
                Some((file, _)) => !std::ptr::eq(*file, located.file),
                None => true,
            };
            if fresh {
                current = Some((located.file, fingerprint::of_file(located.file)));
            }
            current
                .as_ref()
                .and_then(|(_, of_file)| of_file.get(located.index))
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests;
