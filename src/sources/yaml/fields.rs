//! The one seam between the MLRun schemas and facts: schema walkers name the
//! fields they find as [`Field`]s (a readable path, what the field holds, the
//! spanned node), and [`Collector`] turns them into facts with exact spans.
//!
//! Adding a new kind of field is a new [`FieldKind`] variant, the walkers pushing
//! it, and one arm in [`Collector::field`]; the span logic is shared.
//!
//! Text inside a scalar (a requirement, a build command, Dockerfile lines) is read
//! by the format-free readers with spans relative to the value, and placed into
//! the file through [`value_map`]: exactly when the value's bytes are in the file,
//! else collapsed onto the scalar with no edit span, so no fix is offered.

use super::tree::{Node, Value};
use crate::facts::requirement::{parse_requirement, SpanMap};
use crate::facts::IncludeBase;
use crate::facts::{
    BuildFact, Fact, FunctionFact, HubRef, HubRefFact, ImageFact, ImageRole, IncludeFact,
    IncludeKind, Origin, Problem, ProblemKind,
};
use crate::sources::{pip_command, shell};
use crate::span::Span;
use std::borrow::Cow;

/// What a field holds, which decides the fact it becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A container image reference used for the given purpose.
    Image(ImageRole),
    /// pip requirements: a list of requirement strings, or one string (a project
    /// entry's `requirements`, `default_requirements`). One string is one
    /// requirement, as MLRun's `ImageBuilder.resolve_requirements` takes it (a
    /// space-separated string is one invalid requirement to pip too), unless it
    /// names a requirements file (`*.txt`), which MLRun reads instead.
    Requirements,
    /// Shell commands the build runs in Dockerfile `RUN`s (`spec.build.commands`):
    /// a list, or one string. Only their `pip install`s become facts.
    Commands,
    /// Raw Dockerfile lines (`spec.build.extra`): their `RUN` instructions are read
    /// like build commands.
    DockerfileLines,
    /// Packages installed in the pods of a dask cluster (`spec.extra_pip`).
    ExtraPip,
    /// A requirements file to read at project load (`requirements_file`).
    RequirementsFile,
    /// A `build` map: becomes a [`BuildFact`] when it sets `with_mlrun: true`.
    Build,
    /// A string MLRun resolves from the function hub when it starts with `hub://`
    /// (a function reference's `url`, a serving step's `class_name`); other
    /// values are not hub references and yield nothing.
    HubRef,
    /// A shell script a CI runner executes (a GitHub step's `run`, a GitLab job's
    /// `script`): a string, or a list of strings (nested lists are GitLab's
    /// `!reference` expansions). Its `mlrun build` / `mlrun run` lines become facts.
    ShellScript,
}

/// A field of interest found by a schema walker.
#[derive(Clone, Debug)]
pub struct Field<'a> {
    /// Readable path from the document root (`spec.functions[2].image`).
    pub path: String,
    pub kind: FieldKind,
    pub node: &'a Node<'a>,
}

/// Pushes `node` as a field when it is present.
pub fn push<'a>(
    out: &mut Vec<Field<'a>>,
    path: String,
    kind: FieldKind,
    node: Option<&'a Node<'a>>,
) {
    if let Some(node) = node {
        out.push(Field { path, kind, node });
    }
}

/// `prefix.key`, or `key` at the root.
pub fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// `prefix[index]`.
pub fn index(prefix: &str, index: usize) -> String {
    format!("{prefix}[{index}]")
}

/// `prefix["key"]`, for flat keys that contain dots (`spec.config["spec.build.baseImage"]`).
pub fn quoted_key(prefix: &str, key: &str) -> String {
    format!("{prefix}[{key:?}]")
}

/// The text of a scalar as MLRun would read it into a string field: a string's
/// value, or a number's source text (`1.10` stays `1.10`). `None` for anything else.
pub fn scalar_text<'t>(text: &'t str, node: &'t Node) -> Option<Cow<'t, str>> {
    match &node.value {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number => text
            .get(node.defined.start..node.defined.end)
            .map(|raw| Cow::Borrowed(raw.trim())),
        _ => None,
    }
}

