#!/usr/bin/env bash
# Regenerates docs/benchmarks.md: every figure of issue 9 next to its baseline, measured in one
# release run on this machine (machine facts included). Needs node, git and unzip on PATH.
# Usage: scripts/bench-report.sh [--quick] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
export SKILL_BUILDER_KEYCHAIN=0
for tool in node git unzip; do
  command -v "$tool" >/dev/null || { echo "bench-report: '$tool' is required (e.g. apt-get install -y $tool)" >&2; exit 2; }
done
cargo build --release --locked -p skill-builder-bench
exec target/release/bench-report "$@"
