//! Writing a fixed file so that a reader never sees half of it and a change made
//! since it was read is never overwritten.

use std::io::Write;
use std::path::Path;

/// Replaces the file at `path` with `new_text`, if it still holds exactly
/// `expected_old`.
///
/// The new text goes to a temporary file in the same folder (a rename across file
/// systems would not be atomic), takes the original's permissions (and owner, on
/// Unix), is flushed to disk, then renamed over the original: a crash leaves either
/// the old file or the new one. A symbolic link is followed and its target
/// replaced, so the link survives. Refused, with the file untouched, when the file
/// changed on disk since it was read or is read-only (even for root, who could
/// rename over it: read-only says "don't rewrite"). On any error the temporary file
/// is removed.
///
/// There is a window between the re-read and the rename in which another writer
/// can still lose its change; closing it would need locks no editor takes.
pub fn write_atomically(path: &Path, expected_old: &str, new_text: &str) -> Result<(), String> {
    let target = std::fs::canonicalize(path).map_err(|err| format!("cannot read it: {err}"))?;
    let current = std::fs::read(&target).map_err(|err| format!("cannot read it: {err}"))?;
    if current != expected_old.as_bytes() {
        return Err("it changed on disk since it was read".into());
    }
    let metadata = writable(&target)?;
    let permissions = metadata.permissions();
    let folder = target
        .parent()
        .ok_or_else(|| "it has no parent folder".to_string())?;
    let mut temp = tempfile::NamedTempFile::new_in(folder)
        .map_err(|err| format!("cannot create a temporary file beside it: {err}"))?;
    temp.write_all(new_text.as_bytes())
        .map_err(|err| format!("cannot write the temporary file: {err}"))?;
    temp.as_file()
        .set_permissions(permissions)
        .map_err(|err| format!("cannot copy its permissions: {err}"))?;
    keep_owner(temp.as_file(), &metadata)?;
    temp.as_file()
        .sync_all()
        .map_err(|err| format!("cannot flush the temporary file: {err}"))?;
    temp.persist(&target)
        .map_err(|err| format!("cannot replace it: {}", err.error))?;
    Ok(())
}

/// The file's metadata, when [`write_atomically`] would not refuse it for what
/// it is: a read-only file (even for root, who could rename over it: read-only
/// says "don't rewrite").
pub(super) fn writable(path: &Path) -> Result<std::fs::Metadata, String> {
    let metadata = std::fs::metadata(path).map_err(|err| format!("cannot read it: {err}"))?;
    if metadata.permissions().readonly() {
        return Err("it is read-only".into());
    }
    Ok(metadata)
}

/// Gives the new file the original's owner and group, so that fixing a file as
/// root (in a container, a CI job) does not take it from its user.
#[cfg(unix)]
fn keep_owner(file: &std::fs::File, original: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let new = file
        .metadata()
        .map_err(|err| format!("cannot read the temporary file: {err}"))?;
    if (new.uid(), new.gid()) == (original.uid(), original.gid()) {
        return Ok(());
    }
    std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid()))
        .map_err(|err| format!("cannot keep its owner: {err}"))
}

#[cfg(not(unix))]
fn keep_owner(_file: &std::fs::File, _original: &std::fs::Metadata) -> Result<(), String> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("readable folder")
            .map(|entry| {
                entry
                    .expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_file_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("function.yaml");
        std::fs::write(&path, "image: mlrun/mlrun\r\n").expect("write");
        write_atomically(
            &path,
            "image: mlrun/mlrun\r\n",
            "image: mlrun/mlrun:1.6.4\r\n",
        )
        .expect("written");
        assert_eq!(
            std::fs::read(&path).expect("read"),
            b"image: mlrun/mlrun:1.6.4\r\n"
        );
        assert_eq!(entries(dir.path()), vec!["function.yaml"]);
    }

    #[cfg(unix)]
    #[test]
    fn permissions_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("function.yaml");
        std::fs::write(&path, "a").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        write_atomically(&path, "a", "b").expect("written");
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }

    #[test]
    fn a_file_changed_on_disk_is_not_overwritten() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("function.yaml");
        std::fs::write(&path, "edited by someone else").expect("write");
        let err = write_atomically(&path, "as read", "fixed").expect_err("refused");
        assert!(err.contains("changed on disk"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "edited by someone else"
        );
        assert_eq!(entries(dir.path()), vec!["function.yaml"]);
    }

    #[test]
    fn a_read_only_file_is_refused_and_untouched() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("function.yaml");
        std::fs::write(&path, "old").expect("write");
        let mut permissions = std::fs::metadata(&path).expect("stat").permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(&path, permissions).expect("chmod");
        let err = write_atomically(&path, "old", "new").expect_err("refused");
        assert!(err.contains("read-only"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "old");
        assert_eq!(entries(dir.path()), vec!["function.yaml"]);
    }

    #[test]
    fn a_missing_file_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = write_atomically(&dir.path().join("gone.yaml"), "a", "b").expect_err("refused");
        assert!(err.contains("cannot read"), "{err}");
        assert!(entries(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_keeps_pointing_at_the_fixed_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let real = dir.path().join("real.yaml");
        let link = dir.path().join("link.yaml");
        std::fs::write(&real, "old").expect("write");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        write_atomically(&link, "old", "new").expect("written");
        assert!(std::fs::symlink_metadata(&link)
            .expect("stat")
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).expect("read"), "new");
    }
}
