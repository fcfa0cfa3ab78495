//! Differential test: mlrun-lint's requirement classification against Python's
//! `packaging`, the library pip itself uses to read PEP 508.
//!
//! Every line of `tests/data/requirement-lines.txt` (shapes from pip's docs), and
//! every requirement line of the real-world corpus in `../shared/corpus` when it is
//! there, is classified on both sides as `pinned`, `range`, `none`, `url` or
//! `error`. Both sides call a specifier set pinned when it holds a `===` clause or a
//! `==` clause without `.*`, whatever other clauses sit beside it (`==1.0,!=1.1`
//! admits at most 1.0): `tests/data/classify_packaging.py` says the same.
//!
//! mlrun-lint reads requirements the way pip's `install_req_from_line` does, which
//! accepts more than PEP 508; the differences that follow from that are listed in
//! [`known_difference`] with their reason. Any other disagreement fails the test.
//!
//! The Python side runs in a virtualenv made under `CARGO_TARGET_TMPDIR` (reused by
//! later runs); without `python3` or a reachable package index the test prints a
//! note and passes.

use mlrun_lint::facts::requirement::{classify, Spec};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The `packaging` release the answers are compared with; a new release gets a
/// new virtualenv, so a bump is one edit here.
const PACKAGING_VERSION: &str = "26.3";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A virtualenv's python with `packaging` installed, made once per test run.
fn packaging_python() -> Option<&'static Path> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    PYTHON.get_or_init(make_venv).as_deref()
}

fn make_venv() -> Option<PathBuf> {
    let venv =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("packaging-{PACKAGING_VERSION}-venv"));
    let python = if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    };
    let run = |program: &Path, args: &[&str]| Command::new(program).args(args).output();
    let ready = |python: &Path| {
        let check = format!(
            "import packaging, sys; sys.exit(packaging.__version__ != '{PACKAGING_VERSION}')"
        );
        run(python, &["-c", &check]).is_ok_and(|output| output.status.success())
    };
    if python.is_file() && ready(&python) {
        return Some(python);
    }
    let venv_arg = venv.to_str()?;
    match run(Path::new("python3"), &["-m", "venv", "--clear", venv_arg]) {
        Ok(output) if output.status.success() => {}
        Ok(output) => {
            eprintln!(
                "note: `python3 -m venv` failed ({}); packaging differential test skipped",
                String::from_utf8_lossy(&output.stderr).trim()
            );
            return None;
        }
        Err(err) => {
            eprintln!("note: no python3 ({err}); packaging differential test skipped");
            return None;
        }
    }
    let requirement = format!("packaging=={PACKAGING_VERSION}");
    let installed = run(
        &python,
        &[
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &requirement,
        ],
    );
    match installed {
        Ok(output) if output.status.success() && ready(&python) => Some(python),
        Ok(output) => {
            eprintln!(
                "note: `pip install {requirement}` failed ({}); packaging differential test \
                 skipped",
                String::from_utf8_lossy(&output.stderr).trim()
            );
            None
        }
        Err(err) => {
            eprintln!("note: the venv's python does not run ({err}); test skipped");
            None
        }
    }
}

