//! Requirements files (`requirements.txt`, constraints files, pip-tools output).
//!
//! Read with pip's own rules (`pip/_internal/req/req_file.py`), because a linter that
//! reads a file differently from pip judges requirements pip never installs:
//! - lines ending in `\` join the next line (a comment line ends the join);
//! - `#` starts a comment at the start of a line or after whitespace, so `#egg=` and
//!   `#sha256=` inside a URL are kept;
//! - a line's requirement runs up to the first space-separated word starting with
//!   `-`; the rest are options, split like a shell would (`shlex`);
//! - option lines (`-r`, `-c`, `-e`, `-i`, …) accept pip's option set, long options
//!   abbreviated to any unique prefix (optparse), and nothing else.
//!
//! `${VAR}` is left as written (pip expands it from the environment of the machine
//! that installs, which we cannot know); a version made of one is `Unverifiable`.
//! Spans point at the file's bytes even across continuations.

use super::pip_command::{option_fact, tokenize, Token};
use crate::facts::requirement::{parse_requirement, SpanMap};
use crate::facts::{template_marker, Fact, IncludeKind, Origin, Problem, ProblemKind};
use crate::span::Span;
use std::collections::HashSet;
use std::io;
use std::path::{Component, Path, PathBuf};

/// The `Origin::field` of facts read from a requirements file.
const FIELD: &str = "requirements file";

/// Reads a requirements file's text into facts: packages, `-r`/`-c` includes, index
/// options, and a `Parse` problem for each line pip would reject (the rest is still
/// read). Includes are not followed here; see [`read_with_includes`].
pub fn read(text: &str) -> Vec<Fact> {
    let mut facts = Vec::new();
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut logical = String::new();
    let mut map = SpanMap::default();
    let mut offset = start;
    while offset < text.len() {
        let line_end = text[offset..].find('\n').map_or(text.len(), |n| offset + n);
        let content_end = if text[offset..line_end].ends_with('\r') {
            line_end - 1
        } else {
            line_end
        };
        let line = &text[offset..content_end];
        let is_comment = line.trim_start().starts_with('#');
        if line.ends_with('\\') && !is_comment {
            // pip strips backslashes from both ends of a continued line, then joins.
            let lead = line.len() - line.trim_start_matches('\\').len();
            let piece = line.trim_matches('\\');
            map.push(logical.len(), offset + lead);
            logical.push_str(piece);
        } else {
            if !is_comment || logical.is_empty() {
                map.push(logical.len(), offset);
                logical.push_str(line);
            }
            read_line(&logical, &map, &mut facts);
            logical.clear();
            map = SpanMap::default();
        }
        offset = line_end + 1;
    }
    if !logical.is_empty() {
        read_line(&logical, &map, &mut facts);
    }
    facts
}

/// Options pip accepts in a requirements file, with whether each takes a value;
/// short forms map to their long name.
const LONG_OPTIONS: &[(&str, bool)] = &[
    ("--index-url", true),
    ("--extra-index-url", true),
    ("--no-index", false),
    ("--constraint", true),
    ("--requirement", true),
    ("--editable", true),
    ("--find-links", true),
    ("--no-binary", true),
    ("--only-binary", true),
    ("--prefer-binary", false),
    ("--require-hashes", false),
    ("--pre", false),
    ("--trusted-host", true),
    ("--use-feature", true),
    // Per-requirement options.
    ("--hash", true),
    ("--global-option", true),
    ("--config-settings", true),
    ("--install-option", true),
];

const SHORT_OPTIONS: &[(char, &str)] = &[
    ('i', "--index-url"),
    ('c', "--constraint"),
    ('r', "--requirement"),
    ('e', "--editable"),
    ('f', "--find-links"),
    ('C', "--config-settings"),
];

/// A long option by its exact name or a unique prefix, as optparse resolves it.
fn long_option(given: &str) -> Result<(&'static str, bool), String> {
    if let Some(&found) = LONG_OPTIONS.iter().find(|(name, _)| *name == given) {
        return Ok(found);
    }
    let mut matches = LONG_OPTIONS
        .iter()
        .filter(|(name, _)| name.starts_with(given));
    match (matches.next(), matches.next()) {
        (Some(&found), None) if given.len() > 2 => Ok(found),
        (Some(_), Some(_)) if given.len() > 2 => Err(format!("ambiguous option: {given}")),
        _ => Err(format!("no such option: {given}")),
    }
}

