//! `sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! What GitHub rejects or mis-tracks, and how this avoids it:
//! - URIs are relative to the checked-out repository (`uriBaseId: %SRCROOT%`);
//!   an absolute path (a file outside the working directory) becomes a `file://`
//!   URI with no base rather than a wrong relative one.
//! - Regions are 1-based, with columns in Unicode code points as every format
//!   counts them (`columnKind: unicodeCodePoints`; SARIF's default is UTF-16).
//! - Every result has `partialFingerprints` from [`fingerprint`](super::fingerprint),
//!   which ignore line numbers, so an alert survives lines moving above it and two
//!   equal findings in one file are two alerts.
//! - Nothing is dropped: every diagnostic is a result, and a code the registry does
//!   not know still gets a rule entry so `ruleIndex` always points at its rule.
//!   Files that could not be parsed or read (MLR001, MLR003) are also reported as
//!   tool execution notifications, so a viewer shows that part of the input went
//!   unchecked even when the results are filtered or suppressed.

use super::json_array::JsonArray;
use super::spill::Spill;
use super::{fingerprint, fingerprints, Located};
use crate::diagnostic::{Applicability, Diagnostic, FileDiagnostics, Severity};
use crate::rules::{self, Rule};
use crate::span::LineColumn;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The project's home page. Rule pages are `{HOME}/blob/main/rules/{CODE}-{name}.md`,
/// the files `mlrun-lint rule CODE` prints; this is the one place naming the host.
const HOME: &str = "https://github.com/mlrun-lint/mlrun-lint";

/// The schema the output is valid against (its own `$id`).
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Codes meaning "part of the input was not analysed", reported as notifications too.
const NOT_ANALYSED: &[&str] = &["MLR001", "MLR003"];

