#!/usr/bin/env bash
# The service's capability sandbox does not change any verdict: the agent
# audits this machine (--offline) once as plain root and once with only the
# capabilities clinic-audit.service keeps (its CapabilityBoundingSet=, read
# from the unit) and NoNewPrivileges, as setpriv(1) sets them up the way
# systemd does (bounding set, no ambient or inheritable capabilities).
# Every check must end with the same status both times.
#   sandbox_caps_test.sh AGENT UNIT_FILE
set -euo pipefail
agent=$1 unit=$2
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 1; }
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr ' ' '\n' | grep . | sed 's/^CAP_//' | tr 'A-Z' 'a-z' | sed 's/^/+/' | paste -sd, -)
[ -n "$caps" ] || { echo "no CapabilityBoundingSet= in $unit" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
statuses() { jq -r '.results[] | "\(.check_id) \(.status)"' "$1" | sort; }

sandboxed() { setpriv --bounding-set="-all,$caps" --inh-caps=-all --ambient-caps=-all --no-new-privs "$@"; }
compare() {  # compare NAME ARGS...: one audit unconfined, one sandboxed
  local name=$1
  shift
  "$agent" run --offline --no-sign --format json "$@" >"$work/$name.root.json" 2>"$work/$name.root.err" || true
  sandboxed "$agent" run --offline --no-sign --format json "$@" >"$work/$name.sandbox.json" 2>"$work/$name.sandbox.err" || true
  statuses "$work/$name.root.json" >"$work/$name.root.txt"
  statuses "$work/$name.sandbox.json" >"$work/$name.sandbox.txt"
  [ -s "$work/$name.root.txt" ] || { echo "$name: the unconfined run gave no results" >&2; cat "$work/$name.root.err" >&2; exit 1; }
  if ! diff -u "$work/$name.root.txt" "$work/$name.sandbox.txt"; then
    echo "$name: the capability sandbox changed verdicts (see diff above)" >&2
    cat "$work/$name.sandbox.err" >&2
    exit 1
  fi
  echo "$name: $(wc -l <"$work/$name.root.txt") checks, same status with and without the sandbox's capabilities"
}
# The sandboxed process really had only those capabilities.
sandboxed grep -E '^CapBnd' /proc/self/status >"$work/capbnd"
echo "capabilities kept: $caps ($(cat "$work/capbnd"))"

# This machine as it is.
compare host
# An EHR tree root may only traverse with CAP_DAC_READ_SEARCH: the web
# server's private key directory (www-data, 0700) as MedShakeEHR sets it up.
tree=$work/tree
mkdir -p "$tree/home/EHR/apicrypt/bin" "$tree/home/EHR/apicrypt/Clefs" "$tree/etc"
printf 'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nroot:x:0:0:root:/root:/bin/sh\n' >"$tree/etc/passwd"
printf 'www-data:x:33:\nroot:x:0:\n' >"$tree/etc/group"
printf 'secret\n' >"$tree/home/EHR/apicrypt/Clefs/key.pem"
chown -R 33:33 "$tree/home/EHR/apicrypt/Clefs"
chmod 0700 "$tree/home/EHR/apicrypt/Clefs"
chmod 0600 "$tree/home/EHR/apicrypt/Clefs/key.pem"
compare ehr-tree --root "$tree" --policy apicrypt-v2
# The oracle can tell: without that capability the verdicts do change.
if setpriv --bounding-set=-all --inh-caps=-all --no-new-privs "$agent" run --offline --no-sign --format json --root "$tree" --policy apicrypt-v2 2>/dev/null |
  jq -r '.results[] | "\(.check_id) \(.status)"' | sort | cmp -s - "$work/ehr-tree.root.txt"; then
  echo "warning: the EHR tree does not depend on CAP_DAC_READ_SEARCH (weaker test)" >&2
else
  echo "ehr-tree: without CAP_DAC_READ_SEARCH the verdicts change (the comparison has teeth)"
fi
