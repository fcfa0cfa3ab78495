//! Readers: each file kind is turned into [`Fact`]s here. Readers know formats and
//! nothing about policy.

pub mod conda;
pub mod dockerfile;
pub mod env_file;
pub mod environment;
pub mod lock;
pub mod notebook;
pub mod pip_command;
pub mod python;
pub mod requirements_txt;
pub mod shell;
pub mod yaml;

use crate::cells::CellMap;
use crate::facts::Fact;
use std::path::Path;
use std::sync::Arc;

/// The kinds of file mlrun-lint reads, recognised by name alone so that files of
/// no interest are never opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum FileKind {
    /// Any `*.yaml` / `*.yml`: MLRun function, project and hub-item specs are
    /// recognised by content; other YAML yields nothing.
    Yaml,
    /// pip requirements and constraints files: `requirements*.txt`,
    /// `*requirements*.txt`, `constraints*.txt`, any `.txt` in a `requirements/`
    /// folder, and any file an include reaches. pip-tools' loose `*.in` sources are
    /// not read: the `.txt` compiled from them is what installs.
    Requirements,
    /// Lock files: `uv.lock`, `poetry.lock`, `Pipfile.lock`, `pylock.toml` and
    /// `pylock.NAME.toml` (see [`lock::LockFormat`]).
    Lock,
    /// Dockerfiles: `Dockerfile`, `Containerfile`, `Dockerfile.<variant>`,
    /// `<name>.Dockerfile` (any case), but not their documentation or
    /// per-Dockerfile ignore files (`Dockerfile.md`, `x.Dockerfile.dockerignore`).
    Dockerfile,
    /// Conda environment files (`environment.yml`, `environment.yaml`): read for
    /// their `dependencies` rather than as MLRun specs, so they come before `Yaml`.
    CondaEnvironment,
    /// `*.py`: MLRun SDK calls, in files that import `mlrun`.
    Python,
    /// `*.ipynb`: Jupyter notebooks (code cells and `%pip` lines).
    Notebook,
    /// Shell scripts (`*.sh`, `*.bash`): their `mlrun build` / `mlrun run` lines.
    Shell,
    /// Environment files (`.env`, `*.env`, such as MLRun's own `~/.mlrun.env`):
    /// the MLRun configuration variables that name images.
    EnvFile,
}

impl FileKind {
    /// Whether files of this kind can change how *other* files are judged (a
    /// project's default image, a client pin), so they are read as context when
    /// only some files are checked.
    pub fn shapes_scope(self) -> bool {
        matches!(self, FileKind::Yaml | FileKind::Requirements)
    }

