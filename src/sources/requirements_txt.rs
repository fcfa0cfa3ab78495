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
use crate::facts::{Fact, IncludeBase, Origin, Problem, ProblemKind};
use crate::span::Span;

/// The `Origin::field` of facts read from a requirements file.
const FIELD: &str = "requirements file";

/// Reads a requirements file's text into facts: packages, `-r`/`-c` includes, index
/// options, and a `Parse` problem for each line pip would reject (the rest is still
/// read). Includes are facts here; the engine follows them (`workspace`).
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
            option_facts.extend(option_fact(
                name,
                value,
                &value_map,
                FIELD,
                IncludeBase::Includer,
            ));
        }
    }

    let requirement = line[..options_start].trim_end();
    if !requirement.is_empty() {
        let requirement_map = line_map.clone();
        match parse_requirement(requirement) {
            Ok(req) => {
                let mut fact = req.into_fact(&requirement_map, FIELD);
                fact.hashes = hashes;
                fact.hashable = true;
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
    Fact::Problem(Problem {
        origin: Origin::new(span, None, FIELD),
        kind: ProblemKind::Parse,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::requirement::{PackageFact, Spec, UrlKind};
    use crate::facts::{IndexOption, ProblemKind};

    fn packages(text: &str) -> Vec<PackageFact> {
        read(text)
            .into_iter()
            .filter_map(|f| match f {
                Fact::Package(p) => Some(p),
                Fact::Problem(p) => panic!("problem in {text:?}: {}", p.message),
                _ => None,
            })
            .collect()
    }

    fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    /// One line of a requirements file: the requirement's span text, name span text,
    /// normalised name, specifier span text, text before `pin_at`, and spec.
    struct Line {
        line: &'static str,
        span: &'static str,
        name: Option<(&'static str, &'static str)>,
        specifier: Option<&'static str>,
        before_pin: Option<&'static str>,
        spec: Spec,
    }

    #[test]
    fn requirement_lines() {
        let sha = "d4ed67bf663e4066517f00397412510d90043653";
        let vcs = "git+https://github.com/flairNLP/flair.git@d4ed67bf663e4066517f00397412510d90043653#egg=flair";
        assert!(vcs.contains(sha));
        let lines = [
            Line {
                line: "pandas",
                span: "pandas",
                name: Some(("pandas", "pandas")),
                specifier: None,
                before_pin: Some("pandas"),
                spec: Spec::None,
            },
            Line {
                line: "  Flask  # comment",
                span: "Flask",
                name: Some(("Flask", "flask")),
                specifier: None,
                before_pin: Some("  Flask"),
                spec: Spec::None,
            },
            Line {
                line: "scikit-learn~=1.3.0",
                span: "scikit-learn~=1.3.0",
                name: Some(("scikit-learn", "scikit-learn")),
                specifier: Some("~=1.3.0"),
                before_pin: Some("scikit-learn"),
                spec: Spec::Range("~=1.3.0".into()),
            },
            Line {
                line: "chardet>=3.0.2, <4.0 # inline comment",
                span: "chardet>=3.0.2, <4.0",
                name: Some(("chardet", "chardet")),
                specifier: Some(">=3.0.2, <4.0"),
                before_pin: Some("chardet"),
                spec: Spec::Range(">=3.0.2, <4.0".into()),
            },
            Line {
                line: "memray~=1.12; sys_platform != 'win32'",
                span: "memray~=1.12; sys_platform != 'win32'",
                name: Some(("memray", "memray")),
                specifier: Some("~=1.12"),
                before_pin: Some("memray"),
                spec: Spec::Range("~=1.12".into()),
            },
            Line {
                line: "uvicorn[standard]==0.38.0",
                span: "uvicorn[standard]==0.38.0",
                name: Some(("uvicorn", "uvicorn")),
                specifier: Some("==0.38.0"),
                before_pin: Some("uvicorn[standard]"),
                spec: Spec::Exact("0.38.0".into()),
            },
            Line {
                line: "mlrun[complete] ; python_version >= '3.9'",
                span: "mlrun[complete] ; python_version >= '3.9'",
                name: Some(("mlrun", "mlrun")),
                specifier: None,
                before_pin: Some("mlrun[complete]"),
                spec: Spec::None,
            },
            Line {
                line: "Django (>=3.2)",
                span: "Django (>=3.2)",
                name: Some(("Django", "django")),
                specifier: Some("(>=3.2)"),
                before_pin: Some("Django"),
                spec: Spec::Range("(>=3.2)".into()),
            },
            Line {
                line: "numpy==1.26.*",
                span: "numpy==1.26.*",
                name: Some(("numpy", "numpy")),
                specifier: Some("==1.26.*"),
                before_pin: Some("numpy"),
                spec: Spec::Range("==1.26.*".into()),
            },
            Line {
                line: "torch===2.1.0+cu118",
                span: "torch===2.1.0+cu118",
                name: Some(("torch", "torch")),
                specifier: Some("===2.1.0+cu118"),
                before_pin: Some("torch"),
                spec: Spec::Exact("2.1.0+cu118".into()),
            },
            Line {
                line: "pkg==${PKG_VERSION}",
                span: "pkg==${PKG_VERSION}",
                name: Some(("pkg", "pkg")),
                specifier: Some("==${PKG_VERSION}"),
                before_pin: Some("pkg"),
                spec: Spec::Unverifiable("==${PKG_VERSION}".into()),
            },
            Line {
                line: "pyhive @ git+https://github.com/v3io/PyHive.git@v0.6.999",
                span: "pyhive @ git+https://github.com/v3io/PyHive.git@v0.6.999",
                name: Some(("pyhive", "pyhive")),
                specifier: None,
                before_pin: None,
                spec: Spec::Url {
                    url: "git+https://github.com/v3io/PyHive.git@v0.6.999".into(),
                    kind: UrlKind::Vcs,
                    pinned: false,
                },
            },
            Line {
                line: vcs,
                span: vcs,
                name: Some(("flair", "flair")),
                specifier: None,
                before_pin: None,
                spec: Spec::Url {
                    url: vcs.into(),
                    kind: UrlKind::Vcs,
                    pinned: true,
                },
            },
            Line {
                line: "git+https://github.com/mlrun/genai-factory.git  # main",
                span: "git+https://github.com/mlrun/genai-factory.git",
                name: Some(("genai-factory", "genai-factory")),
                specifier: None,
                before_pin: None,
                spec: Spec::Url {
                    url: "git+https://github.com/mlrun/genai-factory.git".into(),
                    kind: UrlKind::Vcs,
                    pinned: false,
                },
            },
            Line {
                line: "./local/pkg",
                span: "./local/pkg",
                name: None,
                specifier: None,
                before_pin: None,
                spec: Spec::Local("./local/pkg".into()),
            },
            Line {
                line: ".",
                span: ".",
                name: None,
                specifier: None,
                before_pin: None,
                spec: Spec::Local(".".into()),
            },
        ];
        for case in lines {
            let text = case.line;
            let found = packages(text);
            assert_eq!(found.len(), 1, "{text}");
            let p = &found[0];
            assert_eq!(at(text, p.origin.span), case.span, "{text}");
            assert_eq!(p.origin.edit_span, Some(p.origin.span), "{text}");
            assert_eq!(
                p.name
                    .as_ref()
                    .map(|n| (at(text, n.span), n.normalized.as_str())),
                case.name,
                "{text}"
            );
            assert_eq!(p.specifier.map(|s| at(text, s)), case.specifier, "{text}");
            assert_eq!(
                p.pin_at.map(|s| &text[..s.start]),
                case.before_pin,
                "{text}"
            );
            assert_eq!(p.spec, case.spec, "{text}");
            assert!(
                !p.editable && !p.from_constraints && p.hashes.is_empty(),
                "{text}"
            );
        }
    }

    #[test]
    fn continuations_and_hashes_map_to_file_bytes() {
        let text = "xgboost==2.0.3 \\\n    --hash=sha256:aaa \\\n    --hash sha256:bbb\nrequests\\\n[security]\\\n==2.31.0 # c\n";
        let found = packages(text);
        assert_eq!(found.len(), 2);
        let xgb = &found[0];
        assert_eq!(at(text, xgb.origin.span), "xgboost==2.0.3");
        assert_eq!(xgb.hashes, ["sha256:aaa", "sha256:bbb"]);
        assert_eq!(xgb.spec, Spec::Exact("2.0.3".into()));
        let req = &found[1];
        assert_eq!(
            at(text, req.origin.span),
            "requests\\\n[security]\\\n==2.31.0"
        );
        assert_eq!(
            req.origin.edit_span, None,
            "the bytes are not the requirement's text"
        );
        assert_eq!(at(text, req.name.as_ref().unwrap().span), "requests");
        assert_eq!(at(text, req.specifier.unwrap()), "==2.31.0");
        assert_eq!(
            &text[..req.pin_at.unwrap().start],
            &text[..text.find("\\\n==").unwrap()]
        );
        // A comment line ends a continuation; a backslash before a comment is kept.
        let text = "a==1 \\\n# comment \\\nb==2\n";
        let names: Vec<_> = packages(text)
            .iter()
            .map(|p| at(text, p.origin.span).to_string())
            .collect();
        assert_eq!(names, ["a==1", "b==2"]);
        // A file ending on a continuation still yields its last line.
        assert_eq!(packages("c==3 \\").len(), 1);
    }

    #[test]
    fn crlf_bom_blank_lines_and_comments() {
        let text =
            "\u{feff}pandas==2.1.4\r\n\r\n   \r\n# numpy\r\n  #pandas==2.1.4\r\nscipy\t# x\r\n";
        let found = packages(text);
        let spans: Vec<_> = found.iter().map(|p| at(text, p.origin.span)).collect();
        assert_eq!(spans, ["pandas==2.1.4", "scipy"]);
        assert_eq!(found[0].origin.span.start, 3);
        // `#` not after whitespace is part of the text: a URL fragment, or an error.
        let text = "https://x.org/a-1.0.tar.gz#sha256=abc\n";
        assert_eq!(
            at(text, packages(text)[0].origin.span),
            "https://x.org/a-1.0.tar.gz#sha256=abc"
        );
    }

    #[test]
    fn option_lines() {
        let text = "-r base.txt\n-rother.txt\n--requirement=third.txt\n-c constraints.txt\n--constraint \"with space.txt\"\n\
                    -i http://pypi.local/simple\n--extra-index-url https://x/simple --trusted-host pypi.local\n\
                    -f ./wheels\n--find-links=http://w\n--pre\n--no-binary :all:\n--only-binary=:none:\n--prefer-binary\n\
                    --require-hashes\n--no-index\n--index https://abbrev/simple\n\
                    -e git+https://github.com/a/b.git#egg=b\n--editable=.\n-e ./lib[dev]\n";
        let facts = read(text);
        let mut includes = Vec::new();
        let mut indexes = Vec::new();
        let mut editables = Vec::new();
        for fact in &facts {
            match fact {
                Fact::Include(i) => {
                    includes.push((i.kind, at(text, i.origin.span), i.path.clone()))
                }
                Fact::PackageIndex(i) => indexes.push((i.option, at(text, i.origin.span))),
                Fact::Package(p) => {
                    assert!(p.editable);
                    editables.push((
                        at(text, p.origin.span),
                        p.name.as_ref().map(|n| n.normalized.clone()),
                    ));
                }
                Fact::Problem(p) => panic!("{}", p.message),
                other => panic!("{other:?}"),
            }
        }
        use crate::facts::IncludeKind::*;
        assert_eq!(
            includes,
            [
                (Requirements, "base.txt", "base.txt".to_string()),
                (Requirements, "other.txt", "other.txt".into()),
                (Requirements, "third.txt", "third.txt".into()),
                (Constraints, "constraints.txt", "constraints.txt".into()),
                (Constraints, "with space.txt", "with space.txt".into()),
            ]
        );
        assert_eq!(
            indexes,
            [
                (IndexOption::IndexUrl, "http://pypi.local/simple"),
                (IndexOption::ExtraIndexUrl, "https://x/simple"),
                (IndexOption::TrustedHost, "pypi.local"),
                (IndexOption::FindLinks, "./wheels"),
                (IndexOption::FindLinks, "http://w"),
                (IndexOption::IndexUrl, "https://abbrev/simple"),
            ]
        );
        assert_eq!(
            editables,
            [
                (
                    "git+https://github.com/a/b.git#egg=b",
                    Some("b".to_string())
                ),
                (".", None),
                ("./lib[dev]", None),
            ]
        );
    }

    #[test]
    fn malformed_lines_are_problems_and_reading_goes_on() {
        let text =
            "good==1\npandas>=\n--bogus-option x\n-r\n--no x\nrequests[security\nalso-good\n";
        let facts = read(text);
        let problems: Vec<_> = facts
            .iter()
            .filter_map(|f| match f {
                Fact::Problem(p) => Some((p.kind, at(text, p.origin.span), p.message.clone())),
                _ => None,
            })
            .collect();
        let spans: Vec<_> = problems.iter().map(|p| p.1).collect();
        assert_eq!(
            spans,
            [
                "pandas>=",
                "--bogus-option",
                "-r",
                "--no",
                "requests[security"
            ]
        );
        assert!(problems.iter().all(|p| p.0 == ProblemKind::Parse));
        assert!(problems[1].2.contains("no such option"));
        assert!(problems[3].2.contains("ambiguous"), "{}", problems[3].2);
        let good = facts
            .iter()
            .filter(|f| matches!(f, Fact::Package(_)))
            .count();
        assert_eq!(good, 2);
    }

    #[test]
    fn never_panics() {
        let mut inputs: Vec<String> = [
            "\\",
            "\\\\\n\\",
            "#",
            "-",
            "--",
            "-r",
            "-e",
            "\u{feff}",
            "\r",
            "\r\n\r\n",
            "a==1 --hash",
            "a \\\r\n",
            "é",
            "a==1 -",
            "x @",
            "x[",
            "'",
            "-i '",
            "https://",
            "git+",
            ";",
            "a;",
            "(((",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        inputs.push("a".repeat(1 << 20));
        inputs.push("a==1 \\\n".repeat(20_000));
        inputs.push(format!("a ; {}", "(".repeat(100_000)));
        inputs.push((0u8..=255).map(char::from).collect());
        for input in &inputs {
            let _ = read(input);
        }
    }

    #[test]
    fn corpus_requirements_files() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        if !root.is_dir() {
            eprintln!("corpus not found at {}; skipped", root.display());
            return;
        }
        let mut stack = vec![root];
        let mut files = 0;
        let mut packages = 0;
        let mut problems = Vec::new();
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
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default();
                if !(name.ends_with(".txt") && name.contains("requirements")) {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                files += 1;
                for fact in read(&text) {
                    match fact {
                        Fact::Package(p) => {
                            packages += 1;
                            assert!(text.get(p.origin.span.start..p.origin.span.end).is_some());
                        }
                        Fact::Problem(p) => problems.push(format!(
                            "{}: {:?}: {}",
                            path.display(),
                            at(&text, p.origin.span),
                            p.message
                        )),
                        _ => {}
                    }
                }
            }
        }
        eprintln!("corpus: {files} files, {packages} packages, problems: {problems:#?}");
        assert!(files > 50, "only {files} requirements files found");
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
