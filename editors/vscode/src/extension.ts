// The portside extension: starts the `portside lsp` server for Compose files, Dockerfiles and
// daemon.json, passes the settings through, and adds commands and a daemon status item.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';
import { showNetworkMap } from './map';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;
/** Each status refresh takes a number; only the newest may write the item. */
let statusAsked = 0;

/** The commands a Markdown hover from the server may run (its command links). */
const HOVER_COMMANDS = ['portside.probe', 'portside.checkFile', 'portside.openSetting', 'portside.showOutput'];
/** Compose file names, as the client's document selector has them. */
const COMPOSE_GLOB = '**/{compose,docker-compose}*.{yml,yaml}';
/** How often the status item asks again while the window has focus. */
const STATUS_EVERY_MS = 60_000;

/** The binary's file name on this system. */
const SERVER_FILE = process.platform === 'win32' ? 'portside.exe' : 'portside';

/**
 * The server: the setting, else the binary bundled in a platform package, else `portside`
 * on PATH (the universal package bundles none).
 */
function findServer(context: vscode.ExtensionContext): string | undefined {
  const configured = vscode.workspace.getConfiguration('portside').get<string>('server.path');
  if (configured) {
    return fs.existsSync(configured) ? configured : undefined;
  }
  const bundled = context.asAbsolutePath(path.join('bin', SERVER_FILE));
  if (fs.existsSync(bundled)) {
    return bundled;
  }
  // VS Code-based hosts do not always pass the login shell's PATH: look where cargo and the
  // package managers put binaries too.
  const dirs = (process.env.PATH || '').split(path.delimiter);
  const home = process.env.HOME || process.env.USERPROFILE || '';
  if (home) {
    dirs.push(path.join(home, '.cargo', 'bin'));
  }
  if (process.platform !== 'win32') {
    dirs.push('/opt/homebrew/bin', '/usr/local/bin', '/usr/bin');
  }
  for (const dir of dirs) {
    const candidate = path.join(dir, SERVER_FILE);
    if (dir && fs.existsSync(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

/** What to say when there is no server: where it was looked for, and how to install it. */
function serverMissingMessage(): string {
  const configured = vscode.workspace.getConfiguration('portside').get<string>('server.path');
  const platform = `${process.platform}-${process.arch}`;
  const where = configured
    ? `portside.server.path is ${configured}, which does not exist.`
    : `This package of the extension has no ${SERVER_FILE} for ${platform}, and none is on PATH.`;
  return (
    `portside: the language server was not found. ${where} Install it with ` +
    '`cargo install --git https://github.com/portside-lsp/portside --locked` (it goes to ~/.cargo/bin), ' +
    `or install the extension's package for your platform (portside-${platform}-VERSION.vsix), which carries it; ` +
    'or set portside.server.path to the binary. Then run "portside: Restart the language server".'
  );
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
    const choice = await vscode.window.showErrorMessage(serverMissingMessage(), open);
    if (choice === open) {
      await openSetting('portside.server.path');
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
    // Hovers carry command links ("Check reachability"): trusted for portside's own
    // commands only.
    markdown: { isTrusted: { enabledCommands: HOVER_COMMANDS }, supportHtml: false },
    middleware: {
      workspace: {
        // The server pulls the `portside` section: answer with what it reads.
        configuration: (params, token, next) =>
          params.items.map((item) => (item.section === 'portside' ? serverSettings() : null)),
      },
    },
  };
  client = new LanguageClient('portside', 'portside', serverOptions, clientOptions);
  // Hovers may carry `command:` links: this client runs portside's (the `markdown` option
  // above trusts them), so the server sends links instead of words.
  client.registerFeature({
    fillClientCapabilities: (capabilities) => {
      capabilities.experimental = {
        ...(capabilities.experimental as object | undefined),
        portside: { commandLinks: true },
      };
    },
    initialize: () => {},
    getState: () => ({ kind: 'static' }),
    clear: () => {},
  });
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

/**
 * Opens the Settings editor on `key`, in the scope where its value is set (folder, workspace,
 * else the user's settings), so that what the user sees is the value in effect.
 */
async function openSetting(key: string): Promise<void> {
  const info = vscode.workspace.getConfiguration().inspect(key);
  let command = 'workbench.action.openGlobalSettings';
  if (info?.workspaceFolderValue !== undefined) {
    command = 'workbench.action.openFolderSettings';
  } else if (info?.workspaceValue !== undefined) {
    command = 'workbench.action.openWorkspaceSettings';
  }
  await vscode.commands.executeCommand(command, { query: key });
}

/** What the server answers to `portside.daemon`. */
interface DaemonAnswer {
  disabled?: boolean;
  endpoint?: string;
  engine?: string;
  os?: string;
  api?: string;
  error?: string;
}

/**
 * The status bar item: whether a Docker daemon answers where the live checks would ask. The
 * server decides (`portside.daemon`, with its `live.endpoint` setting, `DOCKER_HOST` and the
 * Docker context), so the item and the live checks never disagree about the endpoint.
 */
async function refreshStatus(): Promise<void> {
  const asked = ++statusAsked;
  const live = vscode.workspace.getConfiguration('portside').get<boolean>('live.enabled', true);
  if (!client || !client.isRunning() || !vscode.workspace.isTrusted || !live) {
    status.hide();
    return;
  }
  let answer: DaemonAnswer | null;
  try {
    answer = await client.sendRequest<DaemonAnswer | null>('workspace/executeCommand', {
      command: 'portside.daemon',
      arguments: [],
    });
  } catch (e) {
    answer = { error: `the language server could not be asked: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (asked !== statusAsked) {
    return; // a newer refresh started meanwhile
  }
  if (!answer || answer.disabled) {
    status.hide();
    return;
  }
  const tip = new vscode.MarkdownString(undefined, true);
  tip.isTrusted = { enabledCommands: ['portside.openSetting', 'portside.showOutput'] };
  const endpoint = answer.endpoint || 'unknown';
  const setting = `[portside.live.endpoint](command:portside.openSetting?${encodeURIComponent(JSON.stringify(['portside.live.endpoint']))})`;
  if (answer.error) {
    status.text = '$(debug-disconnect) Docker: not answering';
    status.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    tip.appendMarkdown('**portside: no Docker daemon answers**\n\n');
    tip.appendMarkdown(`Endpoint: \`${endpoint}\`\n\n`);
    tip.appendText(answer.error);
    tip.appendMarkdown(`\n\nLive checks use this endpoint; set it with ${setting}.`);
  } else {
    status.text = '$(plug) Docker';
    status.backgroundColor = undefined;
    tip.appendMarkdown('**portside: a Docker daemon answers**\n\n');
    tip.appendMarkdown(`Endpoint: \`${endpoint}\`\n\n`);
    tip.appendMarkdown(`Engine: ${answer.engine || 'unknown'} on ${answer.os || 'unknown'}, API ${answer.api || 'unknown'}\n\n`);
    tip.appendMarkdown(`Live checks use this endpoint (${setting}).`);
  }
  status.tooltip = tip;
  status.accessibilityInformation = {
    label: answer.error ? `Docker not answering at ${endpoint}` : `Docker answers at ${endpoint}, engine ${answer.engine}`,
  };
  status.show();
}

/** Whether portside reads `doc` as a Compose file (the client's selector, by language or name). */
function isCompose(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'dockercompose' || /(^|\/)(docker-)?compose[^/]*\.ya?ml$/i.test(doc.uri.path);
}

/**
 * The Compose file "Check reachability" checks: the active one; else the workspace's (one:
 * that one; several: the user picks, nearest the active file first); else `undefined`, after
 * saying why.
 */
async function composeFileToCheck(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  if (active && isCompose(active)) {
    return active.uri;
  }
  const found = await vscode.workspace.findFiles(COMPOSE_GLOB, '**/node_modules/**', 200);
  if (found.length === 0) {
    const why = active && /dockerfile|containerfile/i.test(`${active.languageId} ${active.uri.path}`)
      ? 'a Dockerfile publishes no port by itself, and this workspace has no Compose file (compose.yaml, docker-compose.yml) to check'
      : 'this workspace has no Compose file (compose.yaml, docker-compose.yml). Open one, then run the check again';
    vscode.window.showInformationMessage(`portside: nothing to check: ${why}.`);
    return undefined;
  }
  if (found.length === 1) {
    return found[0];
  }
  // Nearest the active file first (the longest common folder), then by path.
  const near = (u: vscode.Uri): number => {
    if (!active) {
      return 0;
    }
    const a = path.posix.dirname(active.uri.path).split('/');
    const b = path.posix.dirname(u.path).split('/');
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) {
      i++;
    }
    return i;
  };
  found.sort((x, y) => near(y) - near(x) || x.path.localeCompare(y.path));
  const pick = await vscode.window.showQuickPick(
    found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { placeHolder: 'portside: which Compose file should the live check read?' },
  );
  return pick?.uri;
}

/** "Check reachability of this Compose file". */
async function checkFile(): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    vscode.window.showWarningMessage('portside: live checks are off in an untrusted workspace.');
    return;
  }
  if (!client || !client.isRunning()) {
    vscode.window.showWarningMessage('portside: the language server is not running (see "portside: Show output").');
    return;
  }
  const uri = await composeFileToCheck();
  if (!uri || !client) {
    return;
  }
  // The server checks open documents (their unsaved text): open it, and show where the
  // verdicts appear.
  const doc = await vscode.workspace.openTextDocument(uri);
  if (vscode.window.activeTextEditor?.document !== doc) {
    await vscode.window.showTextDocument(doc, { preview: false });
  }
  await client.sendRequest('workspace/executeCommand', {
    command: 'portside.probe',
    arguments: [{ uri: client.code2ProtocolConverter.asUri(uri) }],
  });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('portside');
  status = vscode.window.createStatusBarItem('portside.daemon', vscode.StatusBarAlignment.Right, 0);
  status.name = 'portside: Docker daemon';
  status.command = 'portside.showOutput';
  context.subscriptions.push(output, status);
  const timer = setInterval(() => {
    if (vscode.window.state.focused) {
      void refreshStatus();
    }
  }, STATUS_EVERY_MS);
  context.subscriptions.push({ dispose: () => clearInterval(timer) });
  context.subscriptions.push(
    vscode.commands.registerCommand('portside.restart', async () => {
      await restart(context);
      await refreshStatus();
    }),
    vscode.commands.registerCommand('portside.showOutput', () => output.show()),
    vscode.commands.registerCommand('portside.checkFile', checkFile),
    vscode.commands.registerCommand('portside.showNetworkMap', (uri?: vscode.Uri) =>
      showNetworkMap(() => client, composeFileToCheck, uri),
    ),
    vscode.commands.registerCommand('portside.openSetting', (key?: string) =>
      openSetting(typeof key === 'string' && key.startsWith('portside.') ? key : 'portside.live.endpoint'),
    ),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('portside.server.path')) {
        await restart(context);
      } else if (e.affectsConfiguration('portside') && client) {
        // Sent on change, no restart needed.
        await client.sendNotification('workspace/didChangeConfiguration', {
          settings: { portside: serverSettings() },
        });
      }
      if (e.affectsConfiguration('portside')) {
        await refreshStatus();
      }
    }),
    // Back to the window: the daemon may have started or stopped meanwhile.
    vscode.window.onDidChangeWindowState((state) => {
      if (state.focused) {
        void refreshStatus();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      if (client) {
        await client.sendNotification('workspace/didChangeConfiguration', {
          settings: { portside: serverSettings() },
        });
      }
      await refreshStatus();
    }),
  );
  await start(context);
  await refreshStatus();
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
  }
}
