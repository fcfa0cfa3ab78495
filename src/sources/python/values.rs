//! Value flow in Python: what string, list or dict an SDK argument can hold, as far
//! as the file (or the notebook's earlier cells) shows.
//!
//! MLRun projects are written as `def setup(project):` bodies with local variables,
//! small wrappers around `project.set_function`, `if gpu: … else: …`, lists built
//! with `+`/`.append` and configuration dicts. An argument therefore resolves to a
//! small *set* of possible values ([`Str`]), each a literal with its span, a string
//! composed of known parts, or an unknown with the reason it is unknown.
//!
//! Written by hand, not on `ruff_python_semantic`: that crate (0.0.10) has no binder
//! of its own (its `SemanticModel` is filled by `ruff_linter`'s checker, which is not
//! published), so using it would mean writing this visitor anyway, and it propagates
//! no values.
//!
//! The analysis is deliberately simple and errs towards "more values":
//! - **Scopes**: the module, each function body and each class body, with Python's
//!   lookup (a function skips enclosing class bodies; `global` names go to the
//!   module). A name resolves in the innermost scope that binds it.
//! - **Reaching definitions, flow-insensitively**: in the scope of the use, every
//!   binding that ends before the use reaches it, and so does every binding in a
//!   loop around the use; both branches of an `if`, `try`/`except` and `match` are
//!   therefore kept. A name read from an enclosing scope (a global in a function)
//!   takes *all* of that scope's bindings, since the function may run at any time.
//! - **Parameters** take what the file's calls of their function pass (judged at
//!   the call), or their default where a call passes nothing; a function the file
//!   never calls gets its defaults, and a parameter without one is unknown.
//! - **Limits**: [`MAX_VALUES`] values per use, [`MAX_VALUE_DEPTH`] nested
//!   resolutions, [`MAX_STEPS`] resolution steps per file. Hitting one gives an
//!   unknown value naming the limit (MLR108 for an image), never a hang.

use crate::span::Span;
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{
    BoolOp, Expr, ExprCall, InterpolatedStringElement, Operator, Parameters, Stmt, StmtFunctionDef,
    StringLiteral,
};
use ruff_text_size::{Ranged, TextRange, TextSize};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

mod forwarded;

/// Possible values one use may resolve to; more are cut, with an unknown naming
/// the limit.
pub const MAX_VALUES: usize = 64;
/// Nested resolutions (a name bound to a name bound to …, a wrapper calling a
/// wrapper) followed for one use.
pub const MAX_VALUE_DEPTH: usize = 32;
/// Resolution steps for a whole file (each expression followed and each binding
/// read is one): 100,000 assignments to one name read 100,000 times cannot take
/// quadratic time.
pub const MAX_STEPS: usize = 2_000_000;

/// Marks the MLRun client's version (`mlrun.__version__`, `mlrun.get_version()`)
/// inside a composed value. Never in a Python string literal's value read here.
pub(super) const CLIENT_VERSION: char = '\u{1}';

pub(super) type ScopeId = usize;
const MODULE: ScopeId = 0;

/// One possible string value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Str {
    /// A string literal: decoded value, the whole literal, and its content bytes
    /// when they are exactly the value.
    Literal {
        value: String,
        span: Span,
        edit: Option<Span>,
    },
    /// A string built from known parts (f-string, `+`, `.format`). `pieces` maps
    /// offsets in `value` to where they were written.
    Composed {
        value: String,
        whole: Span,
        pieces: Vec<(usize, Span)>,
    },
    /// `None`.
    Absent,
    /// Known only at run time.
    Unknown {
        text: String,
        span: Span,
        reason: String,
    },
}

impl Str {
    /// For a composed value, the written literal holding byte `offset` of the value
    /// (else the whole expression): where a finding about that part belongs.
    pub(super) fn anchor(whole: Span, pieces: &[(usize, Span)], offset: usize) -> Span {
        pieces
            .iter()
            .rev()
            .find(|(start, _)| *start <= offset)
            .map_or(whole, |(_, span)| *span)
    }
}

/// An expression together with the scope its names resolve in.
#[derive(Clone, Copy)]
pub(super) struct At<'a> {
    pub(super) expr: &'a Expr,
    pub(super) scope: ScopeId,
}

