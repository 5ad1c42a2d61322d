#!/usr/bin/env bash
# CTest checks.isolation (issue #19 item 1): no check type includes or links
# another. A check type is a folder of checks/ other than common; its files
# (tests and fuzz targets included) may include "common/..." and "<own>/...",
# never "<other type>/...", and its CMakeLists may not name another type's
# libraries (ca_check_<other>, or a PART such as ca_<other>_parsers).
# cmake/CheckType.cmake also refuses at configure time a check type library
# that links another, and gives each type an include path holding only its
# own folder (system headers, <openssl/ssl.h>, are not check types); this catches what the compiler would let through (a test that
# links two types, a header reached through a relative path).
set -euo pipefail
if [ "${1:-}" = --self-test ]; then
  # The check must see a violation: two fake types, one including the other.
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/common" "$tmp/alpha/tests" "$tmp/beta"
  printf '#include "common/check.hpp"\n#include <openssl/ssl.h>\n' > "$tmp/alpha/a.cpp"
  printf '#include "alpha/a.hpp"\n' > "$tmp/beta/b.cpp"
  if "$0" "$tmp" >/dev/null; then echo "self-test: the include of alpha by beta went unnoticed"; exit 1; fi
  rm "$tmp/beta/b.cpp"
  printf 'target_link_libraries(t PRIVATE ca_check_beta)\n' > "$tmp/alpha/tests/CMakeLists.txt"
  if "$0" "$tmp" >/dev/null; then echo "self-test: the link of beta by alpha went unnoticed"; exit 1; fi
  rm "$tmp/alpha/tests/CMakeLists.txt"
  "$0" "$tmp" >/dev/null || { echo "self-test: a clean tree was refused"; exit 1; }
  echo "self-test passed"; exit 0
fi
checks=${1:-$(cd "$(dirname "$0")/../../checks" && pwd)}
types=()
for dir in "$checks"/*/; do
  name=$(basename "$dir")
  [ "$name" = common ] || types+=("$name")
done
status=0
for own in "${types[@]}"; do
  for other in "${types[@]}"; do
    [ "$own" = "$other" ] && continue
    # #include "other/..." or a relative path that climbs into ../other/
    if hits=$(grep -rnE "#[[:space:]]*include[[:space:]]*\"(\.\./)*${other}/" "$checks/$own" \
                --include='*.cpp' --include='*.hpp' --include='*.h' --include='*.cc'); then
      echo "check type $own includes check type $other (move the shared code to checks/common):"
      echo "$hits"
      status=1
    fi
    if hits=$(grep -rnwE "ca_check_${other}|ca_${other}_[a-z_]+" "$checks/$own" --include=CMakeLists.txt --include='*.cmake'); then
      echo "check type $own links check type $other (move the shared code to checks/common):"
      echo "$hits"
      status=1
    fi
  done
done
# checks/common is below every check type: it includes none of them.
for other in "${types[@]}"; do
  if hits=$(grep -rnE "#[[:space:]]*include[[:space:]]*\"(\.\./)*${other}/" "$checks/common" \
              --include='*.cpp' --include='*.hpp'); then
    echo "checks/common includes check type $other:"
    echo "$hits"
    status=1
  fi
done
[ $status = 0 ] && echo "${#types[@]} check types, none includes or links another"
exit $status
