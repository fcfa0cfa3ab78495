use super::*;
use crate::config::{Overrides, Resolver};
use crate::discover::WalkOptions;
use crate::engine::{self, Settings};
use std::str::FromStr;
use std::sync::Arc;

fn uri(text: &str) -> lsp::Uri {
    lsp::Uri::from_str(text).unwrap()
}

fn cell(name: &str, code: bool, text: &str) -> CellText {
    CellText {
        uri: uri(&format!("vscode-notebook-cell:/p/x.ipynb#{name}")),
        code,
        text: text.into(),
        first_line: 0,
        verbatim: None,
        version: Some(1),
    }
}

/// The engine's findings on `cells` judged at `<dir>/x.ipynb`, beside a
/// requirements file that pins the client.
fn judge(dir: &std::path::Path, cells: &Cells) -> FileDiagnostics {
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join("requirements.txt"), "mlrun==1.6.4\n").unwrap();
    let settings = Settings {
        config: Arc::new(Resolver::new(dir, None, Overrides::default()).unwrap()),
        walk: WalkOptions {
            respect_ignores: true,
        },
        ignore_noqa: false,
        fingerprints: false,
        cache: None,
    };
    let outcome = engine::check_text(&cells.path, cells.ipynb(), &settings).unwrap();
    outcome.files.into_iter().next().unwrap()
}

fn at(line: u32, character: u32) -> lsp::Position {
    lsp::Position { line, character }
}

#[test]
fn the_notebook_text_is_nbformat_with_one_json_line_per_source_line() {
    let cells = Cells {
        path: PathBuf::from("/p/x.ipynb"),
        cells: vec![
            cell("a", true, "import mlrun\nx = \"é\"\n"),
            cell("b", false, "# Title"),
        ],
    };
    let text = cells.ipynb();
    assert!(text.contains("\n    \"import mlrun\\n\",\n    \"x = \\\"é\\\"\\n\"\n"));
    assert_eq!(
        cell_sources(&text).unwrap(),
        ["import mlrun\nx = \"é\"\n", "# Title"]
    );
    let (_, map) = crate::sources::notebook::read(&text);
    let map = map.unwrap();
    assert_eq!(map.cells().len(), 1);
    assert_eq!(map.cells()[0].text, "import mlrun\nx = \"é\"\n");
}

