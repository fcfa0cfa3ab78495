//! Python sources: the MLRun SDK calls and attribute assignments that name images,
//! requirements, build commands and function-hub references.
//!
//! The file is parsed with Ruff's parser (a real Python grammar with error
//! recovery), so multi-line calls, implicit string concatenation, comments and
//! strings that merely contain `image=` are read as Python reads them. Only files
//! that import `mlrun` are judged: `image=` in someone else's API is not MLRun's.
//!
//! Calls are matched by the called name alone (`project.set_function`,
//! `proj.set_function` and a bare `set_function` imported from `mlrun` are the
//! same), because the receiver's type is unknowable without running the code.
//! Positional arguments are read only where MLRun's 1.12.1 signature fixes the
//! position whatever the receiver is (see [`SIGNATURES`]).
//!
//! What the reader cannot know, it does not invent: an image from a variable, an
//! f-string or a call is an [`ImageValue::Unverifiable`] fact (MLR108); requirements
//! and commands that are not literals give no facts at all.
//!
//! All AST handling stays in this module, so the parser can be swapped without
//! touching the notebook reader or the rules.

use super::pip_command;
use super::yaml::function_spec::FUNCTION_KINDS;
use crate::facts::requirement::{parse_requirement, SpanMap};
use crate::facts::{
    BuildFact, Fact, FunctionFact, HubRef, HubRefFact, ImageFact, ImageRef, ImageRole, ImageValue,
    IncludeBase, IncludeFact, IncludeKind, Origin, Problem, ProblemKind,
};
use crate::span::Span;
use modules::Forward;
pub use modules::{Import, Interface, Linked, Wrapper};
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, PySourceType, Stmt};
use ruff_python_parser::{parse_cells_unchecked, parse_unchecked_source, ParseOptions};
use ruff_text_size::{Ranged, TextRange};
use std::collections::{HashMap, HashSet};
use values::{span_of, ScopeId, Str, Values, CLIENT_VERSION};

mod magics;
mod modules;
mod values;

/// Reads a `.py` file into facts. A file that mentions neither `mlrun` nor one of
/// the SDK's own method names (see [`mentions_the_sdk`]) is not parsed.
pub fn read(text: &str) -> Vec<Fact> {
    read_linked(text, &Linked::default()).0
}

/// [`read`], with what the project's other modules give this one (see
/// [`modules`]), and what this one offers and takes from them.
pub fn read_linked(text: &str, linked: &Linked) -> (Vec<Fact>, Interface) {
    if !mentions_the_sdk(text) {
        return (Vec::new(), Interface::default());
    }
    let parsed = parse_unchecked_source(text, PySourceType::Python);
    read_module(text, parsed.syntax(), parsed.errors().first(), None, linked)
}

/// Reads notebook code cells into facts. `source` holds the cells' texts joined by
/// single `\n` separators and `cells` their ranges in it (as Ruff expects); cells
/// are parsed one by one in IPython mode, so a magic or a syntax error in one cell
/// does not hide the next. Spans are offsets into `source`.
pub(crate) fn read_cells(source: &str, cells: &[Span], linked: &Linked) -> (Vec<Fact>, Interface) {
    if !mentions_the_sdk(source) {
        return (Vec::new(), Interface::default());
    }
    let ranges = cells.iter().filter_map(|cell| {
        Some(TextRange::new(
            u32::try_from(cell.start).ok()?.into(),
            u32::try_from(cell.end).ok()?.into(),
        ))
    });
    let options = ParseOptions::from(PySourceType::Ipynb);
    let safe = without_rare_escapes(source, cells);
    let parsed = parse_cells_unchecked(&safe, ranges, &options);
    read_module(
        source,
        parsed.syntax(),
        parsed.errors().first(),
        Some(cells),
        linked,
    )
}

/// `source` with the IPython escapes `?help`, `/autocall`, `,quote` and `;quote`
/// turned into `%` line magics, byte for byte, so every offset stays the same.
///
/// Ruff's parser (0.0.10) hits an `unreachable!` when one of them starts a line
/// while an expression is still open after mismatched brackets (`mlrun(}` then
/// `/x`, found by fuzzing): only `%` and `!` escapes may stand in an expression.
/// None of the four can hold an SDK call, and both kinds are the same statement to
/// the reader, which reads an escape's text from the original source. As in Ruff's
/// lexer, which starts afresh in each cell, a line starts an escape only outside
/// strings, comments and brackets: `f(a\n    , b)` and `(a\n / b)` are left alone.
fn without_rare_escapes<'s>(source: &'s str, cells: &[Span]) -> std::borrow::Cow<'s, str> {
    let bytes = source.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    for cell in cells {
        let end = cell.end.min(bytes.len());
        let (mut nesting, mut at_line_start, mut i) = (0usize, true, cell.start);
        while i < end {
            let byte = bytes[i];
            if at_line_start && !matches!(byte, b' ' | b'\t' | b'\x0c') {
                at_line_start = false;
                if matches!(byte, b'?' | b'/' | b',' | b';') {
                    out.get_or_insert_with(|| bytes.to_vec())[i] = b'%';
                }
            }
            match byte {
                b'(' | b'[' | b'{' => nesting += 1,
                b')' | b']' | b'}' => nesting = nesting.saturating_sub(1),
                b'#' => {
                    while i + 1 < end && bytes[i + 1] != b'\n' {
                        i += 1;
                    }
                }
                // A continuation: the next line goes on this one.
                b'\\' => i += 1,
                b'\n' => at_line_start = nesting == 0,
                b'\'' | b'"' => i = string_end(&bytes[..end], i),
                _ => {}
            }
            i += 1;
        }
    }
    // Only ASCII bytes were replaced by an ASCII byte: still UTF-8.
    match out.map(String::from_utf8) {
        Some(Ok(text)) => std::borrow::Cow::Owned(text),
        _ => std::borrow::Cow::Borrowed(source),
    }
}

/// The offset of the last byte of the string literal opening at `start` (a quote),
/// or of the byte before the newline that ends an unterminated one-line string.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let triple = bytes[start..].starts_with(&[bytes[start]; 3]);
    let quote = &bytes[start..start + if triple { 3 } else { 1 }];
    let mut i = start + quote.len();
    while i < bytes.len() {
        if bytes[i..].starts_with(quote) {
            return i + quote.len() - 1;
        }
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' if !triple => return i - 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn read_module(
    text: &str,
    module: &ruff_python_ast::ModModule,
    first_error: Option<&ruff_python_parser::ParseError>,
    cells: Option<&[Span]>,
    linked: &Linked,
) -> (Vec<Fact>, Interface) {
    let mut scan = Scan::default();
    for stmt in &module.body {
        scan.visit_stmt(stmt);
    }
    let mut values = Values::new(text, &module.body);
    let imports: Vec<Import> = std::mem::take(&mut scan.imports)
        .into_iter()
        // A `from` import may bind a submodule (`from pkg import tools`).
        .filter(|import| {
            values.calls_through(&import.bound, true)
                || (import.name.is_some() && values.calls_through(&import.bound, false))
        })
        .collect();
    // A module that calls the project's wrappers of the SDK, or calls the SDK
    // unmistakably, is an MLRun module whether or not it imports `mlrun` itself.
    if !scan.imports_mlrun && !scan.calls_the_sdk && linked.is_empty() {
        let interface = Interface {
            wrappers: Vec::new(),
            imports,
        };
        // A file that says `import mlrun` but whose import the parser could not
        // recover is the one case where nothing at all was read: say so.
        let facts = match first_error {
            Some(error) if textually_imports_mlrun(text) => {
                let start = span_of(error.location).start;
                let len = text
                    .get(start..)
                    .and_then(|rest| rest.chars().next())
                    .map_or(0, char::len_utf8);
                vec![Fact::Problem(Problem {
                    origin: Origin::new(Span::new(start, start + len), None, "python"),
                    kind: ProblemKind::Parse,
                    message: format!("invalid Python, nothing could be read: {}", error.error),
                })]
            }
            _ => Vec::new(),
        };
        return (facts, interface);
    }
    values.called_elsewhere(linked.functions_called_elsewhere());
    let mut reader = Reader {
        text,
        names: scan.names,
        star_import: scan.star_import,
        values,
        scope: Values::module_scope(),
        functions: HashMap::new(),
        cells,
        linked,
        wrappers: HashMap::new(),
        declared: Vec::new(),
        builds_without_target: Vec::new(),
        projects: Vec::new(),
        // `%nuclio config spec.image = …`, `nuclio.ConfigSpec(…)` and
        // `fn.spec.base_spec[…]["baseImage"] = …` can name a `code_to_function`
        // function's image in ways not read yet: such a module's declarations are
        // not judged for a missing image.
        nuclio_config: ["%nuclio", "ConfigSpec", "baseImage"]
            .iter()
            .any(|marker| text.contains(marker)),
        facts: Vec::new(),
        depth: Depth::default(),
    };
    for stmt in &module.body {
        reader.visit_stmt(stmt);
    }
    let cut = reader.depth.cut.or(scan.depth.cut);
    let targets = reader.default_targets();
    reader.facts.extend(targets);
    let declared = std::mem::take(&mut reader.declared);
    let declared: Vec<Fact> = {
        // Looked up per declaration: a scan of all facts for each made a module
        // of 30,000 `set_function` calls take seconds.
        let imaged = functions_given_an_image(&reader.facts);
        declared
            .into_iter()
            .map(|declaration| declaration.into_fact(&imaged))
            .collect()
    };
    reader.facts.extend(declared);
    let mut facts = once_per_literal(reader.facts, &reader.values);
    if let Some(range) = cut {
        let start = range.start().to_usize();
        facts.push(Fact::Problem(Problem {
            origin: Origin::new(Span::new(start, start), None, "python"),
            kind: ProblemKind::Skipped,
            message: format!(
                "Python nested more than {MAX_DEPTH} levels deep (MAX_DEPTH): what lies deeper was not read"
            ),
        }));
    }
    let mut wrappers: Vec<Wrapper> = reader.wrappers.into_values().collect();
    wrappers.sort_by(|a, b| a.function().cmp(b.function()));
    (facts, Interface { wrappers, imports })
}