/// The bytes whose text is exactly the node's value, when there are such bytes.
///
/// Checked against the source, never assumed: a plain single-line scalar is its
/// whole span; a single- or double-quoted one on one line without escapes is the
/// inside of its quotes; block scalars, multi-line scalars and escapes have none.
/// For an alias this is the anchored scalar, the text a fix must change.
pub fn edit_span(text: &str, node: &Node) -> Option<Span> {
    let span = node.defined;
    let raw = text.get(span.start..span.end)?;
    let value = scalar_text(text, node)?;
    if raw.contains(['\n', '\r']) {
        return None;
    }
    if raw == value && !raw.starts_with(['\'', '"']) {
        return (!is_block_scalar_content(text, span.start)).then_some(span);
    }
    let quote = raw.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = raw.strip_prefix(quote)?.strip_suffix(quote)?;
    let escaped = match quote {
        '"' => inner.contains('\\'),
        _ => inner.contains("''"),
    };
    (!escaped && inner == value).then(|| Span::new(span.start + 1, span.end - 1))
}

/// Whether a scalar starting at `start` is the content of a `|` / `>` block
/// scalar: it opens its line, and the previous non-blank line ends with a block
/// header (`|`, `>-`, `|2+`, optionally followed by a comment).
fn is_block_scalar_content(text: &str, start: usize) -> bool {
    let before = &text[..start];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    if !before[line_start..].trim().is_empty() {
        return false;
    }
    let Some(previous) = before[..line_start]
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
    else {
        return false;
    };
    let code = match previous.find(" #") {
        Some(comment) => &previous[..comment],
        None => previous,
    };
    code.split_whitespace().last().is_some_and(|token| {
        let mut chars = token.chars();
        matches!(chars.next(), Some('|' | '>'))
            && chars.all(|c| c == '-' || c == '+' || c.is_ascii_digit())
    })
}

/// Turns fields into facts for one file.
pub struct Collector<'t> {
    text: &'t str,
    pub facts: Vec<Fact>,
}

impl<'t> Collector<'t> {
    pub fn new(text: &'t str) -> Self {
        Self {
            text,
            facts: Vec::new(),
        }
    }

