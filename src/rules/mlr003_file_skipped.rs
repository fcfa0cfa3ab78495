//! MLR003 file-skipped: a candidate file that was not checked. Nothing is skipped silently.

use super::{Check, Rule, Scope};
use crate::diagnostic::{Finding, Severity};
use crate::facts::{Fact, ProblemKind};

pub const RULE: Rule = Rule {
    code: "MLR003",
    name: "file-skipped",
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "a candidate file not checked (too large, not UTF-8, unreadable)",
    page: include_str!("../../rules/MLR003-file-skipped.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, _scope: &Scope) -> Option<Finding> {
    match fact {
        Fact::Problem(problem) if problem.kind == ProblemKind::Skipped => Some(Finding {
            span: problem.origin.span,
            message: problem.message.clone(),
            help: Some(
                "this file was not checked; images and packages in it may be unpinned".into(),
            ),
            fix: None,
        }),
        _ => None,
    }
}
