//! Notebook escape lines: `%pip`/`!pip` installs, and the nuclio-jupyter magics
//! that `code_to_function` turns into the notebook function's spec.
//!
//! - `%nuclio config spec.image = "mlrun/mlrun"` (also `spec.build.baseImage`,
//!   `spec.build.image`): the function's image, base image or build target;
//!   `%nuclio config spec.build.commands = ["pip install x"]` (or `+= "…"`): build
//!   commands. The value is a JSON value, as nuclio-jupyter reads it.
//! - `%nuclio cmd pip install x` (options such as `-c` first) and a `%%nuclio cmd`
//!   cell, one command a line: build commands.
//! - `%pip install x`, `!pip install x`, `!{sys.executable} -m pip install x`: the
//!   kernel's own installs, which nuclio-jupyter leaves out of the function.
//!
//! Spans are relative to the escape's text; the reader moves them into the file.

use super::pip_command;
use crate::facts::{Fact, ImageFact, ImageRole, Origin};
use crate::span::Span;

/// The facts of one escape command's text (`%…`, `!…`, or a `%%` cell).
pub(super) fn read(text: &str) -> Vec<Fact> {
    if let Some(rest) = text.strip_prefix("%%nuclio") {
        return cell_commands(text, rest);
    }
    if let Some(rest) = text.strip_prefix("%nuclio") {
        let body = rest.trim_start();
        let at = text.len() - body.len();
        if let Some(config) = body.strip_prefix("config") {
            return config_line(config, text.len() - config.len());
        }
        if let Some(command) = body.strip_prefix("cmd") {
            let (command, offset) = skip_options(command, at + 3);
            return commands(command, offset, "%nuclio cmd");
        }
        return Vec::new();
    }
    // `!mlrun build …` / `!mlrun run …`: MLRun's CLI, read as a shell script line.
    if let Some(command) = text
        .strip_prefix('!')
        .filter(|c| c.trim_start().starts_with("mlrun "))
    {
        return crate::sources::shell::read(command)
            .into_iter()
            .map(|fact| fact.shifted(1))
            .collect();
    }
    pip_command::read(&with_kernel_python(text))
        .into_iter()
        .map(|mut fact| {
            if let Fact::Package(package) = &mut fact {
                package.kernel = true;
            }
            fact
        })
        .collect()
}

/// `!{sys.executable} -m pip …` with the interpolation spelled `python`, padded to
/// the same length so every offset stays put.
fn with_kernel_python(text: &str) -> String {
    const EXECUTABLE: &str = "{sys.executable}";
    match text.find(EXECUTABLE) {
        Some(at) if text[..at].trim_start_matches('!').trim().is_empty() => {
            let mut out = text.to_string();
            out.replace_range(at..at + EXECUTABLE.len(), &format!("{:<16}", "python"));
            out
        }
        _ => text.to_string(),
    }
}

/// `%%nuclio cmd` then one command a line.
fn cell_commands(text: &str, rest: &str) -> Vec<Fact> {
    let Some((first, body)) = rest.split_once('\n') else {
        return Vec::new();
    };
    if first.split_whitespace().next() != Some("cmd") {
        return Vec::new();
    }
    let start = text.len() - body.len();
    let mut facts = Vec::new();
    let mut offset = start;
    for line in body.split_inclusive('\n') {
        let command = line.trim_end_matches(['\n', '\r']);
        facts.extend(commands(command, offset, "%%nuclio cmd"));
        offset += line.len();
    }
    facts
}

/// Leading `-c`/`--config-only` style options of `%nuclio cmd`.
fn skip_options(text: &str, offset: usize) -> (&str, usize) {
    let mut rest = text.trim_start();
    while let Some(option) = rest.strip_prefix('-') {
        let end = option.find(char::is_whitespace).unwrap_or(option.len());
        rest = option[end..].trim_start();
    }
    (rest, offset + text.len() - rest.len())
}

/// The facts of one shell command at `offset`.
fn commands(command: &str, offset: usize, field: &str) -> Vec<Fact> {
    pip_command::read(command)
        .into_iter()
        .map(|fact| {
            let mut fact = fact.shifted(offset);
            fact.origin_mut().field = field.to_string();
            fact
        })
        .collect()
}

