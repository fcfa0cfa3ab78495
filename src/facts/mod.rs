//! Facts: what the readers found, with no trace of the file format they came from.
//!
//! A reader turns a file into facts (an image reference, a package requirement, a
//! function-hub reference, a function declaration, a declared client version, or a
//! problem reading the file). Rules judge facts and never look at a file format;
//! readers know formats and never judge. That split is what lets a new file kind get
//! every rule for free, and a new rule apply to every file kind.

pub mod hub_ref;
pub mod image_ref;
pub mod parked;
pub mod requirement;

use crate::span::Span;
pub use hub_ref::HubRef;
pub use image_ref::ImageRef;
pub use requirement::{IncludeBase, IncludeFact, IncludeKind, IndexFact, IndexOption, PackageFact};

/// Where a fact stands in its file, in the terms a user recognises.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Origin {
    /// The bytes of the value as written (quotes included when it is quoted).
    pub span: Span,
    /// The bytes whose text is exactly the value, when there are such bytes
    /// (a plain or simply quoted scalar, a string literal without escapes). Fixes
    /// edit only inside this span; without it no fix is offered.
    pub edit_span: Option<Span>,
    /// The field or construct the value came from (`spec.image`, `spec.functions[2].image`).
    pub field: String,
    /// The name of the MLRun function the fact belongs to, when known.
    pub function: Option<String>,
}

impl Origin {
    pub fn new(span: Span, edit_span: Option<Span>, field: impl Into<String>) -> Self {
        Self {
            span,
            edit_span,
            field: field.into(),
            function: None,
        }
    }

    pub fn with_function(mut self, function: Option<String>) -> Self {
        self.function = function;
        self
    }

    /// The same origin with its spans moved right by `offset` bytes.
    pub fn shifted(mut self, offset: usize) -> Self {
        self.span = self.span.shifted(offset);
        self.edit_span = self.edit_span.map(|s| s.shifted(offset));
        self
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Fact {
    Image(ImageFact),
    Package(PackageFact),
    HubRef(HubRefFact),
    Function(FunctionFact),
    ClientVersion(ClientVersionFact),
    /// A `-r`/`-c` reference to another requirements file.
    Include(IncludeFact),
    Build(BuildFact),
    /// A pip option naming where packages come from (`--index-url`, `--trusted-host`).
    PackageIndex(IndexFact),
    /// A version a lock file or an installed environment records for a package.
    LockedVersion(LockedVersionFact),
    Problem(Problem),
}

impl Fact {
    pub fn origin(&self) -> &Origin {
        match self {
            Fact::Image(f) => &f.origin,
            Fact::Package(f) => &f.origin,
            Fact::HubRef(f) => &f.origin,
            Fact::Function(f) => &f.origin,
            Fact::ClientVersion(f) => &f.origin,
            Fact::Include(f) => &f.origin,
            Fact::Build(f) => &f.origin,
            Fact::PackageIndex(f) => &f.origin,
            Fact::LockedVersion(f) => &f.origin,
            Fact::Problem(f) => &f.origin,
        }
    }

    /// The same fact with every span moved right by `offset` bytes: readers of an
    /// embedded text (a build command inside a YAML string) report spans relative to
    /// that text, and the caller moves them to where the text starts in the file.
    pub fn shifted(mut self, offset: usize) -> Self {
        if let Fact::Package(package) = self {
            return Fact::Package(package.shifted(offset));
        }
        let origin = self.origin_mut();
        *origin = origin.clone().shifted(offset);
        self
    }

    /// The origin, to change: readers of embedded text relabel the facts another
    /// reader produced (the YAML field they came from, their function).
    pub fn origin_mut(&mut self) -> &mut Origin {
        match self {
            Fact::Image(f) => &mut f.origin,
            Fact::Package(f) => &mut f.origin,
            Fact::HubRef(f) => &mut f.origin,
            Fact::Function(f) => &mut f.origin,
            Fact::ClientVersion(f) => &mut f.origin,
            Fact::Include(f) => &mut f.origin,
            Fact::Build(f) => &mut f.origin,
            Fact::PackageIndex(f) => &mut f.origin,
            Fact::LockedVersion(f) => &mut f.origin,
            Fact::Problem(f) => &mut f.origin,
        }
    }
}

/// An image reference in a field that names a container image.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImageFact {
    pub origin: Origin,
    pub role: ImageRole,
    pub value: ImageValue,
    /// Pulled exactly as written by a container build (a Dockerfile `FROM`), not
    /// resolved by MLRun: no client version fills in a missing tag.
    pub pulled_as_written: bool,
}

/// What the image is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ImageRole {
    /// The image a function runs on (`spec.image`, a project entry's `image`).
    Run,
    /// The base image of a build (`spec.build.base_image`, nuclio `baseImage`, Dockerfile `FROM`).
    BuildBase,
    /// The image a build produces (`spec.build.image`).
    BuildTarget,
    /// A project's `default_image`, used by its functions that name none.
    ProjectDefault,
    /// Any other image a function starts (sidecars, KFP steps, workflow runners).
    Auxiliary,
    /// The base image a build uses because none is named (`project.build_image()`
    /// builds on `mlconf.default_base_image`): not written anywhere, so the fact is
    /// at the call and there is nothing to edit.
    DefaultBuildBase,
    /// The image a build produces because none is named: for an untagged
    /// function, `.mlrun/func-<project>-<name>:latest`. Not written anywhere.
    DefaultBuildTarget,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ImageValue {
    /// A literal reference, judged as written.
    Literal(ImageRef),
    /// A reference that is only known when something runs: a variable, an f-string,
    /// a `{placeholder}` or `${VAR}` in the text, a Dockerfile `ARG` with no default.
    Unverifiable {
        /// The text as written (or the expression's source).
        text: String,
        /// What makes it unknowable, in a few words ("a Python variable").
        reason: String,
    },
    /// An MLRun image whose tag is the running client's version
    /// (`f"mlrun/mlrun:{mlrun.__version__}"`): what MLRun itself fills an untagged
    /// image with, so judged as one. `image` is the reference without that tag.
    FollowsClient {
        image: ImageRef,
        /// The expression as written.
        text: String,
    },
}

impl ImageFact {
    /// The fact for a string value written in a file, or `None` when the string is
    /// empty (an empty image field names no image: see [`FunctionFact`]).
    /// `${VAR}`, `$VAR` and `{placeholder}` in the text make it unverifiable.
    pub fn from_text(text: &str, role: ImageRole, origin: Origin) -> Option<Self> {
        let value = match template_marker(text) {
            Some(reason) => ImageValue::Unverifiable {
                text: text.trim().to_string(),
                reason: reason.to_string(),
            },
            None => ImageValue::Literal(ImageRef::parse(text)?),
        };
        Some(Self {
            origin,
            role,
            value,
            pulled_as_written: false,
        })
    }
}

/// Why a string is a template rather than a literal, if it is one.
pub fn template_marker(text: &str) -> Option<&'static str> {
    if text.contains("${") || text.contains("$(") {
        Some("a `${...}` variable")
    } else if text
        .split('$')
        .skip(1)
        .any(|rest| rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
    {
        Some("a `$VARIABLE`")
    } else if let Some(open) = text.find('{') {
        text[open..].contains('}').then_some("a `{placeholder}`")
    } else {
        None
    }
}

/// A reference to a function in the MLRun function hub (`hub://name[:tag]`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HubRefFact {
    pub origin: Origin,
    pub reference: HubRef,
}

