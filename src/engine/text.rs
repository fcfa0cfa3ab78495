//! A file's text between reading and reporting. Most of a large tree's files
//! have findings, and their texts were once all held from the first read to the
//! report: the largest part of a run's memory. A text read from disk is now let
//! go as soon as its facts are read (or, for a Python module that imports or
//! exports SDK wrappers, once the modules are linked), and read again only when
//! the file has something to report, for positions, fingerprints, `# noqa` and
//! code frames. The length and hash of the first read show that the second read
//! is the same text the facts came from.

use std::hash::Hasher;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub enum FileText {
    /// A text that is not the file on disk as read (an editor's buffer, standard
    /// input, what can be shown of a file that is not UTF-8): kept throughout.
    Held(Arc<str>),
    /// A text read from disk, `held` until [released](FileText::release).
    Disk(DiskText),
}

#[derive(Clone, Debug)]
pub struct DiskText {
    held: Option<Arc<str>>,
    len: usize,
    hash: u64,
    /// Whether the text mentions `noqa`: a file with no finding is read again
    /// only when a `# noqa` comment may be unused (MLR004).
    mentions_noqa: bool,
}

/// A text let go that could not be read again as it was, with what was read
/// instead (`None` when the file could not be read at all).
#[derive(Debug, PartialEq, Eq)]
pub struct Changed(pub Option<String>);

/// The hash a text read from disk is recognised by (also the [cache](crate::cache)'s).
pub fn hash(text: &str) -> u64 {
    hash_bytes(text.as_bytes())
}

/// [`hash`] over any bytes (the cache checks its pieces with it).
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write(bytes);
    hasher.finish()
}

impl FileText {
    /// A text just read from disk, whose hash is `hash`.
    pub fn from_disk(text: String, hash: u64) -> Self {
        FileText::Disk(DiskText {
            len: text.len(),
            hash,
            mentions_noqa: crate::suppress::noqa::mentions_noqa(&text),
            held: Some(Arc::from(text)),
        })
    }

    /// A text just read from disk, whose hash is `hash`, let go at once (never
    /// copied into the shared text a held one is kept as).
    pub fn released(text: &str, hash: u64) -> Self {
        Self::unread(text.len(), hash, crate::suppress::noqa::mentions_noqa(text))
    }

    /// A text on disk not read this run, known by its length and hash (and
    /// whether it mentions `noqa`) from the [cache](crate::cache).
    pub fn unread(len: usize, hash: u64, mentions_noqa: bool) -> Self {
        FileText::Disk(DiskText {
            held: None,
            len,
            hash,
            mentions_noqa,
        })
    }

    /// Lets a text read from disk go; a held text stays.
    pub fn release(&mut self) {
        if let FileText::Disk(disk) = self {
            disk.held = None;
        }
    }

    /// The text while it is in memory.
    pub fn held(&self) -> Option<&Arc<str>> {
        match self {
            FileText::Held(text) => Some(text),
            FileText::Disk(disk) => disk.held.as_ref(),
        }
    }

    /// Whether a file with no finding still needs its text: for `# noqa`
    /// comments, which may be unused.
    pub fn may_hold_noqa(&self) -> bool {
        match self {
            FileText::Held(text) => crate::suppress::noqa::mentions_noqa(text),
            FileText::Disk(disk) => disk.mentions_noqa,
        }
    }

    /// The text, read again through `read` when it was let go; [`Changed`] when
    /// what `read` gives is not the text first read (the file was written
    /// meanwhile, or can no longer be read).
    pub fn get(self, read: impl FnOnce() -> Option<String>) -> Result<Arc<str>, Changed> {
        match self {
            FileText::Held(text) => Ok(text),
            FileText::Disk(DiskText {
                held: Some(text), ..
            }) => Ok(text),
            FileText::Disk(disk) => {
                let text = read().ok_or(Changed(None))?;
                if text.len() == disk.len && hash(&text) == disk.hash {
                    Ok(Arc::from(text))
                } else {
                    Err(Changed(Some(text)))
                }
            }
        }
    }
}

impl Default for FileText {
    fn default() -> Self {
        FileText::Held(Arc::from(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_released_text_comes_back_only_when_it_is_the_same() {
        let text = "image: mlrun/mlrun\n".to_string();
        let mut file = FileText::from_disk(text.clone(), hash(&text));
        file.release();
        assert!(file.held().is_none());
        let same = file.clone().get(|| Some(text.clone()));
        assert_eq!(same.as_deref().ok(), Some(text.as_str()));
        let edited = file.clone().get(|| Some("image: mlrun/mlrum\n".into()));
        assert_eq!(edited, Err(Changed(Some("image: mlrun/mlrum\n".into()))));
        assert_eq!(file.get(|| None), Err(Changed(None)));
    }

    #[test]
    fn a_held_text_is_never_read_again() {
        let mut file = FileText::Held(Arc::from("x # noqa"));
        file.release();
        assert!(file.may_hold_noqa());
        assert_eq!(
            file.get(|| unreachable!()).as_deref().ok(),
            Some("x # noqa")
        );
    }
}
