#!/usr/bin/env bash
# Benchmark (not a test): what an audit costs, next to OpenSCAP on the same
# root, in one run (issue #19 item 5). On the compliant fixture root
# (tests/fixtures/roots/apicrypt-compliant.manifest) it prints, for each
# command, the median wall time, the median CPU time (user + system, the
# OpenSSL probe included) and the peak RSS, from wait4(2) (tests/bench/run_cost.cpp):
#   - `clinic-audit version` (the process start-up floor);
#   - a full offline audit with the three shipped policies
#     (goal: under 8 ms CPU and 8 MiB peak RSS);
#   - apicrypt-v1 + apicrypt-v2 (the issue #2 figure);
#   - apicrypt-v1 alone and `oscap oval eval` of the equivalent OVAL rules
#     (tests/bench/oval/apicrypt-v1.xml, OSCAP_PROBE_ROOT = the same root),
#     side by side (goal: at least 30x faster);
#   - with valgrind installed, the instructions the agent executes in user
#     space for the full audit (callgrind): unlike CPU time, independent of load.
#   tests/bench/bench_agent_run.sh [BUILD_DIR] [RUNS]
# BUILD_DIR defaults to build/release (configure with `cmake --preset release`).
# OpenSCAP comes from scripts/deps/bench.list (openscap-scanner); without it
# its rows say so. Wall times depend on the machine's load; CPU times much less.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build/release}
runs=${2:-50}
agent=$build/agent/clinic-audit
[ -x "$agent" ] || { echo "bench: build $agent first (cmake --preset release && cmake --build --preset release)" >&2; exit 1; }
root=$(mktemp -d)
cost=$(mktemp -d)
trap 'rm -rf "$root" "$cost"' EXIT

# The fixture root (owners and modes need root).
. "$src/tests/bench/materialize_root.sh"
materialize_root "$root"

c++ -O2 -std=c++20 -o "$cost/run_cost" "$src/tests/bench/run_cost.cpp"

# measure LABEL COMMAND...: one line of figures; sets wall, cpu, rss.
measure() {
  local label=$1; shift
  local line
  line=$("$cost/run_cost" "$runs" "$@")
  wall=$(sed -E 's/.*wall_ms=([0-9.]+)\/.*/\1/' <<<"$line")
  cpu=$(sed -E 's/.*cpu_ms=([0-9.]+)\/.*/\1/' <<<"$line")
  rss=$(sed -E 's/.*rss_kib=([0-9]+).*/\1/' <<<"$line")
  printf '  %-58s wall %8.2f ms   CPU %8.2f ms   peak RSS %6d KiB (%.1f MiB)\n' "$label" "$wall" "$cpu" "$rss" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
}
verdict() {  # verdict TEXT CONDITION(awk)
  if awk "BEGIN { exit !($2) }"; then echo "    $1: met"; else echo "    $1: NOT met"; fi
}

# The agent keeps the OpenSSL probe's answers in STATE_DIR/cache between runs
# (checks/openssl/probe_cache.hpp): a private state directory here, warmed
# by the first run; the "cache cold" row names a state directory whose parent
# does not exist, so that no cache can be kept and the probe runs each time.
install -d -m 0700 "$cost/state"
run=(run --root "$root" --offline --no-sign --format json --state-dir "$cost/state")
all=("${run[@]}" --policy apicrypt-v1 --policy apicrypt-v2 --policy ekermed)
cold=(run --root "$root" --offline --no-sign --format json --state-dir "$cost/no-such-dir/state"
  --policy apicrypt-v1 --policy apicrypt-v2 --policy ekermed)
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
checks=$( ("$agent" "${all[@]}" || true) | grep -c '"check_id"')
echo "clinic-audit on the compliant fixture root, $runs runs each (medians; peak RSS: the largest):"
measure "clinic-audit version" "$agent" version
measure "full offline audit, 3 shipped policies ($checks results)" "$agent" "${all[@]}"
verdict "goal: under 8 ms CPU" "$cpu < 8"
verdict "goal: under 8 MiB peak RSS" "$rss < 8192"
measure "the same, OpenSSL probe cache cold (the probe runs)" "$agent" "${cold[@]}"
# CPU time moves with the machine's load; the instructions the agent itself
# executes in user space do not (callgrind, probe not followed): the figure
# to compare one change with the next on a shared machine.
if command -v valgrind >/dev/null; then
  # (the audit's own exit code, 1 when a check fails, is not the point here)
  ir=$( (valgrind --tool=callgrind --callgrind-out-file=/dev/null "$agent" "${all[@]}" 2>&1 >/dev/null || true) |
    sed -n -E 's/.*Collected : ([0-9]+).*/\1/p')
  printf '  %-58s %s M instructions (callgrind; valgrind reports no SHA-NI, so the portable SHA-256 runs)\n' \
    "  the same audit, agent's user-space instructions" "$(awk -v n="${ir:-0}" 'BEGIN { printf "%.1f", n / 1e6 }')"
fi
measure "apicrypt-v1 + apicrypt-v2" "$agent" "${run[@]}" --policy apicrypt-v1 --policy apicrypt-v2
measure "apicrypt-v1" "$agent" "${run[@]}" --policy apicrypt-v1
ours_wall=$wall ours_cpu=$cpu
if command -v oscap >/dev/null; then
  oval=$src/tests/bench/oval/apicrypt-v1.xml
  # OpenSCAP writes nothing but its verdicts here; run from a scratch directory anyway.
  (cd "$cost" && export OSCAP_PROBE_ROOT=$root && measure "oscap oval eval, the same rules in OVAL ($(oscap --version | head -1 | grep -o '[0-9.]*$'))" \
    "$(command -v oscap)" oval eval "$oval") | tee "$cost/oscap.txt"
  read -r oscap_wall oscap_cpu < <(sed -E 's/.*wall +([0-9.]+) ms +CPU +([0-9.]+) ms.*/\1 \2/' "$cost/oscap.txt")
  awk -v ow="$oscap_wall" -v oc="$oscap_cpu" -v w="$ours_wall" -v c="$ours_cpu" \
    'BEGIN { printf "    apicrypt-v1 against OpenSCAP: %.0fx faster (wall), %.0fx less CPU\n", ow / w, oc / c }'
  verdict "goal: at least 30x faster than OpenSCAP (wall)" "$oscap_wall / $ours_wall >= 30"
  verdict "goal: at least 30x less CPU than OpenSCAP" "$oscap_cpu / $ours_cpu >= 30"
else
  echo "  oscap: not installed (scripts/install-deps.sh test installs openscap-scanner)"
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
