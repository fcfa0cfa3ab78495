"""Protocol abuse: what a broken or hostile client sends, and the exact replies.

Each test writes raw bytes to `mlrun-lint server` and reads every message it
answers, so framing is tested below any client library.
"""

import json
import os
import pathlib
import resource
import subprocess
import time

BIN = os.path.abspath(os.environ.get("MLRUN_LINT_BIN", "target/debug/mlrun-lint"))
TIMEOUT = 60


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def messages(stdout: bytes) -> list[dict]:
    """Every message in the server's output, framing checked."""
    found = []
    rest = stdout
    while rest:
        header, _, rest = rest.partition(b"\r\n\r\n")
        assert header.startswith(b"Content-Length: "), header
        length = int(header[len(b"Content-Length: ") :])
        found.append(json.loads(rest[:length]))
        rest = rest[length:]
    return found


def responses(stdout: bytes) -> list[dict]:
    return [m for m in messages(stdout) if "method" not in m]


def run_raw(chunks: list[bytes], env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BIN, "server"],
        input=b"".join(chunks),
        capture_output=True,
        timeout=TIMEOUT,
        env={**os.environ, **(env or {})},
    )


def initialize(root: pathlib.Path | None = None) -> bytes:
    return frame(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "processId": None,
                "rootUri": root.as_uri() if root else None,
                "capabilities": {},
            },
        }
    )


SHUTDOWN = frame({"jsonrpc": "2.0", "id": 99, "method": "shutdown"})
EXIT = frame({"jsonrpc": "2.0", "method": "exit"})


def peak_child_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


