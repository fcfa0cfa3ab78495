use super::*;
use crate::engine::FileText;
use crate::facts::{Origin, Problem};
use crate::span::Span;
use std::sync::Arc;

fn problem(message: &str) -> Fact {
    Fact::Problem(Problem {
        origin: Origin::new(Span::new(1, 4), None, "image"),
        kind: ProblemKind::Parse,
        message: message.into(),
    })
}

fn file(path: &str, facts: Vec<Fact>) -> ReadFile {
    ReadFile {
        path: PathBuf::from(path),
        kind: Some(FileKind::Yaml),
        context_only: false,
        text: FileText::Held(Arc::from("text")),
        facts,
        cells: None,
        interface: Default::default(),
        parked: None,
    }
}

/// The facts of a cache entry taken, read back from where they are.
fn decoded(cached: &Cached) -> Result<Vec<Fact>, String> {
    let piece = &cached.facts;
    let bytes = piece.store.get(piece.at, piece.len).unwrap();
    assert_eq!(Some(crate::engine::text::hash_bytes(&bytes)), piece.hash);
    crate::facts::parked::decode(&bytes)
}

fn stamp(text: &str) -> Stamp {
    Stamp::of(text, Some(UNIX_EPOCH + std::time::Duration::from_secs(7))).unwrap()
}

/// A cache in `dir` holding `facts` for `/tree/a.yaml` read from "text".
fn saved(dir: &Path, facts: Vec<Fact>) {
    let read = file("/tree/a.yaml", facts);
    Cache::load(dir).save([(&read, "/tree/a.yaml", stamp("text"))], |_| true);
}

#[test]
fn facts_saved_are_taken_back_for_the_same_text_only() {
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join(DIR_NAME);
    saved(&cache_dir, vec![problem("one")]);
    assert_eq!(
        std::fs::read_to_string(cache_dir.join(".gitignore")).unwrap(),
        "# Created by mlrun-lint\n*\n"
    );
    let cache = Cache::load(&cache_dir);
    let taken = cache.take("/tree/a.yaml", FileKind::Yaml, stamp("text"));
    let facts = taken.map(|cached| decoded(&cached));
    assert_eq!(facts, Some(Ok(vec![problem("one")])));
    let cache = Cache::load(&cache_dir);
    assert!(cache
        .take("/tree/a.yaml", FileKind::Yaml, stamp("texT"))
        .is_none());
    let cache = Cache::load(&cache_dir);
    assert!(cache
        .take("/tree/a.yaml", FileKind::Requirements, stamp("text"))
        .is_none());
    let cache = Cache::load(&cache_dir);
    assert!(cache
        .take("/tree/b.yaml", FileKind::Yaml, stamp("text"))
        .is_none());
}

/// A parked file's facts are written from their encoding, and come back whole.
#[test]
fn parked_facts_are_saved_as_they_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join(DIR_NAME);
    let facts = vec![problem("one"), problem("two")];
    let mut read = file("/tree/a.yaml", facts.clone());
    read.park(&crate::facts::parked::Store::new());
    assert!(read.parked.is_some() && read.facts.is_empty());
    Cache::load(&cache_dir).save([(&read, "/tree/a.yaml", stamp("text"))], |_| true);
    let taken = Cache::load(&cache_dir).take("/tree/a.yaml", FileKind::Yaml, stamp("text"));
    let facts_back = taken.map(|cached| decoded(&cached));
    assert_eq!(facts_back, Some(Ok(facts)));
}

#[test]
fn the_same_text_at_another_time_is_another_stamp() {
    let at = |secs| {
        Stamp::of(
            "text",
            Some(UNIX_EPOCH + std::time::Duration::from_secs(secs)),
        )
    };
    assert_ne!(at(1), at(2));
    assert_eq!(at(1), at(1));
    assert_eq!(Stamp::of("text", None), None);
}

