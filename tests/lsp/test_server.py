"""End-to-end tests of `mlrun-lint server` driven by a real LSP client (pytest-lsp).

Each test starts the real binary (MLRUN_LINT_BIN, built by scripts/lsp-tests),
opens files of a temporary project, and checks what an editor would see:
diagnostics at exact ranges, quick fixes that clear them once applied, and a
server that survives what it should survive and exits cleanly.
"""

import asyncio
import json
import os
import pathlib
import subprocess

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

BIN = os.environ.get("MLRUN_LINT_BIN", "target/debug/mlrun-lint")
TIMEOUT = 10


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BIN, "server"]))
async def client(lsp_client: LanguageClient):
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code")
    )
    # Every publication, in order: pytest-lsp keeps only the last per document
    # and lets one waiter at a time see notifications.
    lsp_client.published = []
    handle = lsp_client.protocol._handle_notification

    def record(method, params):
        if method == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
            lsp_client.published.append(params)
        return handle(method, params)

    lsp_client.protocol._handle_notification = record
    # VS Code can watch files for the server: the server asks it to.
    lsp_client.registrations = []

    def register(client: LanguageClient, params: types.RegistrationParams):
        client.registrations.extend(params.registrations)

    lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)(register)
    result = await lsp_client.initialize_session(params)
    # VS Code offers only UTF-16, the protocol's default.
    assert result.capabilities.position_encoding in (None, "utf-16")
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def project(tmp_path: pathlib.Path) -> pathlib.Path:
    """A project folder; `.git` stops the search for context files at it."""
    (tmp_path / ".git").mkdir()
    return tmp_path


def uri_of(path: pathlib.Path) -> str:
    return path.as_uri()


def offset_of(text: str, position: types.Position) -> int:
    """The string index of a UTF-16 position (what the server negotiated)."""
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for index, character in enumerate(line):
        if units >= position.character:
            return start + index
        units += 2 if ord(character) > 0xFFFF else 1
    return start + len(line.rstrip("\r\n"))


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Applies text edits as an editor does: all against the original text."""
    spans = sorted(
        ((offset_of(text, e.range.start), offset_of(text, e.range.end), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


async def published_after(client: LanguageClient, mark: int, uri: str, version: int):
    """The diagnostics of the first publication for `version` of `uri` after the
    `mark`-th publication."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while True:
        for params in client.published[mark:]:
            if params.uri == uri and params.version == version:
                return list(params.diagnostics)
        assert asyncio.get_running_loop().time() < deadline, f"no diagnostics for {uri}"
        await asyncio.sleep(0.02)


async def open_document(client: LanguageClient, path: pathlib.Path, language: str):
    uri = uri_of(path)
    mark = len(client.published)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=path.read_text()
            )
        )
    )
    return uri, await published_after(client, mark, uri, 1)


async def change_document(client: LanguageClient, uri: str, version: int, text: str):
    mark = len(client.published)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    return await published_after(client, mark, uri, version)


async def actions_at(client: LanguageClient, uri: str, diagnostic: types.Diagnostic):
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    return {action.title: action for action in actions or []}


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    assert action.edit is not None and action.edit.changes is not None
    return action.edit.changes[uri]


PROJECT = """\
kind: project
metadata:
  name: demo
spec:
  default_image: mlrun/mlrun
"""


@pytest.mark.asyncio
async def test_project_image_quick_fix_clears_the_diagnostic(client: LanguageClient, project):
    (project / "requirements.txt").write_text("mlrun==1.6.4\n")
    spec = project / "project.yaml"
    spec.write_text(PROJECT)
    uri, diagnostics = await open_document(client, spec, "yaml")

    assert [d.code for d in diagnostics] == ["MLR101"]
    assert [r.method for r in client.registrations] == ["workspace/didChangeWatchedFiles"]
    found = diagnostics[0]
    assert found.range == types.Range(
        start=types.Position(line=4, character=17), end=types.Position(line=4, character=28)
    )
    assert found.severity == types.DiagnosticSeverity.Error
    assert found.source == "mlrun-lint"
    assert found.code_description.href.endswith("/rules/MLR101-mlrun-image-untagged.md")

    actions = await actions_at(client, uri, found)
    fix = actions["Fix MLR101: Pin the image to `mlrun/mlrun:1.6.4`"]
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.is_preferred
    fixed = apply_edits(PROJECT, edits_of(fix, uri))
    assert "  default_image: mlrun/mlrun:1.6.4\n" in fixed

    assert await change_document(client, uri, 2, fixed) == []


@pytest.mark.asyncio
async def test_suppress_action_adds_noqa(client: LanguageClient, project):
    spec = project / "project.yaml"
    spec.write_text(PROJECT)
    uri, diagnostics = await open_document(client, spec, "yaml")
    actions = await actions_at(client, uri, diagnostics[0])
    suppressed = apply_edits(PROJECT, edits_of(actions["Suppress MLR101 on this line"], uri))
    assert "  default_image: mlrun/mlrun # noqa: MLR101\n" in suppressed
    assert await change_document(client, uri, 2, suppressed) == []


