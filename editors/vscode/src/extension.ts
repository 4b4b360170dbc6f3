// The portside extension: starts the `portside lsp` server for Compose files, Dockerfiles and
// daemon.json, passes the settings through, and adds commands and a daemon status item.
import * as fs from 'fs';
import * as path from 'path';
import { execFile } from 'child_process';
import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;

/** The server: the setting, else the bundled binary, else `portside` on PATH. */
function findServer(context: vscode.ExtensionContext): string | undefined {
  const configured = vscode.workspace.getConfiguration('portside').get<string>('server.path');
  if (configured) {
    return fs.existsSync(configured) ? configured : undefined;
  }
  const bundled = context.asAbsolutePath(path.join('bin', 'portside'));
  if (fs.existsSync(bundled)) {
    return bundled;
  }
  // VS Code-based hosts do not always pass the login shell's PATH: look in the usual places too.
  const dirs = (process.env.PATH || '').split(path.delimiter);
  const home = process.env.HOME || '';
  dirs.push(path.join(home, '.cargo', 'bin'), '/usr/local/bin', '/usr/bin');
  for (const dir of dirs) {
    const candidate = path.join(dir, 'portside');
    if (dir && fs.existsSync(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

/** What the server reads: rule levels, and live checks (never in an untrusted workspace). */
function serverSettings(): object {
  const cfg = vscode.workspace.getConfiguration('portside');
  return {
    rules: cfg.get('rules') || {},
    host: cfg.get('host') || {},
    live: {
      enabled: cfg.get<boolean>('live.enabled', true) && vscode.workspace.isTrusted,
      endpoint: cfg.get<string>('live.endpoint', ''),
    },
  };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const command = findServer(context);
  if (!command) {
    const open = 'Open setting';
    const choice = await vscode.window.showErrorMessage(
      'portside: the language server was not found. Set portside.server.path to the portside binary, or install it (cargo install) so that it is on PATH.',
      open,
    );
    if (choice === open) {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'portside.server.path');
    }
    return;
  }
  const serverOptions: ServerOptions = { command, args: ['lsp'], transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'dockercompose' },
      { scheme: 'file', language: 'dockerfile' },
      { scheme: 'file', pattern: '**/{compose,docker-compose}*.{yml,yaml}' },
      { scheme: 'file', pattern: '**/{Dockerfile,Dockerfile.*,*.Dockerfile,*.dockerfile,Containerfile}' },
      { scheme: 'file', pattern: '**/daemon.json' },
      // Read by the Compose files beside them: unsaved edits count.
      { scheme: 'file', pattern: '**/portside.toml' },
      { scheme: 'file', pattern: '**/.env' },
      { scheme: 'untitled', language: 'dockercompose' },
      { scheme: 'untitled', language: 'dockerfile' },
    ],
    initializationOptions: serverSettings(),
    outputChannel: output,
    middleware: {
      workspace: {
        // The server pulls the `portside` section: answer with what it reads.
        configuration: (params, token, next) =>
          params.items.map((item) => (item.section === 'portside' ? serverSettings() : null)),
      },
    },
  };
  client = new LanguageClient('portside', 'portside', serverOptions, clientOptions);
  await client.start();
  output.appendLine(`portside: started ${command} lsp`);
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  if (client) {
    await client.stop();
    client = undefined;
  }
  await start(context);
}

/** The status bar item: whether a Docker daemon answers (`portside doctor`). */
function refreshStatus(context: vscode.ExtensionContext): void {
  const command = findServer(context);
  if (!command || !vscode.workspace.isTrusted) {
    status.hide();
    return;
  }
  execFile(command, ['doctor'], { timeout: 10000 }, (err, stdout) => {
    const daemon = stdout.split('\n').find((l) => l.startsWith('daemon:')) || '';
    if (err) {
      status.text = '$(debug-disconnect) Docker';
      status.tooltip = `portside: no Docker daemon answers. ${daemon}`;
    } else {
      status.text = '$(plug) Docker';
      status.tooltip = `portside: ${daemon.replace('daemon:', '').trim()}`;
    }
    status.show();
  });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('portside');
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 0);
  status.command = 'portside.showOutput';
  context.subscriptions.push(output, status);
  context.subscriptions.push(
    vscode.commands.registerCommand('portside.restart', () => restart(context)),
    vscode.commands.registerCommand('portside.showOutput', () => output.show()),
    vscode.commands.registerCommand('portside.checkFile', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || !client) {
        return;
      }
      if (!vscode.workspace.isTrusted) {
        vscode.window.showWarningMessage('portside: live checks are off in an untrusted workspace.');
        return;
      }
      await client.sendRequest('workspace/executeCommand', {
        command: 'portside.probe',
        arguments: [{ uri: editor.document.uri.toString() }],
      });
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('portside.server.path')) {
        await restart(context);
      } else if (e.affectsConfiguration('portside') && client) {
        // Sent on change, no restart needed.
        await client.sendNotification('workspace/didChangeConfiguration', {
          settings: { portside: serverSettings() },
        });
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      refreshStatus(context);
      if (client) {
        await client.sendNotification('workspace/didChangeConfiguration', {
          settings: { portside: serverSettings() },
        });
      }
    }),
  );
  await start(context);
  refreshStatus(context);
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
  }
}
