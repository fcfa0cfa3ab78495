use super::*;
use crate::engine::FileText;

/// Every file of the repository's fixtures (example projects and per-rule
/// cases: includes, constraints, project specs, hub items, client pins) and
/// of `more` (a lock file, which the fixtures lack), read from disk.
fn fixture_files(more: &Path) -> Vec<ReadFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut folders = vec![root, more.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if FileKind::of(&path).is_some() {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
        .iter()
        .map(|path| read(path, FileKind::of(path)))
        .collect()
}

fn read(path: &Path, kind: Option<FileKind>) -> ReadFile {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let read = crate::engine::read_guarded(kind.unwrap_or(FileKind::Requirements), path, &text);
    ReadFile::of(path, kind, FileText::Held(Arc::from(text)), read)
}

/// Linking reads of a parked file only the copies [`read_by_linking`] keeps:
/// linked parked and linked whole, every file of the fixtures gets the same
/// includes, scope and facts. A fact kind linking starts to read that the
/// copies leave out shows here as a difference.
#[test]
fn parked_files_link_as_whole_ones_do() {
    let more = tempfile::tempdir().unwrap();
    std::fs::write(more.path().join("requirements.txt"), "pandas\n").unwrap();
    std::fs::write(
        more.path().join("uv.lock"),
        "version = 1\n\n[[package]]\nname = \"pandas\"\nversion = \"2.2.2\"\n",
    )
    .unwrap();
    let include = |path: &Path| read(path, Some(FileKind::Requirements));
    let whole = Workspace::link(fixture_files(more.path()), &include);
    let locked = whole
        .files
        .iter()
        .position(|file| file.path == more.path().join("requirements.txt"))
        .unwrap();
    assert!(!whole
        .scope(locked, None, &GivenVersions::default())
        .versions
        .is_empty());
    let store = Store::new();
    let mut parked = fixture_files(more.path());
    for file in &mut parked {
        file.park(&store);
    }
    assert!(parked.iter().filter(|file| file.parked.is_some()).count() > 100);
    let parked = Workspace::link(parked, &include);
    assert_eq!(whole.files.len(), parked.files.len());
    assert_eq!(whole.edges, parked.edges);
    let given = GivenVersions::default();
    for index in 0..whole.files.len() {
        let path = &whole.files[index].path;
        assert_eq!(
            whole.scope(index, None, &given),
            parked.scope(index, None, &given),
            "{}",
            path.display()
        );
        assert_eq!(
            whole.files[index].facts(),
            parked.files[index].facts(),
            "{}",
            path.display()
        );
    }
}