/// What a container resolution yields.
enum Elem<'a> {
    /// One item of a list (or one value a dict key maps to).
    Item(At<'a>),
    /// The value is not a list at all (a single string, `None`).
    Whole(At<'a>),
    Unknown(Str),
}

enum BindingKind<'a> {
    Value(&'a Expr),
    /// `x += e`: the target (read where it stands, for the value before) and `e`.
    Add(&'a Expr, &'a Expr),
    /// `x.append(e)`, `x.insert(i, e)`.
    Push(&'a Expr),
    /// `x.extend(e)`.
    Extend(&'a Expr),
    /// `x["key"] = e`.
    Key(String, &'a Expr),
    /// `x.update(...)`: the call, read like `dict(...)`.
    Update(&'a ExprCall),
    /// `a, b = e`: position `index` of `e`.
    Unpack(&'a Expr, usize),
    /// `for target in iter`: the loop value, then the positions `path` in it.
    For(&'a Expr, Vec<usize>),
    Param(usize, Slot<'a>),
    Def,
    Class(ScopeId),
    Unknown(String),
}

#[derive(Clone, Copy)]
enum Slot<'a> {
    /// A named parameter: its name, its position (`None` for keyword-only) and
    /// its default.
    Named {
        name: &'a str,
        position: Option<usize>,
        default: Option<&'a Expr>,
    },
    VarArgs,
    VarKeywords,
}

struct Binding<'a> {
    /// Where the binding's statement starts.
    start: TextSize,
    /// Where the binding is complete: uses after it see it.
    end: TextSize,
    /// The statement list the binding's statement stands in: a later plain
    /// assignment in the same list hides it from the uses after that assignment.
    block: TextRange,
    /// A plain assignment statement (not a loop variable, a walrus, a mutation).
    kills: bool,
    /// The outermost loop around the binding in its scope.
    in_loop: Option<TextRange>,
    scope: ScopeId,
    kind: BindingKind<'a>,
}

struct Scope<'a> {
    parent: Option<ScopeId>,
    is_class: bool,
    /// A class body's class name.
    class_name: Option<&'a str>,
    bindings: HashMap<&'a str, Vec<Binding<'a>>>,
    globals: HashSet<&'a str>,
}

struct Function<'a> {
    name: &'a str,
    def: &'a StmtFunctionDef,
    /// Where the `def` stands (defaults are evaluated there).
    outer: ScopeId,
    /// A method, with its class's name: calls as `x.name(...)` on an instance pass
    /// `self` implicitly.
    method: Option<&'a str>,
}

/// The value analysis of one module.
pub(super) struct Values<'a> {
    text: &'a str,
    scopes: Vec<Scope<'a>>,
    functions: Vec<Function<'a>>,
    /// Calls by the called name (`f(...)` and `x.f(...)`), with their scope.
    calls: HashMap<&'a str, Vec<(&'a ExprCall, ScopeId, bool)>>,
    /// The scope a `def`/`class` statement opens, by its start.
    opened: HashMap<TextSize, ScopeId>,
    steps: Cell<usize>,
    /// Literals that went into a composed value: a fix on them would change it.
    composed_literals: RefCell<HashSet<Span>>,
    /// Module-level functions that other modules of the project call: their
    /// parameters are judged at those calls, their defaults here.
    called_elsewhere: HashSet<String>,
}

/// The state of one resolution: how deep it is and what it is already resolving.
#[derive(Default)]
struct Walk {
    depth: usize,
    /// The names being resolved, by scope, name and demand.
    active: Vec<(ScopeId, u64)>,
}

impl<'a> Values<'a> {
    pub(super) fn new(text: &'a str, body: &'a [Stmt]) -> Self {
        let mut binder = Binder {
            values: Values {
                text,
                scopes: vec![Scope {
                    parent: None,
                    is_class: false,
                    class_name: None,
                    bindings: HashMap::new(),
                    globals: HashSet::new(),
                }],
                functions: Vec::new(),
                calls: HashMap::new(),
                opened: HashMap::new(),
                steps: Cell::new(0),
                composed_literals: RefCell::new(HashSet::new()),
                called_elsewhere: HashSet::new(),
            },
            scope: MODULE,
            loops: Vec::new(),
            depth: 0,
            statement: (TextSize::default(), TextRange::default()),
            block: TextRange::default(),
        };
        binder.visit_body(body);
        binder.values
    }

    /// Marks module-level functions as called from other modules of the project.
    pub(super) fn called_elsewhere(&mut self, functions: impl IntoIterator<Item = String>) {
        self.called_elsewhere.extend(functions);
    }

    /// Whether the module calls through the name an import binds: `bound(...)`,
    /// or for an imported module `bound.f(...)`.
    pub(super) fn calls_through(&self, bound: &str, module: bool) -> bool {
        if !module {
            return self
                .calls
                .get(bound)
                .is_some_and(|calls| calls.iter().any(|(_, _, attribute)| !attribute));
        }
        self.calls
            .values()
            .flatten()
            .any(|(call, _, _)| match &*call.func {
                Expr::Attribute(method) => {
                    super::modules::dotted(&method.value).is_some_and(|d| d == bound)
                }
                _ => false,
            })
    }

    /// The scope a `def` or `class` statement starting at `start` opens.
    pub(super) fn scope_opened_at(&self, start: TextSize) -> Option<ScopeId> {
        self.opened.get(&start).copied()
    }

    pub(super) fn module_scope() -> ScopeId {
        MODULE
    }

    /// The literal around `edit` that went into a composed value, if one did:
    /// editing it would change that value too.
    pub(super) fn composed_literal_containing(&self, edit: Span) -> Option<Span> {
        self.composed_literals
            .borrow()
            .iter()
            .find(|span| span.start <= edit.start && edit.end <= span.end)
            .copied()
    }

    /// Every string value `expr` (in `scope`) may hold.
    pub(super) fn strings(&self, expr: &'a Expr, scope: ScopeId) -> Vec<Str> {
        let mut out = self.strings_in(At { expr, scope }, &mut Walk::default());
        cap(&mut out, expr, self);
        out
    }

    /// The items of the list `expr` may hold: `Ok` with each item's values, or
    /// `Err` with the values of a non-list (a single string).
    pub(super) fn items(&self, expr: &'a Expr, scope: ScopeId) -> (Vec<Str>, Vec<Str>) {
        let mut walk = Walk::default();
        let (mut items, mut single) = (Vec::new(), Vec::new());
        for elem in self.elems(At { expr, scope }, &mut walk) {
            match elem {
                Elem::Item(at) => items.extend(self.strings_in(at, &mut walk)),
                Elem::Whole(at) => single.extend(self.strings_in(at, &mut walk)),
                Elem::Unknown(_) => {}
            }
        }
        cap(&mut items, expr, self);
        cap(&mut single, expr, self);
        (items, single)
    }

    /// The values keyword `key` takes from a `**expr` argument (a dict literal, a
    /// `dict(...)` call, or a name bound to them).
    pub(super) fn keyword(&self, expr: &'a Expr, scope: ScopeId, key: &str) -> Vec<At<'a>> {
        self.entries(At { expr, scope }, Some(key), &mut Walk::default())
            .into_iter()
            .filter_map(|elem| match elem {
                Elem::Item(at) => Some(at),
                _ => None,
            })
            .collect()
    }

    fn source(&self, range: TextRange) -> String {
        self.text
            .get(range.start().to_usize()..range.end().to_usize())
            .unwrap_or_default()
            .to_string()
    }

    fn unknown(&self, expr: &Expr, reason: impl Into<String>) -> Str {
        self.unknown_at(expr.range(), reason)
    }

    fn unknown_at(&self, range: TextRange, reason: impl Into<String>) -> Str {
        Str::Unknown {
            text: self.source(range),
            span: span_of(range),
            reason: reason.into(),
        }
    }

    /// One more step of the file's budget, and one level deeper; `Err` with the
    /// unknown to return when a limit is hit.
    fn enter(&self, expr: &Expr, walk: &mut Walk) -> Result<(), Str> {
        let steps = self.steps.get() + 1;
        self.steps.set(steps);
        if steps > MAX_STEPS {
            return Err(self.unknown(
                expr,
                format!("a value not followed: the file's {MAX_STEPS} resolution steps (MAX_STEPS) are used up"),
            ));
        }
        if walk.depth >= MAX_VALUE_DEPTH {
            return Err(self.unknown(
                expr,
                format!("a value not followed: more than {MAX_VALUE_DEPTH} definitions deep (MAX_VALUE_DEPTH)"),
            ));
        }
        walk.depth += 1;
        Ok(())
    }

    fn strings_in(&self, at: At<'a>, walk: &mut Walk) -> Vec<Str> {
        if let Err(limit) = self.enter(at.expr, walk) {
            return vec![limit];
        }
        let out = self.strings_of(at, walk);
        walk.depth -= 1;
        out
    }

    fn strings_of(&self, at: At<'a>, walk: &mut Walk) -> Vec<Str> {
        let At { expr, scope } = at;
        match expr {
            Expr::StringLiteral(literal) => vec![self.literal(literal)],
            Expr::NoneLiteral(_) => vec![Str::Absent],
            Expr::Name(name) => {
                let id = name.id.as_str();
                self.following(
                    (id, expr.range().start()),
                    scope,
                    Demand::Value,
                    walk,
                    |walk| {
                        let elems = self.name_values(id, expr, scope, walk, Demand::Value);
                        self.elem_strings(elems, walk)
                    },
                )
            }
            Expr::If(conditional) => {
                let mut out = self.strings_in(at.with(&conditional.body), walk);
                out.extend(self.strings_in(at.with(&conditional.orelse), walk));
                out
            }
            Expr::BoolOp(bool_op) if bool_op.op == BoolOp::Or => {
                let mut out = Vec::new();
                for value in &bool_op.values {
                    // `x or "default"`: a falsy `None` or `""` gives way to the next.
                    out.extend(
                        self.strings_in(at.with(value), walk)
                            .into_iter()
                            .filter(|s| !matches!(s, Str::Absent)),
                    );
                }
                out
            }
            Expr::Named(named) => self.strings_in(at.with(&named.value), walk),
            Expr::FString(fstring) => {
                let mut parts = Vec::new();
                for part in fstring.value.iter() {
                    match part {
                        ruff_python_ast::FStringPart::Literal(literal) => {
                            parts.push(vec![Str::Literal {
                                value: literal.value.to_string(),
                                span: span_of(expr.range()),
                                edit: None,
                            }]);
                        }
                        ruff_python_ast::FStringPart::FString(f) => {
                            for element in f.elements.iter() {
                                match element {
                                    InterpolatedStringElement::Literal(literal) => {
                                        parts.push(vec![Str::Literal {
                                            value: literal.value.to_string(),
                                            span: span_of(expr.range()),
                                            edit: None,
                                        }]);
                                    }
                                    InterpolatedStringElement::Interpolation(element) => {
                                        if element.format_spec.is_some()
                                            || element.debug_text.is_some()
                                        {
                                            return vec![self.unknown(
                                                expr,
                                                "an f-string with a format specification",
                                            )];
                                        }
                                        let mut values =
                                            self.strings_in(at.with(&element.expression), walk);
                                        // Written inside the f-string: a finding about
                                        // it belongs to the f-string.
                                        for value in &mut values {
                                            if let Str::Literal { span, .. } = value {
                                                *span = span_of(expr.range());
                                            }
                                        }
                                        parts.push(values);
                                    }
                                }
                            }
                        }
                    }
                }
                self.compose(expr, parts, "an f-string")
            }
            Expr::BinOp(bin) if bin.op == Operator::Add => {
                let left = self.strings_in(at.with(&bin.left), walk);
                let right = self.strings_in(at.with(&bin.right), walk);
                self.compose(expr, vec![left, right], "a computed string")
            }
            Expr::Attribute(_) => {
                if is_client_version(expr) {
                    return vec![self.client_version(expr)];
                }
                if let Some(elems) = self.class_attribute(at, walk) {
                    let out = self.elem_strings(elems, walk);
                    if !out.is_empty() {
                        return out;
                    }
                }
                vec![self.unknown(expr, "an attribute")]
            }
            Expr::Call(call) => self.call_strings(at, call, walk),
            Expr::Subscript(subscript) => {
                if let Some(variable) = environ_subscript(expr) {
                    return vec![self.unknown(expr, format!("environment variable {variable}"))];
                }
                let Expr::StringLiteral(key) = &*subscript.slice else {
                    return vec![self.unknown(expr, "a subscript")];
                };
                let elems = self.entries(at.with(&subscript.value), Some(key.value.to_str()), walk);
                self.elem_strings(elems, walk)
            }
            Expr::TString(_) => vec![self.unknown(expr, "a t-string")],
            _ => vec![self.unknown(expr, "a Python expression")],
        }
    }

    /// What `Config.IMAGE` holds when `Config` is a class of this file: every
    /// binding of `IMAGE` in the class body (strings and lists alike); `None` for
    /// any other attribute (`self.image`, `cfg.image`), which stays unknown.
    fn class_attribute(&self, at: At<'a>, walk: &mut Walk) -> Option<Vec<Elem<'a>>> {
        let Expr::Attribute(attribute) = at.expr else {
            return None;
        };
        let Expr::Name(class) = &*attribute.value else {
            return None;
        };
        let classes: Vec<ScopeId> = self
            .name_values(
                class.id.as_str(),
                &attribute.value,
                at.scope,
                walk,
                Demand::Class,
            )
            .into_iter()
            .filter_map(|elem| match elem {
                Elem::Item(class_at) => Some(class_at.scope),
                _ => None,
            })
            .collect();
        if classes.is_empty() {
            return None;
        }
        let mut out = Vec::new();
        for class_scope in classes {
            out.extend(self.bindings_of(
                attribute.attr.id.as_str(),
                at.expr,
                class_scope,
                Reach::All,
                walk,
                Demand::Value,
            ));
        }
        Some(out)
    }

    fn elem_strings(&self, elems: Vec<Elem<'a>>, walk: &mut Walk) -> Vec<Str> {
        let mut out = Vec::new();
        for elem in elems {
            match elem {
                Elem::Item(at) | Elem::Whole(at) => out.extend(self.strings_in(at, walk)),
                Elem::Unknown(unknown) => out.push(unknown),
            }
        }
        out
    }

    fn call_strings(&self, at: At<'a>, call: &'a ExprCall, walk: &mut Walk) -> Vec<Str> {
        let expr = at.expr;
        if is_client_version(expr) {
            return vec![self.client_version(expr)];
        }
        if let Some(variable) = environ_get(call) {
            let name = match variable {
                Expr::StringLiteral(name) => name.value.to_string(),
                other => self.source(other.range()),
            };
            return match call.arguments.args.get(1) {
                // Judged like a Dockerfile `ARG` default: what runs when nothing
                // overrides it.
                Some(default) => self.strings_in(at.with(default), walk),
                None => vec![self.unknown(expr, format!("environment variable {name}"))],
            };
        }
        let Expr::Attribute(method) = &*call.func else {
            return vec![self.unknown(expr, "a function call")];
        };
        match method.attr.id.as_str() {
            // `cfg.get("image")`, `cfg.get("image", "default")`.
            "get" if matches!(call.arguments.args.first(), Some(Expr::StringLiteral(_))) => {
                let Some(Expr::StringLiteral(key)) = call.arguments.args.first() else {
                    return Vec::new();
                };
                let elems = self.entries(at.with(&method.value), Some(key.value.to_str()), walk);
                let mut out = self.elem_strings(elems, walk);
                match call.arguments.args.get(1) {
                    Some(default) => out.extend(self.strings_in(at.with(default), walk)),
                    None if out.is_empty() => out.push(Str::Absent),
                    None => {}
                }
                out
            }
            "format" if call.arguments.keywords.is_empty() => {
                let Expr::StringLiteral(template) = &*method.value else {
                    return vec![self.unknown(expr, "a function call")];
                };
                let Some(fields) = format_fields(template.value.to_str()) else {
                    return vec![self.unknown(expr, "a `.format` call")];
                };
                let template_span = span_of(template.range);
                let mut parts = Vec::new();
                let mut next = 0;
                for field in fields {
                    match field {
                        Field::Text(text) => parts.push(vec![Str::Literal {
                            value: text,
                            span: template_span,
                            edit: None,
                        }]),
                        Field::Argument(index) => {
                            let index = index.unwrap_or_else(|| {
                                next += 1;
                                next - 1
                            });
                            match call.arguments.args.get(index) {
                                Some(arg) if !matches!(arg, Expr::Starred(_)) => {
                                    parts.push(self.strings_in(at.with(arg), walk))
                                }
                                _ => return vec![self.unknown(expr, "a `.format` call")],
                            }
                        }
                    }
                }
                self.compose(expr, parts, "a `.format` call")
            }
            _ => vec![self.unknown(expr, "a function call")],
        }
    }

    fn client_version(&self, expr: &Expr) -> Str {
        Str::Composed {
            value: CLIENT_VERSION.to_string(),
            whole: span_of(expr.range()),
            pieces: Vec::new(),
        }
    }

    /// The concatenation of `parts`, each a set of values: every combination, up to
    /// [`MAX_VALUES`].
    fn compose(&self, expr: &Expr, parts: Vec<Vec<Str>>, what: &str) -> Vec<Str> {
        self.compose_at(expr.range(), parts, what)
    }

    fn compose_at(&self, range: TextRange, parts: Vec<Vec<Str>>, what: &str) -> Vec<Str> {
        let whole = span_of(range);
        let mut combos: Vec<(String, Vec<(usize, Span)>)> = vec![(String::new(), Vec::new())];
        for part in parts {
            if let Some(Str::Unknown { text, reason, .. }) =
                part.iter().find(|s| matches!(s, Str::Unknown { .. }))
            {
                // Say what the unknown part is once, not through every layer.
                let reason = if reason.contains(" whose `") {
                    reason.clone()
                } else {
                    format!("{what} whose `{text}` is {reason}")
                };
                return vec![self.unknown_at(range, reason)];
            }
            if part.iter().any(|s| matches!(s, Str::Absent)) {
                return vec![
                    self.unknown_at(range, format!("{what} with a part that may be `None`"))
                ];
            }
            let mut next = Vec::new();
            for (value, pieces) in &combos {
                for piece in &part {
                    let mut value = value.clone();
                    let mut pieces = pieces.clone();
                    match piece {
                        Str::Literal {
                            value: text, span, ..
                        } => {
                            if *span != whole {
                                self.composed_literals.borrow_mut().insert(*span);
                            }
                            pieces.push((value.len(), *span));
                            value.push_str(text);
                        }
                        Str::Composed {
                            value: text,
                            pieces: inner,
                            ..
                        } => {
                            let base = value.len();
                            pieces.extend(inner.iter().map(|(at, span)| (base + at, *span)));
                            if inner.is_empty() {
                                pieces.push((base, whole));
                            }
                            value.push_str(text);
                        }
                        Str::Absent | Str::Unknown { .. } => {}
                    }
                    next.push((value, pieces));
                    if next.len() > MAX_VALUES {
                        return vec![self.unknown_at(
                            range,
                            format!(
                                "{what} with more than {MAX_VALUES} possible values (MAX_VALUES)"
                            ),
                        )];
                    }
                }
            }
            combos = next;
        }
        combos
            .into_iter()
            .map(|(value, pieces)| Str::Composed {
                value,
                whole,
                pieces,
            })
            .collect()
    }

    fn literal(&self, literal: &ruff_python_ast::ExprStringLiteral) -> Str {
        let edit = match literal.value.as_slice() {
            [part] => self.content_span(part),
            _ => None,
        };
        Str::Literal {
            value: literal.value.to_str().to_string(),
            span: span_of(literal.range),
            edit,
        }
    }

    /// The bytes between the quotes of a string literal part, when they are exactly
    /// its value: no prefix (`r`, `u`), no escape, a closed literal.
    fn content_span(&self, part: &StringLiteral) -> Option<Span> {
        let span = span_of(part.range);
        let raw = self.text.get(span.start..span.end)?;
        let quote = raw.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let triple: String = std::iter::repeat_n(quote, 3).collect();
        let width = if raw.len() >= 6 && raw.starts_with(&triple) && raw.ends_with(&triple) {
            3
        } else {
            1
        };
        if raw.len() < 2 * width || !raw.ends_with(quote) {
            return None;
        }
        let inner = &raw[width..raw.len() - width];
        (!inner.contains('\\') && inner == &*part.value)
            .then(|| Span::new(span.start + width, span.end - width))
    }

    /// The elements of the list value of `at`.
    fn elems(&self, at: At<'a>, walk: &mut Walk) -> Vec<Elem<'a>> {
        if let Err(limit) = self.enter(at.expr, walk) {
            return vec![Elem::Unknown(limit)];
        }
        let out = self.elems_of(at, walk);
        walk.depth -= 1;
        out
    }

    fn elems_of(&self, at: At<'a>, walk: &mut Walk) -> Vec<Elem<'a>> {
        let expr = at.expr;
        let list = |elts: &'a [Expr], walk: &mut Walk| {
            let mut out = Vec::new();
            for elt in elts {
                match elt {
                    Expr::Starred(starred) => out.extend(self.elems(at.with(&starred.value), walk)),
                    _ => out.push(Elem::Item(at.with(elt))),
                }
            }
            out
        };
        match expr {
            Expr::List(l) => list(&l.elts, walk),
            Expr::Tuple(t) => list(&t.elts, walk),
            Expr::Set(s) => list(&s.elts, walk),
            Expr::BinOp(bin) if bin.op == Operator::Add => {
                let mut out = self.elems(at.with(&bin.left), walk);
                out.extend(self.elems(at.with(&bin.right), walk));
                out
            }
            Expr::If(conditional) => {
                let mut out = self.elems(at.with(&conditional.body), walk);
                out.extend(self.elems(at.with(&conditional.orelse), walk));
                out
            }
            Expr::BoolOp(bool_op) if bool_op.op == BoolOp::Or => bool_op
                .values
                .iter()
                .flat_map(|value| self.elems(at.with(value), walk))
                .collect(),
            Expr::Named(named) => self.elems(at.with(&named.value), walk),
            Expr::Name(name) => {
                let id = name.id.as_str();
                self.following(
                    (id, expr.range().start()),
                    at.scope,
                    Demand::Items,
                    walk,
                    |walk| {
                        let mut out = Vec::new();
                        for elem in self.name_values(id, expr, at.scope, walk, Demand::Items) {
                            match elem {
                                Elem::Whole(value) => out.extend(self.elems(value, walk)),
                                other => out.push(other),
                            }
                        }
                        out
                    },
                )
            }
            Expr::Call(call) => match &*call.func {
                // `list(x)`, `tuple(x)`, `x.copy()`.
                Expr::Name(f) if matches!(f.id.as_str(), "list" | "tuple") => {
                    match call.arguments.args.first() {
                        Some(arg) => self.elems(at.with(arg), walk),
                        None => Vec::new(),
                    }
                }
                Expr::Attribute(method) if method.attr.id.as_str() == "copy" => {
                    self.elems(at.with(&method.value), walk)
                }
                Expr::Attribute(method)
                    if method.attr.id.as_str() == "get"
                        && matches!(call.arguments.args.first(), Some(Expr::StringLiteral(_))) =>
                {
                    let Some(Expr::StringLiteral(key)) = call.arguments.args.first() else {
                        return Vec::new();
                    };
                    let entries =
                        self.entries(at.with(&method.value), Some(key.value.to_str()), walk);
                    let mut out = self.items_of_each(entries, walk);
                    if let Some(default) = call.arguments.args.get(1) {
                        out.extend(self.elems(at.with(default), walk));
                    }
                    out
                }
                _ => vec![Elem::Unknown(self.unknown(expr, "a function call"))],
            },
            Expr::Subscript(subscript) => {
                let Expr::StringLiteral(key) = &*subscript.slice else {
                    return vec![Elem::Unknown(self.unknown(expr, "a subscript"))];
                };
                let entries =
                    self.entries(at.with(&subscript.value), Some(key.value.to_str()), walk);
                self.items_of_each(entries, walk)
            }
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::Generator(_) => {
                vec![Elem::Unknown(self.unknown(expr, "a comprehension"))]
            }
            Expr::Attribute(_) => match self.class_attribute(at, walk) {
                Some(values) => self.items_of_each(values, walk),
                None => vec![Elem::Whole(at)],
            },
            _ => vec![Elem::Whole(at)],
        }
    }

    /// The items of each of `values` (the values a dict key or a class attribute
    /// holds, each itself a list); what is unknown stays unknown.
    fn items_of_each(&self, values: Vec<Elem<'a>>, walk: &mut Walk) -> Vec<Elem<'a>> {
        let mut out = Vec::new();
        for value in values {
            match value {
                Elem::Item(value) | Elem::Whole(value) => out.extend(self.elems(value, walk)),
                unknown => out.push(unknown),
            }
        }
        out
    }

    /// The entries of the dict value of `at` (only those for `key` when given).
    fn entries(&self, at: At<'a>, key: Option<&str>, walk: &mut Walk) -> Vec<Elem<'a>> {
        if let Err(limit) = self.enter(at.expr, walk) {
            return vec![Elem::Unknown(limit)];
        }
        let out = self.entries_of(at, key, walk);
        walk.depth -= 1;
        out
    }

    fn entries_of(&self, at: At<'a>, key: Option<&str>, walk: &mut Walk) -> Vec<Elem<'a>> {
        let expr = at.expr;
        let wanted = |k: &str| key.is_none_or(|key| key == k);
        match expr {
            Expr::Dict(dict) => {
                let mut out = Vec::new();
                for item in &dict.items {
                    match &item.key {
                        Some(Expr::StringLiteral(k)) if wanted(k.value.to_str()) => {
                            out.push(Elem::Item(at.with(&item.value)));
                        }
                        Some(Expr::StringLiteral(_)) => {}
                        Some(other) => {
                            out.push(Elem::Unknown(self.unknown(other, "a computed key")))
                        }
                        None => out.extend(self.entries(at.with(&item.value), key, walk)),
                    }
                }
                out
            }
            Expr::Call(call) if matches!(&*call.func, Expr::Name(f) if f.id.as_str() == "dict") => {
                self.call_entries(at, call, key, walk)
            }
            Expr::Call(call) => match &*call.func {
                Expr::Attribute(method) if method.attr.id.as_str() == "copy" => {
                    self.entries(at.with(&method.value), key, walk)
                }
                _ => vec![Elem::Unknown(self.unknown(expr, "a function call"))],
            },
            Expr::If(conditional) => {
                let mut out = self.entries(at.with(&conditional.body), key, walk);
                out.extend(self.entries(at.with(&conditional.orelse), key, walk));
                out
            }
            Expr::BoolOp(bool_op) if bool_op.op == BoolOp::Or => bool_op
                .values
                .iter()
                .flat_map(|value| self.entries(at.with(value), key, walk))
                .collect(),
            Expr::Named(named) => self.entries(at.with(&named.value), key, walk),
            Expr::Name(name) => {
                let (id, demand) = (name.id.as_str(), Demand::Entries(key));
                self.following((id, expr.range().start()), at.scope, demand, walk, |walk| {
                    let mut out = Vec::new();
                    for elem in self.name_values(id, expr, at.scope, walk, demand) {
                        match elem {
                            Elem::Whole(value) => out.extend(self.entries(value, key, walk)),
                            other => out.push(other),
                        }
                    }
                    out
                })
            }
            Expr::NoneLiteral(_) => Vec::new(),
            _ => vec![Elem::Unknown(self.unknown(expr, "a Python expression"))],
        }
    }

    /// `dict(a=1, **other)` and `x.update(a=1)`: keywords and positional dicts.
    fn call_entries(
        &self,
        at: At<'a>,
        call: &'a ExprCall,
        key: Option<&str>,
        walk: &mut Walk,
    ) -> Vec<Elem<'a>> {
        let mut out = Vec::new();
        for arg in &call.arguments.args {
            out.extend(self.entries(at.with(arg), key, walk));
        }
        for keyword in &call.arguments.keywords {
            match &keyword.arg {
                Some(name) if key.is_none_or(|key| key == name.id.as_str()) => {
                    out.push(Elem::Item(at.with(&keyword.value)));
                }
                Some(_) => {}
                None => out.extend(self.entries(at.with(&keyword.value), key, walk)),
            }
        }
        out
    }

    /// Runs `resolve` for the name `id` in `scope`, unless that very name is
    /// already being resolved further up: a definition in terms of itself
    /// (`x = x + [...]`, a helper passing its parameter to itself) adds nothing the
    /// other definitions do not, since every reaching definition is taken anyway.
    fn following<T>(
        &self,
        (id, use_at): (&str, TextSize),
        scope: ScopeId,
        demand: Demand,
        walk: &mut Walk,
        resolve: impl FnOnce(&mut Walk) -> Vec<T>,
    ) -> Vec<T> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (id, use_at, demand.tag(), demand.key()).hash(&mut hasher);
        let key = (scope, hasher.finish());
        if walk.active.contains(&key) {
            return Vec::new();
        }
        walk.active.push(key);
        let out = resolve(walk);
        walk.active.pop();
        out
    }

    /// The scope Python looks `id` up in from `scope`: the first one out that
    /// binds it (other than by mutating it), skipping the bodies of classes
    /// around a function and going to the module for a `global`; with whether
    /// it is `scope` itself.
    fn binding_scope(&self, id: &str, scope: ScopeId) -> Option<(ScopeId, bool)> {
        let mut current = Some(scope);
        let mut first = true;
        while let Some(s) = current {
            let data = &self.scopes[s];
            if data.globals.contains(id) {
                current = Some(MODULE);
                first = false;
                continue;
            }
            let binds = data
                .bindings
                .get(id)
                .is_some_and(|bindings| bindings.iter().any(|b| !b.kind.is_mutation()));
            if (!data.is_class || first) && binds {
                return Some((s, first));
            }
            first = false;
            current = data.parent;
        }
        None
    }

    /// What the name `id`, used at `use_expr` in `scope`, may be bound to, read as
    /// `demand` asks (a value, list items, dict entries).
    fn name_values(
        &self,
        id: &str,
        use_expr: &'a Expr,
        scope: ScopeId,
        walk: &mut Walk,
        demand: Demand,
    ) -> Vec<Elem<'a>> {
        let at = use_expr.range().start();
        if let Some((s, first)) = self.binding_scope(id, scope) {
            let reach = if first { Reach::Use(at) } else { Reach::All };
            let mut out = self.bindings_of(id, use_expr, s, reach, walk, demand);
            // Mutations made in the scope of the use on a name bound outside.
            if !first {
                let reach = Reach::Mutations(at);
                out.extend(self.bindings_of(id, use_expr, scope, reach, walk, demand));
            }
            return out;
        }
        if demand == Demand::Class {
            return Vec::new();
        }
        vec![Elem::Unknown(self.unknown(use_expr, "a Python variable"))]
    }

    /// The bindings of `id` in `scope` that reach `position` (all of them when
    /// `None`), read as `demand` asks.
    fn bindings_of(
        &self,
        id: &str,
        use_expr: &'a Expr,
        scope: ScopeId,
        reach: Reach,
        walk: &mut Walk,
        demand: Demand,
    ) -> Vec<Elem<'a>> {
        let (position, required) = match reach {
            Reach::Use(at) => (Some(at), true),
            Reach::Mutations(at) => (Some(at), false),
            Reach::All => (None, true),
        };
        let Some(bindings) = self.scopes[scope].bindings.get(id) else {
            return Vec::new();
        };
        // Reading the bindings is work too: 100,000 assignments to one name read
        // 100,000 times must end.
        let steps = self.steps.get() + bindings.len();
        self.steps.set(steps);
        if steps > MAX_STEPS {
            return vec![Elem::Unknown(self.unknown(
                use_expr,
                format!(
                    "a value not followed: the file's {MAX_STEPS} resolution steps (MAX_STEPS) are used up"
                ),
            ))];
        }
        let reaches = |binding: &Binding| {
            position
                .is_none_or(|p| binding.end <= p || binding.in_loop.is_some_and(|l| l.contains(p)))
        };
        // A plain assignment hides the earlier ones of its statement list from the
        // uses after it in that list, which it dominates: `image = "a"` then
        // `image = image + ":1"` reaches the use as `a:1` alone.
        // Read from an enclosing scope (a module name in a function), the value is
        // what the scope holds once it has run: every block's last assignment.
        let mut hidden_before: HashMap<TextRange, TextSize> = HashMap::new();
        let dominates = |binding: &Binding| match position {
            Some(p) => binding.end <= p && p <= binding.block.end(),
            None => true,
        };
        if !matches!(reach, Reach::Mutations(_)) {
            for binding in bindings {
                if binding.kills && dominates(binding) {
                    let start = hidden_before.entry(binding.block).or_default();
                    *start = (*start).max(binding.start);
                }
            }
        }
        let mut out = Vec::new();
        let mut reached = false;
        for binding in bindings {
            let hidden = hidden_before
                .get(&binding.block)
                .is_some_and(|start| binding.end <= *start);
            if hidden || !reaches(binding) {
                continue;
            }
            reached = true;
            out.extend(self.binding_elems(binding, use_expr, walk, demand));
            if out.len() > MAX_VALUES {
                out.truncate(MAX_VALUES);
                out.push(Elem::Unknown(self.unknown(
                    use_expr,
                    format!("a variable with more than {MAX_VALUES} definitions (MAX_VALUES)"),
                )));
                break;
            }
        }
        if !reached && required && demand != Demand::Class {
            out.push(Elem::Unknown(self.unknown(use_expr, "a Python variable")));
        }
        out
    }

    fn binding_elems(
        &self,
        binding: &Binding<'a>,
        use_expr: &'a Expr,
        walk: &mut Walk,
        demand: Demand,
    ) -> Vec<Elem<'a>> {
        let at = |expr| At {
            expr,
            scope: binding.scope,
        };
        match (&binding.kind, demand) {
            (BindingKind::Class(class), Demand::Class) => vec![Elem::Item(At {
                expr: use_expr,
                scope: *class,
            })],
            (_, Demand::Class) => Vec::new(),
            (BindingKind::Value(e), _) => vec![Elem::Whole(at(e))],
            // `x += e`: what `x` was before, then `e`.
            (BindingKind::Add(target, e), Demand::Items) => {
                let mut out = self.elems(at(target), walk);
                out.extend(self.elems(at(e), walk));
                out
            }
            (BindingKind::Add(target, e), Demand::Value) => {
                let before = self.strings_in(at(target), walk);
                let added = self.strings_in(at(e), walk);
                let statement = TextRange::new(binding.start, binding.end);
                self.compose_at(statement, vec![before, added], "a string built with `+=`")
                    .into_iter()
                    .map(Elem::Unknown)
                    .collect()
            }
            (BindingKind::Add(..), _) => Vec::new(),
            (BindingKind::Push(e), Demand::Items) => vec![Elem::Item(at(e))],
            (BindingKind::Extend(e), Demand::Items) => self.elems(at(e), walk),
            (BindingKind::Key(k, e), Demand::Entries(key)) if key.is_none_or(|key| key == k) => {
                vec![Elem::Item(at(e))]
            }
            (BindingKind::Update(call), Demand::Entries(key)) => {
                self.call_entries(at(use_expr), call, key, walk)
            }
            (
                BindingKind::Push(_)
                | BindingKind::Extend(_)
                | BindingKind::Key(..)
                | BindingKind::Update(_),
                _,
            ) => Vec::new(),
            (BindingKind::Unpack(value, index), _) => self.project(at(value), &[*index], walk),
            (BindingKind::For(iter, path), _) => {
                // `for name, spec in table.items()`: the values, then inside them.
                if let (Expr::Call(call), [1, rest @ ..]) = (iter, path.as_slice()) {
                    if let Expr::Attribute(method) = &*call.func {
                        if method.attr.id.as_str() == "items" && call.arguments.is_empty() {
                            let mut out = Vec::new();
                            for elem in self.entries(at(&method.value), None, walk) {
                                match elem {
                                    Elem::Item(value) => {
                                        out.extend(self.project(value, rest, walk))
                                    }
                                    other => out.push(other),
                                }
                            }
                            return out;
                        }
                    }
                }
                let mut out = Vec::new();
                for elem in self.loop_values(at(iter), walk) {
                    match elem {
                        Elem::Item(value) => out.extend(self.project(value, path, walk)),
                        other => out.push(other),
                    }
                }
                out
            }
            (BindingKind::Param(function, slot), _) => {
                self.param_values(*function, *slot, use_expr, walk, demand)
            }
            (BindingKind::Def, _) => vec![Elem::Unknown(self.unknown(use_expr, "a function"))],
            (BindingKind::Class(_), _) => vec![Elem::Unknown(self.unknown(use_expr, "a class"))],
            (BindingKind::Unknown(reason), _) => {
                vec![Elem::Unknown(self.unknown(use_expr, reason.clone()))]
            }
        }
    }

    /// The values a `for` loop over `iter` takes: list items, or a dict's keys,
    /// values or `(key, value)` pairs.
    fn loop_values(&self, iter: At<'a>, walk: &mut Walk) -> Vec<Elem<'a>> {
        if let Expr::Call(call) = iter.expr {
            if let Expr::Attribute(method) = &*call.func {
                if call.arguments.is_empty() {
                    match method.attr.id.as_str() {
                        "values" => return self.entries(iter.with(&method.value), None, walk),
                        "items" => {
                            return vec![Elem::Unknown(
                                self.unknown(iter.expr, "a loop over a dict's items"),
                            )]
                        }
                        _ => {}
                    }
                }
            }
        }
        self.elems(iter, walk)
    }

    /// Position `path` inside the tuple or list value of `at`.
    fn project(&self, at: At<'a>, path: &[usize], walk: &mut Walk) -> Vec<Elem<'a>> {
        let Some((&index, rest)) = path.split_first() else {
            return vec![Elem::Whole(at)];
        };
        if let Err(limit) = self.enter(at.expr, walk) {
            return vec![Elem::Unknown(limit)];
        }
        let out = match at.expr {
            Expr::Tuple(ruff_python_ast::ExprTuple { elts, .. })
            | Expr::List(ruff_python_ast::ExprList { elts, .. })
                if !elts.iter().any(|e| matches!(e, Expr::Starred(_))) =>
            {
                match elts.get(index) {
                    Some(elt) => self.project(at.with(elt), rest, walk),
                    None => Vec::new(),
                }
            }
            Expr::Name(name) => {
                let id = name.id.as_str();
                self.following(
                    (id, at.expr.range().start()),
                    at.scope,
                    Demand::Value,
                    walk,
                    |walk| {
                        let mut out = Vec::new();
                        for elem in self.name_values(id, at.expr, at.scope, walk, Demand::Value) {
                            match elem {
                                Elem::Whole(value) | Elem::Item(value) => {
                                    out.extend(self.project(value, path, walk))
                                }
                                other => out.push(other),
                            }
                        }
                        out
                    },
                )
            }
            _ => vec![Elem::Unknown(self.unknown(at.expr, "an unpacked value"))],
        };
        walk.depth -= 1;
        out
    }

    /// What parameter `slot` of `function` may hold: the arguments the file's calls
    /// pass, else the default. A function the file never calls gets its default
    /// (MLRun calls `setup(project)` itself); a parameter without one is unknown.
    fn param_values(
        &self,
        function: usize,
        slot: Slot<'a>,
        use_expr: &'a Expr,
        walk: &mut Walk,
        demand: Demand,
    ) -> Vec<Elem<'a>> {
        let f = &self.functions[function];
        let (name, position, default) = match slot {
            Slot::Named {
                name,
                position,
                default,
            } => (name, position, default),
            Slot::VarArgs => return vec![Elem::Unknown(self.unknown(use_expr, "`*args`"))],
            Slot::VarKeywords => ("**", None, None),
        };
        let default_at = |d: &'a Expr| {
            Elem::Whole(At {
                expr: d,
                scope: f.outer,
            })
        };
        let sites = self.calls_of(function);
        // Called from another module too: what those calls pass is judged there,
        // and the default (which some of them may leave in force) here.
        let elsewhere =
            f.outer == MODULE && f.method.is_none() && self.called_elsewhere.contains(f.name);
        let mut out: Vec<Elem<'a>> = match (elsewhere, slot, default) {
            (true, Slot::Named { .. }, Some(default)) => vec![default_at(default)],
            _ => Vec::new(),
        };
        if sites.is_empty() {
            return match (slot, default) {
                _ if elsewhere => out,
                (Slot::VarKeywords, _) => Vec::new(),
                (_, Some(default)) => vec![default_at(default)],
                (_, None) => vec![Elem::Unknown(self.unknown(
                    use_expr,
                    format!(
                        "parameter `{name}` of `{}`, which no call in this file passes",
                        f.name
                    ),
                ))],
            };
        }
        for &(call, scope, implicit_self) in &sites {
            let at = |expr| At { expr, scope };
            let arguments = &call.arguments;
            match slot {
                Slot::VarKeywords => {
                    let Demand::Entries(wanted) = demand else {
                        continue;
                    };
                    for keyword in &arguments.keywords {
                        match &keyword.arg {
                            Some(k)
                                if wanted.is_none_or(|w| w == k.id.as_str())
                                    && !f.def.parameters.includes(k.id.as_str()) =>
                            {
                                out.push(Elem::Item(at(&keyword.value)));
                            }
                            Some(_) => {}
                            None => out.extend(self.entries(at(&keyword.value), wanted, walk)),
                        }
                    }
                }
                Slot::Named { .. } => {
                    let by_keyword = arguments
                        .keywords
                        .iter()
                        .find(|k| k.arg.as_ref().is_some_and(|a| a.id.as_str() == name));
                    let by_position = position
                        .and_then(|p| p.checked_sub(usize::from(implicit_self)))
                        .and_then(|p| {
                            let args = &arguments.args;
                            let spread = args
                                .iter()
                                .take(p + 1)
                                .any(|a| matches!(a, Expr::Starred(_)));
                            (!spread).then(|| args.get(p)).flatten()
                        });
                    let spread = arguments.args.iter().any(|a| matches!(a, Expr::Starred(_)))
                        || arguments.keywords.iter().any(|k| k.arg.is_none());
                    match (by_keyword, by_position) {
                        (Some(keyword), _) => out.push(Elem::Whole(at(&keyword.value))),
                        (None, Some(arg)) => out.push(Elem::Whole(at(arg))),
                        (None, None) if spread => out.push(Elem::Unknown(self.unknown_at(
                            call.range(),
                            format!("a call of `{}` with `*args` or `**kwargs`", f.name),
                        ))),
                        (None, None) => out.extend(default.map(default_at)),
                    }
                }
                Slot::VarArgs => {}
            }
            if out.len() > MAX_VALUES {
                break;
            }
        }
        out
    }

    /// The calls of `function` in the file that reach it by name.
    fn calls_of(&self, function: usize) -> Vec<(&'a ExprCall, ScopeId, bool)> {
        let f = &self.functions[function];
        let Some(calls) = self.calls.get(f.name) else {
            return Vec::new();
        };
        calls
            .iter()
            .filter(|(call, scope, attribute)| match f.method {
                // Only calls on what is recognisably an instance of the class: a
                // method name alone (`add`) is also `set.add`.
                Some(class) => *attribute && self.is_instance(call, *scope, class),
                None => !*attribute && self.encloses(f.outer, *scope),
            })
            .map(|&(call, scope, attribute)| (call, scope, attribute && f.method.is_some()))
            .collect()
    }

    /// Whether `call` is `receiver.method(...)` on `self`, `cls`, `Class(...)` or a
    /// name assigned `Class(...)`.
    fn is_instance(&self, call: &ExprCall, scope: ScopeId, class: &str) -> bool {
        let Expr::Attribute(method) = &*call.func else {
            return false;
        };
        let made_here = |expr: &Expr| matches!(expr, Expr::Call(c) if matches!(&*c.func, Expr::Name(n) if n.id.as_str() == class));
        match &*method.value {
            Expr::Name(name) if matches!(name.id.as_str(), "self" | "cls") => true,
            Expr::Name(name) => [scope, MODULE].iter().any(|&s| {
                self.scopes[s]
                    .bindings
                    .get(name.id.as_str())
                    .is_some_and(|bindings| {
                        bindings.iter().any(
                            |b| matches!(b.kind, BindingKind::Value(value) if made_here(value)),
                        )
                    })
            }),
            receiver => made_here(receiver),
        }
    }

    /// Whether `outer` is `inner` or one of the scopes around it.
    fn encloses(&self, outer: ScopeId, inner: ScopeId) -> bool {
        let mut current = Some(inner);
        while let Some(s) = current {
            if s == outer {
                return true;
            }
            current = self.scopes[s].parent;
        }
        false
    }
}

impl BindingKind<'_> {
    fn is_mutation(&self) -> bool {
        matches!(
            self,
            BindingKind::Push(_)
                | BindingKind::Extend(_)
                | BindingKind::Key(..)
                | BindingKind::Update(_)
        )
    }
}

/// Which bindings of a name reach a use.
#[derive(Clone, Copy)]
enum Reach {
    /// Those before the use (or in a loop around it), in the scope of the use.
    Use(TextSize),
    /// Only the mutations before the use (`x.append(...)` on a name bound outside).
    Mutations(TextSize),
    /// All of them: a name read from an enclosing scope.
    All,
}

/// How a binding is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Demand<'k> {
    Value,
    Items,
    Entries(Option<&'k str>),
    /// Only `class` bindings: for `Class.attribute`.
    Class,
}

impl Demand<'_> {
    fn key(&self) -> Option<&str> {
        match self {
            Demand::Entries(key) => *key,
            _ => None,
        }
    }

    fn tag(self) -> u8 {
        match self {
            Demand::Value => 0,
            Demand::Items => 1,
            Demand::Entries(_) => 2,
            Demand::Class => 4,
        }
    }
}

