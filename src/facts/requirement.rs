//! Package requirements (PEP 508 lines, pip arguments) as facts.
//!
//! One grammar serves every source: a requirements-file line, a `pip install` argument
//! and a `requirements=[...]` list item are all "what pip would read as one
//! requirement". [`parse_requirement`] reads that text the way pip does (a URL, a
//! local path, `name @ url`, or `name[extras] specifiers ; marker`), validating the
//! PEP 508 parts with `pep508_rs`, and finds the byte spans itself because
//! `pep508_rs` keeps none and prints a normalised form. Readers then map those spans
//! into their file with a [`SpanMap`], because the text pip reads is rarely the bytes
//! in the file: continuation lines are joined, shell quotes removed.
//!
//! The fact is format-free and judges nothing: [`Spec`] says what kind of version
//! constraint was written, and the rules decide what is unpinned.

use super::{template_marker, Origin};
use crate::span::Span;
use pep508_rs::pep440_rs::Operator;
use pep508_rs::{Requirement, VersionOrUrl};
use std::str::FromStr;

/// The PEP 503 name of the MLRun client package, whose version decides the tag of
/// every untagged MLRun image.
pub const MLRUN_PACKAGE: &str = "mlrun";

/// A package requirement found in any source.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PackageFact {
    /// `span` covers the whole requirement as written (URL and marker included);
    /// `edit_span` is the same bytes when they are exactly the requirement's text
    /// (not broken by a continuation or a shell quote).
    pub origin: Origin,
    /// The package the requirement names, when it names one: a local path or a URL
    /// with no `#egg=` and no recognisable file or repository name names none.
    pub name: Option<PackageName>,
    /// Extras as written (`security` in `requests[security]`).
    pub extras: Vec<String>,
    /// Where `==VERSION` would be inserted: right after the name and extras, before
    /// any marker. Only for `name[extras] specifiers` requirements (not URLs or paths).
    pub pin_at: Option<Span>,
    /// The version specifier as written (`>=1.0, <2`, or `(>=1.0)` in the legacy
    /// parenthesised form), when there is one; a fix replaces these bytes.
    pub specifier: Option<Span>,
    /// The environment marker as written, after `;`.
    pub marker: Option<String>,
    /// What kind of version constraint the requirement has.
    pub spec: Spec,
    /// Installed with `-e`/`--editable`.
    pub editable: bool,
    /// `--hash=algo:hex` options given for this requirement, as written after `=`.
    pub hashes: Vec<String>,
    /// Read from a constraints file (`-c`): it constrains versions but installs nothing.
    pub from_constraints: bool,
    /// A line of a requirements file, where pip can check `--hash` options
    /// (build lists and command lines cannot carry them).
    pub hashable: bool,
    /// An unquoted `>`/`<` that the shell took as a redirection right after this
    /// `pip install` argument: `pip install tensorflow>=2.1` installs `tensorflow` with
    /// no version and writes pip's output to a file named `=2.1`. The span covers the
    /// operator and its target, so a rule can explain the surprise.
    pub shell_redirect: Option<Span>,
    /// Installed into a running notebook kernel (`%pip`, `!pip`), each time the
    /// cell runs, rather than into an image by a build. nuclio-jupyter drops such
    /// lines from the function it exports.
    pub kernel: bool,
}

/// A package name as written, and its PEP 503 normalised form (for comparing).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PackageName {
    pub written: String,
    pub normalized: String,
    pub span: Span,
}

/// The version constraint of a requirement, as a rule needs to judge it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Spec {
    /// No specifier at all (`pandas`, `pandas ; python_version < "3.8"`).
    None,
    /// Admits exactly one release: `==V` (without `*`) or `===V`, alone or combined with
    /// other clauses. Holds the version as written.
    Exact(String),
    /// Admits more than one release: `>=`, `~=`, `<`, `!=`, `==1.*` and their
    /// combinations. Holds the specifier as written.
    Range(String),
    /// A remote URL (`name @ url` or a bare URL).
    Url {
        url: String,
        kind: UrlKind,
        /// A VCS URL whose revision is a full commit hash (40 or 64 hex digits), or an
        /// archive URL with a `#sha256=` fragment of 64 hex digits.
        pinned: bool,
    },
    /// A path or `file:` URL on the machine that installs (`.`, `./pkg`,
    /// `dist/x-1.0-py3-none-any.whl`, `-e .`): not an index package.
    Local(String),
    /// The version (or the name) comes from a variable (`==${VERSION}`, `==$V`), so
    /// nothing can be judged from the text. Holds the text as written.
    Unverifiable(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum UrlKind {
    /// `git+`, `hg+`, `svn+`, `bzr+` (and `git://`) URLs: pinned only by a commit hash.
    Vcs,
    /// Any other URL (a wheel or sdist download): pinned only by a content hash.
    Archive,
}

/// A `-r`/`-c` reference to another requirements file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IncludeFact {
    /// `span` covers the path as written.
    pub origin: Origin,
    pub kind: IncludeKind,
    /// The path as written.
    pub path: String,
    /// What a relative path is relative to.
    pub base: IncludeBase,
}

