//! `--statistics`: how many findings each rule made, instead of the findings.
//!
//! Text, like ruff's: one tab-separated row per rule, most frequent first (then
//! by code), the count right-aligned, `[*]` when `--fix` can fix some of them:
//! `12<TAB>MLR201<TAB>[*] package-unpinned`, then ` 3<TAB>MLR101<TAB>[ ] mlrun-image-untagged`.
//!
//! With `--output-format json`, an array of `{"code", "name", "count", "fixable"}`
//! in the same order, `fixable` counting the findings `--fix` fixes. `concise`
//! prints the text table too; the formats made for tools (SARIF, JUnit, ...) are
//! refused on the command line: a table in their place would break the tool.

use super::{OutputFormat, Summary};
use crate::diagnostic::{Applicability, FileDiagnostics};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

#[derive(Serialize)]
struct Row {
    code: &'static str,
    name: &'static str,
    count: usize,
    fixable: usize,
}

/// The counts `--statistics` prints, gathered file by file as a run reports
/// them (so a large run never holds its findings to count them).
#[derive(Default)]
pub struct Statistics {
    rows: BTreeMap<&'static str, Row>,
    summary: Summary,
}

impl Statistics {
    /// Counts `file`'s diagnostics.
    pub fn add(&mut self, file: &FileDiagnostics) {
        for diagnostic in &file.diagnostics {
            let row = self.rows.entry(diagnostic.code).or_insert(Row {
                code: diagnostic.code,
                name: diagnostic.rule,
                count: 0,
                fixable: 0,
            });
            row.count += 1;
            let safe = diagnostic
                .fix
                .as_ref()
                .is_some_and(|fix| fix.applicability == Applicability::Safe);
            row.fixable += usize::from(safe);
            self.summary.count(diagnostic);
        }
    }

    /// The [`Summary`] of the diagnostics counted (for the exit code).
    pub fn summary(&self) -> Summary {
        self.summary
    }

    /// Writes the table (or JSON) of what was counted.
    pub fn write(self, format: OutputFormat, out: &mut dyn Write) -> io::Result<()> {
        render(self.rows, format, out)
    }
}

fn render(
    rows: BTreeMap<&'static str, Row>,
    format: OutputFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut rows: Vec<Row> = rows.into_values().collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    if format == OutputFormat::Json {
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        return writeln!(out);
    }
    let width = rows.first().map_or(1, |row| row.count.to_string().len());
    for row in &rows {
        let mark = if row.fixable > 0 { "[*]" } else { "[ ]" };
        writeln!(
            out,
            "{:>width$}\t{}\t{mark} {}",
            row.count, row.code, row.name
        )?;
    }
    Ok(())
}
