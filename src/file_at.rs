//! Reads and writes at an offset of an open file, with no shared cursor, so any
//! thread can reach any part at once: how a run's parked facts and the cache's
//! entries are read when needed instead of being held in memory.

use std::fs::File;
use std::io;

/// Writes all of `bytes` at offset `at`.
pub fn write_all_at(file: &File, bytes: &[u8], at: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::write_all_at(file, bytes, at)
    }
    #[cfg(windows)]
    {
        let (mut bytes, mut at) = (bytes, at);
        while !bytes.is_empty() {
            match std::os::windows::fs::FileExt::seek_write(file, bytes, at) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    bytes = &bytes[n..];
                    at += n as u64;
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = (file, bytes, at);
        Err(io::ErrorKind::Unsupported.into())
    }
}

/// The `len` bytes at offset `at`.
pub fn read_at(file: &File, len: usize, at: u64) -> io::Result<Vec<u8>> {
    let mut bytes = vec![0; len];
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, &mut bytes, at)?;
    }
    #[cfg(windows)]
    {
        let (mut rest, mut at) = (&mut bytes[..], at);
        while !rest.is_empty() {
            match std::os::windows::fs::FileExt::seek_read(file, rest, at) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    rest = &mut rest[n..];
                    at += n as u64;
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = (file, at);
        return Err(io::ErrorKind::Unsupported.into());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_at_an_offset_is_read_back_there() {
        let file = tempfile::tempfile().unwrap();
        write_all_at(&file, b"world", 6).unwrap();
        write_all_at(&file, b"hello ", 0).unwrap();
        assert_eq!(read_at(&file, 11, 0).unwrap(), b"hello world");
        assert_eq!(read_at(&file, 5, 6).unwrap(), b"world");
        assert!(read_at(&file, 5, 9).is_err());
    }
}
