// Drives code-server in Chromium (playwright-core): the broken example shows portside's
// squiggle and Problems entry, a port hover explains the mapping, the quick fix applies and
// clears the diagnostic, the live check from the Command Palette reports on the project's
// (absent) containers, the status item shows the daemon, "Show output" opens the channel
// with the trace, settings changed in the workspace's settings.json reach the server
// without a restart, "Restart" restarts it, and a server path that does not exist gives one
// error whose button opens the setting. With MODE=untrusted (a second code-server, the
// folder not trusted): diagnostics still come, no daemon status, the live check refused.
// Screenshots of each step go to $OUT.
const path = require('path');
const fs = require('fs');
const { chromium } = require(path.join(__dirname, '..', 'node_modules', 'playwright-core'));
const url = process.argv[2];
const OUT = process.env.OUT;
const SETTINGS = process.env.SETTINGS;
const USER_DATA = process.env.USER_DATA;
const UNTRUSTED = process.env.MODE === 'untrusted';
const t0 = Date.now();
const log = (step, ok, detail) =>
  console.log(JSON.stringify({ step, ok, ms: Date.now() - t0, detail }));

(async () => {
  const profile = fs.mkdtempSync('/tmp/portside-chromium-');
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
  });
  const page = ctx.pages()[0] || (await ctx.newPage());
  let failed = 0;
  const shot = (name) => page.screenshot({ path: `${OUT}/${name}.png` }).catch(() => {});
  const step = async (name, fn) => {
    try {
      log(name, true, await fn());
    } catch (e) {
      failed++;
      log(name, false, String(e.message || e).split('\n')[0]);
      await shot(`fail-${name}`);
      throw e;
    }
  };
  const problems = () => document.querySelector('.markers-panel')?.innerText || '';
  const problemsGone = (needle, timeout) => page.waitForFunction(
    ([src, n]) => !new Function(`return (${src})()`)().includes(n),
    [problems.toString(), needle], { timeout });
  // The user's settings.json, edited as a user does while VS Code runs.
  const setSettings = (extra) => {
    const file = process.env.WS_SETTINGS;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const s = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
    fs.writeFileSync(file, JSON.stringify(Object.assign(s, extra), null, 2));
  };
  // What the extension wrote to its output channel (VS Code keeps a copy in its logs).
  const outputLog = () => {
    const found = [];
    const walk = (dir) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/output_logging/.test(p) && /portside\.log$/.test(e.name)) found.push(p);
      }
    };
    walk(path.join(USER_DATA, 'logs'));
    return found.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  };
  const palette = async (title) => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').first().waitFor({ timeout: 10000 });
    await page.keyboard.type(title);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title.replace(/^portside: /, '') }).first().waitFor({ timeout: 10000 });
    await page.keyboard.press('Enter');
  };
  // Restricted Mode: the static diagnostics (above) still come; nothing talks to the daemon.
  const untrusted = async () => {
    await step('untrusted_no_daemon_status', async () => {
      // The status item would ask the daemon: it stays hidden.
      await page.waitForTimeout(1000);
      const n = await page.locator('.statusbar-item', { hasText: 'Docker' }).count();
      if (n) throw new Error('the Docker status item is shown in an untrusted workspace');
      return 'no Docker status item';
    });
    await step('untrusted_live_check_refused', async () => {
      await palette('portside: Check reachability of this Compose file');
      await page.locator('.notification-toast', { hasText: 'live checks are off in an untrusted workspace' }).first().waitFor({ timeout: 20000 });
      await shot('u2-untrusted');
      await page.keyboard.press('Control+Shift+M');
      await page.waitForTimeout(1000);
      if ((await page.evaluate(problems)).includes('portside-live')) {
        throw new Error('live verdicts in an untrusted workspace');
      }
      return 'refused, with a message; no live verdicts';
    });
  };
  try {
    await step('workbench', async () => {
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('.monaco-workbench', { timeout: 90000 });
      if (UNTRUSTED) {
        // A folder VS Code has not been told to trust opens in Restricted Mode; when it asks
        // first, the user says no.
        const no = page.locator('.monaco-dialog-box .monaco-button', { hasText: "No, I don't trust the authors" }).first();
        const restricted = page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first();
        await Promise.race([no.waitFor({ timeout: 60000 }), restricted.waitFor({ timeout: 60000 })]);
        if (await no.count()) {
          await no.click();
        }
        await restricted.waitFor({ timeout: 20000 });
      }
      await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
    });
    await step('open_compose', async () => {
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'compose.yaml' }).first().dblclick();
      await page.waitForFunction(
        () => [...document.querySelectorAll('.monaco-editor .view-line')].some((l) => l.textContent.includes('localhost:8080:80')),
        null, { timeout: 30000 });
    });
    await step('squiggle', async () => {
      await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 60000 });
      return await page.locator('.monaco-editor .squiggly-error').count();
    });
    if (UNTRUSTED) {
      await untrusted();
    } else {
      await step('problems_panel', async () => {
        await page.keyboard.press('Control+Shift+M');
        await page.locator('.markers-panel .monaco-list-row', { hasText: 'invalid IP address: localhost' }).first().waitFor({ timeout: 20000 });
        return (await page.locator('.markers-panel').innerText()).replace(/\s+/g, ' ').slice(0, 160);
      });
      await shot('1-diagnostics');
      await step('hover', async () => {
        // The cache's port entry, by keyboard: go to the line, then "Show Hover" (Ctrl+K Ctrl+I).
        const example = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'broken', 'compose.yaml'), 'utf8');
        const line = example.split('\n').findIndex((l) => l.includes('"6380:6379"')) + 1;
        await page.locator('.monaco-editor .view-line').first().click();
        await page.keyboard.press('Control+g');
        await page.keyboard.type(`${line}:12`);
        await page.keyboard.press('Enter');
        await page.locator('.statusbar', { hasText: `Ln ${line}, Col 12` }).first().waitFor({ timeout: 10000 });
        const h = page.locator('.monaco-hover-content', { hasText: 'publishes' }).first();
        for (let attempt = 0; ; attempt++) {
          await page.keyboard.press('Control+k');
          await page.keyboard.press('Control+i');
          try {
            await h.waitFor({ timeout: 5000 });
            break;
          } catch (e) {
            if (attempt >= 3) throw e;
          }
        }
        const text = await h.innerText();
        if (!text.includes('redis://127.0.0.1:6380')) throw new Error(`hover: ${text.slice(0, 200)}`);
        return text.replace(/\s+/g, ' ').slice(0, 160);
      });
      await shot('2-hover');
      await step('quick_fix', async () => {
        await page.keyboard.press('Escape');
        // Cursor on `localhost` (line 10, column 12), then the Quick Fix menu.
        await page.keyboard.press('Control+g');
        await page.keyboard.type('10:12');
        await page.keyboard.press('Enter');
        // Wait until the cursor is there (the Go to Line widget closes asynchronously), then
        // open the Quick Fix menu; a keystroke that lands while the widget closes is lost,
        // so try a few times.
        await page.locator('.statusbar', { hasText: 'Ln 10, Col 12' }).first().waitFor({ timeout: 10000 });
        const item = page.locator('.action-widget .monaco-list-row', { hasText: 'Replace `localhost` with `127.0.0.1`' }).first();
        for (let attempt = 0; ; attempt++) {
          await page.keyboard.press('Control+.');
          try {
            await item.waitFor({ timeout: 5000 });
            break;
          } catch (e) {
            if (attempt >= 3) throw e;
            await page.keyboard.press('Escape');
          }
        }
        await shot('3-quick-fix');
        await item.click();
        await page.waitForFunction(
          () => [...document.querySelectorAll('.monaco-editor .view-line')].some((l) => l.textContent.includes('"127.0.0.1:8080:80"')),
          null, { timeout: 20000 });
        await page.waitForFunction(
          (src) => !new Function(`return (${src})()`)().includes('invalid IP address: localhost'),
          problems.toString(), { timeout: 30000 });
        return 'applied; the Problems entry is gone';
      });
      await shot('4-after-fix');
      await step('live_check', async () => {
        // "Check reachability of this Compose file" from the Command Palette: the example
        // project has no containers, so each mapping gets a `portside-live` error naming the
        // missing container (with a daemon); without one, the server says so in a message.
        await page.keyboard.press('Escape');
        await page.keyboard.press('F1');
        await page.locator('.quick-input-widget input').first().waitFor({ timeout: 10000 });
        await page.keyboard.type('portside: Check reachability of this Compose file');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Check reachability' }).first().waitFor({ timeout: 10000 });
        await page.keyboard.press('Enter');
        const verdict = page.locator('.markers-panel .monaco-list-row', { hasText: 'no container of service' }).first();
        const message = page.locator('.notifications-toasts', { hasText: 'portside live check' }).first();
        const required = process.env.PORTSIDE_REQUIRE_DOCKER === '1';
        await Promise.race([
          verdict.waitFor({ timeout: 30000 }),
          required ? new Promise(() => {}) : message.waitFor({ timeout: 30000 }),
        ]);
        if (await verdict.count()) {
          return (await verdict.innerText()).replace(/\s+/g, ' ').slice(0, 160);
        }
        return `no daemon: ${(await message.innerText()).replace(/\s+/g, ' ').slice(0, 120)}`;
      });
      await shot('5-live-check');
      await step('status_bar', async () => {
        // The daemon status item: a plug when `portside doctor` reaches a daemon.
        const item = page.locator('.statusbar-item', { hasText: 'Docker' }).first();
        await item.waitFor({ timeout: 20000 });
        const plug = await item.locator('.codicon-plug').count();
        if (process.env.PORTSIDE_REQUIRE_DOCKER === '1' && !plug) {
          throw new Error('the status item does not show the daemon that answers');
        }
        return `${plug ? 'daemon answers' : 'no daemon'}: ${await item.getAttribute('aria-label')}`;
      });
      await step('output_channel', async () => {
        // "portside: Show output" opens the channel, with the LSP trace that
        // portside.trace.server asks for.
        await palette('portside: Show output');
        await page.locator('.part.panel', { hasText: 'textDocument/' }).first().waitFor({ timeout: 10000 });
        const log = outputLog();
        if (!log.includes('portside: started')) throw new Error(`output channel: ${log.slice(0, 200)}`);
        return 'shown, with the trace';
      });
      await shot('6-output');
      await step('settings_on_change', async () => {
        // A rule turned off and another's severity changed in settings.json: the server gets
        // them without a restart and the Problems panel follows.
        // The Problems panel lists only the rows it has room for: filter it to the entry.
        await page.keyboard.press('Control+Shift+M');
        const filter = page.getByPlaceholder(/^Filter \(e\.g\. text/).first();
        await filter.fill('overlaps the default bridge');
        await page.locator('.markers-panel .monaco-list-row', { hasText: 'overlaps the default bridge' }).first().waitFor({ timeout: 10000 });
        setSettings({ 'portside.rules': { 'subnet-overlap': 'off', 'unprotected-service-published': 'error' } });
        await problemsGone('overlaps the default bridge', 30000);
        await filter.fill('published on every interface');
        const exposed = page.locator('.markers-panel .monaco-list-row', { hasText: 'published on every interface' }).first();
        await exposed.locator('.codicon-error').first().waitFor({ timeout: 30000 });
        const started = outputLog().split('portside: started').length - 1;
        if (started !== 1) throw new Error(`the server was started ${started} times`);
        await shot('7-settings');
        await filter.fill('');
        return 'subnet-overlap off, unprotected-service-published an error, no restart';
      });
      await step('restart', async () => {
        await palette('portside: Restart the language server');
        await page.waitForFunction(
          ([src]) => new Function(`return (${src})()`)().includes('invalid proto'),
          [problems.toString()], { timeout: 30000 });
        for (let i = 0; outputLog().split('portside: started').length - 1 < 2; i++) {
          if (i > 100) throw new Error('no second start in the output channel');
          await page.waitForTimeout(100);
        }
        return 'restarted; diagnostics back';
      });
      await step('server_not_found', async () => {
        // A server path that does not exist: one clear error, whose button opens the setting.
        setSettings({ 'portside.server.path': '/nonexistent/portside' });
        const toast = page.locator('.notification-toast', { hasText: 'language server was not found' }).first();
        await toast.waitFor({ timeout: 30000 });
        await shot('8-server-not-found');
        await toast.locator('.monaco-button', { hasText: 'Open setting' }).first().click();
        await page.locator('.settings-editor .setting-item-contents', { hasText: 'Path to the' }).first().waitFor({ timeout: 20000 });
        return 'error shown; its button opened portside.server.path';
      });
      await shot('9-setting-opened');
    }
  } catch (e) {
    failed = failed || 1;
  }
  await ctx.close();
  fs.rmSync(profile, { recursive: true, force: true });
  console.log(JSON.stringify({ done: true, failed, total_ms: Date.now() - t0 }));
  process.exit(failed ? 1 : 0);
})();
