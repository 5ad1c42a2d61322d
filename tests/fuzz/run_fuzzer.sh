#!/usr/bin/env bash
# Runs a libFuzzer target briefly (CTest label "fuzz"): seeds from the
# committed corpus, new inputs into a scratch directory in the build tree.
# FUZZ_SECONDS overrides the duration (default 10 s per target). Limits low
# enough to catch the explosions of issue #20 item 4 (regcomp, expansion
# bombs): 5 s per input, 512 MB (ASan included).
set -euo pipefail
fuzzer=$1 corpus=$2 work=$3
mkdir -p "$work"
seconds=${FUZZ_SECONDS:-10}
# ASan keeps freed memory in a quarantine (256 MB by default) before reusing
# it, so a target that allocates much per input reaches the RSS limit on
# quarantine alone (fuzz_sudoers did, in CI, with 32 MB live): a small
# quarantine keeps the limit about what one input may use. Use-after-free
# detection still works for recently freed blocks.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=32"
args=(-max_total_time="$seconds" -timeout=5 -rss_limit_mb=512 -max_len=65536 -print_final_stats=1)
if [ -d "$corpus" ]; then
  exec "$fuzzer" "${args[@]}" "$work" "$corpus"
fi
exec "$fuzzer" "${args[@]}" "$work"
