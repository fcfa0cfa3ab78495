//! Dockerfiles and Containerfiles: `FROM` base images, images named by
//! `COPY --from` and `RUN --mount=from=`, and `pip install` in `RUN`.
//!
//! The file is read the way BuildKit's parser reads it, because every other
//! linter's Dockerfile bugs came from reading it differently (anchors §2):
//! - parser directives (`# escape=`` ` ``) only before anything else;
//! - an instruction continues while a line ends with the escape character (spaces
//!   after it allowed); comment and blank lines inside a continuation are dropped,
//!   and the pieces are joined with nothing in between;
//! - heredocs (`<<EOF`, `<<-EOF`, `<<'EOF'`) on `RUN`, `COPY` and `ADD` take the
//!   following lines up to the delimiter, which are never instructions;
//! - `FROM` expands the global `ARG`s (those before the first `FROM`) with their
//!   defaults, which is the build everyone gets without `--build-arg`; an `AS`
//!   name (case-insensitive) and `scratch` are not images.
//!
//! The logical text of an instruction is kept with a [`SpanMap`] back to the file,
//! so every span is exact whatever continuations or quotes were in the way.
//! Unknown instructions are ignored, and an instruction that cannot be read never
//! stops the rest: the only problem reported is an unterminated heredoc, which
//! makes the whole rest of the file its body.

use super::pip_command;
use crate::facts::requirement::SpanMap;
use crate::facts::{
    template_marker, Fact, ImageFact, ImageRole, ImageValue, Origin, Problem, ProblemKind,
};
use crate::span::Span;
use std::collections::HashMap;

/// The `Origin::field` of an include mapped through `COPY` to a build-context file.
const INCLUDE_FIELD: &str = "pip install (a file COPY takes from the build context)";

/// The reason given for an image whose variable has no value in the default build.
const NO_DEFAULT: &str = "a Dockerfile `ARG` with no default";

/// Reads a Dockerfile's text into facts: base images (role `BuildBase`), images
/// copied or mounted from (role `Auxiliary`), and what `RUN` installs with pip.
pub fn read(text: &str) -> Vec<Fact> {
    let mut reader = Reader {
        text,
        lines: Lines {
            text,
            pos: if text.starts_with('\u{feff}') { 3 } else { 0 },
        },
        escape: '\\',
        global: HashMap::new(),
        stages: Vec::new(),
        stage_names: HashMap::new(),
        facts: Vec::new(),
    };
    reader.directives();
    while let Some(instruction) = reader.next_instruction() {
        reader.dispatch(&instruction);
    }
    reader.facts
}

/// Physical lines of the file: `start..end` excludes the line break (`\n` or `\r\n`).
struct Lines<'t> {
    text: &'t str,
    pos: usize,
}

#[derive(Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

impl Lines<'_> {
    fn peek(&self) -> Option<Line> {
        if self.pos >= self.text.len() {
            return None;
        }
        let newline = self.text[self.pos..]
            .find('\n')
            .map_or(self.text.len(), |n| self.pos + n);
        let end = if self.text[self.pos..newline].ends_with('\r') {
            newline - 1
        } else {
            newline
        };
        Some(Line {
            start: self.pos,
            end,
        })
    }

    fn next(&mut self) -> Option<Line> {
        let line = self.peek()?;
        self.pos = (line.end + 1).min(self.text.len());
        if self.text[line.end..].starts_with("\r\n") {
            self.pos = line.end + 2;
        }
        Some(line)
    }
}

/// One instruction: its logical text (continuations joined) mapped to the file.
struct Instruction {
    keyword: String,
    logical: String,
    map: SpanMap,
    /// Where the arguments start in `logical`.
    args: usize,
    /// The bodies of its heredocs in the file: the lines between the instruction
    /// and each delimiter line.
    heredocs: Vec<Span>,
}

/// A variable's value in the default build.
#[derive(Clone, Debug)]
enum ArgValue {
    /// Declared with a default (expanded, quotes removed).
    Default(String),
    /// Declared with no default, or a default that could not be expanded.
    NoDefault,
}

/// What a build stage holds that later instructions depend on.
#[derive(Clone, Debug, Default)]
struct Stage {
    /// The `AS` name, lowercased (BuildKit compares stage names case-insensitively).
    name: Option<String>,
    /// `ARG`s declared in the stage (a global one redeclared without a value
    /// takes the global default).
    args: HashMap<String, ArgValue>,
    /// The working directory in the image. A folder we cannot know is a marker
    /// starting with `@`: `@base` for the base image's own, `@workdir<offset>` for a
    /// `WORKDIR` set from a variable, so relative paths only meet under the same one.
    workdir: String,
    /// Files put into the image by `COPY`/`ADD`, latest last.
    copies: Vec<Copy>,
}

/// A `COPY`/`ADD`: where files land in the image and where they came from.
#[derive(Clone, Debug)]
struct Copy {
    /// Normalised destination in the image.
    dest: String,
    /// The destination is a directory (ends with `/`, is `.`, or several sources).
    dest_is_dir: bool,
    sources: Vec<String>,
    /// From the build context (no `--from`): only these sources are files we can read.
    from_context: bool,
}

struct Reader<'t> {
    text: &'t str,
    lines: Lines<'t>,
    escape: char,
    global: HashMap<String, ArgValue>,
    stages: Vec<Stage>,
    /// Each stage name's latest stage index, so naming a stage costs the same
    /// however many stages came before (a search of `stages` would be quadratic).
    stage_names: HashMap<String, usize>,
    facts: Vec<Fact>,
}

