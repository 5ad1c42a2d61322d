#!/usr/bin/env bash
# Benchmark (not a test, issue #12): `clinic-audit submit` of N spooled
# reports (default 1000) to a real clinic-audit-collector on loopback.
# Prints reports/s, the agent's peak RSS (goal < 16 MiB) and the CPU time of
# each side (goal: the agent is not the bottleneck: the collector's CPU time
# dominates). Spooling the reports (N real audits) is not timed.
#   tests/bench/bench_submit.sh [BUILD_DIR] [N]
# BUILD_DIR defaults to build/bench (cmake --preset bench: the release
# flags); CA_BENCH_COLLECTOR=PATH takes the collector from another build.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build/bench}
count=${2:-1000}
agent=$build/agent/clinic-audit
collector=${CA_BENCH_COLLECTOR:-$build/collector/clinic-audit-collector}
for b in "$agent" "$collector"; do
  [ -x "$b" ] || { echo "bench: build $b first (cmake --preset bench && cmake --build --preset bench --target clinic-audit clinic-audit-collector)" >&2; exit 1; }
done
work=$(mktemp -d)
serve_pid=
cleanup() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cat >"$work/collector.conf" <<XML
<collector-config xmlns="urn:clinic-audit:collector:1">
  <listen address="127.0.0.1" port="0"/>
  <data-dir>$work/data</data-dir>
</collector-config>
XML
"$collector" --config "$work/collector.conf" init --create-ca >/dev/null
"$collector" --config "$work/collector.conf" serve >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.log" && break; sleep 0.05; done
port=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\).*/\1/p' "$work/serve.log" | head -1)
url=https://127.0.0.1:$port
token=$("$collector" --config "$work/collector.conf" token create --uses 1 | tail -1)
pin=$(openssl x509 -in "$work/data/server.crt" -noout -fingerprint -sha256 | cut -d= -f2)

mkdir -p "$work/etc" "$work/reports" "$work/root/etc"
cp /etc/machine-id "$work/root/etc/" 2>/dev/null || true
cat >"$work/agent.conf" <<XML
<agent-config xmlns="urn:clinic-audit:config:1">
  <signing key="$work/etc/agent.key" cert="$work/etc/agent.crt"/>
  <collector url="$url" max-run-seconds="3600"/>
  <spool max-reports="$((count + 10))"/>
  <reports keep="$((count + 10))"/>
</agent-config>
XML
common=(--config "$work/agent.conf" --state-dir "$work/state")
"$agent" enroll --collector "$url" --token "$token" --ca-fingerprint "$pin" "${common[@]}" >/dev/null
check=$("$agent" list --policy apicrypt-v1 | awk 'NR==2 {print $1}')
echo "spooling $count reports (one check each, not timed)..." >&2
for _ in $(seq "$count"); do
  "$agent" run --quiet --offline --policy apicrypt-v1 --only "$check" --root "$work/root" --format json \
    --out "$work/reports" "${common[@]}" >/dev/null || [ $? -le 2 ]
done

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks=$(getconf CLK_TCK)
before=$(cpu "$serve_pid")
start=$(date +%s.%N)
/usr/bin/time -f '%M %U %S' -o "$work/rss" "$agent" submit --quiet "${common[@]}"
end=$(date +%s.%N)
after=$(cpu "$serve_pid")
left=$(find "$work/state/spool" -maxdepth 1 -name '*.p7s' | wc -l)
awk -v n="$count" -v s="$start" -v e="$end" -v rss="$(cut -d' ' -f1 "$work/rss")" -v acpu="$(awk '{print $2 + $3}' "$work/rss")" -v c0="$before" -v c1="$after" -v t="$ticks" -v left="$left" 'BEGIN {
  wall = e - s
  printf "submit of %d reports: %.2f s wall, %.0f reports/s, agent peak RSS %.1f MiB (goal < 16 MiB), agent CPU %.2f s, collector CPU %.2f s, left in spool %d\n",
         n, wall, n / wall, rss / 1024, acpu, (c1 - c0) / t, left }'
