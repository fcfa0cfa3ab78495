"""Notebooks in the editor, end to end with real clients' messages.

VS Code's notebook editor speaks LSP 3.17 notebook synchronisation (driven here
by pytest-lsp); jupyterlab-lsp sends a notebook as one virtual Python document
(replayed here in the exact shapes of jupyterlab-lsp 5.1 on JupyterLab 4's
`@jupyterlab/lsp`: its `initialize`, `didOpen` at version 0 followed by a
`didChange` of the whole text, cells joined by two blank lines and IPython
magics rewritten by its overrides).
"""

import asyncio
import json
import pathlib

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from test_protocol import Session, frame, is_publication_for
from test_server import TIMEOUT, apply_edits, client, project, published_after  # noqa: F401

IMAGE = 'fn = mlrun.new_function("t", kind="job", image="mlrun/mlrun")'
IMAGE_AT = IMAGE.index('"mlrun/')


def cell_uri(notebook: pathlib.Path, name: str) -> str:
    return f"vscode-notebook-cell:{notebook}#{name}"


def code(notebook: pathlib.Path, name: str, text: str, version: int = 1):
    item = types.TextDocumentItem(
        uri=cell_uri(notebook, name), language_id="python", version=version, text=text
    )
    cell = types.NotebookCell(kind=types.NotebookCellKind.Code, document=item.uri)
    return cell, item


def markdown(notebook: pathlib.Path, name: str, text: str):
    item = types.TextDocumentItem(
        uri=cell_uri(notebook, name), language_id="markdown", version=1, text=text
    )
    cell = types.NotebookCell(kind=types.NotebookCellKind.Markup, document=item.uri)
    return cell, item


def open_notebook(client: LanguageClient, notebook: pathlib.Path, cells):
    client.notebook_document_did_open(
        types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(
                uri=notebook.as_uri(),
                notebook_type="jupyter-notebook",
                version=1,
                cells=[cell for cell, _ in cells],
            ),
            cell_text_documents=[item for _, item in cells],
        )
    )


def change_cells(client: LanguageClient, notebook: pathlib.Path, version: int, **cells):
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(
                version=version, uri=notebook.as_uri()
            ),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(**cells)
            ),
        )
    )


def set_cell_text(uri: str, version: int, text: str):
    return types.NotebookDocumentCellContentChanges(
        document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
    )


def shown(diagnostics):
    return [
        (d.code, d.range.start.line, d.range.start.character, d.range.end.character)
        for d in diagnostics
    ]


@pytest.mark.asyncio
async def test_vscode_notebook_cells_get_diagnostics_fixes_and_noqa(
    client: LanguageClient, project
):
    (project / "requirements.txt").write_text("mlrun==1.6.4\n")
    notebook = project / "train.ipynb"
    cells = [
        markdown(notebook, "m", f"# Train\n{IMAGE}\n"),
        code(notebook, "a", "import mlrun\n%pip install pandas"),
        code(notebook, "b", f"x = 1\n{IMAGE}\n"),
    ]
    mark = len(client.published)
    open_notebook(client, notebook, cells)
    a, b = cell_uri(notebook, "a"), cell_uri(notebook, "b")
    assert shown(await published_after(client, mark, a, 1)) == [("MLR201", 1, 13, 19)]
    on_b = await published_after(client, mark, b, 1)
    assert shown(on_b) == [("MLR101", 1, IMAGE_AT, IMAGE_AT + 13)]
    # The markdown cell is not code: nothing is published for it.
    assert all(p.uri != cell_uri(notebook, "m") for p in client.published[mark:])

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=b),
            range=on_b[0].range,
            context=types.CodeActionContext(diagnostics=on_b),
        )
    )
    by_title = {action.title: action for action in actions}
    assert list(by_title) == [
        "Fix MLR101: Pin the image to `mlrun/mlrun:1.6.4`",
        "Suppress MLR101 on this line",
        "Fix all safe mlrun-lint problems in this notebook",
    ]
    noqa = apply_edits(f"x = 1\n{IMAGE}\n", by_title["Suppress MLR101 on this line"].edit.changes[b])
    assert noqa == f"x = 1\n{IMAGE} # noqa: MLR101\n"
    fixed = apply_edits(
        f"x = 1\n{IMAGE}\n",
        by_title["Fix MLR101: Pin the image to `mlrun/mlrun:1.6.4`"].edit.changes[b],
    )
    assert fixed == f"x = 1\n{IMAGE.replace('mlrun/mlrun', 'mlrun/mlrun:1.6.4')}\n"

    # The fix applied in the cell: its diagnostics are cleared, cell `a` keeps its own.
    mark = len(client.published)
    change_cells(client, notebook, 2, text_content=[set_cell_text(b, 2, fixed)])
    assert await published_after(client, mark, b, 2) == []
    # And `# noqa` in a cell suppresses as in a saved notebook.
    mark = len(client.published)
    change_cells(client, notebook, 3, text_content=[set_cell_text(b, 3, noqa)])
    deadline = asyncio.get_running_loop().time() + 2
    while asyncio.get_running_loop().time() < deadline:
        assert all(p.uri != b or not p.diagnostics for p in client.published[mark:])
        await asyncio.sleep(0.05)

    # Fix-all over the notebook, asked from any cell.
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=a),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(
                diagnostics=[], only=[types.CodeActionKind.SourceFixAll]
            ),
        )
    )
    assert actions == [] or all(a.kind == "source.fixAll.mlrun-lint" for a in actions)


