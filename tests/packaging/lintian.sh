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
# The hardening dpkg-buildflags asked for, read from the ELF files themselves
# (lintian reports only part of it): full RELRO (GNU_RELRO + BIND_NOW), PIE,
# stack protector and fortified libc calls; no symbol table left.
for deb in "${debs[@]}"; do
  tree=$work/tree-$(dpkg-deb -f "$deb" Package)
  dpkg-deb -x "$deb" "$tree"
  while IFS= read -r elf; do
    name=${elf#"$tree"}
    problems=()
    # Whole outputs first: `grep -q` closing a pipe early fails it under pipefail.
    segments=$(readelf -lW "$elf") dynamic=$(readelf -dW "$elf") header=$(readelf -hW "$elf")
    symbols=$(readelf -sW --dyn-syms "$elf") sections=$(readelf -SW "$elf")
    grep -q GNU_RELRO <<<"$segments" || problems+=("no RELRO")
    grep -Eq 'BIND_NOW|FLAGS.*NOW' <<<"$dynamic" || problems+=("no BIND_NOW")
    grep -q 'DYN (' <<<"$header" || problems+=("not PIE")
    grep -q '__stack_chk_fail' <<<"$symbols" || problems+=("no stack protector")
    grep -Eq '__[a-z0-9_]+_chk(@|$| )' <<<"$symbols" || problems+=("no fortified calls")
    grep -Eq ' \.symtab | \.comment ' <<<"$sections" && problems+=("not stripped")
    if [ ${#problems[@]} -eq 0 ]; then
      echo "hardened: $name"
    else
      echo "$name: ${problems[*]}" >&2
      status=1
    fi
  done < <(find "$tree" -type f -perm -u+x -exec sh -c 'head -c 4 "$1" | grep -q "ELF"' _ {} \; -print)
done
[ $status -eq 0 ] && echo "lintian: no error, no warning; binaries hardened and stripped"
exit $status