impl<'a> At<'a> {
    fn with(self, expr: &'a Expr) -> Self {
        At {
            expr,
            scope: self.scope,
        }
    }
}

/// Trims the values of one use to [`MAX_VALUES`], saying so.
fn cap(values: &mut Vec<Str>, expr: &Expr, owner: &Values) {
    if values.len() > MAX_VALUES {
        values.truncate(MAX_VALUES);
        values.push(owner.unknown(
            expr,
            format!("a value with more than {MAX_VALUES} possible values (MAX_VALUES)"),
        ));
    }
}

pub(super) fn span_of(range: TextRange) -> Span {
    Span::new(range.start().to_usize(), range.end().to_usize())
}

/// `mlrun.__version__`, `mlrun.get_version()`, `mlrun.utils.version.Version().get()["version"]`
/// is not followed: the first two are what MLRun itself fills an untagged image with.
fn is_client_version(expr: &Expr) -> bool {
    match expr {
        Expr::Attribute(attribute) => {
            attribute.attr.id.as_str() == "__version__"
                && matches!(&*attribute.value, Expr::Name(n) if n.id.as_str() == "mlrun")
        }
        Expr::Call(call) if call.arguments.is_empty() => match &*call.func {
            Expr::Attribute(attribute) => {
                attribute.attr.id.as_str() == "get_version"
                    && matches!(&*attribute.value, Expr::Name(n) if n.id.as_str() == "mlrun")
            }
            _ => false,
        },
        _ => false,
    }
}

