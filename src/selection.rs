//! Which rules run: `--select`, `--extend-select` and `--ignore`, by code, code
//! prefix (`MLR1`, `MLR20`), rule name, or `ALL`.
//!
//! As in ruff, the most specific selector wins whatever flag it came from, so
//! `--select MLR1 --ignore MLR101` and `--ignore MLR1 --extend-select MLR101` both
//! mean what they say; between equally specific selectors, `--ignore` wins. The
//! contract's "off" rules run only when a selector names them (by code, prefix,
//! name or `ALL`).

use crate::rules::{self, Rule};

/// A parsed `--select`-style argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    All,
    /// A code or code prefix, upper-cased (`MLR1`, `MLR101`).
    Prefix(String),
    /// A rule name (`mlrun-image-untagged`).
    Name(String),
}

impl Selector {
    /// Parses one selector, checking it names at least one rule.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("ALL") {
            return Ok(Selector::All);
        }
        let upper = text.to_ascii_uppercase();
        if upper.starts_with("MLR") && rules::ALL.iter().any(|r| r.code.starts_with(&upper)) {
            return Ok(Selector::Prefix(upper));
        }
        if rules::ALL.iter().any(|r| r.name == text) {
            return Ok(Selector::Name(text.to_string()));
        }
        Err(format!(
            "unknown rule selector `{text}`: use a code (MLR101), a code prefix (MLR1), a rule name (mlrun-image-untagged) or ALL; `mlrun-lint rules` lists them"
        ))
    }

    /// Whether this selector names `rule` (for `per-file-ignores` and `noqa`).
    pub fn matches(&self, rule: &Rule) -> bool {
        self.specificity(rule).is_some()
    }

    /// How precisely this selector names `rule`, or `None` if it does not match.
    fn specificity(&self, rule: &Rule) -> Option<usize> {
        match self {
            Selector::All => Some(0),
            Selector::Prefix(prefix) => rule
                .code
                .starts_with(prefix.as_str())
                .then_some(prefix.len()),
            Selector::Name(name) => (rule.name == name).then_some(usize::MAX),
        }
    }
}

/// Parses a comma- or space-separated list of selectors, as given on the command line.
pub fn parse_list(items: &[String]) -> Result<Vec<Selector>, String> {
    items
        .iter()
        .flat_map(|item| item.split([',', ' ']))
        .filter(|item| !item.trim().is_empty())
        .map(Selector::parse)
        .collect()
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// `--select`: when given, replaces the default set.
    pub select: Option<Vec<Selector>>,
    pub extend_select: Vec<Selector>,
    pub ignore: Vec<Selector>,
}

impl Selection {
    pub fn is_enabled(&self, rule: &Rule) -> bool {
        let best =
            |selectors: &[Selector]| selectors.iter().filter_map(|s| s.specificity(rule)).max();
        let enabled =
            best(self.select.as_deref().unwrap_or_default()).max(best(&self.extend_select));
        let ignored = best(&self.ignore);
        match (enabled, ignored) {
            (Some(on), Some(off)) => on > off,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => self.select.is_none() && rule.enabled_by_default,
        }
    }

    /// The rules that run, in code order.
    pub fn enabled_rules(&self) -> Vec<&'static Rule> {
        rules::ALL
            .iter()
            .copied()
            .filter(|rule| self.is_enabled(rule))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(selection: &Selection) -> Vec<&'static str> {
        selection.enabled_rules().iter().map(|r| r.code).collect()
    }

    fn list(items: &[&str]) -> Vec<Selector> {
        parse_list(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn most_specific_selector_wins() {
        let selection = Selection {
            select: Some(list(&["MLR00"])),
            extend_select: vec![],
            ignore: list(&["MLR002"]),
        };
        assert_eq!(codes(&selection), ["MLR001", "MLR003", "MLR004"]);
        let selection = Selection {
            select: Some(list(&["MLR0"])),
            extend_select: list(&["mlr002"]),
            ignore: list(&["MLR00"]),
        };
        assert_eq!(codes(&selection), ["MLR002"]);
        // Off rules run only when a selector names them.
        let default = Selection::default();
        assert!(!codes(&default).contains(&"MLR106"));
        let selection = Selection {
            extend_select: list(&["MLR10"]),
            ..Selection::default()
        };
        assert!(codes(&selection).contains(&"MLR106"));
        let selection = Selection {
            select: Some(list(&["parse-error"])),
            ..Selection::default()
        };
        assert_eq!(codes(&selection), ["MLR001"]);
    }

    #[test]
    fn unknown_selectors_are_errors() {
        assert!(Selector::parse("MLR9").is_err());
        assert!(Selector::parse("E501").is_err());
        assert!(Selector::parse("no-such-rule").is_err());
        assert_eq!(Selector::parse("all"), Ok(Selector::All));
    }
}
