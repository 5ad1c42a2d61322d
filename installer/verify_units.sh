#!/usr/bin/env bash
# The shipped units, checked by systemd's own tools:
#  - `systemd-analyze verify` (ExecStart pointed at the built binary: verify
#    checks that the executable exists); any warning naming a unit fails;
#  - `systemd-analyze security --offline=yes`: the overall exposure of each
#    service is at most 3.0 (issue #15), and the settings the checks need
#    stay: ProtectHome off (MedShakeEHR in /home/EHR), the whole system
#    readable (CAP_DAC_READ_SEARCH), /var/lib/clinic-audit writable.
set -euo pipefail
analyze=$1 binary=$2 src=$3
max_exposure=3.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for unit in "$src"/*.service "$src"/*.timer; do
  sed "s|/usr/bin/clinic-audit|$binary|" "$unit" >"$work/${unit##*/}"
done
services=("$work"/*.service)
out=$("$analyze" verify --man=no "${services[@]}" "$work"/*.timer 2>&1) || { echo "$out"; exit 1; }
if printf '%s\n' "$out" | grep -F "$work"; then
  echo "systemd-analyze verify reported problems in the units" >&2
  exit 1
fi
echo "units verified"

status=0
for unit in "${services[@]}"; do
  name=${unit##*/}
  report=$("$analyze" security --offline=yes --no-pager "$unit" 2>&1) || true
  exposure=$(printf '%s\n' "$report" | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
  if [ -z "$exposure" ]; then
    echo "$name: systemd-analyze security gave no exposure level:" >&2
    printf '%s\n' "$report" >&2
    status=1
    continue
  fi
  if awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e > m) }'; then
    echo "$name: exposure $exposure > $max_exposure" >&2
    printf '%s\n' "$report" | grep '✗' >&2
    status=1
  else
    echo "$name: exposure $exposure (at most $max_exposure)"
  fi
  # What the audit needs must survive hardening.
  if grep -Eq '^ProtectHome=(yes|read-only|tmpfs)' "$unit"; then echo "$name: ProtectHome hides /home/EHR" >&2; status=1; fi
  if ! grep -Eq '^CapabilityBoundingSet=.*CAP_DAC_READ_SEARCH' "$unit"; then echo "$name: cannot read every file" >&2; status=1; fi
  if ! grep -Eq '^ReadWritePaths=/var/lib/clinic-audit$' "$unit"; then echo "$name: must write /var/lib/clinic-audit" >&2; status=1; fi
  if ! grep -Eq '^TimeoutStartSec=' "$unit"; then echo "$name: no TimeoutStartSec" >&2; status=1; fi
done
exit $status
