#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for a given time each and prints a summary.
#
#   scripts/fuzz.sh [seconds-per-target] [target...]      (default: 30 s, all targets)
#
# Uses cargo-fuzz (`cargo install cargo-fuzz` if missing) on the stable toolchain with
# RUSTC_BOOTSTRAP=1 (cargo-fuzz needs -Z flags; no nightly is required). Each target reads
# its checked-in seeds from fuzz/corpus/<target>/ and grows a local working corpus in
# fuzz/work/<target>/ (ignored by git). A crash leaves its input in fuzz/artifacts/<target>/
# and makes this script exit non-zero. FUZZ_JOBS (default 1) runs that many processes per
# target; FUZZ_ARGS adds libFuzzer flags.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"

SECS="${1:-30}"
shift || true
ALL=(frontmatter zip_import github_url path_guard sidecar_line)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")
JOBS="${FUZZ_JOBS:-1}"

export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz…"
  cargo install --locked cargo-fuzz >/dev/null || { echo "cannot install cargo-fuzz" >&2; exit 2; }
fi

t0=$(date +%s)
echo "== build (release, ASan)"
cargo +stable fuzz build -O || exit 2
t_build=$(( $(date +%s) - t0 ))
echo "build: ${t_build}s"

mkdir -p logs
status=0
summary=()
for t in "${TARGETS[@]}"; do
  mkdir -p "work/$t" "corpus/$t" "artifacts/$t"
  log="logs/$t.log"
  echo "== $t: ${SECS}s"
  start=$(date +%s)
  dict=()
  [ -f "dict/$t.dict" ] && dict=("-dict=$PWD/dict/$t.dict")
  # -max_total_time bounds the run; exit code non-zero = a crash/leak/timeout was found.
  # With -jobs, libFuzzer writes each job's log to ./fuzz-N.log: run from a per-target
  # folder so that two runs of this script never share those files.
  jobs=()
  [ "$JOBS" -gt 1 ] && jobs=(-jobs="$JOBS" -workers="$JOBS")
  mkdir -p "logs/$t.d"
  fz="$PWD"
  (cd "logs/$t.d" && cargo +stable fuzz run -O --fuzz-dir "$fz" "$t" "$fz/work/$t" "$fz/corpus/$t" -- \
    -max_total_time="$SECS" "${jobs[@]}" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "${dict[@]}" ${FUZZ_ARGS:-}) >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  execs=$(grep -ho 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  corp=$(find "work/$t" "corpus/$t" -type f | wc -l)
  if [ $rc -eq 0 ]; then res=ok; else res="FINDING (rc=$rc, see $log and artifacts/$t/)"; status=1; fi
  line=$(printf '%-13s %6ss  execs=%-10s cov=%-6s ft=%-6s corpus=%-5s %s' "$t" "$took" "$execs" "${cov:-?}" "${ft:-?}" "$corp" "$res")
  echo "$line"
  summary+=("$line")
done
echo
echo "== summary (build ${t_build}s, total $(( $(date +%s) - t0 ))s)"
printf '%s\n' "${summary[@]}"
exit $status
