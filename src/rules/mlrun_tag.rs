//! The tag MLRun would give an MLRun image for the project's client version, and the
//! few pieces of image arithmetic the image rules share.
//!
//! MLRun fills an untagged MLRun image with the *submitting client's* version
//! (`mlrun-semantics.md` §1.2), so "the pinned value" of such an image is that
//! version's tag. Keeping that derivation here means MLR101, MLR103, MLR104 and
//! MLR107 all suggest the same tag, name the same source, and edit the same bytes.

use super::{ClientVersion, Scope};
use crate::diagnostic::Edit;
use crate::facts::image_ref::{image_tag_for_version, strip_python_suffix};
use crate::facts::{Fact, ImageFact, ImageRef, ImageValue, Origin};
use crate::span::Span;
use pep440_rs::Version;
use std::str::FromStr;

/// The image tag MLRun uses for the project's client version, with where that
/// version was learned (for help texts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientTag<'a> {
    /// The plain tag (`1.6.4`), without a `-pyNN` suffix: the client's Python
    /// version is not known, and the plain tag is the default Python's image.
    pub tag: String,
    pub client: &'a ClientVersion,
}

impl<'a> ClientTag<'a> {
    /// The client's tag, when the scope knows a client version that names a
    /// release. Development clients (`0.0.0+unstable` → `unstable`) give `None`:
    /// their tag moves, so it is no pin to suggest.
    pub fn from_scope(scope: &'a Scope) -> Option<Self> {
        let client = scope.client.as_ref()?;
        let tag = image_tag_for_version(&client.version);
        tag.starts_with(|c: char| c.is_ascii_digit())
            .then_some(Self { tag, client })
    }

    /// The image pinned to the client's tag: `<registry/path>:<tag>`.
    pub fn pinned(&self, image: &ImageRef) -> String {
        format!("{}:{}", image.repository(), self.tag)
    }

    /// Where the tag comes from, for help texts: `client version 1.6.4 from --mlrun-version`.
    pub fn provenance(&self) -> String {
        format!(
            "client version {} from {}",
            self.client.version, self.client.source
        )
    }

    /// The `-pyNN` variant MLRun gives clients on the older Python for `image` at
    /// this version: `-py37` for 1.3.x–1.4.x, `-py39` for 1.9.x–1.10.x
    /// (`mlrun-semantics.md` §1.3). `mlrun/mlrun-kfp` gets no suffix on 1.9.x: MLRun
    /// adds one to it only from 1.10.0-rc0, since 1.9 has a single kfp image
    /// (MLRun 1.9.2 `utils/helpers.py:894`; 1.10.4 `utils/helpers.py:1004`).
    pub fn python_variant(&self, image: &ImageRef) -> Option<&'static str> {
        match major_minor(&self.tag)? {
            (1, 3 | 4) => Some("-py37"),
            (1, 9) if is_kfp_image(image) => None,
            (1, 9 | 10) => Some("-py39"),
            _ => None,
        }
    }

    /// A note for help texts when the plain tag is not the only image of this
    /// version: MLRun hands clients on the older Python the suffixed one.
    pub fn python_variant_note(&self, image: &ImageRef) -> Option<String> {
        let suffix = self.python_variant(image)?;
        let python = if suffix == "-py37" { "3.7" } else { "3.9" };
        Some(format!(
            "MLRun gives clients on Python {python} the `{tag}{suffix}` image instead; \
             add `{suffix}` if the project runs Python {python}",
            tag = self.tag
        ))
    }

    /// For a *tagged* `mlrun-kfp` image: the suffix MLRun appends to the written tag
    /// for clients on Python 3.9. From 1.10.0-rc0 `enrich_image_url` adds the client's
    /// Python suffix to an `mlrun-kfp` tag even when one is written (MLRun 1.10.4
    /// `utils/helpers.py:1046`), so `mlrun/mlrun-kfp:1.10.0` runs as
    /// `mlrun/mlrun-kfp:1.10.0-py39` for them; 1.11 and later add none.
    pub fn kfp_tag_suffix(&self, image: &ImageRef) -> Option<&'static str> {
        let tagged =
            image.digest().is_none() && image.tag().is_some_and(|tag| python_suffix(tag).is_none());
        (tagged && is_kfp_image(image) && major_minor(&self.tag)? == (1, 10)).then_some("-py39")
    }

    /// Whether an image tag's version (its `-pyNN` suffix already stripped) is the
    /// client's version. PEP 440 spellings of one release count as equal
    /// (`1.7.0-rc1` and `1.7.0rc1`).
    pub fn matches(&self, tag_version: &str) -> bool {
        same_version(tag_version, strip_python_suffix(&self.tag))
    }
}

/// The literal image reference of an image fact. Every pinning rule judges only
/// these; references built from variables belong to MLR108.
/// Also see [`ImageFact::pulled_as_written`]: for those images MLRun fills no tag.
pub fn literal_image(fact: &Fact) -> Option<(&Origin, &ImageRef)> {
    match fact {
        Fact::Image(ImageFact {
            origin,
            value: ImageValue::Literal(image),
            ..
        }) => Some((origin, image)),
        _ => None,
    }
}

