//! MLRun's command line in shell text: `mlrun build` and `mlrun run` lines in
//! `*.sh` scripts and in CI steps (GitHub `run:`, GitLab `script:`).
//!
//! The text is split the way `/bin/sh` splits it (the words, quotes and chains of
//! [`pip_command`]), and each `mlrun build` / `mlrun run` is read with the options
//! its click command declares (MLRun 1.12.1 `__main__.py`: `run` at line 97,
//! `build` at 492), so an option's value is never taken for another option:
//!
//! - `mlrun build -b/--base-image IMAGE`: the build's base image (`:501`);
//!   `-i/--image IMAGE`: the image it produces (`:497`); each `-c/--command CMD`:
//!   a build command, whose `pip install`s are read (`:502`); `--with-mlrun` on a
//!   named base (`:512`); a `hub://` function URL, imported from the hub (`:596`).
//! - `mlrun run --image IMAGE`: the image the run uses (`:168`); its `-i` is
//!   `--inputs`, not an image.
//!
//! Spans are bytes of the text given; callers move them into a file.

use super::pip_command::{
    self, is_versioned, program_at, relocate, split_commands, tokenize, Token, Word,
};
use crate::facts::requirement::SpanMap;
use crate::facts::{
    template_marker, BuildFact, Fact, HubRef, HubRefFact, ImageFact, ImageRole, Origin,
};
use crate::span::Span;

/// Options of `mlrun build` that take a value (all others are flags).
const BUILD_OPTIONS_WITH_VALUE: &[&str] = &[
    "--archive",
    "--base-image",
    "--command",
    "--db",
    "--env-file",
    "--full-image-file-path",
    "--image",
    "--image-file-path",
    "--name",
    "--project",
    "--runtime",
    "--secret-name",
    "--source",
    "--state-file-path",
    "--tag",
    "-a",
    "-b",
    "-c",
    "-i",
    "-r",
    "-s",
];

/// Options of `mlrun run` that take a value (1.6.4 to 1.12.1, `--runtime-config`
/// and `-rc` from 1.12).
const RUN_OPTIONS_WITH_VALUE: &[&str] = &[
    "--db",
    "--env-file",
    "--func-url",
    "--handler",
    "--hyper-param-options",
    "--hyper-param-strategy",
    "--hyperparam",
    "--image",
    "--in-path",
    "--inputs",
    "--kind",
    "--label",
    "--mode",
    "--name",
    "--origin-file",
    "--out-path",
    "--outputs",
    "--param",
    "--param-file",
    "--project",
    "--returns",
    "--runtime",
    "--runtime-config",
    "--schedule",
    "--secrets",
    "--selector",
    "--source",
    "--task",
    "--uid",
    "--workdir",
    "--workflow",
    "-f",
    "-i",
    "-o",
    "-p",
    "-r",
    "-rc",
    "-s",
    "-x",
];

/// Reads every `mlrun build` and `mlrun run` in shell text into facts.
pub fn read(text: &str) -> Vec<Fact> {
    let tokens: Vec<Token> = tokenize(text, true);
    let mut facts = Vec::new();
    for command in split_commands(tokens) {
        let Some((subcommand, args)) = mlrun_subcommand(&command.words) else {
            continue;
        };
        match subcommand {
            "build" => read_build(args, &mut facts),
            "run" => read_run(args, &mut facts),
            _ => {}
        }
    }
    facts
}

/// The subcommand and its arguments when `words` run MLRun's command line:
/// `mlrun …`, a path ending in `/mlrun`, or `python -m mlrun …`, after variable
/// assignments and prefix words (`sudo`, `env`, `time`, `then`…).
fn mlrun_subcommand(words: &[Word]) -> Option<(&str, &[Word])> {
    let mut i = program_at(words)?;
    let first = words.get(i)?.text.as_str();
    let program = first.rsplit('/').next().unwrap_or(first);
    i += 1;
    if program != "mlrun" {
        if !is_versioned(program, "python") {
            return None;
        }
        match words.get(i)?.text.as_str() {
            "-m" if words.get(i + 1)?.text == "mlrun" => i += 2,
            "-mmlrun" => i += 1,
            _ => return None,
        }
    }
    let subcommand = words.get(i)?.text.as_str();
    Some((subcommand, &words[i + 1..]))
}

/// One option of a click command as written: its name and, for options that take
/// one, the value and its word (with the offset of the value inside it, for
/// `-bIMAGE` and `--base-image=IMAGE`).
struct Parsed<'a> {
    name: String,
    value: Option<(&'a Word, usize)>,
    word: &'a Word,
}

