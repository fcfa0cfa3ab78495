//! `pip install` inside shell command strings: MLRun `build.commands`, Dockerfile
//! `RUN`, notebook `%pip`/`!pip` lines.
//!
//! The string is read the way `/bin/sh` reads it (MLRun builds run each command in a
//! Dockerfile `RUN`), because that decides what pip receives: chains split on `&&`,
//! `||`, `;`, `|`, newlines; quotes removed; an unquoted `>` is a redirection, not a
//! version specifier. Each simple command is then matched against the ways pip is
//! spelled, and only `install` is read, with a table of the options that take a value
//! so no option value is ever taken for a package (hadolint#287, #376, #467).
//!
//! Spans are relative to the command string; callers move them into the file with
//! [`Fact::shifted`].

use crate::facts::requirement::{parse_requirement, SpanMap};
use crate::facts::IncludeBase;
use crate::facts::{
    Fact, IncludeFact, IncludeKind, IndexFact, IndexOption, Origin, Problem, ProblemKind,
};
use crate::span::Span;

/// The `Origin::field` of facts read from a pip command.
const FIELD: &str = "pip install";

/// Reads every `pip install` in a shell command string into facts: packages, `-r`/`-c`
/// includes, index options, and a `Parse` problem for an argument pip would reject.
/// Commands that are not `pip install` yield nothing.
pub fn read(command: &str) -> Vec<Fact> {
    let mut facts = Vec::new();
    for simple in split_commands(tokenize(command, true)) {
        if let Some(start) = install_arguments(&simple.words) {
            read_install(&simple, start, &mut facts);
        }
    }
    facts
}

/// One word after shell quote removal, and where its bytes came from.
#[derive(Clone, Debug)]
pub(crate) struct Word {
    /// The word as the program receives it.
    pub text: String,
    /// The bytes it was read from, quotes included.
    pub span: Span,
    /// From offsets in `text` to offsets in the string that was split.
    pub map: SpanMap,
}

#[derive(Debug)]
pub(crate) enum Token {
    Word(Word),
    /// `;`, `&&`, `||`, `|`, `&`, `(`, `)`, a newline: the end of a simple command.
    Separator,
    /// A redirection operator (`>`, `2>`, `>>`, `<`, `&>`); the next word is its target.
    Redirect(Span),
}

struct WordBuilder {
    text: String,
    map: SpanMap,
    start: usize,
    end: usize,
    quoted: bool,
}

impl WordBuilder {
    fn new(start: usize) -> Self {
        Self {
            text: String::new(),
            map: SpanMap::default(),
            start,
            end: start,
            quoted: false,
        }
    }

    fn push(&mut self, c: char, at: usize) {
        self.map.push(self.text.len(), at);
        self.text.push(c);
        self.end = at + c.len_utf8();
    }

    fn finish(self) -> Word {
        let mut map = self.map;
        // An empty quoted word maps to the position right after its opening quote.
        if self.text.is_empty() {
            map.push(0, self.start + usize::from(self.quoted));
        }
        Word {
            text: self.text,
            span: Span::new(self.start, self.end),
            map,
        }
    }
}

