//! `full`: the cargo/ruff-style report a person reads, drawn by `annotate-snippets`
//! (the renderer rustc uses) so tabs, wide characters, control characters and long
//! lines are laid out the way Rust users already know.
//!
//! ```text
//! error[MLR101] mlrun-image-untagged: MLRun image `mlrun/mlrun` has no tag
//!  --> function.yaml:3:10
//!   |
//! 3 |   image: mlrun/mlrun
//!   |          ^^^^^^^^^^^
//!   |
//!   = help: Pin the image to the MLRun version the project runs with
//! help: [*] Pin the image to `mlrun/mlrun:1.6.4`
//!   |
//! 3 |   image: mlrun/mlrun:1.6.4
//!   |                     ++++++
//! ```

use super::wrap::wrap;
use super::{Layout, Located};
use crate::cells::CellMap;
use crate::diagnostic::{Applicability, Edit, FileDiagnostics, Fix, Severity};
use crate::span::{LineIndex, Span};
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Patch, Renderer, Snippet};
use std::borrow::Cow;
use std::io::{self, Write};

/// The width help lines are wrapped to when the output is not a terminal and
/// `COLUMNS` says nothing: wide enough for a laptop's half-screen window, narrow
/// enough for a CI log.
pub const DEFAULT_WIDTH: usize = 100;

/// Help is never squeezed narrower than this, however narrow the terminal: below
/// it every backquoted image would sit on a line of its own.
const MIN_HELP_WIDTH: usize = 30;

/// Writes each diagnostic as its report and a blank line; the stream writes the
/// summary after the last file.
pub(super) fn render(
    diagnostics: &[Located<'_>],
    layout: Layout,
    out: &mut dyn Write,
) -> io::Result<()> {
    let renderer = if layout.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for located in diagnostics {
        let report = report(located, layout.width);
        writeln!(out, "{}\n", renderer.render(&report))?;
    }
    Ok(())
}

/// The groups annotate-snippets draws for one diagnostic: the finding itself, then
/// its fix as a suggestion showing the fixed text.
fn report<'a>(located: &'a Located<'a>, width: usize) -> Vec<Group<'a>> {
    let file = located.file;
    let diagnostic = located.diagnostic;
    // The header names the rule next to its code, so a reader (and a reviewer of a
    // `# noqa: MLR101`) sees what the code means without looking it up.
    let level = level(diagnostic.severity).with_name(format!(
        "{}[{}] {}",
        diagnostic.severity.as_str(),
        diagnostic.code,
        diagnostic.rule
    ));
    let mut finding = Group::with_title(level.primary_title(diagnostic.message.as_str()));
    let shown = excerpt(file, diagnostic.span);
    // The gutter is as wide as the largest line number drawn, in the finding or
    // in its fix; the help line starts after it and `= help: `.
    let fix_last_line = diagnostic
        .fix
        .as_ref()
        .and_then(|fix| patches(file, &fix.edits))
        .map(|(excerpt, _)| excerpt.last_line());
    let last_line = shown
        .as_ref()
        .map(Excerpt::last_line)
        .max(fix_last_line)
        .unwrap_or(located.start.line);
    let prefix = last_line.to_string().len() + " = help: ".len();
    let help_width = width.saturating_sub(prefix).max(MIN_HELP_WIDTH);
    finding = match shown {
        Some(excerpt) => finding.element(
            Snippet::source(excerpt.source)
                .line_start(excerpt.line)
                .path(excerpt.path)
                .annotation(AnnotationKind::Primary.span(excerpt.span)),
        ),
        // Nothing to show (an empty or unread file, as MLR003 reports): the location
        // alone, from the same lookup every format uses.
        None => finding.element(
            Origin::path(file.path.as_str())
                .line(located.start.line)
                .char_column(located.start.column),
        ),
    };
    if let Some(help) = &diagnostic.help {
        finding = finding.element(Level::HELP.message(wrap(help, help_width)));
    }
    let mut groups = vec![finding];
    if let Some(fix) = &diagnostic.fix {
        groups.push(fix_group(file, fix));
    }
    groups
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// `help: [*] <fix message>` (`[*]` marks what `--fix` applies, as in ruff), or
/// `help: <fix message> (unsafe fix)`, followed by the fixed lines when the edits
/// can be shown.
fn fix_group<'a>(file: &'a FileDiagnostics, fix: &'a Fix) -> Group<'a> {
    let title = match fix.applicability {
        Applicability::Safe => format!("[*] {}", fix.message),
        Applicability::Unsafe => format!("{} (unsafe fix)", fix.message),
    };
    let group = Group::with_title(Level::HELP.secondary_title(title));
    match patches(file, &fix.edits) {
        Some((excerpt, patches)) => group.element(
            Snippet::source(excerpt.source)
                .line_start(excerpt.line)
                .path(excerpt.path)
                .patches(patches),
        ),
        None => group,
    }
}

/// The fix's edits as patches on the excerpt of the lines they touch, or `None`
/// when they cannot be drawn faithfully: no edits, or edits out of the text, off
/// character boundaries, or overlapping.
fn patches<'a>(
    file: &'a FileDiagnostics,
    edits: &'a [Edit],
) -> Option<(Excerpt<'a>, Vec<Patch<'a>>)> {
    let text = &*file.text;
    let mut edits: Vec<&Edit> = edits.iter().collect();
    edits.sort_by_key(|edit| edit.span);
    let valid = edits.iter().all(|edit| {
        edit.span.start <= edit.span.end
            && text.is_char_boundary(edit.span.start)
            && text.is_char_boundary(edit.span.end)
    }) && edits
        .windows(2)
        .all(|pair| pair[0].span.end <= pair[1].span.start);
    let covering = Span::new(edits.first()?.span.start, edits.last()?.span.end);
    let excerpt = excerpt(file, covering).filter(|_| valid)?;
    let offset = excerpt.offset?;
    let patches = edits
        .into_iter()
        .map(|edit| {
            let span = edit.span.start - offset..edit.span.end - offset;
            // A fix in a CRLF file inserts CRLF line breaks; shown raw, the `\r`
            // would be drawn as a visible control character.
            let content = if edit.content.contains("\r\n") {
                Cow::Owned(edit.content.replace("\r\n", "\n"))
            } else {
                Cow::Borrowed(edit.content.as_str())
            };
            Patch::new(span, content)
        })
        .collect();
    Some((excerpt, patches))
}

/// The whole lines a span touches, cut from the file so rendering costs the size
/// of the excerpt rather than of the file.
struct Excerpt<'a> {
    source: &'a str,
    /// 1-based number of the excerpt's first line.
    line: usize,
    /// Byte offset of the excerpt in the file; `None` for a notebook cell's text,
    /// which is decoded, so raw fix edits cannot be drawn on it.
    offset: Option<usize>,
    /// The span, relative to `source`.
    span: std::ops::Range<usize>,
    /// What the header names: the path, or `path:cell N` for a notebook cell.
    path: Cow<'a, str>,
}