/// An image build MLRun runs for a function: its base image and whether the build
/// installs the `mlrun` package itself (`spec.build.with_mlrun`). Judged with the
/// function's requirements by MLR207.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BuildFact {
    pub origin: Origin,
    /// `with_mlrun` as written; `None` when the build leaves it to MLRun, which
    /// turns it on for a base image that is not MLRun's.
    pub with_mlrun: Option<bool>,
    /// The base image as written, when the build names one.
    pub base_image: Option<String>,
    /// The build installs `mlrun` its own way, so MLRun's builder adds no
    /// `mlrun[complete]==<client>`: a build command matching the builder's
    /// `.*pip install .*mlrun.*`, or an `mlrun_version_specifier`.
    pub installs_mlrun: bool,
    /// The build's image becomes the project's default image
    /// (`project.build_image(set_as_default=True)`, its default).
    pub sets_project_default: bool,
}

impl BuildFact {
    /// Whether a build command installs `mlrun` as MLRun's builder sees it: its
    /// test is the regular expression `.*pip install .*mlrun.*` on each command.
    pub fn command_installs_mlrun(command: &str) -> bool {
        command.lines().any(|line| {
            line.find("pip install ")
                .is_some_and(|at| line[at + "pip install ".len()..].contains("mlrun"))
        })
    }
}

/// A declared MLRun function, with whether the declaration names any image for it.
/// Judged by MLR107: a function with no image runs on its kind's default MLRun
/// image, tagged from whichever client submits it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FunctionFact {
    pub origin: Origin,
    pub kind: Option<String>,
    /// Whether the declaration names a run image, a build base image or a build target.
    pub names_image: bool,
}

/// An MLRun client version declared by the file itself (a hub item's `mlrunVersion`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClientVersionFact {
    pub origin: Origin,
    pub version: String,
}

/// A version a lock file (`uv.lock`, `poetry.lock`, `Pipfile.lock`, `pylock.toml`)
/// records for a package: what an install from that lock puts in place, so a rule can
/// tell a loose requirement that a lock pins from one nothing pins. The origin points
/// at the version value in the lock.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LockedVersionFact {
    pub origin: Origin,
    /// The package name, PEP 503 normalised (`Foo_Bar` → `foo-bar`), for comparing.
    pub name: String,
    /// The version as recorded, without an operator (`2.31.0`, not `==2.31.0`).
    pub version: String,
}

/// A reason a file, or a part of it, could not be read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    pub origin: Origin,
    pub kind: ProblemKind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ProblemKind {
    /// The file (or a line of it) is not valid in its format.
    Parse,
    /// An include (`-r`, `-c`, `requirements_file`) names a missing file.
    IncludeNotFound,
    /// The file was not checked at all (too large, not UTF-8, unreadable, too deep).
    Skipped,
    /// The reader panicked on the file (a bug in mlrun-lint or a parser it uses):
    /// caught by the engine's guard, reported as MLR001.
    ReaderFailed,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_recognised() {
        assert_eq!(
            template_marker("mlrun/mlrun:{version}"),
            Some("a `{placeholder}`")
        );
        assert_eq!(template_marker("${IMAGE}"), Some("a `${...}` variable"));
        assert_eq!(template_marker("repo/app:$TAG"), Some("a `$VARIABLE`"));
        assert_eq!(template_marker("mlrun/mlrun:1.6.4"), None);
        assert_eq!(template_marker("weird$"), None);
    }
}
