// Makes every .vsix: one per platform VS Code publishes for (`vsce package --target`), each
// with that platform's binary from scripts/build-release's dist/ (PORTSIDE_DIST), and the
// universal one without a binary, which runs `portside` from portside.server.path or PATH.
//
//   npm run package:all                      all six platforms and the universal package
//   npm run package:all -- linux-x64 ...     only these (`universal` names the universal one)
//
// Output, in editors/vscode: portside-<platform>-<version>.vsix and portside-<version>.vsix.
// Run `npm run compile` first (package:all does).
const { execFileSync } = require('child_process');
const path = require('path');
const { TARGETS, bundle } = require('./bundle-server');

const here = path.join(__dirname, '..');
const vsce = path.join(here, 'node_modules', '.bin', 'vsce');
const asked = process.argv.slice(2);
const platforms = asked.length ? asked : [...Object.keys(TARGETS), 'universal'];

for (const platform of platforms) {
  const universal = platform === 'universal';
  bundle(universal ? '--none' : platform);
  const args = ['package'];
  if (!universal) {
    args.push('--target', platform);
  }
  // vsce asks questions on a terminal; there is none to answer them.
  execFileSync(vsce, args, {
    cwd: here,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
bundle('--none');