/// `os.environ.get(X, …)`, `os.getenv(X, …)`, `environ.get`, `getenv`: the variable.
fn environ_get(call: &ExprCall) -> Option<&Expr> {
    let known = match &*call.func {
        Expr::Attribute(attribute) => match attribute.attr.id.as_str() {
            "getenv" => matches!(&*attribute.value, Expr::Name(n) if n.id.as_str() == "os"),
            "get" => is_environ(&attribute.value),
            _ => false,
        },
        Expr::Name(name) => name.id.as_str() == "getenv",
        _ => false,
    };
    if !known || !call.arguments.keywords.is_empty() {
        return None;
    }
    call.arguments.args.first()
}

fn is_environ(expr: &Expr) -> bool {
    match expr {
        Expr::Attribute(attribute) => {
            attribute.attr.id.as_str() == "environ"
                && matches!(&*attribute.value, Expr::Name(n) if n.id.as_str() == "os")
        }
        Expr::Name(name) => name.id.as_str() == "environ",
        _ => false,
    }
}

/// `os.environ["X"]`: the variable's name.
fn environ_subscript(expr: &Expr) -> Option<String> {
    let Expr::Subscript(subscript) = expr else {
        return None;
    };
    if !is_environ(&subscript.value) {
        return None;
    }
    Some(match &*subscript.slice {
        Expr::StringLiteral(name) => name.value.to_string(),
        _ => "(computed)".to_string(),
    })
}

