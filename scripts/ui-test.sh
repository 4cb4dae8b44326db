#!/usr/bin/env bash
# Builds the web UI and the server binary, then runs the browser tests (ui/tests/*.test.mjs)
# against the real server with mock agents, in headless Debian Chromium via playwright-core.
# Screenshots land in ui/test-results/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "==> installing Chromium (Debian package 'chromium')" >&2
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

echo "==> building the UI (npm ci && npm run build)" >&2
(cd ui && npm ci --no-audit --no-fund && npm run build)

if [ -f sidecar/package-lock.json ] && [ ! -d sidecar/node_modules ]; then
  echo "==> installing the agent sidecar's packages (npm ci in sidecar/)" >&2
  (cd sidecar && npm ci --no-audit --no-fund)
fi

echo "==> building the server binary (cargo build -p skill-builder-cli)" >&2
cargo build -p skill-builder-cli

echo "==> one binary: a copied binary without ui/dist serves the embedded UI" >&2
bash scripts/one-binary-check.sh target/debug/skill-builder

echo "==> running the browser tests" >&2
export SKILL_BUILDER_BIN="${SKILL_BUILDER_BIN:-$root/target/debug/skill-builder}"
export CHROMIUM_PATH="$chromium"
cd ui && npm test