    pub fn text(&self) -> &'t str {
        self.text
    }

    /// Where `node` stands: its use site, and the editable bytes of its definition.
    pub fn origin(&self, node: &Node, path: impl Into<String>, function: Option<&str>) -> Origin {
        Origin::new(node.span, edit_span(self.text, node), path)
            .with_function(function.map(str::to_string))
    }

    /// Records one field's facts, if its value is usable. Returns whether it names
    /// something (a non-empty image), which is what [`FunctionFact::names_image`] counts.
    pub fn field(&mut self, field: &Field<'_>, function: Option<&str>) -> bool {
        let path = field.path.as_str();
        match field.kind {
            FieldKind::Requirements => {
                match field.node.as_seq() {
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            self.requirement(item, &index(path, i), function, false);
                        }
                    }
                    None => self.requirement(field.node, path, function, true),
                }
                false
            }
            FieldKind::Commands => {
                match field.node.as_seq() {
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            self.command(item, &index(path, i), function);
                        }
                    }
                    None => self.command(field.node, path, function),
                }
                false
            }
            FieldKind::DockerfileLines => {
                self.dockerfile_lines(field.node, path, function);
                false
            }
            FieldKind::ExtraPip => {
                self.extra_pip(field.node, path, function);
                false
            }
            FieldKind::RequirementsFile => {
                let value = field.node.as_str().map(str::trim).unwrap_or_default();
                if !value.is_empty() {
                    let origin = self.origin(field.node, path, function);
                    self.facts.push(Fact::Include(IncludeFact {
                        origin,
                        kind: IncludeKind::Requirements,
                        path: value.to_string(),
                        base: IncludeBase::Includer,
                    }));
                }
                false
            }
            FieldKind::Build => {
                self.build(field.node, path, function);
                false
            }
            FieldKind::ShellScript => {
                self.shell_script(field.node, path, function);
                false
            }
            FieldKind::HubRef => {
                let reference = field.node.as_str().map(str::trim).and_then(HubRef::parse);
                if let Some(reference) = reference {
                    let origin = self.origin(field.node, path, function);
                    self.facts
                        .push(Fact::HubRef(HubRefFact { origin, reference }));
                }
                false
            }
            FieldKind::Image(role) => {
                let Some(value) = scalar_text(self.text, field.node) else {
                    return false;
                };
                let origin = self.origin(field.node, field.path.as_str(), function);
                match ImageFact::from_text(&value, role, origin) {
                    Some(fact) => {
                        self.facts.push(Fact::Image(fact));
                        true
                    }
                    None => false,
                }
            }
        }
    }

    /// One requirement item, cleaned as MLRun's `resolve_requirements` does: blank
    /// items and `#` comments are dropped, an inline ` #` comment is cut off. A
    /// `lone` string (not in a list) naming a `.txt` file is a requirements file.
    fn requirement(&mut self, node: &Node, path: &str, function: Option<&str>, lone: bool) {
        let Some(value) = scalar_text(self.text, node) else {
            return;
        };
        let trimmed = value.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return;
        }
        if lone && !trimmed.contains(char::is_whitespace) && is_requirements_file(trimmed) {
            let origin = self.origin(node, path, function);
            self.facts.push(Fact::Include(IncludeFact {
                origin,
                kind: IncludeKind::Requirements,
                path: trimmed.to_string(),
                base: IncludeBase::Includer,
            }));
            return;
        }
        let start = value.len() - value.trim_start().len();
        let end = value[start..]
            .find(" #")
            .map_or(value.len(), |comment| start + comment);
        let fact = match parse_requirement(&value[..end]) {
            Ok(req) => Fact::Package(req.into_fact(&SpanMap::default(), path)),
            Err(message) => {
                let origin =
                    Origin::new(node.span, None, path).with_function(function.map(str::to_string));
                self.facts.push(Fact::Problem(Problem {
                    origin,
                    kind: ProblemKind::Parse,
                    message: format!("invalid requirement: {message}"),
                }));
                return;
            }
        };
        let map = value_map(self.text, node, &value);
        self.facts
            .push(place(fact, map.as_ref(), node, path, function));
    }

    /// A CI script: each string's `mlrun` command lines, placed in the file.
    fn shell_script(&mut self, node: &Node, path: &str, function: Option<&str>) {
        if let Some(items) = node.as_seq() {
            for (i, item) in items.iter().enumerate() {
                self.shell_script(item, &index(path, i), function);
            }
            return;
        }
        let Some(value) = node.as_str() else {
            return;
        };
        let map = value_map(self.text, node, value);
        for fact in shell::read(value) {
            self.facts
                .push(place(fact, map.as_ref(), node, path, function));
        }
    }

    /// One shell command string: its `pip install`s.
    fn command(&mut self, node: &Node, path: &str, function: Option<&str>) {
        let Some(value) = node.as_str() else {
            return;
        };
        let map = value_map(self.text, node, value);
        for fact in pip_command::read(value) {
            self.facts
                .push(place(fact, map.as_ref(), node, path, function));
        }
    }

    /// Dockerfile lines: the commands of their `RUN` instructions.
    fn dockerfile_lines(&mut self, node: &Node, path: &str, function: Option<&str>) {
        let Some(value) = node.as_str() else {
            return;
        };
        let map = value_map(self.text, node, value);
        for (start, end) in run_commands(value) {
            let within = map
                .as_ref()
                .map(|map| SpanMap::slice(start).then(map, end - start));
            for fact in pip_command::read(&value[start..end]) {
                self.facts
                    .push(place(fact, within.as_ref(), node, path, function));
            }
        }
    }

    /// dask's `extra_pip`: the dask image runs `pip install $EXTRA_PIP_PACKAGES`,
    /// an unquoted expansion, so the value is split on whitespace and nothing else
    /// (no quotes removed, `>` is no redirection). Each word is single-quoted into
    /// a `pip install` command so the shell reader sees exactly those words, and
    /// spans are mapped back word by word.
    fn extra_pip(&mut self, node: &Node, path: &str, function: Option<&str>) {
        let Some(value) = node.as_str() else {
            return;
        };
        let words = value
            .split(|c: char| c.is_ascii_whitespace())
            .filter(|w| !w.is_empty())
            .map(|w| (w.as_ptr() as usize - value.as_ptr() as usize, w));
        let mut command = String::from("pip install");
        let mut to_value = SpanMap::default();
        let mut quotable = true;
        for (offset, word) in words {
            quotable &= !word.contains('\'');
            command.push_str(" '");
            to_value.push(command.len(), offset);
            command.push_str(word);
            command.push('\'');
        }
        // A word holding `'` cannot be quoted whole: read it unquoted, unplaced.
        let map = value_map(self.text, node, value)
            .filter(|_| quotable)
            .map(|map| to_value.then(&map, command.len()));
        let command = if quotable {
            command
        } else {
            format!("pip install {value}")
        };
        for fact in pip_command::read(&command) {
            self.facts
                .push(place(fact, map.as_ref(), node, path, function));
        }
    }

    /// A build that may install the `mlrun` package itself (MLR207): one that
    /// writes `with_mlrun: true|false`, or names a base image (on which MLRun
    /// turns an unset `with_mlrun` on unless the base is MLRun's). Located at the
    /// `with_mlrun` value, else at the base image.
    fn build(&mut self, build: &Node, path: &str, function: Option<&str>) {
        let base = build.get("base_image");
        let base_image = base
            .and_then(Node::as_str)
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(str::to_string);
        let (with_mlrun, at, field) = match build.get("with_mlrun") {
            Some(node) => match node.value {
                Value::Bool(value) => (Some(value), node, "with_mlrun"),
                // A string or a number is not what MLRun's schema takes: not judged.
                _ => return,
            },
            None => match (base, &base_image) {
                (Some(node), Some(_)) => (None, node, "base_image"),
                _ => return,
            },
        };
        let installs_mlrun = build.get("commands").is_some_and(|commands| {
            commands
                .as_seq()
                .into_iter()
                .flatten()
                .filter_map(Node::as_str)
                .any(BuildFact::command_installs_mlrun)
        });
        let origin = self.origin(at, join(path, field), function);
        self.facts.push(Fact::Build(BuildFact {
            sets_project_default: false,
            origin,
            with_mlrun,
            base_image,
            installs_mlrun,
        }));
    }

    /// Records every field of one function; returns whether any of them names the
    /// function's own image (run image, build base or build target).
    pub fn function_fields(&mut self, fields: &[Field<'_>], function: Option<&str>) -> bool {
        let mut names_image = false;
        for field in fields {
            let named = self.field(field, function);
            names_image |= named && names_own_image(field.kind);
        }
        names_image
    }

    /// Records that a function is declared, located at `node`. The editable span
    /// is only given when `node` is the run image itself, the value a fix would fill.
    pub fn function(
        &mut self,
        node: &Node,
        path: &str,
        is_image: bool,
        function: Option<&str>,
        kind: Option<&str>,
        names_image: bool,
    ) {
        let mut origin = self.origin(node, path, function);
        if !is_image {
            origin.edit_span = None;
        }
        self.facts.push(Fact::Function(FunctionFact {
            origin,
            kind: kind.map(str::to_string),
            names_image,
        }));
    }
}

