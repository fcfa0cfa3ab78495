//! Writing a fixed file so that a reader never sees half of it, a change made
//! since it was read is never overwritten, and the file keeps what the user set
//! on it.
//!
//! **Rename, not in-place.** The new text is written to a temporary file beside
//! the original and renamed over it: a crash or SIGKILL at any moment leaves
//! either the old file or the new one, never a mix, with no backup to restore.
//! The rename gives the file a new inode, so what an in-place write would keep
//! for free is carried over or refused: permissions, owner and group, and every
//! extended attribute (POSIX ACLs live in `system.posix_acl_access`, SELinux
//! labels in `security.selinux`) are copied; a file whose extended attributes
//! cannot all be copied, a setuid/setgid file (the bit would have to be set
//! again by hand, and silently clearing it changes what runs) and a file with
//! more than one hard link (the rename would split the links) are refused with
//! a message, untouched.
//!
//! **Temporary files** are named `.<name>.mlrun-lint-fix.<pid>.<random>`: a
//! person seeing one knows what made it, and a later run (`check` or `--fix`)
//! removes those its walk of the checked tree meets whose process is gone
//! (SIGKILL, power loss) and that were written before it started ([`remove_stale`]).

use std::io::Write;
use std::path::{Path, PathBuf};

/// The marker in the name of every temporary file a fix writes.
pub const TEMP_MARKER: &str = ".mlrun-lint-fix.";

/// Replaces the file at `path` with `new_text`, if it still holds exactly
/// `expected_old`.
///
/// A symbolic link is followed and its target replaced, so the link survives.
/// Refused, with the file untouched, when the file changed on disk since it was
/// read, is read-only (even for root, who could rename over it: read-only says
/// "don't rewrite"), or would lose something in the rename (see the module
/// documentation). On any error the temporary file is removed.
///
/// **Lost updates.** Right before the rename the file is read again and its
/// identity (device, inode, size, modification time) compared with what it was
/// when the write started, and its content with `expected_old`: a change made
/// at any time between mlrun-lint's read and that last check refuses the write.
/// What remains is the few microseconds between the last check and rename(2):
/// a write landing there is lost. Closing that would need a lock every editor
/// honours, and none takes one.
pub fn write_atomically(path: &Path, expected_old: &str, new_text: &str) -> Result<(), String> {
    write_checked(path, expected_old, new_text, || {})
}

/// [`write_atomically`], calling `before_last_check` after the temporary file is
/// complete and before the file is checked a last time (where a racing writer is
/// put in tests).
fn write_checked(
    path: &Path,
    expected_old: &str,
    new_text: &str,
    before_last_check: impl FnOnce(),
) -> Result<(), String> {
    let target = std::fs::canonicalize(path).map_err(|err| format!("cannot read it: {err}"))?;
    let metadata = writable(&target)?;
    let current = std::fs::read(&target).map_err(|err| format!("cannot read it: {err}"))?;
    if current != expected_old.as_bytes() {
        return Err("it changed on disk since it was read".into());
    }
    let folder = target
        .parent()
        .ok_or_else(|| "it has no parent folder".to_string())?;
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}{TEMP_MARKER}{}.", std::process::id()))
        .rand_bytes(6)
        .tempfile_in(folder)
        .map_err(|err| format!("cannot create a temporary file beside it: {err}"))?;
    temp.write_all(new_text.as_bytes())
        .map_err(|err| format!("cannot write the temporary file: {err}"))?;
    keep_owner(temp.as_file(), &metadata)?;
    // After the owner: changing the owner clears setuid/setgid, and the
    // permissions must be the original's exactly.
    temp.as_file()
        .set_permissions(metadata.permissions())
        .map_err(|err| format!("cannot copy its permissions: {err}"))?;
    copy_extended_attributes(&target, temp.path())?;
    temp.as_file()
        .sync_all()
        .map_err(|err| format!("cannot flush the temporary file: {err}"))?;
    before_last_check();
    let now = std::fs::metadata(&target).map_err(|err| format!("cannot read it: {err}"))?;
    let again = std::fs::read(&target).map_err(|err| format!("cannot read it: {err}"))?;
    if again != expected_old.as_bytes() || !same_identity(&metadata, &now) {
        return Err("it changed on disk while the fix was being written".into());
    }
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
    refuse_what_a_rename_loses(&metadata)?;
    Ok(metadata)
}

