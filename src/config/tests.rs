use super::*;

fn parse(name: &str, text: &str) -> Result<Option<Config>, String> {
    Config::parse(Path::new(name), text).map_err(|err| err.to_string())
}

fn error(name: &str, text: &str) -> String {
    parse(name, text).expect_err("an error")
}

#[test]
fn every_key_parses() {
    let text = r#"
select = ["MLR1", "package-unpinned"]
extend-select = ["MLR106"]
ignore = ["MLR108"]
mlrun-version = "1.6.4"
fail-on = "error"
lock = ["uv.lock", "../shared/constraints.txt"]
python = ".venv"
exclude = ["legacy/"]
extend-exclude = ["*.generated.yaml"]

[per-file-ignores]
"tests/**" = ["MLR201", "MLR2"]

[severity]
MLR104 = "error"
image-tag-unverifiable = "off"
"#;
    let config = parse("/p/mlrun-lint.toml", text).unwrap().unwrap();
    assert_eq!(config.select.as_ref().map(Vec::len), Some(2));
    assert_eq!(config.extend_select, [Selector::Prefix("MLR106".into())]);
    assert_eq!(config.mlrun_version.as_deref(), Some("1.6.4"));
    assert_eq!(config.fail_on, Some(Severity::Error));
    assert_eq!(
        config.lock,
        [
            PathBuf::from("/p/uv.lock"),
            PathBuf::from("/shared/constraints.txt")
        ]
    );
    assert_eq!(config.python, Some(PathBuf::from("/p/.venv")));
    assert_eq!(config.severity.get("MLR104"), Some(&Some(Severity::Error)));
    assert_eq!(config.severity.get("MLR108"), Some(&None));
    assert_eq!(config.per_file_ignores.len(), 1);
    let excluded = |path: &str, is_dir| config.exclusion(Path::new(path), is_dir);
    assert_eq!(excluded("/p/legacy", true), Exclusion::Excluded);
    assert_eq!(
        excluded("/p/a/x.generated.yaml", false),
        Exclusion::Excluded
    );
    assert_eq!(excluded("/p/a/function.yaml", false), Exclusion::Kept);
    assert_eq!(excluded("/elsewhere/legacy", true), Exclusion::Kept);
}

#[test]
fn pyproject_needs_its_table() {
    assert!(parse("pyproject.toml", "[project]\nname = \"x\"\n")
        .unwrap()
        .is_none());
    let config = parse(
        "pyproject.toml",
        "[tool.ruff]\nselect = [\"E\"]\n\n[tool.mlrun-lint]\nselect = [\"MLR1\"]\n\n[tool.mlrun-lint.severity]\nMLR101 = \"warning\"\n",
    )
    .unwrap()
    .unwrap();
    assert!(config.select.is_some());
    assert_eq!(
        config.severity.get("MLR101"),
        Some(&Some(Severity::Warning))
    );
    // In pyproject.toml the tool's keys live under the table, not at the top.
    assert!(parse("pyproject.toml", "select = [\"MLR1\"]\n")
        .unwrap()
        .is_none());
}