/// Where a relative include path starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IncludeBase {
    /// The folder of the file that names it (`-r` in a requirements file, a
    /// project entry's `requirements_file`).
    Includer,
    /// The working directory of a command (`pip install -r x.txt` in a build or a
    /// Dockerfile `RUN`): the build context, which is usually the project's folder
    /// or one above the spec, so the includer's folder and its parents are searched.
    WorkingDirectory,
    /// The working directory of the process that runs an SDK call
    /// (`set_function(requirements_file=…)`): MLRun reads the file on the client,
    /// before anything is built; usually the project's folder, searched the same way.
    ClientWorkingDirectory,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IncludeKind {
    /// `-r`/`--requirement`: the file's requirements are installed.
    Requirements,
    /// `-c`/`--constraint`: the file only constrains versions (pins count as pins).
    Constraints,
}

/// A pip option that says where packages come from (judged by MLR208).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IndexFact {
    /// `span` covers the option's value as written.
    pub origin: Origin,
    pub option: IndexOption,
    /// The URL, path or host as written.
    pub value: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IndexOption {
    /// `-i`/`--index-url` (and uv's `--default-index`).
    IndexUrl,
    /// `--extra-index-url` (and uv's `--index`).
    ExtraIndexUrl,
    /// `-f`/`--find-links`.
    FindLinks,
    /// `--trusted-host` (and uv's `--allow-insecure-host`): TLS is not checked for it.
    TrustedHost,
}

/// A requirement read from a piece of text, with spans relative to that text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedRequirement {
    /// The requirement without surrounding whitespace.
    pub span: Span,
    pub name: Option<(String, Span)>,
    pub extras: Vec<String>,
    pub pin_at: Option<usize>,
    pub specifier: Option<Span>,
    pub marker: Option<String>,
    pub spec: Spec,
}

impl ParsedRequirement {
    /// The fact for this requirement, with spans mapped into the file by `map`.
    pub fn into_fact(self, map: &SpanMap, field: &str) -> PackageFact {
        let span = map.span(self.span);
        let edit_span = map.is_contiguous(self.span).then_some(span);
        PackageFact {
            origin: Origin::new(span, edit_span, field),
            name: self.name.map(|(written, s)| PackageName {
                normalized: normalize_name(&written),
                written,
                span: map.span(s),
            }),
            extras: self.extras,
            // At a continuation, insert right after the extras, not on the next line.
            pin_at: self.pin_at.map(|at| Span::at(map.end(at))),
            specifier: self.specifier.map(|s| map.span(s)),
            marker: self.marker,
            spec: self.spec,
            editable: false,
            hashes: Vec::new(),
            from_constraints: false,
            hashable: false,
            shell_redirect: None,
            kernel: false,
        }
    }
}

impl PackageFact {
    /// The same fact with every span moved right by `offset` bytes.
    pub fn shifted(mut self, offset: usize) -> Self {
        self.origin = self.origin.shifted(offset);
        if let Some(name) = &mut self.name {
            name.span = name.span.shifted(offset);
        }
        self.pin_at = self.pin_at.map(|s| s.shifted(offset));
        self.specifier = self.specifier.map(|s| s.shifted(offset));
        self.shell_redirect = self.shell_redirect.map(|s| s.shifted(offset));
        self
    }
}

/// PEP 503 normalisation: lowercase, runs of `-`, `_`, `.` become one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// The [`Spec`] of one requirement as pip would read it, or the parse error message.
pub fn classify(text: &str) -> Result<Spec, String> {
    parse_requirement(text).map(|r| r.spec)
}

/// Markers nest with parentheses, and `pep508_rs` parses them recursively: deeper
/// nesting than any real marker could exhaust the stack, so it is refused first.
pub const MAX_PAREN_DEPTH: usize = 32;

