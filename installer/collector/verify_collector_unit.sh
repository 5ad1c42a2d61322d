#!/usr/bin/env bash
# `systemd-analyze verify` on the collector's unit with its binary pointed at
# the build (as installer/verify_units.sh does for the agent's units), and
# `systemd-analyze security` to keep the hardening from regressing.
set -euo pipefail
analyze=$1 binary=$2 src=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|/usr/bin/clinic-audit-collector|$binary|" "$src/clinic-audit-collector.service" >"$work/clinic-audit-collector.service"
out=$("$analyze" verify --man=no "$work/clinic-audit-collector.service" 2>&1) || { echo "$out"; exit 1; }
if printf '%s\n' "$out" | grep -F "$work"; then
  echo "systemd-analyze reported problems in the unit" >&2
  exit 1
fi
exposure=$("$analyze" security --offline=yes "$work/clinic-audit-collector.service" 2>&1 | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
echo "unit verified; exposure ${exposure:-?}"
# systemd's scale: 0 (safe) .. 10 (unsafe); "OK" is below 4.
awk -v e="${exposure:-10}" 'BEGIN { exit !(e < 4.0) }'