/// The client tag to write into `image` by a fix, if one is known and the result
/// exists: an obsolete image (MLR105) has no release for a newer client
/// (`mlrun/ml-models:1.6.4` does not exist), so it gets no tag fix.
pub fn fix_tag<'a>(image: &ImageRef, scope: &'a Scope) -> Option<ClientTag<'a>> {
    ClientTag::from_scope(scope).filter(|_| image.deprecated_mlrun_image().is_none())
}

/// Help for an MLRun image that needs a release tag: the client's tag and where it
/// comes from, or which source would provide it. Obsolete images are pointed at
/// their replacement, since their own name has no current release.
pub fn pin_help(image: &ImageRef, scope: &Scope) -> String {
    let (target, prefix) = match image.deprecated_mlrun_image() {
        Some(deprecated) => (
            deprecated.replacement.to_string(),
            format!(
                "`mlrun/{}` is obsolete (MLR105); pin its replacement",
                deprecated.name
            ),
        ),
        None => (image.repository().to_string(), "pin it".to_string()),
    };
    match ClientTag::from_scope(scope) {
        Some(client) => {
            let mut help = format!(
                "{prefix} to `{target}:{}` ({})",
                client.tag,
                client.provenance()
            );
            if let Some(note) = client.python_variant_note(image) {
                help.push_str("; ");
                help.push_str(&note);
            }
            help
        }
        None => format!(
            "{prefix} to the tag of the project's MLRun client (`{target}:X.Y.Z`); {}",
            missing_version_hint(scope)
        ),
    }
}

/// What to tell the user when no usable client version is known.
pub fn missing_version_hint(scope: &Scope) -> String {
    match &scope.client {
        Some(client) => format!(
            "the client version {} from {} is a development build with no release image; \
             pass --mlrun-version with a released version",
            client.version, client.source
        ),
        None => "pass --mlrun-version or pin `mlrun==X.Y.Z` in the project's requirements \
                 and mlrun-lint will name the exact tag"
            .to_string(),
    }
}

/// MLRun's own test for a KFP image: `"mlrun-kfp" in image_url` (`utils/helpers.py`).
fn is_kfp_image(image: &ImageRef) -> bool {
    image.text.contains("mlrun-kfp")
}

/// The `-pyNN` suffix of a tag, if it has one (`1.9.2-py39` → `-py39`).
pub fn python_suffix(tag: &str) -> Option<&str> {
    let suffix = &tag[strip_python_suffix(tag).len()..];
    (!suffix.is_empty()).then_some(suffix)
}

/// Replaces `range` (byte offsets within [`ImageRef::text`]) in the file. `None`
/// when the origin has no editable span, or the span does not hold the image text,
/// so a fix never lands on bytes it was not computed from.
pub fn text_edit(
    origin: &Origin,
    image: &ImageRef,
    range: (usize, usize),
    content: String,
) -> Option<Edit> {
    let edit_span = origin.edit_span?;
    let start = edit_span.start + image.offset + range.0;
    let end = edit_span.start + image.offset + range.1;
    let holds_image = edit_span.start + image.offset + image.text.len() <= edit_span.end;
    (holds_image && range.0 <= range.1).then(|| Edit {
        span: Span::new(start, end),
        content,
    })
}

/// A client version as given (`--mlrun-version`, `mlrun-version`), normalised
/// (`v1.6.4` → `1.6.4`), or why it is not one. A client version names a release
/// of three numbers, as MLRun's image tags do (`1.6.4`, `1.7.0rc1`): `1.6`
/// names no image, and pinning `:1.6` would pin nothing that exists.
pub fn client_version(given: &str) -> Result<String, String> {
    let version = Version::from_str(given.trim())
        .map_err(|err| format!("`{given}` is not a version: {err}"))?;
    if version.release().len() != 3 {
        return Err(format!(
            "`{given}` is not a client version: give the release's three numbers, X.Y.Z \
             (such as 1.6.4); it has {}",
            match version.release().len() {
                1 => "one".to_string(),
                2 => "two".to_string(),
                n => n.to_string(),
            }
        ));
    }
    Ok(version.to_string())
}

/// Whether a version is at least `major.minor`; `None` when it does not start
/// with a `major.minor` number.
pub fn at_least(version: &str, major: u64, minor: u64) -> Option<bool> {
    major_minor(version).map(|found| found >= (major, minor))
}