/// Reads one requirement the way pip's `install_req_from_line` does: a URL (markers
/// after `"; "`), a local path or archive file, `name[extras] @ url`, or
/// `name[extras] specifiers ; marker` (PEP 508, validated by `pep508_rs`).
pub fn parse_requirement(text: &str) -> Result<ParsedRequirement, String> {
    let lead = text.len() - text.trim_start().len();
    let s = text.trim();
    if s.is_empty() {
        return Err("empty requirement".into());
    }
    let mut depth = 0usize;
    for b in s.bytes() {
        match b {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_PAREN_DEPTH {
            return Err("parentheses nested too deeply".into());
        }
    }
    let mut req = if has_url_scheme(s) {
        parse_bare_url(s)
    } else {
        let before_marker = s.split(';').next().unwrap_or(s);
        match before_marker.split_once('@') {
            Some((prefix, _)) if !looks_like_path(prefix) => parse_named(s),
            _ if looks_like_path(strip_extras(before_marker.trim()).0)
                || is_archive(before_marker.trim()) =>
            {
                Ok(parse_local(s))
            }
            _ => parse_named(s),
        }
    }?;
    req.span = Span::new(lead, lead + s.len());
    req.name = req.name.map(|(n, sp)| (n, sp.shifted(lead)));
    req.pin_at = req.pin_at.map(|at| at + lead);
    req.specifier = req.specifier.map(|sp| sp.shifted(lead));
    Ok(req)
}

/// `scheme:` at the start, as pip's `is_url` checks (a Windows drive letter is a path).
fn has_url_scheme(s: &str) -> bool {
    let Some(colon) = s.find(':') else {
        return false;
    };
    let scheme = &s[..colon];
    scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// pip's `_looks_like_path`: a separator, or a leading `.` (also `~`, expanded by pip).
fn looks_like_path(s: &str) -> bool {
    let s = s.trim();
    s.contains('/') || s.contains('\\') || s.starts_with('.') || s.starts_with('~')
}

const ARCHIVE_EXTENSIONS: &[&str] = &[
    ".whl",
    ".tar.gz",
    ".tgz",
    ".tar",
    ".zip",
    ".tar.bz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
];

fn is_archive(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    ARCHIVE_EXTENSIONS.iter().any(|ext| lower.ends_with(ext))
}

/// Splits a trailing `[extras]` off a path (`.[dev]`), as pip's `_strip_extras`.
fn strip_extras(s: &str) -> (&str, Option<&str>) {
    if s.ends_with(']') {
        if let Some(open) = s.rfind('[') {
            return (&s[..open], Some(&s[open + 1..s.len() - 1]));
        }
    }
    (s, None)
}

fn split_extras_list(extras: &str) -> Vec<String> {
    extras
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(String::from)
        .collect()
}

/// A marker after `sep`, trimmed, and the text before it.
fn split_marker<'a>(s: &'a str, seps: &[&str]) -> (&'a str, Option<String>) {
    let cut = seps.iter().filter_map(|sep| s.find(sep)).min();
    match cut {
        Some(at) => (&s[..at], Some(s[at + 1..].trim().to_string())),
        None => (s, None),
    }
}

fn parse_bare_url(s: &str) -> Result<ParsedRequirement, String> {
    // pip only splits a marker off a URL at "; " since `;` may appear in URLs.
    let (url, marker) = split_marker(s, &["; ", ";\t"]);
    let url = url.trim_end();
    if let Some(marker) = &marker {
        validate_marker(marker)?;
    }
    let name = url_name(url);
    Ok(ParsedRequirement {
        span: Span::default(),
        name,
        extras: Vec::new(),
        pin_at: None,
        specifier: None,
        marker,
        spec: classify_url(url),
    })
}

fn parse_local(s: &str) -> ParsedRequirement {
    let (path, marker) = split_marker(s, &[";"]);
    let path = path.trim_end();
    let (bare, extras) = strip_extras(path);
    ParsedRequirement {
        span: Span::default(),
        name: egg_name(bare),
        extras: extras.map(split_extras_list).unwrap_or_default(),
        pin_at: None,
        specifier: None,
        marker,
        spec: Spec::Local(path.to_string()),
    }
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')
}

fn skip_ws(s: &str, mut i: usize) -> usize {
    let bytes = s.as_bytes();
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    i
}

/// `name[extras] @ url ; marker` or `name[extras] specifiers ; marker`.
fn parse_named(s: &str) -> Result<ParsedRequirement, String> {
    let bytes = s.as_bytes();
    let name_end = bytes
        .iter()
        .position(|&b| !is_name_byte(b))
        .unwrap_or(s.len());
    if name_end == 0 && template_marker(s).is_some() {
        return Ok(unverifiable(s, None));
    }
    let name = (s[..name_end].to_string(), Span::new(0, name_end));
    let mut i = skip_ws(s, name_end);
    let mut extras = Vec::new();
    let mut extras_end = name_end;
    if bytes.get(i) == Some(&b'[') {
        let close = s[i..]
            .find(']')
            .map(|c| i + c)
            .ok_or_else(|| "missing closing bracket for extras".to_string())?;
        extras = split_extras_list(&s[i + 1..close]);
        extras_end = close + 1;
        i = skip_ws(s, extras_end);
    }
    if bytes.get(i) == Some(&b'@') {
        return parse_named_url(s, name, extras, extras_end, i + 1);
    }
    let (spec_end, marker) = match s[i..].find(';') {
        Some(semi) => (i + semi, Some(s[i + semi + 1..].trim().to_string())),
        None => (s.len(), None),
    };
    let spec_text = s[i..spec_end].trim_end();
    let specifier = (!spec_text.is_empty()).then(|| Span::new(i, i + spec_text.len()));
    if template_marker(spec_text).is_some() || template_marker(&name.0).is_some() {
        // The version is only known where the command runs; the rest must still parse.
        let mut rest = s[..extras_end].to_string();
        if let Some(marker) = &marker {
            rest.push_str(" ; ");
            rest.push_str(marker);
        }
        if template_marker(&name.0).is_none() {
            pep508(&rest)?;
        }
        let mut req = unverifiable(spec_text, Some(name));
        req.extras = extras;
        req.pin_at = Some(extras_end);
        req.specifier = specifier;
        req.marker = marker;
        return Ok(req);
    }
    // `pkg 0.3.8`: a version with no operator, which pip refuses as a whole line;
    // what was meant is clear enough to say.
    if spec_text.starts_with(|c: char| c.is_ascii_digit())
        && !spec_text.contains(char::is_whitespace)
    {
        return Err(format!(
            "`{spec_text}` is a version with no operator (pip refuses the line): write \
             `{}=={spec_text}` to pin it",
            name.0
        ));
    }
    // packaging, and so pip, accepts one trailing comma in a specifier
    // (`pkg>=1.0,`); pep508_rs does not, so the text is validated without it.
    let parsed = match trailing_comma(spec_text) {
        Some(at) => pep508(&format!("{}{}", &s[..i + at], &s[i + at + 1..]))?,
        None => pep508(s)?,
    };
    let spec = match parsed.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(specifiers)) if !specifiers.is_empty() => {
            let exact = specifiers
                .iter()
                .any(|v| matches!(v.operator(), Operator::Equal | Operator::ExactEqual));
            if exact {
                Spec::Exact(exact_version(spec_text))
            } else {
                Spec::Range(spec_text.to_string())
            }
        }
        _ => Spec::None,
    };
    Ok(ParsedRequirement {
        span: Span::default(),
        name: Some(name),
        extras,
        pin_at: Some(extras_end),
        specifier,
        marker,
        spec,
    })
}