/// One logical line: comment removed, then a requirement and/or options.
fn read_line(logical: &str, map: &SpanMap, facts: &mut Vec<Fact>) {
    let without_comment = &logical[..comment_start(logical)];
    let lead = without_comment.len() - without_comment.trim_start().len();
    let line = without_comment.trim();
    if line.is_empty() {
        return;
    }
    let line_map = SpanMap::slice(lead).then(map, line.len());
    let line_span = Span::new(0, line.len());
    let bytes = line.as_bytes();
    let options_start = (0..bytes.len())
        .find(|&i| bytes[i] == b'-' && (i == 0 || bytes[i - 1] == b' '))
        .unwrap_or(line.len());
    let options = &line[options_start..];
    let options_map = SpanMap::slice(options_start).then(&line_map, options.len());

    let mut hashes = Vec::new();
    let mut option_facts = Vec::new();
    let words: Vec<_> = tokenize(options, false)
        .into_iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(w),
            _ => None,
        })
        .collect();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        let word_map = word.map.then(&options_map, word.text.len());
        let word_span = options_map.span(word.span);
        i += 1;
        let text = word.text.as_str();
        let resolved = if let Some(long) = text.strip_prefix("--").map(|_| text) {
            let given = long.split_once('=').map_or(long, |(n, _)| n);
            long_option(given).map(|(name, takes)| (name, takes, long.find('=').map(|e| e + 1)))
        } else if let Some(c) = text.strip_prefix('-').and_then(|r| r.chars().next()) {
            SHORT_OPTIONS
                .iter()
                .find(|(s, _)| *s == c)
                .map(|&(_, name)| (name, true, (text.len() > 2).then_some(2)))
                .ok_or_else(|| format!("no such option: -{c}"))
        } else {
            // optparse leaves stray arguments aside, and pip ignores them.
            continue;
        };
        let (name, takes_value, inline) = match resolved {
            Ok(found) => found,
            Err(message) => {
                facts.push(problem(word_span, message));
                return;
            }
        };
        if !takes_value {
            continue;
        }
        let (value, value_map) = match inline {
            Some(at) => {
                let value = &text[at..];
                (value, SpanMap::slice(at).then(&word_map, value.len()))
            }
            None => match words.get(i) {
                Some(next) => {
                    i += 1;
                    (
                        next.text.as_str(),
                        next.map.then(&options_map, next.text.len()),
                    )
                }
                None => {
                    facts.push(problem(
                        word_span,
                        format!("{name} option requires 1 argument"),
                    ));
                    return;
                }
            },
        };
        if name == "--hash" {
            hashes.push(value.to_string());
        } else {
            option_facts.extend(option_fact(name, value, &value_map, FIELD));
        }
    }

    let requirement = line[..options_start].trim_end();
    if !requirement.is_empty() {
        let requirement_map = line_map.clone();
        match parse_requirement(requirement) {
            Ok(req) => {
                let mut fact = req.into_fact(&requirement_map, FIELD);
                fact.hashes = hashes;
                facts.push(Fact::Package(fact));
            }
            Err(message) => {
                facts.push(problem(line_map.span(line_span), message));
                return;
            }
        }
    }
    facts.extend(option_facts);
}

/// Where pip's comment pattern `(^|\s+)#.*$` starts in a line (its length if nowhere).
fn comment_start(line: &str) -> usize {
    let mut previous_is_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && previous_is_space {
            return i;
        }
        previous_is_space = c.is_whitespace();
    }
    line.len()
}

fn problem(span: Span, message: String) -> Fact {
    problem_of(span, ProblemKind::Parse, message)
}

fn problem_of(span: Span, kind: ProblemKind, message: String) -> Fact {
    Fact::Problem(Problem {
        origin: Origin::new(span, None, FIELD),
        kind,
        message,
    })
}

