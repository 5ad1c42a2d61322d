#!/usr/bin/env bash
# Ingest benchmark (issue #11 "Benchmarks"): a collector (or two on one
# PostgreSQL) on loopback, bench_ingest as N concurrent mTLS agents.
#   collector/bench/bench_ingest.sh BUILD_DIR sqlite|postgres [CLIENTS] [REPORTS_PER_CLIENT]
# BENCH_RATE=R: open loop, the agents together offer R reports/s on a fixed
# schedule and latency counts from each report's scheduled time
# (bench_ingest.cpp --rate); unset: closed loop, as fast as answers come.
# BENCH_EVIDENCE=E: evidence lines per check (2, the default, makes the
# issue's ~20 KB report: 23 KB; 5 a 39 KB one).
set -euo pipefail
build=$(realpath "$1") backend=$2 clients=${3:-200} reports=${4:-20}
src=$(cd "$(dirname "$0")/../.." && pwd)
collector=$build/collector/clinic-audit-collector
work=$(mktemp -d /tmp/ca-bench.XXXXXX)
chmod 0755 "$work"  # the postgres user must reach its cluster inside
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  [ "$backend" = postgres ] && "$src/collector/tests/pg_test_cluster.sh" stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT

database=""
if [ "$backend" = postgres ]; then
  "$src/collector/tests/pg_test_cluster.sh" start "$work/pg"
  url=$(sed 's/&/\&amp;/' "$work/pg/url")
  database="<database url=\"$url\"/>"
fi
# BENCH_THREADS=N: the collector's I/O threads (<limits threads>; 0, the
# default, is one per core).
conf() {  # conf N PORT: configuration of collector N
  cat >"$work/c$1.conf" <<XML
<collector-config xmlns="urn:clinic-audit:collector:1">
  <listen address="127.0.0.1" port="$2"/>
  <data-dir>$work/data</data-dir>
  $database
  <limits connections="2000" pending-ingests="2000" threads="${BENCH_THREADS:-0}"/>
</collector-config>
XML
}
# BENCH_CALLGRIND=1 (or =FILE, to keep the profile for callgrind_annotate): run the collector under callgrind and print the
# instructions it executed per report, start-up excluded (counters zeroed
# once it listens): a figure the machine's other load does not change, for
# comparing two builds on a shared machine (use a small load: ~50x slower).
runner=()
[ -n "${BENCH_CALLGRIND:-}" ] && runner=(valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.%p" -q)
serve() {  # serve N
  "${runner[@]}" "$collector" --config "$work/c$1.conf" serve 2>"$work/c$1.log" &
  pids+=($!)
  for _ in $(seq 600); do
    if grep -q "listening on" "$work/c$1.log"; then
      [ -z "${BENCH_CALLGRIND:-}" ] || callgrind_control -z "${pids[-1]}" >/dev/null 2>&1
      return
    fi
    sleep 0.05
  done
  cat "$work/c$1.log"; exit 1
}
# BENCH_PORT=P: the first collector's port (18501), so that two runs on one
# machine do not meet.
port=${BENCH_PORT:-18501}
conf 1 "$port"
"$collector" --config "$work/c1.conf" init --create-ca >/dev/null
serve 1
ports=(--port "$port")
if [ "$backend" = postgres ]; then
  conf 2 $((port + 1))
  serve 2
  ports+=(--port $((port + 1)))
fi
status=0
# BENCH_PERF=FILE: record the collector's call graphs during the run
# (`perf report -i FILE`), the source of the README's CPU breakdown.
perf_pid=""
if [ -n "${BENCH_PERF:-}" ]; then
  perf record -q -F 499 --call-graph dwarf,16384 -o "$BENCH_PERF" -p "$(IFS=,; echo "${pids[*]}")" 2>/dev/null &
  perf_pid=$!
fi
"$build/collector/bench/bench_ingest" --ca-dir "$work/data" "${ports[@]}" --clients "$clients" --reports "$reports" \
  ${BENCH_RATE:+--rate "$BENCH_RATE"} ${BENCH_EVIDENCE:+--evidence "$BENCH_EVIDENCE"} \
  | tee "$work/bench.out" || status=$?
if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
# CPU time of the collector process(es) over the run (utime + stime, clock
# ticks, proc(5)), per acknowledged report: the figure a shared machine's
# neighbours do not change.
acked=$(sed -n 's/.* \([0-9]*\) acknowledged.*/\1/p' "$work/bench.out")
ticks=0
for pid in "${pids[@]}"; do ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
hz=$(getconf CLK_TCK)
if [ -n "${BENCH_CALLGRIND:-}" ]; then
  instructions=0
  for pid in "${pids[@]}"; do
    callgrind_control -d "$pid" >/dev/null 2>&1
    for dump in "$work"/callgrind."$pid".*; do
      instructions=$((instructions + $(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$dump")))
      [ "$BENCH_CALLGRIND" = 1 ] || cp "$dump" "$BENCH_CALLGRIND"
    done
  done
  awk -v i="$instructions" -v n="${acked:-0}" 'BEGIN { if (n > 0) printf "collector instructions (callgrind, start-up excluded): %.2f M per report\n", i / n / 1e6 }'
fi
awk -v t="$ticks" -v hz="$hz" -v n="${acked:-0}" 'BEGIN { if (n > 0) printf "collector CPU: %.2f s for %d reports = %.2f ms per report (goal: 2000/s on 2 cores is <= 1 ms)\n", t / hz, n, 1000 * t / hz / n }'
# Bytes the collector(s) passed to write(2)/pwrite(2) (proc(5) /proc/PID/io
# wchar; Asio's sendmsg(2) to sockets is not counted): on SQLite the WAL,
# then the same pages again at checkpoint, which shows the write
# amplification over the report's own bytes. PostgreSQL writes in its own
# processes: nothing to print then.
written=0
for pid in "${pids[@]}"; do written=$((written + $(awk '/^wchar:/ {print $2}' "/proc/$pid/io"))); done
awk -v w="$written" -v n="${acked:-0}" 'BEGIN { if (n > 0 && w > 0) printf "collector writes: %.0f KB per report (write(2) and pwrite(2) bytes: the SQLite WAL, its checkpoints, the log)\n", w / n / 1000 }'
# Context switches of the collector's threads (proc(5) /proc/PID/task/*/status,
# voluntary + involuntary) per report: the cost of handing a report from
# thread to thread, which neither CPU time nor callgrind shows by itself.
switches=0
for pid in "${pids[@]}"; do
  switches=$((switches + $(cat /proc/"$pid"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {n += $2} END {print n + 0}')))
done
awk -v s="$switches" -v n="${acked:-0}" 'BEGIN { if (n > 0) printf "collector context switches: %.1f per report\n", s / n }'
exit "$status"