@pytest.mark.asyncio
async def test_fix_all_applies_the_safe_fixes(client: LanguageClient, project):
    (project / "requirements.txt").write_text("mlrun==1.6.4\n")
    spec = project / "project.yaml"
    spec.write_text(PROJECT)
    uri, _ = await open_document(client, spec, "yaml")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(
                diagnostics=[], only=[types.CodeActionKind.SourceFixAll]
            ),
        )
    )
    assert [a.kind for a in actions] == ["source.fixAll.mlrun-lint"]
    fixed = apply_edits(PROJECT, edits_of(actions[0], uri))
    assert await change_document(client, uri, 2, fixed) == []


@pytest.mark.asyncio
async def test_requirements_client_pin_from_configuration(client: LanguageClient, project):
    (project / "mlrun-lint.toml").write_text('mlrun-version = "1.6.4"\n')
    requirements = project / "requirements.txt"
    text = "mlrun\npandas==2.2.2\n"
    requirements.write_text(text)
    uri, diagnostics = await open_document(client, requirements, "pip-requirements")

    assert [d.code for d in diagnostics] == ["MLR204"]
    assert diagnostics[0].range == types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=0, character=5)
    )
    actions = await actions_at(client, uri, diagnostics[0])
    fix = actions["Fix MLR204: Pin `mlrun==1.6.4` (unsafe)"]
    assert not fix.is_preferred
    fixed = apply_edits(text, edits_of(fix, uri))
    assert fixed == "mlrun==1.6.4\npandas==2.2.2\n"
    assert await change_document(client, uri, 2, fixed) == []


@pytest.mark.asyncio
async def test_notebook_cell_fix_keeps_valid_json(client: LanguageClient, project):
    (project / "requirements.txt").write_text("mlrun==1.6.4\n")
    notebook = {
        "cells": [
            {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": ["# Training 😀\n"]},
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "c1",
                "metadata": {},
                "outputs": [],
                "source": [
                    "import mlrun\n",
                    'fn = mlrun.new_function("train-😀", kind="job", image="mlrun/mlrun")\n',
                ],
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = project / "train.ipynb"
    text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    path.write_text(text)
    uri, diagnostics = await open_document(client, path, "json")

    assert [d.code for d in diagnostics] == ["MLR101"]
    # The range is in the JSON text, which is what the editor shows: the Python
    # string literal, its quotes escaped in JSON, after an emoji that takes two
    # UTF-16 code units.
    literal = '\\"mlrun/mlrun\\"'
    line = next(n for n, line in enumerate(text.splitlines()) if literal in line)
    before = text.splitlines()[line].split(literal)[0]
    column = len(before.encode("utf-16-le")) // 2
    assert column == len(before) + 1
    assert diagnostics[0].range == types.Range(
        start=types.Position(line=line, character=column),
        end=types.Position(line=line, character=column + len(literal)),
    )

    actions = await actions_at(client, uri, diagnostics[0])
    # No `# noqa` into JSON text.
    assert "Suppress MLR101 on this line" not in actions
    fixed = apply_edits(text, edits_of(actions["Fix MLR101: Pin the image to `mlrun/mlrun:1.6.4`"], uri))
    cells = json.loads(fixed)["cells"]
    assert 'image="mlrun/mlrun:1.6.4")\n' in cells[1]["source"][1]
    assert await change_document(client, uri, 2, fixed) == []


@pytest.mark.asyncio
async def test_jupyterlab_virtual_document_is_judged_beside_the_notebook(
    client: LanguageClient, project
):
    # jupyterlab-lsp sends a notebook's code cells as one Python document under
    # .virtual_documents/; its project is the notebook's folder.
    (project / "sub").mkdir()
    (project / "sub" / "requirements.txt").write_text("mlrun==1.6.4\n")
    virtual = project / ".virtual_documents" / "sub" / "train.ipynb.py"
    virtual.parent.mkdir(parents=True)
    text = 'import mlrun\n\n\nfn = mlrun.new_function("t", kind="job", image="mlrun/mlrun")\n'
    virtual.write_text(text)
    uri, diagnostics = await open_document(client, virtual, "python")
    assert [d.code for d in diagnostics] == ["MLR101"]
    actions = await actions_at(client, uri, diagnostics[0])
    fixed = apply_edits(text, edits_of(actions["Fix MLR101: Pin the image to `mlrun/mlrun:1.6.4`"], uri))
    assert await change_document(client, uri, 2, fixed) == []


@pytest.mark.asyncio
async def test_unsaved_requirements_shape_the_open_project(client: LanguageClient, project):
    requirements = project / "requirements.txt"
    requirements.write_text("mlrun==1.6.4\n")
    spec = project / "project.yaml"
    spec.write_text(PROJECT)
    spec_uri, diagnostics = await open_document(client, spec, "yaml")
    actions = await actions_at(client, spec_uri, diagnostics[0])
    assert "Fix MLR101: Pin the image to `mlrun/mlrun:1.6.4`" in actions
    opened = len(client.published)
    requirements_uri, _ = await open_document(client, requirements, "pip-requirements")
    # Opening a requirements file re-lints the project beside it.
    await published_after(client, opened, spec_uri, 1)

    # Edit the requirements buffer without saving: the project is linted again
    # with the buffer's pin, not the file's.
    mark = len(client.published)
    await change_document(client, requirements_uri, 2, "mlrun==1.7.0\n")
    relinted = await published_after(client, mark, spec_uri, 1)
    assert [d.code for d in relinted] == ["MLR101"]
    actions = await actions_at(client, spec_uri, relinted[0])
    assert "Fix MLR101: Pin the image to `mlrun/mlrun:1.7.0`" in actions
    assert requirements.read_text() == "mlrun==1.6.4\n"


@pytest.mark.asyncio
async def test_broken_configuration_is_shown_then_a_fix_on_disk_relints(
    client: LanguageClient, project
):
    config = project / "mlrun-lint.toml"
    config.write_text("mlrun-versoin = 1\n")
    spec = project / "project.yaml"
    spec.write_text(PROJECT)
    uri = uri_of(spec)
    mark = len(client.published)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="yaml", version=1, text=PROJECT
            )
        )
    )
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while not client.messages:
        assert asyncio.get_running_loop().time() < deadline, "no message shown"
        await asyncio.sleep(0.02)
    assert "mlrun-lint.toml" in client.messages[0].message
    assert client.messages[0].type == types.MessageType.Error

    # Fixed on disk: the editor's file watcher tells the server, which re-lints.
    config.write_text('mlrun-version = "1.6.4"\n')
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri_of(config), type=types.FileChangeType.Changed)]
        )
    )
    diagnostics = await published_after(client, mark, uri, 1)
    actions = await actions_at(client, uri, diagnostics[0])
    assert "Fix MLR101: Pin the image to `mlrun/mlrun:1.6.4`" in actions


