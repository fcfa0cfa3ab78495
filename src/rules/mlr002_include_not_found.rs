//! MLR002 include-not-found: `-r`, `-c` or `requirements_file` naming a missing file.

use super::{Check, Rule, Scope};
use crate::diagnostic::{Finding, Severity};
use crate::facts::{Fact, ProblemKind};

pub const RULE: Rule = Rule {
    code: "MLR002",
    name: "include-not-found",
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "`-r`/`-c`/`requirements_file` naming a file that does not exist",
    page: include_str!("../../rules/MLR002-include-not-found.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, _scope: &Scope) -> Option<Finding> {
    match fact {
        Fact::Problem(problem) if problem.kind == ProblemKind::IncludeNotFound => Some(Finding {
            span: problem.origin.span,
            message: problem.message.clone(),
            help: Some(
                "correct the path or add the file; the message says where it was looked for".into(),
            ),
            fix: None,
        }),
        _ => None,
    }
}