@pytest.mark.asyncio
async def test_fix_all_edits_every_cell_it_fixes(client: LanguageClient, project):
    (project / "requirements.txt").write_text("mlrun==1.6.4\n")
    notebook = project / "train.ipynb"
    cells = [
        code(notebook, "a", f"import mlrun\n{IMAGE}"),
        code(notebook, "b", "x = 2"),
        code(notebook, "c", IMAGE),
    ]
    mark = len(client.published)
    open_notebook(client, notebook, cells)
    await published_after(client, mark, cell_uri(notebook, "c"), 1)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=cell_uri(notebook, "b")),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(
                diagnostics=[], only=[types.CodeActionKind.SourceFixAll]
            ),
        )
    )
    [fix_all] = actions
    assert fix_all.title == "Fix all safe mlrun-lint problems in this notebook"
    changes = fix_all.edit.changes
    assert sorted(changes) == [cell_uri(notebook, "a"), cell_uri(notebook, "c")]
    pinned = IMAGE.replace("mlrun/mlrun", "mlrun/mlrun:1.6.4")
    assert apply_edits(f"import mlrun\n{IMAGE}", changes[cell_uri(notebook, "a")]) == (
        f"import mlrun\n{pinned}"
    )
    assert apply_edits(IMAGE, changes[cell_uri(notebook, "c")]) == pinned


@pytest.mark.asyncio
async def test_cells_added_and_removed(client: LanguageClient, project):
    notebook = project / "train.ipynb"
    mark = len(client.published)
    open_notebook(client, notebook, [code(notebook, "a", "import mlrun")])
    await asyncio.sleep(0.5)
    new_cell, new_item = code(notebook, "n", "%pip install numpy")
    change_cells(
        client,
        notebook,
        2,
        structure=types.NotebookDocumentCellChangeStructure(
            array=types.NotebookCellArrayChange(start=1, delete_count=0, cells=[new_cell]),
            did_open=[new_item],
        ),
    )
    n = cell_uri(notebook, "n")
    assert shown(await published_after(client, mark, n, 1)) == [("MLR201", 0, 13, 18)]
    mark = len(client.published)
    change_cells(
        client,
        notebook,
        3,
        structure=types.NotebookDocumentCellChangeStructure(
            array=types.NotebookCellArrayChange(start=1, delete_count=1),
            did_close=[types.TextDocumentIdentifier(uri=n)],
        ),
    )
    # The removed cell's findings are cleared.
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while not any(p.uri == n and not p.diagnostics for p in client.published[mark:]):
        assert asyncio.get_running_loop().time() < deadline, "not cleared"
        await asyncio.sleep(0.02)


