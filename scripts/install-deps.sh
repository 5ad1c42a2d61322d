#!/usr/bin/env bash
# Installs, with apt-get, every Debian package clinic-audit needs.
#   scripts/install-deps.sh build   toolchain and libraries (scripts/deps/build.list)
#   scripts/install-deps.sh test    everything, test peers included (scripts/deps/*.list)
# Lines in the lists: one package name, or '# preseed: <debconf-set-selections line>'.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:-build}

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (apt-get install)" >&2
  exit 1
fi

case "$mode" in
  build) lists=("$here/deps/build.list") ;;
  test) lists=("$here"/deps/*.list) ;;
  *) echo "install-deps: unknown mode '$mode' (build or test)" >&2; exit 64 ;;
esac

packages=()
preseeds=()
for list in "${lists[@]}"; do
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      "# preseed: "*) preseeds+=("${line#\# preseed: }") ;;
      \#*|"") ;;
      *) packages+=("${line%%[[:space:]#]*}") ;;
    esac
  done <"$list"
done

export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi
if [ ${#preseeds[@]} -gt 0 ]; then
  apt-get install -y -q debconf-utils >/dev/null 2>&1 || true
  printf '%s\n' "${preseeds[@]}" | debconf-set-selections
fi
echo "install-deps: installing ${missing[*]}"
apt-get update -q
# Services some packages start on install (coturn, postgresql...) are not wanted
# running: tests start their own instances on loopback.
policy_rc=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy_rc" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy_rc"
  chmod 0755 "$policy_rc"
  created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy_rc"' EXIT
apt-get install -y -q --no-install-recommends "${missing[@]}"
