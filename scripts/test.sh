#!/usr/bin/env bash
# Runs every test of the project: the sidecar's node tests, the Rust workspace (unit,
# integration, real-SDK against a local fake API) and the browser tests of the web UI.
# Installs what it needs (npm ci; Debian's chromium for the browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
export SKILL_BUILDER_KEYCHAIN=0

echo "== sidecar: npm ci + node --test"
(cd sidecar && npm ci --no-audit --no-fund && npm test)

echo "== rust: cargo test"
cargo test --workspace --locked

echo "== lint verdicts vs the Agent Skills reference validator (npm skills-ref)"
bash scripts/skills-ref-check.sh npm

echo "== ui: build + browser tests"
bash scripts/ui-test.sh
