//! `json-lines`: the `json` objects, one per line, so a consumer can stream them
//! (and `grep` them) without reading a whole array.

use super::{json, Located};
use std::io::{self, Write};

pub(super) fn render(diagnostics: &[Located<'_>], out: &mut dyn Write) -> io::Result<()> {
    for located in diagnostics {
        serde_json::to_writer(&mut *out, &json::object(located))?;
        writeln!(out)?;
    }
    Ok(())
}