/// packaging's answer for each line, in order.
fn theirs(python: &Path, lines: &[Line]) -> Vec<String> {
    let input = tempfile::NamedTempFile::new().expect("a temporary file");
    let text: String = lines
        .iter()
        .map(|line| format!("{}\n", line.text))
        .collect();
    std::fs::write(input.path(), text).expect("writable temporary file");
    let script = repo().join("tests/data/classify_packaging.py");
    let output = Command::new(python)
        .arg(&script)
        .arg(input.path())
        .output()
        .expect("the venv's python runs");
    assert!(
        output.status.success(),
        "classify_packaging.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: Vec<String> = String::from_utf8(output.stdout)
        .expect("UTF-8 answers")
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(answers.len(), lines.len(), "one answer per line");
    answers
}

/// mlrun-lint's answer, in the same words; `local` and `unverifiable` have no
/// counterpart in packaging and only ever match as a [`known_difference`].
fn ours(text: &str) -> String {
    match classify(text) {
        Ok(Spec::None) => "none".into(),
        Ok(Spec::Exact(_)) => "pinned".into(),
        Ok(Spec::Range(_)) => "range".into(),
        Ok(Spec::Url { .. }) => "url".into(),
        Ok(Spec::Local(_)) => "local".into(),
        Ok(Spec::Unverifiable(_)) => "unverifiable".into(),
        Err(message) => format!("error\t{message}"),
    }
}

/// Why mlrun-lint and packaging may rightly answer differently for a line, or
/// `None` when they must agree. Each difference is pip's reading against PEP 508's.
fn known_difference(text: &str, ours: &str, theirs: &str) -> Option<&'static str> {
    let theirs = theirs.split('\t').next().unwrap_or(theirs);
    match (ours, theirs) {
        // pip's `install_req_from_line` checks for a path, an archive file name or a
        // `file:` URL before PEP 508: `.`, `./pkg`, `x-1.0-py3-none-any.whl` (a
        // valid PEP 508 *name* to packaging), `pkg @ ./local`, `pkg @ file:///…`.
        ("local", "error" | "none" | "url") => {
            Some("pip installs paths, archive files and file: URLs as local projects")
        }
        // pip accepts a URL with no `name @` (the name comes from `#egg=` or the
        // built metadata); PEP 508 requires the name.
        ("url", "error") if starts_with_url(text) => {
            Some("pip accepts a bare URL without `name @`")
        }
        // pip expands `${VAR}` in requirements files and the shell expands `$VAR` in
        // commands, so the text packaging sees is not what pip receives.
        ("unverifiable", "error" | "url") => Some("the version comes from a variable"),
        // PEP 440 lets `===` compare any string (for versions older than PEP 440);
        // pep508_rs accepts only PEP 440 versions there, so `pkg===foobar` (and the
        // empty `pkg===`, which matches nothing) is a parse error (MLR001) here.
        // Rare in practice; pip's resolver would find no release for most of them.
        ("error", "pinned") if text.contains("===") => {
            Some("`===` with a string that is not a PEP 440 version")
        }
        // PEP 508 names end with a letter or digit; packaging's tokenizer does not
        // check the last character, but no index serves `pkg_`, so pip fails later.
        ("error", "none") if name_ends_badly(text) => {
            Some("a name ending in `_` is not PEP 508, whatever packaging accepts")
        }
        _ => None,
    }
}

/// Whether the requirement's name ends with a separator (`pkg_`).
fn name_ends_badly(text: &str) -> bool {
    let text = text.trim_start();
    let name_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .unwrap_or(text.len());
    text[..name_end].ends_with(['.', '-', '_'])
}

/// Whether the line opens with `scheme://` (`git+https://…`), as a bare URL does.
fn starts_with_url(text: &str) -> bool {
    text.trim_start()
        .split_once("://")
        .is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        })
}

/// One requirement line and where it came from, for failure messages.
struct Line {
    text: String,
    origin: String,
}