/// The leading `major.minor` of a version or tag (`1.10.0-rc2` → `(1, 10)`).
fn major_minor(version: &str) -> Option<(u64, u64)> {
    let mut parts = version.split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

fn same_version(a: &str, b: &str) -> bool {
    a == b
        || matches!(
            (Version::from_str(a), Version::from_str(b)),
            (Ok(a), Ok(b)) if a == b
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(version: &str) -> Scope {
        Scope {
            client: Some(ClientVersion {
                version: version.into(),
                source: "--mlrun-version".into(),
                origin: crate::rules::VersionOrigin::Declared,
            }),
            ..Scope::default()
        }
    }

    #[test]
    fn client_tag_follows_mlrun_conversion() {
        let s = scope("1.7.0+abc");
        assert_eq!(ClientTag::from_scope(&s).unwrap().tag, "1.7.0-abc");
        assert_eq!(ClientTag::from_scope(&scope("0.0.0+unstable")), None);
        assert_eq!(ClientTag::from_scope(&Scope::default()), None);
    }

    #[test]
    fn python_variants_by_release() {
        for (version, variant) in [
            ("1.2.1", None),
            ("1.3.0", Some("-py37")),
            ("1.4.1", Some("-py37")),
            ("1.6.4", None),
            ("1.9.2", Some("-py39")),
            ("1.10.0-rc41", Some("-py39")),
            ("1.11.0", None),
        ] {
            let s = scope(version);
            let client = ClientTag::from_scope(&s).unwrap();
            let image = ImageRef::parse("mlrun/mlrun").unwrap();
            assert_eq!(client.python_variant(&image), variant, "{version}");
        }
    }

    #[test]
    fn kfp_images_get_the_python_suffix_only_from_1_10() {
        let kfp = ImageRef::parse("quay.io/mlrun/mlrun-kfp").unwrap();
        let pinned_kfp = ImageRef::parse("mlrun/mlrun-kfp:1.10.0").unwrap();
        let suffixed_kfp = ImageRef::parse("mlrun/mlrun-kfp:1.10.0-py39").unwrap();
        let mlrun = ImageRef::parse("mlrun/mlrun:1.10.0").unwrap();
        let (v19, v110, v112) = (scope("1.9.2"), scope("1.10.4"), scope("1.12.1"));
        let at = |s| ClientTag::from_scope(s).unwrap();
        assert_eq!(at(&v19).python_variant(&kfp), None);
        assert_eq!(at(&v110).python_variant(&kfp), Some("-py39"));
        assert_eq!(at(&v110).kfp_tag_suffix(&pinned_kfp), Some("-py39"));
        assert_eq!(at(&v110).kfp_tag_suffix(&suffixed_kfp), None);
        assert_eq!(at(&v110).kfp_tag_suffix(&kfp), None);
        assert_eq!(at(&v110).kfp_tag_suffix(&mlrun), None);
        assert_eq!(at(&v19).kfp_tag_suffix(&pinned_kfp), None);
        assert_eq!(at(&v112).kfp_tag_suffix(&pinned_kfp), None);
    }

    #[test]
    fn versions_compare_by_release() {
        let s = scope("1.7.0rc1");
        let client = ClientTag::from_scope(&s).unwrap();
        assert!(client.matches("1.7.0-rc1"));
        assert!(client.matches("1.7.0rc1"));
        assert!(!client.matches("1.7.0"));
        assert!(ClientTag::from_scope(&scope("1.6.4")).is_some_and(|c| c.matches("1.6.4")));
    }

    #[test]
    fn suffixes_and_edits() {
        assert_eq!(python_suffix("1.9.2-py39"), Some("-py39"));
        assert_eq!(python_suffix("1.9.2"), None);
        assert_eq!(at_least("1.10.0", 1, 5), Some(true));
        assert_eq!(at_least("1.4.1", 1, 5), Some(false));
        assert_eq!(at_least("latest", 1, 5), None);
        let image = ImageRef::parse(" mlrun/mlrun").unwrap();
        let origin = Origin::new(Span::new(9, 23), Some(Span::new(10, 22)), "spec.image");
        let edit = text_edit(&origin, &image, (11, 11), ":1.6.4".into()).unwrap();
        assert_eq!(edit.span, Span::new(22, 22));
        let no_edit_span = Origin::new(Span::new(9, 23), None, "spec.image");
        assert_eq!(
            text_edit(&no_edit_span, &image, (11, 11), String::new()),
            None
        );
        let too_short = Origin::new(Span::new(9, 23), Some(Span::new(10, 15)), "spec.image");
        assert_eq!(text_edit(&too_short, &image, (11, 11), String::new()), None);
    }

    #[test]
    fn client_versions_are_three_numbers_normalised() {
        assert_eq!(client_version("1.6.4"), Ok("1.6.4".into()));
        assert_eq!(client_version("v1.6.4"), Ok("1.6.4".into()));
        assert_eq!(client_version("1.7.0-rc1"), Ok("1.7.0rc1".into()));
        assert_eq!(
            client_version("1.6"),
            Err(
                "`1.6` is not a client version: give the release's three numbers, X.Y.Z (such \
                 as 1.6.4); it has two"
                    .into()
            )
        );
        assert!(client_version("latest").is_err());
    }
}
