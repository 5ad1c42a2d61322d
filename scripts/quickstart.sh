#!/usr/bin/env bash
# README command 1: install the build dependencies, build clinic-audit
# (release preset), and audit this machine with the shipped policies.
# --offline: these machines have no network; e-KerMed reachability probes are
# reported as skipped rather than sent anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh build
cmake --preset release >/dev/null
cmake --build --preset release --target clinic-audit
set +e
./build/release/agent/clinic-audit run --offline --policy apicrypt-v1 --policy apicrypt-v2 --policy ekermed "$@"
code=$?
set -e
case $code in
  0) echo "quickstart: compliant (exit 0)" ;;
  1) echo "quickstart: audit finished; at least one check failed (exit 1): see the fixes above" ;;
  2) echo "quickstart: audit finished; some checks could not be evaluated (exit 2)" ;;
  *) echo "quickstart: clinic-audit exited $code" ;;
esac
exit $code
