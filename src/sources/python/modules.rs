//! What a Python module offers the project's other modules (its wrappers of the
//! SDK) and what it takes from them (its imports), so that a wrapper defined in
//! `helpers.py` is judged at its calls in `project_setup.py` as one defined in
//! the same file is.
//!
//! The reader records both in an [`Interface`]; the engine resolves the imports
//! to files of the tree and hands each importing module a [`Linked`] naming the
//! wrappers it can call, and each exporting module the functions called from
//! elsewhere.

use super::Param;
use ruff_python_ast::{Expr, Stmt};
use std::collections::{HashMap, HashSet};

/// A module-level function whose parameters reach SDK arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wrapper {
    function: String,
    forwards: Vec<Forward>,
}

/// One parameter of a wrapper and the SDK argument it reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Forward {
    pub(super) parameter: String,
    /// Its position among the positional parameters; `None` for keyword-only.
    pub(super) position: Option<usize>,
    pub(super) param: Param,
    /// The SDK call it reaches (`set_function`), for the finding's field.
    pub(super) sdk: &'static str,
}

impl Wrapper {
    pub(super) fn new(function: String) -> Self {
        Wrapper {
            function,
            forwards: Vec::new(),
        }
    }

    /// The function's name.
    pub fn function(&self) -> &str {
        &self.function
    }

    pub(super) fn forwards(&self) -> &[Forward] {
        &self.forwards
    }

    pub(super) fn add(&mut self, forward: Forward) {
        if !self.forwards.contains(&forward) {
            self.forwards.push(forward);
        }
    }
}

/// An import of a module that may be the project's own: `from helpers import
/// register_function [as r]`, `from .helpers import …`, `import helpers [as h]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// The dotted module, as written after `from` or `import` (empty for `from . import x`).
    pub module: String,
    /// Leading dots of a relative import.
    pub level: u32,
    /// The imported name of a `from` import (a function, or a submodule).
    pub name: Option<String>,
    /// The name the import binds in the importing module, as calls use it:
    /// the alias or the name of a `from` import, the alias or the dotted module
    /// of an `import`.
    pub bound: String,
}

impl Import {
    /// The imports of modules other than MLRun's that `stmt` makes.
    pub(super) fn of(stmt: &Stmt) -> Vec<Import> {
        match stmt {
            Stmt::Import(import) => import
                .names
                .iter()
                .filter(|alias| is_project_candidate(alias.name.id.as_str()))
                .map(|alias| Import {
                    module: alias.name.id.to_string(),
                    level: 0,
                    name: None,
                    bound: alias
                        .asname
                        .as_ref()
                        .map_or_else(|| alias.name.id.to_string(), |a| a.id.to_string()),
                })
                .collect(),
            Stmt::ImportFrom(import) => {
                let module = import.module.as_ref().map_or("", |m| m.id.as_str());
                if import.level == 0 && !is_project_candidate(module) {
                    return Vec::new();
                }
                import
                    .names
                    .iter()
                    .filter(|alias| alias.name.id.as_str() != "*")
                    .map(|alias| Import {
                        module: module.to_string(),
                        level: import.level,
                        name: Some(alias.name.id.to_string()),
                        bound: alias
                            .asname
                            .as_ref()
                            .map_or_else(|| alias.name.id.to_string(), |a| a.id.to_string()),
                    })
                    .collect()
            }
            _ => Vec::new(),
        }
    }
}

fn is_project_candidate(module: &str) -> bool {
    let top = module.split('.').next().unwrap_or_default();
    !matches!(top, "" | "mlrun" | "__future__")
}

/// What reading a module found that other modules need.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Interface {
    pub wrappers: Vec<Wrapper>,
    pub imports: Vec<Import>,
}

impl Interface {
    /// No wrapper and no import.
    pub const EMPTY: Interface = Interface {
        wrappers: Vec::new(),
        imports: Vec::new(),
    };

    /// No wrapper to offer other modules and no import to follow.
    pub fn is_empty(&self) -> bool {
        self.wrappers.is_empty() && self.imports.is_empty()
    }
}

/// What the project's other modules give the module being read: the wrappers it
/// can call, by the name the calls use (`register_function`,
/// `helpers.register_function`), and its own functions that they call.
#[derive(Clone, Debug, Default)]
pub struct Linked {
    wrappers: HashMap<String, Wrapper>,
    called_elsewhere: HashSet<String>,
}

impl Linked {
    pub fn is_empty(&self) -> bool {
        self.wrappers.is_empty() && self.called_elsewhere.is_empty()
    }

    /// `wrapper`, callable as `call` (`register_function`, `h.register_function`).
    pub fn import(&mut self, call: String, wrapper: Wrapper) {
        self.wrappers.insert(call, wrapper);
    }

    /// This module's function `function` is called from another module.
    pub fn called_elsewhere(&mut self, function: &str) {
        self.called_elsewhere.insert(function.to_string());
    }

    pub(super) fn functions_called_elsewhere(&self) -> impl Iterator<Item = String> + '_ {
        self.called_elsewhere.iter().cloned()
    }

    /// The wrapper a call of `callee` (`f(...)`, `helpers.f(...)`) reaches.
    pub(super) fn wrapper(&self, callee: &Expr) -> Option<&Wrapper> {
        if self.wrappers.is_empty() {
            return None;
        }
        self.wrappers.get(&dotted(callee)?)
    }
}

/// `a.b.c` for a name or a chain of attributes on a name.
pub(super) fn dotted(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(name) => Some(name.id.to_string()),
        Expr::Attribute(attribute) => Some(format!(
            "{}.{}",
            dotted(&attribute.value)?,
            attribute.attr.id
        )),
        _ => None,
    }
}
