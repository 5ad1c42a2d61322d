#!/usr/bin/env bash
# README command 2 (and .ci/run): install every dependency, build the `dev`
# preset (warnings as errors) and the `asan` preset (clang, ASan+UBSan,
# libFuzzer targets), and run the whole test suite in both; then the `tsan`
# preset (ThreadSanitizer) on the tests of the concurrent parts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test
jobs=$(nproc)
# ccache keys on paths relative to the checkout, so a fresh clone in another
# folder (CI) reuses what an earlier build of the same sources compiled.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

run_preset() {
  local preset=$1
  echo "=== $preset: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "=== $preset: tests"
  ctest --preset "$preset" -j "$jobs" --timeout 600
}

run_preset dev
run_preset asan

# ThreadSanitizer: only the concurrent parts (the process runner of the check
# runner, the reachability probes, the collector's server, ingest and storage,
# the agent's delivery and its chain lock), with the programs those tests
# start. The other test programs are not built here, so their placeholders
# (NAME_NOT_BUILT) are excluded, as are the packaging and heavy tests that
# the two runs above already ran.
tsan_targets=(ca_common_unit_tests reachability_unit_tests reachability_peer_tests ca_collector_tests
  ca_collector_unit_tests ca_collector_storage_tests ca_delivery_tests ca_signing_tests clinic-audit
  clinic-audit-collector)
echo "=== tsan: configure and build (${tsan_targets[*]})"
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs" --target "${tsan_targets[@]}"
echo "=== tsan: tests"
ctest --preset tsan -j "$jobs" --timeout 600 -LE heavy -E '_NOT_BUILT$|^(installer|packaging|dashboard)\.'