enum Field {
    Text(String),
    /// `{}` (next) or `{0}`.
    Argument(Option<usize>),
}

/// The pieces of a `str.format` template with only `{}`/`{N}` fields (no names,
/// attributes or format specs); `None` for anything else.
fn format_fields(template: &str) -> Option<Vec<Field>> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut field = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    field.push(c);
                }
                if !text.is_empty() {
                    out.push(Field::Text(std::mem::take(&mut text)));
                }
                if field.is_empty() {
                    out.push(Field::Argument(None));
                } else {
                    out.push(Field::Argument(Some(field.parse().ok()?)));
                }
            }
            '}' => return None,
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Field::Text(text));
    }
    Some(out)
}

/// Builds the scopes, bindings and calls of a module in one walk.
struct Binder<'a> {
    values: Values<'a>,
    scope: ScopeId,
    /// Loops open in the current scope (outermost first).
    loops: Vec<TextRange>,
    depth: usize,
    /// The start of the statement being bound and the statement list it is in.
    statement: (TextSize, TextRange),
    /// The statement list being walked.
    block: TextRange,
}

impl<'a> Binder<'a> {
    fn bind(&mut self, id: &'a str, end: TextSize, kind: BindingKind<'a>) {
        let kills = matches!(
            kind,
            BindingKind::Value(_)
                | BindingKind::Add(..)
                | BindingKind::Unpack(..)
                | BindingKind::Def
                | BindingKind::Class(_)
        );
        self.bind_with(id, end, kind, kills);
    }

