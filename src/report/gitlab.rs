//! `gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`), a
//! JSON array of issues with the fields GitLab requires: `description`,
//! `check_name`, `fingerprint`, `severity` and `location.path` with
//! `location.positions.begin.line` (GitLab also accepts `lines.begin`; positions
//! carry the columns too).
//!
//! GitLab compares the base and head reports of a merge request by fingerprint, so
//! the fingerprint is the stable one (see [`fingerprint`](super::fingerprint)):
//! a finding that only moved is not shown as fixed and new again, and two equal
//! findings in one file stay two issues.

use super::json_array::JsonArray;
use super::{fingerprints, Located};
use crate::diagnostic::Severity;
use crate::span::LineColumn;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    positions: Positions,
}

#[derive(Serialize)]
struct Positions {
    begin: LineColumn,
    end: LineColumn,
}

/// Writes each diagnostic as the array's next issue.
pub(super) fn render(
    diagnostics: &[Located<'_>],
    array: &mut JsonArray,
    out: &mut dyn Write,
) -> io::Result<()> {
    let issues = diagnostics
        .iter()
        .zip(fingerprints(diagnostics))
        .map(|(located, fingerprint)| {
            let diagnostic = located.diagnostic;
            Issue {
                description: format!("{} {}", diagnostic.code, diagnostic.message),
                check_name: diagnostic.code,
                fingerprint,
                severity: severity(diagnostic.severity),
                location: Location {
                    path: &located.file.path,
                    positions: Positions {
                        begin: located.raw_range().0,
                        end: located.raw_range().1,
                    },
                },
            }
        });
    for issue in issues {
        array.element(&issue, out)?;
    }
    Ok(())
}

/// GitLab's scale is info, minor, major, critical, blocker. Errors are `major`
/// rather than `critical`: an unpinned image is a reproducibility risk, and
/// `critical`/`blocker` are left for what a team adds on top.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}