/// `good` with its index rewritten by `edit` (and its footer made to match).
fn with_index(good: &[u8], edit: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let footer = good.len() - FOOTER as usize;
    let len = u64::from_le_bytes(good[footer..footer + 8].try_into().unwrap()) as usize;
    let mut index = good[footer - len..footer].to_vec();
    edit(&mut index);
    let mut bytes = good[..footer - len].to_vec();
    bytes.extend_from_slice(&index);
    bytes.extend_from_slice(&(index.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&checksum(&index).to_le_bytes());
    bytes
}

/// Every way a cache file can be wrong: each is ignored (no entry), never
/// trusted, never a panic.
#[test]
fn garbage_truncated_and_foreign_caches_give_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join(DIR_NAME);
    let path = cache_dir.join(FILE_NAME);
    saved(&cache_dir, vec![problem("one")]);
    let good = std::fs::read(&path).unwrap();
    assert!(open(&path).is_some_and(|(_, _, entries)| entries.len() == 1));
    assert_eq!(with_index(&good, |_| {}), good);
    let flipped_at = |at: usize| {
        let mut bytes = good.clone();
        bytes[at] ^= 1;
        bytes
    };
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    let foreign = with_index(&good, |index| {
        let at = index
            .windows(version.len())
            .position(|w| w == version)
            .unwrap();
        index[at] ^= 1;
    });
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("garbage", b"not a cache at all, just words".to_vec()),
        ("magic only", MAGIC.to_vec()),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("one byte short", good[..good.len() - 1].to_vec()),
        ("one byte more", [good.as_slice(), b"x"].concat()),
        ("a flipped bit in the footer", flipped_at(good.len() - 1)),
        (
            "a flipped bit in the index",
            flipped_at(good.len() - FOOTER as usize - 1),
        ),
        ("a flipped bit in the facts", flipped_at(MAGIC.len())),
        ("another version", foreign),
    ];
    for (what, bytes) in bad {
        std::fs::write(&path, &bytes).unwrap();
        let cache = Cache::load(&cache_dir);
        assert!(
            cache
                .take("/tree/a.yaml", FileKind::Yaml, stamp("text"))
                .is_none(),
            "{what}"
        );
    }
}

/// The cache file a run opened stays the one it reads, whatever another run
/// writes in its place meanwhile.
#[test]
fn a_cache_replaced_while_a_run_reads_it_is_read_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join(DIR_NAME);
    saved(&cache_dir, vec![problem("one")]);
    let cache = Cache::load(&cache_dir);
    saved(&cache_dir, vec![problem("another")]);
    let taken = cache.take("/tree/a.yaml", FileKind::Yaml, stamp("text"));
    let facts = taken.map(|cached| decoded(&cached));
    assert_eq!(facts, Some(Ok(vec![problem("one")])));
}

#[test]
fn a_bad_cache_is_rewritten_by_the_next_save() {
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join(DIR_NAME);
    std::fs::create_dir_all(&cache_dir).unwrap();
    std::fs::write(cache_dir.join(FILE_NAME), b"garbage").unwrap();
    saved(&cache_dir, vec![problem("one")]);
    let cache = Cache::load(&cache_dir);
    assert!(cache
        .take("/tree/a.yaml", FileKind::Yaml, stamp("text"))
        .is_some());
}

#[test]
fn entries_not_kept_are_pruned_and_kept_ones_carried() {
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join(DIR_NAME);
    let a = file("/tree/a.yaml", vec![problem("a")]);
    let b = file("/other/b.yaml", vec![problem("b")]);
    Cache::load(&cache_dir).save(
        [
            (&a, "/tree/a.yaml", stamp("text")),
            (&b, "/other/b.yaml", stamp("text")),
        ],
        |_| true,
    );
    // A run over /tree that reads nothing: /tree's entry goes, /other's stays.
    Cache::load(&cache_dir).save([], |path| !path.starts_with("/tree"));
    let (_, _, entries) = open(&cache_dir.join(FILE_NAME)).unwrap();
    let paths: Vec<&str> = entries.keys().map(|path| &**path).collect();
    assert_eq!(paths, ["/other/b.yaml"]);
    // The entry carried is whole: its facts were copied from the old file.
    let taken = Cache::load(&cache_dir).take("/other/b.yaml", FileKind::Yaml, stamp("text"));
    let facts = taken.map(|cached| decoded(&cached));
    assert_eq!(facts, Some(Ok(vec![problem("b")])));
}