impl Reader<'_> {
    /// Parser directives: `# key=value` lines before anything else. The first line
    /// that is not one (a blank line, another comment, an instruction) ends them.
    fn directives(&mut self) {
        while let Some(line) = self.lines.peek() {
            let content = &self.text[line.start..line.end];
            let Some((key, value)) = directive(content) else {
                return;
            };
            if key.eq_ignore_ascii_case("escape") {
                match value {
                    "`" => self.escape = '`',
                    "\\" => self.escape = '\\',
                    _ => {}
                }
            }
            self.lines.next();
        }
    }

    /// The next instruction, continuations joined, heredoc bodies taken.
    fn next_instruction(&mut self) -> Option<Instruction> {
        let first = loop {
            let line = self.lines.next()?;
            let trimmed = self.text[line.start..line.end].trim_start();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                break line;
            }
        };
        let content = &self.text[first.start..first.end];
        let mut piece_start = first.start + (content.len() - content.trim_start().len());
        let mut piece = content.trim_start();
        let mut logical = String::new();
        let mut map = SpanMap::default();
        loop {
            let cut = continued(piece, self.escape);
            map.push(logical.len(), piece_start);
            logical.push_str(&piece[..cut.unwrap_or(piece.len())]);
            if cut.is_none() {
                break;
            }
            let next = loop {
                match self.lines.next() {
                    None => break None,
                    Some(line) => {
                        let trimmed = self.text[line.start..line.end].trim_start();
                        if !trimmed.is_empty() && !trimmed.starts_with('#') {
                            break Some(line);
                        }
                    }
                }
            };
            let Some(line) = next else { break };
            piece_start = line.start;
            piece = &self.text[line.start..line.end];
        }
        let keyword_end = logical
            .find(|c: char| c.is_whitespace())
            .unwrap_or(logical.len());
        let keyword = logical[..keyword_end].to_ascii_uppercase();
        let args = keyword_end
            + (logical[keyword_end..].len() - logical[keyword_end..].trim_start().len());
        let mut instruction = Instruction {
            keyword,
            logical,
            map,
            args,
            heredocs: Vec::new(),
        };
        if matches!(instruction.keyword.as_str(), "RUN" | "COPY" | "ADD") {
            self.heredocs(&mut instruction);
        }
        Some(instruction)
    }

    /// Takes the bodies of the heredocs an instruction opens, in order.
    fn heredocs(&mut self, instruction: &mut Instruction) {
        let markers = heredoc_markers(&instruction.logical, instruction.args, self.escape);
        for (marker, delimiter, strip_tabs) in markers {
            let body_start = self.lines.pos;
            let mut body_end = None;
            while let Some(line) = self.lines.next() {
                let content = &self.text[line.start..line.end];
                let content = if strip_tabs {
                    content.trim_start_matches('\t')
                } else {
                    content
                };
                if content == delimiter {
                    body_end = Some(line.start);
                    break;
                }
            }
            let body = Span::new(body_start, body_end.unwrap_or(self.text.len()));
            if body_end.is_none() {
                self.facts.push(Fact::Problem(Problem {
                    origin: Origin::new(instruction.map.span(span(marker)), None, "heredoc"),
                    kind: ProblemKind::Parse,
                    message: format!(
                        "heredoc `{}` is never closed by a `{delimiter}` line; the rest of the \
                         file is its body",
                        &instruction.logical[marker.0..marker.1]
                    ),
                }));
            }
            instruction.heredocs.push(body);
        }
    }

    fn dispatch(&mut self, instruction: &Instruction) {
        match instruction.keyword.as_str() {
            "ARG" => self.arg(instruction),
            "FROM" => self.from(instruction),
            "RUN" => self.run(instruction),
            "COPY" | "ADD" => self.copy(instruction),
            "WORKDIR" => self.workdir(instruction),
            _ => {}
        }
    }

    /// The words of the arguments, as `(start, end)` in the logical text.
    fn words(&self, instruction: &Instruction) -> Vec<(usize, usize)> {
        split_words(&instruction.logical, instruction.args, self.escape)
    }

    fn arg(&mut self, instruction: &Instruction) {
        for (start, end) in self.words(instruction) {
            let word = &instruction.logical[start..end];
            let (name, value) = match word.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (word, None),
            };
            if !is_name(name) {
                continue;
            }
            let value = match value {
                Some(raw) => {
                    let expanded = expand(raw, self.escape, &|n| self.lookup(n));
                    match expanded.unknown {
                        None => ArgValue::Default(expanded.text),
                        Some(_) => ArgValue::NoDefault,
                    }
                }
                None => match self.stages.last() {
                    Some(_) => self
                        .global
                        .get(name)
                        .cloned()
                        .unwrap_or(ArgValue::NoDefault),
                    None => ArgValue::NoDefault,
                },
            };
            match self.stages.last_mut() {
                Some(stage) => stage.args.insert(name.to_string(), value),
                None => self.global.insert(name.to_string(), value),
            };
        }
    }

    /// A variable in the current scope: the stage's `ARG`s, or the global ones
    /// before the first `FROM`.
    fn lookup(&self, name: &str) -> Lookup {
        let scope = match self.stages.last() {
            Some(stage) => &stage.args,
            None => &self.global,
        };
        lookup_in(scope, name)
    }

    fn from(&mut self, instruction: &Instruction) {
        let words = self.words(instruction);
        let mut rest = words
            .iter()
            .copied()
            .skip_while(|&(s, _)| instruction.logical[s..].starts_with("--"));
        let image = rest.next();
        let alias = match (rest.next(), rest.next()) {
            (Some((s, e)), Some((ns, ne)))
                if instruction.logical[s..e].eq_ignore_ascii_case("as") =>
            {
                Some(instruction.logical[ns..ne].to_ascii_lowercase())
            }
            _ => None,
        };
        let mut stage = Stage {
            name: alias,
            workdir: "@base".into(),
            ..Stage::default()
        };
        if let Some(word) = image {
            let global = &self.global;
            let resolved = self.resolve_image(instruction, word, &|n| lookup_in(global, n));
            if let Some(parent) = resolved.stage {
                stage.workdir = self.stages[parent].workdir.clone();
                stage.copies = self.stages[parent].copies.clone();
            }
            self.push_image(resolved, ImageRole::BuildBase, "FROM");
        }
        if let Some(name) = &stage.name {
            self.stage_names.insert(name.clone(), self.stages.len());
        }
        self.stages.push(stage);
    }

    /// What an image word names: an earlier stage, `scratch`, or an image.
    fn resolve_image(
        &self,
        instruction: &Instruction,
        (start, end): (usize, usize),
        lookup: &dyn Fn(&str) -> Lookup,
    ) -> Resolved {
        let raw = &instruction.logical[start..end];
        let file_span = instruction.map.span(Span::new(start, end));
        let literal = !raw.contains(['$', '\'', '"', self.escape])
            && instruction.map.is_contiguous(Span::new(start, end));
        let expanded = expand(raw, self.escape, lookup);
        let mut resolved = Resolved {
            span: file_span,
            edit_span: literal.then_some(file_span),
            value: Err((raw.to_string(), NO_DEFAULT)),
            args: expanded.used.clone(),
            stage: None,
        };
        if let Some(reason) = expanded.unknown {
            resolved.value = Err((raw.to_string(), reason));
            return resolved;
        }
        let name = expanded.text.to_ascii_lowercase();
        let index = name
            .parse::<usize>()
            .ok()
            .filter(|&i| i < self.stages.len());
        let by_name = self.stage_names.get(&name).copied();
        if name == "scratch" {
            resolved.value = Ok(None);
        } else if let Some(stage) = by_name.or(index) {
            resolved.stage = Some(stage);
            resolved.value = Ok(None);
        } else {
            resolved.value = Ok(Some(expanded.text));
        }
        resolved
    }

    fn push_image(&mut self, resolved: Resolved, role: ImageRole, construct: &str) {
        let field = if resolved.args.is_empty() {
            construct.to_string()
        } else {
            let args: Vec<String> = resolved
                .args
                .iter()
                .map(|(name, value)| format!("ARG {name}={value}"))
                .collect();
            format!("{construct} ({})", args.join(", "))
        };
        let origin = Origin::new(resolved.span, resolved.edit_span, field);
        match resolved.value {
            Ok(None) => {}
            Ok(Some(text)) => {
                if let Some(fact) = ImageFact::from_text(&text, role, origin) {
                    self.facts.push(Fact::Image(ImageFact {
                        pulled_as_written: true,
                        ..fact
                    }));
                }
            }
            Err((text, reason)) => self.facts.push(Fact::Image(ImageFact {
                origin,
                role,
                value: ImageValue::Unverifiable {
                    text,
                    reason: reason.to_string(),
                },
                pulled_as_written: true,
            })),
        }
    }

    fn stage_lookup(&self) -> impl Fn(&str) -> Lookup + '_ {
        move |name| match self.stages.last() {
            Some(stage) => lookup_in(&stage.args, name),
            None => Lookup::Undeclared,
        }
    }

    fn run(&mut self, instruction: &Instruction) {
        let words = self.words(instruction);
        let mut command_start = instruction.logical.len();
        let mut binds: Vec<Copy> = Vec::new();
        for &(start, end) in &words {
            let word = &instruction.logical[start..end];
            let Some(flag) = word.strip_prefix("--") else {
                command_start = start;
                break;
            };
            if let Some(mount) = flag.strip_prefix("mount=") {
                let offset = start + "--mount=".len();
                binds.extend(self.mount(instruction, mount, offset));
            }
        }
        let command = &instruction.logical[command_start..];
        let mut found = Vec::new();
        match exec_form(command) {
            Some(items) => {
                let (text, map) = exec_command(&items);
                let map = map.then(&SpanMap::slice(command_start), text.len());
                let map = map.then(&instruction.map, text.len());
                found.extend(
                    pip_command::read(&text)
                        .into_iter()
                        .map(|f| pip_command::relocate(f, &map)),
                );
            }
            None => {
                let map = SpanMap::slice(command_start).then(&instruction.map, command.len());
                found.extend(
                    pip_command::read(command)
                        .into_iter()
                        .map(|f| pip_command::relocate(f, &map)),
                );
            }
        }
        // A heredoc is the script when it is the whole command (`RUN <<EOF`) or a
        // shell with no script of its own reads it (`RUN bash -e <<EOF`); for any
        // other program (`python3 <<EOF`, `cat <<EOF > file`) it is data.
        let others: Vec<&str> = words
            .iter()
            .filter(|&&(s, _)| s >= command_start)
            .map(|&(s, e)| &instruction.logical[s..e])
            .filter(|w| !w.starts_with("<<"))
            .collect();
        let script = match others.split_first() {
            None => true,
            Some((program, options)) => {
                is_shell(program)
                    && options
                        .iter()
                        .all(|o| o.starts_with('-') && !o.starts_with("--") && !o.contains('c'))
            }
        };
        for body in &instruction.heredocs {
            let script_text = &self.text[body.start..body.end];
            if script && !has_foreign_shebang(script_text) {
                found.extend(
                    pip_command::read(script_text)
                        .into_iter()
                        .map(|f| f.shifted(body.start)),
                );
            }
        }
        for fact in found {
            self.push_run_fact(fact, &binds);
        }
    }

    /// A `-r`/`-c` file names a path inside the image: it is read from the build
    /// context only when a `COPY`/`ADD` (or a bind mount) put it there.
    fn push_run_fact(&mut self, fact: Fact, binds: &[Copy]) {
        let Fact::Include(mut include) = fact else {
            self.facts.push(fact);
            return;
        };
        if template_marker(&include.path).is_some() {
            self.facts.push(Fact::Include(include));
            return;
        }
        let stage = self.stages.last();
        let in_image = stage.map(|s| join(&s.workdir, &include.path));
        let copies = stage.map_or(&[][..], |s| s.copies.as_slice());
        let found = in_image.as_deref().and_then(|path| {
            [source_named, source_in_folder]
                .iter()
                .find_map(|source_of| {
                    binds.iter().chain(copies.iter().rev()).find_map(|copy| {
                        source_of(path, copy).map(|source| (copy.from_context, source))
                    })
                })
        });
        match found {
            Some((true, source)) => {
                // The path is now relative to the build context, not the image.
                include.origin.field = INCLUDE_FIELD.to_string();
                include.path = source;
                self.facts.push(Fact::Include(include));
            }
            _ => self.facts.push(Fact::Problem(Problem {
                origin: include.origin,
                kind: ProblemKind::Skipped,
                message: format!(
                    "`{}` is a file inside the image that no `COPY` from the build context \
                     provides, so this include was not followed (a file of that name in the \
                     project is checked on its own)",
                    include.path
                ),
            })),
        }
    }

    /// A `--mount=` option: its `from=` image (a fact) and, for a bind mount from the
    /// build context, where its files appear.
    fn mount(&mut self, instruction: &Instruction, options: &str, offset: usize) -> Option<Copy> {
        let mut kind = "bind";
        let mut from = None;
        let mut source = ".";
        let mut target = None;
        let mut at = offset;
        for option in options.split(',') {
            let (key, value) = option.split_once('=').unwrap_or((option, ""));
            let value_start = at + key.len() + 1;
            match key {
                "type" => kind = value,
                "from" => from = Some((value_start, value_start + value.len())),
                "source" | "src" => source = value,
                "target" | "dst" | "destination" => target = Some(value),
                _ => {}
            }
            at += option.len() + 1;
        }
        if let Some(word) = from {
            let resolved = self.resolve_image(instruction, word, &self.stage_lookup());
            self.push_image(resolved, ImageRole::Auxiliary, "RUN --mount=from");
            return None;
        }
        let workdir = self.stages.last()?.workdir.clone();
        if kind != "bind" {
            return None;
        }
        Some(Copy {
            dest: join(&workdir, target?),
            dest_is_dir: false,
            sources: vec![source.to_string()],
            from_context: true,
        })
    }

    fn copy(&mut self, instruction: &Instruction) {
        let words = self.words(instruction);
        let mut from_context = true;
        let mut first_path = words.len();
        for (i, &(start, end)) in words.iter().enumerate() {
            let word = &instruction.logical[start..end];
            let Some(flag) = word.strip_prefix("--") else {
                first_path = i;
                break;
            };
            if flag.starts_with("from=") {
                from_context = false;
                let value_start = start + "--from=".len();
                let resolved =
                    self.resolve_image(instruction, (value_start, end), &self.stage_lookup());
                self.push_image(resolved, ImageRole::Auxiliary, "COPY --from");
            }
        }
        if !instruction.heredocs.is_empty() {
            return;
        }
        let rest = &instruction.logical[words
            .get(first_path)
            .map_or(instruction.logical.len(), |w| w.0)..];
        let paths: Option<Vec<String>> = match exec_form(rest) {
            Some(items) => Some(items.into_iter().map(|item| item.text()).collect()),
            None => words[first_path.min(words.len())..]
                .iter()
                .map(|&(s, e)| {
                    let expanded = expand(&instruction.logical[s..e], self.escape, &|_| {
                        Lookup::Undeclared
                    });
                    expanded.unknown.is_none().then_some(expanded.text)
                })
                .collect(),
        };
        let Some(mut paths) = paths.filter(|p| p.len() >= 2) else {
            return;
        };
        let Some(stage) = self.stages.last_mut() else {
            return;
        };
        let dest = paths.pop().unwrap_or_default();
        stage.copies.push(Copy {
            dest: join(&stage.workdir, &dest),
            dest_is_dir: dest.ends_with('/') || dest == "." || paths.len() > 1,
            sources: paths,
            from_context,
        });
    }

    fn workdir(&mut self, instruction: &Instruction) {
        let raw = instruction.logical[instruction.args..].trim();
        let expanded = expand(raw, self.escape, &self.stage_lookup());
        let Some(stage) = self.stages.last_mut() else {
            return;
        };
        stage.workdir = match expanded.unknown {
            None => join(&stage.workdir, &expanded.text),
            Some(_) => format!("@workdir{}", instruction.map.start(instruction.args)),
        };
    }
}

