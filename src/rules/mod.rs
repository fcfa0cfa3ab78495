//! The rule registry. Each rule lives in one file named after it, holding its code,
//! name, default severity, messages, fix and (through `include_str!`) its page in
//! `rules/`. This module only lists them, and holds the [`Scope`] rules are judged in.

use crate::diagnostic::{Finding, Severity};
use crate::facts::{BuildFact, Fact, PackageFact};
use std::collections::BTreeMap;
use std::sync::Arc;

mod mlr001_parse_error;
mod mlr002_include_not_found;
mod mlr003_file_skipped;
mod mlr004_unused_noqa;
mod mlr101_mlrun_image_untagged;
mod mlr102_image_untagged;
mod mlr103_image_mutable_tag;
mod mlr104_mlrun_image_version_mismatch;
mod mlr105_mlrun_image_deprecated;
mod mlr106_image_digest_missing;
mod mlr107_image_implicit_default;
mod mlr108_image_tag_unverifiable;
mod mlr109_built_image_mutable_tag;
mod mlr201_package_unpinned;
mod mlr202_package_not_exact;
mod mlr203_package_url_unpinned;
mod mlr204_mlrun_client_unpinned;
mod mlr205_package_pin_conflict;
mod mlr206_package_hash_missing;
mod mlr207_build_mlrun_version_implicit;
mod mlr208_insecure_index_url;
mod mlr301_hub_function_untagged;
mod mlrun_tag;
pub use mlrun_tag::client_version;
mod package;
#[cfg(test)]
mod testing;

/// A rule: identity, documentation and the check itself.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    /// The severity the rule reports at when enabled.
    pub severity: Severity,
    /// `false` for the contract's "off" rules, which run only when selected.
    pub enabled_by_default: bool,
    /// One line: what the rule flags.
    pub summary: &'static str,
    /// The rule's page (Markdown), printed by `mlrun-lint rule CODE`.
    pub page: &'static str,
    pub check: Check,
}

impl Rule {
    /// The rule's finding on one fact (`None` for set rules, which judge sets).
    pub fn check_fact(&self, fact: &Fact, scope: &Scope) -> Option<Finding> {
        match self.check {
            Check::Fact(check) => check(fact, scope),
            Check::Set(_) | Check::Engine => None,
        }
    }

    /// The rule's findings on a requirement set (none for fact rules).
    pub fn check_set(&self, set: &RequirementSet, scope: &Scope) -> Vec<SetFinding> {
        match self.check {
            Check::Set(check) => check(set, scope),
            Check::Fact(_) | Check::Engine => Vec::new(),
        }
    }
}

/// How a rule looks at facts.
pub enum Check {
    /// One fact at a time; most rules ignore most facts.
    Fact(fn(&Fact, &Scope) -> Option<Finding>),
    /// A function's whole requirement set at once (its lists, its commands, the
    /// files they include, the project build it inherits), for rules about how
    /// requirements relate to each other.
    Set(fn(&RequirementSet, &Scope) -> Vec<SetFinding>),
    /// Findings the engine makes itself, because they are about the run rather
    /// than any fact (MLR004: suppressions that suppressed nothing).
    Engine,
}

/// Everything one function installs, gathered across files by the engine.
#[derive(Clone, Debug, Default)]
pub struct RequirementSet<'a> {
    /// Who installs the set, for messages ("function `train`", "requirements.txt").
    pub owner: String,
    pub packages: Vec<Member<'a, PackageFact>>,
    pub builds: Vec<Member<'a, BuildFact>>,
}

/// A fact of a requirement set, with the file it was read from (an index the
/// engine understands) and that file's path as shown to users.
#[derive(Clone, Debug)]
pub struct Member<'a, T> {
    pub file: usize,
    pub path: &'a str,
    pub fact: &'a T,
}

/// A finding of a set rule, in the file of the fact it points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetFinding {
    pub file: usize,
    pub finding: Finding,
}

/// What a rule may know beyond the fact itself: the project the fact belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// The MLRun client version the project runs with, when some source says so.
    pub client: Option<ClientVersion>,
    /// Whether the project gives a `default_image` for functions that name none.
    pub project_default_image: bool,
    /// Exact pins (PEP 503 name → version) of the constraints files in effect
    /// (`-c`): a requirement they pin exactly counts as pinned.
    pub constraints: Arc<BTreeMap<String, String>>,
    /// Package versions the project runs (PEP 503 name → version): from `--lock`
    /// files, the lock file nearest to the file, then `--python`.
    pub versions: Arc<BTreeMap<String, PinnedVersion>>,
}

/// An MLRun client version and where it was learned, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientVersion {
    pub version: String,
    /// Where the version comes from ("--mlrun-version", "mlrunVersion in item.yaml").
    pub source: String,
    pub origin: VersionOrigin,
}