#[test]
fn failed_readers_and_linked_modules_are_not_cached() {
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join(DIR_NAME);
    let failed = file(
        "/tree/a.yaml",
        vec![Fact::Problem(Problem {
            origin: Origin::new(Span::at(0), None, "file"),
            kind: ProblemKind::ReaderFailed,
            message: "the YAML reader failed here".into(),
        })],
    );
    Cache::load(&cache_dir).save([(&failed, "/tree/a.yaml", stamp("text"))], |_| true);
    assert!(!cache_dir.join(FILE_NAME).exists());
}

#[test]
fn a_cache_folder_that_cannot_be_written_is_no_error() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the folder should be: nothing can be created under it.
    let blocked = dir.path().join(DIR_NAME);
    std::fs::write(&blocked, "a file, not a folder").unwrap();
    saved(&blocked, vec![problem("one")]);
    assert_eq!(
        std::fs::read_to_string(&blocked).unwrap(),
        "a file, not a folder"
    );
}

#[test]
fn clean_removes_the_folder_and_says_when_there_was_none() {
    let dir = tempfile::tempdir().unwrap();
    saved(&dir.path().join(DIR_NAME), vec![problem("one")]);
    assert!(clean(dir.path()).unwrap());
    assert!(!dir.path().join(DIR_NAME).exists());
    assert!(!clean(dir.path()).unwrap());
}

/// A file written long enough ago is taken by its size and times alone; one
/// just written is not (a second write within the clock's tick would leave
/// the same times), and neither is one whose times changed.
#[test]
fn only_a_settled_unchanged_file_is_taken_unread() {
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join(DIR_NAME);
    let tree = dir.path().join("a.yaml");
    std::fs::write(&tree, "text").unwrap();
    let key = tree.to_str().unwrap();
    let metadata = std::fs::metadata(&tree).unwrap();
    let stamp = Stamp::hashed(4, crate::engine::text::hash("text"), Times::of(&metadata)).unwrap();
    let save = |cache: Cache| {
        let read = file(key, vec![problem("one")]);
        cache.save([(&read, key, stamp)], |_| true);
    };
    // Written by a run that started as the file was written: not settled.
    save(Cache::load(&cache_dir));
    assert!(Cache::load(&cache_dir)
        .take_unread(key, FileKind::Yaml, &tree)
        .is_none());
    // The same entry, found by the text's hash by a run that starts later, is
    // written again as settled.
    let later = Cache {
        started: SystemTime::now() + SETTLE,
        ..Cache::load(&cache_dir)
    };
    assert!(later.take(key, FileKind::Yaml, stamp).is_some());
    assert_eq!(later.restamped.load(Ordering::Relaxed), 1);
    later.save([(&file(key, vec![problem("one")]), key, stamp)], |_| true);
    let cache = Cache::load(&cache_dir);
    let unread = cache.take_unread(key, FileKind::Yaml, &tree).unwrap();
    assert_eq!(unread.stamp, stamp);
    assert_eq!(decoded(&unread.cached), Ok(vec![problem("one")]));
    assert!(!unread.mentions_noqa);
    // Taken once: the entry is gone from this run's index.
    assert!(cache.take_unread(key, FileKind::Yaml, &tree).is_none());
    // Rewritten at the same size with its modification time put back: the
    // status change time still differs, so the file is read.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&tree, "TEXT").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&tree)
        .unwrap()
        .set_modified(metadata.modified().unwrap())
        .unwrap();
    let cache = Cache::load(&cache_dir);
    #[cfg(unix)]
    assert!(cache.take_unread(key, FileKind::Yaml, &tree).is_none());
    assert!(cache
        .take_unread(key, FileKind::Requirements, &tree)
        .is_none());
}

