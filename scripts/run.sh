#!/usr/bin/env bash
# The main job: builds Skill Builder and runs it end to end on a throw-away data dir.
# Without ANTHROPIC_API_KEY the agents run in mock mode, so no key or network is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f sidecar/package-lock.json ]; then
  (cd sidecar && npm ci --no-audit --no-fund)
fi
# The UI first: the binary embeds ui/dist, so the `serve` suggested at the end shows it.
(cd ui && npm ci --no-audit --no-fund && npm run build)
cargo build --release --locked -p skill-builder-cli
bin=target/release/skill-builder

data_dir="${SKILL_BUILDER_DATA_DIR:-$(mktemp -d -t skill-builder-demo-XXXXXX)}"
export SKILL_BUILDER_DATA_DIR="$data_dir"
if [ -z "${ANTHROPIC_API_KEY:-}" ]; then
  export SKILL_BUILDER_MOCK_AGENTS=1
  echo "No ANTHROPIC_API_KEY set: agents run in mock mode."
fi

name="${1:-sales-pipeline-analytics}"
echo "== data dir: $data_dir"
# Build a skill through all four workflow steps (research, detailed research, decisions,
# generation) with live agent progress, then show the library, its history and usage.
"$bin" build "$name" --purpose domain --description "Analyse a B2B sales pipeline" --tags demo,sales
"$bin" list
"$bin" call get_skill_history "{\"skillName\":\"$name\"}" | grep '"message"'
"$bin" usage
echo "== SKILL.md:"
head -n 12 "$data_dir/skills/$name/SKILL.md"
echo "== done. Explore with: $bin --data-dir $data_dir serve"
