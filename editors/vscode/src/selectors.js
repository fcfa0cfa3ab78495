// The documents mlrun-lint reads, for the language client. Kept apart from the
// client so the list can be checked without VS Code.
//
// The server decides by file name what it reads and returns nothing for other
// files, so a broad selector is harmless. Notebook cells are selected as cells
// of any notebook (`notebook: "*"`): with the server's `notebookDocumentSync`,
// VS Code's notebook editor sends them as one notebook and gets diagnostics,
// quick fixes and "fix all" per cell.
"use strict";

const documentSelector = [
  { scheme: "file", language: "yaml" },
  { scheme: "file", language: "python" },
  { scheme: "file", language: "pip-requirements" },
  { scheme: "file", language: "dockerfile" },
  { scheme: "file", pattern: "**/*requirements*.txt" },
  { scheme: "file", pattern: "**/constraints*.txt" },
  { scheme: "file", pattern: "**/{uv.lock,poetry.lock,Pipfile.lock,pylock*.toml}" },
  { scheme: "file", pattern: "**/{Dockerfile,Containerfile,*.Dockerfile,Dockerfile.*}" },
  // `mlrun build` / `mlrun run` lines in shell scripts; MLRun's image variables in env files.
  { scheme: "file", language: "shellscript" },
  { scheme: "file", pattern: "**/{*.sh,*.bash,.env,*.env}" },
  // An .ipynb opened as text (JSON).
  { scheme: "file", pattern: "**/*.ipynb" },
  // The cells of a notebook open in the notebook editor.
  { notebook: "*", language: "python" },
];

module.exports = { documentSelector };
