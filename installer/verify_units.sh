#!/usr/bin/env bash
# `systemd-analyze verify` on the shipped units, with ExecStart pointed at the
# built binary (verify checks that the executable exists). Fails on any
# warning systemd prints about the units.
set -euo pipefail
analyze=$1 binary=$2 src=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|/usr/bin/clinic-audit|$binary|" "$src/clinic-audit.service" >"$work/clinic-audit.service"
cp "$src/clinic-audit.timer" "$work/"
out=$("$analyze" verify --man=no "$work/clinic-audit.service" "$work/clinic-audit.timer" 2>&1) || { echo "$out"; exit 1; }
if printf '%s\n' "$out" | grep -F "$work" ; then
  echo "systemd-analyze reported problems in the units" >&2
  exit 1
fi
echo "units verified"
