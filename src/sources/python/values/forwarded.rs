//! Which parameters of a module-level function an SDK argument forwards: what
//! makes the function a wrapper that the project's other modules call as they
//! would the SDK (`register_function(project, "src/train.py", image="…")` in
//! `project_setup.py`, defined in `helpers.py`).
//!
//! Only a parameter whose value *is* the argument's value counts (through local
//! names, `or`, conditional expressions), or for a list argument a part of the
//! list (`BASE + (extra or [])`, `[*extra, "x"]`, `reqs.extend(extra)`,
//! `list(extra)`). A
//! parameter that only goes into a composed string (`f"{registry}/app"`) is not
//! forwarded: a literal passed for it is not the value the SDK gets.

use super::{Binding, ScopeId};
use super::{BindingKind, Slot, Values, MAX_STEPS, MAX_VALUE_DEPTH, MODULE};
use ruff_python_ast::{Expr, Operator};
use ruff_text_size::{Ranged, TextSize};
use std::collections::HashSet;

/// A parameter of a module-level function that reaches an SDK argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(in crate::sources::python) struct Forwarded<'a> {
    pub(in crate::sources::python) function: &'a str,
    pub(in crate::sources::python) parameter: &'a str,
    /// Its position among the positional parameters; `None` for keyword-only.
    pub(in crate::sources::python) position: Option<usize>,
}

/// One look-up in progress: what was already followed, and how deep.
struct Trace<'a> {
    seen: HashSet<(ScopeId, &'a str, TextSize)>,
    depth: usize,
}

impl<'a> Values<'a> {
    /// The parameters of module-level functions that `expr` (in `scope`) may
    /// forward: its whole value, or with `list` also a part of the list.
    pub(in crate::sources::python) fn forwarded(
        &self,
        expr: &'a Expr,
        scope: ScopeId,
        list: bool,
    ) -> Vec<Forwarded<'a>> {
        let mut out = Vec::new();
        let mut trace = Trace {
            seen: HashSet::new(),
            depth: 0,
        };
        self.forwarded_into(expr, scope, list, &mut trace, &mut out);
        out.dedup();
        out
    }

    fn forwarded_into(
        &self,
        expr: &'a Expr,
        scope: ScopeId,
        list: bool,
        trace: &mut Trace<'a>,
        out: &mut Vec<Forwarded<'a>>,
    ) {
        let steps = self.steps.get() + 1;
        self.steps.set(steps);
        if steps > MAX_STEPS || trace.depth >= MAX_VALUE_DEPTH {
            return;
        }
        trace.depth += 1;
        let mut follow = |expr: &'a Expr, trace: &mut Trace<'a>| {
            self.forwarded_into(expr, scope, list, trace, out)
        };
        match expr {
            Expr::Name(name) => {
                let id = name.id.as_str();
                for binding in self.reaching(id, expr.range().start(), scope) {
                    if !trace.seen.insert((binding.scope, id, binding.start)) {
                        continue;
                    }
                    self.binding_forwards(binding, list, trace, out);
                }
            }
            Expr::BoolOp(bool_op) => {
                for value in &bool_op.values {
                    follow(value, trace);
                }
            }
            Expr::If(conditional) => {
                follow(&conditional.body, trace);
                follow(&conditional.orelse, trace);
            }
            Expr::Named(named) => follow(&named.value, trace),
            Expr::BinOp(bin) if list && bin.op == Operator::Add => {
                follow(&bin.left, trace);
                follow(&bin.right, trace);
            }
            Expr::List(ruff_python_ast::ExprList { elts, .. })
            | Expr::Tuple(ruff_python_ast::ExprTuple { elts, .. })
                if list =>
            {
                for elt in elts {
                    follow(elt, trace);
                }
            }
            Expr::Starred(starred) if list => follow(&starred.value, trace),
            // `list(requirements)`, `tuple(commands)`: a copy of the parameter.
            Expr::Call(call) if list && call.arguments.keywords.is_empty() => {
                let copies = matches!(&*call.func, Expr::Name(f) if matches!(f.id.as_str(), "list" | "tuple"));
                if let (true, [arg]) = (copies, &*call.arguments.args) {
                    follow(arg, trace);
                }
            }
            _ => {}
        }
        trace.depth -= 1;
    }

    fn binding_forwards(
        &self,
        binding: &Binding<'a>,
        list: bool,
        trace: &mut Trace<'a>,
        out: &mut Vec<Forwarded<'a>>,
    ) {
        let scope = binding.scope;
        match (&binding.kind, list) {
            (BindingKind::Value(value), _) => self.forwarded_into(value, scope, list, trace, out),
            (BindingKind::Add(before, added), true) => {
                self.forwarded_into(before, scope, list, trace, out);
                self.forwarded_into(added, scope, list, trace, out);
            }
            (BindingKind::Push(value) | BindingKind::Extend(value), true) => {
                self.forwarded_into(value, scope, list, trace, out)
            }
            (BindingKind::Param(function, Slot::Named { name, position, .. }), _) => {
                let function = &self.functions[*function];
                if function.outer == MODULE && function.method.is_none() {
                    out.push(Forwarded {
                        function: function.name,
                        parameter: name,
                        position: *position,
                    });
                }
            }
            _ => {}
        }
    }

    /// The bindings of `id` that may reach a use at `at` in `scope`: in the scope
    /// Python looks it up in ([`Values::binding_scope`]), those before the use or
    /// in a loop around it, or all of them when read from an enclosing scope.
    /// Mutations in the scope of the use count too.
    fn reaching(&self, id: &str, at: TextSize, scope: ScopeId) -> Vec<&Binding<'a>> {
        let Some((s, first)) = self.binding_scope(id, scope) else {
            return Vec::new();
        };
        let in_scope = self.scopes[s].bindings.get(id).into_iter().flatten();
        let mut out: Vec<&Binding<'a>> = in_scope
            .filter(|b| !first || b.end <= at || b.in_loop.is_some_and(|l| l.contains(at)))
            .collect();
        if !first {
            if let Some(mutations) = self.scopes[scope].bindings.get(id) {
                out.extend(mutations.iter().filter(|b| b.end <= at));
            }
        }
        out
    }
}