#[test]
fn errors_carry_their_position() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "mlrun-lint.toml",
            "select = [\"MLR1\"]\nselectt = [\"MLR2\"]\n",
            "mlrun-lint.toml:2:1: unknown key `selectt` (did you mean `select`?)",
        ),
        (
            "pyproject.toml",
            "[tool.mlrun-lint]\nfail_on = \"error\"\n",
            "pyproject.toml:2:1: unknown key `fail_on` (did you mean `fail-on`?)",
        ),
        (
            "mlrun-lint.toml",
            "colour = true\n",
            "mlrun-lint.toml:1:1: unknown key `colour`",
        ),
        (
            "mlrun-lint.toml",
            "select = \"MLR1\"\n",
            "mlrun-lint.toml:1:10: `select` must be a list of strings, not string",
        ),
        (
            "mlrun-lint.toml",
            "ignore = [\"MLR101\", 7]\n",
            "mlrun-lint.toml:1:21: `ignore` must be a list of strings, not integer",
        ),
        (
            "mlrun-lint.toml",
            "mlrun-version = 1.6\n",
            "mlrun-lint.toml:1:17: `mlrun-version` must be a string, not float",
        ),
        (
            "mlrun-lint.toml",
            "extend-select = [\"MLR101\", \"MLR999\"]\n",
            "mlrun-lint.toml:1:28: unknown rule selector `MLR999`: use a code (MLR101), a code prefix (MLR1), a rule name (mlrun-image-untagged) or ALL; `mlrun-lint rules` lists them",
        ),
        (
            "mlrun-lint.toml",
            "\nmlrun-version = \"one.two\"\n",
            "mlrun-lint.toml:2:17: `mlrun-version` `one.two` is not a version",
        ),
        (
            "mlrun-lint.toml",
            "fail-on = \"warn\"\n",
            "mlrun-lint.toml:1:11: `fail-on` must be `error`, `warning` or `info`, not `warn`",
        ),
        (
            "mlrun-lint.toml",
            "[severity]\nMLR101 = \"fatal\"\n",
            "mlrun-lint.toml:2:10: the severity of MLR101 must be `error`, `warning`, `info` or `off`, not `fatal`",
        ),
        (
            "mlrun-lint.toml",
            "[severity]\nMLR1 = \"off\"\n",
            "mlrun-lint.toml:2:1: unknown rule `MLR1` in `severity`: use a code (MLR101) or a name (mlrun-image-untagged); `mlrun-lint rules` lists them",
        ),
        (
            "mlrun-lint.toml",
            "[per-file-ignores]\n\"tests/*\" = [\"MLR9\"]\n",
            "mlrun-lint.toml:2:14: unknown rule selector `MLR9`: use a code (MLR101), a code prefix (MLR1), a rule name (mlrun-image-untagged) or ALL; `mlrun-lint rules` lists them",
        ),
        (
            "mlrun-lint.toml",
            "per-file-ignores = [\"x\"]\n",
            "mlrun-lint.toml:1:20: `per-file-ignores` must be a table, not array",
        ),
    ];
    for (name, text, expected) in cases {
        let message = error(name, text);
        assert!(
            message.starts_with(expected),
            "{text}\n got: {message}\nwant: {expected}"
        );
    }
    // TOML syntax errors too.
    let message = error("mlrun-lint.toml", "select = [\"MLR1\"\n");
    assert!(message.starts_with("mlrun-lint.toml:1:"), "{message}");
    assert!(message.contains("invalid TOML"), "{message}");
}

#[test]
fn suggestions_only_for_near_misses() {
    assert_eq!(closest("exclud", KEYS), Some("exclude"));
    assert_eq!(closest("extend_exclude", KEYS), Some("extend-exclude"));
    assert_eq!(closest("per-file-ignore", KEYS), Some("per-file-ignores"));
    assert_eq!(closest("colour", KEYS), None);
}

fn write(root: &Path, name: &str, text: &str) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn config_of(resolver: &Resolver, path: &Path) -> Option<PathBuf> {
    resolver
        .config_for(path)
        .unwrap()
        .map(|config| config.path.clone())
}