/// Refuses a file the rename would change beyond its text: setuid/setgid bits
/// (cleared by the owner change, and easy to lose unseen) and hard links.
#[cfg(unix)]
fn refuse_what_a_rename_loses(metadata: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    if metadata.mode() & 0o6000 != 0 {
        return Err(
            "it is setuid or setgid, which rewriting it would clear: fix it by hand".into(),
        );
    }
    if metadata.nlink() > 1 {
        return Err(format!(
            "it has {} hard links, which replacing it would split: fix it by hand",
            metadata.nlink()
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_what_a_rename_loses(_metadata: &std::fs::Metadata) -> Result<(), String> {
    Ok(())
}

/// Whether two looks at a file saw the same file, unchanged: same device and
/// inode (not replaced), same size and modification time (not written in place).
#[cfg(unix)]
fn same_identity(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino(), a.size(), a.mtime(), a.mtime_nsec())
        == (b.dev(), b.ino(), b.size(), b.mtime(), b.mtime_nsec())
}

#[cfg(not(unix))]
fn same_identity(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    (a.len(), a.modified().ok()) == (b.len(), b.modified().ok())
}

/// Copies every extended attribute of `from` to `to` (ACLs and security labels
/// included), or says which one could not be copied.
#[cfg(unix)]
fn copy_extended_attributes(from: &Path, to: &Path) -> Result<(), String> {
    let names = match xattr::list(from) {
        Ok(names) => names,
        // A file system without extended attributes has none to lose.
        Err(err) if err.raw_os_error() == Some(libc::ENOTSUP) => return Ok(()),
        Err(err) => return Err(format!("cannot list its extended attributes: {err}")),
    };
    for name in names {
        let shown = name.to_string_lossy().into_owned();
        let Some(value) = xattr::get(from, &name)
            .map_err(|err| format!("cannot read its extended attribute `{shown}`: {err}"))?
        else {
            continue;
        };
        xattr::set(to, &name, &value)
            .map_err(|err| format!("cannot keep its extended attribute `{shown}`: {err}"))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn copy_extended_attributes(_from: &Path, _to: &Path) -> Result<(), String> {
    Ok(())
}

/// The random part of a temporary file's name: what `tempfile` draws, letters
/// and digits.
const TEMP_RANDOM_LEN: usize = 6;

/// Whether `name` is exactly the name [`write_atomically`] gives its temporary
/// files, `.<name>.mlrun-lint-fix.<pid>.<6 letters or digits>`, and if so the
/// process id in it. Nothing else is ever removed as stale: a person's
/// `notes.mlrun-lint-fix.txt` does not match.
pub fn temp_file_pid(name: &str) -> Option<u32> {
    let at = name.find(TEMP_MARKER)?;
    if !name.starts_with('.') || at < 2 {
        return None;
    }
    let (pid, random) = name[at + TEMP_MARKER.len()..].split_once('.')?;
    let pid_ok = !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit());
    let random_ok =
        random.len() == TEMP_RANDOM_LEN && random.bytes().all(|b| b.is_ascii_alphanumeric());
    (pid_ok && random_ok).then(|| pid.parse().ok()).flatten()
}

/// Removes the temporary files among `found` (paths whose names
/// [`temp_file_pid`] accepts, met while walking the checked tree) that a run
/// killed before it could clean up left behind: a regular file, not a link,
/// last written before this run `started`, whose process is gone. Files of a
/// mlrun-lint still running are left alone. Returns the files removed.
pub fn remove_stale(found: &[PathBuf], started: std::time::SystemTime) -> Vec<PathBuf> {
    found
        .iter()
        .filter(|path| {
            let Some(pid) = path
                .file_name()
                .and_then(|name| name.to_str())
                .and_then(temp_file_pid)
            else {
                return false;
            };
            let old = std::fs::symlink_metadata(path).is_ok_and(|metadata| {
                metadata.file_type().is_file()
                    && metadata.modified().is_ok_and(|written| written < started)
            });
            old && pid != std::process::id() && !process_exists(pid)
        })
        .filter(|path| std::fs::remove_file(path).is_ok())
        .cloned()
        .collect()
}

#[cfg(unix)]
fn process_exists(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid == 0 {
        return false;
    }
    // Signal 0 checks without sending: EPERM means the process exists (another
    // user's), ESRCH that it is gone.
    // SAFETY: kill with signal 0 has no effect beyond the check.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn process_exists(_pid: u32) -> bool {
    true
}

/// Refuses a symbolic link whose target lies outside every path checked
/// (`roots`): fixing it would rewrite a file the user did not ask to check,
/// perhaps in another project. A file named itself on the command line is
/// inside (the user named it).
pub fn link_inside(path: &Path, roots: &[PathBuf]) -> Result<(), String> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(());
    }
    let target = std::fs::canonicalize(path).map_err(|err| format!("cannot read it: {err}"))?;
    let inside = roots.iter().any(|root| {
        std::fs::canonicalize(root).is_ok_and(|root| target.starts_with(&root))
            || crate::paths::same_file(root, path)
    });
    if inside {
        Ok(())
    } else {
        Err(format!(
            "it is a symbolic link to {}, outside the checked paths: fix that file itself",
            crate::paths::quote(&target.to_string_lossy())
        ))
    }
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

    #[test]
    fn a_change_while_the_fix_is_written_is_not_overwritten() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("requirements.txt");
        std::fs::write(&path, "pandas\n").expect("write");
        let err = write_checked(&path, "pandas\n", "pandas==2.2.2\n", || {
            std::fs::write(&path, "pandas\nnumpy\n").expect("the racing write");
        })
        .expect_err("refused");
        assert_eq!(err, "it changed on disk while the fix was being written");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "pandas\nnumpy\n"
        );
        assert_eq!(entries(dir.path()), vec!["requirements.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_replaced_with_the_same_text_while_the_fix_is_written_is_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("requirements.txt");
        std::fs::write(&path, "pandas\n").expect("write");
        let err = write_checked(&path, "pandas\n", "pandas==2.2.2\n", || {
            // An editor saving by rename: same bytes, another inode.
            let other = dir.path().join("saved");
            std::fs::write(&other, "pandas\n").expect("write");
            std::fs::rename(&other, &path).expect("rename");
        })
        .expect_err("refused");
        assert_eq!(err, "it changed on disk while the fix was being written");
    }

    #[cfg(unix)]
    #[test]
    fn extended_attributes_are_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("function.yaml");
        std::fs::write(&path, "a").expect("write");
        if xattr::set(&path, "user.mlrun-lint-test", b"kept").is_err() {
            return; // no user attributes on this file system
        }
        write_atomically(&path, "a", "b").expect("written");
        assert_eq!(
            xattr::get(&path, "user.mlrun-lint-test").expect("read"),
            Some(b"kept".to_vec())
        );
    }

    #[cfg(unix)]
    #[test]
    fn setuid_files_and_hard_links_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("function.yaml");
        std::fs::write(&path, "a").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o4755)).expect("chmod");
        let err = write_atomically(&path, "a", "b").expect_err("refused");
        assert_eq!(
            err,
            "it is setuid or setgid, which rewriting it would clear: fix it by hand"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        std::fs::hard_link(&path, dir.path().join("other.yaml")).expect("link");
        let err = write_atomically(&path, "a", "b").expect_err("refused");
        assert_eq!(
            err,
            "it has 2 hard links, which replacing it would split: fix it by hand"
        );
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "a");
    }

    #[test]
    fn only_its_own_temporary_file_names_are_recognised() {
        assert_eq!(
            temp_file_pid(".function.yaml.mlrun-lint-fix.4242.aB3xYz"),
            Some(4242)
        );
        for name in [
            "function.yaml.mlrun-lint-fix.4242.aB3xYz",
            "..mlrun-lint-fix.4242.aB3xYz",
            ".function.yaml.mlrun-lint-fix..aB3xYz",
            ".function.yaml.mlrun-lint-fix.42a.aB3xYz",
            ".function.yaml.mlrun-lint-fix.4242.aB3xY",
            ".function.yaml.mlrun-lint-fix.4242.aB3xYz.bak",
            ".notes.mlrun-lint-fix.txt",
        ] {
            assert_eq!(temp_file_pid(name), None, "{name}");
        }
    }

    #[test]
    fn stale_temporary_files_of_gone_runs_are_removed() {
        let dir = tempfile::tempdir().expect("temp dir");
        // No process has id 2^31 - 2; this one is running.
        let gone = format!(".requirements.txt{TEMP_MARKER}2147483646.abc123");
        let running = format!(
            ".requirements.txt{TEMP_MARKER}{}.abc123",
            std::process::id()
        );
        let newer = format!(".project.yaml{TEMP_MARKER}2147483646.abc123");
        let lookalike = ".notes.mlrun-lint-fix.1.x".to_string();
        for name in [&gone, &running, &lookalike] {
            std::fs::write(dir.path().join(name), "x").expect("write");
        }
        let started = std::time::SystemTime::now() + std::time::Duration::from_secs(1);
        // Written after the run started: another run's, not a leftover.
        std::fs::write(dir.path().join(&newer), "x").expect("write");
        let newer_time = started + std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(dir.path().join(&newer))
            .and_then(|file| file.set_modified(newer_time))
            .expect("set the time");
        let found: Vec<PathBuf> = [&gone, &running, &newer, &lookalike]
            .iter()
            .map(|name| dir.path().join(name))
            .collect();
        assert_eq!(remove_stale(&found, started), vec![dir.path().join(&gone)]);
        assert_eq!(entries(dir.path()), vec![lookalike, newer, running]);
    }
}
