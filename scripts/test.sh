#!/usr/bin/env bash
# README command 2 (and .ci/run): install every dependency, build the `dev`
# preset (warnings as errors) and the `asan` preset (clang, ASan+UBSan,
# libFuzzer targets), and run the whole test suite in both.
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
