//! Baselines: `--write-baseline FILE` records today's findings, `--baseline FILE`
//! reports only findings not in it, so a project can adopt mlrun-lint and fail CI
//! only on new problems.
//!
//! Entries are keyed by (path, code, fingerprint), never by line: the
//! [fingerprint](crate::report::fingerprint) hashes the normalised offending text
//! and its occurrence index, so findings keep their identity when lines move
//! (checkov#7647 shows what a key without the path absorbs). Paths are as reported,
//! relative to the working directory: run from the same folder (the repository
//! root) when writing and using a baseline.
//!
//! The file is JSON, sorted, one entry per finding, so it diffs well under review:
//!
//! ```json
//! {"version": 1, "tool": "mlrun-lint", "findings": [
//!   {"path": "fn/function.yaml", "code": "MLR101", "fingerprint": "f73feb5dfbe7cf18",
//!    "message": "..."}]}
//! ```

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

/// The format version written and understood.
pub const VERSION: u32 = 1;
const TOOL: &str = "mlrun-lint";

/// One accepted finding. `message` is for people reading the file; it is not part
/// of the key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub code: String,
    pub fingerprint: String,
    pub message: String,
}

#[derive(Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    tool: String,
    findings: Vec<Entry>,
}

/// A loaded baseline: the keys of the accepted findings.
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    keys: HashSet<(String, String, String)>,
}

impl Baseline {
    /// Reads a baseline. A missing or malformed file is an error (with the line and
    /// column of malformed JSON): a CI job must not pass because its baseline broke.
    pub fn load(path: &Path) -> Result<Self, String> {
        let shown = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|err| format!("{shown}: cannot read the baseline: {err}"))?;
        let file: BaselineFile = serde_json::from_str(&text).map_err(|err| {
            format!(
                "{shown}:{}:{}: not a mlrun-lint baseline: {}",
                err.line(),
                err.column(),
                strip_position(&err.to_string())
            )
        })?;
        if file.tool != TOOL || file.version != VERSION {
            return Err(format!(
                "{shown}: a baseline of {} version {}; this mlrun-lint reads {TOOL} version {VERSION}",
                file.tool, file.version
            ));
        }
        Ok(Self::from_entries(&file.findings))
    }

    pub fn from_entries(entries: &[Entry]) -> Self {
        Self {
            keys: entries
                .iter()
                .map(|e| (e.path.clone(), e.code.clone(), e.fingerprint.clone()))
                .collect(),
        }
    }

    /// Whether the finding is accepted.
    pub fn contains(&self, path: &str, code: &str, fingerprint: &str) -> bool {
        // A tuple of borrowed strings cannot look up owned ones; baselines are
        // small next to the cost of checking, so allocate.
        self.keys
            .contains(&(path.to_string(), code.to_string(), fingerprint.to_string()))
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Writes `entries`, sorted, to `path` atomically: to a temporary file in the same
/// folder, then renamed over it, so an interrupted run never leaves half a baseline.
pub fn write(path: &Path, mut entries: Vec<Entry>) -> Result<(), String> {
    entries.sort();
    entries.dedup();
    let file = BaselineFile {
        version: VERSION,
        tool: TOOL.into(),
        findings: entries,
    };
    let mut json = serde_json::to_string_pretty(&file).map_err(|err| err.to_string())?;
    json.push('\n');
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let name = path.file_name().map_or_else(
        || "baseline".into(),
        |name| name.to_string_lossy().into_owned(),
    );
    let temporary = folder.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temporary)
        .and_then(|mut file| {
            file.write_all(json.as_bytes())?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    written.map_err(|err| {
        let _ = std::fs::remove_file(&temporary);
        format!("{}: cannot write the baseline: {err}", path.display())
    })
}

/// serde_json ends its messages with " at line L column C", which the caller
/// already puts in front.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |at| &message[..at])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, code: &str, fingerprint: &str) -> Entry {
        Entry {
            path: path.into(),
            code: code.into(),
            fingerprint: fingerprint.into(),
            message: "m".into(),
        }
    }

    #[test]
    fn round_trip_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        write(
            &path,
            vec![
                entry("b.yaml", "MLR101", "2"),
                entry("a.yaml", "MLR201", "1"),
            ],
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.find("a.yaml") < text.find("b.yaml"));
        assert!(text.starts_with("{\n  \"version\": 1,\n  \"tool\": \"mlrun-lint\""));
        let loaded = Baseline::load(&path).unwrap();
        assert_eq!(loaded.len(), 2);
        assert!(loaded.contains("a.yaml", "MLR201", "1"));
        assert!(!loaded.contains("a.yaml", "MLR101", "1"));
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn broken_baselines_are_errors_with_positions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.json");
        let missing = Baseline::load(&path).unwrap_err();
        assert!(missing.contains("cannot read the baseline"), "{missing}");
        std::fs::write(
            &path,
            "{\"version\": 1,\n  \"tool\": \"mlrun-lint\",\n  \"findings\": [}\n",
        )
        .unwrap();
        let err = Baseline::load(&path).unwrap_err();
        assert_eq!(
            err,
            format!(
                "{}:3:16: not a mlrun-lint baseline: expected value",
                path.display()
            )
        );
        std::fs::write(
            &path,
            "{\"version\": 2, \"tool\": \"mlrun-lint\", \"findings\": []}",
        )
        .unwrap();
        assert!(Baseline::load(&path).unwrap_err().contains("version 2"));
    }
}