    /// The kind of file at `path`, judged by its name.
    pub fn of(path: &Path) -> Option<Self> {
        // A name that is not UTF-8 is judged by its readable part: `caf\xe9.yaml`
        // is still YAML, and skipping it would be silent.
        let name = path.file_name()?.to_string_lossy();
        let lower = name.to_ascii_lowercase();
        if lock::LockFormat::of(path).is_some() {
            return Some(FileKind::Lock);
        }
        if is_dockerfile(&lower) {
            return Some(FileKind::Dockerfile);
        }
        if lower == "environment.yml" || lower == "environment.yaml" {
            return Some(FileKind::CondaEnvironment);
        }
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            return Some(FileKind::Yaml);
        }
        if lower.ends_with(".py") {
            return Some(FileKind::Python);
        }
        if lower.ends_with(".ipynb") {
            return Some(FileKind::Notebook);
        }
        if lower.ends_with(".sh") || lower.ends_with(".bash") {
            return Some(FileKind::Shell);
        }
        if lower == ".env" || lower.ends_with(".env") {
            return Some(FileKind::EnvFile);
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

/// Extensions that mark a file *about* a Dockerfile, not a Dockerfile.
const NOT_DOCKERFILE_EXTENSIONS: &[&str] = &["md", "rst", "adoc", "dockerignore"];

/// `name` (lowercased) is a Dockerfile or Containerfile by name.
fn is_dockerfile(name: &str) -> bool {
    let extension = name.rsplit_once('.').map(|(_, e)| e);
    if extension.is_some_and(|e| NOT_DOCKERFILE_EXTENSIONS.contains(&e)) {
        return false;
    }
    ["dockerfile", "containerfile"].iter().any(|stem| {
        name == *stem
            || name.starts_with(&format!("{stem}."))
            || name.ends_with(&format!(".{stem}"))
    })
}

/// What reading one file gives: its facts, for a notebook the map of its cells
/// (so positions can be shown per cell), and for Python code what it offers and
/// takes from the project's other modules.
#[derive(Debug, Default)]
pub struct Read {
    pub facts: Vec<Fact>,
    pub cells: Option<Arc<CellMap>>,
    pub interface: python::Interface,
}

/// Reads one file's text into facts.
pub fn read(kind: FileKind, path: &Path, text: &str) -> Read {
    read_linked(kind, path, text, &python::Linked::default())
}

/// [`read`], with what the project's other Python modules give a Python file or
/// notebook (their wrappers of the SDK, its functions they call).
pub fn read_linked(kind: FileKind, path: &Path, text: &str, linked: &python::Linked) -> Read {
    let facts = match kind {
        FileKind::Yaml => yaml::read(path, text),
        FileKind::Requirements => requirements_txt::read(text),
        FileKind::Lock => lock::read(path, text),
        FileKind::Dockerfile => dockerfile::read(text),
        FileKind::CondaEnvironment => conda::read(text),
        FileKind::Shell => shell::read(text),
        FileKind::EnvFile => env_file::read(text),
        FileKind::Python => {
            let (facts, interface) = python::read_linked(text, linked);
            return Read {
                facts,
                cells: None,
                interface,
            };
        }
        FileKind::Notebook => {
            let (facts, cells, interface) = notebook::read_linked(text, linked);
            return Read {
                facts,
                cells: cells.map(Arc::new),
                interface,
            };
        }
    };
    Read {
        facts,
        cells: None,
        interface: python::Interface::default(),
    }
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
        for name in [
            "uv.lock",
            "poetry.lock",
            "Pipfile.lock",
            "pylock.toml",
            "pylock.prod.toml",
            "sub/dir/uv.lock",
        ] {
            assert_eq!(kind(name), Some(FileKind::Lock), "{name}");
        }
        for name in ["notes.txt", "requirements.in", "LICENSE", "data/base.txt"] {
            assert_eq!(kind(name), None, "{name}");
        }
        for name in [
            "Dockerfile",
            "docker/Dockerfile.gpu",
            "tests/Dockerfile.test-nb",
            "gpu/prebaked.Dockerfile",
            "app.dockerfile",
            "Containerfile",
            "Containerfile.dev",
            "DOCKERFILE",
        ] {
            assert_eq!(kind(name), Some(FileKind::Dockerfile), "{name}");
        }
        for name in [
            "Dockerfile.md",
            ".dockerignore",
            "Dockerfile.dockerignore",
            "app.Dockerfile.dockerignore",
            "dockerfiles",
            "mydockerfile",
        ] {
            assert_eq!(kind(name), None, "{name}");
        }
        assert_eq!(kind("environment.yml"), Some(FileKind::CondaEnvironment));
        assert_eq!(
            kind("env/Environment.YAML"),
            Some(FileKind::CondaEnvironment)
        );
        assert_eq!(kind("environment-dev.yml"), Some(FileKind::Yaml));
        for name in ["deploy.sh", "ci/Build.SH", "run.bash"] {
            assert_eq!(kind(name), Some(FileKind::Shell), "{name}");
        }
        for name in [".env", "prod.env", ".mlrun.env", "config/MLRUN.ENV"] {
            assert_eq!(kind(name), Some(FileKind::EnvFile), "{name}");
        }
        for name in [".envrc", "env", ".env.example", "setup.shx"] {
            assert_eq!(kind(name), None, "{name}");
        }
    }
}
