//! The Docker image reference grammar, and MLRun's own reading of an image string.
//!
//! Tags and ports are told apart the way the container runtime does it (a tag is
//! the part after the last `:` *after* the last `/`), never by `split(':')`, which is
//! the bug behind most "registry port taken for a tag" reports in other linters.
//! MLRun's own tests, on the other hand, are plain string tests on the whole
//! reference (`mlrun-semantics.md` §1.2): those are kept as MLRun writes them,
//! quirks included, because they decide what actually runs.

/// Tags that move by design: the same tag names a different image after a push.
pub const MOVING_TAGS: &[&str] = &[
    "latest",
    "unstable",
    "dev",
    "development",
    "edge",
    "nightly",
    "main",
    "master",
];

/// MLRun images that MLRun itself has removed or deprecated, with the release
/// that did it and what replaces them.
pub const DEPRECATED_MLRUN_IMAGES: &[DeprecatedImage] = &[
    DeprecatedImage {
        name: "ml-models",
        status: "removed in MLRun 1.5.0",
        replacement: "mlrun/mlrun",
    },
    DeprecatedImage {
        name: "ml-models-gpu",
        status: "removed in MLRun 1.5.0",
        replacement: "mlrun/mlrun-gpu",
    },
    DeprecatedImage {
        name: "ml-base",
        status: "deprecated in MLRun 1.10.0",
        replacement: "mlrun/mlrun",
    },
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeprecatedImage {
    /// The image name under the `mlrun` organisation.
    pub name: &'static str,
    pub status: &'static str,
    pub replacement: &'static str,
}

/// A parsed image reference: `[registry[:port]/]path[:tag][@digest]`.
///
/// All fields are byte ranges into [`ImageRef::text`], the reference with surrounding
/// white space removed, so callers can point at (or replace) just the tag.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImageRef {
    /// The reference as written, without surrounding white space.
    pub text: String,
    /// Offset of `text` in the string it was parsed from (leading white space).
    pub offset: usize,
    registry: Option<(usize, usize)>,
    path: (usize, usize),
    tag: Option<(usize, usize)>,
    digest: Option<(usize, usize)>,
}

impl ImageRef {
    /// Parses a reference. Returns `None` only for an empty (or all white space)
    /// string, which names no image at all.
    pub fn parse(raw: &str) -> Option<Self> {
        let text = raw.trim();
        if text.is_empty() {
            return None;
        }
        let offset = raw.find(text).unwrap_or(0);
        let (name_end, digest) = match text.find('@') {
            Some(at) => (at, Some((at + 1, text.len()))),
            None => (text.len(), None),
        };
        let name = &text[..name_end];
        let last_slash = name.rfind('/');
        let tag_colon = name
            .rfind(':')
            .filter(|&colon| last_slash.is_none_or(|slash| colon > slash));
        let (repo_end, tag) = match tag_colon {
            Some(colon) => (colon, Some((colon + 1, name_end))),
            None => (name_end, None),
        };
        let repo = &text[..repo_end];
        let registry = repo.find('/').and_then(|slash| {
            let first = &repo[..slash];
            // MLRun's leading `.` means "the cluster's registry", not a host name.
            let is_host = !first.starts_with('.')
                && (first.contains('.') || first.contains(':') || first == "localhost");
            is_host.then_some((0, slash))
        });
        let path_start = registry.map_or(0, |(_, end)| end + 1);
        Some(Self {
            text: text.to_string(),
            offset,
            registry,
            path: (path_start, repo_end),
            tag,
            digest,
        })
    }

    fn slice(&self, range: (usize, usize)) -> &str {
        &self.text[range.0..range.1]
    }

    /// The registry host (with port), if the reference names one.
    pub fn registry(&self) -> Option<&str> {
        self.registry.map(|r| self.slice(r))
    }

    /// The repository path without registry, tag or digest (`mlrun/mlrun`).
    pub fn path(&self) -> &str {
        self.slice(self.path)
    }

