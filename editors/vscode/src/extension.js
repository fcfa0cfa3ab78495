// The VS Code client of `mlrun-lint server`: starts the server over stdio and
// hands it the documents and notebook cells mlrun-lint reads.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");
const { documentSelector } = require("./selectors");

let client;

async function activate(context) {
  const command = vscode.workspace.getConfiguration("mlrun-lint").get("path", "mlrun-lint");
  const server = { command, args: ["server"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "mlrun-lint",
    "mlrun-lint",
    { run: server, debug: server },
    { documentSelector }
  );
  context.subscriptions.push(client);
  try {
    await client.start();
  } catch (err) {
    vscode.window.showErrorMessage(
      `mlrun-lint: cannot start \`${command} server\` (${err.message}). ` +
        "Install mlrun-lint or set `mlrun-lint.path`."
    );
  }
}

async function deactivate() {
  if (client) {
    await client.stop();
  }
}

module.exports = { activate, deactivate };
