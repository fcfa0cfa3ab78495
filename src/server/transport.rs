//! The protocol's base layer on stdin: `Content-Length` headers, then a JSON-RPC
//! body, read so that no input can take the server down.
//!
//! `lsp-server`'s own reader is not used: it allocates whatever `Content-Length`
//! claims, and after one malformed header it reads every later message out of
//! step. Its message types are kept; this reader feeds them.
//!
//! - A header line is at most [`MAX_HEADER_LINE_BYTES`]; a longer line, a line
//!   that is not a header, or headers without a `Content-Length`, are skipped, and
//!   reading re-syncs on the next `Content-Length` header, even one glued to the
//!   end of the garbage (bodies end without a line break).
//! - A body longer than [`max_message_bytes`] is never allocated: it is answered
//!   with an `Invalid Request` error and its bytes are skipped as garbage until
//!   the next header.
//! - A body that is not JSON gets `-32700`, JSON that is not a JSON-RPC 2.0
//!   message gets `-32600`; both with `id: null` unless the message's id can be
//!   read, as JSON-RPC 2.0 asks.

use crate::engine;
use lsp_server::{ErrorCode, Message, RequestId};
use serde_json::{json, Value};
use std::io::{self, BufRead, Write};

/// The longest header line read; real ones are under 100 bytes.
pub const MAX_HEADER_LINE_BYTES: usize = 8 * 1024;

/// Messages up to this size are always accepted, whatever the file size limit.
const MIN_MESSAGE_BYTES: u64 = 64 * 1024 * 1024;

/// The largest message body read: four times the file size limit (a document at
/// the limit fits even with JSON escapes), and never under 64 MiB. A document
/// over the file size limit still arrives, and gets MLR003 as `check` gives it.
pub fn max_message_bytes() -> u64 {
    engine::max_file_bytes()
        .saturating_mul(4)
        .max(MIN_MESSAGE_BYTES)
}

/// What one read of the input gives.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A message that cannot be handled: this error response (JSON-RPC, with its
    /// id or `null`) is the answer.
    Invalid(Value),
    /// Bytes that were not a message were skipped; why, for the log.
    Skipped(String),
    /// The input ended: cleanly between messages (`None`), or inside one.
    End(Option<String>),
}

/// Reads framed messages from `input`, one at a time.
pub struct Reader<R> {
    input: R,
    /// Set after a framing error: lines are skipped until a `Content-Length`.
    resyncing: bool,
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R) -> Self {
        Self {
            input,
            resyncing: false,
        }
    }

    pub fn read(&mut self) -> Incoming {
        match self.read_message() {
            Ok(incoming) => incoming,
            Err(err) => Incoming::End(Some(format!("cannot read from the client: {err}"))),
        }
    }

    fn read_message(&mut self) -> io::Result<Incoming> {
        let mut length: Option<u64> = None;
        let mut in_headers = false;
        loop {
            let Some(line) = read_line(&mut self.input)? else {
                return Ok(Incoming::End(
                    in_headers.then(|| "the input ended inside a message header".into()),
                ));
            };
            let header = match header(&line.text, line.overlong || self.resyncing) {
                Line::Blank if !in_headers => continue,
                Line::Blank => match length {
                    Some(length) => return self.body(length),
                    None => {
                        self.resyncing = true;
                        return Ok(Incoming::Skipped(
                            "a message header without `Content-Length`".into(),
                        ));
                    }
                },
                Line::Garbage if self.resyncing => continue,
                Line::Garbage => {
                    self.resyncing = true;
                    return Ok(Incoming::Skipped(format!(
                        "bytes that are not a message header: {}",
                        preview(&line.text)
                    )));
                }
                Line::Header(name, value) => (name, value),
            };
            let (name, value) = header;
            if self.resyncing && !name.eq_ignore_ascii_case("content-length") {
                continue;
            }
            self.resyncing = false;
            in_headers = true;
            if name.eq_ignore_ascii_case("content-length") {
                match value.trim().parse::<u64>() {
                    Ok(parsed) => length = Some(parsed),
                    Err(_) => {
                        self.resyncing = true;
                        return Ok(Incoming::Skipped(format!(
                            "an invalid `Content-Length`: {}",
                            preview(value.as_bytes())
                        )));
                    }
                }
            }
            // `Content-Type` and any other header: nothing to do.
        }
    }

    fn body(&mut self, length: u64) -> io::Result<Incoming> {
        let limit = max_message_bytes();
        if length > limit {
            // The bytes that follow are garbage until the next header: a client
            // that sent that much is skipped over, one that lied is re-synced with.
            self.resyncing = true;
            return Ok(Incoming::Invalid(error(
                None,
                ErrorCode::InvalidRequest,
                &format!("a message of {length} bytes is over the {limit}-byte limit"),
            )));
        }
        let mut body = vec![0; usize::try_from(length).unwrap_or(0)];
        if let Err(err) = self.input.read_exact(&mut body) {
            return match err.kind() {
                io::ErrorKind::UnexpectedEof => Ok(Incoming::End(Some(format!(
                    "the input ended inside a message of {length} bytes"
                )))),
                _ => Err(err),
            };
        }
        Ok(decode(&body))
    }
}