#[test]
fn discovery_closest_wins_and_pyproject_without_table_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "pyproject.toml",
        "[tool.mlrun-lint]\nfail-on = \"info\"\n",
    );
    write(root, "a/pyproject.toml", "[project]\nname = \"a\"\n");
    write(root, "b/mlrun-lint.toml", "select = [\"MLR1\"]\n");
    write(root, "b/pyproject.toml", "[tool.mlrun-lint]\n");
    write(root, "b/c/.mlrun-lint.toml", "");
    write(root, "b/c/mlrun-lint.toml", "");
    let resolver = Resolver::new(root, None, Overrides::default()).unwrap();
    assert_eq!(
        config_of(&resolver, Path::new("a/x/function.yaml")),
        Some(root.join("pyproject.toml"))
    );
    assert_eq!(
        config_of(&resolver, &root.join("b/function.yaml")),
        Some(root.join("b/mlrun-lint.toml"))
    );
    assert_eq!(
        config_of(&resolver, Path::new("b/c/d/function.yaml")),
        Some(root.join("b/c/.mlrun-lint.toml"))
    );
    assert_eq!(resolver.fail_on(), Ok(Some(Severity::Info)));
    // Closest wins outright: `b`'s select does not reach `b/c`.
    let settings = resolver
        .settings_for(Path::new("b/c/function.yaml"))
        .unwrap();
    assert_eq!(settings.selection, Selection::default());
    let settings = resolver.settings_for(Path::new("b/function.yaml")).unwrap();
    assert!(settings.selection.select.is_some());
    // --config replaces discovery everywhere.
    let explicit = Resolver::new(
        root,
        Some(Path::new("b/mlrun-lint.toml")),
        Overrides::default(),
    )
    .unwrap();
    assert_eq!(
        config_of(&explicit, Path::new("b/c/function.yaml")),
        Some(root.join("b/mlrun-lint.toml"))
    );
    assert_eq!(explicit.fail_on(), Ok(None));
}

#[test]
fn command_line_overrides_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "mlrun-lint.toml",
        "select = [\"MLR2\"]\nignore = [\"MLR202\"]\nmlrun-version = \"1.6.4\"\nfail-on = \"info\"\nlock = [\"uv.lock\"]\n",
    );
    let rules = |overrides: Overrides| -> Vec<&'static str> {
        let resolver = Resolver::new(root, None, overrides).unwrap();
        let settings = resolver.settings_for(Path::new("f.yaml")).unwrap();
        settings.rules.iter().map(|rule| rule.code).collect()
    };
    let from_config = rules(Overrides::default());
    assert!(from_config.contains(&"MLR201") && !from_config.contains(&"MLR202"));
    let extended = rules(Overrides {
        ignore: vec![Selector::Prefix("MLR201".into())],
        extend_select: vec![Selector::Prefix("MLR101".into())],
        ..Overrides::default()
    });
    assert!(extended.contains(&"MLR101") && !extended.contains(&"MLR201"));
    // --select starts afresh: the configuration's ignore is gone with its select.
    let selected = rules(Overrides {
        select: Some(vec![Selector::Prefix("MLR20".into())]),
        ..Overrides::default()
    });
    assert!(selected.contains(&"MLR202") && !selected.contains(&"MLR101"));
    let resolver = Resolver::new(
        root,
        None,
        Overrides {
            mlrun_version: Some("1.7.0".into()),
            fail_on: Some(Severity::Error),
            lock: vec![PathBuf::from("other.lock")],
            ..Overrides::default()
        },
    )
    .unwrap();
    let settings = resolver.settings_for(Path::new("f.yaml")).unwrap();
    assert_eq!(settings.mlrun_version.as_deref(), Some("1.7.0"));
    assert_eq!(settings.lock, [root.join("other.lock")]);
    assert_eq!(resolver.fail_on(), Ok(Some(Severity::Error)));
}

#[test]
fn broken_configuration_is_reported_relative_to_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "sub/mlrun-lint.toml", "\n  selec = []\n");
    let resolver = Resolver::new(root, None, Overrides::default()).unwrap();
    let err = resolver
        .settings_for(Path::new("sub/function.yaml"))
        .err()
        .unwrap();
    assert_eq!(
        resolver.describe(&err),
        "sub/mlrun-lint.toml:2:3: unknown key `selec` (did you mean `select`?)"
    );
    let missing = Resolver::new(root, Some(Path::new("nope.toml")), Overrides::default())
        .err()
        .unwrap();
    assert!(missing
        .to_string()
        .starts_with("nope.toml: cannot read the configuration"));
}