    fn bind_with(&mut self, id: &'a str, end: TextSize, kind: BindingKind<'a>, kills: bool) {
        let (start, block) = self.statement;
        let mut scope = self.scope;
        if self.values.scopes[scope].globals.contains(id) {
            scope = MODULE;
        }
        let in_loop = self.loops.first().copied().filter(|_| scope == self.scope);
        self.values.scopes[scope]
            .bindings
            .entry(id)
            .or_default()
            .push(Binding {
                start,
                end,
                block,
                kills,
                in_loop,
                scope: self.scope,
                kind,
            });
    }

    /// Binds an assignment target to `value`.
    fn target(&mut self, target: &'a Expr, value: &'a Expr, end: TextSize) {
        match target {
            Expr::Name(name) => self.bind(name.id.as_str(), end, BindingKind::Value(value)),
            Expr::Tuple(ruff_python_ast::ExprTuple { elts, .. })
            | Expr::List(ruff_python_ast::ExprList { elts, .. }) => {
                let starred = elts.iter().any(|e| matches!(e, Expr::Starred(_)));
                for (index, elt) in elts.iter().enumerate() {
                    self.unknown_or(elt, end, starred.then_some("a starred unpacking"), |_| {
                        BindingKind::Unpack(value, index)
                    });
                }
            }
            Expr::Subscript(subscript) => {
                if let (Expr::Name(name), Expr::StringLiteral(key)) =
                    (&*subscript.value, &*subscript.slice)
                {
                    self.bind(
                        name.id.as_str(),
                        end,
                        BindingKind::Key(key.value.to_string(), value),
                    );
                }
            }
            _ => {}
        }
    }