/// An image word, resolved.
struct Resolved {
    span: Span,
    edit_span: Option<Span>,
    /// `Ok(Some(text))` an image, `Ok(None)` a stage or `scratch`, `Err((written,
    /// reason))` unverifiable.
    value: Result<Option<String>, (String, &'static str)>,
    /// The `ARG`s whose defaults the value was built from.
    args: Vec<(String, String)>,
    /// The earlier stage named, when it names one.
    stage: Option<usize>,
}

fn span((start, end): (usize, usize)) -> Span {
    Span::new(start, end)
}

/// `# key=value` with a directive-shaped key, or `None`.
fn directive(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_start().strip_prefix('#')?;
    let (key, value) = rest.split_once('=')?;
    let key = key.trim();
    let valid = key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key.bytes().all(|b| b.is_ascii_alphanumeric());
    valid.then(|| (key, value.trim()))
}

/// Where the escape character that continues `piece` starts, if it continues.
fn continued(piece: &str, escape: char) -> Option<usize> {
    let trimmed = piece.trim_end_matches([' ', '\t']);
    trimmed.strip_suffix(escape).map(str::len)
}

/// Splits arguments into words at unquoted white space (quotes and escapes kept).
fn split_words(s: &str, from: usize, escape: char) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let mut start = None;
    let mut quote = None;
    let mut chars = s[from..].char_indices().map(|(i, c)| (i + from, c));
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    words.push((s, i));
                }
                continue;
            }
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (Some('\''), _) => {}
            (_, c) if c == escape => {
                chars.next();
            }
            _ => {}
        }
        start.get_or_insert(i);
    }
    if let Some(start) = start {
        words.push((start, s.len()));
    }
    words
}