/// A JSON-RPC body as a message, or the error that answers it.
pub fn decode(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(err) => {
            return Incoming::Invalid(error(
                None,
                ErrorCode::ParseError,
                &format!("the message is not JSON: {err}"),
            ))
        }
    };
    let Value::Object(object) = &value else {
        let why = if value.is_array() {
            "batches are not part of the Language Server Protocol"
        } else {
            "a JSON-RPC message is an object"
        };
        return Incoming::Invalid(error(None, ErrorCode::InvalidRequest, why));
    };
    let id = object
        .get("id")
        .and_then(|id| serde_json::from_value::<RequestId>(id.clone()).ok());
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Incoming::Invalid(error(
            id,
            ErrorCode::InvalidRequest,
            "not a JSON-RPC 2.0 message: `\"jsonrpc\": \"2.0\"` is missing",
        ));
    }
    let has_id = object.contains_key("id");
    match serde_json::from_value::<Message>(value) {
        Ok(Message::Notification(_)) if has_id => {
            // `"id": null` or an id of the wrong type: not a request we can answer.
            Incoming::Invalid(error(
                None,
                ErrorCode::InvalidRequest,
                "a request id is a number or a string",
            ))
        }
        Ok(message) => Incoming::Message(message),
        Err(err) => Incoming::Invalid(error(
            id,
            ErrorCode::InvalidRequest,
            &format!("not a JSON-RPC request, response or notification: {err}"),
        )),
    }
}

/// A JSON-RPC error response; `id: null` when the message's id is unknown.
pub fn error(id: Option<RequestId>, code: ErrorCode, message: &str) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code as i32, "message": message },
    })
}

/// Writes one JSON value as a framed message.
pub fn write_json(out: &mut impl Write, value: &Value) -> io::Result<()> {
    let text = value.to_string();
    write!(out, "Content-Length: {}\r\n\r\n", text.len())?;
    out.write_all(text.as_bytes())?;
    out.flush()
}

struct RawLine {
    /// The line without its line break: all of it, or its last
    /// [`MAX_HEADER_LINE_BYTES`] when it is longer.
    text: Vec<u8>,
    overlong: bool,
}

/// Reads up to the next `\n` (or the end), keeping at most the line's tail.
fn read_line(input: &mut impl BufRead) -> io::Result<Option<RawLine>> {
    let mut text = Vec::new();
    let mut overlong = false;
    let mut read_any = false;
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        if available.is_empty() {
            break;
        }
        read_any = true;
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (&available[..at], Some(at + 1)),
            None => (available, None),
        };
        text.extend_from_slice(chunk);
        let used = done.unwrap_or(available.len());
        input.consume(used);
        if text.len() > 2 * MAX_HEADER_LINE_BYTES {
            text.drain(..text.len() - MAX_HEADER_LINE_BYTES);
            overlong = true;
        }
        if done.is_some() {
            break;
        }
    }
    if !read_any {
        return Ok(None);
    }
    if text.last() == Some(&b'\r') {
        text.pop();
    }
    if text.len() > MAX_HEADER_LINE_BYTES {
        text.drain(..text.len() - MAX_HEADER_LINE_BYTES);
        overlong = true;
    }
    Ok(Some(RawLine { text, overlong }))
}

enum Line {
    Blank,
    Header(String, String),
    Garbage,
}

/// A header line as name and value. In `garbage` (a line too long, or read while
/// re-syncing) only a `Content-Length` header at its end counts.
fn header(line: &[u8], garbage: bool) -> Line {
    if line.is_empty() && !garbage {
        return Line::Blank;
    }
    if !garbage {
        if let Some(parsed) = name_and_value(line) {
            return parsed;
        }
    }
    // A header glued to the end of what came before it.
    const NAME: &[u8] = b"content-length:";
    let lower = line.to_ascii_lowercase();
    let found = lower.windows(NAME.len()).rposition(|window| window == NAME);
    match found.and_then(|at| name_and_value(&line[at..])) {
        Some(parsed) => parsed,
        None if line.is_empty() => Line::Blank,
        None => Line::Garbage,
    }
}

fn name_and_value(line: &[u8]) -> Option<Line> {
    let text = std::str::from_utf8(line).ok()?;
    let (name, value) = text.split_once(':')?;
    let is_token = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    is_token.then(|| Line::Header(name.to_owned(), value.trim().to_owned()))
}

/// The start of some skipped bytes, for the log.
fn preview(bytes: &[u8]) -> String {
    const SHOWN: usize = 60;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(SHOWN)]).into_owned();
    if bytes.len() > SHOWN {
        format!("{text:?}…")
    } else {
        format!("{text:?}")
    }
}

#[cfg(test)]
mod tests;