/// Each fact once: a literal that several SDK uses reach (a constant, a wrapper's
/// default) is one finding, at the literal, whatever the uses. A literal that also
/// went into a composed string keeps no fix: editing it would change that string.
fn once_per_literal(facts: Vec<Fact>, values: &Values) -> Vec<Fact> {
    // The facts kept so far, by span: only facts at the same bytes can be the
    // same literal, so each is compared with those few, not with all.
    let mut seen: HashMap<Span, Vec<usize>> = HashMap::new();
    let mut kept = vec![false; facts.len()];
    for (index, fact) in facts.iter().enumerate() {
        let same_span = seen.entry(fact.origin().span).or_default();
        if same_span
            .iter()
            .any(|&other| same_literal(&facts[other], fact))
        {
            continue;
        }
        same_span.push(index);
        kept[index] = true;
    }
    facts
        .into_iter()
        .zip(kept)
        .filter(|(_, kept)| *kept)
        .map(|(fact, _)| {
            let composed =
                (fact.origin().edit_span).and_then(|edit| values.composed_literal_containing(edit));
            match composed {
                Some(span) => collapse(fact, span),
                None => fact,
            }
        })
        .collect()
}

/// Whether two facts say the same of the same literal, whatever SDK use reached
/// it: no rule tells the function, the field or an image's role apart (a literal
/// that is both a build's target and the function's image is one finding).
fn same_literal(a: &Fact, b: &Fact) -> bool {
    let key = |fact: &Fact| {
        let mut key = fact.clone();
        if let Fact::Image(image) = &mut key {
            image.role = ImageRole::Run;
        }
        let origin = key.origin_mut();
        origin.function = None;
        origin.field.clear();
        key
    };
    key(a) == key(b)
}

/// Whether some line starts with `import mlrun` or `from mlrun` (for the
/// nothing-could-be-read diagnostic only; judging always goes by the AST).
fn textually_imports_mlrun(text: &str) -> bool {
    text.lines().any(|line| {
        let words: Vec<&str> = line.split_whitespace().take(2).collect();
        matches!(words.as_slice(), ["import" | "from", module]
            if *module == "mlrun" || module.starts_with("mlrun.") || module.starts_with("mlrun,"))
    })
}

fn is_mlrun_module(module: &str) -> bool {
    module == "mlrun" || module.starts_with("mlrun.")
}

/// Methods only MLRun's SDK has: a module that calls one (`project.set_function`
/// in a `project_setup.py` handed its `project`, a docs notebook whose `mlrun`
/// was imported in an earlier session) is judged though it imports no `mlrun`.
const SDK_ONLY_METHODS: &[&str] = &[
    "set_function",
    "set_default_image",
    "build_function",
    "code_to_function",
    "import_function",
    "set_workflow",
    "enable_model_monitoring",
    "set_model_monitoring_function",
    "create_model_monitoring_function",
    "get_hub_step",
    "get_hub_module",
    "run_function",
    "deploy_function",
];

/// Whether the text is worth parsing: it names `mlrun`, a `hub://` reference or
/// one of [`SDK_ONLY_METHODS`]' commonest.
fn mentions_the_sdk(text: &str) -> bool {
    [
        "mlrun",
        "set_function",
        "code_to_function",
        "build_function",
        "hub://",
    ]
    .iter()
    .any(|word| text.contains(word))
}

/// First pass: the imports (an `import mlrun` inside a function counts too), and
/// whether the module calls the SDK unmistakably without them.
#[derive(Default)]
struct Scan {
    imports_mlrun: bool,
    /// A call of `mlrun.…(…)` or of one of [`SDK_ONLY_METHODS`].
    calls_the_sdk: bool,
    /// Names bound by `from mlrun… import name [as alias]`: alias → name.
    names: HashMap<String, String>,
    /// `from mlrun import *`: any SDK function may be called bare.
    star_import: bool,
    /// Imports of other modules, which may be the project's.
    imports: Vec<Import>,
    depth: Depth,
}

impl<'a> Visitor<'a> for Scan {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        self.imports.extend(Import::of(stmt));
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    self.imports_mlrun |= is_mlrun_module(alias.name.id.as_str());
                }
            }
            Stmt::ImportFrom(import) if import.level == 0 => {
                let module = import.module.as_ref().map_or("", |m| m.id.as_str());
                if is_mlrun_module(module) {
                    self.imports_mlrun = true;
                    for alias in &import.names {
                        let name = alias.name.id.to_string();
                        if name == "*" {
                            self.star_import = true;
                        }
                        let bound = alias
                            .asname
                            .as_ref()
                            .map_or(name.clone(), |a| a.id.to_string());
                        self.names.insert(bound, name);
                    }
                }
            }
            _ => {}
        }
        if self.depth.enter(stmt.range()) {
            walk_stmt(self, stmt);
        }
        self.depth.leave();
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if let Expr::Attribute(method) = &*call.func {
                self.calls_the_sdk |= SDK_ONLY_METHODS.contains(&method.attr.id.as_str())
                    || matches!(&*method.value, Expr::Name(n) if n.id.as_str() == "mlrun");
            }
        }
        if self.depth.enter(expr.range()) {
            walk_expr(self, expr);
        }
        self.depth.leave();
    }
}

/// What an argument of an SDK call means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Param {
    /// A parameter of no interest, listed only to keep positions right.
    Other,
    Image(ImageRole),
    /// A list of requirement strings (or, before 1.4, one string).
    Requirements,
    RequirementsFile,
    /// A list of shell commands run in the build.
    Commands,
    /// Dockerfile lines added to the build (`build_config(extra=)`): their `RUN`
    /// lines are shell commands.
    DockerfileLines,
    /// `mlrun_version_specifier`: the `mlrun` requirement a build installs.
    VersionSpecifier,
    WithMlrun,
    /// The function's name, for [`Origin::function`].
    Name,
    /// A URL or path that may be a `hub://` reference.
    Url,
    /// `set_function`'s `func` and `build_function`'s `function`: a URL, a path, a
    /// function object, or (for `build_function`) the function's name.
    UrlOrName,
}