/// `<<EOF` words: `(marker span, delimiter, strip leading tabs)`.
fn heredoc_markers(s: &str, from: usize, escape: char) -> Vec<((usize, usize), String, bool)> {
    split_words(s, from, escape)
        .into_iter()
        .filter_map(|(start, end)| {
            let word = s[start..end].strip_prefix("<<")?;
            let (strip_tabs, name) = match word.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, word),
            };
            let name = ['\'', '"']
                .iter()
                .find_map(|&q| name.strip_prefix(q)?.strip_suffix(q))
                .unwrap_or(name);
            let valid = !name.is_empty() && !name.contains(['<', '\'', '"', '$']);
            valid.then(|| ((start, end), name.to_string(), strip_tabs))
        })
        .collect()
}

fn is_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// BuildKit's automatic platform `ARG`s: their value depends on the machine.
const PLATFORM_ARGS: &[&str] = &[
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
];

/// A variable as the default build sees it.
enum Lookup {
    Value(String),
    NoDefault,
    Undeclared,
    Platform,
}

fn lookup_in(scope: &HashMap<String, ArgValue>, name: &str) -> Lookup {
    match scope.get(name) {
        Some(ArgValue::Default(value)) => Lookup::Value(value.clone()),
        _ if PLATFORM_ARGS.contains(&name) => Lookup::Platform,
        Some(ArgValue::NoDefault) => Lookup::NoDefault,
        None => Lookup::Undeclared,
    }
}

/// A word with quotes removed and variables expanded.
#[derive(Debug, Default)]
struct Expanded {
    text: String,
    /// Variables whose values were used, with the values.
    used: Vec<(String, String)>,
    /// Why the value is not known, when it is not.
    unknown: Option<&'static str>,
}

/// Nested `${a:-${b:-…}}` deeper than this is not evaluated (and cannot exhaust the stack).
pub const MAX_EXPANSION_DEPTH: usize = 8;

/// Expands a word as BuildKit's shell lexer does for `FROM`, `ARG`, `COPY`,
/// `WORKDIR`: `'…'` literal, `"…"` with escapes, the escape character, `$NAME`,
/// `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}`, `${NAME+word}`,
/// `${NAME:?…}`. Pattern operators (`#`, `%`, `/`) are not evaluated.
fn expand(raw: &str, escape: char, lookup: &dyn Fn(&str) -> Lookup) -> Expanded {
    let mut out = Expanded::default();
    expand_into(raw, escape, lookup, 0, &mut out);
    out
}

