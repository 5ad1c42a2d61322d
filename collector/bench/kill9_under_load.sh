#!/usr/bin/env bash
# kill -9 under load (issue #11 "Benchmarks"), repeated: while bench_ingest
# sends, the collector is killed with SIGKILL at a random moment and
# restarted; the agents reconnect and resend what was not acknowledged. At
# the end every report that got 200/201 is stored, none twice, and every
# chain judgement is "ok" (in-order resends after a crash are duplicates,
# never replays or forks). The agents and their signed reports are prepared
# once (bench_ingest --prepared) and the same load is sent every round, so
# 20 rounds of 200 concurrent agents stay within about two minutes.
#   collector/bench/kill9_under_load.sh BUILD_DIR [ROUNDS] [CLIENTS] [REPORTS_PER_CLIENT]
set -euo pipefail
build=$(realpath "$1") rounds=${2:-20} clients=${3:-200} reports=${4:-4}
collector=$build/collector/clinic-audit-collector
work=$(mktemp -d /tmp/ca-kill9.XXXXXX)
server=""
trap '[ -n "$server" ] && kill -9 "$server" 2>/dev/null; rm -rf "$work"' EXIT
cat >"$work/c.conf" <<XML
<collector-config xmlns="urn:clinic-audit:collector:1">
  <listen address="127.0.0.1" port="18511"/>
  <data-dir>$work/data</data-dir>
  <limits connections="2000" pending-ingests="2000"/>
</collector-config>
XML
"$collector" --config "$work/c.conf" init --create-ca >/dev/null
start() {
  "$collector" --config "$work/c.conf" serve 2>>"$work/serve.log" &
  server=$!
  for _ in $(seq 100); do ss -ltn | grep -q ':18511 ' && return; sleep 0.05; done
  echo "collector did not start"; exit 1
}
db=$work/data/collector.db
failures=0
began=$(date +%s)
for round in $(seq "$rounds"); do
  rm -f "$work/acks"
  sqlite3 "$db" 'DELETE FROM results; DELETE FROM anomalies; DELETE FROM reports; DELETE FROM host_keys; DELETE FROM hosts;' 2>/dev/null || true
  start
  "$build/collector/bench/bench_ingest" --ca-dir "$work/data" --port 18511 --clients "$clients" --reports "$reports" \
    --acks "$work/acks" --prepared "$work/prepared.bin" >"$work/bench.out" 2>&1 &
  bench=$!
  # Kill at a random moment while the load is running: once a random
  # number of acknowledgements (1 to three quarters of the round's) came
  # back. (A fixed delay let a fast round finish before the kill.)
  target=$((RANDOM % (clients * reports * 3 / 4) + 1))
  for _ in $(seq 3000); do
    [ -s "$work/acks" ] && [ "$(wc -l <"$work/acks")" -ge "$target" ] && break
    kill -0 "$bench" 2>/dev/null || break
    sleep 0.01
  done
  kill -9 "$server"; wait "$server" 2>/dev/null || true
  killed_at=$(wc -l <"$work/acks")
  start
  wait "$bench" || true
  kill "$server"; wait "$server" 2>/dev/null || true
  server=""
  acked=$(cut -d' ' -f1 "$work/acks" | sort -u)
  printf '%s\n' "$acked" >"$work/acked"
  sqlite3 "$db" 'SELECT sha256 FROM reports' | sort >"$work/stored"
  missing=$(comm -23 "$work/acked" "$work/stored" | wc -l)
  twice=$(sqlite3 "$db" 'SELECT count(*) FROM (SELECT machine_id, sequence FROM reports GROUP BY 1, 2 HAVING count(*) > 1)')
  not_ok=$(sqlite3 "$db" "SELECT count(*) FROM reports WHERE chain <> 'ok'")
  total=$(wc -l <"$work/stored")
  echo "round $round: killed after $killed_at acks; stored $total, acknowledged $(wc -l <"$work/acked"), missing $missing, twice $twice, chain not ok $not_ok"
  [ "$missing" = 0 ] && [ "$twice" = 0 ] && [ "$not_ok" = 0 ] || failures=$((failures + 1))
done
echo "$failures failing round(s) of $rounds ($clients concurrent agents x $reports reports per round, $(( $(date +%s) - began )) s)"
[ "$failures" = 0 ]
