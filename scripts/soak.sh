#!/usr/bin/env bash
# Crash soak (issue 9): builds the release CLI and the soak binary, then runs N rounds of
# "mock build → SIGKILL the app or its sidecar at a random point → start-up + reconciliation →
# resume → check integrity, finished skills, git history, orphans, stale locks".
# Usage: scripts/soak.sh [N] [extra soak args, e.g. --seed 42]   (default N = 5; long run: 60)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
shift || true
export SKILL_BUILDER_KEYCHAIN=0
if [ -f sidecar/package-lock.json ] && [ ! -d sidecar/node_modules ]; then
  (cd sidecar && npm ci --no-audit --no-fund)
fi
cargo build --release --locked -p skill-builder-cli -p skill-builder-soak
exec target/release/soak --rounds "$rounds" --bin target/release/skill-builder "$@"