fn expand_into(
    raw: &str,
    escape: char,
    lookup: &dyn Fn(&str) -> Lookup,
    depth: usize,
    out: &mut Expanded,
) {
    let mut chars = raw.char_indices().peekable();
    let mut double = false;
    while let Some((_, c)) = chars.next() {
        match c {
            '\'' if !double => {
                for (_, q) in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    out.text.push(q);
                }
            }
            '"' => double = !double,
            c if c == escape => match chars.next() {
                Some((_, n)) if !double || matches!(n, '"' | '$') || n == escape => {
                    out.text.push(n)
                }
                Some((_, n)) => {
                    out.text.push(c);
                    out.text.push(n);
                }
                None => out.text.push(c),
            },
            '$' => match chars.peek().copied() {
                Some((j, '{')) => {
                    chars.next();
                    let inner_start = j + 1;
                    let mut level = 1usize;
                    let mut inner_end = None;
                    for (k, q) in chars.by_ref() {
                        match q {
                            '{' => level += 1,
                            '}' => {
                                level -= 1;
                                if level == 0 {
                                    inner_end = Some(k);
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    match inner_end {
                        Some(end) => braced(&raw[inner_start..end], escape, lookup, depth, out),
                        None => {
                            out.unknown.get_or_insert("an unclosed `${`");
                        }
                    }
                }
                Some((j, n)) if n.is_ascii_alphabetic() || n == '_' => {
                    let mut end = j;
                    while let Some(&(k, q)) = chars.peek() {
                        if !(q.is_ascii_alphanumeric() || q == '_') {
                            break;
                        }
                        end = k + q.len_utf8();
                        chars.next();
                    }
                    let name = &raw[j..end];
                    match lookup(name) {
                        Lookup::Value(value) => use_value(name, value, out),
                        other => {
                            out.unknown.get_or_insert(reason(&other));
                        }
                    }
                }
                _ => out.text.push('$'),
            },
            _ => out.text.push(c),
        }
    }
}

fn use_value(name: &str, value: String, out: &mut Expanded) {
    out.text.push_str(&value);
    if !out.used.iter().any(|(n, _)| n == name) {
        out.used.push((name.to_string(), value));
    }
}

fn reason(lookup: &Lookup) -> &'static str {
    match lookup {
        Lookup::Platform => "a BuildKit platform variable",
        // `FROM` sees only the `ARG`s before the first `FROM`; other instructions
        // only those declared in their stage.
        Lookup::Undeclared => "a variable no `ARG` in scope declares",
        _ => NO_DEFAULT,
    }
}

/// The inside of `${…}`.
fn braced(
    inner: &str,
    escape: char,
    lookup: &dyn Fn(&str) -> Lookup,
    depth: usize,
    out: &mut Expanded,
) {
    let name_end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let name = &inner[..name_end];
    let op = &inner[name_end..];
    if !is_name(name) || depth >= MAX_EXPANSION_DEPTH {
        out.unknown
            .get_or_insert("a shell expansion mlrun-lint does not evaluate");
        return;
    }
    let value = lookup(name);
    let (colon, rest) = match op.strip_prefix(':') {
        Some(rest) => (true, rest),
        None => (false, op),
    };
    let set = |v: &Lookup| match v {
        Lookup::Value(s) => !colon || !s.is_empty(),
        _ => false,
    };
    if matches!(value, Lookup::Platform) && !op.is_empty() {
        out.unknown.get_or_insert(reason(&value));
        return;
    }
    match (op.is_empty(), rest.chars().next()) {
        (true, _) => match value {
            Lookup::Value(v) => use_value(name, v, out),
            other => {
                out.unknown.get_or_insert(reason(&other));
            }
        },
        (false, Some('-')) => {
            if set(&value) {
                if let Lookup::Value(v) = value {
                    use_value(name, v, out);
                }
            } else {
                expand_into(&rest[1..], escape, lookup, depth + 1, out);
            }
        }
        (false, Some('+')) => {
            if set(&value) {
                if let Lookup::Value(v) = &value {
                    if !out.used.iter().any(|(n, _)| n == name) {
                        out.used.push((name.to_string(), v.clone()));
                    }
                }
                expand_into(&rest[1..], escape, lookup, depth + 1, out);
            }
        }
        (false, Some('?')) => match value {
            Lookup::Value(v) if set(&Lookup::Value(v.clone())) => use_value(name, v, out),
            other => {
                out.unknown.get_or_insert(reason(&other));
            }
        },
        _ => {
            out.unknown
                .get_or_insert("a shell expansion mlrun-lint does not evaluate");
        }
    }
}

/// One string of a JSON array, with the file offset of each of its characters.
struct JsonItem {
    chars: Vec<(char, usize)>,
    /// The item's bytes, quotes included.
    span: (usize, usize),
}

impl JsonItem {
    fn text(&self) -> String {
        self.chars.iter().map(|&(c, _)| c).collect()
    }
}

/// The exec form `["a", "b"]`: its strings, or `None` when the text is not a JSON
/// array of strings (BuildKit then reads it as shell form).
fn exec_form(s: &str) -> Option<Vec<JsonItem>> {
    let mut chars = s.char_indices().peekable();
    let skip_ws = |chars: &mut std::iter::Peekable<std::str::CharIndices>| {
        while chars.next_if(|&(_, c)| c.is_whitespace()).is_some() {}
    };
    skip_ws(&mut chars);
    chars.next_if(|&(_, c)| c == '[')?;
    let mut items = Vec::new();
    skip_ws(&mut chars);
    if chars.next_if(|&(_, c)| c == ']').is_some() {
        skip_ws(&mut chars);
        return chars.peek().is_none().then_some(items);
    }
    loop {
        skip_ws(&mut chars);
        let (open, _) = chars.next_if(|&(_, c)| c == '"')?;
        let mut item = Vec::new();
        let close = loop {
            let (i, c) = chars.next()?;
            match c {
                '"' => break i,
                '\\' => {
                    let (_, e) = chars.next()?;
                    let decoded = match e {
                        '"' | '\\' | '/' => e,
                        'b' => '\u{8}',
                        'f' => '\u{c}',
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        'u' => {
                            let mut code = 0u32;
                            for _ in 0..4 {
                                let (_, h) = chars.next()?;
                                code = code * 16 + h.to_digit(16)?;
                            }
                            char::from_u32(code)?
                        }
                        _ => return None,
                    };
                    item.push((decoded, i));
                }
                c if (c as u32) < 0x20 => return None,
                c => item.push((c, i)),
            }
        };
        items.push(JsonItem {
            chars: item,
            span: (open, close + 1),
        });
        skip_ws(&mut chars);
        match chars.next()? {
            (_, ',') => {}
            (_, ']') => break,
            _ => return None,
        }
    }
    skip_ws(&mut chars);
    chars.peek().is_none().then_some(items)
}

/// Shells whose `-c` argument, or standard input, is a script.
fn is_shell(program: &str) -> bool {
    let base = program.rsplit('/').next().unwrap_or(program);
    matches!(base, "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh")
}

/// A script starting with `#!` for something other than a shell (a Python heredoc).
fn has_foreign_shebang(body: &str) -> bool {
    body.trim_start()
        .strip_prefix("#!")
        .and_then(|line| line.lines().next())
        .is_some_and(|line| {
            let mut words = line.split_whitespace();
            let first = words.next().unwrap_or("");
            let program = if first.ends_with("/env") {
                words.next().unwrap_or("")
            } else {
                first
            };
            !is_shell(program)
        })
}

/// The shell command an exec-form `RUN` runs, with a map to the array's bytes:
/// the script of `["sh", "-c", "script"]`, or the items single-quoted (so a `>` in
/// `"pandas>=2"` stays part of the word), each quote standing on the JSON quote.
fn exec_command(items: &[JsonItem]) -> (String, SpanMap) {
    let mut text = String::new();
    let mut map = SpanMap::default();
    let mut push = |text: &mut String, c: char, at: usize| {
        map.push(text.len(), at);
        text.push(c);
    };
    let program = items.first().map(JsonItem::text).unwrap_or_default();
    if is_shell(&program) {
        let script = items.iter().skip(1).position(|item| {
            let t = item.text();
            t.starts_with('-') && !t.starts_with("--") && t.contains('c')
        });
        if let Some(script) = script.and_then(|i| items.get(i + 2)) {
            for &(c, at) in &script.chars {
                push(&mut text, c, at);
            }
            return (text, map);
        }
    }
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            push(&mut text, ' ', item.span.0);
        }
        push(&mut text, '\'', item.span.0);
        for &(c, at) in &item.chars {
            if c == '\'' {
                for q in "'\\''".chars() {
                    push(&mut text, q, at);
                }
            } else {
                push(&mut text, c, at);
            }
        }
        push(&mut text, '\'', item.span.1 - 1);
    }
    (text, map)
}

/// `path` inside the image, relative to `workdir`, with `.` and `..` resolved.
fn join(workdir: &str, path: &str) -> String {
    let full = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{workdir}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in full.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| !p.starts_with('@')) {
                    parts.pop();
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if full.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// The build-context file a `COPY` put at `path` in the image by naming it (the
/// destination itself, or a source whose name or pattern matches).
fn source_named(path: &str, copy: &Copy) -> Option<String> {
    if !copy.dest_is_dir && copy.sources.len() == 1 && path == copy.dest {
        return Some(context_path(&copy.sources[0]));
    }
    let rest = under(path, &copy.dest).filter(|rest| !rest.contains('/'))?;
    copy.sources.iter().find_map(|source| {
        let trimmed = source.trim_end_matches('/');
        let (folder, base) = trimmed.rsplit_once('/').unwrap_or(("", trimmed));
        (rest == base || glob_match(base, rest)).then(|| context_path(&format!("{folder}/{rest}")))
    })
}

/// The build-context file at `path` when a `COPY` of a whole folder (`COPY . .`,
/// `COPY reqs/ /r/`) may have put it there: a guess, so a named copy wins.
fn source_in_folder(path: &str, copy: &Copy) -> Option<String> {
    let rest = under(path, &copy.dest)?;
    copy.sources.iter().find_map(|source| {
        let trimmed = source.trim_end_matches('/');
        let base = trimmed.rsplit('/').next().unwrap_or(trimmed);
        let is_folder = source.ends_with('/')
            || matches!(base, "." | "" | "..")
            || !base.contains(['.', '*', '?', '[']);
        is_folder.then(|| context_path(&format!("{trimmed}/{rest}")))
    })
}

/// `path` relative to the folder `dest`, when it is inside it.
fn under<'p>(path: &'p str, dest: &str) -> Option<&'p str> {
    if dest == "/" {
        path.strip_prefix('/')
    } else {
        path.strip_prefix(dest)?.strip_prefix('/')
    }
}

/// A source path relative to the build context (`./x`, `/x` and `x` are the same).
fn context_path(source: &str) -> String {
    let joined = join("", source);
    joined.trim_start_matches('/').to_string()
}

