#!/usr/bin/env bash
# Benchmark (not a test): wall time and peak RSS of a full local run of the
# apicrypt-v1 and apicrypt-v2 policies on the compliant fixture root, as
# /usr/bin/time -v measures them. Goal (issue #2): <= 5 ms wall, <= 8 MiB RSS.
#   tests/bench/bench_agent_run.sh [BUILD_DIR] [RUNS]
# BUILD_DIR defaults to build/release (configure with `cmake --preset release`).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build/release}
runs=${2:-50}
agent=$build/agent/clinic-audit
[ -x "$agent" ] || { echo "bench: build $agent first (cmake --preset release && cmake --build --preset release)" >&2; exit 1; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

# Materialise the fixture root from its manifest (owners and modes need root).
manifest=$src/tests/fixtures/roots/apicrypt-compliant.manifest
while read -r kind path a b c rest; do
  case "$kind" in
    ''|'#'*) continue ;;
    dir) install -d -m "$a" -o "$b" -g "$c" "$root$path" ;;
    file)
      mkdir -p "$(dirname "$root$path")"
      case "$rest" in
        @*) cp "$(dirname "$manifest")/${rest#@}" "$root$path" ;;
        '= '*) printf '%b' "${rest#= }" >"$root$path" ;;
        *) : >"$root$path" ;;
      esac
      chown "$b:$c" "$root$path"; chmod "$a" "$root$path" ;;
    link) mkdir -p "$(dirname "$root$path")"; ln -sfn "$a" "$root$path" ;;
  esac
done <"$manifest"

args=(run --root "$root" --policy apicrypt-v1 --policy apicrypt-v2 --offline --no-sign --format json)
"$agent" "${args[@]}" >/dev/null || true   # warm the page cache

best_wall=999999 worst_rss=0 total=0
for _ in $(seq "$runs"); do
  # The audit's own exit code (1 when a check fails) is not the benchmark's concern.
  out=$( { /usr/bin/time -f '%e %M' "$agent" "${args[@]}" >/dev/null || true; } 2>&1 | tail -n 1)
  wall_ms=$(awk -v s="${out% *}" 'BEGIN { printf "%d", s * 1000 }')
  rss_kb=${out#* }
  if [ "$wall_ms" -lt "$best_wall" ]; then best_wall=$wall_ms; fi
  if [ "$rss_kb" -gt "$worst_rss" ]; then worst_rss=$rss_kb; fi
  total=$((total + wall_ms))
done
# /usr/bin/time has 10 ms resolution for wall time; a finer mean from a loop:
start=$(date +%s%N)
for _ in $(seq "$runs"); do "$agent" "${args[@]}" >/dev/null || true; done
end=$(date +%s%N)
mean_us=$(( (end - start) / runs / 1000 ))
checks=$( ("$agent" "${args[@]}" || true) | grep -c '"check_id"')
echo "agent run, apicrypt-v1 + apicrypt-v2 ($checks checks) on a fixture root, $runs runs:"
echo "  mean wall time: $((mean_us / 1000)).$(printf '%03d' $((mean_us % 1000))) ms   (goal <= 5 ms)"
echo "  peak RSS (max over runs, /usr/bin/time -v 'Maximum resident set size'): $worst_rss KiB   (goal <= 8192 KiB)"