    /// Binds the names in `target` to what `kind` makes, or to an unknown.
    fn unknown_or(
        &mut self,
        target: &'a Expr,
        end: TextSize,
        unknown: Option<&str>,
        kind: impl Fn(&'a Expr) -> BindingKind<'a>,
    ) {
        match (target, unknown) {
            (Expr::Name(name), None) => self.bind(name.id.as_str(), end, kind(target)),
            (Expr::Starred(starred), _) => {
                self.names_unknown(&starred.value, end, "a starred unpacking")
            }
            (other, reason) => {
                self.names_unknown(other, end, reason.unwrap_or("a nested unpacking"))
            }
        }
    }

    fn names_unknown(&mut self, target: &'a Expr, end: TextSize, reason: &str) {
        match target {
            Expr::Name(name) => self.bind(
                name.id.as_str(),
                end,
                BindingKind::Unknown(reason.to_string()),
            ),
            Expr::Tuple(ruff_python_ast::ExprTuple { elts, .. })
            | Expr::List(ruff_python_ast::ExprList { elts, .. }) => {
                for elt in elts {
                    self.names_unknown(elt, end, reason);
                }
            }
            Expr::Starred(starred) => self.names_unknown(&starred.value, end, reason),
            _ => {}
        }
    }

    /// Binds a `for` target: each name to its position in the loop value.
    fn loop_target(&mut self, target: &'a Expr, iter: &'a Expr, path: Vec<usize>, end: TextSize) {
        match target {
            Expr::Name(name) => self.bind(name.id.as_str(), end, BindingKind::For(iter, path)),
            Expr::Tuple(ruff_python_ast::ExprTuple { elts, .. })
            | Expr::List(ruff_python_ast::ExprList { elts, .. })
                if !elts.iter().any(|e| matches!(e, Expr::Starred(_))) && path.len() < 4 =>
            {
                for (index, elt) in elts.iter().enumerate() {
                    let mut path = path.clone();
                    path.push(index);
                    self.loop_target(elt, iter, path, end);
                }
            }
            other => self.names_unknown(other, end, "a loop variable"),
        }
    }

    fn function(&mut self, def: &'a StmtFunctionDef) {
        let index = self.values.functions.len();
        let method = self.values.scopes[self.scope].class_name;
        self.values.functions.push(Function {
            name: def.name.id.as_str(),
            def,
            outer: self.scope,
            method,
        });
        self.bind(def.name.id.as_str(), def.range.end(), BindingKind::Def);
        for decorator in &def.decorator_list {
            self.visit_expr(&decorator.expression);
        }
        for parameter in def.parameters.iter_non_variadic_params() {
            if let Some(default) = &parameter.default {
                self.visit_expr(default);
            }
        }
        let scope = self.open(def.range.start(), false);
        bind_parameters(self, &def.parameters, index);
        let loops = std::mem::take(&mut self.loops);
        self.visit_body(&def.body);
        self.loops = loops;
        self.scope = self.values.scopes[scope].parent.unwrap_or(MODULE);
    }

    fn open(&mut self, start: TextSize, is_class: bool) -> ScopeId {
        let id = self.values.scopes.len();
        // A class body's names are not seen by the functions inside it; Python's
        // lookup goes on from the scope around the class.
        self.values.scopes.push(Scope {
            parent: Some(self.scope),
            is_class,
            class_name: None,
            bindings: HashMap::new(),
            globals: HashSet::new(),
        });
        self.values.opened.insert(start, id);
        self.scope = id;
        id
    }
}

fn bind_parameters<'a>(binder: &mut Binder<'a>, parameters: &'a Parameters, function: usize) {
    let start = parameters.range.start();
    let named = parameters.posonlyargs.iter().chain(&parameters.args);
    let positions = named.map(Some).enumerate().map(|(i, p)| (Some(i), p));
    let keyword_only = parameters.kwonlyargs.iter().map(|p| (None, Some(p)));
    for (position, parameter) in positions.chain(keyword_only) {
        let Some(parameter) = parameter else { continue };
        let name = parameter.parameter.name.id.as_str();
        let slot = Slot::Named {
            name,
            position,
            default: parameter.default.as_deref(),
        };
        binder.bind(name, start, BindingKind::Param(function, slot));
    }
    if let Some(vararg) = &parameters.vararg {
        let kind = BindingKind::Param(function, Slot::VarArgs);
        binder.bind(vararg.name.id.as_str(), start, kind);
    }
    if let Some(kwarg) = &parameters.kwarg {
        let kind = BindingKind::Param(function, Slot::VarKeywords);
        binder.bind(kwarg.name.id.as_str(), start, kind);
    }
}