@pytest.mark.asyncio
async def test_unknown_documents_and_bad_requests_do_not_crash(client: LanguageClient, project):
    unknown = uri_of(project / "never-opened.yaml")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=unknown),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not actions
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=unknown),
            position=types.Position(0, 0),
        )
    )
    assert hover is None
    # A change to a document that is not open is ignored, and a file that does
    # not parse is a diagnostic, not a crash.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=unknown, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="x")],
        )
    )
    broken = project / "function.yaml"
    broken.write_text("kind: job\nspec:\n  image: [unclosed\n")
    _, diagnostics = await open_document(client, broken, "yaml")
    assert all(d.code != "MLR101" for d in diagnostics)
    # A file of no kind mlrun-lint knows gets nothing (editors send every `.txt`).
    notes = project / "notes.txt"
    notes.write_text("image: mlrun/mlrun\n")
    assert (await open_document(client, notes, "plaintext"))[1] == []
    # The server still answers.
    spec = project / "project.yaml"
    spec.write_text(PROJECT)
    _, diagnostics = await open_document(client, spec, "yaml")
    assert [d.code for d in diagnostics] == ["MLR101"]


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def run_raw(messages: list[bytes]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BIN, "server"], input=b"".join(messages), capture_output=True, timeout=TIMEOUT
    )


def responses(stdout: bytes) -> dict:
    """The JSON-RPC responses in the server's output, by id."""
    found = {}
    for chunk in stdout.split(b"Content-Length: ")[1:]:
        body = chunk.split(b"\r\n\r\n", 1)[1]
        message = json.loads(body)
        if "id" in message and "method" not in message:
            found[message["id"]] = message
    return found


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "processId": None,
        "rootUri": None,
        "capabilities": {"general": {"positionEncodings": ["utf-8", "utf-16"]}},
    },
}


def test_shutdown_then_exit_is_clean_and_survives_malformed_messages():
    result = run_raw(
        [
            frame(INITIALIZE),
            frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
            b"Content-Length: 9\r\n\r\n{not json",
            frame({"jsonrpc": "2.0", "id": 2, "method": "textDocument/codeAction", "params": {"x": 1}}),
            frame({"jsonrpc": "2.0", "id": 3, "method": "no/such/method"}),
            frame({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 2}}),
            frame({"jsonrpc": "2.0", "id": 4, "method": "shutdown"}),
            frame({"jsonrpc": "2.0", "method": "exit"}),
        ]
    )
    assert result.returncode == 0, result.stderr
    answers = responses(result.stdout)
    # The client's first choice of encoding is honoured.
    assert answers[1]["result"]["capabilities"]["positionEncoding"] == "utf-8"
    assert answers[2]["error"]["code"] == -32602
    assert answers[3]["error"]["code"] == -32601
    assert answers[4]["result"] is None


def test_exit_without_shutdown_exits_1():
    result = run_raw([frame(INITIALIZE), frame({"jsonrpc": "2.0", "method": "exit"})])
    assert result.returncode == 1