/// What linking reads of a file comes back with its entry, so a file from the
/// cache is linked without decoding its facts.
#[test]
fn the_facts_linking_reads_are_kept_beside_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join(DIR_NAME);
    let pin = crate::sources::requirements_txt::read("mlrun==1.7.2\npandas\n");
    let read = file("/tree/requirements.txt", pin.clone());
    let linking = read.linking_copies();
    assert!(!linking.is_empty() && linking.len() < pin.len());
    Cache::load(&cache_dir).save([(&read, "/tree/requirements.txt", stamp("text"))], |_| true);
    let taken = Cache::load(&cache_dir)
        .take("/tree/requirements.txt", FileKind::Yaml, stamp("text"))
        .unwrap();
    assert_eq!(taken.linking, linking);
    assert_eq!(decoded(&taken), Ok(pin));
}

#[test]
fn a_stamp_settles_two_seconds_after_the_last_write() {
    let at = |secs| UNIX_EPOCH + std::time::Duration::from_secs(secs);
    let stamp = Stamp::of("text", Some(at(100))).unwrap();
    assert!(!stamp.settled_by(at(101)));
    assert!(stamp.settled_by(at(102)));
    let changed_later = Stamp {
        changed: Some((105, 0)),
        ..stamp
    };
    assert!(!changed_later.settled_by(at(106)));
    assert!(changed_later.settled_by(at(107)));
}

/// Facts depend on the text only: a file whose times changed but whose text
/// did not (a fresh checkout, a CI cache restored, `touch`) is taken by the
/// text's size and hash, and its entry written again with the new times.
#[test]
fn the_same_text_at_another_time_is_taken_and_restamped() {
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join(DIR_NAME);
    saved(&cache_dir, vec![problem("one")]);
    let later = Stamp::of("text", Some(UNIX_EPOCH + std::time::Duration::from_secs(9))).unwrap();
    assert_ne!(later, stamp("text"));
    let cache = Cache::load(&cache_dir);
    let taken = cache.take("/tree/a.yaml", FileKind::Yaml, later).unwrap();
    assert_eq!(decoded(&taken), Ok(vec![problem("one")]));
    assert_eq!(cache.restamped.load(Ordering::Relaxed), 1);
    let read = file("/tree/a.yaml", vec![problem("one")]);
    cache.save([(&read, "/tree/a.yaml", later)], |_| true);
    let (_, _, entries) = open(&cache_dir.join(FILE_NAME)).unwrap();
    assert_eq!(entries["/tree/a.yaml"].stamp, later);
    assert_eq!(entries.len(), 1);
    // Another text of the same size is not taken, whatever its times.
    let cache = Cache::load(&cache_dir);
    assert!(cache
        .take(
            "/tree/a.yaml",
            FileKind::Yaml,
            Stamp::of("TEXT", Some(UNIX_EPOCH)).unwrap()
        )
        .is_none());
}

/// The index is written entry by entry after postcard's encoding of its
/// length, which must be the bytes postcard writes for the whole list (one
/// byte of length below 128 entries, more above), or no cache would load.
#[test]
fn an_index_written_entry_by_entry_is_the_list_postcard_writes() {
    let entry = |n: u64| Entry {
        about: About {
            path: format!("/tree/{n}.yaml"),
            kind: FileKind::Yaml,
            stamp: stamp("text"),
            settled: n.is_multiple_of(2),
            mentions_noqa: false,
            linking: vec![n as u8],
        },
        facts: Slot {
            at: 8 + n,
            len: 1,
            hash: n,
        },
        cells: n.is_multiple_of(3).then_some(Slot {
            at: 9 + n,
            len: 1,
            hash: n,
        }),
    };
    for count in [0_u64, 1, 127, 128, 300] {
        let list: Vec<Entry> = (0..count).map(entry).collect();
        let mut streamed = postcard::to_stdvec(&(count as usize)).unwrap();
        for entry in &list {
            streamed = postcard::to_extend(entry, streamed).unwrap();
        }
        assert_eq!(
            streamed,
            postcard::to_stdvec(&list).unwrap(),
            "{count} entries"
        );
    }
}
