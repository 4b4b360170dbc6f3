// Drives code-server in Chromium (playwright-core): the broken example shows portside's
// squiggle and Problems entry, a port hover explains the mapping, the quick fix applies and
// clears the diagnostic, and the live check from the Command Palette reports on the
// project's (absent) containers. Screenshots of each step go to $OUT.
const path = require('path');
const fs = require('fs');
const { chromium } = require(path.join(__dirname, '..', 'node_modules', 'playwright-core'));
const url = process.argv[2];
const OUT = process.env.OUT;
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
  try {
    await step('workbench', async () => {
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('.monaco-workbench', { timeout: 90000 });
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
  } catch (e) {
    failed = failed || 1;
  }
  await ctx.close();
  fs.rmSync(profile, { recursive: true, force: true });
  console.log(JSON.stringify({ done: true, failed, total_ms: Date.now() - t0 }));
  process.exit(failed ? 1 : 0);
})();
