use super::*;

fn frame(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

/// Everything read from `input` until it ends, shown compactly.
fn read_all(input: &str) -> Vec<String> {
    let mut reader = Reader::new(input.as_bytes());
    let mut seen = Vec::new();
    loop {
        match reader.read() {
            Incoming::Message(Message::Request(r)) => seen.push(format!("request {}", r.method)),
            Incoming::Message(Message::Notification(n)) => {
                seen.push(format!("notification {}", n.method))
            }
            Incoming::Message(Message::Response(r)) => seen.push(format!("response {}", r.id)),
            Incoming::Invalid(error) => seen.push(format!(
                "error {} id={}",
                error["error"]["code"], error["id"]
            )),
            Incoming::Skipped(_) => seen.push("skipped".into()),
            Incoming::End(None) => return seen,
            Incoming::End(Some(why)) => {
                seen.push(format!("end: {why}"));
                return seen;
            }
        }
    }
}

const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

#[test]
fn messages_in_a_row() {
    let input = format!(
        "{}Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n{}",
        frame(PING),
        frame(r#"{"jsonrpc":"2.0","method":"note"}"#)
    );
    assert_eq!(read_all(&input), ["request ping", "notification note"]);
}

#[test]
fn garbage_then_a_message_resyncs() {
    let input = format!("hello there\r\nX: {{\r\n\r\n{}", frame(PING));
    assert_eq!(read_all(&input), ["skipped", "request ping"]);
    // A header without a length, then a header glued to the end of garbage.
    let input = format!("Content-Type: x\r\n\r\n{{\"body\": 1}}{}", frame(PING));
    assert_eq!(read_all(&input), ["skipped", "request ping"]);
    let input = format!("Content-Length: ten\r\n\r\n{}", frame(PING));
    assert_eq!(read_all(&input), ["skipped", "request ping"]);
}

#[test]
fn a_long_line_is_skipped_with_bounded_memory() {
    let input = format!(
        "{}\r\n{}",
        "x".repeat(10 * MAX_HEADER_LINE_BYTES),
        frame(PING)
    );
    assert_eq!(read_all(&input), ["skipped", "request ping"]);
}

#[test]
fn an_oversized_length_is_refused_then_reading_resyncs() {
    let input = format!(
        "Content-Length: 999999999999999\r\n\r\n{{\"jsonrpc\"...{}",
        frame(PING)
    );
    assert_eq!(read_all(&input), ["error -32600 id=null", "request ping"]);
}

#[test]
fn malformed_json_rpc_gets_the_exact_errors() {
    let cases = [
        ("{not json", "error -32700 id=null"),
        ("[]", "error -32600 id=null"),
        ("[1, 2]", "error -32600 id=null"),
        ("42", "error -32600 id=null"),
        (r#"{"id":7,"method":"x"}"#, "error -32600 id=7"),
        (
            r#"{"jsonrpc":"2.0","id":7,"method":3}"#,
            "error -32600 id=7",
        ),
        (
            r#"{"jsonrpc":"2.0","id":true,"method":"x"}"#,
            "error -32600 id=null",
        ),
        (r#"{"jsonrpc":"2.0"}"#, "error -32600 id=null"),
        (
            r#"{"jsonrpc":"2.0","id":"a","result":null}"#,
            "response \"a\"",
        ),
    ];
    for (body, expected) in cases {
        let input = format!("{}{}", frame(body), frame(PING));
        assert_eq!(read_all(&input), [expected, "request ping"], "{body}");
    }
}

#[test]
fn the_end_inside_a_message_is_said() {
    assert_eq!(
        read_all("Content-Length: 50\r\n\r\n{\"jsonrpc\""),
        ["end: the input ended inside a message of 50 bytes"]
    );
    assert_eq!(
        read_all("Content-Length: 50\r\n"),
        ["end: the input ended inside a message header"]
    );
    assert!(read_all("").is_empty());
}

#[test]
fn errors_are_json_rpc_responses() {
    let value = error(None, ErrorCode::ParseError, "bad");
    assert_eq!(
        value,
        json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "bad"}})
    );
    let mut out = Vec::new();
    write_json(&mut out, &value).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with(&format!(
        "Content-Length: {}\r\n\r\n{{",
        value.to_string().len()
    )));
}