/// The offset of a specifier's trailing comma after a clause (`>=1.0,`,
/// `(>=1.0,)`), if it has one; a comma with no clause before it (`pkg,`) is no
/// trailing comma, and stays an error.
fn trailing_comma(spec_text: &str) -> Option<usize> {
    let body = spec_text.trim_end();
    let body = body.strip_suffix(')').map_or(body, str::trim_end);
    let clauses = body.strip_suffix(',')?;
    let clause = clauses.trim_start_matches(['(', ' ', '\t']).trim_end();
    (!clause.is_empty() && !clause.ends_with(',')).then_some(clauses.len())
}

/// The version of the first `==V`/`===V` clause, as written.
fn exact_version(spec_text: &str) -> String {
    let inner = spec_text
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')');
    inner
        .split(',')
        .map(str::trim)
        .find_map(|clause| {
            let version = clause
                .strip_prefix("===")
                .or_else(|| clause.strip_prefix("=="))?
                .trim();
            (!version.ends_with(".*")).then(|| version.to_string())
        })
        .unwrap_or_default()
}

fn unverifiable(text: &str, name: Option<(String, Span)>) -> ParsedRequirement {
    ParsedRequirement {
        span: Span::default(),
        name,
        extras: Vec::new(),
        pin_at: None,
        specifier: None,
        marker: None,
        spec: Spec::Unverifiable(text.to_string()),
    }
}

fn parse_named_url(
    s: &str,
    name: (String, Span),
    extras: Vec<String>,
    extras_end: usize,
    after_at: usize,
) -> Result<ParsedRequirement, String> {
    let url_start = skip_ws(s, after_at);
    let url_end = s[url_start..]
        .find(char::is_whitespace)
        .map_or(s.len(), |w| url_start + w);
    let url = &s[url_start..url_end];
    if url.is_empty() {
        return Err("expected a URL after `@`".into());
    }
    let rest = s[url_end..].trim();
    let marker = if rest.is_empty() {
        None
    } else if let Some(marker) = rest.strip_prefix(';') {
        Some(marker.trim().to_string())
    } else {
        return Err(format!(
            "expected `;` or end of requirement after the URL, found `{rest}`"
        ));
    };
    let mut validate = s[..extras_end].to_string();
    if let Some(marker) = &marker {
        validate.push_str(" ; ");
        validate.push_str(marker);
    }
    if template_marker(&name.0).is_none() {
        pep508(&validate)?;
    }
    let spec = if has_url_scheme(url) && !url.to_ascii_lowercase().starts_with("file:") {
        classify_url(url)
    } else {
        Spec::Local(url.to_string())
    };
    Ok(ParsedRequirement {
        span: Span::default(),
        name: Some(name),
        extras,
        pin_at: None,
        specifier: None,
        marker,
        spec,
    })
}