/// `KEY = VALUE` or `KEY += VALUE` after `%nuclio config`, at `offset`.
fn config_line(line: &str, offset: usize) -> Vec<Fact> {
    let Some((key, value)) = line.split_once('=') else {
        return Vec::new();
    };
    let key = key.trim().trim_end_matches('+').trim();
    let value_at = offset + line.len() - value.len();
    let field = format!("%nuclio config {key}");
    let role = match key {
        "spec.image" => ImageRole::Run,
        "spec.build.baseImage" | "spec.build.base_image" => ImageRole::BuildBase,
        "spec.build.image" => ImageRole::BuildTarget,
        "spec.build.commands" => {
            return strings(value, value_at)
                .into_iter()
                .flat_map(|(command, at)| commands(command, at, &field))
                .collect();
        }
        _ => return Vec::new(),
    };
    strings(value, value_at)
        .into_iter()
        .filter_map(|(image, at)| {
            let span = Span::new(at, at + image.len());
            let origin = Origin::new(Span::new(at - 1, at + image.len() + 1), Some(span), &field);
            ImageFact::from_text(image, role, origin).map(Fact::Image)
        })
        .collect()
}

/// The double-quoted strings of a JSON value (a string or a list of them) with
/// their offsets; strings with escapes are left out, as their bytes are not
/// their value.
fn strings(value: &str, offset: usize) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('"') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('"') else { break };
        let content = &after[..close];
        let at = offset + (value.len() - rest.len()) + open + 1;
        if !content.contains('\\') {
            out.push((content, at));
        }
        rest = &after[close + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each fact as `field: text at its span`.
    fn summary(text: &str) -> Vec<String> {
        read(text)
            .iter()
            .map(|fact| {
                let origin = fact.origin();
                let at = origin.edit_span.unwrap_or(origin.span);
                format!("{}: {}", origin.field, &text[at.start..at.end])
            })
            .collect()
    }

    #[test]
    fn config_images_and_commands() {
        assert_eq!(
            summary(r#"%nuclio config spec.image = "mlrun/mlrun""#),
            ["%nuclio config spec.image: mlrun/mlrun"]
        );
        assert_eq!(
            summary(r#"%nuclio  config spec.build.baseImage = "python:3.9""#),
            ["%nuclio config spec.build.baseImage: python:3.9"]
        );
        assert_eq!(
            summary(r#"%nuclio config spec.build.commands = ["pip install pandas", "ls"]"#),
            ["%nuclio config spec.build.commands: pandas"]
        );
        assert_eq!(
            summary(r#"%nuclio config spec.build.commands += "pip install torch""#),
            ["%nuclio config spec.build.commands: torch"]
        );
        assert!(summary(r#"%nuclio config kind = "job""#).is_empty());
        assert!(summary(r#"%nuclio config spec.image = "a\"b""#).is_empty());
    }

    #[test]
    fn cmd_lines_and_cells() {
        assert_eq!(
            summary("%nuclio cmd -c pip install pandas"),
            ["%nuclio cmd: pandas"]
        );
        assert_eq!(
            summary("%%nuclio cmd\npip install scikit-learn\npython -m pip install xgboost==1.0\n"),
            ["%%nuclio cmd: scikit-learn", "%%nuclio cmd: xgboost==1.0"]
        );
        assert!(summary("%%nuclio handler\npip install x\n").is_empty());
        assert!(summary("%nuclio show").is_empty());
    }

    #[test]
    fn the_mlrun_cli_in_a_shell_escape() {
        assert_eq!(
            summary("!mlrun build -b mlrun/mlrun function.yaml"),
            // The image, and the build on it (which MLR207 judges).
            [
                "mlrun build --base-image: mlrun/mlrun",
                "mlrun build --base-image: mlrun/mlrun"
            ]
        );
    }

    #[test]
    fn kernel_python_runs_pip() {
        assert_eq!(
            summary("!{sys.executable} -m pip install lightgbm"),
            ["pip install: lightgbm"]
        );
        assert_eq!(summary("%pip install catboost"), ["pip install: catboost"]);
    }
}
