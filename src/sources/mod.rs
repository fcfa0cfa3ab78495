//! Readers: each file kind is turned into [`Fact`]s here. Readers know formats and
//! nothing about policy.

pub mod notebook;
pub mod pip_command;
pub mod python;
pub mod requirements_txt;
pub mod yaml;

use crate::cells::CellMap;
use crate::facts::Fact;
use std::path::Path;
use std::sync::Arc;

/// The kinds of file mlrun-lint reads, recognised by name alone so that files of
/// no interest are never opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// Any `*.yaml` / `*.yml`: MLRun function, project and hub-item specs are
    /// recognised by content; other YAML yields nothing.
    Yaml,
    /// pip requirements and constraints files: `requirements*.txt`,
    /// `*requirements*.txt`, `constraints*.txt`, any `.txt` in a `requirements/`
    /// folder, and any file an include reaches. pip-tools' loose `*.in` sources are
    /// not read: the `.txt` compiled from them is what installs.
    Requirements,
    /// `*.py`: MLRun SDK calls, in files that import `mlrun`.
    Python,
    /// `*.ipynb`: Jupyter notebooks (code cells and `%pip` lines).
    Notebook,
}

impl FileKind {
    /// The kind of file at `path`, judged by its name.
    pub fn of(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            return Some(FileKind::Yaml);
        }
        if lower.ends_with(".py") {
            return Some(FileKind::Python);
        }
        if lower.ends_with(".ipynb") {
            return Some(FileKind::Notebook);
        }
        if let Some(stem) = lower.strip_suffix(".txt") {
            let in_requirements_folder = path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|folder| folder.eq_ignore_ascii_case("requirements"));
            if stem.contains("requirements")
                || stem.starts_with("constraints")
                || in_requirements_folder
            {
                return Some(FileKind::Requirements);
            }
        }
        None
    }
}

/// What reading one file gives: its facts, and for a notebook the map of its
/// cells, so positions can be shown per cell.
#[derive(Debug, Default)]
pub struct Read {
    pub facts: Vec<Fact>,
    pub cells: Option<Arc<CellMap>>,
}

/// Reads one file's text into facts.
pub fn read(kind: FileKind, path: &Path, text: &str) -> Read {
    let facts = match kind {
        FileKind::Yaml => yaml::read(path, text),
        FileKind::Requirements => requirements_txt::read(text),
        FileKind::Python => python::read(text),
        FileKind::Notebook => {
            let (facts, cells) = notebook::read(text);
            return Read {
                facts,
                cells: cells.map(Arc::new),
            };
        }
    };
    Read { facts, cells: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name() {
        let kind = |p: &str| FileKind::of(Path::new(p));
        assert_eq!(kind("a/function.yaml"), Some(FileKind::Yaml));
        assert_eq!(kind("x.YML"), Some(FileKind::Yaml));
        assert_eq!(kind("src/project_setup.py"), Some(FileKind::Python));
        assert_eq!(kind("Notebook.IPYNB"), Some(FileKind::Notebook));
        for name in [
            "requirements.txt",
            "requirements-dev.txt",
            "dev-requirements.txt",
            "constraints.txt",
            "requirements/base.txt",
            "Requirements.TXT",
        ] {
            assert_eq!(kind(name), Some(FileKind::Requirements), "{name}");
        }
        for name in ["notes.txt", "requirements.in", "LICENSE", "data/base.txt"] {
            assert_eq!(kind(name), None, "{name}");
        }
    }
}
