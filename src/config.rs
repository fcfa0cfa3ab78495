//! Configuration: `[tool.mlrun-lint]` in `pyproject.toml`, or top-level keys in
//! `mlrun-lint.toml` / `.mlrun-lint.toml`, found from each file's folder upward.
//!
//! As in ruff without `extend`, the closest configuration file wins outright: levels
//! are never merged, so what applies to a file is what one file says. When one
//! folder holds several, `.mlrun-lint.toml` beats `mlrun-lint.toml` beats
//! `pyproject.toml` (the tool's own file is the more specific statement), and a
//! `pyproject.toml` without a `[tool.mlrun-lint]` table does not count at all, so
//! the search goes on above it. `--config PATH` replaces discovery for every file.
//!
//! Every error (a TOML syntax error, an unknown key, a wrong type, an unknown rule,
//! a bad version or severity) carries `path:line:column` in the configuration file:
//! a typo must stop the run (exit 2), never silently change what is checked.
//!
//! A run parses each configuration file once, whatever the number of files under
//! it: [`Resolver`] caches the closest configuration per folder and the resolved
//! [`FileSettings`] per configuration.

use crate::diagnostic::Severity;
use crate::discover::Exclusion;
use crate::paths::normalize;
use crate::rules::{self, Rule};
use crate::selection::{Selection, Selector};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// The configuration files looked for in each folder, most specific first.
pub const FILE_NAMES: [&str; 3] = [".mlrun-lint.toml", "mlrun-lint.toml", "pyproject.toml"];

/// The keys a configuration accepts, for the "did you mean" suggestion.
const KEYS: &[&str] = &[
    "select",
    "ignore",
    "extend-select",
    "mlrun-version",
    "fail-on",
    "lock",
    "python",
    "exclude",
    "extend-exclude",
    "per-file-ignores",
    "severity",
];

/// A configuration error at a place in a configuration file (or, with line 0, about
/// the file as a whole: it cannot be read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based; 0 when the error is not about a place in the file.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        if self.line == 0 {
            write!(f, "{path}: {}", self.message)
        } else {
            write!(f, "{path}:{}:{}: {}", self.line, self.column, self.message)
        }
    }
}

/// One configuration file, parsed and validated.
#[derive(Debug)]
pub struct Config {
    /// The configuration file.
    pub path: PathBuf,
    /// Its folder: relative paths and globs in it are relative to this.
    pub root: PathBuf,
    pub select: Option<Vec<Selector>>,
    pub extend_select: Vec<Selector>,
    pub ignore: Vec<Selector>,
    pub mlrun_version: Option<String>,
    pub fail_on: Option<Severity>,
    /// Pin sources, resolved against [`Config::root`].
    pub lock: Vec<PathBuf>,
    /// A virtualenv, resolved against [`Config::root`].
    pub python: Option<PathBuf>,
    /// `exclude`: when set, replaces the built-in excluded folders.
    exclude: Option<Gitignore>,
    extend_exclude: Option<Gitignore>,
    per_file_ignores: Vec<(Gitignore, Vec<Selector>)>,
    /// Rule code → severity in force (`None` = off).
    pub severity: BTreeMap<&'static str, Option<Severity>>,
}

