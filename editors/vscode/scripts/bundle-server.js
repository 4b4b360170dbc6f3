// Puts the portside binary into bin/ so that the .vsix carries it.
//
//   node scripts/bundle-server.js            PORTSIDE_BIN, else the repository's release
//                                            build, else its debug build, as bin/portside
//   node scripts/bundle-server.js TARGET     the binary of VS Code's platform TARGET
//                                            (linux-x64, win32-x64, ...) from the dist/ of
//                                            scripts/build-release (or PORTSIDE_DIST), as
//                                            bin/portside or bin/portside.exe
//   node scripts/bundle-server.js --none     no binary (the universal package)
//
// bin/ is emptied first, so a package never carries another platform's binary.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..', '..');
const bin = path.join(__dirname, '..', 'bin');

/** VS Code's platforms and the Rust targets scripts/build-release builds for them. */
const TARGETS = {
  'linux-x64': 'x86_64-unknown-linux-gnu',
  'linux-arm64': 'aarch64-unknown-linux-gnu',
  'alpine-x64': 'x86_64-unknown-linux-musl',
  'win32-x64': 'x86_64-pc-windows-gnu',
  'darwin-arm64': 'aarch64-apple-darwin',
  'darwin-x64': 'x86_64-apple-darwin',
};

function bundle(platform) {
  fs.rmSync(bin, { recursive: true, force: true });
  if (platform === '--none') {
    console.log('bundled no binary');
    return;
  }
  let found;
  let exe = '';
  if (platform) {
    const target = TARGETS[platform];
    if (!target) {
      console.error(`unknown platform ${platform}; known: ${Object.keys(TARGETS).join(' ')}`);
      process.exit(1);
    }
    exe = platform.startsWith('win32') ? '.exe' : '';
    const dist = process.env.PORTSIDE_DIST || path.join(root, 'dist');
    found = path.join(dist, `portside-${target}${exe}`);
    if (!fs.existsSync(found)) {
      console.error(`no ${found}: run \`scripts/build-release ${target}\` first (or set PORTSIDE_DIST)`);
      process.exit(1);
    }
  } else {
    const candidates = [
      process.env.PORTSIDE_BIN,
      path.join(root, 'target', 'release', 'portside'),
      path.join(root, 'target', 'debug', 'portside'),
    ].filter(Boolean);
    found = candidates.find((p) => fs.existsSync(p));
    if (!found) {
      console.error('no portside binary: run `cargo build --release` first (or set PORTSIDE_BIN)');
      process.exit(1);
    }
  }
  fs.mkdirSync(bin, { recursive: true });
  const dest = path.join(bin, `portside${exe}`);
  fs.copyFileSync(found, dest);
  fs.chmodSync(dest, 0o755);
  console.log(`bundled ${found}`);
}

module.exports = { TARGETS, bundle };

if (require.main === module) {
  bundle(process.argv[2]);
}