/// Whether a lone requirements string names a file (MLRun reads it when it exists).
fn is_requirements_file(value: &str) -> bool {
    value.to_ascii_lowercase().ends_with(".txt")
}

/// Where the text of a scalar's value sits in the file, when every line of it is
/// bytes of the file: a plain or simply quoted scalar ([`edit_span`]), or a block
/// or multi-line scalar whose lines are file lines less their indentation (checked
/// line by line, so folding, escapes or chomping that change the text give `None`).
/// For an alias these are the anchored scalar's bytes.
pub fn value_map(text: &str, node: &Node, value: &str) -> Option<SpanMap> {
    if let Some(edit) = edit_span(text, node) {
        return Some(SpanMap::slice(edit.start));
    }
    let start = node.defined.start;
    let line_start = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
    let indent = start - line_start;
    if !text[line_start..start].bytes().all(|b| b == b' ') {
        return None;
    }
    let mut map = SpanMap::default();
    let mut cursor = start;
    let mut offset = 0;
    let mut lines = value.split('\n').peekable();
    while let Some(line) = lines.next() {
        let last = lines.peek().is_none();
        if last && line.is_empty() {
            break;
        }
        let line_end = text[cursor..].find('\n').map_or(text.len(), |p| cursor + p);
        let raw = &text[cursor..line_end];
        if raw.strip_suffix('\r').unwrap_or(raw) != line {
            return None;
        }
        map.push(offset, cursor);
        offset += line.len() + 1;
        if last {
            break;
        }
        let next = line_end + 1;
        let rest = text.get(next..)?;
        cursor = next + rest.bytes().take(indent).take_while(|b| *b == b' ').count();
    }
    Some(map)
}

