#!/usr/bin/env bash
# README command 1: install the build dependencies, build clinic-audit
# (release preset), and audit this machine with the shipped policies.
# --offline: these machines have no network; e-KerMed reachability probes are
# reported as skipped rather than sent anywhere.
# The report is written (unsigned: no key yet on a fresh machine) as text,
# JSON and XML under build/quickstart-reports/, the text shown here; the
# last lines say where it went and what to do next.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh build
cmake --preset release >/dev/null
cmake --build --preset release --target clinic-audit
agent=./build/release/agent/clinic-audit
out=build/quickstart-reports
mkdir -p "$out"
set +e
"$agent" run --offline --policy apicrypt-v1 --policy apicrypt-v2 --policy ekermed \
  --format text --format json --format xml --out "$out" --no-sign "$@"
code=$?
set -e
# The files of this run: the newest text report and its siblings.
text=$(ls -t "$out"/clinic-audit-*.txt 2>/dev/null | head -n 1 || true)
if [ -n "$text" ]; then
  cat "$text"
  stem=${text%.txt}
  echo
  echo "quickstart: report written to:"
  for f in "$stem".txt "$stem".json "$stem".xml; do
    [ -e "$f" ] && echo "  $(realpath "$f")"
  done
fi
case $code in
  0) echo "quickstart: compliant (exit 0)" ;;
  1) echo "quickstart: audit finished; at least one check failed (exit 1): see the fixes above" ;;
  2) echo "quickstart: audit finished; some checks could not be evaluated (exit 2)" ;;
  *) echo "quickstart: clinic-audit exited $code" ;;
esac
cat <<NEXT
Next:
  - why a check matters and how to fix it:  $agent explain CHECK_ID
  - one check again after a fix:            $agent run --offline --only CHECK_ID
  - daily signed audits on this machine: build and install the package
      bash installer/build-deb.sh build/package && apt-get install ./build/package/clinic-audit_*.deb
    (creates the signing key, enables the daily timer, audits after upgrades;
     reports in /var/lib/clinic-audit/reports, see man clinic-audit)
  - monitoring:                             clinic-audit status --format nagios
NEXT
exit $code
