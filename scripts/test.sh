#!/usr/bin/env bash
# Runs every test of the project: the sidecar's node tests and the Rust workspace.
# Installs the sidecar's npm packages first (npm ci), so a fresh clone needs nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f sidecar/package-lock.json ]; then
  echo "== sidecar: npm ci + node --test"
  (cd sidecar && npm ci --no-audit --no-fund && npm test)
fi

echo "== rust: cargo test"
export SKILL_BUILDER_KEYCHAIN=0
cargo test --workspace --locked