/// An SDK call: its name, its parameters in signature order, and how many of the
/// leading ones may be passed positionally whatever the receiver is.
struct Signature {
    name: &'static str,
    params: &'static [(&'static str, Param)],
    positional: usize,
    /// A module-level `mlrun` function (callable bare after `from mlrun import`);
    /// methods are matched only as `receiver.name(...)`.
    module_level: bool,
}

use Param::*;

const RUN: Param = Image(ImageRole::Run);
const BASE: Param = Image(ImageRole::BuildBase);
const TARGET: Param = Image(ImageRole::BuildTarget);
const AUX: Param = Image(ImageRole::Auxiliary);

/// The calls of mlrun-semantics §2.4 (MLRun 1.12.1 signatures).
///
/// `build_config` exists on projects and on functions with different parameter
/// orders, so only its first parameter (`image` on both) is read positionally.
/// `set_model_monitoring_function`, `enable_model_monitoring` and `set_workflow`
/// moved parameters between releases: keywords only.
const SIGNATURES: &[Signature] = &[
    Signature {
        name: "code_to_function",
        params: &[
            ("name", Name),
            ("project", Other),
            ("tag", Other),
            ("filename", Other),
            ("handler", Other),
            ("kind", Other),
            ("image", RUN),
            ("code_output", Other),
            ("embed_code", Other),
            ("description", Other),
            ("requirements", Requirements),
            ("categories", Other),
            ("labels", Other),
            ("with_doc", Other),
            ("ignored_tags", Other),
            ("requirements_file", RequirementsFile),
        ],
        positional: 16,
        module_level: true,
    },
    Signature {
        name: "new_function",
        params: &[
            ("name", Name),
            ("project", Other),
            ("tag", Other),
            ("kind", Other),
            ("command", Other),
            ("image", RUN),
            ("args", Other),
            ("runtime", Other),
            ("mode", Other),
            ("handler", Other),
            ("source", Other),
            ("requirements", Requirements),
            ("kfp", Other),
            ("requirements_file", RequirementsFile),
        ],
        positional: 14,
        module_level: true,
    },
    Signature {
        name: "import_function",
        params: &[
            ("url", Url),
            ("secrets", Other),
            ("db", Other),
            ("project", Other),
            ("new_name", Name),
        ],
        positional: 5,
        module_level: true,
    },
    Signature {
        name: "set_function",
        params: &[
            ("func", UrlOrName),
            ("name", Name),
            ("kind", Other),
            ("image", RUN),
            ("handler", Other),
            ("with_repo", Other),
            ("tag", Other),
            ("requirements", Requirements),
            ("requirements_file", RequirementsFile),
        ],
        positional: 9,
        module_level: false,
    },
    Signature {
        name: "set_default_image",
        params: &[("default_image", Image(ImageRole::ProjectDefault))],
        positional: 1,
        module_level: false,
    },
    Signature {
        name: "build_config",
        params: &[
            ("image", TARGET),
            ("base_image", BASE),
            ("with_mlrun", WithMlrun),
            ("commands", Commands),
            ("requirements", Requirements),
            ("requirements_file", RequirementsFile),
            ("extra", DockerfileLines),
        ],
        positional: 1,
        module_level: false,
    },
    Signature {
        name: "build_image",
        params: &[
            ("image", TARGET),
            ("set_as_default", Other),
            ("with_mlrun", WithMlrun),
            ("base_image", BASE),
            ("commands", Commands),
            ("secret_name", Other),
            ("requirements", Requirements),
            ("mlrun_version_specifier", VersionSpecifier),
            ("builder_env", Other),
            ("overwrite_build_params", Other),
            ("requirements_file", RequirementsFile),
        ],
        positional: 11,
        module_level: false,
    },
    Signature {
        // `project.build_function` and `mlrun.build_function` agree up to
        // `requirements`; later parameters differ, so they are keywords only.
        name: "build_function",
        params: &[
            ("function", UrlOrName),
            ("with_mlrun", WithMlrun),
            ("skip_deployed", Other),
            ("image", TARGET),
            ("base_image", BASE),
            ("commands", Commands),
            ("secret_name", Other),
            ("requirements", Requirements),
            ("mlrun_version_specifier", VersionSpecifier),
            ("requirements_file", RequirementsFile),
        ],
        positional: 8,
        module_level: true,
    },
    Signature {
        name: "with_requirements",
        params: &[
            ("requirements", Requirements),
            ("overwrite", Other),
            ("verify_base_image", Other),
            ("requirements_file", RequirementsFile),
        ],
        positional: 4,
        module_level: false,
    },
    Signature {
        name: "with_commands",
        params: &[("commands", Commands)],
        positional: 1,
        module_level: false,
    },
    Signature {
        name: "deploy",
        params: &[
            ("watch", Other),
            ("with_mlrun", Other),
            ("skip_deployed", Other),
            ("is_kfp", Other),
            ("mlrun_version_specifier", VersionSpecifier),
            // A model-monitoring application's `deploy` classmethod (keywords).
            ("func_name", Name),
            ("func_path", Url),
            ("image", RUN),
            ("requirements", Requirements),
            ("requirements_file", RequirementsFile),
        ],
        positional: 5,
        module_level: false,
    },
    Signature {
        // Model-monitoring applications' `evaluate`/`to_job` classmethods and
        // `LocalRuntime.to_job(image=…)`: keywords, their orders differ.
        name: "to_job",
        params: &[
            ("func_name", Name),
            ("func_path", Url),
            ("image", RUN),
            ("requirements", Requirements),
            ("requirements_file", RequirementsFile),
        ],
        positional: 0,
        module_level: false,
    },
    Signature {
        name: "evaluate",
        params: &[
            ("func_name", Name),
            ("func_path", Url),
            ("image", RUN),
            ("requirements", Requirements),
            ("requirements_file", RequirementsFile),
        ],
        positional: 0,
        module_level: false,
    },
    Signature {
        name: "create_model_monitoring_function",
        params: &[
            ("name", Name),
            ("func", Url),
            ("image", RUN),
            ("requirements", Requirements),
            ("requirements_file", RequirementsFile),
        ],
        positional: 0,
        module_level: false,
    },
    Signature {
        // `mlrun.run_function` and `project.run_function`: a function name in
        // the project, a function object, or a `hub://` URL imported on the spot.
        name: "run_function",
        params: &[("function", Url)],
        positional: 1,
        module_level: true,
    },
    Signature {
        name: "deploy_function",
        params: &[("function", Url)],
        positional: 1,
        module_level: true,
    },
    Signature {
        name: "import_module",
        params: &[("url", Url)],
        positional: 1,
        module_level: true,
    },
    Signature {
        name: "get_hub_module",
        params: &[("url", Url)],
        positional: 1,
        module_level: true,
    },
    Signature {
        name: "get_hub_step",
        params: &[("url", Url)],
        positional: 1,
        module_level: true,
    },
    Signature {
        // A serving graph step: `class_name="hub://…"` is a hub step.
        name: "to",
        params: &[("class_name", Url)],
        positional: 1,
        module_level: false,
    },
    Signature {
        name: "add_step",
        params: &[("class_name", Url)],
        positional: 1,
        module_level: false,
    },
    Signature {
        name: "FunctionReference",
        params: &[("url", Url), ("image", RUN), ("requirements", Requirements)],
        positional: 3,
        module_level: true,
    },
    Signature {
        name: "as_step",
        params: &[("image", RUN)],
        positional: 0,
        module_level: false,
    },
    Signature {
        // `KubejobRuntime.deploy_step`; the nuclio one takes no image (keywords).
        name: "deploy_step",
        params: &[
            ("image", TARGET),
            ("base_image", BASE),
            ("commands", Commands),
            ("with_mlrun", WithMlrun),
        ],
        positional: 0,
        module_level: false,
    },
    Signature {
        name: "new_model_server",
        params: &[
            ("name", Name),
            ("model_class", Other),
            ("models", Other),
            ("filename", Other),
            ("protocol", Other),
            ("image", RUN),
        ],
        positional: 6,
        module_level: true,
    },
    Signature {
        // Nuclio's `fn.set_config("spec.build.baseImage", …)`: the key says what
        // the value is (see `Reader::config_key`).
        name: "set_config",
        params: &[("key", Other), ("value", Other)],
        positional: 2,
        module_level: false,
    },
    Signature {
        name: "add_child_function",
        params: &[
            ("name", Other),
            ("url", Url),
            ("image", RUN),
            ("requirements", Requirements),
        ],
        positional: 4,
        module_level: false,
    },
    Signature {
        name: "with_sidecar",
        params: &[("name", Other), ("image", AUX)],
        positional: 2,
        module_level: false,
    },
    Signature {
        name: "from_image",
        params: &[("image", RUN)],
        positional: 1,
        module_level: false,
    },
    Signature {
        name: "set_model_monitoring_function",
        params: &[
            ("name", Name),
            ("func", Url),
            ("image", RUN),
            ("requirements", Requirements),
            ("requirements_file", RequirementsFile),
        ],
        positional: 0,
        module_level: false,
    },
    Signature {
        name: "enable_model_monitoring",
        params: &[("image", AUX)],
        positional: 0,
        module_level: false,
    },
    Signature {
        name: "set_workflow",
        params: &[("image", AUX)],
        positional: 0,
        module_level: false,
    },
    Signature {
        name: "RunConfig",
        params: &[
            ("function", Url),
            ("local", Other),
            ("image", RUN),
            ("kind", Other),
            ("handler", Other),
            ("requirements", Requirements),
        ],
        positional: 6,
        module_level: true,
    },
];