impl<'a> Visitor<'a> for Binder<'a> {
    fn visit_body(&mut self, body: &'a [Stmt]) {
        let (Some(first), Some(last)) = (body.first(), body.last()) else {
            return;
        };
        let outer = self.block;
        self.block = TextRange::new(first.range().start(), last.range().end());
        for stmt in body {
            self.visit_stmt(stmt);
        }
        self.block = outer;
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.depth >= super::MAX_DEPTH {
            return;
        }
        self.depth += 1;
        let outer_statement = self.statement;
        self.statement = (stmt.range().start(), self.block);
        let end = stmt.range().end();
        match stmt {
            Stmt::FunctionDef(def) => {
                self.function(def);
                self.statement = outer_statement;
                self.depth -= 1;
                return;
            }
            Stmt::ClassDef(class) => {
                for decorator in &class.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                let outer = self.scope;
                let scope = self.open(class.range.start(), true);
                self.values.scopes[scope].class_name = Some(class.name.id.as_str());
                let loops = std::mem::take(&mut self.loops);
                self.visit_body(&class.body);
                self.loops = loops;
                self.scope = outer;
                self.bind(class.name.id.as_str(), end, BindingKind::Class(scope));
                self.statement = outer_statement;
                self.depth -= 1;
                return;
            }
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.target(target, &assign.value, end);
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    self.target(&assign.target, value, end);
                }
            }
            Stmt::AugAssign(assign) => {
                if let Expr::Name(name) = &*assign.target {
                    let kind = if assign.op == Operator::Add {
                        BindingKind::Add(&assign.target, &assign.value)
                    } else {
                        BindingKind::Unknown("a computed value".into())
                    };
                    self.bind(name.id.as_str(), end, kind);
                }
            }
            Stmt::For(for_stmt) => {
                self.loop_target(
                    &for_stmt.target,
                    &for_stmt.iter,
                    Vec::new(),
                    for_stmt.target.range().end(),
                );
            }
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(vars) = &item.optional_vars {
                        self.names_unknown(vars, item.range.end(), "a `with` target");
                    }
                }
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let bound = alias.asname.as_ref().map_or_else(
                        || alias.name.id.as_str().split('.').next().unwrap_or_default(),
                        |a| a.id.as_str(),
                    );
                    self.bind(bound, end, BindingKind::Unknown("a module".into()));
                }
            }
            Stmt::ImportFrom(import) => {
                let module = import.module.as_ref().map_or("", |m| m.id.as_str());
                for alias in &import.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name).id.as_str();
                    if bound != "*" {
                        self.bind(
                            bound,
                            end,
                            BindingKind::Unknown(format!(
                                "a name imported from `{}{module}`, which is not followed",
                                ".".repeat(import.level as usize)
                            )),
                        );
                    }
                }
            }
            Stmt::Global(global) => {
                for name in &global.names {
                    self.values.scopes[self.scope]
                        .globals
                        .insert(name.id.as_str());
                }
            }
            Stmt::Try(try_stmt) => {
                for handler in &try_stmt.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(handler) = handler;
                    if let Some(name) = &handler.name {
                        self.bind(
                            name.id.as_str(),
                            handler.range.end(),
                            BindingKind::Unknown("an exception".into()),
                        );
                    }
                }
            }
            Stmt::Expr(statement) => {
                if let Expr::Call(call) = &*statement.value {
                    if let Expr::Attribute(method) = &*call.func {
                        if let Expr::Name(receiver) = &*method.value {
                            let args = &call.arguments.args;
                            let kind = match (method.attr.id.as_str(), args.len()) {
                                ("append", 1) => Some(BindingKind::Push(&args[0])),
                                ("insert", 2) => Some(BindingKind::Push(&args[1])),
                                ("extend", 1) => Some(BindingKind::Extend(&args[0])),
                                ("update", _) => Some(BindingKind::Update(call)),
                                _ => None,
                            };
                            if let Some(kind) = kind {
                                self.bind(receiver.id.as_str(), end, kind);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        let is_loop = matches!(stmt, Stmt::For(_) | Stmt::While(_));
        if is_loop {
            self.loops.push(stmt.range());
        }
        walk_stmt(self, stmt);
        if is_loop {
            self.loops.pop();
        }
        self.statement = outer_statement;
        self.depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.depth >= super::MAX_DEPTH {
            return;
        }
        self.depth += 1;
        match expr {
            Expr::Named(named) => {
                if let Expr::Name(name) = &*named.target {
                    let kind = BindingKind::Value(&named.value);
                    self.bind_with(name.id.as_str(), named.range.end(), kind, false);
                }
            }
            Expr::Call(call) => {
                let (name, attribute) = match &*call.func {
                    Expr::Name(name) => (Some(name.id.as_str()), false),
                    Expr::Attribute(attribute) => (Some(attribute.attr.id.as_str()), true),
                    _ => (None, false),
                };
                if let Some(name) = name {
                    self.values
                        .calls
                        .entry(name)
                        .or_default()
                        .push((call, self.scope, attribute));
                }
            }
            Expr::Lambda(_)
            | Expr::ListComp(_)
            | Expr::SetComp(_)
            | Expr::DictComp(_)
            | Expr::Generator(_) => {
                // Their own scopes: calls inside still count, bindings do not leak.
            }
            _ => {}
        }
        walk_expr(self, expr);
        self.depth -= 1;
    }
}