/// Splits `s` into words, POSIX-shell style (`'…'` literal, `"…"` with `\` escapes,
/// `\` escapes outside quotes, `\`-newline joins lines). With `shell`, also reads
/// command separators, redirections, `#` comments and keeps `$(…)`/`` `…` `` in one
/// word; without it, behaves like Python's `shlex.split` (pip's option parsing in
/// requirements files). Unterminated quotes run to the end; nothing here panics.
pub(crate) fn tokenize(s: &str, shell: bool) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word: Option<WordBuilder> = None;
    let mut chars = s.char_indices().peekable();
    let finish = |word: &mut Option<WordBuilder>, tokens: &mut Vec<Token>| {
        if let Some(w) = word.take() {
            tokens.push(Token::Word(w.finish()));
        }
    };
    while let Some((i, c)) = chars.next() {
        match c {
            ' ' | '\t' | '\r' => finish(&mut word, &mut tokens),
            '\n' => {
                finish(&mut word, &mut tokens);
                if shell {
                    tokens.push(Token::Separator);
                }
            }
            '\\' => match chars.next() {
                Some((_, '\n')) => {}
                Some((j, '\r')) if matches!(chars.peek(), Some((_, '\n'))) => {
                    let _ = j;
                    chars.next();
                }
                Some((j, next)) => {
                    let w = word.get_or_insert_with(|| WordBuilder::new(i));
                    w.push(next, j);
                }
                None => word
                    .get_or_insert_with(|| WordBuilder::new(i))
                    .push('\\', i),
            },
            '\'' => {
                let w = word.get_or_insert_with(|| WordBuilder::new(i));
                w.quoted = true;
                w.end = i + 1;
                for (j, q) in chars.by_ref() {
                    w.end = j + q.len_utf8();
                    if q == '\'' {
                        break;
                    }
                    w.push(q, j);
                }
            }
            '"' => {
                let w = word.get_or_insert_with(|| WordBuilder::new(i));
                w.quoted = true;
                w.end = i + 1;
                while let Some((j, q)) = chars.next() {
                    w.end = j + q.len_utf8();
                    match q {
                        '"' => break,
                        '\\' => match chars.peek().copied() {
                            Some((_, '\n')) => {
                                chars.next();
                            }
                            Some((k, e @ ('"' | '\\' | '$' | '`'))) => {
                                chars.next();
                                w.push(e, k);
                            }
                            _ => w.push('\\', j),
                        },
                        _ => w.push(q, j),
                    }
                }
            }
            '#' if shell && word.is_none() => while chars.next_if(|&(_, c)| c != '\n').is_some() {},
            '$' if shell && matches!(chars.peek(), Some((_, '('))) => {
                // Command substitution: one word however many spaces it holds.
                let w = word.get_or_insert_with(|| WordBuilder::new(i));
                w.push('$', i);
                let mut depth = 0usize;
                for (j, q) in chars.by_ref() {
                    w.push(q, j);
                    match q {
                        '(' => depth += 1,
                        ')' => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    if depth == 0 {
                        break;
                    }
                }
            }
            '`' if shell => {
                let w = word.get_or_insert_with(|| WordBuilder::new(i));
                w.push('`', i);
                for (j, q) in chars.by_ref() {
                    w.push(q, j);
                    if q == '`' {
                        break;
                    }
                }
            }
            '>' | '<' if shell => {
                // `2>` and `2>&1`: a bare number right before is the descriptor.
                let start = match &word {
                    Some(w) if !w.quoted && w.text.bytes().all(|b| b.is_ascii_digit()) => {
                        let start = w.start;
                        word = None;
                        start
                    }
                    _ => {
                        finish(&mut word, &mut tokens);
                        i
                    }
                };
                let mut end = i + 1;
                if let Some((j, n)) = chars.next_if(|&(_, n)| matches!(n, '>' | '<' | '&' | '|')) {
                    end = j + n.len_utf8();
                }
                tokens.push(Token::Redirect(Span::new(start, end)));
            }
            ';' | '|' | '&' | '(' | ')' if shell => {
                finish(&mut word, &mut tokens);
                if c == '&' {
                    if let Some((j, _)) = chars.next_if(|&(_, n)| n == '>') {
                        let mut end = j + 1;
                        if let Some((k, _)) = chars.next_if(|&(_, n)| n == '>') {
                            end = k + 1;
                        }
                        tokens.push(Token::Redirect(Span::new(i, end)));
                        continue;
                    }
                }
                if matches!(c, '|' | '&') {
                    chars.next_if(|&(_, n)| n == c);
                }
                tokens.push(Token::Separator);
            }
            _ => word.get_or_insert_with(|| WordBuilder::new(i)).push(c, i),
        }
    }
    finish(&mut word, &mut tokens);
    tokens
}

/// A simple command: its words (redirection targets removed), and for each word the
/// redirection written right against its end, if any.
pub(crate) struct SimpleCommand {
    pub words: Vec<Word>,
    redirect_after: Vec<Option<Span>>,
}

