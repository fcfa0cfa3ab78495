//! Where a streamed report keeps the part it can write only after something that
//! comes first in the document is known: JUnit's opening tag carries the number
//! of failures, and a SARIF run lists its tool notifications before its results.
//! That part waits in an anonymous temporary file (deleted by the system when it
//! is closed, even if the run is killed), so a report of a huge tree is never
//! held in memory; when no temporary file can be made it waits in memory.
//! `--fix` writes each round's report to one, since only the round's end says
//! whether it is the last.

use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};

/// Bytes written now to be copied out later.
pub enum Spill {
    File(BufWriter<File>),
    Memory(Vec<u8>),
}

impl Spill {
    /// A spill in a new anonymous temporary file, or in memory when none can
    /// be made.
    pub fn temporary() -> Self {
        match tempfile::tempfile() {
            Ok(file) => Spill::File(BufWriter::new(file)),
            Err(_) => Spill::Memory(Vec::new()),
        }
    }

    /// Writes everything spilled to `out`, and lets the spill go.
    pub fn copy_to(self, out: &mut dyn Write) -> io::Result<()> {
        match self {
            Spill::File(writer) => {
                let mut file = writer.into_inner().map_err(|err| err.into_error())?;
                file.rewind()?;
                io::copy(&mut file, out)?;
                Ok(())
            }
            Spill::Memory(bytes) => out.write_all(&bytes),
        }
    }
}

impl Write for Spill {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Spill::File(writer) => writer.write(buf),
            Spill::Memory(bytes) => bytes.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Spill::File(writer) => writer.flush(),
            Spill::Memory(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gives_back_what_was_written_from_a_file_or_from_memory() {
        for mut spill in [Spill::temporary(), Spill::Memory(Vec::new())] {
            spill.write_all(b"first ").unwrap();
            spill.write_all(&[b'x'; 20_000]).unwrap();
            let mut out = Vec::new();
            spill.copy_to(&mut out).unwrap();
            assert_eq!(out.len(), 6 + 20_000);
            assert!(out.starts_with(b"first x"));
        }
    }
}