fn pep508(text: &str) -> Result<Requirement, String> {
    refuse_what_pep508_rs_panics_on(text)?;
    Requirement::from_str(text).map_err(|e| e.message.to_string())
}

/// pep508_rs 0.9 panics on three kinds of malformed text, all found by fuzzing,
/// which are refused here first with messages in its own style:
///
/// - a package name followed by more text, or an extra name, that ends in `.`,
///   `-` or `_` (`scikit-=learn`, `pkg[security-]`): an `expect` on the name;
/// - a non-ASCII character in an environment marker (after `;`): the marker
///   parser slices the word after an expression by its count of characters as
///   if it were bytes. Markers compare ASCII platform names and versions, so
///   such a marker is refused whole.
fn refuse_what_pep508_rs_panics_on(text: &str) -> Result<(), String> {
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    let ends_badly = |name: &str| {
        name.starts_with(|c: char| c.is_ascii_alphanumeric()) && name.ends_with(['.', '-', '_'])
    };
    let name = text.trim_start();
    let name_end = name.find(|c: char| !is_name_char(c)).unwrap_or(name.len());
    let (package, rest) = name.split_at(name_end);
    if !rest.is_empty() && ends_badly(package) {
        return Err(format!(
            "Package name must end with an alphanumeric character, not '{}'",
            &package[package.len() - 1..]
        ));
    }
    if let Some(extras) = rest.trim_start().strip_prefix('[') {
        let extras = extras.split(']').next().unwrap_or_default();
        for extra in extras.split(',').map(str::trim_start) {
            // pep508_rs reads an extra up to the first character not in a name;
            // the name is checked when that character is a space or the end.
            let end = extra
                .find(|c: char| !is_name_char(c))
                .unwrap_or(extra.len());
            let followed_well = extra[end..].chars().next().is_none_or(char::is_whitespace);
            if followed_well && ends_badly(&extra[..end]) {
                return Err(format!(
                    "Extra name must end with an alphanumeric character, not '{}'",
                    &extra[end - 1..end]
                ));
            }
        }
    }
    if let Some(c) = text
        .split_once(';')
        .and_then(|(_, marker)| marker.chars().find(|c| !c.is_ascii()))
    {
        return Err(format!("Invalid character in marker: `{c}`"));
    }
    Ok(())
}

fn validate_marker(marker: &str) -> Result<(), String> {
    pep508(&format!("x ; {marker}")).map(|_| ())
}

const VCS_PREFIXES: &[&str] = &["git+", "hg+", "svn+", "bzr+", "git://"];

/// Whether a URL is a VCS or archive URL, and whether its text alone pins it.
fn classify_url(url: &str) -> Spec {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("file:") {
        return Spec::Local(url.to_string());
    }
    let (without_fragment, fragment) = url.split_once('#').unwrap_or((url, ""));
    if VCS_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        let revision = vcs_revision(without_fragment);
        if revision.is_some_and(|r| template_marker(r).is_some()) {
            return Spec::Unverifiable(url.to_string());
        }
        let pinned = revision.is_some_and(is_full_hash);
        return Spec::Url {
            url: url.to_string(),
            kind: UrlKind::Vcs,
            pinned,
        };
    }
    let pinned = fragment.split('&').any(|param| {
        param
            .strip_prefix("sha256=")
            .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    });
    Spec::Url {
        url: url.to_string(),
        kind: UrlKind::Archive,
        pinned,
    }
}

/// The `@revision` of a VCS URL (after the host, so `user@host` is not one).
fn vcs_revision(url: &str) -> Option<&str> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path_start = after_scheme.find('/')?;
    let path = &after_scheme[path_start..];
    let (_, revision) = path.rsplit_once('@')?;
    Some(revision)
}

fn is_full_hash(revision: &str) -> bool {
    matches!(revision.len(), 40 | 64) && revision.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `#egg=name` in a URL or path.
fn egg_name(text: &str) -> Option<(String, Span)> {
    let hash = text.find('#')?;
    let mut offset = hash + 1;
    for param in text[hash + 1..].split('&') {
        if let Some(name) = param.strip_prefix("egg=") {
            let start = offset + 4;
            return (!name.is_empty())
                .then(|| (name.to_string(), Span::new(start, start + name.len())));
        }
        offset += param.len() + 1;
    }
    None
}

/// The package a URL names: `#egg=`, else the repository or distribution file name.
fn url_name(url: &str) -> Option<(String, Span)> {
    if let Some(egg) = egg_name(url) {
        return Some(egg);
    }
    let end = url.find(['#', '?']).unwrap_or(url.len());
    let path = url[..end].trim_end_matches('/');
    let segment_start = path.rfind('/').map_or(0, |slash| slash + 1);
    let segment = &path[segment_start..];
    let lower = url.to_ascii_lowercase();
    let name_len = if VCS_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        let repo = segment.split('@').next().unwrap_or(segment);
        repo.strip_suffix(".git").unwrap_or(repo).len()
    } else if segment.to_ascii_lowercase().ends_with(".whl") {
        segment.find('-')?
    } else if is_archive(segment) {
        // `name-1.0.tar.gz`: the name ends at the last `-` before a digit.
        segment
            .match_indices('-')
            .filter(|(i, _)| segment[i + 1..].starts_with(|c: char| c.is_ascii_digit()))
            .map(|(i, _)| i)
            .next_back()?
    } else {
        return None;
    };
    (name_len > 0).then(|| {
        (
            segment[..name_len].to_string(),
            Span::new(segment_start, segment_start + name_len),
        )
    })
}

