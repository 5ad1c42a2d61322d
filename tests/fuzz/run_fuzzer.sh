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
args=(-max_total_time="$seconds" -timeout=5 -rss_limit_mb=512 -max_len=65536 -print_final_stats=1)
if [ -d "$corpus" ]; then
  exec "$fuzzer" "${args[@]}" "$work" "$corpus"
fi
exec "$fuzzer" "${args[@]}" "$work"
