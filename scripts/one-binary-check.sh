#!/usr/bin/env bash
# One binary: a copy of the CLI in an empty folder, with the repository's ui/dist moved away,
# must serve the real web UI (embedded at build time), not the "build the UI" page.
# Usage: scripts/one-binary-check.sh [path/to/skill-builder]   (built after `npm run build` in ui/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$root/target/debug/skill-builder}"
dist="$root/ui/dist"
[ -f "$dist/index.html" ] || { echo "one-binary-check: build the UI first (ui/dist missing)" >&2; exit 2; }

tmp="$(mktemp -d -t sb-one-binary-XXXXXX)"
aside="$root/ui/.dist-aside-$$"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  [ -d "$aside" ] && mv "$aside" "$dist"
  rm -rf "$tmp"
}
trap cleanup EXIT

cp "$bin" "$tmp/skill-builder"
want_asset="$(grep -o '/assets/index-[^"]*\.js' "$dist/index.html" | head -1)"
mv "$dist" "$aside"

env -u SKILL_BUILDER_UI_DIR SKILL_BUILDER_KEYCHAIN=0 \
  "$tmp/skill-builder" --data-dir "$tmp/data" serve --no-open >"$tmp/url" 2>"$tmp/err" &
server=$!
for _ in $(seq 1 200); do
  [ -s "$tmp/url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$tmp/err" >&2; exit 1; }
  sleep 0.05
done
url="$(head -1 "$tmp/url")"
origin="${url%%/?token=*}"
page="$(curl -fsS -L -c "$tmp/jar" -b "$tmp/jar" "$url")"
grep -q '<div id="root">' <<<"$page" || { echo "one-binary-check: / is not the built UI:" >&2; head -5 <<<"$page" >&2; exit 1; }
grep -q "$want_asset" <<<"$page" || { echo "one-binary-check: embedded index.html is stale (wanted $want_asset)" >&2; exit 1; }
type="$(curl -fsS -o /dev/null -w '%{content_type}' -b "$tmp/jar" "$origin$want_asset")"
case "$type" in text/javascript*) ;; *) echo "one-binary-check: $want_asset served as '$type'" >&2; exit 1 ;; esac
# A client route gets the app too.
curl -fsS -b "$tmp/jar" "$origin/skills/x" | grep -q '<div id="root">'
echo "one-binary-check: a copied binary without ui/dist serves the built UI ($want_asset)"