impl Config {
    /// Parses a configuration file's text. `Ok(None)` for a `pyproject.toml` with no
    /// `[tool.mlrun-lint]` table: it is not a configuration of this tool.
    pub fn parse(path: &Path, text: &str) -> Result<Option<Config>, ConfigError> {
        let at = |span: Range<usize>, message: String| error_at(path, text, span, message);
        let document = DeTable::parse(text).map_err(|err| {
            at(
                err.span().unwrap_or(0..0),
                format!("invalid TOML: {}", err.message().trim_end()),
            )
        })?;
        let is_pyproject = path
            .file_name()
            .is_some_and(|name| name == "pyproject.toml");
        let table = if is_pyproject {
            let tool = document
                .get_ref()
                .get("tool")
                .and_then(|tool| tool.get_ref().as_table());
            match tool.and_then(|tool| tool.get("mlrun-lint")) {
                None => return Ok(None),
                Some(value) => value
                    .get_ref()
                    .as_table()
                    .ok_or_else(|| at(value.span(), "`tool.mlrun-lint` must be a table".into()))?,
            }
        } else {
            document.get_ref()
        };
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut config = Config {
            path: path.to_path_buf(),
            root: root.clone(),
            select: None,
            extend_select: Vec::new(),
            ignore: Vec::new(),
            mlrun_version: None,
            fail_on: None,
            lock: Vec::new(),
            python: None,
            exclude: None,
            extend_exclude: None,
            per_file_ignores: Vec::new(),
            severity: BTreeMap::new(),
        };
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            let value_at = |message: String| at(value.span(), message);
            match name {
                "select" => config.select = Some(selectors(name, value, &at)?),
                "extend-select" => config.extend_select = selectors(name, value, &at)?,
                "ignore" => config.ignore = selectors(name, value, &at)?,
                "mlrun-version" => {
                    let version = string(name, value, &at)?;
                    let version = crate::rules::client_version(version)
                        .map_err(|why| value_at(format!("`mlrun-version` {why}")))?;
                    config.mlrun_version = Some(version);
                }
                "fail-on" => {
                    let level = string(name, value, &at)?;
                    config.fail_on = Some(Severity::parse(level).ok_or_else(|| {
                        value_at(format!(
                            "`fail-on` must be `error`, `warning` or `info`, not `{level}`"
                        ))
                    })?);
                }
                "lock" => {
                    config.lock = strings(name, value, &at)?
                        .into_iter()
                        .map(|(item, _)| normalize(&root.join(item)))
                        .collect();
                }
                "python" => config.python = Some(normalize(&root.join(string(name, value, &at)?))),
                "exclude" => config.exclude = Some(globs(&root, name, value, &at)?),
                "extend-exclude" => config.extend_exclude = Some(globs(&root, name, value, &at)?),
                "per-file-ignores" => {
                    let entries = value
                        .get_ref()
                        .as_table()
                        .ok_or_else(|| wrong_type(name, "a table", value, &at))?;
                    for (glob, codes) in entries.iter() {
                        let matcher = glob_matcher(&root, &[(glob.get_ref(), glob.span())], &at)?;
                        let what = format!("per-file-ignores `{}`", glob.get_ref());
                        config
                            .per_file_ignores
                            .push((matcher, selectors(&what, codes, &at)?));
                    }
                }
                "severity" => {
                    let entries = value
                        .get_ref()
                        .as_table()
                        .ok_or_else(|| wrong_type(name, "a table", value, &at))?;
                    for (rule, level) in entries.iter() {
                        let found = rules::find(rule.get_ref()).ok_or_else(|| {
                            at(
                                rule.span(),
                                format!(
                                    "unknown rule `{}` in `severity`: use a code (MLR101) or a name (mlrun-image-untagged); `mlrun-lint rules` lists them",
                                    rule.get_ref()
                                ),
                            )
                        })?;
                        let what = format!("severity of {}", found.code);
                        let text = string(&what, level, &at)?;
                        let parsed = match text {
                            "off" => None,
                            other => Some(Severity::parse(other).ok_or_else(|| {
                                at(
                                    level.span(),
                                    format!("the severity of {} must be `error`, `warning`, `info` or `off`, not `{other}`", found.code),
                                )
                            })?),
                        };
                        config.severity.insert(found.code, parsed);
                    }
                }
                unknown => {
                    let hint = closest(unknown, KEYS)
                        .map(|key| format!(" (did you mean `{key}`?)"))
                        .unwrap_or_default();
                    return Err(at(key.span(), format!("unknown key `{unknown}`{hint}")));
                }
            }
        }
        Ok(Some(config))
    }

    /// Reads and parses the configuration file at `path`.
    pub fn load(path: &Path) -> Result<Option<Config>, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|err| ConfigError {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: format!("cannot read the configuration: {err}"),
        })?;
        Self::parse(path, &text)
    }

    /// What this configuration says about walking into `path` (absolute).
    fn exclusion(&self, path: &Path, is_dir: bool) -> Exclusion {
        let excluded = |matcher: &Option<Gitignore>| {
            matcher
                .as_ref()
                .is_some_and(|matcher| matches(matcher, &self.root, path, is_dir))
        };
        if excluded(&self.exclude) || excluded(&self.extend_exclude) {
            Exclusion::Excluded
        } else if self.exclude.is_some() {
            Exclusion::Kept
        } else {
            Exclusion::Default
        }
    }
}

