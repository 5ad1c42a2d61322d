#!/usr/bin/env bash
# lintian -E --pedantic on the packages installer/build-deb.sh builds: no
# error and no warning (issue #15). Pedantic and experimental tags are
# printed for the record.
#   lintian.sh SOURCE_DIR PACKAGE_BUILD_DIR WORK_DIR
set -euo pipefail
src=$1 pkg_build=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
mapfile -t debs < <("$src/installer/build-deb.sh" "$pkg_build" "$work")
[ "${#debs[@]}" -gt 0 ] || { echo "no package built" >&2; exit 1; }
status=0
for deb in "${debs[@]}"; do
  echo "== lintian -E --pedantic ${deb##*/}"
  # --fail-on: lintian's exit status says whether an error or warning was emitted.
  lintian -E --pedantic --display-info --fail-on error,warning "$deb" || status=1
done
[ $status -eq 0 ] && echo "lintian: no error, no warning"
exit $status