    /// Everything before the tag and digest: registry and path (`quay.io/mlrun/mlrun`).
    pub fn repository(&self) -> &str {
        &self.text[..self.path.1]
    }

    pub fn tag(&self) -> Option<&str> {
        self.tag.map(|t| self.slice(t))
    }

    /// Byte range of the tag within [`ImageRef::text`].
    pub fn tag_range(&self) -> Option<(usize, usize)> {
        self.tag
    }

    /// End of the repository part within [`ImageRef::text`]: where a tag is inserted.
    pub fn repository_end(&self) -> usize {
        self.path.1
    }

    pub fn digest(&self) -> Option<&str> {
        self.digest.map(|d| self.slice(d))
    }

    /// `true` when neither a tag nor a digest pins the reference.
    pub fn is_untagged(&self) -> bool {
        self.tag.is_none() && self.digest.is_none()
    }

    /// The tag, when it is one of [`MOVING_TAGS`] and no digest pins the image.
    pub fn moving_tag(&self) -> Option<&str> {
        if self.digest.is_some() {
            return None;
        }
        self.tag().filter(|tag| MOVING_TAGS.contains(tag))
    }

    /// MLRun's own test for "an MLRun image" (`enrich_image_url`): the string starts
    /// with `mlrun/` or contains `/mlrun/`, whatever the registry.
    pub fn is_mlrun(&self) -> bool {
        self.text.starts_with("mlrun/") || self.text.contains("/mlrun/")
    }

    /// An image in the cluster's own registry, written with MLRun's leading `.`
    /// (`.mlrun/func-proj-fn:latest`, `.mlrun-project-image-proj`).
    pub fn is_cluster_built(&self) -> bool {
        self.text.starts_with('.')
    }

    /// For an untagged MLRun image: whether MLRun fills in the tag. It only does so
    /// when the string has no `:` at all, so behind a registry with a port it adds no
    /// tag and the runtime pulls `latest`.
    pub fn mlrun_fills_tag(&self) -> bool {
        self.is_mlrun() && !self.text.contains(':')
    }

    /// The image name under the `mlrun` organisation (`mlrun` for `quay.io/mlrun/mlrun`).
    pub fn mlrun_image_name(&self) -> Option<&str> {
        if !self.is_mlrun() {
            return None;
        }
        let repository = self.repository();
        let after_org = match repository.rfind("/mlrun/") {
            Some(i) => &repository[i + "/mlrun/".len()..],
            None => repository.strip_prefix("mlrun/")?,
        };
        Some(after_org)
    }

    pub fn deprecated_mlrun_image(&self) -> Option<&'static DeprecatedImage> {
        let name = self.mlrun_image_name()?;
        DEPRECATED_MLRUN_IMAGES.iter().find(|d| d.name == name)
    }

    /// The version a tag names, without MLRun's `-pyNN` Python-variant suffix
    /// (`1.6.4-py39` → `1.6.4`). `None` when the tag does not start with a digit.
    pub fn tag_version(&self) -> Option<&str> {
        let tag = self.tag()?;
        if !tag.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        Some(strip_python_suffix(tag))
    }
}

/// Removes a trailing `-pyNN` (`-py37`, `-py39`, `-py311`) from an image tag.
pub fn strip_python_suffix(tag: &str) -> &str {
    if let Some(i) = tag.rfind("-py") {
        let digits = &tag[i + 3..];
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return &tag[..i];
        }
    }
    tag
}