/// Whether `path` (absolute) or a folder above it matches `matcher`, gitignore-style,
/// relative to `root`. Paths outside `root` never match.
fn matches(matcher: &Gitignore, root: &Path, path: &Path, is_dir: bool) -> bool {
    // Stripped here: `Gitignore` panics on a path outside its root.
    path.strip_prefix(root).is_ok_and(|relative| {
        !relative.as_os_str().is_empty()
            && matcher
                .matched_path_or_any_parents(relative, is_dir)
                .is_ignore()
    })
}

type At<'a> = dyn Fn(Range<usize>, String) -> ConfigError + 'a;

fn error_at(path: &Path, text: &str, span: Range<usize>, message: String) -> ConfigError {
    let mut offset = span.start.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    ConfigError {
        path: path.to_path_buf(),
        line,
        column: text[line_start..offset].chars().count() + 1,
        message,
    }
}

fn wrong_type(key: &str, expected: &str, value: &Spanned<DeValue>, at: &At) -> ConfigError {
    at(
        value.span(),
        format!(
            "`{key}` must be {expected}, not {}",
            value.get_ref().type_str()
        ),
    )
}

fn string<'v>(key: &str, value: &'v Spanned<DeValue>, at: &At) -> Result<&'v str, ConfigError> {
    value
        .get_ref()
        .as_str()
        .ok_or_else(|| wrong_type(key, "a string", value, at))
}

fn strings<'v>(
    key: &str,
    value: &'v Spanned<DeValue>,
    at: &At,
) -> Result<Vec<(&'v str, Range<usize>)>, ConfigError> {
    let items = value
        .get_ref()
        .as_array()
        .ok_or_else(|| wrong_type(key, "a list of strings", value, at))?;
    items
        .iter()
        .map(|item| {
            let text = item
                .get_ref()
                .as_str()
                .ok_or_else(|| wrong_type(key, "a list of strings", item, at))?;
            Ok((text, item.span()))
        })
        .collect()
}

/// A list of rule selectors, each checked to name at least one rule.
fn selectors(key: &str, value: &Spanned<DeValue>, at: &At) -> Result<Vec<Selector>, ConfigError> {
    strings(key, value, at)?
        .into_iter()
        .map(|(text, span)| Selector::parse(text).map_err(|message| at(span, message)))
        .collect()
}

fn globs(
    root: &Path,
    key: &str,
    value: &Spanned<DeValue>,
    at: &At,
) -> Result<Gitignore, ConfigError> {
    glob_matcher(root, &strings(key, value, at)?, at)
}

fn glob_matcher(
    root: &Path,
    globs: &[(&str, Range<usize>)],
    at: &At,
) -> Result<Gitignore, ConfigError> {
    let mut builder = GitignoreBuilder::new(root);
    for (glob, span) in globs {
        builder
            .add_line(None, glob)
            .map_err(|err| at(span.clone(), format!("invalid glob `{glob}`: {err}")))?;
    }
    builder.build().map_err(|err| {
        at(
            globs.first().map_or(0..0, |(_, span)| span.clone()),
            format!("invalid globs: {err}"),
        )
    })
}

/// The known word closest to `word`, if it is close enough to be a typo.
fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|candidate| (edit_distance(word, candidate), *candidate))
        .filter(|&(distance, candidate)| distance <= 2.max(candidate.len() / 3))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// Values given on the command line: they override the configuration's.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--select`: replaces the configuration's `select`, `extend-select` and
    /// `ignore` (a fresh choice of rules, as in ruff).
    pub select: Option<Vec<Selector>>,
    /// `--extend-select`: added to the configuration's.
    pub extend_select: Vec<Selector>,
    /// `--ignore`: added to the configuration's.
    pub ignore: Vec<Selector>,
    pub mlrun_version: Option<String>,
    /// `--lock`, replacing the configuration's list when given.
    pub lock: Vec<PathBuf>,
    pub python: Option<PathBuf>,
    /// `--fail-on`.
    pub fail_on: Option<Severity>,
}

