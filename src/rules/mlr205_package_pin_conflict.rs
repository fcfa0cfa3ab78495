//! MLR205 package-pin-conflict: one package pinned to different versions inside one
//! function's requirement set.

use super::{why_then, Check, Member, RequirementSet, Rule, Scope, SetFinding};
use crate::diagnostic::{Finding, Severity};
use crate::facts::requirement::Spec;
use crate::facts::PackageFact;
use std::collections::BTreeMap;
use std::str::FromStr;

pub const RULE: Rule = Rule {
    code: "MLR205",
    name: "package-pin-conflict",
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "one package pinned to different versions inside one function's requirement set",
    page: include_str!("../../rules/MLR205-package-pin-conflict.md"),
    check: Check::Set(check),
};

fn check(set: &RequirementSet, _scope: &Scope) -> Vec<SetFinding> {
    let mut pins: BTreeMap<&str, Vec<(&Member<PackageFact>, &str)>> = BTreeMap::new();
    for member in &set.packages {
        if let (Some(name), Spec::Exact(version)) = (&member.fact.name, &member.fact.spec) {
            pins.entry(name.normalized.as_str())
                .or_default()
                .push((member, version.as_str()));
        }
    }
    let mut findings = Vec::new();
    for (_, mut pinned) in pins {
        pinned.sort_by(|(a, _), (b, _)| {
            (a.path, a.fact.origin.span).cmp(&(b.path, b.fact.origin.span))
        });
        let Some(&(first, first_version)) = pinned.first() else {
            continue;
        };
        for &(member, version) in &pinned[1..] {
            if same_version(version, first_version) {
                continue;
            }
            let name = member.fact.name.as_ref().map_or("", |n| n.written.as_str());
            let elsewhere = if member.path == first.path {
                "earlier in this file".to_string()
            } else {
                format!("in {}", first.path)
            };
            findings.push(SetFinding {
                file: member.file,
                finding: Finding {
                    span: member.fact.origin.span,
                    message: format!(
                        "`{name}` is pinned to {version} here but to {first_version} {elsewhere}"
                    ),
                    help: Some(why_then(
                        &format!(
                            "both are in the requirements of {}, so pip fails on the conflict \
                             or a later install silently replaces the earlier one",
                            set.owner
                        ),
                        &format!(
                            "pin `{name}` to one version everywhere the {} installs it",
                            if set.owner.starts_with("function") {
                                "function"
                            } else {
                                "file"
                            }
                        ),
                    )),
                    fix: None,
                },
            });
        }
    }
    findings
}

/// `1.0` and `1.0.0` are the same release; text that is not a version compares as text.
fn same_version(a: &str, b: &str) -> bool {
    match (
        pep440_rs::Version::from_str(a),
        pep440_rs::Version::from_str(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::requirement::{parse_requirement, SpanMap};

    fn package(text: &str, at: usize) -> PackageFact {
        parse_requirement(text)
            .unwrap()
            .into_fact(&SpanMap::slice(at), "requirements")
    }

    #[test]
    fn conflicting_pins_are_reported_at_each_later_pin() {
        let a = package("pandas==2.2.2", 0);
        let b = package("Pandas==2.1.0", 20);
        let c = package("pandas==2.2.2.0", 40);
        let d = package("numpy==1.26.4", 60);
        let member = |file, path, fact| Member { file, path, fact };
        let set = RequirementSet {
            owner: "function `train`".into(),
            packages: vec![
                member(1, "b/requirements.txt", &b),
                member(0, "a/function.yaml", &a),
                member(0, "a/function.yaml", &c),
                member(0, "a/function.yaml", &d),
            ],
            builds: vec![],
        };
        let findings = check(&set, &Scope::default());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].file, 1);
        assert_eq!(findings[0].finding.span, b.origin.span);
        assert_eq!(
            findings[0].finding.message,
            "`Pandas` is pinned to 2.1.0 here but to 2.2.2 in a/function.yaml"
        );
    }
}
