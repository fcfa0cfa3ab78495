//! An installed Python environment (`--python PATH`) as a pin source: the version of
//! every distribution installed in it, read from the metadata files installers write
//! (`*.dist-info/METADATA`, and the older `*.egg-info/PKG-INFO`).
//!
//! Nothing is executed: running the environment's interpreter to ask it would run
//! whatever its `site` hooks and `.pth` files contain, which a linter must never do.
//! Reading the files gives the same answer `importlib.metadata` does for the
//! environment's own site-packages.

use crate::facts::requirement::normalize_name;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// The distributions installed in the environment at `path`, as (PEP 503 normalised
/// name, version, metadata file) sorted by name, version and file.
///
/// `path` may be the environment's folder (a virtualenv, a conda environment, a
/// Python prefix), its interpreter (`.venv/bin/python`, `Scripts\python.exe`), or a
/// `site-packages` folder itself. Site-packages are looked for at
/// `lib/python*/site-packages` (and `lib/pypy*`, `lib64`) and at `Lib/site-packages`
/// (Windows). A metadata file that cannot be read or has no `Name` or `Version`
/// is skipped: it describes no distribution pip would report as installed.
///
/// Errors are messages for the user: the path does not exist or is not a folder,
/// or no site-packages folder is found in it.
pub fn read_environment(path: &Path) -> Result<Vec<(String, String, PathBuf)>, String> {
    let root = environment_root(path);
    if !root.exists() {
        return Err(format!("{}: no such file or folder", path.display()));
    }
    if !root.is_dir() {
        return Err(format!(
            "{}: not a Python environment folder or interpreter",
            path.display()
        ));
    }
    let folders = site_packages(&root);
    if folders.is_empty() {
        return Err(format!(
            "{}: no site-packages folder found (looked for lib/python*/site-packages \
             and Lib/site-packages)",
            path.display()
        ));
    }
    let mut found = Vec::new();
    for folder in folders {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let Some(metadata) = metadata_file(&entry.path()) else {
                continue;
            };
            if let Some((name, version)) = name_and_version(&metadata) {
                found.push((normalize_name(&name), version, metadata));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The environment folder for an interpreter path (`ENV/bin/python`,
/// `ENV/Scripts/python.exe`); any other path as given.
fn environment_root(path: &Path) -> PathBuf {
    if path.is_file() {
        let folder = path.parent().filter(|parent| {
            parent
                .file_name()
                .is_some_and(|name| name == "bin" || name.eq_ignore_ascii_case("Scripts"))
        });
        if let Some(root) = folder.and_then(Path::parent) {
            return root.to_path_buf();
        }
    }
    path.to_path_buf()
}

/// The site-packages folders of an environment, each once (`lib64` is often a link
/// to `lib`).
fn site_packages(root: &Path) -> Vec<PathBuf> {
    let is_site_packages = root
        .file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name == "site-packages" || name == "dist-packages");
    if is_site_packages || holds_dist_info(root) {
        return vec![root.to_path_buf()];
    }
    let mut candidates = vec![root.join("Lib").join("site-packages")];
    for lib in ["lib", "lib64"] {
        let Ok(entries) = fs::read_dir(root.join(lib)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("python") || name.starts_with("pypy") {
                candidates.push(entry.path().join("site-packages"));
            }
        }
    }
    let mut folders: Vec<PathBuf> = Vec::new();
    let mut seen = Vec::new();
    for candidate in candidates {
        if !candidate.is_dir() {
            continue;
        }
        let real = fs::canonicalize(&candidate).unwrap_or_else(|_| candidate.clone());
        if !seen.contains(&real) {
            seen.push(real);
            folders.push(candidate);
        }
    }
    folders.sort();
    folders
}

/// Whether `folder` directly holds installed distributions (`*.dist-info`), as a
/// site-packages folder under another name does. `*.egg-info` alone does not count:
/// setuptools leaves one in a project's source tree, which is no environment.
fn holds_dist_info(folder: &Path) -> bool {
    fs::read_dir(folder).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().ends_with(".dist-info"))
    })
}

/// The metadata file of a site-packages entry: `X.dist-info/METADATA`,
/// `X.egg-info/PKG-INFO`, or an `X.egg-info` file (what old setuptools wrote for
/// `install --single-version-externally-managed`).
fn metadata_file(entry: &Path) -> Option<PathBuf> {
    let name = entry.file_name()?.to_str()?;
    let candidate = if name.ends_with(".dist-info") {
        entry.join("METADATA")
    } else if name.ends_with(".egg-info") {
        if entry.is_file() {
            entry.to_path_buf()
        } else {
            entry.join("PKG-INFO")
        }
    } else {
        return None;
    };
    candidate.is_file().then_some(candidate)
}