/// The options and positional arguments of a click command line, by its table of
/// options that take a value. `--` ends the options. An unknown option is a flag
/// (the commands ignore unknown options), so no value is taken from it.
fn parse<'a>(args: &'a [Word], with_value: &[&str]) -> (Vec<Parsed<'a>>, Vec<&'a Word>) {
    let mut options = Vec::new();
    let mut positional = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let text = word.text.as_str();
        if text == "--" {
            positional.extend(words.by_ref());
            break;
        }
        if let Some((name, _)) = text.split_once('=').filter(|_| text.starts_with("--")) {
            options.push(Parsed {
                name: name.to_string(),
                value: Some((word, name.len() + 1)),
                word,
            });
            continue;
        }
        if !text.starts_with('-') || text == "-" {
            positional.push(word);
            continue;
        }
        if with_value.contains(&text) {
            options.push(Parsed {
                name: text.to_string(),
                value: words.next().map(|value| (value, 0)),
                word,
            });
            continue;
        }
        // `-bIMAGE`: a short option with its value attached.
        let attached = (!text.starts_with("--") && text.len() > 2)
            .then(|| &text[..2])
            .filter(|short| with_value.contains(short));
        match attached {
            Some(short) => options.push(Parsed {
                name: short.to_string(),
                value: Some((word, 2)),
                word,
            }),
            None => options.push(Parsed {
                name: text.to_string(),
                value: None,
                word,
            }),
        }
    }
    (options, positional)
}

fn read_build(args: &[Word], facts: &mut Vec<Fact>) {
    let (options, positional) = parse(args, BUILD_OPTIONS_WITH_VALUE);
    let value_of = |names: &[&str]| {
        options
            .iter()
            .rev()
            .find(|o| names.contains(&o.name.as_str()))
            .and_then(|o| o.value)
    };
    let function = value_of(&["--name"]).map(|(word, at)| word.text[at..].to_string());
    let base_image = value_of(&["-b", "--base-image"]);
    for option in &options {
        let Some((word, at)) = option.value else {
            continue;
        };
        match option.name.as_str() {
            "-b" | "--base-image" => image(
                word,
                at,
                ImageRole::BuildBase,
                "mlrun build --base-image",
                &function,
                facts,
            ),
            "-i" | "--image" => image(
                word,
                at,
                ImageRole::BuildTarget,
                "mlrun build --image",
                &function,
                facts,
            ),
            "-c" | "--command" => {
                let map = value_map(word, at);
                for fact in pip_command::read(&word.text[at..]) {
                    let mut fact = relocate(fact, &map);
                    let origin = fact.origin_mut();
                    origin.field = "mlrun build --command".to_string();
                    origin.function.clone_from(&function);
                    facts.push(fact);
                }
            }
            _ => {}
        }
    }
    // With no `-b` the base is the function's own, which this line does not show.
    // Without `--with-mlrun` the CLI leaves it unset (`False` maps to `None`), so
    // MLRun turns it on for a base that is not MLRun's.
    let with_mlrun = options.iter().find(|o| o.name == "--with-mlrun");
    if let Some((word, at)) = base_image {
        let base = word.text[at..].trim();
        if !base.is_empty() && template_marker(base).is_none() {
            let installs_mlrun = options
                .iter()
                .filter(|o| matches!(o.name.as_str(), "-c" | "--command"))
                .filter_map(|o| o.value)
                .any(|(word, at)| BuildFact::command_installs_mlrun(&word.text[at..]));
            let origin = match with_mlrun {
                Some(flag) => origin(flag.word, 0, "mlrun build --with-mlrun", &function),
                None => origin(word, at, "mlrun build --base-image", &function),
            };
            facts.push(Fact::Build(BuildFact {
                origin,
                with_mlrun: with_mlrun.map(|_| true),
                base_image: Some(base.to_string()),
                installs_mlrun,
                sets_project_default: false,
            }));
        }
    }
    if let Some(url) = positional.first() {
        if let Some(reference) = HubRef::parse(&url.text) {
            facts.push(Fact::HubRef(HubRefFact {
                origin: origin(url, 0, "mlrun build", &function),
                reference,
            }));
        }
    }
}

fn read_run(args: &[Word], facts: &mut Vec<Fact>) {
    let (options, _) = parse(args, RUN_OPTIONS_WITH_VALUE);
    let function = options
        .iter()
        .rev()
        .find(|o| o.name == "--name")
        .and_then(|o| o.value)
        .map(|(word, at)| word.text[at..].to_string());
    for option in &options {
        if let (Some((word, at)), "--image") = (option.value, option.name.as_str()) {
            image(
                word,
                at,
                ImageRole::Run,
                "mlrun run --image",
                &function,
                facts,
            );
        }
    }
}

/// An image fact for the value at `at` in `word`; an empty value (`--image ""`,
/// MLRun's "not given") is none.
fn image(
    word: &Word,
    at: usize,
    role: ImageRole,
    field: &str,
    function: &Option<String>,
    facts: &mut Vec<Fact>,
) {
    let value = &word.text[at..];
    if value.trim().is_empty() {
        return;
    }
    if let Some(fact) = ImageFact::from_text(value, role, origin(word, at, field, function)) {
        facts.push(Fact::Image(fact));
    }
}

/// Where the value at `at` in `word` stands: the word's bytes (quotes included),
/// and the value's own bytes to edit when they are written as one run.
fn origin(word: &Word, at: usize, field: &str, function: &Option<String>) -> Origin {
    let value = Span::new(at, word.text.len());
    let edit = (word.map.is_contiguous(value) && !value.is_empty()).then(|| word.map.span(value));
    Origin::new(word.span, edit, field).with_function(function.clone())
}

/// The map from the value's text (from `at` in the word) to the shell text.
fn value_map(word: &Word, at: usize) -> SpanMap {
    SpanMap::slice(at).then(&word.map, word.text.len() - at)
}

#[cfg(test)]
mod tests;