/// Compares both sides on `lines`; returns how many lines were compared and how
/// many differed for a known reason, and fails on any other difference.
fn compare(python: &Path, what: &str, lines: &[Line]) -> (usize, usize) {
    let answers = theirs(python, lines);
    let mut known = 0;
    let mut disagreements = Vec::new();
    for (line, theirs) in lines.iter().zip(&answers) {
        let ours = ours(&line.text);
        let (our_kind, their_kind) = (kind(&ours), kind(theirs));
        if our_kind == their_kind {
            continue;
        }
        if let Some(reason) = known_difference(&line.text, our_kind, theirs) {
            eprintln!(
                "  known: {}: `{}` ({our_kind} / {their_kind}): {reason}",
                line.origin, line.text
            );
            known += 1;
            continue;
        }
        disagreements.push(format!(
            "{}: `{}`\n    mlrun-lint: {ours}\n    packaging:  {theirs}",
            line.origin, line.text
        ));
    }
    eprintln!(
        "{what}: {} lines compared with packaging {PACKAGING_VERSION}, {known} known differences, \
         {} disagreements",
        lines.len(),
        disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements with packaging:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    (lines.len(), known)
}

/// The category of an answer, without an error's message.
fn kind(answer: &str) -> &str {
    answer.split('\t').next().unwrap_or(answer)
}

#[test]
fn requirement_table_agrees_with_packaging() {
    let Some(python) = packaging_python() else {
        return;
    };
    let path = repo().join("tests/data/requirement-lines.txt");
    let text = std::fs::read_to_string(&path).expect("the requirement table");
    let lines: Vec<Line> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|(index, line)| Line {
            text: line.to_string(),
            origin: format!("requirement-lines.txt:{}", index + 1),
        })
        .collect();
    let (compared, known) = compare(python, "table", &lines);
    assert!(compared >= 150, "the table shrank to {compared} lines");
    assert!(
        known < compared / 5,
        "{known} known differences of {compared}"
    );
}

#[test]
fn corpus_requirements_agree_with_packaging() {
    let corpus = repo().join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("note: no ../shared/corpus; corpus differential test skipped");
        return;
    }
    let Some(python) = packaging_python() else {
        return;
    };
    let mut files = Vec::new();
    requirements_files(&corpus, &mut files);
    files.sort();
    let mut lines = Vec::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let shown = file
            .strip_prefix(&corpus)
            .unwrap_or(file)
            .display()
            .to_string();
        for (number, requirement) in requirement_lines(&text) {
            lines.push(Line {
                text: requirement,
                origin: format!("{shown}:{number}"),
            });
        }
    }
    let (compared, _) = compare(python, "corpus", &lines);
    assert!(compared > 0, "no requirement lines in {}", corpus.display());
}

/// `*.txt` files whose name says they hold requirements or constraints.
fn requirements_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            requirements_files(&path, out);
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".txt") && (name.contains("requirements") || name.contains("constraints"))
        {
            out.push(path);
        }
    }
}

/// The requirements of a requirements file as pip reads them, with the line each
/// starts on: continuation lines joined, comments (`#` at the start or after
/// whitespace) removed, option lines (`-r`, `-c`, `-e`, `-i`, …) skipped, and a
/// requirement's trailing options (`--hash=…`) cut at the first word starting `-`.
fn requirement_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut logical = String::new();
    let mut start = 0;
    for (index, raw) in text.lines().enumerate() {
        if logical.is_empty() {
            start = index + 1;
        }
        match raw.strip_suffix('\\') {
            Some(joined) => {
                logical.push_str(joined);
                continue;
            }
            None => logical.push_str(raw),
        }
        let line = std::mem::take(&mut logical);
        let without_comment = match comment_start(&line) {
            Some(at) => &line[..at],
            None => &line[..],
        };
        let words: Vec<&str> = without_comment
            .split_whitespace()
            .take_while(|word| !word.starts_with('-'))
            .collect();
        if !words.is_empty() {
            out.push((start, words.join(" ")));
        }
    }
    out
}

/// pip's comment rule: `#` at the start of the line or after whitespace.
fn comment_start(line: &str) -> Option<usize> {
    line.char_indices().find_map(|(at, c)| {
        let after_space = at == 0 || line[..at].ends_with(char::is_whitespace);
        (c == '#' && after_space).then_some(at)
    })
}

#[test]
fn corpus_lines_are_read_as_pip_reads_them() {
    let text =
        "# comment\n\npandas>=2 # why\n-r other.txt\nxgboost==2.0.3 \\\n    --hash=sha256:aaa\n\
                -e .\nurl#egg=x\n";
    assert_eq!(
        requirement_lines(text),
        [
            (3, "pandas>=2".to_string()),
            (5, "xgboost==2.0.3".to_string()),
            (8, "url#egg=x".to_string()),
        ]
    );
}
