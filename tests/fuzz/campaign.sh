#!/usr/bin/env bash
# A longer fuzzing campaign than CTest's 10 s (tests/fuzz/README.md): each
# target in turn for SECONDS, seeded with its committed corpus, new inputs and
# artifacts in /tmp/fuzz-<target> (outside the repository). Stricter than
# run_fuzzer.sh on time: -timeout=2 and every unit over 1 s reported, since
# CI machines are slower than a developer's; same memory limit (512 MB).
# usage: tests/fuzz/campaign.sh BUILD_DIR SECONDS [target...]   (default: every fuzz_* of BUILD_DIR)
set -uo pipefail
build=$1 seconds=$2
shift 2
src=$(cd "$(dirname "$0")/../.." && pwd)
mapfile -t targets < <(if [ $# -gt 0 ]; then printf '%s\n' "$@"; else
  find "$build" -type f -perm -u+x -name 'fuzz_*' -printf '%f\n' | sort -u; fi)
export ASAN_OPTIONS="quarantine_size_mb=32:detect_leaks=1"
for t in "${targets[@]}"; do
  exe=$(find "$build" -type f -perm -u+x -name "$t" | head -1)
  corpus=$(find "$src/tests/fuzz/corpus" "$src"/checks/*/fuzz/corpus -maxdepth 1 -type d -name "$t" 2>/dev/null | head -1)
  work=/tmp/fuzz-$t
  mkdir -p "$work/new" "$work/artifacts"
  nice -n 10 "$exe" -max_total_time="$seconds" -timeout=2 -rss_limit_mb=512 -max_len=65536 \
    -report_slow_units=1 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    "$work/new" ${corpus:+"$corpus"} >"$work/log" 2>&1
  rc=$?
  echo "$t rc=$rc $(grep -o 'number_of_executed_units: *[0-9]*' "$work/log" | tr -s ' ')" \
       "$(grep -o 'Slowest unit: [0-9]* s' "$work/log" | tail -1)" \
       "artifacts: $(ls "$work/artifacts" | tr '\n' ' ')"
done