class Session:
    """A server process spoken to in raw bytes, read message by message."""

    def __init__(self):
        self.process = subprocess.Popen(
            [BIN, "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.buffer = b""
        self.seen: list[dict] = []

    def send(self, *chunks: bytes):
        self.process.stdin.write(b"".join(chunks))
        self.process.stdin.flush()

    def until(self, done) -> list[dict]:
        """Reads messages until `done(message)`; returns all read so far."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            while b"\r\n\r\n" in self.buffer:
                header, rest = self.buffer.split(b"\r\n\r\n", 1)
                length = int(header.split(b": ")[1])
                if len(rest) < length:
                    break
                message = json.loads(rest[:length])
                self.buffer = rest[length:]
                self.seen.append(message)
                if done(message):
                    return self.seen
            assert time.monotonic() < deadline, "no such message"
            chunk = self.process.stdout.read1(1 << 16)
            assert chunk, self.process.stderr.read()
            self.buffer += chunk

    def close(self) -> int:
        self.send(SHUTDOWN, EXIT)
        code = self.process.wait(timeout=TIMEOUT)
        self.process.kill()
        return code


def test_framing_garbage_is_skipped_and_the_next_request_answered():
    result = run_raw(
        [
            initialize(),
            b"hello, this is not a header\r\n",
            b"Content-Type: application/json\r\n\r\n{\"no\": \"length\"}",
            b"Content-Length: twelve\r\n\r\n",
            b"x" * 100_000 + b"\r\n",
            # A header glued to the end of garbage, as after a short body.
            b"}}}" + frame({"jsonrpc": "2.0", "id": 2, "method": "no/such/method"}),
            SHUTDOWN,
            EXIT,
        ]
    )
    assert result.returncode == 0, result.stderr
    answers = {r["id"]: r for r in responses(result.stdout)}
    assert answers[2]["error"]["code"] == -32601
    assert answers[99] == {"jsonrpc": "2.0", "id": 99, "result": None}
    assert b"skipped" in result.stderr


def test_huge_content_length_is_refused_with_bounded_memory():
    before = peak_child_rss_mib()
    start = time.monotonic()
    result = run_raw(
        [
            initialize(),
            b"Content-Length: 99999999999999\r\n\r\n",
            b'{"jsonrpc": "2.0", "id": 5, "method": "shutdown"',
            SHUTDOWN,
            EXIT,
        ]
    )
    assert result.returncode == 0, result.stderr
    answers = responses(result.stdout)
    refused = answers[1]
    assert refused["id"] is None
    assert refused["error"]["code"] == -32600
    assert refused["error"]["message"].startswith(
        "a message of 99999999999999 bytes is over the "
    )
    assert answers[2] == {"jsonrpc": "2.0", "id": 99, "result": None}
    # Nothing near the claimed size was allocated.
    assert max(before, peak_child_rss_mib()) < 200
    assert time.monotonic() - start < 10


def test_malformed_json_rpc_gets_exact_error_objects():
    bodies = [
        b"{not json",
        b"[]",
        b'[{"jsonrpc": "2.0", "id": 3, "method": "shutdown"}]',
        b'"just a string"',
        b'{"id": 4, "method": "shutdown"}',
        b'{"jsonrpc": "2.0", "id": 5, "method": 12}',
        b'{"jsonrpc": "2.0", "id": {"an": "object"}, "method": "shutdown"}',
    ]
    chunks = [initialize()]
    chunks += [b"Content-Length: %d\r\n\r\n" % len(body) + body for body in bodies]
    result = run_raw(chunks + [SHUTDOWN, EXIT])
    assert result.returncode == 0, result.stderr
    errors = [(r["id"], r["error"]["code"]) for r in responses(result.stdout)[1:-1]]
    assert errors == [
        (None, -32700),
        (None, -32600),
        (None, -32600),
        (None, -32600),
        (4, -32600),
        (5, -32600),
        (None, -32600),
    ]
    first = responses(result.stdout)[1]
    assert set(first) == {"jsonrpc", "id", "error"}
    assert first["jsonrpc"] == "2.0"
    assert first["error"]["message"].startswith("the message is not JSON")


def test_input_ending_inside_a_message_is_said():
    result = run_raw([initialize(), b"Content-Length: 500\r\n\r\n{\"jsonrpc\""])
    assert result.returncode == 1
    assert b"the input ended inside a message of 500 bytes" in result.stderr


def open_requirements(path: pathlib.Path, text: str, version: int = 1) -> bytes:
    return frame(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {
                    "uri": path.as_uri(),
                    "languageId": "pip-requirements",
                    "version": version,
                    "text": text,
                }
            },
        }
    )


def published(stdout: bytes, uri: str) -> list[list[dict]]:
    return [
        m["params"]["diagnostics"]
        for m in messages(stdout)
        if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
    ]


def is_publication_for(uri: str):
    return lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri


def test_a_document_over_the_size_limit_gets_the_cli_mlr003(tmp_path):
    (tmp_path / ".git").mkdir()
    big = tmp_path / "requirements.txt"
    text = "pandas\n" * (17 * 1024 * 1024 // 7)
    before = peak_child_rss_mib()
    start = time.monotonic()
    session = Session()
    session.send(initialize(tmp_path), open_requirements(big, text))
    diagnostics = session.until(is_publication_for(big.as_uri()))[-1]["params"]["diagnostics"]
    assert session.close() == 0
    assert time.monotonic() - start < 30
    assert [(d["code"], d["message"], d["range"]["start"]) for d in diagnostics] == [
        (
            "MLR003",
            f"not checked: the file is {len(text)} bytes, over the 16 MiB limit "
            "(set MLRUN_LINT_MAX_FILE_BYTES to raise it)",
            {"line": 0, "character": 0},
        )
    ]
    # The same message as `check` on the saved file.
    big.write_text(text)
    check = subprocess.run(
        [BIN, "check", "--output-format", "json", str(big)],
        capture_output=True,
        cwd=tmp_path,
        timeout=TIMEOUT,
    )
    [found] = json.loads(check.stdout)
    assert found["code"] == "MLR003" and found["message"] == diagnostics[0]["message"]
    assert max(before, peak_child_rss_mib()) < 1024


def test_requests_are_answered_while_a_large_document_is_judged(tmp_path):
    """The main loop answers at once; the large document is judged on a worker."""
    (tmp_path / ".git").mkdir()
    big = tmp_path / "requirements.txt"
    text = "".join(f"package-{n}>=1.0\n" for n in range(30_000))
    session = Session()
    session.send(
        initialize(tmp_path),
        open_requirements(big, text),
        frame({"jsonrpc": "2.0", "id": 8, "method": "no/such/method"}),
    )
    order = [m.get("id", m.get("method")) for m in session.until(lambda m: m.get("id") == 8)]
    assert "textDocument/publishDiagnostics" not in order
    diagnostics = session.until(is_publication_for(big.as_uri()))[-1]["params"]["diagnostics"]
    assert len(diagnostics) == 30_000
    assert session.close() == 0


def test_a_second_initialize_is_answered(tmp_path):
    """jupyter-lsp shares one server between browser windows: each initializes."""
    result = run_raw(
        [
            initialize(tmp_path),
            frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
            frame(
                {
                    "jsonrpc": "2.0",
                    "id": 2,
                    "method": "initialize",
                    "params": {
                        "processId": None,
                        "rootUri": tmp_path.as_uri(),
                        "workspaceFolders": None,
                        "capabilities": {},
                    },
                }
            ),
            frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
            SHUTDOWN,
            EXIT,
        ]
    )
    assert result.returncode == 0, result.stderr
    answers = {r["id"]: r for r in responses(result.stdout)}
    assert answers[1]["result"]["capabilities"] == answers[2]["result"]["capabilities"]
    assert "notebookDocumentSync" in answers[2]["result"]["capabilities"]


def test_exit_does_not_wait_for_a_document_being_judged(tmp_path):
    (tmp_path / ".git").mkdir()
    big = tmp_path / "requirements.txt"
    text = "".join(f"package-{n}>=1.0\n" for n in range(60_000))
    session = Session()
    session.send(initialize(tmp_path), open_requirements(big, text))
    session.until(lambda m: m.get("id") == 1)
    start = time.monotonic()
    assert session.close() == 0
    # Judging this file takes several seconds; exit is at once.
    assert time.monotonic() - start < 2