/// A fact read from a scalar's value, moved into the file: through `map` when the
/// value's bytes are known, else every span collapsed onto the scalar with no
/// edit span. An alias's fact stands at the alias (its fix spans stay in the
/// anchored text); it is labelled with the field and function it belongs to.
fn place(
    mut fact: Fact,
    map: Option<&SpanMap>,
    node: &Node,
    path: &str,
    function: Option<&str>,
) -> Fact {
    let to_file = |span: Span| match map {
        Some(map) => map.span(span),
        None => node.span,
    };
    let edit = |span: Option<Span>| {
        let map = map?;
        span.filter(|s| map.is_contiguous(*s)).map(|s| map.span(s))
    };
    if let Fact::Package(package) = &mut fact {
        if let Some(name) = &mut package.name {
            name.span = to_file(name.span);
        }
        // An insertion point right after the name stays on the name's line.
        package.pin_at = match map {
            Some(map) => package.pin_at.map(|at| Span::at(map.end(at.start))),
            None => None,
        };
        package.specifier = package.specifier.map(to_file);
        package.shell_redirect = package.shell_redirect.map(to_file);
    }
    let origin = fact.origin_mut();
    origin.edit_span = edit(origin.edit_span);
    origin.span = if node.span == node.defined {
        to_file(origin.span)
    } else {
        node.span
    };
    origin.field = path.to_string();
    origin.function = function.map(str::to_string);
    fact
}

/// The command text of each `RUN` instruction in Dockerfile lines, as byte ranges:
/// from after the keyword to the end of its last `\`-continued line (the shell
/// reader joins the continuations). Comment lines are skipped; other instructions
/// are not read.
pub(crate) fn run_commands(lines: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut pieces = lines.split_inclusive('\n');
    while let Some(line) = pieces.next() {
        let line_start = offset;
        offset += line.len();
        let code = line.trim_start();
        let keyword_at = line_start + (line.len() - code.len());
        let is_run = code.get(..3).is_some_and(|k| k.eq_ignore_ascii_case("run"))
            && code[3..].starts_with([' ', '\t']);
        if !is_run {
            continue;
        }
        let mut end = line_start + line.trim_end().len();
        let mut continued = line.trim_end().ends_with('\\');
        while continued {
            let Some(next) = pieces.next() else {
                break;
            };
            let next_start = offset;
            offset += next.len();
            end = next_start + next.trim_end().len();
            continued = next.trim_end().ends_with('\\');
        }
        out.push((keyword_at + 3, end.max(keyword_at + 3)));
    }
    out
}

