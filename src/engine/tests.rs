use super::*;
use crate::config::Overrides;

fn settings(dir: &Path) -> Settings {
    Settings {
        config: Arc::new(Resolver::new(dir, None, Overrides::default()).unwrap()),
        walk: WalkOptions {
            respect_ignores: true,
        },
        ignore_noqa: false,
        fingerprints: true,
        cache: None,
    }
}

/// `path` read as a run reads it (its text let go, its facts parked), then
/// written anew by `edit`, then judged and reported: what is reported of it.
fn reported_after(path: &Path, edit: impl FnOnce()) -> Vec<Reported> {
    let dir = path.parent().unwrap();
    let store = Store::new();
    let (file, _) = read_through(
        path,
        Some(FileKind::Requirements),
        &|_| None,
        None,
        Some(&store),
    );
    assert!(file.text.held().is_none() && file.parked.is_some());
    edit();
    let mut reported = Vec::new();
    check_read_with(vec![file], &settings(dir), &|_| None, &mut |files| {
        reported.extend(files);
        Ok(())
    })
    .unwrap();
    reported
}

/// The (code, file as shown, line, column, message, whether it has a fix) of
/// each finding reported.
fn findings(reported: &[Reported]) -> Vec<(&str, &str, usize, usize, &str, bool)> {
    reported
        .iter()
        .flat_map(|file| {
            file.file.diagnostics.iter().map(|found| {
                let at = file.file.position(found.span.start);
                let shown = file.file.path.as_str();
                let fixed = found.fix.is_some();
                (
                    found.code,
                    shown,
                    at.line,
                    at.column,
                    found.message.as_str(),
                    fixed,
                )
            })
        })
        .collect()
}

/// A file written between its reading and its report is not reported with
/// findings made from the old text at positions in the new one: it is MLR003,
/// and the report shows the text now on disk.
#[test]
fn a_file_changed_while_checked_is_mlr003_not_stale_findings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("requirements.txt");
    std::fs::write(&path, "pandas\n").unwrap();
    let shown = crate::paths::display(&path, &std::env::current_dir().unwrap());
    let shown = shown.as_str();
    let unchanged = reported_after(&path, || {});
    assert_eq!(
        findings(&unchanged),
        [("MLR201", shown, 1, 1, "`pandas` has no version", false)]
    );
    let changed = reported_after(&path, || {
        std::fs::write(&path, "# now pinned\npandas==2.2.2\n").unwrap()
    });
    assert_eq!(
        findings(&changed),
        [(
            "MLR003",
            shown,
            1,
            1,
            "not checked: the file changed while mlrun-lint was checking it; check it again",
            false
        )]
    );
    assert_eq!(&*changed[0].file.text, "# now pinned\npandas==2.2.2\n");
    // Removed after reading: nothing can be shown of it, and it is still
    // not reported clean.
    std::fs::write(&path, "pandas\n").unwrap();
    let removed = reported_after(&path, || std::fs::remove_file(&path).unwrap());
    assert_eq!(
        findings(&removed),
        [(
            "MLR003",
            shown,
            1,
            1,
            "not checked: the file changed while mlrun-lint was checking it; check it again",
            false
        )]
    );
    assert_eq!(&*removed[0].file.text, "");
}