/// What applies to one file, resolved from its configuration and the command line.
pub struct FileSettings {
    /// The configuration file in force, if any.
    pub config: Option<Arc<Config>>,
    pub selection: Selection,
    /// The rules [`FileSettings::selection`] enables, in code order.
    pub rules: Vec<&'static Rule>,
    /// Severity overrides: rule code → severity in force (`None` = off).
    pub severities: BTreeMap<&'static str, Option<Severity>>,
    pub mlrun_version: Option<String>,
    /// Where [`FileSettings::mlrun_version`] comes from, as help texts name it
    /// (`--mlrun-version`, `mlrun-version in pyproject.toml`).
    pub mlrun_version_source: String,
    /// Pin sources (`lock`), as absolute paths.
    pub lock: Vec<PathBuf>,
    /// The virtualenv (`python`), as an absolute path.
    pub python: Option<PathBuf>,
}

impl FileSettings {
    /// The severity `rule` reports at in this file: `None` when it does not run
    /// here (not selected, or severity `off`).
    pub fn severity_of(&self, rule: &Rule) -> Option<Severity> {
        if !self.selection.is_enabled(rule) {
            return None;
        }
        match self.severities.get(rule.code) {
            Some(level) => *level,
            None => Some(rule.severity),
        }
    }

    /// Whether `per-file-ignores` drops `rule` for the file at `path` (absolute).
    pub fn ignores(&self, path: &Path, rule: &Rule) -> bool {
        self.config.as_ref().is_some_and(|config| {
            config.per_file_ignores.iter().any(|(glob, selectors)| {
                selectors.iter().any(|selector| selector.matches(rule))
                    && matches(glob, &config.root, path, false)
            })
        })
    }
}

/// The configuration in force for each file of a run, found and parsed lazily and
/// once per folder. Safe to share between threads.
pub struct Resolver {
    cwd: PathBuf,
    /// `--config`: used for every file, no discovery.
    explicit: Option<Option<Arc<Config>>>,
    overrides: Overrides,
    /// Folder → closest configuration at or above it: one entry per folder of
    /// the tree, so each is small (the folders under one configuration share
    /// what was found).
    folders: Mutex<HashMap<Box<Path>, Arc<Found>>>,
    /// Configuration path (empty: none) → resolved settings.
    settings: Mutex<HashMap<PathBuf, Arc<FileSettings>>>,
}

type Found = Result<Option<Arc<Config>>, ConfigError>;

impl fmt::Debug for Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolver")
            .field("cwd", &self.cwd)
            .field("explicit", &self.explicit)
            .field("overrides", &self.overrides)
            .finish_non_exhaustive()
    }
}

impl Resolver {
    /// A resolver for a run in `cwd`. `config` is `--config`: read now, so a missing
    /// or broken file stops the run before anything is checked.
    pub fn new(
        cwd: &Path,
        config: Option<&Path>,
        overrides: Overrides,
    ) -> Result<Self, ConfigError> {
        let explicit = match config {
            Some(path) => {
                let absolute = normalize(&cwd.join(path));
                let loaded = Config::load(&absolute).map_err(|mut err| {
                    err.path = path.to_path_buf();
                    err
                })?;
                Some(loaded.map(Arc::new))
            }
            None => None,
        };
        Ok(Self {
            cwd: cwd.to_path_buf(),
            explicit,
            overrides,
            folders: Mutex::new(HashMap::new()),
            settings: Mutex::new(HashMap::new()),
        })
    }

    /// `path` made absolute and normalised (configuration lookups and globs work on
    /// absolute paths, whatever the user typed).
    pub fn absolute(&self, path: &Path) -> PathBuf {
        normalize(&self.cwd.join(path))
    }

    /// The configuration that applies in `folder` (absolute): `--config`, or the
    /// closest file at or above it.
    fn config_in(&self, folder: &Path) -> Found {
        if let Some(explicit) = &self.explicit {
            return Ok(explicit.clone());
        }
        let mut missing = Vec::new();
        let mut found = None;
        for dir in folder.ancestors() {
            if let Some(cached) = lock(&self.folders).get(dir) {
                found = Some(cached.clone());
                break;
            }
            missing.push(Box::from(dir));
            if let Some(result) = Self::read_folder(dir) {
                found = Some(Arc::new(result));
                break;
            }
        }
        let found = found.unwrap_or_else(|| Arc::new(Ok(None)));
        let mut folders = lock(&self.folders);
        for dir in missing {
            folders.insert(dir, found.clone());
        }
        Found::clone(&found)
    }