/// How a version was learned, which decides how far a fix may trust it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionOrigin {
    /// Said by the user: `--mlrun-version` or `mlrun-version` in the configuration.
    Declared,
    /// Pinned by the project itself: an exact `mlrun==X.Y.Z` or a lock file.
    ProjectPin,
    /// A hub item's `mlrunVersion`, for that item.
    HubItem,
    /// Observed in an environment (`--python`): what happens to be installed there.
    Environment,
}

/// A package version a pin source gives, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinnedVersion {
    pub version: String,
    /// For messages: "uv.lock", "--python .venv".
    pub source: String,
    /// `true` when read from an environment (`--python`), not from the project's
    /// own lock files: fixes using it are unsafe.
    pub observed: bool,
}

/// Every rule of the contract, sorted by code.
pub const ALL: &[&Rule] = &[
    &mlr001_parse_error::RULE,
    &mlr002_include_not_found::RULE,
    &mlr003_file_skipped::RULE,
    &mlr004_unused_noqa::RULE,
    &mlr101_mlrun_image_untagged::RULE,
    &mlr102_image_untagged::RULE,
    &mlr103_image_mutable_tag::RULE,
    &mlr104_mlrun_image_version_mismatch::RULE,
    &mlr105_mlrun_image_deprecated::RULE,
    &mlr106_image_digest_missing::RULE,
    &mlr107_image_implicit_default::RULE,
    &mlr108_image_tag_unverifiable::RULE,
    &mlr109_built_image_mutable_tag::RULE,
    &mlr201_package_unpinned::RULE,
    &mlr202_package_not_exact::RULE,
    &mlr203_package_url_unpinned::RULE,
    &mlr204_mlrun_client_unpinned::RULE,
    &mlr205_package_pin_conflict::RULE,
    &mlr206_package_hash_missing::RULE,
    &mlr207_build_mlrun_version_implicit::RULE,
    &mlr208_insecure_index_url::RULE,
    &mlr301_hub_function_untagged::RULE,
];

/// MLR004, whose findings the engine makes when suppressions are applied.
pub const UNUSED_NOQA: &Rule = &mlr004_unused_noqa::RULE;

/// A finding's help when its headline says only what is wrong and where: why it
/// matters in production, then what to do about it.
fn why_then(why: &str, then: &str) -> String {
    format!("{why}; {then}")
}

