// The privlex extension: starts `privlex lsp` for .rules files. Plain JavaScript, no build step.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("privlex").get("server.command", ["privlex", "lsp"]);
  const run = { command, args, transport: TransportKind.stdio };
  client = new LanguageClient(
    "privlex",
    "privlex language server",
    { run, debug: run },
    {
      documentSelector: [{ scheme: "file", language: "privlex" }],
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.rules,pyproject.toml}") },
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