/// How many levels of `-r`/`-c` are followed below the file being checked; deeper
/// includes are reported as skipped. Real projects nest two or three levels; the
/// limit only stops runaway chains (pip itself recurses until Python gives up).
pub const MAX_INCLUDE_DEPTH: usize = 10;

/// The facts of one file reached while following includes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileFacts {
    pub path: PathBuf,
    pub facts: Vec<Fact>,
}

/// Reads a requirements file and every file it includes with `-r`/`-c`, resolved
/// relative to the including file, through `load` (so tests need no disk). Returns
/// one entry per file read, the first for `path` itself; each file is read once per
/// mode (requirements or constraints). Packages of constraints files have
/// `from_constraints` set; as in pip, `-r` inside a constraints file reads
/// requirements again. A missing include is an `IncludeNotFound` problem at the
/// include; a cycle is a `Parse` problem (pip would recurse forever); an include
/// beyond [`MAX_INCLUDE_DEPTH`], behind a variable or a URL is `Skipped`.
pub fn read_with_includes(
    path: &Path,
    text: &str,
    load: &dyn Fn(&Path) -> io::Result<String>,
) -> Vec<FileFacts> {
    let mut out = Vec::new();
    let mut chain = vec![normalize(path)];
    let mut seen = HashSet::new();
    seen.insert((normalize(path), false));
    visit(text, false, &mut chain, &mut seen, load, &mut out);
    out
}

fn visit(
    text: &str,
    constraints: bool,
    chain: &mut Vec<PathBuf>,
    seen: &mut HashSet<(PathBuf, bool)>,
    load: &dyn Fn(&Path) -> io::Result<String>,
    out: &mut Vec<FileFacts>,
) {
    let path = chain.last().cloned().unwrap_or_default();
    let index = out.len();
    out.push(FileFacts {
        path: path.clone(),
        facts: Vec::new(),
    });
    let mut facts = read(text);
    let mut problems = Vec::new();
    for fact in &mut facts {
        match fact {
            Fact::Package(package) => package.from_constraints = constraints,
            Fact::Include(include) => {
                let span = include.origin.span;
                let nested = include.kind == IncludeKind::Constraints;
                let skipped = |message: String| problem_of(span, ProblemKind::Skipped, message);
                if template_marker(&include.path).is_some() {
                    problems.push(skipped(format!(
                        "`{}` is named through a variable; it was not checked",
                        include.path
                    )));
                    continue;
                }
                if include.path.contains("://") {
                    problems.push(skipped(format!(
                        "remote file `{}` not fetched",
                        include.path
                    )));
                    continue;
                }
                let parent = path.parent().unwrap_or(Path::new(""));
                let target = normalize(&parent.join(&include.path));
                if let Some(pos) = chain.iter().position(|p| *p == target) {
                    let cycle: Vec<String> = chain[pos..]
                        .iter()
                        .chain(std::iter::once(&target))
                        .map(|p| p.display().to_string())
                        .collect();
                    problems.push(problem(
                        span,
                        format!(
                            "include cycle: {} (pip would never finish)",
                            cycle.join(" → ")
                        ),
                    ));
                    continue;
                }
                if chain.len() > MAX_INCLUDE_DEPTH {
                    problems.push(skipped(format!(
                        "`{}` is more than {MAX_INCLUDE_DEPTH} includes deep; it was not checked",
                        include.path
                    )));
                    continue;
                }
                if !seen.insert((target.clone(), nested)) {
                    continue;
                }
                match load(&target) {
                    Ok(included) => {
                        chain.push(target);
                        visit(&included, nested, chain, seen, load, out);
                        chain.pop();
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        problems.push(problem_of(
                            span,
                            ProblemKind::IncludeNotFound,
                            format!(
                                "`{}` not found (looked for {})",
                                include.path,
                                target.display()
                            ),
                        ));
                    }
                    Err(e) => problems.push(skipped(format!(
                        "`{}` could not be read: {e}",
                        include.path
                    ))),
                }
            }
            _ => {}
        }
    }
    facts.extend(problems);
    out[index].facts = facts;
}

/// `a/./b/../c` → `a/c`, without touching the disk (so symlinks are not resolved).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}
