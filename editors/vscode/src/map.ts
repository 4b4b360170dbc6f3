// The network map of a Compose file in a webview beside its editor: the server draws it
// (`portside.showMap` answers the SVG and, for each element the SVG marks with
// `data-portside`, its range in the file), the panel redraws as the file changes, and a
// click on a node or a line selects its YAML in the editor.
import * as crypto from 'crypto';
import * as path from 'path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

/** What `portside.showMap` answers. */
interface MapAnswer {
  svg: string;
  mermaid: string;
  elements?: { id: string; label: string; uri?: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }[];
}

/** Redraw this long after the last keystroke. */
const DEBOUNCE_MS = 400;

/** The open panels, one per Compose document (by URI). */
const panels = new Map<string, MapPanel>();

class MapPanel {
  private readonly panel: vscode.WebviewPanel;
  private readonly nonce = crypto.randomBytes(16).toString('base64');
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Each request takes a number; only the newest answer is drawn. */
  private asked = 0;
  /** The last map and the error since (if any), sent again when the webview reloads. */
  private shown: { map?: object; error?: object } = {};
  /** The drawn map's elements by id, and the document version they were read from. */
  private elements = new Map<string, { label: string; range: vscode.Range; uri?: vscode.Uri }>();
  private version = -1;

  constructor(
    private readonly uri: vscode.Uri,
    private readonly client: () => LanguageClient | undefined,
  ) {
    this.panel = vscode.window.createWebviewPanel(
      'portside.networkMap',
      `Network map: ${path.posix.basename(uri.path)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [] },
    );
    this.panel.webview.html = this.html();
    this.subscriptions.push(
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.webview.onDidReceiveMessage((m) => this.received(m)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.uri.toString() && e.contentChanges.length) {
          this.later(DEBOUNCE_MS);
        }
      }),
      // A saved file may be one the project reads (an override, an included file, .env).
      vscode.workspace.onDidSaveTextDocument(() => this.later(0)),
    );
    void this.refresh();
  }

  reveal(): void {
    this.panel.reveal(vscode.ViewColumn.Beside, true);
    void this.refresh();
  }

  private later(ms: number): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, ms);
  }

  private post(message: { type: 'map' | 'error'; [key: string]: unknown }): void {
    this.shown = message.type === 'map' ? { map: message } : { ...this.shown, error: message };
    void this.panel.webview.postMessage(message);
  }

  /** Asks the server for the map of the document's current text and draws it. */
  private async refresh(): Promise<void> {
    const asked = ++this.asked;
    const client = this.client();
    if (!client || !client.isRunning()) {
      this.post({ type: 'error', message: 'The portside language server is not running (see "portside: Show output").' });
      return;
    }
    let answer: MapAnswer;
    let version: number;
    try {
      // The server maps open documents (their unsaved text).
      version = (await vscode.workspace.openTextDocument(this.uri)).version;
      answer = await client.sendRequest<MapAnswer>('workspace/executeCommand', {
        command: 'portside.showMap',
        arguments: [{ uri: client.code2ProtocolConverter.asUri(this.uri) }],
      });
    } catch (e) {
      if (asked === this.asked) {
        // What is still drawn no longer matches the text: no jumps from it.
        this.elements.clear();
        const why = e instanceof Error ? e.message : String(e);
        this.post({ type: 'error', message: `No map: ${why.replace(/^no map: /, '')}` });
      }
      return;
    }
    if (asked !== this.asked || !answer || typeof answer.svg !== 'string') {
      return;
    }
    this.elements.clear();
    this.version = version;
    const labels: Record<string, string> = {};
    for (const e of answer.elements || []) {
      this.elements.set(e.id, {
        label: e.label,
        range: client.protocol2CodeConverter.asRange(e.range),
        uri: e.uri ? vscode.Uri.parse(e.uri) : undefined,
      });
      labels[e.id] = e.label;
    }
    // The SVG's own <style> runs under the panel's policy: it carries the nonce.
    const svg = answer.svg.replace(/^<\?xml[^>]*>/, '').replace(/<style(?=[\s>])/g, `<style nonce="${this.nonce}"`);
    this.post({ type: 'map', svg, labels, file: path.posix.basename(this.uri.path) });
  }

  private async received(m: { type?: string; id?: string }): Promise<void> {
    if (m.type === 'ready') {
      for (const message of [this.shown.map, this.shown.error]) {
        if (message) {
          void this.panel.webview.postMessage(message);
        }
      }
    } else if (m.type === 'reveal' && typeof m.id === 'string') {
      let element = this.elements.get(m.id);
      const doc = await vscode.workspace.openTextDocument(this.uri);
      if (element && doc.version !== this.version) {
        // Edited since the map was drawn (a click before the redraw): draw it again and
        // select what has the clicked element's label now.
        const label = element.label;
        await this.refresh();
        element = doc.version === this.version ? [...this.elements.values()].find((e) => e.label === label) : undefined;
      }
      if (element) {
        await this.select(element.range, element.uri ?? this.uri);
      }
    }
  }

  /**
   * Selects `range` in the editor of `uri` (the Compose file, or the project's other file an
   * element is written in), opening it when closed, the cursor at its start.
   */
  private async select(range: vscode.Range, uri: vscode.Uri): Promise<void> {
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    const doc = visible?.document ?? (await vscode.workspace.openTextDocument(uri));
    const column = visible?.viewColumn ?? (this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: column, preserveFocus: false, preview: false });
    editor.selection = new vscode.Selection(range.end, range.start);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private dispose(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.asked++;
    panels.delete(this.uri.toString());
    this.subscriptions.forEach((d) => d.dispose());
  }

  private html(): string {
    const n = this.nonce;
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'nonce-${n}'; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${n}">
  body { margin: 0; padding: 0; background: var(--vscode-editor-background); color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
  #bar { position: sticky; top: 0; z-index: 1; display: flex; gap: 6px; align-items: center; padding: 4px 8px; background: var(--vscode-editor-background); border-bottom: 1px solid var(--vscode-panel-border, transparent); }
  #status { flex: 1; opacity: 0.8; }
  button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; border-radius: 2px; padding: 2px 8px; cursor: pointer; font: inherit; }
  button[aria-pressed="true"] { background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
  #error { color: var(--vscode-errorForeground); padding: 6px 8px; white-space: pre-wrap; }
  #map { padding: 8px; }
  /* The drawing keeps its own light colours: a light sheet in every theme. */
  #map svg { display: block; background: #ffffff; border-radius: 4px; }
  #scale { min-width: 3.5em; text-align: center; opacity: 0.8; }
  #map.stale svg { opacity: 0.4; }
  #map svg text { pointer-events: none; }
  #map svg .jump { cursor: pointer; }
  #map svg .jump path { pointer-events: stroke; }
  #map svg .jump:hover rect, #map svg .jump:hover ellipse { stroke-width: 3; }
  #map svg .jump:hover path:not(.hit) { stroke-width: 3; }
  #map svg .jump:focus { outline: 2px solid var(--vscode-focusBorder); }
</style>
</head>
<body>
<div id="bar"><span id="status" role="status">Drawing the map…</span><button id="out" title="Zoom out (Ctrl+wheel)" aria-label="Zoom out">−</button><span id="scale" aria-live="polite"></span><button id="in" title="Zoom in (Ctrl+wheel)" aria-label="Zoom in">+</button><button id="fit" aria-pressed="true" title="Fit the map to the panel's width">Fit</button><button id="actual" aria-pressed="false" title="Actual size">100%</button></div>
<div id="error" role="alert" hidden></div>
<div id="map"></div>
<script nonce="${n}">
(function () {
  const vscode = acquireVsCodeApi();
  const map = document.getElementById('map');
  const status = document.getElementById('status');
  const error = document.getElementById('error');
  const fitButton = document.getElementById('fit');
  const actualButton = document.getElementById('actual');
  const scaleText = document.getElementById('scale');
  // 'fit' (the panel's width, never enlarged) or a scale factor; kept across reloads.
  const saved = (vscode.getState() || {}).mode;
  let mode = typeof saved === 'number' ? saved : 'fit';
  let scale = 1;
  function zoom() {
    fitButton.setAttribute('aria-pressed', String(mode === 'fit'));
    actualButton.setAttribute('aria-pressed', String(mode === 1));
    vscode.setState({ mode: mode });
    const svg = map.querySelector('svg');
    if (!svg) return;
    const width = parseFloat(svg.getAttribute('width')) || 800;
    const height = parseFloat(svg.getAttribute('height')) || 600;
    scale = mode === 'fit' ? Math.min(1, Math.max(0.1, (map.clientWidth - 16) / width)) : mode;
    svg.style.width = width * scale + 'px';
    svg.style.height = height * scale + 'px';
    scaleText.textContent = Math.round(scale * 100) + '%';
  }
  function by(factor) {
    mode = Math.min(4, Math.max(0.1, scale * factor));
    zoom();
  }
  fitButton.addEventListener('click', function () { mode = 'fit'; zoom(); });
  actualButton.addEventListener('click', function () { mode = 1; zoom(); });
  document.getElementById('in').addEventListener('click', function () { by(1.25); });
  document.getElementById('out').addEventListener('click', function () { by(1 / 1.25); });
  map.addEventListener('wheel', function (e) {
    if (!e.ctrlKey) return;
    e.preventDefault();
    by(e.deltaY < 0 ? 1.1 : 1 / 1.1);
  }, { passive: false });
  window.addEventListener('resize', function () { if (mode === 'fit') zoom(); });
  // Each element with a place in the file: a button (click, Enter or Space) with its label,
  // and a wide invisible stroke along thin lines so they are easy to hit.
  function decorate(labels) {
    for (const g of map.querySelectorAll('[data-portside]')) {
      const label = labels[g.getAttribute('data-portside')];
      if (!label) continue;
      g.classList.add('jump');
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'button');
      g.setAttribute('aria-label', label);
      for (const p of Array.from(g.querySelectorAll('path'))) {
        const hit = p.cloneNode(false);
        hit.removeAttribute('id');
        hit.removeAttribute('marker-end');
        hit.removeAttribute('stroke-dasharray');
        hit.setAttribute('stroke', 'transparent');
        hit.setAttribute('stroke-width', '12');
        hit.setAttribute('fill', 'none');
        hit.setAttribute('class', 'hit');
        g.appendChild(hit);
      }
    }
  }
  function jump(target) {
    const g = target && target.closest ? target.closest('.jump') : null;
    if (g) vscode.postMessage({ type: 'reveal', id: g.getAttribute('data-portside') });
  }
  map.addEventListener('click', function (e) { jump(e.target); });
  map.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); jump(e.target); }
  });
  window.addEventListener('message', function (e) {
    const m = e.data || {};
    if (m.type === 'map') {
      map.innerHTML = m.svg;
      decorate(m.labels || {});
      zoom();
      map.classList.remove('stale');
      error.hidden = true;
      const ids = Array.from(map.querySelectorAll('[data-portside]')).map(function (g) { return g.getAttribute('data-portside'); });
      const services = ids.filter(function (id) { return /^s\\d+$/.test(id); }).length;
      const networks = ids.filter(function (id) { return /^n\\d+$/.test(id); }).length;
      status.textContent = m.file + ': ' + services + (services === 1 ? ' service, ' : ' services, ') + networks + (networks === 1 ? ' network' : ' networks') + '. Click an element to select its YAML.';
    } else if (m.type === 'error') {
      error.textContent = m.message;
      error.hidden = false;
      map.classList.add('stale');
      status.textContent = map.querySelector('svg') ? 'The last map drawn:' : '';
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
</script>
</body>
</html>`;
  }
}

/**
 * "portside: Show network map": the map of `uri` (the editor title button passes it), else
 * of the Compose file `pick` chooses, beside its editor.
 */
export async function showNetworkMap(
  client: () => LanguageClient | undefined,
  pick: () => Promise<vscode.Uri | undefined>,
  uri?: vscode.Uri,
): Promise<void> {
  const target = uri instanceof vscode.Uri ? uri : await pick();
  if (!target) {
    return;
  }
  if (!vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === target.toString())) {
    // Picked from the workspace: the file opens too, where the map's clicks lead.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(target), { preview: false });
  }
  const existing = panels.get(target.toString());
  if (existing) {
    existing.reveal();
    return;
  }
  panels.set(target.toString(), new MapPanel(target, client));
}
