//! The files git tracks, read from the repository's index (`.git/index`).
//!
//! Git applies `.gitignore` to *untracked* files only: a tracked `function.yaml`
//! under an ignored folder is still part of every commit and every deploy, so it
//! must still be checked. The index is read directly (format: git's
//! `Documentation/gitformat-index.txt`, versions 2 to 4) rather than by running
//! `git`, which may not be installed where the linter runs. Whatever cannot be read
//! exactly (an unknown version, a split index, a truncated file) gives `None`, and
//! the walk then decides alone, as it does outside a repository.

use std::path::{Path, PathBuf};

/// An index larger than this is not read (a repository of millions of files);
/// the walk alone decides then.
pub const MAX_INDEX_BYTES: u64 = 512 * 1024 * 1024;

/// The repository whose work tree holds `folder` (an ancestor with `.git`): its
/// work-tree root and its git folder (`.git`, or where a `gitdir:` file points,
/// for worktrees and submodules).
pub fn repository_of(folder: &Path) -> Option<(PathBuf, PathBuf)> {
    for dir in folder.ancestors() {
        let dot_git = dir.join(".git");
        if dot_git.is_dir() {
            return Some((dir.to_path_buf(), dot_git));
        }
        if dot_git.is_file() {
            let text = std::fs::read_to_string(&dot_git).ok()?;
            let target = text.lines().next()?.strip_prefix("gitdir:")?.trim();
            return Some((dir.to_path_buf(), dir.join(target)));
        }
    }
    None
}

/// The paths the index of `git_dir` tracks, relative to the work tree, `/`-separated,
/// sorted and without duplicates (a conflicted path has one entry per stage).
pub fn tracked_paths(git_dir: &Path) -> Option<Vec<String>> {
    let index = git_dir.join("index");
    if std::fs::metadata(&index).ok()?.len() > MAX_INDEX_BYTES {
        return None;
    }
    let bytes = std::fs::read(index).ok()?;
    let mut paths = parse(&bytes, hash_len(git_dir))?;
    paths.dedup();
    Some(paths)
}

/// SHA-256 repositories (`extensions.objectformat = sha256`) store 32-byte object
/// names in the index; SHA-1 ones 20.
fn hash_len(git_dir: &Path) -> usize {
    let config = std::fs::read_to_string(git_dir.join("config"))
        .or_else(|_| {
            // A worktree's git folder has no config; its repository's has.
            let common = std::fs::read_to_string(git_dir.join("commondir"))?;
            std::fs::read_to_string(git_dir.join(common.trim()).join("config"))
        })
        .unwrap_or_default();
    let sha256 = config.lines().any(|line| {
        let line = line.trim().to_ascii_lowercase().replace(' ', "");
        line == "objectformat=sha256"
    });
    if sha256 {
        32
    } else {
        20
    }
}

/// Mode bits of entries that are no files: a sparse index's folders and gitlinks
/// (submodules).
const MODE_TYPE_MASK: u32 = 0o170000;
const MODE_DIR: u32 = 0o040000;
const MODE_GITLINK: u32 = 0o160000;

/// The file paths of an index, or `None` when it is not one this reader knows.
fn parse(bytes: &[u8], hash_len: usize) -> Option<Vec<String>> {
    if bytes.get(..4)? != b"DIRC" {
        return None;
    }
    let version = be32(bytes, 4)?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = be32(bytes, 8)? as usize;
    let stat_len = 40;
    let mut at = 12;
    let mut previous: Vec<u8> = Vec::new();
    let mut paths = Vec::with_capacity(count.min(1 << 20));
    for _ in 0..count {
        let start = at;
        let mode = be32(bytes, start + 24)?;
        let flags_at = start + stat_len + hash_len;
        let flags = u16::from_be_bytes(bytes.get(flags_at..flags_at + 2)?.try_into().ok()?);
        let extended = version >= 3 && flags & 0x4000 != 0;
        let path_at = flags_at + 2 + if extended { 2 } else { 0 };
        let path = if version == 4 {
            let (strip, after) = varint(bytes, path_at)?;
            let end = after + bytes.get(after..)?.iter().position(|&b| b == 0)?;
            let keep = previous.len().checked_sub(strip)?;
            previous.truncate(keep);
            previous.extend_from_slice(&bytes[after..end]);
            at = end + 1;
            previous.clone()
        } else {
            let end = path_at + bytes.get(path_at..)?.iter().position(|&b| b == 0)?;
            let path = bytes[path_at..end].to_vec();
            // Entries are padded with 1 to 8 NULs to a multiple of eight bytes.
            let len = end - start;
            at = start + (len + 8) / 8 * 8;
            path
        };
        if at > bytes.len() {
            return None;
        }
        let kind = mode & MODE_TYPE_MASK;
        if kind != MODE_DIR && kind != MODE_GITLINK {
            paths.push(String::from_utf8(path).ok()?);
        }
    }
    // A split index keeps most entries in a shared file: this one alone is partial.
    if has_extension(bytes, at, hash_len, b"link")? {
        return None;
    }
    paths.sort();
    Some(paths)
}

