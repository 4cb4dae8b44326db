#!/usr/bin/env bash
# Checks that our lint (LintMode::Spec) gives the same valid/invalid verdicts as the
# Agent Skills reference validator `skills-ref`, on the fixtures of
# crates/core/tests/core/lint_agrees_with_skills_ref.rs.
#
# `skills-ref` exists twice:
#   - PyPI `skills-ref` (official, Apache-2.0, from the Agent Skills project; CLI
#     `agentskills`, YAML via strictyaml, needs Python >= 3.11);
#   - npm `skills-ref` (an unofficial TypeScript port, MIT; CLI `skills-ref`, YAML via
#     js-yaml). Same rules, but it accepts flow-style YAML that the official one refuses.
# Each is installed into a temporary folder (nothing global, nothing committed) and
# removed afterwards.
#
# Usage: scripts/skills-ref-check.sh [both|pypi|npm]      (default: both)
# Versions: SKILLS_REF_PYPI_VERSION (default 0.1.1), SKILLS_REF_NPM_VERSION (default 0.1.5).
set -euo pipefail

cd "$(dirname "$0")/.."
which="${1:-both}"
case "$which" in both|pypi|npm) ;; *) echo "usage: $0 [both|pypi|npm]" >&2; exit 2 ;; esac

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

run_test() {
    echo "== lint vs $1 ($2)" >&2
    SKILLS_REF_BIN="$2" cargo test -p skill-builder-core --test core \
        -- lint_agrees_with_skills_ref --nocapture
}

if [[ "$which" == both || "$which" == pypi ]]; then
    py="${PYTHON:-python3}"
    if ! "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
        echo "skills-ref (PyPI) needs Python >= 3.11; set PYTHON=..." >&2
        exit 1
    fi
    "$py" -m venv "$tmp/venv"
    "$tmp/venv/bin/pip" install --quiet --disable-pip-version-check \
        "skills-ref==${SKILLS_REF_PYPI_VERSION:-0.1.1}"
    run_test "PyPI skills-ref (official)" "$tmp/venv/bin/agentskills"
fi

if [[ "$which" == both || "$which" == npm ]]; then
    command -v npm >/dev/null || { echo "npm is not installed" >&2; exit 1; }
    npm install --prefix "$tmp/npm" --no-save --no-audit --no-fund --loglevel=error \
        "skills-ref@${SKILLS_REF_NPM_VERSION:-0.1.5}" >&2
    run_test "npm skills-ref (port)" "$tmp/npm/node_modules/.bin/skills-ref"
fi
echo "lint agrees with skills-ref ($which)" >&2