/// Image roles that name the image a function itself runs on or is built from.
fn names_own_image(kind: FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::Image(ImageRole::Run | ImageRole::BuildBase | ImageRole::BuildTarget)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::yaml::tree::parse;

    /// The text at each value's edit span, for the map entries of `text`.
    fn edits(text: &str) -> Vec<(String, Option<String>)> {
        let docs = parse(text).unwrap();
        docs[0]
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                let edit = edit_span(text, v).map(|s| text[s.start..s.end].to_string());
                (k.as_str().unwrap_or_default().to_string(), edit)
            })
            .collect()
    }

    fn edit_of(text: &str, key: &str) -> Option<String> {
        edits(text)
            .into_iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, e)| e)
    }

    #[test]
    fn plain_and_simply_quoted_scalars_are_editable() {
        let text = "a: mlrun/mlrun  # note\nb: \"mlrun/mlrun:1.6\"\nc: 'python:3.9'\nd: ''\n";
        assert_eq!(edit_of(text, "a").as_deref(), Some("mlrun/mlrun"));
        assert_eq!(edit_of(text, "b").as_deref(), Some("mlrun/mlrun:1.6"));
        assert_eq!(edit_of(text, "c").as_deref(), Some("python:3.9"));
        // An empty quoted value is an insertion point between its quotes.
        let docs = parse(text).unwrap();
        let d = docs[0].get("d").unwrap();
        let span = edit_span(text, d).unwrap();
        assert!(span.is_empty());
        assert_eq!(&text[span.start - 1..span.end + 1], "''");
    }

    #[test]
    fn escapes_block_and_multi_line_scalars_are_not_editable() {
        let text = concat!(
            "a: \"mlrun\\/mlrun\"\n",
            "b: 'it''s'\n",
            "c: |\n  mlrun/mlrun\n",
            "d: >-\n  mlrun/mlrun\n",
            "e: |-  # comment\n  mlrun/mlrun\n",
            "f: mlrun/\n  mlrun\n",
            "g: \"mlrun/\n  mlrun\"\n",
        );
        for key in ["a", "b", "c", "d", "e", "f", "g"] {
            assert_eq!(edit_of(text, key), None, "{key}");
        }
    }

    #[test]
    fn a_plain_value_on_its_own_line_is_editable() {
        let text = "a:\n  # why\n  mlrun/mlrun\n";
        assert_eq!(edit_of(text, "a").as_deref(), Some("mlrun/mlrun"));
    }

    #[test]
    fn an_alias_edits_its_anchored_scalar() {
        let text = "a: &img 'mlrun/mlrun'\nb: *img\n";
        let docs = parse(text).unwrap();
        let b = docs[0].get("b").unwrap();
        assert_eq!(&text[b.span.start..b.span.end], "*img");
        let edit = edit_span(text, b).unwrap();
        assert_eq!(edit.start, text.find("mlrun").unwrap());
        assert_eq!(&text[edit.start..edit.end], "mlrun/mlrun");
    }

    #[test]
    fn numbers_are_their_source_text() {
        let text = "v: 1.10\n";
        let docs = parse(text).unwrap();
        let v = docs[0].get("v").unwrap();
        assert_eq!(scalar_text(text, v).as_deref(), Some("1.10"));
        assert_eq!(edit_of(text, "v").as_deref(), Some("1.10"));
    }

    #[test]
    fn run_instructions_are_found_with_their_continuations() {
        let lines = "FROM x\n  run pip install a \\\n    b\nRUN\tpip install c\r\n# RUN pip install d\nRUNNER x\nENV RUN=1\nRUN";
        let commands: Vec<&str> = run_commands(lines)
            .into_iter()
            .map(|(start, end)| &lines[start..end])
            .collect();
        assert_eq!(commands, [" pip install a \\\n    b", "\tpip install c"]);
    }

    #[test]
    fn block_scalar_lines_map_to_their_file_lines() {
        let text = "a: |\n  one\n\n    two\nb: >\n  x\n  y\nc: \"q\\tq\"\n";
        let docs = parse(text).unwrap();
        let map_of = |key: &str| {
            let node = docs[0].get(key).unwrap();
            value_map(text, node, node.as_str().unwrap())
        };
        let a = map_of("a").unwrap();
        let value = docs[0].get_str("a").unwrap();
        let two = value.find("two").unwrap();
        let span = a.span(Span::new(two, two + 3));
        assert_eq!(&text[span.start..span.end], "two");
        // Folding and escapes change the text: no map.
        assert_eq!(map_of("b"), None);
        assert_eq!(map_of("c"), None);
    }

    #[test]
    fn paths_read_like_the_spec() {
        assert_eq!(join("", "spec.image"), "spec.image");
        assert_eq!(
            join(&index("spec.functions", 2), "image"),
            "spec.functions[2].image"
        );
        assert_eq!(
            quoted_key("spec.config", "spec.build.baseImage"),
            "spec.config[\"spec.build.baseImage\"]"
        );
    }
}