/// `mlconf.default_base_image`: what a build with no base image builds on.
const DEFAULT_BASE_IMAGE: &str = "mlrun/mlrun";

/// Calls that return an MLRun function object: a variable bound to their result
/// carries the function's name to later `fn.with_requirements(...)`, `fn.spec.image = …`.
const RETURNS_FUNCTION: &[&str] = &[
    "code_to_function",
    "new_function",
    "import_function",
    "set_function",
];

/// An argument of an SDK call that its signature gives a meaning: the parameter,
/// the expression and the scope it is read in, and the bytes of the whole argument.
struct Argument<'a> {
    name: &'static str,
    param: Param,
    expr: &'a Expr,
    scope: ScopeId,
    range: TextRange,
}

struct Reader<'t, 'a> {
    text: &'t str,
    names: HashMap<String, String>,
    star_import: bool,
    values: Values<'a>,
    /// The scope of the statement being read.
    scope: ScopeId,
    /// Variables bound to an SDK call that returns a function: name → function name.
    functions: HashMap<String, Option<String>>,
    /// A notebook's cells (their ranges in the joined source); `None` for a `.py`.
    cells: Option<&'t [Span]>,
    /// The project's wrappers this module can call.
    linked: &'t Linked,
    /// This module's wrappers, by function name.
    wrappers: HashMap<&'a str, Wrapper>,
    /// Functions declared by SDK calls, judged for a missing image once the
    /// whole module is read (a later `fn.spec.image = …` names one too).
    declared: Vec<Declared>,
    /// `build_function` calls that name no target image: (called name, function).
    builds_without_target: Vec<(Span, String)>,
    /// Project names written in `get_or_create_project("…")` and the like.
    projects: Vec<String>,
    nuclio_config: bool,
    facts: Vec<Fact>,
    depth: Depth,
}

/// Statement and expression nesting the walks follow. The parser grows its own
/// stack for deep nesting, but our walks recurse on the thread's stack: `[[[[…]]]]`
/// thousands deep would overflow it, and no SDK call is written that deep. What
/// lies deeper is not read, and the file gets one MLR003 that says so.
pub const MAX_DEPTH: usize = 100;

#[derive(Default)]
struct Depth {
    level: usize,
    /// Where the walk first went no deeper.
    cut: Option<TextRange>,
}

impl Depth {
    /// Enters one level; `false` when the walk should go no deeper.
    fn enter(&mut self, range: TextRange) -> bool {
        self.level += 1;
        let inside = self.level <= MAX_DEPTH;
        if !inside && self.cut.is_none() {
            self.cut = Some(range);
        }
        inside
    }

    fn leave(&mut self) {
        self.level -= 1;
    }
}

impl<'a> Visitor<'a> for Reader<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let opened = match stmt {
            Stmt::FunctionDef(def) => self.values.scope_opened_at(def.range.start()),
            Stmt::ClassDef(class) => self.values.scope_opened_at(class.range.start()),
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.assignment(target, &assign.value);
                }
                None
            }
            Stmt::AugAssign(assign) => {
                self.assignment(&assign.target, &assign.value);
                None
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    self.assignment(&assign.target, value);
                }
                None
            }
            Stmt::IpyEscapeCommand(command) if self.cells.is_some() => {
                self.pip_line(command.range);
                None
            }
            _ => None,
        };
        let outer = self.scope;
        if let Some(scope) = opened {
            self.scope = scope;
        }
        if self.depth.enter(stmt.range()) {
            walk_stmt(self, stmt);
        }
        self.depth.leave();
        self.scope = outer;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => self.call(call),
            Expr::IpyEscapeCommand(command) if self.cells.is_some() => self.pip_line(command.range),
            _ => {}
        }
        if self.depth.enter(expr.range()) {
            walk_expr(self, expr);
        }
        self.depth.leave();
    }
}