#[test]
fn findings_fixes_and_suppressions_land_in_their_cells() {
    let dir = tempfile::tempdir().unwrap();
    let cells = Cells {
        path: dir.path().join("x.ipynb"),
        cells: vec![
            cell("a", true, "import mlrun\n"),
            cell("m", false, "image=\"mlrun/mlrun\" in markdown\n"),
            cell(
                "b",
                true,
                "x = 1\nfn = mlrun.new_function(\"t\", kind=\"job\", image=\"mlrun/mlrun\")\n",
            ),
        ],
    };
    let file = judge(dir.path(), &cells);
    let shown = cells.diagnostics(&file, Encoding::Utf16);
    assert_eq!(shown.len(), 1);
    let (at_uri, version, diagnostics) = &shown[0];
    assert_eq!(*at_uri, cells.cells[2].uri);
    assert_eq!(*version, Some(1));
    let codes: Vec<_> = diagnostics.iter().map(|d| d.code.clone()).collect();
    assert_eq!(codes, [Some(lsp::NumberOrString::String("MLR101".into()))]);
    assert_eq!(diagnostics[0].range, lsp::Range::new(at(1, 47), at(1, 60)));

    let actions = cells.code_actions(
        &file,
        &cells.cells[2].uri,
        diagnostics[0].range,
        None,
        Encoding::Utf16,
    );
    let titles: Vec<_> = actions
        .iter()
        .map(|action| match action {
            lsp::CodeActionOrCommand::CodeAction(action) => action.title.clone(),
            lsp::CodeActionOrCommand::Command(command) => command.title.clone(),
        })
        .collect();
    assert_eq!(
        titles,
        [
            "Fix MLR101: Pin the image to `mlrun/mlrun:1.6.4`",
            "Suppress MLR101 on this line",
            "Fix all safe mlrun-lint problems in this notebook",
        ]
    );
    let edits = |index: usize| -> Vec<(String, lsp::TextEdit)> {
        let lsp::CodeActionOrCommand::CodeAction(action) = &actions[index] else {
            panic!("an action");
        };
        action
            .edit
            .as_ref()
            .and_then(|edit| edit.changes.as_ref())
            .unwrap()
            .iter()
            .flat_map(|(uri, edits)| edits.iter().map(|e| (uri.as_str().to_owned(), e.clone())))
            .collect()
    };
    let cell_b = cells.cells[2].uri.as_str().to_owned();
    assert_eq!(
        edits(0),
        [(
            cell_b.clone(),
            lsp::TextEdit {
                range: lsp::Range::new(at(1, 59), at(1, 59)),
                new_text: ":1.6.4".into()
            }
        )]
    );
    assert_eq!(
        edits(1),
        [(
            cell_b.clone(),
            lsp::TextEdit {
                range: lsp::Range::new(at(1, 61), at(1, 61)),
                new_text: " # noqa: MLR101".into()
            }
        )]
    );
    let [(whole_uri, whole)] = edits(2).try_into().unwrap();
    assert_eq!(whole_uri, cell_b);
    assert_eq!(whole.range, lsp::Range::new(at(0, 0), at(2, 0)));
    assert_eq!(
        whole.new_text,
        "x = 1\nfn = mlrun.new_function(\"t\", kind=\"job\", image=\"mlrun/mlrun:1.6.4\")\n"
    );
    // Nothing on another cell.
    let elsewhere = cells.code_actions(
        &file,
        &cells.cells[0].uri,
        diagnostics[0].range,
        None,
        Encoding::Utf16,
    );
    assert_eq!(elsewhere.len(), 1, "only fix-all");
}

#[test]
fn a_virtual_document_places_cells_by_line_and_edits_only_verbatim_lines() {
    let dir = tempfile::tempdir().unwrap();
    let virtual_text = "import mlrun\n\n\nget_ipython().run_line_magic(\"pip\", \" install pandas\")\nfn = mlrun.new_function(\"t\", kind=\"job\", image=\"mlrun/mlrun\")\n";
    let document = uri("file:///p/.virtual_documents/x.ipynb");
    let cells = Cells {
        path: dir.path().join("x.ipynb"),
        cells: crate::server::jupyterlab::cells(virtual_text)
            .into_iter()
            .map(|cell| CellText {
                uri: document.clone(),
                code: true,
                text: cell.text,
                first_line: cell.first_line,
                verbatim: Some(cell.verbatim),
                version: Some(3),
            })
            .collect(),
    };
    let file = judge(dir.path(), &cells);
    let [(at_uri, _, diagnostics)] = cells
        .diagnostics(&file, Encoding::Utf16)
        .try_into()
        .unwrap();
    assert_eq!(at_uri, document);
    let found: Vec<_> = diagnostics
        .iter()
        .map(|d| (d.code.clone().unwrap(), d.range))
        .collect();
    // `pandas` at its column in the cell (`%pip install pandas`), on its virtual line.
    assert_eq!(
        found,
        [
            (
                lsp::NumberOrString::String("MLR201".into()),
                lsp::Range::new(at(3, 13), at(3, 19))
            ),
            (
                lsp::NumberOrString::String("MLR101".into()),
                lsp::Range::new(at(4, 47), at(4, 60))
            ),
        ]
    );
    let on_magic = cells.code_actions(&file, &document, found[0].1, None, Encoding::Utf16);
    assert!(on_magic.iter().all(|action| matches!(action,
        lsp::CodeActionOrCommand::CodeAction(a) if !a.title.starts_with("Suppress"))));
    let on_code = cells.code_actions(&file, &document, found[1].1, None, Encoding::Utf16);
    assert!(on_code.iter().any(|action| matches!(action,
        lsp::CodeActionOrCommand::CodeAction(a) if a.title == "Fix MLR101: Pin the image to `mlrun/mlrun:1.6.4`")));
}
