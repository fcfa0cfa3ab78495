//! MLR004 unused-noqa (off by default; an addition to the contract's table): a
//! `noqa` directive that suppressed nothing.
//!
//! No fact holds a suppression, and whether one is used is only known after every
//! other rule has run on the file, so this rule is [`Check::Engine`]: the engine
//! makes its findings ([`crate::suppress::apply`]) when the rule is enabled for the
//! file, and honours its severity overrides and per-file ignores like any rule's.

use super::{Check, Rule};
use crate::diagnostic::Severity;

pub const RULE: Rule = Rule {
    code: "MLR004",
    name: "unused-noqa",
    severity: Severity::Warning,
    enabled_by_default: false,
    summary: "a `# noqa` suppression that suppressed nothing",
    page: include_str!("../../rules/MLR004-unused-noqa.md"),
    check: Check::Engine,
};