/// Whether the extensions that follow the entries (at `at`, up to the trailing
/// checksum) include one with this signature; `None` when they do not add up.
fn has_extension(
    bytes: &[u8],
    mut at: usize,
    hash_len: usize,
    signature: &[u8; 4],
) -> Option<bool> {
    let end = bytes.len().checked_sub(hash_len)?;
    while at + 8 <= end {
        if &bytes[at..at + 4] == signature {
            return Some(true);
        }
        at = at
            .checked_add(8)?
            .checked_add(be32(bytes, at + 4)? as usize)?;
    }
    (at == end).then_some(false)
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Git's offset varint (index v4 path prefixes): the value and the offset after it.
fn varint(bytes: &[u8], mut at: usize) -> Option<(usize, usize)> {
    let mut byte = *bytes.get(at)?;
    at += 1;
    let mut value = usize::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        byte = *bytes.get(at)?;
        at += 1;
        value = value
            .checked_add(1)?
            .checked_mul(128)?
            .checked_add(usize::from(byte & 0x7f))?;
    }
    Some((value, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index entry of version 2/3 for `path` (zeroed stat data and hash).
    fn entry(path: &str, mode: u32, hash_len: usize) -> Vec<u8> {
        let mut e = vec![0u8; 40 + hash_len];
        e[24..28].copy_from_slice(&mode.to_be_bytes());
        e.extend_from_slice(&(path.len() as u16).to_be_bytes());
        e.extend_from_slice(path.as_bytes());
        let len = e.len();
        e.resize((len + 8) / 8 * 8, 0);
        e
    }

    fn index(version: u32, entries: &[Vec<u8>]) -> Vec<u8> {
        let mut bytes = b"DIRC".to_vec();
        bytes.extend_from_slice(&version.to_be_bytes());
        bytes.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        for e in entries {
            bytes.extend_from_slice(e);
        }
        bytes.extend_from_slice(&[0u8; 20]);
        bytes
    }

    #[test]
    fn version_2_entries_skip_folders_and_submodules() {
        let bytes = index(
            2,
            &[
                entry("a/function.yaml", 0o100644, 20),
                entry("lib", 0o160000, 20),
                entry("sparse/", 0o040000, 20),
                entry("z.py", 0o100755, 20),
            ],
        );
        assert_eq!(
            parse(&bytes, 20),
            Some(vec!["a/function.yaml".to_string(), "z.py".to_string()])
        );
        assert_eq!(parse(&bytes[..bytes.len() - 40], 20), None);
        assert_eq!(parse(b"DIRC\0\0\0\x05\0\0\0\0", 20), None);
        assert_eq!(parse(b"nope", 20), None);
    }

    #[test]
    fn version_4_prefix_compression() {
        let mut bytes = b"DIRC".to_vec();
        bytes.extend_from_slice(&4u32.to_be_bytes());
        bytes.extend_from_slice(&2u32.to_be_bytes());
        for (strip, suffix) in [(0u8, "src/function.yaml"), (13u8, "project.yaml")] {
            let mut e = vec![0u8; 60];
            e[24..28].copy_from_slice(&0o100644u32.to_be_bytes());
            e.extend_from_slice(&0u16.to_be_bytes());
            e.push(strip);
            e.extend_from_slice(suffix.as_bytes());
            e.push(0);
            bytes.extend_from_slice(&e);
        }
        bytes.extend_from_slice(&[0u8; 20]);
        assert_eq!(
            parse(&bytes, 20),
            Some(vec![
                "src/function.yaml".to_string(),
                "src/project.yaml".to_string()
            ])
        );
        assert_eq!(varint(&[0x80, 0x00], 0), Some((128, 2)));
    }
}