pub(crate) fn split_commands(tokens: Vec<Token>) -> Vec<SimpleCommand> {
    let mut commands = Vec::new();
    let mut current = SimpleCommand {
        words: Vec::new(),
        redirect_after: Vec::new(),
    };
    let mut pending_redirect: Option<(Span, bool)> = None;
    for token in tokens {
        match token {
            Token::Word(word) => match pending_redirect.take() {
                Some((op, touching)) => {
                    if touching {
                        if let Some(last) = current.redirect_after.last_mut() {
                            *last = Some(Span::new(op.start, word.span.end));
                        }
                    }
                }
                None => {
                    current.words.push(word);
                    current.redirect_after.push(None);
                }
            },
            Token::Redirect(op) => {
                let touching = current.words.last().is_some_and(|w| w.span.end == op.start);
                pending_redirect = Some((op, touching));
            }
            Token::Separator => {
                pending_redirect = None;
                if !current.words.is_empty() {
                    commands.push(std::mem::replace(
                        &mut current,
                        SimpleCommand {
                            words: Vec::new(),
                            redirect_after: Vec::new(),
                        },
                    ));
                }
            }
        }
    }
    if !current.words.is_empty() {
        commands.push(current);
    }
    commands
}

/// Words that may come before the program without changing which program runs.
const PREFIX_WORDS: &[&str] = &[
    "then", "do", "else", "if", "while", "until", "time", "nohup", "exec", "command", "{", "!",
];

/// `sudo`/`env` options that take a value (`sudo -u user pip …`).
const PREFIX_OPTIONS_WITH_VALUE: &[&str] = &["-u", "-g", "-C", "-D", "-h", "-p", "-U", "-r", "-t"];

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }
        None => false,
    }
}

