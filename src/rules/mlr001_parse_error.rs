//! MLR001 parse-error: a recognised file that cannot be parsed. The scan goes on.

use super::{Check, Rule, Scope};
use crate::diagnostic::{Finding, Severity};
use crate::facts::{Fact, ProblemKind};

pub const RULE: Rule = Rule {
    code: "MLR001",
    name: "parse-error",
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "a file recognised as an MLRun spec, requirements file, notebook or Dockerfile that cannot be parsed",
    page: include_str!("../../rules/MLR001-parse-error.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, _scope: &Scope) -> Option<Finding> {
    match fact {
        Fact::Problem(problem) if problem.kind == ProblemKind::Parse => Some(Finding {
            span: problem.origin.span,
            message: problem.message.clone(),
            help: Some(
                "fix the syntax error; nothing else in this part of the file was checked".into(),
            ),
            fix: None,
        }),
        Fact::Problem(problem) if problem.kind == ProblemKind::ReaderFailed => Some(Finding {
            span: problem.origin.span,
            message: problem.message.clone(),
            help: Some(
                "a bug in mlrun-lint or a parser it uses, not necessarily in the file: nothing in \
                 this file was checked; please report it with the file"
                    .into(),
            ),
            fix: None,
        }),
        _ => None,
    }
}