    /// The configuration file in `dir` itself, if there is one.
    fn read_folder(dir: &Path) -> Option<Found> {
        FILE_NAMES.iter().find_map(|name| {
            let path = dir.join(name);
            if !path.is_file() {
                return None;
            }
            match Config::load(&path) {
                Ok(Some(config)) => Some(Ok(Some(Arc::new(config)))),
                Ok(None) => None,
                Err(err) => Some(Err(err)),
            }
        })
    }

    /// The configuration file in force for the file at `path`, if any.
    pub fn config_for(&self, path: &Path) -> Found {
        let absolute = self.absolute(path);
        self.config_in(absolute.parent().unwrap_or(&absolute))
    }

    /// What applies to the file at `path`.
    pub fn settings_for(&self, path: &Path) -> Result<Arc<FileSettings>, ConfigError> {
        let config = self.config_for(path)?;
        let key = config
            .as_ref()
            .map(|config| config.path.clone())
            .unwrap_or_default();
        if let Some(settings) = lock(&self.settings).get(&key) {
            return Ok(settings.clone());
        }
        let settings = Arc::new(self.resolve(config));
        lock(&self.settings).insert(key, settings.clone());
        Ok(settings)
    }

    fn resolve(&self, config: Option<Arc<Config>>) -> FileSettings {
        let cli = &self.overrides;
        let selection = match config.as_deref() {
            Some(config) if cli.select.is_none() => Selection {
                select: config.select.clone(),
                extend_select: [config.extend_select.clone(), cli.extend_select.clone()].concat(),
                ignore: [config.ignore.clone(), cli.ignore.clone()].concat(),
            },
            _ => Selection {
                select: cli.select.clone(),
                extend_select: cli.extend_select.clone(),
                ignore: cli.ignore.clone(),
            },
        };
        let rules = selection.enabled_rules();
        let from_config = |get: fn(&Config) -> Option<PathBuf>| config.as_deref().and_then(get);
        FileSettings {
            selection,
            rules,
            severities: config
                .as_ref()
                .map(|config| config.severity.clone())
                .unwrap_or_default(),
            mlrun_version: cli.mlrun_version.clone().or_else(|| {
                config
                    .as_ref()
                    .and_then(|config| config.mlrun_version.clone())
            }),
            mlrun_version_source: if cli.mlrun_version.is_some() {
                "--mlrun-version".into()
            } else {
                config
                    .as_ref()
                    .map(|config| {
                        let name = config.path.file_name().unwrap_or_default();
                        format!("mlrun-version in {}", name.to_string_lossy())
                    })
                    .unwrap_or_default()
            },
            lock: if cli.lock.is_empty() {
                config
                    .as_ref()
                    .map(|config| config.lock.clone())
                    .unwrap_or_default()
            } else {
                cli.lock.iter().map(|path| self.absolute(path)).collect()
            },
            python: cli
                .python
                .as_ref()
                .map(|path| self.absolute(path))
                .or_else(|| from_config(|config| config.python.clone())),
            config,
        }
    }

    /// Whether the walk goes into `path` (a file or a folder): decided by the
    /// configuration of the folder holding it.
    pub fn exclusion(&self, path: &Path, is_dir: bool) -> Exclusion {
        let absolute = self.absolute(path);
        let Some(folder) = absolute.parent() else {
            return Exclusion::Default;
        };
        match self.config_in(folder) {
            Ok(Some(config)) => config.exclusion(&absolute, is_dir),
            // A broken configuration is reported when the file's settings are
            // resolved; the walk itself goes on as if there were none.
            Ok(None) | Err(_) => Exclusion::Default,
        }
    }

    /// `err` as the CLI prints it, the path relative to the working directory.
    pub fn describe(&self, err: &ConfigError) -> String {
        let shown = ConfigError {
            path: PathBuf::from(crate::paths::display(&err.path, &self.cwd)),
            ..err.clone()
        };
        shown.to_string()
    }

    /// The run's `--fail-on`: the flag, else `--config`'s, else the configuration
    /// found from the working directory upward.
    pub fn fail_on(&self) -> Result<Option<Severity>, ConfigError> {
        if self.overrides.fail_on.is_some() {
            return Ok(self.overrides.fail_on);
        }
        Ok(self.config_in(&self.cwd)?.and_then(|config| config.fail_on))
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests;