/// Maps offsets in a text a reader built (continuation lines joined, shell quotes
/// removed) back to offsets in the file it came from.
///
/// The text is a run of pieces; inside a piece, consecutive bytes of the text are
/// consecutive bytes of the file. Built by [`SpanMap::push`] as the text is built.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpanMap {
    /// `(text offset, file offset)` where each piece starts, by text offset.
    pieces: Vec<(usize, usize)>,
}

impl SpanMap {
    /// The identity map shifted by `file_offset`: a text that is a plain slice of the file.
    pub fn slice(file_offset: usize) -> Self {
        Self {
            pieces: vec![(0, file_offset)],
        }
    }

    /// Records that text offset `text` is file offset `file`; only a jump starts a piece.
    pub fn push(&mut self, text: usize, file: usize) {
        if let Some(&(t, f)) = self.pieces.last() {
            if t == text {
                self.pieces.pop();
            } else if f + (text - t) == file {
                return;
            }
        }
        self.pieces.push((text, file));
    }

    fn piece_for(&self, text: usize, prefer_previous: bool) -> Option<(usize, usize)> {
        let idx = self.pieces.partition_point(
            |&(t, _)| {
                if prefer_previous {
                    t < text
                } else {
                    t <= text
                }
            },
        );
        let idx = if idx == 0 { 0 } else { idx - 1 };
        self.pieces.get(idx).copied()
    }

    /// The file offset of a text offset where something starts.
    pub fn start(&self, text: usize) -> usize {
        self.piece_for(text, false)
            .map_or(text, |(t, f)| f + text.saturating_sub(t))
    }

    /// The file offset of a text offset where something ends (at a piece boundary it
    /// stays at the end of the earlier piece, not the start of the next).
    pub fn end(&self, text: usize) -> usize {
        self.piece_for(text, true)
            .map_or(text, |(t, f)| f + text.saturating_sub(t))
    }

    pub fn span(&self, span: Span) -> Span {
        if span.is_empty() {
            Span::at(self.start(span.start))
        } else {
            Span::new(self.start(span.start), self.end(span.end))
        }
    }

    /// Whether the file bytes of `span` are exactly its text (no piece boundary inside).
    pub fn is_contiguous(&self, span: Span) -> bool {
        // Pieces are sorted by text offset: only the first one after `span.start`
        // can start inside it (a scan would make many lookups quadratic).
        let after = self.pieces.partition_point(|&(t, _)| t <= span.start);
        self.pieces.get(after).is_none_or(|&(t, _)| t >= span.end)
    }

