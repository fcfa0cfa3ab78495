//! Readers: each file kind is turned into [`Fact`]s here. Readers know formats and
//! nothing about policy.

pub mod pip_command;
pub mod requirements_txt;
pub mod yaml;

use crate::facts::Fact;
use std::path::Path;

/// The kinds of file mlrun-lint reads, recognised by name alone so that files of
/// no interest are never opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// Any `*.yaml` / `*.yml`: MLRun function, project and hub-item specs are
    /// recognised by content; other YAML yields nothing.
    Yaml,
}

impl FileKind {
    /// The kind of file at `path`, judged by its name.
    pub fn of(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            return Some(FileKind::Yaml);
        }
        None
    }
}

/// Reads one file's text into facts.
pub fn read(kind: FileKind, path: &Path, text: &str) -> Vec<Fact> {
    match kind {
        FileKind::Yaml => yaml::read(path, text),
    }
}