impl<'a> Reader<'_, 'a> {
    /// A `%pip install …` / `!pip install …` line, a nuclio-jupyter magic (see
    /// [`magics`]), or any other escape (which gives nothing).
    fn pip_line(&mut self, range: TextRange) {
        let mut span = span_of(range);
        // Ruff parses a `%%` cell magic as its first line only; its body is the
        // rest of the cell.
        if self.text.get(span.start..span.start + 2) == Some("%%") {
            let cell = self
                .cells
                .into_iter()
                .flatten()
                .find(|cell| cell.start == span.start);
            if let Some(cell) = cell {
                span.end = cell.end;
            }
        }
        if let Some(line) = self.text.get(span.start..span.end) {
            let facts = magics::read(line);
            self.facts
                .extend(facts.into_iter().map(|fact| fact.shifted(span.start)));
        }
    }

    /// The SDK signature `call` matches, if any.
    fn signature(&self, call: &ExprCall) -> Option<&'static Signature> {
        let (name, bare) = match &*call.func {
            Expr::Attribute(attribute) => (attribute.attr.id.as_str(), false),
            Expr::Name(name) => {
                let id = name.id.as_str();
                match self.names.get(id) {
                    Some(original) => (original.as_str(), true),
                    None if self.star_import => (id, true),
                    None => return None,
                }
            }
            _ => return None,
        };
        SIGNATURES
            .iter()
            .find(|s| s.name == name && (!bare || s.module_level))
    }

    /// The arguments of `call` that `signature` gives a meaning. A `**config`
    /// argument gives the keywords its dict literal (or `dict(...)`) holds, for the
    /// parameters not passed otherwise.
    fn arguments(&self, call: &'a ExprCall, signature: &Signature) -> Vec<Argument<'a>> {
        let scope = self.scope;
        let mut found = Vec::new();
        for (index, arg) in call.arguments.args.iter().enumerate() {
            // After `*args` positions are unknown.
            if matches!(arg, Expr::Starred(_)) || index >= signature.positional {
                break;
            }
            if let Some(&(name, param)) = signature.params.get(index) {
                found.push(Argument {
                    name,
                    param,
                    expr: arg,
                    scope,
                    range: arg.range(),
                });
            }
        }
        for keyword in &call.arguments.keywords {
            let Some(arg) = &keyword.arg else { continue };
            if let Some(&(name, param)) =
                signature.params.iter().find(|(n, _)| *n == arg.id.as_str())
            {
                found.push(Argument {
                    name,
                    param,
                    expr: &keyword.value,
                    scope,
                    range: keyword.range,
                });
            }
        }
        for keyword in &call.arguments.keywords {
            if keyword.arg.is_some() {
                continue;
            }
            for &(name, param) in signature.params {
                if param == Other || found.iter().any(|a| a.name == name) {
                    continue;
                }
                for at in self.values.keyword(&keyword.value, scope, name) {
                    found.push(Argument {
                        name,
                        param,
                        expr: at.expr,
                        scope: at.scope,
                        range: at.expr.range(),
                    });
                }
            }
        }
        found
    }

    fn call(&mut self, call: &'a ExprCall) {
        let Some(signature) = self.signature(call) else {
            self.project_name(call);
            if let Some(wrapper) = self.linked.wrapper(&call.func) {
                self.wrapper_call(call, wrapper);
            } else {
                self.build_list_mutation(call);
            }
            return;
        };
        let arguments = self.arguments(call, signature);
        let function = self.function_name(call, &arguments);
        if signature.name == "set_config" {
            return self.set_config(&arguments, function);
        }
        let field = |param: &str| format!("{}({param}=)", signature.name);
        let mut base_image = None;
        // The literal `with_mlrun=True|False` and where it is; the base image's.
        let mut with_mlrun = None;
        let mut base_at = None;
        let mut installs_mlrun = false;
        for argument in &arguments {
            let (arg, scope) = (argument.expr, argument.scope);
            match argument.param {
                Image(ImageRole::BuildBase) if base_image.is_none() => {
                    base_image = self
                        .values
                        .strings(arg, scope)
                        .into_iter()
                        .find_map(|value| match value {
                            Str::Literal { value, .. } => Some(value),
                            _ => None,
                        });
                    base_at = Some(argument.range);
                }
                WithMlrun => {
                    if let Expr::BooleanLiteral(b) = arg {
                        with_mlrun = Some((b.value, argument.range));
                    }
                }
                Commands => {
                    let (items, _) = self.values.items(arg, scope);
                    installs_mlrun |= items
                        .into_iter()
                        .filter_map(known)
                        .any(|(command, ..)| BuildFact::command_installs_mlrun(&command));
                }
                VersionSpecifier if !matches!(arg, Expr::NoneLiteral(_)) => installs_mlrun = true,
                _ => {}
            }
            self.argument(argument.param, arg, scope, &field(argument.name), &function);
            self.forwards(signature.name, argument);
        }
        // `build_image()` with no base image builds on `mlconf.default_base_image`,
        // an untagged `mlrun/mlrun` (`projects/project.py`, 1.12.1 line 4983).
        if signature.name == "build_image" && !self.names(&arguments, ImageRole::BuildBase) {
            let origin = Origin::new(callee_span(call), None, field("base_image"));
            self.facts.extend(
                ImageFact::from_text(DEFAULT_BASE_IMAGE, ImageRole::DefaultBuildBase, origin)
                    .map(Fact::Image),
            );
        }
        // A build call (one taking `with_mlrun`) that writes it or names a base
        // image: MLR207 judges whether MLRun's builder adds the client's `mlrun`.
        let builds = signature
            .params
            .iter()
            .any(|(_, param)| *param == WithMlrun);
        let sets_project_default =
            signature.name == "build_image" && !self.passes_false(&arguments, "set_as_default");
        let at = with_mlrun
            .map(|(_, range)| (span_of(range), "with_mlrun"))
            .or_else(|| base_at.map(|range| (span_of(range), "base_image")))
            .or_else(|| sets_project_default.then(|| (callee_span(call), "set_as_default")));
        if let (true, Some((span, name))) = (builds, at) {
            self.facts.push(Fact::Build(BuildFact {
                origin: Origin::new(span, None, field(name)).with_function(function.clone()),
                with_mlrun: with_mlrun.map(|(value, _)| value),
                base_image,
                installs_mlrun,
                sets_project_default,
            }));
        }
        if signature.name == "build_function" {
            let names_target = self.names(&arguments, ImageRole::BuildTarget);
            if let (false, Some(name)) = (names_target, &function) {
                self.builds_without_target
                    .push((callee_span(call), name.clone()));
            }
        }
        if let Some(declared) = self.declaration(call, signature, &arguments, function) {
            self.declared.push(declared);
        }
    }

    /// Whether an argument of role `role` can be something other than `None`
    /// (what a wrapper is passed from other modules counts: no value here).
    fn names(&self, arguments: &[Argument<'a>], role: ImageRole) -> bool {
        arguments
            .iter()
            .filter(|a| a.param == Image(role))
            .any(|a| {
                let values = self.values.strings(a.expr, a.scope);
                values.is_empty() || values.iter().any(|v| !matches!(v, Str::Absent))
            })
    }

    /// Records the name a `get_or_create_project("…")`, `new_project` or
    /// `load_project(name=…)` call writes: built images are named after it.
    fn project_name(&mut self, call: &'a ExprCall) {
        let called = match &*call.func {
            Expr::Attribute(attribute) => attribute.attr.id.as_str(),
            Expr::Name(name) => name.id.as_str(),
            _ => return,
        };
        if !matches!(
            called,
            "get_or_create_project" | "new_project" | "load_project"
        ) {
            return;
        }
        let by_keyword = call
            .arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.id.as_str() == "name"))
            .map(|k| &k.value);
        // `load_project`'s first parameter is the context folder, not the name.
        let first = (called != "load_project")
            .then(|| call.arguments.args.first())
            .flatten();
        if let Some(name) = by_keyword.or(first) {
            if let Some(name) = self.single_literal(name, self.scope) {
                self.projects.push(name);
            }
        }
    }

    /// The image each `build_function` that names no target builds, for a
    /// function this module declares with no tag and no build target of its own:
    /// `.mlrun/func-<project>-<name>:latest` (MLRun's default target name
    /// template and the tag of an untagged function). The project's name is the
    /// one the module creates, or `<project>` when it names none or several.
    fn default_targets(&self) -> Vec<Fact> {
        let normalize = |name: &str| name.to_lowercase().replace('_', "-");
        let mut projects: Vec<String> = self.projects.iter().map(|p| normalize(p)).collect();
        projects.sort();
        projects.dedup();
        let project = match projects.as_slice() {
            [one] => one.clone(),
            _ => "<project>".to_string(),
        };
        let mut out = Vec::new();
        for (span, function) in &self.builds_without_target {
            let declared = self
                .declared
                .iter()
                .find(|d| d.function.as_deref() == Some(function.as_str()));
            let has_target = self.facts.iter().any(|fact| {
                matches!(fact, Fact::Image(image) if image.role == ImageRole::BuildTarget
                    && image.origin.function.as_deref() == Some(function.as_str()))
            });
            if declared.is_none_or(|d| d.tagged) || has_target {
                continue;
            }
            let image = format!(".mlrun/func-{project}-{}:latest", normalize(function));
            let origin = Origin::new(*span, None, "build_function(image=)")
                .with_function(Some(function.clone()));
            out.extend(
                ImageFact::from_text(&image, ImageRole::DefaultBuildTarget, origin)
                    .map(Fact::Image),
            );
        }
        out
    }

    /// `fn.set_config(key, value)` with a key nuclio turns into the function's
    /// build or image.
    fn set_config(&mut self, arguments: &[Argument<'a>], function: Option<String>) {
        let argument = |name: &str| arguments.iter().find(|a| a.name == name);
        let (Some(key), Some(value)) = (argument("key"), argument("value")) else {
            return;
        };
        let Some(key) = self.single_literal(key.expr, key.scope) else {
            return;
        };
        let param = match key.as_str() {
            "spec.image" => RUN,
            "spec.build.baseImage" => BASE,
            "spec.build.image" => TARGET,
            "spec.build.commands" => Commands,
            _ => return,
        };
        let field = format!("set_config({key})");
        self.argument(param, value.expr, value.scope, &field, &function);
    }

    /// `fn.spec.build.commands.append("pip install …")` (or `.extend([…])`,
    /// `.insert(i, …)`), and the same on `spec.build.requirements`.
    fn build_list_mutation(&mut self, call: &'a ExprCall) {
        let Expr::Attribute(method) = &*call.func else {
            return;
        };
        let Some((receiver, path)) = attribute_path(&method.value) else {
            return;
        };
        let args = &call.arguments.args;
        let (single, value) = match (method.attr.id.as_str(), &args[..]) {
            ("append", [value]) | ("insert", [_, value]) => (true, value),
            ("extend", [value]) => (false, value),
            _ => return,
        };
        let function = self.receiver_function(receiver);
        let field = format!("{path}.{}()", method.attr.id);
        let scope = self.scope;
        match (path.as_str(), single) {
            ("spec.build.commands", true) => {
                for (command, span, edit) in self.known_strings(value, scope) {
                    self.command(&command, span, edit, &field, &function);
                }
            }
            ("spec.build.commands", false) => self.commands(value, scope, &field, &function),
            ("spec.build.requirements", true) => {
                for (requirement, span, edit) in self.known_strings(value, scope) {
                    self.requirement(&requirement, span, edit, &field, &function);
                }
            }
            ("spec.build.requirements", false) => {
                self.requirements(value, scope, &field, &function)
            }
            _ => {}
        }
    }

    /// Whether `name` is passed as the literal `False`.
    fn passes_false(&self, arguments: &[Argument<'a>], name: &str) -> bool {
        arguments.iter().any(|argument| {
            argument.name == name && matches!(argument.expr, Expr::BooleanLiteral(b) if !b.value)
        })
    }

    /// The function an SDK call declares, with its kind and whether the call names
    /// an image for it, when MLRun would run it in a container of its kind's
    /// default image were no image given:
    /// - `set_function` of a `.py` file (kind `job` unless given) or of a notebook
    ///   with a written kind; not of a hub, `db://` or YAML function (their image
    ///   comes from there), nor `with_repo=True` (MLRun refuses a `.py` without an
    ///   image then, unless the project loads its source on run);
    /// - `code_to_function` and `new_function` with a written kind (without one,
    ///   MLRun raises or runs locally); not `new_function(runtime=…)`.
    fn declaration(
        &self,
        call: &'a ExprCall,
        signature: &Signature,
        arguments: &[Argument<'a>],
        function: Option<String>,
    ) -> Option<Declared> {
        // A call MLRun would refuse (an unknown keyword, too many arguments, an
        // unknown kind) declares nothing.
        let known = |name: &str| signature.params.iter().any(|(param, _)| *param == name);
        let unknown_keyword = call.arguments.keywords.iter().any(|keyword| {
            keyword
                .arg
                .as_ref()
                .is_some_and(|arg| !known(arg.id.as_str()))
        });
        if unknown_keyword || call.arguments.args.len() > signature.params.len() {
            return None;
        }
        let argument = |name: &str| arguments.iter().find(|a| a.name == name);
        let literal = |name: &str| argument(name).map(|a| self.single_literal(a.expr, a.scope));
        let kind = match literal("kind") {
            Some(Some(kind)) if FUNCTION_KINDS.contains(&kind.as_str()) => Some(kind),
            Some(_) => return None,
            None => None,
        };
        let kind = match signature.name {
            "set_function" => {
                let url = literal("func").flatten()?;
                let with_repo = argument("with_repo")
                    .is_some_and(|a| matches!(a.expr, Expr::BooleanLiteral(b) if b.value));
                if url.contains("://") || with_repo {
                    return None;
                }
                match (url.rsplit_once('.').map(|(_, e)| e), kind) {
                    (Some("py"), kind) => kind.unwrap_or_else(|| "job".into()),
                    (Some("ipynb"), Some(kind)) => kind,
                    _ => return None,
                }
            }
            "code_to_function" if !self.nuclio_config => kind?,
            "new_function" if argument("runtime").is_none() => kind?,
            _ => return None,
        };
        // An image argument names one unless it can only be `None`; what a wrapper
        // is passed from other modules (no value here) is judged at those calls.
        let names_image = arguments
            .iter()
            .filter(|a| matches!(a.param, Image(_)))
            .any(|a| {
                let values = self.values.strings(a.expr, a.scope);
                values.is_empty() || values.iter().any(|v| !matches!(v, Str::Absent))
            });
        let tagged = argument("tag").is_some_and(|a| !matches!(a.expr, Expr::NoneLiteral(_)));
        Some(Declared {
            span: callee_span(call),
            field: format!("{}(image=)", signature.name),
            function,
            kind,
            names_image,
            tagged,
        })
    }

    /// Judges one argument of an SDK call as the parameter it is passed for.
    fn argument(
        &mut self,
        param: Param,
        arg: &'a Expr,
        scope: ScopeId,
        field: &str,
        function: &Option<String>,
    ) {
        match param {
            Other | Name | WithMlrun => {}
            Image(role) => self.image(arg, scope, role, field, function),
            Requirements => self.requirements(arg, scope, field, function),
            RequirementsFile => self.requirements_file(arg, scope, field, function),
            Commands => self.commands(arg, scope, field, function),
            DockerfileLines => self.dockerfile_lines(arg, scope, field, function),
            VersionSpecifier => self.version_specifier(arg, scope, field, function),
            Url | UrlOrName => self.hub_ref(arg, scope, field, function),
        }
    }

    /// Records the parameters of this module's functions that `argument` of an
    /// SDK call forwards: those functions are wrappers other modules may call.
    fn forwards(&mut self, sdk: &'static str, argument: &Argument<'a>) {
        if matches!(argument.param, Other | WithMlrun) {
            return;
        }
        let list = matches!(argument.param, Requirements | Commands);
        for forwarded in self.values.forwarded(argument.expr, argument.scope, list) {
            self.wrappers
                .entry(forwarded.function)
                .or_insert_with(|| Wrapper::new(forwarded.function.to_string()))
                .add(Forward {
                    parameter: forwarded.parameter.to_string(),
                    position: forwarded.position,
                    param: argument.param,
                    sdk,
                });
        }
    }

    /// A call of a wrapper from another module of the project: what it passes
    /// for a forwarded parameter is judged here, at the call, as the SDK argument
    /// it reaches (a default left in force is judged at the wrapper's `def`).
    fn wrapper_call(&mut self, call: &'a ExprCall, wrapper: &Wrapper) {
        let passed = |forward: &Forward| self.passed(call, forward);
        let function = wrapper
            .forwards()
            .iter()
            .filter(|forward| forward.param == Name)
            .flat_map(passed)
            .find_map(|(expr, scope)| self.single_literal(expr, scope));
        for forward in wrapper.forwards() {
            let field = format!("{}({}=)", wrapper.function(), forward.parameter);
            for (expr, scope) in self.passed(call, forward) {
                self.argument(forward.param, expr, scope, &field, &function);
            }
        }
    }

    /// What `call` passes for the wrapper parameter `forward`: by keyword, by
    /// position (before any `*args`), or through a `**config` dict.
    fn passed(&self, call: &'a ExprCall, forward: &Forward) -> Vec<(&'a Expr, ScopeId)> {
        let arguments = &call.arguments;
        let by_keyword = arguments.keywords.iter().find(|keyword| {
            keyword
                .arg
                .as_ref()
                .is_some_and(|arg| arg.id.as_str() == forward.parameter)
        });
        if let Some(keyword) = by_keyword {
            return vec![(&keyword.value, self.scope)];
        }
        let by_position = forward.position.and_then(|p| {
            let spread = arguments
                .args
                .iter()
                .take(p + 1)
                .any(|a| matches!(a, Expr::Starred(_)));
            (!spread).then(|| arguments.args.get(p)).flatten()
        });
        if let Some(arg) = by_position {
            return vec![(arg, self.scope)];
        }
        arguments
            .keywords
            .iter()
            .filter(|keyword| keyword.arg.is_none())
            .flat_map(|keyword| {
                self.values
                    .keyword(&keyword.value, self.scope, &forward.parameter)
            })
            .map(|at| (at.expr, at.scope))
            .collect()
    }

    /// The one literal string `expr` can be, if it can be only one.
    fn single_literal(&self, expr: &'a Expr, scope: ScopeId) -> Option<String> {
        match self.values.strings(expr, scope).as_slice() {
            [Str::Literal { value, .. }] => Some(value.clone()),
            _ => None,
        }
    }

    /// The function a call's facts belong to: its `name=` (or `new_name=`, or
    /// `build_function`'s function given by name, or a function variable passed as
    /// `set_function`'s `func`), else the function the receiver variable was bound to.
    fn function_name(&self, call: &ExprCall, arguments: &[Argument<'a>]) -> Option<String> {
        for argument in arguments {
            let value = match argument.param {
                Name | UrlOrName => self.single_literal(argument.expr, argument.scope),
                _ => None,
            };
            let named = match argument.param {
                Name => true,
                UrlOrName => !value.as_ref().is_some_and(|v| v.contains(['/', '.'])),
                _ => false,
            };
            if named {
                if let Some(value) = value {
                    return Some(value);
                }
            }
            // `project.set_function(fn, image=…)` with `fn` a function made earlier.
            if let (UrlOrName, Expr::Name(variable)) = (argument.param, argument.expr) {
                if let Some(Some(function)) = self.functions.get(variable.id.as_str()) {
                    return Some(function.clone());
                }
            }
        }
        match &*call.func {
            Expr::Attribute(attribute) => self.receiver_function(&attribute.value),
            _ => None,
        }
    }

    /// The function a receiver expression (`fn`, `fn.spec.build`) stands for, when
    /// its root variable was bound to a named function.
    fn receiver_function(&self, expr: &Expr) -> Option<String> {
        let mut root = expr;
        while let Expr::Attribute(attribute) = root {
            root = &attribute.value;
        }
        match root {
            Expr::Name(name) => self.functions.get(name.id.as_str()).cloned().flatten(),
            _ => None,
        }
    }

    fn assignment(&mut self, target: &'a Expr, value: &'a Expr) {
        let scope = self.scope;
        match target {
            Expr::Name(name) => {
                // Track `fn = mlrun.code_to_function(name="x", ...)`, also through
                // the function's own methods chained on it (`.apply(mount_v3io())`,
                // `.with_code()`: they return the function); any other binding
                // forgets what the variable was.
                let mut value = value;
                while let Expr::Call(ExprCall { func, .. }) = value {
                    match &**func {
                        Expr::Attribute(method) if matches!(&*method.value, Expr::Call(_)) => {
                            value = &method.value;
                        }
                        _ => break,
                    }
                }
                let bound = match value {
                    Expr::Call(call) => self.signature(call).and_then(|signature| {
                        RETURNS_FUNCTION.contains(&signature.name).then(|| {
                            let arguments = self.arguments(call, signature);
                            self.function_name(call, &arguments)
                        })
                    }),
                    _ => None,
                };
                match bound {
                    Some(function) => {
                        self.functions.insert(name.id.to_string(), function);
                    }
                    None => {
                        self.functions.remove(name.id.as_str());
                    }
                }
            }
            Expr::Attribute(_) => {
                let Some((receiver, path)) = attribute_path(target) else {
                    return;
                };
                let function = self.receiver_function(receiver);
                let field = path.clone();
                let role = match path.as_str() {
                    "spec.image" => ImageRole::Run,
                    "spec.build.base_image" => ImageRole::BuildBase,
                    "spec.build.image" => ImageRole::BuildTarget,
                    "spec.default_image" => ImageRole::ProjectDefault,
                    "spec.build.commands" => {
                        return self.commands(value, scope, &field, &function);
                    }
                    "spec.build.requirements" => {
                        return self.requirements(value, scope, &field, &function);
                    }
                    "spec.build.extra" => {
                        return self.dockerfile_lines(value, scope, &field, &function);
                    }
                    _ => return,
                };
                self.image(value, scope, role, &field, &function);
            }
            _ => {}
        }
    }

    fn origin(
        &self,
        span: Span,
        edit: Option<Span>,
        field: &str,
        function: &Option<String>,
    ) -> Origin {
        Origin::new(span, edit, field).with_function(function.clone())
    }

    fn image(
        &mut self,
        expr: &'a Expr,
        scope: ScopeId,
        role: ImageRole,
        field: &str,
        function: &Option<String>,
    ) {
        for value in self.values.strings(expr, scope) {
            let fact = match value {
                Str::Literal { value, span, edit } => {
                    ImageFact::from_text(&value, role, self.origin(span, edit, field, function))
                }
                Str::Composed {
                    value,
                    whole,
                    pieces,
                } => self.composed_image(&value, whole, &pieces, role, field, function),
                Str::Unknown { text, span, reason } => Some(ImageFact {
                    origin: self.origin(span, None, field, function),
                    role,
                    value: ImageValue::Unverifiable { text, reason },
                    pulled_as_written: false,
                }),
                Str::Absent => None,
            };
            self.facts.extend(fact.map(Fact::Image));
        }
    }

    /// An image built from known parts, on the literal holding its name. Ending in
    /// the client's version (`f"mlrun/mlrun:{mlrun.__version__}"`), an MLRun image
    /// follows the client as an untagged one does; the client's version anywhere
    /// else is not something the linter can judge.
    fn composed_image(
        &self,
        value: &str,
        whole: Span,
        pieces: &[(usize, Span)],
        role: ImageRole,
        field: &str,
        function: &Option<String>,
    ) -> Option<ImageFact> {
        let text = || {
            self.text
                .get(whole.start..whole.end)
                .unwrap_or_default()
                .to_string()
        };
        let unknown = |reason: &str| ImageFact {
            origin: self.origin(whole, None, field, function),
            role,
            value: ImageValue::Unverifiable {
                text: text(),
                reason: reason.to_string(),
            },
            pulled_as_written: false,
        };
        if let Some(repository) = value.strip_suffix(&format!(":{CLIENT_VERSION}")) {
            let image = ImageRef::parse(repository)
                .filter(|image| !repository.contains(CLIENT_VERSION) && image.is_mlrun());
            return Some(match image {
                Some(image) => {
                    let at = Str::anchor(whole, pieces, image.repository_end().saturating_sub(1));
                    ImageFact {
                        origin: self.origin(at, None, field, function),
                        role,
                        value: ImageValue::FollowsClient {
                            image,
                            text: text(),
                        },
                        pulled_as_written: false,
                    }
                }
                None => {
                    unknown("a tag from the MLRun client's version on an image that is not MLRun's")
                }
            });
        }
        if value.contains(CLIENT_VERSION) {
            return Some(unknown("the MLRun client's version inside the image name"));
        }
        let image = ImageRef::parse(value)?;
        let at = Str::anchor(
            whole,
            pieces,
            image.offset + image.repository_end().saturating_sub(1),
        );
        ImageFact::from_text(value, role, self.origin(at, None, field, function))
    }

    /// `requirements=`: a list of requirement strings. A single string is what
    /// MLRun's `resolve_requirements` makes of it: a file to read when it looks like
    /// a path (`requirements.txt`, `src/reqs.txt`: the ≤1.3 style), otherwise one
    /// requirement (≥1.4; never split on spaces, as MLRun does not split it).
    /// Values that are not known give nothing: no rule judges an unknown package.
    fn requirements(
        &mut self,
        expr: &'a Expr,
        scope: ScopeId,
        field: &str,
        function: &Option<String>,
    ) {
        let (items, single) = self.values.items(expr, scope);
        for item in items {
            if let Some((value, span, edit)) = known(item) {
                self.requirement(&value, span, edit, field, function);
            }
        }
        for value in single {
            if let Some((value, span, edit)) = known(value) {
                if looks_like_path(&value) {
                    self.include(&value, span, edit, field, function);
                } else {
                    self.requirement(&value, span, edit, field, function);
                }
            }
        }
    }

    fn requirement(
        &mut self,
        value: &str,
        span: Span,
        edit: Option<Span>,
        field: &str,
        function: &Option<String>,
    ) {
        if value.trim().is_empty() {
            return;
        }
        let fact = match parse_requirement(value) {
            Ok(parsed) => match edit {
                Some(content) => {
                    let mut fact = parsed.into_fact(&SpanMap::slice(content.start), field);
                    fact.origin.function = function.clone();
                    Fact::Package(fact)
                }
                None => {
                    let mut fact = parsed.into_fact(&SpanMap::slice(0), field);
                    fact.origin = self.origin(span, None, field, function);
                    if let Some(name) = &mut fact.name {
                        name.span = span;
                    }
                    fact.pin_at = None;
                    fact.specifier = fact.specifier.map(|_| span);
                    Fact::Package(fact)
                }
            },
            Err(message) => Fact::Problem(Problem {
                origin: self.origin(span, None, field, function),
                kind: ProblemKind::Parse,
                message: format!("`{value}` is not a requirement pip can read: {message}"),
            }),
        };
        self.facts.push(fact);
    }

    fn requirements_file(
        &mut self,
        expr: &'a Expr,
        scope: ScopeId,
        field: &str,
        function: &Option<String>,
    ) {
        for (value, span, edit) in self.known_strings(expr, scope) {
            if !value.trim().is_empty() {
                self.include(&value, span, edit, field, function);
            }
        }
    }

    fn include(
        &mut self,
        value: &str,
        span: Span,
        edit: Option<Span>,
        field: &str,
        function: &Option<String>,
    ) {
        self.facts.push(Fact::Include(IncludeFact {
            origin: self.origin(span, edit, field, function),
            kind: IncludeKind::Requirements,
            path: value.trim().to_string(),
            // MLRun opens `requirements_file` on the client, from the directory the
            // SDK call runs in (usually the project's folder): searched upward.
            base: IncludeBase::ClientWorkingDirectory,
        }));
    }

    /// `mlrun_version_specifier=`: the `mlrun` requirement the build installs.
    fn version_specifier(
        &mut self,
        expr: &'a Expr,
        scope: ScopeId,
        field: &str,
        function: &Option<String>,
    ) {
        for (value, span, edit) in self.known_strings(expr, scope) {
            self.requirement(&value, span, edit, field, function);
        }
    }

    /// Build commands: each known command is read as shell; facts land on the
    /// command's bytes when the literal's content is the command verbatim, else on
    /// the literal (or the composed string's) with nothing to edit.
    fn commands(&mut self, expr: &'a Expr, scope: ScopeId, field: &str, function: &Option<String>) {
        let (items, _) = self.values.items(expr, scope);
        for item in items {
            if let Some((value, span, edit)) = known(item) {
                self.command(&value, span, edit, field, function);
            }
        }
    }

    /// `extra=` Dockerfile lines: each `RUN` line's command, read as shell.
    fn dockerfile_lines(
        &mut self,
        expr: &'a Expr,
        scope: ScopeId,
        field: &str,
        function: &Option<String>,
    ) {
        for (lines, span, edit) in self.known_strings(expr, scope) {
            for (start, end) in super::yaml::fields::run_commands(&lines) {
                let edit =
                    edit.map(|content| Span::new(content.start + start, content.start + end));
                self.command(&lines[start..end], span, edit, field, function);
            }
        }
    }

    /// One build command, read as shell.
    fn command(
        &mut self,
        value: &str,
        span: Span,
        edit: Option<Span>,
        field: &str,
        function: &Option<String>,
    ) {
        for fact in pip_command::read(value) {
            let mut fact = match edit {
                Some(content) => fact.shifted(content.start),
                None => collapse(fact, span),
            };
            let origin = fact.origin_mut();
            origin.function = function.clone();
            origin.field = field.to_string();
            self.facts.push(fact);
        }
    }

    /// The known strings `expr` can be (see [`known`]); unknown ones are left out.
    fn known_strings(&self, expr: &'a Expr, scope: ScopeId) -> Vec<(String, Span, Option<Span>)> {
        self.values
            .strings(expr, scope)
            .into_iter()
            .filter_map(known)
            .collect()
    }

    fn hub_ref(&mut self, expr: &'a Expr, scope: ScopeId, field: &str, function: &Option<String>) {
        for (value, span, edit) in self.known_strings(expr, scope) {
            if let Some(reference) = HubRef::parse(&value) {
                self.facts.push(Fact::HubRef(HubRefFact {
                    origin: self.origin(span, edit, field, function),
                    reference,
                }));
            }
        }
    }
}

/// A function an SDK call declares (see [`Reader::declaration`]).
struct Declared {
    /// The called name (`set_function`).
    span: Span,
    field: String,
    function: Option<String>,
    kind: String,
    names_image: bool,
    /// The call gives the function a tag (`tag=`), which its built image takes.
    tagged: bool,
}

impl Declared {
    /// The declaration as a fact: it names an image when its call does, or when
    /// any image of the module (a run image, a build's base or target) is set on
    /// the same named function (`fn.spec.image = …`, `fn.build_config(base_image=…)`).
    fn into_fact(self, imaged: &HashSet<&str>) -> Fact {
        let named_elsewhere = self
            .function
            .as_deref()
            .is_some_and(|function| imaged.contains(function));
        Fact::Function(FunctionFact {
            origin: Origin::new(self.span, None, self.field).with_function(self.function),
            kind: Some(self.kind),
            names_image: self.names_image || named_elsewhere,
        })
    }
}

/// The named functions that some image of the module (a run image, a build's
/// base or target) is set on.
fn functions_given_an_image(facts: &[Fact]) -> HashSet<&str> {
    facts
        .iter()
        .filter_map(|fact| match fact {
            Fact::Image(image)
                if matches!(
                    image.role,
                    ImageRole::Run | ImageRole::BuildBase | ImageRole::BuildTarget
                ) =>
            {
                image.origin.function.as_deref()
            }
            _ => None,
        })
        .collect()
}

/// The bytes of the called name: `set_function` in `project.set_function(…)`.
fn callee_span(call: &ExprCall) -> Span {
    match &*call.func {
        Expr::Attribute(attribute) => span_of(attribute.attr.range),
        other => span_of(other.range()),
    }
}

/// A known string (a literal, or a composed string without the client's version):
/// its value, where a finding about it belongs, and the bytes a fix may edit.
fn known(value: Str) -> Option<(String, Span, Option<Span>)> {
    match value {
        Str::Literal { value, span, edit } => Some((value, span, edit)),
        Str::Composed {
            value,
            whole,
            pieces,
        } if !value.contains(CLIENT_VERSION) => {
            let start = value.len() - value.trim_start().len();
            Some((value, Str::anchor(whole, &pieces, start), None))
        }
        _ => None,
    }
}

/// `receiver.a.b.c` as (`receiver`, `"a.b.c"`), for assignment targets.
fn attribute_path(expr: &Expr) -> Option<(&Expr, String)> {
    let mut parts = Vec::new();
    let mut current = expr;
    while let Expr::Attribute(attribute) = current {
        parts.push(attribute.attr.id.as_str());
        current = &attribute.value;
    }
    parts.reverse();
    // Keep the last parts that start at `spec` (`fn.spec.image`, `p.spec.default_image`).
    let spec = parts.iter().rposition(|p| *p == "spec")?;
    Some((current, parts[spec..].join(".")))
}

/// Whether a single `requirements=` string names a file (MLRun ≤1.3 passed a path).
fn looks_like_path(value: &str) -> bool {
    let value = value.trim();
    value.ends_with(".txt")
        || value.ends_with(".in")
        || (value.contains('/') && !value.contains("://") && !value.contains('@'))
}

/// A fact read from a decoded string whose bytes are not the file's (escapes,
/// concatenation): every span becomes the whole literal, and nothing is editable.
fn collapse(fact: Fact, span: Span) -> Fact {
    let mut fact = fact;
    if let Fact::Package(package) = &mut fact {
        if let Some(name) = &mut package.name {
            name.span = span;
        }
        package.pin_at = None;
        package.specifier = package.specifier.map(|_| span);
        package.shell_redirect = package.shell_redirect.map(|_| span);
    }
    let origin = fact.origin_mut();
    origin.span = span;
    origin.edit_span = None;
    fact
}

#[cfg(test)]
mod tests;