impl Excerpt<'_> {
    /// 1-based number of the excerpt's last line.
    fn last_line(&self) -> usize {
        self.line + self.source.lines().count().max(1) - 1
    }
}

/// The excerpt for `span`, clamped into the text (an offset past the end points at
/// the end). `None` for an empty text, which has no line to show.
fn excerpt(file: &FileDiagnostics, span: Span) -> Option<Excerpt<'_>> {
    if let Some(cells) = &file.cells {
        if let Some(excerpt) = cell_excerpt(file, cells, span) {
            return Some(excerpt);
        }
    }
    let text = &*file.text;
    if text.is_empty() {
        return None;
    }
    let start = floor_char_boundary(text, span.start.min(text.len()));
    let end = floor_char_boundary(text, span.end.min(text.len())).max(start);
    let first_line = file.lines.line_of(start);
    // A span ending right after a line break ends on that line, not the next.
    let last_line = if end > start && text[..end].ends_with('\n') {
        file.lines.line_of(end - 1)
    } else {
        file.lines.line_of(end)
    };
    let from = file.lines.line_start(first_line);
    let to = if last_line + 1 < file.lines.line_count() {
        file.lines.line_start(last_line + 1)
    } else {
        text.len()
    };
    // The line break stays in: annotate-snippets drops `\n` and `\r\n` itself and
    // then counts a span on the break as one column past the line, as
    // `FileDiagnostics::position` does.
    Some(Excerpt {
        source: &text[from..to],
        line: first_line + 1,
        offset: Some(from),
        span: start - from..end - from,
        path: Cow::Borrowed(file.path.as_str()),
    })
}

/// For a notebook, the lines of the cell as Jupyter shows them (not the JSON),
/// headed `path:cell N` so the location reads like ruff's `nb.ipynb:cell 3:2:5`.
fn cell_excerpt<'a>(
    file: &'a FileDiagnostics,
    cells: &'a CellMap,
    span: Span,
) -> Option<Excerpt<'a>> {
    let (cell, local) = cells.cell_span(span)?;
    let text = cell.text.as_str();
    let lines = LineIndex::new(text);
    let start = floor_char_boundary(text, local.start.min(text.len()));
    let end = floor_char_boundary(text, local.end.min(text.len())).max(start);
    let first_line = lines.line_of(start);
    let last_line = if end > start && text[..end].ends_with('\n') {
        lines.line_of(end - 1)
    } else {
        lines.line_of(end)
    };
    let from = lines.line_start(first_line);
    let to = if last_line + 1 < lines.line_count() {
        lines.line_start(last_line + 1)
    } else {
        text.len()
    };
    Some(Excerpt {
        source: &text[from..to],
        line: first_line + 1,
        offset: None,
        span: start - from..end - from,
        path: Cow::Owned(format!("{}:cell {}", file.path, cell.number)),
    })
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
