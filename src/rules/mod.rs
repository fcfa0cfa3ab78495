//! The rule registry. Each rule lives in one file named after it, holding its code,
//! name, default severity, messages, fix and (through `include_str!`) its page in
//! `rules/`. This module only lists them, and holds the [`Scope`] rules are judged in.

use crate::diagnostic::{Finding, Severity};
use crate::facts::Fact;

mod mlr001_parse_error;
mod mlr002_include_not_found;
mod mlr003_file_skipped;

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
    /// Judges one fact; most rules ignore most facts.
    pub check: fn(&Fact, &Scope) -> Option<Finding>,
}

/// What a rule may know beyond the fact itself: the project the fact belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// The MLRun client version the project runs with, when some source says so.
    pub client: Option<ClientVersion>,
    /// Whether the project gives a `default_image` for functions that name none.
    pub project_default_image: bool,
}

/// An MLRun client version and where it was learned, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientVersion {
    pub version: String,
    /// Where the version comes from ("--mlrun-version", "mlrunVersion in item.yaml").
    pub source: String,
}

/// Every rule of the contract, sorted by code.
pub const ALL: &[&Rule] = &[
    &mlr001_parse_error::RULE,
    &mlr002_include_not_found::RULE,
    &mlr003_file_skipped::RULE,
];

/// The rule with this code or name (`MLR101`, `mlr101`, `mlrun-image-untagged`).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|rule| rule.code.eq_ignore_ascii_case(code_or_name) || rule.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_unique_and_documented() {
        for pair in ALL.windows(2) {
            assert!(pair[0].code < pair[1].code, "{} before {}", pair[0].code, pair[1].code);
        }
        for rule in ALL {
            let title = format!("# {} {}", rule.code, rule.name);
            assert!(rule.page.starts_with(&title), "page of {} must open with `{title}`", rule.code);
        }
    }
}