/// `*` and `?` wildcards, as `COPY` sources use them within one path segment.
fn glob_match(pattern: &str, name: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return false;
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Classic two-pointer wildcard match with backtracking to the last `*`.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    /// One line per fact, with the file's text at its spans.
    fn rows(text: &str) -> Vec<String> {
        read(text)
            .iter()
            .map(|fact| {
                let o = fact.origin();
                let span = at(text, o.span);
                let edit = o
                    .edit_span
                    .map_or("-".to_string(), |e| format!("<{}>", at(text, e)));
                match fact {
                    Fact::Image(f) => {
                        let value = match &f.value {
                            ImageValue::Literal(r) => r.text.clone(),
                            ImageValue::Unverifiable { text, reason } => {
                                format!("unverifiable {text} ({reason})")
                            }
                            ImageValue::FollowsClient { text, .. } => format!("client {text}"),
                        };
                        format!(
                            "image {:?} {} [{span}] edit={edit} {value}",
                            f.role, o.field
                        )
                    }
                    Fact::Package(p) => format!("package [{span}] edit={edit} {:?}", p.spec),
                    Fact::Include(i) => format!("include {:?} [{span}] {}", i.kind, i.path),
                    Fact::PackageIndex(i) => format!("index {:?} [{span}]", i.option),
                    Fact::Problem(p) => format!("problem {:?} [{span}] {}", p.kind, p.message),
                    other => format!("{other:?}"),
                }
            })
            .collect()
    }

    fn images(text: &str) -> Vec<String> {
        rows(text)
            .into_iter()
            .filter(|r| r.starts_with("image"))
            .collect()
    }

    #[test]
    fn from_table() {
        let cases: &[(&str, &[&str])] = &[
            ("FROM python:3.11\n", &["image BuildBase FROM [python:3.11] edit=<python:3.11> python:3.11"]),
            ("from python\n", &["image BuildBase FROM [python] edit=<python> python"]),
            // hadolint#219: ARG default before FROM resolves.
            (
                "ARG BASE_IMAGE=alpine:3.7\nFROM $BASE_IMAGE\n",
                &["image BuildBase FROM (ARG BASE_IMAGE=alpine:3.7) [$BASE_IMAGE] edit=- alpine:3.7"],
            ),
            // hadolint#1078: tag and digest in the ARG.
            (
                "ARG IMG=ruby:3@sha256:abc\nFROM ${IMG}\n",
                &["image BuildBase FROM (ARG IMG=ruby:3@sha256:abc) [${IMG}] edit=- ruby:3@sha256:abc"],
            ),
            // kics#5621: a resolved `latest` is judged like a literal.
            (
                "ARG TAG=latest\nFROM img:${TAG}\n",
                &["image BuildBase FROM (ARG TAG=latest) [img:${TAG}] edit=- img:latest"],
            ),
            // No default: unverifiable, never untagged.
            (
                "ARG BASE_TAG\nFROM mlrun/mlrun:${BASE_TAG}\n",
                &["image BuildBase FROM [mlrun/mlrun:${BASE_TAG}] edit=- unverifiable mlrun/mlrun:${BASE_TAG} (a Dockerfile `ARG` with no default)"],
            ),
            (
                "FROM mlrun/mlrun:${NOPE}\n",
                &["image BuildBase FROM [mlrun/mlrun:${NOPE}] edit=- unverifiable mlrun/mlrun:${NOPE} (a variable no `ARG` in scope declares)"],
            ),
            // hadolint#979: a variable in the middle of the name.
            (
                "ARG src=-slim\nFROM img${src} AS x\n",
                &["image BuildBase FROM (ARG src=-slim) [img${src}] edit=- img-slim"],
            ),
            ("ARG src\nFROM img${src} AS x\n", &["image BuildBase FROM [img${src}] edit=- unverifiable img${src} (a Dockerfile `ARG` with no default)"]),
            // hadolint#339: parameter expansion with a default.
            ("FROM ${BASE_IMAGE:-debian:9}\n", &["image BuildBase FROM [${BASE_IMAGE:-debian:9}] edit=- debian:9"]),
            ("ARG B\nFROM ${B-debian:10}\n", &["image BuildBase FROM [${B-debian:10}] edit=- debian:10"]),
            ("ARG B=x\nFROM img${B:+-suffix}:1\n", &["image BuildBase FROM (ARG B=x) [img${B:+-suffix}:1] edit=- img-suffix:1"]),
            ("ARG B\nFROM img${B:+-suffix}:1\n", &["image BuildBase FROM [img${B:+-suffix}:1] edit=- img:1"]),
            ("ARG B=x\nFROM img:${B%x}\n", &["image BuildBase FROM [img:${B%x}] edit=- unverifiable img:${B%x} (a shell expansion mlrun-lint does not evaluate)"]),
            // ARG defaults built from earlier ARGs, quoted defaults.
            (
                "ARG PY=\"3.9\"\nARG BASE=python:${PY}-slim\nFROM $BASE\n",
                &["image BuildBase FROM (ARG BASE=python:3.9-slim) [$BASE] edit=- python:3.9-slim"],
            ),
            (
                "ARG MLRUN_PYTHON_VERSION=3.9\nFROM gcr.io/iguazio/python:${MLRUN_PYTHON_VERSION}-slim\n",
                &["image BuildBase FROM (ARG MLRUN_PYTHON_VERSION=3.9) [gcr.io/iguazio/python:${MLRUN_PYTHON_VERSION}-slim] edit=- gcr.io/iguazio/python:3.9-slim"],
            ),
            // An ARG declared inside a stage is not visible to a later FROM.
            ("FROM a:1\nARG T=2\nFROM b:${T}\n", &[
                "image BuildBase FROM [a:1] edit=<a:1> a:1",
                "image BuildBase FROM [b:${T}] edit=- unverifiable b:${T} (a variable no `ARG` in scope declares)",
            ]),
            // Digest-only references are references (judged by the rules).
            ("FROM ruby@sha256:abc\n", &["image BuildBase FROM [ruby@sha256:abc] edit=<ruby@sha256:abc> ruby@sha256:abc"]),
            // --platform is a flag, not the image.
            (
                "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n",
                &["image BuildBase FROM [golang:1.22] edit=<golang:1.22> golang:1.22"],
            ),
            ("FROM --platform=linux/amd64 python:3.11\n", &["image BuildBase FROM [python:3.11] edit=<python:3.11> python:3.11"]),
            ("ARG TARGETARCH\nFROM img:${TARGETARCH}\n", &["image BuildBase FROM [img:${TARGETARCH}] edit=- unverifiable img:${TARGETARCH} (a BuildKit platform variable)"]),
            // Stages and scratch.
            ("FROM scratch\n", &[]),
            ("FROM SCRATCH\n", &[]),
            (
                "FROM python:3.11 as Builder\nFROM builder AS test\nFROM BUILDER\nFROM alpine:3.19\nCOPY --from=builder /a /a\nCOPY --from=0 /a /a\nCOPY --from=nginx:latest /etc/nginx /etc/nginx\n",
                &[
                    "image BuildBase FROM [python:3.11] edit=<python:3.11> python:3.11",
                    "image BuildBase FROM [alpine:3.19] edit=<alpine:3.19> alpine:3.19",
                    "image Auxiliary COPY --from [nginx:latest] edit=<nginx:latest> nginx:latest",
                ],
            ),
            // A stage named later does not hide an image of the same name earlier.
            ("FROM builder\nFROM python:3 AS builder\n", &[
                "image BuildBase FROM [builder] edit=<builder> builder",
                "image BuildBase FROM [python:3] edit=<python:3> python:3",
            ]),
            ("ARG S=base\nFROM python:3 AS base\nFROM ${S}\n", &["image BuildBase FROM [python:3] edit=<python:3> python:3"]),
            (
                "FROM python:3.11\nRUN --mount=type=bind,from=ghcr.io/x/tools:1,source=/bin,target=/t true\n",
                &[
                    "image BuildBase FROM [python:3.11] edit=<python:3.11> python:3.11",
                    "image Auxiliary RUN --mount=from [ghcr.io/x/tools:1] edit=<ghcr.io/x/tools:1> ghcr.io/x/tools:1",
                ],
            ),
            // A FROM split across a continuation.
            ("FROM \\\n  python:3.11 \\\n  AS b\n", &["image BuildBase FROM [python:3.11] edit=<python:3.11> python:3.11"]),
            ("FROM", &[]),
            ("FROM ${\n", &["image BuildBase FROM [${] edit=- unverifiable ${ (an unclosed `${`)"]),
        ];
        for (text, expected) in cases {
            assert_eq!(images(text), *expected, "{text:?}");
        }
    }

    fn run_rows(text: &str) -> Vec<String> {
        rows(text)
            .into_iter()
            .filter(|r| !r.starts_with("image"))
            .collect()
    }

    #[test]
    fn run_table() {
        let cases: &[(&str, &[&str])] = &[
            ("FROM a:1\nRUN pip install pandas==2.1.4\n", &["package [pandas==2.1.4] edit=<pandas==2.1.4> Exact(\"2.1.4\")"]),
            ("FROM a:1\nRUN pip3 install --no-cache-dir pandas\n", &["package [pandas] edit=<pandas> None"]),
            ("FROM a:1\nRUN python -m pip install -U 'numpy>=1.2'\n", &["package [numpy>=1.2] edit=<numpy>=1.2> Range(\">=1.2\")"]),
            // hadolint#287: option values are not packages.
            (
                "FROM a:1\nRUN pip install --index-url https://x/simple foo==1.0.0\n",
                &["index IndexUrl [https://x/simple]", "package [foo==1.0.0] edit=<foo==1.0.0> Exact(\"1.0.0\")"],
            ),
            // hadolint#67, godolint#17: versions from variables stay as written.
            ("FROM a:1\nARG V=1\nRUN pip install \"whisper==$V\"\n", &["package [whisper==$V] edit=<whisper==$V> Unverifiable(\"==$V\")"]),
            ("FROM a:1\nRUN pip install pandas==${PANDAS_VERSION}\n", &["package [pandas==${PANDAS_VERSION}] edit=<pandas==${PANDAS_VERSION}> Unverifiable(\"==${PANDAS_VERSION}\")"]),
            // Multi-line RUN with continuations and comment lines (dropped by Docker).
            (
                "FROM a:1\nRUN pip install \\\n    # the web stack\n    flask==3.0.0 \\\n\n    gunicorn\n",
                &["package [flask==3.0.0] edit=<flask==3.0.0> Exact(\"3.0.0\")", "package [gunicorn] edit=<gunicorn> None"],
            ),
            // A requirement split by a continuation: located, but not editable.
            ("FROM a:1\nRUN pip install pan\\\ndas\n", &["package [pan\\\ndas] edit=- None"]),
            // Heredocs: the body is the script; the delimiter line ends it.
            (
                "FROM a:1\nRUN <<EOF\npip install requests==2.31.0\npip install \\\n  boto3\nEOF\nRUN pip install x==1\n",
                &[
                    "package [requests==2.31.0] edit=<requests==2.31.0> Exact(\"2.31.0\")",
                    "package [boto3] edit=<boto3> None",
                    "package [x==1] edit=<x==1> Exact(\"1\")",
                ],
            ),
            ("FROM a:1\nRUN <<-'EOT' bash\n\tpip install six\n\tEOT\n", &["package [six] edit=<six> None"]),
            ("FROM a:1\nRUN bash <<EOF\npip install six\nEOF\n", &["package [six] edit=<six> None"]),
            ("FROM a:1\nRUN /bin/sh -ex <<EOF\npip install six\nEOF\n", &["package [six] edit=<six> None"]),
            ("FROM a:1\nRUN <<EOF cat > /requirements.txt\nsix\nEOF\n", &[]),
            ("FROM a:1\nRUN bash -c 'echo' <<EOF\npip install six\nEOF\n", &[]),
            // Data heredocs are not commands, and their lines are not instructions.
            ("FROM a:1\nRUN python3 <<EOF\nimport os; os.system('pip install six')\nEOF\n", &[]),
            ("FROM a:1\nCOPY <<EOF /app/run.sh\nFROM evil:latest\nRUN pip install x\nEOF\n", &[]),
            ("FROM a:1\nRUN <<EOF\n#!/usr/bin/env python3\nprint('pip install x')\nEOF\n", &[]),
            (
                "FROM a:1\nRUN <<EOF\npip install six\n",
                &[
                    "problem Parse [<<EOF] heredoc `<<EOF` is never closed by a `EOF` line; the rest of the file is its body",
                    "package [six] edit=<six> None",
                ],
            ),
            // Exec form: items keep their spans; `>=` inside an item is not a redirection.
            (
                "FROM a:1\nRUN [\"pip\", \"install\", \"pandas>=2\", \"six==1.16.0\"]\n",
                &["package [pandas>=2] edit=<pandas>=2> Range(\">=2\")", "package [six==1.16.0] edit=<six==1.16.0> Exact(\"1.16.0\")"],
            ),
            ("FROM a:1\nRUN [\"/bin/sh\", \"-c\", \"pip install six && pip install x==1\"]\n", &[
                "package [six] edit=<six> None",
                "package [x==1] edit=<x==1> Exact(\"1\")",
            ]),
            ("FROM a:1\nRUN [\"pip\", \"install\", \"a\\u003d\\u003d1\"]\n", &["package [a\\u003d\\u003d1] edit=- Exact(\"1\")"]),
            // Not JSON: shell form.
            ("FROM a:1\nRUN [ -f x ] && pip install six\n", &["package [six] edit=<six> None"]),
            // RUN flags.
            ("FROM a:1\nRUN --mount=type=cache,target=/root/.cache pip install six\n", &["package [six] edit=<six> None"]),
            // Includes: mapped through COPY to the build context.
            (
                "FROM a:1\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n",
                &["include Requirements [requirements.txt] requirements.txt"],
            ),
            (
                "FROM a:1\nCOPY ./dockerfiles/api/requirements.txt /tmp/pip-tmp/\nRUN pip3 install -r /tmp/pip-tmp/requirements.txt\n",
                &["include Requirements [/tmp/pip-tmp/requirements.txt] dockerfiles/api/requirements.txt"],
            ),
            (
                "FROM a:1\nWORKDIR /mlrun\nCOPY ./dockerfiles/mlrun-api/requirements.txt ./mlrun-api-requirements.txt\nCOPY . .\nRUN python -m pip install -r mlrun-api-requirements.txt -c constraints.txt\n",
                &[
                    "include Requirements [mlrun-api-requirements.txt] dockerfiles/mlrun-api/requirements.txt",
                    "include Constraints [constraints.txt] constraints.txt",
                ],
            ),
            (
                "FROM a:1\nCOPY reqs/ /r/\nCOPY requirements*.txt /w/\nRUN pip install -r /r/base.txt -r /w/requirements-dev.txt\n",
                &[
                    "include Requirements [/r/base.txt] reqs/base.txt",
                    "include Requirements [/w/requirements-dev.txt] requirements-dev.txt",
                ],
            ),
            (
                "FROM a:1 AS b\nWORKDIR /app\nCOPY requirements.txt .\nFROM b\nRUN pip install -r requirements.txt\n",
                &["include Requirements [requirements.txt] requirements.txt"],
            ),
            (
                "FROM a:1\nRUN --mount=type=bind,source=requirements.txt,target=/tmp/r.txt pip install -r /tmp/r.txt\n",
                &["include Requirements [/tmp/r.txt] requirements.txt"],
            ),
            (
                "FROM a:1\nWORKDIR $HOME\nCOPY ./r.txt /tmp/req/x.txt\nCOPY ./s.txt ./s.txt\nWORKDIR $OTHER\nRUN pip install -r /tmp/req/x.txt -r s.txt\n",
                &[
                    "include Requirements [/tmp/req/x.txt] r.txt",
                    "problem Skipped [s.txt] `s.txt` is a file inside the image that no `COPY` from the build context provides, so this include was not followed (a file of that name in the project is checked on its own)",
                ],
            ),
            (
                "FROM a:1\nRUN pip install -r /controller/requirements.txt\n",
                &["problem Skipped [/controller/requirements.txt] `/controller/requirements.txt` is a file inside the image that no `COPY` from the build context provides, so this include was not followed (a file of that name in the project is checked on its own)"],
            ),
            (
                "FROM a:1 AS b\nFROM c:1\nCOPY --from=b /req.txt /req.txt\nRUN pip install -r /req.txt -r $REQS\n",
                &[
                    "problem Skipped [/req.txt] `/req.txt` is a file inside the image that no `COPY` from the build context provides, so this include was not followed (a file of that name in the project is checked on its own)",
                    "include Requirements [$REQS] $REQS",
                ],
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(run_rows(text), *expected, "{text:?}");
        }
    }

    #[test]
    fn escape_directive_crlf_and_bom() {
        let text = "\u{feff}# syntax=docker/dockerfile:1\r\n# escape=`\r\nARG TAG=3.11\r\nFROM python:${TAG} `\r\n  AS base\r\nRUN pip install `\r\n    six==1.16.0 `\r\n    C:\\tools\\x.whl\r\n";
        assert_eq!(
            rows(text),
            [
                "image BuildBase FROM (ARG TAG=3.11) [python:${TAG}] edit=- python:3.11",
                "package [six==1.16.0] edit=<six==1.16.0> Exact(\"1.16.0\")",
                "package [C:\\tools\\x.whl] edit=- Local(\"C:toolsx.whl\")",
            ]
        );
        // A directive after a comment is a comment: `\` stays the escape.
        let late = "# hello\n# escape=`\nFROM a:1 `\nRUN pip install six\n";
        assert_eq!(images(late), ["image BuildBase FROM [a:1] edit=<a:1> a:1"]);
    }

    #[test]
    fn unknown_instructions_and_odd_lines_do_not_stop_the_rest() {
        let text = "FROBNICATE all the things\n   \n  # indented comment\nHEALTHCHECK CMD curl -f http://x/ || exit 1\nONBUILD RUN pip install x\n=== not a line ===\nFROM python:3.11\nMAINTAINER me\nRUN pip install six\n";
        assert_eq!(
            rows(text),
            [
                "image BuildBase FROM [python:3.11] edit=<python:3.11> python:3.11",
                "package [six] edit=<six> None",
            ]
        );
    }

    #[test]
    fn bench_generator_shapes() {
        let text = "# syntax=docker/dockerfile:1\nARG MLRUN_VERSION=1.6.4\nFROM mlrun/mlrun:${MLRUN_VERSION} AS builder\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nRUN pip3 install \\\n    pandas==2.1.4 \\\n    scikit-learn>=1.3\nFROM builder AS test\nRUN python -m pytest -q\nFROM --platform=linux/amd64 python:3.11-slim\nCOPY --from=builder /app /app\nCMD [\"python\", \"-m\", \"app\"]\n";
        assert_eq!(
            rows(text),
            [
                "image BuildBase FROM (ARG MLRUN_VERSION=1.6.4) [mlrun/mlrun:${MLRUN_VERSION}] edit=- mlrun/mlrun:1.6.4",
                "include Requirements [requirements.txt] requirements.txt",
                "package [pandas==2.1.4] edit=<pandas==2.1.4> Exact(\"2.1.4\")",
                // Unquoted, `>=1.3` is a shell redirection: pip gets `scikit-learn`.
                "package [scikit-learn] edit=<scikit-learn> None",
                "image BuildBase FROM [python:3.11-slim] edit=<python:3.11-slim> python:3.11-slim",
            ]
        );
    }

    #[test]
    fn never_panics() {
        let pieces = [
            "FROM",
            " ",
            "\\",
            "`",
            "\n",
            "\r\n",
            "$",
            "${",
            "}",
            ":-",
            "<<",
            "EOF",
            "'",
            "\"",
            "[",
            "]",
            ",",
            "--from=",
            "--mount=",
            "RUN",
            "ARG",
            "=",
            "COPY",
            "pip install",
            "-r",
            "é",
            "# escape=`",
            "\u{feff}",
            "WORKDIR",
            "..",
            "/",
            "AS",
            "*",
            "\\u12",
            "\t",
            "<<-",
        ];
        // Every short sequence of pieces, and long pseudo-random ones.
        let mut seed = 7u64;
        for _ in 0..20_000 {
            let mut text = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 24) as usize;
            let mut s = seed;
            for _ in 0..len {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(s >> 33) as usize % pieces.len()]);
            }
            for fact in read(&text) {
                let o = fact.origin();
                assert!(
                    o.span.start <= o.span.end && o.span.end <= text.len(),
                    "{text:?}"
                );
                assert!(
                    text.is_char_boundary(o.span.start) && text.is_char_boundary(o.span.end),
                    "{text:?}"
                );
            }
        }
        let deep = format!("FROM {}x{}\n", "${A:-".repeat(10_000), "}".repeat(10_000));
        assert!(matches!(&read(&deep)[..], [Fact::Image(_)]));
    }

    /// Reads every Dockerfile under `MLRUN_LINT_CORPUS` and prints what was found.
    #[test]
    #[ignore]
    fn corpus() {
        let Ok(root) = std::env::var("MLRUN_LINT_CORPUS") else {
            return;
        };
        let mut stack = vec![std::path::PathBuf::from(root)];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let kind = crate::sources::FileKind::of(&path);
                if !matches!(
                    kind,
                    Some(
                        crate::sources::FileKind::Dockerfile
                            | crate::sources::FileKind::CondaEnvironment
                    )
                ) {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                println!("== {}", path.display());
                let facts = crate::sources::read(
                    kind.unwrap_or(crate::sources::FileKind::Dockerfile),
                    &path,
                    &text,
                )
                .facts;
                for fact in &facts {
                    let o = fact.origin();
                    assert!(text.get(o.span.start..o.span.end).is_some());
                }
                for row in rows_of(&text, &facts) {
                    println!("   {row}");
                }
            }
        }
    }

    fn rows_of(text: &str, facts: &[Fact]) -> Vec<String> {
        let line = |offset: usize| text[..offset].matches('\n').count() + 1;
        facts
            .iter()
            .map(|fact| {
                let o = fact.origin();
                format!(
                    "{}: {:?}",
                    line(o.span.start),
                    &text[o.span.start..o.span.end]
                ) + &match fact {
                    Fact::Image(f) => format!(" image {:?} {} {:?}", f.role, o.field, f.value),
                    Fact::Package(p) => format!(" package {:?}", p.spec),
                    Fact::Include(i) => format!(" include {}", i.path),
                    Fact::Problem(p) => format!(" problem {:?} {}", p.kind, p.message),
                    other => format!(" {other:?}"),
                }
            })
            .collect()
    }
}