/// The `Name` and `Version` headers of a core-metadata file (RFC 822 style: headers
/// up to the first empty line, names compared without case, a line starting with
/// blanks continuing the previous header). Only the header block is read: the body
/// is the long description, often large. Invalid UTF-8 is replaced, not refused,
/// since the two headers are ASCII in any real file.
fn name_and_version(path: &Path) -> Option<(String, String)> {
    let mut reader = BufReader::new(fs::File::open(path).ok()?);
    let (mut name, mut version) = (None, None);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).ok()? == 0 {
            break;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\n', '\r']);
        if text.is_empty() {
            break;
        }
        if text.starts_with([' ', '\t']) {
            continue;
        }
        let Some((header, value)) = text.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if header.eq_ignore_ascii_case("Name") && name.is_none() {
            name = Some(value.to_string());
        } else if header.eq_ignore_ascii_case("Version") && version.is_none() {
            version = Some(value.to_string());
        }
        if name.is_some() && version.is_some() {
            break;
        }
    }
    match (name, version) {
        (Some(name), Some(version)) if !name.is_empty() && !version.is_empty() => {
            Some((name, version))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &[u8]) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// A site-packages with two dist-infos, an egg-info folder, an egg-info file and
    /// three broken entries.
    fn populate(site: &Path) {
        write(
            &site.join("Foo_Bar-1.0.dist-info/METADATA"),
            b"Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 1.0\nSummary: caf\xe9\n\
              Description: a long\n  description\n\nName: body-not-a-header\n",
        );
        write(&site.join("Foo_Bar-1.0.dist-info/RECORD"), b"");
        write(
            &site.join("six-1.16.0.dist-info/METADATA"),
            b"Metadata-Version: 2.1\r\nname: six\r\nversion: 1.16.0\r\n\r\nbody",
        );
        write(
            &site.join("legacy.egg-info/PKG-INFO"),
            b"Metadata-Version: 1.0\nName: Legacy.Pkg\nVersion: 0.9b1\n",
        );
        write(
            &site.join("old-0.1-py3.11.egg-info"),
            b"Metadata-Version: 1.0\nName: old\nVersion: 0.1\n",
        );
        // Broken: a body before the version, no metadata file, an empty version.
        write(
            &site.join("broken-1.0.dist-info/METADATA"),
            b"Metadata-Version: 2.1\nName: broken\n\nVersion: 1.0\n",
        );
        fs::create_dir_all(site.join("nometa-1.0.dist-info")).unwrap();
        write(
            &site.join("empty-1.0.dist-info/METADATA"),
            b"Name: empty\nVersion:\n",
        );
        write(&site.join("six.py"), b"");
    }

    fn names(found: &[(String, String, PathBuf)], root: &Path) -> Vec<String> {
        found
            .iter()
            .map(|(name, version, path)| {
                let path = path.strip_prefix(root).unwrap().to_string_lossy();
                format!("{name} {version} {}", path.replace('\\', "/"))
            })
            .collect()
    }

    #[test]
    fn reads_dist_info_and_egg_info_of_a_virtualenv() {
        let dir = tempfile::tempdir().unwrap();
        let venv = dir.path().join(".venv");
        populate(&venv.join("lib/python3.11/site-packages"));
        write(&venv.join("bin/python"), b"");
        let expected = [
            "foo-bar 1.0 lib/python3.11/site-packages/Foo_Bar-1.0.dist-info/METADATA",
            "legacy-pkg 0.9b1 lib/python3.11/site-packages/legacy.egg-info/PKG-INFO",
            "old 0.1 lib/python3.11/site-packages/old-0.1-py3.11.egg-info",
            "six 1.16.0 lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA",
        ];
        assert_eq!(names(&read_environment(&venv).unwrap(), &venv), expected);
        // The interpreter stands for its environment.
        let found = read_environment(&venv.join("bin/python")).unwrap();
        assert_eq!(names(&found, &venv), expected);
        // And a site-packages folder for itself.
        let site = venv.join("lib/python3.11/site-packages");
        assert_eq!(read_environment(&site).unwrap().len(), 4);
        // A folder of dist-infos under another name is a site-packages too.
        let copy = dir.path().join("vendored");
        populate(&copy);
        assert_eq!(read_environment(&copy).unwrap().len(), 4);
    }

    #[test]
    fn reads_windows_and_pypy_layouts() {
        let dir = tempfile::tempdir().unwrap();
        let windows = dir.path().join("win");
        populate(&windows.join("Lib/site-packages"));
        write(&windows.join("Scripts/python.exe"), b"");
        let found = read_environment(&windows.join("Scripts/python.exe")).unwrap();
        assert_eq!(found.len(), 4);

        let pypy = dir.path().join("pypy");
        populate(&pypy.join("lib/pypy3.10/site-packages"));
        assert_eq!(read_environment(&pypy).unwrap().len(), 4);
    }

    #[test]
    fn an_empty_site_packages_is_an_empty_environment() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("lib/python3.12/site-packages")).unwrap();
        assert_eq!(read_environment(dir.path()), Ok(Vec::new()));
    }

    #[test]
    fn errors_name_the_path_and_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nowhere");
        let error = read_environment(&missing).unwrap_err();
        assert!(
            error.ends_with("nowhere: no such file or folder"),
            "{error}"
        );

        fs::create_dir_all(dir.path().join("lib/python3.12")).unwrap();
        let error = read_environment(dir.path()).unwrap_err();
        assert!(error.contains("no site-packages folder found"), "{error}");

        // A project's source tree with setuptools' egg-info is no environment.
        let project = dir.path().join("project");
        write(
            &project.join("demo.egg-info/PKG-INFO"),
            b"Name: demo\nVersion: 1\n",
        );
        let error = read_environment(&project).unwrap_err();
        assert!(error.contains("no site-packages folder found"), "{error}");

        let file = dir.path().join("requirements.txt");
        write(&file, b"six\n");
        let error = read_environment(&file).unwrap_err();
        assert!(error.ends_with("not a Python environment folder or interpreter"));
    }
}
