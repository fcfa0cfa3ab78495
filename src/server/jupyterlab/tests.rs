use super::*;

fn texts(text: &str) -> Vec<(String, u32)> {
    cells(text)
        .into_iter()
        .map(|cell| (cell.text, cell.first_line))
        .collect()
}

#[test]
fn cells_are_split_at_two_blank_lines() {
    // Cells `import mlrun` and `x = 1\ny = 2`, as jupyterlab-lsp joins them.
    assert_eq!(
        texts("import mlrun\n\n\nx = 1\ny = 2\n"),
        [("import mlrun".into(), 0), ("x = 1\ny = 2".into(), 3)]
    );
    // A cell ending with a line break; an empty cell; one cell.
    assert_eq!(texts("a\n\n\n\nb\n"), [("a".into(), 0), ("\nb".into(), 3)]);
    assert_eq!(
        texts("a\n\n\n\n\n\nb\n"),
        [("a".into(), 0), ("".into(), 3), ("b".into(), 6)]
    );
    assert_eq!(texts("only\n"), [("only".into(), 0)]);
    assert_eq!(texts(""), [("".into(), 0)]);
}

#[test]
fn line_magics_and_shell_commands_are_restored() {
    let virtual_text = concat!(
        "get_ipython().run_line_magic(\"pip\", \" install pandas \\\"numpy>=1\\\"\")\n",
        "x = get_ipython().getoutput(\"pip install \"scipy\"\")\n",
        "get_ipython().run_line_magic(\"nuclio\", \" cmd -c pip install mlrun\")\n",
        "get_ipython().run_line_magic('pinfo', 'mlrun')\n",
        "get_ipython().run_line_magic('pinfo2',  'mlrun')\n",
        "import mlrun\n",
    );
    let [cell] = cells(virtual_text).try_into().unwrap();
    assert_eq!(
        cell.text,
        concat!(
            "%pip install pandas \"numpy>=1\"\n",
            "x = !pip install \"scipy\"\n",
            "%nuclio cmd -c pip install mlrun\n",
            "?mlrun\n",
            "mlrun??\n",
            "import mlrun",
        )
    );
    assert_eq!(cell.verbatim, [false, false, false, false, false, true]);
}

#[test]
fn cell_magics_are_restored() {
    let virtual_text = concat!(
        "import mlrun\n\n\n",
        "get_ipython().run_cell_magic(\"writefile\", \" app.py\", \"\"\"import os\n",
        "s = \\\"\\\"\\\"doc\\\"\\\"\\\"\n\"\"\")\n",
    );
    let found = cells(virtual_text);
    assert_eq!(found.len(), 2);
    assert_eq!(
        found[1].text,
        "%%writefile app.py\nimport os\ns = \"\"\"doc\"\"\"\n"
    );
    assert_eq!(found[1].first_line, 3);
    assert!(found[1].verbatim.iter().all(|&same| !same));
}

#[test]
fn virtual_documents_and_their_notebooks() {
    for (path, language) in [
        ("/p/.virtual_documents/sub/train.ipynb", "python"),
        ("/p/.virtual_documents/sub/train.ipynb", "ipython"),
        ("/p/.virtual_documents/train.ipynb.py", "python"),
        ("/p/train.ipynb", "python"),
    ] {
        assert!(is_virtual(Path::new(path), language), "{path}");
    }
    for (path, language) in [
        ("/p/train.ipynb", "json"),
        ("/p/train.ipynb", "jupyter"),
        ("/p/.virtual_documents/train.py", "python"),
    ] {
        assert!(!is_virtual(Path::new(path), language), "{path}");
    }
    assert_eq!(
        judged_path(PathBuf::from("/p/.virtual_documents/sub/train.ipynb")),
        PathBuf::from("/p/sub/train.ipynb")
    );
    assert_eq!(
        judged_path(PathBuf::from("/p/.virtual_documents/sub/train.ipynb.py")),
        PathBuf::from("/p/sub/train.ipynb")
    );
    assert_eq!(
        judged_path(PathBuf::from("/p/sub/train.py")),
        PathBuf::from("/p/sub/train.py")
    );
}
