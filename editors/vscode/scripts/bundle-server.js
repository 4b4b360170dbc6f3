// Copies the portside binary into bin/ so that the .vsix carries it: PORTSIDE_BIN, else the
// repository's release build, else its debug build.
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '..', '..', '..');
const candidates = [
  process.env.PORTSIDE_BIN,
  path.join(root, 'target', 'release', 'portside'),
  path.join(root, 'target', 'debug', 'portside'),
].filter(Boolean);
const found = candidates.find((p) => fs.existsSync(p));
if (!found) {
  console.error('no portside binary: run `cargo build --release` first (or set PORTSIDE_BIN)');
  process.exit(1);
}
fs.mkdirSync(path.join(__dirname, '..', 'bin'), { recursive: true });
const dest = path.join(__dirname, '..', 'bin', 'portside');
fs.copyFileSync(found, dest);
fs.chmodSync(dest, 0o755);
console.log(`bundled ${found}`);
