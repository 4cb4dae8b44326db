#!/usr/bin/env bash
# Regenerates docs/benchmarks.md: every figure of issue 9 and the eval run overhead of issue 15
# next to its baseline, measured in one release run on this machine (machine facts included).
# Needs node, git and unzip on PATH, and the sidecar installed (`npm ci` in sidecar/: the eval
# figure runs the real Claude Agent SDK against a fake API).
# Usage: scripts/bench-report.sh [--quick] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
export SKILL_BUILDER_KEYCHAIN=0
for tool in node git unzip; do
  command -v "$tool" >/dev/null || { echo "bench-report: '$tool' is required (e.g. apt-get install -y $tool)" >&2; exit 2; }
done
[ -d sidecar/node_modules/@anthropic-ai/claude-agent-sdk ] || { echo "bench-report: the sidecar is not installed: run 'npm ci' in sidecar/" >&2; exit 2; }
cargo build --release --locked -p skill-builder-bench
exec target/release/bench-report "$@"