/// `name` followed by nothing but a version (`pip3`, `pip3.11`, `python3.9`).
pub(crate) fn is_versioned(program: &str, name: &str) -> bool {
    program
        .strip_prefix(name)
        .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// Python interpreter options that take a value (`python -X dev -m pip`).
const PYTHON_OPTIONS_WITH_VALUE: &[&str] = &["-X", "-W", "-Q"];

/// The index of the word that names the program a simple command runs: after
/// variable assignments and prefix words (`sudo`, `env` and their options,
/// `time`, `then`…). `None` when nothing is run.
pub(crate) fn program_at(words: &[Word]) -> Option<usize> {
    let mut i = 0;
    loop {
        let word = words.get(i)?.text.as_str();
        if is_assignment(word) || PREFIX_WORDS.contains(&word) {
            i += 1;
        } else if word == "sudo" || word == "env" {
            i += 1;
            while let Some(w) = words.get(i).map(|w| w.text.as_str()) {
                if !w.starts_with('-') {
                    break;
                }
                i += if PREFIX_OPTIONS_WITH_VALUE.contains(&w) {
                    2
                } else {
                    1
                };
            }
        } else {
            return Some(i);
        }
    }
}

/// The index of the first argument after `install` when `words` run `pip install`.
fn install_arguments(words: &[Word]) -> Option<usize> {
    let mut i = program_at(words)?;
    // `%pip` / `!pip` in notebooks (and `! pip`, handled as a prefix word above).
    let first = words[i].text.trim_start_matches(['%', '!']);
    let program = first.rsplit('/').next().unwrap_or(first);
    i += 1;
    if is_versioned(program, "pip") {
        // pip itself.
    } else if is_versioned(program, "python") {
        loop {
            let w = words.get(i)?.text.as_str();
            if w == "-m" {
                if words.get(i + 1)?.text != "pip" {
                    return None;
                }
                i += 2;
                break;
            }
            if w == "-mpip" {
                i += 1;
                break;
            }
            // Any other non-option (a script, `-c code`) is not pip.
            if !w.starts_with('-') || w.starts_with("-c") {
                return None;
            }
            i += if PYTHON_OPTIONS_WITH_VALUE.contains(&w) {
                2
            } else {
                1
            };
        }
    } else if program == "uv" {
        while words.get(i)?.text.starts_with('-') {
            i += 1;
        }
        if words.get(i)?.text != "pip" {
            return None;
        }
        i += 1;
    } else {
        return None;
    }
    // General options may come before the subcommand (`pip3 --no-cache-dir install`).
    loop {
        let w = words.get(i)?.text.as_str();
        if w == "install" {
            return Some(i + 1);
        }
        if !w.starts_with('-') {
            return None;
        }
        let takes_value = !w.contains('=') && option_takes_value(w);
        i += if takes_value { 2 } else { 1 };
    }
}

/// pip (and `uv pip`) options that take a value, long and short. Anything not here
/// is a flag; a value-taking option missing from this table would make its value
/// look like a package, so the table errs on the side of completeness.
const OPTIONS_WITH_VALUE: &[&str] = &[
    // pip install
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-t",
    "--target",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--root",
    "--prefix",
    "--src",
    "--upgrade-strategy",
    "-C",
    "--config-settings",
    "--global-option",
    "--install-option",
    "--no-binary",
    "--only-binary",
    "--progress-bar",
    "--root-user-action",
    "--report",
    "--group",
    "-b",
    "--build",
    "-d",
    "--download",
    // index options
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    // general options
    "--python",
    "--log",
    "--log-file",
    "--local-log",
    "--keyring-provider",
    "--proxy",
    "--retries",
    "--timeout",
    "--exists-action",
    "--trusted-host",
    "--cert",
    "--client-cert",
    "--cache-dir",
    "--use-feature",
    "--use-deprecated",
    "--resume-retries",
    // uv pip install
    "--override",
    "--extra",
    "--index-strategy",
    "-P",
    "--upgrade-package",
    "--reinstall-package",
    "--no-build-isolation-package",
    "--python-platform",
    "--exclude-newer",
    "--resolution",
    "--prerelease",
    "--link-mode",
    "--build-constraint",
    "--torch-backend",
    "--default-index",
    "--index",
    "--directory",
    "--project",
    "--config-file",
    "--color",
    "--allow-insecure-host",
    "-p",
    "--config-setting",
    "--no-sources-package",
    "--excludes",
];

fn option_takes_value(option: &str) -> bool {
    OPTIONS_WITH_VALUE.contains(&option)
}

/// Short flags that may be grouped (`-qU`), and the short options that take a value
/// (the rest of the group, or the next word).
fn short_takes_value(c: char) -> bool {
    matches!(
        c,
        'r' | 'c' | 'e' | 't' | 'C' | 'b' | 'd' | 'i' | 'f' | 'P' | 'p'
    )
}

fn read_install(command: &SimpleCommand, start: usize, facts: &mut Vec<Fact>) {
    let words = &command.words;
    let mut only_arguments = false;
    let mut j = start;
    while j < words.len() {
        let word = &words[j];
        let text = word.text.as_str();
        j += 1;
        if only_arguments || !text.starts_with('-') || text == "-" {
            if text != "-" {
                read_argument(word, command.redirect_after[j - 1], facts);
            }
            continue;
        }
        if text == "--" {
            only_arguments = true;
            continue;
        }
        // The value is inside the word (`--index-url=URL`, `-rfile`) or the next word.
        let (option, inline) = if text.starts_with("--") {
            match text.split_once('=') {
                Some((name, _)) => (name.to_string(), Some(name.len() + 1)),
                None if option_takes_value(text) => (text.to_string(), None),
                None => continue,
            }
        } else {
            // A group of short options: flags until one that takes a value.
            let Some((k, c)) = text
                .char_indices()
                .skip(1)
                .find(|&(_, c)| short_takes_value(c))
            else {
                continue;
            };
            let rest = k + c.len_utf8();
            (format!("-{c}"), (rest < text.len()).then_some(rest))
        };
        let (value, map) = match inline {
            Some(offset) => option_value(word, offset),
            None => match words.get(j) {
                Some(next) => {
                    j += 1;
                    (next.text.as_str(), next.map.clone())
                }
                None => continue,
            },
        };
        read_option(&option, value, &map, facts);
    }
}

/// `(value, map)` for a value written inside the option's own word, from `offset`.
fn option_value(word: &Word, offset: usize) -> (&str, SpanMap) {
    let value = &word.text[offset..];
    (value, SpanMap::slice(offset).then(&word.map, value.len()))
}

fn read_argument(word: &Word, redirect: Option<Span>, facts: &mut Vec<Fact>) {
    match parse_requirement(&word.text) {
        Ok(req) => {
            let mut fact = req.into_fact(&word.map, FIELD);
            // A word partly quoted (`pkg=="$V"`) is shown whole, quotes included.
            if fact.origin.edit_span.is_none() {
                fact.origin.span = word.span;
            }
            fact.shell_redirect = redirect;
            facts.push(Fact::Package(fact));
        }
        Err(message) => facts.push(problem(word.span, message)),
    }
}

fn problem(span: Span, message: String) -> Fact {
    Fact::Problem(Problem {
        origin: Origin::new(span, None, FIELD),
        kind: ProblemKind::Parse,
        message,
    })
}

/// Turns one option's value into a fact, when rules need it.
/// `base` says where a relative `-r`/`-c` path starts: the requirements file's
/// folder, or a command's working directory.
pub(crate) fn option_fact(
    option: &str,
    value: &str,
    map: &SpanMap,
    field: &str,
    base: IncludeBase,
) -> Option<Fact> {
    let span = Span::new(0, value.len());
    let origin = Origin::new(
        map.span(span),
        map.is_contiguous(span).then(|| map.span(span)),
        field,
    );
    let include = |kind| {
        Some(Fact::Include(IncludeFact {
            origin: origin.clone(),
            kind,
            path: value.to_string(),
            base,
        }))
    };
    let index = |option| {
        Some(Fact::PackageIndex(IndexFact {
            origin: origin.clone(),
            option,
            value: value.to_string(),
        }))
    };
    match option {
        "-r" | "--requirement" => include(IncludeKind::Requirements),
        "-c" | "--constraint" => include(IncludeKind::Constraints),
        "-i" | "--index-url" | "--default-index" => index(IndexOption::IndexUrl),
        "--extra-index-url" | "--index" => index(IndexOption::ExtraIndexUrl),
        "-f" | "--find-links" => index(IndexOption::FindLinks),
        "--trusted-host" | "--allow-insecure-host" => index(IndexOption::TrustedHost),
        "-e" | "--editable" => Some(match parse_requirement(value) {
            Ok(req) => {
                let mut fact = req.into_fact(map, field);
                fact.editable = true;
                Fact::Package(fact)
            }
            Err(message) => Fact::Problem(Problem {
                origin,
                kind: ProblemKind::Parse,
                message,
            }),
        }),
        _ => None,
    }
}

fn read_option(option: &str, value: &str, map: &SpanMap, facts: &mut Vec<Fact>) {
    facts.extend(option_fact(
        option,
        value,
        map,
        FIELD,
        IncludeBase::WorkingDirectory,
    ));
}

/// Moves a fact read from a built text into the file through `map`. An edit span
/// survives only when its bytes are still one run in the file.
pub(crate) fn relocate(fact: Fact, map: &SpanMap) -> Fact {
    let origin = |o: Origin| Origin {
        span: map.span(o.span),
        edit_span: o
            .edit_span
            .filter(|e| map.is_contiguous(*e))
            .map(|e| map.span(e)),
        ..o
    };
    let mut fact = fact;
    if let Fact::Package(p) = &mut fact {
        if let Some(name) = &mut p.name {
            name.span = map.span(name.span);
        }
        p.pin_at = p.pin_at.map(|s| Span::at(map.end(s.start)));
        p.specifier = p.specifier.map(|s| map.span(s));
        p.shell_redirect = p.shell_redirect.map(|s| map.span(s));
    }
    let moved = origin(fact.origin().clone());
    *fact.origin_mut() = moved;
    fact
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::requirement::Spec;

    /// `(requirement text at its span, normalised name, spec)` for every package,
    /// checking that the span slices the command to the text pip receives.
    fn packages(command: &str) -> Vec<(String, Option<String>, Spec)> {
        read(command)
            .into_iter()
            .filter_map(|fact| match fact {
                Fact::Package(p) => Some((
                    command[p.origin.span.start..p.origin.span.end].to_string(),
                    p.name.map(|n| n.normalized),
                    p.spec,
                )),
                Fact::Problem(p) => panic!("unexpected problem in {command:?}: {}", p.message),
                _ => None,
            })
            .collect()
    }

    fn names(command: &str) -> Vec<String> {
        packages(command)
            .into_iter()
            .map(|(text, _, _)| text)
            .collect()
    }

    #[test]
    fn every_spelling_of_pip_install() {
        for command in [
            "pip install pandas",
            "pip3 install pandas",
            "pip3.11 install pandas",
            "/usr/bin/pip install pandas",
            "/usr/local/bin/pip3 install pandas",
            "python -m pip install pandas",
            "python3 -m pip install pandas",
            "python3.9 -m pip install pandas",
            "python -u -m pip install pandas",
            "python -mpip install pandas",
            "/opt/conda/bin/python -m pip install pandas",
            "uv pip install pandas",
            "%pip install pandas",
            "!pip install pandas",
            "! pip install pandas",
            "!python -m pip install pandas",
            "sudo pip install pandas",
            "sudo -H -u app pip install pandas",
            "PIP_NO_CACHE_DIR=1 pip install pandas",
            "env A=1 B=2 pip install pandas",
            "pip3 --disable-pip-version-check --no-cache-dir install pandas",
            "pip --proxy http://proxy:3128 install pandas",
            "if true; then pip install pandas; fi",
        ] {
            assert_eq!(names(command), ["pandas"], "{command}");
        }
    }

    #[test]
    fn not_pip_install() {
        for command in [
            "apt-get install -y pandas",
            "apt-get update && apt-get install -y gcc",
            "conda install pandas",
            "python -c 'import pip; pip.main([\"install\", \"x\"])'",
            "python script.py install pandas",
            "echo pip install x",
            "pip download pandas",
            "pip uninstall -y pandas",
            "pip freeze > requirements.txt",
            "pipenv install pandas",
            "pip",
            "python -m",
            "",
            "   ",
            "# pip install pandas",
            "uv add pandas",
        ] {
            assert!(read(command).is_empty(), "{command}: {:?}", read(command));
        }
    }

    #[test]
    fn options_with_values_are_not_packages() {
        let cases: &[(&str, &[&str])] = &[
            ("pip install --index-url https://x/simple foo==1.0.0", &["foo==1.0.0"]),
            ("pip install -i https://test.pypi.org/simple/ v3io-generator", &["v3io-generator"]),
            ("pip install --target /opt/lib --prefix /usr --root / a", &["a"]),
            ("pip install -t/opt/lib a", &["a"]),
            ("pip install --upgrade -U --no-deps --user -q a", &["a"]),
            ("pip install -qU a", &["a"]),
            ("pip install -c constraints.txt -r req.txt a", &["a"]),
            ("pip install -rreq.txt a", &["a"]),
            ("pip install --requirement=req.txt a", &["a"]),
            ("pip install --no-binary :all: --only-binary=:none: a", &["a"]),
            ("pip install --platform manylinux2014_x86_64 --python-version 3.9 --abi cp39 --implementation cp a", &["a"]),
            ("pip install --config-settings editable_mode=compat -C k=v --global-option x a", &["a"]),
            ("pip install --progress-bar off --upgrade-strategy eager --exists-action w a", &["a"]),
            ("pip install --cache-dir /tmp/c --log /tmp/log --timeout 60 --retries 3 a", &["a"]),
            ("pip install --cert /c.pem --client-cert /k.pem --report out.json a", &["a"]),
            ("pip install --trusted-host pypi.org --extra-index-url http://x/simple a", &["a"]),
            ("pip install --src /src --find-links ./wheels -f /w a", &["a"]),
            ("uv pip install --python 3.11 --index-strategy unsafe-best-match -p 3.10 a", &["a"]),
            ("pip install -- a", &["a"]),
        ];
        for (command, expected) in cases {
            let got: Vec<String> = read(command)
                .into_iter()
                .filter_map(|f| match f {
                    Fact::Package(p) => {
                        Some(command[p.origin.span.start..p.origin.span.end].to_string())
                    }
                    _ => None,
                })
                .collect();
            assert_eq!(&got, expected, "{command}");
        }
    }

    #[test]
    fn includes_index_options_and_editables() {
        let command = "pip install -r req.txt -c cons.txt --index-url http://pypi.local/simple --trusted-host pypi.local -f https://x/w -e git+https://github.com/a/b.git#egg=b -e .";
        let facts = read(command);
        let slice = |s: Span| &command[s.start..s.end];
        let mut includes = Vec::new();
        let mut indexes = Vec::new();
        let mut editables = Vec::new();
        for fact in &facts {
            match fact {
                Fact::Include(i) => includes.push((i.kind, slice(i.origin.span), i.path.as_str())),
                Fact::PackageIndex(i) => indexes.push((i.option, slice(i.origin.span))),
                Fact::Package(p) => {
                    assert!(p.editable);
                    editables.push((slice(p.origin.span), p.spec.clone()));
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(
            includes,
            [
                (IncludeKind::Requirements, "req.txt", "req.txt"),
                (IncludeKind::Constraints, "cons.txt", "cons.txt")
            ]
        );
        assert_eq!(
            indexes,
            [
                (IndexOption::IndexUrl, "http://pypi.local/simple"),
                (IndexOption::TrustedHost, "pypi.local"),
                (IndexOption::FindLinks, "https://x/w"),
            ]
        );
        assert_eq!(editables[0].0, "git+https://github.com/a/b.git#egg=b");
        assert_eq!(editables[1], (".", Spec::Local(".".into())));
    }

    #[test]
    fn corpus_build_command_shapes() {
        /// `(argument at its span, normalised name, spec)`.
        type Expected = Vec<(&'static str, Option<&'static str>, Spec)>;
        let cases: Vec<(&str, Expected)> = vec![
            (
                "pip install v3io-frames==0.8.*",
                vec![(
                    "v3io-frames==0.8.*",
                    Some("v3io-frames"),
                    Spec::Range("==0.8.*".into()),
                )],
            ),
            (
                "pip install keybert~=0.7.0",
                vec![(
                    "keybert~=0.7.0",
                    Some("keybert"),
                    Spec::Range("~=0.7.0".into()),
                )],
            ),
            (
                "pip install git+https://github.com/v3io/grafwiz --upgrade",
                vec![(
                    "git+https://github.com/v3io/grafwiz",
                    Some("grafwiz"),
                    Spec::Url {
                        url: "git+https://github.com/v3io/grafwiz".into(),
                        kind: crate::facts::requirement::UrlKind::Vcs,
                        pinned: false,
                    },
                )],
            ),
            (
                "pip install git+https://github.com/v3io/PyHive.git@v0.6.999",
                vec![(
                    "git+https://github.com/v3io/PyHive.git@v0.6.999",
                    Some("pyhive"),
                    Spec::Url {
                        url: "git+https://github.com/v3io/PyHive.git@v0.6.999".into(),
                        kind: crate::facts::requirement::UrlKind::Vcs,
                        pinned: false,
                    },
                )],
            ),
            (
                "python -m pip install a==1 b==2 c~=0.7.0",
                vec![
                    ("a==1", Some("a"), Spec::Exact("1".into())),
                    ("b==2", Some("b"), Spec::Exact("2".into())),
                    ("c~=0.7.0", Some("c"), Spec::Range("~=0.7.0".into())),
                ],
            ),
            (
                "pip install \"pandas>=1.0\"",
                vec![("pandas>=1.0", Some("pandas"), Spec::Range(">=1.0".into()))],
            ),
            (
                "pip install 'requests[security]==2.31.0'",
                vec![(
                    "requests[security]==2.31.0",
                    Some("requests"),
                    Spec::Exact("2.31.0".into()),
                )],
            ),
            (
                "pip install requests pillow",
                vec![
                    ("requests", Some("requests"), Spec::None),
                    ("pillow", Some("pillow"), Spec::None),
                ],
            ),
            (
                "pip install whisper==\"$GRAPHITE_VERSION\"",
                vec![(
                    "whisper==\"$GRAPHITE_VERSION\"",
                    Some("whisper"),
                    Spec::Unverifiable("==$GRAPHITE_VERSION".into()),
                )],
            ),
            (
                "pip install yamllint==\"${V:-v1.26.3}\"",
                vec![(
                    "yamllint==\"${V:-v1.26.3}\"",
                    Some("yamllint"),
                    Spec::Unverifiable("==${V:-v1.26.3}".into()),
                )],
            ),
            (
                "pip install /app ./dist/x-1.0-py3-none-any.whl .",
                vec![
                    ("/app", None, Spec::Local("/app".into())),
                    (
                        "./dist/x-1.0-py3-none-any.whl",
                        None,
                        Spec::Local("./dist/x-1.0-py3-none-any.whl".into()),
                    ),
                    (".", None, Spec::Local(".".into())),
                ],
            ),
        ];
        for (command, expected) in cases {
            let got = packages(command);
            let expected: Vec<_> = expected
                .into_iter()
                .map(|(t, n, s)| (t.to_string(), n.map(String::from), s))
                .collect();
            assert_eq!(got, expected, "{command}");
        }
    }

    #[test]
    fn chains_comments_and_continuations() {
        assert_eq!(
            names("apt-get update && apt-get install -y gcc && pip install a==1 || pip3 install b; pip install c | tee log"),
            ["a==1", "b", "c"]
        );
        assert_eq!(
            names("pip install a \\\n    b==2 \\\r\n    c"),
            ["a", "b==2", "c"]
        );
        assert_eq!(names("pip install a  # b c\npip install d"), ["a", "d"]);
        assert_eq!(
            names("(cd /x && pip install a) & pip install b"),
            ["a", "b"]
        );
        assert_eq!(
            names("pip install $(cat reqs.txt | grep -v x) a"),
            ["$(cat reqs.txt | grep -v x)", "a"]
        );
        assert_eq!(names("pip install a 2>&1 > /dev/null"), ["a"]);
        assert_eq!(names("pip install a &> log.txt"), ["a"]);
    }

    #[test]
    fn quoted_words_map_to_their_bytes() {
        let command = "pip install 'a==1' \"b[x]>=2\" c\"==3\"";
        let facts = read(command);
        let spans: Vec<(&str, Option<&str>)> = facts
            .iter()
            .map(|f| match f {
                Fact::Package(p) => (
                    &command[p.origin.span.start..p.origin.span.end],
                    p.origin.edit_span.map(|s| &command[s.start..s.end]),
                ),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            spans,
            [
                ("a==1", Some("a==1")),
                ("b[x]>=2", Some("b[x]>=2")),
                ("c\"==3\"", None)
            ]
        );
        let Fact::Package(c) = &facts[2] else {
            unreachable!()
        };
        let name = c.name.as_ref().unwrap();
        assert_eq!(&command[name.span.start..name.span.end], "c");
        assert_eq!(c.specifier.map(|s| &command[s.start..s.end]), Some("==3"));
    }

    #[test]
    fn unquoted_greater_than_is_a_redirection() {
        let command = "pip install tensorflow>=2.1 numpy<2";
        let facts = read(command);
        let Fact::Package(tf) = &facts[0] else {
            panic!("{facts:?}")
        };
        assert_eq!(tf.spec, Spec::None);
        assert_eq!(
            tf.shell_redirect.map(|s| &command[s.start..s.end]),
            Some(">=2.1")
        );
        let Fact::Package(np) = &facts[1] else {
            panic!("{facts:?}")
        };
        assert_eq!(
            np.shell_redirect.map(|s| &command[s.start..s.end]),
            Some("<2")
        );
        assert_eq!(facts.len(), 2);
        // Quoted, the specifier reaches pip.
        let facts = read("pip install 'tensorflow>=2.1' > log");
        let Fact::Package(tf) = &facts[0] else {
            panic!("{facts:?}")
        };
        assert_eq!(tf.spec, Spec::Range(">=2.1".into()));
        assert_eq!(tf.shell_redirect, None);
    }

    #[test]
    fn malformed_arguments_are_problems_and_shifted_spans_move() {
        // `#` inside a word is no comment: pip receives `a#b` and rejects it.
        let facts = read("pip install a#b");
        assert!(matches!(&facts[..], [Fact::Problem(p)] if p.origin.span == Span::new(12, 15)));
        let facts = read("pip install 'foo==' bar");
        assert!(matches!(&facts[0], Fact::Problem(p) if p.kind == ProblemKind::Parse));
        assert!(matches!(&facts[1], Fact::Package(_)));
        let Fact::Package(p) = facts[1].clone().shifted(100) else {
            unreachable!()
        };
        assert_eq!(p.origin.span, Span::new(120, 123));
        assert_eq!(p.pin_at, Some(Span::at(123)));
    }

    #[test]
    fn never_panics_on_odd_input() {
        for command in [
            "pip install '",
            "pip install \"a",
            "pip install \\",
            "pip install a\\",
            "pip install $(",
            "pip install `",
            "pip install -r",
            "pip install --index-url",
            "pip install -",
            "pip install >",
            "pip install 2>",
            "pip install é==1 ü",
            "%pip",
            "!",
            "sudo",
            "env -u",
            "pip install \u{0}\u{7f}\u{feff}",
        ] {
            let _ = read(command);
        }
        let huge = format!("pip install {}", "a".repeat(1 << 20));
        assert_eq!(read(&huge).len(), 1);
        let many = "pip install a; ".repeat(10_000);
        assert_eq!(read(&many).len(), 10_000);
    }
}
