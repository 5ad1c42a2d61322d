#!/usr/bin/env bash
# The dashboard in Debian's chromium (issue #13 item 5), plus HTML validity
# (tidy) of every page it saw. Starts its own collector on a free loopback
# port with a seeded store, stops it at the end.
#   run_browser_test.sh COLLECTOR SEED OUT_DIR
set -euo pipefail
collector=$1 seed=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
modules=/var/cache/clinic-audit-tests/npm-dashboard
# playwright-core from the npm registry (never a browser download: chromium is Debian's).
if ! cmp -s "$here/package-lock.json" "$modules/package-lock.json" || [ ! -d "$modules/node_modules/playwright-core" ]; then
  mkdir -p "$modules"
  cp "$here/package.json" "$here/package-lock.json" "$modules/"
  (cd "$modules" && npm ci --no-audit --no-fund >/dev/null)
fi
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/collector.conf" <<CONF
<collector-config xmlns="urn:clinic-audit:collector:1">
  <listen address="127.0.0.1" port="$port"/>
  <data-dir>$work/data</data-dir>
</collector-config>
CONF
"$collector" --config "$work/collector.conf" init --create-ca >/dev/null
"$seed" "sqlite:$work/data/collector.db"
echo "admin password 123" | "$collector" --config "$work/collector.conf" user add admin --role admin --password-stdin >/dev/null
echo "viewer password 123" | "$collector" --config "$work/collector.conf" user add viewer --role viewer --password-stdin >/dev/null
"$collector" --config "$work/collector.conf" serve >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 50); do
  curl -skf "https://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.2
done
rm -rf "$out" && mkdir -p "$out"
status=0
BASE_URL="https://127.0.0.1:$port" OUT_DIR="$out" PLAYWRIGHT_CORE="$modules/node_modules/playwright-core/index.mjs" \
  node "$here/dashboard_browser_test.mjs" || status=1
# HTML validity: tidy reports errors with exit status 2.
for page in "$out"/*.html; do
  if ! tidy -q -e --show-warnings no "$page" >"$work/tidy.txt" 2>&1; then
    [ "$(tidy -q -e --show-warnings no "$page" >/dev/null 2>&1; echo $?)" -ge 2 ] && { echo "FAIL: tidy finds errors in $(basename "$page"):"; cat "$work/tidy.txt"; status=1; }
  fi
done
[ $status -eq 0 ] || { echo "--- collector log"; tail -20 "$work/serve.log"; }
echo "screenshots: $out"
exit $status