/// The image tag MLRun derives from a package version (`_convert_python_package_version_to_image_tag`):
/// `+` becomes `-`, and a leading `0.0.0-` (development builds) is dropped.
pub fn image_tag_for_version(version: &str) -> String {
    let tag = version.replace('+', "-");
    match tag.strip_prefix("0.0.0-") {
        Some(rest) => rest.to_string(),
        None => tag,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (input, registry, path, tag, digest)
    type Case = (
        &'static str,
        Option<&'static str>,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
    );
    const CASES: &[Case] = &[
        ("python", None, "python", None, None),
        ("python:3.11", None, "python", Some("3.11"), None),
        ("mlrun/mlrun", None, "mlrun/mlrun", None, None),
        (
            "mlrun/mlrun:1.6.4-py39",
            None,
            "mlrun/mlrun",
            Some("1.6.4-py39"),
            None,
        ),
        (
            "quay.io/mlrun/mlrun",
            Some("quay.io"),
            "mlrun/mlrun",
            None,
            None,
        ),
        (
            "localhost:5000/mlrun/mlrun",
            Some("localhost:5000"),
            "mlrun/mlrun",
            None,
            None,
        ),
        (
            "registry:5000/mlrun/mlrun:1.6.0",
            Some("registry:5000"),
            "mlrun/mlrun",
            Some("1.6.0"),
            None,
        ),
        ("localhost/app", Some("localhost"), "app", None, None),
        ("myorg/custom:1.0", None, "myorg/custom", Some("1.0"), None),
        ("ruby@sha256:abc", None, "ruby", None, Some("sha256:abc")),
        (
            "ruby:3.2@sha256:abc",
            None,
            "ruby",
            Some("3.2"),
            Some("sha256:abc"),
        ),
        (
            "host:443/a/b@sha256:abc",
            Some("host:443"),
            "a/b",
            None,
            Some("sha256:abc"),
        ),
        ("  mlrun/mlrun  ", None, "mlrun/mlrun", None, None),
        (
            ".mlrun/func-p-f:latest",
            None,
            ".mlrun/func-p-f",
            Some("latest"),
            None,
        ),
    ];

    #[test]
    fn reference_grammar() {
        for &(input, registry, path, tag, digest) in CASES {
            let image = ImageRef::parse(input).unwrap();
            assert_eq!(image.registry(), registry, "{input}");
            assert_eq!(image.path(), path, "{input}");
            assert_eq!(image.tag(), tag, "{input}");
            assert_eq!(image.digest(), digest, "{input}");
        }
        assert_eq!(ImageRef::parse("  "), None);
    }

    #[test]
    fn mlrun_classification_follows_enrich_image_url() {
        let mlrun = [
            "mlrun/mlrun",
            "quay.io/mlrun/mlrun",
            "my-registry/mlrun/mlrun",
            "docker.io/mlrun/mlrun",
            "ghcr.io/mlrun/jupyter",
            "localhost:5000/mlrun/mlrun",
        ];
        for image in mlrun {
            assert!(ImageRef::parse(image).unwrap().is_mlrun(), "{image}");
        }
        for image in ["mlrunx/mlrun", "myorg/mlrun", "python", "yhaviv/mlrun:dev"] {
            assert!(!ImageRef::parse(image).unwrap().is_mlrun(), "{image}");
        }
        assert!(ImageRef::parse("mlrun/mlrun").unwrap().mlrun_fills_tag());
        assert!(!ImageRef::parse("localhost:5000/mlrun/mlrun")
            .unwrap()
            .mlrun_fills_tag());
    }

    #[test]
    fn deprecated_and_versions() {
        let image = ImageRef::parse("quay.io/mlrun/ml-models:1.4.1").unwrap();
        assert_eq!(image.deprecated_mlrun_image().unwrap().name, "ml-models");
        assert!(ImageRef::parse("mlrun/mlrun-gpu")
            .unwrap()
            .deprecated_mlrun_image()
            .is_none());
        let image = ImageRef::parse("mlrun/mlrun:1.9.2-py39").unwrap();
        assert_eq!(image.tag_version(), Some("1.9.2"));
        assert_eq!(
            ImageRef::parse("mlrun/mlrun:latest").unwrap().tag_version(),
            None
        );
        assert_eq!(image_tag_for_version("1.7.0+abc"), "1.7.0-abc");
        assert_eq!(image_tag_for_version("0.0.0+unstable"), "unstable");
        assert_eq!(
            ImageRef::parse("a:latest@sha256:1").unwrap().moving_tag(),
            None
        );
    }
}