/// The URL of a rule's page in the repository (also the language server's
/// `codeDescription.href`).
pub(crate) fn rule_page_url(code: &str, name: &str) -> String {
    format!("{HOME}/blob/main/rules/{code}-{name}.md")
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    /// Always empty here: the results are streamed into its place.
    results: [SarifResult<'a>; 0],
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<RuleDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor {
    id: &'static str,
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Help>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    enabled: bool,
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    associated_rule: RuleReference,
}

#[derive(Serialize)]
struct RuleReference {
    id: &'static str,
    index: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    /// The notebook cell, for readers that show cells; the region stays on lines
    /// of the JSON file, which is what viewers open.
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<CellProperty>,
}

#[derive(Serialize)]
struct CellProperty {
    cell: usize,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Text,
    artifact_changes: [ArtifactChange<'a>; 1],
    properties: FixProperties,
}

/// `--fix` applies only safe fixes; a viewer offering the fix should know which.
#[derive(Serialize)]
struct FixProperties {
    applicability: Applicability,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: InsertedContent<'a>,
}

#[derive(Serialize)]
struct InsertedContent<'a> {
    text: &'a str,
}

/// A SARIF log under way. The run lists its notifications (and any rule the
/// registry lacks) before its results, so results wait in a [`Spill`], already
/// written as the elements of the `results` array, until the last file is in.
pub(super) struct Pending {
    results: Spill,
    array: JsonArray,
    notifications: Vec<Notification>,
    /// Codes the registry lacks, in the order they first appear, each with its
    /// rule entry (indexes follow the registry's).
    unknown: Vec<RuleDescriptor>,
}

/// The nesting of the `results` array: log, `runs`, the run, then the array.
const RESULTS_LEVEL: usize = 3;

impl Pending {
    pub(super) fn new() -> Self {
        Self {
            results: Spill::temporary(),
            array: JsonArray::at_level(RESULTS_LEVEL),
            notifications: Vec::new(),
            unknown: Vec::new(),
        }
    }

    /// Adds a result per diagnostic (and a notification for each file part that
    /// went unanalysed).
    pub(super) fn write(&mut self, diagnostics: &[Located<'_>]) -> io::Result<()> {
        for (located, fingerprint) in diagnostics.iter().zip(fingerprints(diagnostics)) {
            let diagnostic = located.diagnostic;
            let rule_index = self.rule_index(diagnostic);
            let artifact = artifact_location(&located.file.path);
            let location = Location {
                physical_location: PhysicalLocation {
                    artifact_location: artifact.clone(),
                    region: {
                        let (start, end) = located.raw_range();
                        region(start, end)
                    },
                },
            };
            if NOT_ANALYSED.contains(&diagnostic.code) {
                self.notifications.push(Notification {
                    level: level(diagnostic.severity),
                    message: Text {
                        text: format!("{}: {}", located.file.path, diagnostic.message),
                    },
                    locations: [location.clone()],
                    associated_rule: RuleReference {
                        id: diagnostic.code,
                        index: rule_index,
                    },
                });
            }
            let result = SarifResult {
                rule_id: diagnostic.code,
                rule_index,
                level: level(diagnostic.severity),
                message: Text {
                    text: message(diagnostic),
                },
                locations: [location],
                partial_fingerprints: BTreeMap::from([(fingerprint::SARIF_KEY, fingerprint)]),
                fixes: fix(located.file, diagnostic, artifact)
                    .into_iter()
                    .collect(),
                properties: located.cell.map(|cell| CellProperty { cell }),
            };
            self.array.element(&result, &mut self.results)?;
        }
        Ok(())
    }

    /// Where `diagnostic`'s rule is in the run's rule table: the registry's every
    /// rule, then the codes it lacks, with what the diagnostic says of them.
    fn rule_index(&mut self, diagnostic: &Diagnostic) -> usize {
        if let Some(index) = rules::ALL
            .iter()
            .position(|rule| rule.code == diagnostic.code)
        {
            return index;
        }
        let unknown = match self
            .unknown
            .iter()
            .position(|rule| rule.id == diagnostic.code)
        {
            Some(index) => index,
            None => {
                self.unknown.push(RuleDescriptor {
                    id: diagnostic.code,
                    name: diagnostic.rule,
                    short_description: None,
                    full_description: None,
                    help: None,
                    help_uri: None,
                    default_configuration: Configuration {
                        enabled: true,
                        level: level(diagnostic.severity),
                    },
                });
                self.unknown.len() - 1
            }
        };
        rules::ALL.len() + unknown
    }

    /// Writes the whole log: the run's tool and invocation, then its results.
    pub(super) fn finish(self, out: &mut dyn Write) -> io::Result<()> {
        let mut rules: Vec<RuleDescriptor> =
            rules::ALL.iter().map(|rule| descriptor(rule)).collect();
        rules.extend(self.unknown);
        let log = Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: [Run {
                tool: Tool {
                    driver: Driver {
                        name: "mlrun-lint",
                        version: env!("CARGO_PKG_VERSION"),
                        information_uri: HOME,
                        rules,
                    },
                },
                invocations: [Invocation {
                    execution_successful: true,
                    tool_execution_notifications: self.notifications,
                }],
                column_kind: "unicodeCodePoints",
                results: [],
            }],
        };
        // `results` is the run's last member, so the log's last `[]` is its
        // place: the streamed array goes there.
        let envelope = serde_json::to_vec_pretty(&log)?;
        let at = envelope
            .windows(2)
            .rposition(|pair| pair == b"[]")
            .ok_or_else(|| io::Error::other("the SARIF envelope has no results array"))?;
        out.write_all(&envelope[..at])?;
        let mut results = Vec::new();
        self.array.close(&mut results)?;
        if results == b"[]" {
            out.write_all(b"[]")?;
        } else {
            // The spill holds the array up to its last element; its end follows.
            self.results.copy_to(out)?;
            out.write_all(&results)?;
        }
        out.write_all(&envelope[at + 2..])?;
        writeln!(out)
    }
}

fn descriptor(rule: &Rule) -> RuleDescriptor {
    RuleDescriptor {
        id: rule.code,
        name: rule.name,
        short_description: Some(Text {
            text: rule.summary.to_string(),
        }),
        full_description: Some(Text {
            text: first_paragraph(rule.page).unwrap_or_else(|| rule.summary.to_string()),
        }),
        help: Some(Help {
            text: rule.page,
            markdown: rule.page,
        }),
        help_uri: Some(rule_page_url(rule.code, rule.name)),
        default_configuration: Configuration {
            enabled: rule.enabled_by_default,
            level: level(rule.severity),
        },
    }
}

/// The first paragraph of a rule page's "What it flags" section, on one line.
fn first_paragraph(page: &str) -> Option<String> {
    let paragraph: Vec<&str> = page
        .lines()
        .map(str::trim)
        .skip_while(|line| *line != "## What it flags")
        .skip_while(|line| line.is_empty() || line.starts_with('#'))
        .take_while(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    (!paragraph.is_empty()).then(|| paragraph.join(" "))
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The message, with the diagnostic's own help after it: a result has no help
/// field of its own, and the rule's help is generic.
fn message(diagnostic: &Diagnostic) -> String {
    match &diagnostic.help {
        Some(help) => format!("{}\nHelp: {help}", diagnostic.message),
        None => diagnostic.message.clone(),
    }
}

/// A region from 1-based positions; a reversed span (a rule bug) becomes empty
/// at its start rather than a region viewers reject.
fn region(start: LineColumn, end: LineColumn) -> Region {
    let end = end.max(start);
    Region {
        start_line: start.line.max(1),
        start_column: start.column.max(1),
        end_line: end.line.max(1),
        end_column: end.column.max(1),
    }
}

/// A reported path as an artifact location: relative paths (the usual case, from
/// the repository root in CI) against `%SRCROOT%`, absolute ones as `file://` URIs.
fn artifact_location(path: &str) -> ArtifactLocation {
    match path.strip_prefix('/') {
        Some(absolute) => ArtifactLocation {
            uri: format!("file:///{}", encode_path(absolute)),
            uri_base_id: None,
        },
        None => ArtifactLocation {
            uri: encode_path(path),
            uri_base_id: Some("%SRCROOT%"),
        },
    }
}

/// Percent-encodes a `/`-separated path for a URI: everything but unreserved
/// characters, `/` and a few harmless sub-delimiters. `:` is encoded too, or a
/// first segment like `a:b` would read as a URI scheme.
fn encode_path(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b'@' => encoded.push(char::from(byte)),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

fn fix<'a>(
    file: &FileDiagnostics,
    diagnostic: &'a Diagnostic,
    artifact: ArtifactLocation,
) -> Option<SarifFix<'a>> {
    let fix = diagnostic.fix.as_ref()?;
    Some(SarifFix {
        description: Text {
            text: fix.message.clone(),
        },
        artifact_changes: [ArtifactChange {
            artifact_location: artifact,
            replacements: fix
                .edits
                .iter()
                .map(|edit| Replacement {
                    deleted_region: region(
                        file.raw_position(edit.span.start),
                        file.raw_position(edit.span.end),
                    ),
                    inserted_content: InsertedContent {
                        text: &edit.content,
                    },
                })
                .collect(),
        }],
        properties: FixProperties {
            applicability: fix.applicability,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uris() {
        let relative = artifact_location("a b/ü:x%.yaml");
        assert_eq!(relative.uri, "a%20b/%C3%BC%3Ax%25.yaml");
        assert_eq!(relative.uri_base_id, Some("%SRCROOT%"));
        let absolute = artifact_location("/elsewhere/x.yaml");
        assert_eq!(absolute.uri, "file:///elsewhere/x.yaml");
        assert_eq!(absolute.uri_base_id, None);
    }

    #[test]
    fn full_description_is_the_page_s_first_paragraph() {
        let page = "# MLR101 x\n\nDefault severity: error\n\n## What it flags\nFlags an\nuntagged image.\n\nMore.\n";
        assert_eq!(
            first_paragraph(page).as_deref(),
            Some("Flags an untagged image.")
        );
        assert_eq!(first_paragraph("# MLR101 x\n"), None);
    }
}