    /// This map followed by `outer` (this map's file offsets are `outer`'s text
    /// offsets), for text cut out of text that was itself built.
    pub fn then(&self, outer: &SpanMap, text_len: usize) -> SpanMap {
        let mut result = SpanMap::default();
        for (i, &(t, f)) in self.pieces.iter().enumerate() {
            let t_end = self.pieces.get(i + 1).map_or(text_len, |&(next, _)| next);
            result.push(t, outer.start(f));
            let f_end = f + (t_end - t);
            // The outer pieces starting inside this one, found by bisection: both
            // maps are sorted, so composing them stays linear in their sizes.
            let first = outer.pieces.partition_point(|&(ot, _)| ot <= f);
            for &(ot, of) in outer.pieces[first..]
                .iter()
                .take_while(|&&(ot, _)| ot < f_end)
            {
                result.push(t + (ot - f), of);
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(v: &str) -> Spec {
        Spec::Exact(v.into())
    }
    fn range(v: &str) -> Spec {
        Spec::Range(v.into())
    }
    fn url(u: &str, kind: UrlKind, pinned: bool) -> Spec {
        Spec::Url {
            url: u.into(),
            kind,
            pinned,
        }
    }

    const SHA: &str = "d4ed67bf663e4066517f00397412510d90043653";

    #[test]
    fn classification_table() {
        let vcs_pinned = format!("git+https://github.com/flairNLP/flair.git@{SHA}#egg=flair");
        let sha256 = "a".repeat(64);
        let archive_pinned = format!("https://x.org/p/pkg-1.0.tar.gz#sha256={sha256}");
        let cases: Vec<(&str, Spec)> = vec![
            ("pandas", Spec::None),
            ("pandas ; python_version < '3.8'", Spec::None),
            ("Flask  ", Spec::None),
            ("pandas==2.1.4", exact("2.1.4")),
            ("pyyaml == 6.0.1", exact("6.0.1")),
            ("torch===2.1.0+cu118", exact("2.1.0+cu118")),
            ("numpy==1.26.*", range("==1.26.*")),
            ("v3io-frames==0.8.*", range("==0.8.*")),
            ("keybert~=0.7.0", range("~=0.7.0")),
            ("pandas>=1.0,<2.0", range(">=1.0,<2.0")),
            ("chardet>=3.0.2, <4.0", range(">=3.0.2, <4.0")),
            ("protobuf<=3.20.1", range("<=3.20.1")),
            ("six!=1.0", range("!=1.0")),
            ("Django (>=3.2)", range("(>=3.2)")),
            ("pkg>=1.0,", range(">=1.0,")),
            ("pkg (>=1.0, ) ; python_version > '3'", range("(>=1.0, )")),
            ("pkg==1.0,", exact("1.0")),
            ("requests==2.31.0,!=2.30", exact("2.31.0")),
            ("memray~=1.12; sys_platform != 'win32'", range("~=1.12")),
            ("pkg==${VERSION}", Spec::Unverifiable("==${VERSION}".into())),
            ("pkg==$V", Spec::Unverifiable("==$V".into())),
            ("${PKG}==1.0", Spec::Unverifiable("${PKG}==1.0".into())),
            (
                "mlrun @ https://github.com/mlrun/mlrun/archive/v1.6.0.zip",
                url(
                    "https://github.com/mlrun/mlrun/archive/v1.6.0.zip",
                    UrlKind::Archive,
                    false,
                ),
            ),
            (
                "pyhive @ git+https://github.com/v3io/PyHive.git@v0.6.999",
                url(
                    "git+https://github.com/v3io/PyHive.git@v0.6.999",
                    UrlKind::Vcs,
                    false,
                ),
            ),
            (vcs_pinned.as_str(), url(&vcs_pinned, UrlKind::Vcs, true)),
            (
                "git+https://github.com/v3io/grafwiz",
                url("git+https://github.com/v3io/grafwiz", UrlKind::Vcs, false),
            ),
            (
                "git+https://github.com/x/y.git@d4ed67b",
                url(
                    "git+https://github.com/x/y.git@d4ed67b",
                    UrlKind::Vcs,
                    false,
                ),
            ),
            (
                "git+https://token@github.com/x/y.git",
                url("git+https://token@github.com/x/y.git", UrlKind::Vcs, false),
            ),
            (
                "git+https://github.com/x/y.git@${REV}",
                Spec::Unverifiable("git+https://github.com/x/y.git@${REV}".into()),
            ),
            (
                archive_pinned.as_str(),
                url(&archive_pinned, UrlKind::Archive, true),
            ),
            (
                "https://x.org/p/pkg-1.0.tar.gz#sha256=abc",
                url(
                    "https://x.org/p/pkg-1.0.tar.gz#sha256=abc",
                    UrlKind::Archive,
                    false,
                ),
            ),
            (".", Spec::Local(".".into())),
            ("./pkg", Spec::Local("./pkg".into())),
            (".[dev]", Spec::Local(".[dev]".into())),
            ("../lib ; python_version>'3'", Spec::Local("../lib".into())),
            ("/abs/path", Spec::Local("/abs/path".into())),
            (
                "dist/x-1.0-py3-none-any.whl",
                Spec::Local("dist/x-1.0-py3-none-any.whl".into()),
            ),
            (
                "x-1.0-py3-none-any.whl",
                Spec::Local("x-1.0-py3-none-any.whl".into()),
            ),
            ("file:///tmp/x.whl", Spec::Local("file:///tmp/x.whl".into())),
            ("pkg @ ./local", Spec::Local("./local".into())),
            (
                "pkg @ file:///tmp/pkg",
                Spec::Local("file:///tmp/pkg".into()),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(classify(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn malformed_requirements_are_errors() {
        for text in [
            "",
            "pandas>=",
            "pandas==1.0 junk",
            "pandas>=1.0,,<2",
            "pkg,",
            "pkg (,)",
            "requests[security",
            "pkg @ ",
            "pkg @ https://x/y.zip extra",
            "café==1.0",
            "pkg ; python_version <",
            // pep508_rs panics on these unless they are refused first (fuzzing).
            "scikit-=learn==1.0.2",
            "pandas- >=1.0",
            "numpy_[extra]",
            "x. ; python_version < '3'",
            "requests[security-]",
            "requests[socks, security_ ]",
            "pkg[a.",
            "pkg[extra-  x]",
            "pkg ; python_version > '3' x'éé'",
            "memray~=1.12; sys_platform != 'win3\u{feff} sys_platform != 'win3\u{feff}",
            &format!(
                "pkg ; {}python_version>'3'{}",
                "(".repeat(10_000),
                ")".repeat(10_000)
            ),
        ] {
            assert!(classify(text).is_err(), "{text:?} should not parse");
        }
    }

    /// Slices `text` at `span`.
    fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn spans_and_names() {
        struct Case {
            text: &'static str,
            name: Option<(&'static str, &'static str)>,
            specifier: Option<&'static str>,
            pin_at: Option<usize>,
            extras: &'static [&'static str],
            marker: Option<&'static str>,
        }
        let cases = [
            Case {
                text: "  requests[security,socks]==2.31.0 ; python_version >= \"3.8\" ",
                name: Some(("requests", "requests")),
                specifier: Some("==2.31.0"),
                pin_at: Some(26),
                extras: &["security", "socks"],
                marker: Some("python_version >= \"3.8\""),
            },
            Case {
                text: "Scikit_Learn ~= 1.3.0",
                name: Some(("Scikit_Learn", "scikit-learn")),
                specifier: Some("~= 1.3.0"),
                pin_at: Some(12),
                extras: &[],
                marker: None,
            },
            Case {
                text: "uvicorn [standard]",
                name: Some(("uvicorn", "uvicorn")),
                specifier: None,
                pin_at: Some(18),
                extras: &["standard"],
                marker: None,
            },
            Case {
                text: "git+https://github.com/mlrun/genai-factory.git",
                name: Some(("genai-factory", "genai-factory")),
                specifier: None,
                pin_at: None,
                extras: &[],
                marker: None,
            },
            Case {
                text: "https://huggingface.co/beki/en_spacy_pii_distilbert/resolve/main/en_spacy_pii_distilbert-any-py3-none-any.whl",
                name: Some(("en_spacy_pii_distilbert", "en-spacy-pii-distilbert")),
                specifier: None,
                pin_at: None,
                extras: &[],
                marker: None,
            },
            Case {
                text: "v3io-generator @ git+https://github.com/v3io/data-science.git#subdirectory=generator",
                name: Some(("v3io-generator", "v3io-generator")),
                specifier: None,
                pin_at: None,
                extras: &[],
                marker: None,
            },
            Case {
                text: "https://x.org/Foo.Bar-2.0.tar.gz ; python_version > '3'",
                name: Some(("Foo.Bar", "foo-bar")),
                specifier: None,
                pin_at: None,
                extras: &[],
                marker: Some("python_version > '3'"),
            },
            Case {
                text: "./vendor/pkg#egg=pkg",
                name: Some(("pkg", "pkg")),
                specifier: None,
                pin_at: None,
                extras: &[],
                marker: None,
            },
            Case {
                text: ".",
                name: None,
                specifier: None,
                pin_at: None,
                extras: &[],
                marker: None,
            },
        ];
        for case in cases {
            let req = parse_requirement(case.text).unwrap_or_else(|e| panic!("{}: {e}", case.text));
            assert_eq!(at(case.text, req.span), case.text.trim(), "{}", case.text);
            let fact = req.clone().into_fact(&SpanMap::slice(0), "requirement");
            assert_eq!(
                fact.name
                    .as_ref()
                    .map(|n| (at(case.text, n.span), n.normalized.as_str())),
                case.name,
                "{}",
                case.text
            );
            assert_eq!(
                req.specifier.map(|s| at(case.text, s)),
                case.specifier,
                "{}",
                case.text
            );
            assert_eq!(req.pin_at, case.pin_at, "{}", case.text);
            assert_eq!(req.extras, case.extras, "{}", case.text);
            assert_eq!(req.marker.as_deref(), case.marker, "{}", case.text);
        }
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize_name("Foo__Bar.-baz"), "foo-bar-baz");
        assert_eq!(normalize_name("mlrun"), "mlrun");
    }

    #[test]
    fn span_maps_across_pieces() {
        // Text "abcdef" built from file bytes 10..13 and 20..23.
        let mut map = SpanMap::default();
        for i in 0..3 {
            map.push(i, 10 + i);
        }
        for i in 3..6 {
            map.push(i, 17 + i);
        }
        assert_eq!(map.span(Span::new(0, 3)), Span::new(10, 13));
        assert_eq!(map.span(Span::new(3, 6)), Span::new(20, 23));
        assert_eq!(map.span(Span::new(1, 5)), Span::new(11, 22));
        assert!(map.is_contiguous(Span::new(0, 3)));
        assert!(!map.is_contiguous(Span::new(2, 4)));
        // "cdef" cut out of the text at 2, then mapped through.
        let inner = SpanMap::slice(2);
        let composed = inner.then(&map, 4);
        assert_eq!(composed.span(Span::new(0, 1)), Span::new(12, 13));
        assert_eq!(composed.span(Span::new(1, 4)), Span::new(20, 23));
        assert!(!composed.is_contiguous(Span::new(0, 2)));
    }
}