/// The rule with this code or name (`MLR101`, `mlr101`, `mlrun-image-untagged`).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|rule| rule.code.eq_ignore_ascii_case(code_or_name) || rule.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The rule table of the contract (`SPEC.md`), implemented or not: every code
    /// has a page in `rules/` from day one, and nothing else does.
    const CONTRACT: &[(&str, &str)] = &[
        ("MLR001", "parse-error"),
        ("MLR002", "include-not-found"),
        ("MLR003", "file-skipped"),
        // Not in the contract's table: an addition, off by default.
        ("MLR004", "unused-noqa"),
        ("MLR101", "mlrun-image-untagged"),
        ("MLR102", "image-untagged"),
        ("MLR103", "image-mutable-tag"),
        ("MLR104", "mlrun-image-version-mismatch"),
        ("MLR105", "mlrun-image-deprecated"),
        ("MLR106", "image-digest-missing"),
        ("MLR107", "image-implicit-default"),
        ("MLR108", "image-tag-unverifiable"),
        ("MLR109", "built-image-mutable-tag"),
        ("MLR201", "package-unpinned"),
        ("MLR202", "package-not-exact"),
        ("MLR203", "package-url-unpinned"),
        ("MLR204", "mlrun-client-unpinned"),
        ("MLR205", "package-pin-conflict"),
        ("MLR206", "package-hash-missing"),
        ("MLR207", "build-mlrun-version-implicit"),
        ("MLR208", "insecure-index-url"),
        ("MLR301", "hub-function-untagged"),
    ];

    /// The sections every page has, in this order (`anchors.md` §3).
    const SECTIONS: &[&str] = &[
        "## What it flags",
        "## Why it matters in production",
        "## Example",
        "## Fix",
    ];

    fn pages_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
    }

    #[test]
    fn registry_is_sorted_unique_and_documented() {
        for pair in ALL.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        for rule in ALL {
            let title = format!("# {} {}", rule.code, rule.name);
            assert!(
                rule.page.starts_with(&title),
                "page of {} must open with `{title}`",
                rule.code
            );
            assert!(
                CONTRACT.contains(&(rule.code, rule.name)),
                "{} {} is not in the contract",
                rule.code,
                rule.name
            );
            let file = pages_dir().join(format!("{}-{}.md", rule.code, rule.name));
            let on_disk = std::fs::read_to_string(&file).unwrap_or_default();
            assert_eq!(
                rule.page,
                on_disk,
                "{} must include {}",
                rule.code,
                file.display()
            );
        }
    }

    #[test]
    fn every_contract_code_has_a_page_and_every_page_a_code() {
        let mut pages: Vec<String> = std::fs::read_dir(pages_dir())
            .expect("rules/ exists")
            .map(|entry| {
                entry
                    .expect("readable entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        pages.sort();
        let expected: Vec<String> = CONTRACT
            .iter()
            .map(|(code, name)| format!("{code}-{name}.md"))
            .collect();
        assert_eq!(pages, expected);
        for (code, name) in CONTRACT {
            let page = std::fs::read_to_string(pages_dir().join(format!("{code}-{name}.md")))
                .expect("readable page");
            assert_eq!(
                page.lines().next(),
                Some(format!("# {code} {name}").as_str())
            );
            let mut from = 0;
            for section in SECTIONS {
                let at = page[from..]
                    .find(&format!("\n{section}\n"))
                    .unwrap_or_else(|| panic!("{code}: `{section}` missing or out of order"));
                from += at + 1;
            }
            assert!(page
                .lines()
                .nth(2)
                .is_some_and(|line| line.starts_with("Default severity: ")));
            let lines = page.lines().count();
            assert!((30..=60).contains(&lines), "{code}: {lines} lines");
        }
    }

    /// What every default rule says about one image, with client 1.6.4 known: at
    /// most one of MLR101/102/103/109 per image, digests pin, ports are not tags.
    #[test]
    fn image_findings_across_rules() {
        use crate::rules::testing::{client, image};
        let scope = client("1.6.4");
        let cases: &[(&str, &[&str])] = &[
            ("mlrun/mlrun", &["MLR101"]),
            ("quay.io/mlrun/mlrun", &["MLR101"]),
            ("localhost:5000/mlrun/mlrun", &["MLR101"]),
            ("mlrun/mlrun:latest", &["MLR103"]),
            ("mlrun/mlrun:1.6.4", &[]),
            ("mlrun/mlrun:1.6.4-py39", &[]),
            ("mlrun/mlrun:1.5.0", &["MLR104"]),
            ("mlrun/mlrun@sha256:abc", &[]),
            ("mlrun/mlrun:1.6.4@sha256:abc", &[]),
            ("mlrun/ml-models", &["MLR101", "MLR105"]),
            ("mlrun/ml-models:1.4.1", &["MLR104", "MLR105"]),
            ("python", &["MLR102"]),
            ("python:3.11", &[]),
            ("ruby@sha256:abc", &[]),
            ("ruby:3.2@sha256:abc", &[]),
            ("myhost:5000/repo/nginx", &["MLR102"]),
            ("vllm/vllm-openai:latest", &["MLR103"]),
            ("app:befacaad", &[]),
            (".mlrun/func-x", &["MLR109"]),
            (".mlrun/func-p-f:latest", &["MLR109"]),
            (".mlrun/func-p-f:v2", &[]),
            ("mlrun/mlrun:{version}", &["MLR108"]),
        ];
        for (text, expected) in cases {
            let fact = image(text);
            let fired: Vec<&str> = ALL
                .iter()
                .filter(|rule| rule.enabled_by_default && rule.check_fact(&fact, &scope).is_some())
                .map(|rule| rule.code)
                .collect();
            assert_eq!(&fired, expected, "{text}");
        }
    }

    /// What every default rule says about one requirement, client 1.6.4 known: at
    /// most one of MLR201–MLR204 per requirement, `mlrun` always MLR204's.
    #[test]
    fn package_findings_across_rules() {
        use crate::rules::testing::{client, requirement};
        let scope = client("1.6.4");
        let sha = "d4ed67bf663e4066517f00397412510d90043653";
        let pinned_vcs = format!("flair @ git+https://github.com/flairNLP/flair.git@{sha}");
        let cases: &[(&str, &[&str])] = &[
            ("pandas", &["MLR201"]),
            ("pandas>=2", &["MLR202"]),
            ("numpy==1.26.*", &["MLR202"]),
            ("pandas==2.2.2", &[]),
            ("pandas==2.2.2,!=2.2.1", &[]),
            ("git+https://github.com/v3io/grafwiz", &["MLR203"]),
            (&pinned_vcs, &[]),
            ("mlrun", &["MLR204"]),
            ("mlrun[complete]>=1.6", &["MLR204"]),
            ("mlrun==1.6.4", &[]),
            (
                "git+https://github.com/mlrun/mlrun@development",
                &["MLR204"],
            ),
            ("./lib", &[]),
            ("pkg==${VERSION}", &[]),
        ];
        for (text, expected) in cases {
            let fact = Fact::Package(requirement(text));
            let fired: Vec<&str> = ALL
                .iter()
                .filter(|rule| rule.enabled_by_default && rule.check_fact(&fact, &scope).is_some())
                .map(|rule| rule.code)
                .collect();
            assert_eq!(&fired, expected, "{text}");
        }
    }

    #[test]
    fn find_by_code_or_name() {
        assert_eq!(find("mlr101").map(|r| r.code), Some("MLR101"));
        assert_eq!(find("image-mutable-tag").map(|r| r.code), Some("MLR103"));
    }
}