@pytest.mark.asyncio
async def test_thousands_of_cells_and_rapid_edits_end_correct_without_flooding(
    client: LanguageClient, project
):
    (project / "requirements.txt").write_text("mlrun==1.6.4\n")
    notebook = project / "big.ipynb"
    cells = [code(notebook, f"c{n}", f"x{n} = {n}\n") for n in range(2000)]
    cells.append(code(notebook, "last", f"import mlrun\n{IMAGE}\n"))
    last = cell_uri(notebook, "last")
    mark = len(client.published)
    open_notebook(client, notebook, cells)
    await published_after(client, mark, last, 1)

    mark = len(client.published)
    for version in range(2, 42):
        text = f"import mlrun\n{IMAGE if version % 2 else IMAGE.replace('mlrun/mlrun', 'mlrun/mlrun:1.6.4')}\n"
        change_cells(client, notebook, version, text_content=[set_cell_text(last, version, text)])
    # The final text (version 41, odd) has the finding.
    final = await published_after(client, mark, last, 41)
    assert shown(final) == [("MLR101", 1, IMAGE_AT, IMAGE_AT + 13)]
    assert len(client.published[mark:]) <= 5


VIRTUAL_TEXT = (
    "import mlrun\n"
    "\n\n"
    'get_ipython().run_line_magic("pip", " install pandas")\n'
    'get_ipython().getoutput("pip install numpy")\n'
    f"{IMAGE}\n"
)


def jupyterlab_messages(root: pathlib.Path, request_id: int, version: int) -> bytes:
    """What one JupyterLab window sends when it opens `sub/train.ipynb`."""
    uri = f"{root.as_uri()}/.virtual_documents/sub/train.ipynb"
    return b"".join(
        [
            frame(
                {
                    "jsonrpc": "2.0",
                    "id": request_id,
                    "method": "initialize",
                    "params": {
                        "capabilities": {
                            "textDocument": {
                                "synchronization": {"dynamicRegistration": True, "didSave": True},
                                "publishDiagnostics": {"tagSupport": {"valueSet": [2]}},
                                "hover": {"contentFormat": ["markdown", "plaintext"]},
                            },
                            "workspace": {"didChangeConfiguration": {"dynamicRegistration": True}},
                        },
                        "initializationOptions": None,
                        "processId": None,
                        "rootUri": root.as_uri(),
                        "workspaceFolders": None,
                    },
                }
            ),
            frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
            frame(
                {
                    "jsonrpc": "2.0",
                    "method": "workspace/didChangeConfiguration",
                    "params": {"settings": {}},
                }
            ),
            frame(
                {
                    "jsonrpc": "2.0",
                    "method": "textDocument/didOpen",
                    "params": {
                        "textDocument": {
                            "uri": uri,
                            "languageId": "python",
                            "text": VIRTUAL_TEXT,
                            "version": version,
                        }
                    },
                }
            ),
            frame(
                {
                    "jsonrpc": "2.0",
                    "method": "textDocument/didChange",
                    "params": {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [{"text": VIRTUAL_TEXT}],
                    },
                }
            ),
        ]
    )


def test_jupyterlab_virtual_document_from_two_windows(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "requirements.txt").write_text("mlrun==1.6.4\n")
    uri = f"{tmp_path.as_uri()}/.virtual_documents/sub/train.ipynb"
    session = Session()
    session.send(jupyterlab_messages(tmp_path, 1, 0))
    seen = session.until(is_publication_for(uri))
    assert seen[0]["id"] == 1 and "result" in seen[0]
    diagnostics = seen[-1]["params"]["diagnostics"]
    # At the cells' own columns (`%pip install pandas`, `!pip install numpy`),
    # on the virtual lines jupyterlab-lsp maps to those cell lines.
    assert [(d["code"], d["range"]) for d in diagnostics] == [
        ("MLR201", {"start": {"line": 3, "character": 13}, "end": {"line": 3, "character": 19}}),
        ("MLR201", {"start": {"line": 4, "character": 13}, "end": {"line": 4, "character": 18}}),
        (
            "MLR101",
            {
                "start": {"line": 5, "character": IMAGE_AT},
                "end": {"line": 5, "character": IMAGE_AT + 13},
            },
        ),
    ]
    # A second browser window on the same server: initialized and served too.
    start = len(session.seen)
    session.send(jupyterlab_messages(tmp_path, 2, 0))
    session.until(lambda m: m.get("id") == 2)
    assert "result" in session.seen[-1]
    session.until(is_publication_for(uri))
    again = session.seen[-1]["params"]["diagnostics"]
    assert [d["code"] for d in again] == ["MLR201", "MLR201", "MLR101"]
    assert all("error" not in m for m in session.seen[start:])
    assert session.close() == 0
